"""Text input: checking document collections and turning documents into tokens.

Every estimator in skembed takes an iterable of documents. A document is either a ``str``
(split into tokens by an analyzer built like scikit-learn's ``CountVectorizer``:
``preprocessor``, ``lowercase``, ``tokenizer``, ``token_pattern``) or a sequence of ``str``
tokens, used as it is (for example the output of :class:`~skembed.BPETokenizer`). Analyzers are
``functools.partial`` objects over module-level functions so that they pickle, which joblib
workers and ``clone`` rely on.
"""

import functools
import numbers
import re
from collections.abc import Iterable

import numpy as np

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def check_document_collection(X):
    """Reject inputs that cannot be a collection of documents, before any work is done.

    Parameters
    ----------
    X : object
        What the user passed as ``X``.

    Raises
    ------
    ValueError
        If ``X`` is a single ``str`` or ``bytes`` (a common slip: one document instead of a
        list of documents).
    TypeError
        If ``X`` is ``None`` or not iterable.
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(
            "Iterable over raw text documents expected, string object received. "
            "Wrap a single document in a list: [document]."
        )
    if X is None:
        raise TypeError(
            "Expected an iterable of documents (str or sequences of str tokens), got None."
        )
    if hasattr(X, "columns") and len(getattr(X, "shape", ())) == 2:
        # Iterating over a DataFrame yields its column names, not its rows.
        raise ValueError(
            f"Expected a 1-D collection of documents, got a {type(X).__name__} with columns "
            f"{list(X.columns)[:5]!r}: iterating over it gives the column names. Pass the "
            "column that holds the text, e.g. X['text']."
        )
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise ValueError(
            "Expected a 1-D collection of documents, got an array of shape "
            f"{X.shape}. Pass one document per row, e.g. X.ravel() or a list of str."
        )
    if not isinstance(X, Iterable):
        raise TypeError(
            "Expected an iterable of documents (str or sequences of str tokens), got "
            f"{type(X).__name__}."
        )


def _read_document(doc, index, input, encoding, decode_error):
    """Turn one raw item of ``X`` into a ``str`` or a ``list`` of ``str`` tokens."""
    if input == "filename":
        if not isinstance(doc, (str, bytes)) and not hasattr(doc, "__fspath__"):
            raise TypeError(
                f"Document {index}: with input='filename' every item must be a path, got "
                f"{type(doc).__name__}."
            )
        with open(doc, "rb") as handle:
            doc = handle.read()
    elif input == "file":
        if not hasattr(doc, "read"):
            raise TypeError(
                f"Document {index}: with input='file' every item must be a file object with a "
                f"read() method, got {type(doc).__name__}."
            )
        doc = doc.read()

    if isinstance(doc, str):
        return doc
    if isinstance(doc, (bytes, bytearray)):
        try:
            return bytes(doc).decode(encoding, decode_error)
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"Document {index} is bytes that do not decode as {encoding!r} ({exc.reason} "
                f"at byte {exc.start}). Pass the right encoding=..., or "
                "decode_error='replace' or 'ignore'."
            ) from None
    if isinstance(doc, np.str_):
        return str(doc)
    if doc is None or isinstance(doc, (numbers.Number, np.generic)):
        raise TypeError(
            f"Document {index} is {doc!r} ({type(doc).__name__}); expected a str or a "
            "sequence of str tokens. Drop or fill missing documents first (an empty "
            "string is a valid document)."
        )
    if isinstance(doc, Iterable) and not isinstance(doc, dict):
        tokens = list(doc)
        if not set(map(type, tokens)) <= {str}:  # C-speed check; the loop runs on errors only
            bad = [token for token in tokens if not isinstance(token, str)][:1]
            if not bad:
                # Subclasses of str (numpy.str_ from an array or a pandas column) are
                # tokens too, stored as plain str.
                return list(map(str, tokens))
            raise TypeError(
                f"Document {index} is a sequence whose items must all be str tokens, but "
                f"it contains {bad[0]!r} ({type(bad[0]).__name__})."
            )
        return tokens
    raise TypeError(
        f"Document {index} is a {type(doc).__name__}; expected a str or a sequence of str "
        "tokens."
    )


def iter_documents(X, input="content", encoding="utf-8", decode_error="strict", start=0):
    """Yield the documents of ``X`` one at a time, each a ``str`` or a ``list`` of ``str``.

    Validation is lazy, so ``X`` may be a generator or an open file read line by line; an
    invalid document raises when it is reached, with its position in ``X``.

    Parameters
    ----------
    X : iterable
        The documents.
    input : {'content', 'filename', 'file'}, default='content'
        As in scikit-learn's text vectorizers: items are the documents, paths to read, or
        file objects to read.
    encoding : str, default='utf-8'
        Encoding used to decode ``bytes``.
    decode_error : {'strict', 'ignore', 'replace'}, default='strict'
        What to do with bytes that do not decode.
    start : int, default=0
        Index of the first document, used in error messages when ``X`` is a chunk.

    Yields
    ------
    str or list of str

    Examples
    --------
    >>> from skembed._text import iter_documents
    >>> list(iter_documents(["a text", ["pre", "tokenized"], b"bytes"]))
    ['a text', ['pre', 'tokenized'], 'bytes']
    """
    check_document_collection(X)
    for index, doc in enumerate(X, start):
        yield _read_document(doc, index, input, encoding, decode_error)


def _analyze(doc, preprocessor, tokenizer, lowercase, token_regex, string_analyzer):
    """Tokens of one document already read by :func:`iter_documents`."""
    if not isinstance(doc, str):
        return doc
    if string_analyzer is not None:
        return string_analyzer(doc)
    if preprocessor is not None:
        doc = preprocessor(doc)
    elif lowercase:
        doc = doc.lower()
    if tokenizer is not None:
        return list(tokenizer(doc))
    return token_regex.findall(doc)


def build_analyzer(
    lowercase=True,
    preprocessor=None,
    tokenizer=None,
    token_pattern=DEFAULT_TOKEN_PATTERN,
    string_analyzer=None,
):
    """Make the picklable callable that turns one document into a list of tokens.

    String documents go through ``preprocessor`` (or lower-casing when ``lowercase``) and
    then ``tokenizer`` (or ``re.findall(token_pattern)``), exactly as scikit-learn's
    ``CountVectorizer(analyzer='word')`` does for these parameters. Documents that are already
    sequences of tokens are returned unchanged.

    Parameters
    ----------
    lowercase : bool, default=True
        Lower-case string documents (ignored when ``preprocessor`` is given, as in
        scikit-learn).
    preprocessor : callable, default=None
        Called on each string document before tokenizing.
    tokenizer : callable, default=None
        Called on each (preprocessed) string document; returns its tokens. Overrides
        ``token_pattern``.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression whose matches are the tokens. If it has one capturing group, the
        group is the token.
    string_analyzer : callable, default=None
        A complete analyzer for strings (for example ``TfidfVectorizer().build_analyzer()``)
        used instead of the four options above.

    Returns
    -------
    callable
        ``analyzer(document) -> list of str``.

    Examples
    --------
    >>> from skembed._text import build_analyzer
    >>> analyze = build_analyzer()
    >>> analyze("The cat sat on a mat.")
    ['the', 'cat', 'sat', 'on', 'mat']
    >>> analyze(["Already", "tokens"])
    ['Already', 'tokens']
    """
    token_regex = None
    if tokenizer is None and string_analyzer is None:
        if token_pattern is None:
            raise ValueError(
                "token_pattern=None needs a tokenizer: pass tokenizer=callable or a "
                "token_pattern regular expression."
            )
        try:
            token_regex = re.compile(token_pattern)
        except re.error as error:
            raise ValueError(
                f"token_pattern {token_pattern!r} is not a valid regular expression: {error}."
            ) from None
        if token_regex.groups > 1:
            raise ValueError(
                "More than 1 capturing group in token pattern. Only a single group should be "
                "captured."
            )
    return functools.partial(
        _analyze,
        preprocessor=preprocessor,
        tokenizer=tokenizer,
        lowercase=lowercase,
        token_regex=token_regex,
        string_analyzer=string_analyzer,
    )
