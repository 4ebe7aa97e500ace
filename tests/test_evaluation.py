"""Tests of the analogy and similarity evaluation, against gensim and slow references."""

import logging
from importlib import resources

import gensim
import numpy as np
import pytest

from skembed import evaluation
from skembed.datasets import load_analogy_google, load_simlex999, load_wordsim353
from skembed.evaluation import evaluate_analogies, evaluate_similarity, format_report
from skembed.keyed_vectors import KeyedVectors

logging.getLogger("gensim").setLevel(logging.WARNING)

GOOGLE_PATH = str(resources.files("skembed.datasets") / "data" / "questions-words.txt")
WORDSIM_PATH = str(resources.files("skembed.datasets") / "data" / "wordsim353.tsv")
SIMLEX_PATH = str(resources.files("skembed.datasets") / "data" / "simlex999.txt")


@pytest.fixture(scope="module")
def trained():
    """A small gensim Word2Vec model over sentences built from the analogy words.

    Some sentences are lower-cased, so the cased vocabulary holds case variants of many
    question words ("Athens" and "athens"): the case-insensitive rules are exercised.
    """
    google = load_analogy_google()
    wordsim = load_wordsim353()
    rng = np.random.default_rng(0)
    sentences = []
    for i, question in enumerate(google.questions[::2]):
        words = list(question)
        sentences.append(words if i % 3 else [w.lower() for w in words])
    for (w1, w2), score in zip(wordsim.pairs, wordsim.scores):
        sentences.append([w1, w2] if score > 5 else [w1, str(rng.integers(50))])
    model = gensim.models.Word2Vec(sentences, vector_size=24, window=3, min_count=1,
                                   epochs=10, workers=1, seed=1, sg=1)
    gkv = model.wv
    return KeyedVectors(gkv.vectors, gkv.index_to_key), gkv


def _section_counts(sections):
    return {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
            for s in sections}


def _is_near_tie(kv, question, restrict_vocab, case_insensitive, tolerance=1e-5):
    """Whether the two best 3CosAdd answers to a question score within ``tolerance``.

    Only then may float32 rounding make skembed and gensim pick different answers.
    """
    unit = kv.vectors[:restrict_vocab].astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    forms = [k.upper() if case_insensitive else k for k in kv.index_to_key[:restrict_vocab]]
    first = {}
    for row, form in enumerate(forms):
        first.setdefault(form, row)
    a, b, c = (first[w.upper() if case_insensitive else w] for w in question[:3])
    scores = unit @ (unit[b] - unit[a] + unit[c])
    excluded = {forms[a], forms[b], forms[c]}
    candidates = np.sort([s for s, f in zip(scores, forms) if f not in excluded])[::-1]
    return candidates[0] - candidates[1] < tolerance


def _assert_same_answers(kv, result, sections, questions, restrict_vocab, case_insensitive):
    """Same correct questions as gensim, up to float32 near-ties; same counts per section."""
    gensim_correct = {q for s in sections[:-1] for q in s["correct"]}
    ours = {tuple(w.upper() if case_insensitive else w for w in q)
            for q, ok in zip(questions, result.correct) if ok}
    differing = [q for q in questions
                 if (tuple(w.upper() if case_insensitive else w for w in q) in ours)
                 != (tuple(w.upper() if case_insensitive else w for w in q) in gensim_correct)]
    assert len(differing) <= 3
    assert all(_is_near_tie(kv, q, restrict_vocab, case_insensitive) for q in differing)
    expected = _section_counts(sections)
    total_correct, total_evaluated = expected.pop("Total accuracy")
    assert result.n_evaluated == total_evaluated
    assert abs(result.n_correct - total_correct) <= len(differing)
    for name, score in result.sections.items():
        assert score.n_evaluated == expected[name][1]
        assert abs(score.n_correct - expected[name][0]) <= len(differing)
    if not differing:
        assert result.n_correct == total_correct
        assert {n: (s.n_correct, s.n_evaluated) for n, s in result.sections.items()} == expected


