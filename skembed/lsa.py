"""Latent semantic analysis: a tf-idf term-document matrix reduced by truncated SVD."""

import re

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ._base import (
    TEXT_PARAMETER_CONSTRAINTS,
    Integral,
    Interval,
    Real,
    RealNotInt,
    StrOptions,
    TextTransformerMixin,
    _fit_context,
)
from ._text import DEFAULT_TOKEN_PATTERN, build_analyzer, iter_documents
from .keyed_vectors import KeyedVectors

__all__ = ["LSAVectorizer"]


class LSAVectorizer(TextTransformerMixin, TransformerMixin, BaseEstimator):
    """Latent semantic analysis: tf-idf followed by truncated SVD.

    Builds the tf-idf weighted term-document matrix of the training documents with
    scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer` and factorizes it
    with :class:`~sklearn.decomposition.TruncatedSVD`, ``X ~ U_k Sigma_k V_k^T``. Documents are
    mapped into the k-dimensional latent space and every term gets a vector too
    (``word_vectors_``), so terms that occur in similar documents end up close together
    (Deerwester et al. 1990).

    ``LSAVectorizer(n_components=k, **params)`` gives the same document vectors as
    ``make_pipeline(TfidfVectorizer(**tfidf_params), TruncatedSVD(k, **svd_params))``, while
    also accepting documents that are already lists of tokens, exposing term vectors and the
    classic fold-in.

    Read more in the :ref:`User Guide <lsa>`.

    Parameters
    ----------
    n_components : int, default=100
        Dimension of the latent space; 100 to 300 is usual for topical similarity, less for
        small corpora. The output always has exactly this many columns: ``fit`` raises a
        ``ValueError`` unless ``n_components`` is lower than the number of terms kept and at
        most the number of training documents (lower than it with ``algorithm='arpack'``),
        since the tf-idf matrix has no more singular vectors than that.
    input : {'content', 'filename', 'file'}, default='content'
        Items of ``X`` are documents, paths to read, or file objects to read.
    encoding : str, default='utf-8'
        Encoding for documents given as ``bytes`` (or read from files).
    decode_error : {'strict', 'ignore', 'replace'}, default='strict'
        What to do with bytes that do not decode.
    strip_accents : {'ascii', 'unicode'} or callable, default=None
        Remove accents during preprocessing, as in ``TfidfVectorizer``.
    lowercase : bool, default=True
        Lower-case string documents before tokenizing.
    preprocessor : callable, default=None
        Override the preprocessing (string transformation) stage.
    tokenizer : callable, default=None
        Override the tokenizing stage; ``token_pattern`` is then ignored.
    analyzer : {'word', 'char', 'char_wb'}, default='word'
        Word or character n-grams, as in ``TfidfVectorizer``.
    stop_words : {'english'}, list, default=None
        Words to remove.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression that defines a token.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Range of n-gram lengths.
    max_df : float in [0.0, 1.0] or int, default=1.0
        Ignore terms in more than this proportion (float) or number (int) of documents.
    min_df : float in [0.0, 1.0] or int, default=1
        Ignore terms in fewer than this proportion (float) or number (int) of documents.
        Raising it removes rare terms, the noisiest rows of the matrix.
    max_features : int, default=None
        Keep only the most frequent terms.
    binary : bool, default=False
        Use presence instead of counts for the term frequency.
    norm : {'l1', 'l2'} or None, default='l2'
        Normalisation of each tf-idf row before the SVD.
    use_idf : bool, default=True
        Weight terms by inverse document frequency.
    smooth_idf : bool, default=True
        Add one to document frequencies, as if an extra document contained every term.
    sublinear_tf : bool, default=False
        Use 1 + log(tf) as the term frequency; often helps on long documents.
    algorithm : {'randomized', 'arpack'}, default='randomized'
        SVD solver, as in ``TruncatedSVD``.
    n_iter : int, default=5
        Power iterations of the randomized solver.
    n_oversamples : int, default=10
        Oversampling of the randomized solver.
    power_iteration_normalizer : {'auto', 'QR', 'LU', 'none'}, default='auto'
        Normaliser of the randomized power iterations.
    tol : float, default=0.0
        Tolerance of the ARPACK solver.
    fold_in : {'projection', 'classic'}, default='projection'
        How documents are mapped into the latent space. ``'projection'`` (scikit-learn's
        convention) returns ``d V_k``, which for the training documents equals
        ``U_k Sigma_k``. ``'classic'`` returns the fold-in of Deerwester et al.,
        ``d_hat = Sigma_k^-1 V_k^T d``, which for the training documents equals the rows of
        ``U_k``: every latent dimension gets the same scale.
    random_state : int, RandomState instance or None, default=None
        Seed of the randomized solver.

    Attributes
    ----------
    word_vectors_ : KeyedVectors
        One vector per term, the rows of ``V_k Sigma_k``.
    vocabulary_ : dict
        Maps each term to its column in the tf-idf matrix.
    idf_ : ndarray of shape (n_terms,)
        Inverse document frequencies (only when ``use_idf``).
    components_ : ndarray of shape (n_components, n_terms)
        The right singular vectors ``V_k^T``.
    singular_values_ : ndarray of shape (n_components,)
        ``Sigma_k``.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the tf-idf matrix's variance explained by each component.

    See Also
    --------
    sklearn.feature_extraction.text.TfidfVectorizer : The term-document matrix.
    sklearn.decomposition.TruncatedSVD : The factorization.
    Word2VecVectorizer : Predictive word embeddings pooled into document vectors.

    Notes
    -----
    LSA sees documents as bags of words: word order is lost, and every term gets exactly one
    vector, so the senses of a polysemous word are blended.

    References
    ----------
    .. [1] Deerwester, S., Dumais, S. T., Furnas, G. W., Landauer, T. K. & Harshman, R.
       (1990). Indexing by latent semantic analysis. Journal of the American Society for
       Information Science, 41(6), 391-407.

    Examples
    --------
    >>> from skembed import LSAVectorizer
    >>> documents = ["the cat sat on the mat", "a dog sat on a log",
    ...              "cats and dogs are pets", "the stock market fell today"]
    >>> lsa = LSAVectorizer(n_components=2, random_state=0)
    >>> lsa.fit_transform(documents).shape
    (4, 2)
    >>> lsa.get_feature_names_out()
    array(['lsavectorizer0', 'lsavectorizer1'], dtype=object)
    """

    _parameter_constraints: dict = {
        **TEXT_PARAMETER_CONSTRAINTS,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "strip_accents": [StrOptions({"ascii", "unicode"}), callable, None],
        "analyzer": [StrOptions({"word", "char", "char_wb"})],
        "stop_words": [StrOptions({"english"}), list, None],
        "ngram_range": [tuple],
        "max_df": [
            Interval(RealNotInt, 0, 1, closed="both"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "min_df": [
            Interval(RealNotInt, 0, 1, closed="both"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "binary": ["boolean"],
        "norm": [StrOptions({"l1", "l2"}), None],
        "use_idf": ["boolean"],
        "smooth_idf": ["boolean"],
        "sublinear_tf": ["boolean"],
        "algorithm": [StrOptions({"randomized", "arpack"})],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "n_oversamples": [Interval(Integral, 1, None, closed="left")],
        "power_iteration_normalizer": [StrOptions({"auto", "QR", "LU", "none"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fold_in": [StrOptions({"projection", "classic"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=100,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        analyzer="word",
        stop_words=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        max_df=1.0,
        min_df=1,
        max_features=None,
        binary=False,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=False,
        algorithm="randomized",
        n_iter=5,
        n_oversamples=10,
        power_iteration_normalizer="auto",
        tol=0.0,
        fold_in="projection",
        random_state=None,
    ):
        self.n_components = n_components
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.analyzer = analyzer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.binary = binary
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.tol = tol
        self.fold_in = fold_in
        self.random_state = random_state

    def build_analyzer(self):
        """Return the callable that turns one document into its list of terms.

        String documents are analysed exactly as ``TfidfVectorizer`` would with the same
        parameters; documents given as token lists are used as they are.

        Returns
        -------
        callable
        """
        try:
            re.compile(self.token_pattern or "")
        except re.error as error:
            raise ValueError(
                f"token_pattern {self.token_pattern!r} is not a valid regular expression: "
                f"{error}."
            ) from None
        string_analyzer = CountVectorizer(
            strip_accents=self.strip_accents,
            lowercase=self.lowercase,
            preprocessor=self.preprocessor,
            tokenizer=self.tokenizer,
            analyzer=self.analyzer,
            stop_words=self.stop_words,
            token_pattern=self.token_pattern,
            ngram_range=self.ngram_range,
        ).build_analyzer()
        return build_analyzer(string_analyzer=string_analyzer)

    def _documents(self, X):
        return list(iter_documents(X, self.input, self.encoding, self.decode_error))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the tf-idf weights, the vocabulary and the latent space.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self.fit_transform(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to the documents and return their latent vectors.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        ndarray of shape (n_documents, n_components)
        """
        documents = self._documents(X)
        if self.ngram_range[0] > self.ngram_range[1] or self.ngram_range[0] < 1:
            raise ValueError(
                f"Invalid value for ngram_range={self.ngram_range!r}: expected (min_n, max_n) "
                "with 1 <= min_n <= max_n."
            )
        self._tfidf = TfidfVectorizer(
            analyzer=self.build_analyzer(),
            token_pattern=None,
            lowercase=False,
            max_df=self.max_df,
            min_df=self.min_df,
            max_features=self.max_features,
            binary=self.binary,
            norm=self.norm,
            use_idf=self.use_idf,
            smooth_idf=self.smooth_idf,
            sublinear_tf=self.sublinear_tf,
        )
        term_document = self._tfidf.fit_transform(documents)
        n_documents, n_terms = term_document.shape
        if self.n_components >= n_terms:
            raise ValueError(
                f"n_components={self.n_components} must be lower than the number of terms "
                f"kept in the training documents ({n_terms}). Lower n_components, or relax "
                "min_df/max_df/max_features."
            )
        max_components = n_documents - (self.algorithm == "arpack")
        if self.n_components > max_components:
            raise ValueError(
                f"n_components={self.n_components} is more than the {n_documents} training "
                f"documents allow: their {n_documents} x {n_terms} tf-idf matrix has at most "
                f"{max_components} components with algorithm={self.algorithm!r}. Lower "
                "n_components or fit on more documents."
            )
        self._svd = TruncatedSVD(
            n_components=self.n_components,
            algorithm=self.algorithm,
            n_iter=self.n_iter,
            n_oversamples=self.n_oversamples,
            power_iteration_normalizer=self.power_iteration_normalizer,
            random_state=self.random_state,
            tol=self.tol,
        )
        latent = self._svd.fit_transform(term_document)
        self.vocabulary_ = self._tfidf.vocabulary_
        if self.use_idf:
            self.idf_ = self._tfidf.idf_
        self.components_ = self._svd.components_
        self.singular_values_ = self._svd.singular_values_
        self.explained_variance_ratio_ = self._svd.explained_variance_ratio_
        self.word_vectors_ = KeyedVectors(
            (self.components_.T * self.singular_values_).astype(np.float32),
            self._tfidf.get_feature_names_out().tolist(),
        )
        return self._scale(latent)

    def transform(self, X):
        """Fold documents into the latent space.

        Terms not seen in ``fit`` are ignored; a document without a known term maps to
        zeros.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.

        Returns
        -------
        ndarray of shape (n_documents, n_components)
        """
        check_is_fitted(self)
        term_document = self._tfidf.transform(self._documents(X))
        return self._scale(self._svd.transform(term_document))

    def inverse_transform(self, X):
        """Map latent vectors back to (approximate) tf-idf rows.

        Parameters
        ----------
        X : array-like of shape (n_documents, n_components)
            Latent vectors, as returned by :meth:`transform`.

        Returns
        -------
        ndarray of shape (n_documents, n_terms)
            Columns follow ``vocabulary_``.
        """
        check_is_fitted(self)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_components:
            raise ValueError(
                f"Expected latent vectors of shape (n_documents, {self.n_components}); got "
                f"shape {X.shape}."
            )
        if self.fold_in == "classic":
            X = X * self.singular_values_
        return self._svd.inverse_transform(X)

    def _scale(self, latent):
        if self.fold_in == "classic":
            return latent / self.singular_values_
        return latent

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

