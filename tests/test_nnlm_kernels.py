"""The NNLM kernels against a slow numpy reference, and a finite-difference gradient check."""

import numpy as np
import pytest

from skembed._kernels._nnlm import (
    OUTPUT_CLASSES,
    OUTPUT_HUFFMAN,
    class_tables,
    huffman_tables,
    score_units_parallel,
    score_units_serial,
    sgd_step,
    token_log_prob,
    train_units_parallel,
    train_units_serial,
)

N_WORDS, DIM, HIDDEN = 7, 3, 4
COUNTS = np.array([30, 20, 12, 9, 5, 3, 2], dtype=np.int64)


def make_model(output_layer, direct, n_context=2, seed=0):
    rng = np.random.default_rng(seed)
    if output_layer == OUTPUT_HUFFMAN:
        tables, n_rows = huffman_tables(COUNTS)
    else:
        tables, n_rows = class_tables(COUNTS, 3)
    n_inputs = n_context * DIM
    width = HIDDEN + n_inputs if direct else HIDDEN

    def uniform(*shape):
        return rng.uniform(-0.6, 0.6, size=shape).astype(np.float32)

    weights = (uniform(N_WORDS + 1, DIM), uniform(HIDDEN, n_inputs), uniform(HIDDEN),
               uniform(n_rows, width), uniform(n_rows))
    config = (np.int64(n_context), np.int64(output_layer), np.int64(direct))
    return weights, tables, config


def buffers_for(weights, config):
    size = weights[1].shape[0] + weights[1].shape[1]
    return (np.zeros(size, np.float32), np.zeros(size, np.float32),
            np.zeros(int(config[0]), np.int32), np.zeros(N_WORDS, np.float64))


# ------------------------------------------------------------------------------ reference


def reference_context(ids, document_start, position, n_context):
    boundary = N_WORDS
    return [ids[p] if p >= document_start else boundary
            for p in range(position - n_context, position)]


def reference_output_groups(tables, config, word):
    """The output rows a prediction touches, as (rows, target index or Huffman codes)."""
    code_offsets, codes, points, word_class, members, class_bounds, _ = tables
    if config[1] == OUTPUT_HUFFMAN:
        path = slice(code_offsets[word], code_offsets[word + 1])
        return [("tree", points[path].astype(int), codes[path].astype(float))]
    c = word_class[word]
    class_rows = N_WORDS + np.arange(len(class_bounds) - 1)
    word_rows = members[class_bounds[c]:class_bounds[c + 1]].astype(int)
    return [("softmax", class_rows, list(class_rows).index(N_WORDS + c)),
            ("softmax", word_rows, list(word_rows).index(word))]


def reference_forward(weights, config, context):
    embeddings, hidden_weights, hidden_bias, _, _ = (w.astype(np.float64) for w in weights)
    x = embeddings[context].ravel()
    a = np.tanh(hidden_bias + hidden_weights @ x)
    z = np.concatenate([a, x]) if config[2] else a
    return x, a, z


def reference_log_prob(weights, tables, config, ids, document_start, position):
    context = reference_context(ids, document_start, position, int(config[0]))
    _, _, z = reference_forward(weights, config, context)
    output_weights = weights[3].astype(np.float64)
    output_bias = weights[4].astype(np.float64)
    total = 0.0
    for kind, rows, target in reference_output_groups(tables, config, ids[position]):
        scores = output_weights[rows] @ z + output_bias[rows]
        if kind == "tree":
            signs = 1.0 - 2.0 * target
            total += np.sum(-np.log1p(np.exp(-signs * scores)))
        else:
            total += scores[target] - np.log(np.sum(np.exp(scores)))
    return total


