"""Word vectors and the questions asked of them.

:class:`KeyedVectors` holds a float32 matrix with one row per word and the list of words in
row order. It answers lookups and nearest-neighbour questions with plain numpy and BLAS and
holds no training code: every estimator in skembed exposes its learned vectors as one, and
pretrained vectors load into one from word2vec or GloVe files.
"""

import numbers
import os

import numpy as np

from ._files import damaged_file_errors, open_file, strip_compression_suffix
from ._vector_io import read_vectors, write_vectors

__all__ = ["KeyedVectors", "load_vectors"]


def _as_key_list(index_to_key):
    """Return ``index_to_key`` as a list of str, or raise a TypeError saying what was wrong."""
    if isinstance(index_to_key, (str, bytes)) or not hasattr(index_to_key, "__iter__"):
        raise TypeError(
            "index_to_key must be a list of str keys, one per row of vectors; got "
            f"{type(index_to_key).__name__} instead."
        )
    keys = list(index_to_key)
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise TypeError(
                f"index_to_key must hold str keys; the key at position {i} is "
                f"{key!r} of type {type(key).__name__}. Convert the keys with str() first."
            )
    return keys


def _as_vector_matrix(vectors):
    """Return ``vectors`` as a C-contiguous float32 2-D array, or raise a clear error."""
    try:
        array = np.asarray(vectors)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(
            f"vectors must be a 2-D array of floats (n_words, vector_size); could not "
            f"convert it to an array: {exc}"
        ) from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ):
        raise TypeError(
            "vectors must be a 2-D array of real numbers (n_words, vector_size); got an "
            f"array of dtype {array.dtype} instead."
        )
    if array.ndim != 2:
        raise ValueError(
            "vectors must be a 2-D array of shape (n_words, vector_size); got an array of "
            f"shape {array.shape} instead. Use vectors.reshape(1, -1) for a single word."
        )
    return np.ascontiguousarray(array, dtype=np.float32)


def _build_key_to_index(keys):
    key_to_index = {key: i for i, key in enumerate(keys)}
    if len(key_to_index) != len(keys):
        seen = set()
        for key in keys:
            if key in seen:
                raise ValueError(
                    f"index_to_key must hold unique keys; {key!r} occurs more than once. "
                    "Deduplicate the words (and their rows) before building KeyedVectors."
                )
            seen.add(key)
    return key_to_index


