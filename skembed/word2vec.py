"""Word2vec (skip-gram and CBOW) word embeddings as a scikit-learn transformer.

:class:`Word2VecVectorizer` learns one vector per word from the documents given to ``fit``
with the numba kernels of :mod:`skembed._kernels._word2vec`, then pools the word vectors of
each document into one row. The epoch loop that drives the kernels (learning-rate schedule,
random streams, loss per epoch) is in :mod:`skembed._word2vec_training`, shared with
:class:`~skembed.FastTextVectorizer`.
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
    numba_threads,
    pretrained_rows,
    seed_from_random_state,
)
from ._text import DEFAULT_TOKEN_PATTERN
from ._word2vec_training import _train_word2vec

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
