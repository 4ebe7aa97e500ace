"""Byte-pair encoding (BPE) subword tokenizer as a scikit-learn transformer.

``BPETokenizer`` learns merges from the documents given to ``fit`` and splits text into
subword tokens. Strings become integer symbol ids here; the merge loop and the segmentation
of words run in the numba kernels of ``skembed._kernels._bpe``. Words are counted once (in
parallel chunks through joblib for large inputs) and every distinct word is segmented once:
encoding a word seen before costs a dictionary lookup.
"""

import contextlib
import json
import os
import re
import threading
from collections import Counter
from functools import lru_cache
from itertools import chain

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._base import (
    N_JOBS_CONSTRAINT,
    Integral,
    Interval,
    StrOptions,
    _fit_context,
    numba_threads,
)
from ._kernels._bpe import (
    PUNCTUATION,
    SPACE,
    WORD_CHAR,
    build_merge_table,
    encode_words,
    encode_words_parallel,
    gather_tokens,
    index_words,
    learn_merges,
    new_word_table,
    split_words,
)
from ._corpus import iter_chunks
from ._files import atomic_write
from ._text import check_document_collection, iter_documents

END_OF_WORD = "</w>"

CHAR_LEVEL_PATTERN = r"\w+|[^\w\s]+"

# GPT-2's pre-tokenizer written for the standard ``re`` module: \p{L} becomes [^\W\d_] and
# \p{N} becomes \d, and the underscore joins the punctuation class as in GPT-2.
BYTE_LEVEL_PATTERN = (
    r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"
)

_CHUNK_SIZE = 20_000
# Below this many new words, starting numba's threads costs more than it saves.
_PARALLEL_MIN_WORDS = 10_000


def _bytes_to_unicode():
    """Map each byte to a printable character, as GPT-2's byte-level BPE does.

    Bytes that are printable Latin-1 characters stand for themselves; the others (controls,
    space, a few more) are shifted to code points from 256 up, so that every token is a
    visible string without whitespace.
    """
    # "!" to "~", inverted exclamation mark to not sign, registered sign to y with diaeresis.
    printable = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    mapping = {}
    shifted = 0
    for byte in range(256):
        if byte in printable:
            mapping[byte] = chr(byte)
        else:
            mapping[byte] = chr(256 + shifted)
            shifted += 1
    return mapping


BYTE_TO_CHAR = _bytes_to_unicode()
CHAR_TO_BYTE = {char: byte for byte, char in BYTE_TO_CHAR.items()}


@lru_cache(maxsize=1)
def _char_classes():
    """Class of every code point as Python's ``re`` sees it: ``SPACE`` for ``\\s``,
    ``WORD_CHAR`` for ``\\w`` and ``PUNCTUATION`` for the rest.

    With this table, compiled code splits text exactly as ``CHAR_LEVEL_PATTERN`` does.
    """
    every = "".join(map(chr, range(0x110000)))
    classes = np.full(0x110000, PUNCTUATION, dtype=np.uint8)
    for pattern, kind in ((r"\w+", WORD_CHAR), (r"\s+", SPACE)):
        for match in re.finditer(pattern, every):
            classes[match.start():match.end()] = kind
    return classes


def _code_points(texts):
    """Code points of the concatenated texts, and where each text ends among them."""
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32), ends


def _iter_texts(X):
    """Yield each document of ``X`` as one string; token lists are joined with spaces."""
    for index, document in enumerate(iter_documents(X)):
        text = document if isinstance(document, str) else " ".join(document)
        if not text.isascii():  # free for ASCII text, one encoding pass otherwise
            _check_encodable(text, index)
        yield text


def _check_encodable(text, index):
    """Reject text with lone surrogates: BPE works on UTF-8, which cannot encode them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"Document {index} holds {text[error.start]!r} at position {error.start}, a lone "
            "surrogate that has no UTF-8 encoding, so BPE cannot split it into bytes or "
            "characters. It usually comes from bytes decoded with errors='surrogateescape': "
            "decode them with the right encoding, or with errors='replace'."
        ) from None


def _special_splitter(special_tokens):
    """A regex whose ``split`` isolates the special tokens (longest first), or None."""
    if not special_tokens:
        return None
    alternatives = sorted(special_tokens, key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, alternatives)) + ")")


def _split_words(texts, pattern, lowercase, special_splitter=None):
    """Pre-tokenize documents: one list of words per document.

    With ``special_splitter``, the special tokens are found first, in the text as it is; each
    occurrence becomes the one-element tuple ``(token,)`` among the words, and only the text
    between them is lower-cased and pre-tokenized.
    """
    if special_splitter is not None:
        documents = []
        for text in texts:
            pieces = special_splitter.split(text)
            words = []
            for piece, special in zip(pieces[::2], pieces[1::2] + [None]):
                if piece:
                    words += _split_words([piece], pattern, lowercase)[0]
                if special is not None:
                    words.append((special,))
            documents.append(words)
        return documents
    findall = re.compile(pattern).findall
    if re.compile(pattern).fullmatch(""):
        # A pattern that can match the empty string would yield empty words.
        return [[word for word in findall(text.lower() if lowercase else text) if word]
                for text in texts]
    if lowercase:
        return [findall(text.lower()) for text in texts]
    return [findall(text) for text in texts]


def _count_words(texts, pattern, lowercase):
    """Count the words of a chunk of documents after pre-tokenization."""
    findall = re.compile(pattern).findall
    if pattern == CHAR_LEVEL_PATTERN:
        # No match of this pattern contains whitespace, so one pass over the joined chunk
        # finds the same words as one pass per document, with far less Python overhead.
        text = "\n".join(texts)
        return Counter(findall(text.lower() if lowercase else text))
    counts = Counter()
    for text in texts:
        counts.update(findall(text.lower() if lowercase else text))
    counts.pop("", None)
    return counts


def _check_special_collisions(special_tokens, alphabet, byte_level):
    """Reject special tokens that are also base symbols: a token list could not tell them
    apart."""
    clashes = sorted(set(special_tokens) & set(alphabet))
    if clashes:
        kind = ("one of the 256 byte symbols of byte-level BPE" if byte_level else
                "a character of the training text or the end-of-word symbol '</w>'")
        raise ValueError(
            f"The special token {clashes[0]!r} is also {kind}, so the tokens could not tell "
            "the two apart. Choose special tokens that cannot be base symbols, such as "
            "'<unk>' or '<|endoftext|>'."
        )


def _read_json(path):
    """The JSON value of a file, with errors that name the file and the line."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}, line {error.lineno} column {error.colno}: not valid JSON ({error.msg})."
        ) from None
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text ({error.reason} at byte {error.start})."
        ) from None


