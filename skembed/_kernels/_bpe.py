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

from collections import namedtuple

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


# Training state. Pairs get stable ids in the order they are first seen; ``keys``/``slots`` is
# the open-addressing table from ``left << 32 | right`` to the pair id, and ``head`` starts
# each pair's linked list of word occurrences (stale and repeated entries are skipped when
# the list is read). ``stamp`` is the last pass that added an occurrence of the pair.
_Pairs = namedtuple("_Pairs", ["keys", "slots", "left", "right", "count", "head", "stamp"])
# Linked-list nodes: the word of each occurrence and the next node of the same pair.
_Occurrences = namedtuple("_Occurrences", ["word", "next"])
# Binary max-heap of (count, pair) entries, ordered by ``_ranks_before``.
_Heap = namedtuple("_Heap", ["count", "pair"])
# Spelling of every symbol as a run of base ids, for the tie-break.
_Spelling = namedtuple("_Spelling", ["ids", "offsets"])


@numba.njit(cache=True, nogil=True)
def _grow_table(pairs, capacity):
    """``pairs`` with its hash table rebuilt at ``capacity`` slots."""
    keys = np.full(capacity, _EMPTY, dtype=np.int64)
    slots = np.zeros(capacity, dtype=np.int64)
    for s in range(pairs.keys.shape[0]):
        if pairs.keys[s] != _EMPTY:
            _table_insert(keys, slots, pairs.keys[s], pairs.slots[s])
    return _Pairs(keys, slots, pairs.left, pairs.right, pairs.count, pairs.head, pairs.stamp)


@numba.njit(cache=True, nogil=True)
def _reserve(pairs, n_pairs, occurrences, n_nodes, new_pairs, n_new_pairs, extra):
    """Grow the training arrays so that ``extra`` more pairs and occurrences fit.

    Returns ``(pairs, occurrences, new_pairs)``, the same arrays or larger copies.
    """
    if 2 * (n_pairs + extra) > pairs.keys.shape[0]:
        capacity = pairs.keys.shape[0]
        while 2 * (n_pairs + extra) > capacity:
            capacity *= 2
        pairs = _grow_table(pairs, capacity)
    if n_pairs + extra > pairs.left.shape[0]:
        size = max(2 * pairs.left.shape[0], n_pairs + extra)
        pairs = _Pairs(pairs.keys, pairs.slots, _grow_int32(pairs.left, size),
                       _grow_int32(pairs.right, size), _grow_int64(pairs.count, size),
                       _grow_int64(pairs.head, size), _grow_int64(pairs.stamp, size))
    if n_nodes + extra > occurrences.word.shape[0]:
        size = max(2 * occurrences.word.shape[0], n_nodes + extra)
        occurrences = _Occurrences(_grow_int32(occurrences.word, size),
                                   _grow_int64(occurrences.next, size))
    if n_new_pairs + extra > new_pairs.shape[0]:
        new_pairs = _grow_int32(new_pairs, max(2 * new_pairs.shape[0], n_new_pairs + extra))
    return pairs, occurrences, new_pairs


@numba.njit(cache=True, nogil=True)
def _room(pairs, n_pairs, occurrences, n_nodes, new_pairs, n_new_pairs):
    """How many more pairs and occurrences fit without ``_reserve`` growing an array."""
    return min(pairs.keys.shape[0] // 2 - n_pairs, pairs.left.shape[0] - n_pairs,
               occurrences.word.shape[0] - n_nodes, new_pairs.shape[0] - n_new_pairs)


@numba.njit(cache=True, nogil=True)
def _add_pair_occurrence(keys, slots, lefts, rights, counts, heads, stamps, node_word,
                         node_next, new_pairs, n_pairs, n_nodes, n_new_pairs, a, b, word, count,
                         step):
    """Count one occurrence of the pair ``(a, b)`` in ``word`` (weighted by ``count``).

    The pair gets an id if it is new, the word joins its list of occurrences, and the pair
    is recorded in ``new_pairs`` the first time pass ``step`` adds to it. The arrays must
    have room (see ``_reserve``). Returns the new ``(n_pairs, n_nodes, n_new_pairs)``.
    """
    key = _pair_key(a, b)
    pair = _table_find(keys, slots, key)
    if pair < 0:
        pair = n_pairs
        n_pairs += 1
        _table_insert(keys, slots, key, pair)
        lefts[pair] = a
        rights[pair] = b
        counts[pair] = 0
        heads[pair] = -1
        stamps[pair] = -2
    counts[pair] += count
    node_word[n_nodes] = word
    node_next[n_nodes] = heads[pair]
    heads[pair] = n_nodes
    n_nodes += 1
    if stamps[pair] != step:
        stamps[pair] = step
        new_pairs[n_new_pairs] = pair
        n_new_pairs += 1
    return n_pairs, n_nodes, n_new_pairs


