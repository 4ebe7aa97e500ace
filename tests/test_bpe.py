"""Tests of BPETokenizer and its kernels against slow, obvious references."""

import pickle
import re
from collections import Counter

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from skembed._kernels._bpe import (
    build_merge_table,
    encode_words,
    encode_words_parallel,
    learn_merges,
)
from skembed.bpe import BYTE_TO_CHAR, BPETokenizer

TEXT = (
    "The lowest prices of the newest models were lower than the widest estimates. "
    "Newer, wider, lower: the lowest newest widest tokens keep coming back, again and again. "
    "Tokenizers split rare words into frequent pieces; frequent words stay whole."
)
DOCUMENTS = [TEXT, TEXT.upper(), "newest lowest widest " * 3, "", "a b c"]


def reference_merges(word_counts, n_merges, min_frequency):
    """Slow BPE: recount every pair after every merge; ties to the smallest (left, right)."""
    words = {tuple(word): count for word, count in word_counts.items()}
    merges = []
    while len(merges) < n_merges:
        pairs = Counter()
        for word, count in words.items():
            for left, right in zip(word[:-1], word[1:]):
                pairs[left, right] += count
        if not pairs:
            break
        (left, right), count = min(pairs.items(), key=lambda item: (-item[1], item[0]))
        if count < min_frequency:
            break
        merges.append((left, right))
        merged = {}
        for word, count in words.items():
            out = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == left and word[i + 1] == right:
                    out.append(left + right)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + count
        words = merged
    return merges


def reference_encode(word, merges):
    """Slow encoding: merge the lowest-ranked adjacent pair, leftmost first, until none."""
    rank = {pair: index for index, pair in enumerate(merges)}
    symbols = list(word)
    while len(symbols) > 1:
        ranked = [(rank.get(pair, np.inf), i) for i, pair in enumerate(zip(symbols, symbols[1:]))]
        best, i = min(ranked)
        if best == np.inf:
            break
        symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
    return symbols


def kernel_merges(word_counts, n_merges, min_frequency):
    """Run the training kernel on words given as tuples of base strings."""
    alphabet = sorted({symbol for word in word_counts for symbol in word})
    index = {symbol: i for i, symbol in enumerate(alphabet)}
    symbols, offsets = [], [0]
    for word in word_counts:
        symbols += [index[symbol] for symbol in word]
        offsets.append(len(symbols))
    merges, _ = learn_merges(
        np.array(symbols, dtype=np.int32), np.array(offsets, dtype=np.int64),
        np.array(list(word_counts.values()), dtype=np.int64), len(alphabet), n_merges,
        min_frequency,
    )
    names = list(alphabet)
    result = []
    for left, right in merges:
        result.append((names[left], names[right]))
        names.append(names[left] + names[right])
    return result


def test_paper_example_merges():
    # Sennrich et al. (2016), Algorithm 1: {low: 5, lower: 2, newest: 6, widest: 3}. The
    # three pairs (e, s), (s, t), (t, </w>) all occur 9 times; ties go to the smallest pair.
    vocab = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    words = {tuple(word) + ("</w>",): count for word, count in vocab.items()}
    expected = [("e", "s"), ("es", "t"), ("est", "</w>"), ("l", "o"), ("lo", "w"),
                ("e", "w"), ("ew", "est</w>"), ("n", "ewest</w>"), ("low", "</w>")]
    assert kernel_merges(words, 9, 2) == expected
    assert reference_merges(words, 9, 2) == expected


def test_estimator_on_paper_example():
    docs = ["low " * 5 + "lower " * 2 + "newest " * 6 + "widest " * 3]
    bpe = BPETokenizer(vocab_size=100, min_frequency=2).fit(docs)
    assert bpe.merges_[:3] == [("e", "s"), ("es", "t"), ("est", "</w>")]
    # Pairs that occur once (in "lower" after r) are below min_frequency=2.
    assert all(bpe.vocabulary_[left + right] >= 0 for left, right in bpe.merges_)
    assert bpe.transform(["lowest"]) == [["low", "est</w>"]]