class KeyedVectors:
    """Word vectors: a float32 matrix with one row per word, and queries over it.

    A ``KeyedVectors`` maps each key (a word, or any token string) to a dense vector. It
    answers lookups (``kv["king"]``), nearest-neighbour queries by cosine similarity
    (:meth:`most_similar`), analogies (:meth:`analogy`, :meth:`most_similar_cosmul`) and
    similarity questions, and reads and writes the word2vec (text and binary) and GloVe
    text formats. It holds no training code: the estimators of skembed expose what they
    learned as a ``KeyedVectors`` in their ``word_vectors_`` attribute.

    Parameters
    ----------
    vectors : array-like of shape (n_words, vector_size)
        The vectors, one row per key. Stored as a C-contiguous float32 array.
    index_to_key : list of str of length n_words
        The keys, in row order. Keys must be unique.

    Attributes
    ----------
    vectors : ndarray of shape (n_words, vector_size), dtype float32
        The vectors. Assigning a new array (same number of rows) drops the cached
        unit-normalized copy.
    index_to_key : list of str
        The keys in row order.
    key_to_index : dict of str to int
        The row of each key.
    vector_size : int
        Number of dimensions of each vector.

    See Also
    --------
    skembed.evaluation.evaluate_analogies : Accuracy on word-analogy questions.
    skembed.evaluation.evaluate_similarity : Correlation with human similarity scores.

    Notes
    -----
    Similarity queries use the unit-normalized vectors, computed once on the first query
    and cached. The cache is not pickled, so a pickled ``KeyedVectors`` costs the vectors and
    the keys only. If you modify ``vectors`` in place rather than assigning a new array,
    call :meth:`fill_norms` with ``force=True`` afterwards.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]),
    ...                   ["cat", "dog", "car"])
    >>> len(kv), kv.vector_size
    (3, 2)
    >>> "dog" in kv, "bird" in kv
    (True, False)
    >>> kv["car"]
    array([0., 1.], dtype=float32)
    >>> kv.most_similar("cat", topn=1)
    [('dog', 0.99...)]
    """

    def __init__(self, vectors, index_to_key):
        keys = _as_key_list(index_to_key)
        matrix = _as_vector_matrix(vectors)
        if matrix.shape[0] != len(keys):
            raise ValueError(
                f"vectors has {matrix.shape[0]} rows but index_to_key has {len(keys)} "
                "keys; give exactly one key per row."
            )
        self._key_to_index = _build_key_to_index(keys)
        self._index_to_key = keys
        self._vectors = matrix
        self._norm_vectors = None

    # ------------------------------------------------------------------ container protocol

    @property
    def vectors(self):
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        matrix = _as_vector_matrix(value)
        if matrix.shape[0] != len(self._index_to_key):
            raise ValueError(
                f"The new vectors have {matrix.shape[0]} rows but this KeyedVectors has "
                f"{len(self._index_to_key)} keys; give exactly one row per key."
            )
        self._vectors = matrix
        self._norm_vectors = None

    @property
    def index_to_key(self):
        return self._index_to_key

    @property
    def key_to_index(self):
        return self._key_to_index

    @property
    def vector_size(self):
        return self._vectors.shape[1]

    def __len__(self):
        return len(self._index_to_key)

    def __contains__(self, key):
        return key in self._key_to_index

    def __iter__(self):
        return iter(self._index_to_key)

    def __repr__(self):
        return f"KeyedVectors(n_words={len(self)}, vector_size={self.vector_size})"

    def __getstate__(self):
        # key_to_index and the normalized copy are rebuilt on load: the pickle holds
        # only the float32 matrix and the key list.
        return {"vectors": self._vectors, "index_to_key": self._index_to_key}

    def __setstate__(self, state):
        self._index_to_key = state["index_to_key"]
        self._key_to_index = {key: i for i, key in enumerate(self._index_to_key)}
        self._vectors = state["vectors"]
        self._norm_vectors = None

    def get_index(self, key):
        """Return the row of ``key``.

        Parameters
        ----------
        key : str
            A key of this ``KeyedVectors``.

        Returns
        -------
        index : int
            The row of ``key`` in :attr:`vectors`.

        Raises
        ------
        KeyError
            If ``key`` is not a key; the message names it.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.eye(2), ["a", "b"])
        >>> kv.get_index("b")
        1
        """
        try:
            return self._key_to_index[key]
        except (KeyError, TypeError):
            raise KeyError(
                f"Word {key!r} is not in the vocabulary ({len(self)} words); check "
                f"membership first with `{key!r} in kv`."
            ) from None

    def _indices(self, keys):
        return np.fromiter((self.get_index(key) for key in keys), dtype=np.intp,
                           count=len(keys))

    def get_vector(self, key, norm=False):
        """Return the vector of one key.

        Parameters
        ----------
        key : str
            A key of this ``KeyedVectors``.
        norm : bool, default=False
            If True, return the vector scaled to unit Euclidean length.

        Returns
        -------
        vector : ndarray of shape (vector_size,), dtype float32
            A copy of the vector.

        Raises
        ------
        KeyError
            If ``key`` is not a key; the message names it.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[3.0, 4.0]]), ["a"])
        >>> kv.get_vector("a", norm=True)
        array([0.6, 0.8], dtype=float32)
        """
        index = self.get_index(key)
        if norm:
            return self.get_normed_vectors()[index].copy()
        return self._vectors[index].copy()

    def __getitem__(self, key_or_keys):
        """Return the vector of one key, or a (n_keys, vector_size) array for a list of keys."""
        if isinstance(key_or_keys, str):
            return self.get_vector(key_or_keys)
        if isinstance(key_or_keys, (list, tuple, np.ndarray)):
            return self._vectors[self._indices(list(key_or_keys))]
        # Any other hashable: let get_index raise the KeyError naming it.
        return self.get_vector(key_or_keys)

    # ------------------------------------------------------------------ normalized vectors

    def fill_norms(self, force=False):
        """Compute and cache the unit-normalized vectors.

        Called automatically by every similarity query; call it with ``force=True`` after
        modifying :attr:`vectors` in place. Rows of zeros stay zero.

        Parameters
        ----------
        force : bool, default=False
            Recompute even if a cached copy exists.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[3.0, 4.0]]), ["a"])
        >>> kv.vectors[0] = [0.0, 2.0]
        >>> kv.fill_norms(force=True)
        >>> kv.get_normed_vectors()
        array([[0., 1.]], dtype=float32)
        """
        if self._norm_vectors is None or force:
            norms = np.linalg.norm(self._vectors, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            self._norm_vectors = self._vectors / norms

    def get_normed_vectors(self):
        """Return the unit-normalized vectors (cached; do not modify the result).

        Returns
        -------
        normed : ndarray of shape (n_words, vector_size), dtype float32
            Each row of :attr:`vectors` divided by its Euclidean norm; zero rows stay zero.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> KeyedVectors(np.array([[0.0, 5.0]]), ["a"]).get_normed_vectors()
        array([[0., 1.]], dtype=float32)
        """
        self.fill_norms()
        return self._norm_vectors

    # ------------------------------------------------------------------ similarity queries

    def _query_vector(self, item, name):
        """Unit vector and row (or None for a raw vector) of one query item."""
        if isinstance(item, str):
            index = self.get_index(item)
            return self.get_normed_vectors()[index], index
        if isinstance(item, np.ndarray) or (
            isinstance(item, (list, tuple)) and item and isinstance(item[0], numbers.Real)
        ):
            vector = np.asarray(item, dtype=np.float32)
            if vector.shape != (self.vector_size,):
                raise ValueError(
                    f"A vector given in {name} must have shape ({self.vector_size},); got "
                    f"shape {vector.shape}."
                )
            norm = np.linalg.norm(vector)
            return (vector / norm if norm > 0 else vector), None
        raise TypeError(
            f"{name} must hold words (str) or vectors (1-D arrays); got {item!r} of type "
            f"{type(item).__name__}."
        )

    def _query_items(self, items, name):
        if items is None:
            return []
        if isinstance(items, str) or (isinstance(items, np.ndarray) and items.ndim == 1):
            return [items]
        if isinstance(items, np.ndarray) and items.ndim == 2:
            return list(items)
        try:
            return list(items)
        except TypeError:
            raise TypeError(
                f"{name} must be a word, a vector, or a list of words and vectors; got "
                f"{type(items).__name__}."
            ) from None

    def _prepare_query(self, positive, negative):
        """Unit vectors of the positive and negative items, and the rows to exclude."""
        positive = [self._query_vector(item, "positive")
                    for item in self._query_items(positive, "positive")]
        negative = [self._query_vector(item, "negative")
                    for item in self._query_items(negative, "negative")]
        if not positive and not negative:
            raise ValueError(
                "Give at least one word or vector in positive= or negative= to compare with."
            )
        excluded = sorted({index for _, index in positive + negative if index is not None})
        return ([vector for vector, _ in positive], [vector for vector, _ in negative],
                excluded)

    def _search_rows(self, restrict_vocab):
        if restrict_vocab is None:
            return len(self)
        if (isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, numbers.Integral)
                or restrict_vocab < 1):
            raise ValueError(
                f"restrict_vocab must be None or an int >= 1; got {restrict_vocab!r}."
            )
        return min(int(restrict_vocab), len(self))

    def _top_keys(self, scores, topn, excluded):
        """The ``topn`` best (key, score) pairs of ``scores``, leaving out rows ``excluded``.

        One argpartition over the scores, then a sort of the ``topn`` survivors only; ties
        go to the lower row (the more frequent word in a frequency-sorted vocabulary).
        """
        if topn is None:
            return scores
        if isinstance(topn, bool) or not isinstance(topn, numbers.Integral) or topn < 0:
            raise ValueError(f"topn must be None or an int >= 0; got {topn!r}.")
        excluded = [index for index in excluded if index < len(scores)]
        # scores is a fresh array owned by the caller's query: mask the input words in place.
        scores[excluded] = -np.inf
        n_best = min(int(topn), len(scores) - len(excluded))
        if n_best <= 0:
            return []
        if n_best < len(scores):
            best = np.argpartition(scores, len(scores) - n_best)[len(scores) - n_best:]
        else:
            best = np.arange(len(scores))
        best = best[np.lexsort((best, -scores[best]))]
        return [(self._index_to_key[index], float(scores[index])) for index in best]

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Find the words closest by cosine similarity to a combination of words (3CosAdd).

        The query is the sum of the unit vectors of the ``positive`` items minus those of
        the ``negative`` items; words are ranked by their cosine similarity to it. With
        ``positive=[b, c], negative=[a]`` this answers the analogy "a is to b as c is to ?"
        by 3CosAdd (Mikolov et al. 2013), like the word2vec ``word-analogy`` tool. Words
        given as input are left out of the answer.

        Parameters
        ----------
        positive : str, ndarray, or list of str or ndarray, default=None
            Words (or vectors) that pull the query towards them.
        negative : str, ndarray, or list of str or ndarray, default=None
            Words (or vectors) that push the query away.
        topn : int or None, default=10
            Number of words to return. None returns the array of similarities of all the
            searched words instead (input words included).
        restrict_vocab : int or None, default=None
            Search only the first ``restrict_vocab`` words (the most frequent ones when the
            vocabulary is sorted by frequency, as in every skembed estimator).

        Returns
        -------
        similar : list of (str, float) or ndarray of shape (n_searched,)
            The ``topn`` most similar words with their cosine similarity, best first.

        Raises
        ------
        KeyError
            If a word is not in the vocabulary.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]]),
        ...                   ["cat", "dog", "car", "rock"])
        >>> kv.most_similar("cat", topn=2)
        [('dog', 0.8...), ('car', 0.0)]
        >>> kv.most_similar(positive=["dog"], negative=["cat"], topn=1)
        [('car', 0.9...)]
        """
        positive, negative, excluded = self._prepare_query(positive, negative)
        query = np.sum(positive, axis=0) if positive else 0
        if negative:
            query = query - np.sum(negative, axis=0)
        return self._rank_by_vector(query, topn, restrict_vocab, excluded)

    def _rank_by_vector(self, query, topn, restrict_vocab, excluded):
        n_rows = self._search_rows(restrict_vocab)
        query = np.asarray(query, dtype=np.float32)
        norm = np.linalg.norm(query)
        if norm > 0:
            query = query / norm
        scores = self.get_normed_vectors()[:n_rows] @ query
        return self._top_keys(scores, topn, excluded)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Find the words closest to a vector by cosine similarity.

        Parameters
        ----------
        vector : array-like of shape (vector_size,)
            The query vector.
        topn : int or None, default=10
            Number of words to return; None returns the similarities of all searched words.
        restrict_vocab : int or None, default=None
            Search only the first ``restrict_vocab`` words.

        Returns
        -------
        similar : list of (str, float) or ndarray of shape (n_searched,)
            The closest words with their cosine similarity, best first. No word is left out.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.0, 1.0]]), ["east", "north"])
        >>> kv.similar_by_vector([0.1, 1.0], topn=1)
        [('north', 0.99...)]
        """
        query, _ = self._query_vector(np.asarray(vector, dtype=np.float32), "vector")
        return self._rank_by_vector(query, topn, restrict_vocab, [])

    def most_similar_cosmul(self, positive=None, negative=None, topn=10,
                            restrict_vocab=None):
        """Find the words that best solve an analogy by the multiplicative objective (3CosMul).

        Each candidate word ``x`` scores the product over the positive items ``p`` of
        ``(1 + cos(x, p)) / 2`` divided by the product over the negative items ``n`` of
        ``(1 + cos(x, n)) / 2`` plus ``1e-6`` (Levy & Goldberg 2014, eq. 4, with cosines
        shifted to [0, 1] as in their footnote 7). One large similarity cannot dominate
        the score as it can in :meth:`most_similar`. Input words are left out.

        Parameters
        ----------
        positive : str, ndarray, or list of str or ndarray, default=None
            Words (or vectors) in the numerator.
        negative : str, ndarray, or list of str or ndarray, default=None
            Words (or vectors) in the denominator.
        topn : int or None, default=10
            Number of words to return; None returns the scores of all searched words.
        restrict_vocab : int or None, default=None
            Search only the first ``restrict_vocab`` words.

        Returns
        -------
        similar : list of (str, float) or ndarray of shape (n_searched,)
            The best words with their 3CosMul score, best first.

        References
        ----------
        O. Levy and Y. Goldberg, "Linguistic Regularities in Sparse and Explicit Word
        Representations", CoNLL 2014.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0, 0.1], [1.0, 0.0, 0.9], [0.0, 1.0, 0.1],
        ...                             [0.0, 1.0, 0.9]]), ["man", "king", "woman", "queen"])
        >>> kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=1)
        [('queen', 1.22...)]
        """
        positive, negative, excluded = self._prepare_query(positive, negative)
        if not positive:
            raise ValueError("most_similar_cosmul needs at least one word in positive=.")
        n_rows = self._search_rows(restrict_vocab)
        normed = self.get_normed_vectors()[:n_rows]
        shifted_pos = (1.0 + normed @ np.array(positive, dtype=np.float32).T) / 2.0
        scores = np.prod(shifted_pos, axis=1)
        if negative:
            shifted_neg = (1.0 + normed @ np.array(negative, dtype=np.float32).T) / 2.0
            scores /= np.prod(shifted_neg, axis=1) + 1e-6
        else:
            scores /= 1.0 + 1e-6
        return self._top_keys(scores, topn, excluded)

    def analogy(self, a, b, c, topn=1, method="3cosadd", restrict_vocab=None):
        """Answer "``a`` is to ``b`` as ``c`` is to ?".

        Parameters
        ----------
        a, b, c : str
            The three words of the question, e.g. ``"man", "king", "woman"``.
        topn : int, default=1
            Number of answers to return.
        method : {"3cosadd", "3cosmul"}, default="3cosadd"
            ``"3cosadd"`` ranks by ``cos(x, b) - cos(x, a) + cos(x, c)``
            (:meth:`most_similar`), ``"3cosmul"`` by the multiplicative objective
            (:meth:`most_similar_cosmul`).
        restrict_vocab : int or None, default=None
            Search only the first ``restrict_vocab`` words.

        Returns
        -------
        answers : list of (str, float)
            The best answers with their score, best first; ``a``, ``b`` and ``c`` are left
            out.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0, 0.1], [1.0, 0.0, 0.9], [0.0, 1.0, 0.1],
        ...                             [0.0, 1.0, 0.9]]), ["man", "king", "woman", "queen"])
        >>> kv.analogy("man", "king", "woman")[0][0]
        'queen'
        """
        for name, word in (("a", a), ("b", b), ("c", c)):
            if not isinstance(word, str):
                raise TypeError(f"{name} must be a word (str); got {type(word).__name__}.")
        if method == "3cosadd":
            return self.most_similar([b, c], [a], topn=topn, restrict_vocab=restrict_vocab)
        if method == "3cosmul":
            return self.most_similar_cosmul([b, c], [a], topn=topn,
                                            restrict_vocab=restrict_vocab)
        raise ValueError(f"method must be '3cosadd' or '3cosmul'; got {method!r}.")

    def similarity(self, word1, word2):
        """Cosine similarity of two words.

        Parameters
        ----------
        word1, word2 : str
            Words of the vocabulary.

        Returns
        -------
        similarity : float
            Between -1 and 1 (0 if either vector is zero).

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0], [1.0, 1.0]]), ["a", "b"])
        >>> round(kv.similarity("a", "b"), 4)
        0.7071
        """
        normed = self.get_normed_vectors()
        return float(normed[self.get_index(word1)] @ normed[self.get_index(word2)])

    def n_similarity(self, words1, words2):
        """Cosine similarity of the mean vectors of two lists of words.

        Parameters
        ----------
        words1, words2 : list of str
            Non-empty lists of words of the vocabulary.

        Returns
        -------
        similarity : float
            Cosine similarity of the (unnormalized) mean vectors of the two lists.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        ...                   ["x", "y", "xy"])
        >>> round(kv.n_similarity(["x", "y"], ["xy"]), 4)
        1.0
        """
        means = []
        for name, words in (("words1", words1), ("words2", words2)):
            if isinstance(words, str):
                raise TypeError(f"{name} must be a list of words, not a single str.")
            words = list(words)
            if not words:
                raise ValueError(f"{name} is empty; give at least one word.")
            means.append(self[words].mean(axis=0))
        norms = np.linalg.norm(means[0]) * np.linalg.norm(means[1])
        return float(means[0] @ means[1] / norms) if norms > 0 else 0.0

    def doesnt_match(self, words):
        """Return the word of a list that is furthest from the mean of the list.

        Parameters
        ----------
        words : list of str
            Words of the vocabulary.

        Returns
        -------
        word : str
            The word whose unit vector has the lowest cosine similarity with the mean of
            the unit vectors of all the words.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.1], [0.9, 0.0], [1.0, -0.1], [0.0, 1.0]]),
        ...                   ["cat", "dog", "cow", "car"])
        >>> kv.doesnt_match(["cat", "dog", "car", "cow"])
        'car'
        """
        if isinstance(words, str):
            raise TypeError("words must be a list of words, not a single str.")
        words = list(words)
        if not words:
            raise ValueError("words is empty; give at least one word.")
        unit = self.get_normed_vectors()[self._indices(words)]
        scores = unit @ unit.mean(axis=0)
        return words[int(np.argmin(scores))]

    def rank(self, word1, word2):
        """Rank of ``word2`` among the neighbours of ``word1`` by cosine similarity.

        Parameters
        ----------
        word1, word2 : str
            Words of the vocabulary.

        Returns
        -------
        rank : int
            1 plus the number of words (other than ``word1``) strictly more similar to
            ``word1`` than ``word2`` is; 1 means ``word2`` is the nearest neighbour.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.9, 0.1], [0.5, 0.5], [0.0, 1.0]]),
        ...                   ["a", "b", "c", "d"])
        >>> kv.rank("a", "b"), kv.rank("a", "d")
        (1, 3)
        """
        normed = self.get_normed_vectors()
        index1, index2 = self.get_index(word1), self.get_index(word2)
        scores = normed @ normed[index1]
        closer = scores > scores[index2]
        closer[index1] = False
        return int(np.count_nonzero(closer)) + 1

    # ------------------------------------------------------------------ files

    @classmethod
    def load_word2vec_format(cls, path, binary=False, limit=None, no_header=False,
                             encoding="utf-8", unicode_errors="strict"):
        """Read vectors from a word2vec text or binary file, or a GloVe text file.

        The file is read block by block into one preallocated float32 matrix. Files
        written by the word2vec C tool, by gensim's ``save_word2vec_format`` and by
        :meth:`save_word2vec_format` are read. If a word occurs twice, its first vector
        is kept (with a warning).

        Parameters
        ----------
        path : str or os.PathLike
            The file. Names ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are decompressed.
        binary : bool, default=False
            True for the binary format.
        limit : int or None, default=None
            Read only the first ``limit`` vectors (the most frequent words, in files
            sorted by frequency).
        no_header : bool, default=False
            True for a text file without the ``"<n_words> <vector_size>"`` first line
            (the GloVe layout; see also :meth:`load_glove_format`).
        encoding : str, default="utf-8"
            Encoding of the words.
        unicode_errors : str, default="strict"
            What to do with words that do not decode: ``"strict"`` raises, ``"replace"``
            or ``"ignore"`` read them anyway (the C tool can cut a multi-byte character
            in two).

        Returns
        -------
        kv : KeyedVectors
            The vectors, in file order.

        Raises
        ------
        ValueError
            If the file is malformed: the message names the file and the 1-based line
            (wrong number of values, a value that is not a number, a truncated file).

        See Also
        --------
        save_word2vec_format : Write the vectors in this format.
        load_glove_format : Read a GloVe text file.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[0.5, -1.0], [2.0, 0.25]]), ["hello", "world"])
        >>> path = os.path.join(tempfile.mkdtemp(), "vectors.bin")
        >>> kv.save_word2vec_format(path, binary=True)
        >>> loaded = KeyedVectors.load_word2vec_format(path, binary=True)
        >>> loaded.index_to_key, loaded["world"]
        (['hello', 'world'], array([2.  , 0.25], dtype=float32))
        """
        vectors, keys = read_vectors(path, binary=binary, no_header=no_header, limit=limit,
                                     encoding=encoding, unicode_errors=unicode_errors)
        return cls(vectors, keys)

    def save_word2vec_format(self, path, binary=False, write_header=True):
        """Write the vectors in the word2vec text or binary format.

        Text values are written with 9 significant digits, which read back as the
        identical float32 values; binary values are little-endian float32. gensim's
        ``KeyedVectors.load_word2vec_format`` and the word2vec C tools read the result.

        Parameters
        ----------
        path : str or os.PathLike
            The file. Names ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are compressed.
        binary : bool, default=False
            True for the binary format.
        write_header : bool, default=True
            False leaves out the ``"<n_words> <vector_size>"`` first line, which gives
            the GloVe text layout (text only).

        Raises
        ------
        ValueError
            If a key is empty or contains a space, tab or newline: such a key cannot be
            read back.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> kv = KeyedVectors(np.array([[0.5, -1.0]]), ["hello"])
        >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
        >>> kv.save_word2vec_format(path)
        >>> print(open(path).read())
        1 2
        hello 0.5 -1
        <BLANKLINE>
        """
        write_vectors(path, self._vectors, self._index_to_key, binary=binary,
                      write_header=write_header)

    @classmethod
    def load_glove_format(cls, path, limit=None, encoding="utf-8", unicode_errors="strict"):
        """Read vectors from a GloVe text file (``"<word> <v1> ... <vd>"`` lines, no header).

        Same as :meth:`load_word2vec_format` with ``no_header=True``: the number of words is
        found by a first pass over the file and the vector size from its first line.

        Parameters
        ----------
        path : str or os.PathLike
            The file. Names ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are decompressed.
        limit : int or None, default=None
            Read only the first ``limit`` vectors.
        encoding : str, default="utf-8"
            Encoding of the words.
        unicode_errors : str, default="strict"
            What to do with words that do not decode (see :meth:`bytes.decode`).

        Returns
        -------
        kv : KeyedVectors
            The vectors, in file order.

        Examples
        --------
        >>> import os, tempfile
        >>> from skembed import KeyedVectors
        >>> path = os.path.join(tempfile.mkdtemp(), "glove.txt")
        >>> with open(path, "w") as f:
        ...     _ = f.write("the 0.1 0.2 0.3\\nof -0.5 0.0 1.5\\n")
        >>> kv = KeyedVectors.load_glove_format(path)
        >>> kv.index_to_key, kv.vector_size
        (['the', 'of'], 3)
        """
        return cls.load_word2vec_format(path, binary=False, limit=limit, no_header=True,
                                        encoding=encoding, unicode_errors=unicode_errors)

    def save_glove_format(self, path):
        """Write the vectors as a GloVe text file (no header line).

        Same as :meth:`save_word2vec_format` with ``binary=False, write_header=False``.

        Parameters
        ----------
        path : str or os.PathLike
            The file. Names ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are compressed.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from skembed import KeyedVectors
        >>> path = os.path.join(tempfile.mkdtemp(), "glove.txt.gz")
        >>> KeyedVectors(np.array([[1.5, 2.0]]), ["word"]).save_glove_format(path)
        >>> KeyedVectors.load_glove_format(path)["word"]
        array([1.5, 2. ], dtype=float32)
        """
        self.save_word2vec_format(path, binary=False, write_header=False)


