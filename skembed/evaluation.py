"""How good are word vectors? Analogy accuracy and correlation with human similarity.

:func:`evaluate_analogies` answers word-analogy questions ("Athens is to Greece as Baghdad is
to ?") and :func:`evaluate_similarity` correlates cosine similarities with human scores of
word pairs. Both follow the conventions of gensim's ``evaluate_word_analogies`` and
``evaluate_word_pairs`` (and of the word2vec ``compute-accuracy`` tool), so their numbers
can be compared with published ones, but answer all the questions in a few matrix products
instead of one vocabulary scan per question. :func:`format_report` runs the three standard
benchmarks shipped in :mod:`skembed.datasets` and returns a markdown table.
"""

import io
import os
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from .datasets._evaluation_sets import (
    load_analogy_google,
    load_simlex999,
    load_wordsim353,
    read_analogy_questions,
    read_word_pairs,
)
from .keyed_vectors import KeyedVectors

__all__ = [
    "AnalogyResult",
    "SectionScore",
    "SimilarityResult",
    "evaluate_analogies",
    "evaluate_similarity",
    "format_report",
]

# gensim's evaluate_word_analogies looks at the 5 best answers and takes the first one that
# is not a (case variant of a) question word; this matters only for cased vocabularies.
_GENSIM_TOPN = 5
# Memory budget of one block of similarities (float32 values).
_BLOCK_VALUES = 1 << 22
_SCORES_BLOCK_VALUES = 1 << 18
_COSMUL_EPSILON = 1e-6


@dataclass(frozen=True)
class SectionScore:
    """Analogy accuracy on one section of the questions.

    Attributes
    ----------
    name : str
        The section name, e.g. ``"capital-world"``.
    accuracy : float
        ``n_correct / n_evaluated``; NaN if no question of the section was evaluated.
    n_correct : int
        Questions answered correctly.
    n_evaluated : int
        Questions whose four words are all in the (restricted) vocabulary.
    n_skipped : int
        Questions left out because a word is missing.
    """

    name: str
    accuracy: float
    n_correct: int
    n_evaluated: int
    n_skipped: int


@dataclass(frozen=True)
class AnalogyResult:
    """Result of :func:`evaluate_analogies`.

    Attributes
    ----------
    accuracy : float
        Fraction of the evaluated questions answered correctly (NaN if none was evaluated).
    n_correct : int
        Questions answered correctly.
    n_evaluated : int
        Questions whose four words are all in the restricted vocabulary.
    n_skipped : int
        Questions left out because a word is missing (they count neither as right nor as
        wrong, as in gensim and the word2vec tool).
    n_questions : int
        All questions.
    coverage : float
        ``n_evaluated / n_questions``.
    sections : dict of str to SectionScore
        The score of each section, in question order.
    method : str
        ``"3cosadd"`` or ``"3cosmul"``.
    restrict_vocab : int or None
        The number of most frequent words searched.
    predictions : list of (str or None)
        The answer given to each question (the vocabulary word, original case), None for a
        skipped question.
    correct : ndarray of shape (n_questions,), dtype bool
        Whether each question was answered correctly (False for a skipped one).
    """

    accuracy: float
    n_correct: int
    n_evaluated: int
    n_skipped: int
    n_questions: int
    coverage: float
    sections: dict
    method: str
    restrict_vocab: object
    predictions: list = field(repr=False)
    correct: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class SimilarityResult:
    """Result of :func:`evaluate_similarity`.

    Attributes
    ----------
    spearman : float
        Spearman rank correlation between the cosine similarities and the human scores,
        over the pairs whose two words are in the restricted vocabulary.
    spearman_pvalue : float
        Its two-sided p-value.
    pearson : float
        Pearson correlation over the same pairs.
    pearson_pvalue : float
        Its two-sided p-value.
    oov_ratio : float
        Fraction (not percent) of the pairs left out because a word is missing.
    n_evaluated : int
        Pairs used.
    n_pairs : int
        All pairs.
    similarities : ndarray of shape (n_pairs,)
        The cosine similarity of each pair, NaN for a left-out pair.
    """

    spearman: float
    spearman_pvalue: float
    pearson: float
    pearson_pvalue: float
    oov_ratio: float
    n_evaluated: int
    n_pairs: int
    similarities: np.ndarray = field(repr=False, compare=False)


