"""From documents to integer arrays: the one place where strings become token ids.

:func:`build_corpus` reads the documents once, in chunks (in parallel through joblib when there
are many), and returns the vocabulary with its counts and every document as a run of int32 ids
in one flat array with int64 offsets. Everything after this boundary (training kernels,
pooling) works on those arrays and never sees a string again.

Chunks are tokenized independently: each worker numbers the distinct tokens of its chunk in
order of first appearance and sends back that small local vocabulary with the local ids, so
the main process only touches each distinct token once per chunk and never holds the token
strings of more than one chunk. Ids are provisional until the whole input has been read; then
the vocabulary is sorted (count descending, then token), pruned by ``min_count`` and
``max_vocab_size``, and the ids are remapped chunk by chunk into an array of the final size,
each chunk freed as soon as it is copied. Memory is about 4 bytes per token read plus 8 per
document, plus the vocabulary, so ``X`` can be a generator or an open file read line by line.

Beyond ``corpus_memory_limit`` bytes of ids (:func:`skembed.set_config`) the ids go to a
temporary file instead, which is compacted in place and memory-mapped, and so are the document
offsets; the kernels read the maps directly. The files are unlinked as soon as they are open
(where the operating system allows it, else when the arrays are freed or on any error), so
nothing is left behind by an error, Ctrl-C or a crash.
"""
import ctypes
import ctypes.util
import itertools
import mmap
import os
import tempfile
import traceback
import weakref
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from joblib.parallel import get_active_backend

from ._config import get_config
from ._text import check_document_collection, iter_documents

# Documents per chunk handed to a worker; large enough that joblib's per-task cost vanishes.
CHUNK_SIZE = 20_000
# Characters of text per chunk at most (about a million tokens): bounds the memory a chunk
# needs while it is tokenized and numbered.
CHUNK_CHARACTERS = 2**23


def _load_malloc_trim():
    # glibc keeps freed heap memory for reuse instead of giving it back to the system;
    # malloc_trim(0) gives back what it can. None where the C library has no such function.
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _load_malloc_trim()


