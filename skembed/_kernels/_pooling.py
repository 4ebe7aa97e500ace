"""Pooling kernels: from the token ids of each document to one vector per document.

The estimators compute per-word weights in Python (ones for a plain mean, idf, or the smooth
inverse frequency of Arora et al. 2017); these kernels only loop over the flat id array.

Every pooling exists as a serial driver and a ``parallel=True`` driver, two distinct functions
over one body that is inlined into both (so its ``prange`` loop becomes a parallel loop in one
and a plain loop in the other). They must be two functions: numba's on-disk cache keys a
compiled function on its code and signature but not on ``parallel=``, so one function built
twice with ``cache=True`` would load whichever build was compiled first for both.
"""

import numba
import numpy as np

_FLAGS = dict(cache=True, nogil=True, fastmath=True)


@numba.njit(inline="always")
def _weighted_mean_body(ids, offsets, vectors, weights, divide_by_count):
    n_documents = offsets.shape[0] - 1
    n_components = vectors.shape[1]
    out = np.zeros((n_documents, n_components), dtype=np.float32)
    for doc in numba.prange(n_documents):
        start = offsets[doc]
        stop = offsets[doc + 1]
        total = 0.0
        for position in range(start, stop):
            word = ids[position]
            weight = weights[word]
            total += weight
            for k in range(n_components):
                out[doc, k] += weight * vectors[word, k]
        if divide_by_count:
            total = stop - start
        if total > 0.0:
            scale = np.float32(1.0 / total)
            for k in range(n_components):
                out[doc, k] *= scale
    return out


@numba.njit(**_FLAGS)
def weighted_mean(ids, offsets, vectors, weights, divide_by_count):
    """Weighted mean of the word vectors of each document (serial build).

    Parameters
    ----------
    ids : int32 array of shape (n_tokens,)
        Token ids of all documents, concatenated.
    offsets : int64 array of shape (n_documents + 1,)
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    vectors : float32 array of shape (n_words, n_components)
        Word vectors.
    weights : float32 array of shape (n_words,)
        Weight of each word.
    divide_by_count : bool
        Divide the weighted sum by the number of tokens (SIF) instead of by the sum of
        the weights (weighted mean).

    Returns
    -------
    float32 array of shape (n_documents, n_components)
        Rows of documents without tokens (or with zero total weight) are zero.
    """
    return _weighted_mean_body(ids, offsets, vectors, weights, divide_by_count)


@numba.njit(parallel=True, **_FLAGS)
def weighted_mean_parallel(ids, offsets, vectors, weights, divide_by_count):
    """:func:`weighted_mean` with the documents spread over numba's threads."""
    return _weighted_mean_body(ids, offsets, vectors, weights, divide_by_count)


@numba.njit(inline="always")
def _max_body(ids, offsets, vectors):
    n_documents = offsets.shape[0] - 1
    n_components = vectors.shape[1]
    out = np.zeros((n_documents, n_components), dtype=np.float32)
    for doc in numba.prange(n_documents):
        start = offsets[doc]
        stop = offsets[doc + 1]
        if stop > start:
            first = ids[start]
            for k in range(n_components):
                out[doc, k] = vectors[first, k]
            for position in range(start + 1, stop):
                word = ids[position]
                for k in range(n_components):
                    if vectors[word, k] > out[doc, k]:
                        out[doc, k] = vectors[word, k]
    return out


@numba.njit(**_FLAGS)
def elementwise_max(ids, offsets, vectors):
    """Element-wise maximum of the word vectors of each document (serial build).

    Parameters
    ----------
    ids : int32 array of shape (n_tokens,)
        Token ids of all documents, concatenated.
    offsets : int64 array of shape (n_documents + 1,)
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    vectors : float32 array of shape (n_words, n_components)
        Word vectors.

    Returns
    -------
    float32 array of shape (n_documents, n_components)
        Rows of documents without tokens are zero.
    """
    return _max_body(ids, offsets, vectors)


@numba.njit(parallel=True, **_FLAGS)
def elementwise_max_parallel(ids, offsets, vectors):
    """:func:`elementwise_max` with the documents spread over numba's threads."""
    return _max_body(ids, offsets, vectors)


@numba.njit(**_FLAGS)
def document_frequency(ids, offsets, n_words):
    """Number of documents that contain each word.

    Parameters
    ----------
    ids : int32 array of shape (n_tokens,)
        Token ids of all documents, concatenated.
    offsets : int64 array of shape (n_documents + 1,)
        Document boundaries.
    n_words : int
        Vocabulary size.

    Returns
    -------
    int64 array of shape (n_words,)
    """
    frequency = np.zeros(n_words, dtype=np.int64)
    last_seen = np.full(n_words, -1, dtype=np.int64)
    for doc in range(offsets.shape[0] - 1):
        for position in range(offsets[doc], offsets[doc + 1]):
            word = ids[position]
            if last_seen[word] != doc:
                last_seen[word] = doc
                frequency[word] += 1
    return frequency
