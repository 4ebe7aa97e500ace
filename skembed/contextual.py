"""Contextual embeddings: a pretrained BERT-family encoder as a scikit-learn transformer.

:class:`ContextualVectorizer` tokenizes documents with HuggingFace ``tokenizers``, runs an
ONNX export of the encoder with ``onnxruntime`` and pools its last layer over the attention
mask into one row per document. Both libraries are an optional extra
(``pip install "skembed[contextual]"``), imported only when a model is loaded, so skembed
itself imports without them. Nothing is downloaded: the model is a local directory.

The inference session and the tokenizer are fitted state that does not pickle; they are
dropped by ``__getstate__`` and loaded again from the model directory on first use after
unpickling, so a fitted vectorizer travels to joblib workers as a path.
"""

import json
import os
import pathlib
import warnings

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from ._base import Integral, Interval, StrOptions, TextTransformerMixin, _fit_context
from ._text import iter_documents

__all__ = ["ContextualVectorizer"]

_INSTALL_HINT = 'pip install "skembed[contextual]"'
# Where the Hugging Face layout puts the ONNX export, in the order they are tried.
_ONNX_CANDIDATES = ("model.onnx", os.path.join("onnx", "model.onnx"))
# Documents tokenized and sorted by length together: bounds memory on long inputs while
# keeping the padding waste of length-sorted batches small.
_CHUNK_DOCUMENTS = 4096


def _import_runtime():
    """Import onnxruntime and tokenizers, or say how to install them."""
    try:
        import onnxruntime
        import tokenizers
    except ImportError as exc:
        raise ImportError(
            f"ContextualVectorizer needs onnxruntime and tokenizers, which are not "
            f"installed ({exc}). Install them with: {_INSTALL_HINT}"
        ) from exc
    return onnxruntime, tokenizers


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _default_max_length(model_dir):
    """The longest input the model was trained for, from the files beside it.

    sentence-transformers' own limit (``sentence_bert_config.json``) comes first, as
    sentence-transformers itself uses it; then the tokenizer's and the encoder's limits.
    """
    config = _read_json(model_dir / "sentence_bert_config.json") or {}
    if isinstance(config.get("max_seq_length"), int):
        return config["max_seq_length"]
    config = _read_json(model_dir / "tokenizer_config.json") or {}
    limit = config.get("model_max_length")
    if isinstance(limit, int) and 0 < limit < 100_000:
        return limit
    config = _read_json(model_dir / "config.json") or {}
    if isinstance(config.get("max_position_embeddings"), int):
        return config["max_position_embeddings"]
    return 512


def _pool(hidden, mask, pooling):
    """Pool token vectors ``(batch, length, dim)`` over ``mask`` ``(batch, length)``."""
    if pooling == "cls":
        return hidden[:, 0]
    if pooling == "max":
        # Padding can never win the maximum (sentence-transformers uses -1e9 the same way).
        return np.where(mask[:, :, None] > 0, hidden, np.float32(-1e9)).max(axis=1)
    weights = mask.astype(hidden.dtype)[:, :, None]
    counts = np.maximum(weights.sum(axis=1), np.float32(1e-9))
    return (hidden * weights).sum(axis=1) / counts