def _read_params(path, cls):
    """The unfitted tokenizer described by ``skembed_bpe.json``, every value checked."""
    params = _read_json(path)
    if not isinstance(params, dict):
        raise ValueError(f"{path} must hold a JSON object of parameters; got {params!r:.60}.")
    known = cls().get_params()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(
            f"{path} holds {unknown[0]!r}, which is not a parameter of {cls.__name__} "
            f"(those are {sorted(known)})."
        )
    special_tokens = params.get("special_tokens", [])
    if not isinstance(special_tokens, list):
        raise ValueError(f"{path}: special_tokens must be a list; got {special_tokens!r:.60}.")
    params["special_tokens"] = tuple(special_tokens)
    tokenizer = cls(**params)
    try:
        tokenizer._validate_params()
        tokenizer._check_special_tokens()
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return tokenizer


def _read_vocabulary(path):
    """``vocab.json``: an object mapping each token to its id, the ids 0 to n - 1."""
    vocabulary = _read_json(path)
    if not isinstance(vocabulary, dict) or not vocabulary:
        raise ValueError(f"{path} must hold a non-empty JSON object of token: id pairs.")
    for token, index in vocabulary.items():
        if isinstance(index, bool) or not isinstance(index, int) or not token:
            raise ValueError(
                f"{path} maps {token!r} to {index!r}; every token must be a non-empty string "
                "and every id an int."
            )
    if sorted(vocabulary.values()) != list(range(len(vocabulary))):
        seen = set()
        for token, index in vocabulary.items():
            if not 0 <= index < len(vocabulary) or index in seen:
                raise ValueError(
                    f"{path} gives {token!r} the id {index}; the ids of its {len(vocabulary)} "
                    f"tokens must be 0 to {len(vocabulary) - 1}, each once."
                )
            seen.add(index)
    return vocabulary


def _read_merges(path, vocabulary, special_tokens):
    """``merges.txt``: one ``left right`` pair a line, each made of base symbols or earlier
    merges. Returns the merges and the alphabet (the tokens that no merge produces)."""
    lines = []
    try:
        with open(path, encoding="utf-8", newline="\n") as file:
            for line_number, line in enumerate(file, 1):
                line = line.rstrip("\n")
                if line and not (line_number == 1 and line.startswith("#version")):
                    lines.append((line_number, line))
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text ({error.reason} at byte {error.start})."
        ) from None
    merges = []
    for line_number, line in lines:
        pair = line.split(" ")
        if len(pair) != 2 or not all(pair):
            raise ValueError(
                f"{path}, line {line_number}: expected two tokens separated by one space; "
                f"got {line[:80]!r}."
            )
        merges.append((line_number, *pair))
    special = set(special_tokens)
    merged = {left + right for _, left, right in merges}
    alphabet = sorted(
        (token for token in vocabulary if token not in merged and token not in special),
        key=vocabulary.get,
    )
    known = set(alphabet)
    for line_number, left, right in merges:
        for token in (left, right, left + right):
            if token not in vocabulary:
                raise ValueError(
                    f"{path}, line {line_number}: the token {token!r} is not in vocab.json."
                )
        for token in (left, right):
            if token not in known:
                raise ValueError(
                    f"{path}, line {line_number}: {token!r} is neither a base symbol nor the "
                    "result of an earlier merge."
                )
        if left + right in special:
            raise ValueError(
                f"{path}, line {line_number}: the merge spells the special token "
                f"{left + right!r}; special tokens never come from merges."
            )
        known.add(left + right)
    pairs = [(left, right) for _, left, right in merges]
    if len(set(pairs)) != len(pairs):
        seen = set()
        for line_number, left, right in merges:
            if (left, right) in seen:
                raise ValueError(
                    f"{path}, line {line_number}: the merge {left!r} {right!r} is listed "
                    "twice."
                )
            seen.add((left, right))
    return pairs, alphabet


