"""Byte-pair encoding kernels: learning merges over word types, and applying them to words.

Words reach these kernels as runs of integer symbol ids (one flat ``int32`` array plus
``int64`` offsets); the estimator in ``skembed/bpe.py`` turns strings into ids and back.
Training keeps, for every adjacent symbol pair, its weighted count and a linked list of the
word types that contain it, and pops the best pair from a binary heap whose stale entries are
re-pushed when they surface (lazy invalidation). Only the words that contain the merged pair
are rewritten. Pairs live in an open-addressing hash table keyed by ``left << 32 | right`` and
get stable pair ids, so the per-pair arrays can grow without invalidating the heap.

Ties between pairs of equal count are broken by the pair whose symbols, spelled out as
sequences of base symbols (base ids are assigned in sorted string order by the caller), sort
first: left token first, then right token. The result is therefore independent of the order
of the words and of the machine.
"""

import numba
import numpy as np

_EMPTY = np.int64(-1)
_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, nogil=True, inline="always")
def _pair_key(left, right):
    return (np.int64(left) << np.int64(32)) | np.int64(right)


@numba.njit(cache=True, nogil=True, inline="always")
def _slot_of(key, mask):
    mixed = np.uint64(key) * _HASH_MULTIPLIER
    return np.int64((mixed >> np.uint64(29)) & np.uint64(mask))


@numba.njit(cache=True, nogil=True)
def _table_find(table_keys, table_values, key):
    """Value stored for ``key`` in an open-addressing table, or -1.

    Parameters
    ----------
    table_keys : int64 array of shape (capacity,)
        Keys, ``-1`` for an empty slot; capacity is a power of two.
    table_values : int64 array of shape (capacity,)
        Value of each occupied slot.
    key : int64
        Non-negative key to look up.
    """
    mask = table_keys.shape[0] - 1
    slot = _slot_of(key, mask)
    while True:
        stored = table_keys[slot]
        if stored == key:
            return table_values[slot]
        if stored == _EMPTY:
            return _EMPTY
        slot = (slot + 1) & mask


@numba.njit(cache=True, nogil=True)
def _table_insert(table_keys, table_values, key, value):
    """Store ``value`` for a ``key`` known to be absent (the table must have a free slot).

    Parameters
    ----------
    table_keys, table_values : int64 arrays of shape (capacity,)
        The table, as in ``_table_find``.
    key, value : int64
        Entry to add.
    """
    mask = table_keys.shape[0] - 1
    slot = _slot_of(key, mask)
    while table_keys[slot] != _EMPTY:
        slot = (slot + 1) & mask
    table_keys[slot] = key
    table_values[slot] = value


@numba.njit(cache=True, nogil=True)
def build_merge_table(merges):
    """Hash table from a merged pair to its rank, for encoding.

    Parameters
    ----------
    merges : int32 array of shape (n_merges, 2)
        Left and right token id of each merge, in the order they were learned. When a pair
        appears twice, the first (lowest) rank wins.

    Returns
    -------
    table_keys, table_values : int64 arrays of shape (capacity,)
        Open-addressing table from ``left << 32 | right`` to the merge rank.
    """
    capacity = 16
    while capacity < 2 * merges.shape[0] + 2:
        capacity *= 2
    table_keys = np.full(capacity, _EMPTY, dtype=np.int64)
    table_values = np.zeros(capacity, dtype=np.int64)
    for rank in range(merges.shape[0]):
        key = _pair_key(merges[rank, 0], merges[rank, 1])
        if _table_find(table_keys, table_values, key) == _EMPTY:
            _table_insert(table_keys, table_values, key, rank)
    return table_keys, table_values


