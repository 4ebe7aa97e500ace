"""ContextualVectorizer against reference outputs of sentence-transformers.

The tiny random-weight BERT in ``tests/data/tiny_bert`` and the outputs in
``tests/data/tiny_bert_reference.json`` were made once by ``benchmarks/make_tiny_bert.py``
with PyTorch, transformers and sentence-transformers, none of which the tests need.
"""

import json
import pickle
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from skembed import ContextualVectorizer

DATA = Path(__file__).parent / "data"
MODEL = DATA / "tiny_bert"
REFERENCE = json.loads((DATA / "tiny_bert_reference.json").read_text(encoding="utf-8"))
SENTENCES = REFERENCE["sentences"]
TOLERANCE = 1e-5


@pytest.fixture(scope="module", autouse=True)
def _runtime():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return function(*args, **kwargs)


@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("batch_size", [1, 4, 32])
def test_pooled_vectors_match_sentence_transformers(pooling, normalize, batch_size):
    vectorizer = ContextualVectorizer(
        MODEL,
        pooling=pooling,
        normalize=normalize,
        max_length=REFERENCE["max_length"],
        batch_size=batch_size,
    )
    output = _quiet(vectorizer.fit_transform, SENTENCES)
    key = f"pooled_{pooling}" + ("_normalized" if normalize else "")
    assert output.dtype == np.float32
    np.testing.assert_allclose(output, REFERENCE[key], rtol=0, atol=TOLERANCE)


def test_token_vectors_match_sentence_transformers():
    vectorizer = ContextualVectorizer(MODEL, max_length=REFERENCE["max_length"]).fit(SENTENCES)
    result = _quiet(vectorizer.transform_tokens, SENTENCES, special_tokens=True)
    assert len(result) == len(SENTENCES)
    for (tokens, vectors), ref_tokens, ref_vectors in zip(
        result, REFERENCE["tokens"], REFERENCE["token_vectors"]
    ):
        assert tokens == ref_tokens
        assert vectors.shape == (len(tokens), 32)
        np.testing.assert_allclose(vectors, ref_vectors, rtol=0, atol=TOLERANCE)


def test_transform_tokens_drops_special_tokens_by_default():
    vectorizer = ContextualVectorizer(MODEL).fit(SENTENCES)
    with_special = vectorizer.transform_tokens(SENTENCES[:3], special_tokens=True)
    without = vectorizer.transform_tokens(SENTENCES[:3])
    for (tokens, vectors), (all_tokens, all_vectors) in zip(without, with_special):
        assert all_tokens[0] == "[CLS]" and all_tokens[-1] == "[SEP]"
        assert tokens == all_tokens[1:-1]
        np.testing.assert_array_equal(vectors, all_vectors[1:-1])


def test_mean_pooling_is_the_mean_of_the_token_vectors():
    vectorizer = ContextualVectorizer(MODEL).fit(SENTENCES)
    pooled = vectorizer.transform(SENTENCES)
    for row, (_, vectors) in zip(pooled, vectorizer.transform_tokens(SENTENCES, special_tokens=True)):
        np.testing.assert_allclose(row, vectors.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_same_word_gets_a_vector_that_depends_on_its_context():
    vectorizer = ContextualVectorizer(MODEL).fit(SENTENCES)
    documents = ["she sat on the bank of the river", "he paid money into the bank",
                 "he paid money into the bank"]
    bank = []
    for tokens, vectors in vectorizer.transform_tokens(documents):
        bank.append(vectors[tokens.index("bank")])
    cosine = bank[0] @ bank[1] / np.linalg.norm(bank[0]) / np.linalg.norm(bank[1])
    assert cosine < 0.99
    np.testing.assert_array_equal(bank[1], bank[2])


def test_truncation_is_counted_and_warned():
    vectorizer = ContextualVectorizer(MODEL, max_length=REFERENCE["max_length"]).fit(SENTENCES)
    n_long = sum(REFERENCE["truncated"])
    assert n_long == 2
    with pytest.warns(UserWarning, match=f"{n_long} of {len(SENTENCES)} documents were longer"):
        vectorizer.transform(SENTENCES)
    assert vectorizer.n_truncated_ == n_long
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vectorizer.transform(SENTENCES[:4])
    assert vectorizer.n_truncated_ == 0


def test_default_max_length_comes_from_the_model_config(tmp_path):
    vectorizer = ContextualVectorizer(MODEL).fit(SENTENCES)
    assert vectorizer.max_length_ == 64  # max_position_embeddings of config.json
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)
    (model / "sentence_bert_config.json").write_text('{"max_seq_length": 12}')
    assert ContextualVectorizer(model).fit(SENTENCES).max_length_ == 12


def test_max_length_without_room_for_text_is_rejected():
    with pytest.raises(ValueError, match="max_length=2 leaves no room"):
        ContextualVectorizer(MODEL, max_length=2).fit(SENTENCES)