@numba.njit(cache=True, nogil=True)
def _merge_in_word(symbols, begin, length, left, right, new_symbol, touched, keys, slots,
                   pair_count, count):
    """Replace each ``(left, right)`` of one word by ``new_symbol``, left to right.

    The pairs that touch a merged symbol lose ``count`` occurrences; the pairs between
    untouched symbols survive unchanged. ``touched`` is scratch space of at least
    ``length`` booleans. Returns the new length, or -1 if the word holds no such pair (it
    is then left as it was).
    """
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
        return -1
    for i in range(length - 1):
        if touched[i] or touched[i + 1]:
            a = symbols[begin + i]
            b = symbols[begin + i + 1]
            if a >= 0 and b >= 0:
                pair_count[_table_find(keys, slots, _pair_key(a, b))] -= count
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
    return write - begin


@numba.njit(cache=True, nogil=True)
def _pop_best_pair(heap, heap_size, pairs, spelling, min_frequency):
    """Pop heap entries until one holds its pair's current count.

    Stale entries (the pair's count fell since the push) are pushed back with the current
    count while it can still be merged. Returns ``(best pair or -1, new heap size)``.
    """
    heap_count, heap_pair = heap
    pair_left, pair_right, pair_count = pairs.left, pairs.right, pairs.count
    spell, spell_offsets = spelling
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
            return top_pair, heap_size
        if current >= min_frequency and current > 0:
            _sift_up(heap_count, heap_pair, heap_size, current, top_pair,
                     pair_left, pair_right, spell, spell_offsets)
            heap_size += 1
    return -1, heap_size


@numba.njit(cache=True, nogil=True)
def _push_new_pairs(heap, heap_size, new_pairs, n_new_pairs, pairs, spelling, min_frequency):
    """Push the pairs created in a pass with their final counts.

    A pair's count only falls after the pass that created it, so pairs rarer than
    ``min_frequency`` can never be merged: leaving them out keeps the heap small. Returns
    ``(heap, heap_size)``.
    """
    for k in range(n_new_pairs):
        pair = new_pairs[k]
        current = pairs.count[pair]
        if current <= 0 or current < min_frequency:
            continue
        if heap_size == heap.count.shape[0]:
            heap = _Heap(_grow_int64(heap.count, 2 * heap_size),
                         _grow_int32(heap.pair, 2 * heap_size))
        _sift_up(heap.count, heap.pair, heap_size, current, pair,
                 pairs.left, pairs.right, spelling.ids, spelling.offsets)
        heap_size += 1
    return heap, heap_size


@numba.njit(cache=True, nogil=True)
def _spell_merge(spelling, new_symbol, left, right):
    """Append the spelling of ``new_symbol``, the concatenation of ``left`` and ``right``."""
    ids = spelling.ids
    offsets = spelling.offsets
    start = offsets[new_symbol]
    needed = start + (offsets[left + 1] - offsets[left]) + (offsets[right + 1] - offsets[right])
    if needed > ids.shape[0]:
        ids = _grow_int32(ids, max(2 * ids.shape[0], needed))
    for i in range(offsets[left], offsets[left + 1]):
        ids[start] = ids[i]
        start += 1
    for i in range(offsets[right], offsets[right + 1]):
        ids[start] = ids[i]
        start += 1
    offsets[new_symbol + 1] = start
    return _Spelling(ids, offsets)


