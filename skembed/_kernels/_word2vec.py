"""Word2vec training kernels: Huffman tree, noise and subsampling tables, epoch updates.

The tables (Huffman codes for hierarchical softmax, the alias table of the noise distribution
for negative sampling, the subsampling keep probabilities) are built once per fit from the
vocabulary counts. The epoch kernels then walk the flat array of token ids in work units of
about ten thousand tokens: each unit subsamples its documents afresh, cuts them into pieces
of at most :data:`MAX_PIECE_LENGTH` kept tokens (a longer document simply continues in the
next piece, nothing is dropped) and trains skip-gram or CBOW with negative sampling or
hierarchical softmax on every position, with the reduced window of the word2vec C tool. The
serial build is reproducible bit for bit; the parallel build runs the units in ``prange``
and updates the shared weight matrices without locks (Hogwild), as the C tool and gensim do.
"""

from collections import namedtuple

import numba
import numpy as np

from skembed._kernels._random import bounded_int, unit_float, xorshift_next

#: Longest run of kept tokens trained as one sentence; windows never cross a piece boundary.
#: gensim uses the same limit; the C tool uses 1000.
MAX_PIECE_LENGTH = 10000

# The sigmoid and log-sigmoid are read from tables over [-_BOUND, _BOUND), evaluated at the
# centre of each bin; outside that range the sigmoid is clipped to 0 or 1, as in the C tool.
_BOUND = 6.0
_TABLE_SIZE = 2048
_TABLE_SCALE = _TABLE_SIZE / (2.0 * _BOUND)


def _sigmoid_tables():
    x = (np.arange(_TABLE_SIZE) + 0.5) / _TABLE_SCALE - _BOUND
    sigmoid = 1.0 / (1.0 + np.exp(-x))
    log_sigmoid = -np.log1p(np.exp(-x))
    return sigmoid.astype(np.float32), log_sigmoid.astype(np.float32)


SIGMOID_TABLE, LOG_SIGMOID_TABLE = _sigmoid_tables()

SKIPGRAM = 0
CBOW = 1
NEGATIVE_SAMPLING = 0
HIERARCHICAL_SOFTMAX = 1

#: The training corpus: ``ids`` int32 (n_tokens,), the token ids of all documents, and
#: ``offsets`` int64 (n_documents + 1,): document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
Documents = namedtuple("Documents", ["ids", "offsets"])

#: The trained matrices: ``input_vectors`` float32 (n_rows, dim), n_rows = n_words unless
#: ``Tables.rows`` lists more; ``output_vectors`` float32,
#: (n_words, dim) for negative sampling or (n_words - 1, dim) for hierarchical softmax, both
#: updated in place; ``input_rates`` float32 (n_rows,) scales the updates of each input
#: vector (1 trains it, 0 freezes it, as for pretrained vectors with ``freeze=True``).
Weights = namedtuple("Weights", ["input_vectors", "output_vectors", "input_rates"])

#: Tables built once per fit: ``keep`` float32 (n_words,) from :func:`keep_probabilities`;
#: ``noise`` uint64 (n_words,) from :func:`build_noise_table`; ``code_offsets`` int64
#: (n_words + 1,), ``codes`` uint8 and ``points`` int32 from :func:`build_huffman_tree`
#: (empty arrays of those dtypes when unused). ``row_offsets`` int64 (n_words + 1,) and
#: ``rows`` int32 list the rows of ``input_vectors`` whose mean is the input vector of each
#: word, ``rows[row_offsets[w]:row_offsets[w + 1]]`` (fastText: the word's own row and its
#: n-gram buckets; ``input_vectors`` then has more rows than words); empty, the default,
#: means one row per word, row ``w`` for word ``w`` (word2vec).
Tables = namedtuple(
    "Tables",
    ["keep", "noise", "code_offsets", "codes", "points", "row_offsets", "rows"],
    defaults=(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)),
)

#: The model, as int64 scalars: ``architecture`` :data:`SKIPGRAM` or :data:`CBOW`,
#: ``objective`` :data:`NEGATIVE_SAMPLING` or :data:`HIERARCHICAL_SOFTMAX`, ``window`` >= 1,
#: ``negative`` >= 0, ``cbow_mean`` 0 or 1.
#: ``shared_negatives`` (0 by default) 1 makes skip-gram with negative sampling draw one set of
#: noise words per window (:func:`shared_negatives_window_update`); 0 draws them per pair.
Config = namedtuple("Config", ["architecture", "objective", "window", "negative", "cbow_mean",
                               "shared_negatives"], defaults=(np.int64(0),))

# Scratch arrays of one work unit: the CBOW (or subword) input, the gradient step for the
# input vectors, the target words of one negative-sampling prediction, and the summed step
# of a subword skip-gram position.
_Buffers = namedtuple("_Buffers", ["hidden", "hidden_error", "targets", "step_sum"])

