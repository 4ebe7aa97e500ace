"""Thread scaling of the GloVe and pooling kernels: 1 thread against 2, in one process.

Times, on the same data and in the same process, GloVe co-occurrence counting (window 10), one
GloVe epoch (100 dimensions, the nonzeros shuffled as in training) and the mean pooling of
100,000 documents (100 dimensions), each with the serial build (1 thread) and the parallel
build (2 threads). Runs alternate between 1 and 2 threads so that a change in the load of a
shared machine hits both; the table reports the median of the repeats and the ratio
1 thread / 2 threads (above 1 means 2 threads are faster). The corpus is tokenized as in
``bench_glove.py``; ``--limit`` takes that many documents evenly across the file.

Run (the table in benchmarks/README.md)::

    flock /tmp/skembed-bench.lock python benchmarks/bench_threads.py \\
        --corpus ../shared/data/corpus_en.txt.xz --limit 200000
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_glove import TOKEN_PATTERN, read_documents  # noqa: E402

from skembed._base import numba_threads  # noqa: E402
from skembed._corpus import build_corpus  # noqa: E402
from skembed._kernels import _pooling  # noqa: E402
from skembed._kernels._glove import count_cooccurrences, glove_epoch  # noqa: E402
from skembed._kernels._random import seed_states  # noqa: E402
from skembed._text import build_analyzer  # noqa: E402
from skembed.glove import _initial_parameters, _nonzero_terms  # noqa: E402


def timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def steps(corpus, n_words, n_documents):
    """The three measured steps, as functions of the thread count."""
    counts = count_cooccurrences(corpus.ids, corpus.offsets, n_words, window=10)
    nonzeros = _nonzero_terms(counts, 100.0, 0.75)
    del counts
    parameters = _initial_parameters(n_words, 100, 0)
    order = np.arange(nonzeros.cols.size, dtype=np.int32)
    rng = np.random.default_rng(0)
    rng.shuffle(order)
    pool_offsets = corpus.offsets[: n_documents + 1]
    pool_ids = corpus.ids[: pool_offsets[-1]]
    vectors = np.ascontiguousarray(parameters[0, :, :100])
    weights = np.ones(n_words, dtype=np.float32)
    return {
        "GloVe counting": lambda n: count_cooccurrences(
            corpus.ids, corpus.offsets, n_words, window=10, n_threads=n),
        "GloVe epoch": lambda n: glove_epoch(*nonzeros, order, parameters, n_threads=n),
        f"mean pooling of {n_documents:,} documents": lambda n: (
            _pooling.weighted_mean_parallel if n > 1 else _pooling.weighted_mean)(
                pool_ids, pool_offsets, vectors, weights, False),
    }, int(nonzeros.cols.size), int(pool_offsets[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=ROOT.parent / "shared" / "data" / "corpus_en.txt.xz")
    parser.add_argument("--limit", type=int, default=0, help="documents to use (0: all)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pool-documents", type=int, default=100_000)
    args = parser.parse_args()
    documents = read_documents(args.corpus, args.limit)
    analyzer = build_analyzer(lowercase=True, token_pattern=TOKEN_PATTERN)
    corpus = build_corpus(documents, analyzer, min_count=5)
    del documents
    n_words = len(corpus.index_to_key)
    measured, nnz, pool_tokens = steps(corpus, n_words, args.pool_documents)
    for call in measured.values():  # compile (or load from the cache) both builds
        for n_threads in (1, 2):
            with numba_threads(n_threads):
                call(n_threads)
    print(f"Corpus: {corpus.ids.size:,} tokens, {n_words:,} words, {nnz:,} nonzero "
          f"co-occurrences; pooling: {pool_tokens:,} tokens. Median of {args.repeats} runs, "
          "alternating 1 and 2 threads.\n")
    print("| step | 1 thread (s) | 2 threads (s) | 1 thread / 2 threads | CPU / wall, 2 threads |")
    print("|---|---:|---:|---:|---:|")
    for name, call in measured.items():
        runs = {1: [], 2: []}
        for _ in range(args.repeats):
            for n_threads in (1, 2):
                with numba_threads(n_threads):
                    runs[n_threads].append(timed(lambda: call(n_threads)))
        one = statistics.median(wall for wall, _ in runs[1])
        two = statistics.median(wall for wall, _ in runs[2])
        usage = statistics.median(cpu / wall for wall, cpu in runs[2])
        print(f"| {name} | {one:.2f} | {two:.2f} | {one / two:.2f} | {usage:.2f} |", flush=True)


if __name__ == "__main__":
    main()
