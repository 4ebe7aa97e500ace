"""Global settings of skembed: :func:`set_config`, :func:`get_config`, :func:`config_context`.

They follow scikit-learn's functions of the same names: the settings are per thread, and
:func:`config_context` changes them for a ``with`` block only. They are read in the process
that runs ``fit``; on a Dask or joblib worker, set them inside the task.
"""

import contextlib
import os
import threading

_DEFAULTS = {
    "corpus_memory_limit": 2**30,
    "temp_folder": None,
}
_local = threading.local()


def _settings():
    if not hasattr(_local, "settings"):
        _local.settings = dict(_DEFAULTS)
    return _local.settings


def get_config():
    """Return the current settings of skembed.

    Returns
    -------
    dict
        Keys are the parameters of :func:`set_config`.

    Examples
    --------
    >>> import skembed
    >>> skembed.get_config()["corpus_memory_limit"]
    1073741824
    """
    return dict(_settings())


def set_config(corpus_memory_limit=None, temp_folder=None):
    """Change the settings of skembed for the current thread.

    Parameters
    ----------
    corpus_memory_limit : int, default=None
        Bytes of token ids that ``fit`` keeps in memory (4 per token). A larger corpus has
        its ids, and its document offsets, moved to memory-mapped temporary files that the
        training kernels read directly; the files are deleted when ``fit`` ends, also on an
        error or Ctrl-C. The default is 1 GiB (about 268 million tokens). ``None`` leaves
        the setting unchanged.
    temp_folder : str or os.PathLike, default=None
        Folder for those temporary files; the default is Python's
        :func:`tempfile.gettempdir`. ``None`` leaves the setting unchanged.

    Examples
    --------
    >>> import skembed
    >>> skembed.set_config(corpus_memory_limit=2 * 2**30)
    >>> skembed.get_config()["corpus_memory_limit"]
    2147483648
    >>> skembed.set_config(corpus_memory_limit=2**30)
    """
    settings = _settings()
    if corpus_memory_limit is not None:
        if isinstance(corpus_memory_limit, bool) or not isinstance(corpus_memory_limit, int) \
                or corpus_memory_limit < 0:
            raise ValueError(
                "corpus_memory_limit must be a number of bytes >= 0, got "
                f"{corpus_memory_limit!r}; for example 4 * 2**30 for 4 GiB."
            )
        settings["corpus_memory_limit"] = corpus_memory_limit
    if temp_folder is not None:
        if not isinstance(temp_folder, (str, os.PathLike)):
            raise TypeError(
                f"temp_folder must be a path (str or os.PathLike), got "
                f"{type(temp_folder).__name__}."
            )
        settings["temp_folder"] = os.fspath(temp_folder)


@contextlib.contextmanager
def config_context(*, corpus_memory_limit=None, temp_folder=None):
    """Change the settings of skembed inside a ``with`` block, then restore them.

    Parameters
    ----------
    corpus_memory_limit, temp_folder
        As in :func:`set_config`.

    Examples
    --------
    >>> import skembed
    >>> with skembed.config_context(corpus_memory_limit=0):
    ...     skembed.get_config()["corpus_memory_limit"]
    0
    >>> skembed.get_config()["corpus_memory_limit"]
    1073741824
    """
    previous = get_config()
    set_config(corpus_memory_limit=corpus_memory_limit, temp_folder=temp_folder)
    try:
        yield
    finally:
        _settings().update(previous)
