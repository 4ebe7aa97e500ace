"""Word-analogy and word-similarity sets shipped with skembed, and their file formats.

Three standard benchmarks for word vectors live in ``skembed/datasets/data/`` (sources and
licences in its README): the Google analogy questions, WordSim-353 and SimLex-999. The
loaders return :class:`~sklearn.utils.Bunch` objects; :mod:`skembed.evaluation` uses them by
default. The two parsers also read user files in the same formats.
"""

import io
import os
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "load_analogy_google",
    "load_wordsim353",
    "load_simlex999",
    "read_analogy_questions",
    "read_word_pairs",
]

_GOOGLE_DESCR = """\
Google word-analogy questions
-----------------------------

19,544 questions "a is to b as c is to d" (e.g. Athens Greece Baghdad Iraq) in 14 sections:
5 semantic (capitals, currencies, cities in states, family) and 9 syntactic (``gram1`` to
``gram9``: adverbs, opposites, comparatives, superlatives, participles, nationalities, past
tense, plurals). A model answers d from a, b and c; accuracy is usually reported over the
questions whose four words are among the 30,000 most frequent words of the model.

Source: the word2vec distribution (``questions-words.txt``), as shipped in gensim's test data.
Licence: Apache-2.0. Reference: T. Mikolov, K. Chen, G. Corrado and J. Dean, "Efficient
Estimation of Word Representations in Vector Space", ICLR workshop 2013.
"""

_WORDSIM_DESCR = """\
WordSim-353
-----------

353 English word pairs (e.g. tiger / cat) with the mean of 13 to 16 human judgements of
their relatedness on a 0-10 scale. A model is scored by the rank correlation (Spearman)
between its cosine similarities and the human scores.

Source: gensim's test data (``wordsim353.tsv``), freely distributed with gensim.
Reference: L. Finkelstein, E. Gabrilovich, Y. Matias, E. Rivlin, Z. Solan, G. Wolfman and
E. Ruppin, "Placing Search in Context: The Concept Revisited", ACM TOIS 20(1), 2002.
"""

_SIMLEX_DESCR = """\
SimLex-999
----------

999 English word pairs (nouns, verbs, adjectives) with the mean human rating of their
similarity (not relatedness: coffee / cup scores low) on a 0-10 scale. A model is scored by
the rank correlation (Spearman) between its cosine similarities and the human scores.

Source: gensim's test data (``simlex999.txt``), freely distributed with gensim.
Reference: F. Hill, R. Reichart and A. Korhonen, "SimLex-999: Evaluating Semantic Models
with (Genuine) Similarity Estimation", Computational Linguistics 41(4), 2015.
"""


