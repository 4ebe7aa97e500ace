"""What skembed promises when things go wrong: training that stops instead of fitting NaN,
saves that never leave a truncated file, and errors that name the value and the fix."""

import numpy as np
import pytest

from skembed import (
    BPETokenizer,
    EmbeddingVectorizer,
    GloVeVectorizer,
    KeyedVectors,
    LSAVectorizer,
    Word2VecVectorizer,
)

from .conftest import make_documents, make_keyed_vectors

# A corpus of three words repeated: every context window is full of the same words.
DEGENERATE = [" ".join(f"x{i % 3}" for i in range(200))] * 100


# ----------------------------------------------------------------------------- divergence


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(learning_rate=1.0), "Lower learning_rate"),
        (dict(objective="hierarchical_softmax", learning_rate=5.0), "Lower learning_rate"),
        (dict(architecture="cbow", cbow_mean=False, window=50, sample=0), "cbow_mean=True"),
    ],
)
def test_word2vec_divergence_is_an_error(params, match):
    vectorizer = Word2VecVectorizer(
        n_components=20, min_count=1, epochs=3, random_state=0, token_pattern=r"\w+", **params
    )
    with pytest.raises(ValueError, match=rf"Word2VecVectorizer training diverged in epoch 1 of 3"
                       rf"(.|\n)*{match}"):
        vectorizer.fit(DEGENERATE)
    assert not hasattr(vectorizer, "word_vectors_")


def test_glove_divergence_is_an_error():
    glove = GloVeVectorizer(n_components=10, min_count=1, epochs=3, learning_rate=1e30,
                            random_state=0)
    with pytest.raises(ValueError, match="GloVeVectorizer training diverged in epoch 1 of 3"
                       ".*Lower learning_rate"):
        glove.fit(make_documents(60))


def test_training_at_sane_rates_still_fits():
    for estimator in (Word2VecVectorizer(n_components=8, min_count=1, epochs=2, random_state=0),
                      GloVeVectorizer(n_components=8, min_count=1, epochs=2, random_state=0)):
        assert np.isfinite(estimator.fit_transform(make_documents(30))).all()


@pytest.mark.parametrize("Estimator", [Word2VecVectorizer, GloVeVectorizer])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_init_vectors_name_the_word(Estimator, bad):
    kv = make_keyed_vectors(dim=6)
    vectors = kv.vectors.copy()
    vectors[kv.get_index("cheese"), 2] = bad
    kv = KeyedVectors(vectors, kv.index_to_key)
    estimator = Estimator(n_components=6, min_count=1, epochs=1, init_vectors=kv, random_state=0)
    with pytest.raises(ValueError, match="init_vectors.*'cheese'"):
        estimator.fit(make_documents(30))


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_non_finite_value_in_a_vectors_file_names_the_line(tmp_path, binary, bad):
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    kv = KeyedVectors(np.ones((3, 2), dtype=np.float32), ["a", "b", "c"])
    if binary:
        vectors = kv.vectors.copy()
        vectors[1, 1] = float(bad)
        # Keys are checked, values are written as they are: build the bad file this way.
        path.write_bytes(b"3 2\n" + b"".join(
            key.encode() + b" " + row.astype("<f4").tobytes() + b"\n"
            for key, row in zip(kv.index_to_key, vectors)))
    else:
        path.write_text(f"3 2\na 1 1\nb 1 {bad}\nc 1 1\n")
    with pytest.raises(ValueError, match=r"Line 3 of .*'b'.*(NaN|infinite)"):
        KeyedVectors.load_word2vec_format(path, binary=binary)
    with pytest.raises(ValueError, match="Line 3"):
        EmbeddingVectorizer(str(path)).fit(["a b"])


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "estimator",
    [
        Word2VecVectorizer(min_count=True),
        Word2VecVectorizer(n_jobs=True),
        GloVeVectorizer(min_count=True),
        GloVeVectorizer(n_jobs=False),
        LSAVectorizer(n_components=True),
        BPETokenizer(n_jobs=True),
        BPETokenizer(vocab_size=True),
    ],
)
def test_bool_is_not_an_int_parameter(estimator):
    with pytest.raises(ValueError, match="must be an int.*Got (True|False) instead"):
        estimator.fit(make_documents(10))


def test_min_learning_rate_above_learning_rate_is_rejected():
    with pytest.raises(ValueError, match="min_learning_rate=0.1 is larger than the initial "
                                         "learning rate 0.01"):
        Word2VecVectorizer(learning_rate=0.01, min_learning_rate=0.1).fit(make_documents(10))
    with pytest.raises(ValueError, match="min_learning_rate=0.03 is larger.*0.025"):
        Word2VecVectorizer(min_learning_rate=0.03).fit(make_documents(10))
    Word2VecVectorizer(n_components=4, min_count=1, epochs=1, learning_rate=0.01,
                       min_learning_rate=0.01).fit(make_documents(10))


# ----------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    "estimator",
    [Word2VecVectorizer(n_components=4, min_count=1, epochs=1),
     GloVeVectorizer(n_components=4, min_count=1, epochs=1),
     LSAVectorizer(n_components=2), BPETokenizer(vocab_size=40)],
    ids=lambda estimator: type(estimator).__name__,
)
def test_dataframe_input_is_rejected_with_the_column_to_pass(estimator):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"review": make_documents(20), "label": [0, 1] * 10})
    with pytest.raises(ValueError, match=r"DataFrame with columns \['review', 'label'\].*column"):
        estimator.fit(frame)
    estimator.fit(frame["review"])


@pytest.mark.parametrize(
    "estimator",
    [Word2VecVectorizer(n_components=4, min_count=1, epochs=1, random_state=0),
     GloVeVectorizer(n_components=4, min_count=1, epochs=1, random_state=0),
     LSAVectorizer(n_components=2, random_state=0), BPETokenizer(vocab_size=40),
     EmbeddingVectorizer(KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]))],
    ids=lambda estimator: type(estimator).__name__,
)
def test_numpy_str_tokens_are_str_tokens(estimator):
    plain = [["a", "b", "c", "a"], ["c", "b", "a", "b"], ["b", "c"]] * 5
    numpy_tokens = [list(np.array(tokens)) for tokens in plain]
    assert type(numpy_tokens[0][0]) is np.str_
    expected = estimator.fit_transform(plain)
    result = estimator.fit_transform(numpy_tokens)
    if isinstance(estimator, BPETokenizer):
        assert result == expected
    else:
        np.testing.assert_array_equal(result, expected)
    if hasattr(estimator, "vocabulary_"):
        assert all(type(key) is str for key in estimator.vocabulary_)


@pytest.mark.parametrize("algorithm", ["randomized", "arpack"])
def test_lsa_gives_the_requested_width_or_an_error(algorithm):
    documents = ["aa bb cc dd ee ff", "xx yy zz ww vv", "qq rr ss tt uu"]
    with pytest.raises(ValueError, match="n_components=5 is more than the 3 training documents"):
        LSAVectorizer(n_components=5, algorithm=algorithm).fit(documents)
    with pytest.raises(ValueError, match="n_components=2 is more than the 1 training"):
        LSAVectorizer(n_components=2, algorithm=algorithm).fit(["the cat sat on the mat"])
    width = 3 if algorithm == "randomized" else 2
    lsa = LSAVectorizer(n_components=width, algorithm=algorithm, random_state=0)
    assert lsa.fit_transform(documents).shape == (3, width)
    assert len(lsa.get_feature_names_out()) == width
