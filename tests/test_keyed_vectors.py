"""Tests of KeyedVectors: construction, lookups, queries and file formats."""

import pickle

import numpy as np
import pytest

from skembed.keyed_vectors import KeyedVectors


@pytest.fixture
def small_kv():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((6, 4)).astype(np.float32)
    return KeyedVectors(vectors, ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"])


def test_lookup_protocol(small_kv):
    kv = small_kv
    assert len(kv) == 6
    assert kv.vector_size == 4
    assert kv.vectors.dtype == np.float32 and kv.vectors.flags.c_contiguous
    assert kv.key_to_index == {key: i for i, key in enumerate(kv.index_to_key)}
    assert "gamma" in kv and "omega" not in kv
    np.testing.assert_array_equal(kv["gamma"], kv.vectors[2])
    np.testing.assert_array_equal(kv[["zeta", "alpha"]], kv.vectors[[5, 0]])
    np.testing.assert_array_equal(kv.get_vector("beta"), kv.vectors[1])
    assert list(kv) == kv.index_to_key


def test_get_vector_norm(small_kv):
    vector = small_kv.get_vector("delta", norm=True)
    np.testing.assert_allclose(np.linalg.norm(vector), 1.0, rtol=1e-6)
    expected = small_kv.vectors[3] / np.linalg.norm(small_kv.vectors[3])
    np.testing.assert_allclose(vector, expected, rtol=1e-6)


def test_returned_vector_is_a_copy(small_kv):
    vector = small_kv["alpha"]
    vector[:] = 0
    assert np.any(small_kv.vectors[0] != 0)


@pytest.mark.parametrize("key", ["omega", 3, ("a", "b")])
def test_unknown_key_error_names_the_word(small_kv, key):
    with pytest.raises(KeyError, match=r"not in the vocabulary.*in kv"):
        small_kv[key] if not isinstance(key, tuple) else small_kv.get_vector(key)
    with pytest.raises(KeyError, match="omega"):
        small_kv[["alpha", "omega"]]


def test_pickle_round_trip_drops_norm_cache(small_kv):
    small_kv.fill_norms()
    payload = pickle.dumps(small_kv)
    restored = pickle.loads(payload)
    np.testing.assert_array_equal(restored.vectors, small_kv.vectors)
    assert restored.index_to_key == small_kv.index_to_key
    assert restored.key_to_index == small_kv.key_to_index
    # The pickle holds the matrix once, not also its normalized copy.
    assert len(payload) < 2 * small_kv.vectors.nbytes + 1000
    np.testing.assert_allclose(restored.get_normed_vectors(), small_kv.get_normed_vectors())


def test_replacing_vectors_invalidates_norms(small_kv):
    before = small_kv.get_normed_vectors().copy()
    small_kv.vectors = small_kv.vectors[:, ::-1] * 2
    after = small_kv.get_normed_vectors()
    np.testing.assert_allclose(after, before[:, ::-1], rtol=1e-6)
    with pytest.raises(ValueError, match="rows"):
        small_kv.vectors = np.zeros((2, 4))


@pytest.mark.parametrize(
    "vectors, keys, error, message",
    [
        (np.zeros(3), ["a", "b", "c"], ValueError, "2-D"),
        (np.zeros((2, 3)), ["a", "b", "c"], ValueError, "2 rows but index_to_key has 3"),
        (np.zeros((2, 3)), ["a", "a"], ValueError, "unique.*'a'"),
        (np.array([["x", "y"]]), ["a"], TypeError, "real numbers"),
        (np.zeros((2, 3)), "ab", TypeError, "list of str"),
        (np.zeros((2, 3)), ["a", 7], TypeError, "position 1"),
    ],
)
def test_constructor_validation(vectors, keys, error, message):
    with pytest.raises(error, match=message):
        KeyedVectors(vectors, keys)


def test_zero_row_normalizes_to_zero():
    kv = KeyedVectors(np.array([[0.0, 0.0], [1.0, 1.0]]), ["zero", "one"])
    normed = kv.get_normed_vectors()
    np.testing.assert_array_equal(normed[0], [0.0, 0.0])
    assert np.all(np.isfinite(normed))
