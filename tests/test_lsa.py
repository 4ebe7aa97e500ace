"""LSAVectorizer: the same numbers as TfidfVectorizer + TruncatedSVD, plus term vectors."""

import numpy as np
import pytest
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from skembed import KeyedVectors, LSAVectorizer

from .conftest import make_documents


@pytest.mark.parametrize(
    "tfidf_params",
    [
        {},
        {"min_df": 2, "sublinear_tf": True},
        {"ngram_range": (1, 2), "stop_words": "english", "max_features": 50},
        {"analyzer": "char_wb", "ngram_range": (2, 3), "use_idf": False},
    ],
)
@pytest.mark.parametrize("algorithm", ["randomized", "arpack"])
def test_same_vectors_as_tfidf_and_truncated_svd(tfidf_params, algorithm):
    documents = make_documents(n_documents=80, seed=3)
    ours = LSAVectorizer(n_components=5, algorithm=algorithm, random_state=0, **tfidf_params)
    theirs = make_pipeline(
        TfidfVectorizer(**tfidf_params),
        TruncatedSVD(n_components=5, algorithm=algorithm, random_state=0),
    )
    np.testing.assert_allclose(
        ours.fit_transform(documents), theirs.fit_transform(documents), atol=1e-10
    )
    new = ["cat dog bread", "bank loan market", "nothing known here"]
    np.testing.assert_allclose(ours.transform(new), theirs.transform(new), atol=1e-10)


def test_classic_fold_in_and_inverse_transform():
    documents = make_documents(n_documents=60, seed=4)
    projection = LSAVectorizer(n_components=4, algorithm="arpack").fit(documents)
    classic = LSAVectorizer(n_components=4, algorithm="arpack", fold_in="classic").fit(documents)
    latent = classic.transform(documents)
    # For the training documents the classic fold-in gives U_k: orthonormal columns.
    np.testing.assert_allclose(latent.T @ latent, np.eye(4), atol=1e-6)
    np.testing.assert_allclose(
        latent * classic.singular_values_, projection.transform(documents), atol=1e-10
    )
    for model in (projection, classic):
        tfidf = model._tfidf.transform(documents).toarray()
        rebuilt = model.inverse_transform(model.transform(documents))
        assert rebuilt.shape == tfidf.shape
        # The rank-4 reconstruction explains most of the topical matrix.
        assert np.linalg.norm(rebuilt - tfidf) < 0.8 * np.linalg.norm(tfidf)
    with pytest.raises(ValueError, match="Expected latent vectors of shape"):
        projection.inverse_transform(np.zeros((2, 3)))


def test_term_vectors_group_topical_words():
    documents = make_documents(n_documents=120, seed=5)
    model = LSAVectorizer(n_components=3, random_state=0).fit(documents)
    kv = model.word_vectors_
    assert isinstance(kv, KeyedVectors)
    assert len(kv) == len(model.vocabulary_)
    np.testing.assert_allclose(
        kv["cat"], model.components_[:, model.vocabulary_["cat"]] * model.singular_values_,
        rtol=1e-6,
    )
    cosine = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)  # noqa: E731
    assert cosine(kv["cat"], kv["dog"]) > 0.9
    assert cosine(kv["cat"], kv["bank"]) < 0.5


def test_too_many_components_is_explained():
    with pytest.raises(ValueError, match="must be lower than the number of terms"):
        LSAVectorizer(n_components=50).fit(["a tiny corpus", "of two documents"])


def test_bad_ngram_range_is_explained():
    with pytest.raises(ValueError, match="Invalid value for ngram_range"):
        LSAVectorizer(n_components=2, ngram_range=(2, 1)).fit(make_documents(10))