@pytest.mark.parametrize("restrict_vocab", [150, 700])
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_analogies_match_gensim_on_google_set(trained, restrict_vocab, case_insensitive):
    kv, gkv = trained
    score, sections = gkv.evaluate_word_analogies(
        GOOGLE_PATH, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    result = evaluate_analogies(kv, restrict_vocab=restrict_vocab,
                                case_insensitive=case_insensitive)
    google = load_analogy_google()
    assert 0 < result.n_evaluated < result.n_questions == 19544
    assert result.n_correct >= 5
    assert result.accuracy == pytest.approx(score, abs=3 / result.n_evaluated)
    assert result.n_skipped == 19544 - result.n_evaluated
    assert result.coverage == pytest.approx(result.n_evaluated / 19544)
    assert list(result.sections) == google.section_names
    _assert_same_answers(kv, result, sections, google.questions, restrict_vocab,
                         case_insensitive)


def test_analogies_match_gensim_on_a_custom_file(trained, tmp_path):
    kv, gkv = trained
    words = kv.index_to_key[:60]
    rng = np.random.default_rng(3)
    lines, questions = [], []
    for section in ("first", "second"):
        lines.append(f": {section}")
        for _ in range(80):
            quadruple = [words[i] for i in rng.integers(len(words), size=4)]
            if rng.random() < 0.2:
                quadruple[rng.integers(4)] = "unknownword"
            lines.append(" ".join(quadruple))
            questions.append(tuple(quadruple))
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, sections = gkv.evaluate_word_analogies(str(path), restrict_vocab=40)
    result = evaluate_analogies(kv, path, restrict_vocab=40)
    assert 0 < result.n_skipped < result.n_questions
    _assert_same_answers(kv, result, sections, questions, 40, True)


@pytest.mark.parametrize("n_variants", [3, 4, 5, 6])
def test_case_variant_rules_match_gensim(tmp_path, n_variants):
    """Case variants of the question words rank above the right answer "dog".

    gensim looks at the five best words other than the question words; with five or more
    variants among them it answers with the fifth (a wrong answer), with fewer it answers
    with the best word that is no variant.
    """
    rng = np.random.default_rng(n_variants)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    base_keys = ["ant", "bee", "cat", "dog"]
    while len(base_keys) < 60:
        word = "".join(rng.choice(letters, size=5))
        if word not in base_keys:
            base_keys.append(word)
    base = rng.standard_normal((len(base_keys), 8))
    unit = base / np.linalg.norm(base, axis=1, keepdims=True)
    target = unit[1] - unit[0] + unit[2]
    base[3] = target + 0.05 * rng.standard_normal(8)
    variant_keys = ["Bee", "bEe", "beE", "Cat", "cAt", "caT", "BEE"][:n_variants]
    variant_vectors = target + 0.01 * rng.standard_normal((n_variants, 8))
    keys = base_keys + variant_keys
    vectors = np.vstack([base, variant_vectors]).astype(np.float32)
    kv = KeyedVectors(vectors, keys)
    gkv = gensim.models.KeyedVectors(8)
    gkv.add_vectors(keys, vectors)
    path = tmp_path / "questions.txt"
    path.write_text(": variants\nant bee cat dog\nant bee cat Dog\n", encoding="utf-8")
    for case_insensitive in (True, False):
        _, sections = gkv.evaluate_word_analogies(str(path), restrict_vocab=None,
                                                  case_insensitive=case_insensitive)
        result = evaluate_analogies(kv, path, restrict_vocab=None,
                                    case_insensitive=case_insensitive)
        assert result.n_correct == len(sections[-1]["correct"])
        assert result.n_evaluated == len(sections[-1]["correct"]) + len(
            sections[-1]["incorrect"])
    # The word with no variant above it is the right answer until five variants outrank it.
    assert evaluate_analogies(kv, path, restrict_vocab=None).n_correct == (
        2 if n_variants < 5 else 0)
@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
@pytest.mark.parametrize("small_blocks", [False, True])
def test_batched_answers_match_one_query_at_a_time(trained, monkeypatch, method,
                                                   small_blocks):
    """The blocked matrix products give the answer of KeyedVectors.analogy, question by
    question (case-sensitive, so no case-variant rule applies)."""
    kv, _ = trained
    if small_blocks:
        monkeypatch.setattr(evaluation, "_BLOCK_VALUES", 5000)
        monkeypatch.setattr(evaluation, "_SCORES_BLOCK_VALUES", 700)
    google = load_analogy_google()
    questions = google.questions[::40]
    result = evaluate_analogies(kv, questions, restrict_vocab=300, case_insensitive=False,
                                method=method)
    assert result.n_evaluated > 20
    for question, prediction, ok in zip(questions, result.predictions, result.correct):
        if not all(kv.key_to_index.get(w, 10**9) < 300 for w in question):
            assert prediction is None and not ok
            continue
        a, b, c, d = question
        expected = kv.analogy(a, b, c, method=method, restrict_vocab=300)[0][0]
        if prediction != expected:
            # Only a float32 near-tie may make the batched answer differ.
            scores = dict(kv.analogy(a, b, c, topn=2, method=method, restrict_vocab=300))
            assert prediction in scores
            assert abs(scores[prediction] - scores[expected]) < 1e-5
        assert ok == (prediction == d)


def test_result_fields_and_sections():
    kv = KeyedVectors(np.array([[1.0, 0.0, 0.1], [1.0, 0.0, 0.9], [0.0, 1.0, 0.1],
                                [0.0, 1.0, 0.9], [0.7, 0.7, 0.0]]),
                      ["man", "king", "woman", "queen", "person"])
    questions = [("man", "king", "woman", "queen"), ("Woman", "Queen", "Man", "King"),
                 ("man", "woman", "king", "person"), ("man", "king", "girl", "princess")]
    result = evaluate_analogies(kv, questions)
    assert (result.n_correct, result.n_evaluated, result.n_skipped) == (2, 3, 1)
    assert result.accuracy == pytest.approx(2 / 3)
    assert result.coverage == pytest.approx(3 / 4)
    assert result.predictions == ["queen", "king", "queen", None]
    np.testing.assert_array_equal(result.correct, [True, True, False, False])
    assert list(result.sections) == ["questions"]
    # Case-sensitive: "Woman" is unknown.
    strict = evaluate_analogies(kv, questions, case_insensitive=False)
    assert (strict.n_evaluated, strict.n_skipped) == (2, 2)
    # restrict_vocab drops "queen" and "person": only answers among the first 3 rows.
    assert evaluate_analogies(kv, questions, restrict_vocab=3).n_evaluated == 0
    assert np.isnan(evaluate_analogies(kv, questions, restrict_vocab=3).accuracy)
    bunch = load_analogy_google()
    sub = type(bunch)(questions=bunch.questions[:3] + bunch.questions[-2:],
                      sections=bunch.sections[:3] + bunch.sections[-2:])
    by_section = evaluate_analogies(kv, sub).sections
    assert list(by_section) == ["capital-common-countries", "gram9-plural-verbs"]
    assert by_section["gram9-plural-verbs"].n_skipped == 2


def test_analogy_input_errors(tmp_path):
    kv = KeyedVectors(np.eye(3), ["a", "b", "c"])
    with pytest.raises(ValueError, match="method"):
        evaluate_analogies(kv, [("a", "b", "c", "a")], method="cosine")
    with pytest.raises(ValueError, match="restrict_vocab"):
        evaluate_analogies(kv, [("a", "b", "c", "a")], restrict_vocab=0)
    with pytest.raises(ValueError, match="Question 1"):
        evaluate_analogies(kv, [("a", "b", "c", "a"), ("a", "b", "c")])
    with pytest.raises(TypeError, match="KeyedVectors"):
        evaluate_analogies(np.eye(3))
    path = tmp_path / "q.txt"
    path.write_text(": s\na b c a\na b c\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Line 3 of .*q.txt' has 3 words"):
        evaluate_analogies(kv, path)
    path.write_text("a b c a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Line 1 .*before any section"):
        evaluate_analogies(kv, path)


@pytest.mark.parametrize("pairs_path", [WORDSIM_PATH, SIMLEX_PATH])
@pytest.mark.parametrize("restrict_vocab, case_insensitive", [(300000, True), (1200, True),
                                                               (300000, False)])
def test_similarity_matches_gensim(trained, pairs_path, restrict_vocab, case_insensitive):
    kv, gkv = trained
    pearson, spearman, oov_percent = gkv.evaluate_word_pairs(
        pairs_path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    result = evaluate_similarity(kv, pairs_path, restrict_vocab=restrict_vocab,
                                 case_insensitive=case_insensitive)
    assert 0 < result.oov_ratio < 1
    assert result.oov_ratio * 100 == pytest.approx(oov_percent)
    assert result.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert result.spearman_pvalue == pytest.approx(spearman.pvalue, rel=1e-4)
    assert result.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert result.pearson_pvalue == pytest.approx(pearson.pvalue, rel=1e-4)


def test_similarity_defaults_and_inputs(trained):
    kv, _ = trained
    default = evaluate_similarity(kv)
    wordsim = load_wordsim353()
    assert default == evaluate_similarity(kv, wordsim)
    assert default.n_pairs == 353
    triples = [(w1, w2, s) for (w1, w2), s in zip(wordsim.pairs, wordsim.scores)]
    assert evaluate_similarity(kv, triples).spearman == default.spearman
    known = ~np.isnan(default.similarities)
    assert np.count_nonzero(known) == default.n_evaluated
    row = int(np.flatnonzero(known)[0])
    w1, w2 = wordsim.pairs[row]
    assert default.similarities[row] == pytest.approx(
        kv.similarity(_first_case_variant(kv, w1), _first_case_variant(kv, w2)), rel=1e-5)


def _first_case_variant(kv, word):
    return next(key for key in kv.index_to_key if key.upper() == word.upper())


def test_similarity_errors(tmp_path):
    kv = KeyedVectors(np.eye(3), ["a", "b", "c"])
    with pytest.raises(ValueError, match="Only 1 of the 2 word pairs"):
        evaluate_similarity(kv, [("a", "b", 1.0), ("a", "zz", 2.0)])
    with pytest.raises(ValueError, match="Pair 0"):
        evaluate_similarity(kv, [("a", "b")])
    path = tmp_path / "pairs.tsv"
    path.write_text("# header\na\tb\t1\nb\tc\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Line 3 of .*pairs.tsv' should be"):
        evaluate_similarity(kv, path)


def test_loaders():
    google = load_analogy_google()
    assert len(google.questions) == len(google.sections) == 19544
    assert all(len(q) == 4 and all(isinstance(w, str) for w in q) for q in google.questions)
    assert len(google.section_names) == 14
    assert google.sections[-1] == "gram9-plural-verbs"
    assert "Mikolov" in google.DESCR
    for loader, n_pairs, name in [(load_wordsim353, 353, "WordSim"),
                                  (load_simlex999, 999, "SimLex")]:
        data = loader()
        assert len(data.pairs) == len(data.scores) == n_pairs
        assert data.scores.dtype == np.float64
        assert np.all((data.scores >= 0) & (data.scores <= 10))
        assert name in data.DESCR


def test_format_report(trained):
    kv, _ = trained
    report = format_report(kv, restrict_vocab=700)
    lines = report.splitlines()
    assert lines[0] == "| benchmark | score | coverage |"
    assert len(lines) == 7
    analogies = evaluate_analogies(kv, restrict_vocab=700)
    assert f"accuracy {analogies.accuracy:.3f}" in lines[2]
    assert f"{analogies.n_evaluated:,} / 19,544 questions" in lines[2]
    wordsim = evaluate_similarity(kv, load_wordsim353())
    assert f"Spearman {wordsim.spearman:.3f}" in lines[5]


def test_open_text_files_are_accepted():
    import io

    kv = KeyedVectors(np.array([[1.0, 0.0, 0.1], [1.0, 0.0, 0.9], [0.0, 1.0, 0.1],
                                [0.0, 1.0, 0.9]]), ["man", "king", "woman", "queen"])
    result = evaluate_analogies(kv, io.StringIO(": royals\nman king woman queen\n"))
    assert (result.n_correct, list(result.sections)) == (1, ["royals"])
    pairs = io.StringIO("man\tking\t5\nwoman\tqueen\t5.5\nman\tqueen\t1\n")
    assert evaluate_similarity(kv, pairs).n_evaluated == 3
