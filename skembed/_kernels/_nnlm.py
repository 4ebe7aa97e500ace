"""Neural probabilistic language model kernels (Bengio et al. 2003): training and scoring.

The network predicts each token from the ``n_context`` tokens before it. The context ids
index the rows of the embedding matrix ``C``; their concatenation ``x`` goes through one tanh
layer, ``a = tanh(d + H x)``, and the output layer scores the next word from ``z = [a, x]``
(the direct connections, ``W x`` in the paper) or from ``z = a`` alone. A context that reaches
back past the start of its document is padded with a boundary symbol, the last row of ``C``.

The output layer is a hierarchical softmax, so that a prediction costs far less than the
``O(n_words)`` of a full softmax while every probability stays exact and normalised:

* ``OUTPUT_CLASSES``: a two-level softmax over word classes,
  ``P(w | h) = P(class(w) | h) P(w | class(w), h)``; with about ``sqrt(n_words)`` classes a
  prediction costs ``O(sqrt(n_words))`` output rows.
* ``OUTPUT_HUFFMAN``: binary decisions along the word's Huffman path (Morin and Bengio 2005;
  the tree of :func:`skembed._kernels._word2vec.build_huffman_tree`), ``O(log n_words)`` rows.

Both share one layout: an output matrix ``O`` of shape ``(n_output_rows, width)`` and biases
``o_bias``, one row per output unit (classes then words, or inner nodes of the tree), where
``width`` is ``n_hidden + n_context * dim`` with direct connections and ``n_hidden`` without.

Training is plain SGD on the log-likelihood with weight decay, the decay applied to the rows
that an update touches (and to ``H``, touched by every update); biases are not decayed. The
token stream is cut into work units; the serial driver runs them in order (reproducible bit
for bit), the parallel driver runs them in ``prange`` and updates the shared weights without
locks (Hogwild). The scoring kernels compute exact log-probabilities and change nothing.
"""

import numba
import numpy as np

OUTPUT_CLASSES = 0
OUTPUT_HUFFMAN = 1


# ---------------------------------------------------------------------------------------------
# Forward and backward pieces of one prediction
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _gather_context(ids, document_start, position, n_context, boundary, embeddings, context,
                    z, n_hidden):
    # Context word j (j = 0 is the farthest) goes to z[n_hidden + j * dim : ...].
    dim = embeddings.shape[1]
    for j in range(n_context):
        source = position - n_context + j
        word = ids[source] if source >= document_start else boundary
        context[j] = word
        base = n_hidden + j * dim
        for k in range(dim):
            z[base + k] = embeddings[word, k]


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _hidden_forward(hidden_weights, hidden_bias, z, n_hidden):
    # z[:n_hidden] = tanh(hidden_bias + hidden_weights @ z[n_hidden:]).
    n_inputs = hidden_weights.shape[1]
    for i in range(n_hidden):
        total = hidden_bias[i]
        for k in range(n_inputs):
            total += hidden_weights[i, k] * z[n_hidden + k]
        z[i] = np.tanh(total)


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _log_sigmoid(f):
    if f >= 0.0:
        return -np.log1p(np.exp(-f))
    return f - np.log1p(np.exp(f))


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _row_dot(output_weights, row, z, width):
    total = np.float32(0.0)
    for k in range(width):
        total += output_weights[row, k] * z[k]
    return total


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _row_step(output_weights, output_bias, row, z, z_error, width, g, decay):
    # Accumulate the step for z with the row's old values, then update the row.
    for k in range(width):
        weight = output_weights[row, k]
        z_error[k] += g * weight
        output_weights[row, k] = weight * decay + g * z[k]
    output_bias[row] += g


