"""The general English word vectors shipped with skembed."""

from importlib import resources

import numpy as np

from ..keyed_vectors import KeyedVectors

_FILE = "pretrained_en.npz"


def load_pretrained_vectors():
    """Load skembed's shipped English word vectors, trained by skembed on redistributable text.

    Skip-gram word2vec vectors for the 40,000 most frequent English words of their training
    text, 150 dimensions, trained with
    :class:`~skembed.Word2VecVectorizer` on about 7 million words of public-domain and
    openly licensed text (the Brown corpus, the State of the Union addresses 1790-2021,
    WordNet glosses, Jane Austen's novels, the King James Bible and Shakespeare), stored as
    int8 with one scale per word. Nothing is downloaded: the file ships inside the package.
    The data card (section ``pretrained_en.npz`` of ``skembed/datasets/data/README.md``)
    gives the sources, licences, training commands and evaluation scores.

    Use them frozen as document features, with
    :class:`~skembed.EmbeddingVectorizer` (``EmbeddingVectorizer(load_pretrained_vectors())``),
    or as ``init_vectors`` to fine-tune on your own text.

    Returns
    -------
    KeyedVectors
        Lower-case words, most frequent first, float32 vectors.

    Examples
    --------
    >>> from skembed.datasets import load_pretrained_vectors
    >>> kv = load_pretrained_vectors()
    >>> kv.vector_size > 0 and "king" in kv
    True
    >>> "queen" in [word for word, _ in kv.most_similar("king", topn=20)]
    True
    """
    with resources.files(__package__).joinpath("data", _FILE).open("rb") as fin:
        with np.load(fin, allow_pickle=False) as data:
            words = data["words"].tobytes().decode("utf-8").split("\n")
            vectors = data["vectors"].astype(np.float32)
            vectors *= data["scales"][:, None]
    return KeyedVectors(vectors, words)
