"""Shipped data loaders and the command line."""

import subprocess
import sys

import numpy as np
import pytest

from skembed.cli import main
from skembed.datasets import load_movie_reviews


def test_load_movie_reviews():
    bunch = load_movie_reviews()
    assert len(bunch.data) == len(bunch.target) == len(bunch.rating) == 10568
    assert bunch.target_names == ["negative", "positive"]
    np.testing.assert_array_equal(bunch.target, bunch.rating > 0)
    assert not np.any(bunch.rating == 0)
    assert all(isinstance(text, str) and text for text in bunch.data)
    assert "Hutto" in bunch.DESCR
    X, y = load_movie_reviews(return_X_y=True)
    assert X == bunch.data
    np.testing.assert_array_equal(y, bunch.target)


def test_demo_prints_a_table(capsys):
    assert main(["demo", "--quick", "--folds", "2"]) == 0
    out = capsys.readouterr().out
    assert "| vectorizer | accuracy | std | seconds |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    names = [row.split("|")[1].strip() for row in rows[1:]]
    assert any(name.startswith("LSAVectorizer") for name in names)
    assert any(name.startswith("Word2VecVectorizer") for name in names)
    accuracies = {row.split("|")[1].strip(): float(row.split("|")[2]) for row in rows[1:]}
    # --quick is a smoke test on 2,000 sentences: embeddings trained on 1,000 of them are
    # weak, so only the tf-idf baseline is held to a real accuracy here.
    assert accuracies["TfidfVectorizer (baseline)"] > 0.6
    assert all(0.4 < accuracy <= 1.0 for accuracy in accuracies.values())


def test_demo_with_more_folds_than_sentences_fails_before_printing(capsys):
    with pytest.raises(SystemExit, match="skembed demo: .*between 2 and .* folds.*100000"):
        main(["demo", "--quick", "--folds", "100000"])
    assert capsys.readouterr().out == ""  # no table header before the error


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "skembed", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in result.stdout


def test_evaluate_prints_scores(tmp_path, capsys):
    from skembed import KeyedVectors

    words = ["king", "queen", "man", "woman", "tiger", "cat", "old", "new"]
    kv = KeyedVectors(np.random.default_rng(0).normal(size=(8, 5)), words)
    path = tmp_path / "vectors.txt"
    kv.save_word2vec_format(path)
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "8 words x 5 dimensions" in out
    assert "Google analogies" in out and "WordSim-353" in out and "SimLex-999" in out


def test_evaluate_missing_file_exits_with_a_message(tmp_path):
    import pytest

    with pytest.raises(SystemExit, match="does not exist"):
        main(["evaluate", str(tmp_path / "missing.txt")])


def test_train_word2vec_writes_loadable_vectors(tmp_path, capsys):
    from skembed import KeyedVectors

    from .conftest import make_documents

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(make_documents(200)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.txt"
    argv = ["train", "word2vec", str(corpus), "-o", str(output), "--dim", "10", "--epochs", "2"]
    assert main(argv + ["--threads", "1"]) == 0
    assert "Trained word2vec" in capsys.readouterr().out
    kv = KeyedVectors.load_word2vec_format(output)
    assert kv.vector_size == 10 and "cat" in kv


def test_train_glove_writes_glove_format(tmp_path, capsys):
    from skembed import KeyedVectors

    from .conftest import make_documents

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(make_documents(200)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.glove.txt"
    argv = ["train", "glove", str(corpus), "-o", str(output), "--format", "glove"]
    assert main(argv + ["--dim", "8", "--epochs", "3", "--threads", "1"]) == 0
    assert "Trained glove" in capsys.readouterr().out
    kv = KeyedVectors.load_glove_format(output)
    assert kv.vector_size == 8 and "bread" in kv


def test_train_rejects_bad_settings_with_a_message(tmp_path):
    import pytest

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b c\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="skembed train: .*window"):
        main(["train", "word2vec", str(corpus), "-o", str(tmp_path / "v.txt"), "--window", "0"])


def test_train_bpe_writes_a_loadable_tokenizer(tmp_path, capsys):
    import pytest

    from skembed import BPETokenizer

    from .conftest import make_documents

    documents = make_documents(200)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(documents) + "\n", encoding="utf-8")
    output = tmp_path / "tokenizer"
    argv = ["train", "bpe", str(corpus), "-o", str(output), "--vocab-size", "120",
            "--special-tokens", "<unk>", "--threads", "1"]
    assert main(argv) == 0
    assert "Trained bpe" in capsys.readouterr().out
    tokenizer = BPETokenizer.load(output)
    assert len(tokenizer.vocabulary_) <= 120 and tokenizer.vocabulary_["<unk>"] == 0
    expected = BPETokenizer(vocab_size=120, special_tokens=("<unk>",)).fit(documents)
    assert tokenizer.merges_ == expected.merges_
    with pytest.raises(SystemExit, match="it is a file"):
        main(["train", "bpe", str(corpus), "-o", str(corpus)])