@numba.njit(cache=True, nogil=True, fastmath=True)
def _huffman_output(z, width, output_weights, output_bias, codes, points, start, end,
                    learning_rate, decay, z_error, train):
    # log P(word | z) along the path codes/points[start:end]; code 0 means sigmoid(f).
    log_prob = 0.0
    for p in range(start, end):
        node = points[p]
        f = np.float64(_row_dot(output_weights, node, z, width) + output_bias[node])
        sign = 1.0 - 2.0 * codes[p]
        log_prob += _log_sigmoid(sign * f)
        if train:
            # d log sigmoid(s f) / df = s (1 - sigmoid(s f)) = (1 - code) - sigmoid(f)
            g = np.float32(learning_rate * ((1.0 - codes[p]) - 1.0 / (1.0 + np.exp(-f))))
            _row_step(output_weights, output_bias, node, z, z_error, width, g, decay)
    return log_prob


@numba.njit(cache=True, nogil=True, fastmath=True)
def _softmax_group(z, width, output_weights, output_bias, rows, first, last, row_offset,
                   target, learning_rate, decay, z_error, scores, train):
    # Softmax over output rows row_offset + rows[first:last]; returns log P(target row).
    n = last - first
    best = -np.inf
    target_score = 0.0
    for i in range(n):
        row = row_offset + rows[first + i]
        s = np.float64(_row_dot(output_weights, row, z, width) + output_bias[row])
        scores[i] = s
        if s > best:
            best = s
        if row == target:
            target_score = s
    total = 0.0
    for i in range(n):
        total += np.exp(scores[i] - best)
    log_norm = best + np.log(total)
    if train:
        for i in range(n):
            row = row_offset + rows[first + i]
            indicator = 1.0 if row == target else 0.0
            g = np.float32(learning_rate * (indicator - np.exp(scores[i] - log_norm)))
            _row_step(output_weights, output_bias, row, z, z_error, width, g, decay)
    return target_score - log_norm


@numba.njit(cache=True, nogil=True, fastmath=True)
def _class_output(z, width, output_weights, output_bias, word, word_class, class_members,
                  class_bounds, all_classes, learning_rate, decay, z_error, scores, train):
    # Rows 0 .. n_words - 1 are words, rows n_words .. n_words + n_classes - 1 are classes.
    n_words = word_class.shape[0]
    n_classes = class_bounds.shape[0] - 1
    c = word_class[word]
    log_prob = _softmax_group(z, width, output_weights, output_bias, all_classes, 0,
                              n_classes, n_words, n_words + c, learning_rate, decay, z_error,
                              scores, train)
    log_prob += _softmax_group(z, width, output_weights, output_bias, class_members,
                               class_bounds[c], class_bounds[c + 1], 0, word, learning_rate,
                               decay, z_error, scores, train)
    return log_prob


@numba.njit(cache=True, nogil=True, fastmath=True)
def _output_log_prob(z, width, output_weights, output_bias, word, tables, config,
                     learning_rate, decay, z_error, scores, train):
    code_offsets, codes, points, word_class, class_members, class_bounds, all_classes = tables
    if config[1] == OUTPUT_HUFFMAN:
        return _huffman_output(z, width, output_weights, output_bias, codes, points,
                               code_offsets[word], code_offsets[word + 1], learning_rate,
                               decay, z_error, train)
    return _class_output(z, width, output_weights, output_bias, word, word_class,
                         class_members, class_bounds, all_classes, learning_rate, decay,
                         z_error, scores, train)


@numba.njit(cache=True, nogil=True, fastmath=True)
def _backward(weights, z, z_error, context, n_hidden, direct, learning_rate, weight_decay):
    # z_error holds the step (learning rate times the gradient of the log-likelihood) for z.
    embeddings, hidden_weights, hidden_bias = weights[0], weights[1], weights[2]
    n_inputs = hidden_weights.shape[1]
    dim = embeddings.shape[1]
    decay = np.float32(1.0 - learning_rate * weight_decay)
    # x_error starts from the direct connections' share (nothing without them).
    x_error = z_error[n_hidden:]
    if not direct:
        for k in range(n_inputs):
            x_error[k] = 0.0
    for i in range(n_hidden):
        a = z[i]
        pre_error = z_error[i] * (np.float32(1.0) - a * a)
        hidden_bias[i] += pre_error
        for k in range(n_inputs):
            weight = hidden_weights[i, k]
            x_error[k] += pre_error * weight
            hidden_weights[i, k] = weight * decay + pre_error * z[n_hidden + k]
    for j in range(context.shape[0]):
        word = context[j]
        base = j * dim
        for k in range(dim):
            embeddings[word, k] = embeddings[word, k] * decay + x_error[base + k]