word_counts_strategy = st.dictionaries(
    st.text(alphabet="abcde", min_size=1, max_size=8), st.integers(1, 6), min_size=1, max_size=12
)


@settings(max_examples=40, deadline=None)
@given(word_counts_strategy, st.integers(1, 3))
def test_kernel_matches_reference(word_counts, min_frequency):
    words = {tuple(word) + ("</w>",): count for word, count in word_counts.items()}
    assert kernel_merges(words, 40, min_frequency) == reference_merges(words, 40, min_frequency)


@settings(max_examples=40, deadline=None)
@given(word_counts_strategy, st.lists(st.text(alphabet="abcdef", max_size=10), max_size=8))
def test_encode_kernel_matches_reference(word_counts, new_words):
    words = {tuple(word): count for word, count in word_counts.items()}
    merges = reference_merges(words, 30, 1)
    alphabet = sorted(set("abcdef"))
    names = alphabet + [left + right for left, right in merges]
    index = {name: i for i, name in enumerate(names)}
    pairs = np.array([(index[l], index[r]) for l, r in merges], dtype=np.int32).reshape(-1, 2)
    result = np.array([index[l + r] for l, r in merges], dtype=np.int32)
    keys, ranks = build_merge_table(pairs)
    symbols = np.array([index[c] for w in new_words for c in w], dtype=np.int32)
    offsets = np.cumsum([0] + [len(w) for w in new_words]).astype(np.int64)
    tokens, token_offsets = encode_words(symbols, offsets, keys, ranks, result)
    for n_chunks in (1, 3):
        parallel = encode_words_parallel(symbols, offsets, keys, ranks, result, n_chunks)
        np.testing.assert_array_equal(parallel[0], tokens)
        np.testing.assert_array_equal(parallel[1], token_offsets)
    for i, word in enumerate(new_words):
        got = [names[t] for t in tokens[token_offsets[i]:token_offsets[i + 1]]]
        assert got == reference_encode(word, merges)


def test_training_words_segment_as_in_training():
    bpe = BPETokenizer(vocab_size=200, min_frequency=1).fit(DOCUMENTS)
    words = Counter(re.findall(r"\w+|[^\w\s]+", " ".join(DOCUMENTS)))
    reference = reference_merges(
        {tuple(w) + ("</w>",): c for w, c in words.items()}, len(bpe.merges_), 1
    )
    assert bpe.merges_ == reference
    for word in words:
        assert bpe([word]) == reference_encode(tuple(word) + ("</w>",), bpe.merges_)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_byte_level_round_trip(text):
    bpe = _byte_level_tokenizer()
    tokens = bpe.transform([text])[0]
    assert bpe.decode(tokens) == text
    assert all(token in bpe.vocabulary_ for token in tokens)
    ids = clone(bpe).set_params(output="ids").fit(DOCUMENTS).transform([text])[0]
    assert [bpe.vocabulary_[t] for t in tokens] == ids
    assert bpe.decode(ids) == text


_FITTED = {}


def _byte_level_tokenizer():
    if "byte" not in _FITTED:
        _FITTED["byte"] = BPETokenizer(vocab_size=400, byte_level=True).fit(DOCUMENTS)
    return _FITTED["byte"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5), st.integers(2, 300),
       st.booleans())
def test_vocabulary_bounds_and_determinism(documents, vocab_size, byte_level):
    bpe = BPETokenizer(vocab_size=vocab_size + 300 * byte_level, min_frequency=1,
                       byte_level=byte_level, special_tokens=("<unk>",))
    first = bpe.fit(documents)
    merges = list(first.merges_)
    assert len(first.vocabulary_) <= bpe.vocab_size
    assert sorted(first.vocabulary_.values()) == list(range(len(first.vocabulary_)))
    assert first.vocabulary_["<unk>"] == 0
    for tokens in first.transform(documents):
        assert all(token in first.vocabulary_ for token in tokens)
    assert BPETokenizer(**bpe.get_params()).fit(list(reversed(documents))).merges_ == merges


