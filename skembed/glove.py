"""GloVe: word vectors from a weighted least-squares fit to log co-occurrence counts.

:class:`GloVeVectorizer` counts how often every pair of words occurs within a window of each
other in the training documents, fits word and context vectors whose dot products (plus two
biases) approximate the logarithms of those counts, and pools the word vectors of a document
into one row. The counting and the AdaGrad epochs are numba kernels in
:mod:`skembed._kernels._glove`; this module validates parameters, drives the epochs and keeps
the fitted state.
"""

from collections import namedtuple

import numpy as np
import scipy.sparse as sp
from tqdm.auto import tqdm

from ._base import (
    INIT_VECTORS_CONSTRAINT,
    Integral,
    Interval,
    PooledVectorizer,
    Real,
    StrOptions,
    check_finite_training,
    numba_threads,
    pretrained_rows,
    seed_from_random_state,
)
from ._kernels._glove import (
    count_cooccurrences,
    csr_rows,
    glove_epoch,
    shuffle_order,
    weights_and_logs,
)
from ._kernels._random import seed_states
from ._text import DEFAULT_TOKEN_PATTERN

__all__ = ["GloVeVectorizer"]

# Tokens counted per co-occurrence kernel call: about window * 16 bytes of scratch per token
# (640 MB at window=10), whatever the size of the corpus.
_CHUNK_TOKENS = 4_000_000


