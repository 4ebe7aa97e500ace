"""Reading and writing word vectors in the word2vec and GloVe file formats.

Three formats share one layout of one vector per word:

* word2vec text: a header line ``"<n_words> <vector_size>"``, then ``"<word> <v1> ... <vd>"``
  per line;
* GloVe text: the same lines without the header;
* word2vec binary: the same header, then for each word ``"<word> "`` followed by
  ``vector_size`` little-endian float32 values. The C tool and skembed write a newline after
  each vector, gensim does not; both are read.

Text is parsed in blocks of lines by :func:`numpy.loadtxt` straight into a preallocated
float32 matrix, so a large file costs its matrix once and never a Python float per value.
Paths ending in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` are decompressed or compressed on
the fly. Line numbers in error messages are 1-based and count the header.

Reading never trusts a file's size claims: the header is checked against the file's size
where it is known (uncompressed files), the matrix of a compressed file grows as vectors
arrive rather than being allocated from the header, and every line is read with a bound.
Writing goes through :func:`skembed._files.atomic_write`: the keys and values are checked
first, and a failed or interrupted write leaves any previous file untouched.
"""

import codecs
import os
import warnings

import numpy as np

from ._files import atomic_write, compression_suffix, damaged_file_errors, open_file

__all__ = ["read_vectors", "write_vectors"]

# Lines parsed per numpy.loadtxt call: enough to amortize the call, few enough that the block
# of Python strings stays a few MB.
_BLOCK_LINES = 4096
_BINARY_CHUNK_BYTES = 1 << 20
# Bytes read at a time from text files, then split into lines.
_READ_BYTES = 1 << 20
_KEY_SEPARATORS = (" ", "\t", "\n", "\r")
# Bounds of one line (or binary record): a word of at most 64 KiB and values of at most 64
# characters each; no line of any file may exceed 64 MiB, which also bounds the vector size.
_MAX_WORD_BYTES = 1 << 16
_MAX_VALUE_BYTES = 64
_MAX_LINE_BYTES = 1 << 26
# A compressed file's matrix starts at this many bytes and doubles as vectors arrive.
_GROWTH_START_BYTES = 1 << 26


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a str or os.PathLike naming a file; got {type(path).__name__}."
        )
    return os.fspath(path)


def _check_limit(limit):
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0:
        raise ValueError(f"limit must be None or an int >= 0; got {limit!r} instead.")
    return int(limit)


def _parse_header(raw_line, path):
    fields = raw_line.split()
    try:
        if len(fields) != 2:
            raise ValueError
        n_words, vector_size = int(fields[0]), int(fields[1])
        if n_words < 0 or vector_size < 1:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"Line 1 of {path!r} should be the header '<n_words> <vector_size>'; got "
            f"{raw_line[:60]!r}. For a GloVe file (no header line) use load_glove_format "
            "or no_header=True."
        ) from None
    return n_words, vector_size


def _max_line_bytes(vector_size):
    """Longest line (or binary record) a file of vectors of ``vector_size`` values may hold."""
    return min(_MAX_WORD_BYTES + _MAX_VALUE_BYTES * vector_size, _MAX_LINE_BYTES)


def _header_fits_file(path, n_words, vector_size, binary, header_bytes):
    """Whether the file's size confirms the header, so that its matrix may be allocated at once.

    A header that announces more vectors than the file can hold (or a compressed file, whose
    size says little) makes the reader grow the matrix as vectors arrive instead; a truncated
    file is then reported when it ends. A vector size that no line can hold is an error.
    """
    row_bytes = 4 * vector_size if binary else 2 * vector_size
    if row_bytes > _MAX_LINE_BYTES:
        raise ValueError(
            f"The header of {path!r} announces vectors of {vector_size} values; skembed reads "
            f"lines (and binary records) of at most {_MAX_LINE_BYTES} bytes, which hold at "
            f"most {_MAX_LINE_BYTES // (row_bytes // vector_size)} values. The header is "
            "wrong, or this is not a vectors file."
        )
    if compression_suffix(path):
        return False
    # The shortest row: a one-byte word, then a space and one character (text) or four bytes
    # (binary) per value.
    needed = header_bytes + n_words * (row_bytes + (2 if binary else 1)) - 1
    return needed <= os.path.getsize(path)


