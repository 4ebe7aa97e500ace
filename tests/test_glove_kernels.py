"""GloVe kernels against slow, obvious numpy references on tiny inputs."""

import numpy as np
import pytest
import scipy.sparse as sp

from skembed._base import numba_threads
from skembed._kernels import _glove
from skembed._kernels._glove import (
    count_cooccurrences,
    csr_rows,
    glove_epoch,
    shuffle_order,
    weights_and_logs,
)

from .conftest import record_calls


def brute_force_counts(ids, offsets, n_words, window, symmetric, distance_weighting):
    counts = np.zeros((n_words, n_words))
    for start, stop in zip(offsets[:-1], offsets[1:]):
        for t in range(start, stop):
            for c in range(max(start, t - window), t):
                weight = 1.0 / (t - c) if distance_weighting else 1.0
                counts[ids[t], ids[c]] += weight
                if symmetric:
                    counts[ids[c], ids[t]] += weight
    return counts


def to_dense(result, n_words):
    indptr, indices, data = result
    return sp.csr_matrix((data, indices, indptr), shape=(n_words, n_words)).toarray()


@pytest.fixture
def corpus():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 12, size=300).astype(np.int32)
    # Includes an empty document and documents shorter than the window.
    offsets = np.array([0, 2, 2, 5, 120, 121, 300], dtype=np.int64)
    return ids, offsets, 12


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("distance_weighting", [True, False])
def test_counts_match_brute_force(corpus, symmetric, distance_weighting):
    ids, offsets, n_words = corpus
    result = count_cooccurrences(ids, offsets, n_words, window=4, symmetric=symmetric,
                                 distance_weighting=distance_weighting)
    expected = brute_force_counts(ids, offsets, n_words, 4, symmetric, distance_weighting)
    np.testing.assert_allclose(to_dense(result, n_words), expected, rtol=1e-12)


def test_one_pair_per_distance():
    ids = np.array([0, 1, 2, 3], dtype=np.int32)
    offsets = np.array([0, 4], dtype=np.int64)
    dense = to_dense(count_cooccurrences(ids, offsets, 4, window=10, symmetric=False), 4)
    assert dense[3, 0] == pytest.approx(1 / 3)
    assert dense[3, 2] == 1.0
    assert dense[0].sum() == 0.0  # the first word has no left context
    assert np.all(np.triu(dense) == 0.0)


def test_documents_are_not_crossed():
    ids = np.array([0, 1, 2, 3], dtype=np.int32)
    offsets = np.array([0, 2, 4], dtype=np.int64)
    dense = to_dense(count_cooccurrences(ids, offsets, 4, window=10), 4)
    assert dense[0, 1] == dense[1, 0] == 1.0
    assert dense[2, 3] == dense[3, 2] == 1.0
    assert dense[:2, 2:].sum() == dense[2:, :2].sum() == 0.0


@pytest.mark.parametrize("chunk_tokens", [1, 7, 64])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_chunked_merge_equals_one_chunk(corpus, chunk_tokens, n_threads):
    ids, offsets, n_words = corpus
    whole = count_cooccurrences(ids, offsets, n_words, window=5, chunk_tokens=10**6)
    with numba_threads(n_threads):
        chunked = count_cooccurrences(ids, offsets, n_words, window=5,
                                      chunk_tokens=chunk_tokens, n_threads=n_threads)
    np.testing.assert_array_equal(chunked[0], whole[0])
    np.testing.assert_array_equal(chunked[1], whole[1])
    np.testing.assert_allclose(chunked[2], whole[2], rtol=1e-12)
    for r in range(n_words):  # canonical CSR: sorted, unique columns
        row = chunked[1][chunked[0][r]:chunked[0][r + 1]]
        assert np.all(np.diff(row) > 0)


def test_empty_corpus():
    indptr, indices, data = count_cooccurrences(
        np.empty(0, dtype=np.int32), np.zeros(3, dtype=np.int64), 5)
    assert indptr.tolist() == [0] * 6
    assert indices.size == data.size == 0


@pytest.mark.parametrize("x", [0.0, 50.0, 100.0, 1000.0])
def test_weighting_function(x):
    x_max, alpha = 100.0, 0.75
    expected = (x / x_max) ** alpha if x < x_max else 1.0
    weights, _ = weights_and_logs(np.array([x]), x_max, alpha)
    assert weights[0] == pytest.approx(expected, rel=1e-6)


def test_csr_rows_and_shuffle():
    assert csr_rows(np.array([0, 0, 3, 4], dtype=np.int64)).tolist() == [1, 1, 1, 2]
    order = np.arange(1000, dtype=np.int64)
    state = np.array([3], dtype=np.uint64)
    shuffle_order(order, state)
    assert np.array_equal(np.sort(order), np.arange(1000))
    assert not np.array_equal(order, np.arange(1000))
    first = order.copy()
    shuffle_order(order, state)
    assert not np.array_equal(order, first)


def entry_cost(w, c, b, bc, log_x, f):
    return 0.5 * f * (w @ c + b + bc - log_x) ** 2


def random_parameters(rng, n_words, dim):
    parameters = np.empty((4, n_words, dim + 1), dtype=np.float32)
    parameters[:2] = rng.uniform(-0.5, 0.5, size=(2, n_words, dim + 1))
    parameters[2:] = 1.0
    return parameters


