"""Per-thread pseudo-random numbers for the training kernels.

A 64-bit xorshift generator (Marsaglia 2003) is small enough to live in a register inside a
hot loop. Every chunk of work carries its own state, derived on the Python side from the
estimator's ``random_state``, so a serial run is reproducible bit for bit and parallel chunks
never share a generator.
"""

import numba
import numpy as np

_INV_2_53 = 1.0 / float(1 << 53)


@numba.njit(cache=True, nogil=True, inline="always")
def xorshift_next(state):
    """Advance a xorshift64 state.

    Parameters
    ----------
    state : uint64
        Current state; must be nonzero.

    Returns
    -------
    uint64
        The next state, which is also the random draw.
    """
    state ^= state << np.uint64(13)
    state ^= state >> np.uint64(7)
    state ^= state << np.uint64(17)
    return state


@numba.njit(cache=True, nogil=True, inline="always")
def unit_float(state):
    """Map a xorshift state to a float64 uniform in [0, 1)."""
    return float(state >> np.uint64(11)) * _INV_2_53


@numba.njit(cache=True, nogil=True, inline="always")
def bounded_int(state, n):
    """Map a xorshift state to an integer uniform in [0, n) (n small next to 2**64)."""
    return np.int64(state % np.uint64(n))


def seed_states(seed, n_states):
    """Derive ``n_states`` independent nonzero xorshift states from one integer seed.

    Uses splitmix64 so that neighbouring seeds give unrelated streams.

    Parameters
    ----------
    seed : int
        Any integer in [0, 2**63).
    n_states : int
        How many states to make.

    Returns
    -------
    ndarray of shape (n_states,), dtype uint64
    """
    states = np.empty(n_states, dtype=np.uint64)
    x = int(seed) & 0xFFFFFFFFFFFFFFFF
    for i in range(n_states):
        x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        z ^= z >> 31
        states[i] = z if z != 0 else 0x2545F4914F6CDD1D
    return states
