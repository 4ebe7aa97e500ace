"""Shipped data loaders and the command line."""

import subprocess
import sys

import numpy as np

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
    for row in rows[1:]:
        accuracy = float(row.split("|")[2])
        assert 0.55 < accuracy <= 1.0


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
