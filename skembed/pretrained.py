"""Pretrained word vectors as document features."""

import os
import time

import numpy as np

from ._base import Integral, Interval, PooledVectorizer, StrOptions, check_finite_vectors
from ._corpus import Corpus, encode_documents
from ._text import DEFAULT_TOKEN_PATTERN, check_document_collection
from .keyed_vectors import KeyedVectors, load_vectors

__all__ = ["EmbeddingVectorizer"]

_PARAMETER_CONSTRAINTS = {
    key: value
    for key, value in PooledVectorizer._parameter_constraints.items()
    if key != "min_count"
}


class EmbeddingVectorizer(PooledVectorizer):
    """Pool pretrained word vectors into document vectors.

    The features of a document are the pooled vectors of its words, looked up in vectors
    trained elsewhere (GloVe, word2vec or fastText files, or a :class:`KeyedVectors`).
    Nothing is learned from the documents but what pooling needs: document frequencies for
    ``pooling='tfidf'``, word frequencies and the common component for ``pooling='sif'``.

    A path given as ``vectors`` stays a path (``get_params``, ``clone`` and ``GridSearchCV``
    see the string); the file is read once in ``fit`` and the loaded vectors are fitted
    state, in ``word_vectors_``.

    Read more in the :ref:`User Guide <pooling>`.

    Parameters
    ----------
    vectors : KeyedVectors, str or os.PathLike
        The pretrained vectors, or the path of a word2vec text, word2vec binary or GloVe
        text file.
    format : {'auto', 'word2vec', 'word2vec_binary', 'glove'}, default='auto'
        File format when ``vectors`` is a path; ``'auto'`` decides from the suffix (``.bin``
        is binary) and the first line (a ``n_words dim`` header is word2vec text).
    max_vocab_size : int, default=None
        Use only the first ``max_vocab_size`` words of the vectors (published files list
        the most frequent words first); saves memory and load time.
    pooling : {'mean', 'tfidf', 'sif', 'max'}, default='mean'
        How the vectors of a document's known words become one vector: their mean, their
        idf-weighted mean (idf from the fit documents), SIF (smooth inverse frequency
        weights ``sif_alpha / (sif_alpha + p(w))`` with ``p(w)`` from the fit documents, then
        the projection on the first singular vector of the fit documents is removed; Arora
        et al. 2017), or their element-wise maximum.
    sif_alpha : float, default=1e-3
        The ``a`` of SIF weights; smaller values down-weight frequent words more.
    norm : {'l2'} or None, default=None
        Scale each document vector to unit length.
    input : {'content', 'filename', 'file'}, default='content'
        Items of ``X`` are documents, paths to read, or file objects to read.
    encoding : str, default='utf-8'
        Encoding for documents given as ``bytes``.
    decode_error : {'strict', 'ignore', 'replace'}, default='strict'
        What to do with bytes that do not decode.
    lowercase : bool, default=True
        Lower-case string documents before tokenizing (most published vectors are
        lower-case).
    preprocessor : callable, default=None
        Override the preprocessing (string transformation) stage.
    tokenizer : callable, default=None
        Override the tokenizing stage.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression that defines a token.
    n_jobs : int, default=None
        Processes for tokenizing large inputs and threads for pooling.

    Attributes
    ----------
    word_vectors_ : KeyedVectors
        The vectors in use.
    vocabulary_ : dict
        Maps each word of the vectors to its row.
    load_seconds_ : float
        Time spent reading the vectors file in ``fit`` (0 for a KeyedVectors).

    See Also
    --------
    Word2VecVectorizer : Train word vectors on your own documents.
    KeyedVectors.load_word2vec_format : Read vectors files.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import EmbeddingVectorizer, KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32),
    ...                   ["good", "bad", "movie"])
    >>> vectorizer = EmbeddingVectorizer(kv)
    >>> vectorizer.fit_transform(["good movie", "bad", "unknown words"])
    array([[1. , 0.5],
           [0. , 1. ],
           [0. , 0. ]], dtype=float32)
    """

    _parameter_constraints: dict = {
        **_PARAMETER_CONSTRAINTS,
        "vectors": [KeyedVectors, str, os.PathLike],
        "format": [StrOptions({"auto", "word2vec", "word2vec_binary", "glove"})],
        "max_vocab_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        vectors,
        *,
        format="auto",
        max_vocab_size=None,
        pooling="mean",
        sif_alpha=1e-3,
        norm=None,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        n_jobs=None,
    ):
        self.vectors = vectors
        self.format = format
        self.max_vocab_size = max_vocab_size
        self.pooling = pooling
        self.sif_alpha = sif_alpha
        self.norm = norm
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.token_pattern = token_pattern
        self.n_jobs = n_jobs

    def _load(self):
        start = time.perf_counter()
        if isinstance(self.vectors, KeyedVectors):
            kv = self.vectors
            check_finite_vectors(kv.vectors, kv.index_to_key, "vectors")
            if self.max_vocab_size is not None and self.max_vocab_size < len(kv):
                kv = KeyedVectors(
                    kv.vectors[: self.max_vocab_size], kv.index_to_key[: self.max_vocab_size]
                )
            return kv, 0.0
        kv = load_vectors(self.vectors, format=self.format, limit=self.max_vocab_size)
        return kv, time.perf_counter() - start

    def _fit(self, X):
        check_document_collection(X)
        kv, self.load_seconds_ = self._load()
        if len(kv) == 0:
            raise ValueError("The pretrained vectors hold no word; nothing to pool.")
        ids, offsets = encode_documents(
            X,
            self.build_analyzer(),
            kv.key_to_index,
            input=self.input,
            encoding=self.encoding,
            decode_error=self.decode_error,
            n_jobs=self.n_jobs,
        )
        corpus = Corpus(
            index_to_key=kv.index_to_key,
            counts=np.bincount(ids, minlength=len(kv)).astype(np.int64),
            ids=ids,
            offsets=offsets,
            n_raw_tokens=len(ids),
        )
        self.word_vectors_ = kv
        self.vocabulary_ = kv.key_to_index
        self._fit_pooling(corpus)
        return corpus