@numba.njit(cache=True, nogil=True)
def _new_training_state(n_symbols, n_base, max_merges):
    """Empty pairs, occurrences, heap and new-pair list, and the base spelling."""
    # Start small: the table then stays in cache while there are few distinct pairs.
    pairs = _Pairs(np.full(1024, _EMPTY, dtype=np.int64), np.zeros(1024, dtype=np.int64),
                   np.empty(1024, dtype=np.int32), np.empty(1024, dtype=np.int32),
                   np.zeros(1024, dtype=np.int64), np.empty(1024, dtype=np.int64),
                   np.empty(1024, dtype=np.int64))
    occurrences = _Occurrences(np.empty(max(1024, n_symbols), dtype=np.int32),
                               np.empty(max(1024, n_symbols), dtype=np.int64))
    heap = _Heap(np.empty(1024, dtype=np.int64), np.empty(1024, dtype=np.int32))
    spelling = _Spelling(np.empty(max(16, 4 * n_base), dtype=np.int32),
                         np.empty(n_base + max_merges + 1, dtype=np.int64))
    for b in range(n_base):
        spelling.ids[b] = b
        spelling.offsets[b] = b
    spelling.offsets[n_base] = n_base
    return pairs, occurrences, heap, spelling, np.empty(1024, dtype=np.int32)


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
    lengths = offsets[1:] - offsets[:-1]
    touched = np.zeros(max(1, lengths.max()) if n_words else 1, dtype=np.bool_)
    pairs, occurrences, heap, spelling, new_pairs = _new_training_state(
        symbols.shape[0], n_base, max_merges
    )
    word_stamp = np.full(n_words, -1, dtype=np.int64)
    merges = np.empty((max_merges, 2), dtype=np.int32)
    merge_counts = np.empty(max_merges, dtype=np.int64)

    # Pass -1 seeds the pair counts with every pair of every word.
    n_pairs = n_nodes = n_new_pairs = 0
    room = 0
    for w in range(n_words):
        if lengths[w] > room:
            pairs, occurrences, new_pairs = _reserve(pairs, n_pairs, occurrences, n_nodes,
                                                     new_pairs, n_new_pairs, lengths[w])
            room = _room(pairs, n_pairs, occurrences, n_nodes, new_pairs, n_new_pairs)
        room -= lengths[w]
        keys, slots, lefts, rights, counts, heads, stamps = pairs
        node_word, node_next = occurrences
        for i in range(offsets[w], offsets[w + 1] - 1):
            if symbols[i] >= 0 and symbols[i + 1] >= 0:
                n_pairs, n_nodes, n_new_pairs = _add_pair_occurrence(
                    keys, slots, lefts, rights, counts, heads, stamps, node_word, node_next,
                    new_pairs, n_pairs, n_nodes, n_new_pairs,
                    symbols[i], symbols[i + 1], w, word_counts[w], -1,
                )
    heap, heap_size = _push_new_pairs(heap, 0, new_pairs, n_new_pairs, pairs, spelling,
                                      min_frequency)

    # Pass m performs merge m on the words in the merged pair's list of occurrences.
    n_merges = 0
    for step in range(max_merges):
        best, heap_size = _pop_best_pair(heap, heap_size, pairs, spelling, min_frequency)
        if best < 0 or pairs.count[best] < min_frequency or pairs.count[best] <= 0:
            break
        left = pairs.left[best]
        right = pairs.right[best]
        new_symbol = n_base + n_merges
        merges[n_merges, 0] = left
        merges[n_merges, 1] = right
        merge_counts[n_merges] = pairs.count[best]
        spelling = _spell_merge(spelling, new_symbol, left, right)
        node = pairs.head[best]
        pairs.head[best] = -1
        n_new_pairs = 0
        room = _room(pairs, n_pairs, occurrences, n_nodes, new_pairs, n_new_pairs)
        keys, slots, lefts, rights, counts, heads, stamps = pairs
        node_word, node_next = occurrences
        while node >= 0:
            w = node_word[node]
            node = node_next[node]
            if word_stamp[w] == step:
                continue
            word_stamp[w] = step
            begin = offsets[w]
            length = _merge_in_word(symbols, begin, lengths[w], left, right, new_symbol,
                                    touched, keys, slots, counts, word_counts[w])
            if length < 0:
                continue
            lengths[w] = length
            if length > room:
                pairs, occurrences, new_pairs = _reserve(pairs, n_pairs, occurrences, n_nodes,
                                                         new_pairs, n_new_pairs, length)
                keys, slots, lefts, rights, counts, heads, stamps = pairs
                node_word, node_next = occurrences
            # Only the pairs that hold the new symbol are new occurrences.
            n_added = n_nodes
            for i in range(begin, begin + length - 1):
                a = symbols[i]
                b = symbols[i + 1]
                if a >= 0 and b >= 0 and (a == new_symbol or b == new_symbol):
                    n_pairs, n_nodes, n_new_pairs = _add_pair_occurrence(
                        keys, slots, lefts, rights, counts, heads, stamps, node_word,
                        node_next, new_pairs, n_pairs, n_nodes, n_new_pairs,
                        a, b, w, word_counts[w], step,
                    )
            room = _room(pairs, n_pairs, occurrences, n_nodes, new_pairs, n_new_pairs) \
                if length > room else room - (n_nodes - n_added)
        n_merges += 1
        heap, heap_size = _push_new_pairs(heap, heap_size, new_pairs, n_new_pairs, pairs,
                                          spelling, min_frequency)
    return merges[:n_merges].copy(), merge_counts[:n_merges].copy()