def load_vectors(path, format="auto", limit=None):
    """Read word vectors from a word2vec (text or binary) or GloVe text file.

    Parameters
    ----------
    path : str or os.PathLike
        The file; ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` are decompressed on
        the fly, whatever the letter case of the suffix.
    format : {'auto', 'word2vec', 'word2vec_binary', 'glove'}, default='auto'
        ``'auto'`` reads files ending in ``.bin`` as word2vec binary, and text files as
        word2vec when their first line is a ``n_words dim`` header, else as GloVe.
    limit : int, default=None
        Read only the first ``limit`` words (the most frequent ones in published files).

    Returns
    -------
    KeyedVectors

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skembed import KeyedVectors
    >>> from skembed.keyed_vectors import load_vectors
    >>> kv = KeyedVectors(np.eye(2, dtype=np.float32), ["yes", "no"])
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
    >>> kv.save_glove_format(path)
    >>> load_vectors(path).index_to_key
    ['yes', 'no']
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(
            f"The vectors file {path!r} does not exist. Pass the path of a word2vec or GloVe "
            "file, or a KeyedVectors."
        )
    if format == "auto":
        if strip_compression_suffix(path).lower().endswith(".bin"):
            format = "word2vec_binary"
        else:
            format = "word2vec" if _has_word2vec_header(path) else "glove"
    if format == "glove":
        return KeyedVectors.load_glove_format(path, limit=limit)
    return KeyedVectors.load_word2vec_format(
        path, binary=format == "word2vec_binary", limit=limit
    )


def _has_word2vec_header(path):
    with damaged_file_errors(path), open_file(path, "rb") as handle:
        fields = handle.readline(1024).split()
    return len(fields) == 2 and all(field.isdigit() for field in fields)
