"""Pretrained word vectors as document features."""

import os
import time

from sklearn.base import BaseEstimator, clone

from ._base import Integral, Interval, PooledVectorizer, StrOptions, check_finite_vectors
from ._corpus import encode_corpus
from ._text import DEFAULT_TOKEN_PATTERN
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

    Train vectors once on a large unlabelled corpus (any fitted skembed vectorizer, or a
    file written by ``skembed train``), or load the shipped ones
    (:func:`skembed.datasets.load_pretrained_vectors`), and give them here: ``fit`` copies
    them and learns only the pooling, so ``cross_val_score`` and ``GridSearchCV`` can tune
    the pooling and the classifier without ever retraining the vectors. A clone shares the
    given ``vectors`` (a path stays a path; a matrix is not deep-copied for every fold); the
    fitted ``word_vectors_`` are a copy, so later changes to the given vectors do not reach
    a fitted vectorizer.

    Read more in the :ref:`User Guide <pooling>`.

    Parameters
    ----------
    vectors : KeyedVectors, fitted vectorizer, str or os.PathLike
        The pretrained vectors: a :class:`KeyedVectors`, a fitted skembed vectorizer (its
        ``word_vectors_``), or the path of a word2vec text, word2vec binary or GloVe text
        file.
    format : {'auto', 'word2vec', 'word2vec_binary', 'glove'}, default='auto'
        File format when ``vectors`` is a path; ``'auto'`` decides from the suffix (``.bin``
        is binary) and the first line (a ``n_words dim`` header is word2vec text).
    max_vocab_size : int, default=None
        Use only the first ``max_vocab_size`` words of the vectors (published files list
        the most frequent words first); saves memory and load time.
    pooling : {'mean', 'tfidf', 'sif', 'max', 'min'} or tuple of them, default='mean'
        How the vectors of a document's known words become one vector: their mean, their
        idf-weighted mean (idf from the fit documents), SIF (smooth inverse frequency
        weights ``sif_alpha / (sif_alpha + p(w))`` with ``p(w)`` from the fit documents, then
        the projection on the first singular vector of the fit documents is removed; Arora
        et al. 2017), or their element-wise maximum or minimum. A tuple concatenates the
        results, e.g. ``('mean', 'max')`` (concatenated power means, Rücklé et al. 2018).
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
        A copy of the vectors in use.
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
        "vectors": [KeyedVectors, BaseEstimator, str, os.PathLike],
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

    def __sklearn_clone__(self):
        # The vectors are read-only input, like a path: a clone shares them instead of
        # deep-copying a large matrix (or unfitting a fitted vectorizer) for every fold.
        params = self.get_params(deep=False)
        vectors = params.pop("vectors")
        return type(self)(vectors, **{k: clone(v, safe=False) for k, v in params.items()})

    def _load(self):
        start = time.perf_counter()
        vectors = self.vectors
        if isinstance(vectors, (str, os.PathLike)):
            kv = load_vectors(vectors, format=self.format, limit=self.max_vocab_size)
            return kv, time.perf_counter() - start
        if not isinstance(vectors, KeyedVectors):
            fitted = getattr(vectors, "word_vectors_", None)
            if not isinstance(fitted, KeyedVectors):
                raise ValueError(
                    f"vectors={type(vectors).__name__}(...) holds no fitted word vectors "
                    "(no word_vectors_ attribute): fit it first, or give KeyedVectors or the "
                    "path of a vectors file."
                )
            vectors = fitted
        stop = len(vectors) if self.max_vocab_size is None else self.max_vocab_size
        # A copy: changing the given vectors later must not change this fitted vectorizer.
        kv = KeyedVectors(vectors.vectors[:stop].copy(), vectors.index_to_key[:stop])
        check_finite_vectors(kv.vectors, kv.index_to_key, "vectors")
        return kv, 0.0

    def _build_corpus(self, X):
        kv, self.load_seconds_ = self._load()
        if len(kv) == 0:
            raise ValueError("The pretrained vectors hold no word; nothing to pool.")
        self._loaded = kv
        return encode_corpus(
            X,
            self.build_analyzer(),
            kv.index_to_key,
            input=self.input,
            encoding=self.encoding,
            decode_error=self.decode_error,
            n_jobs=self.n_jobs,
        )

    def _fit_word_vectors(self, corpus):
        vectors, self._loaded = self._loaded.vectors, None
        return vectors
