"""Fine-tuning: Word2Vec and GloVe starting from pretrained vectors, frozen or not."""

import pathlib

import numpy as np
import pytest

from skembed import GloVeVectorizer, KeyedVectors, Word2VecVectorizer
from skembed.datasets import load_movie_reviews

PRETRAINED = pathlib.Path(__file__).parent / "data" / "sotu_vectors.txt"


@pytest.fixture(scope="module")
def pretrained():
    return KeyedVectors.load_word2vec_format(PRETRAINED)


@pytest.fixture(scope="module")
def reviews():
    # Another domain than the State of the Union text the vectors come from.
    return load_movie_reviews().data[:3000]


def _cosines(a, b):
    return np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


MODELS = {
    "word2vec": lambda **kw: Word2VecVectorizer(n_components=24, min_count=2, **kw),
    "glove": lambda **kw: GloVeVectorizer(n_components=24, min_count=2, **kw),
}
# AdaGrad moves the rarely seen new words slowly: GloVe needs more passes to show it.
EPOCHS = {"word2vec": 2, "glove": 10}


@pytest.mark.parametrize("name", MODELS)
def test_frozen_pretrained_rows_stay_and_new_words_learn(name, pretrained, reviews):
    model = MODELS[name](
        init_vectors=pretrained, freeze=True, epochs=EPOCHS[name], random_state=0
    )
    kv = model.fit(reviews).word_vectors_
    # The same seed with a vanishing learning rate leaves every vector where it started.
    start = MODELS[name](
        init_vectors=pretrained, freeze=True, epochs=1, random_state=0, learning_rate=1e-12,
        **({"min_learning_rate": 0.0} if name == "word2vec" else {}),
    ).fit(reviews).word_vectors_
    shared = [word for word in kv.index_to_key if word in pretrained]
    new = [word for word in kv.index_to_key if word not in pretrained]
    assert model.n_pretrained_ == len(shared) > 300 and len(new) > 300
    np.testing.assert_array_equal(kv[shared], pretrained[shared])
    np.testing.assert_array_equal(start[shared], pretrained[shared])
    moved = np.linalg.norm(kv[new] - start[new], axis=1)
    assert np.median(moved) > 0.5 * np.median(np.linalg.norm(start[new], axis=1))


@pytest.mark.parametrize("name", MODELS)
def test_fine_tuned_rows_move_but_stay_near_their_start(name, pretrained, reviews):
    model = MODELS[name](init_vectors=str(PRETRAINED), freeze=False, epochs=1, random_state=0)
    kv = model.fit(reviews).word_vectors_
    shared = [word for word in kv.index_to_key if word in pretrained]
    after, before = kv[shared], pretrained[shared]
    assert not np.allclose(after, before)
    to_start = _cosines(after, before)
    shuffled = before[np.random.default_rng(0).permutation(len(shared))]
    to_random = _cosines(after, shuffled)
    assert np.mean(to_start) > 0.5
    assert np.mean(to_start > to_random) > 0.95


def test_fine_tuning_checks_the_dimension(pretrained, reviews):
    with pytest.raises(ValueError, match="init_vectors have 24 dimensions but n_components=10"):
        Word2VecVectorizer(n_components=10, init_vectors=pretrained).fit(reviews[:100])
    with pytest.raises(ValueError, match="init_vectors have 24 dimensions but n_components=10"):
        GloVeVectorizer(n_components=10, init_vectors=pretrained).fit(reviews[:100])


def test_without_init_vectors_nothing_is_pretrained(reviews):
    model = Word2VecVectorizer(n_components=8, min_count=2, epochs=1, random_state=0)
    assert model.fit(reviews[:200]).n_pretrained_ == 0
