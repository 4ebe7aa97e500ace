"""The pooled transform shared by the embedding vectorizers, against numpy references."""

import numpy as np
import pytest

from skembed._base import PooledVectorizer
from skembed._kernels import _pooling
from skembed._text import DEFAULT_TOKEN_PATTERN

from .conftest import record_calls


class FixedVectors(PooledVectorizer):
    """A vectorizer whose word vectors are drawn at random: enough to test pooling."""

    _parameter_constraints = {**PooledVectorizer._parameter_constraints, "dim": [int]}

    def __init__(
        self,
        dim=4,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        min_count=1,
        max_vocab_size=None,
        pooling="mean",
        sif_alpha=1e-3,
        norm=None,
        n_jobs=None,
    ):
        self.dim = dim
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.token_pattern = token_pattern
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.pooling = pooling
        self.sif_alpha = sif_alpha
        self.norm = norm
        self.n_jobs = n_jobs

    def _fit_word_vectors(self, corpus):
        rng = np.random.default_rng(0)
        return rng.normal(size=(len(corpus.index_to_key), self.dim)).astype(np.float32)


DOCUMENTS = ["aa bb aa", "bb cc", "", "cc cc dd", "aa", "dd zz", "zz"]


def _reference(model, documents, pooling):
    kv = model.word_vectors_
    counts = {key: 0 for key in kv.index_to_key}
    document_frequency = dict(counts)
    tokenized = [doc.split() for doc in DOCUMENTS]
    for doc in tokenized:
        for token in doc:
            counts[token] += 1
        for token in set(doc):
            document_frequency[token] += 1
    total = sum(counts.values())
    rows = []
    for doc in documents:
        tokens = [t for t in doc.split() if t in kv]
        if not tokens:
            rows.append(np.zeros(kv.vector_size))
            continue
        vectors = np.array([kv[t] for t in tokens], dtype=np.float64)
        if pooling == "mean":
            rows.append(vectors.mean(axis=0))
        elif pooling == "max":
            rows.append(vectors.max(axis=0))
        elif pooling == "tfidf":
            n = len(DOCUMENTS)
            weights = np.array(
                [np.log((1 + n) / (1 + document_frequency[t])) + 1 for t in tokens]
            )
            rows.append(weights @ vectors / weights.sum())
        elif pooling == "sif":
            weights = np.array([1e-3 / (1e-3 + counts[t] / total) for t in tokens])
            rows.append(weights @ vectors / len(tokens))
    return np.array(rows)


@pytest.mark.parametrize("pooling", ["mean", "max", "tfidf", "sif"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_pooling_matches_reference(pooling, n_jobs, monkeypatch):
    kernel = "elementwise_max" if pooling == "max" else "weighted_mean"
    serial = record_calls(monkeypatch, _pooling, kernel)
    parallel = record_calls(monkeypatch, _pooling, f"{kernel}_parallel")
    model = FixedVectors(pooling=pooling, n_jobs=n_jobs, token_pattern=r"\w+").fit(DOCUMENTS)
    queries = DOCUMENTS + ["aa unknown bb", "unknown"]
    got = model.transform(queries)
    # The build that ran is the one asked for (test_kernel_builds checks its thread count).
    used, unused = (parallel, serial) if n_jobs == 2 else (serial, parallel)
    assert used and not unused
    expected = _reference(model, queries, pooling)
    if pooling == "sif":
        # SIF removes the projection on the first singular vector of the training rows.
        training = _reference(model, DOCUMENTS, pooling)
        u = np.linalg.svd(training, full_matrices=False)[2][0]
        expected = expected - np.outer(expected @ u, u)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_l2_norm_and_zero_rows():
    model = FixedVectors(norm="l2", token_pattern=r"\w+").fit(DOCUMENTS)
    out = model.transform(["aa bb", "unknown", ""])
    np.testing.assert_allclose(np.linalg.norm(out[0]), 1.0, rtol=1e-6)
    assert not out[1:].any()


def test_min_count_that_leaves_nothing_is_explained():
    with pytest.raises(ValueError, match="Try a lower min_count"):
        FixedVectors(min_count=50).fit(DOCUMENTS)


def test_document_frequency_kernel():
    ids = np.array([0, 0, 1, 1, 2, 0], dtype=np.int32)
    offsets = np.array([0, 3, 3, 6], dtype=np.int64)
    assert _pooling.document_frequency(ids, offsets, 4).tolist() == [2, 2, 1, 0]