def _bounded_lines(fin, path, line_number, bound):
    """Yield ``(line number, line without its newline)`` pairs from a binary file.

    The file is read in blocks of ``_READ_BYTES`` split at newlines in C, which is faster
    than reading line by line and never holds more than one block plus ``bound[0]`` bytes:
    a longer line is an error as soon as it is seen. ``bound`` is a one-item list so that
    the caller may tighten it once it knows the vector size.
    """
    pending = []  # pieces of a line that has not ended yet
    pending_bytes = 0
    while block := fin.read(_READ_BYTES):
        if b"\n" not in block:
            pending.append(block)
            pending_bytes += len(block)
            if pending_bytes > bound[0]:
                _raise_line_too_long(path, line_number + 1, bound[0])
            continue
        if pending:
            pending.append(block)
            block = b"".join(pending)
        lines = block.split(b"\n")
        last = lines.pop()
        pending, pending_bytes = [last], len(last)
        for line in lines:
            line_number += 1
            if len(line) > bound[0]:
                _raise_line_too_long(path, line_number, bound[0])
            yield line_number, line
    last = b"".join(pending)
    if last:
        if len(last) > bound[0]:
            _raise_line_too_long(path, line_number + 1, bound[0])
        yield line_number + 1, last


def _raise_line_too_long(path, line_number, max_bytes):
    raise ValueError(
        f"Line {line_number} of {path!r} is longer than {max_bytes} bytes, far more than a "
        "word and its vector take. The file is not a vectors file, or its header is wrong."
    )


def _decode_word(raw_word, encoding, unicode_errors, path, line_number):
    try:
        return raw_word.decode(encoding, unicode_errors)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"Line {line_number} of {path!r}: the word {raw_word[:40]!r} is not valid "
            f"{encoding} ({exc.reason}). Pass the file's encoding=, or "
            "unicode_errors='replace' to read it anyway."
        ) from None


def _parse_values(rests):
    """Parse a list of whitespace-separated number strings into a 2-D float32 array."""
    return np.loadtxt(rests, dtype=np.float32, delimiter=None, comments=None,
                      quotechar=None, ndmin=2)


def _raise_for_bad_line(rests, line_numbers, vector_size, path):
    """Raise a ValueError naming the first malformed line of a block that failed to parse."""
    for rest, line_number in zip(rests, line_numbers):
        fields = rest.split()
        if len(fields) != vector_size:
            raise ValueError(
                f"Line {line_number} of {path!r} has {len(fields)} values after the word; "
                f"expected {vector_size}, the vector size. The file is malformed or "
                "truncated, or a word contains a space."
            )
        for field in fields:
            try:
                _parse_values([field])
            except ValueError:
                raise ValueError(
                    f"Line {line_number} of {path!r}: {field[:40]!r} is not a number. Each "
                    "line must be a word followed by its values, separated by spaces."
                ) from None
    raise ValueError(f"Could not parse the lines from {line_numbers[0]} of {path!r}.")