# Scratch arrays of one work unit for skip-gram with shared negatives: the context words and
# the target words of one window, and the steps of their vectors.
_WindowScratch = namedtuple("_WindowScratch",
                            ["contexts", "targets", "input_error", "output_error"])

# Scratch arrays of one work unit for CBOW over subword rows: for each of the 2 * window + 1
# tokens around the current position, the sum of its word's rows and the step waiting for them.
_TokenRing = namedtuple("_TokenRing", ["sums", "steps"])


# ---------------------------------------------------------------------------------------------
# Tables built once per fit
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _huffman_parents(sorted_counts):
    # Two-pointer merge of the C tool: leaves sorted by decreasing count sit at 0..V-1, new
    # inner nodes are appended at V..2V-2 in increasing order of weight, so the two smallest
    # remaining nodes are always at one of the two pointers. O(V).
    n_words = sorted_counts.shape[0]
    weight = np.empty(2 * n_words - 1, dtype=np.int64)
    weight[:n_words] = sorted_counts
    parent = np.zeros(2 * n_words - 1, dtype=np.int64)
    branch = np.zeros(2 * n_words - 1, dtype=np.uint8)
    leaf = n_words - 1
    inner = n_words
    for node in range(n_words, 2 * n_words - 1):
        if leaf >= 0 and (inner >= node or weight[leaf] < weight[inner]):
            first = leaf
            leaf -= 1
        else:
            first = inner
            inner += 1
        if leaf >= 0 and (inner >= node or weight[leaf] < weight[inner]):
            second = leaf
            leaf -= 1
        else:
            second = inner
            inner += 1
        weight[node] = weight[first] + weight[second]
        parent[first] = node
        parent[second] = node
        branch[second] = 1
    return parent, branch


@numba.njit(cache=True, nogil=True)
def _huffman_paths(order, parent, branch):
    n_words = order.shape[0]
    root = 2 * n_words - 2
    # A parent always has a larger index than its children, so depths fill top-down.
    depth = np.zeros(2 * n_words - 1, dtype=np.int64)
    for node in range(root - 1, -1, -1):
        depth[node] = depth[parent[node]] + 1
    lengths = depth[:n_words]
    code_offsets = np.zeros(n_words + 1, dtype=np.int64)
    for rank in range(n_words):
        code_offsets[order[rank] + 1] = lengths[rank]
    code_offsets = np.cumsum(code_offsets)
    codes = np.empty(code_offsets[-1], dtype=np.uint8)
    points = np.empty(code_offsets[-1], dtype=np.int32)
    for rank in range(n_words):
        word = order[rank]
        # Walk leaf -> root, writing from the end so the stored path reads root -> leaf.
        position = code_offsets[word + 1] - 1
        node = rank
        while node != root:
            codes[position] = branch[node]
            points[position] = parent[node] - n_words
            position -= 1
            node = parent[node]
    return code_offsets, codes, points


def build_huffman_tree(counts):
    """Huffman-code every word by its count, as the word2vec C tool does.

    Parameters
    ----------
    counts : ndarray of shape (n_words,), dtype int64
        Positive word counts, in any order.

    Returns
    -------
    code_offsets : ndarray of shape (n_words + 1,), dtype int64
        Word ``w``'s path is stored at ``code_offsets[w]:code_offsets[w + 1]`` of ``codes`` and
        ``points``; its length is the code length.
    codes : ndarray of shape (code_offsets[-1],), dtype uint8
        The branch bits from the root down to the word.
    points : ndarray of shape (code_offsets[-1],), dtype int32
        The inner nodes on that path, root first, indexed ``0 .. n_words - 2`` (the root is
        ``n_words - 2``): the rows of the hierarchical-softmax output matrix.

    Examples
    --------
    >>> import numpy as np
    >>> code_offsets, codes, points = build_huffman_tree(np.array([5, 3, 2]))
    >>> np.diff(code_offsets).tolist()
    [1, 2, 2]
    """
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    n_words = counts.shape[0]
    if n_words < 2:
        return (np.zeros(n_words + 1, dtype=np.int64), np.empty(0, dtype=np.uint8),
                np.empty(0, dtype=np.int32))
    order = np.argsort(-counts, kind="stable")
    parent, branch = _huffman_parents(counts[order])
    return _huffman_paths(order, parent, branch)