def test_onnx_subdirectory_layout_and_onnx_file(tmp_path):
    expected = ContextualVectorizer(MODEL).fit_transform(SENTENCES[:3])
    model = tmp_path / "model"
    (model / "onnx").mkdir(parents=True)
    shutil.copy(MODEL / "tokenizer.json", model)
    shutil.copy(MODEL / "model.onnx", model / "onnx" / "model.onnx")
    vectorizer = ContextualVectorizer(model).fit(SENTENCES)
    assert vectorizer.onnx_path_ == str((model / "onnx" / "model.onnx").resolve())
    np.testing.assert_array_equal(vectorizer.transform(SENTENCES[:3]), expected)
    shutil.move(model / "onnx" / "model.onnx", model / "onnx" / "model_variant.onnx")
    with pytest.raises(FileNotFoundError, match=r"It holds onnx/model_variant.onnx"):
        ContextualVectorizer(model).fit(SENTENCES)
    vectorizer = ContextualVectorizer(model, onnx_file="onnx/model_variant.onnx")
    np.testing.assert_array_equal(vectorizer.fit_transform(SENTENCES[:3]), expected)


def test_missing_or_invalid_model_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads"):
        ContextualVectorizer(tmp_path / "absent").fit(SENTENCES)
    with pytest.raises(FileNotFoundError, match="No tokenizer.json"):
        ContextualVectorizer(tmp_path).fit(SENTENCES)
    shutil.copy(MODEL / "tokenizer.json", tmp_path)
    with pytest.raises(FileNotFoundError, match="No ONNX model .* Export one"):
        ContextualVectorizer(tmp_path).fit(SENTENCES)
    (tmp_path / "model.onnx").write_bytes(b"not an onnx graph")
    with pytest.raises(ValueError, match="onnxruntime cannot load"):
        ContextualVectorizer(tmp_path).fit(SENTENCES)
    shutil.copy(MODEL / "model.onnx", tmp_path)
    (tmp_path / "tokenizer.json").write_text("{ not json")
    with pytest.raises(ValueError, match="Cannot read .*tokenizer.json"):
        ContextualVectorizer(tmp_path).fit(SENTENCES)


def test_pickle_drops_the_session_and_reloads_it(tmp_path):
    vectorizer = ContextualVectorizer(MODEL).fit(SENTENCES)
    expected = vectorizer.transform(SENTENCES[:3])
    data = pickle.dumps(vectorizer)
    # The pickle is the parameters and a few fitted numbers, not the 240 KB of weights.
    assert len(data) < 5_000
    assert "_session" not in pickle.loads(data).__dict__
    np.testing.assert_array_equal(pickle.loads(data).transform(SENTENCES[:3]), expected)
    assert vectorizer._session is not None  # pickling leaves the original usable


def test_word_lists_are_encoded_like_text():
    vectorizer = ContextualVectorizer(MODEL).fit(SENTENCES)
    text = ["She sat on the bank of the river.", "He deposited the money at the bank."]
    words = [["She", "sat", "on", "the", "bank", "of", "the", "river", "."],
             ["He", "deposited", "the", "money", "at", "the", "bank", "."]]
    np.testing.assert_allclose(
        vectorizer.transform(words), vectorizer.transform(text), rtol=0, atol=1e-6
    )
    mixed = vectorizer.transform([text[0], words[1]])
    np.testing.assert_allclose(mixed, vectorizer.transform(text), rtol=0, atol=1e-6)


def test_threads_and_empty_input():
    one = ContextualVectorizer(MODEL).fit(SENTENCES)
    two = ContextualVectorizer(MODEL, n_jobs=2).fit(SENTENCES)
    assert two._session.get_session_options().intra_op_num_threads == 2
    np.testing.assert_allclose(
        _quiet(one.transform, SENTENCES), _quiet(two.transform, SENTENCES), atol=1e-6
    )
    assert one.transform([]).shape == (0, 32)


def test_files_as_input(tmp_path):
    paths = []
    for i, sentence in enumerate(SENTENCES[:3]):
        paths.append(tmp_path / f"{i}.txt")
        paths[-1].write_text(sentence, encoding="utf-8")
    vectorizer = ContextualVectorizer(MODEL, input="filename").fit(paths)
    expected = ContextualVectorizer(MODEL).fit_transform(SENTENCES[:3])
    np.testing.assert_array_equal(vectorizer.transform(paths), expected)


def test_progress_bar_when_verbose(capsys):
    ContextualVectorizer(MODEL, verbose=1).fit_transform(SENTENCES[:3])
    assert "ContextualVectorizer" in capsys.readouterr().err
    ContextualVectorizer(MODEL).fit_transform(SENTENCES[:3])
    assert capsys.readouterr().err == ""


def test_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r'pip install "skembed\[contextual\]"'):
        ContextualVectorizer(MODEL).fit(SENTENCES)


def test_skembed_imports_without_the_extra():
    code = (
        "import sys; sys.modules['onnxruntime'] = None; sys.modules['tokenizers'] = None; "
        "import skembed; print(skembed.ContextualVectorizer.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.stdout.strip() == "ContextualVectorizer"