def test_unknown_characters():
    with_unk = BPETokenizer(vocab_size=50, special_tokens=("<unk>",)).fit(["abc abc"])
    # Merges: (a, b), (ab, c), (abc, </w>); the unknown x keeps c apart from ab.
    assert with_unk.merges_ == [("a", "b"), ("ab", "c"), ("abc", "</w>")]
    assert with_unk.transform(["abxc"]) == [["ab", "<unk>", "c", "</w>"]]
    without = BPETokenizer(vocab_size=50).fit(["abc abc"])
    assert without.transform(["abxc", "xx ab"]) == [["ab", "c", "</w>"], ["ab", "</w>"]]
    assert with_unk.transform(["xx"]) == [["<unk>", "<unk>", "</w>"]]


def test_small_alphabet_budget_keeps_frequent_characters():
    bpe = BPETokenizer(vocab_size=3, min_frequency=1).fit(["aaa aab c"])
    assert set(bpe.vocabulary_) == {"a", "b", "</w>"}


def test_lowercase_and_token_lists():
    bpe = BPETokenizer(vocab_size=60, lowercase=True).fit(DOCUMENTS)
    assert bpe.transform(["LOWEST"]) == bpe.transform(["lowest"])
    assert bpe.transform([["lowest", "newest"]]) == bpe.transform(["lowest newest"])
    assert bpe.inverse_transform(bpe.transform(["lowest, newest"])) == ["lowest , newest"]


def test_callable_in_vectorizer_and_pipeline():
    bpe = BPETokenizer(vocab_size=120).fit(DOCUMENTS)
    tfidf = TfidfVectorizer(tokenizer=bpe, lowercase=False, token_pattern=None)
    matrix = tfidf.fit_transform(DOCUMENTS)
    assert matrix.shape[0] == len(DOCUMENTS)
    assert set(tfidf.vocabulary_) <= set(bpe.vocabulary_)
    pipeline = make_pipeline(
        BPETokenizer(vocab_size=120),
        TfidfVectorizer(analyzer=lambda tokens: tokens),
    )
    assert pipeline.fit_transform(DOCUMENTS).shape[0] == len(DOCUMENTS)


@pytest.mark.parametrize("byte_level", [False, True])
def test_pickle_and_joblib_round_trip(tmp_path, byte_level):
    bpe = BPETokenizer(vocab_size=300, byte_level=byte_level).fit(DOCUMENTS)
    expected = bpe.transform(DOCUMENTS)
    assert pickle.loads(pickle.dumps(bpe)).transform(DOCUMENTS) == expected
    joblib.dump(bpe, tmp_path / "bpe.joblib")
    assert joblib.load(tmp_path / "bpe.joblib").transform(DOCUMENTS) == expected


@pytest.mark.parametrize("byte_level", [False, True])
def test_save_load_round_trip(tmp_path, byte_level):
    bpe = BPETokenizer(vocab_size=300, byte_level=byte_level, special_tokens=("<unk>",))
    bpe.fit(DOCUMENTS)
    bpe.save(tmp_path)
    loaded = BPETokenizer.load(tmp_path)
    assert loaded.get_params() == bpe.get_params()
    assert loaded.merges_ == bpe.merges_
    assert loaded.vocabulary_ == bpe.vocabulary_
    assert loaded.transform(DOCUMENTS + ["unseen words: zyzzyva"]) == bpe.transform(
        DOCUMENTS + ["unseen words: zyzzyva"]
    )