# Pre-tokenization and the table of distinct words. Text reaches these kernels as an array of
# Unicode code points; a word is a run ``codes[start:end]``. Distinct words are numbered in
# the order they are first seen and stored once, their code points concatenated in ``chars``.
# ``slots`` is an open-addressing table from a word's hash to its id; ``sizes`` holds the
# number of words and of stored code points, so that the arrays can have spare room.
WordTable = namedtuple("WordTable", ["slots", "hashes", "chars", "offsets", "sizes"])

# Character classes of the default pre-tokenizer, the pattern ``\w+|[^\w\s]+``.
SPACE, WORD_CHAR, PUNCTUATION = 0, 1, 2


def new_word_table():
    """An empty ``WordTable``."""
    return WordTable(np.full(1024, _EMPTY, dtype=np.int64), np.zeros(512, dtype=np.uint64),
                     np.zeros(4096, dtype=np.uint32), np.zeros(513, dtype=np.int64),
                     np.zeros(2, dtype=np.int64))


@numba.njit(cache=True, nogil=True)
def split_words(codes, char_class, document_ends):
    """Words of ``\\w+|[^\\w\\s]+``: maximal runs of word characters or of punctuation.

    Parameters
    ----------
    codes : uint32 array of shape (n_codes,)
        Code points of the documents, concatenated.
    char_class : uint8 array of shape (0x110000,)
        ``SPACE``, ``WORD_CHAR`` or ``PUNCTUATION`` for every code point, as Python's ``re``
        classifies it (``\\s``, ``\\w``, neither).
    document_ends : int64 array of shape (n_documents,)
        Document ``i`` ends at ``codes[document_ends[i]]``; a word never crosses it.

    Returns
    -------
    starts, ends : int64 arrays of shape (n_words,)
        Word ``j`` is ``codes[starts[j]:ends[j]]``.
    word_offsets : int64 array of shape (n_documents + 1,)
        The words of document ``i`` are ``word_offsets[i]`` to ``word_offsets[i + 1] - 1``.
    """
    # Words are about five code points long in prose; the arrays grow when text is denser.
    starts = np.empty(codes.shape[0] // 4 + 16, dtype=np.int64)
    ends = np.empty(codes.shape[0] // 4 + 16, dtype=np.int64)
    word_offsets = np.zeros(document_ends.shape[0] + 1, dtype=np.int64)
    n_words = 0
    i = 0
    for document in range(document_ends.shape[0]):
        stop = document_ends[document]
        while i < stop:
            kind = char_class[codes[i]]
            if kind == SPACE:
                i += 1
                continue
            if n_words == starts.shape[0]:
                starts = _grow_int64(starts, 2 * n_words)
                ends = _grow_int64(ends, 2 * n_words)
            starts[n_words] = i
            i += 1
            while i < stop and char_class[codes[i]] == kind:
                i += 1
            ends[n_words] = i
            n_words += 1
        word_offsets[document + 1] = n_words
    return starts[:n_words], ends[:n_words], word_offsets


@numba.njit(cache=True, nogil=True, inline="always")
def _hash_codes(codes, start, end):
    """64-bit FNV-1a hash of ``codes[start:end]``, never equal to zero."""
    value = np.uint64(0xCBF29CE484222325)
    for i in range(start, end):
        value = (value ^ np.uint64(codes[i])) * np.uint64(0x100000001B3)
    return value | np.uint64(1)


@numba.njit(cache=True, nogil=True)
def _same_word(codes, start, end, chars, first, last):
    if end - start != last - first:
        return False
    for k in range(end - start):
        if codes[start + k] != chars[first + k]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _rehash_words(table, capacity):
    """``table`` with its slots rebuilt at ``capacity`` (a power of two)."""
    slots = np.full(capacity, _EMPTY, dtype=np.int64)
    mask = np.uint64(capacity - 1)
    for word in range(table.sizes[0]):
        slot = np.int64((table.hashes[word] * _HASH_MULTIPLIER >> np.uint64(29)) & mask)
        while slots[slot] != _EMPTY:
            slot = (slot + 1) & (capacity - 1)
        slots[slot] = word
    return WordTable(slots, table.hashes, table.chars, table.offsets, table.sizes)


@numba.njit(cache=True, nogil=True)
def _reserve_words(table, n_words, n_chars):
    """Grow ``table`` so that ``n_words`` more words of ``n_chars`` code points fit."""
    words = table.sizes[0] + n_words
    if 2 * words > table.slots.shape[0]:
        capacity = table.slots.shape[0]
        while 2 * words > capacity:
            capacity *= 2
        table = _rehash_words(table, capacity)
    hashes, chars, offsets = table.hashes, table.chars, table.offsets
    if words > hashes.shape[0]:
        size = max(2 * hashes.shape[0], words)
        grown = np.zeros(size, dtype=np.uint64)
        grown[:hashes.shape[0]] = hashes
        hashes = grown
        offsets = _grow_int64(offsets, size + 1)
    if table.sizes[1] + n_chars > chars.shape[0]:
        grown_chars = np.zeros(max(2 * chars.shape[0], table.sizes[1] + n_chars), np.uint32)
        grown_chars[:chars.shape[0]] = chars
        chars = grown_chars
    return WordTable(table.slots, hashes, chars, offsets, table.sizes)


@numba.njit(cache=True, nogil=True)
def index_words(codes, starts, ends, table):
    """Id of every word ``codes[starts[j]:ends[j]]``, adding new words to ``table``.

    Parameters
    ----------
    codes : uint32 array of shape (n_codes,)
        Code points.
    starts, ends : int64 arrays of shape (n_words,)
        Bounds of each word in ``codes``.
    table : WordTable
        Distinct words seen so far; ids of new words follow in order of first occurrence.

    Returns
    -------
    table : WordTable
        The same table, or a grown copy, holding every word.
    ids : int64 array of shape (n_words,)
        Id of each word.
    """
    n = starts.shape[0]
    total = 0
    for j in range(n):
        total += ends[j] - starts[j]
    table = _reserve_words(table, n, total)
    slots, hashes, chars, offsets, sizes = table
    mask = slots.shape[0] - 1
    ids = np.empty(n, dtype=np.int64)
    n_words = sizes[0]
    n_chars = sizes[1]
    for j in range(n):
        start = starts[j]
        end = ends[j]
        value = _hash_codes(codes, start, end)
        slot = np.int64((value * _HASH_MULTIPLIER >> np.uint64(29)) & np.uint64(mask))
        while True:
            word = slots[slot]
            if word == _EMPTY:
                word = n_words
                n_words += 1
                slots[slot] = word
                hashes[word] = value
                for k in range(end - start):
                    chars[n_chars + k] = codes[start + k]
                n_chars += end - start
                offsets[word + 1] = n_chars
                break
            if hashes[word] == value and _same_word(codes, start, end, chars, offsets[word],
                                                    offsets[word + 1]):
                break
            slot = (slot + 1) & mask
        ids[j] = word
    sizes[0] = n_words
    sizes[1] = n_chars
    return table, ids


@numba.njit(cache=True, nogil=True)
def gather_tokens(ids, word_tokens, word_token_offsets):
    """Concatenate the tokens of the words ``ids``.

    Parameters
    ----------
    ids : int64 array of shape (n_words,)
        Word ids.
    word_tokens : int32 array
        Tokens of every known word, concatenated.
    word_token_offsets : int64 array
        Word ``w`` has the tokens ``word_tokens[word_token_offsets[w]:word_token_offsets[w + 1]]``.

    Returns
    -------
    tokens : int32 array of shape (n_tokens,)
        The tokens of the words, in order.
    token_offsets : int64 array of shape (n_words + 1,)
        Word ``j`` has the tokens ``tokens[token_offsets[j]:token_offsets[j + 1]]``.
    """
    token_offsets = np.zeros(ids.shape[0] + 1, dtype=np.int64)
    for j in range(ids.shape[0]):
        word = ids[j]
        token_offsets[j + 1] = token_offsets[j] + (
            word_token_offsets[word + 1] - word_token_offsets[word]
        )
    tokens = np.empty(token_offsets[-1], dtype=np.int32)
    for j in range(ids.shape[0]):
        word = ids[j]
        first = word_token_offsets[word]
        position = token_offsets[j]
        for k in range(word_token_offsets[word + 1] - first):
            tokens[position + k] = word_tokens[first + k]
    return tokens, token_offsets
