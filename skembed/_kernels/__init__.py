"""Numba kernels: arrays and scalars in, arrays out.

One module per algorithm. Nothing here sees a ``str``, a ``dict`` or an estimator; the
estimators in :mod:`skembed` turn text into integer ids and drive these kernels epoch by epoch.
"""
