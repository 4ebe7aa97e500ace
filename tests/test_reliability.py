"""What skembed promises when things go wrong: training that stops instead of fitting NaN,
saves that never leave a truncated file, and errors that name the value and the fix."""

import numpy as np
import pytest

from skembed import (
    BPETokenizer,
    EmbeddingVectorizer,
    GloVeVectorizer,
    KeyedVectors,
    LSAVectorizer,
    Word2VecVectorizer,
)

from .conftest import make_documents, make_keyed_vectors

# A corpus of three words repeated: every context window is full of the same words.
DEGENERATE = [" ".join(f"x{i % 3}" for i in range(200))] * 100


# ----------------------------------------------------------------------------- divergence


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(learning_rate=1.0), "Lower learning_rate"),
        (dict(objective="hierarchical_softmax", learning_rate=5.0), "Lower learning_rate"),
        (dict(architecture="cbow", cbow_mean=False, window=50, sample=0), "cbow_mean=True"),
    ],
)
def test_word2vec_divergence_is_an_error(params, match):
    vectorizer = Word2VecVectorizer(
        n_components=20, min_count=1, epochs=3, random_state=0, token_pattern=r"\w+", **params
    )
    with pytest.raises(ValueError, match=rf"Word2VecVectorizer training diverged in epoch 1 of 3"
                       rf"(.|\n)*{match}"):
        vectorizer.fit(DEGENERATE)
    assert not hasattr(vectorizer, "word_vectors_")


def test_glove_divergence_is_an_error():
    glove = GloVeVectorizer(n_components=10, min_count=1, epochs=3, learning_rate=1e30,
                            random_state=0)
    with pytest.raises(ValueError, match="GloVeVectorizer training diverged in epoch 1 of 3"
                       ".*Lower learning_rate"):
        glove.fit(make_documents(60))


def test_training_at_sane_rates_still_fits():
    for estimator in (Word2VecVectorizer(n_components=8, min_count=1, epochs=2, random_state=0),
                      GloVeVectorizer(n_components=8, min_count=1, epochs=2, random_state=0)):
        assert np.isfinite(estimator.fit_transform(make_documents(30))).all()


@pytest.mark.parametrize("Estimator", [Word2VecVectorizer, GloVeVectorizer])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_init_vectors_name_the_word(Estimator, bad):
    kv = make_keyed_vectors(dim=6)
    vectors = kv.vectors.copy()
    vectors[kv.get_index("cheese"), 2] = bad
    kv = KeyedVectors(vectors, kv.index_to_key)
    estimator = Estimator(n_components=6, min_count=1, epochs=1, init_vectors=kv, random_state=0)
    with pytest.raises(ValueError, match="init_vectors.*'cheese'"):
        estimator.fit(make_documents(30))


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_non_finite_value_in_a_vectors_file_names_the_line(tmp_path, binary, bad):
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    kv = KeyedVectors(np.ones((3, 2), dtype=np.float32), ["a", "b", "c"])
    if binary:
        vectors = kv.vectors.copy()
        vectors[1, 1] = float(bad)
        # Keys are checked, values are written as they are: build the bad file this way.
        path.write_bytes(b"3 2\n" + b"".join(
            key.encode() + b" " + row.astype("<f4").tobytes() + b"\n"
            for key, row in zip(kv.index_to_key, vectors)))
    else:
        path.write_text(f"3 2\na 1 1\nb 1 {bad}\nc 1 1\n")
    with pytest.raises(ValueError, match=r"Line 3 of .*'b'.*(NaN|infinite)"):
        KeyedVectors.load_word2vec_format(path, binary=binary)
    with pytest.raises(ValueError, match="Line 3"):
        EmbeddingVectorizer(str(path)).fit(["a b"])


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "estimator",
    [
        Word2VecVectorizer(min_count=True),
        Word2VecVectorizer(n_jobs=True),
        GloVeVectorizer(min_count=True),
        GloVeVectorizer(n_jobs=False),
        LSAVectorizer(n_components=True),
        BPETokenizer(n_jobs=True),
        BPETokenizer(vocab_size=True),
    ],
)
def test_bool_is_not_an_int_parameter(estimator):
    with pytest.raises(ValueError, match="must be an int.*Got (True|False) instead"):
        estimator.fit(make_documents(10))


