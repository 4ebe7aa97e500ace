"""The text layer (analyzers, input checks) and the corpus layer (ids, offsets, counts)."""

import io
import pickle
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from skembed._corpus import build_corpus, encode_documents
from skembed._text import build_analyzer, iter_documents

from .conftest import make_documents


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lowercase": False},
        {"token_pattern": r"\w+"},
        {"token_pattern": r"(\w)\w*"},
        {"tokenizer": str.split},
        {"preprocessor": str.upper},
    ],
)
def test_analyzer_matches_count_vectorizer(params):
    text = "The Cat's 2 HATS, un chat: a b c-d; Ünïcode wörds!"
    expected = CountVectorizer(**params).build_analyzer()(text)
    assert build_analyzer(**params)(text) == expected


def test_analyzer_passes_token_lists_through_and_pickles():
    analyzer = pickle.loads(pickle.dumps(build_analyzer(tokenizer=str.split)))
    assert analyzer(["Keep", "AS", "is"]) == ["Keep", "AS", "is"]
    assert analyzer("Split ME") == ["split", "me"]


def test_analyzer_rejects_two_groups_and_missing_pattern():
    with pytest.raises(ValueError, match="More than 1 capturing group"):
        build_analyzer(token_pattern=r"(a)(b)")
    with pytest.raises(ValueError, match="token_pattern=None needs a tokenizer"):
        build_analyzer(token_pattern=None)


def test_iter_documents_reads_files_and_file_objects(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("from a file", encoding="utf-8")
    assert list(iter_documents([path, str(path)], input="filename")) == ["from a file"] * 2
    assert list(iter_documents([io.StringIO("text"), io.BytesIO(b"bytes")], input="file")) == [
        "text",
        "bytes",
    ]
    with pytest.raises(TypeError, match="with input='file'"):
        list(iter_documents(["not a file"], input="file"))


def test_iter_documents_decoding_options():
    assert list(iter_documents([b"caf\xe9"], encoding="latin-1")) == ["café"]
    assert list(iter_documents([b"ok\xff"], decode_error="ignore")) == ["ok"]
    with pytest.raises(ValueError, match="Document 0 is bytes that do not decode as 'utf-8'"):
        list(iter_documents([b"ok\xff"]))


def test_iter_documents_rejects_2d_arrays():
    with pytest.raises(ValueError, match="1-D collection"):
        list(iter_documents(np.array([["a", "b"], ["c", "d"]])))


def _reference_corpus(tokenized, min_count, max_vocab_size):
    counts = Counter(token for doc in tokenized for token in doc)
    vocabulary = sorted(
        (token for token, count in counts.items() if count >= min_count),
        key=lambda token: (-counts[token], token),
    )[:max_vocab_size]
    index = {token: i for i, token in enumerate(vocabulary)}
    ids = [[index[t] for t in doc if t in index] for doc in tokenized]
    return vocabulary, [counts[t] for t in vocabulary], ids


@settings(max_examples=50, deadline=None)
@given(
    documents=st.lists(
        st.lists(st.sampled_from("a b c d e f g h".split()), max_size=12), max_size=15
    ),
    min_count=st.integers(1, 4),
    max_vocab_size=st.one_of(st.none(), st.integers(1, 6)),
    chunk_size=st.integers(1, 7),
)
def test_corpus_matches_reference(documents, min_count, max_vocab_size, chunk_size):
    corpus = build_corpus(
        documents,
        build_analyzer(),
        min_count=min_count,
        max_vocab_size=max_vocab_size,
        chunk_size=chunk_size,
    )
    vocabulary, counts, ids = _reference_corpus(documents, min_count, max_vocab_size)
    assert corpus.index_to_key == vocabulary
    assert corpus.counts.tolist() == counts
    assert corpus.n_raw_tokens == sum(len(doc) for doc in documents)
    assert corpus.n_documents == len(documents)
    assert corpus.ids.dtype == np.int32 and corpus.offsets.dtype == np.int64
    got = [corpus.ids[a:b].tolist() for a, b in zip(corpus.offsets[:-1], corpus.offsets[1:])]
    assert got == ids
    if min_count == 1 and max_vocab_size is None:
        assert corpus.counts.sum() == corpus.n_raw_tokens


def test_parallel_corpus_equals_serial():
    documents = make_documents(n_documents=500, seed=1)
    analyzer = build_analyzer()
    serial = build_corpus(documents, analyzer, min_count=2, chunk_size=64)
    parallel = build_corpus(documents, analyzer, min_count=2, chunk_size=64, n_jobs=2)
    assert serial.index_to_key == parallel.index_to_key
    np.testing.assert_array_equal(serial.ids, parallel.ids)
    np.testing.assert_array_equal(serial.offsets, parallel.offsets)
    ids, offsets = encode_documents(
        documents, analyzer, dict(zip(serial.index_to_key, range(10**6))), n_jobs=2,
        chunk_size=64,
    )
    np.testing.assert_array_equal(ids, serial.ids)
    np.testing.assert_array_equal(offsets, serial.offsets)


def test_corpus_streams_from_a_generator_and_an_open_file(tmp_path):
    lines = make_documents(n_documents=50, seed=2)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    analyzer = build_analyzer()
    expected = build_corpus(lines, analyzer)
    from_generator = build_corpus((line for line in lines), analyzer, chunk_size=8)
    with open(path, encoding="utf-8") as handle:
        from_file = build_corpus(handle, analyzer, chunk_size=8)
    for corpus in (from_generator, from_file):
        assert corpus.index_to_key == expected.index_to_key
        np.testing.assert_array_equal(corpus.ids, expected.ids)


def test_vocabulary_order_does_not_depend_on_document_order():
    documents = ["b a", "c a b", "d c"]
    first = build_corpus(documents, build_analyzer(token_pattern=r"\w+"))
    second = build_corpus(documents[::-1], build_analyzer(token_pattern=r"\w+"))
    assert first.index_to_key == second.index_to_key == ["a", "b", "c", "d"]


def test_bad_document_error_names_its_position_across_chunks():
    documents = ["fine"] * 10 + [None]
    with pytest.raises(TypeError, match=re.escape("Document 10 is None")):
        build_corpus(documents, build_analyzer(), chunk_size=3)
