"""NNLMVectorizer: language-model scores, vocabulary with its unknown symbol, early stopping."""

import numpy as np
import pytest

from skembed import NNLMVectorizer

from .conftest import make_documents

TINY = dict(n_components=8, n_hidden=8, context_size=2, min_count=2, random_state=0)


@pytest.fixture(scope="module")
def documents():
    return make_documents(n_documents=90, words_per_document=25, seed=1)


@pytest.mark.parametrize("output_layer", ["classes", "huffman"])
def test_score_on_training_text_improves_across_epochs(documents, output_layer):
    scores = [
        NNLMVectorizer(epochs=epochs, output_layer=output_layer, **TINY)
        .fit(documents)
        .score(documents)
        for epochs in (1, 3, 8)
    ]
    assert scores[0] < scores[1] < scores[2]
    fitted = NNLMVectorizer(epochs=8, output_layer=output_layer, **TINY).fit(documents)
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]


def test_model_beats_the_unigram_and_uniform_baselines(documents):
    model = NNLMVectorizer(epochs=8, **TINY).fit(documents)
    tokens = [t for doc in documents for t in model.build_analyzer()(doc)]
    n_symbols = len(model.vocabulary_) + 1
    counts = np.bincount([model.vocabulary_.get(t, n_symbols - 1) for t in tokens],
                         minlength=n_symbols)
    counts = counts[counts > 0]
    unigram_perplexity = np.exp(-np.sum(counts * np.log(counts / counts.sum())) / counts.sum())
    perplexity = model.perplexity(documents)
    assert perplexity < unigram_perplexity < n_symbols


def test_perplexity_is_exp_of_minus_score(documents):
    model = NNLMVectorizer(epochs=2, **TINY).fit(documents)
    assert model.perplexity(documents[:5]) == pytest.approx(np.exp(-model.score(documents[:5])))


def test_unknown_words_share_one_symbol(documents):
    model = NNLMVectorizer(epochs=2, **TINY).fit(documents)
    assert "<unk>" not in model.vocabulary_
    # Two different unseen words are the same symbol to the model.
    first = model.score(["cat dog zzzunseen bank"])
    second = model.score(["cat dog qqqneverseen bank"])
    assert np.isfinite(first) and first == second
    # Tokens pruned by min_count are unknown too.
    rare = NNLMVectorizer(epochs=2, **{**TINY, "min_count": 400})
    rare.fit(["cat cat dog the the fox"] * 300)
    assert set(rare.vocabulary_) == {"cat", "the"}
    assert rare.score(["the dog"]) == rare.score(["the fox"]) != rare.score(["the cat"])


def test_score_counts_every_token_and_pads_document_starts(documents):
    model = NNLMVectorizer(epochs=2, **TINY).fit(documents)
    # A document is scored on its own: splitting one changes the contexts of the second part.
    whole = model.score(["cat dog horse cow"])
    split = model.score(["cat dog", "horse cow"])
    assert whole != split
    assert np.isnan(model.score(["", []]))


def test_early_stopping_keeps_the_best_epoch(documents):
    model = NNLMVectorizer(epochs=6, early_stopping=True, n_iter_no_change=1,
                           learning_rate=0.2, **TINY)
    model.fit(documents[:60], X_val=documents[60:])
    assert len(model.validation_scores_) == model.n_iter_ == len(model.loss_curve_)
    assert model.best_validation_score_ == pytest.approx(model.validation_scores_.max())
    assert model.score(documents[60:]) == pytest.approx(model.best_validation_score_)


def test_held_out_documents_are_not_in_the_vocabulary():
    documents = ["alpha beta alpha beta gamma"] * 9 + ["omega omega omega omega"]
    model = NNLMVectorizer(epochs=1, early_stopping=True, validation_fraction=0.1,
                           **{**TINY, "min_count": 1}).fit(documents)
    assert "omega" not in model.vocabulary_ and "alpha" in model.vocabulary_
    assert model.validation_scores_.shape == (1,)
    with pytest.raises(ValueError, match="validation_fraction=0.01 of 10 documents"):
        NNLMVectorizer(early_stopping=True, validation_fraction=0.01, **TINY).fit(documents)


def test_word_vectors_are_the_embedding_rows(documents):
    model = NNLMVectorizer(epochs=1, **TINY).fit(documents)
    kv = model.word_vectors_
    assert kv.index_to_key == list(model.vocabulary_)
    assert kv.vectors.shape == (len(model.vocabulary_), 8)
    np.testing.assert_array_equal(kv.vectors, model._weights[0][: len(kv)])


def test_classes_parameter(documents):
    model = NNLMVectorizer(epochs=1, n_classes=3, **TINY).fit(documents)
    assert model.n_classes_ == 3
    assert NNLMVectorizer(epochs=1, output_layer="huffman", **TINY).fit(documents).n_classes_ == 0


def test_parallel_training_is_a_language_model_too(documents):
    serial = NNLMVectorizer(epochs=4, **TINY).fit(documents)
    parallel = NNLMVectorizer(epochs=4, n_jobs=2, **TINY).fit(documents)
    assert parallel.score(documents) == pytest.approx(serial.score(documents), abs=0.15)


def test_no_frequent_word_is_an_error():
    with pytest.raises(ValueError, match="No token occurs at least min_count=5"):
        NNLMVectorizer(min_count=5).fit(["one two three"])


def test_command_line_trains_nnlm_vectors(tmp_path, capsys):
    from skembed import KeyedVectors
    from skembed.cli import main

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(make_documents(100)) + "\n", encoding="utf-8")
    output = tmp_path / "vectors.txt"
    argv = ["train", "nnlm", str(corpus), "-o", str(output), "--dim", "6", "--hidden", "4",
            "--window", "2", "--epochs", "1", "--threads", "1"]
    assert main(argv) == 0
    assert "Trained nnlm" in capsys.readouterr().out
    kv = KeyedVectors.load_word2vec_format(output)
    assert kv.vector_size == 6 and "cat" in kv


def test_divergence_is_an_error_that_names_the_learning_rate(documents):
    with pytest.raises(ValueError, match="diverged.*learning_rate=1000000.0"):
        NNLMVectorizer(epochs=2, learning_rate=1e6, **TINY).fit(documents)
    with pytest.raises(ValueError, match="min_learning_rate=0.5 is larger than learning_rate"):
        NNLMVectorizer(learning_rate=0.1, min_learning_rate=0.5, **TINY).fit(documents)