@numba.njit(cache=True, nogil=True)
def _fill_alias_table(probabilities):
    # Vose's alias method. Entry i keeps i with probability threshold/2**32 and otherwise
    # gives alias[i]; both halves are packed in one uint64 so a draw costs one memory load.
    n = probabilities.shape[0]
    scaled = probabilities * n
    table = np.empty(n, dtype=np.uint64)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    n_small = 0
    n_large = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    full = np.uint64(0xFFFFFFFF)
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        g = large[n_large - 1]
        threshold = np.uint64(min(scaled[s] * 4294967296.0, 4294967295.0))
        table[s] = (threshold << np.uint64(32)) | np.uint64(g)
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            n_large -= 1
            small[n_small] = g
            n_small += 1
    # What is left has probability one up to rounding: it always keeps itself.
    for k in range(n_large):
        i = large[k]
        table[i] = (full << np.uint64(32)) | np.uint64(i)
    for k in range(n_small):
        i = small[k]
        table[i] = (full << np.uint64(32)) | np.uint64(i)
    return table


def build_noise_table(counts, ns_exponent):
    """Alias table of the negative-sampling noise distribution ``counts ** ns_exponent``.

    Parameters
    ----------
    counts : ndarray of shape (n_words,), dtype int64
        Word counts.
    ns_exponent : float
        Exponent of the counts (0.75 in word2vec; 0 is uniform, 1 is the unigram frequency).

    Returns
    -------
    ndarray of shape (n_words,), dtype uint64
        Entry ``i`` packs a 32-bit threshold (high half) and an alias word (low half): a draw
        picks ``i`` uniformly, keeps it if 32 random bits fall below the threshold and takes
        the alias otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> table = build_noise_table(np.array([10, 10]), 0.75)
    >>> (table & 0xFFFFFFFF).tolist()
    [0, 1]
    """
    weights = np.asarray(counts, dtype=np.float64) ** ns_exponent
    return _fill_alias_table(weights / weights.sum())


def noise_probabilities(table):
    """Exact sampling probabilities implied by an alias table from :func:`build_noise_table`.

    Parameters
    ----------
    table : ndarray of shape (n_words,), dtype uint64

    Returns
    -------
    ndarray of shape (n_words,), dtype float64

    Examples
    --------
    >>> import numpy as np
    >>> noise_probabilities(build_noise_table(np.array([1, 1, 1, 1]), 0.75)).round(6).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    n = table.shape[0]
    keep = (table >> np.uint64(32)).astype(np.float64) / 4294967296.0
    alias = (table & np.uint64(0xFFFFFFFF)).astype(np.int64)
    # The all-ones threshold with alias == self means "always self".
    keep[alias == np.arange(n)] = 1.0
    probabilities = keep / n
    np.add.at(probabilities, alias, (1.0 - keep) / n)
    return probabilities


def keep_probabilities(counts, sample):
    """Probability of keeping each occurrence of a word under frequent-word subsampling.

    ``(sqrt(c / (sample * total)) + 1) * (sample * total) / c``, capped at 1, where ``c`` is
    the word's count and ``total`` the sum of all counts (the formula of the word2vec C tool).

    Parameters
    ----------
    counts : ndarray of shape (n_words,), dtype int64
        Word counts.
    sample : float
        Subsampling threshold; 0 keeps every word.

    Returns
    -------
    ndarray of shape (n_words,), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> [round(float(p), 4) for p in keep_probabilities(np.array([1000, 1]), 1e-3)]
    [0.0326, 1.0]
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample == 0 or counts.size == 0:
        return np.ones(counts.shape[0], dtype=np.float32)
    threshold = sample * counts.sum()
    with np.errstate(divide="ignore"):
        keep = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
    return np.minimum(keep, 1.0).astype(np.float32)


