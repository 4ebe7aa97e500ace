"""Character n-grams of words and their hash buckets, as Facebook's fastText computes them.

A word ``w`` is wrapped in boundary symbols, ``<w>``, and every run of ``min_n`` to ``max_n``
characters (Unicode code points, found from the UTF-8 bytes) becomes an n-gram, except the
two lone boundary symbols. Each n-gram is hashed with 32-bit FNV-1a over its UTF-8 bytes and
taken modulo the number of buckets. fastText xors each byte into the hash as a *signed*
char widened to 32 bits, so bytes >= 128 contribute ``0xFFFFFF00 | byte``; this module does
the same, which is what makes the buckets of published fastText models line up with ours.
"""

import numba
import numpy as np

FNV_OFFSET_BASIS = 2166136261
FNV_PRIME = 16777619
_MASK32 = np.uint64(0xFFFFFFFF)


@numba.njit(cache=True, nogil=True, inline="always")
def _fnv1a_step(hash_value, byte):
    # fastText: h = h ^ uint32_t(int8_t(byte)); the sign extension sets the top 24 bits.
    widened = np.uint64(byte)
    if byte >= 128:
        widened |= np.uint64(0xFFFFFF00)
    return ((hash_value ^ widened) * np.uint64(FNV_PRIME)) & _MASK32


@numba.njit(cache=True, nogil=True)
def fnv1a_hash(data):
    """32-bit FNV-1a hash of a byte string, with fastText's signed-byte quirk.

    Parameters
    ----------
    data : ndarray of shape (n_bytes,), dtype uint8
        The bytes (UTF-8 of an n-gram).

    Returns
    -------
    uint64
        The hash, in ``[0, 2**32)``.
    """
    hash_value = np.uint64(FNV_OFFSET_BASIS)
    for i in range(data.shape[0]):
        hash_value = _fnv1a_step(hash_value, data[i])
    return hash_value


@numba.njit(cache=True, nogil=True)
def _walk_ngrams(data, start, end, min_n, max_n, n_buckets, out, position):
    # Writes the bucket of every n-gram of data[start:end] (the bytes of "<word>") into
    # out[position:] when out is non-empty, and returns how many there are. n counts
    # characters; a byte of the form 10xxxxxx continues the previous character.
    count = 0
    for i in range(start, end):
        if (data[i] & 0xC0) == 0x80:
            continue
        hash_value = np.uint64(FNV_OFFSET_BASIS)
        j = i
        n = 1
        while j < end and n <= max_n:
            hash_value = _fnv1a_step(hash_value, data[j])
            j += 1
            while j < end and (data[j] & 0xC0) == 0x80:
                hash_value = _fnv1a_step(hash_value, data[j])
                j += 1
            if n >= min_n and not (n == 1 and (i == start or j == end)):
                if out.shape[0] > 0:
                    out[position + count] = np.int32(hash_value % np.uint64(n_buckets))
                count += 1
            n += 1
    return count


@numba.njit(cache=True, nogil=True)
def ngram_buckets(data, word_offsets, min_n, max_n, n_buckets):
    """Hash buckets of the character n-grams of many words, as a CSR array.

    Parameters
    ----------
    data : ndarray of shape (n_bytes,), dtype uint8
        The UTF-8 bytes of every word already wrapped as ``<word>``, one after the other.
    word_offsets : ndarray of shape (n_words + 1,), dtype int64
        Word ``w`` is ``data[word_offsets[w]:word_offsets[w + 1]]``.
    min_n, max_n : int
        Shortest and longest n-gram, in characters.
    n_buckets : int
        Number of hash buckets (positive).

    Returns
    -------
    offsets : ndarray of shape (n_words + 1,), dtype int64
        The buckets of word ``w`` are ``buckets[offsets[w]:offsets[w + 1]]``.
    buckets : ndarray of shape (offsets[-1],), dtype int32
        Bucket of each n-gram, in fastText's order (by start, then by length). An n-gram
        that occurs twice in a word is listed twice, as in fastText.
    """
    n_words = word_offsets.shape[0] - 1
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    nothing = np.empty(0, dtype=np.int32)
    for w in range(n_words):
        offsets[w + 1] = offsets[w] + _walk_ngrams(
            data, word_offsets[w], word_offsets[w + 1], min_n, max_n, n_buckets, nothing, 0)
    buckets = np.empty(offsets[n_words], dtype=np.int32)
    for w in range(n_words):
        _walk_ngrams(data, word_offsets[w], word_offsets[w + 1], min_n, max_n, n_buckets,
                     buckets, offsets[w])
    return offsets, buckets


@numba.njit(cache=True, nogil=True)
def mean_of_rows(offsets, rows, table):
    """Mean of the rows of ``table`` listed for each item of a CSR array.

    Parameters
    ----------
    offsets : ndarray of shape (n_items + 1,), dtype int64
        Item ``i`` lists ``rows[offsets[i]:offsets[i + 1]]``.
    rows : ndarray of shape (offsets[-1],), dtype int32
        Rows of ``table``.
    table : ndarray of shape (n_rows, dim), dtype float32
        The vectors.

    Returns
    -------
    ndarray of shape (n_items, dim), dtype float32
        Row ``i`` is the mean of its listed rows, accumulated in float32 in list order; an
        item with no rows gets zeros.
    """
    n_items = offsets.shape[0] - 1
    dim = table.shape[1]
    out = np.zeros((n_items, dim), dtype=np.float32)
    for i in range(n_items):
        start = offsets[i]
        end = offsets[i + 1]
        if end == start:
            continue
        for r in range(start, end):
            row = rows[r]
            for k in range(dim):
                out[i, k] += table[row, k]
        count = np.float32(end - start)
        for k in range(dim):
            out[i, k] /= count
    return out
