"""The movie-review sentiment data shipped with skembed."""

import gzip
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

_DESCR = """\
Movie-review sentiment sentences
--------------------------------

10,605 sentences from movie reviews (Pang & Lee, 2005), each rated by ten people on a scale
from -4 (very negative) to +4 (very positive) for the VADER study (Hutto & Gilbert, 2014).
The binary task keeps the sentences whose mean rating is not zero: a mean above zero is
positive (label 1), below zero negative (label 0).

==================  ==========================
Samples             10,568 (5,326 negative, 5,242 positive); 37 neutral sentences dropped
Features            text, one sentence per sample
Target              0 = negative, 1 = positive
==================  ==========================

The mean human rating of every sentence is in ``rating``.

Licence: MIT (vaderSentiment). References:

- Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment
  Analysis of Social Media Text. ICWSM-14.
- Pang, B. & Lee, L. (2005). Seeing stars: Exploiting class relationships for sentiment
  categorization with respect to rating scales. ACL 2005.
"""


def load_movie_reviews(*, return_X_y=False):
    """Load the movie-review sentiment sentences (binary classification).

    ===============   ======================
    Classes           2 (negative, positive)
    Samples total     10,568
    Features          text
    ===============   ======================

    Sentences rated neutral (mean rating exactly 0) are dropped.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (list of str), ``target`` (int array, 1 = positive),
        ``target_names`` (``['negative', 'positive']``), ``rating`` (float array, the mean
        human rating in [-4, 4]) and ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skembed.datasets import load_movie_reviews
    >>> reviews = load_movie_reviews()
    >>> len(reviews.data), reviews.target_names
    (10568, ['negative', 'positive'])
    >>> X, y = load_movie_reviews(return_X_y=True)
    >>> int(y.sum())
    5242
    """
    source = resources.files("skembed.datasets") / "data" / "movie_reviews.tsv.gz"
    texts, ratings = [], []
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            _, rating, text = line.rstrip("\n").split("\t", 2)
            rating = float(rating)
            if rating != 0.0:
                texts.append(text)
                ratings.append(rating)
    rating = np.array(ratings)
    target = (rating > 0).astype(np.int64)
    if return_X_y:
        return texts, target
    return Bunch(
        data=texts,
        target=target,
        target_names=["negative", "positive"],
        rating=rating,
        DESCR=_DESCR,
    )