def test_huggingface_reads_byte_level_files(tmp_path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    bpe = BPETokenizer(vocab_size=500, byte_level=True).fit(DOCUMENTS)
    bpe.save(tmp_path)
    hf = Tokenizer(models.BPE.from_file(str(tmp_path / "vocab.json"),
                                        str(tmp_path / "merges.txt")))
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    sample = "The newest tokenizers split   rare words,\nlike 'zyzzyva' and 2024's wider prices!"
    ours = bpe.transform([sample])[0]
    encoding = hf.encode(sample)
    assert encoding.tokens == ours
    assert encoding.ids == [bpe.vocabulary_[token] for token in ours]
    assert hf.decode(encoding.ids) == bpe.decode(ours) == sample


def test_not_fitted():
    with pytest.raises(NotFittedError):
        BPETokenizer().transform(["text"])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"vocab_size": 0}, "The 'vocab_size' parameter of BPETokenizer must be"),
        ({"min_frequency": 0}, "The 'min_frequency' parameter of BPETokenizer must be"),
        ({"output": "strings"}, "The 'output' parameter of BPETokenizer must be"),
        ({"byte_level": "yes"}, "The 'byte_level' parameter of BPETokenizer must be"),
        ({"special_tokens": ("",)}, "special_tokens must hold non-empty strings"),
        ({"special_tokens": ("<unk>", "<unk>")}, "special_tokens has duplicates"),
        ({"pre_tokenizer_pattern": "(["}, "is not a valid regular expression"),
        ({"vocab_size": 100, "byte_level": True}, "Use a vocab_size of at least 256"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        BPETokenizer(**params).fit(DOCUMENTS)


@pytest.mark.parametrize(
    "X, error, message",
    [
        ("a bare string", ValueError, "string object received"),
        (None, TypeError, "got None"),
        (42, TypeError, "got int"),
        (["fine", 3.5], TypeError, "Document 1 is 3.5"),
        ([["token", 7]], TypeError, "Document 0 is a sequence whose items must all be str"),
        (["fine", b"\xff\xfe"], ValueError, "Document 1 is bytes that do not decode"),
    ],
)
def test_bad_input(X, error, message):
    with pytest.raises(error, match=message):
        BPETokenizer(vocab_size=50).fit(X)
    fitted = BPETokenizer(vocab_size=50).fit(["some text"])
    with pytest.raises(error, match=message):
        fitted.transform(X)


def test_empty_documents_and_parallel_counting_and_encoding(monkeypatch):
    monkeypatch.setattr("skembed.bpe._PARALLEL_MIN_WORDS", 0)
    bpe = BPETokenizer(vocab_size=100, n_jobs=2).fit(DOCUMENTS * 3)
    serial = BPETokenizer(vocab_size=100).fit(DOCUMENTS * 3)
    assert bpe.merges_ == serial.merges_
    assert bpe.transform(DOCUMENTS + ["unseen zyzzyva"]) == serial.transform(
        DOCUMENTS + ["unseen zyzzyva"]
    )
    assert bpe.transform(["", "   "]) == [[], []]


def test_byte_to_unicode_is_a_printable_bijection():
    chars = list(BYTE_TO_CHAR.values())
    assert len(set(chars)) == 256
    assert all(char.isprintable() and not char.isspace() for char in chars)


def test_fit_transform_reads_a_generator_once():
    expected = BPETokenizer(vocab_size=100).fit(DOCUMENTS).transform(DOCUMENTS)
    assert BPETokenizer(vocab_size=100).fit_transform(doc for doc in DOCUMENTS) == expected


def test_pattern_matching_empty_strings_gives_no_empty_words():
    bpe = BPETokenizer(vocab_size=60, pre_tokenizer_pattern=r"\w*").fit(DOCUMENTS)
    assert "" not in bpe.vocabulary_
    assert bpe.transform(["ab, cd"]) == bpe.transform(["ab cd"])


# tests/test_common.py holds the estimator contract; here, BPE feeding scikit-learn's tf-idf.


def tokens_as_they_are(tokens):
    return tokens


def test_pipeline_into_tfidf_and_grid_search():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    documents = [f"{word} is good and fine" if i % 2 else f"{word} is bad and awful"
                 for i, word in enumerate(["film", "movie", "plot", "cast"] * 10)]
    labels = np.array([i % 2 for i in range(len(documents))])
    pipeline = Pipeline([
        ("vectorizer", BPETokenizer(vocab_size=60)),
        ("features", TfidfVectorizer(analyzer=tokens_as_they_are)),
        ("classifier", LogisticRegression()),
    ])
    grid = {"vectorizer__vocab_size": [40, 60], "vectorizer__byte_level": [False]}
    search = GridSearchCV(pipeline, grid, cv=2, n_jobs=2, error_score="raise")
    search.fit(documents, labels)
    assert set(search.best_params_) == set(grid)
    assert search.score(documents, labels) == 1.0


def test_save_rejects_tokens_with_spaces(tmp_path):
    bpe = BPETokenizer(vocab_size=60, pre_tokenizer_pattern=r"[a-z]+ [a-z]+").fit(
        ["ab cd ab cd ab cd"]
    )
    with pytest.raises(ValueError, match="contains whitespace"):
        bpe.save(tmp_path)


# Text drawn from ASCII plus characters that Python's ``re`` classifies in less obvious ways:
# separators (\x1c-\x1f, \x85, \u2028, \u3000), letters and digits of other scripts,
# combining marks, the underscore, symbols and a character outside the BMP.
unicode_text = st.text(
    alphabet=st.sampled_from(
        list("ab Z09_.,;'-\t\n") + ["\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000",
                                  "\xe9", "\u0301", "\u0663", "\u00b2", "\u4e2d", "\u20ac",
                                  "\U0001f600", "\u0130", "\xdf"]
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(unicode_text, max_size=5))
def test_compiled_split_matches_the_regex(texts):
    from skembed._kernels._bpe import split_words
    from skembed.bpe import CHAR_LEVEL_PATTERN, _char_classes, _code_points

    codes, ends = _code_points(texts)
    starts, stops, word_offsets = split_words(codes, _char_classes(), ends)
    joined = "".join(texts)
    words = [joined[a:b] for a, b in zip(starts, stops)]
    for i, text in enumerate(texts):
        assert words[word_offsets[i]:word_offsets[i + 1]] == re.findall(CHAR_LEVEL_PATTERN, text)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="abc\u4e2d", min_size=1, max_size=4), max_size=8),
                min_size=1, max_size=4))