def test_one_step_follows_the_gradient():
    # With accumulators at 1, the first AdaGrad step is learning_rate * gradient for the
    # vectors and the plain gradient for the biases (the reference's unscaled bias step).
    rng = np.random.default_rng(1)
    dim, eta = 6, 1e-3
    parameters = random_parameters(rng, 2, dim)
    before = parameters.astype(np.float64)
    log_x, f = 0.7, 0.4
    one = np.zeros(1, dtype=np.int32)
    cost = glove_epoch(one, one + 1, np.array([f], np.float32), np.array([log_x], np.float32),
                       np.zeros(1, dtype=np.int64), parameters, learning_rate=eta)
    w, b = before[0, 0, :dim], before[0, 0, dim]
    c, bc = before[1, 1, :dim], before[1, 1, dim]
    assert cost == pytest.approx(entry_cost(w, c, b, bc, log_x, f), rel=1e-5)
    h = 1e-6

    def numeric(which, index):
        plus, minus = before.copy(), before.copy()
        plus[which, which, index] += h
        minus[which, which, index] -= h
        args = lambda p: (p[0, 0, :dim], p[1, 1, :dim], p[0, 0, dim], p[1, 1, dim], log_x, f)
        return (entry_cost(*args(plus)) - entry_cost(*args(minus))) / (2 * h)

    for a in range(dim):
        assert (before[0, 0, a] - parameters[0, 0, a]) / eta == pytest.approx(
            numeric(0, a), rel=1e-3, abs=1e-6)
        assert (before[1, 1, a] - parameters[1, 1, a]) / eta == pytest.approx(
            numeric(1, a), rel=1e-3, abs=1e-6)
    assert before[0, 0, dim] - parameters[0, 0, dim] == pytest.approx(numeric(0, dim), rel=1e-4)
    assert before[1, 1, dim] - parameters[1, 1, dim] == pytest.approx(numeric(1, dim), rel=1e-4)


def reference_epoch(rows, cols, weights, log_values, order, parameters, eta, max_grad):
    """The reference update rule, one nonzero at a time, in float64."""
    p = parameters.astype(np.float64)
    dim = p.shape[2] - 1
    total = 0.0
    for e in order:
        i, j = rows[e], cols[e]
        w, c, gw, gc = p[0, i], p[1, j], p[2, i], p[3, j]
        diff = w[:dim] @ c[:dim] + w[dim] + c[dim] - log_values[e]
        fdiff = weights[e] * diff
        total += 0.5 * fdiff * diff
        step_w = np.clip(fdiff * c[:dim], -max_grad, max_grad) * eta
        step_c = np.clip(fdiff * w[:dim], -max_grad, max_grad) * eta
        w[:dim] -= step_w / np.sqrt(gw[:dim])
        c[:dim] -= step_c / np.sqrt(gc[:dim])
        gw[:dim] += step_w**2
        gc[:dim] += step_c**2
        w[dim] -= fdiff / np.sqrt(gw[dim])
        c[dim] -= fdiff / np.sqrt(gc[dim])
        gw[dim] += fdiff**2
        gc[dim] += fdiff**2
    return p, total


@pytest.mark.parametrize("max_grad", [100.0, 0.01])
def test_epoch_matches_reference(corpus, max_grad):
    ids, offsets, n_words = corpus
    indptr, indices, data = count_cooccurrences(ids, offsets, n_words, window=3)
    rows = csr_rows(indptr)
    weights, log_values = weights_and_logs(data, 10.0, 0.75)
    rng = np.random.default_rng(2)
    parameters = random_parameters(rng, n_words, 5)
    order = rng.permutation(indices.size).astype(np.int64)
    expected, expected_cost = reference_epoch(rows, indices, weights, log_values, order,
                                              parameters, 0.05, max_grad)
    cost = glove_epoch(rows, indices, weights, log_values, order, parameters,
                       learning_rate=0.05, max_grad=max_grad)
    assert cost == pytest.approx(expected_cost, rel=1e-4)
    np.testing.assert_allclose(parameters, expected, rtol=1e-3, atol=1e-4)


def test_serial_epoch_is_reproducible_and_parallel_learns(corpus, monkeypatch):
    ids, offsets, n_words = corpus
    indptr, indices, data = count_cooccurrences(ids, offsets, n_words, window=3)
    rows = csr_rows(indptr)
    weights, log_values = weights_and_logs(data, 10.0, 0.75)
    order = np.arange(indices.size, dtype=np.int64)
    start = random_parameters(np.random.default_rng(3), n_words, 4)
    first, second = start.copy(), start.copy()
    glove_epoch(rows, indices, weights, log_values, order, first)
    glove_epoch(rows, indices, weights, log_values, order, second)
    assert np.array_equal(first, second)
    parallel = start.copy()
    calls = record_calls(monkeypatch, _glove, "_glove_epoch_parallel")
    with numba_threads(2):
        costs = [glove_epoch(rows, indices, weights, log_values, order, parallel, n_threads=2)
                 for _ in range(20)]
    # Hogwild blocks on the parallel build (test_kernel_builds checks its thread count).
    assert [args[-1] for args in calls] == [8] * 20
    assert costs[-1] < 0.5 * costs[0]
    assert np.all(np.isfinite(parallel))