@numba.njit(cache=True, nogil=True, fastmath=True)
def sgd_step(weights, tables, config, ids, document_start, position, learning_rate,
             weight_decay, buffers):
    """Predict ``ids[position]`` from the tokens before it and take one SGD step.

    Parameters
    ----------
    weights : tuple (embeddings, hidden_weights, hidden_bias, output_weights, output_bias)
        float32 arrays updated in place: ``embeddings`` (n_words + 1, dim) whose last row is
        the boundary symbol; ``hidden_weights`` (n_hidden, n_context * dim); ``hidden_bias``
        (n_hidden,); ``output_weights`` (n_output_rows, width); ``output_bias``
        (n_output_rows,).
    tables : tuple (code_offsets, codes, points, word_class, class_members, class_bounds, \
all_classes)
        The output layer's structure, from :func:`huffman_tables` or :func:`class_tables`
        (the other one's arrays may be empty).
    config : tuple of 3 int64
        ``(n_context, output_layer, direct)``: context length, :data:`OUTPUT_CLASSES` or
        :data:`OUTPUT_HUFFMAN`, and 1 for direct connections (``width = n_hidden +
        n_context * dim``) or 0 (``width = n_hidden``).
    ids : ndarray of shape (n_tokens,), dtype int32
        Token ids.
    document_start : int
        First position of the document that holds ``position``; context before it is the
        boundary symbol.
    position : int
        Position of the predicted token.
    learning_rate, weight_decay : float
        Step size and L2 penalty.
    buffers : tuple (z, z_error, context, scores)
        Scratch arrays: float32 (n_hidden + n_context * dim,) twice, int32 (n_context,) and
        float64 (largest softmax group,).

    Returns
    -------
    float
        ``log P(ids[position] | context)`` (natural log) before the step.
    """
    embeddings, hidden_weights, hidden_bias, output_weights, output_bias = weights
    z, z_error, context, scores = buffers
    n_context, direct = config[0], config[2]
    n_hidden = hidden_weights.shape[0]
    width = output_weights.shape[1]
    boundary = embeddings.shape[0] - 1
    _gather_context(ids, document_start, position, n_context, boundary, embeddings, context,
                    z, n_hidden)
    _hidden_forward(hidden_weights, hidden_bias, z, n_hidden)
    for k in range(z_error.shape[0]):
        z_error[k] = 0.0
    decay = np.float32(1.0 - learning_rate * weight_decay)
    log_prob = _output_log_prob(z, width, output_weights, output_bias, ids[position], tables,
                                config, learning_rate, decay, z_error, scores, True)
    _backward(weights, z, z_error, context, n_hidden, direct, learning_rate, weight_decay)
    return log_prob


@numba.njit(cache=True, nogil=True, fastmath=True)
def token_log_prob(weights, tables, config, ids, document_start, position, buffers):
    """``log P(ids[position] | context)`` without changing anything.

    Same arguments as :func:`sgd_step`, without the learning rate and weight decay.
    """
    embeddings, hidden_weights, hidden_bias, output_weights, output_bias = weights
    z, z_error, context, scores = buffers
    n_hidden = hidden_weights.shape[0]
    boundary = embeddings.shape[0] - 1
    _gather_context(ids, document_start, position, config[0], boundary, embeddings, context,
                    z, n_hidden)
    _hidden_forward(hidden_weights, hidden_bias, z, n_hidden)
    return _output_log_prob(z, output_weights.shape[1], output_weights, output_bias,
                            ids[position], tables, config, 0.0, np.float32(1.0), z_error,
                            scores, False)


