"""skembed: text embeddings as scikit-learn transformers.

Estimators learn word vectors from the documents given to ``fit`` and map each document to
one dense row, so they drop into a :class:`~sklearn.pipeline.Pipeline` next to
``TfidfVectorizer``. Word-level questions go to :class:`KeyedVectors`.
"""

from ._config import config_context, get_config, set_config
from .bpe import BPETokenizer
from .contextual import ContextualVectorizer
from .glove import GloVeVectorizer
from .keyed_vectors import KeyedVectors
from .lsa import LSAVectorizer
from .nnlm import NNLMVectorizer
from .pretrained import EmbeddingVectorizer
from .word2vec import Word2VecVectorizer

__version__ = "0.1.0"

__all__ = [
    "BPETokenizer",
    "ContextualVectorizer",
    "EmbeddingVectorizer",
    "GloVeVectorizer",
    "KeyedVectors",
    "LSAVectorizer",
    "NNLMVectorizer",
    "Word2VecVectorizer",
    "__version__",
    "config_context",
    "get_config",
    "set_config",
]
