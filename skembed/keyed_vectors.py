"""Word vectors and the questions asked of them.

:class:`KeyedVectors` holds a float32 matrix with one row per word and the list of words in
row order. It answers lookups and nearest-neighbour questions with plain numpy and BLAS and
holds no training code: every estimator in skembed exposes its learned vectors as one, and
pretrained vectors load into one from word2vec or GloVe files.
"""

import numbers
import operator

import numpy as np

__all__ = ["KeyedVectors"]


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
    >>> from skembed.keyed_vectors import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]),
    ...                   ["cat", "dog", "car"])
    >>> len(kv), kv.vector_size
    (3, 2)
    >>> "dog" in kv, "bird" in kv
    (True, False)
    >>> kv["car"]
    array([0., 1.], dtype=float32)
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
        >>> from skembed.keyed_vectors import KeyedVectors
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
        >>> from skembed.keyed_vectors import KeyedVectors
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
        >>> from skembed.keyed_vectors import KeyedVectors
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
        >>> from skembed.keyed_vectors import KeyedVectors
        >>> KeyedVectors(np.array([[0.0, 5.0]]), ["a"]).get_normed_vectors()
        array([[0., 1.]], dtype=float32)
        """
        self.fill_norms()
        return self._norm_vectors
