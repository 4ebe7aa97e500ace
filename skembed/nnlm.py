"""The neural probabilistic language model of Bengio et al. (2003) as a scikit-learn transformer.

:class:`NNLMVectorizer` trains a feed-forward language model on the documents given to
``fit``: each token is predicted from the ``context_size`` tokens before it, through a shared
embedding matrix, one tanh hidden layer and a hierarchical softmax. The rows of the embedding
matrix are the word vectors, pooled per document by ``transform`` like the other vectorizers;
``score`` and ``perplexity`` measure the language model itself. The numba kernels are in
:mod:`skembed._kernels._nnlm`; this module holds the estimator, the vocabulary with its
unknown-word symbol, and the epoch loop (learning-rate schedule, early stopping, progress).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from ._base import (
    Integral,
    Interval,
    PooledVectorizer,
    Real,
    RealNotInt,
    StrOptions,
    _fit_context,
    check_finite_training,
    effective_threads,
    numba_threads,
    seed_from_random_state,
)
from ._corpus import Corpus, build_corpus
from ._kernels._nnlm import (
    OUTPUT_CLASSES,
    OUTPUT_HUFFMAN,
    class_tables,
    huffman_tables,
    score_units_parallel,
    score_units_serial,
    train_units_parallel,
    train_units_serial,
)
from ._kernels._word2vec import split_work_units
from ._text import DEFAULT_TOKEN_PATTERN
from .keyed_vectors import KeyedVectors

__all__ = ["NNLMVectorizer"]

#: The symbol that every word outside the vocabulary maps to when the model predicts or reads it.
UNKNOWN_TOKEN = "<unk>"

# Tokens per work unit: the granularity of the shuffled visiting order, of learning-rate decay
# and of parallel scheduling.
_UNIT_SIZE = 1000
_TOKENS_PER_CALL = 100000


class NNLMVectorizer(PooledVectorizer):
    """Word vectors learned by a neural language model (Bengio et al. 2003), pooled per document.

    ``fit`` trains the feed-forward neural probabilistic language model on the documents:
    each token ``w_t`` is predicted from the ``n = context_size`` tokens before it. Their rows
    of the embedding matrix ``C`` are concatenated into ``x`` (``n * n_components`` values),
    and::

        a = tanh(d + H x)
        y = b + U a + W x            (W x only with direct_connections=True)
        P(w_t | w_{t-n}, ..., w_{t-1}) = softmax(y)[w_t]

    The rows of ``C`` are the word vectors: words that occur in similar contexts get similar
    rows because the network must map their contexts to similar predictions. ``transform``
    pools them per document like the other vectorizers; ``score`` and ``perplexity`` measure
    the language model on new text.

    A full softmax costs ``O(n_words)`` per predicted token. The output layer here is a
    hierarchical softmax that still gives exact, normalised probabilities: by default a
    two-level softmax over about ``sqrt(n_words)`` frequency classes,
    ``P(w | h) = P(class(w) | h) P(w | class(w), h)`` (Goodman 2001; Mikolov et al. 2011), at
    ``O(sqrt(n_words))`` per token, or binary decisions along the word's Huffman path
    (Morin and Bengio 2005; Mikolov et al. 2013) at ``O(log n_words)``.

    Vocabulary: the words seen at least ``min_count`` times in the training documents (at
    most ``max_vocab_size`` of them); every other word, in training and in later documents,
    maps to one shared unknown-word symbol ``'<unk>'``, which the model predicts like any
    word (the paper merged the words seen 3 times or fewer, which is ``min_count=4``).
    Contexts that reach back past the start of a document are padded with a boundary symbol;
    the end of a document is not predicted. Documents are therefore independent: pass
    running text as long documents (a chapter or a file) rather than one sentence each if
    contexts should cross sentence boundaries.

    Read more in the :ref:`User Guide <nnlm>`.

    Parameters
    ----------
    n_components : int, default=60
        Dimension ``m`` of the word vectors (the rows of ``C``).
    context_size : int, default=4
        Number of previous tokens the model sees (``n - 1`` of an n-gram model).
    n_hidden : int, default=50
        Units ``h`` of the tanh hidden layer.
    direct_connections : bool, default=True
        Also connect the context vectors directly to the output (the paper's ``W x``);
        this makes the output layer ``n_hidden + context_size * n_components`` wide instead
        of ``n_hidden``.
    output_layer : {'classes', 'huffman'}, default='classes'
        Hierarchical softmax over frequency classes or over the Huffman tree.
    n_classes : int or 'auto', default='auto'
        Number of word classes for ``output_layer='classes'``; ``'auto'`` is the square
        root of the number of predicted symbols.
    epochs : int, default=10
        Largest number of passes over the training documents.
    learning_rate : float, default=0.01
        Initial SGD step size. On the Brown corpus, 0.01 reached a lower test perplexity
        than 0.02 and 0.05 in the same 10 epochs (see the user guide).
    min_learning_rate : float, default=1e-4
        The learning rate decays linearly from ``learning_rate`` to this value over
        ``epochs`` passes.
    weight_decay : float, default=1e-4
        L2 penalty on the weights (not the biases), applied to the rows each update touches.
    early_stopping : bool, default=False
        Measure the mean log-probability of validation documents after each epoch, stop
        when it has not improved for ``n_iter_no_change`` epochs, and keep the weights of
        the best epoch. The validation documents are ``X_val`` if given to ``fit``, else the
        last ``validation_fraction`` of the training documents (held out of training and of
        the vocabulary).
    validation_fraction : float, default=0.1
        Fraction of the documents held out for early stopping when ``X_val`` is not given.
    n_iter_no_change : int, default=2
        Epochs without improvement before early stopping.
    min_count : int, default=4
        Words seen fewer times share the unknown-word symbol.
    max_vocab_size : int, default=None
        Keep only the most frequent words. None keeps all.
    pooling : {'mean', 'tfidf', 'sif', 'max'}, default='mean'
        How the vectors of a document's known words become one vector (see
        :class:`Word2VecVectorizer`).
    sif_alpha : float, default=1e-3
        The ``a`` of SIF weights.
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
        used as they are, which is how to keep punctuation for a language model).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split order and the order in which
        pieces of the corpus are visited. Pass an int for reproducible results (with
        ``n_jobs=1``).
    n_jobs : int, default=None
        Threads for training, scoring and pooling (and processes for tokenizing large
        inputs). None means 1; -1 means all cores.
    verbose : int, default=0
        Show a progress bar (and the validation score with early stopping) when positive.

    Attributes
    ----------
    word_vectors_ : KeyedVectors
        The rows of ``C`` for the vocabulary words, most frequent first (without the
        unknown-word and boundary symbols).
    vocabulary_ : dict
        Maps each word to its row in ``word_vectors_``; the unknown-word symbol is the next
        id, ``len(vocabulary_)``.
    loss_curve_ : ndarray of shape (n_epochs_run,)
        Mean negative log-probability (natural log) of the training tokens in each epoch,
        each measured just before its SGD step; ``n_epochs_run`` is ``n_iter_``.
    validation_scores_ : ndarray of shape (n_epochs_run,) or None
        Mean log-probability of the validation tokens after each epoch (early stopping only).
    best_validation_score_ : float or None
        The best of them, whose weights were kept.
    n_iter_ : int
        Epochs run.
    n_classes_ : int
        Word classes of the output layer (0 for the Huffman tree).

    See Also
    --------
    Word2VecVectorizer : The simplification of this model that trains far faster.

    Notes
    -----
    Cost per predicted token, with ``m = n_components``, ``n = context_size``,
    ``h = n_hidden``, ``V`` predicted symbols and output width ``r`` (``h + n m`` with
    direct connections, else ``h``): about ``3 h n m`` for the hidden layer and ``3 r``
    times the number of output rows touched (``about 2 sqrt(V)`` classes and class
    members, or ``log2 V`` tree nodes) for the output layer, forward plus backward. With
    the defaults on 60,000 words of the Brown corpus (10,000 distinct words) the class softmax
    trained about half as fast per token as the Huffman tree.

    Training is SGD in work units of about 1,000 tokens, visited in a fresh random order
    each epoch; a unit that starts inside a document still sees the real context before it.
    Determinism: with ``n_jobs=1`` and an integer ``random_state`` the weights are bitwise
    identical from run to run. With ``n_jobs > 1`` the threads update shared weights without
    locks (Hogwild), so runs are statistically equivalent but not identical.

    References
    ----------
    .. [1] Y. Bengio, R. Ducharme, P. Vincent and C. Jauvin, "A Neural Probabilistic
       Language Model", Journal of Machine Learning Research 3, 2003.
    .. [2] F. Morin and Y. Bengio, "Hierarchical Probabilistic Neural Network Language
       Model", AISTATS, 2005.
    .. [3] J. Goodman, "Classes for Fast Maximum Entropy Training", ICASSP, 2001.
    .. [4] T. Mikolov, S. Kombrink, L. Burget, J. Cernocky and S. Khudanpur, "Extensions of
       Recurrent Neural Network Language Model", ICASSP, 2011.
    .. [5] T. Mikolov, K. Chen, G. Corrado and J. Dean, "Efficient Estimation of Word
       Representations in Vector Space", ICLR Workshop, 2013.

    Examples
    --------
    >>> from skembed import NNLMVectorizer
    >>> documents = ["the cat sat on the mat", "the dog sat on the log",
    ...              "a cat and a dog", "stocks fell on the market"] * 10
    >>> model = NNLMVectorizer(n_components=8, n_hidden=8, context_size=2, min_count=2,
    ...                        epochs=3, token_pattern=r"\\w+", random_state=0)
    >>> model.fit_transform(documents).shape
    (40, 8)
    >>> len(model.vocabulary_), model.loss_curve_.shape
    (12, (3,))
    >>> bool(model.perplexity(["the cat sat on the log"]) < len(model.vocabulary_) + 1)
    True
    """

    _parameter_constraints: dict = {
        **PooledVectorizer._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "context_size": [Interval(Integral, 1, None, closed="left")],
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "direct_connections": ["boolean"],
        "output_layer": [StrOptions({"classes", "huffman"})],
        "n_classes": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "min_learning_rate": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(RealNotInt, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=60,
        *,
        context_size=4,
        n_hidden=50,
        direct_connections=True,
        output_layer="classes",
        n_classes="auto",
        epochs=10,
        learning_rate=0.01,
        min_learning_rate=1e-4,
        weight_decay=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=2,
        min_count=4,
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
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.context_size = context_size
        self.n_hidden = n_hidden
        self.direct_connections = direct_connections
        self.output_layer = output_layer
        self.n_classes = n_classes
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.min_count = min_count
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
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, X_val=None):
        """Train the language model on the documents.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Training documents: raw text, or lists of tokens used as they are.
        y : None
            Ignored.
        X_val : iterable of str or of sequences of str, default=None
            Validation documents for early stopping (used only with
            ``early_stopping=True``); without them a fraction of ``X`` is held out.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit(X, X_val)
        return self

    def score(self, X, y=None):
        """Mean log-probability per predicted token of the documents (natural log).

        Every token of every document is predicted from the tokens before it in its
        document (the first ones from boundary padding); words outside the vocabulary count
        as the unknown-word symbol. Higher is better.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.
        y : None
            Ignored.

        Returns
        -------
        float
            ``sum log P(w_t | context) / n_tokens``; ``nan`` if the documents have no token.
        """
        check_is_fitted(self)
        ids, offsets = self._symbol_ids(X)
        return self._mean_log_prob(ids, offsets)

    def perplexity(self, X):
        """Perplexity of the documents: ``exp(-score(X))``. Lower is better.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.

        Returns
        -------
        float
        """
        return float(np.exp(-self.score(X)))

    # -- corpus ---------------------------------------------------------------------------

    def _read(self, X):
        """All tokens of ``X`` over their own vocabulary, nothing pruned."""
        return build_corpus(
            X,
            self.build_analyzer(),
            min_count=1,
            input=self.input,
            encoding=self.encoding,
            decode_error=self.decode_error,
            n_jobs=self.n_jobs,
        )

    def _to_symbols(self, corpus):
        """Ids of a raw corpus over the fitted vocabulary, unknown words as the unknown id."""
        n_words = len(self.vocabulary_)
        lookup = self.vocabulary_.get
        to_symbol = np.fromiter(
            (lookup(key, n_words) for key in corpus.index_to_key),
            dtype=np.int32,
            count=len(corpus.index_to_key),
        )
        return to_symbol[corpus.ids], corpus.offsets

    def _symbol_ids(self, X):
        return self._to_symbols(self._read(X))

    def _fit(self, X, X_val=None):
        if self.min_learning_rate > self.learning_rate:
            raise ValueError(
                f"min_learning_rate={self.min_learning_rate} is larger than learning_rate="
                f"{self.learning_rate}; the rate decays from learning_rate down to "
                "min_learning_rate. Lower min_learning_rate or raise learning_rate."
            )
        raw = self._read(X)
        n_documents = raw.n_documents
        train_end = n_documents
        if self.early_stopping and X_val is None:
            n_held_out = int(round(self.validation_fraction * n_documents))
            if n_held_out < 1 or n_held_out >= n_documents:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} of {n_documents} "
                    "documents leaves no validation or no training documents. Pass X_val "
                    "to fit, use more documents, or set early_stopping=False."
                )
            train_end = n_documents - n_held_out
        split = raw.offsets[train_end]
        counts = np.bincount(raw.ids[:split], minlength=len(raw.index_to_key))
        keys = np.array(raw.index_to_key, dtype=object)
        # Count descending, then the word itself, as in every other vocabulary of skembed.
        order = np.lexsort((keys, -counts)) if len(keys) else np.zeros(0, dtype=np.intp)
        order = order[counts[order] >= self.min_count]
        if self.max_vocab_size is not None:
            order = order[: self.max_vocab_size]
        if len(order) == 0:
            raise ValueError(
                f"No token occurs at least min_count={self.min_count} times in the "
                f"{train_end} training documents ({split} tokens), so there is nothing to "
                "learn. Try a lower min_count, more documents, or a token_pattern/tokenizer "
                "that finds tokens in them."
            )
        index_to_key = keys[order].tolist()
        self.vocabulary_ = dict(zip(index_to_key, range(len(index_to_key))))
        symbols, offsets = self._to_symbols(raw)
        train_ids, train_offsets = symbols[:split], offsets[: train_end + 1]
        n_words = len(index_to_key)
        symbol_counts = np.bincount(train_ids, minlength=n_words + 1).astype(np.int64)

        validation = None
        if self.early_stopping:
            if X_val is None:
                validation = (symbols[split:], offsets[train_end:] - split)
            else:
                validation = self._symbol_ids(X_val)

        embeddings = self._train(train_ids, train_offsets, symbol_counts, validation)
        self.word_vectors_ = KeyedVectors(embeddings[:n_words].copy(), index_to_key)
        # Pooling sees only the vocabulary words, like the other vectorizers, and every
        # document of X (fit_transform returns a row for each, held-out ones included).
        known = symbols < n_words
        kept_before = np.zeros(len(symbols) + 1, dtype=np.int64)
        np.cumsum(known, out=kept_before[1:])
        pooled = Corpus(
            index_to_key=index_to_key,
            counts=symbol_counts[:n_words],
            ids=symbols[known],
            offsets=kept_before[offsets],
            n_raw_tokens=len(symbols),
        )
        self._fit_pooling(pooled)
        return pooled

    # -- training ---------------------------------------------------------------------------

    def _output_tables(self, symbol_counts):
        if self.output_layer == "huffman":
            tables, n_rows = huffman_tables(symbol_counts)
            return tables, n_rows, 0
        n_classes = self.n_classes
        if n_classes == "auto":
            n_classes = int(round(np.sqrt(len(symbol_counts))))
        tables, n_rows = class_tables(symbol_counts, n_classes)
        return tables, n_rows, len(tables[5]) - 1

    def _initial_weights(self, n_symbols, n_output_rows, rng):
        m, h, n = self.n_components, self.n_hidden, self.context_size
        n_inputs = n * m
        width = h + n_inputs if self.direct_connections else h
        # One extra row of C for the boundary symbol. Small uniform inputs, hidden weights
        # scaled by fan-in, and a zero output layer (its first steps need no signal from C).
        embeddings = ((rng.random((n_symbols + 1, m), dtype=np.float32) - 0.5) * 0.2)
        bound = 1.0 / np.sqrt(n_inputs)
        hidden_weights = ((rng.random((h, n_inputs), dtype=np.float32) * 2 - 1) * bound)
        hidden_bias = np.zeros(h, dtype=np.float32)
        output_weights = np.zeros((n_output_rows, width), dtype=np.float32)
        output_bias = np.zeros(n_output_rows, dtype=np.float32)
        return (embeddings.astype(np.float32), hidden_weights.astype(np.float32), hidden_bias,
                output_weights, output_bias)

    def _config(self):
        return (
            np.int64(self.context_size),
            np.int64(OUTPUT_HUFFMAN if self.output_layer == "huffman" else OUTPUT_CLASSES),
            np.int64(bool(self.direct_connections)),
        )

    def _train(self, ids, offsets, symbol_counts, validation):
        rng = np.random.default_rng(seed_from_random_state(self.random_state))
        n_symbols = len(symbol_counts)
        tables, n_output_rows, self.n_classes_ = self._output_tables(symbol_counts)
        self._tables = tables
        weights = self._initial_weights(n_symbols, n_output_rows, rng)
        self._weights = weights
        config = self._config()
        corpus = (np.ascontiguousarray(ids, dtype=np.int32),
                  np.ascontiguousarray(offsets, dtype=np.int64))
        n_tokens = len(ids)
        unit_bounds = split_work_units(corpus[1], _UNIT_SIZE)
        n_units = len(unit_bounds) - 1
        unit_sizes = np.diff(unit_bounds)
        total_tokens = max(self.epochs * n_tokens, 1)
        lr0, lr1 = float(self.learning_rate), float(self.min_learning_rate)

        losses, scores = [], []
        best_score, best_weights, since_best = -np.inf, None, 0
        with (
            numba_threads(self.n_jobs) as n_threads,
            tqdm(total=self.epochs * n_tokens, unit="word", unit_scale=True,
                 desc="NNLMVectorizer", disable=not self.verbose) as bar,
        ):
            kernel = train_units_serial if n_threads == 1 else train_units_parallel
            units_per_call = max(n_threads, _TOKENS_PER_CALL // _UNIT_SIZE)
            for epoch in range(self.epochs):
                order = rng.permutation(n_units).astype(np.int64)
                done = epoch * n_tokens + np.cumsum(unit_sizes[order]) - unit_sizes[order]
                rates = (lr0 - (lr0 - lr1) * done / total_tokens).astype(np.float32)
                log_probs = np.zeros(n_units)
                for first in range(0, n_units, units_per_call):
                    last = min(first + units_per_call, n_units)
                    kernel(corpus, weights, tables, config, unit_bounds, order[first:last],
                           rates[first:last], float(self.weight_decay),
                           log_probs[first:last])
                    bar.update(int(unit_sizes[order[first:last]].sum()))
                losses.append(-log_probs.sum() / max(n_tokens, 1))
                check_finite_training(
                    "NNLMVectorizer", epoch, self.epochs, weights,
                    f"Use a lower learning_rate than learning_rate={self.learning_rate}.",
                )
                if validation is None:
                    continue
                score = self._mean_log_prob(*validation)
                scores.append(score)
                if self.verbose:
                    bar.set_postfix(validation_perplexity=f"{np.exp(-score):.1f}")
                if score > best_score:
                    best_score, since_best = score, 0
                    best_weights = tuple(w.copy() for w in weights)
                else:
                    since_best += 1
                    if since_best >= self.n_iter_no_change:
                        break
        if best_weights is not None:
            for target, source in zip(weights, best_weights):
                target[...] = source
        self.loss_curve_ = np.array(losses)
        self.n_iter_ = len(losses)
        self.validation_scores_ = None if validation is None else np.array(scores)
        self.best_validation_score_ = None if validation is None else float(best_score)
        return weights[0]

    def _mean_log_prob(self, ids, offsets):
        ids = np.ascontiguousarray(ids, dtype=np.int32)
        offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        if len(ids) == 0:
            return float("nan")
        unit_bounds = split_work_units(offsets, _UNIT_SIZE)
        log_probs = np.zeros(len(unit_bounds) - 1)
        parallel = effective_threads(self.n_jobs) > 1
        with numba_threads(self.n_jobs):
            kernel = score_units_parallel if parallel else score_units_serial
            kernel((ids, offsets), self._weights, self._tables, self._config(), unit_bounds,
                   log_probs)
        return float(log_probs.sum() / len(ids))