def _check_kv(kv):
    if not isinstance(kv, KeyedVectors):
        raise TypeError(
            f"kv must be a skembed KeyedVectors (e.g. the word_vectors_ of a fitted "
            f"vectorizer, or KeyedVectors.load_word2vec_format(path)); got "
            f"{type(kv).__name__}."
        )


def _check_restrict_vocab(restrict_vocab, n_words):
    if restrict_vocab is None:
        return n_words
    if (isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer))
            or restrict_vocab < 1):
        raise ValueError(f"restrict_vocab must be None or an int >= 1; got {restrict_vocab!r}.")
    return min(int(restrict_vocab), n_words)


def _restricted_lookup(kv, n_rows, case_insensitive):
    """Map word forms to rows among the first ``n_rows`` words.

    With ``case_insensitive``, words are compared in upper case and a form maps to its
    first (most frequent) row, as in gensim. Also returns ``canonical``, the row each of the
    first ``n_rows`` rows stands for (itself unless it is a later case variant).
    """
    keys = kv.index_to_key[:n_rows]
    if not case_insensitive:
        return {key: row for row, key in enumerate(keys)}, np.arange(n_rows)
    lookup = {}
    canonical = np.empty(n_rows, dtype=np.intp)
    for row, key in enumerate(keys):
        canonical[row] = lookup.setdefault(key.upper(), row)
    return lookup, canonical


def _as_questions(questions):
    if questions is None:
        google = load_analogy_google()
        return google.questions, google.sections
    if isinstance(questions, (str, os.PathLike, io.TextIOBase)):
        return read_analogy_questions(questions)
    if hasattr(questions, "questions") and hasattr(questions, "sections"):
        items, sections = list(questions.questions), list(questions.sections)
        if len(items) != len(sections):
            raise ValueError("questions.questions and questions.sections differ in length.")
    else:
        items = list(questions)
        sections = ["questions"] * len(items)
    for i, item in enumerate(items):
        if (isinstance(item, str) or len(item) != 4
                or not all(isinstance(word, str) for word in item)):
            raise ValueError(
                f"Question {i} is {item!r}; each question must be a tuple of 4 words "
                "(a, b, c, d): a is to b as c is to d."
            )
    return [tuple(item) for item in items], sections