# ---------------------------------------------------------------------------------------------
# Work units
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _make_buffers(weights, tables, config):
    n_hidden = weights[1].shape[0]
    n_inputs = weights[1].shape[1]
    class_bounds = tables[5]
    largest = 1
    for c in range(class_bounds.shape[0] - 1):
        largest = max(largest, class_bounds[c + 1] - class_bounds[c])
    largest = max(largest, class_bounds.shape[0] - 1)
    return (np.zeros(n_hidden + n_inputs, dtype=np.float32),
            np.zeros(n_hidden + n_inputs, dtype=np.float32),
            np.zeros(config[0], dtype=np.int32),
            np.zeros(largest, dtype=np.float64))


@numba.njit(cache=True, nogil=True, fastmath=True)
def _run_unit(corpus, weights, tables, config, start, end, learning_rate, weight_decay,
              train):
    ids, offsets = corpus
    buffers = _make_buffers(weights, tables, config)
    document = np.searchsorted(offsets, start, side="right") - 1
    total = 0.0
    for position in range(start, end):
        while offsets[document + 1] <= position:
            document += 1
        if train:
            total += sgd_step(weights, tables, config, ids, offsets[document], position,
                              learning_rate, weight_decay, buffers)
        else:
            total += token_log_prob(weights, tables, config, ids, offsets[document], position,
                                    buffers)
    return total


@numba.njit(cache=True, nogil=True, fastmath=True)
def train_units_serial(corpus, weights, tables, config, unit_bounds, order, learning_rates,
                       weight_decay, log_probs):
    """Train work units one after the other (reproducible bit for bit).

    Parameters
    ----------
    corpus : tuple (ids, offsets)
        ``ids`` int32 (n_tokens,) token ids; ``offsets`` int64 (n_documents + 1,): document
        ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    weights, tables, config
        As in :func:`sgd_step`.
    unit_bounds : ndarray of shape (n_all_units + 1,), dtype int64
        Unit ``u`` covers positions ``unit_bounds[u]:unit_bounds[u + 1]``.
    order : ndarray of shape (n_units,), dtype int64
        The units to train, in this order.
    learning_rates : ndarray of shape (n_units,), dtype float32
        Learning rate of each of them.
    weight_decay : float
        L2 penalty.
    log_probs : ndarray of shape (n_units,), dtype float64
        Output: summed log-probability of each unit's tokens before their steps.
    """
    for i in range(order.shape[0]):
        u = order[i]
        log_probs[i] = _run_unit(corpus, weights, tables, config, unit_bounds[u],
                                 unit_bounds[u + 1], learning_rates[i], weight_decay, True)


@numba.njit(cache=True, nogil=True, fastmath=True, parallel=True)
def train_units_parallel(corpus, weights, tables, config, unit_bounds, order, learning_rates,
                         weight_decay, log_probs):
    """Train work units on all numba threads, lock-free (Hogwild).

    Same arguments as :func:`train_units_serial`; results are statistically equivalent to
    the serial run, not identical.
    """
    for i in numba.prange(order.shape[0]):
        u = order[i]
        log_probs[i] = _run_unit(corpus, weights, tables, config, unit_bounds[u],
                                 unit_bounds[u + 1], learning_rates[i], weight_decay, True)


@numba.njit(cache=True, nogil=True, fastmath=True)
def score_units_serial(corpus, weights, tables, config, unit_bounds, log_probs):
    """Summed log-probability of every unit's tokens, serially.

    Parameters
    ----------
    corpus, weights, tables, config, unit_bounds
        As in :func:`train_units_serial` (nothing is changed).
    log_probs : ndarray of shape (n_units,), dtype float64
        Output.
    """
    for u in range(log_probs.shape[0]):
        log_probs[u] = _run_unit(corpus, weights, tables, config, unit_bounds[u],
                                 unit_bounds[u + 1], 0.0, 0.0, False)