def test_min_learning_rate_above_learning_rate_is_rejected():
    with pytest.raises(ValueError, match="min_learning_rate=0.1 is larger than the initial "
                                         "learning rate 0.01"):
        Word2VecVectorizer(learning_rate=0.01, min_learning_rate=0.1).fit(make_documents(10))
    with pytest.raises(ValueError, match="min_learning_rate=0.03 is larger.*0.025"):
        Word2VecVectorizer(min_learning_rate=0.03).fit(make_documents(10))
    Word2VecVectorizer(n_components=4, min_count=1, epochs=1, learning_rate=0.01,
                       min_learning_rate=0.01).fit(make_documents(10))


# ----------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    "estimator",
    [Word2VecVectorizer(n_components=4, min_count=1, epochs=1),
     GloVeVectorizer(n_components=4, min_count=1, epochs=1),
     LSAVectorizer(n_components=2), BPETokenizer(vocab_size=40)],
    ids=lambda estimator: type(estimator).__name__,
)
def test_dataframe_input_is_rejected_with_the_column_to_pass(estimator):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"review": make_documents(20), "label": [0, 1] * 10})
    with pytest.raises(ValueError, match=r"DataFrame with columns \['review', 'label'\].*column"):
        estimator.fit(frame)
    estimator.fit(frame["review"])


@pytest.mark.parametrize(
    "estimator",
    [Word2VecVectorizer(n_components=4, min_count=1, epochs=1, random_state=0),
     GloVeVectorizer(n_components=4, min_count=1, epochs=1, random_state=0),
     LSAVectorizer(n_components=2, random_state=0), BPETokenizer(vocab_size=40),
     EmbeddingVectorizer(KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]))],
    ids=lambda estimator: type(estimator).__name__,
)
def test_numpy_str_tokens_are_str_tokens(estimator):
    plain = [["a", "b", "c", "a"], ["c", "b", "a", "b"], ["b", "c"]] * 5
    numpy_tokens = [list(np.array(tokens)) for tokens in plain]
    assert type(numpy_tokens[0][0]) is np.str_
    expected = estimator.fit_transform(plain)
    result = estimator.fit_transform(numpy_tokens)
    if isinstance(estimator, BPETokenizer):
        assert result == expected
    else:
        np.testing.assert_array_equal(result, expected)
    if hasattr(estimator, "vocabulary_"):
        assert all(type(key) is str for key in estimator.vocabulary_)


@pytest.mark.parametrize("algorithm", ["randomized", "arpack"])
def test_lsa_gives_the_requested_width_or_an_error(algorithm):
    documents = ["aa bb cc dd ee ff", "xx yy zz ww vv", "qq rr ss tt uu"]
    with pytest.raises(ValueError, match="n_components=5 is more than the 3 training documents"):
        LSAVectorizer(n_components=5, algorithm=algorithm).fit(documents)
    with pytest.raises(ValueError, match="n_components=2 is more than the 1 training"):
        LSAVectorizer(n_components=2, algorithm=algorithm).fit(["the cat sat on the mat"])
    width = 3 if algorithm == "randomized" else 2
    lsa = LSAVectorizer(n_components=width, algorithm=algorithm, random_state=0)
    assert lsa.fit_transform(documents).shape == (3, width)
    assert len(lsa.get_feature_names_out()) == width


# ----------------------------------------------------------------------------- saves


class _ExplodingMatrix(np.ndarray):
    """A matrix whose second block of rows cannot be formatted: an interrupted write."""

    blocks = 0

    def tolist(self):
        type(self).blocks += 1
        if type(self).blocks > 1:
            raise KeyboardInterrupt
        return super().tolist()


def _leftovers(directory, keep):
    return sorted(path.name for path in directory.iterdir() if path.name not in keep)


@pytest.mark.parametrize("name", ["vectors.txt", "vectors.txt.gz"])
def test_interrupted_save_leaves_the_previous_file_intact(tmp_path, monkeypatch, name):
    from skembed import _vector_io

    path = tmp_path / name
    make_keyed_vectors().save_word2vec_format(path)
    before = path.read_bytes()
    monkeypatch.setattr(_vector_io, "_BLOCK_LINES", 2)
    vectors = np.ones((5, 3), dtype=np.float32).view(_ExplodingMatrix)
    with pytest.raises(KeyboardInterrupt):
        _vector_io.write_vectors(path, vectors, list("abcde"))
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, {name}) == []


