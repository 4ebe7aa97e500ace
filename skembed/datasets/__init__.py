"""Small data sets shipped with skembed, and their loaders.

Sources, licences and citations are in ``skembed/datasets/data/README.md``.
"""

from ._evaluation_sets import load_analogy_google, load_simlex999, load_wordsim353
from ._movie_reviews import load_movie_reviews

__all__ = ["load_analogy_google", "load_movie_reviews", "load_simlex999", "load_wordsim353"]
