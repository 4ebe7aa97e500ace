"""Large corpora on one machine: memory of the corpus pass, ids in memory-mapped files."""

import gc
import os
import tracemalloc

import numpy as np
import pytest

import skembed
from skembed import GloVeVectorizer, Word2VecVectorizer
from skembed import _corpus
from skembed._corpus import build_corpus, encode_documents, release_pages
from skembed._text import build_analyzer

WORDS = [f"w{i}" for i in range(300)]


def _documents(n_documents, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 40, n_documents)
    picks = rng.zipf(1.3, lengths.sum()) % len(WORDS)
    out, start = [], 0
    for length in lengths:
        out.append(" ".join(WORDS[i] for i in picks[start:start + length]))
        start += length
    return out


def _open_temporary_files(folder):
    """Open descriptors and maps of files in ``folder`` (Linux), whatever their name now."""
    if not os.path.isdir("/proc/self/fd"):
        return []
    folder = os.path.realpath(folder)
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(folder):
            found.append(target)
    with open("/proc/self/maps") as maps:
        found += [line for line in maps if folder in line]
    return found


@pytest.fixture(params=["unlinked at once", "removed at the end"])
def unlink_mode(request, monkeypatch):
    """Both ways of removing the files: POSIX unlink while open, and removal afterwards."""
    if request.param == "removed at the end":
        monkeypatch.setattr(_corpus, "_unlink_open_file", lambda path: False)
    return request.param


@pytest.mark.parametrize("limit", [0, 4 * 500, 4 * 5000])
@pytest.mark.parametrize("min_count, max_vocab_size", [(1, None), (3, None), (1, 20)])
def test_corpus_on_disk_equals_corpus_in_memory(tmp_path, limit, min_count, max_vocab_size):
    documents = _documents(600) + [""]
    analyzer = build_analyzer()
    expected = build_corpus(documents, analyzer, min_count=min_count,
                            max_vocab_size=max_vocab_size, chunk_size=50)
    assert not isinstance(expected.ids.base, np.memmap)
    with skembed.config_context(corpus_memory_limit=limit, temp_folder=tmp_path):
        corpus = build_corpus(documents, analyzer, min_count=min_count,
                              max_vocab_size=max_vocab_size, chunk_size=50)
    assert isinstance(corpus.ids.base, np.memmap)
    assert isinstance(corpus.offsets.base, np.memmap)
    assert corpus.index_to_key == expected.index_to_key
    np.testing.assert_array_equal(corpus.counts, expected.counts)
    np.testing.assert_array_equal(corpus.ids, expected.ids)
    np.testing.assert_array_equal(corpus.offsets, expected.offsets)
    assert corpus.n_raw_tokens == expected.n_raw_tokens
    if os.name == "posix":  # unlinked while open: never visible
        assert os.listdir(tmp_path) == []


def test_encode_documents_on_disk(tmp_path):
    documents = _documents(300)
    analyzer = build_analyzer()
    vocabulary = {word: i for i, word in enumerate(WORDS[:50])}
    expected = encode_documents(documents, analyzer, vocabulary, chunk_size=40)
    with skembed.config_context(corpus_memory_limit=0, temp_folder=tmp_path):
        ids, offsets = encode_documents(documents, analyzer, vocabulary, chunk_size=40)
    assert isinstance(ids.base, np.memmap)
    np.testing.assert_array_equal(ids, expected[0])
    np.testing.assert_array_equal(offsets, expected[1])


def test_temporary_files_are_removed_after_fit(tmp_path, unlink_mode):
    documents = _documents(400)
    with skembed.config_context(corpus_memory_limit=0, temp_folder=tmp_path):
        corpus = build_corpus(documents, build_analyzer(), chunk_size=50)
        if unlink_mode == "removed at the end":
            assert len(os.listdir(tmp_path)) == 2  # ids and offsets, alive while in use
        Word2VecVectorizer(n_components=4, epochs=1, min_count=1, random_state=0).fit(
            documents
        )
    del corpus
    gc.collect()
    assert os.listdir(tmp_path) == []
    assert _open_temporary_files(tmp_path) == []


class _Interrupt:
    """A tokenizer that raises ``error`` at its ``at``-th document."""

    def __init__(self, at, error):
        self.at = at
        self.error = error
        self.seen = 0

    def __call__(self, text):
        self.seen += 1
        if self.seen == self.at:
            raise self.error
        return text.split()