def reference_step(weights, tables, config, ids, document_start, position, lr, decay_rate):
    """One SGD step on log P + L2, written out with dense numpy algebra."""
    new = [w.astype(np.float64).copy() for w in weights]
    embeddings, hidden_weights, hidden_bias, output_weights, output_bias = new
    context = reference_context(ids, document_start, position, int(config[0]))
    x, a, z = reference_forward(weights, config, context)
    decay = 1.0 - lr * decay_rate
    z_grad = np.zeros_like(z)
    for kind, rows, target in reference_output_groups(tables, config, ids[position]):
        scores = output_weights[rows] @ z + output_bias[rows]
        if kind == "tree":
            grad = (1.0 - target) - 1.0 / (1.0 + np.exp(-scores))
        else:
            grad = -np.exp(scores - np.log(np.sum(np.exp(scores))))
            grad[target] += 1.0
        z_grad += grad @ output_weights[rows]
        output_weights[rows] = output_weights[rows] * decay + lr * np.outer(grad, z)
        output_bias[rows] += lr * grad
    n_hidden = a.shape[0]
    pre_grad = z_grad[:n_hidden] * (1.0 - a * a)
    x_grad = hidden_weights.T @ pre_grad
    if config[2]:
        x_grad += z_grad[n_hidden:]
    hidden_weights[:] = hidden_weights * decay + lr * np.outer(pre_grad, x)
    hidden_bias += lr * pre_grad
    for j, word in enumerate(context):  # one decayed step per context slot, in order
        embeddings[word] = embeddings[word] * decay + lr * x_grad[j * DIM:(j + 1) * DIM]
    return new


LAYOUTS = [
    pytest.param(OUTPUT_CLASSES, 1, id="classes-direct"),
    pytest.param(OUTPUT_CLASSES, 0, id="classes"),
    pytest.param(OUTPUT_HUFFMAN, 1, id="huffman-direct"),
    pytest.param(OUTPUT_HUFFMAN, 0, id="huffman"),
]
IDS = np.array([3, 0, 5, 1, 6, 2, 0, 4, 1], dtype=np.int32)
OFFSETS = np.array([0, 4, 4, 9], dtype=np.int64)  # documents of 4, 0 and 5 tokens


@pytest.mark.parametrize("output_layer, direct", LAYOUTS)
def test_log_prob_matches_reference(output_layer, direct):
    weights, tables, config = make_model(output_layer, direct)
    buffers = buffers_for(weights, config)
    for position, start in [(0, 0), (1, 0), (3, 0), (4, 4), (8, 4)]:
        got = token_log_prob(weights, tables, config, IDS, start, position, buffers)
        expected = reference_log_prob(weights, tables, config, IDS, start, position)
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("output_layer, direct", LAYOUTS)
def test_probabilities_are_normalised(output_layer, direct):
    weights, tables, config = make_model(output_layer, direct, seed=3)
    buffers = buffers_for(weights, config)
    total = 0.0
    for word in range(N_WORDS):
        ids = np.array([2, 5, word], dtype=np.int32)
        total += np.exp(token_log_prob(weights, tables, config, ids, 0, 2, buffers))
    assert total == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("output_layer, direct", LAYOUTS)
