"""EmbeddingVectorizer: pretrained vectors as features."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skembed import EmbeddingVectorizer, KeyedVectors

from .conftest import make_documents


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(0)
    words = sorted({w for doc in make_documents(60) for w in doc.split()})
    return KeyedVectors(rng.normal(size=(len(words), 6)).astype(np.float32), words)


def test_mean_pooling_of_known_words(kv):
    vectorizer = EmbeddingVectorizer(kv).fit(make_documents(20))
    out = vectorizer.transform(["cat dog unknownword", "", "nothing-known-here"])
    np.testing.assert_allclose(out[0], (kv["cat"] + kv["dog"]) / 2, rtol=1e-6)
    assert not out[1:].any()
    assert vectorizer.load_seconds_ == 0.0


def test_fitted_vectors_are_a_copy_of_the_given_ones(kv):
    given = KeyedVectors(kv.vectors.copy(), kv.index_to_key)
    vectorizer = EmbeddingVectorizer(given).fit(make_documents(20))
    before = vectorizer.transform(["cat dog"])
    given.vectors[:] = 0.0  # the user reuses or changes their vectors after fit
    np.testing.assert_array_equal(vectorizer.transform(["cat dog"]), before)
    assert not np.shares_memory(vectorizer.word_vectors_.vectors, given.vectors)


def test_corpus_counts_every_token_read_known_or_not(kv):
    documents = ["cat dog unknownword", "zzz yyy", "cat"]
    corpus = EmbeddingVectorizer(kv)._build_corpus(documents)
    assert corpus.n_raw_tokens == 6
    assert corpus.ids.tolist() == [kv.get_index("cat"), kv.get_index("dog"), kv.get_index("cat")]
    assert corpus.counts[kv.get_index("cat")] == 2 and corpus.counts.sum() == 3


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec_binary", "glove"])
def test_path_parameter_stays_a_path_and_loads_once(kv, tmp_path, fmt, monkeypatch):
    path = tmp_path / ("vectors.bin" if fmt == "word2vec_binary" else f"vectors.{fmt}.txt")
    if fmt == "glove":
        kv.save_glove_format(path)
    else:
        kv.save_word2vec_format(path, binary=fmt == "word2vec_binary")
    vectorizer = EmbeddingVectorizer(str(path), max_vocab_size=10)
    documents = make_documents(30)
    expected = EmbeddingVectorizer(
        KeyedVectors(kv.vectors[:10], kv.index_to_key[:10])
    ).fit_transform(documents)
    np.testing.assert_allclose(vectorizer.fit_transform(documents), expected, rtol=1e-6)
    assert vectorizer.get_params()["vectors"] == str(path)
    assert clone(vectorizer).vectors == str(path)
    assert len(vectorizer.word_vectors_) == 10

    # transform never reads the file again: it works after the file is gone.
    path.unlink()
    np.testing.assert_allclose(vectorizer.transform(documents), expected, rtol=1e-6)
    restored = pickle.loads(pickle.dumps(vectorizer))
    np.testing.assert_allclose(restored.transform(documents), expected, rtol=1e-6)


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        EmbeddingVectorizer(str(tmp_path / "nope.txt")).fit(["a b"])


def test_bad_vectors_type_is_explained():
    with pytest.raises(ValueError, match="The 'vectors' parameter of EmbeddingVectorizer"):
        EmbeddingVectorizer(vectors=[1, 2, 3]).fit(["a b"])


@pytest.mark.parametrize("pooling", ["tfidf", "sif", "max"])
def test_pooling_modes_are_finite(kv, pooling):
    out = EmbeddingVectorizer(kv, pooling=pooling, norm="l2").fit_transform(make_documents(30))
    assert out.shape == (30, kv.vector_size)
    assert np.all(np.isfinite(out))


def test_shipped_test_vectors_load_and_pool():
    import pathlib

    path = pathlib.Path(__file__).parent / "data" / "sotu_vectors.txt"
    vectorizer = EmbeddingVectorizer(str(path), pooling="sif")
    documents = ["the economy is growing", "our troops and our nation", "zzzz"]
    out = vectorizer.fit_transform(documents)
    assert vectorizer.word_vectors_.vectors.shape == (1274, 24)
    assert out.shape == (3, 24) and np.all(np.isfinite(out))
    assert not out[2].any()
    assert vectorizer.load_seconds_ > 0