def test_word_table_and_gather_match_a_dict(chunks):
    from skembed._kernels._bpe import gather_tokens, index_words, new_word_table

    table = new_word_table()
    reference = {}
    for words in chunks:
        codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        ends = np.cumsum([len(word) for word in words]).astype(np.int64)
        starts = ends - np.array([len(word) for word in words], dtype=np.int64)
        table, ids = index_words(codes, starts, ends, table)
        for word, word_id in zip(words, ids):
            assert reference.setdefault(word, len(reference)) == word_id
    assert table.sizes[0] == len(reference)
    for word, word_id in reference.items():
        stored = table.chars[table.offsets[word_id]:table.offsets[word_id + 1]]
        assert stored.tobytes().decode("utf-32-le") == word
    # Word w has the tokens [w, w + 1, ...] (w + 1 of them); gather concatenates them.
    word_tokens = np.concatenate([[]] + [np.arange(w, 2 * w + 1) for w in range(len(reference))])
    word_token_offsets = np.cumsum([0] + [w + 1 for w in range(len(reference))])
    ids = np.array([reference[w] for words in chunks for w in words], dtype=np.int64)
    tokens, offsets = gather_tokens(ids, word_tokens.astype(np.int32),
                                    word_token_offsets.astype(np.int64))
    for j, w in enumerate(ids):
        assert tokens[offsets[j]:offsets[j + 1]].tolist() == list(range(w, 2 * w + 1))


@settings(max_examples=25, deadline=None)
@given(st.lists(unicode_text, min_size=1, max_size=6), st.booleans(), st.booleans())
def test_compiled_path_matches_the_regex_path(texts, lowercase, unknown):
    # The same pattern written differently takes the regex path.
    params = dict(vocab_size=60, min_frequency=1, lowercase=lowercase)
    compiled = BPETokenizer(**params).fit(texts)
    regex = BPETokenizer(pre_tokenizer_pattern=r"(?:\w+|[^\w\s]+)", **params).fit(texts)
    assert compiled._compiled_split() and not regex._compiled_split()
    assert compiled.merges_ == regex.merges_
    assert compiled.vocabulary_ == regex.vocabulary_
    new = texts + ["\u4e2d\u6587 Z\xe9\u0301 unseen ?!", ""] if unknown else texts
    assert compiled.transform(new) == regex.transform(new)
    assert [compiled(text) for text in new] == [regex(text) for text in new]
    compiled.set_params(output="ids")
    regex.set_params(output="ids")
    assert compiled.transform(new) == regex.transform(new)
