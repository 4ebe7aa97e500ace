"""skembed: text embeddings as scikit-learn transformers."""

__version__ = "0.1.0"

__all__ = ["__version__"]
