"""Small data sets shipped with skembed, and their loaders."""

from ._movie_reviews import load_movie_reviews

__all__ = ["load_movie_reviews"]