def _solve_analogies(normed, abc, n_rows, method, canonical):
    """Best answer row of every question, and the scores of masked case variants.

    ``abc`` (n_questions, 3) holds the canonical rows of the words a, b, c. Candidates are
    the first ``n_rows`` rows except the question words and their case variants. For each
    block of candidate columns, one matrix product gives the similarities of the distinct
    question words with the block; the (b, a) part of the score is formed once per distinct
    (a, b) pair (the Google set has 550 pairs for 19,544 questions) and each question adds
    its c row and takes the argmax. Blocks stay a few MB, so the work streams through the
    cache instead of memory.

    Returns ``best_row`` and ``best_score`` (n_questions,), -1 / -inf when no candidate is
    left, and ``variant_scores``: for every question with case variants of its words among
    the candidates, the list of (score, row) of those variants (see ``_gensim_answer``).
    """
    n_questions = len(abc)
    best_score = np.full(n_questions, -np.inf, dtype=np.float32)
    best_row = np.full(n_questions, -1, dtype=np.intp)
    if n_questions == 0:
        return best_row, best_score, {}
    unique_rows, positions = np.unique(abc, return_inverse=True)
    positions = positions.reshape(abc.shape)
    ab_pairs, pair_of_question = np.unique(positions[:, :2], axis=0, return_inverse=True)
    pair_of_question = pair_of_question.ravel()
    query_vectors = normed[unique_rows]

    # Cells to mask in each question's scores: its words and their case variants, as
    # (question, row) lists sorted by question.
    masked_question = np.repeat(np.arange(n_questions), 3)
    masked_row = abc.ravel()
    repeated = np.zeros(abc.shape, dtype=bool)
    repeated[:, 1] = abc[:, 1] == abc[:, 0]
    repeated[:, 2] = (abc[:, 2] == abc[:, 0]) | (abc[:, 2] == abc[:, 1])
    masked_question = masked_question[~repeated.ravel()]
    masked_row = masked_row[~repeated.ravel()]
    masked_is_variant = np.zeros(len(masked_row), dtype=bool)
    variants = {}
    for row in np.flatnonzero(canonical != np.arange(n_rows)):
        variants.setdefault(int(canonical[row]), []).append(int(row))
    if variants:
        extra_question, extra_row = [], []
        has_variants = np.isin(masked_row, np.fromiter(variants, dtype=np.intp))
        for question, row in zip(masked_question[has_variants].tolist(),
                                 masked_row[has_variants].tolist()):
            extra_question.extend([question] * len(variants[row]))
            extra_row.extend(variants[row])
        masked_question = np.concatenate([masked_question, extra_question]).astype(np.intp)
        masked_row = np.concatenate([masked_row, extra_row]).astype(np.intp)
        masked_is_variant = np.concatenate([masked_is_variant,
                                            np.ones(len(extra_row), dtype=bool)])
        order = np.argsort(masked_question, kind="stable")
        masked_question = masked_question[order]
        masked_row = masked_row[order]
        masked_is_variant = masked_is_variant[order]
    variant_cell_scores = np.full(len(masked_row), -np.inf, dtype=np.float32)

    column_block = max(1, _BLOCK_VALUES // max(len(unique_rows), len(ab_pairs)))
    for column_start in range(0, n_rows, column_block):
        column_stop = min(column_start + column_block, n_rows)
        similarities = query_vectors @ normed[column_start:column_stop].T
        if method == "3cosadd":
            pair_terms = similarities[ab_pairs[:, 1]] - similarities[ab_pairs[:, 0]]
        else:
            similarities += 1.0
            similarities *= 0.5
            pair_terms = similarities[ab_pairs[:, 1]] / (similarities[ab_pairs[:, 0]]
                                                         + _COSMUL_EPSILON)
        question_block = max(1, _SCORES_BLOCK_VALUES // (column_stop - column_start))
        for question_start in range(0, n_questions, question_block):
            question_stop = min(question_start + question_block, n_questions)
            scores = pair_terms[pair_of_question[question_start:question_stop]]
            c_rows = similarities[positions[question_start:question_stop, 2]]
            if method == "3cosadd":
                scores += c_rows
            else:
                scores *= c_rows
            first, last = np.searchsorted(masked_question, [question_start, question_stop])
            rows = masked_row[first:last]
            inside = np.flatnonzero((rows >= column_start) & (rows < column_stop)) + first
            local_questions = masked_question[inside] - question_start
            local_columns = masked_row[inside] - column_start
            is_variant = masked_is_variant[inside]
            variant_cell_scores[inside[is_variant]] = scores[local_questions[is_variant],
                                                             local_columns[is_variant]]
            scores[local_questions, local_columns] = -np.inf
            local_best = scores.argmax(axis=1)
            local_score = scores[np.arange(len(scores)), local_best]
            # Strictly better only: ties keep the lower (more frequent) row.
            better = local_score > best_score[question_start:question_stop]
            best_score[question_start:question_stop][better] = local_score[better]
            best_row[question_start:question_stop][better] = local_best[better] + column_start
    best_row[~np.isfinite(best_score)] = -1
    variant_scores = {}
    for cell in np.flatnonzero(masked_is_variant):
        variant_scores.setdefault(int(masked_question[cell]), []).append(
            (float(variant_cell_scores[cell]), int(masked_row[cell])))
    return best_row, best_score, variant_scores


def _gensim_answer(best_row, best_score, variant_candidates, n_candidates):
    """The answer gensim gives when case variants of the question words rank high.

    gensim ranks every candidate except the question words themselves, keeps the best
    ``_GENSIM_TOPN``, and answers with the first that is not a case variant of a question
    word, or else with the last of them.
    """
    variant_candidates = sorted(variant_candidates, key=lambda pair: (-pair[0], pair[1]))
    n_listed = min(_GENSIM_TOPN, n_candidates)
    n_above = sum(score > best_score for score, _ in variant_candidates)
    if best_row >= 0 and n_above < n_listed:
        return best_row
    if n_listed == 0:
        return -1
    return variant_candidates[n_listed - 1][1]


def evaluate_analogies(kv, questions=None, *, restrict_vocab=30000, case_insensitive=True,
                       method="3cosadd"):
    """Accuracy of word vectors on word-analogy questions.

    Each question "a is to b as c is to d" is answered by the word ``x`` among the first
    ``restrict_vocab`` words, other than a, b and c, that maximizes
    ``cos(x, b) - cos(x, a) + cos(x, c)`` (3CosAdd, as the word2vec tool and gensim) or
    ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-6)`` with ``cos' = (1 + cos) / 2`` (3CosMul,
    Levy & Goldberg 2014). A question whose four words are not all among the first
    ``restrict_vocab`` words is skipped, and reported in ``n_skipped`` and ``coverage``.

    The rules follow gensim's ``KeyedVectors.evaluate_word_analogies`` with
    ``dummy4unknown=False``, so the accuracy is the same: with ``case_insensitive``, words
    are compared in upper case, a word stands for its most frequent case variant, and
    answers that are case variants of a, b or c do not count. All questions are answered
    together, block by block, with matrix products: the 19,544 Google questions take about a
    second against 30,000 words on a laptop.

    Parameters
    ----------
    kv : KeyedVectors
        The word vectors, most frequent words first (as every skembed estimator and
        most vector files order them).
    questions : None, str, os.PathLike, text file, Bunch or list of 4-tuples of str, \
            default=None
        None uses the Google analogy set (:func:`~skembed.datasets.load_analogy_google`).
        A path or open text file is read in the same format (``": section"`` lines, then ``a b c d`` lines).
        A Bunch with ``questions`` and ``sections`` attributes, or a plain list of
        ``(a, b, c, d)`` tuples (one section named ``"questions"``), is used as given.
    restrict_vocab : int or None, default=30000
        Only the first ``restrict_vocab`` words of ``kv`` take part, as question words and
        as answers. 30,000 is the word2vec tool's default and the usual choice in
        published results; None uses the whole vocabulary.
    case_insensitive : bool, default=True
        Compare words in upper case.
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
        How the answer is chosen.

    Returns
    -------
    result : AnalogyResult
        Overall ``accuracy``, counts, ``coverage``, per-section scores in ``sections``, and
        the answer to each question.

    See Also
    --------
    skembed.KeyedVectors.analogy : Answer one question.
    evaluate_similarity : Correlation with human similarity scores.

    References
    ----------
    T. Mikolov, K. Chen, G. Corrado and J. Dean, "Efficient Estimation of Word
    Representations in Vector Space", 2013. O. Levy and Y. Goldberg, "Linguistic
    Regularities in Sparse and Explicit Word Representations", CoNLL 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import KeyedVectors
    >>> from skembed.evaluation import evaluate_analogies
    >>> kv = KeyedVectors(np.array([[1.0, 0.0, 0.1], [1.0, 0.0, 0.9], [0.0, 1.0, 0.1],
    ...                             [0.0, 1.0, 0.9]]), ["man", "king", "woman", "queen"])
    >>> result = evaluate_analogies(kv, [("man", "king", "woman", "queen"),
    ...                                  ("man", "woman", "king", "queen"),
    ...                                  ("man", "king", "boy", "prince")])
    >>> result.accuracy, result.n_evaluated, result.n_skipped
    (1.0, 2, 1)
    """
    _check_kv(kv)
    if method not in ("3cosadd", "3cosmul"):
        raise ValueError(f"method must be '3cosadd' or '3cosmul'; got {method!r}.")
    questions, sections = _as_questions(questions)
    n_rows = _check_restrict_vocab(restrict_vocab, len(kv))
    lookup, canonical = _restricted_lookup(kv, n_rows, case_insensitive)

    rows = np.full((len(questions), 4), -1, dtype=np.intp)
    for i, question in enumerate(questions):
        for j, word in enumerate(question):
            rows[i, j] = lookup.get(word.upper() if case_insensitive else word, -1)
    evaluated = np.flatnonzero((rows >= 0).all(axis=1))
    abc = rows[evaluated, :3]

    best_row, best_score, variant_scores = _solve_analogies(
        kv.get_normed_vectors(), abc, n_rows, method, canonical)
    for question, candidates in variant_scores.items():
        n_candidates = n_rows - len(set(abc[question].tolist()))
        best_row[question] = _gensim_answer(best_row[question], best_score[question],
                                            candidates, n_candidates)
    answer_rows = np.full(len(questions), -1, dtype=np.intp)
    answer_rows[evaluated] = best_row
    correct = np.zeros(len(questions), dtype=bool)
    answered = evaluated[best_row >= 0]
    correct[answered] = canonical[answer_rows[answered]] == rows[answered, 3]
    predictions = [None] * len(questions)
    for question in answered:
        predictions[question] = kv.index_to_key[answer_rows[question]]

    is_evaluated = np.zeros(len(questions), dtype=bool)
    is_evaluated[evaluated] = True
    section_scores = {}
    sections = np.asarray(sections, dtype=object)
    for name in dict.fromkeys(sections.tolist()):
        in_section = sections == name
        section_scores[name] = _section_score(name, correct[in_section],
                                              is_evaluated[in_section])
    total = _section_score("total", correct, is_evaluated)
    return AnalogyResult(
        accuracy=total.accuracy, n_correct=total.n_correct, n_evaluated=total.n_evaluated,
        n_skipped=total.n_skipped, n_questions=len(questions),
        coverage=total.n_evaluated / len(questions) if questions else float("nan"),
        sections=section_scores, method=method,
        restrict_vocab=restrict_vocab, predictions=predictions, correct=correct,
    )


def _section_score(name, correct, evaluated):
    n_correct = int(np.count_nonzero(correct))
    n_evaluated = int(np.count_nonzero(evaluated))
    accuracy = n_correct / n_evaluated if n_evaluated else float("nan")
    return SectionScore(name=name, accuracy=accuracy, n_correct=n_correct,
                        n_evaluated=n_evaluated, n_skipped=len(evaluated) - n_evaluated)


def _as_pairs(pairs):
    if pairs is None:
        wordsim = load_wordsim353()
        return wordsim.pairs, wordsim.scores
    if isinstance(pairs, (str, os.PathLike, io.TextIOBase)):
        return read_word_pairs(pairs)
    if hasattr(pairs, "pairs") and hasattr(pairs, "scores"):
        items, scores = list(pairs.pairs), np.asarray(pairs.scores, dtype=np.float64)
    else:
        triples = list(pairs)
        for i, triple in enumerate(triples):
            if isinstance(triple, str) or len(triple) != 3:
                raise ValueError(
                    f"Pair {i} is {triple!r}; give (word1, word2, score) triples, a path, or "
                    "a Bunch with pairs and scores."
                )
        items = [(w1, w2) for w1, w2, _ in triples]
        scores = np.array([score for _, _, score in triples], dtype=np.float64)
    if len(items) != len(scores):
        raise ValueError(f"Got {len(items)} pairs but {len(scores)} scores.")
    for i, pair in enumerate(items):
        if isinstance(pair, str) or len(pair) != 2 or not all(isinstance(w, str) for w in pair):
            raise ValueError(f"Pair {i} is {pair!r}; each pair must be two words (str).")
    return [tuple(pair) for pair in items], scores


def evaluate_similarity(kv, pairs=None, *, restrict_vocab=300000, case_insensitive=True):
    """Correlation between cosine similarities of word vectors and human similarity scores.

    The rules follow gensim's ``KeyedVectors.evaluate_word_pairs`` with
    ``dummy4unknown=False``: a pair is left out if one of its words is not among the first
    ``restrict_vocab`` words; with ``case_insensitive`` words are compared in upper case and
    a word stands for its most frequent case variant.

    Parameters
    ----------
    kv : KeyedVectors
        The word vectors, most frequent words first.
    pairs : None, str, os.PathLike, text file, Bunch or list of (str, str, float), \
            default=None
        None uses WordSim-353 (:func:`~skembed.datasets.load_wordsim353`). A path or open
        text file is read as tab-separated ``word1 word2 score`` lines (``#`` starts a comment line). A Bunch
        with ``pairs`` and ``scores`` (e.g. :func:`~skembed.datasets.load_simlex999`), or a
        list of ``(word1, word2, score)`` triples, is used as given.
    restrict_vocab : int or None, default=300000
        Only the first ``restrict_vocab`` words of ``kv`` take part (gensim's default).
    case_insensitive : bool, default=True
        Compare words in upper case.

    Returns
    -------
    result : SimilarityResult
        ``spearman`` and ``pearson`` correlations with their p-values, ``oov_ratio`` (the
        fraction of pairs left out; gensim reports it in percent), the counts, and the
        similarity of every pair.

    Raises
    ------
    ValueError
        If fewer than two pairs have both words in the vocabulary.

    See Also
    --------
    evaluate_analogies : Accuracy on word-analogy questions.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import KeyedVectors
    >>> from skembed.evaluation import evaluate_similarity
    >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.9, 0.2], [0.1, 1.0], [0.0, 1.0]]),
    ...                   ["cat", "dog", "car", "bus"])
    >>> result = evaluate_similarity(kv, [("cat", "dog", 8.0), ("cat", "car", 1.0),
    ...                                   ("car", "bus", 9.0), ("dog", "bus", 0.5),
    ...                                   ("cat", "lion", 7.0)])
    >>> round(result.spearman, 3), result.n_evaluated, result.oov_ratio
    (0.8, 4, 0.2)
    """
    _check_kv(kv)
    pairs, gold = _as_pairs(pairs)
    n_rows = _check_restrict_vocab(restrict_vocab, len(kv))
    lookup, _ = _restricted_lookup(kv, n_rows, case_insensitive)
    rows = np.array(
        [[lookup.get(word.upper() if case_insensitive else word, -1) for word in pair]
         for pair in pairs], dtype=np.intp).reshape(-1, 2)
    known = (rows >= 0).all(axis=1)
    n_known = int(np.count_nonzero(known))
    if n_known < 2:
        raise ValueError(
            f"Only {n_known} of the {len(pairs)} word pairs have both words among the first "
            f"{n_rows} words of the vectors; a correlation needs at least 2. Check the "
            "case of the words, or raise restrict_vocab."
        )
    normed = kv.get_normed_vectors()
    similarities = np.full(len(pairs), np.nan)
    similarities[known] = np.einsum("ij,ij->i", normed[rows[known, 0]], normed[rows[known, 1]])
    spearman = stats.spearmanr(gold[known], similarities[known])
    pearson = stats.pearsonr(gold[known], similarities[known])
    return SimilarityResult(
        spearman=float(spearman.statistic), spearman_pvalue=float(spearman.pvalue),
        pearson=float(pearson.statistic), pearson_pvalue=float(pearson.pvalue),
        oov_ratio=(len(pairs) - n_known) / len(pairs), n_evaluated=n_known, n_pairs=len(pairs),
        similarities=similarities,
    )


def format_report(kv, *, restrict_vocab=30000):
    """Score word vectors on the shipped benchmarks and return a markdown table.

    Runs :func:`evaluate_analogies` on the Google analogy set (3CosAdd, the first
    ``restrict_vocab`` words, also split into its semantic and syntactic halves) and
    :func:`evaluate_similarity` on WordSim-353 and SimLex-999 (first 300,000 words).

    Parameters
    ----------
    kv : KeyedVectors
        The word vectors, most frequent words first.
    restrict_vocab : int or None, default=30000
        Vocabulary restriction of the analogy questions.

    Returns
    -------
    report : str
        A markdown table with one row per benchmark: the score and how many questions or
        pairs the vocabulary covers.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import KeyedVectors
    >>> from skembed.evaluation import format_report
    >>> words = ["king", "queen", "man", "woman", "tiger", "cat", "old", "new", "smart"]
    >>> kv = KeyedVectors(np.random.default_rng(0).standard_normal((9, 4)), words)
    >>> print(format_report(kv))
    | benchmark | score | coverage |
    |---|---|---|
    | Google analogies (3CosAdd, top 30,000 words) | accuracy 1.000 | 2 / 19,544 questions |
    | Google analogies, semantic sections | accuracy 1.000 | 2 / 8,869 questions |
    | Google analogies, syntactic sections | n/a | 0 / 10,675 questions |
    | WordSim-353 (top 300,000 words) | Spearman 1.000 (Pearson 0.922) | 4 / 353 pairs |
    | SimLex-999 (top 300,000 words) | Spearman 1.000 (Pearson 1.000) | 2 / 999 pairs |
    """
    _check_kv(kv)
    analogies = evaluate_analogies(kv, restrict_vocab=restrict_vocab)
    scope = "all words" if restrict_vocab is None else f"top {restrict_vocab:,} words"
    lines = ["| benchmark | score | coverage |", "|---|---|---|"]
    lines.append(_analogy_row(f"Google analogies (3CosAdd, {scope})",
                              analogies.accuracy, analogies.n_evaluated,
                              analogies.n_questions))
    for half, is_syntactic in (("semantic", False), ("syntactic", True)):
        scores = [score for name, score in analogies.sections.items()
                  if name.startswith("gram") == is_syntactic]
        n_correct = sum(score.n_correct for score in scores)
        n_evaluated = sum(score.n_evaluated for score in scores)
        n_total = sum(score.n_evaluated + score.n_skipped for score in scores)
        accuracy = n_correct / n_evaluated if n_evaluated else float("nan")
        lines.append(_analogy_row(f"Google analogies, {half} sections", accuracy,
                                  n_evaluated, n_total))
    for name, loader in (("WordSim-353", load_wordsim353), ("SimLex-999", load_simlex999)):
        data = loader()
        label = f"{name} (top 300,000 words)"
        try:
            result = evaluate_similarity(kv, data, restrict_vocab=300000)
        except ValueError:
            lines.append(f"| {label} | n/a (fewer than 2 pairs known) | 0 / {len(data.pairs):,}"
                         " pairs |")
            continue
        lines.append(f"| {label} | Spearman {result.spearman:.3f} (Pearson "
                     f"{result.pearson:.3f}) | {result.n_evaluated:,} / {result.n_pairs:,} "
                     "pairs |")
    return "\n".join(lines)


def _analogy_row(label, accuracy, n_evaluated, n_total):
    score = "n/a" if not n_evaluated else f"accuracy {accuracy:.3f}"
    return f"| {label} | {score} | {n_evaluated:,} / {n_total:,} questions |"
