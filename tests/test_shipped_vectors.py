"""The word vectors shipped with skembed: file, loader and what they know."""

from importlib import resources

import numpy as np
import pytest

from skembed import KeyedVectors
from skembed.datasets import load_pretrained_vectors

FILE = resources.files("skembed.datasets").joinpath("data", "pretrained_en.npz")


@pytest.fixture(scope="module")
def kv():
    return load_pretrained_vectors()


def test_file_is_small_int8_with_one_scale_per_word():
    size = FILE.stat().st_size
    assert 1_000_000 < size < 10_000_000  # a few MB in the wheel
    with np.load(FILE, allow_pickle=False) as data:
        assert data["vectors"].dtype == np.int8
        assert data["scales"].dtype == np.float32
        assert data["scales"].shape == (data["vectors"].shape[0],)
        assert np.all(data["scales"] > 0) and np.all(np.isfinite(data["scales"]))
        # Each row uses the int8 range: its largest magnitude is 127.
        assert np.all(np.abs(data["vectors"]).max(axis=1) == 127)


def test_loads_offline_as_keyed_vectors(kv):
    assert isinstance(kv, KeyedVectors)
    assert len(kv) >= 30_000 and kv.vector_size >= 100
    assert kv.vectors.dtype == np.float32 and np.all(np.isfinite(kv.vectors))
    assert len(set(kv.index_to_key)) == len(kv)
    assert all(word == word.lower() for word in kv.index_to_key[:1000])
    # Most frequent first: function words lead.
    assert set(kv.index_to_key[:5]) <= {"the", "of", "and", "to", "in", "that", "is", "he"}


@pytest.mark.parametrize(
    "word, neighbours",
    [
        ("king", {"queen", "prince", "emperor", "monarch", "throne", "kings"}),
        ("monday", {"tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}),
        ("movie", {"film", "cinema", "movies", "television"}),
        ("good", {"bad", "great", "excellent", "nice", "better", "fine"}),
        ("awful", {"dreadful", "terrible", "horrible", "frightful", "unspeakable"}),
    ],
)
def test_known_neighbours(kv, word, neighbours):
    nearest = {w for w, _ in kv.most_similar(word, topn=10)}
    assert nearest & neighbours, (word, nearest)
