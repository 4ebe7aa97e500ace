"""GloVe kernels: windowed co-occurrence counting and the AdaGrad epoch.

Counting works on the flat ``int32`` token ids and ``int64`` document offsets of a corpus, one
chunk of tokens at a time so that memory stays bounded. Within a chunk every (word, left context
word, distance) triple is packed into one ``uint32`` and scattered into per-row buckets (a
counting sort by row); each row is then reduced with a dense scratch row into sorted unique
columns. Chunk results are compressed sparse rows (CSR) with sorted columns, merged pairwise by a
linear two-pointer merge, and the symmetric matrix is ``A + A.T``, so only the left context is
ever enumerated. The training kernel visits the nonzeros in a given order and applies the
reference implementation's AdaGrad updates with component-wise gradient clipping; it exists in a
serial build (bitwise reproducible) and a ``parallel=True`` build (Hogwild over blocks).

Each serial/parallel pair is two distinct driver functions over one body that is inlined into
both, so the body's ``prange`` loops become parallel loops in one driver and plain loops in the
other. They must be two functions: numba's on-disk cache keys a compiled function on its code
and signature but not on ``parallel=``, so one function built twice with ``cache=True`` would
load whichever build was compiled first for both. Inlining keeps one copy of the loops and lets
both builds stay cached (a parallel build compiled afresh in every process would cost seconds).
"""

import numba
import numpy as np
from numba import prange

from ._random import bounded_int, xorshift_next

_JIT = dict(cache=True, nogil=True, fastmath=True)


# --------------------------------------------------------------------------------------------
# Co-occurrence counting
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _part_bounds(start, stop, n_parts):
    """Split the token range [start, stop) into ``n_parts`` contiguous int64 bounds."""
    bounds = np.empty(n_parts + 1, dtype=np.int64)
    length = stop - start
    for p in range(n_parts + 1):
        bounds[p] = start + (length * p) // n_parts
    return bounds


@numba.njit(**_JIT)
def _first_document(offsets, position):
    """Index of the document holding token ``position`` (offsets is int64 (n_documents+1,))."""
    return np.searchsorted(offsets, position, side="right") - 1