class ContextualVectorizer(TextTransformerMixin, TransformerMixin, BaseEstimator):
    """Pooled last-layer vectors of a pretrained transformer encoder (BERT family).

    Each document is split into subword tokens by the model's own tokenizer, run through
    the encoder, and the vectors of its last layer are pooled over the attention mask into
    one row. Unlike static word vectors, the vector of a token depends on the whole
    document around it (:meth:`transform_tokens` returns them). Nothing is learned from
    the documents: ``fit`` loads and checks the model, which is used frozen, as
    feature extraction.

    The encoder runs with onnxruntime and the tokenizer with HuggingFace tokenizers, the
    optional extra ``pip install "skembed[contextual]"``; PyTorch is not needed. skembed
    never downloads a model: ``model`` is a local directory in the Hugging Face layout, a
    ``tokenizer.json`` beside an ONNX export (``model.onnx`` or ``onnx/model.onnx``), as
    the repositories of sentence-transformers models provide. See the
    :ref:`User Guide <contextual>` for how to get one.

    Read more in the :ref:`User Guide <contextual>`.

    Parameters
    ----------
    model : str or os.PathLike
        Directory of the model. It stays a path (``get_params``, ``clone`` and
        ``GridSearchCV`` see the string); the files are read in ``fit``.
    onnx_file : str, default=None
        The ONNX file to run, relative to ``model`` (for example
        ``"onnx/model_qint8_avx512.onnx"`` for a quantized variant). By default
        ``model.onnx``, then ``onnx/model.onnx``.
    pooling : {'mean', 'cls', 'max'}, default='mean'
        How the token vectors of a document become one vector: their mean over the
        attention mask (sentence-transformers' default), the vector of the first token
        (``[CLS]``), or their element-wise maximum.
    normalize : bool, default=False
        Scale each document vector to unit L2 norm (sentence-transformers models that end
        with a ``Normalize`` module do this).
    max_length : int, default=None
        Longest input in tokens, special tokens included; longer documents are truncated,
        counted in ``n_truncated_`` and reported by a warning. By default the model's own
        limit: ``max_seq_length`` of ``sentence_bert_config.json``, else
        ``model_max_length`` of ``tokenizer_config.json``, else ``max_position_embeddings``
        of ``config.json``, else 512.
    batch_size : int, default=32
        Documents per call to the encoder. Documents are sorted by length first, so a batch
        holds documents of similar length and little padding.
    input : {'content', 'filename', 'file'}, default='content'
        Items of ``X`` are documents, paths to read, or file objects to read.
    encoding : str, default='utf-8'
        Encoding for documents given as ``bytes``.
    decode_error : {'strict', 'ignore', 'replace'}, default='strict'
        What to do with bytes that do not decode.
    n_jobs : int, default=None
        Threads of the onnxruntime session (``None`` means 1, ``-1`` all cores). Keep it at
        1 when the vectorizer runs inside processes that already use every core (for
        example ``GridSearchCV(n_jobs=-1)``).
    verbose : int, default=0
        Show a progress bar over the documents in ``transform``.

    Attributes
    ----------
    model_path_ : str
        Absolute path of the model directory; the session is loaded again from it after
        unpickling.
    onnx_path_ : str
        Absolute path of the ONNX file in use.
    max_length_ : int
        The truncation length in use.
    n_features_ : int
        Dimension of the vectors (the hidden size of the encoder).
    input_names_ : list of str
        The inputs the ONNX graph takes (``input_ids``, ``attention_mask`` and, for BERT,
        ``token_type_ids``).
    n_truncated_ : int
        Number of documents truncated at ``max_length_`` by the last call to
        ``transform``, ``fit_transform`` or ``transform_tokens``.

    See Also
    --------
    EmbeddingVectorizer : Pool static pretrained word vectors.
    Word2VecVectorizer : Learn static word vectors from your own documents.

    Notes
    -----
    Documents may be strings or lists of tokens. A list of tokens is taken as words already
    split, each of which the model's tokenizer still cuts into subwords. An empty document
    is encoded as the special tokens alone (``[CLS] [SEP]`` for BERT), as
    sentence-transformers does, so it maps to the model's vector for an empty input, not to
    zeros.

    Results of ``transform`` agree with sentence-transformers on the same weights up to
    float32 rounding (the tests compare them to 1e-5). They do not depend on
    ``batch_size`` beyond rounding, as padding is masked.

    References
    ----------
    .. [1] J. Devlin, M.-W. Chang, K. Lee, K. Toutanova. "BERT: Pre-training of Deep
       Bidirectional Transformers for Language Understanding". NAACL 2019.
    .. [2] N. Reimers, I. Gurevych. "Sentence-BERT: Sentence Embeddings using Siamese
       BERT-Networks". EMNLP 2019.

    Examples
    --------
    The tiny random-weight model of skembed's tests stands in for a real one here:

    >>> from skembed import ContextualVectorizer
    >>> vectorizer = ContextualVectorizer("tests/data/tiny_bert", normalize=True)
    >>> X = vectorizer.fit_transform(["the bank of the river", "money in the bank"])
    >>> X.shape
    (2, 32)
    >>> tokens, vectors = vectorizer.transform_tokens(["the bank of the river"])[0]
    >>> tokens, vectors.shape
    (['the', 'bank', 'of', 'the', 'r', '##iver'], (6, 32))
    """

    _parameter_constraints: dict = {
        "model": [str, os.PathLike],
        "onnx_file": [str, os.PathLike, None],
        "pooling": [StrOptions({"mean", "cls", "max"})],
        "normalize": ["boolean"],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "input": [StrOptions({"content", "filename", "file"})],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        model,
        *,
        onnx_file=None,
        pooling="mean",
        normalize=False,
        max_length=None,
        batch_size=32,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        n_jobs=None,
        verbose=0,
    ):
        self.model = model
        self.onnx_file = onnx_file
        self.pooling = pooling
        self.normalize = normalize
        self.max_length = max_length
        self.batch_size = batch_size
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Load and check the model; check the documents.

        Nothing is learned from ``X``; its documents are only checked, so that a bad
        document fails here as it would with the other vectorizers.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents: raw text, or lists of words.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._load_model()
        for _ in self._documents(X):
            pass
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Load the model and return the pooled vectors of the documents.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.
        y : None
            Ignored.

        Returns
        -------
        ndarray of shape (n_documents, n_features), dtype float32
        """
        self._load_model()
        return self._transform(X)

    def transform(self, X):
        """Map each document to the pooled last-layer vectors of its tokens.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.

        Returns
        -------
        ndarray of shape (n_documents, n_features), dtype float32
        """
        check_is_fitted(self)
        return self._transform(X)

    def transform_tokens(self, X, *, special_tokens=False):
        """Contextual vectors of every token of each document.

        The same word gets a different vector in each context it occurs in, which is what
        sets these vectors apart from static word vectors.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Documents.
        special_tokens : bool, default=False
            Keep the model's special tokens (``[CLS]``, ``[SEP]``) and their vectors.

        Returns
        -------
        list of (list of str, ndarray of shape (n_tokens, n_features)) tuples
            For each document, its subword tokens (after truncation at ``max_length_``) and
            their last-layer vectors, float32, in the same order.
        """
        check_is_fitted(self)
        results = []
        for encodings, vectors, _ in self._run(X, keep_tokens=True):
            for encoding, hidden in zip(encodings, vectors):
                keep = np.asarray(encoding.attention_mask, dtype=bool)
                if not special_tokens:
                    keep &= ~np.asarray(encoding.special_tokens_mask, dtype=bool)
                tokens = [token for token, k in zip(encoding.tokens, keep) if k]
                results.append((tokens, np.ascontiguousarray(hidden[keep])))
        return results

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_session", None)
        state.pop("_tokenizer", None)
        return state

    @property
    def _n_features_out(self):
        return self.n_features_

    # -- private helpers -------------------------------------------------------------------

    def _documents(self, X):
        return iter_documents(
            X, input=self.input, encoding=self.encoding, decode_error=self.decode_error
        )

    def _model_files(self):
        """Absolute paths of the model directory and of its ONNX file, checked to exist."""
        model_dir = pathlib.Path(self.model).expanduser()
        if not model_dir.is_dir():
            raise FileNotFoundError(
                f"The model directory {str(self.model)!r} does not exist (or is not a "
                "directory). ContextualVectorizer never downloads models: pass the path of "
                "a local directory holding tokenizer.json and an ONNX export, for example "
                "one made by `huggingface-cli download sentence-transformers/all-MiniLM-L6-v2 "
                "--local-dir DIR`."
            )
        model_dir = model_dir.resolve()
        if not (model_dir / "tokenizer.json").is_file():
            raise FileNotFoundError(
                f"No tokenizer.json in the model directory {str(model_dir)!r}. "
                "ContextualVectorizer needs the fast-tokenizer file that Hugging Face "
                "model repositories ship; save one with a transformers tokenizer's "
                "save_pretrained(DIR)."
            )
        if self.onnx_file is not None:
            candidates = [self.onnx_file]
        else:
            candidates = list(_ONNX_CANDIDATES)
        for candidate in candidates:
            path = model_dir / candidate
            if path.is_file():
                return model_dir, path
        found = sorted(str(p.relative_to(model_dir)) for p in model_dir.rglob("*.onnx"))
        hint = (
            f" It holds {', '.join(found)}: choose one with onnx_file=..."
            if found
            else " Export one, for example with `optimum-cli export onnx --model DIR OUT` "
            "or torch.onnx.export."
        )
        raise FileNotFoundError(
            f"No ONNX model in {str(model_dir)!r}: looked for "
            f"{' and '.join(str(c) for c in candidates)}.{hint}"
        )

    def _load_model(self):
        """Read and check the model files; set the fitted attributes."""
        model_dir, onnx_path = self._model_files()
        max_length = self.max_length
        if max_length is None:
            max_length = _default_max_length(model_dir)
        self.model_path_ = str(model_dir)
        self.onnx_path_ = str(onnx_path)
        self.max_length_ = int(max_length)
        self._session = None
        self._tokenizer = None
        session, tokenizer = self._runtime()
        n_special = tokenizer.num_special_tokens_to_add(is_pair=False)
        if self.max_length_ <= n_special:
            raise ValueError(
                f"max_length={self.max_length_} leaves no room for text: the model adds "
                f"{n_special} special tokens to every document. Use a larger max_length."
            )
        self.input_names_ = [item.name for item in session.get_inputs()]
        if "input_ids" not in self.input_names_:
            raise ValueError(
                f"The ONNX model {self.onnx_path_!r} takes inputs {self.input_names_}, but "
                "a transformer encoder taking 'input_ids' (and 'attention_mask') was "
                "expected."
            )
        # One tiny pass checks that the graph runs and gives (batch, length, dim) vectors.
        hidden, _ = self._encode_batch([tokenizer.encode("")])
        if hidden.ndim != 3:
            raise ValueError(
                f"The ONNX model {self.onnx_path_!r} returns an array of shape "
                f"{hidden.shape}; token vectors of shape (batch, length, dim) were "
                "expected as its first output (or one named 'last_hidden_state')."
            )
        self.n_features_ = int(hidden.shape[2])

    def _runtime(self):
        """The tokenizer and inference session, loaded from the fitted paths if needed."""
        if getattr(self, "_session", None) is None or getattr(self, "_tokenizer", None) is None:
            onnxruntime, tokenizers = _import_runtime()
            try:
                tokenizer = tokenizers.Tokenizer.from_file(
                    os.path.join(self.model_path_, "tokenizer.json")
                )
            except Exception as exc:
                raise ValueError(
                    f"Cannot read {os.path.join(self.model_path_, 'tokenizer.json')!r} as a "
                    f"HuggingFace tokenizers file: {exc}"
                ) from None
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length=self.max_length_)
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = max(1, effective_n_jobs(self.n_jobs))
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            try:
                session = onnxruntime.InferenceSession(
                    self.onnx_path_, sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:
                raise ValueError(
                    f"onnxruntime cannot load {self.onnx_path_!r} as an ONNX model: {exc}"
                ) from None
            outputs = [item.name for item in session.get_outputs()]
            self._output_name = (
                "last_hidden_state"
                if "last_hidden_state" in outputs
                else "token_embeddings" if "token_embeddings" in outputs else outputs[0]
            )
            self._input_types = {item.name: item.type for item in session.get_inputs()}
            self._session, self._tokenizer = session, tokenizer
        return self._session, self._tokenizer

    def _encode_batch(self, encodings):
        """Run the encoder on a list of tokenizer encodings; padded last-layer vectors."""
        session, _ = self._runtime()
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        arrays = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids),
            "position_ids": np.broadcast_to(np.arange(length, dtype=np.int64), ids.shape),
        }
        feed = {}
        for name, kind in self._input_types.items():
            if name not in arrays:
                raise ValueError(
                    f"The ONNX model {self.onnx_path_!r} takes an input {name!r} that "
                    "ContextualVectorizer does not know how to fill; it fills input_ids, "
                    "attention_mask, token_type_ids and position_ids."
                )
            feed[name] = arrays[name].astype(np.int32) if "int32" in kind else arrays[name]
        hidden = session.run([self._output_name], feed)[0]
        return np.asarray(hidden, dtype=np.float32), mask

    def _run(self, X, keep_tokens=False):
        """Tokenize, sort by length, run in batches; yield results chunk by chunk.

        Yields ``(encodings, per-document token vectors, pooled rows)`` for consecutive
        chunks of documents in input order; counts truncated documents in
        ``n_truncated_``.
        """
        _, tokenizer = self._runtime()
        self.n_truncated_ = 0
        n_documents = 0
        with tqdm(
            unit="doc", desc="ContextualVectorizer", disable=not self.verbose
        ) as progress:
            for chunk in self._chunks(X):
                encodings = self._tokenize(tokenizer, chunk)
                self.n_truncated_ += sum(1 for e in encodings if e.overflowing)
                n_documents += len(encodings)
                lengths = np.fromiter((len(e.ids) for e in encodings), np.int64, len(encodings))
                order = np.argsort(-lengths, kind="stable")
                pooled = np.empty((len(encodings), self.n_features_), dtype=np.float32)
                tokens = [None] * len(encodings) if keep_tokens else None
                for start in range(0, len(order), self.batch_size):
                    rows = order[start : start + self.batch_size]
                    hidden, mask = self._encode_batch([encodings[i] for i in rows])
                    pooled[rows] = _pool(hidden, mask, self.pooling)
                    if keep_tokens:
                        for row, vectors, row_mask in zip(rows, hidden, mask):
                            tokens[row] = vectors[: row_mask.sum()]
                    progress.update(len(rows))
                if self.normalize:
                    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
                    pooled /= np.maximum(norms, np.float32(1e-12))
                yield encodings, tokens, pooled
        if self.n_truncated_:
            warnings.warn(
                f"{self.n_truncated_} of {n_documents} documents were longer than "
                f"max_length={self.max_length_} tokens and were truncated; only their first "
                f"{self.max_length_} tokens are encoded. Split long documents, or raise "
                "max_length up to the model's limit.",
                UserWarning,
                stacklevel=3,
            )

    def _transform(self, X):
        parts = [pooled for _, _, pooled in self._run(X)]
        if not parts:
            return np.zeros((0, self.n_features_), dtype=np.float32)
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def _chunks(self, X):
        chunk = []
        for document in self._documents(X):
            chunk.append(document)
            if len(chunk) == _CHUNK_DOCUMENTS:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    @staticmethod
    def _tokenize(tokenizer, documents):
        """Encode a chunk of documents; strings and word lists go in separate batches."""
        texts = [i for i, doc in enumerate(documents) if isinstance(doc, str)]
        words = [i for i, doc in enumerate(documents) if not isinstance(doc, str)]
        encodings = [None] * len(documents)
        if texts:
            batch = tokenizer.encode_batch([documents[i] for i in texts])
            for i, encoding in zip(texts, batch):
                encodings[i] = encoding
        if words:
            batch = tokenizer.encode_batch(
                [documents[i] for i in words], is_pretokenized=True
            )
            for i, encoding in zip(words, batch):
                encodings[i] = encoding
        return encodings