class BPETokenizer(TransformerMixin, BaseEstimator):
    """Byte-pair encoding subword tokenizer (Sennrich, Haddow and Birch, 2016).

    ``fit`` learns an ordered list of merges: starting from characters (or bytes), it
    repeatedly joins the most frequent adjacent pair of symbols inside the words of the
    training documents. ``transform`` splits each document into words with
    ``pre_tokenizer_pattern`` and each word into the subword tokens those merges produce, so
    rare words become sequences of frequent pieces and no word is out of vocabulary.

    Parameters
    ----------
    vocab_size : int, default=8000
        Upper bound on the number of tokens, special tokens and the alphabet included.
        Training stops when the vocabulary reaches it.
    min_frequency : int, default=2
        Training also stops when the most frequent pair occurs fewer times than this.
    lowercase : bool, default=False
        Lowercase documents before pre-tokenization. Off by default: subwords already share
        statistics between cased forms, and byte-level decoding is only exact on the original
        text.
    byte_level : bool, default=False
        If False, words are sequences of characters followed by an end-of-word symbol
        ``"</w>"``, as in the original paper; characters not seen in ``fit`` are unknown. If
        True, words are sequences of UTF-8 bytes shown as printable characters (GPT-2's
        byte-to-unicode map), whitespace is kept inside the tokens, the 256 bytes are always
        in the vocabulary, and ``decode`` gives back the exact text.
    special_tokens : tuple of str, default=()
        Tokens that receive the first ids, e.g. ``("<unk>", "<pad>")``. With
        ``byte_level=False`` and ``"<unk>"`` among them, unknown characters become
        ``"<unk>"``; otherwise they are dropped (and so is the end-of-word token of a word
        with no known character). Special tokens are atomic: they are found in the text
        first, as written (before ``lowercase``), and each occurrence becomes that one token;
        BPE learns from and splits only the text between them, and no merge ever produces
        one. A special token that is also a base symbol (a character of the training text
        or ``"</w>"``, or with ``byte_level=True`` one of the 256 byte symbols such as
        ``"Ġ"``) is an error in ``fit``.
    output : {"tokens", "ids"}, default="tokens"
        Whether ``transform`` returns token strings or their integer ids.
    pre_tokenizer_pattern : str, default=None
        Regular expression whose matches are the words; merges never cross a word boundary.
        None means ``r"\\w+|[^\\w\\s]+"`` for ``byte_level=False`` (runs of word characters and
        runs of punctuation; whitespace is dropped) and GPT-2's pattern for
        ``byte_level=True`` (contractions, letters, digits and punctuation, each with an
        optional leading space, and whitespace runs), written for Python's ``re`` module:
        ``\\p{L}`` is approximated by ``[^\\W\\d_]`` and ``\\p{N}`` by ``\\d``.
    n_jobs : int, default=None
        Number of joblib workers that count words in ``fit`` when they are split by a
        regular expression (the default char-level split without special tokens is counted
        by compiled code in this process), and of numba threads that segment new words in
        ``transform``. None means 1, -1 all cores. The merges and the tokens do not depend
        on it.
    verbose : int, default=0
        Print the size of the word counts and the number of merges learned.

    Attributes
    ----------
    merges_ : list of tuple of (str, str)
        The learned merges, in the order they were learned (their rank).
    vocabulary_ : dict of str to int
        Token to id: special tokens first, then the alphabet in sorted order, then merged
        tokens in merge order.

    See Also
    --------
    sklearn.feature_extraction.text.TfidfVectorizer : Takes a fitted ``BPETokenizer`` as
        its ``tokenizer``.

    Notes
    -----
    Training counts the pairs over distinct words weighted by their counts, keeps an index
    from each pair to the words that contain it, pops the best pair from a heap with lazy
    invalidation, and rewrites only the words that contain it. Ties between pairs with the
    same count go to the pair that sorts first as (left token, right token) strings (the
    end-of-word marker counts as one character), so the same documents always give the same
    merges.

    A document given as a list of str tokens is joined with single spaces and read as text.

    The defaults follow what users of HuggingFace ``tokenizers`` usually start from
    (``BpeTrainer`` with the ``Whitespace`` pre-tokenizer): the same split into words,
    ``\\w+|[^\\w\\s]+``, and no lowercasing. Two differences are deliberate: words end with
    the ``"</w>"`` symbol of the original paper, so a word-final token is told apart from
    the same letters inside a word and ``decode`` restores the spaces, and
    ``min_frequency=2`` never merges a pair seen once. With the default pattern and no
    special tokens, words are split, counted and looked up by compiled code over the text's
    code points (finding exactly the words of ``re.findall``), and each distinct word is
    segmented once and remembered across ``transform`` calls.

    References
    ----------
    Rico Sennrich, Barry Haddow and Alexandra Birch. Neural Machine Translation of Rare Words
    with Subword Units. ACL 2016.

    Examples
    --------
    >>> from skembed.bpe import BPETokenizer
    >>> docs = ["low low low lower newest newest widest widest"]
    >>> bpe = BPETokenizer(vocab_size=30).fit(docs)
    >>> bpe.merges_[:4]
    [('e', 's'), ('es', 't'), ('est', '</w>'), ('l', 'o')]
    >>> bpe.transform(["lowest", "slow"])
    [['low', 'est</w>'], ['s', 'low</w>']]
    >>> bpe.decode(['low', 'est</w>', 's', 'low</w>'])
    'lowest slow'
    """

    _parameter_constraints: dict = {
        "vocab_size": [Interval(Integral, 1, None, closed="left")],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "byte_level": ["boolean"],
        "special_tokens": [tuple, list],
        "output": [StrOptions({"tokens", "ids"})],
        "pre_tokenizer_pattern": [str, None],
        "n_jobs": N_JOBS_CONSTRAINT,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        vocab_size=8000,
        *,
        min_frequency=2,
        lowercase=False,
        byte_level=False,
        special_tokens=(),
        output="tokens",
        pre_tokenizer_pattern=None,
        n_jobs=None,
        verbose=0,
    ):
        self.vocab_size = vocab_size
        self.min_frequency = min_frequency
        self.lowercase = lowercase
        self.byte_level = byte_level
        self.special_tokens = special_tokens
        self.output = output
        self.pre_tokenizer_pattern = pre_tokenizer_pattern
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the merges from the documents in ``X``.

        Parameters
        ----------
        X : iterable of str or of list of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        self : BPETokenizer
            The fitted tokenizer.
        """
        check_document_collection(X)
        special_tokens = self._check_special_tokens()
        pattern = self._pattern()
        if self._compiled_split():
            codes, lengths, counts = self._count_words_compiled(X)
            alphabet, symbols, offsets = self._char_symbols_of_codes(
                codes, lengths, counts, len(special_tokens)
            )
        else:
            word_counts = self._count_words(X, pattern)
            words = list(word_counts)
            counts = np.fromiter(word_counts.values(), dtype=np.int64, count=len(words))
            if self.byte_level:
                alphabet = sorted(BYTE_TO_CHAR.values())
                symbols, offsets = self._byte_symbols(words, alphabet)
            else:
                alphabet, symbols, offsets = self._char_symbols(
                    words, counts, len(special_tokens)
                )
        if self.verbose:
            print(f"[BPETokenizer] {len(counts)} distinct words")
        _check_special_collisions(special_tokens, alphabet, self.byte_level)
        max_merges = self.vocab_size - len(special_tokens) - len(alphabet)
        if max_merges < 0:
            raise ValueError(
                f"vocab_size={self.vocab_size} is smaller than the {len(special_tokens)} "
                f"special tokens plus the {len(alphabet)} base symbols. Use a vocab_size of "
                f"at least {len(special_tokens) + len(alphabet)}."
            )
        merge_ids, _ = learn_merges(
            symbols, offsets, counts, len(alphabet), max_merges, self.min_frequency
        )
        symbol_strings = list(alphabet)
        for left, right in merge_ids:
            symbol_strings.append(symbol_strings[left] + symbol_strings[right])
        merges = [(symbol_strings[left], symbol_strings[right]) for left, right in merge_ids]
        # A merge that spells a special token is dropped (with the merges built on it), so a
        # token is never both: special tokens come only from the text, matched before BPE.
        self._set_model(special_tokens, alphabet, merges)
        if self.verbose:
            print(f"[BPETokenizer] {len(self.merges_)} merges, {len(self.vocabulary_)} tokens")
        return self

    def transform(self, X):
        """Split each document into subword tokens.

        Parameters
        ----------
        X : iterable of str or of list of str
            Documents.

        Returns
        -------
        list of list of str, or list of list of int
            The tokens of each document (their ids with ``output="ids"``).
        """
        check_is_fitted(self)
        check_document_collection(X)
        if self._compiled_split():
            return self._transform_compiled(X, as_ids=self.output == "ids")
        cache = self._cache_ids if self.output == "ids" else self._cache_tokens
        lookup = cache.__getitem__
        pattern = self._pattern()
        result = []
        # Chunks bound the memory held by the words of documents not yet tokenized.
        for texts in iter_chunks(_iter_texts(X), _CHUNK_SIZE):
            documents = _split_words(texts, pattern, self.lowercase, self._special_splitter)
            self._encode_missing(documents, cache)
            result += [list(chain.from_iterable(map(lookup, words))) for words in documents]
        return result

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the merges from ``X`` and return its tokens.

        Parameters
        ----------
        X : iterable of str or of list of str
            Training documents. A one-pass iterator (e.g. a generator) is read into a list
            first, since the documents are needed twice.
        y : None
            Ignored.

        Returns
        -------
        list of list of str, or list of list of int
            The tokens of each document (their ids with ``output="ids"``).
        """
        check_document_collection(X)
        if iter(X) is X:
            X = list(X)
        return self.fit(X).transform(X)

    def __call__(self, document):
        """Tokens of one document, as a list of str (whatever ``output`` is).

        This makes a fitted tokenizer usable as the ``tokenizer`` of a vectorizer.

        Parameters
        ----------
        document : str
            One document.

        Returns
        -------
        list of str
            Its tokens.
        """
        check_is_fitted(self)
        if self._compiled_split():
            return self._transform_compiled([document], as_ids=False)[0]
        words = _split_words(_iter_texts([document]), self._pattern(), self.lowercase,
                             self._special_splitter)
        self._encode_missing(words, self._cache_tokens)
        cache = self._cache_tokens
        tokens = []
        for word in words[0]:
            tokens += cache[word]
        return tokens

    def decode(self, tokens):
        """Rebuild the text of one document from its tokens (or token ids).

        With ``byte_level=True`` this is exactly the text that was encoded (after
        ``lowercase``); otherwise words are joined with single spaces.

        Parameters
        ----------
        tokens : list of str or list of int
            Tokens as produced by ``transform``.

        Returns
        -------
        str
            The text.

        Raises
        ------
        ValueError
            For a token that is not in the vocabulary, or an id outside 0 to
            ``len(vocabulary_) - 1``.
        """
        check_is_fitted(self)
        tokens = list(map(self._token_of, tokens))
        if self.byte_level:
            special = self._special_set
            pieces = bytearray()
            for token in tokens:
                if token in special:
                    pieces += token.encode("utf-8")
                else:
                    pieces += bytes(CHAR_TO_BYTE[char] for char in token)
            return pieces.decode("utf-8", errors="replace")
        return "".join(tokens).replace(END_OF_WORD, " ").strip()

    def inverse_transform(self, X):
        """Rebuild the text of each document from its tokens.

        Parameters
        ----------
        X : list of list of str or of list of int
            Token lists as produced by ``transform``.

        Returns
        -------
        list of str
            The documents' text (see ``decode``).
        """
        check_is_fitted(self)
        return [self.decode(tokens) for tokens in X]

    def save(self, directory):
        """Write ``vocab.json``, ``merges.txt`` and ``skembed_bpe.json`` into ``directory``.

        ``vocab.json`` and ``merges.txt`` use the layout of GPT-2 and HuggingFace
        ``tokenizers``; ``skembed_bpe.json`` holds this estimator's parameters. HuggingFace's
        ``models.BPE.from_file`` reads the byte-level files as they are (with its
        ``ByteLevel`` pre-tokenizer and decoder, ``add_prefix_space=False``). It cannot
        reproduce the char-level model: it glues the end-of-word suffix to the last
        character, while here ``"</w>"`` is a symbol of its own, as in the original paper.

        The three files are encoded and written whole to temporary files first, which
        then replace the old files one after the other: an error or an interruption never
        leaves a truncated file.

        Parameters
        ----------
        directory : str or path-like
            Created if missing.
        """
        check_is_fitted(self)
        spaced = [token for pair in self.merges_ for token in pair
                  if " " in token or "\n" in token]
        if spaced:
            raise ValueError(
                f"merges.txt separates tokens with spaces, but token {spaced[0]!r} contains "
                "whitespace. Use a pre_tokenizer_pattern whose matches have no whitespace, "
                "or byte_level=True (which writes spaces as printable characters)."
            )
        params = self.get_params()
        params["special_tokens"] = list(params["special_tokens"])
        contents = {
            "vocab.json": json.dumps(self.vocabulary_, ensure_ascii=False),
            "merges.txt": "#version: 0.2\n"
            + "".join(f"{left} {right}\n" for left, right in self.merges_),
            "skembed_bpe.json": json.dumps(params, ensure_ascii=False, indent=1),
        }
        # Everything is encoded before the first file is written, so an error leaves the
        # directory as it was; each file is then replaced atomically.
        encoded = {}
        for name, text in contents.items():
            try:
                encoded[name] = text.encode("utf-8")
            except UnicodeEncodeError as error:
                context = text[max(error.start - 20, 0):error.end + 20]
                raise ValueError(
                    f"{name} cannot be written: it would hold {text[error.start]!r}, a lone "
                    f"surrogate with no UTF-8 encoding, in {context!r}."
                ) from None
        os.makedirs(directory, exist_ok=True)
        # All three temporary files are complete before the first replaces its file.
        with contextlib.ExitStack() as stack:
            for name, data in encoded.items():
                stack.enter_context(atomic_write(os.path.join(directory, name))).write(data)

    @classmethod
    def load(cls, directory):
        """Read a tokenizer written by ``save``.

        Parameters
        ----------
        directory : str or path-like
            A directory holding ``vocab.json``, ``merges.txt`` and ``skembed_bpe.json``.

        Returns
        -------
        BPETokenizer
            A fitted tokenizer.

        Raises
        ------
        ValueError
            If a file is not what ``save`` writes: the message names the file and, for
            ``merges.txt`` and JSON syntax, the line. Every parameter in
            ``skembed_bpe.json`` is checked as in ``fit``, every id in ``vocab.json`` must be
            the one the special tokens, base symbols and merges give, and every merge must
            build on base symbols or earlier merges.

        Notes
        -----
        Loading executes nothing from the files (no pickle), but the directory is trusted
        in one respect: ``pre_tokenizer_pattern`` in ``skembed_bpe.json`` is a regular
        expression that runs on every document, and a crafted pattern can make tokenizing
        arbitrarily slow. Load tokenizer directories only from sources you trust, or check
        that pattern first.
        """
        directory = os.fspath(directory)
        tokenizer = _read_params(os.path.join(directory, "skembed_bpe.json"), cls)
        special_tokens = list(tokenizer.special_tokens)
        vocabulary = _read_vocabulary(os.path.join(directory, "vocab.json"))
        merges, alphabet = _read_merges(
            os.path.join(directory, "merges.txt"), vocabulary, special_tokens
        )
        base = set(BYTE_TO_CHAR.values()) if tokenizer.byte_level else {END_OF_WORD}
        missing = sorted(base - set(alphabet))
        if missing:
            raise ValueError(
                f"{os.path.join(directory, 'vocab.json')} lacks the base symbol "
                f"{missing[0]!r}, which every {'byte' if tokenizer.byte_level else 'char'}"
                "-level tokenizer has. The files do not come from one save."
            )
        tokenizer._set_model(special_tokens, alphabet, merges)
        for token, index in vocabulary.items():
            if tokenizer.vocabulary_.get(token) != index:
                raise ValueError(
                    f"{os.path.join(directory, 'vocab.json')} gives {token!r} the id {index}, "
                    f"but the special tokens, the base symbols and merges.txt give it "
                    f"{tokenizer.vocabulary_.get(token)}. The files do not come from one save."
                )
        return tokenizer

    def __getstate__(self):
        # The caches can grow large and are rebuilt on demand.
        state = self.__dict__.copy()
        for name in ("_cache_tokens", "_cache_ids", "_words", "_word_tokens",
                     "_word_token_offsets", "_token_array", "_words_lock"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "merges_" in state:
            self._new_caches()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags

    def _token_of(self, token):
        """The token string of a token or id given to ``decode``; unknown ones are an error."""
        if isinstance(token, str):
            if token not in self.vocabulary_:
                raise ValueError(
                    f"decode got the token {token!r}, which is not in the vocabulary."
                )
            return token
        if isinstance(token, (int, np.integer)) and not isinstance(token, (bool, np.bool_)):
            if 0 <= token < len(self._id_to_token):
                return self._id_to_token[token]
            raise ValueError(
                f"decode got the token id {token}; ids go from 0 to "
                f"{len(self._id_to_token) - 1}."
            )
        raise TypeError(
            f"decode takes token strings or int ids; got {token!r} ({type(token).__name__})."
        )

    def _pattern(self):
        if self.pre_tokenizer_pattern is not None:
            return self.pre_tokenizer_pattern
        return BYTE_LEVEL_PATTERN if self.byte_level else CHAR_LEVEL_PATTERN

    def _check_special_tokens(self):
        special_tokens = list(self.special_tokens)
        for token in special_tokens:
            if not isinstance(token, str) or not token:
                raise ValueError(
                    f"special_tokens must hold non-empty strings; got {token!r}. Pass e.g. "
                    "special_tokens=('<unk>',)."
                )
        if len(set(special_tokens)) != len(special_tokens):
            raise ValueError(f"special_tokens has duplicates: {special_tokens!r}.")
        for token in special_tokens:
            try:
                token.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    f"special_tokens holds {token!r}, which has a lone surrogate and no UTF-8 "
                    "encoding."
                ) from None
        try:
            regex = re.compile(self._pattern())
        except re.error as error:
            raise ValueError(
                f"pre_tokenizer_pattern {self._pattern()!r} is not a valid regular "
                f"expression: {error}."
            ) from None
        if regex.groups > 1:
            raise ValueError(
                f"pre_tokenizer_pattern {self._pattern()!r} has {regex.groups} capturing "
                "groups; a word is the whole match or its one group. Make the others "
                "non-capturing: (?:...)."
            )
        return special_tokens

    def _count_words(self, X, pattern):
        texts = _iter_texts(X)
        splitter = _special_splitter(self.special_tokens)
        if splitter is not None:
            # Special tokens are cut out of the training text: no merge learns from them.
            texts = (piece for text in texts for piece in splitter.split(text)[::2])
        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if n_jobs == 1:
            word_counts = Counter()
            for chunk in iter_chunks(texts, _CHUNK_SIZE):
                word_counts.update(_count_words(chunk, pattern, self.lowercase))
            return word_counts
        partial_counts = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_count_words)(chunk, pattern, self.lowercase)
            for chunk in iter_chunks(texts, _CHUNK_SIZE)
        )
        word_counts = Counter()
        for counts in partial_counts:
            word_counts.update(counts)
        return word_counts

    def _char_symbols(self, words, counts, n_special):
        """Alphabet and symbol ids of each word, followed by the end-of-word symbol."""
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        return self._char_symbols_of_codes(codes, lengths, counts, n_special)

    def _char_symbols_of_codes(self, codes, lengths, counts, n_special):
        """``_char_symbols`` of the words given as concatenated code points and lengths."""
        unique_codes, char_index = np.unique(codes, return_inverse=True)
        budget = self.vocab_size - n_special - 1
        if unique_codes.shape[0] > budget >= 0:
            # Too many distinct characters: keep the most frequent ones.
            frequency = np.bincount(
                char_index, weights=np.repeat(counts, lengths), minlength=unique_codes.shape[0]
            )
            keep = np.sort(np.lexsort((unique_codes, -frequency))[:budget])
            unique_codes = unique_codes[keep]
        alphabet = sorted([chr(code) for code in unique_codes] + [END_OF_WORD])
        rank = {symbol: index for index, symbol in enumerate(alphabet)}
        code_to_id = np.array([rank[chr(code)] for code in unique_codes], dtype=np.int32)
        position = np.searchsorted(unique_codes, codes)
        position = np.minimum(position, max(unique_codes.shape[0] - 1, 0))
        known = unique_codes[position] == codes if unique_codes.shape[0] else codes < 0
        char_ids = np.where(known, code_to_id[position] if unique_codes.shape[0] else -1, -1)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=offsets[1:])
        symbols = np.empty(offsets[-1], dtype=np.int32)
        is_end = np.zeros(offsets[-1], dtype=bool)
        is_end[offsets[1:] - 1] = True
        symbols[is_end] = rank[END_OF_WORD]
        symbols[~is_end] = char_ids
        return alphabet, symbols, offsets

    def _byte_symbols(self, words, alphabet):
        """Symbol ids (ranks in the sorted byte alphabet) of the UTF-8 bytes of each word."""
        rank = {char: index for index, char in enumerate(alphabet)}
        byte_to_id = np.array([rank[BYTE_TO_CHAR[byte]] for byte in range(256)], dtype=np.int32)
        encoded = [word.encode("utf-8") for word in words]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        symbols = byte_to_id[np.frombuffer(b"".join(encoded), dtype=np.uint8)]
        return symbols, offsets

    def _set_model(self, special_tokens, alphabet, merges):
        """Fitted attributes and encoding tables from the alphabet and the merges."""
        vocabulary = {token: index for index, token in enumerate(special_tokens)}
        for token in alphabet:
            vocabulary.setdefault(token, len(vocabulary))
        special = frozenset(special_tokens)
        symbols = set(alphabet) - special
        kept_merges = []
        seen = set()
        for left, right in merges:
            # Two merges can spell the same token, and a pair can only have one rank. A merge
            # that would spell a special token, or that builds on one, is left out.
            if ((left, right) in seen or left not in symbols or right not in symbols
                    or left + right in special):
                continue
            seen.add((left, right))
            kept_merges.append((left, right))
            symbols.add(left + right)
            vocabulary.setdefault(left + right, len(vocabulary))
        self.merges_ = kept_merges
        self.vocabulary_ = vocabulary
        self._special_set = frozenset(special_tokens)
        self._id_to_token = sorted(vocabulary, key=vocabulary.get)
        self._char_to_id = {token: vocabulary[token] for token in alphabet}
        # Sorted code points of the one-character alphabet and their ids (a sentinel keeps
        # the arrays non-empty).
        single = sorted((ord(token), vocabulary[token]) for token in alphabet if len(token) == 1)
        single = single or [(0x110000, -1)]
        self._char_table = (
            np.array([code for code, _ in single], dtype=np.uint32),
            np.array([index for _, index in single], dtype=np.int32),
        )
        self._unknown_id = vocabulary.get("<unk>", -1) if not self.byte_level else -1
        pairs = np.array(
            [(vocabulary[left], vocabulary[right]) for left, right in kept_merges],
            dtype=np.int32,
        ).reshape(-1, 2)
        self._merge_result = np.array(
            [vocabulary[left + right] for left, right in kept_merges], dtype=np.int32
        )
        self._merge_keys, self._merge_ranks = build_merge_table(pairs)
        self._special_splitter = _special_splitter(special_tokens)
        self._new_caches()

    def _new_caches(self):
        """Empty word caches, but for the special tokens, which ``_split_words`` marks as
        one-element tuples."""
        self._cache_tokens = {(token,): [token] for token in self._special_set}
        self._cache_ids = {(token,): [self.vocabulary_[token]] for token in self._special_set}
        # The compiled path's cache: the distinct words seen so far and their token ids.
        self._words = new_word_table()
        self._word_tokens = np.zeros(0, dtype=np.int32)
        self._word_token_offsets = np.zeros(1, dtype=np.int64)
        self._token_array = np.empty(len(self._id_to_token), dtype=object)
        self._token_array[:] = self._id_to_token
        self._words_lock = threading.Lock()

    def _char_ids(self, words):
        """Token ids of the characters of each word plus the end-of-word id (-1: unknown)."""
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        return self._char_ids_of_codes(codes, lengths)

    def _char_ids_of_codes(self, codes, lengths):
        """``_char_ids`` of the words given as concatenated code points and lengths."""
        n_words = lengths.shape[0]
        known_codes, known_ids = self._char_table
        position = np.minimum(np.searchsorted(known_codes, codes), known_codes.shape[0] - 1)
        char_ids = np.where(known_codes[position] == codes, known_ids[position], -1)
        offsets = np.zeros(n_words + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=offsets[1:])
        symbols = np.empty(offsets[-1], dtype=np.int32)
        is_end = np.zeros(offsets[-1], dtype=bool)
        is_end[offsets[1:] - 1] = True
        end_ids = np.full(n_words, self._char_to_id[END_OF_WORD], dtype=np.int32)
        if self._unknown_id < 0:
            # A word none of whose characters is known leaves no token at all.
            known = np.bincount(np.repeat(np.arange(n_words), lengths),
                                weights=char_ids >= 0, minlength=n_words)
            end_ids[known == 0] = -1
        symbols[is_end] = end_ids
        symbols[~is_end] = char_ids
        return symbols, offsets

    def _encode_missing(self, documents, cache):
        """Segment every word of ``documents`` that is not in ``cache`` yet."""
        missing = set()
        for words in documents:
            missing.update(words)
        missing.difference_update(cache)
        if not missing:
            return
        missing = list(missing)
        if self.byte_level:
            encoded = [word.encode("utf-8") for word in missing]
            lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
            byte_ids = np.array(
                [self._char_to_id[BYTE_TO_CHAR[byte]] for byte in range(256)], dtype=np.int32
            )
            symbols = byte_ids[np.frombuffer(b"".join(encoded), dtype=np.uint8)]
            offsets = np.zeros(len(missing) + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
        else:
            symbols, offsets = self._char_ids(missing)
        tokens, token_offsets = self._segment(symbols, offsets)
        tokens = tokens.tolist()
        if cache is not self._cache_ids:
            tokens = list(map(self._id_to_token.__getitem__, tokens))
        bounds = token_offsets.tolist()
        cache.update(zip(missing, map(tokens.__getitem__, map(slice, bounds[:-1], bounds[1:]))))

    def _segment(self, symbols, offsets):
        """Token ids of words given as symbol ids, unknown symbols replaced or dropped."""
        tables = (self._merge_keys, self._merge_ranks, self._merge_result)
        if self.n_jobs in (None, 1) or offsets.shape[0] <= _PARALLEL_MIN_WORDS:
            tokens, token_offsets = encode_words(symbols, offsets, *tables)
        else:
            with numba_threads(self.n_jobs) as n_threads:
                tokens, token_offsets = encode_words_parallel(
                    symbols, offsets, *tables, 4 * n_threads
                )
        unknown = tokens < 0
        if unknown.any():
            if self._unknown_id >= 0:
                tokens[unknown] = self._unknown_id
            else:
                kept = np.concatenate([[0], np.cumsum(~unknown)])
                token_offsets = kept[token_offsets]
                tokens = tokens[~unknown]
        return tokens, token_offsets

    def _compiled_split(self):
        """Whether words are split and counted by compiled code rather than by ``re``.

        That path serves the default char-level pre-tokenizer without special tokens; it
        finds the same words as ``re.findall(CHAR_LEVEL_PATTERN, text)``.
        """
        return (not self.byte_level and not self.special_tokens
                and self._pattern() == CHAR_LEVEL_PATTERN)

    def _chunk_words(self, texts):
        """Code points of a chunk of documents and the bounds of their words."""
        if self.lowercase:
            texts = [text.lower() for text in texts]
        codes, ends = _code_points(texts)
        return (codes, *split_words(codes, _char_classes(), ends))

    def _count_words_compiled(self, X):
        """Distinct words of ``X`` (code points and lengths) and their counts."""
        table = new_word_table()
        counts = np.zeros(0, dtype=np.int64)
        for texts in iter_chunks(_iter_texts(X), _CHUNK_SIZE):
            codes, starts, ends, _ = self._chunk_words(texts)
            table, ids = index_words(codes, starts, ends, table)
            chunk_counts = np.bincount(ids, minlength=table.sizes[0])
            chunk_counts[:counts.shape[0]] += counts
            counts = chunk_counts
        n_words = table.sizes[0]
        offsets = table.offsets[:n_words + 1]
        return table.chars[:offsets[-1]], np.diff(offsets), counts

    def _transform_compiled(self, X, as_ids):
        """``transform`` on the compiled path: one table of every distinct word seen so far
        (``self._words``) and their token ids, extended with each chunk's new words."""
        result = []
        for texts in iter_chunks(_iter_texts(X), _CHUNK_SIZE):
            codes, starts, ends, word_offsets = self._chunk_words(texts)
            # The kernels release the GIL: threads sharing this tokenizer take turns.
            with self._words_lock:
                self._words, ids = index_words(codes, starts, ends, self._words)
                self._encode_new_words()
                tokens, token_offsets = gather_tokens(ids, self._word_tokens,
                                                      self._word_token_offsets)
            bounds = token_offsets[word_offsets].tolist()
            values = tokens.tolist() if as_ids else self._token_array[tokens].tolist()
            result += map(values.__getitem__, map(slice, bounds[:-1], bounds[1:]))
        return result

    def _encode_new_words(self):
        """Segment the words of ``self._words`` that have no tokens yet."""
        n_words = int(self._words.sizes[0])
        n_known = self._word_token_offsets.shape[0] - 1
        if n_words == n_known:
            return
        offsets = self._words.offsets[n_known:n_words + 1]
        codes = self._words.chars[offsets[0]:offsets[-1]]
        tokens, token_offsets = self._segment(*self._char_ids_of_codes(codes, np.diff(offsets)))
        self._word_tokens = np.concatenate([self._word_tokens, tokens])
        self._word_token_offsets = np.concatenate(
            [self._word_token_offsets, token_offsets[1:] + self._word_token_offsets[-1]]
        )
