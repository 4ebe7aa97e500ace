"""The word2vec training loop, shared by the estimators that train with the word2vec kernels.

:func:`_train_word2vec` drives the kernels of :mod:`skembed._kernels._word2vec` over a
tokenized corpus: noise and Huffman tables, subsampling, work units, the linear
learning-rate decay, random streams, the progress callback and the loss per epoch.
:class:`~skembed.Word2VecVectorizer` trains one row per word with it, and
:class:`~skembed.FastTextVectorizer` trains words made of subword rows.
"""

import numpy as np

from ._base import check_finite_training
from ._corpus import release_pages
from ._kernels._random import seed_states
from ._kernels._word2vec import (
    CBOW,
    HIERARCHICAL_SOFTMAX,
    NEGATIVE_SAMPLING,
    SKIPGRAM,
    Config,
    Documents,
    Tables,
    Weights,
    build_huffman_tree,
    build_noise_table,
    keep_probabilities,
    split_work_units,
    train_units_parallel,
    train_units_serial,
)

# Tokens per work unit: the granularity of learning-rate decay, of random streams and of
# parallel scheduling. Each kernel call covers several units (about 0.1 to 0.5 s of work).
_UNIT_SIZE = 10000
_TOKENS_PER_CALL = 400000


def _train_word2vec(ids, offsets, counts, *, n_components, architecture, objective, negative,
                    ns_exponent, window, sample, epochs, learning_rate, min_learning_rate,
                    cbow_mean, rng, n_threads, pretrained=None, freeze=False, progress=None,
                    subwords=None, estimator="Word2VecVectorizer", shared_negatives=False):
    """Train word2vec on a tokenized corpus; return the input vectors and the loss per epoch.

    Parameters
    ----------
    ids : ndarray of shape (n_tokens,), dtype int32
        Token ids of all documents, in order.
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    counts : ndarray of shape (n_words,), dtype int64
        Vocabulary counts (for subsampling, the noise distribution and the Huffman tree).
    n_components, architecture, objective, negative, ns_exponent, window, sample, epochs, \
learning_rate, min_learning_rate, cbow_mean
        As in :class:`Word2VecVectorizer`; ``learning_rate`` is a float here.
    pretrained : tuple (found, vectors) or None
        From :func:`skembed._base.pretrained_rows`: the words that start from a pretrained
        vector, and those vectors.
    freeze : bool
        Keep the pretrained input vectors fixed.
    rng : numpy.random.Generator
        Source of the initial weights and of the kernels' random states.
    n_threads : int
        1 runs the serial kernel (reproducible); more runs the parallel one.
    progress : callable or None
        Called with the number of tokens done after each kernel call.
    subwords : tuple (row_offsets, rows, n_rows) or None
        The input vector of word ``w`` is the mean of the rows
        ``rows[row_offsets[w]:row_offsets[w + 1]]`` (int64 offsets, int32 rows) of an
        ``(n_rows, n_components)`` input matrix whose first ``n_words`` rows belong to the
        words themselves (fastText). None: one row per word (word2vec).
    estimator : str
        Name of the estimator, for the error raised if training diverges.
    shared_negatives : bool
        As in :class:`Word2VecVectorizer`.

    Returns
    -------
    input_vectors : ndarray of shape (n_rows, n_components), dtype float32
    loss_curve : ndarray of shape (epochs,), dtype float64
        Mean loss per prediction in each epoch (0 for an epoch without predictions).
    n_trained_tokens : ndarray of shape (epochs,), dtype int64
        Tokens kept by subsampling, and so trained on, in each epoch.
    """
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    n_words = counts.shape[0]
    n_tokens = ids.shape[0]
    if subwords is None:
        row_offsets = np.empty(0, dtype=np.int64)
        rows = np.empty(0, dtype=np.int32)
        n_rows = n_words
    else:
        row_offsets, rows, n_rows = subwords

    # Initialisation of the C tool: input vectors uniform in [-0.5, 0.5) / dim, outputs zero.
    input_vectors = rng.random((n_rows, n_components), dtype=np.float32)
    input_vectors -= np.float32(0.5)
    input_vectors /= np.float32(n_components)
    if subwords is not None:
        # fastText's initialisation: uniform in [-1, 1) / dim.
        input_vectors *= np.float32(2.0)
    input_rates = np.ones(n_rows, dtype=np.float32)
    if pretrained is not None:
        found, vectors = pretrained
        input_vectors[:n_words][found] = vectors
        if freeze:
            input_rates[:n_words][found] = 0.0
    hierarchical = objective == "hierarchical_softmax"
    n_outputs = max(n_words - 1, 0) if hierarchical else n_words
    output_vectors = np.zeros((n_outputs, n_components), dtype=np.float32)

    keep = keep_probabilities(counts, sample)
    if hierarchical:
        noise_table = np.empty(0, dtype=np.uint64)
        code_offsets, codes, points = build_huffman_tree(counts)
    else:
        noise_table = build_noise_table(counts, ns_exponent)
        code_offsets = np.zeros(n_words + 1, dtype=np.int64)
        codes = np.empty(0, dtype=np.uint8)
        points = np.empty(0, dtype=np.int32)
    tables = Tables(keep, noise_table, code_offsets, codes, points, row_offsets, rows)
    config = Config(
        architecture=np.int64(SKIPGRAM if architecture == "skipgram" else CBOW),
        objective=np.int64(HIERARCHICAL_SOFTMAX if hierarchical else NEGATIVE_SAMPLING),
        window=np.int64(window),
        negative=np.int64(negative),
        cbow_mean=np.int64(bool(cbow_mean)),
        shared_negatives=np.int64(bool(shared_negatives)),
    )
    documents = Documents(ids, offsets)
    weights = Weights(input_vectors, output_vectors, input_rates)

    unit_bounds = split_work_units(offsets, _UNIT_SIZE)
    n_units = unit_bounds.shape[0] - 1
    kernel = train_units_serial if n_threads == 1 else train_units_parallel
    units_per_call = max(n_threads, _TOKENS_PER_CALL // _UNIT_SIZE)
    total_tokens = max(epochs * n_tokens, 1)

    loss_curve = np.zeros(epochs)
    n_trained_tokens = np.zeros(epochs, dtype=np.int64)
    for epoch in range(epochs):
        # Linear decay over the whole training, by the position of each unit's first token.
        done = epoch * n_tokens + unit_bounds[:-1]
        learning_rates = (
            learning_rate - (learning_rate - min_learning_rate) * (done / total_tokens)
        ).astype(np.float32)
        states = seed_states(int(rng.integers(2**63)), n_units)
        losses = np.zeros(n_units)
        n_predictions = np.zeros(n_units, dtype=np.int64)
        n_kept = np.zeros(n_units, dtype=np.int64)
        for first in range(0, n_units, units_per_call):
            last = min(first + units_per_call, n_units)
            kernel(documents, weights, tables, config, unit_bounds[first:last + 1],
                   learning_rates[first:last], states[first:last], losses[first:last],
                   n_predictions[first:last], n_kept[first:last])
            release_pages(ids, unit_bounds[first], unit_bounds[last])
            if progress is not None:
                progress(int(unit_bounds[last] - unit_bounds[first]))
        check_finite_training(estimator, epoch, epochs,
                              (input_vectors, output_vectors),
                              _divergence_advice(learning_rate, architecture, cbow_mean, window))
        n_trained_tokens[epoch] = n_kept.sum()
        total_predictions = n_predictions.sum()
        if total_predictions > 0:
            loss_curve[epoch] = losses.sum() / total_predictions
    return input_vectors, loss_curve, n_trained_tokens


def _divergence_advice(learning_rate, architecture, cbow_mean, window):
    """What to change when training diverges, for the error message."""
    advice = f"Lower learning_rate (it starts at {learning_rate} here)"
    if architecture == "cbow" and not cbow_mean:
        advice += (
            f", or set cbow_mean=True or a smaller window: the sum of up to {2 * window} "
            "context vectors multiplies every step"
        )
    return advice + "."