@numba.njit(cache=True, nogil=True)
def split_work_units(offsets, unit_size):
    """Cut the token stream into work units of ``unit_size`` to ``2 * unit_size`` tokens.

    Units end at document boundaries, except that a document longer than the unit size is
    split inside (each part then trains as its own sentence).

    Parameters
    ----------
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    unit_size : int
        Target number of tokens per unit (positive).

    Returns
    -------
    ndarray of shape (n_units + 1,), dtype int64
        Unit ``u`` covers token positions ``bounds[u]:bounds[u + 1]``.
    """
    n_tokens = offsets[-1]
    bounds = np.empty(n_tokens // unit_size + 2, dtype=np.int64)
    bounds[0] = 0
    n_bounds = 1
    last = np.int64(0)
    for d in range(offsets.shape[0] - 1):
        end = offsets[d + 1]
        if end - last < unit_size:
            continue
        while end - last > 2 * unit_size:
            last += unit_size
            bounds[n_bounds] = last
            n_bounds += 1
        last = end
        bounds[n_bounds] = last
        n_bounds += 1
    if last < n_tokens:
        bounds[n_bounds] = n_tokens
        n_bounds += 1
    return bounds[:n_bounds].copy()


# ---------------------------------------------------------------------------------------------
# Per-prediction updates (shared by the epoch kernels and the tests)
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _sigmoid(f):
    x = (f + _BOUND) * _TABLE_SCALE
    if x <= 0.0:
        return np.float32(0.0)
    if x >= _TABLE_SIZE:
        return np.float32(1.0)
    return SIGMOID_TABLE[int(x)]


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _log_sigmoid(f):
    x = (f + _BOUND) * _TABLE_SCALE
    if x <= 0.0:
        return np.float32(f)
    if x >= _TABLE_SIZE:
        return np.float32(0.0)
    return LOG_SIGMOID_TABLE[int(x)]


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _draw_noise(noise_table, state):
    # One 64-bit draw: the high half picks a slot (Lemire's multiply-shift), the low half is
    # the coin that decides between the slot and its alias.
    state = xorshift_next(state)
    slot = ((state >> np.uint64(32)) * np.uint64(noise_table.shape[0])) >> np.uint64(32)
    entry = noise_table[slot]
    if (state & np.uint64(0xFFFFFFFF)) < (entry >> np.uint64(32)):
        return state, np.int64(slot)
    return state, np.int64(entry & np.uint64(0xFFFFFFFF))


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _logistic_step(f, positive, learning_rate):
    # Step ``g`` on the score ``f`` of a prediction of label 1 (``positive``) or 0, scaled
    # by the learning rate, and the loss before it: ``-log sigmoid(+-f)``.
    if positive:
        return (np.float32((np.float32(1.0) - _sigmoid(f)) * learning_rate),
                -_log_sigmoid(f))
    return np.float32(-_sigmoid(f) * learning_rate), -_log_sigmoid(-f)


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _logistic_update(hidden, hidden_error, output_vectors, row, positive, learning_rate):
    """One binary logistic prediction ``sigmoid(hidden . output_vectors[row])`` of a label.

    The building block of both objectives: a negative-sampling target or noise word, and a
    node on a hierarchical-softmax path, is each one such prediction. Moves
    ``output_vectors[row]`` one step towards the label (1 if ``positive`` else 0), adds the
    step for ``hidden`` into ``hidden_error``, and returns the loss before the update,
    ``-log sigmoid(f)`` for a positive label and ``-log sigmoid(-f)`` for a negative one.
    """
    dim = hidden.shape[0]
    f = np.float32(0.0)
    for k in range(dim):
        f += hidden[k] * output_vectors[row, k]
    g, loss = _logistic_step(f, positive, learning_rate)
    for k in range(dim):
        hidden_error[k] += g * output_vectors[row, k]
        output_vectors[row, k] += g * hidden[k]
    return loss


@numba.njit(cache=True, nogil=True, fastmath=True)
def negative_sampling_update(hidden, hidden_error, output_vectors, targets, n_targets,
                             learning_rate):
    """One negative-sampling prediction: push ``targets[0]`` up and the noise words down.

    Updates ``output_vectors`` in place and adds the gradient step for ``hidden`` into
    ``hidden_error`` (the caller applies it to the input vectors).

    Parameters
    ----------
    hidden : ndarray of shape (dim,), dtype float32
        Input vector (skip-gram: the context word's vector; CBOW: the mean or sum of the
        context vectors).
    hidden_error : ndarray of shape (dim,), dtype float32
        Accumulates ``sum_t g_t * output_vectors[t]``.
    output_vectors : ndarray of shape (n_words, dim), dtype float32
        Negative-sampling output weights.
    targets : ndarray of shape (>= n_targets,), dtype int32
        ``targets[0]`` is the positive word, ``targets[1:n_targets]`` the noise words.
    n_targets : int
        Number of targets to use.
    learning_rate : float32
        Step size.

    Returns
    -------
    float
        The loss ``-log sigmoid(h.u_pos) - sum log sigmoid(-h.u_neg)`` before the update.
    """
    loss = 0.0
    for d in range(n_targets):
        loss += _logistic_update(hidden, hidden_error, output_vectors, targets[d], d == 0,
                                 learning_rate)
    return loss


@numba.njit(cache=True, nogil=True, fastmath=True)
def hierarchical_softmax_update(hidden, hidden_error, output_vectors, codes, points, start,
                                end, learning_rate):
    """One hierarchical-softmax prediction: follow a word's Huffman path from the root.

    Parameters
    ----------
    hidden : ndarray of shape (dim,), dtype float32
        Input vector.
    hidden_error : ndarray of shape (dim,), dtype float32
        Accumulates the gradient step for ``hidden``.
    output_vectors : ndarray of shape (n_words - 1, dim), dtype float32
        One row per inner node of the Huffman tree.
    codes : ndarray of shape (n_code_entries,), dtype uint8
        Branch bits, from :func:`build_huffman_tree`.
    points : ndarray of shape (n_code_entries,), dtype int32
        Inner nodes, from :func:`build_huffman_tree`.
    start, end : int
        The target word's path is ``codes[start:end]`` / ``points[start:end]``.
    learning_rate : float32
        Step size.

    Returns
    -------
    float
        ``-sum log sigmoid((1 - 2 * code) * h.u_node)`` over the path, before the update.
    """
    loss = 0.0
    for d in range(start, end):
        loss += _logistic_update(hidden, hidden_error, output_vectors, points[d],
                                 codes[d] == 0, learning_rate)
    return loss


@numba.njit(cache=True, nogil=True, fastmath=True)
def shared_negatives_window_update(input_vectors, output_vectors, input_rates, contexts,
                                   n_contexts, targets, n_targets, input_error, output_error,
                                   learning_rate):
    """One skip-gram window with negative samples shared by all its context words.

    Every context word predicts the same targets: the centre word ``targets[0]`` (label 1)
    and the noise words ``targets[1:n_targets]`` (label 0), as in pWord2Vec (Ji et al.,
    2016). The scores of the whole window form one small matrix product, context rows
    against target rows; the gradient steps are accumulated from the weights as they were
    before the window and applied once at the end, so each output row is read and written
    once per window instead of once per context word.

    Parameters
    ----------
    input_vectors : ndarray of shape (n_words, dim), dtype float32
        Input vectors, updated in place (context word ``c`` scaled by ``input_rates[c]``).
    output_vectors : ndarray of shape (n_words, dim), dtype float32
        Negative-sampling output weights, updated in place.
    input_rates : ndarray of shape (n_words,), dtype float32
        Scale of each input vector's update (0 freezes it).
    contexts : ndarray of shape (>= n_contexts,), dtype int32
        The window's context words (a word may appear twice; both updates count).
    n_contexts : int
        Number of context words.
    targets : ndarray of shape (>= n_targets,), dtype int32
        The centre word, then the noise words.
    n_targets : int
        Number of targets.
    input_error : ndarray of shape (>= n_contexts, dim), dtype float32
        Scratch space for the input steps.
    output_error : ndarray of shape (>= n_targets, dim), dtype float32
        Scratch space for the output steps.
    learning_rate : float32
        Step size.

    Returns
    -------
    float
        Summed loss of the ``n_contexts`` predictions, ``-log sigmoid(h.u_pos) - sum log
        sigmoid(-h.u_neg)`` each, before the update.
    """
    dim = input_vectors.shape[1]
    input_error[:n_contexts] = 0.0
    output_error[:n_targets] = 0.0
    loss = 0.0
    for r in range(n_contexts):
        context = contexts[r]
        for t in range(n_targets):
            target = targets[t]
            f = np.float32(0.0)
            for k in range(dim):
                f += input_vectors[context, k] * output_vectors[target, k]
            g, target_loss = _logistic_step(f, t == 0, learning_rate)
            loss += target_loss
            for k in range(dim):
                input_error[r, k] += g * output_vectors[target, k]
                output_error[t, k] += g * input_vectors[context, k]
    for r in range(n_contexts):
        context = contexts[r]
        rate = input_rates[context]
        if rate != 0.0:
            for k in range(dim):
                input_vectors[context, k] += rate * input_error[r, k]
    for t in range(n_targets):
        target = targets[t]
        for k in range(dim):
            output_vectors[target, k] += output_error[t, k]
    return loss


# ---------------------------------------------------------------------------------------------
# Epoch kernels
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, fastmath=True)
def _train_piece_shared_negatives(piece, length, weights, noise_table, window, negative,
                                  scratch, learning_rate, state):
    """Skip-gram with negative sampling over one piece, one shared draw of noise words per
    window (see :func:`shared_negatives_window_update`)."""
    input_vectors, output_vectors, input_rates = weights
    contexts, targets, input_error, output_error = scratch
    loss = 0.0
    n_predictions = 0
    for i in range(length):
        word = piece[i]
        state = xorshift_next(state)
        reach = window - bounded_int(state, window)
        n_contexts = 0
        for j in range(max(0, i - reach), min(length, i + reach + 1)):
            if j != i:
                contexts[n_contexts] = piece[j]
                n_contexts += 1
        if n_contexts == 0:
            continue
        targets[0] = word
        n_targets = 1
        for _ in range(negative):
            state, noise = _draw_noise(noise_table, state)
            if noise != word:
                targets[n_targets] = noise
                n_targets += 1
        loss += shared_negatives_window_update(
            input_vectors, output_vectors, input_rates, contexts, n_contexts, targets,
            n_targets, input_error, output_error, learning_rate)
        n_predictions += n_contexts
    return state, loss, n_predictions


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _predict(hidden, hidden_error, output_vectors, word, tables, config, targets,
             learning_rate, state):
    # Predict ``word`` from ``hidden`` with the configured objective; the step for ``hidden``
    # is left in ``hidden_error`` (reset here) for the caller to apply.
    for k in range(hidden_error.shape[0]):
        hidden_error[k] = 0.0
    if config.objective == HIERARCHICAL_SOFTMAX:
        loss = hierarchical_softmax_update(
            hidden, hidden_error, output_vectors, tables.codes, tables.points,
            tables.code_offsets[word], tables.code_offsets[word + 1], learning_rate)
        return state, loss
    targets[0] = word
    n_targets = 1
    for _ in range(config.negative):
        state, noise = _draw_noise(tables.noise, state)
        if noise != word:
            targets[n_targets] = noise
            n_targets += 1
    loss = negative_sampling_update(hidden, hidden_error, output_vectors, targets, n_targets,
                                    learning_rate)
    return state, loss


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _apply_input_step(weights, word, hidden_error):
    # The one place input vectors change: the step scaled by the word's rate (0 = frozen).
    rate = weights.input_rates[word]
    if rate != 0.0:
        for k in range(hidden_error.shape[0]):
            weights.input_vectors[word, k] += rate * hidden_error[k]


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _train_skipgram_position(piece, i, lo, hi, weights, tables, config, buffers,
                             learning_rate, state):
    # Skip-gram: predict the word at ``i`` from each context word in [lo, hi) on its own.
    loss = 0.0
    for j in range(lo, hi):
        if j == i:
            continue
        context = piece[j]
        state, pair_loss = _predict(weights.input_vectors[context], buffers.hidden_error,
                                    weights.output_vectors, piece[i], tables, config,
                                    buffers.targets, learning_rate, state)
        loss += pair_loss
        _apply_input_step(weights, context, buffers.hidden_error)
    return state, loss, hi - lo - 1


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _train_cbow_position(piece, i, lo, hi, weights, tables, config, buffers, learning_rate,
                         state):
    # CBOW: predict the word at ``i`` once from the sum (or mean) of its context words.
    if hi - lo < 2:
        return state, 0.0, 0
    hidden = buffers.hidden
    dim = hidden.shape[0]
    for k in range(dim):
        hidden[k] = 0.0
    for j in range(lo, hi):
        if j != i:
            context = piece[j]
            for k in range(dim):
                hidden[k] += weights.input_vectors[context, k]
    if config.cbow_mean:
        scale = np.float32(1.0 / (hi - lo - 1))
        for k in range(dim):
            hidden[k] *= scale
    state, loss = _predict(hidden, buffers.hidden_error, weights.output_vectors, piece[i],
                           tables, config, buffers.targets, learning_rate, state)
    for j in range(lo, hi):
        if j != i:
            _apply_input_step(weights, piece[j], buffers.hidden_error)
    return state, loss, 1


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _add_rows(hidden, input_vectors, rows, start, end):
    for r in range(start, end):
        row = rows[r]
        for k in range(hidden.shape[0]):
            hidden[k] += input_vectors[row, k]


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _apply_rows_step(weights, rows, start, end, hidden_error):
    # Every row of a word's input receives the full step, as in fastText.
    for r in range(start, end):
        _apply_input_step(weights, rows[r], hidden_error)


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _train_skipgram_subwords_position(piece, i, lo, hi, weights, tables, config, buffers,
                                      learning_rate, state):
    # fastText's skip-gram: predict each context word from the mean of the centre word's
    # rows. The mean is computed once per position and the steps of all the context
    # predictions are summed before they are applied, so the rows are read and written once
    # per position instead of once per context word.
    if hi - lo < 2:
        return state, 0.0, 0
    hidden = buffers.hidden
    step_sum = buffers.step_sum
    dim = hidden.shape[0]
    start = tables.row_offsets[piece[i]]
    end = tables.row_offsets[piece[i] + 1]
    for k in range(dim):
        hidden[k] = 0.0
        step_sum[k] = 0.0
    _add_rows(hidden, weights.input_vectors, tables.rows, start, end)
    scale = np.float32(1.0 / (end - start))
    for k in range(dim):
        hidden[k] *= scale
    loss = 0.0
    for j in range(lo, hi):
        if j == i:
            continue
        state, pair_loss = _predict(hidden, buffers.hidden_error, weights.output_vectors,
                                    piece[j], tables, config, buffers.targets, learning_rate,
                                    state)
        loss += pair_loss
        for k in range(dim):
            step_sum[k] += buffers.hidden_error[k]
    _apply_rows_step(weights, tables.rows, start, end, step_sum)
    return state, loss, hi - lo - 1


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _enter_ring(piece, j, weights, tables, ring):
    # Token ``j`` comes within reach: sum its word's rows once, start its step at zero.
    slot = j % ring.sums.shape[0]
    word = piece[j]
    for k in range(ring.sums.shape[1]):
        ring.sums[slot, k] = 0.0
        ring.steps[slot, k] = 0.0
    _add_rows(ring.sums[slot], weights.input_vectors, tables.rows, tables.row_offsets[word],
              tables.row_offsets[word + 1])


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _leave_ring(piece, j, weights, tables, ring):
    # Token ``j`` is out of reach of every later position: apply its summed step to its rows.
    word = piece[j]
    _apply_rows_step(weights, tables.rows, tables.row_offsets[word],
                     tables.row_offsets[word + 1], ring.steps[j % ring.sums.shape[0]])


