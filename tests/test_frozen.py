"""Pretrain once, reuse frozen: fitted vectorizers inside Pipeline, cross-validation and search."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline

from skembed import EmbeddingVectorizer, KeyedVectors, Word2VecVectorizer
from skembed.cli import main

from .conftest import make_documents


class CountingWord2Vec(Word2VecVectorizer):
    """Word2VecVectorizer that counts how often it trains."""

    n_trainings = 0

    def _fit_word_vectors(self, corpus):
        type(self).n_trainings += 1
        return super()._fit_word_vectors(corpus)


@pytest.fixture
def pretrained():
    CountingWord2Vec.n_trainings = 0
    model = CountingWord2Vec(n_components=8, min_count=1, epochs=10, random_state=0, n_jobs=1)
    model.fit(make_documents(120, seed=1))  # the "unlabelled corpus"
    assert CountingWord2Vec.n_trainings == 1
    return model


@pytest.fixture(scope="module")
def labelled():
    documents = make_documents(60, seed=2)
    return documents, np.arange(len(documents)) % 3  # the topic of each document


def test_frozen_estimator_is_not_refitted_in_cross_val_score(pretrained, labelled):
    frozen = FrozenEstimator(pretrained)
    vectors_before = pretrained.word_vectors_
    result = cross_validate(
        make_pipeline(frozen, LogisticRegression()), *labelled, cv=3, return_estimator=True
    )
    assert CountingWord2Vec.n_trainings == 1
    for fitted in result["estimator"]:
        assert fitted[0] is frozen  # clone() returns the frozen estimator itself
    assert pretrained.word_vectors_ is vectors_before
    assert result["test_score"].mean() > 0.9  # the topics are learnable from the vectors


def test_embedding_vectorizer_from_a_fitted_vectorizer_in_grid_search(pretrained, labelled):
    pipeline = make_pipeline(EmbeddingVectorizer(pretrained), LogisticRegression())
    grid = {
        "embeddingvectorizer__pooling": ["mean", ("mean", "max")],
        "logisticregression__C": [0.1, 1.0],
    }
    search = GridSearchCV(pipeline, grid, cv=3).fit(*labelled)
    # 4 candidates x 3 folds + the refit: the word vectors were trained once, before.
    assert CountingWord2Vec.n_trainings == 1
    best = search.best_estimator_[0]
    assert best.vectors is pretrained
    np.testing.assert_array_equal(best.word_vectors_.vectors, pretrained.word_vectors_.vectors)


def test_embedding_vectorizer_pools_like_the_fitted_vectorizer(pretrained, labelled):
    documents = labelled[0]
    embedding = EmbeddingVectorizer(pretrained).fit(documents)
    np.testing.assert_allclose(
        embedding.transform(documents), pretrained.transform(documents), rtol=1e-6
    )


def test_an_unfitted_vectorizer_is_explained():
    with pytest.raises(ValueError, match="no fitted word vectors.*fit it first"):
        EmbeddingVectorizer(Word2VecVectorizer()).fit(["a b"])


def test_clone_shares_the_vectors_instead_of_copying_them(pretrained):
    kv = pretrained.word_vectors_
    for vectors in (kv, pretrained):
        vectorizer = EmbeddingVectorizer(vectors, pooling=("mean", "max"))
        cloned = clone(vectorizer)
        assert cloned.vectors is vectors  # neither deep-copied nor unfitted
        assert cloned.pooling == ("mean", "max") and cloned is not vectorizer
    frozen = FrozenEstimator(pretrained)
    assert clone(frozen) is frozen


def test_pickle_of_a_frozen_pipeline_costs_about_the_vectors(pretrained, labelled):
    pipeline = make_pipeline(FrozenEstimator(pretrained), LogisticRegression()).fit(*labelled)
    size = len(pickle.dumps(pipeline))
    vector_bytes = pretrained.word_vectors_.vectors.nbytes
    # The vectors once, plus the vocabulary and the classifier: no second copy of the matrix.
    assert vector_bytes < size < 2 * vector_bytes + 20_000
    restored = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(
        restored.predict(labelled[0]), pipeline.predict(labelled[0])
    )


def test_a_path_is_cheap_to_clone_and_pickle_before_fit(tmp_path, pretrained):
    path = tmp_path / "vectors.txt"
    pretrained.word_vectors_.save_word2vec_format(path)
    vectorizer = EmbeddingVectorizer(str(path))
    assert len(pickle.dumps(clone(vectorizer))) < 2_000


def test_skembed_train_output_feeds_embedding_vectorizer(tmp_path, capsys, labelled):
    corpus = tmp_path / "unlabelled.txt"
    corpus.write_text("\n".join(make_documents(200, seed=3)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.txt"
    argv = ["train", "word2vec", str(corpus), "-o", str(output), "--dim", "8", "--epochs", "10"]
    assert main(argv + ["--threads", "1", "--min-count", "1"]) == 0
    capsys.readouterr()
    kv = KeyedVectors.load_word2vec_format(output)
    scores = cross_val_score(
        make_pipeline(EmbeddingVectorizer(str(output)), LogisticRegression()), *labelled, cv=3
    )
    assert scores.mean() > 0.9
    vectorizer = EmbeddingVectorizer(str(output)).fit(labelled[0])
    np.testing.assert_array_equal(vectorizer.word_vectors_.vectors, kv.vectors)