@numba.njit(inline="always")
def _count_chunk_body(ids, offsets, start, stop, n_words, distance_weights, n_parts):
    """Count left-context co-occurrences of the tokens ids[start:stop] into a CSR matrix.

    Parameters
    ----------
    ids : ndarray of shape (n_tokens,), dtype int32
        Token ids of the whole corpus, documents one after another.
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document i is ``ids[offsets[i]:offsets[i + 1]]``; contexts never cross these bounds.
    start, stop : int
        Token range of this chunk. Left contexts may reach before ``start`` (inside the same
        document), so chunks cut anywhere give the same total as one chunk.
    n_words : int
        Vocabulary size; every id is in [0, n_words).
    distance_weights : ndarray of shape (window + 1,), dtype float64
        Weight added for a pair at distance d (entry 0 unused, entries must be > 0); the
        window is ``len(distance_weights) - 1`` tokens to the left.
    n_parts : int
        Number of token sub-ranges (one per thread) for the scatter passes.

    Returns
    -------
    indptr : ndarray of shape (n_words + 1,), dtype int64
    indices : ndarray of shape (nnz,), dtype int32
        Context word ids, sorted within each row.
    data : ndarray of shape (nnz,), dtype float64
        Sum of the distance weights of every occurrence of the pair.
    """
    window = distance_weights.shape[0] - 1
    bounds = _part_bounds(start, stop, n_parts)
    stride = np.uint32(window + 1)
    # Pass 1: how many pairs each part emits for each row (row = the later word).
    part_counts = np.zeros((n_parts, n_words), dtype=np.int64)
    for p in prange(n_parts):
        doc = _first_document(offsets, bounds[p])
        for t in range(bounds[p], bounds[p + 1]):
            while offsets[doc + 1] <= t:
                doc += 1
            lo = max(offsets[doc], t - window)
            part_counts[p, ids[t]] += t - lo
    # Bucket layout: row r, part p starts at row_start[r] + sum of earlier parts' counts.
    row_start = np.zeros(n_words + 1, dtype=np.int64)
    cursor = np.empty((n_parts, n_words), dtype=np.int64)
    total = 0
    for r in range(n_words):
        row_start[r] = total
        for p in range(n_parts):
            cursor[p, r] = total
            total += part_counts[p, r]
    row_start[n_words] = total
    # Pass 2: scatter packed (context, distance) into the buckets.
    packed = np.empty(total, dtype=np.uint32)
    for p in prange(n_parts):
        doc = _first_document(offsets, bounds[p])
        for t in range(bounds[p], bounds[p + 1]):
            while offsets[doc + 1] <= t:
                doc += 1
            lo = max(offsets[doc], t - window)
            row = ids[t]
            pos = cursor[p, row]
            for c in range(lo, t):
                packed[pos] = np.uint32(ids[c]) * stride + np.uint32(t - c)
                pos += 1
            cursor[p, row] = pos
    # Pass 3: reduce every row to sorted unique columns, per block of rows with its own dense
    # scratch row; results are written in place at the start of the row's bucket.
    n_unique = np.zeros(n_words, dtype=np.int64)
    out_cols = np.empty(total, dtype=np.int32)
    out_values = np.empty(total, dtype=np.float64)
    # Row blocks of equal bucket volume: the frequent words' rows are much longer than the rest.
    row_bounds = np.searchsorted(row_start, _part_bounds(0, total, n_parts), side="left")
    row_bounds[0] = 0
    row_bounds[n_parts] = n_words
    for p in prange(n_parts):
        scratch = np.zeros(n_words, dtype=np.float64)
        touched = np.empty(n_words, dtype=np.int32)
        for r in range(row_bounds[p], row_bounds[p + 1]):
            u = 0
            for k in range(row_start[r], row_start[r + 1]):
                code = packed[k]
                col = code // stride
                if scratch[col] == 0.0:
                    touched[u] = col
                    u += 1
                scratch[col] += distance_weights[code - col * stride]
            cols = np.sort(touched[:u])
            base = row_start[r]
            for k in range(u):
                out_cols[base + k] = cols[k]
                out_values[base + k] = scratch[cols[k]]
                scratch[cols[k]] = 0.0
            n_unique[r] = u
    indptr = np.zeros(n_words + 1, dtype=np.int64)
    for r in range(n_words):
        indptr[r + 1] = indptr[r] + n_unique[r]
    indices = np.empty(indptr[n_words], dtype=np.int32)
    data = np.empty(indptr[n_words], dtype=np.float64)
    for p in prange(n_parts):
        for r in range(row_bounds[p], row_bounds[p + 1]):
            for k in range(n_unique[r]):
                indices[indptr[r] + k] = out_cols[row_start[r] + k]
                data[indptr[r] + k] = out_values[row_start[r] + k]
    return indptr, indices, data


@numba.njit(inline="always")
def _add_csr_body(indptr_a, indices_a, data_a, indptr_b, indices_b, data_b):
    """Sum of two CSR matrices of the same shape whose columns are sorted within each row.

    Parameters
    ----------
    indptr_a, indptr_b : ndarray of shape (n_rows + 1,), dtype int64
    indices_a, indices_b : ndarray of shape (nnz_a,) and (nnz_b,), dtype int32
        Sorted within each row, no duplicates.
    data_a, data_b : ndarray of shape (nnz_a,) and (nnz_b,), dtype float64

    Returns
    -------
    indptr : ndarray of shape (n_rows + 1,), dtype int64
    indices : ndarray of shape (nnz,), dtype int32
        Sorted within each row.
    data : ndarray of shape (nnz,), dtype float64
    """
    n_rows = indptr_a.shape[0] - 1
    row_nnz = np.empty(n_rows, dtype=np.int64)
    for r in prange(n_rows):
        i, i_end = indptr_a[r], indptr_a[r + 1]
        j, j_end = indptr_b[r], indptr_b[r + 1]
        n = 0
        while i < i_end and j < j_end:
            if indices_a[i] <= indices_b[j]:
                if indices_a[i] == indices_b[j]:
                    j += 1
                i += 1
            else:
                j += 1
            n += 1
        row_nnz[r] = n + (i_end - i) + (j_end - j)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    for r in range(n_rows):
        indptr[r + 1] = indptr[r] + row_nnz[r]
    indices = np.empty(indptr[n_rows], dtype=np.int32)
    data = np.empty(indptr[n_rows], dtype=np.float64)
    for r in prange(n_rows):
        i, i_end = indptr_a[r], indptr_a[r + 1]
        j, j_end = indptr_b[r], indptr_b[r + 1]
        k = indptr[r]
        while i < i_end or j < j_end:
            if j == j_end or (i < i_end and indices_a[i] < indices_b[j]):
                indices[k] = indices_a[i]
                data[k] = data_a[i]
                i += 1
            elif i == i_end or indices_b[j] < indices_a[i]:
                indices[k] = indices_b[j]
                data[k] = data_b[j]
                j += 1
            else:
                indices[k] = indices_a[i]
                data[k] = data_a[i] + data_b[j]
                i += 1
                j += 1
            k += 1
    return indptr, indices, data


