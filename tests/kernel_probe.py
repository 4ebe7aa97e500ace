"""Measurements made in a fresh Python process by ``test_kernel_builds.py``.

``python -m tests.kernel_probe ORDER`` (ORDER is ``serial-first`` or ``parallel-first``) fits
every trainable estimator with ``n_jobs=1`` and ``n_jobs=2``, in that order or the opposite
one, so that the serial or the parallel build of every kernel is compiled first. It then runs
each serial and each parallel kernel build on a workload of about half a second with numba
set to two threads and counts the threads that did the work. It prints one JSON object: a
hash of everything the ``n_jobs=1`` fits produced, and the thread counts. The caller sets
``NUMBA_CACHE_DIR`` to a fresh directory and ``PYTHONHASHSEED``.
"""

import hashlib
import json
import os
import sys

import numba
import numpy as np

from skembed import (
    BPETokenizer,
    FastTextVectorizer,
    GloVeVectorizer,
    LSAVectorizer,
    Word2VecVectorizer,
)
from skembed._kernels import _glove, _pooling
from skembed._kernels import _word2vec as w2v
from skembed._kernels._random import seed_states

from .conftest import make_documents


def thread_cpu_seconds():
    """CPU seconds used so far by each thread of this process, read from ``/proc``."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        seconds[tid] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def busy_threads(call, cpu_seconds=0.6, max_calls=500):
    """Call ``call()`` until it has used ``cpu_seconds`` of CPU; count the threads doing the work.

    A thread counts when it did a fifth of the work or more. Counting threads, rather than
    comparing CPU time with wall time, keeps the answer right on a loaded machine: a thread that
    only gets half a core still does its share of the work. Calling until a fixed amount of CPU
    time is used, rather than a fixed number of times, keeps the count meaningful on a machine
    of any speed.
    """
    call()  # compiles (or loads from the cache) outside the measurement
    before = thread_cpu_seconds()
    for _ in range(max_calls):
        call()
        after = thread_cpu_seconds()
        used = [after[tid] - before.get(tid, 0.0) for tid in after]
        total = sum(used)
        if total >= cpu_seconds:
            return sum(seconds >= 0.2 * total for seconds in used)
    raise RuntimeError(f"{max_calls} calls used only {total:.2f} s of CPU: too little to count "
                       "threads")


def word2vec_arguments(ids, offsets, n_words, dim=50):
    """Arguments of a skip-gram negative-sampling run over ``ids`` in 10,000-token units."""
    rng = np.random.default_rng(1)
    counts = np.bincount(ids, minlength=n_words) + 1
    tables = w2v.Tables(w2v.keep_probabilities(counts, 0.0), w2v.build_noise_table(counts, 0.75),
                        np.zeros(n_words + 1, dtype=np.int64), np.empty(0, dtype=np.uint8),
                        np.empty(0, dtype=np.int32))
    config = w2v.Config(*(np.int64(v) for v in (w2v.SKIPGRAM, w2v.NEGATIVE_SAMPLING, 5, 5, 1)))
    weights = w2v.Weights(rng.uniform(-0.01, 0.01, (n_words, dim)).astype(np.float32),
                          np.zeros((n_words, dim), dtype=np.float32),
                          np.ones(n_words, dtype=np.float32))
    bounds = w2v.split_work_units(offsets, 10_000)
    n_units = bounds.size - 1
    return (w2v.Documents(ids, offsets), weights, tables, config, bounds,
            np.full(n_units, 0.025, dtype=np.float32), seed_states(1, n_units),
            np.zeros(n_units), np.zeros(n_units, dtype=np.int64),
            np.zeros(n_units, dtype=np.int64))


def kernel_workloads(n_tokens=1_000_000, n_words=2000, window=8, n_parts=2):
    """Serial build, parallel build and arguments of each kernel.

    The words are drawn uniformly so that every part of a parallel loop has the same work.
    """
    rng = np.random.default_rng(0)
    ids = rng.integers(0, n_words, n_tokens).astype(np.int32)
    offsets = np.arange(0, n_tokens + 1, 100, dtype=np.int64)
    distance_weights = 1.0 / np.maximum(np.arange(window + 1.0), 1.0)
    count = (ids, offsets, 0, n_tokens, n_words, distance_weights, n_parts)
    csr = _glove._count_chunk_serial(*count)
    add = (*csr, *_glove._transpose_csr(*csr, n_words))
    weights, log_values = _glove.weights_and_logs(csr[2], 100.0, 0.75)
    parameters = np.ones((4, n_words, 51), dtype=np.float32)
    parameters[:2] = rng.uniform(-0.01, 0.01, size=(2, n_words, 51))
    epoch = (_glove.csr_rows(csr[0]), csr[1], weights, log_values,
             rng.permutation(csr[1].size)[: csr[1].size // 4].astype(np.int32), parameters,
             np.ones((2, n_words), dtype=np.float32), 0.05, 100.0, 4 * n_parts)
    vectors = np.ones((n_words, 100), dtype=np.float32)
    documents = np.arange(0, n_tokens + 1, 10, dtype=np.int64)
    mean = (ids, documents, vectors, np.ones(n_words, dtype=np.float32), False)
    return {
        "word2vec epoch": (w2v.train_units_serial, w2v.train_units_parallel,
                           word2vec_arguments(ids[:200_000], offsets[:2001], n_words)),
        "glove counting": (_glove._count_chunk_serial, _glove._count_chunk_parallel, count),
        "glove csr sum": (_glove._add_csr_serial, _glove._add_csr_parallel, add),
        "glove epoch": (_glove._glove_epoch_serial, _glove._glove_epoch_parallel, epoch),
        "mean pooling": (_pooling.weighted_mean, _pooling.weighted_mean_parallel, mean),
        "max pooling": (_pooling.elementwise_max, _pooling.elementwise_max_parallel,
                        mean[:3]),
    }


def measure_threads():
    """Threads busy in each serial and each parallel build, with numba set to two threads."""
    numba.set_num_threads(2)
    result = {}
    for name, (serial, parallel, args) in kernel_workloads().items():
        result[f"{name} serial"] = busy_threads(lambda: serial(*args))
        result[f"{name} parallel"] = busy_threads(lambda: parallel(*args))
    return result


def digest(*arrays):
    sha = hashlib.sha256()
    for array in arrays:
        array = np.asarray(array)
        sha.update(str((array.dtype, array.shape)).encode())
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


def fit_outputs(n_jobs):
    """Hashes of the vectors, losses and outputs of every trainable estimator."""
    documents = make_documents(n_documents=90, seed=3)
    out = {}
    for name, estimator in [
        ("word2vec", Word2VecVectorizer(n_components=8, min_count=1, window=3, epochs=2,
                                        pooling="sif", random_state=0, n_jobs=n_jobs)),
        ("word2vec cbow hs", Word2VecVectorizer(n_components=8, min_count=1, epochs=2,
                                                architecture="cbow",
                                                objective="hierarchical_softmax",
                                                pooling="max", random_state=0,
                                                n_jobs=n_jobs)),
        ("fasttext", FastTextVectorizer(n_components=8, min_count=1, n_buckets=300,
                                        epochs=2, random_state=0, n_jobs=n_jobs)),
        ("glove", GloVeVectorizer(n_components=8, min_count=1, epochs=3, pooling="tfidf",
                                  random_state=0, n_jobs=n_jobs)),
    ]:
        transformed = estimator.fit_transform(documents)
        out[name] = digest(estimator.word_vectors_.vectors, estimator.loss_curve_,
                           transformed, estimator.word_vectors_.index_to_key)
    lsa = LSAVectorizer(n_components=4, random_state=0).fit(documents)
    out["lsa"] = digest(lsa.transform(documents), sorted(lsa.vocabulary_.items()))
    bpe = BPETokenizer(vocab_size=300, n_jobs=n_jobs).fit(documents)
    tokens = bpe.transform(documents)
    out["bpe"] = digest(bpe.merges_, [len(t) for t in tokens], [t for doc in tokens for t in doc])
    return out


if __name__ == "__main__":
    order = sys.argv[1]
    if order == "parallel-first":
        fit_outputs(2)
        serial_fits = fit_outputs(1)
    else:
        serial_fits = fit_outputs(1)
        fit_outputs(2)
    print(json.dumps({"fits": serial_fits, "threads": measure_threads()}))