class GloVeVectorizer(PooledVectorizer):
    """Document vectors pooled from GloVe word vectors trained on the documents.

    ``fit`` tokenizes the documents, counts co-occurrences of every pair of vocabulary words
    within ``window`` tokens of each other (a pair ``d`` tokens apart adds ``1 / d``; contexts
    never cross document boundaries), then minimizes the weighted least-squares objective of
    Pennington et al. (2014) over the nonzero counts ``X_ij``::

        J = sum_ij f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij) ** 2
        f(x) = (x / x_max) ** alpha if x < x_max else 1

    with AdaGrad, visiting the nonzeros in a fresh random order each epoch. ``transform``
    pools the word vectors of each document (``pooling``), skipping unknown words.

    Read more in the :ref:`User Guide <glove>`.

    Parameters
    ----------
    n_components : int, default=100
        Dimension of the word vectors (doubled in the output for ``vectors='concat'``).
    window : int, default=10
        Context size on each side of a word, in tokens.
    symmetric : bool, default=True
        Count the context on both sides of a word; ``False`` counts the left context only,
        so ``X_ij`` counts word ``j`` before word ``i``.
    distance_weighting : bool, default=True
        Weight a pair ``d`` tokens apart by ``1 / d``; ``False`` counts every pair as 1.
    x_max : float, default=100.0
        Counts at or above ``x_max`` get the full weight 1 in the objective.
    alpha : float, default=0.75
        Exponent of the weighting function below ``x_max``.
    epochs : int, default=25
        Passes over the nonzero co-occurrence counts.
    learning_rate : float, default=0.05
        Initial AdaGrad step size of the vector components.
    max_grad : float, default=100.0
        Every gradient component of the vectors is clipped to ``[-max_grad, max_grad]``
        before the update, which keeps training stable at any learning rate.
    min_count : int, default=5
        Ignore words with fewer occurrences in the training documents.
    max_vocab_size : int, default=None
        Keep only this many of the most frequent words.
    vectors : {'sum', 'word', 'context', 'concat'}, default='sum'
        Which learned vectors become ``word_vectors_``: ``W + W~`` (as the reference
        implementation saves them), the word vectors ``W``, the context vectors ``W~``, or
        both side by side (``2 * n_components`` features).
    init_vectors : KeyedVectors, str or os.PathLike, default=None
        Pretrained vectors (or the path of a word2vec or GloVe file) to start from. The
        words that they contain start with both ``W`` and ``W~`` rows at half their
        pretrained vector, so that the default ``W + W~`` output starts exactly at it
        (with ``vectors='word'``, ``'context'`` or ``'concat'``, both start at the full
        vector); the other words start at random as usual. Their dimension must equal
        ``n_components``. See the user guide for the trade-off of fine-tuning.
    freeze : bool, default=False
        With ``init_vectors``, keep the pretrained rows of ``W`` and ``W~`` fixed: the biases
        and the words without a pretrained vector learn, so new words are placed in the
        pretrained space and the pretrained output vectors stay as they were.
    store_cooccurrence : bool, default=False
        Keep the co-occurrence matrix as ``cooccurrence_`` (memory: 12 bytes per nonzero).
    pooling : {'mean', 'tfidf', 'sif', 'max'}, default='mean'
        How the vectors of a document's known words become one vector: their mean, their
        idf-weighted mean, SIF weights with the common component removed (Arora et al.
        2017), or their element-wise maximum.
    sif_alpha : float, default=1e-3
        The ``a`` of SIF weights ``a / (a + p(w))``.
    norm : {'l2'} or None, default=None
        Scale each document vector to unit length.
    input : {'content', 'filename', 'file'}, default='content'
        Items of ``X`` are documents, paths to read, or file objects to read.
    encoding : str, default='utf-8'
        Encoding for documents given as ``bytes`` (or read from files).
    decode_error : {'strict', 'ignore', 'replace'}, default='strict'
        What to do with bytes that do not decode.
    lowercase : bool, default=True
        Lower-case string documents before tokenizing.
    preprocessor : callable, default=None
        Override the preprocessing (string transformation) stage.
    tokenizer : callable, default=None
        Override the tokenizing stage; ``token_pattern`` is then ignored.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression that defines a token.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial vectors and of the order of the nonzeros in each epoch.
    n_jobs : int, default=None
        Threads for counting and training (and processes for tokenizing large inputs).
        ``None`` means 1, ``-1`` all cores.
    verbose : int, default=0
        Show a progress bar over the epochs with the current cost.

    Attributes
    ----------
    word_vectors_ : KeyedVectors
        The word vectors chosen by ``vectors``, most frequent word first.
    vocabulary_ : dict
        Maps each word to its row in ``word_vectors_``.
    loss_curve_ : ndarray of shape (epochs,)
        Cost after each epoch, as the reference implementation reports it: the mean over the
        nonzeros of ``0.5 * f(X_ij) * residual ** 2``, each taken before its update.
    n_cooccurrences_ : int
        Number of nonzero co-occurrence counts the model was fitted to.
    cooccurrence_ : scipy.sparse.csr_matrix of shape (n_words, n_words)
        The weighted co-occurrence counts, only with ``store_cooccurrence=True``.
    n_pretrained_ : int
        How many words of the vocabulary started from ``init_vectors`` (0 without them).

    See Also
    --------
    Word2VecVectorizer : Word vectors from a predictive skip-gram or CBOW model.
    LSAVectorizer : Vectors from a truncated SVD of the tf-idf matrix.
    KeyedVectors : Nearest words, analogies and similarity of the learned vectors.

    Notes
    -----
    The updates follow the reference C implementation: squared-gradient accumulators start
    at 1, the vector gradients are clipped component-wise and scaled by ``learning_rate``
    before they are accumulated, the biases take the unscaled AdaGrad step, and the vectors
    and biases start uniform in ``[-0.5, 0.5) / n_components``.

    Determinism: with an integer ``random_state`` and ``n_jobs=1`` fitting is bitwise
    reproducible. With ``n_jobs > 1`` threads update shared vectors without locks
    (Hogwild), so results differ from run to run but are statistically equivalent.

    Memory: counting holds at most about ``window * 16`` bytes per token of one 4M-token
    chunk plus the merged counts; training holds 24 bytes per nonzero co-occurrence and
    ``32 * n_words * (n_components + 1)`` bytes of parameters.

    References
    ----------
    .. [1] Pennington, J., Socher, R. & Manning, C. D. (2014). GloVe: Global Vectors for Word
       Representation. Proceedings of EMNLP 2014, 1532-1543.

    Examples
    --------
    >>> from skembed.glove import GloVeVectorizer
    >>> documents = ["the cat sat on the mat", "the dog sat on the log",
    ...              "cats and dogs are pets", "the stock market fell today"]
    >>> glove = GloVeVectorizer(n_components=8, min_count=1, epochs=5, random_state=0)
    >>> glove.fit_transform(documents).shape
    (4, 8)
    >>> len(glove.loss_curve_)
    5
    >>> glove.word_vectors_.most_similar("cat", topn=1)[0][0] in glove.vocabulary_
    True
    """

    _parameter_constraints: dict = {
        **PooledVectorizer._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "symmetric": ["boolean"],
        "distance_weighting": ["boolean"],
        "x_max": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_grad": [Interval(Real, 0, None, closed="neither")],
        "vectors": [StrOptions({"sum", "word", "context", "concat"})],
        "init_vectors": INIT_VECTORS_CONSTRAINT,
        "freeze": ["boolean"],
        "store_cooccurrence": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=100,
        *,
        window=10,
        symmetric=True,
        distance_weighting=True,
        x_max=100.0,
        alpha=0.75,
        epochs=25,
        learning_rate=0.05,
        max_grad=100.0,
        min_count=5,
        max_vocab_size=None,
        vectors="sum",
        init_vectors=None,
        freeze=False,
        store_cooccurrence=False,
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
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.window = window
        self.symmetric = symmetric
        self.distance_weighting = distance_weighting
        self.x_max = x_max
        self.alpha = alpha
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.max_grad = max_grad
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.vectors = vectors
        self.init_vectors = init_vectors
        self.freeze = freeze
        self.store_cooccurrence = store_cooccurrence
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
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _fit_word_vectors(self, corpus):
        n_words = len(corpus.index_to_key)
        if n_words * (self.window + 1) >= 2**32:
            raise ValueError(
                f"window={self.window} with {n_words} words is too large for the "
                "co-occurrence counter (n_words * (window + 1) must stay below 2**32). "
                "Use a smaller window or a higher min_count."
            )
        if hasattr(self, "cooccurrence_"):
            del self.cooccurrence_  # from an earlier fit with store_cooccurrence=True
        pretrained = None
        if self.init_vectors is not None:
            pretrained = pretrained_rows(
                self.init_vectors, corpus.index_to_key, self.n_components
            )
        self.n_pretrained_ = 0 if pretrained is None else int(pretrained[0].sum())
        with numba_threads(self.n_jobs) as n_threads:
            counts = count_cooccurrences(
                corpus.ids,
                corpus.offsets,
                n_words,
                window=self.window,
                symmetric=self.symmetric,
                distance_weighting=self.distance_weighting,
                chunk_tokens=_CHUNK_TOKENS,
                n_threads=n_threads,
            )
            if self.store_cooccurrence:
                indptr, indices, data = counts
                self.cooccurrence_ = sp.csr_matrix(
                    (data, indices, indptr), shape=(n_words, n_words)
                )
            nonzeros = _nonzero_terms(counts, self.x_max, self.alpha)
            del counts  # frees the float64 counts while training
            self.n_cooccurrences_ = int(nonzeros.cols.shape[0])
            parameters, self.loss_curve_ = _train_glove(
                nonzeros,
                n_words,
                n_components=self.n_components,
                epochs=self.epochs,
                learning_rate=float(self.learning_rate),
                max_grad=float(self.max_grad),
                seed=seed_from_random_state(self.random_state),
                n_threads=n_threads,
                pretrained=pretrained,
                pretrained_share=0.5 if self.vectors == "sum" else 1.0,
                freeze=self.freeze,
                verbose=self.verbose,
            )
        return _output_vectors(parameters, self.vectors)


#: The terms of the GloVe objective, one per nonzero co-occurrence count: ``rows`` and
#: ``cols`` int32 (the word and the context word), ``weights`` float32 ``f(X_ij)`` and
#: ``log_values`` float32 ``log X_ij``.
NonzeroTerms = namedtuple("NonzeroTerms", ["rows", "cols", "weights", "log_values"])


def _nonzero_terms(counts, x_max, alpha):
    """The objective's terms from co-occurrence counts in CSR form.

    Parameters
    ----------
    counts : tuple (indptr, indices, data)
        From :func:`skembed._kernels._glove.count_cooccurrences`.
    x_max, alpha : float
        As in :class:`GloVeVectorizer`.

    Returns
    -------
    NonzeroTerms
        ``cols`` is ``indices`` itself; nothing else refers to ``indptr`` or ``data``, so the
        caller can free them.
    """
    indptr, indices, data = counts
    weights, log_values = weights_and_logs(data, float(x_max), float(alpha))
    return NonzeroTerms(csr_rows(indptr), indices, weights, log_values)


def _train_glove(nonzeros, n_words, *, n_components, epochs, learning_rate, max_grad, seed,
                 n_threads, pretrained=None, pretrained_share=1.0, freeze=False, verbose=0,
                 on_epoch=None):
    """Fit GloVe to the terms of its objective; return the parameters and the cost per epoch.

    Parameters
    ----------
    nonzeros : NonzeroTerms
        From :func:`_nonzero_terms`.
    n_words : int
        Vocabulary size.
    n_components, epochs, learning_rate, max_grad, freeze
        As in :class:`GloVeVectorizer`.
    seed : int
        Seed of the initial parameters and of the order of the nonzeros in each epoch.
    n_threads : int
        1 runs the serial epoch kernel (reproducible); more runs the parallel one (the caller
        sets numba's thread count).
    pretrained : tuple (found, vectors) or None
        From :func:`skembed._base.pretrained_rows`: the words that start from a pretrained
        vector, and those vectors.
    pretrained_share : float
        Both the word and the context row of a pretrained word start at this multiple of its
        vector (0.5 makes their sum, the default output, start at the vector).
    verbose : int
        Show a progress bar over the epochs.
    on_epoch : callable or None
        Called as ``on_epoch(epoch, parameters)`` after each epoch (epochs count from 1).

    Returns
    -------
    parameters : ndarray of shape (4, n_words, n_components + 1), dtype float32
        Word vectors and biases, context vectors and biases, and their AdaGrad accumulators,
        as :func:`skembed._kernels._glove.glove_epoch` reads them.
    loss_curve : ndarray of shape (epochs,), dtype float64
        Mean cost per nonzero in each epoch (0 without nonzeros).
    """
    parameters = _initial_parameters(n_words, n_components, seed)
    rates = np.ones((2, n_words), dtype=np.float32)
    if pretrained is not None:
        found, vectors = pretrained
        parameters[:2, found, :n_components] = pretrained_share * vectors
        if freeze:
            rates[:, found] = 0.0
    n_nonzero = nonzeros.cols.shape[0]
    order = np.arange(n_nonzero, dtype=np.int32 if n_nonzero < 2**31 else np.int64)
    state = seed_states(seed, 1)
    loss_curve = np.zeros(epochs)
    progress = tqdm(range(epochs), desc="GloVe epochs", disable=not verbose)
    for epoch in progress:
        shuffle_order(order, state)
        cost = glove_epoch(*nonzeros, order, parameters, rates=rates,
                           learning_rate=learning_rate, max_grad=max_grad, n_threads=n_threads)
        check_finite_training(
            "GloVeVectorizer", epoch, epochs, (parameters[:2],),
            f"Lower learning_rate (now {learning_rate}) or max_grad (now {max_grad}).",
        )
        loss_curve[epoch] = cost / n_nonzero if n_nonzero else 0.0
        progress.set_postfix(cost=f"{loss_curve[epoch]:.4f}")
        if on_epoch is not None:
            on_epoch(epoch + 1, parameters)
    return parameters, loss_curve


def _initial_parameters(n_words, n_components, seed):
    """Vectors and biases uniform in [-0.5, 0.5) / n_components, accumulators at 1."""
    rng = np.random.default_rng(seed)
    parameters = np.ones((4, n_words, n_components + 1), dtype=np.float32)
    parameters[:2] = rng.random((2, n_words, n_components + 1), dtype=np.float32)
    parameters[:2] -= 0.5
    parameters[:2] /= n_components
    return parameters


def _output_vectors(parameters, vectors):
    """The word vectors chosen by ``vectors`` ('sum', 'word', 'context' or 'concat')."""
    n_components = parameters.shape[2] - 1
    word = parameters[0, :, :n_components]
    context = parameters[1, :, :n_components]
    if vectors == "word":
        return np.ascontiguousarray(word)
    if vectors == "context":
        return np.ascontiguousarray(context)
    if vectors == "concat":
        return np.hstack([word, context])
    return word + context