@numba.njit(**_JIT)
def _transpose_csr(indptr, indices, data, n_cols):
    """Transpose a CSR matrix by a counting sort on the columns.

    Parameters
    ----------
    indptr : ndarray of shape (n_rows + 1,), dtype int64
    indices : ndarray of shape (nnz,), dtype int32
    data : ndarray of shape (nnz,), dtype float64
    n_cols : int

    Returns
    -------
    indptr_t, indices_t, data_t : the transpose in CSR form (n_cols rows), columns sorted
        within each row because rows are visited in order.
    """
    n_rows = indptr.shape[0] - 1
    indptr_t = np.zeros(n_cols + 1, dtype=np.int64)
    for k in range(indices.shape[0]):
        indptr_t[indices[k] + 1] += 1
    for c in range(n_cols):
        indptr_t[c + 1] += indptr_t[c]
    cursor = indptr_t[:-1].copy()
    indices_t = np.empty(indices.shape[0], dtype=np.int32)
    data_t = np.empty(indices.shape[0], dtype=np.float64)
    for r in range(n_rows):
        for k in range(indptr[r], indptr[r + 1]):
            pos = cursor[indices[k]]
            indices_t[pos] = r
            data_t[pos] = data[k]
            cursor[indices[k]] = pos + 1
    return indptr_t, indices_t, data_t


@numba.njit(**_JIT)
def _count_chunk_serial(ids, offsets, start, stop, n_words, distance_weights, n_parts):
    return _count_chunk_body(ids, offsets, start, stop, n_words, distance_weights, n_parts)


@numba.njit(parallel=True, **_JIT)
def _count_chunk_parallel(ids, offsets, start, stop, n_words, distance_weights, n_parts):
    return _count_chunk_body(ids, offsets, start, stop, n_words, distance_weights, n_parts)


@numba.njit(**_JIT)
def _add_csr_serial(indptr_a, indices_a, data_a, indptr_b, indices_b, data_b):
    return _add_csr_body(indptr_a, indices_a, data_a, indptr_b, indices_b, data_b)


@numba.njit(parallel=True, **_JIT)
def _add_csr_parallel(indptr_a, indices_a, data_a, indptr_b, indices_b, data_b):
    return _add_csr_body(indptr_a, indices_a, data_a, indptr_b, indices_b, data_b)


