"""Word2vec kernels against slow, obvious numpy references on tiny inputs."""

import heapq

import numba
import numpy as np
import pytest

from skembed._kernels import _word2vec as w2v
from skembed._kernels._random import bounded_int, seed_states, xorshift_next


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def log_sigmoid(x):
    return -np.log1p(np.exp(-x))


# --- Huffman tree ------------------------------------------------------------------------------


def heapq_code_lengths(counts):
    heap = [(int(c), i, [i]) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    lengths = np.zeros(len(counts), dtype=np.int64)
    tiebreak = len(counts)
    while len(heap) > 1:
        c1, _, words1 = heapq.heappop(heap)
        c2, _, words2 = heapq.heappop(heap)
        lengths[words1 + words2] += 1
        heapq.heappush(heap, (c1 + c2, tiebreak, words1 + words2))
        tiebreak += 1
    return lengths


@pytest.mark.parametrize("seed", range(5))
def test_huffman_codes_are_optimal_prefix_free_and_consistent(seed):
    rng = np.random.default_rng(seed)
    counts = rng.zipf(1.5, size=300).clip(max=10**6)
    code_offsets, codes, points = w2v.build_huffman_tree(counts)
    n_words = counts.shape[0]
    lengths = np.diff(code_offsets)
    # Same total weighted code length as a textbook heap Huffman code (lengths themselves
    # may differ where counts tie).
    assert (lengths * counts).sum() == (heapq_code_lengths(counts) * counts).sum()
    words = [tuple(codes[code_offsets[w]:code_offsets[w + 1]]) for w in range(n_words)]
    assert len(set(words)) == n_words
    as_strings = sorted("".join(map(str, code)) for code in words)
    for shorter, longer in zip(as_strings, as_strings[1:]):
        assert not longer.startswith(shorter)
    # Each code prefix is one inner node, the root (n_words - 2) first, all nodes used.
    node_of_prefix = {}
    for w in range(n_words):
        path = points[code_offsets[w]:code_offsets[w + 1]]
        assert path[0] == n_words - 2
        for depth, node in enumerate(path):
            assert node_of_prefix.setdefault(words[w][:depth], node) == node
    assert sorted(node_of_prefix.values()) == list(range(n_words - 1))


def test_huffman_frequent_words_get_short_codes_and_tiny_vocabularies_work():
    code_offsets, _, _ = w2v.build_huffman_tree(np.array([1, 100, 10, 1000]))
    assert np.diff(code_offsets).tolist() == [3, 2, 3, 1]
    code_offsets, codes, points = w2v.build_huffman_tree(np.array([7]))
    assert code_offsets.tolist() == [0, 0] and codes.size == 0 and points.size == 0


# --- noise distribution and subsampling --------------------------------------------------------


@numba.njit
def draw_many(noise_table, state, n):
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        state, out[i] = w2v._draw_noise(noise_table, state)
    return out


@pytest.mark.parametrize("ns_exponent", [0.0, 0.75, 1.0])
def test_alias_table_encodes_the_noise_distribution(ns_exponent):
    counts = np.array([1000, 500, 120, 50, 7, 3, 1, 1])
    expected = counts**ns_exponent / (counts**ns_exponent).sum()
    table = w2v.build_noise_table(counts, ns_exponent)
    np.testing.assert_allclose(w2v.noise_probabilities(table), expected, atol=1e-9)
    draws = draw_many(table, np.uint64(12345), 200_000)
    frequencies = np.bincount(draws, minlength=counts.size) / draws.size
    np.testing.assert_allclose(frequencies, expected, atol=4 * np.sqrt(0.25 / draws.size))


def test_keep_probabilities_follow_the_c_tool_formula():
    counts = np.array([50_000, 4_000, 300, 20, 1])
    sample = 1e-3
    total = counts.sum()
    expected = [min(1.0, (np.sqrt(c / (sample * total)) + 1) * sample * total / c)
                for c in counts]
    np.testing.assert_allclose(w2v.keep_probabilities(counts, sample), expected, rtol=1e-6)
    assert w2v.keep_probabilities(counts, sample)[0] < 0.2
    assert (w2v.keep_probabilities(counts, 0.0) == 1.0).all()


def test_split_work_units_covers_the_stream_within_size_limits():
    lengths = np.array([3, 0, 40, 5, 5, 5, 120, 1, 0, 2])
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    bounds = w2v.split_work_units(offsets, 20)
    sizes = np.diff(bounds)
    assert bounds[0] == 0 and bounds[-1] == offsets[-1]
    assert (sizes > 0).all() and (sizes <= 40).all() and (sizes[:-1] >= 20).all()
    # Boundaries fall on document ends except inside documents longer than a unit.
    inside = [b for b in bounds if b not in set(offsets.tolist())]
    containing = np.searchsorted(offsets, inside) - 1
    assert len(inside) > 0 and (lengths[containing] > 20).all()


# --- single predictions ------------------------------------------------------------------------


def reference_negative_sampling(hidden, output_vectors, targets, learning_rate):
    hidden = hidden.astype(np.float64)
    output_vectors = output_vectors.astype(np.float64)
    hidden_error = np.zeros_like(hidden)
    loss = 0.0
    for d, target in enumerate(targets):
        label = 1.0 if d == 0 else 0.0
        f = hidden @ output_vectors[target]
        g = (label - sigmoid(f)) * learning_rate
        loss -= log_sigmoid(f if d == 0 else -f)
        hidden_error += g * output_vectors[target]
        output_vectors[target] += g * hidden
    return hidden_error, output_vectors, loss


def reference_hierarchical_softmax(hidden, output_vectors, codes, points, learning_rate):
    hidden = hidden.astype(np.float64)
    output_vectors = output_vectors.astype(np.float64)
    hidden_error = np.zeros_like(hidden)
    loss = 0.0
    for code, node in zip(codes, points):
        f = hidden @ output_vectors[node]
        g = (1.0 - code - sigmoid(f)) * learning_rate
        loss -= log_sigmoid(f if code == 0 else -f)
        hidden_error += g * output_vectors[node]
        output_vectors[node] += g * hidden
    return hidden_error, output_vectors, loss


def random_weights(rng, n_rows, dim, scale=0.5):
    return (scale * rng.standard_normal((n_rows, dim))).astype(np.float32)


def test_negative_sampling_update_matches_reference():
    rng = np.random.default_rng(0)
    dim, lr = 16, np.float32(0.1)
    hidden = random_weights(rng, 1, dim)[0]
    output_vectors = random_weights(rng, 6, dim)
    targets = np.array([2, 0, 5, 0, 3], dtype=np.int32)  # a repeated noise word is legal
    expected_error, expected_output, expected_loss = reference_negative_sampling(
        hidden, output_vectors, targets, lr)
    hidden_error = np.zeros(dim, dtype=np.float32)
    loss = w2v.negative_sampling_update(hidden, hidden_error, output_vectors, targets,
                                        targets.size, lr)
    # The kernel reads the sigmoid from a 2048-bin table: errors are a small fraction of lr.
    np.testing.assert_allclose(hidden_error, expected_error, atol=5e-3 * lr)
    np.testing.assert_allclose(output_vectors, expected_output, atol=5e-3 * lr)
    assert abs(loss - expected_loss) < 2e-2
    assert np.abs(expected_error).max() > 0.05 * lr  # the update is not trivially zero


def test_hierarchical_softmax_update_matches_reference():
    rng = np.random.default_rng(1)
    dim, lr = 12, np.float32(0.2)
    counts = np.array([40, 30, 20, 10, 5, 2])
    code_offsets, codes, points = w2v.build_huffman_tree(counts)
    output_vectors = random_weights(rng, counts.size - 1, dim)
    hidden = random_weights(rng, 1, dim)[0]
    word = 5
    start, end = code_offsets[word], code_offsets[word + 1]
    expected_error, expected_output, expected_loss = reference_hierarchical_softmax(
        hidden, output_vectors, codes[start:end], points[start:end], lr)
    hidden_error = np.zeros(dim, dtype=np.float32)
    loss = w2v.hierarchical_softmax_update(hidden, hidden_error, output_vectors, codes,
                                           points, start, end, lr)
    np.testing.assert_allclose(hidden_error, expected_error, atol=5e-3 * lr)
    np.testing.assert_allclose(output_vectors, expected_output, atol=5e-3 * lr)
    assert abs(loss - expected_loss) < 2e-2
    assert end - start >= 3


def test_negative_sampling_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    dim = 8
    hidden = random_weights(rng, 1, dim)[0]
    output_vectors = random_weights(rng, 4, dim)
    targets = np.array([1, 3, 0], dtype=np.int32)

    def loss(h, out):
        return (-log_sigmoid(h @ out[1]) - log_sigmoid(-(h @ out[3]))
                - log_sigmoid(-(h @ out[0])))

    h64, out64 = hidden.astype(np.float64), output_vectors.astype(np.float64)
    eps = 1e-6
    grad_h = np.array([(loss(h64 + eps * e, out64) - loss(h64 - eps * e, out64)) / (2 * eps)
                       for e in np.eye(dim)])
    grad_out = np.zeros_like(out64)
    for index in np.ndindex(*out64.shape):
        step = np.zeros_like(out64)
        step[index] = eps
        grad_out[index] = (loss(h64, out64 + step) - loss(h64, out64 - step)) / (2 * eps)

    # With a tiny step the update is -lr * gradient (output rows updated after their use).
    lr = np.float32(1e-3)
    hidden_error = np.zeros(dim, dtype=np.float32)
    updated = output_vectors.copy()
    w2v.negative_sampling_update(hidden, hidden_error, updated, targets, 3, lr)
    scale = np.abs(grad_h).max()
    np.testing.assert_allclose(-hidden_error / lr, grad_h, atol=5e-3 * scale)
    np.testing.assert_allclose(-(updated - output_vectors) / lr, grad_out, atol=5e-3 * scale)


# --- whole epochs ------------------------------------------------------------------------------


def run_kernel(ids, offsets, counts, architecture, objective, *, window=1, negative=3,
               noise_counts=None, sample=0.0, cbow_mean=1, lr=0.05, dim=8, seed=0,
               parallel=False, unit_bounds=None, shared_negatives=1):
    rng = np.random.default_rng(seed)
    n_words = counts.size
    input_vectors = random_weights(rng, n_words, dim)
    n_outputs = n_words - 1 if objective == w2v.HIERARCHICAL_SOFTMAX else n_words
    output_vectors = random_weights(rng, n_outputs, dim, scale=0.3)
    start = (input_vectors.copy(), output_vectors.copy())
    code_offsets, codes, points = w2v.build_huffman_tree(counts)
    noise = w2v.build_noise_table(counts if noise_counts is None else noise_counts, 0.75)
    tables = w2v.Tables(w2v.keep_probabilities(counts, sample), noise, code_offsets, codes,
                        points)
    config = w2v.Config(*(np.int64(v) for v in (architecture, objective, window, negative,
                                                 cbow_mean, shared_negatives)))
    if unit_bounds is None:
        unit_bounds = np.array([0, ids.size], dtype=np.int64)
    n_units = unit_bounds.size - 1
    states = seed_states(seed, n_units)
    losses = np.zeros(n_units)
    n_predictions = np.zeros(n_units, dtype=np.int64)
    n_kept = np.zeros(n_units, dtype=np.int64)
    kernel = w2v.train_units_parallel if parallel else w2v.train_units_serial
    input_rates = np.ones(input_vectors.shape[0], dtype=np.float32)
    kernel(w2v.Documents(ids, offsets), w2v.Weights(input_vectors, output_vectors, input_rates),
           tables, config, unit_bounds, np.full(n_units, lr, dtype=np.float32), states, losses,
           n_predictions, n_kept)
    return start, (input_vectors, output_vectors), losses.sum(), n_predictions.sum(), \
        n_kept.sum(), (code_offsets, codes, points)


class Xorshift:
    """The kernels' xorshift64 stream, in Python: ``next()`` returns the next state."""

    def __init__(self, state):
        self.state = int(state)

    def next(self):
        mask = (1 << 64) - 1
        x = self.state
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
        self.state = x
        return x


def reference_epoch(ids, offsets, start, architecture, predict, *, window=1, seed=0,
                    draws_per_prediction=0, cbow_mean=True):
    """No subsampling: every position predicted from a window of reach 1 to ``window``.

    The reach of each position is drawn from the kernel's random stream (one draw per
    position, then ``draws_per_prediction`` noise draws per prediction), so the reduced
    window of the C tool is replayed exactly.
    """
    rng = Xorshift(seed_states(seed, 1)[0])
    input_vectors, output_vectors = (w.astype(np.float64) for w in start)
    total_loss, n_predictions = 0.0, 0
    for d in range(offsets.size - 1):
        doc = ids[offsets[d]:offsets[d + 1]]
        for i, word in enumerate(doc):
            reach = window - rng.next() % window
            contexts = [doc[j] for j in range(i - reach, i + reach + 1)
                        if 0 <= j < len(doc) and j != i]
            if architecture == w2v.SKIPGRAM:
                for context in contexts:
                    for _ in range(draws_per_prediction):
                        rng.next()
                    error, output_vectors, loss = predict(input_vectors[context],
                                                          output_vectors, word)
                    input_vectors[context] += error
                    total_loss += loss
                    n_predictions += 1
            elif contexts:
                for _ in range(draws_per_prediction):
                    rng.next()
                hidden = input_vectors[contexts].sum(axis=0)
                if cbow_mean:
                    hidden /= len(contexts)
                error, output_vectors, loss = predict(hidden, output_vectors, word)
                for context in contexts:
                    input_vectors[context] += error
                total_loss += loss
                n_predictions += 1
    return input_vectors, output_vectors, total_loss, n_predictions


TINY_IDS = np.array([0, 1, 2, 3, 0, 4, 1, 0, 2, 5, 3, 1, 0, 4, 2, 1, 3, 0], dtype=np.int32)
TINY_OFFSETS = np.array([0, 5, 5, 6, 13, 18], dtype=np.int64)  # with an empty document
TINY_COUNTS = np.array([5, 4, 3, 3, 2, 1])


@pytest.mark.parametrize("architecture", [w2v.SKIPGRAM, w2v.CBOW])
@pytest.mark.parametrize("cbow_mean", [0, 1])
@pytest.mark.parametrize("window", [1, 3])
def test_hierarchical_softmax_epoch_matches_reference(architecture, cbow_mean, window):
    lr = 0.05
    start, trained, loss, n_predictions, n_kept, huffman = run_kernel(
        TINY_IDS, TINY_OFFSETS, TINY_COUNTS, architecture, w2v.HIERARCHICAL_SOFTMAX,
        cbow_mean=cbow_mean, lr=lr, window=window)
    code_offsets, codes, points = huffman

    def predict(hidden, output_vectors, word):
        path = slice(code_offsets[word], code_offsets[word + 1])
        return reference_hierarchical_softmax(hidden, output_vectors, codes[path],
                                              points[path], lr)

    expected = reference_epoch(TINY_IDS, TINY_OFFSETS, start, architecture, predict,
                               window=window, cbow_mean=cbow_mean)
    np.testing.assert_allclose(trained[0], expected[0], atol=5e-3 * lr)
    np.testing.assert_allclose(trained[1], expected[1], atol=5e-3 * lr)
    assert n_predictions == expected[3] and n_kept == TINY_IDS.size
    assert abs(loss - expected[2]) < 1e-2 * n_predictions
    assert np.abs(trained[0] - start[0]).max() > 0.1 * lr


@pytest.mark.parametrize("architecture", [w2v.SKIPGRAM, w2v.CBOW])
@pytest.mark.parametrize("window", [1, 4])
def test_pairwise_negative_sampling_epoch_matches_reference(architecture, window):
    # CBOW, and skip-gram with shared_negatives=0: noise words drawn for every prediction.
    # All noise mass on word 5, so the negatives are known: three copies of word 5, or none
    # when word 5 itself is the positive word.
    lr, negative, noise_word = 0.05, 3, 5
    noise_counts = np.zeros(TINY_COUNTS.size, dtype=np.int64)
    noise_counts[noise_word] = 1
    start, trained, loss, n_predictions, _, _ = run_kernel(
        TINY_IDS, TINY_OFFSETS, TINY_COUNTS, architecture, w2v.NEGATIVE_SAMPLING,
        negative=negative, noise_counts=noise_counts, lr=lr, window=window, shared_negatives=0)

    def predict(hidden, output_vectors, word):
        targets = [word] + ([] if word == noise_word else [noise_word] * negative)
        return reference_negative_sampling(hidden, output_vectors, targets, lr)

    expected = reference_epoch(TINY_IDS, TINY_OFFSETS, start, architecture, predict,
                               window=window, draws_per_prediction=negative)
    np.testing.assert_allclose(trained[0], expected[0], atol=5e-3 * lr)
    np.testing.assert_allclose(trained[1], expected[1], atol=5e-3 * lr)
    assert n_predictions == expected[3]
    assert abs(loss - expected[2]) < 1e-2 * n_predictions
    assert np.abs(trained[0] - start[0]).max() > 0.1 * lr


def reference_shared_negatives_window(input_vectors, output_vectors, contexts, targets, lr,
                                      input_rates):
    """Every context predicts every target from the weights before the window; the summed
    steps are applied at the end (float64)."""
    inputs = input_vectors[contexts]
    outputs = output_vectors[targets]
    scores = inputs @ outputs.T
    labels = np.zeros(len(targets))
    labels[0] = 1.0
    gradient = (labels - sigmoid(scores)) * lr
    loss = -(log_sigmoid(scores[:, 0]).sum() + log_sigmoid(-scores[:, 1:]).sum())
    np.add.at(input_vectors, contexts, input_rates[contexts, None] * (gradient @ outputs))
    np.add.at(output_vectors, targets, gradient.T @ inputs)
    return loss


def reference_skipgram_shared_negatives_epoch(ids, offsets, start, window, negative,
                                              noise_table, state, lr, input_rates):
    """The skip-gram negative-sampling epoch, drawing the reduced window and the noise words
    from the kernel's random stream (no subsampling, documents shorter than a piece)."""
    input_vectors, output_vectors = (w.astype(np.float64) for w in start)
    total_loss, n_predictions = 0.0, 0
    for d in range(offsets.size - 1):
        doc = ids[offsets[d]:offsets[d + 1]]
        for i, word in enumerate(doc):
            state = np.uint64(xorshift_next(np.uint64(state)))
            reach = window - bounded_int(state, window)
            contexts = [doc[j] for j in range(max(0, i - reach), min(len(doc), i + reach + 1))
                        if j != i]
            if not contexts:
                continue
            targets = [word]
            for _ in range(negative):
                state, noise = w2v._draw_noise(noise_table, np.uint64(state))
                if noise != word:
                    targets.append(noise)
            total_loss += reference_shared_negatives_window(
                input_vectors, output_vectors, np.array(contexts), np.array(targets), lr,
                input_rates)
            n_predictions += len(contexts)
    return input_vectors, output_vectors, total_loss, n_predictions


@pytest.mark.parametrize("window", [1, 3])
def test_skipgram_negative_sampling_epoch_matches_reference(window):
    lr, negative, seed = 0.05, 3, 11
    rng = np.random.default_rng(seed)
    input_rates = np.ones(TINY_COUNTS.size, dtype=np.float32)
    input_rates[2] = 0.0  # a frozen input vector
    start = (random_weights(rng, TINY_COUNTS.size, 8),
             random_weights(rng, TINY_COUNTS.size, 8, scale=0.3))
    weights = w2v.Weights(start[0].copy(), start[1].copy(), input_rates)
    noise_table = w2v.build_noise_table(TINY_COUNTS, 0.75)
    code_offsets, codes, points = w2v.build_huffman_tree(TINY_COUNTS)
    tables = w2v.Tables(w2v.keep_probabilities(TINY_COUNTS, 0.0), noise_table, code_offsets,
                        codes, points)
    config = w2v.Config(*(np.int64(v) for v in (w2v.SKIPGRAM, w2v.NEGATIVE_SAMPLING, window,
                                                negative, 1, 1)))
    states = seed_states(seed, 1)
    expected = reference_skipgram_shared_negatives_epoch(
        TINY_IDS, TINY_OFFSETS, start, window, negative, noise_table, states[0], lr,
        input_rates)
    losses, n_predictions, n_kept = np.zeros(1), np.zeros(1, np.int64), np.zeros(1, np.int64)
    w2v.train_units_serial(w2v.Documents(TINY_IDS, TINY_OFFSETS), weights, tables, config,
                           np.array([0, TINY_IDS.size], dtype=np.int64),
                           np.full(1, lr, dtype=np.float32), states, losses, n_predictions,
                           n_kept)
    np.testing.assert_allclose(weights[0], expected[0], atol=5e-3 * lr)
    np.testing.assert_allclose(weights[1], expected[1], atol=5e-3 * lr)
    assert n_predictions[0] == expected[3]
    assert abs(losses[0] - expected[2]) < 1e-2 * n_predictions[0]
    assert np.array_equal(weights[0][2], start[0][2])
    assert np.abs(weights[0] - start[0]).max() > 0.1 * lr


def test_long_documents_are_cut_into_pieces_not_truncated():
    n_tokens = 2 * w2v.MAX_PIECE_LENGTH + 5000
    rng = np.random.default_rng(3)
    counts = np.full(50, 10)
    ids = rng.integers(0, counts.size, n_tokens).astype(np.int32)
    offsets = np.array([0, n_tokens], dtype=np.int64)
    _, _, _, n_predictions, n_kept, _ = run_kernel(ids, offsets, counts, w2v.SKIPGRAM,
                                                   w2v.NEGATIVE_SAMPLING)
    assert n_kept == n_tokens
    # Window 1: a piece of length L gives 2 (L - 1) skip-gram pairs; three pieces.
    pieces = [w2v.MAX_PIECE_LENGTH, w2v.MAX_PIECE_LENGTH, 5000]
    assert n_predictions == sum(2 * (length - 1) for length in pieces)


def test_subsampling_drops_frequent_words_at_the_expected_rate():
    rng = np.random.default_rng(4)
    counts = np.array([20_000, 1_000, 1_000, 500])
    ids = rng.choice(4, size=counts.sum(), p=counts / counts.sum()).astype(np.int32)
    offsets = np.arange(0, ids.size + 1, 100, dtype=np.int64)
    offsets[-1] = ids.size
    keep = w2v.keep_probabilities(counts, 1e-2)
    _, _, _, _, n_kept, _ = run_kernel(ids, offsets, counts, w2v.CBOW,
                                       w2v.NEGATIVE_SAMPLING, sample=1e-2)
    expected = (keep[ids]).sum()
    assert abs(n_kept - expected) < 4 * np.sqrt(expected)
    assert n_kept < 0.5 * ids.size


@pytest.mark.parametrize("objective", [w2v.NEGATIVE_SAMPLING, w2v.HIERARCHICAL_SOFTMAX])
def test_serial_kernel_is_reproducible_and_parallel_kernel_trains(objective):
    rng = np.random.default_rng(5)
    counts = np.arange(40, 0, -1)
    ids = rng.integers(0, counts.size, 3000).astype(np.int32)
    offsets = np.arange(0, 3001, 30, dtype=np.int64)
    bounds = w2v.split_work_units(offsets, 200)
    kwargs = dict(window=4, negative=5, sample=1e-2, unit_bounds=bounds)
    first = run_kernel(ids, offsets, counts, w2v.SKIPGRAM, objective, **kwargs)
    second = run_kernel(ids, offsets, counts, w2v.SKIPGRAM, objective, **kwargs)
    assert np.array_equal(first[1][0], second[1][0])
    assert np.array_equal(first[1][1], second[1][1]) and first[2] == second[2]
    other_seed = run_kernel(ids, offsets, counts, w2v.SKIPGRAM, objective, seed=9, **kwargs)
    assert not np.array_equal(first[1][0], other_seed[1][0])
    parallel = run_kernel(ids, offsets, counts, w2v.SKIPGRAM, objective, parallel=True,
                          **kwargs)
    assert np.isfinite(parallel[1][0]).all()
    assert abs(parallel[2] / parallel[3] - first[2] / first[3]) < 0.05 * first[2] / first[3]