@numba.njit(cache=True, nogil=True, fastmath=True, parallel=True)
def score_units_parallel(corpus, weights, tables, config, unit_bounds, log_probs):
    """Summed log-probability of every unit's tokens, on all numba threads.

    Same arguments as :func:`score_units_serial`.
    """
    for u in numba.prange(log_probs.shape[0]):
        log_probs[u] = _run_unit(corpus, weights, tables, config, unit_bounds[u],
                                 unit_bounds[u + 1], 0.0, 0.0, False)


# ---------------------------------------------------------------------------------------------
# Output-layer tables
# ---------------------------------------------------------------------------------------------


def _empty_tables(n_words):
    return (np.zeros(n_words + 1, dtype=np.int64), np.empty(0, dtype=np.uint8),
            np.empty(0, dtype=np.int32), np.zeros(n_words, dtype=np.int32),
            np.arange(n_words, dtype=np.int32), np.array([0, n_words], dtype=np.int64),
            np.zeros(1, dtype=np.int32))


def huffman_tables(counts):
    """Output tables for the Huffman-tree hierarchical softmax.

    Parameters
    ----------
    counts : ndarray of shape (n_words,), dtype int64
        Counts of the predicted words (at least 1 each).

    Returns
    -------
    tables : tuple
        The ``tables`` argument of the kernels.
    n_output_rows : int
        ``n_words - 1`` inner nodes.
    """
    from skembed._kernels._word2vec import build_huffman_tree

    n_words = counts.shape[0]
    code_offsets, codes, points = build_huffman_tree(np.maximum(counts, 1))
    empty = _empty_tables(n_words)
    return (code_offsets, codes, points) + empty[3:], max(n_words - 1, 1)


def class_tables(counts, n_classes):
    """Output tables for the class-factored softmax, classes binned by ``sqrt(count)``.

    Words are sorted by decreasing count and cut into ``n_classes`` runs of about equal
    total ``sqrt(count)``, so frequent words share small classes and rare words large ones
    (Mikolov et al. 2011 bin by frequency; the square root balances the cost of the two
    softmaxes better).

    Parameters
    ----------
    counts : ndarray of shape (n_words,), dtype int64
        Counts of the predicted words.
    n_classes : int
        Number of classes (at most ``n_words``).

    Returns
    -------
    tables : tuple
        The ``tables`` argument of the kernels.
    n_output_rows : int
        ``n_words + n_classes``.

    Examples
    --------
    >>> import numpy as np
    >>> tables, n_rows = class_tables(np.array([9, 4, 1, 1]), 2)
    >>> tables[3].tolist(), tables[5].tolist(), n_rows
    ([0, 0, 1, 1], [0, 2, 4], 6)
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_words = counts.shape[0]
    n_classes = int(max(1, min(n_classes, n_words)))
    order = np.argsort(-counts, kind="stable").astype(np.int32)
    mass = np.cumsum(np.sqrt(np.maximum(counts[order], 1).astype(np.float64)))
    # Word at rank r goes to class floor(n_classes * (mass before r) / total).
    before = np.concatenate([[0.0], mass[:-1]]) / mass[-1]
    ranks_class = np.minimum((before * n_classes).astype(np.int64), n_classes - 1)
    # Renumber so that class ids are consecutive (a heavy word may skip a bin).
    _, ranks_class = np.unique(ranks_class, return_inverse=True)
    n_classes = int(ranks_class.max()) + 1
    word_class = np.empty(n_words, dtype=np.int32)
    word_class[order] = ranks_class
    class_bounds = np.zeros(n_classes + 1, dtype=np.int64)
    np.cumsum(np.bincount(ranks_class, minlength=n_classes), out=class_bounds[1:])
    empty = _empty_tables(n_words)
    tables = empty[:3] + (word_class, order, class_bounds,
                          np.arange(n_classes, dtype=np.int32))
    return tables, n_words + n_classes