@pytest.mark.parametrize("binary", [False, True])
def test_unwritable_word_is_named_before_anything_is_written(tmp_path, binary):
    path = tmp_path / "vectors.txt"
    make_keyed_vectors().save_word2vec_format(path, binary=binary)
    before = path.read_bytes()
    keys = ["good", "fine", "bad\udcff", "late"]
    kv = KeyedVectors(np.ones((4, 2), dtype=np.float32), keys)
    with pytest.raises(ValueError, match=r"'bad\\udcff'.*surrogate"):
        kv.save_word2vec_format(path, binary=binary)
    assert path.read_bytes() == before
    vectors = kv.vectors.copy()
    vectors[3, 0] = np.nan
    with pytest.raises(ValueError, match="'late'.*NaN"):
        KeyedVectors(vectors, ["a", "b", "c", "late"]).save_word2vec_format(path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, {"vectors.txt"}) == []


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "vectors.txt"
    make_keyed_vectors().save_word2vec_format(path)
    path.chmod(0o640)
    make_keyed_vectors(seed=1).save_word2vec_format(path)
    assert path.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.txt"
    make_keyed_vectors().save_word2vec_format(fresh)
    assert fresh.stat().st_mode & 0o777 != 0o600  # not the private mode of a temporary file


def test_save_into_a_missing_directory_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory .*missing.* does not exist"):
        make_keyed_vectors().save_word2vec_format(tmp_path / "missing" / "vectors.txt")


