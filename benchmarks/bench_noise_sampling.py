"""Negative-sampling draws: skembed's alias table against bisection of a cumulative table.

The word2vec kernels draw ``negative`` noise words per prediction, so the sampler sits in the
hot loop. This compares the alias table of :func:`skembed._kernels._word2vec.build_noise_table`
(one 64-bit draw, one memory load) with the cumulative table of ``count ** 0.75`` searched by
bisection (gensim's method), on Zipf-distributed counts.

Run::

    flock /tmp/skembed-bench.lock python benchmarks/bench_noise_sampling.py
"""

import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skembed._kernels._random import xorshift_next  # noqa: E402
from skembed._kernels._word2vec import _draw_noise, build_noise_table  # noqa: E402


@numba.njit(nogil=True)
def draw_alias(table, n, state):
    total = 0
    for _ in range(n):
        state, word = _draw_noise(table, state)
        total += word
    return total


@numba.njit(nogil=True)
def draw_bisect(cumulative, n, state):
    top = cumulative[-1]
    total = 0
    for _ in range(n):
        state = xorshift_next(state)
        target = (state >> np.uint64(11)) % np.uint64(top)
        total += np.searchsorted(cumulative, target, side="right")
    return total


def main():
    n_draws = 20_000_000
    rows = []
    for n_words in (10_000, 100_000, 1_000_000):
        counts = np.sort(np.random.default_rng(0).zipf(1.2, n_words).clip(max=10**7))[::-1]
        weights = counts.astype(np.float64) ** 0.75
        cumulative = np.cumsum(np.round(weights / weights.sum() * 2**40)).astype(np.uint64)
        table = build_noise_table(counts, 0.75)
        state = np.uint64(88172645463325252)
        draw_alias(table, 10, state)
        draw_bisect(cumulative, 10, state)
        timings = []
        for kernel, data in ((draw_alias, table), (draw_bisect, cumulative)):
            start = time.perf_counter()
            kernel(data, n_draws, state)
            timings.append(n_draws / (time.perf_counter() - start))
        rows.append((n_words, *timings))
    print("| vocabulary | alias draws/s | bisection draws/s | alias / bisection |")
    print("|---:|---:|---:|---:|")
    for n_words, alias, bisect in rows:
        print(f"| {n_words:,} | {alias:,.0f} | {bisect:,.0f} | {alias / bisect:.1f}x |")


if __name__ == "__main__":
    main()
