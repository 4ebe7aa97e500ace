"""Behaviour shared by the skembed estimators.

:class:`TextTransformerMixin` gives every estimator that reads raw text the scikit-learn tags
for string input and feature names of the form ``word2vecvectorizer0``.
:class:`PooledVectorizer` is the base of the vectorizers that learn one vector per word and
pool the word vectors of each document into one row: it owns the text parameters, the corpus
pass, the fitted vocabulary and the pooled ``transform``; a subclass only implements
``_fit_word_vectors(corpus)``.

scikit-learn's private helpers (``_fit_context``, ``_param_validation``) change between
releases, so this is the only module that imports them; the estimators import them from here.
"""

import contextlib
import os
import sys
from numbers import Integral, Real

import numba
import numpy as np
from joblib import effective_n_jobs
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval as _SklearnInterval
from sklearn.utils._param_validation import RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._corpus import build_corpus, encode_documents, release_on_error
from ._kernels import _pooling
from ._text import build_analyzer
from .keyed_vectors import KeyedVectors, load_vectors

__all__ = [
    "INIT_VECTORS_CONSTRAINT",
    "Integral",
    "Interval",
    "N_JOBS_CONSTRAINT",
    "PooledVectorizer",
    "Real",
    "RealNotInt",
    "StrOptions",
    "TEXT_PARAMETER_CONSTRAINTS",
    "TextTransformerMixin",
    "_fit_context",
    "check_finite_training",
    "check_finite_vectors",
    "effective_threads",
    "numba_threads",
    "pretrained_rows",
    "seed_from_random_state",
]

class Interval(_SklearnInterval):
    """scikit-learn's ``Interval`` constraint, except that it never accepts a bool.

    ``True`` is an ``int`` to Python, so ``min_count=True`` or ``n_jobs=True`` would pass
    scikit-learn's check and mean 1; such a value is almost always a slip.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


# Constraint of the ``n_jobs`` parameters: an int (not a bool) or None.
N_JOBS_CONSTRAINT = [Interval(Integral, None, None, closed="neither"), None]

# Constraint of the ``init_vectors`` parameter of the trainable vectorizers.
INIT_VECTORS_CONSTRAINT = [KeyedVectors, str, os.PathLike, None]


def _dask_worker_threads():
    """Threads of the Dask worker running this task, or None outside a Dask worker task."""
    distributed = sys.modules.get("distributed")  # never imported by skembed itself
    if distributed is None:
        return None
    try:
        return int(distributed.get_worker().state.nthreads)
    except (ValueError, AttributeError):
        return None


def effective_threads(n_jobs):
    """Number of numba threads for ``n_jobs`` (``None`` means 1, ``-1`` all cores).

    In a task of a Dask worker, ``-1`` means the worker's threads and the count is capped by
    them, so workers that share a machine never run more threads than they were given.
    """
    worker_threads = _dask_worker_threads()
    if worker_threads is None:
        n_threads = effective_n_jobs(n_jobs)
    elif n_jobs is None:
        n_threads = 1
    else:  # joblib's rule for negative values, counted in the worker's threads
        n_threads = min(n_jobs if n_jobs > 0 else worker_threads + 1 + n_jobs, worker_threads)
    return max(1, min(n_threads, numba.config.NUMBA_NUM_THREADS))


@contextlib.contextmanager
def numba_threads(n_jobs):
    """Run the block with numba's thread count set for ``n_jobs``, then restore it.

    Yields the number of threads in use.
    """
    previous = numba.get_num_threads()
    n_threads = effective_threads(n_jobs)
    numba.set_num_threads(n_threads)
    try:
        yield n_threads
    finally:
        numba.set_num_threads(previous)


def check_finite_training(estimator, epoch, n_epochs, weights, advice):
    """Stop training whose weights have become NaN or infinite, instead of fitting them.

    Called by the epoch loops after every epoch; looking at the minimum and the maximum of
    each array costs two passes over the weights and no memory, far less than an epoch.

    Parameters
    ----------
    estimator : str
        Name of the estimator, for the message.
    epoch : int
        The epoch just finished, counted from 0.
    n_epochs : int
        Number of epochs of the training.
    weights : sequence of ndarray
        The arrays that training updates.
    advice : str
        What to change, a sentence for the message.

    Raises
    ------
    ValueError
        If any weight is NaN or infinite.
    """
    for array in weights:
        if array.size and not (np.isfinite(array.min()) and np.isfinite(array.max())):
            raise ValueError(
                f"{estimator} training diverged in epoch {epoch + 1} of {n_epochs}: the "
                f"weights became NaN or infinite, so there are no usable vectors. {advice}"
            )


def seed_from_random_state(random_state):
    """An integer seed for the kernels' xorshift states, drawn from ``random_state``."""
    return int(check_random_state(random_state).randint(1, np.iinfo(np.int32).max))


