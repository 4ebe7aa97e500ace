"""Files: compression chosen by the file name, and writes that replace a file atomically.

Every reader and writer of skembed (vector files, corpora of the command line, BPE
tokenizer directories) opens files through :func:`open_file` and :func:`atomic_write`, so
``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` names (in any letter case) work everywhere, and no
save ever leaves a truncated file behind: the data go to a temporary file in the same
directory, which replaces the destination only once it is complete.
"""

import bz2
import contextlib
import gzip
import io
import lzma
import os
import tempfile
import zlib

__all__ = ["atomic_write", "check_output_path", "compression_suffix", "damaged_file_errors",
           "is_damaged_file_error", "open_file", "strip_compression_suffix"]

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


def compression_suffix(path):
    """The compression suffix of ``path`` in lower case (``".gz"``...), or ``""``."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    return suffix if suffix in _OPENERS else ""


def strip_compression_suffix(path):
    """``path`` without its compression suffix: ``"v.txt.GZ"`` gives ``"v.txt"``."""
    path = os.fspath(path)
    suffix = compression_suffix(path)
    return path[: len(path) - len(suffix)]


def open_file(path, mode="rb", *, encoding=None, errors=None):
    """Open ``path`` for reading, decompressing it when its name says it is compressed.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    mode : {'rb', 'rt'}, default='rb'
        Binary or text.
    encoding, errors : str, default=None
        For text mode, as in :func:`open`.

    Returns
    -------
    file object
    """
    opener = _OPENERS.get(compression_suffix(path), open)
    if "b" in mode:
        return opener(path, mode)
    return opener(path, mode, encoding=encoding, errors=errors)


# What reading a damaged or truncated compressed file raises: gzip and bz2 raise OSError
# (without an errno, unlike a missing file or a refused permission), or EOFError when the data
# end early; zlib and lzma have their own exceptions.
_DAMAGED_FILE_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def is_damaged_file_error(error):
    """Whether ``error`` says that a file's (compressed) content is damaged or truncated."""
    if isinstance(error, OSError):
        return error.errno is None
    return isinstance(error, _DAMAGED_FILE_ERRORS)


@contextlib.contextmanager
def damaged_file_errors(path):
    """Turn the errors of damaged compressed data read in the block into a ValueError that
    names ``path``; other errors (a missing file...) pass unchanged."""
    try:
        yield
    except _DAMAGED_FILE_ERRORS as error:
        if not is_damaged_file_error(error):
            raise
        raise ValueError(
            f"{os.fspath(path)!r} could not be read: {error or type(error).__name__}. The file "
            "is damaged or truncated."
        ) from None


def _compressor(path, raw):
    """A writable compressed stream over the open binary file ``raw`` (or ``raw`` itself)."""
    suffix = compression_suffix(path)
    if suffix == ".gz":
        # The name stored in the gzip header is the destination's, not the temporary file's.
        return gzip.GzipFile(filename=os.path.basename(path), mode="wb", fileobj=raw)
    if suffix == ".bz2":
        return bz2.BZ2File(raw, "wb")
    if suffix == ".xz":
        return lzma.LZMAFile(raw, "wb")
    if suffix == ".lzma":
        return lzma.LZMAFile(raw, "wb", format=lzma.FORMAT_ALONE)
    return None


def check_output_path(path):
    """Raise a clear error now if ``path`` cannot be written later (missing directory...).

    Parameters
    ----------
    path : str or os.PathLike
        Where a file is going to be written.

    Raises
    ------
    FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError
        With a message naming ``path``.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"Cannot write {path!r}: the directory {directory!r} does not exist. Create it "
            "first."
        )
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write {path!r}: it is a directory. Name a file.")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(
            f"Cannot write {path!r}: no permission to create files in {directory!r}."
        )


def _new_file_mode(path):
    """Permission bits for the file: those of the file it replaces, else 0o666 minus umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _finish(stream, binary, compressed):
    """Flush the text layer and end the compressed stream, leaving the raw file open."""
    if stream is not binary:
        stream.detach()
    if compressed is not None:
        compressed.close()


@contextlib.contextmanager
def atomic_write(path, mode="wb", *, encoding=None, errors=None):
    """Write a file completely or not at all.

    The block writes to a temporary file in the destination's directory, compressed when the
    destination's name ends in ``.gz``, ``.bz2``, ``.xz`` or ``.lzma``; when the block ends
    normally the file is flushed to disk and :func:`os.replace` puts it in place in one
    step. If the block raises (a ``KeyboardInterrupt`` too), the temporary file is removed
    and any previous file at ``path`` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The destination; its directory must exist.
    mode : {'wb', 'wt'}, default='wb'
        ``'wt'`` yields a text stream with the given ``encoding`` and ``errors`` (as in
        :func:`open`), ``'wb'`` a binary one.

    Yields
    ------
    file object
    """
    path = os.fspath(path)
    check_output_path(path)
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as raw:
            compressed = _compressor(path, raw)
            binary = raw if compressed is None else compressed
            stream = binary if "b" in mode else io.TextIOWrapper(
                binary, encoding=encoding, errors=errors, newline="")
            try:
                yield stream
            except BaseException:
                with contextlib.suppress(Exception):
                    _finish(stream, binary, compressed)
                raise
            _finish(stream, binary, compressed)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, _new_file_mode(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