@numba.njit(cache=True, nogil=True, fastmath=True)
def _train_piece_cbow_subwords(piece, length, weights, tables, config, buffers, ring,
                               learning_rate, state):
    """fastText's CBOW over one piece: predict each word from all the rows of its context.

    The input of position ``i`` is the sum (or mean) of all the rows of all its context
    words. Each token's row sum is computed once, when the token comes within ``window`` of
    the current position, and the steps of all the predictions it takes part in are summed
    and applied to its rows once, when it leaves that reach. Each row of a token is so read
    and written once instead of once per position whose context holds it, which is most of
    the work of a position (a word has about a dozen rows, a context up to ``2 * window``
    words). The price is staleness: a position sees the rows as they were up to
    ``2 * window`` positions earlier, as lock-free parallel training already does across
    threads.
    """
    window = config.window
    row_offsets = tables.row_offsets
    hidden = buffers.hidden
    hidden_error = buffers.hidden_error
    dim = hidden.shape[0]
    size = ring.sums.shape[0]
    loss = 0.0
    n_predictions = 0
    for j in range(min(window, length)):
        _enter_ring(piece, j, weights, tables, ring)
    for i in range(length):
        if i + window < length:
            _enter_ring(piece, i + window, weights, tables, ring)
        state = xorshift_next(state)
        reach = window - bounded_int(state, window)
        lo = max(0, i - reach)
        hi = min(length, i + reach + 1)
        if hi - lo >= 2:
            for k in range(dim):
                hidden[k] = 0.0
            n_rows = 0
            for j in range(lo, hi):
                if j != i:
                    slot = j % size
                    for k in range(dim):
                        hidden[k] += ring.sums[slot, k]
                    n_rows += row_offsets[piece[j] + 1] - row_offsets[piece[j]]
            if config.cbow_mean:
                scale = np.float32(1.0 / n_rows)
                for k in range(dim):
                    hidden[k] *= scale
            state, position_loss = _predict(hidden, hidden_error, weights.output_vectors,
                                            piece[i], tables, config, buffers.targets,
                                            learning_rate, state)
            loss += position_loss
            n_predictions += 1
            for j in range(lo, hi):
                if j != i:
                    slot = j % size
                    for k in range(dim):
                        ring.steps[slot, k] += hidden_error[k]
        if i >= window:
            _leave_ring(piece, i - window, weights, tables, ring)
    for j in range(max(0, length - window), length):
        _leave_ring(piece, j, weights, tables, ring)
    return state, loss, n_predictions


