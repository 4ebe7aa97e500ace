"""Tests of FastTextVectorizer: n-gram hashing, the subword kernel, .bin files, unseen words."""

import functools
import logging
import pickle

import numpy as np
import pytest
from gensim.models.fasttext import FastText, ft_ngram_hashes, save_facebook_model
from gensim.models.fasttext_inner import ft_hash_bytes

from skembed import FastTextKeyedVectors, FastTextVectorizer, KeyedVectors, load_facebook_model
from skembed._kernels import _word2vec as w2v
from skembed._kernels._fasttext import fnv1a_hash, mean_of_rows
from skembed._kernels._random import seed_states
from skembed._subwords import subword_buckets, with_own_rows

from .conftest import make_documents
from .test_word2vec_kernels import random_weights, reference_hierarchical_softmax


logging.getLogger("gensim").setLevel(logging.WARNING)

WORDS = ["cat", "a", "naïve", "über", "日本語", "coöperation", "\U0001f600ok", "aaaaaaaa",
         "x", "supercalifragilistic"]


def python_fnv1a(data):
    """fastText's hash: FNV-1a over bytes read as signed chars widened to 32 bits."""
    h = 2166136261
    for byte in data:
        signed = byte - 256 if byte >= 128 else byte
        h = ((h ^ (signed & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return h


@pytest.mark.parametrize("data", [b"", b"<ca", b"\xc3\xa9t", b"\xff\x80\x7f", "日本".encode()])
def test_fnv1a_matches_reference_and_gensim(data):
    array = np.frombuffer(data, dtype=np.uint8)
    assert fnv1a_hash(array) == python_fnv1a(data) == ft_hash_bytes(data)


def test_signed_byte_quirk_changes_the_hash():
    # Without the sign extension, a byte >= 128 would give another hash.
    data = "é".encode()
    plain = 2166136261
    for byte in data:
        plain = ((plain ^ byte) * 16777619) & 0xFFFFFFFF
    assert fnv1a_hash(np.frombuffer(data, dtype=np.uint8)) != plain


@pytest.mark.parametrize("min_n,max_n", [(3, 6), (1, 3), (2, 2), (5, 5)])
def test_ngram_buckets_match_gensim(min_n, max_n):
    offsets, buckets = subword_buckets(WORDS, min_n, max_n, 2_000_000)
    assert offsets.dtype == np.int64 and buckets.dtype == np.int32
    for i, word in enumerate(WORDS):
        expected = ft_ngram_hashes(word, min_n, max_n, 2_000_000)
        assert buckets[offsets[i]:offsets[i + 1]].tolist() == list(expected), word


def test_ngrams_of_a_word():
    # <cat>: 3-grams <ca cat at>, 4-grams <cat cat>, 5-gram <cat>; no lone boundary symbol.
    offsets, buckets = subword_buckets(["cat"], 1, 6, 1 << 30)
    expected = ["c", "a", "t", "<c", "ca", "at", "t>", "<ca", "cat", "at>", "<cat", "cat>",
                "<cat>"]
    hashes = sorted(python_fnv1a(g.encode()) % (1 << 30) for g in expected)
    assert sorted(buckets.tolist()) == hashes


def test_rows_per_word_are_a_compact_csr():
    offsets, buckets = subword_buckets(["cat", "dog", "</s>"], 3, 6, 100)
    assert offsets[-1] - offsets[-2] == 0  # fastText's end-of-sentence token has no n-grams
    row_offsets, rows = with_own_rows(offsets, buckets, 3)
    assert row_offsets.tolist() == (offsets + np.arange(4)).tolist()
    assert rows.dtype == np.int32 and rows.nbytes == 4 * (3 + buckets.size)
    for w in range(3):
        listed = rows[row_offsets[w]:row_offsets[w + 1]]
        assert listed[0] == w
        assert (listed[1:] == buckets[offsets[w]:offsets[w + 1]] + 3).all()


def test_mean_of_rows_matches_numpy():
    rng = np.random.default_rng(0)
    table = random_weights(rng, 7, 3)
    offsets = np.array([0, 2, 2, 5], dtype=np.int64)
    rows = np.array([1, 6, 0, 0, 3], dtype=np.int32)
    out = mean_of_rows(offsets, rows, table)
    np.testing.assert_allclose(out[0], table[[1, 6]].mean(axis=0), rtol=1e-6)
    assert (out[1] == 0).all()
    np.testing.assert_allclose(out[2], table[[0, 0, 3]].mean(axis=0), rtol=1e-6)


# --- the subword kernel against a numpy reference ----------------------------------------------


def _enter_window(inputs, rows_of, doc, sums, steps, j):
    sums[j] = inputs[rows_of[doc[j]]].sum(axis=0)
    steps[j] = np.zeros(inputs.shape[1])


def _leave_window(inputs, rows_of, doc, steps, j):
    for row in rows_of[doc[j]]:
        inputs[row] += steps[j]


def reference_subword_epoch(ids, offsets, row_offsets, rows, start, architecture, predict,
                            cbow_mean):
    """Window 1, no subsampling, hierarchical softmax: the update rule of the kernel.

    Skip-gram predicts each context word from the mean of the centre word's rows and applies
    the summed steps to those rows after the position. CBOW predicts each word from all the
    rows of its context; a token's row sum is taken when it comes within the window and its
    summed steps reach its rows when it leaves the window.
    """
    inputs, outputs = (w.astype(np.float64) for w in start)
    total_loss, n_predictions = 0.0, 0
    rows_of = [rows[row_offsets[w]:row_offsets[w + 1]] for w in range(row_offsets.size - 1)]
    window = 1
    for d in range(offsets.size - 1):
        doc = ids[offsets[d]:offsets[d + 1]]
        sums, steps = {}, {}
        enter = functools.partial(_enter_window, inputs, rows_of, doc, sums, steps)
        leave = functools.partial(_leave_window, inputs, rows_of, doc, steps)
        if architecture == w2v.CBOW:
            for j in range(min(window, len(doc))):
                enter(j)
        for i, word in enumerate(doc):
            window_positions = [j for j in (i - 1, i + 1) if 0 <= j < len(doc)]
            if architecture == w2v.SKIPGRAM:
                if not window_positions:
                    continue
                hidden = inputs[rows_of[word]].mean(axis=0)
                error_sum = np.zeros_like(hidden)
                for j in window_positions:
                    error, outputs, loss = predict(hidden, outputs, doc[j])
                    error_sum += error
                    total_loss += loss
                    n_predictions += 1
                for row in rows_of[word]:
                    inputs[row] += error_sum
                continue
            if i + window < len(doc):
                enter(i + window)
            if window_positions:
                hidden = sum(sums[j] for j in window_positions)
                if cbow_mean:
                    hidden = hidden / sum(len(rows_of[doc[j]]) for j in window_positions)
                error, outputs, loss = predict(hidden, outputs, word)
                for j in window_positions:
                    steps[j] += error
                total_loss += loss
                n_predictions += 1
            if i >= window:
                leave(i - window)
        if architecture == w2v.CBOW:
            for j in range(max(0, len(doc) - window), len(doc)):
                leave(j)
    return inputs, outputs, total_loss, n_predictions


@pytest.mark.parametrize("architecture", [w2v.SKIPGRAM, w2v.CBOW])
@pytest.mark.parametrize("cbow_mean", [0, 1])
def test_subword_kernel_matches_reference(architecture, cbow_mean):
    ids = np.array([0, 1, 2, 3, 0, 4, 1, 0, 2, 3, 1, 0, 4, 2], dtype=np.int32)
    offsets = np.array([0, 5, 5, 6, 14], dtype=np.int64)
    counts = np.array([4, 3, 3, 2, 2])
    n_words, n_buckets, dim, lr = 5, 4, 6, 0.05
    # Word 2 shares bucket 1 with word 0 and lists bucket 3 twice; word 4 has no n-gram.
    word_buckets = [[0, 1], [2], [1, 3, 3], [0], []]
    offsets_b = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum([len(b) for b in word_buckets], out=offsets_b[1:])
    row_offsets, rows = with_own_rows(
        offsets_b, np.array(sum(word_buckets, []), dtype=np.int32), n_words)
    rng = np.random.default_rng(1)
    inputs = random_weights(rng, n_words + n_buckets, dim)
    outputs = random_weights(rng, n_words - 1, dim, scale=0.3)
    start = (inputs.copy(), outputs.copy())
    code_offsets, codes, points = w2v.build_huffman_tree(counts)
    tables = w2v.Tables(w2v.keep_probabilities(counts, 0.0), np.empty(0, dtype=np.uint64),
                        code_offsets, codes, points, row_offsets, rows)
    config = w2v.Config(*(np.int64(v) for v in (architecture, w2v.HIERARCHICAL_SOFTMAX, 1, 0,
                                                 cbow_mean)))
    losses, n_predictions = np.zeros(1), np.zeros(1, dtype=np.int64)
    w2v.train_units_serial(w2v.Documents(ids, offsets),
                           w2v.Weights(inputs, outputs, np.ones(9, dtype=np.float32)),
                           tables, config, np.array([0, ids.size], dtype=np.int64),
                           np.full(1, lr, dtype=np.float32), seed_states(0, 1), losses,
                           n_predictions, np.zeros(1, dtype=np.int64))

    def predict(hidden, output_vectors, word):
        path = slice(code_offsets[word], code_offsets[word + 1])
        return reference_hierarchical_softmax(hidden, output_vectors, codes[path],
                                              points[path], lr)

    expected = reference_subword_epoch(ids, offsets, row_offsets, rows, start, architecture,
                                       predict, cbow_mean)
    # The kernel reads the sigmoid from a 2048-bin table (up to 7e-4 off); over the epoch the
    # same few Huffman nodes take dozens of steps, so the float32 run drifts from the exact
    # float64 reference by up to about 3e-3 * lr. A wrong update rule moves rows by about
    # lr * |row| (0.5 here), a hundred times more.
    np.testing.assert_allclose(inputs, expected[0], atol=5e-3 * lr)
    np.testing.assert_allclose(outputs, expected[1], atol=5e-3 * lr)
    assert n_predictions[0] == expected[3]
    assert abs(losses[0] - expected[2]) < 0.05
    assert not np.allclose(inputs[n_words:], start[0][n_words:])  # the buckets learned


# --- Facebook .bin files -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def gensim_model():
    sentences = [doc.split() for doc in make_documents(40)] + [["naïve", "café", "über"]] * 3
    return FastText(sentences, vector_size=12, window=3, min_count=2, min_n=2, max_n=5,
                    bucket=500, epochs=2, seed=0, workers=1)


@pytest.fixture(scope="module")
def bin_path(gensim_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("fasttext") / "model.bin"
    save_facebook_model(gensim_model, str(path))
    return path


def test_bin_from_gensim_gives_identical_vectors(gensim_model, bin_path):
    kv = load_facebook_model(bin_path)
    wv = gensim_model.wv
    assert isinstance(kv, FastTextKeyedVectors) and isinstance(kv, KeyedVectors)
    assert kv.index_to_key == wv.index_to_key
    assert (kv.min_n, kv.max_n, kv.n_buckets) == (2, 5, 500)
    np.testing.assert_array_equal(kv.ngram_vectors, wv.vectors_ngrams)
    np.testing.assert_array_equal(kv.vectors, wv.vectors)  # known words
    unseen = ["caat", "naïveté", "cafés", "zzz", "日本", "moneys", "x"]
    for word in unseen:
        assert word not in kv
        np.testing.assert_array_equal(kv[word], wv[word])
    np.testing.assert_array_equal(kv[unseen], np.array([wv[w] for w in unseen]))
    for word, score in wv.most_similar("caat", topn=3):
        assert dict(kv.most_similar("caat", topn=3))[word] == pytest.approx(score, abs=1e-5)
    assert kv.similarity("caat", "moneys") == pytest.approx(wv.similarity("caat", "moneys"),
                                                            abs=1e-5)


def test_bin_vectors_work_as_plain_vectors(bin_path, tmp_path):
    from skembed import EmbeddingVectorizer, Word2VecVectorizer

    kv = load_facebook_model(bin_path)
    path = tmp_path / "model.vec"
    kv.save_word2vec_format(path)
    text = KeyedVectors.load_word2vec_format(path)
    assert text.index_to_key == kv.index_to_key
    np.testing.assert_allclose(text.vectors, kv.vectors, rtol=1e-5, atol=1e-6)
    documents = make_documents(10)
    pooled = EmbeddingVectorizer(kv).fit_transform(documents)
    assert pooled.shape == (10, 12) and np.abs(pooled).sum() > 0
    tuned = Word2VecVectorizer(n_components=12, min_count=1, epochs=1, init_vectors=kv,
                               random_state=0).fit(documents)
    assert tuned.n_pretrained_ > 0
    assert pickle.loads(pickle.dumps(kv)).similarity("caat", "cat") == kv.similarity("caat",
                                                                                     "cat")


def test_bad_bin_files_are_rejected(bin_path, tmp_path):
    data = bin_path.read_bytes()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        load_facebook_model(truncated)
    other = tmp_path / "other.bin"
    other.write_bytes(b"2 3\nfoo 1 2 3\n")
    with pytest.raises(ValueError, match="not a fastText .bin model"):
        load_facebook_model(other)
    with pytest.raises(ValueError, match="does not exist"):
        load_facebook_model(tmp_path / "missing.bin")


# --- the estimator -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    documents = make_documents(80, words_per_document=25)
    return FastTextVectorizer(n_components=16, min_count=2, n_buckets=2000, epochs=5,
                              random_state=0).fit(documents), documents


def test_unseen_words_get_vectors_from_ngrams(fitted):
    vectorizer, _ = fitted
    kv = vectorizer.word_vectors_
    assert "rabbitt" not in kv
    vector = kv["rabbitt"]
    assert vector.shape == (16,) and np.abs(vector).sum() > 0
    offsets, buckets = subword_buckets(["rabbitt"], 3, 6, 2000)
    np.testing.assert_allclose(vector, kv.ngram_vectors[buckets].mean(axis=0), rtol=1e-5)
    # A misspelling is closest to the word it misspells.
    assert kv.most_similar("rabbitt", topn=1)[0][0] == "rabbit"
    assert kv.similarity("rabbitt", "rabbit") > kv.similarity("rabbitt", "bread")


def test_transform_uses_unseen_tokens(fitted):
    vectorizer, _ = fitted
    unseen_only = vectorizer.transform(["rabbitt foxes", "zzzz"])
    assert np.abs(unseen_only[0]).sum() > 0
    expected = vectorizer.word_vectors_[["rabbitt", "foxes"]].mean(axis=0)
    np.testing.assert_allclose(unseen_only[0], expected, rtol=1e-5, atol=1e-7)
    mixed = vectorizer.transform(["rabbit rabbitt"])[0]
    np.testing.assert_allclose(
        mixed, vectorizer.word_vectors_[["rabbit", "rabbitt"]].mean(axis=0), rtol=1e-5,
        atol=1e-7)


def test_fit_transform_includes_rare_words():
    documents = make_documents(30) + ["rabbitt rabbitt"]
    vectorizer = FastTextVectorizer(n_components=8, min_count=3, n_buckets=500, epochs=1,
                                    random_state=0)
    pooled = vectorizer.fit_transform(documents)
    assert "rabbitt" not in vectorizer.vocabulary_
    np.testing.assert_array_equal(pooled, vectorizer.transform(documents))
    assert np.abs(pooled[-1]).sum() > 0


def test_seeded_fit_is_bitwise_reproducible_and_learns():
    documents = make_documents(60)
    first = FastTextVectorizer(n_components=8, min_count=1, n_buckets=300, epochs=3,
                               architecture="cbow", random_state=3).fit(documents)
    second = FastTextVectorizer(n_components=8, min_count=1, n_buckets=300, epochs=3,
                                architecture="cbow", random_state=3).fit(documents)
    np.testing.assert_array_equal(first.word_vectors_.vectors, second.word_vectors_.vectors)
    np.testing.assert_array_equal(first.word_vectors_.ngram_vectors,
                                  second.word_vectors_.ngram_vectors)
    assert first.loss_curve_[-1] < first.loss_curve_[0]


def test_without_ngrams_words_keep_their_own_rows():
    documents = make_documents(20)
    vectorizer = FastTextVectorizer(n_components=8, min_count=1, min_n=3, max_n=2,
                                    n_buckets=10, epochs=1, random_state=0).fit(documents)
    kv = vectorizer.word_vectors_
    assert (kv["zzzz"] == 0).all()
    assert np.isfinite(kv.vectors).all() and np.abs(kv.vectors).sum() > 0


def test_command_line_trains_fasttext_and_writes_vec(tmp_path, capsys):
    from skembed.cli import main

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(make_documents(100)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.vec"
    argv = ["train", "fasttext", str(corpus), "-o", str(output), "--dim", "8", "--epochs", "1",
            "--buckets", "500", "--min-n", "2", "--max-n", "4", "--threads", "1"]
    assert main(argv) == 0
    assert "Trained fasttext" in capsys.readouterr().out
    kv = KeyedVectors.load_word2vec_format(output)
    assert kv.vector_size == 8 and "cat" in kv


def test_fasttext_bin_paths_work_where_vector_files_do(bin_path):
    from skembed import EmbeddingVectorizer
    from skembed.keyed_vectors import load_vectors

    kv = load_vectors(bin_path)
    assert isinstance(kv, FastTextKeyedVectors) and kv.n_buckets == 500
    documents = make_documents(5)
    pooled = EmbeddingVectorizer(str(bin_path)).fit_transform(documents)
    np.testing.assert_allclose(pooled, EmbeddingVectorizer(kv).fit_transform(documents))