def count_cooccurrences(
    ids,
    offsets,
    n_words,
    *,
    window=10,
    symmetric=True,
    distance_weighting=True,
    chunk_tokens=4_000_000,
    n_threads=1,
):
    """Windowed co-occurrence counts of a corpus as a CSR matrix, chunk by chunk.

    Entry (i, j) sums, over every occurrence of word j at distance d in 1..``window`` to the
    left of word i in the same document, ``1 / d`` (or 1 without distance weighting). With
    ``symmetric=True`` the right context is added too, which is the transpose: ``A + A.T``.

    Memory is bounded by the chunk: a chunk of ``chunk_tokens`` tokens needs about
    ``chunk_tokens * window * 16`` bytes of scratch, and chunk results are merged pairwise as
    they arrive (a binary counter), so at most ``log2(n_chunks)`` partial matrices are alive.

    Parameters
    ----------
    ids : ndarray of shape (n_tokens,), dtype int32
        Token ids in [0, n_words), documents one after another.
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document boundaries; document i is ``ids[offsets[i]:offsets[i + 1]]``.
    n_words : int
        Vocabulary size (rows and columns of the result).
    window : int, default=10
        Context size on each side, in tokens.
    symmetric : bool, default=True
        Count the right context as well as the left.
    distance_weighting : bool, default=True
        Weight a pair at distance d by 1/d; otherwise by 1.
    chunk_tokens : int, default=4_000_000
        Tokens counted per kernel call.
    n_threads : int, default=1
        1 uses the serial kernels; more uses the ``parallel=True`` builds with that many
        parts per chunk (the caller sets numba's thread count).

    Returns
    -------
    indptr : ndarray of shape (n_words + 1,), dtype int64
    indices : ndarray of shape (nnz,), dtype int32
        Columns, sorted within each row.
    data : ndarray of shape (nnz,), dtype float64
        Weighted counts, all > 0.

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array([0, 1, 2], dtype=np.int32)
    >>> offsets = np.array([0, 3], dtype=np.int64)
    >>> indptr, indices, data = count_cooccurrences(ids, offsets, 3, window=2)
    >>> indices.tolist(), data.tolist()
    ([1, 2, 0, 2, 0, 1], [1.0, 0.5, 1.0, 1.0, 0.5, 1.0])
    """
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    n_words = int(n_words)
    distances = np.arange(window + 1, dtype=np.float64)
    distances[0] = 1.0
    distance_weights = 1.0 / distances if distance_weighting else np.ones(window + 1)
    if n_threads > 1:
        count_chunk, add_csr = _count_chunk_parallel, _add_csr_parallel
    else:
        count_chunk, add_csr = _count_chunk_serial, _add_csr_serial
    n_tokens = int(offsets[-1]) if offsets.shape[0] else 0
    chunk_tokens = max(int(chunk_tokens), 1)
    # Binary counter of partial results: (level, csr); equal levels merge, so partial matrices
    # of similar size meet and the total merge work is O(nnz log n_chunks).
    stack = []
    for start in range(0, n_tokens, chunk_tokens):
        stop = min(start + chunk_tokens, n_tokens)
        part = count_chunk(ids, offsets, start, stop, n_words, distance_weights, n_threads)
        level = 0
        while stack and stack[-1][0] == level:
            part = add_csr(*stack.pop()[1], *part)
            level += 1
        stack.append((level, part))
    if not stack:
        return (np.zeros(n_words + 1, dtype=np.int64), np.empty(0, dtype=np.int32),
                np.empty(0, dtype=np.float64))
    result = stack.pop()[1]
    while stack:
        result = add_csr(*stack.pop()[1], *result)
    if symmetric:
        result = add_csr(*result, *_transpose_csr(*result, n_words))
    return result


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def weights_and_logs(data, x_max, alpha):
    """Per-nonzero weight f(x) and log(x), computed once instead of every epoch.

    Parameters
    ----------
    data : ndarray of shape (nnz,), dtype float64
        Co-occurrence values, all > 0.
    x_max : float
        Cut-off of the weighting function.
    alpha : float
        Exponent of the weighting function.

    Returns
    -------
    weights : ndarray of shape (nnz,), dtype float32
        ``(x / x_max) ** alpha`` if ``x < x_max`` else 1.
    log_values : ndarray of shape (nnz,), dtype float32
        ``log(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> w, lg = weights_and_logs(np.array([50.0, 100.0, 1000.0]), 100.0, 1.0)
    >>> w.tolist()
    [0.5, 1.0, 1.0]
    """
    n = data.shape[0]
    weights = np.empty(n, dtype=np.float32)
    log_values = np.empty(n, dtype=np.float32)
    for k in range(n):
        x = data[k]
        weights[k] = (x / x_max) ** alpha if x < x_max else 1.0
        log_values[k] = np.log(x)
    return weights, log_values