def return_free_memory():
    """Give the memory freed after the corpus pass back to the system, where the C library can.

    The pass creates and frees many Python objects and chunk-sized lists; the C allocator
    keeps that memory in the process, where it would add tens of megabytes to the peak of the
    training that follows (which allocates its matrices directly from the system).
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


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

    @property
    def memory_mapped(self):
        """Whether ``ids`` is a map of a temporary file (see :func:`release_on_error`)."""
        return _memory_map_of(self.ids) is not None


def _memory_map_of(array):
    """The :class:`numpy.memmap` under ``array``, or None."""
    base = array
    while base is not None and not isinstance(base, np.memmap):
        base = base.base
    return base


def release_on_error(error):
    """Drop the local variables of the frames of ``error``'s traceback.

    A traceback keeps the local variables of its frames alive, and with them the memory maps of
    a corpus, whose temporary files (already unlinked) then keep their disk space, for as long
    as the exception is kept (``sys.last_traceback`` keeps the last one of an interactive
    session). Called by ``fit`` on an error when the corpus is memory-mapped.
    """
    traceback.clear_frames(error.__traceback__)


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
    local_ids.default_factory = None  # break the dict <-> bound method cycle now
    return list(local_ids), np.array(ids, dtype=np.int32), lengths


def iter_chunks(iterable, chunk_size):
    """Yield lists of up to ``chunk_size`` consecutive items of ``iterable``."""
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, chunk_size)):
        yield chunk


def _chunks(X, chunk_size, max_characters=CHUNK_CHARACTERS):
    """Yield ``(index of the first document, chunk)`` pairs.

    A chunk ends after ``chunk_size`` documents or once its text documents (and token lists)
    reach ``max_characters`` characters (tokens), whichever comes first, so that a run of
    long documents does not make one chunk, and its temporary arrays, huge.
    """
    start = 0
    chunk = []
    size = 0
    for doc in X:
        chunk.append(doc)
        if isinstance(doc, (str, bytes, list, tuple)):
            size += len(doc)
        if len(chunk) >= chunk_size or size >= max_characters:
            yield start, chunk
            start += len(chunk)
            chunk = []
            size = 0
    if chunk:
        yield start, chunk


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
    # Threads cannot run a Python tokenizer in parallel (the GIL), and chunks waiting in
    # a thread pool only cost memory, so the pass goes parallel in processes only.
    in_threads = getattr(get_active_backend()[0], "uses_threads", False)
    if second is None or pretokenized or in_threads or effective_n_jobs(n_jobs) == 1:
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


def _remap_chunk(chunk, lengths, mapping):
    """Map one chunk's ids through ``mapping`` (or keep them) and drop the ids equal to -1.

    Returns the kept ids and the new length of every document of the chunk.
    """
    mapped = chunk if mapping is None else mapping[chunk]
    known = mapped >= 0
    if known.all():
        return mapped, lengths
    kept_lengths = np.zeros(len(lengths), dtype=np.int64)
    nonempty = lengths > 0
    if nonempty.any():  # reduceat needs the start of every summed run to be in range
        starts = _offsets_from_lengths(lengths)[:-1][nonempty]
        kept_lengths[nonempty] = np.add.reduceat(known, starts, dtype=np.int64)
    return mapped[known], kept_lengths


def _unlink_open_file(path):
    """Remove the name of a file that stays open; False where the system forbids it."""
    try:
        os.unlink(path)
    except OSError:  # Windows: an open file cannot be removed
        return False
    return True


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def release_pages(array, start, stop):
    """Let the system drop the pages of ``array[start:stop]`` from this process's memory.

    Only for arrays memory-mapped from a file by :func:`build_corpus` (a no-op for any other
    array): the pages stay in the system's file cache and are read back if touched again, so
    a pass over a mapped corpus holds only what it is working on. ``start`` and ``stop`` are
    element indices.
    """
    handle = getattr(_memory_map_of(array), "_mmap", None)
    if handle is None or not hasattr(mmap, "MADV_DONTNEED"):
        return
    page = mmap.PAGESIZE
    first = (int(start) * array.itemsize + page - 1) // page * page
    last = int(stop) * array.itemsize // page * page
    if last > first:
        handle.madvise(mmap.MADV_DONTNEED, first, last - first)


class _TemporaryArrayFile:
    """A binary temporary file whose name is removed as early as the system allows.

    On POSIX systems the name is unlinked at once: the data lives on while the file or a
    memory map of it is open and is released by the kernel when the last one closes, even if
    the process dies. Elsewhere the name is removed when the memory map is garbage collected,
    or by :meth:`discard` on an error.
    """

    def __init__(self, folder, kind):
        fd, path = tempfile.mkstemp(prefix=f"skembed-{kind}-", suffix=".bin", dir=folder)
        self.handle = os.fdopen(fd, "w+b")
        self.path = None if _unlink_open_file(path) else path

    def memmap(self, dtype, shape, mode):
        """Map the file; the returned plain ndarray keeps the map (and the data) alive."""
        self.handle.flush()
        mapped = np.memmap(self.handle, dtype=dtype, mode=mode, shape=shape)
        if self.path is not None:
            weakref.finalize(mapped, _remove_quietly, self.path)
            self.path = None
        self.handle.close()
        return mapped.view(np.ndarray)

    def discard(self):
        """Close and delete the file (on an error)."""
        self.handle.close()
        if self.path is not None:
            _remove_quietly(self.path)
            self.path = None


# First capacity of the in-memory id buffer, in tokens; it doubles when full.
_MIN_CAPACITY = 2**16


class _ChunkedIds:
    """The int32 ids of a corpus being read, chunk by chunk, in memory or in a temporary file.

    Ids are appended to one buffer that doubles when full (``ndarray.resize``, a ``realloc``
    that moves no data for large arrays on Linux, and whose unused tail is never touched, so
    it costs address space, not memory) until they take more than ``memory_limit`` bytes; then
    they move to a temporary file, and so do all later chunks. :meth:`finish` remaps the ids
    chunk by chunk in place (the write position never passes the read position) and shrinks
    the buffer, or the file, to the ids kept: raw and final ids share the same 4 bytes per
    token.
    """

    def __init__(self, memory_limit, temp_folder):
        self._memory_limit = memory_limit
        self._temp_folder = temp_folder
        self._buffer = np.empty(0, dtype=np.int32)
        self._lengths = []
        self._sizes = []
        self._file = None
        self._offsets_file = None
        self.n_tokens = 0
        self.n_documents = 0

    @property
    def on_disk(self):
        return self._file is not None

    @property
    def has_offsets_file(self):
        return self._offsets_file is not None

    def append(self, ids, lengths):
        """Add the ids of one chunk and the token count of each of its documents."""
        start = self.n_tokens
        self._sizes.append(len(ids))
        self._lengths.append(lengths)
        self.n_tokens += len(ids)
        self.n_documents += len(lengths)
        if self._file is not None:
            self._file.handle.write(np.ascontiguousarray(ids).data)
            return
        if self.n_tokens > len(self._buffer):
            capacity = max(self.n_tokens, 2 * len(self._buffer), _MIN_CAPACITY)
            self._buffer.resize(capacity, refcheck=False)
        self._buffer[start:self.n_tokens] = ids
        if 4 * self.n_tokens > self._memory_limit:
            self._file = _TemporaryArrayFile(self._temp_folder, "ids")
            self._file.handle.write(self._buffer[:self.n_tokens].data)
            self._buffer = np.empty(0, dtype=np.int32)

    def finish(self, mapping):
        """Return ``(ids, offsets)``: every chunk mapped, unknown ids (-1) dropped.

        Parameters
        ----------
        mapping : ndarray of int32 or None
            New id of every provisional id (-1 to drop it), or None to keep the ids.
        """
        if self._file is not None:
            self._offsets_file = _TemporaryArrayFile(self._temp_folder, "offsets")
            self._offsets_file.handle.truncate(8 * (self.n_documents + 1))
            offsets = self._offsets_file.memmap(np.int64, (self.n_documents + 1,), "r+")
        else:
            offsets = np.empty(self.n_documents + 1, dtype=np.int64)
        offsets[0] = 0
        buffer = self._buffer
        read = written = documents = 0
        for i, size in enumerate(self._sizes):
            if self._file is None:
                chunk = buffer[read:read + size]
            else:
                self._file.handle.seek(4 * read)
                chunk = np.frombuffer(self._file.handle.read(4 * size), dtype=np.int32)
            read += size
            lengths, self._lengths[i] = self._lengths[i], None
            kept, kept_lengths = _remap_chunk(chunk, lengths, mapping)
            # In place: the write position never passes the read position.
            if self._file is None:
                buffer[written:written + len(kept)] = kept
            else:
                self._file.handle.seek(4 * written)
                self._file.handle.write(np.ascontiguousarray(kept).data)
            end = documents + len(kept_lengths)
            np.cumsum(kept_lengths, out=offsets[documents + 1:end + 1])
            offsets[documents + 1:end + 1] += written
            written += len(kept)
            documents = end
            del chunk, kept
        if self._file is None:
            self._buffer = np.empty(0, dtype=np.int32)
            buffer.resize(written, refcheck=False)  # no view of it is left
            return buffer, offsets
        self._file.handle.truncate(4 * written)
        if written:
            ids = self._file.memmap(np.int32, (written,), "r")
        else:
            self._file.discard()
            ids = np.zeros(0, dtype=np.int32)
        self._file = None
        return ids, offsets

    def abandon(self, error):
        """Free everything after ``error``; if files were in use, release their pages too."""
        on_disk = self.on_disk or self.has_offsets_file
        self.discard()
        if on_disk:
            release_on_error(error)

    def discard(self):
        """Free everything, including the temporary files (on an error)."""
        self._buffer = np.empty(0, dtype=np.int32)
        self._lengths = []
        for file in (self._file, self._offsets_file):
            if file is not None:
                file.discard()
        self._file = self._offsets_file = None


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
        Its ``ids`` and ``offsets`` are memory-mapped temporary files when the ids take more
        than ``corpus_memory_limit`` bytes (see :func:`skembed.set_config`).

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
    config = get_config()
    global_ids = defaultdict()
    global_ids.default_factory = global_ids.__len__
    number = global_ids.__getitem__
    counts = np.zeros(1024, dtype=np.int64)
    store = _ChunkedIds(config["corpus_memory_limit"], config["temp_folder"])
    try:
        for local_vocabulary, local_ids, lengths in _tokenized_chunks(
            X, analyzer, input, encoding, decode_error, n_jobs, chunk_size
        ):
            to_global = np.fromiter(
                map(number, local_vocabulary), dtype=np.int32, count=len(local_vocabulary)
            )
            if len(global_ids) > len(counts):
                counts = np.concatenate(
                    [counts, np.zeros(max(len(global_ids), 2 * len(counts)), np.int64)]
                )
            # to_global has no repeated id, so a fancy-indexed += adds every local count.
            counts[to_global] += np.bincount(local_ids, minlength=len(local_vocabulary))
            store.append(to_global[local_ids], lengths)
            del local_vocabulary, local_ids, to_global
        global_ids.default_factory = None
        counts = counts[: len(global_ids)]

        tokens = np.array(list(global_ids), dtype=object)
        del global_ids, number
        # Count descending, then the token itself, so the order never depends on the input
        # order.
        order = np.lexsort((tokens, -counts)) if len(tokens) else np.zeros(0, dtype=np.intp)
        order = order[counts[order] >= min_count]
        if max_vocab_size is not None:
            order = order[:max_vocab_size]

        provisional_to_final = np.full(len(tokens), -1, dtype=np.int32)
        provisional_to_final[order] = np.arange(len(order), dtype=np.int32)
        kept_counts = counts[order]
        ids, offsets = store.finish(provisional_to_final)
    except BaseException as error:
        store.abandon(error)
        raise
    corpus = Corpus(
        index_to_key=tokens[order].tolist(),
        counts=kept_counts,
        ids=ids,
        offsets=offsets,
        n_raw_tokens=store.n_tokens,
    )
    del tokens, order, provisional_to_final, counts, store
    return_free_memory()
    return corpus


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
    ids, offsets, _ = _encode_known(
        X, analyzer, key_to_index, input, encoding, decode_error, n_jobs, chunk_size
    )
    return ids, offsets


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
    ids, offsets, n_raw_tokens = _encode_known(
        X, analyzer, key_to_index, input, encoding, decode_error, n_jobs, chunk_size
    )
    return Corpus(
        index_to_key=list(index_to_key),
        counts=np.bincount(ids, minlength=len(index_to_key)).astype(np.int64),
        ids=ids,
        offsets=offsets,
        n_raw_tokens=n_raw_tokens,
    )


def _encode_known(X, analyzer, key_to_index, input, encoding, decode_error, n_jobs,
                  chunk_size):
    """Known-token ids and offsets over a fixed vocabulary, and the number of tokens read."""
    config = get_config()
    n_raw_tokens = 0
    lookup = key_to_index.get
    store = _ChunkedIds(config["corpus_memory_limit"], config["temp_folder"])
    try:
        for local_vocabulary, local_ids, lengths in _tokenized_chunks(
            X, analyzer, input, encoding, decode_error, n_jobs, chunk_size
        ):
            to_known = np.fromiter(
                (lookup(token, -1) for token in local_vocabulary),
                dtype=np.int32,
                count=len(local_vocabulary),
            )
            n_raw_tokens += len(local_ids)
            # Drop unknown tokens now, so only known ids are ever stored.
            store.append(*_remap_chunk(local_ids, lengths, to_known))
        return (*store.finish(None), n_raw_tokens)
    except BaseException as error:
        store.abandon(error)
        raise