def _open_text(source, name):
    """Open a path for reading text, or return an already open text file unchanged."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, encoding="utf-8"), os.fspath(source)
    if isinstance(source, io.TextIOBase):
        return source, name
    raise TypeError(
        f"Expected a path (str or os.PathLike) to a text file; got {type(source).__name__}."
    )


def _shipped(filename):
    return resources.files("skembed.datasets") / "data" / filename


def read_analogy_questions(source):
    """Read analogy questions in the word2vec ``questions-words.txt`` format.

    A line ``": section-name"`` starts a section; every other non-blank line holds the four
    words ``a b c d`` of one question ("a is to b as c is to d"), separated by whitespace.

    Parameters
    ----------
    source : str, os.PathLike or text file
        The file to read.

    Returns
    -------
    questions : list of tuple of 4 str
        The questions in file order.
    sections : list of str
        The section of each question.

    Raises
    ------
    ValueError
        If a line does not hold four words, or a question comes before the first section
        header; the message names the 1-based line number.

    Examples
    --------
    >>> import io
    >>> from skembed.datasets._evaluation_sets import read_analogy_questions
    >>> questions, sections = read_analogy_questions(io.StringIO(
    ...     ": family\\nboy girl brother sister\\n"))
    >>> questions, sections
    ([('boy', 'girl', 'brother', 'sister')], ['family'])
    """
    fin, name = _open_text(source, "<analogy questions>")
    questions, sections, section = [], [], None
    with fin:
        for line_number, line in enumerate(fin, start=1):
            if line.startswith(":"):
                section = line.lstrip(": ").strip()
                continue
            words = line.split()
            if not words:
                continue
            if len(words) != 4:
                raise ValueError(
                    f"Line {line_number} of {name!r} has {len(words)} words; an analogy "
                    "question needs exactly 4 ('a b c d': a is to b as c is to d)."
                )
            if section is None:
                raise ValueError(
                    f"Line {line_number} of {name!r} is a question before any section "
                    "header; start the file with a line like ': my-section'."
                )
            questions.append(tuple(words))
            sections.append(section)
    return questions, sections


def read_word_pairs(source, delimiter="\t"):
    """Read word pairs with similarity scores (the WordSim-353 / SimLex-999 layout).

    Each line holds ``word1``, ``word2`` and a number, separated by ``delimiter``; lines
    starting with ``#`` and blank lines are skipped.

    Parameters
    ----------
    source : str, os.PathLike or text file
        The file to read.
    delimiter : str, default="\\t"
        The field separator.

    Returns
    -------
    pairs : list of tuple of 2 str
        The word pairs in file order.
    scores : ndarray of shape (n_pairs,), dtype float64
        The human score of each pair.

    Raises
    ------
    ValueError
        If a line does not hold two words and a number; the message names the line.

    Examples
    --------
    >>> import io
    >>> from skembed.datasets._evaluation_sets import read_word_pairs
    >>> pairs, scores = read_word_pairs(io.StringIO("# comment\\ntiger\\tcat\\t7.35\\n"))
    >>> pairs, scores
    ([('tiger', 'cat')], array([7.35]))
    """
    fin, name = _open_text(source, "<word pairs>")
    pairs, scores = [], []
    with fin:
        for line_number, line in enumerate(fin, start=1):
            if line.startswith("#") or not line.strip():
                continue
            fields = [field.strip() for field in line.split(delimiter)]
            try:
                if len(fields) != 3 or not fields[0] or not fields[1]:
                    raise ValueError
                score = float(fields[2])
            except ValueError:
                raise ValueError(
                    f"Line {line_number} of {name!r} should be 'word1{delimiter}word2"
                    f"{delimiter}score'; got {line.rstrip()[:80]!r}. Comment lines start "
                    "with '#'."
                ) from None
            pairs.append((fields[0], fields[1]))
            scores.append(score)
    return pairs, np.array(scores, dtype=np.float64)


def load_analogy_google():
    """Load the Google word-analogy questions (Mikolov et al. 2013).

    =================   ====================================
    Questions           19,544
    Sections            14 (5 semantic, 9 syntactic)
    Form                a is to b as c is to d, cased words
    =================   ====================================

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``questions`` (list of 4-tuples of str ``(a, b, c, d)``), ``sections`` (list
        of str, the section of each question), ``section_names`` (list of str, in file
        order) and ``DESCR``.

    See Also
    --------
    skembed.evaluation.evaluate_analogies : Accuracy of word vectors on these questions.

    Examples
    --------
    >>> from skembed.datasets import load_analogy_google
    >>> google = load_analogy_google()
    >>> len(google.questions), google.questions[0]
    (19544, ('Athens', 'Greece', 'Baghdad', 'Iraq'))
    >>> google.section_names[:2]
    ['capital-common-countries', 'capital-world']
    """
    with _shipped("questions-words.txt").open("r", encoding="utf-8") as fin:
        questions, sections = read_analogy_questions(fin)
    section_names = list(dict.fromkeys(sections))
    return Bunch(questions=questions, sections=sections, section_names=section_names,
                 DESCR=_GOOGLE_DESCR)


def _load_pairs(filename, descr):
    with _shipped(filename).open("r", encoding="utf-8") as fin:
        pairs, scores = read_word_pairs(fin)
    return Bunch(pairs=pairs, scores=scores, DESCR=descr)


def load_wordsim353():
    """Load WordSim-353: 353 word pairs with human relatedness scores (0-10).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``pairs`` (list of 2-tuples of str), ``scores`` (float64 array of shape
        (353,)) and ``DESCR``.

    See Also
    --------
    skembed.evaluation.evaluate_similarity : Correlation of word vectors with the scores.

    Examples
    --------
    >>> from skembed.datasets import load_wordsim353
    >>> wordsim = load_wordsim353()
    >>> len(wordsim.pairs), wordsim.pairs[1], float(wordsim.scores[1])
    (353, ('tiger', 'cat'), 7.35)
    """
    return _load_pairs("wordsim353.tsv", _WORDSIM_DESCR)


def load_simlex999():
    """Load SimLex-999: 999 word pairs with human similarity scores (0-10).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``pairs`` (list of 2-tuples of str), ``scores`` (float64 array of shape
        (999,)) and ``DESCR``.

    See Also
    --------
    skembed.evaluation.evaluate_similarity : Correlation of word vectors with the scores.

    Examples
    --------
    >>> from skembed.datasets import load_simlex999
    >>> simlex = load_simlex999()
    >>> len(simlex.pairs), simlex.pairs[0], float(simlex.scores[0])
    (999, ('old', 'new'), 1.58)
    """
    return _load_pairs("simlex999.txt", _SIMLEX_DESCR)
