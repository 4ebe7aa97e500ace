"""Word2vec (skip-gram and CBOW) word embeddings as a scikit-learn transformer.

:class:`Word2VecVectorizer` learns one vector per word from the documents given to ``fit``
with the numba kernels of :mod:`skembed._kernels._word2vec`, then pools the word vectors of
each document into one row. This module holds the estimator and the epoch loop that drives
the kernels (learning-rate schedule, random streams, progress bar, loss per epoch).
"""

import numpy as np
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
from ._corpus import release_pages
from ._kernels._random import seed_states
from ._kernels._word2vec import (
    CBOW,
    HIERARCHICAL_SOFTMAX,
    NEGATIVE_SAMPLING,
    SKIPGRAM,
    Config,
    Documents,
    Tables,
    Weights,
    build_huffman_tree,
    build_noise_table,
    keep_probabilities,
    split_work_units,
    train_units_parallel,
    train_units_serial,
)
from ._text import DEFAULT_TOKEN_PATTERN

__all__ = ["Word2VecVectorizer"]


class Word2VecVectorizer(PooledVectorizer):
    """Word2vec word embeddings learned from the documents, pooled into document vectors.

    ``fit`` tokenizes the documents, keeps the words seen at least ``min_count`` times and
    trains word2vec on them (Mikolov et al. 2013a, 2013b): skip-gram predicts each word from
    every word of its context window, CBOW predicts it from the mean (or sum) of the context
    vectors; the output layer is negative sampling (one true word against ``negative`` noise
    words drawn from ``count ** ns_exponent``) or a hierarchical softmax over a Huffman tree of
    the vocabulary. As in the word2vec C tool, frequent words are randomly subsampled afresh
    every epoch, the window shrinks to a random size between 1 and ``window`` at every
    position, and the learning rate decays linearly from ``learning_rate`` to
    ``min_learning_rate`` over the whole training. ``transform`` then maps each document to
    the pooled vectors of its known words.

    Read more in the :ref:`User Guide <word2vec>`.

    Parameters
    ----------
    n_components : int, default=100
        Dimension of the word vectors (and of the document vectors).
    architecture : {'skipgram', 'cbow'}, default='skipgram'
        ``'skipgram'`` is slower and better for rare words; ``'cbow'`` is several times
        faster per epoch.
    objective : {'negative_sampling', 'hierarchical_softmax'}, default='negative_sampling'
        Output layer: negative sampling, or hierarchical softmax (``negative`` and
        ``ns_exponent`` are then unused).
    negative : int, default=5
        Noise words per prediction for negative sampling; 5 to 20 for small corpora, 2 to 5
        for large ones.
    ns_exponent : float, default=0.75
        Exponent of the word counts in the noise distribution (1 samples by frequency, 0
        uniformly, negative values favour rare words).
    window : int, default=5
        Largest distance between a word and its context words; the window used at each
        position is drawn uniformly from 1 to ``window``.
    min_count : int, default=5
        Ignore words seen fewer times in the training documents.
    max_vocab_size : int, default=None
        Keep only the most frequent words. None keeps all.
    sample : float, default=1e-3
        Subsampling threshold: each occurrence of a word with corpus frequency ``f`` is kept
        with probability ``(sqrt(f / sample) + 1) * sample / f`` (capped at 1). 0 keeps
        every word; 1e-5 to 1e-3 are useful values.
    epochs : int, default=5
        Passes over the training documents.
    learning_rate : float or 'auto', default='auto'
        Initial learning rate; ``'auto'`` is 0.025 for skip-gram and 0.05 for CBOW (the
        values of the word2vec C tool).
    min_learning_rate : float, default=1e-4
        Learning rate at the end of training.
    cbow_mean : bool, default=True
        With CBOW, average the context vectors (True) or sum them (False).
    shared_negatives : bool, default=False
        With skip-gram and negative sampling, draw one set of noise words per window and
        share it among the window's context words, updating the window as one small matrix
        product (pWord2Vec, Ji et al. 2016). It runs faster per token; its quality against
        the per-pair kernel is not yet benchmarked on a large corpus, so it is opt-in.
        False draws noise words for every (word, context) pair, as the C tool and gensim do.
    init_vectors : KeyedVectors, str or os.PathLike, default=None
        Pretrained vectors (or the path of a word2vec or GloVe file) to start from: the
        words of the vocabulary that they contain start at their pretrained vector, the
        others at random as usual. Their dimension must equal ``n_components``. This is
        fine-tuning: generic vectors trained on a large corpus adapt to the words and senses
        of your documents. See the user guide for the trade-off.
    freeze : bool, default=False
        With ``init_vectors``, keep the pretrained vectors fixed: only the output layer and
        the words without a pretrained vector learn, so new words are placed in the
        pretrained space. ``False`` lets every vector move.
    pooling : {'mean', 'tfidf', 'sif', 'max', 'min'} or tuple of them, default='mean'
        How the vectors of a document's known words become one vector: their mean, their
        idf-weighted mean (idf from the fit documents), SIF (smooth inverse frequency
        weights ``sif_alpha / (sif_alpha + p(w))`` with ``p(w)`` from the fit documents, then
        the projection on the first singular vector of the fit documents is removed; Arora
        et al. 2017), or their element-wise maximum or minimum. A tuple concatenates
        the results, e.g. ``('mean', 'max')`` (concatenated power means, Rücklé et al. 2018).
    sif_alpha : float, default=1e-3
        The ``a`` of SIF weights; smaller values down-weight frequent words more.
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
        Regular expression that defines a token (documents given as lists of tokens are
        used as they are).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial vectors and every random draw of training. Pass an int for
        reproducible results (with ``n_jobs=1``; see Notes).
    n_jobs : int, default=None
        Threads for training and pooling (and processes for tokenizing large inputs).
        None means 1; -1 means all cores.
    verbose : int, default=0
        Show a progress bar of the training when positive.

    Attributes
    ----------
    word_vectors_ : KeyedVectors
        The learned word vectors (the input vectors of the network), most frequent word
        first; use it for nearest words, similarities and analogies.
    vocabulary_ : dict
        Maps each word to its row in ``word_vectors_``.
    loss_curve_ : ndarray of shape (epochs,)
        Mean loss per prediction in each epoch: the negative log-likelihood of the true word
        and of the noise words (negative sampling) or of the decisions along the word's
        Huffman path (hierarchical softmax), accumulated in float64. It is measured before
        each update with the learning rate of that moment, so it may rise a little in the
        last epochs while the learning rate goes to zero.
    n_trained_tokens_ : ndarray of shape (epochs,), dtype int64
        Tokens trained on in each epoch: those kept by the frequent-word subsampling
        (``sample``), out of the corpus tokens of vocabulary words.
    n_pretrained_ : int
        How many words of the vocabulary started from ``init_vectors`` (0 without them).

    See Also
    --------
    EmbeddingVectorizer : Pool pretrained word vectors instead of training them.
    LSAVectorizer : Document and term vectors from a truncated SVD of tf-idf.
    KeyedVectors : Query the word vectors.

    Notes
    -----
    Training runs in numba kernels over the token ids of the whole corpus, in work units of
    about 10,000 tokens. Documents are subsampled first and then cut into pieces of at most
    10,000 kept tokens (windows do not cross a piece boundary); nothing is truncated.

    Memory: 4 bytes per token for the ids (in a memory-mapped temporary file beyond
    ``corpus_memory_limit``, see :func:`skembed.set_config`), 16 bytes per document, the
    vocabulary, and two ``(n_words, n_components)`` float32 matrices. Measured peak of
    ``fit`` above the process before it, on 16.6M tokens of English text (624,205 documents,
    75,472 kept words, ``n_components=100``): 197 MB, of which 60 MB are the two matrices;
    on 100M tokens read from a file, 5.2 bytes per token above the matrices (the benchmarks
    page gives the details). See :ref:`scaling`.

    Determinism: with ``n_jobs=1`` and an integer ``random_state`` the vectors are bitwise
    identical from run to run. With ``n_jobs > 1`` the threads update shared weights without
    locks (Hogwild, as the C tool and gensim), so runs are statistically equivalent but not
    identical.

    Fine-tuning starts from pretrained vectors (``init_vectors``, ``freeze``). Continued
    training of a fitted model on new documents (``warm_start``) is planned, not yet
    available.

    References
    ----------
    .. [1] T. Mikolov, K. Chen, G. Corrado and J. Dean, "Efficient Estimation of Word
       Representations in Vector Space", ICLR Workshop, 2013.
    .. [2] T. Mikolov, I. Sutskever, K. Chen, G. Corrado and J. Dean, "Distributed
       Representations of Words and Phrases and their Compositionality", NeurIPS, 2013.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> documents = ["the cat sat on the mat", "the dog sat on the log",
    ...              "a cat and a dog", "stocks fell on the market"] * 10
    >>> vectorizer = Word2VecVectorizer(n_components=8, min_count=2, epochs=2,
    ...                                 random_state=0)
    >>> vectorizer.fit_transform(documents).shape
    (40, 8)
    >>> len(vectorizer.vocabulary_), vectorizer.loss_curve_.shape
    (11, (2,))
    >>> vectorizer.word_vectors_["cat"].shape
    (8,)
    """

    _parameter_constraints: dict = {
        **PooledVectorizer._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"skipgram", "cbow"})],
        "objective": [StrOptions({"negative_sampling", "hierarchical_softmax"})],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "ns_exponent": [Interval(Real, None, None, closed="neither")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "sample": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "min_learning_rate": [Interval(Real, 0, None, closed="left")],
        "cbow_mean": ["boolean"],
        "shared_negatives": ["boolean"],
        "init_vectors": INIT_VECTORS_CONSTRAINT,
        "freeze": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=100,
        *,
        architecture="skipgram",
        objective="negative_sampling",
        negative=5,
        ns_exponent=0.75,
        window=5,
        min_count=5,
        max_vocab_size=None,
        sample=1e-3,
        epochs=5,
        learning_rate="auto",
        min_learning_rate=1e-4,
        cbow_mean=True,
        shared_negatives=False,
        init_vectors=None,
        freeze=False,
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
        self.architecture = architecture
        self.objective = objective
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.sample = sample
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
        self.cbow_mean = cbow_mean
        self.shared_negatives = shared_negatives
        self.init_vectors = init_vectors
        self.freeze = freeze
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

    def _initial_learning_rate(self):
        if self.learning_rate == "auto":
            return 0.025 if self.architecture == "skipgram" else 0.05
        return self.learning_rate

    def _fit(self, X):
        if self.min_learning_rate > self._initial_learning_rate():
            raise ValueError(
                f"min_learning_rate={self.min_learning_rate} is larger than the initial "
                f"learning rate {self._initial_learning_rate()} (learning_rate="
                f"{self.learning_rate!r}); the rate decays from learning_rate down to "
                "min_learning_rate. Lower min_learning_rate or raise learning_rate."
            )
        return super()._fit(X)

    def _fit_word_vectors(self, corpus):
        learning_rate = self._initial_learning_rate()
        rng = np.random.default_rng(seed_from_random_state(self.random_state))
        n_tokens = len(corpus.ids)
        pretrained = None
        if self.init_vectors is not None:
            pretrained = pretrained_rows(
                self.init_vectors, corpus.index_to_key, self.n_components
            )
        self.n_pretrained_ = 0 if pretrained is None else int(pretrained[0].sum())
        with (
            numba_threads(self.n_jobs) as n_threads,
            tqdm(total=self.epochs * n_tokens, unit="word", unit_scale=True,
                 desc="Word2VecVectorizer", disable=not self.verbose) as bar,
        ):
            vectors, self.loss_curve_, self.n_trained_tokens_ = _train_word2vec(
                corpus.ids,
                corpus.offsets,
                corpus.counts,
                n_components=self.n_components,
                architecture=self.architecture,
                objective=self.objective,
                negative=self.negative,
                ns_exponent=self.ns_exponent,
                window=self.window,
                sample=self.sample,
                epochs=self.epochs,
                learning_rate=float(learning_rate),
                min_learning_rate=float(self.min_learning_rate),
                cbow_mean=self.cbow_mean,
                shared_negatives=self.shared_negatives,
                pretrained=pretrained,
                freeze=self.freeze,
                rng=rng,
                n_threads=n_threads,
                progress=bar.update,
            )
        return vectors


# Tokens per work unit: the granularity of learning-rate decay, of random streams and of
# parallel scheduling. Each kernel call covers several units (about 0.1 to 0.5 s of work).
_UNIT_SIZE = 10000
_TOKENS_PER_CALL = 400000


def _train_word2vec(ids, offsets, counts, *, n_components, architecture, objective, negative,
                    ns_exponent, window, sample, epochs, learning_rate, min_learning_rate,
                    cbow_mean, rng, n_threads, pretrained=None, freeze=False, progress=None,
                    subwords=None, estimator="Word2VecVectorizer", shared_negatives=False):
    """Train word2vec on a tokenized corpus; return the input vectors and the loss per epoch.

    Parameters
    ----------
    ids : ndarray of shape (n_tokens,), dtype int32
        Token ids of all documents, in order.
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    counts : ndarray of shape (n_words,), dtype int64
        Vocabulary counts (for subsampling, the noise distribution and the Huffman tree).
    n_components, architecture, objective, negative, ns_exponent, window, sample, epochs, \
learning_rate, min_learning_rate, cbow_mean
        As in :class:`Word2VecVectorizer`; ``learning_rate`` is a float here.
    pretrained : tuple (found, vectors) or None
        From :func:`skembed._base.pretrained_rows`: the words that start from a pretrained
        vector, and those vectors.
    freeze : bool
        Keep the pretrained input vectors fixed.
    rng : numpy.random.Generator
        Source of the initial weights and of the kernels' random states.
    n_threads : int
        1 runs the serial kernel (reproducible); more runs the parallel one.
    progress : callable or None
        Called with the number of tokens done after each kernel call.
    subwords : tuple (row_offsets, rows, n_rows) or None
        The input vector of word ``w`` is the mean of the rows
        ``rows[row_offsets[w]:row_offsets[w + 1]]`` (int64 offsets, int32 rows) of an
        ``(n_rows, n_components)`` input matrix whose first ``n_words`` rows belong to the
        words themselves (fastText). None: one row per word (word2vec).
    estimator : str
        Name of the estimator, for the error raised if training diverges.
    shared_negatives : bool
        As in :class:`Word2VecVectorizer`.

    Returns
    -------
    input_vectors : ndarray of shape (n_rows, n_components), dtype float32
    loss_curve : ndarray of shape (epochs,), dtype float64
        Mean loss per prediction in each epoch (0 for an epoch without predictions).
    n_trained_tokens : ndarray of shape (epochs,), dtype int64
        Tokens kept by subsampling, and so trained on, in each epoch.
    """
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    n_words = counts.shape[0]
    n_tokens = ids.shape[0]
    if subwords is None:
        row_offsets = np.empty(0, dtype=np.int64)
        rows = np.empty(0, dtype=np.int32)
        n_rows = n_words
    else:
        row_offsets, rows, n_rows = subwords

    # Initialisation of the C tool: input vectors uniform in [-0.5, 0.5) / dim, outputs zero.
    input_vectors = rng.random((n_rows, n_components), dtype=np.float32)
    input_vectors -= np.float32(0.5)
    input_vectors /= np.float32(n_components)
    if subwords is not None:
        # fastText's initialisation: uniform in [-1, 1) / dim.
        input_vectors *= np.float32(2.0)
    input_rates = np.ones(n_rows, dtype=np.float32)
    if pretrained is not None:
        found, vectors = pretrained
        input_vectors[:n_words][found] = vectors
        if freeze:
            input_rates[:n_words][found] = 0.0
    hierarchical = objective == "hierarchical_softmax"
    n_outputs = max(n_words - 1, 0) if hierarchical else n_words
    output_vectors = np.zeros((n_outputs, n_components), dtype=np.float32)

    keep = keep_probabilities(counts, sample)
    if hierarchical:
        noise_table = np.empty(0, dtype=np.uint64)
        code_offsets, codes, points = build_huffman_tree(counts)
    else:
        noise_table = build_noise_table(counts, ns_exponent)
        code_offsets = np.zeros(n_words + 1, dtype=np.int64)
        codes = np.empty(0, dtype=np.uint8)
        points = np.empty(0, dtype=np.int32)
    tables = Tables(keep, noise_table, code_offsets, codes, points, row_offsets, rows)
    config = Config(
        architecture=np.int64(SKIPGRAM if architecture == "skipgram" else CBOW),
        objective=np.int64(HIERARCHICAL_SOFTMAX if hierarchical else NEGATIVE_SAMPLING),
        window=np.int64(window),
        negative=np.int64(negative),
        cbow_mean=np.int64(bool(cbow_mean)),
        shared_negatives=np.int64(bool(shared_negatives)),
    )
    documents = Documents(ids, offsets)
    weights = Weights(input_vectors, output_vectors, input_rates)

    unit_bounds = split_work_units(offsets, _UNIT_SIZE)
    n_units = unit_bounds.shape[0] - 1
    kernel = train_units_serial if n_threads == 1 else train_units_parallel
    units_per_call = max(n_threads, _TOKENS_PER_CALL // _UNIT_SIZE)
    total_tokens = max(epochs * n_tokens, 1)

    loss_curve = np.zeros(epochs)
    n_trained_tokens = np.zeros(epochs, dtype=np.int64)
    for epoch in range(epochs):
        # Linear decay over the whole training, by the position of each unit's first token.
        done = epoch * n_tokens + unit_bounds[:-1]
        learning_rates = (
            learning_rate - (learning_rate - min_learning_rate) * (done / total_tokens)
        ).astype(np.float32)
        states = seed_states(int(rng.integers(2**63)), n_units)
        losses = np.zeros(n_units)
        n_predictions = np.zeros(n_units, dtype=np.int64)
        n_kept = np.zeros(n_units, dtype=np.int64)
        for first in range(0, n_units, units_per_call):
            last = min(first + units_per_call, n_units)
            kernel(documents, weights, tables, config, unit_bounds[first:last + 1],
                   learning_rates[first:last], states[first:last], losses[first:last],
                   n_predictions[first:last], n_kept[first:last])
            release_pages(ids, unit_bounds[first], unit_bounds[last])
            if progress is not None:
                progress(int(unit_bounds[last] - unit_bounds[first]))
        check_finite_training(estimator, epoch, epochs,
                              (input_vectors, output_vectors),
                              _divergence_advice(learning_rate, architecture, cbow_mean, window))
        n_trained_tokens[epoch] = n_kept.sum()
        total_predictions = n_predictions.sum()
        if total_predictions > 0:
            loss_curve[epoch] = losses.sum() / total_predictions
    return input_vectors, loss_curve, n_trained_tokens


def _divergence_advice(learning_rate, architecture, cbow_mean, window):
    """What to change when training diverges, for the error message."""
    advice = f"Lower learning_rate (it starts at {learning_rate} here)"
    if architecture == "cbow" and not cbow_mean:
        advice += (
            f", or set cbow_mean=True or a smaller window: the sum of up to {2 * window} "
            "context vectors multiplies every step"
        )
    return advice + "."
