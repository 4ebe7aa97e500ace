"""Interpolated modified Kneser-Ney trigram language model (Chen and Goodman 1998), in numpy.

The baseline of ``bench_nnlm.py``. Sentences (documents) are padded at the start with two
boundary symbols, exactly as the neural model pads its contexts; every real token is
predicted and the end of a document is not. Counts are kept as sorted int64 keys of the id
n-grams, so fitting on a million tokens and scoring take about a second.

    P3(w | u v) = max(c(uvw) - D3(c(uvw)), 0) / c(uv.) + g3(uv) P2(w | v)
    P2(w | v)   = max(N(.vw) - D2(N(.vw)), 0) / N(.v.) + g2(v) P1(w)
    P1(w)       = max(N(.w) - D1(N(.w)), 0) / N(..) + g1 / V

``c`` are counts, ``N`` continuation counts (how many distinct words precede), each ``D`` has
three values (for counts 1, 2 and 3 or more), and each ``g`` is the mass the discounts freed,
so every distribution sums to one. The discounts start from the Chen-Goodman estimates and
can be tuned on validation text (:meth:`KneserNeyTrigram.tune`).
"""

import numpy as np


def _trigrams(ids, offsets, boundary):
    """(u, v, w) ids of every token with its two predecessors, padded at document starts."""
    n = len(ids)
    position = np.arange(n)
    document = np.searchsorted(offsets, position, side="right") - 1
    start = offsets[document]
    u = np.where(position - 2 >= start, ids[np.maximum(position - 2, 0)], boundary)
    v = np.where(position - 1 >= start, ids[np.maximum(position - 1, 0)], boundary)
    return u.astype(np.int64), v.astype(np.int64), ids.astype(np.int64)


def _count_of_count_discounts(counts):
    n = [np.count_nonzero(counts == k) for k in (1, 2, 3, 4)]
    if min(n) == 0:
        return np.array([0.5, 0.75, 0.9])
    y = n[0] / (n[0] + 2 * n[1])
    return np.array([1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]])


class _Level:
    """Counts of one order keyed by (context, word), with per-context totals and N1/N2/N3+."""

    def __init__(self, context, word, weight, n_symbols):
        keys = context * n_symbols + word
        keys, inverse = np.unique(keys, return_inverse=True)
        self.counts = np.bincount(inverse, weights=weight).astype(np.int64)
        self.keys = keys
        self.n_symbols = n_symbols
        contexts = keys // n_symbols
        self.contexts, context_index = np.unique(contexts, return_inverse=True)
        self.totals = np.bincount(context_index, weights=self.counts)
        self.n_by_kind = np.stack([
            np.bincount(context_index, weights=self.counts == 1, minlength=len(self.contexts)),
            np.bincount(context_index, weights=self.counts == 2, minlength=len(self.contexts)),
            np.bincount(context_index, weights=self.counts >= 3, minlength=len(self.contexts)),
        ], axis=1)

    def lookup(self, context, word):
        keys = context * self.n_symbols + word
        i = np.searchsorted(self.keys, keys)
        i = np.minimum(i, len(self.keys) - 1)
        found = self.keys[i] == keys
        count = np.where(found, self.counts[i], 0)
        j = np.searchsorted(self.contexts, context)
        j = np.minimum(j, len(self.contexts) - 1)
        seen = self.contexts[j] == context
        total = np.where(seen, self.totals[j], 0.0)
        n_by_kind = np.where(seen[:, None], self.n_by_kind[j], 0.0)
        return count, total, n_by_kind

    def interpolate(self, context, word, lower, discounts):
        count, total, n_by_kind = self.lookup(context, word)
        kind = np.clip(count, 1, 3) - 1
        discounted = np.where(count > 0, np.maximum(count - discounts[kind], 0.0), 0.0)
        freed = n_by_kind @ discounts
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, (discounted + freed * lower) / safe, lower)


class KneserNeyTrigram:
    """Interpolated modified Kneser-Ney trigram over integer ids ``0 .. n_symbols - 1``.

    Parameters
    ----------
    n_symbols : int
        Number of predictable symbols (the vocabulary with its unknown-word symbol); the
        boundary padding gets id ``n_symbols``.
    """

    def __init__(self, n_symbols):
        self.n_symbols = n_symbols

    def fit(self, ids, offsets):
        boundary = self.n_symbols
        width = self.n_symbols + 1
        u, v, w = _trigrams(np.asarray(ids), np.asarray(offsets), boundary)
        self.trigram = _Level(u * width + v, w, np.ones(len(w)), width)
        # Continuation counts: each distinct trigram adds one to its (v, w), so N(.vw) counts
        # the distinct u before v w; each distinct bigram (v, w) adds one to N(.w).
        trigram_keys = self.trigram.keys
        self.bigram = _Level((trigram_keys // width) % width, trigram_keys % width,
                             np.ones(len(trigram_keys)), width)
        bigram_words = self.bigram.keys % width
        self.unigram = _Level(np.zeros(len(bigram_words), dtype=np.int64), bigram_words,
                              np.ones(len(bigram_words)), width)
        self.discounts = [
            _count_of_count_discounts(self.unigram.counts),
            _count_of_count_discounts(self.bigram.counts),
            _count_of_count_discounts(self.trigram.counts),
        ]
        return self

    def log_probs(self, ids, offsets):
        """Natural-log probability of every token given its two predecessors."""
        width = self.n_symbols + 1
        u, v, w = _trigrams(np.asarray(ids), np.asarray(offsets), self.n_symbols)
        uniform = np.full(len(w), 1.0 / self.n_symbols)
        p1 = self.unigram.interpolate(np.zeros(len(w), dtype=np.int64), w, uniform,
                                      self.discounts[0])
        p2 = self.bigram.interpolate(v, w, p1, self.discounts[1])
        p3 = self.trigram.interpolate(u * width + v, w, p2, self.discounts[2])
        return np.log(p3)

    def perplexity(self, ids, offsets):
        return float(np.exp(-self.log_probs(ids, offsets).mean()))

    def tune(self, ids, offsets, factors=np.linspace(0.6, 1.2, 13), rounds=1):
        """Scale each order's discounts by the factor that minimizes validation perplexity.

        Coordinate search, highest order first; returns the final validation perplexity.
        """
        best = self.perplexity(ids, offsets)
        for _ in range(rounds):
            for order in (2, 1, 0):
                base = self.discounts[order].copy()
                choice = base
                for factor in factors:
                    self.discounts[order] = np.clip(base * factor, 0.0, [1.0, 2.0, 3.0])
                    value = self.perplexity(ids, offsets)
                    if value < best:
                        best, choice = value, self.discounts[order].copy()
                self.discounts[order] = choice
        return best