def pretrained_rows(init_vectors, index_to_key, n_components):
    """Look up pretrained vectors for a vocabulary, to start training from them.

    Parameters
    ----------
    init_vectors : KeyedVectors, str or os.PathLike
        Pretrained vectors, or the path of a word2vec or GloVe file.
    index_to_key : list of str
        The vocabulary being trained.
    n_components : int
        Dimension being trained; must equal that of the pretrained vectors.

    Returns
    -------
    found : ndarray of shape (n_words,), dtype bool
        Which words of the vocabulary have a pretrained vector.
    vectors : ndarray of shape (found.sum(), n_components), dtype float32
        Their pretrained vectors, in vocabulary order.
    """
    kv = init_vectors if isinstance(init_vectors, KeyedVectors) else load_vectors(init_vectors)
    if kv.vector_size != n_components:
        raise ValueError(
            f"init_vectors have {kv.vector_size} dimensions but n_components={n_components}. "
            f"Set n_components={kv.vector_size} to start from these vectors."
        )
    lookup = kv.key_to_index.get
    rows = np.fromiter((lookup(key, -1) for key in index_to_key), np.int64, len(index_to_key))
    found = rows >= 0
    vectors = kv.vectors[rows[found]]
    check_finite_vectors(vectors, [index_to_key[i] for i in np.flatnonzero(found)],
                         "init_vectors")
    return found, vectors


def check_finite_vectors(vectors, keys, name):
    """Raise a ValueError naming the first word whose vector holds NaN or infinity.

    Parameters
    ----------
    vectors : ndarray of shape (n_words, n_features)
    keys : list of str
        The word of each row.
    name : str
        What the vectors are, for the message (a parameter name).
    """
    if vectors.size and not (np.isfinite(vectors.min()) and np.isfinite(vectors.max())):
        word = keys[int(np.argmin(np.isfinite(vectors).all(axis=1)))]
        raise ValueError(
            f"{name} holds NaN or infinite values in the vector of {word!r}; skembed only "
            "uses finite vectors. Fix or drop that vector first."
        )


