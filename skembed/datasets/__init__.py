"""Small data sets shipped with skembed, and their loaders.

Sources, licences and citations are in ``skembed/datasets/data/README.md``.
"""

from ._evaluation_sets import load_analogy_google, load_simlex999, load_wordsim353
from ._movie_reviews import load_movie_reviews
from ._pretrained import load_pretrained_vectors

__all__ = [
    "load_analogy_google",
    "load_movie_reviews",
    "load_pretrained_vectors",
    "load_simlex999",
    "load_wordsim353",
]