@numba.njit(cache=True, nogil=True, fastmath=True)
def _train_piece(piece, length, weights, tables, config, buffers, learning_rate, state):
    # Every position of a piece of kept tokens, with the C tool's reduced window: a reach
    # drawn uniformly in [1, window] on both sides.
    loss = 0.0
    n_predictions = 0
    subwords = tables.row_offsets.shape[0] > 0
    for i in range(length):
        state = xorshift_next(state)
        reach = config.window - bounded_int(state, config.window)
        lo = max(0, i - reach)
        hi = min(length, i + reach + 1)
        if subwords:  # skip-gram; CBOW over subwords has its own piece kernel
            state, position_loss, position_predictions = _train_skipgram_subwords_position(
                piece, i, lo, hi, weights, tables, config, buffers, learning_rate, state)
        elif config.architecture == SKIPGRAM:
            state, position_loss, position_predictions = _train_skipgram_position(
                piece, i, lo, hi, weights, tables, config, buffers, learning_rate, state)
        else:
            state, position_loss, position_predictions = _train_cbow_position(
                piece, i, lo, hi, weights, tables, config, buffers, learning_rate, state)
        loss += position_loss
        n_predictions += position_predictions
    return state, loss, n_predictions


@numba.njit(cache=True, nogil=True, fastmath=True)
def _train_unit(documents, weights, tables, config, start, end, learning_rate, state):
    ids = documents.ids
    offsets = documents.offsets
    keep = tables.keep
    dim = weights.input_vectors.shape[1]
    piece = np.empty(MAX_PIECE_LENGTH, dtype=np.int32)
    buffers = _Buffers(np.empty(dim, dtype=np.float32), np.empty(dim, dtype=np.float32),
                       np.empty(config.negative + 1, dtype=np.int32),
                       np.empty(dim, dtype=np.float32))
    # Words made of subword rows (fastText) always take the per-pair path.
    shared_negatives = (config.shared_negatives != 0 and config.architecture == SKIPGRAM
                        and config.objective == NEGATIVE_SAMPLING
                        and tables.row_offsets.shape[0] == 0)
    n_rows = 2 * config.window if shared_negatives else 0
    scratch = _WindowScratch(
        np.empty(2 * config.window, dtype=np.int32), buffers.targets,
        np.empty((n_rows, dim), dtype=np.float32),
        np.empty((config.negative + 1 if shared_negatives else 0, dim), dtype=np.float32))
    cbow_subwords = config.architecture == CBOW and tables.row_offsets.shape[0] > 0
    n_slots = 2 * config.window + 1 if cbow_subwords else 0
    ring = _TokenRing(np.empty((n_slots, dim), dtype=np.float32),
                      np.empty((n_slots, dim), dtype=np.float32))
    loss = 0.0
    n_predictions = 0
    n_kept = 0
    document = np.searchsorted(offsets, start, side="right") - 1
    position = start
    while position < end:
        document_end = min(offsets[document + 1], end)
        # Subsample the document afresh, training a piece whenever it fills up.
        while position < document_end:
            length = 0
            while position < document_end and length < MAX_PIECE_LENGTH:
                word = ids[position]
                position += 1
                if keep[word] < 1.0:
                    state = xorshift_next(state)
                    if unit_float(state) >= keep[word]:
                        continue
                piece[length] = word
                length += 1
            n_kept += length
            if shared_negatives:
                state, piece_loss, piece_predictions = _train_piece_shared_negatives(
                    piece, length, weights, tables.noise, config.window, config.negative,
                    scratch, learning_rate, state)
            elif cbow_subwords:
                state, piece_loss, piece_predictions = _train_piece_cbow_subwords(
                    piece, length, weights, tables, config, buffers, ring, learning_rate,
                    state)
            else:
                state, piece_loss, piece_predictions = _train_piece(
                    piece, length, weights, tables, config, buffers, learning_rate, state)
            loss += piece_loss
            n_predictions += piece_predictions
        document += 1
    return state, loss, n_predictions, n_kept