@numba.njit(**_JIT)
def csr_rows(indptr):
    """Row index of every stored entry of a CSR matrix.

    Parameters
    ----------
    indptr : ndarray of shape (n_rows + 1,), dtype int64

    Returns
    -------
    ndarray of shape (nnz,), dtype int32

    Examples
    --------
    >>> import numpy as np
    >>> csr_rows(np.array([0, 2, 2, 3], dtype=np.int64)).tolist()
    [0, 0, 2]
    """
    n_rows = indptr.shape[0] - 1
    rows = np.empty(indptr[n_rows], dtype=np.int32)
    for r in range(n_rows):
        for k in range(indptr[r], indptr[r + 1]):
            rows[k] = r
    return rows


@numba.njit(**_JIT)
def shuffle_order(order, state):
    """Shuffle ``order`` in place (Fisher-Yates) with a xorshift stream.

    Parameters
    ----------
    order : ndarray of shape (n,), dtype int32 or int64
        Permutation of the nonzero indices, reshuffled every epoch.
    state : ndarray of shape (1,), dtype uint64
        Nonzero xorshift state, advanced in place so the next epoch draws a new order.

    Examples
    --------
    >>> import numpy as np
    >>> order = np.arange(5)
    >>> shuffle_order(order, np.array([7], dtype=np.uint64))
    >>> sorted(order.tolist())
    [0, 1, 2, 3, 4]
    """
    current = state[0]
    for k in range(order.shape[0] - 1, 0, -1):
        current = xorshift_next(current)
        other = bounded_int(current, k + 1)
        swap = order[k]
        order[k] = order[other]
        order[other] = swap
    state[0] = current


@numba.njit(inline="always")
def _glove_epoch_body(rows, cols, weights, log_values, order, parameters, rates, learning_rate,
                      max_grad, n_blocks):
    """One pass of AdaGrad over the nonzeros, in the given order; returns the summed cost.

    The cost of a nonzero is ``0.5 * f(x) * (w_i . c_j + b_i + b~_j - log x) ** 2``. Updates
    follow the reference implementation: every gradient component of the vectors is clipped to
    [-max_grad, max_grad] and scaled by ``learning_rate`` before AdaGrad (accumulators start at
    1), a nonzero whose weighted residual is not finite is skipped, and the biases take the
    unscaled step ``f(x) * diff / sqrt(accumulator)``.

    Parameters
    ----------
    rows, cols : ndarray of shape (nnz,), dtype int32
        Word (row) and context word (column) of every nonzero.
    weights : ndarray of shape (nnz,), dtype float32
        f(x) of every nonzero.
    log_values : ndarray of shape (nnz,), dtype float32
        log(x) of every nonzero.
    order : ndarray of shape (n_visits,), dtype int64
        Indices into the nonzeros, visited in this order.
    parameters : ndarray of shape (4, n_words, n_components + 1), dtype float32
        Updated in place: [0] word vectors with the word bias in the last column, [1] context
        vectors with the context bias, [2] and [3] their AdaGrad squared-gradient sums.
    rates : ndarray of shape (2, n_words), dtype float32
        Scales the vector steps of each word: [0] on the word side, [1] on the context side
        (1 trains a row, 0 freezes it, as pretrained vectors with ``freeze=True``; the biases
        always learn).
    learning_rate : float
        AdaGrad step size for the vector components.
    max_grad : float
        Clip value of each gradient component of the vectors.
    n_blocks : int
        Contiguous blocks of ``order``; the parallel build runs them concurrently without
        locks (Hogwild), the serial build one after another.

    Returns
    -------
    float
        Sum of the costs of the visited nonzeros, computed before each update.
    """
    dim = parameters.shape[2] - 1
    bounds = _part_bounds(0, order.shape[0], n_blocks)
    block_cost = np.zeros(n_blocks, dtype=np.float64)
    vectors = parameters[0]
    contexts = parameters[1]
    grad_vectors = parameters[2]
    grad_contexts = parameters[3]
    word_rates = rates[0]
    context_rates = rates[1]
    eta = np.float32(learning_rate)
    clip = np.float32(max_grad)
    for block in prange(n_blocks):
        cost = 0.0
        for k in range(bounds[block], bounds[block + 1]):
            e = order[k]
            i = rows[e]
            j = cols[e]
            diff = np.float32(0.0)
            for a in range(dim):
                diff += vectors[i, a] * contexts[j, a]
            diff += vectors[i, dim] + contexts[j, dim] - log_values[e]
            fdiff = weights[e] * diff
            # A non-finite residual would poison both rows; with it finite, the clipped
            # components keep every step finite, so this one check guards the whole update.
            if not np.isfinite(fdiff):
                continue
            cost += 0.5 * np.float64(fdiff) * np.float64(diff)
            rate_i = word_rates[i]
            rate_j = context_rates[j]
            for a in range(dim):
                gw = min(max(fdiff * contexts[j, a], -clip), clip) * eta
                gc = min(max(fdiff * vectors[i, a], -clip), clip) * eta
                vectors[i, a] -= rate_i * gw / np.sqrt(grad_vectors[i, a])
                contexts[j, a] -= rate_j * gc / np.sqrt(grad_contexts[j, a])
                grad_vectors[i, a] += gw * gw
                grad_contexts[j, a] += gc * gc
            vectors[i, dim] -= fdiff / np.sqrt(grad_vectors[i, dim])
            contexts[j, dim] -= fdiff / np.sqrt(grad_contexts[j, dim])
            grad_vectors[i, dim] += fdiff * fdiff
            grad_contexts[j, dim] += fdiff * fdiff
        block_cost[block] = cost
    return block_cost.sum()