def test_failed_bpe_save_leaves_the_directory_as_it_was(tmp_path):
    bpe = BPETokenizer(vocab_size=60).fit(make_documents(20))
    bpe.save(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    bpe.vocabulary_ = {**bpe.vocabulary_, "x\udcff": len(bpe.vocabulary_)}
    with pytest.raises(ValueError, match=r"vocab.json cannot be written.*surrogate"):
        bpe.save(tmp_path)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


# ----------------------------------------------------------------------------- compressed files


@pytest.mark.parametrize("name", ["v.txt.GZ", "v.txt.lzma", "v.txt.Bz2", "v.txt.xz", "v.bin.XZ"])
def test_compressed_vector_files_load_everywhere(tmp_path, name, capsys):
    from skembed.cli import main

    path = tmp_path / name
    kv = make_keyed_vectors(dim=6)
    kv.save_word2vec_format(path, binary=".bin" in name)
    loaded = KeyedVectors.load_word2vec_format(path, binary=".bin" in name)
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    documents = make_documents(20)
    np.testing.assert_array_equal(EmbeddingVectorizer(str(path)).fit_transform(documents),
                                  EmbeddingVectorizer(kv).fit_transform(documents))
    w2v = Word2VecVectorizer(n_components=6, min_count=1, epochs=1, init_vectors=path,
                             random_state=0).fit(documents)
    assert w2v.n_pretrained_ == len(w2v.vocabulary_)
    assert main(["evaluate", str(path)]) == 0
    assert f"{len(kv)} words x 6 dimensions" in capsys.readouterr().out


# ----------------------------------------------------------------------------- untrusted headers


@pytest.mark.parametrize("name", ["huge.txt", "huge.txt.gz"])
@pytest.mark.parametrize("binary", [False, True])
def test_header_claiming_too_many_rows_is_not_allocated(tmp_path, name, binary):
    import gzip

    path = tmp_path / name
    row = b"a " + np.ones(3, dtype="<f4").tobytes() + b"\n" if binary else b"a 1 2 3\n"
    data = b"1000000000000 3\n" + row
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(ValueError, match="announced 1000000000000"):
        KeyedVectors.load_word2vec_format(path, binary=binary)


def test_header_claiming_a_huge_vector_size_is_rejected(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes(b"1 1000000000000\na 1 2 3\n")
    with pytest.raises(ValueError, match="announces vectors of 1000000000000 values"):
        KeyedVectors.load_word2vec_format(path)


def test_a_huge_line_is_rejected_without_reading_it(tmp_path):
    import gzip
    import tracemalloc

    path = tmp_path / "long.txt.gz"
    path.write_bytes(gzip.compress(b"1 3\na " + b"1 " * 10_000_000 + b"\n"))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="Line 2 of .* is longer than"):
            KeyedVectors.load_word2vec_format(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000  # the line is 20 MB


# ----------------------------------------------------------------------------- command line


def _train_argv(corpus, output, *options):
    return ["train", "word2vec", str(corpus), "-o", str(output), "--dim", "6", "--epochs", "1",
            "--min-count", "1", "--threads", "1", *options]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(make_documents(40)) + "\n", encoding="utf-8")
    return path


def test_cli_user_errors_are_one_line_messages_not_tracebacks(tmp_path, corpus):
    import gzip
    import subprocess
    import sys

    damaged = tmp_path / "damaged.txt.gz"
    data = gzip.compress(corpus.read_bytes() * 20)
    damaged.write_bytes(data[: len(data) // 2])
    result = subprocess.run(
        [sys.executable, "-m", "skembed", *_train_argv(damaged, tmp_path / "v.txt")],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"skembed train: {damaged} could not be read after line")
    assert not (tmp_path / "v.txt").exists()


@pytest.mark.parametrize(
    "argv_tail, match",
    [
        (["--token-pattern", "(unclosed"], "token_pattern '\\(unclosed' is not a valid regular"),
        (["--encoding", "no-such-codec"], "Unknown --encoding 'no-such-codec'"),
        (["--dim", "0"], "n_components"),
    ],
)
def test_cli_bad_train_options_exit_with_a_message(tmp_path, corpus, argv_tail, match):
    from skembed.cli import main

    with pytest.raises(SystemExit, match=f"skembed train: .*{match}"):
        main(_train_argv(corpus, tmp_path / "v.txt", *argv_tail))


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "not gzip"])
def test_cli_damaged_gzip_corpus_exits_with_a_message(tmp_path, corpus, damage):
    import gzip

    from skembed.cli import main

    data = gzip.compress(corpus.read_bytes() * 50)
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "corrupt":
        data = data[:200] + bytes(255 - byte for byte in data[200:400]) + data[400:]
    else:
        data = corpus.read_bytes()
    path = tmp_path / "corpus.txt.gz"
    path.write_bytes(data)
    with pytest.raises(SystemExit, match=f"skembed train: {path} could not be read .*damaged"):
        main(_train_argv(path, tmp_path / "v.txt"))


def test_cli_demo_with_too_many_folds_exits_with_a_message():
    from skembed.cli import main

    with pytest.raises(SystemExit, match="skembed demo: .*100000"):
        main(["demo", "--quick", "--folds", "100000"])


def test_cli_evaluate_of_an_empty_file_fails(tmp_path):
    from skembed.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(SystemExit, match="holds no vectors") as raised:
        main(["evaluate", str(empty)])
    assert raised.value.code not in (0, None)


def test_cli_checks_the_output_directory_before_training(tmp_path, corpus, monkeypatch):
    from skembed.cli import main

    def fit(*args, **kwargs):
        raise AssertionError("trained before the output was checked")

    monkeypatch.setattr(Word2VecVectorizer, "fit", fit)
    with pytest.raises(SystemExit, match="directory .*missing.* does not exist"):
        main(_train_argv(corpus, tmp_path / "missing" / "v.txt"))


def test_cli_corpus_encoding(tmp_path, capsys):
    from skembed.cli import main

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(("café crème brûlée\n" * 30).encode("latin-1"))
    output = tmp_path / "v.txt"
    with pytest.raises(SystemExit, match="not valid utf-8.*--encoding.*--decode-error replace"):
        main(_train_argv(latin1, output))
    assert not output.exists()
    assert main(_train_argv(latin1, output, "--encoding", "latin-1")) == 0
    assert "café" in KeyedVectors.load_word2vec_format(output)
    assert main(_train_argv(latin1, output, "--decode-error", "replace")) == 0
    replaced = KeyedVectors.load_word2vec_format(output)
    assert "caf" in replaced and "café" not in replaced  # U+FFFD is not a word character


def test_cli_ctrl_c_exits_130_and_keeps_the_previous_output(tmp_path, corpus, monkeypatch,
                                                            capsys):
    from skembed.cli import main

    output = tmp_path / "v.txt"
    assert main(_train_argv(corpus, output)) == 0
    before = output.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    for target in ("fit", "word_vectors_"):
        monkeypatch.undo()
        if target == "fit":
            monkeypatch.setattr(Word2VecVectorizer, "fit", interrupted)
        else:
            # Interrupted while the vectors are being written.
            from skembed import _vector_io, keyed_vectors

            def write_slowly(path, vectors, keys, **kwargs):
                _vector_io.write_vectors(path, vectors.view(_ExplodingMatrix), keys, **kwargs)

            monkeypatch.setattr(_vector_io, "_BLOCK_LINES", 2)
            monkeypatch.setattr(keyed_vectors, "write_vectors", write_slowly)
            _ExplodingMatrix.blocks = 0
        with pytest.raises(SystemExit) as raised:
            main(_train_argv(corpus, output))
        assert raised.value.code == 130
        assert "interrupted" in capsys.readouterr().err
        assert output.read_bytes() == before
        assert _leftovers(tmp_path, {"corpus.txt", "v.txt"}) == []


@pytest.mark.parametrize("Estimator", [Word2VecVectorizer, GloVeVectorizer, LSAVectorizer])
def test_invalid_token_pattern_is_a_value_error(Estimator):
    with pytest.raises(ValueError, match=r"token_pattern '\[a-' is not a valid regular"):
        Estimator(token_pattern="[a-").fit(make_documents(10))


# ----------------------------------------------------------------------------- BPE

BPE_DOCUMENTS = ["the cat sat on the mat", "the theme of these", "hello there <|endoftext|> x"] * 5


@pytest.mark.parametrize(
    "byte_level, special_tokens",
    [(False, ("<|endoftext|>", "the</w>")), (True, ("<|endoftext|>",)), (True, ("Ġthe",)),
     (False, ("<unk>", "e")), (True, ("<pad>", "at"))],
)
def test_bpe_special_tokens_are_atomic_and_round_trip(tmp_path, byte_level, special_tokens):
    bpe = BPETokenizer(vocab_size=300, byte_level=byte_level,
                       special_tokens=special_tokens).fit(BPE_DOCUMENTS)
    merged = {left + right for left, right in bpe.merges_}
    assert not merged & set(special_tokens)
    tokens = bpe.transform(BPE_DOCUMENTS)
    if "<|endoftext|>" in special_tokens:
        assert "<|endoftext|>" in tokens[2]
    text = "the cat " + special_tokens[0] + " these"
    assert special_tokens[0] in bpe.transform([text])[0]
    bpe.save(tmp_path)
    loaded = BPETokenizer.load(tmp_path)
    assert loaded.vocabulary_ == bpe.vocabulary_ and loaded.merges_ == bpe.merges_
    assert loaded.transform(BPE_DOCUMENTS + [text]) == bpe.transform(BPE_DOCUMENTS + [text])
    ids = BPETokenizer(**{**bpe.get_params(), "output": "ids"}).fit(BPE_DOCUMENTS)
    assert [ids._id_to_token[i] for i in ids.transform([text])[0]] == bpe.transform([text])[0]
    if byte_level:
        for document in BPE_DOCUMENTS + [text]:
            assert bpe.decode(bpe.transform([document])[0]) == document
            assert loaded.decode(loaded.transform([document])[0]) == document


@pytest.mark.parametrize(
    "byte_level, special_tokens",
    [(False, ("</w>",)), (True, ("Ġ",)), (True, ("e",))],
)
def test_bpe_special_token_that_is_a_base_symbol_is_a_fit_error(byte_level, special_tokens):
    with pytest.raises(ValueError, match=f"special token {special_tokens[0]!r} is also"):
        BPETokenizer(vocab_size=300, byte_level=byte_level,
                     special_tokens=special_tokens).fit(BPE_DOCUMENTS)


@pytest.mark.parametrize("byte_level", [False, True])
def test_bpe_surrogates_name_the_document(byte_level):
    documents = ["fine text", "also fine", "bad \udcff here"]
    with pytest.raises(ValueError, match="Document 2 holds '\\\\udcff'"):
        BPETokenizer(vocab_size=300, byte_level=byte_level).fit(documents)
    bpe = BPETokenizer(vocab_size=300, byte_level=byte_level).fit(documents[:2])
    with pytest.raises(ValueError, match="Document 1 holds"):
        bpe.transform(["ok", "caf\ud800"])


@pytest.mark.parametrize(
    "pattern",
    [r"(\w)(\w*)", r"(\w+"],
)
def test_bpe_bad_pre_tokenizer_pattern_is_a_clear_error(pattern):
    with pytest.raises(ValueError, match="pre_tokenizer_pattern"):
        BPETokenizer(vocab_size=40, pre_tokenizer_pattern=pattern).fit(BPE_DOCUMENTS)


@pytest.mark.parametrize("output", ["tokens", "ids"])
def test_bpe_decode_of_unknown_ids_and_tokens(output):
    bpe = BPETokenizer(vocab_size=60, output=output).fit(BPE_DOCUMENTS)
    n_tokens = len(bpe.vocabulary_)
    for bad in (-1, n_tokens, 9999):
        with pytest.raises(ValueError, match=f"token id {bad}; ids go from 0 to {n_tokens - 1}"):
            bpe.decode([0, bad])
    with pytest.raises(ValueError, match="'nope' which is not in the vocabulary|'nope', which"):
        bpe.decode(["nope"])
    assert bpe.decode(bpe.transform(["the cat"])[0]) == "the cat"


def _saved_bpe(tmp_path, **params):
    BPETokenizer(vocab_size=80, **params).fit(BPE_DOCUMENTS).save(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "file, edit, match",
    [
        ("merges.txt", lambda text: text + "a b c\n", r"merges.txt, line \d+: expected two tokens"),
        ("merges.txt", lambda text: text + "zz q\n", r"merges.txt, line \d+: the token 'zz'"),
        ("merges.txt", lambda text: text.replace("#version: 0.2\n", "#version: 0.2\nth e\n", 1)
         if "th e" not in text else text + "th e\n", r"merges.txt, line \d+"),
        ("vocab.json", lambda text: text.replace(": 0,", ": 7,", 1), "vocab.json gives"),
        ("vocab.json", lambda text: text.replace(": 0,", ': "0",', 1), "every id an int"),
        ("vocab.json", lambda text: text[:-5], r"vocab.json, line 1 column \d+: not valid JSON"),
        ("skembed_bpe.json", lambda text: text.replace('"byte_level": false',
                                                        '"byte_level": "yes"'),
         "skembed_bpe.json: The 'byte_level' parameter"),
        ("skembed_bpe.json", lambda text: text.replace('"output": "tokens"', '"output": "bogus"'),
         "skembed_bpe.json: The 'output' parameter"),
        ("skembed_bpe.json", lambda text: text.replace('"vocab_size": 80', '"vocab_size": -1'),
         "skembed_bpe.json: The 'vocab_size' parameter"),
        ("skembed_bpe.json", lambda text: text.replace('"verbose": 0', '"verbose": 0, "x": 1'),
         "skembed_bpe.json holds 'x', which is not a parameter"),
    ],
)
def test_bpe_load_checks_every_file(tmp_path, file, edit, match):
    directory = _saved_bpe(tmp_path)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    edited = edit(text)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        BPETokenizer.load(directory)


def test_embedding_vectorizer_rejects_non_finite_vectors():
    vectors = np.eye(3, dtype=np.float32)
    vectors[1, 2] = np.inf
    with pytest.raises(ValueError, match="vectors holds NaN or infinite values.*'bad'"):
        EmbeddingVectorizer(KeyedVectors(vectors, ["good", "bad", "ugly"])).fit(["good bad"])


@pytest.mark.parametrize("name", ["v.txt.gz", "v.txt.bz2", "v.txt.xz", "v.bin.gz"])
@pytest.mark.parametrize("damage", ["truncated", "not compressed"])
def test_damaged_compressed_vector_file_is_a_value_error_naming_it(tmp_path, name, damage):
    from skembed.cli import main

    path = tmp_path / name
    make_keyed_vectors(dim=50).save_word2vec_format(path, binary=".bin" in name)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"3 2\na 1 2\n")
    with pytest.raises(ValueError, match=f"{name}' could not be read: .*damaged or truncated"):
        KeyedVectors.load_word2vec_format(path, binary=".bin" in name)
    with pytest.raises(ValueError, match=f"{name}' could not be read"):
        EmbeddingVectorizer(str(path)).fit(["cat"])
    with pytest.raises(SystemExit, match=f"skembed evaluate: .*{name}' could not be read"):
        main(["evaluate", str(path)])


def test_headerless_file_bounds_its_lines_by_the_first_vector(tmp_path):
    import gzip

    path = tmp_path / "glove.txt.gz"
    path.write_bytes(gzip.compress(b"a 1 2 3\nb " + b"4 " * 1_000_000 + b"\n"))
    with pytest.raises(ValueError, match="Line 2 of .* is longer than"):
        KeyedVectors.load_glove_format(path)


@pytest.mark.parametrize("no_header", [False, True])
def test_vector_files_with_crlf_and_blank_lines_load(tmp_path, no_header):
    path = tmp_path / "v.txt"
    header = b"" if no_header else b"2 2\r\n"
    path.write_bytes(header + b"a 1 2\r\n\r\nb 3 4")
    kv = KeyedVectors.load_word2vec_format(path, no_header=no_header)
    assert kv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(kv.vectors, [[1, 2], [3, 4]])
