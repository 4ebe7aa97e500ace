"""From documents to integer arrays: the one place where strings become token ids.

:func:`build_corpus` reads the documents once, in chunks (in parallel through joblib when there
are many), and returns the vocabulary with its counts and every document as a run of int32 ids
in one flat array with int64 offsets. Everything after this boundary (training kernels,
pooling) works on those arrays and never sees a string again.

Chunks are tokenized independently: each worker numbers the distinct tokens of its chunk in
order of first appearance and sends back that small local vocabulary with the local ids, so
the main process only touches each distinct token once per chunk. Ids are provisional until
the whole input has been read; then the vocabulary is sorted (count descending, then token),
pruned by ``min_count`` and ``max_vocab_size``, and the ids are remapped in one vectorized
pass. Memory is 4 bytes per token plus the vocabulary, so ``X`` can be a generator or an open
file read line by line.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

from ._text import check_document_collection, iter_documents

# Documents per chunk handed to a worker; large enough that joblib's per-task cost vanishes.
CHUNK_SIZE = 20_000


@dataclass
class Corpus:
    """Documents as token ids over a pruned, sorted vocabulary.

    Attributes
    ----------
    index_to_key : list of str
        The vocabulary, most frequent first, ties broken by the token itself.
    counts : ndarray of shape (n_words,), dtype int64
        Occurrences of each word in the documents.
    ids : ndarray of shape (n_tokens,), dtype int32
        The in-vocabulary tokens of all documents, in order; pruned tokens are dropped.
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    n_raw_tokens : int
        Tokens read before pruning.
    """

    index_to_key: list
    counts: np.ndarray
    ids: np.ndarray
    offsets: np.ndarray
    n_raw_tokens: int

    @property
    def n_documents(self):
        return len(self.offsets) - 1


def _tokenize_chunk(documents, start, analyzer, input, encoding, decode_error):
    """Tokenize one chunk of documents into local ids.

    Returns the chunk's distinct tokens in order of first appearance, the int32 local id of
    every token, and the int64 token count of every document.
    """
    local_ids = defaultdict()
    local_ids.default_factory = local_ids.__len__  # a new token gets the next id
    number = local_ids.__getitem__
    ids = []
    lengths = np.empty(len(documents), dtype=np.int64)
    for i, doc in enumerate(iter_documents(documents, input, encoding, decode_error, start)):
        tokens = analyzer(doc)
        lengths[i] = len(tokens)
        ids.extend(map(number, tokens))
    return list(local_ids), np.array(ids, dtype=np.int32), lengths


def iter_chunks(iterable, chunk_size):
    """Yield lists of up to ``chunk_size`` consecutive items of ``iterable``."""
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, chunk_size)):
        yield chunk


def _chunks(X, chunk_size):
    """Yield ``(index of the first document, chunk)`` pairs."""
    start = 0
    for chunk in iter_chunks(X, chunk_size):
        yield start, chunk
        start += len(chunk)


def _tokenized_chunks(X, analyzer, input, encoding, decode_error, n_jobs, chunk_size):
    """Yield ``_tokenize_chunk`` results in order, in parallel when there are several chunks."""
    check_document_collection(X)
    chunks = _chunks(X, chunk_size)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    args = (analyzer, input, encoding, decode_error)
    # Token lists need no tokenizing: sending them to worker processes and back costs more
    # than numbering them here, so only text (or paths and files) goes parallel.
    pretokenized = input == "content" and any(
        not isinstance(doc, (str, bytes, bytearray)) for doc in first[1][:100]
    )
    if second is None or pretokenized or effective_n_jobs(n_jobs) == 1:
        for start, chunk in itertools.chain([first], [second] if second else [], chunks):
            yield _tokenize_chunk(chunk, start, *args)
        return
    yield from Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_tokenize_chunk)(chunk, start, *args)
        for start, chunk in itertools.chain([first, second], chunks)
    )


def _offsets_from_lengths(lengths):
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def build_corpus(
    X,
    analyzer,
    *,
    min_count=1,
    max_vocab_size=None,
    input="content",
    encoding="utf-8",
    decode_error="strict",
    n_jobs=None,
    chunk_size=CHUNK_SIZE,
):
    """Tokenize documents once and return the pruned vocabulary and the id arrays.

    Parameters
    ----------
    X : iterable of str or of sequences of str
        The documents; read once, so a generator or an open file works.
    analyzer : callable
        ``analyzer(document) -> list of str``, see :func:`skembed._text.build_analyzer`.
    min_count : int, default=1
        Drop words that occur fewer times than this.
    max_vocab_size : int, default=None
        Keep at most this many words, the most frequent ones.
    input, encoding, decode_error
        See :func:`skembed._text.iter_documents`.
    n_jobs : int, default=None
        Processes for tokenizing; ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context.
    chunk_size : int, default=20000
        Documents per chunk.

    Returns
    -------
    Corpus

    Examples
    --------
    >>> from skembed._corpus import build_corpus
    >>> from skembed._text import build_analyzer
    >>> corpus = build_corpus(["b a b", "c b", ""], build_analyzer(token_pattern=r"\\w+"),
    ...                       min_count=2)
    >>> corpus.index_to_key, corpus.counts.tolist()
    (['b'], [3])
    >>> corpus.ids.tolist(), corpus.offsets.tolist()
    ([0, 0, 0], [0, 2, 3, 3])
    """
    global_ids = defaultdict()
    global_ids.default_factory = global_ids.__len__
    number = global_ids.__getitem__
    id_chunks, length_chunks = [], []
    counts = np.zeros(0, dtype=np.int64)
    for local_vocabulary, local_ids, lengths in _tokenized_chunks(
        X, analyzer, input, encoding, decode_error, n_jobs, chunk_size
    ):
        to_global = np.fromiter(
            map(number, local_vocabulary), dtype=np.int32, count=len(local_vocabulary)
        )
        chunk_ids = to_global[local_ids]
        if len(global_ids) > len(counts):
            counts = np.concatenate([counts, np.zeros(len(global_ids) - len(counts), np.int64)])
        counts += np.bincount(chunk_ids, minlength=len(counts))
        id_chunks.append(chunk_ids)
        length_chunks.append(lengths)

    tokens = np.array(list(global_ids), dtype=object)
    # Count descending, then the token itself, so the order never depends on the input order.
    order = np.lexsort((tokens, -counts)) if len(tokens) else np.zeros(0, dtype=np.intp)
    order = order[counts[order] >= min_count]
    if max_vocab_size is not None:
        order = order[:max_vocab_size]

    provisional_to_final = np.full(len(tokens), -1, dtype=np.int32)
    provisional_to_final[order] = np.arange(len(order), dtype=np.int32)
    raw_ids = np.concatenate(id_chunks) if id_chunks else np.zeros(0, dtype=np.int32)
    del id_chunks
    raw_offsets = _offsets_from_lengths(
        np.concatenate(length_chunks) if length_chunks else np.zeros(0, dtype=np.int64)
    )
    ids, offsets = _drop_unknown(provisional_to_final[raw_ids], raw_offsets)
    return Corpus(
        index_to_key=tokens[order].tolist(),
        counts=counts[order],
        ids=ids,
        offsets=offsets,
        n_raw_tokens=len(raw_ids),
    )


def _drop_unknown(ids, offsets):
    """Remove ids equal to -1 and shift the document offsets to match."""
    known = ids >= 0
    kept_before = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(known, out=kept_before[1:])
    return ids[known], kept_before[offsets]


def encode_documents(
    X,
    analyzer,
    key_to_index,
    *,
    input="content",
    encoding="utf-8",
    decode_error="strict",
    n_jobs=None,
    chunk_size=CHUNK_SIZE,
):
    """Token ids of new documents over a fixed vocabulary; unknown tokens are dropped.

    Parameters
    ----------
    X : iterable of str or of sequences of str
        The documents.
    analyzer : callable
        ``analyzer(document) -> list of str``.
    key_to_index : dict
        Maps each known token to its id.
    input, encoding, decode_error, n_jobs, chunk_size
        As in :func:`build_corpus`.

    Returns
    -------
    ids : ndarray of shape (n_tokens,), dtype int32
    offsets : ndarray of shape (n_documents + 1,), dtype int64

    Examples
    --------
    >>> from skembed._corpus import encode_documents
    >>> from skembed._text import build_analyzer
    >>> ids, offsets = encode_documents(["a cat", "dog"], build_analyzer(token_pattern=r"\\w+"),
    ...                                 {"cat": 0, "a": 1})
    >>> ids.tolist(), offsets.tolist()
    ([1, 0], [0, 2, 2])
    """
    return _drop_unknown(
        *_encode(X, analyzer, key_to_index, input, encoding, decode_error, n_jobs, chunk_size)
    )


def encode_corpus(
    X,
    analyzer,
    index_to_key,
    *,
    input="content",
    encoding="utf-8",
    decode_error="strict",
    n_jobs=None,
    chunk_size=CHUNK_SIZE,
):
    """Read documents over a fixed vocabulary (pretrained vectors) into a :class:`Corpus`.

    Like :func:`build_corpus`, but the vocabulary is given rather than learned: its order is
    kept, ``counts`` are the occurrences in ``X`` (zero for words that do not occur), and
    ``n_raw_tokens`` counts every token read, known or not.

    Parameters
    ----------
    X : iterable of str or of sequences of str
        The documents.
    analyzer : callable
        ``analyzer(document) -> list of str``.
    index_to_key : list of str
        The vocabulary; word ``i`` gets id ``i``.
    input, encoding, decode_error, n_jobs, chunk_size
        As in :func:`build_corpus`.

    Returns
    -------
    Corpus

    Examples
    --------
    >>> from skembed._corpus import encode_corpus
    >>> from skembed._text import build_analyzer
    >>> corpus = encode_corpus(["a cat", "dog a"], build_analyzer(token_pattern=r"\\w+"),
    ...                        ["a", "cat", "bird"])
    >>> corpus.counts.tolist(), corpus.ids.tolist(), corpus.n_raw_tokens
    ([2, 1, 0], [0, 1, 0], 4)
    """
    key_to_index = dict(zip(index_to_key, range(len(index_to_key))))
    raw_ids, raw_offsets = _encode(
        X, analyzer, key_to_index, input, encoding, decode_error, n_jobs, chunk_size
    )
    ids, offsets = _drop_unknown(raw_ids, raw_offsets)
    return Corpus(
        index_to_key=list(index_to_key),
        counts=np.bincount(ids, minlength=len(index_to_key)).astype(np.int64),
        ids=ids,
        offsets=offsets,
        n_raw_tokens=len(raw_ids),
    )


def _encode(X, analyzer, key_to_index, input, encoding, decode_error, n_jobs, chunk_size):
    """Ids over a fixed vocabulary, -1 for unknown tokens, and the document offsets."""
    lookup = key_to_index.get
    id_chunks, length_chunks = [], []
    for local_vocabulary, local_ids, lengths in _tokenized_chunks(
        X, analyzer, input, encoding, decode_error, n_jobs, chunk_size
    ):
        to_known = np.fromiter(
            (lookup(token, -1) for token in local_vocabulary),
            dtype=np.int32,
            count=len(local_vocabulary),
        )
        id_chunks.append(to_known[local_ids])
        length_chunks.append(lengths)
    raw_ids = np.concatenate(id_chunks) if id_chunks else np.zeros(0, dtype=np.int32)
    raw_offsets = _offsets_from_lengths(
        np.concatenate(length_chunks) if length_chunks else np.zeros(0, dtype=np.int64)
    )
    return raw_ids, raw_offsets