@pytest.mark.parametrize("position, start", [(2, 0), (0, 0), (7, 4)])
def test_sgd_step_matches_reference(output_layer, direct, position, start):
    weights, tables, config = make_model(output_layer, direct, seed=1)
    expected = reference_step(weights, tables, config, IDS, start, position, 0.3, 0.05)
    log_prob = sgd_step(weights, tables, config, IDS, start, position, 0.3, 0.05,
                        buffers_for(weights, config))
    assert log_prob == pytest.approx(
        reference_log_prob(make_model(output_layer, direct, seed=1)[0], tables, config, IDS,
                           start, position), rel=1e-5)
    for got, want in zip(weights, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("output_layer, direct", LAYOUTS)
def test_gradient_matches_finite_differences(output_layer, direct):
    # With weight decay 0 the step is learning_rate * gradient of log P at the old weights.
    weights, tables, config = make_model(output_layer, direct, seed=2)
    before = [w.copy() for w in weights]
    position, start = 6, 4
    sgd_step(weights, tables, config, IDS, start, position, 1.0, 0.0,
             buffers_for(weights, config))
    step = [after.astype(np.float64) - old for after, old in zip(weights, before)]
    eps = 1e-4
    checked = 0
    for array_index, array in enumerate(before):
        for flat in range(array.size):
            plus = [w.astype(np.float64) for w in before]
            minus = [w.astype(np.float64) for w in before]
            plus[array_index].flat[flat] += eps
            minus[array_index].flat[flat] -= eps
            numeric = (reference_log_prob(plus, tables, config, IDS, start, position)
                       - reference_log_prob(minus, tables, config, IDS, start, position))
            numeric /= 2 * eps
            assert step[array_index].flat[flat] == pytest.approx(numeric, abs=2e-4), (
                array_index, flat)
            checked += abs(numeric) > 1e-3
    assert checked > 20  # the check covered real gradients, not only zeros


@pytest.mark.parametrize("output_layer, direct", LAYOUTS)
def test_training_units_match_a_loop_of_reference_steps(output_layer, direct):
    weights, tables, config = make_model(output_layer, direct, seed=4)
    expected = [w.astype(np.float64) for w in weights]
    unit_bounds = np.array([0, 6, 9], dtype=np.int64)  # the second unit starts mid-document
    order = np.array([1, 0], dtype=np.int64)
    rates = np.array([0.2, 0.1], dtype=np.float32)
    expected_log_probs = np.zeros(2)
    for i, u in enumerate(order):
        for position in range(unit_bounds[u], unit_bounds[u + 1]):
            start = OFFSETS[np.searchsorted(OFFSETS, position, side="right") - 1]
            expected_log_probs[i] += reference_log_prob(expected, tables, config, IDS, start,
                                                        position)
            expected = reference_step(expected, tables, config, IDS, start, position,
                                      float(rates[i]), 1e-2)
    log_probs = np.zeros(2)
    train_units_serial((IDS, OFFSETS), weights, tables, config, unit_bounds, order, rates,
                       1e-2, log_probs)
    np.testing.assert_allclose(log_probs, expected_log_probs, rtol=1e-4)
    for got, want in zip(weights, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5)


def test_parallel_drivers_match_serial_on_one_unit():
    weights, tables, config = make_model(OUTPUT_CLASSES, 1, seed=5)
    copy = tuple(w.copy() for w in weights)
    bounds = np.array([0, 9], dtype=np.int64)
    args = (np.array([0], dtype=np.int64), np.array([0.1], dtype=np.float32), 1e-3)
    serial, parallel = np.zeros(1), np.zeros(1)
    train_units_serial((IDS, OFFSETS), weights, tables, config, bounds, *args, serial)
    train_units_parallel((IDS, OFFSETS), copy, tables, config, bounds, *args, parallel)
    np.testing.assert_allclose(parallel, serial, rtol=1e-6)
    for a, b in zip(weights, copy):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    per_token = np.arange(10, dtype=np.int64)[:10]
    bounds = np.array([0, 3, 9], dtype=np.int64)
    first, second = np.zeros(2), np.zeros(2)
    score_units_serial((IDS, OFFSETS), weights, tables, config, bounds, first)
    score_units_parallel((IDS, OFFSETS), weights, tables, config, bounds, second)
    np.testing.assert_allclose(first, second, rtol=1e-6)
    tokens = np.zeros(9)
    score_units_serial((IDS, OFFSETS), weights, tables, config, per_token, tokens)
    assert tokens.sum() == pytest.approx(first.sum(), rel=1e-5)


def test_class_tables_cover_every_word_once():
    tables, n_rows = class_tables(np.array([50, 40, 9, 8, 3, 2, 1, 1, 1, 1]), 3)
    word_class, members, bounds = tables[3], tables[4], tables[5]
    assert sorted(members.tolist()) == list(range(10))
    assert n_rows == 10 + len(bounds) - 1
    for c in range(len(bounds) - 1):
        assert all(word_class[w] == c for w in members[bounds[c]:bounds[c + 1]])
    # Frequent words sit in smaller classes than rare ones.
    assert bounds[1] - bounds[0] < bounds[-1] - bounds[-2]