@numba.njit(cache=True, nogil=True)
def _encode_one(symbols, start, stop, table_keys, table_values, merge_result, buffer, ranks):
    """Apply merges by rank to ``symbols[start:stop]``; the result is left in ``buffer``.

    Returns the number of symbols in ``buffer``. ``ranks`` is scratch space of the same length.
    Symbol ``-1`` (an unknown character) pairs with nothing.
    """
    length = stop - start
    for i in range(length):
        buffer[i] = symbols[start + i]
    large = np.int64(1) << np.int64(62)
    for i in range(length - 1):
        ranks[i] = large
        if buffer[i] >= 0 and buffer[i + 1] >= 0:
            rank = _table_find(table_keys, table_values, _pair_key(buffer[i], buffer[i + 1]))
            if rank >= 0:
                ranks[i] = rank
    while length > 1:
        best = large
        position = -1
        for i in range(length - 1):
            if ranks[i] < best:
                best = ranks[i]
                position = i
        if position < 0:
            break
        buffer[position] = merge_result[best]
        for i in range(position + 1, length - 1):
            buffer[i] = buffer[i + 1]
            ranks[i] = ranks[i + 1]
        length -= 1
        # Only the pairs that touch the new symbol changed.
        for i in (position - 1, position):
            if 0 <= i < length - 1:
                ranks[i] = large
                if buffer[i] >= 0 and buffer[i + 1] >= 0:
                    rank = _table_find(
                        table_keys, table_values, _pair_key(buffer[i], buffer[i + 1])
                    )
                    if rank >= 0:
                        ranks[i] = rank
    return length


@numba.njit(cache=True, nogil=True)
def _encode_range(symbols, offsets, first, last, table_keys, table_values, merge_result,
                  segmented, lengths):
    """Segment words ``first..last-1`` in place of their symbols in ``segmented``."""
    longest = 1
    for w in range(first, last):
        longest = max(longest, offsets[w + 1] - offsets[w])
    buffer = np.empty(longest, dtype=np.int32)
    ranks = np.empty(longest, dtype=np.int64)
    for w in range(first, last):
        length = _encode_one(
            symbols, offsets[w], offsets[w + 1], table_keys, table_values, merge_result, buffer,
            ranks,
        )
        segmented[offsets[w]:offsets[w] + length] = buffer[:length]
        lengths[w] = length


@numba.njit(cache=True, nogil=True)
def _compact(segmented, offsets, lengths):
    """Concatenate the first ``lengths[w]`` tokens of each word's slot in ``segmented``."""
    n_words = lengths.shape[0]
    token_offsets = np.zeros(n_words + 1, dtype=np.int64)
    for w in range(n_words):
        token_offsets[w + 1] = token_offsets[w] + lengths[w]
    tokens = np.empty(token_offsets[n_words], dtype=np.int32)
    for w in range(n_words):
        start = offsets[w]
        tokens[token_offsets[w]:token_offsets[w + 1]] = segmented[start:start + lengths[w]]
    return tokens, token_offsets


@numba.njit(cache=True, nogil=True)
def encode_words(symbols, offsets, table_keys, table_values, merge_result):
    """Segment words into BPE tokens by applying merges in rank order.

    Within a word, the adjacent pair with the lowest merge rank is merged first, the leftmost
    one on ties, until no adjacent pair is a merge: the same segmentation training produced.
    ``encode_words`` is the serial build; ``encode_words_parallel`` splits the words into
    ``n_chunks`` chunks run by numba's threads, with the same result.

    Parameters
    ----------
    symbols : int32 array of shape (n_symbols,)
        Base token ids of all words, concatenated; ``-1`` marks an unknown symbol.
    offsets : int64 array of shape (n_words + 1,)
        Word ``i`` is ``symbols[offsets[i]:offsets[i + 1]]``.
    table_keys, table_values : int64 arrays of shape (capacity,)
        Merge table from ``build_merge_table``.
    merge_result : int32 array of shape (n_merges,)
        Token id produced by the merge of each rank.

    Returns
    -------
    tokens : int32 array of shape (n_tokens,)
        Token ids of all words, concatenated (``-1`` for unknown symbols).
    token_offsets : int64 array of shape (n_words + 1,)
        Word ``i`` is ``tokens[token_offsets[i]:token_offsets[i + 1]]``.
    """
    n_words = offsets.shape[0] - 1
    segmented = np.empty(symbols.shape[0], dtype=np.int32)
    lengths = np.empty(n_words, dtype=np.int64)
    _encode_range(symbols, offsets, 0, n_words, table_keys, table_values, merge_result,
                  segmented, lengths)
    return _compact(segmented, offsets, lengths)


@numba.njit(cache=True, nogil=True, parallel=True)
def encode_words_parallel(symbols, offsets, table_keys, table_values, merge_result, n_chunks):
    """Parallel build of ``encode_words``: chunks of words run on numba's threads.

    Parameters
    ----------
    symbols, offsets, table_keys, table_values, merge_result
        As in ``encode_words``.
    n_chunks : int
        Number of chunks of words (a few per thread).

    Returns
    -------
    tokens, token_offsets
        As in ``encode_words``, and equal to its result.
    """
    n_words = offsets.shape[0] - 1
    segmented = np.empty(symbols.shape[0], dtype=np.int32)
    lengths = np.empty(n_words, dtype=np.int64)
    chunk_size = (n_words + n_chunks - 1) // n_chunks
    for chunk in numba.prange(n_chunks):
        first = min(chunk * chunk_size, n_words)
        last = min(first + chunk_size, n_words)
        _encode_range(symbols, offsets, first, last, table_keys, table_values, merge_result,
                      segmented, lengths)
    return _compact(segmented, offsets, lengths)


