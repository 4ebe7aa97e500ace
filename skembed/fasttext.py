"""FastText (word2vec with character n-grams) word embeddings as a scikit-learn transformer.

:class:`FastTextVectorizer` trains word2vec in which the input vector of a word is the mean
of its own vector and of the vectors of its character n-grams, hashed into ``n_buckets``
rows (Bojanowski et al. 2017). It runs the word2vec kernels of
:mod:`skembed._kernels._word2vec` with a CSR array that lists, for each word, its rows of
the input matrix; the query object and the ``.bin`` reader live in :mod:`skembed._subwords`.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from ._base import (
    Integral,
    Interval,
    PooledVectorizer,
    Real,
    StrOptions,
    numba_threads,
    seed_from_random_state,
)
from ._corpus import encode_documents
from ._kernels._fasttext import mean_of_rows
from ._subwords import FastTextKeyedVectors, load_facebook_model, subword_buckets, with_own_rows
from ._text import DEFAULT_TOKEN_PATTERN

# The epoch loop of word2vec drives the same kernels; fastText only adds the subword rows.
from ._word2vec_training import _train_word2vec

__all__ = ["FastTextKeyedVectors", "FastTextVectorizer", "load_facebook_model"]


class _VocabularyWithNewWords:
    """A ``key_to_index`` lookup that numbers unseen tokens after the vocabulary.

    :func:`skembed._corpus.encode_documents` looks tokens up with ``.get(token, -1)``; this
    object answers with the vocabulary's id, or with a new id for a token seen for the first
    time, and records the new tokens in order.
    """

    def __init__(self, key_to_index):
        self.key_to_index = key_to_index
        self.new_ids = {}
        self.new_words = []

    def get(self, token, default=None):
        index = self.key_to_index.get(token)
        if index is None:
            index = self.new_ids.get(token)
            if index is None:
                index = len(self.key_to_index) + len(self.new_words)
                self.new_ids[token] = index
                self.new_words.append(token)
        return index


class FastTextVectorizer(PooledVectorizer):
    """FastText word embeddings with subword vectors, pooled into document vectors.

    ``fit`` trains word2vec (skip-gram or CBOW, negative sampling or hierarchical softmax,
    with the subsampling, shrinking window and linear learning-rate decay of
    :class:`Word2VecVectorizer`) in which a word is represented by its own vector and the
    vectors of its character n-grams (Bojanowski et al. 2017): the word is wrapped as
    ``<word>``, its n-grams of ``min_n`` to ``max_n`` characters are hashed with fastText's
    FNV-1a hash into ``n_buckets`` shared rows, and the word's input vector is the mean of
    its own row and its n-gram rows, in training and in lookup. Words that share pieces
    (``walk``, ``walked``, ``walking``) share parameters, so rare words get better vectors
    and any string, even one never seen, gets a vector from its n-grams.

    ``transform`` pools the vectors of every token of a document: words of the vocabulary
    use their vector, other tokens (misspellings, rare inflections, new words) the mean of
    their n-gram vectors. ``word_vectors_`` answers word queries for any string.

    Read more in the :ref:`User Guide <fasttext>`.

    Parameters
    ----------
    n_components : int, default=100
        Dimension of the word vectors (and of the document vectors).
    architecture : {'skipgram', 'cbow'}, default='skipgram'
        Skip-gram predicts each context word from the centre word's subword vectors; CBOW
        predicts the centre word from the mean of the subword vectors of its context.
    objective : {'negative_sampling', 'hierarchical_softmax'}, default='negative_sampling'
        Output layer, as in :class:`Word2VecVectorizer`.
    negative : int, default=5
        Noise words per prediction for negative sampling.
    ns_exponent : float, default=0.75
        Exponent of the word counts in the noise distribution.
    window : int, default=5
        Largest distance between a word and its context words (drawn from 1 to ``window``
        at each position).
    min_count : int, default=5
        Words seen fewer times get no vector of their own (their n-grams still give them
        one in ``transform`` and in ``word_vectors_``).
    max_vocab_size : int, default=None
        Keep only the most frequent words. None keeps all.
    sample : float, default=1e-3
        Subsampling threshold of frequent words, as in :class:`Word2VecVectorizer`.
    epochs : int, default=5
        Passes over the training documents.
    learning_rate : float or 'auto', default='auto'
        Initial learning rate; ``'auto'`` is 0.025 for skip-gram and 0.05 for CBOW.
    min_learning_rate : float, default=1e-4
        Learning rate at the end of training.
    cbow_mean : bool, default=True
        With CBOW, average the context's rows (True) or sum them (False).
    min_n : int, default=3
        Shortest character n-gram (the boundary symbols ``<`` and ``>`` count as
        characters).
    max_n : int, default=6
        Longest character n-gram. ``max_n < min_n`` trains without n-grams (plain word2vec
        with fastText's update rule).
    n_buckets : int, default=500000
        Hash buckets for the n-grams. Memory grows linearly with it (see Notes); fewer
        buckets mean more n-grams share a row.
    pooling : {'mean', 'tfidf', 'sif', 'max'}, default='mean'
        How the vectors of a document's tokens become one vector, as in
        :class:`Word2VecVectorizer`; tokens unseen in ``fit`` weigh like the rarest words
        (largest idf, SIF weight 1).
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
        Regular expression that defines a token.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial vectors and every random draw of training.
    n_jobs : int, default=None
        Threads for training and pooling (and processes for tokenizing large inputs).
        None means 1; -1 means all cores.
    verbose : int, default=0
        Show a progress bar of the training when positive.

    Attributes
    ----------
    word_vectors_ : FastTextKeyedVectors
        The word vectors of the vocabulary (own vector and n-grams averaged) and the n-gram
        table; gives a vector for any string.
    vocabulary_ : dict
        Maps each word to its row in ``word_vectors_``.
    loss_curve_ : ndarray of shape (epochs,)
        Mean loss per prediction in each epoch, as in :class:`Word2VecVectorizer`.
    n_trained_tokens_ : ndarray of shape (epochs,), dtype int64
        Tokens trained on in each epoch (kept by the subsampling of frequent words).

    See Also
    --------
    Word2VecVectorizer : The same training without subwords.
    FastTextKeyedVectors : The query object of ``word_vectors_``.
    load_facebook_model : Read published fastText ``.bin`` models.

    Notes
    -----
    As in fastText, every row listed for a word receives the full gradient of its input
    vector (not divided by the number of rows). Skip-gram computes the centre word's input
    vector once per position and applies the gradients of all its context predictions
    together, so a word's rows are read and written once per position rather than once per
    context word as in fastText and gensim.

    Memory during ``fit``: the input matrix has ``n_words + n_buckets`` rows and the output
    layer ``n_words``, so the weights take ``4 * n_components * (2 * n_words + n_buckets)``
    bytes; the list of rows per word is a CSR array of ``4 * (n_words + n_ngrams)`` bytes
    (about 4 * 20 bytes a word with the default n-gram lengths); the token ids 4 bytes a
    token. The fitted estimator keeps ``4 * n_components * (n_words + n_buckets)`` bytes.
    With 100 dimensions, 500,000 buckets cost 200 MB, gensim's default 2,000,000 cost 800 MB.

    Determinism: with ``n_jobs=1`` and an integer ``random_state`` the vectors are bitwise
    identical from run to run; with ``n_jobs > 1`` the threads update shared weights without
    locks, so runs are statistically equivalent but not identical.

    ``fit_transform`` pools the training documents with every token, as ``transform``
    does, by reading them a second time; when ``X`` is a one-shot iterator it pools only
    the words of the vocabulary.

    References
    ----------
    .. [1] P. Bojanowski, E. Grave, A. Joulin and T. Mikolov, "Enriching Word Vectors with
       Subword Information", Transactions of the ACL 5, 2017.
    .. [2] A. Joulin, E. Grave, P. Bojanowski and T. Mikolov, "Bag of Tricks for Efficient
       Text Classification", EACL, 2017.

    Examples
    --------
    >>> from skembed import FastTextVectorizer
    >>> documents = ["the cat sat on the mat", "the dog sat on the log",
    ...              "a cat and a dog", "stocks fell on the market"] * 10
    >>> vectorizer = FastTextVectorizer(n_components=8, min_count=2, n_buckets=1000,
    ...                                 epochs=2, random_state=0)
    >>> vectorizer.fit_transform(documents).shape
    (40, 8)
    >>> "cats" in vectorizer.vocabulary_, vectorizer.word_vectors_["cats"].shape
    (False, (8,))
    >>> vectorizer.transform(["the catt sat"]).shape
    (1, 8)
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
        "min_n": [Interval(Integral, 1, None, closed="left")],
        "max_n": [Interval(Integral, 0, None, closed="left")],
        "n_buckets": [Interval(Integral, 1, None, closed="left")],
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
        min_n=3,
        max_n=6,
        n_buckets=500_000,
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
        self.min_n = min_n
        self.max_n = max_n
        self.n_buckets = n_buckets
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

    def fit_transform(self, X, y=None):
        """Learn the vectors and return the pooled training documents.

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
        if iter(X) is X:  # a one-shot iterator cannot be read twice
            return super().fit_transform(X, y)
        return self.fit(X, y).transform(X)

    def transform(self, X):
        """Map each document to the pooled vector of its tokens, seen in ``fit`` or not.

        Tokens outside the vocabulary get the mean of their n-gram vectors.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.

        Returns
        -------
        ndarray of shape (n_documents, n_features), dtype float32
        """
        check_is_fitted(self)
        lookup = _VocabularyWithNewWords(self.vocabulary_)
        ids, offsets = encode_documents(
            X,
            self.build_analyzer(),
            lookup,
            input=self.input,
            encoding=self.encoding,
            decode_error=self.decode_error,
            n_jobs=self.n_jobs,
        )
        if not lookup.new_words:
            return self._pool(ids, offsets)
        return self._pool(ids, offsets, self.word_vectors_.vectors_for(lookup.new_words))

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
        corpus = super()._fit(X)
        self.word_vectors_ = FastTextKeyedVectors(
            self.word_vectors_.vectors,
            self.word_vectors_.index_to_key,
            self._ngram_vectors,
            min_n=self.min_n,
            max_n=self.max_n,
        )
        del self._ngram_vectors
        return corpus

    def _fit_word_vectors(self, corpus):
        learning_rate = self._initial_learning_rate()
        rng = np.random.default_rng(seed_from_random_state(self.random_state))
        n_words = len(corpus.index_to_key)
        offsets, buckets = subword_buckets(corpus.index_to_key, self.min_n, self.max_n,
                                           self.n_buckets)
        row_offsets, rows = with_own_rows(offsets, buckets, n_words)
        del offsets, buckets
        with (
            numba_threads(self.n_jobs) as n_threads,
            tqdm(total=self.epochs * len(corpus.ids), unit="word", unit_scale=True,
                 desc="FastTextVectorizer", disable=not self.verbose) as bar,
        ):
            input_vectors, self.loss_curve_, self.n_trained_tokens_ = _train_word2vec(
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
                rng=rng,
                n_threads=n_threads,
                progress=bar.update,
                subwords=(row_offsets, rows, n_words + self.n_buckets),
                estimator="FastTextVectorizer",
            )
        self._ngram_vectors = input_vectors[n_words:]
        return mean_of_rows(row_offsets, rows, input_vectors)
