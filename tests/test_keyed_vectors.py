"""Tests of KeyedVectors: construction, lookups, queries and file formats."""

import pickle

import gensim
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.numpy import arrays

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


# ---------------------------------------------------------------------- similarity queries


def _normalize_rows(matrix):
    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _reference_most_similar(kv, positive, negative, topn, restrict_vocab=None):
    """Slow, obvious 3CosAdd: score every word, sort, drop the input words."""
    unit = _normalize_rows(kv.vectors)
    query = sum(unit[kv.key_to_index[w]] for w in positive)
    query = query - sum((unit[kv.key_to_index[w]] for w in negative), np.zeros_like(query))
    query = query / np.linalg.norm(query)
    n_rows = restrict_vocab or len(kv)
    scored = []
    for index in range(n_rows):
        word = kv.index_to_key[index]
        if word in positive or word in negative:
            continue
        scored.append((word, float(unit[index] @ query)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:topn]


def _reference_cosmul(kv, positive, negative, topn, restrict_vocab=None):
    """Slow, obvious 3CosMul of Levy & Goldberg (2014), eq. 4 with footnote 7."""
    unit = _normalize_rows(kv.vectors)
    n_rows = restrict_vocab or len(kv)
    scored = []
    for index in range(n_rows):
        word = kv.index_to_key[index]
        if word in positive or word in negative:
            continue
        numerator, denominator = 1.0, 1.0
        for w in positive:
            numerator *= (1 + unit[index] @ unit[kv.key_to_index[w]]) / 2
        for w in negative:
            denominator *= (1 + unit[index] @ unit[kv.key_to_index[w]]) / 2
        scored.append((word, numerator / (denominator + 1e-6)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:topn]


@pytest.fixture
def random_kv():
    rng = np.random.default_rng(42)
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    return KeyedVectors(vectors, [f"w{i}" for i in range(300)])


def _assert_same_ranking(result, expected):
    assert [word for word, _ in result] == [word for word, _ in expected]
    np.testing.assert_allclose([s for _, s in result], [s for _, s in expected], rtol=1e-4,
                               atol=1e-5)


def test_most_similar_hand_made_neighbours():
    # Eight words on the unit circle, 45 degrees apart: neighbours come in angle order.
    angles = np.deg2rad(np.arange(0, 360, 45))
    keys = ["e", "ne", "n", "nw", "w", "sw", "s", "se"]
    kv = KeyedVectors(np.c_[np.cos(angles), np.sin(angles)] * [[1], [2], [3], [1], [5], [1],
                                                                [2], [1]], keys)
    result = kv.most_similar("e", topn=3)
    # Ties go to the lower row: ne before se, n before s.
    assert [word for word, _ in result] == ["ne", "se", "n"]
    np.testing.assert_allclose([s for _, s in result], [np.sqrt(0.5)] * 2 + [0.0], rtol=1e-6,
                               atol=1e-7)
    assert kv.most_similar(positive=["n"], negative=["s"], topn=1)[0][0] in {"ne", "nw"}
    # n - e + w points due north-west-ish: the answer is nw, never an input word.
    assert kv.most_similar(positive=["n", "w"], negative=["e"], topn=1)[0][0] == "nw"
    assert kv.most_similar("w", topn=8)[-1][0] == "e"
    assert len(kv.most_similar("w", topn=100)) == 7


@pytest.mark.parametrize("restrict_vocab", [None, 50])
@pytest.mark.parametrize(
    "positive, negative",
    [(["w3"], []), (["w1", "w2"], ["w7"]), (["w10", "w20", "w30"], ["w4", "w5"]),
     ([], ["w8"])],
)
def test_most_similar_matches_reference(random_kv, positive, negative, restrict_vocab):
    result = random_kv.most_similar(positive, negative, topn=7, restrict_vocab=restrict_vocab)
    expected = _reference_most_similar(random_kv, positive, negative, 7, restrict_vocab)
    _assert_same_ranking(result, expected)


@pytest.mark.parametrize("restrict_vocab", [None, 40])
@pytest.mark.parametrize(
    "positive, negative",
    [(["w3"], []), (["w1", "w2"], ["w7"]), (["w10", "w20"], ["w4", "w5"])],
)
def test_most_similar_cosmul_matches_reference(random_kv, positive, negative, restrict_vocab):
    result = random_kv.most_similar_cosmul(positive, negative, topn=6,
                                           restrict_vocab=restrict_vocab)
    expected = _reference_cosmul(random_kv, positive, negative, 6, restrict_vocab)
    _assert_same_ranking(result, expected)


def test_restrict_vocab_limits_the_search(random_kv):
    result = random_kv.most_similar("w250", topn=10, restrict_vocab=20)
    assert all(random_kv.key_to_index[word] < 20 for word, _ in result)
    assert len(result) == 10
    scores = random_kv.most_similar("w5", topn=None, restrict_vocab=20)
    assert scores.shape == (20,)
    full = random_kv.most_similar("w5", topn=None)
    assert full.shape == (300,)
    np.testing.assert_allclose(scores, full[:20], rtol=1e-6)
    # Query words outside the restricted range are still allowed and still excluded.
    assert "w5" not in [w for w, _ in random_kv.most_similar("w5", topn=299)]


def test_similar_by_vector_and_analogy(random_kv):
    vector = random_kv["w17"] * 3
    result = random_kv.similar_by_vector(vector, topn=3)
    assert result[0][0] == "w17"
    np.testing.assert_allclose(result[0][1], 1.0, rtol=1e-5)
    assert random_kv.analogy("w1", "w2", "w3", topn=4) == random_kv.most_similar(
        ["w2", "w3"], ["w1"], topn=4)
    assert random_kv.analogy("w1", "w2", "w3", method="3cosmul") == \
        random_kv.most_similar_cosmul(["w2", "w3"], ["w1"], topn=1)
    with pytest.raises(ValueError, match="method"):
        random_kv.analogy("w1", "w2", "w3", method="cosine")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_queries_agree_with_gensim(random_kv):
    gkv = gensim.models.KeyedVectors(random_kv.vector_size)
    gkv.add_vectors(random_kv.index_to_key, random_kv.vectors)
    for positive, negative in [(["w3"], []), (["w1", "w2"], ["w7"])]:
        _assert_same_ranking(random_kv.most_similar(positive, negative, topn=5),
                             gkv.most_similar(positive, negative, topn=5))
        _assert_same_ranking(random_kv.most_similar(positive, negative, topn=5,
                                                    restrict_vocab=60),
                             gkv.most_similar(positive, negative, topn=5, restrict_vocab=60))
        _assert_same_ranking(random_kv.most_similar_cosmul(positive, negative, topn=5),
                             gkv.most_similar_cosmul(positive, negative, topn=5))
    assert random_kv.similarity("w1", "w9") == pytest.approx(gkv.similarity("w1", "w9"),
                                                             rel=1e-5)
    assert random_kv.n_similarity(["w1", "w2"], ["w9", "w4", "w5"]) == pytest.approx(
        gkv.n_similarity(["w1", "w2"], ["w9", "w4", "w5"]), rel=1e-5)
    words = ["w1", "w2", "w3", "w4", "w5"]
    assert random_kv.doesnt_match(words) == gkv.doesnt_match(words)
    for other in ["w2", "w50", "w299"]:
        assert random_kv.rank("w1", other) == gkv.rank("w1", other)


def test_rank_similarity_n_similarity_doesnt_match():
    kv = KeyedVectors(np.array([[1.0, 0.0], [0.9, 0.1], [0.5, 0.5], [0.0, 1.0]]),
                      ["a", "b", "c", "d"])
    assert [kv.rank("a", w) for w in ["b", "c", "d"]] == [1, 2, 3]
    assert kv.similarity("a", "d") == pytest.approx(0.0, abs=1e-7)
    assert kv.similarity("a", "a") == pytest.approx(1.0, rel=1e-6)
    assert kv.n_similarity(["a", "d"], ["c"]) == pytest.approx(1.0, rel=1e-6)
    assert kv.doesnt_match(["a", "b", "d"]) == "d"
    with pytest.raises(ValueError, match="empty"):
        kv.n_similarity([], ["a"])
    with pytest.raises(TypeError, match="list of words"):
        kv.doesnt_match("abc")


@pytest.mark.parametrize(
    "call",
    [
        lambda kv: kv.most_similar("nope"),
        lambda kv: kv.most_similar(["w1"], ["nope"]),
        lambda kv: kv.most_similar_cosmul(["w1", "nope"]),
        lambda kv: kv.similarity("w1", "nope"),
        lambda kv: kv.n_similarity(["w1"], ["nope"]),
        lambda kv: kv.doesnt_match(["w1", "nope"]),
        lambda kv: kv.rank("nope", "w1"),
        lambda kv: kv.analogy("w1", "w2", "nope"),
    ],
)
def test_unknown_word_in_queries(random_kv, call):
    with pytest.raises(KeyError, match=r"'nope' is not in the vocabulary.*'nope' in kv"):
        call(random_kv)


def test_query_argument_errors(random_kv):
    with pytest.raises(ValueError, match="at least one"):
        random_kv.most_similar()
    with pytest.raises(ValueError, match="topn"):
        random_kv.most_similar("w1", topn=-1)
    with pytest.raises(ValueError, match="restrict_vocab"):
        random_kv.most_similar("w1", restrict_vocab=0)
    with pytest.raises(ValueError, match="shape"):
        random_kv.similar_by_vector(np.ones(3))
    with pytest.raises(TypeError, match="words"):
        random_kv.most_similar(positive=[3.5])
    with pytest.raises(ValueError, match="positive"):
        random_kv.most_similar_cosmul(negative=["w1"])
    assert random_kv.most_similar("w1", topn=0) == []


def test_normalized_vectors_are_cached_once(random_kv):
    first = random_kv.get_normed_vectors()
    random_kv.most_similar("w1")
    assert random_kv.get_normed_vectors() is first
    random_kv.vectors = random_kv.vectors * 2
    assert random_kv.get_normed_vectors() is not first


# ---------------------------------------------------------------------- file formats


def _words_kv(n_words=25, vector_size=7, seed=0):
    rng = np.random.default_rng(seed)
    vectors = (rng.standard_normal((n_words, vector_size)) * 10.0 ** rng.integers(
        -8, 8, size=(n_words, vector_size))).astype(np.float32)
    keys = [f"word{i}" for i in range(n_words - 3)] + ["café", "naïve", "日本"]
    return KeyedVectors(vectors, keys)


def _assert_same_kv(kv, other):
    assert list(other.index_to_key) == list(kv.index_to_key)
    np.testing.assert_array_equal(np.asarray(other.vectors, dtype=np.float32), kv.vectors)


FORMATS = {
    "word2vec_text": (dict(binary=False), dict(binary=False)),
    "word2vec_binary": (dict(binary=True), dict(binary=True)),
    "glove": (dict(write_header=False), dict(no_header=True)),
}


@pytest.mark.parametrize("suffix", [".txt", ".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_is_exact(tmp_path, fmt, suffix):
    kv = _words_kv()
    save_kwargs, load_kwargs = FORMATS[fmt]
    path = tmp_path / f"vectors{suffix}"
    kv.save_word2vec_format(path, **save_kwargs)
    _assert_same_kv(kv, KeyedVectors.load_word2vec_format(path, **load_kwargs))
    _assert_same_kv(kv, KeyedVectors.load_word2vec_format(str(path), **load_kwargs))


def test_glove_methods_round_trip(tmp_path):
    kv = _words_kv()
    kv.save_glove_format(tmp_path / "glove.txt")
    assert not (tmp_path / "glove.txt").read_text(encoding="utf-8").startswith("25 7")
    _assert_same_kv(kv, KeyedVectors.load_glove_format(tmp_path / "glove.txt"))
    assert len(KeyedVectors.load_glove_format(tmp_path / "glove.txt", limit=4)) == 4


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_many_blocks_limit_and_one_dimension(tmp_path, monkeypatch, fmt):
    from skembed import _vector_io

    monkeypatch.setattr(_vector_io, "_BLOCK_LINES", 3)
    monkeypatch.setattr(_vector_io, "_BINARY_CHUNK_BYTES", 5)
    save_kwargs, load_kwargs = FORMATS[fmt]
    for vector_size in (1, 5):
        kv = _words_kv(n_words=11, vector_size=vector_size, seed=vector_size)
        path = tmp_path / f"v{vector_size}"
        kv.save_word2vec_format(path, **save_kwargs)
        _assert_same_kv(kv, KeyedVectors.load_word2vec_format(path, **load_kwargs))
        limited = KeyedVectors.load_word2vec_format(path, limit=7, **load_kwargs)
        assert limited.index_to_key == kv.index_to_key[:7]
        np.testing.assert_array_equal(limited.vectors, kv.vectors[:7])
        assert len(KeyedVectors.load_word2vec_format(path, limit=0, **load_kwargs)) == 0


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_skembed_files_load_in_gensim(tmp_path, fmt):
    kv = _words_kv()
    save_kwargs, load_kwargs = FORMATS[fmt]
    path = tmp_path / "from_skembed"
    kv.save_word2vec_format(path, **save_kwargs)
    loaded = gensim.models.KeyedVectors.load_word2vec_format(str(path), **load_kwargs)
    _assert_same_kv(kv, loaded)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_gensim_files_load_in_skembed(tmp_path, fmt):
    kv = _words_kv()
    gkv = gensim.models.KeyedVectors(kv.vector_size)
    gkv.add_vectors(kv.index_to_key, kv.vectors)
    save_kwargs, load_kwargs = FORMATS[fmt]
    path = tmp_path / "from_gensim"
    gkv.save_word2vec_format(str(path), **save_kwargs)
    _assert_same_kv(kv, KeyedVectors.load_word2vec_format(path, **load_kwargs))


def test_c_tool_layout_is_read(tmp_path):
    # The word2vec C tool ends text lines with a space and binary records with a newline.
    text = tmp_path / "c.txt"
    text.write_bytes(b"2 3\n</s> 0.1 0.2 0.3 \nthe -1 2e-3 4 \n")
    kv = KeyedVectors.load_word2vec_format(text)
    assert kv.index_to_key == ["</s>", "the"]
    np.testing.assert_array_equal(kv.vectors, np.float32([[0.1, 0.2, 0.3], [-1, 2e-3, 4]]))
    binary = tmp_path / "c.bin"
    rows = np.float32([[1.5, -2, 0], [3, 4, 5]])
    binary.write_bytes(b"2 3\n" + b"</s> " + rows[0].tobytes() + b"\nthe "
                       + rows[1].tobytes() + b"\n")
    kv = KeyedVectors.load_word2vec_format(binary, binary=True)
    assert kv.index_to_key == ["</s>", "the"]
    np.testing.assert_array_equal(kv.vectors, rows)


def test_encodings(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("1 2\ncafé 1 2\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"Line 2 of .*latin1.txt.*utf-8"):
        KeyedVectors.load_word2vec_format(path)
    assert KeyedVectors.load_word2vec_format(path, encoding="latin-1").index_to_key == ["café"]
    replaced = KeyedVectors.load_word2vec_format(path, unicode_errors="replace")
    assert replaced.index_to_key == ["caf\ufffd"]


def test_duplicate_words_keep_the_first(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 2\na 1 2\nb 3 4\na 5 6\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"'a' more than once \(again on line 4\)"):
        kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(kv.vectors, [[1, 2], [3, 4]])


def test_unwritable_keys_are_rejected(tmp_path):
    kv = KeyedVectors(np.ones((2, 2)), ["fine", "new york"])
    with pytest.raises(ValueError, match="'new york'.*space"):
        kv.save_word2vec_format(tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()
    with pytest.raises(ValueError, match="write_header"):
        _words_kv().save_word2vec_format(tmp_path / "y.bin", binary=True, write_header=False)
    with pytest.raises(TypeError, match="os.PathLike"):
        _words_kv().save_word2vec_format(42)


@pytest.mark.parametrize(
    "content, kwargs, message",
    [
        (b"3 2\na 1 2\nb 3\nc 5 6\n", {}, r"Line 3 of '.*bad' has 1 values.*expected 2"),
        (b"3 2\na 1 2\nb 3 4\nc 5 6 7\n", {}, r"Line 4 of '.*bad' has 3 values"),
        (b"3 2\na 1 2\nb 3 x4\nc 5 6\n", {}, r"Line 3 of '.*bad': 'x4' is not a number"),
        (b"3 2\na 1 2\nb\nc 5 6\n", {}, r"Line 3 of '.*bad' has 0 values"),
        (b"3 2\na 1 2\nb 3 4\n", {}, r"'.*bad' ends after line 3 with 2 vectors.*announced 3"),
        (b"two 2\na 1 2\n", {}, r"Line 1 of '.*bad' should be the header"),
        (b"a 1 2\nb 3 4\n", {}, r"Line 1 of '.*bad' should be the header.*GloVe"),
        (b"a 1 2\nb 3 4\nc 5\n", {"no_header": True}, r"Line 3 of '.*bad' has 1 values"),
        (b"a 1 2\nb nan 4\nc 5 6 -\n", {"no_header": True}, r"Line 3 of '.*bad' has 3 values"),
        (b"a 1 2\nb 3,5 4\n", {"no_header": True}, r"Line 2 of '.*bad': '3,5' is not a number"),
        (b"2 2\na " + np.float32([1, 2]).tobytes() + b"\nb " + np.float32([3]).tobytes(),
         {"binary": True}, r"'.*bad' is truncated.*vector 2 \(line 3"),
        (b"2 2\n", {"binary": True}, r"'.*bad' is truncated.*vector 1 \(line 2"),
    ],
)
def test_malformed_files_name_the_line(tmp_path, content, kwargs, message):
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        KeyedVectors.load_word2vec_format(path, **kwargs)


def test_malformed_line_number_in_a_later_block(tmp_path, monkeypatch):
    from skembed import _vector_io

    monkeypatch.setattr(_vector_io, "_BLOCK_LINES", 4)
    lines = [f"w{i} {i} {i + 1}" for i in range(20)]
    lines[13] = "w13 1 2 3"
    path = tmp_path / "late.txt.gz"
    import gzip

    with gzip.open(path, "wt") as fout:
        fout.write("20 2\n" + "\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"Line 15 of .*late.txt.gz' has 3 values"):
        KeyedVectors.load_word2vec_format(path)


def test_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("a 1 2\n\nb 3 4\n\n", encoding="utf-8")
    kv = KeyedVectors.load_glove_format(path)
    assert kv.index_to_key == ["a", "b"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(matrix=arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 5)),
                     elements=st.floats(width=32, allow_nan=False, allow_infinity=False)))
def test_text_round_trip_is_exact_for_any_float32(tmp_path, matrix):
    # Nine significant digits identify every float32, subnormals and extremes included.
    kv = KeyedVectors(matrix, [f"k{i}" for i in range(len(matrix))])
    path = tmp_path / "any.txt"
    kv.save_word2vec_format(path)
    loaded = KeyedVectors.load_word2vec_format(path)
    # Bit for bit, so -0.0 stays -0.0.
    np.testing.assert_array_equal(loaded.vectors.view(np.uint32), kv.vectors.view(np.uint32))