class _VectorSink:
    """A preallocated matrix and key list filled block by block; the first of duplicated
    words wins (as in gensim), with one warning."""

    def __init__(self, n_words, vector_size, path, preallocate=True):
        rows = n_words
        if not preallocate:
            rows = min(n_words, max(1, _GROWTH_START_BYTES // (4 * vector_size)))
        self._n_words = n_words
        self.vectors = np.empty((rows, vector_size), dtype=np.float32)
        self.keys = []
        self._seen = set()
        self._duplicate_rows = []
        self._path = path

    def __len__(self):
        return len(self.keys)

    def add_block(self, words, values, line_numbers):
        finite = np.isfinite(values).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            raise ValueError(
                f"Line {line_numbers[row]} of {self._path!r}: the vector of {words[row]!r} "
                "holds NaN or infinite values. skembed only loads finite vectors: fix or "
                "drop that line."
            )
        start = len(self.keys)
        if start + len(words) > self.vectors.shape[0]:
            rows = min(self._n_words, max(start + len(words), 2 * self.vectors.shape[0]))
            grown = np.empty((rows, self.vectors.shape[1]), dtype=np.float32)
            grown[:start] = self.vectors[:start]
            self.vectors = grown
        self.vectors[start:start + len(words)] = values
        for offset, word in enumerate(words):
            if word in self._seen:
                if not self._duplicate_rows:
                    warnings.warn(
                        f"{self._path!r} holds the word {word!r} more than once (again on "
                        f"line {line_numbers[offset]}); keeping the first vector of every "
                        "duplicated word.", UserWarning, stacklevel=5)
                self._duplicate_rows.append(start + offset)
            else:
                self._seen.add(word)
            self.keys.append(word)

    def result(self):
        vectors = self.vectors[:len(self.keys)]
        keys = self.keys
        if self._duplicate_rows:
            keep = np.ones(len(keys), dtype=bool)
            keep[self._duplicate_rows] = False
            vectors = vectors[keep]
            keys = [key for key, kept in zip(keys, keep) if kept]
        return vectors, keys


def _scan_headerless(path, limit):
    """First pass over a header-less text file: (number of non-blank lines, vector size)."""
    n_lines, vector_size = 0, None
    bound = [_MAX_LINE_BYTES]
    with open_file(path, "rb") as fin:
        for line_number, raw in _bounded_lines(fin, path, 0, bound):
            if limit is not None and n_lines >= limit:
                break
            if not raw.strip():
                continue
            if vector_size is None:
                vector_size = len(raw.split(b" ", 1)[-1].split()) if b" " in raw else 0
                if vector_size == 0:
                    raise ValueError(
                        f"Line {line_number} of {path!r} holds a word but no values; a "
                        "header-less (GloVe) file starts with '<word> <v1> ... <vd>'."
                    )
                bound[0] = _max_line_bytes(vector_size)
            n_lines += 1
    return n_lines, vector_size


def _read_text(fin, path, n_words, vector_size, line_number, encoding, unicode_errors,
               preallocate=True):
    """Read ``n_words`` vectors from the text lines of ``fin`` (blank lines are skipped).

    ``line_number`` is the number of lines already consumed (1 after a header).
    """
    sink = _VectorSink(n_words, vector_size, path, preallocate)
    lines = _bounded_lines(fin, path, line_number, [_max_line_bytes(vector_size)])
    exhausted = False
    while len(sink) < n_words and not exhausted:
        wanted = min(_BLOCK_LINES, n_words - len(sink))
        words, rests, line_numbers = [], [], []
        while len(words) < wanted:
            item = next(lines, None)
            if item is None:
                exhausted = True
                break
            line_number, raw = item
            if not raw or raw.isspace():
                continue
            raw_word, space, raw_rest = raw.partition(b" ")
            if not space:
                raw_word = raw_word.rstrip(b"\r\n")
            try:
                words.append(raw_word.decode(encoding, unicode_errors))
            except UnicodeDecodeError:
                _decode_word(raw_word, encoding, unicode_errors, path, line_number)
            rests.append(raw_rest.decode("latin-1"))
            line_numbers.append(line_number)
        if not words:
            break
        try:
            values = _parse_values(rests)
        except ValueError:
            values = None
        if values is None or values.shape != (len(rests), vector_size):
            _raise_for_bad_line(rests, line_numbers, vector_size, path)
        sink.add_block(words, values, line_numbers)
    if len(sink) < n_words:
        raise ValueError(
            f"{path!r} ends after line {line_number} with {len(sink)} vectors; its header "
            f"announced {n_words}. The file is truncated; pass limit= to read fewer vectors."
        )
    return sink.result()


def _read_binary(fin, path, n_words, vector_size, encoding, unicode_errors, preallocate=True):
    """Read ``n_words`` binary records (word, space, float32 values) from ``fin``."""
    sink = _VectorSink(n_words, vector_size, path, preallocate)
    row_bytes = 4 * vector_size
    buffer, position = b"", 0
    while len(sink) < n_words:
        n_block = min(_BLOCK_LINES, n_words - len(sink),
                      max(1, _GROWTH_START_BYTES // row_bytes))
        values = np.empty((n_block, vector_size), dtype=np.float32)
        words, line_numbers = [], []
        for row in range(n_block):
            line_number = len(sink) + row + 2
            while True:
                space = buffer.find(b" ", position)
                if space != -1 and len(buffer) - space - 1 >= row_bytes:
                    break
                if (space if space != -1 else len(buffer)) - position > _MAX_WORD_BYTES:
                    raise ValueError(
                        f"The binary record of vector {line_number - 1} of {path!r} starts "
                        f"with more than {_MAX_WORD_BYTES} bytes without a space: the file "
                        "is not a word2vec binary file, or it is corrupt."
                    )
                chunk = fin.read(_BINARY_CHUNK_BYTES)
                if not chunk:
                    raise ValueError(
                        f"{path!r} is truncated: the binary record of vector "
                        f"{line_number - 1} (line {line_number} counting the header) is "
                        f"incomplete; the header announced {n_words} vectors of "
                        f"{vector_size} values. Pass limit= to read fewer vectors."
                    )
                buffer = buffer[position:] + chunk
                position = 0
            # The C tool ends each vector with a newline; gensim does not.
            raw_word = buffer[position:space].lstrip(b"\n")
            words.append(_decode_word(raw_word, encoding, unicode_errors, path, line_number))
            values[row] = np.frombuffer(buffer, dtype="<f4", count=vector_size,
                                        offset=space + 1)
            line_numbers.append(line_number)
            position = space + 1 + row_bytes
        sink.add_block(words, values, line_numbers)
    return sink.result()


def read_vectors(path, *, binary=False, no_header=False, limit=None, encoding="utf-8",
                 unicode_errors="strict"):
    """Read a word2vec (text or binary) or GloVe file.

    Parameters
    ----------
    path : str or os.PathLike
        The file; ``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` files are decompressed
        transparently.
    binary : bool, default=False
        True for the word2vec binary format.
    no_header : bool, default=False
        True for a text file without the ``"<n_words> <vector_size>"`` header (GloVe).
    limit : int or None, default=None
        Read at most this many vectors from the top of the file.
    encoding : str, default="utf-8"
        Encoding of the words (an ASCII-compatible one: utf-8, latin-1, ...).
    unicode_errors : str, default="strict"
        How to handle words that do not decode, as in :meth:`bytes.decode`.

    Returns
    -------
    vectors : ndarray of shape (n_words, vector_size), dtype float32
    keys : list of str
    """
    path = _check_path(path)
    limit = _check_limit(limit)
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ValueError(f"Unknown encoding {encoding!r}; use e.g. 'utf-8'.") from None
    if binary and no_header:
        raise ValueError(
            "no_header=True is only possible for text files: the binary word2vec format "
            "needs its header to know the vector size."
        )
    with damaged_file_errors(path):
        return _read_vectors(path, binary, no_header, limit, encoding, unicode_errors)


def _read_vectors(path, binary, no_header, limit, encoding, unicode_errors):
    """The body of :func:`read_vectors`, once its arguments are checked."""
    if no_header:
        n_words, vector_size = _scan_headerless(path, limit)
        if vector_size is None:
            return np.empty((0, 0), dtype=np.float32), []
        with open_file(path, "rb") as fin:
            return _read_text(fin, path, n_words, vector_size, 0, encoding, unicode_errors)
    with open_file(path, "rb") as fin:
        header = fin.readline(_MAX_WORD_BYTES)
        n_words, vector_size = _parse_header(header.decode("latin-1"), path)
        if limit is not None:
            n_words = min(n_words, limit)
        preallocate = _header_fits_file(path, n_words, vector_size, binary, len(header))
        if binary:
            return _read_binary(fin, path, n_words, vector_size, encoding, unicode_errors,
                                preallocate)
        return _read_text(fin, path, n_words, vector_size, 1, encoding, unicode_errors,
                          preallocate)


def write_vectors(path, vectors, keys, *, binary=False, write_header=True):
    """Write vectors in the word2vec text or binary format, or (no header) GloVe text.

    Text values are written with 9 significant digits, which reads back to the identical
    float32. Words are encoded as UTF-8.

    Parameters
    ----------
    path : str or os.PathLike
        The file; a ``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` suffix compresses it. The
        vectors go to a temporary file in the same directory that replaces ``path`` only
        once it is complete: an error or an interruption leaves any previous file intact.
    vectors : ndarray of shape (n_words, vector_size), dtype float32
    keys : list of str
    binary : bool, default=False
        True for the word2vec binary format.
    write_header : bool, default=True
        False omits the header line (the GloVe layout); binary files always have one.
    """
    path = _check_path(path)
    if binary and not write_header:
        raise ValueError(
            "write_header=False is only possible for text files: a binary word2vec file "
            "needs its header to be read back."
        )
    _check_keys(keys)
    n_words, vector_size = vectors.shape
    _check_finite(vectors, keys)
    with atomic_write(path, "wb") as fout:
        if write_header:
            fout.write(f"{n_words} {vector_size}\n".encode("ascii"))
        if binary:
            little_endian = vectors.astype("<f4", copy=False)
            for key, row in zip(keys, little_endian):
                fout.write(key.encode("utf-8") + b" " + row.tobytes() + b"\n")
            return
        line_format = "%s" + " %.9g" * vector_size + "\n"
        for start in range(0, n_words, _BLOCK_LINES):
            stop = start + _BLOCK_LINES
            rows = vectors[start:stop].tolist()
            text = "".join(line_format % (key, *row) for key, row in zip(keys[start:stop], rows))
            fout.write(text.encode("utf-8"))


def _check_keys(keys):
    """Raise, before anything is written, for a key that could not be read back."""
    for key in keys:
        if not key or any(separator in key for separator in _KEY_SEPARATORS):
            raise ValueError(
                f"The key {key!r} cannot be written: keys in word2vec and GloVe files must be "
                "non-empty and contain no space, tab or newline. Rename it first."
            )
    try:
        "".join(keys).encode("utf-8")
    except UnicodeEncodeError:
        for key in keys:
            try:
                key.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ValueError(
                    f"The key {key!r} cannot be written: it holds {key[error.start]!r}, a "
                    "lone surrogate with no UTF-8 encoding (text decoded with "
                    "errors='surrogateescape'?). Rename it first."
                ) from None


def _check_finite(vectors, keys):
    """Raise, before anything is written, for a vector that could not be read back."""
    if vectors.size and not (np.isfinite(vectors.min()) and np.isfinite(vectors.max())):
        row = int(np.argmin(np.isfinite(vectors).all(axis=1)))
        raise ValueError(
            f"The vector of {keys[row]!r} holds NaN or infinite values; vector files hold "
            "finite values only. Fix or drop that vector first."
        )