@pytest.mark.parametrize("error", [KeyboardInterrupt(), ValueError("bad document")])
@pytest.mark.parametrize("at", [250, 401])  # while reading; in the last chunk
def test_temporary_files_are_removed_on_error_and_ctrl_c(tmp_path, unlink_mode, error, at):
    documents = _documents(400)
    analyzer = build_analyzer(tokenizer=_Interrupt(at, error))
    with skembed.config_context(corpus_memory_limit=0, temp_folder=tmp_path):
        if at > len(documents):  # interrupted after the corpus pass: by the training
            estimator = Word2VecVectorizer(n_components=4, epochs=1, min_count=1)
            estimator._fit_word_vectors = _raise(error)
            with pytest.raises(type(error)):
                estimator.fit(documents)
        else:
            with pytest.raises(type(error)):
                build_corpus(documents, analyzer, chunk_size=50)
    gc.collect()
    assert os.listdir(tmp_path) == []
    assert _open_temporary_files(tmp_path) == []


def _raise(error):
    def fail(corpus):
        assert isinstance(corpus.ids.base, np.memmap)
        raise error

    return fail


@pytest.mark.parametrize("estimator", [
    Word2VecVectorizer(n_components=8, epochs=2, min_count=2, random_state=0),
    Word2VecVectorizer(n_components=8, epochs=1, min_count=2, random_state=0,
                       architecture="cbow", objective="hierarchical_softmax", pooling="sif"),
    GloVeVectorizer(n_components=8, epochs=2, min_count=2, random_state=0, pooling="tfidf"),
], ids=["skipgram", "cbow-hs", "glove"])
def test_fit_from_memory_mapped_ids_is_identical(tmp_path, estimator):
    documents = _documents(500)
    expected = estimator.fit_transform(documents)
    with skembed.config_context(corpus_memory_limit=0, temp_folder=tmp_path):
        np.testing.assert_array_equal(estimator.fit_transform(documents), expected)
        np.testing.assert_array_equal(estimator.transform(documents), expected)


def test_release_pages_keeps_the_values(tmp_path):
    documents = _documents(3000)
    expected = build_corpus(documents, build_analyzer())
    with skembed.config_context(corpus_memory_limit=0, temp_folder=tmp_path):
        corpus = build_corpus(documents, build_analyzer())
    release_pages(corpus.ids, 0, len(corpus.ids))
    np.testing.assert_array_equal(corpus.ids, expected.ids)
    plain = np.arange(10, dtype=np.int32)
    release_pages(plain, 0, 10)  # not mapped: nothing happens
    np.testing.assert_array_equal(plain, np.arange(10))


def test_corpus_pass_memory_is_about_four_bytes_per_token():
    # Documents come from a generator, so only the pass's own allocations are traced.
    n_documents, words = 40_000, np.array(WORDS)
    rng = np.random.default_rng(0)

    def documents():
        for _ in range(n_documents):
            yield " ".join(words[rng.integers(0, len(words), 50)])

    analyzer = build_analyzer()
    build_corpus(["warm up"], analyzer)
    tracemalloc.start()
    try:
        corpus = build_corpus(documents(), analyzer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    n_tokens = corpus.n_raw_tokens
    assert n_tokens == 50 * n_documents
    # The id buffer doubles, so its allocated size is up to 8 bytes a token (its unused tail
    # is never touched, so resident memory stays near 4); chunks add a fixed amount.
    assert peak < 8.5 * n_tokens + 16 * 2**20, peak / n_tokens


def test_fit_on_files_equals_fit_on_their_contents(tmp_path):
    documents = _documents(60)
    paths = []
    for i, document in enumerate(documents):
        path = tmp_path / f"doc{i}.txt"
        path.write_text(document, encoding="utf-8")
        paths.append(str(path))
    parameters = dict(n_components=6, epochs=1, min_count=2, random_state=0)
    expected = Word2VecVectorizer(**parameters).fit_transform(documents)
    from_files = Word2VecVectorizer(input="filename", **parameters)
    np.testing.assert_array_equal(from_files.fit_transform(paths), expected)
    np.testing.assert_array_equal(from_files.transform(iter(paths)), expected)


def test_fit_streams_an_iterable_that_is_read_once():
    documents = _documents(300)
    parameters = dict(n_components=6, epochs=1, min_count=2, random_state=0)
    expected = Word2VecVectorizer(**parameters).fit_transform(documents)
    streamed = Word2VecVectorizer(**parameters).fit_transform(iter(documents))
    np.testing.assert_array_equal(streamed, expected)


def test_config_is_checked():
    with pytest.raises(ValueError, match="corpus_memory_limit"):
        skembed.set_config(corpus_memory_limit=-1)
    with pytest.raises(ValueError, match="corpus_memory_limit"):
        skembed.set_config(corpus_memory_limit=True)
    with pytest.raises(TypeError, match="temp_folder"):
        skembed.set_config(temp_folder=3)
    with skembed.config_context(corpus_memory_limit=5):
        assert skembed.get_config()["corpus_memory_limit"] == 5
    assert skembed.get_config()["corpus_memory_limit"] == 2**30