@numba.njit(cache=True, nogil=True, fastmath=True)
def train_units_serial(documents, weights, tables, config, unit_bounds, learning_rates, states,
                       losses, n_predictions, n_kept):
    """Train a run of work units one after the other (reproducible bit for bit).

    Parameters
    ----------
    documents : Documents
        The token ids and document offsets of the corpus.
    weights : Weights
        The input vectors, output vectors and input rates, updated in place.
    tables : Tables
        Subsampling, noise and Huffman tables.
    config : Config
        Architecture, objective, window, negative and cbow_mean.
    unit_bounds : ndarray of shape (n_units + 1,), dtype int64
        Unit ``u`` covers token positions ``unit_bounds[u]:unit_bounds[u + 1]``.
    learning_rates : ndarray of shape (n_units,), dtype float32
        Learning rate of each unit.
    states : ndarray of shape (n_units,), dtype uint64
        Nonzero xorshift state of each unit; advanced in place.
    losses : ndarray of shape (n_units,), dtype float64
        Output: summed loss of each unit.
    n_predictions : ndarray of shape (n_units,), dtype int64
        Output: number of predictions (loss terms) of each unit.
    n_kept : ndarray of shape (n_units,), dtype int64
        Output: tokens kept by subsampling in each unit.
    """
    for u in range(learning_rates.shape[0]):
        states[u], losses[u], n_predictions[u], n_kept[u] = _train_unit(
            documents, weights, tables, config, unit_bounds[u], unit_bounds[u + 1],
            learning_rates[u], states[u])


@numba.njit(cache=True, nogil=True, fastmath=True, parallel=True)
def train_units_parallel(documents, weights, tables, config, unit_bounds, learning_rates,
                         states, losses, n_predictions, n_kept):
    """Train a run of work units on all numba threads, lock-free (Hogwild).

    Same arguments as :func:`train_units_serial`. Threads update the shared weight matrices
    without locks, so results are statistically equivalent to the serial run, not identical.
    """
    for u in numba.prange(learning_rates.shape[0]):
        states[u], losses[u], n_predictions[u], n_kept[u] = _train_unit(
            documents, weights, tables, config, unit_bounds[u], unit_bounds[u + 1],
            learning_rates[u], states[u])
