"""The contract every public skembed estimator keeps with scikit-learn.

scikit-learn's ``check_estimator`` skips estimators that take raw text, so this suite checks
what it would, parametrized over every estimator: a new estimator only has to be added to
``VECTORIZERS`` or ``TOKENIZERS`` (with settings small enough for the tiny corpus below).

Vectorizers return a float array. Tokenizers (``BPETokenizer``) return a list of token lists,
so four checks are adapted for them: outputs are compared as lists; they have no feature
names and no ``set_output`` (there are no columns), which is asserted instead; the Pipeline
check puts a ``Word2VecVectorizer`` after them; and "empty or unknown documents give finite
rows" becomes "empty documents give no tokens and every token is in the vocabulary".
"""

import importlib.util
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import check_param_validation

from skembed import (
    BPETokenizer,
    ContextualVectorizer,
    EmbeddingVectorizer,
    GloVeVectorizer,
    LSAVectorizer,
    NNLMVectorizer,
    Word2VecVectorizer,
)

from .conftest import make_documents, make_keyed_vectors

VECTORIZERS = [
    pytest.param(
        LSAVectorizer(n_components=4, random_state=0),
        {"vectorizer__n_components": [2, 3], "vectorizer__sublinear_tf": [False, True]},
        id="LSAVectorizer",
    ),
    pytest.param(
        Word2VecVectorizer(n_components=8, min_count=1, epochs=2, random_state=0),
        {"vectorizer__window": [2, 5], "vectorizer__n_components": [4, 8]},
        id="Word2VecVectorizer",
    ),
    pytest.param(
        Word2VecVectorizer(
            n_components=6,
            architecture="cbow",
            objective="hierarchical_softmax",
            min_count=1,
            epochs=2,
            pooling="sif",
            random_state=0,
        ),
        {"vectorizer__pooling": ["mean", "max"]},
        id="Word2VecVectorizer-cbow-hs",
    ),
    pytest.param(
        Word2VecVectorizer(
            n_components=6,
            min_count=1,
            epochs=2,
            init_vectors=make_keyed_vectors(),
            freeze=True,
            random_state=0,
        ),
        {"vectorizer__freeze": [False, True]},
        id="Word2VecVectorizer-pretrained",
    ),
    pytest.param(
        EmbeddingVectorizer(make_keyed_vectors()),
        {"vectorizer__pooling": ["mean", "sif"], "vectorizer__norm": [None, "l2"]},
        id="EmbeddingVectorizer",
    ),
    pytest.param(
        GloVeVectorizer(n_components=8, min_count=1, epochs=3, random_state=0),
        {"vectorizer__window": [2, 5], "vectorizer__vectors": ["sum", "concat"]},
        id="GloVeVectorizer",
    ),
    pytest.param(
        GloVeVectorizer(
            n_components=6, min_count=1, epochs=3, init_vectors=make_keyed_vectors(),
            random_state=0,
        ),
        {"vectorizer__freeze": [False, True]},
        id="GloVeVectorizer-pretrained",
    ),
    pytest.param(
        NNLMVectorizer(
            n_components=6, n_hidden=5, context_size=2, min_count=1, epochs=2, random_state=0
        ),
        {"vectorizer__context_size": [1, 2], "vectorizer__pooling": ["mean", "sif"]},
        id="NNLMVectorizer",
    ),
    pytest.param(
        NNLMVectorizer(
            n_components=6, n_hidden=5, context_size=2, output_layer="huffman",
            direct_connections=False, min_count=2, epochs=3, early_stopping=True,
            random_state=0,
        ),
        {"vectorizer__n_hidden": [3, 5]},
        id="NNLMVectorizer-huffman-early-stopping",
    ),
]
# ContextualVectorizer needs the optional extra (onnxruntime, tokenizers); its tiny
# random-weight BERT is committed under tests/data.
if all(importlib.util.find_spec(name) for name in ("onnxruntime", "tokenizers")):
    VECTORIZERS.append(
        pytest.param(
            ContextualVectorizer(str(Path(__file__).parent / "data" / "tiny_bert")),
            {"vectorizer__pooling": ["mean", "cls"], "vectorizer__normalize": [False, True]},
            id="ContextualVectorizer",
        )
    )