class TextTransformerMixin(ClassNamePrefixFeaturesOutMixin):
    """Tags and feature names for transformers whose input is a collection of documents."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


TEXT_PARAMETER_CONSTRAINTS = {
    "input": [StrOptions({"content", "filename", "file"})],
    "encoding": [str],
    "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    "lowercase": ["boolean"],
    "preprocessor": [callable, None],
    "tokenizer": [callable, None],
    "token_pattern": [str, None],
}


class PooledVectorizer(TextTransformerMixin, TransformerMixin, BaseEstimator):
    """Base class: learn word vectors in ``fit``, pool them per document in ``transform``.

    Subclasses list the shared parameters below in their ``__init__`` and implement
    ``_fit_word_vectors(corpus) -> ndarray of shape (n_words, n_features)``, which receives a
    :class:`skembed._corpus.Corpus` and may set extra fitted attributes (``loss_curve_``).

    Shared parameters: ``input``, ``encoding``, ``decode_error``, ``lowercase``,
    ``preprocessor``, ``tokenizer``, ``token_pattern`` (how documents become tokens, as in
    scikit-learn's ``CountVectorizer``), ``min_count`` and ``max_vocab_size`` (which words get
    a vector), ``pooling``, ``sif_alpha`` and ``norm`` (how word vectors become a document
    vector), ``n_jobs``.
    """

    _parameter_constraints: dict = {
        **TEXT_PARAMETER_CONSTRAINTS,
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_vocab_size": [Interval(Integral, 1, None, closed="left"), None],
        "pooling": [StrOptions({"mean", "tfidf", "sif", "max"})],
        "sif_alpha": [Interval(Real, 0, None, closed="neither")],
        "norm": [StrOptions({"l2"}), None],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def build_analyzer(self):
        """Return the callable that turns one document into its list of tokens.

        Returns
        -------
        callable
        """
        return build_analyzer(
            lowercase=self.lowercase,
            preprocessor=self.preprocessor,
            tokenizer=self.tokenizer,
            token_pattern=self.token_pattern,
        )

    def _fit_word_vectors(self, corpus):
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn word vectors from the documents.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Training documents: raw text, or lists of tokens used as they are.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn word vectors and return the pooled training documents.

        Tokenizes the documents once for both steps.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        ndarray of shape (n_documents, n_features), dtype float32
        """
        corpus = self._fit(X)
        return self._pool(corpus.ids, corpus.offsets)

    def transform(self, X):
        """Map each document to the pooled vector of its known tokens.

        Tokens not in the vocabulary are skipped; a document without a known token maps to
        a row of zeros.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.

        Returns
        -------
        ndarray of shape (n_documents, n_features), dtype float32
        """
        check_is_fitted(self)
        ids, offsets = encode_documents(
            X,
            self.build_analyzer(),
            self.vocabulary_,
            input=self.input,
            encoding=self.encoding,
            decode_error=self.decode_error,
            n_jobs=self.n_jobs,
        )
        return self._pool(ids, offsets)

    def _fit(self, X):
        corpus = build_corpus(
            X,
            self.build_analyzer(),
            min_count=self.min_count,
            max_vocab_size=self.max_vocab_size,
            input=self.input,
            encoding=self.encoding,
            decode_error=self.decode_error,
            n_jobs=self.n_jobs,
        )
        if not corpus.index_to_key:
            raise ValueError(
                f"No token occurs at least min_count={self.min_count} times in the "
                f"{corpus.n_documents} training documents ({corpus.n_raw_tokens} tokens), so "
                "there is nothing to learn. Try a lower min_count, more documents, or a "
                "token_pattern/tokenizer that finds tokens in them."
            )
        try:
            vectors = self._fit_word_vectors(corpus)
        except BaseException as error:
            if corpus.memory_mapped:  # let the temporary files go with the corpus
                del corpus
                release_on_error(error)
            raise
        self.word_vectors_ = KeyedVectors(vectors, corpus.index_to_key)
        self.vocabulary_ = dict(zip(corpus.index_to_key, range(len(corpus.index_to_key))))
        self._fit_pooling(corpus)
        return corpus

    def _fit_pooling(self, corpus):
        """Word weights for the pooling mode, and SIF's common component, from the fit data."""
        n_words = len(corpus.index_to_key)
        self._word_weights = np.ones(n_words, dtype=np.float32)
        self._sif_component = None
        if self.pooling == "tfidf":
            frequency = _pooling.document_frequency(corpus.ids, corpus.offsets, n_words)
            n_documents = corpus.n_documents
            # Smoothed idf, as scikit-learn's TfidfTransformer(smooth_idf=True).
            idf = np.log((1.0 + n_documents) / (1.0 + frequency)) + 1.0
            self._word_weights = idf.astype(np.float32)
        elif self.pooling == "sif":
            probability = corpus.counts / max(corpus.counts.sum(), 1)
            self._word_weights = (self.sif_alpha / (self.sif_alpha + probability)).astype(
                np.float32
            )
            pooled = self._pool_raw(corpus.ids, corpus.offsets)
            if pooled.shape[0] >= 2 and np.any(pooled):
                svd = TruncatedSVD(n_components=1, algorithm="arpack")
                svd.fit(pooled.astype(np.float64))
                self._sif_component = svd.components_[0].astype(np.float32)

    def _pool_raw(self, ids, offsets):
        vectors = self.word_vectors_.vectors
        parallel = effective_threads(self.n_jobs) > 1
        with numba_threads(self.n_jobs):
            if self.pooling == "max":
                kernel = (
                    _pooling.elementwise_max_parallel if parallel else _pooling.elementwise_max
                )
                return kernel(ids, offsets, vectors)
            kernel = _pooling.weighted_mean_parallel if parallel else _pooling.weighted_mean
            return kernel(ids, offsets, vectors, self._word_weights, self.pooling == "sif")

    def _pool(self, ids, offsets):
        pooled = self._pool_raw(ids, offsets)
        if self._sif_component is not None:
            pooled -= np.outer(pooled @ self._sif_component, self._sif_component)
        if self.norm is not None:
            pooled = normalize(pooled, norm=self.norm, copy=False)
        return pooled

    @property
    def _n_features_out(self):
        return self.word_vectors_.vector_size