@numba.njit(cache=True, nogil=True)
def _grow_int64(array, size):
    grown = np.empty(size, dtype=np.int64)
    grown[: array.shape[0]] = array
    return grown


@numba.njit(cache=True, nogil=True)
def _grow_int32(array, size):
    grown = np.empty(size, dtype=np.int32)
    grown[: array.shape[0]] = array
    return grown


@numba.njit(cache=True, nogil=True)
def _compare_tokens(first, second, spell, spell_offsets):
    """-1, 0 or 1 as token ``first`` sorts before, equal to or after ``second``."""
    i = spell_offsets[first]
    i_stop = spell_offsets[first + 1]
    j = spell_offsets[second]
    j_stop = spell_offsets[second + 1]
    while i < i_stop and j < j_stop:
        if spell[i] != spell[j]:
            return -1 if spell[i] < spell[j] else 1
        i += 1
        j += 1
    if i < i_stop:
        return 1
    if j < j_stop:
        return -1
    return 0


@numba.njit(cache=True, nogil=True)
def _sift_up(heap_count, heap_pair, position, count, pair, pair_left, pair_right, spell,
             spell_offsets):
    """Insert ``(count, pair)`` at the free slot ``position`` of the heap and sift it up.

    ``heap_count`` (int64) and ``heap_pair`` (int32) hold the heap entries; the other
    arguments are those of :func:`_ranks_before`, which orders the entries.
    """
    while position > 0:
        parent = (position - 1) // 2
        if _ranks_before(count, pair, heap_count[parent], heap_pair[parent], pair_left,
                         pair_right, spell, spell_offsets):
            heap_count[position] = heap_count[parent]
            heap_pair[position] = heap_pair[parent]
            position = parent
        else:
            break
    heap_count[position] = count
    heap_pair[position] = pair


@numba.njit(cache=True, nogil=True)
def _ranks_before(count_a, pair_a, count_b, pair_b, pair_left, pair_right, spell, spell_offsets):
    """True if heap entry a must pop before b: higher count, then the smaller pair."""
    if count_a != count_b:
        return count_a > count_b
    order = _compare_tokens(pair_left[pair_a], pair_left[pair_b], spell, spell_offsets)
    if order == 0:
        order = _compare_tokens(pair_right[pair_a], pair_right[pair_b], spell, spell_offsets)
    return order < 0