TOKENIZERS = [
    pytest.param(
        BPETokenizer(vocab_size=60),
        {"vectorizer__vocab_size": [40, 80]},
        id="BPETokenizer",
    ),
    pytest.param(
        BPETokenizer(vocab_size=300, byte_level=True, output="ids"),
        {"vectorizer__lowercase": [False, True]},
        id="BPETokenizer-bytes-ids",
    ),
]
ESTIMATORS = VECTORIZERS + TOKENIZERS


def _is_tokenizer(estimator):
    return isinstance(estimator, BPETokenizer)


def _is_contextual(estimator):
    return isinstance(estimator, ContextualVectorizer)


def _assert_same_output(first, second, exact=False):
    if isinstance(first, list):
        assert first == second
    elif exact:
        np.testing.assert_array_equal(first, second)
    else:
        np.testing.assert_allclose(first, second, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def corpus():
    return make_documents(n_documents=60, seed=0)


def _fitted(estimator, documents):
    return clone(estimator).fit(documents)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_clone_and_repr(estimator, grid):
    cloned = clone(estimator)
    assert joblib.hash(cloned.get_params()) == joblib.hash(estimator.get_params())
    assert type(estimator).__name__ in repr(estimator)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_init_only_stores_parameters(estimator, grid):
    params = estimator.get_params(deep=False)
    fresh = type(estimator)(**params)
    assert set(vars(fresh)) == set(params)
    # A distinct object for every parameter: __init__ must store each one as it was given,
    # without validating, converting or copying it.
    sentinels = {name: object() for name in params}
    stored = vars(type(estimator)(**sentinels))
    for name, sentinel in sentinels.items():
        assert stored[name] is sentinel, name


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_fit_returns_self_and_keeps_parameters(estimator, grid, corpus):
    estimator = clone(estimator)
    before = joblib.hash(estimator.get_params(deep=False))
    assert estimator.fit(corpus) is estimator
    assert joblib.hash(estimator.get_params(deep=False)) == before


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_not_fitted_error(estimator, grid, corpus):
    with pytest.raises(NotFittedError):
        clone(estimator).transform(corpus)
    if not _is_tokenizer(estimator):
        with pytest.raises(NotFittedError):
            clone(estimator).get_feature_names_out()


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_fit_transform_equals_fit_then_transform(estimator, grid, corpus):
    first = clone(estimator).fit_transform(corpus)
    second = _fitted(estimator, corpus).transform(corpus)
    _assert_same_output(first, second)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_seeded_fit_is_reproducible(estimator, grid, corpus):
    first = _fitted(estimator, corpus).transform(corpus)
    second = _fitted(estimator, corpus).transform(corpus)
    _assert_same_output(first, second, exact=True)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_loss_curve_is_an_array_of_one_float_per_epoch(estimator, grid, corpus):
    fitted = _fitted(estimator, corpus)
    if "epochs" not in fitted.get_params():  # not trained by epochs: no curve to report
        assert not hasattr(fitted, "loss_curve_")
        return
    assert isinstance(fitted.loss_curve_, np.ndarray)
    assert fitted.loss_curve_.dtype == np.float64
    assert fitted.loss_curve_.shape == (fitted.epochs,)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_pickle_and_joblib_round_trip(estimator, grid, corpus, tmp_path):
    fitted = _fitted(estimator, corpus)
    expected = fitted.transform(corpus)
    unpickled = pickle.loads(pickle.dumps(fitted))
    _assert_same_output(unpickled.transform(corpus), expected, exact=True)
    joblib.dump(fitted, tmp_path / "model.joblib")
    _assert_same_output(
        joblib.load(tmp_path / "model.joblib").transform(corpus), expected, exact=True
    )


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_pipeline_and_grid_search(estimator, grid, corpus):
    labels = np.array([i % 2 for i in range(len(corpus))])
    steps = [("vectorizer", clone(estimator)), ("classifier", LogisticRegression())]
    if _is_tokenizer(estimator):
        # Token lists (or ids) feed a vectorizer that takes pre-tokenized documents.
        if estimator.output == "ids":
            steps.insert(1, ("as_text", FunctionTransformer(_ids_as_tokens)))
        embed = Word2VecVectorizer(n_components=8, min_count=1, epochs=2, random_state=0)
        steps.insert(-1, ("embed", embed))
    pipeline = Pipeline(steps)
    search = GridSearchCV(pipeline, grid, cv=2, n_jobs=2, error_score="raise")
    search.fit(corpus, labels)
    assert set(search.best_params_) == set(grid)
    assert search.predict(corpus[:5]).shape == (5,)


def _ids_as_tokens(documents):
    return [[str(i) for i in ids] for ids in documents]


@pytest.mark.parametrize("estimator, grid", TOKENIZERS)
def test_tokenizers_have_no_columns(estimator, grid, corpus):
    fitted = _fitted(estimator, corpus)
    output = fitted.transform(corpus)
    assert isinstance(output, list) and len(output) == len(corpus)
    assert not hasattr(fitted, "get_feature_names_out")
    assert not hasattr(fitted, "set_output")


@pytest.mark.parametrize("estimator, grid", VECTORIZERS)
def test_feature_names_match_output(estimator, grid, corpus):
    fitted = _fitted(estimator, corpus)
    output = fitted.transform(corpus)
    names = fitted.get_feature_names_out()
    assert output.shape == (len(corpus), len(names))
    prefix = type(estimator).__name__.lower()
    assert list(names) == [f"{prefix}{i}" for i in range(len(names))]


@pytest.mark.parametrize("estimator, grid", VECTORIZERS)
def test_set_output_pandas(estimator, grid, corpus):
    pd = pytest.importorskip("pandas")
    fitted = _fitted(estimator, corpus).set_output(transform="pandas")
    frame = fitted.transform(corpus)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(fitted.get_feature_names_out())
    assert len(frame) == len(corpus)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_param_validation(estimator, grid):
    check_param_validation(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
@pytest.mark.parametrize(
    "bad_input, error, message",
    [
        ("one single document", ValueError, "string object received"),
        (b"one single document", ValueError, "string object received"),
        (None, TypeError, "got None"),
        (42, TypeError, "got int"),
    ],
)
def test_bad_collection_is_rejected(estimator, grid, bad_input, error, message, corpus):
    with pytest.raises(error, match=message):
        clone(estimator).fit(bad_input)
    with pytest.raises(error, match=message):
        _fitted(estimator, corpus).transform(bad_input)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
@pytest.mark.parametrize(
    "bad_document, error, message",
    [
        (None, TypeError, r"Document 3 is None"),
        (3.5, TypeError, r"Document 3 is 3.5"),
        (b"\xff\xfe bad bytes", ValueError, r"Document 3 is bytes that do not decode"),
        ([["nested"], "tokens"], TypeError, r"Document 3 is a sequence whose items"),
        ({"a": 1}, TypeError, r"Document 3 is a dict"),
    ],
)
def test_bad_document_is_rejected(estimator, grid, bad_document, error, message, corpus):
    documents = list(corpus[:3]) + [bad_document] + list(corpus[3:])
    with pytest.raises(error, match=message):
        clone(estimator).fit(documents)
    with pytest.raises(error, match=message):
        _fitted(estimator, corpus).transform(documents)


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_empty_and_unknown_documents_give_finite_rows(estimator, grid, corpus):
    fitted = _fitted(estimator, corpus)
    output = fitted.transform(["", "zzzunknown qqqunseen", [], corpus[0]])
    assert len(output) == 4
    if _is_tokenizer(estimator):
        assert output[0] == output[2] == []
        known = set(fitted.vocabulary_.values() if estimator.output == "ids" else fitted.vocabulary_)
        assert all(token in known for tokens in output for token in tokens)
        return
    assert np.all(np.isfinite(output))
    if not _is_contextual(estimator):
        # A contextual encoder has a vector for every input: unknown words become subwords
        # or [UNK], and an empty document is its special tokens alone.
        np.testing.assert_array_equal(output[0], output[1])
    np.testing.assert_array_equal(output[0], output[2])


@pytest.mark.parametrize("estimator, grid", ESTIMATORS)
def test_token_lists_are_accepted(estimator, grid, corpus):
    fitted = _fitted(estimator, corpus)
    if _is_tokenizer(estimator) or _is_contextual(estimator):
        # A token list is read as words split on whitespace.
        tokenized = [doc.split() for doc in corpus]
    else:
        tokenized = [fitted.build_analyzer()(doc) for doc in corpus]
    _assert_same_output(fitted.transform(corpus), fitted.transform(tokenized))
