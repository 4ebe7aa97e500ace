"""Subword word vectors: the query object of fastText models and the reader of ``.bin`` files.

:class:`FastTextKeyedVectors` is a :class:`~skembed.KeyedVectors` over the vocabulary (one
row per word: the mean of the word's own vector and the vectors of its character n-grams)
that also keeps the table of n-gram vectors, so it can build a vector for any string.
:func:`load_facebook_model` reads the binary ``.bin`` files written by Facebook's fastText
(and by gensim's ``save_facebook_model``) into one, with plain ``struct`` and ``numpy``
reads: the file is data, nothing in it is ever executed.
"""

import os
import struct

import numpy as np

from ._kernels._fasttext import mean_of_rows, ngram_buckets
from .keyed_vectors import KeyedVectors

__all__ = ["FastTextKeyedVectors", "load_facebook_model", "subword_buckets"]

# fastText's end-of-sentence token gets no n-grams (Dictionary::initNgrams).
_END_OF_SENTENCE = "</s>"


def subword_buckets(words, min_n, max_n, n_buckets):
    """Hash buckets of the character n-grams of each word, as a CSR array.

    Parameters
    ----------
    words : list of str
        The words (without boundary symbols; ``<`` and ``>`` are added here).
    min_n, max_n : int
        Shortest and longest n-gram in characters; ``max_n < min_n`` gives no n-grams.
    n_buckets : int
        Number of hash buckets; 0 gives no n-grams.

    Returns
    -------
    offsets : ndarray of shape (n_words + 1,), dtype int64
    buckets : ndarray of shape (offsets[-1],), dtype int32
        The buckets of ``words[i]`` are ``buckets[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> from skembed._subwords import subword_buckets
    >>> offsets, buckets = subword_buckets(["cat", "a"], 3, 4, 1000)
    >>> offsets.tolist()  # <ca cat at> <cat cat> ; <a>
    [0, 5, 6]
    """
    n_words = len(words)
    if n_buckets == 0 or max_n < min_n or max_n == 0:
        return np.zeros(n_words + 1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    encoded = [f"<{word}>".encode("utf-8") for word in words]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n_words)
    word_offsets = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(lengths, out=word_offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    offsets, buckets = ngram_buckets(data, word_offsets, int(min_n), int(max_n),
                                     int(n_buckets))
    if _END_OF_SENTENCE in words:
        # Drop the n-grams of fastText's end-of-sentence token.
        position = words.index(_END_OF_SENTENCE)
        start, end = offsets[position], offsets[position + 1]
        buckets = np.delete(buckets, np.arange(start, end))
        offsets[position + 1:] -= end - start
    return offsets, buckets


def with_own_rows(offsets, buckets, n_words):
    """Rows of a fastText input matrix for each word: its own row, then its n-gram rows.

    The input matrix has the ``n_words`` word rows first and the bucket rows after them, so
    bucket ``b`` is row ``n_words + b``.

    Returns
    -------
    row_offsets : ndarray of shape (n_words + 1,), dtype int64
    rows : ndarray of shape (n_words + offsets[-1],), dtype int32
    """
    row_offsets = offsets + np.arange(n_words + 1, dtype=np.int64)
    rows = np.empty(row_offsets[-1], dtype=np.int32)
    own = np.zeros(row_offsets[-1], dtype=bool)
    own[row_offsets[:-1]] = True
    rows[own] = np.arange(n_words, dtype=np.int32)
    rows[~own] = buckets + np.int32(n_words)
    return row_offsets, rows


class FastTextKeyedVectors(KeyedVectors):
    """Word vectors with character n-gram vectors: a vector for any word, seen or not.

    A :class:`KeyedVectors` whose rows are the vocabulary's word vectors (each the mean of
    the word's own vector and of its n-gram vectors, as fastText computes it), plus the
    ``(n_buckets, vector_size)`` table of n-gram vectors. Everything a ``KeyedVectors``
    does works the same on the vocabulary (``in``, ``index_to_key``, nearest-neighbour
    search over the vocabulary, saving to word2vec or GloVe files, ``EmbeddingVectorizer``,
    ``init_vectors``). What changes: :meth:`get_vector`, ``kv[word]``, and the words given
    to :meth:`~KeyedVectors.most_similar`, :meth:`~KeyedVectors.similarity` and the other
    queries may be any string; a word outside the vocabulary gets the mean of the vectors of
    its n-grams (zeros if it has none). ``word in kv`` still tells whether ``word`` is in
    the vocabulary.

    Parameters
    ----------
    vectors : array-like of shape (n_words, vector_size)
        The word vectors of the vocabulary (own vector and n-grams already averaged).
    index_to_key : list of str
        The vocabulary, in row order.
    ngram_vectors : array-like of shape (n_buckets, vector_size)
        One vector per hash bucket of character n-grams.
    min_n, max_n : int, default=3, 6
        Shortest and longest character n-gram of ``<word>``.

    Attributes
    ----------
    ngram_vectors : ndarray of shape (n_buckets, vector_size), dtype float32
        The n-gram vectors.
    min_n, max_n : int
        The n-gram lengths.
    n_buckets : int
        Rows of ``ngram_vectors``.

    See Also
    --------
    KeyedVectors : Vectors for a fixed vocabulary only.
    load_facebook_model : Read a fastText ``.bin`` file into a ``FastTextKeyedVectors``.
    FastTextVectorizer : Learn one from documents.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import FastTextKeyedVectors
    >>> rng = np.random.default_rng(0)
    >>> kv = FastTextKeyedVectors(rng.normal(size=(2, 4)), ["walk", "talk"],
    ...                           rng.normal(size=(50, 4)))
    >>> "walking" in kv, kv["walking"].shape
    (False, (4,))
    >>> round(kv.similarity("walking", "walking"), 4)
    1.0
    """

    def __init__(self, vectors, index_to_key, ngram_vectors, *, min_n=3, max_n=6):
        super().__init__(vectors, index_to_key)
        ngram_vectors = np.ascontiguousarray(ngram_vectors, dtype=np.float32)
        if ngram_vectors.ndim != 2 or ngram_vectors.shape[1] != self.vector_size:
            raise ValueError(
                f"ngram_vectors must have shape (n_buckets, {self.vector_size}) to match the "
                f"word vectors; got shape {ngram_vectors.shape}."
            )
        self.ngram_vectors = ngram_vectors
        self.min_n = int(min_n)
        self.max_n = int(max_n)

    @property
    def n_buckets(self):
        return self.ngram_vectors.shape[0]

    def __repr__(self):
        return (f"FastTextKeyedVectors(n_words={len(self)}, vector_size={self.vector_size}, "
                f"n_buckets={self.n_buckets}, min_n={self.min_n}, max_n={self.max_n})")

    def __getstate__(self):
        state = super().__getstate__()
        state.update(ngram_vectors=self.ngram_vectors, min_n=self.min_n, max_n=self.max_n)
        return state

    def __setstate__(self, state):
        state = dict(state)
        self.ngram_vectors = state.pop("ngram_vectors")
        self.min_n = state.pop("min_n")
        self.max_n = state.pop("max_n")
        super().__setstate__(state)

    @classmethod
    def load_word2vec_format(cls, *args, **kwargs):
        """Read a word2vec or ``.vec`` file: a plain :class:`KeyedVectors` (no n-grams)."""
        return KeyedVectors.load_word2vec_format(*args, **kwargs)

    @classmethod
    def load_glove_format(cls, *args, **kwargs):
        """Read a GloVe text file: a plain :class:`KeyedVectors` (no n-grams)."""
        return KeyedVectors.load_glove_format(*args, **kwargs)

    def vectors_for(self, words):
        """Vectors of any words: vocabulary rows for known words, n-gram means for others.

        Parameters
        ----------
        words : list of str
            The words.

        Returns
        -------
        ndarray of shape (len(words), vector_size), dtype float32
            Zeros for an unknown word with no n-gram.

        Examples
        --------
        >>> import numpy as np
        >>> from skembed import FastTextKeyedVectors
        >>> kv = FastTextKeyedVectors(np.ones((1, 3)), ["cat"], np.zeros((10, 3)))
        >>> kv.vectors_for(["cat", "cats"])
        array([[1., 1., 1.],
               [0., 0., 0.]], dtype=float32)
        """
        words = list(words)
        for i, word in enumerate(words):
            if not isinstance(word, str):
                raise TypeError(
                    f"words must be str; the item at position {i} is {word!r} of type "
                    f"{type(word).__name__}."
                )
        rows = np.fromiter((self.key_to_index.get(word, -1) for word in words),
                           dtype=np.int64, count=len(words))
        out = np.zeros((len(words), self.vector_size), dtype=np.float32)
        known = rows >= 0
        out[known] = self.vectors[rows[known]]
        unknown = np.flatnonzero(~known)
        if unknown.size:
            offsets, buckets = subword_buckets([words[i] for i in unknown], self.min_n,
                                               self.max_n, self.n_buckets)
            out[unknown] = mean_of_rows(offsets, buckets, self.ngram_vectors)
        return out

    def get_vector(self, key, norm=False):
        """Return the vector of any word, in the vocabulary or not.

        Parameters
        ----------
        key : str
            A word. Outside the vocabulary its vector is the mean of its n-gram vectors.
        norm : bool, default=False
            If True, return the vector scaled to unit Euclidean length.

        Returns
        -------
        vector : ndarray of shape (vector_size,), dtype float32

        Raises
        ------
        KeyError
            If ``key`` is not a str, or the model has no n-grams and ``key`` is not in the
            vocabulary.
        """
        if not isinstance(key, str) or (key not in self and self.n_buckets == 0):
            return super().get_vector(key, norm=norm)
        if key in self:
            return super().get_vector(key, norm=norm)
        vector = self.vectors_for([key])[0]
        if norm:
            length = np.linalg.norm(vector)
            if length > 0:
                vector /= length
        return vector

    def __getitem__(self, key_or_keys):
        if isinstance(key_or_keys, (list, tuple, np.ndarray)):
            return self.vectors_for(list(key_or_keys))
        return self.get_vector(key_or_keys)


# --------------------------------------------------------------------------------------------
# Facebook fastText .bin files
# --------------------------------------------------------------------------------------------

_MAGIC = 793712314
_VERSIONS = (11, 12)
_ARGS = struct.Struct("<12id")  # dim ws epoch minCount neg wordNgrams loss model bucket
#                                 minn maxn lrUpdateRate, then t (double)
_DICT_HEADER = struct.Struct("<3iqq")  # size nwords nlabels ntokens pruneidx_size
_ENTRY_TAIL = struct.Struct("<qb")  # count, entry type (0 word, 1 label)
_MATRIX_HEADER = struct.Struct("<?qq")  # quantized flag, rows, columns


class _Reader:
    """Buffered reads of a binary file that also knows its absolute position."""

    def __init__(self, handle, path):
        self.handle = handle
        self.path = path
        self.buffer = b""
        self.start = 0  # offset of buffer[0] in the file
        self.position = 0  # read position inside buffer

    def _fill(self, n_bytes):
        while len(self.buffer) - self.position < n_bytes:
            more = self.handle.read(max(1 << 20, n_bytes))
            if not more:
                raise ValueError(
                    f"{self.path!r} ends early: it is truncated or not a fastText .bin file."
                )
            self.start += self.position
            self.buffer = self.buffer[self.position:] + more
            self.position = 0

    def unpack(self, layout):
        self._fill(layout.size)
        values = layout.unpack_from(self.buffer, self.position)
        self.position += layout.size
        return values

    def word(self):
        end = self.buffer.find(b"\0", self.position)
        while end < 0:
            self._fill(len(self.buffer) - self.position + 1)
            end = self.buffer.find(b"\0", self.position)
        raw = self.buffer[self.position:end]
        self.position = end + 1
        return raw

    def tell(self):
        return self.start + self.position


def load_facebook_model(path, encoding="utf-8"):
    """Read the word and n-gram vectors of a Facebook fastText ``.bin`` model.

    Reads the binary format of fastText 0.9 (version 11 and 12 files, as written by
    ``fasttext`` and by gensim's ``save_facebook_model``) with ``struct`` and ``numpy``
    only; nothing in the file is executed. Only the input matrix is read (the output layer
    is not needed for word vectors). The word vectors are computed as fastText computes
    them: the mean of the word's own row and the rows of its n-gram buckets.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.bin`` file (not compressed).
    encoding : str, default='utf-8'
        Encoding of the words; bytes that do not decode are replaced.

    Returns
    -------
    FastTextKeyedVectors
        Vectors of the vocabulary, plus the n-gram table for any other word. Write the
        vocabulary's vectors as ``.vec`` text with ``save_word2vec_format``.

    Raises
    ------
    ValueError
        If the file is not an unsupervised, unquantized fastText model, or is truncated.

    Examples
    --------
    Models written by gensim load with the same vectors as in gensim:

    >>> import os, tempfile
    >>> from gensim.models import FastText
    >>> from gensim.models.fasttext import save_facebook_model
    >>> from skembed import load_facebook_model
    >>> sentences = [["the", "cat", "sat", "on", "the", "mat"]] * 20
    >>> model = FastText(sentences, vector_size=8, min_count=1, bucket=100, epochs=1)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.bin")
    >>> save_facebook_model(model, path)
    >>> kv = load_facebook_model(path)
    >>> kv
    FastTextKeyedVectors(n_words=5, vector_size=8, n_buckets=100, min_n=3, max_n=6)
    >>> bool(np.allclose(kv["cats"], model.wv["cats"], atol=1e-7))
    True
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(f"The fastText model file {path!r} does not exist.")
    with open(path, "rb") as handle:
        reader = _Reader(handle, path)
        magic, version = reader.unpack(struct.Struct("<2i"))
        if magic != _MAGIC or version not in _VERSIONS:
            raise ValueError(
                f"{path!r} is not a fastText .bin model (it does not start with the fastText "
                "magic number and a version 11 or 12 header). For word2vec binary files use "
                "KeyedVectors.load_word2vec_format(path, binary=True)."
            )
        (dim, _, _, _, _, _, _, _, n_buckets, min_n, max_n, _, _) = reader.unpack(_ARGS)
        size, n_words, n_labels, _, prune_size = reader.unpack(_DICT_HEADER)
        if n_labels > 0 or prune_size > 0:
            raise ValueError(
                f"{path!r} is a supervised fastText classifier ({n_labels} labels); only "
                "unsupervised word-vector models (skipgram or cbow) can be read."
            )
        words = []
        for _ in range(size):
            raw = reader.word()
            _, entry_type = reader.unpack(_ENTRY_TAIL)
            if entry_type == 0:
                words.append(raw.decode(encoding, errors="replace"))
        quantized, n_rows, n_columns = reader.unpack(_MATRIX_HEADER)
        if quantized:
            raise ValueError(
                f"{path!r} is a quantized fastText model (.ftz); quantized input matrices "
                "cannot be read."
            )
        if n_columns != dim or n_rows != n_words + n_buckets or len(words) != n_words:
            raise ValueError(
                f"{path!r} is inconsistent: the input matrix has shape ({n_rows}, "
                f"{n_columns}) but the header announces {n_words} words, {n_buckets} "
                f"buckets and {dim} dimensions."
            )
        handle.seek(reader.tell())
        count = n_rows * n_columns
        matrix = np.fromfile(handle, dtype="<f4", count=count)
        if matrix.size != count:
            raise ValueError(f"{path!r} ends inside its input matrix: it is truncated.")
    matrix = matrix.reshape(n_rows, n_columns).astype(np.float32, copy=False)
    offsets, buckets = subword_buckets(words, min_n, max_n, n_buckets)
    row_offsets, rows = with_own_rows(offsets, buckets, n_words)
    vectors = mean_of_rows(row_offsets, rows, matrix)
    return FastTextKeyedVectors(vectors, words, matrix[n_words:], min_n=min_n, max_n=max_n)

