"""A lean pure-Python BPE trainer, kept only to measure what the numba kernel buys.

Same algorithm as ``skembed._kernels._bpe.learn_merges`` (pair counts, a pair -> words index,
a heap with lazy invalidation, rewriting only the words that contain the merged pair, ties to
the smallest (left, right) pair), written with dicts, sets and ``heapq``.

    flock /tmp/skembed-bench.lock python benchmarks/bpe_pure_python.py --limit 100000
"""

import argparse
import heapq
import os
import sys
import time
from collections import defaultdict

import numpy as np


def learn_merges_python(word_counts, n_merges, min_frequency):
    """word_counts: dict of tuple of symbols -> count. Returns the list of merges."""
    words = [list(word) for word in word_counts]
    counts = list(word_counts.values())
    pair_counts = defaultdict(int)
    where = defaultdict(set)
    for index, (word, count) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += count
            where[pair].add(index)
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        negative, pair = heapq.heappop(heap)
        current = pair_counts.get(pair, 0)
        if -negative != current:
            if current > 0:
                heapq.heappush(heap, (-current, pair))
            continue
        if current < min_frequency:
            break
        merges.append(pair)
        left, right = pair
        merged = left + right
        changed = set()
        for index in where.pop(pair, ()):
            word = words[index]
            count = counts[index]
            if not any(a == left and b == right for a, b in zip(word, word[1:])):
                continue
            for old in zip(word, word[1:]):
                pair_counts[old] -= count
            out = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == left and word[i + 1] == right:
                    out.append(merged)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            words[index] = out
            for new in zip(out, out[1:]):
                pair_counts[new] += count
                if merged in new:
                    where[new].add(index)
                    changed.add(new)
        pair_counts.pop(pair, None)
        for new in changed:
            heapq.heappush(heap, (-pair_counts[new], new))
    return merges


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="../shared/data/corpus_en.txt.xz")
    parser.add_argument("--limit", type=int, default=100000)
    parser.add_argument("--merges", type=int, default=8000)
    args = parser.parse_args()
    sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)),
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")]
    from bench_bpe import read_documents

    from skembed._kernels._bpe import learn_merges
    from skembed.bpe import CHAR_LEVEL_PATTERN, BPETokenizer, _count_words

    documents = read_documents(args.corpus, args.limit)
    counted = _count_words(documents, CHAR_LEVEL_PATTERN, False)
    words = {tuple(word) + ("</w>",): count for word, count in counted.items()}
    start = time.perf_counter()
    python_merges = learn_merges_python(words, args.merges, 2)
    python_time = time.perf_counter() - start

    names = list(counted)
    counts = np.fromiter(counted.values(), dtype=np.int64, count=len(names))
    alphabet, symbols, offsets = BPETokenizer()._char_symbols(names, counts, 0)
    learn_merges(symbols[:2].copy(), offsets[:2].copy(), counts[:1].copy(), len(alphabet), 1, 1)
    start = time.perf_counter()
    merge_ids, _ = learn_merges(symbols, offsets, counts, len(alphabet), args.merges, 2)
    numba_time = time.perf_counter() - start
    strings = list(alphabet)
    for left, right in merge_ids:
        strings.append(strings[left] + strings[right])
    numba_merges = [(strings[left], strings[right]) for left, right in merge_ids]
    print(f"| {len(documents):,} documents, {len(words):,} word types, {args.merges:,} merges "
          f"| pure Python {python_time:.2f} s | numba {numba_time:.2f} s "
          f"| {python_time / numba_time:.0f}x | identical merges: "
          f"{python_merges == numba_merges} |")


if __name__ == "__main__":
    main()
