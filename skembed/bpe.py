"""Byte-pair encoding (BPE) subword tokenizer as a scikit-learn transformer.

``BPETokenizer`` learns merges from the documents given to ``fit`` and splits text into
subword tokens. Strings become integer symbol ids here; the merge loop and the segmentation
of words run in the numba kernels of ``skembed._kernels._bpe``. Words are counted once (in
parallel chunks through joblib for large inputs) and every distinct word is segmented once:
encoding a word seen before costs a dictionary lookup.
"""

import json
import os
import re
from collections import Counter
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
    build_merge_table,
    encode_words,
    encode_words_parallel,
    learn_merges,
)
from ._corpus import iter_chunks
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


def _iter_texts(X):
    """Yield each document of ``X`` as one string; token lists are joined with spaces."""
    for document in iter_documents(X):
        yield document if isinstance(document, str) else " ".join(document)


def _split_words(texts, pattern, lowercase):
    """Pre-tokenize documents: one list of words per document."""
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
        with no known character). Special tokens are not searched for in the input text.
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
        Number of joblib workers that count words in ``fit``, and of numba threads that
        segment new words in ``transform``. None means 1, -1 all cores. The merges and the
        tokens do not depend on it.
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
        word_counts = self._count_words(X, pattern)
        if self.verbose:
            print(f"[BPETokenizer] {len(word_counts)} distinct words")
        words = list(word_counts)
        counts = np.fromiter(word_counts.values(), dtype=np.int64, count=len(words))
        if self.byte_level:
            alphabet = sorted(BYTE_TO_CHAR.values())
            symbols, offsets = self._byte_symbols(words, alphabet)
        else:
            alphabet, symbols, offsets = self._char_symbols(words, counts, len(special_tokens))
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
        cache = self._cache_ids if self.output == "ids" else self._cache_tokens
        lookup = cache.__getitem__
        pattern = self._pattern()
        result = []
        # Chunks bound the memory held by the words of documents not yet tokenized.
        for texts in iter_chunks(_iter_texts(X), _CHUNK_SIZE):
            documents = _split_words(texts, pattern, self.lowercase)
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
        words = _split_words(_iter_texts([document]), self._pattern(), self.lowercase)
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
        """
        check_is_fitted(self)
        tokens = [self._id_to_token[t] if not isinstance(t, str) else t for t in tokens]
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
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "vocab.json"), "w", encoding="utf-8") as file:
            json.dump(self.vocabulary_, file, ensure_ascii=False)
        with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as file:
            file.write("#version: 0.2\n")
            for left, right in self.merges_:
                file.write(f"{left} {right}\n")
        params = self.get_params()
        params["special_tokens"] = list(params["special_tokens"])
        with open(os.path.join(directory, "skembed_bpe.json"), "w", encoding="utf-8") as file:
            json.dump(params, file, ensure_ascii=False, indent=1)

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
        """
        with open(os.path.join(directory, "skembed_bpe.json"), encoding="utf-8") as file:
            params = json.load(file)
        params["special_tokens"] = tuple(params["special_tokens"])
        with open(os.path.join(directory, "vocab.json"), encoding="utf-8") as file:
            vocabulary = json.load(file)
        merges = []
        with open(os.path.join(directory, "merges.txt"), encoding="utf-8") as file:
            for line in file:
                line = line.rstrip("\n")
                if line.startswith("#version") or not line:
                    continue
                left, right = line.split(" ")
                merges.append((left, right))
        tokenizer = cls(**params)
        special_tokens = list(params["special_tokens"])
        merged = {left + right for left, right in merges}
        alphabet = [
            token for token in sorted(vocabulary, key=vocabulary.get)
            if token not in merged and token not in special_tokens
        ]
        tokenizer._set_model(special_tokens, alphabet, merges)
        return tokenizer

    def __getstate__(self):
        # The caches can grow large and are rebuilt on demand.
        state = self.__dict__.copy()
        state.pop("_cache_tokens", None)
        state.pop("_cache_ids", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "merges_" in state:
            self._cache_tokens = {}
            self._cache_ids = {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags

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
        try:
            re.compile(self._pattern())
        except re.error as error:
            raise ValueError(
                f"pre_tokenizer_pattern {self._pattern()!r} is not a valid regular "
                f"expression: {error}."
            ) from None
        return special_tokens

    def _count_words(self, X, pattern):
        texts = _iter_texts(X)
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
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
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
        kept_merges = []
        seen = set()
        for left, right in merges:
            # Two merges can spell the same token, and a pair can only have one rank.
            if (left, right) in seen or left not in vocabulary or right not in vocabulary:
                continue
            seen.add((left, right))
            kept_merges.append((left, right))
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
        self._cache_tokens = {}
        self._cache_ids = {}

    def _char_ids(self, words):
        """Token ids of the characters of each word plus the end-of-word id (-1: unknown)."""
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        known_codes, known_ids = self._char_table
        position = np.minimum(np.searchsorted(known_codes, codes), known_codes.shape[0] - 1)
        char_ids = np.where(known_codes[position] == codes, known_ids[position], -1)
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=offsets[1:])
        symbols = np.empty(offsets[-1], dtype=np.int32)
        is_end = np.zeros(offsets[-1], dtype=bool)
        is_end[offsets[1:] - 1] = True
        end_ids = np.full(len(words), self._char_to_id[END_OF_WORD], dtype=np.int32)
        if self._unknown_id < 0:
            # A word none of whose characters is known leaves no token at all.
            known = np.bincount(np.repeat(np.arange(len(words)), lengths),
                                weights=char_ids >= 0, minlength=len(words))
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
        tables = (self._merge_keys, self._merge_ranks, self._merge_result)
        if self.n_jobs in (None, 1) or len(missing) < _PARALLEL_MIN_WORDS:
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
        tokens = tokens.tolist()
        if cache is not self._cache_ids:
            tokens = list(map(self._id_to_token.__getitem__, tokens))
        bounds = token_offsets.tolist()
        cache.update(zip(missing, map(tokens.__getitem__, map(slice, bounds[:-1], bounds[1:]))))