# fastmath without the no-NaN/no-Inf assumptions, so the finiteness check that protects the
# vectors from a diverging update is not compiled away; numpy's error model drops the
# zero-division branch that would otherwise stop the update loop from vectorizing (4x slower).
_EPOCH_JIT = dict(cache=True, nogil=True, error_model="numpy",
                  fastmath={"nsz", "arcp", "contract", "afn", "reassoc"})


@numba.njit(**_EPOCH_JIT)
def _glove_epoch_serial(rows, cols, weights, log_values, order, parameters, rates,
                        learning_rate, max_grad, n_blocks):
    return _glove_epoch_body(rows, cols, weights, log_values, order, parameters, rates,
                             learning_rate, max_grad, n_blocks)


@numba.njit(parallel=True, **_EPOCH_JIT)
def _glove_epoch_parallel(rows, cols, weights, log_values, order, parameters, rates,
                          learning_rate, max_grad, n_blocks):
    return _glove_epoch_body(rows, cols, weights, log_values, order, parameters, rates,
                             learning_rate, max_grad, n_blocks)


def glove_epoch(rows, cols, weights, log_values, order, parameters, *, rates=None,
                learning_rate=0.05, max_grad=100.0, n_threads=1):
    """Run one training epoch over the nonzeros in ``order``; return the summed cost.

    Dispatches to the serial kernel (bitwise reproducible) for ``n_threads == 1`` and to the
    Hogwild ``parallel=True`` kernel with ``4 * n_threads`` blocks otherwise (the caller sets
    numba's thread count). Arguments are those of the kernel, see ``_glove_epoch_body``;
    ``rates=None`` trains every row.

    Examples
    --------
    >>> import numpy as np
    >>> parameters = np.zeros((4, 2, 3), dtype=np.float32)
    >>> parameters[2:] = 1.0
    >>> one = np.ones(1, dtype=np.float32)
    >>> idx = np.zeros(1, dtype=np.int32)
    >>> glove_epoch(idx, idx + 1, one, one, np.zeros(1, dtype=np.int64), parameters)
    0.5
    """
    if rates is None:
        rates = np.ones((2, parameters.shape[1]), dtype=np.float32)
    if n_threads > 1:
        return _glove_epoch_parallel(rows, cols, weights, log_values, order, parameters, rates,
                                     learning_rate, max_grad, 4 * n_threads)
    return _glove_epoch_serial(rows, cols, weights, log_values, order, parameters, rates,
                               learning_rate, max_grad, 1)