@numba.njit(cache=True, nogil=True)
def learn_merges(symbols, offsets, word_counts, n_base, max_merges, min_frequency):
    """Learn byte-pair merges over word types with counts.

    Parameters
    ----------
    symbols : int32 array of shape (n_symbols,)
        Base symbol ids of every word type, concatenated. Base ids must be numbered in the
        sorted order of the symbols' strings: ties between pairs are broken on them. ``-1``
        marks a symbol outside the alphabet, which pairs with nothing. The array is used as
        scratch space and is overwritten.
    offsets : int64 array of shape (n_words + 1,)
        Word ``i`` is ``symbols[offsets[i]:offsets[i + 1]]``.
    word_counts : int64 array of shape (n_words,)
        How often each word type occurs.
    n_base : int
        Number of base symbols; merge ``i`` creates symbol ``n_base + i``.
    max_merges : int
        Stop after this many merges.
    min_frequency : int
        Stop when the most frequent pair occurs fewer times than this.

    Returns
    -------
    merges : int32 array of shape (n_merges, 2)
        Left and right symbol of each merge, best first.
    merge_counts : int64 array of shape (n_merges,)
        Weighted count of each pair when it was merged.
    """
    n_words = word_counts.shape[0]
    lengths = np.empty(n_words, dtype=np.int64)
    longest = 1
    for w in range(n_words):
        lengths[w] = offsets[w + 1] - offsets[w]
        longest = max(longest, lengths[w])
    touched = np.zeros(longest, dtype=np.bool_)

    # Spelling of every symbol as a run of base ids, for the tie-break.
    spell = np.empty(max(16, 4 * n_base), dtype=np.int32)
    spell_offsets = np.empty(n_base + max_merges + 1, dtype=np.int64)
    for b in range(n_base):
        spell[b] = b
        spell_offsets[b] = b
    spell_offsets[n_base] = n_base

    # Pairs: hash table key -> pair id, then per-pair arrays.
    # Start small: the table then stays in cache while there are few distinct pairs.
    capacity = 1024
    table_keys = np.full(capacity, _EMPTY, dtype=np.int64)
    table_values = np.zeros(capacity, dtype=np.int64)
    n_pairs = 0
    pair_left = np.empty(1024, dtype=np.int32)
    pair_right = np.empty(1024, dtype=np.int32)
    pair_count = np.zeros(1024, dtype=np.int64)
    pair_head = np.empty(1024, dtype=np.int64)
    pair_stamp = np.empty(1024, dtype=np.int64)

    # Linked lists of the words containing each pair (with repeats and stale entries).
    node_word = np.empty(max(1024, symbols.shape[0]), dtype=np.int32)
    node_next = np.empty(max(1024, symbols.shape[0]), dtype=np.int64)
    n_nodes = 0

    heap_count = np.empty(1024, dtype=np.int64)
    heap_pair = np.empty(1024, dtype=np.int32)
    heap_size = 0

    word_stamp = np.full(n_words, -1, dtype=np.int64)
    merges = np.empty((max_merges, 2), dtype=np.int32)
    merge_counts = np.empty(max_merges, dtype=np.int64)
    new_pairs = np.empty(1024, dtype=np.int32)

    n_merges = 0
    # Pass -1 seeds the pairs of the initial words; pass m >= 0 performs merge m.
    for step in range(-1, max_merges):
        if step >= 0:
            # Pop the best pair, re-pushing stale entries with their current count.
            best = -1
            while heap_size > 0:
                top_count = heap_count[0]
                top_pair = heap_pair[0]
                heap_size -= 1
                last_count = heap_count[heap_size]
                last_pair = heap_pair[heap_size]
                position = 0
                while True:
                    child = 2 * position + 1
                    if child >= heap_size:
                        break
                    if child + 1 < heap_size and _ranks_before(
                        heap_count[child + 1], heap_pair[child + 1], heap_count[child],
                        heap_pair[child], pair_left, pair_right, spell, spell_offsets,
                    ):
                        child += 1
                    if _ranks_before(
                        heap_count[child], heap_pair[child], last_count, last_pair,
                        pair_left, pair_right, spell, spell_offsets,
                    ):
                        heap_count[position] = heap_count[child]
                        heap_pair[position] = heap_pair[child]
                        position = child
                    else:
                        break
                if heap_size > 0:
                    heap_count[position] = last_count
                    heap_pair[position] = last_pair
                current = pair_count[top_pair]
                if current == top_count:
                    best = top_pair
                    break
                if current >= min_frequency and current > 0:
                    # Push the corrected entry back.
                    _sift_up(heap_count, heap_pair, heap_size, current, top_pair,
                             pair_left, pair_right, spell, spell_offsets)
                    heap_size += 1
            if best < 0 or pair_count[best] < min_frequency or pair_count[best] <= 0:
                break
            left = pair_left[best]
            right = pair_right[best]
            new_symbol = n_base + n_merges
            merges[n_merges, 0] = left
            merges[n_merges, 1] = right
            merge_counts[n_merges] = pair_count[best]
            start = spell_offsets[new_symbol]
            needed = start + (spell_offsets[left + 1] - spell_offsets[left]) + (
                spell_offsets[right + 1] - spell_offsets[right]
            )
            if needed > spell.shape[0]:
                spell = _grow_int32(spell, max(2 * spell.shape[0], needed))
            for i in range(spell_offsets[left], spell_offsets[left + 1]):
                spell[start] = spell[i]
                start += 1
            for i in range(spell_offsets[right], spell_offsets[right + 1]):
                spell[start] = spell[i]
                start += 1
            spell_offsets[new_symbol + 1] = start
            node = pair_head[best]
            pair_head[best] = -1
        else:
            left = -1
            right = -1
            new_symbol = -1
            node = -1

        n_new_pairs = 0
        w_index = 0
        while True:
            # Words to update: every word in the seeding pass, else the merged pair's list.
            if step < 0:
                if w_index >= n_words:
                    break
                w = w_index
                w_index += 1
            else:
                if node < 0:
                    break
                w = node_word[node]
                node = node_next[node]
                if word_stamp[w] == step:
                    continue
                word_stamp[w] = step
            begin = offsets[w]
            length = lengths[w]
            count = word_counts[w]
            if step >= 0:
                # Mark the symbols that the left-to-right merge consumes.
                n_found = 0
                i = 0
                while i < length:
                    if (i + 1 < length and symbols[begin + i] == left
                            and symbols[begin + i + 1] == right):
                        touched[i] = True
                        touched[i + 1] = True
                        n_found += 1
                        i += 2
                    else:
                        touched[i] = False
                        i += 1
                if n_found == 0:
                    continue
                # Pairs that touch a merged symbol disappear; the others survive unchanged.
                for i in range(length - 1):
                    if touched[i] or touched[i + 1]:
                        a = symbols[begin + i]
                        b = symbols[begin + i + 1]
                        if a >= 0 and b >= 0:
                            pair = _table_find(table_keys, table_values, _pair_key(a, b))
                            pair_count[pair] -= count
                write = begin
                i = begin
                while i < begin + length:
                    if i + 1 < begin + length and symbols[i] == left and symbols[i + 1] == right:
                        symbols[write] = new_symbol
                        i += 2
                    else:
                        symbols[write] = symbols[i]
                        i += 1
                    write += 1
                length = write - begin
                lengths[w] = length
            for i in range(begin, begin + length - 1):
                a = symbols[i]
                b = symbols[i + 1]
                if a < 0 or b < 0:
                    continue
                if step >= 0 and a != new_symbol and b != new_symbol:
                    continue
                key = _pair_key(a, b)
                pair = _table_find(table_keys, table_values, key)
                if pair < 0:
                    if 2 * (n_pairs + 1) > table_keys.shape[0]:
                        old_keys = table_keys
                        old_values = table_values
                        table_keys = np.full(2 * old_keys.shape[0], _EMPTY, dtype=np.int64)
                        table_values = np.zeros(2 * old_keys.shape[0], dtype=np.int64)
                        for s in range(old_keys.shape[0]):
                            if old_keys[s] != _EMPTY:
                                _table_insert(table_keys, table_values, old_keys[s],
                                              old_values[s])
                    if n_pairs == pair_left.shape[0]:
                        size = 2 * n_pairs
                        pair_left = _grow_int32(pair_left, size)
                        pair_right = _grow_int32(pair_right, size)
                        pair_count = _grow_int64(pair_count, size)
                        pair_head = _grow_int64(pair_head, size)
                        pair_stamp = _grow_int64(pair_stamp, size)
                    pair = n_pairs
                    n_pairs += 1
                    _table_insert(table_keys, table_values, key, pair)
                    pair_left[pair] = a
                    pair_right[pair] = b
                    pair_count[pair] = 0
                    pair_head[pair] = -1
                    pair_stamp[pair] = -2
                pair_count[pair] += count
                if n_nodes == node_word.shape[0]:
                    node_word = _grow_int32(node_word, 2 * n_nodes)
                    node_next = _grow_int64(node_next, 2 * n_nodes)
                node_word[n_nodes] = w
                node_next[n_nodes] = pair_head[pair]
                pair_head[pair] = n_nodes
                n_nodes += 1
                if pair_stamp[pair] != step:
                    pair_stamp[pair] = step
                    if n_new_pairs == new_pairs.shape[0]:
                        new_pairs = _grow_int32(new_pairs, 2 * n_new_pairs)
                    new_pairs[n_new_pairs] = pair
                    n_new_pairs += 1
        if step >= 0:
            n_merges += 1
        # Push the pairs created in this pass with their final counts. A pair's count only
        # falls after the pass that created it, so rare pairs can never be merged: leaving
        # them out keeps the heap small.
        for k in range(n_new_pairs):
            pair = new_pairs[k]
            current = pair_count[pair]
            if current <= 0 or current < min_frequency:
                continue
            if heap_size == heap_count.shape[0]:
                heap_count = _grow_int64(heap_count, 2 * heap_size)
                heap_pair = _grow_int32(heap_pair, 2 * heap_size)
            _sift_up(heap_count, heap_pair, heap_size, current, pair,
                     pair_left, pair_right, spell, spell_offsets)
            heap_size += 1
    return merges[:n_merges].copy(), merge_counts[:n_merges].copy()
