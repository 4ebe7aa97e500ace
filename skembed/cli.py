"""The ``skembed`` command line (also ``python -m skembed``).

``skembed demo`` cross-validates sentiment pipelines on the shipped movie reviews and prints
a table; the other subcommands train vectors on a text file and evaluate vector files.
"""

import argparse
import codecs
import lzma
import os
import sys
import time
import zlib

import numpy as np

from ._files import check_output_path, is_damaged_file_error, open_file

# What a damaged compressed corpus raises while it is read, besides OSError.
_DECOMPRESSION_ERRORS = (EOFError, zlib.error, lzma.LZMAError)


def _tokens_as_they_are(tokens):
    """Analyzer for TfidfVectorizer when a BPETokenizer step has already tokenized."""
    return tokens


def _demo_pipelines():
    """The (name, pipeline) rows that ``skembed demo`` compares, in order.

    The first row is the baseline; the rows are independent, so a new estimator adds one.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import (
        BPETokenizer,
        EmbeddingVectorizer,
        FastTextVectorizer,
        GloVeVectorizer,
        LSAVectorizer,
        NNLMVectorizer,
        Word2VecVectorizer,
    )
    from .datasets import load_pretrained_vectors

    def classifier():
        return LogisticRegression(max_iter=2000, C=1.0)

    pretrained = load_pretrained_vectors()

    def pretrained_block():
        # Frozen vectors: fit learns nothing about them. Each row is scaled to unit length,
        # like a tf-idf row, so that neither block of a union drowns the other.
        return EmbeddingVectorizer(pretrained, pooling=("mean", "max"), norm="l2")

    pipelines = [
        ("TfidfVectorizer (baseline)", make_pipeline(TfidfVectorizer(), classifier())),
        (
            "LSAVectorizer(300)",
            make_pipeline(LSAVectorizer(n_components=300, random_state=0), classifier()),
        ),
        (
            "Word2VecVectorizer(100, sif), trained on the folds",
            make_pipeline(
                Word2VecVectorizer(
                    n_components=100, min_count=2, epochs=20, pooling="sif", random_state=0
                ),
                classifier(),
            ),
        ),
        (
            "FastTextVectorizer(100, sif), trained on the folds",
            make_pipeline(
                FastTextVectorizer(
                    n_components=100, min_count=2, epochs=10, n_buckets=100_000,
                    pooling="sif", random_state=0,
                ),
                classifier(),
            ),
        ),
        (
            "GloVeVectorizer(100, sif), trained on the folds",
            make_pipeline(
                GloVeVectorizer(n_components=100, min_count=2, pooling="sif", random_state=0),
                classifier(),
            ),
        ),
        (
            "NNLMVectorizer(60, huffman, sif), trained on the folds",
            make_pipeline(
                NNLMVectorizer(
                    n_components=60, output_layer="huffman", min_count=2, epochs=3,
                    pooling="sif", random_state=0,
                ),
                classifier(),
            ),
        ),
        (
            "BPETokenizer(8000) + TfidfVectorizer",
            make_pipeline(
                BPETokenizer(vocab_size=8000),
                TfidfVectorizer(analyzer=_tokens_as_they_are),
                classifier(),
            ),
        ),
        (
            PRETRAINED_ROW,
            make_pipeline(pretrained_block(), StandardScaler(), classifier()),
        ),
        (
            PRETRAINED_TFIDF_ROW,
            # The weight of the pretrained block is chosen in each training fold by an inner
            # 3-fold search; weight 0 (tf-idf alone) is one of the choices. A dense block of
            # pooled vectors at full weight crowds out the sparse tf-idf features under the
            # classifier's one regularization strength.
            GridSearchCV(
                Pipeline([
                    ("features", FeatureUnion([
                        ("tfidf", TfidfVectorizer()),
                        ("pretrained", EmbeddingVectorizer(pretrained, pooling="mean",
                                                           norm="l2")),
                    ])),
                    ("classifier", classifier()),
                ]),
                {"features__transformer_weights": [
                    {"tfidf": 1.0, "pretrained": weight} for weight in (0.0, 0.5, 1.0)
                ]},
                cv=3,
            ),
        ),
    ]
    return pipelines


# Names of the demo rows that the closing summary compares with the baseline.
PRETRAINED_ROW = "pretrained vectors (frozen, mean+max)"
PRETRAINED_TFIDF_ROW = "TfidfVectorizer + pretrained vectors (mean, weight tuned)"


def run_demo(n_splits=5, quick=False, out=None):
    """Cross-validate each demo pipeline on the movie reviews and print a markdown table.

    Parameters
    ----------
    n_splits : int, default=5
        Folds of the stratified cross-validation.
    quick : bool, default=False
        Use a 2,000-sentence subset (for smoke tests).
    out : file, default=None
        Where the table goes; ``None`` means standard output.

    Returns
    -------
    list of dict
        One row per pipeline: ``name``, ``accuracy`` (mean), ``std``, ``seconds`` and
        ``scores`` (the accuracy of each fold).
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from .datasets import load_movie_reviews

    out = sys.stdout if out is None else out
    texts, labels = load_movie_reviews(return_X_y=True)
    if quick:
        rng = np.random.default_rng(0)
        keep = np.sort(rng.choice(len(texts), size=2000, replace=False))
        texts, labels = [texts[i] for i in keep], labels[keep]
    smallest_class = int(np.bincount(labels).min())
    if not 2 <= n_splits <= smallest_class:
        raise ValueError(
            f"The demo needs between 2 and {smallest_class} folds (the sentences of the "
            f"smaller class{' in --quick' if quick else ''}); got {n_splits}."
        )
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0)
    print(
        f"Sentiment of {len(texts):,} movie-review sentences (skembed.datasets."
        f"load_movie_reviews), {n_splits}-fold cross-validated accuracy of "
        "Pipeline(vectorizer, LogisticRegression):\n",
        file=out,
    )
    print("| vectorizer | accuracy | std | seconds |", file=out)
    print("|---|---:|---:|---:|", file=out, flush=True)
    rows = []
    for name, pipeline in _demo_pipelines():
        start = time.perf_counter()
        scores = cross_val_score(pipeline, texts, labels, cv=folds)
        seconds = time.perf_counter() - start
        row = dict(name=name, accuracy=scores.mean(), std=scores.std(), seconds=seconds,
                   scores=scores)
        rows.append(row)
        print(
            f"| {name} | {row['accuracy']:.3f} | {row['std']:.3f} | {seconds:.1f} |",
            file=out,
            flush=True,
        )
    by_name = {row["name"]: row for row in rows}
    baseline = rows[0]
    if PRETRAINED_TFIDF_ROW in by_name:
        union = by_name[PRETRAINED_TFIDF_ROW]
        gain = union["accuracy"] - baseline["accuracy"]
        std = baseline["std"]
        in_stds = f"{gain / std:+.1f} times" if std > 0 else "against"
        wins = int(np.sum(union["scores"] > baseline["scores"]))
        print(
            f"\n{PRETRAINED_TFIDF_ROW} minus the baseline:\n{gain:+.3f} accuracy, "
            f"{in_stds} the baseline's fold std ({std:.3f}); better in {wins} of "
            f"{n_splits} folds\n(the same folds for every row).",
            file=out,
        )
    print(
        "\nVectors trained on the training folds alone (about 170k words) have far too "
        "little text\nto beat tf-idf. The pretrained rows use skembed's shipped vectors "
        "(skembed.datasets.\nload_pretrained_vectors: word2vec trained once on 7M words of "
        "redistributable, mostly\nold and formal English), frozen in EmbeddingVectorizer. "
        "Next to tf-idf their block is\nweighted 0, 0.5 or 1, chosen on each training fold "
        "by an inner GridSearchCV. They help\nmost when labels are few (see the "
        "learning-curve example); vectors pretrained on more\ntext like yours help more. "
        "See the user guide, \"Pretraining and feature extraction\".",
        file=out,
    )
    return rows


def _read_lines(path, encoding="utf-8", errors="strict"):
    """Yield the lines of a text file, decompressed by its suffix; errors name the file.

    Bytes that do not decode and damaged compressed data become ``ValueError`` messages
    that say where reading stopped and what to do.
    """
    n_lines = 0
    try:
        with open_file(path, "rt", encoding=encoding, errors=errors) as lines:
            for n_lines, line in enumerate(lines, 1):
                yield line
    except UnicodeDecodeError as error:
        where = f"after line {n_lines}" if n_lines else "in its first lines"
        raise ValueError(
            f"{path} is not valid {encoding}: {error.reason} (byte "
            f"{error.object[error.start]:#04x} {where}). Pass the corpus's --encoding "
            "(e.g. latin-1), or --decode-error replace to read it anyway."
        ) from None
    except (OSError, *_DECOMPRESSION_ERRORS) as error:
        if not is_damaged_file_error(error):
            raise
        raise ValueError(
            f"{path} could not be read after line {n_lines}: {error or type(error).__name__}. "
            "The file is damaged or truncated."
        ) from None


def _train_estimator(args):
    """The estimator ``skembed train`` fits, configured from the command-line options."""
    defaults = {"word2vec": (5, 5), "fasttext": (5, 5), "glove": (10, 25), "nnlm": (4, 10)}[
        args.model
    ]
    common = dict(
        n_components=args.dim,
        window=defaults[0] if args.window is None else args.window,
        min_count=args.min_count,
        max_vocab_size=args.max_vocab_size,
        epochs=defaults[1] if args.epochs is None else args.epochs,
        lowercase=not args.keep_case,
        token_pattern=args.token_pattern,
        n_jobs=args.threads,
        random_state=args.seed,
        verbose=1,
    )
    if args.model == "nnlm":
        from . import NNLMVectorizer

        context_size = common.pop("window")
        return NNLMVectorizer(context_size=context_size, n_hidden=args.hidden, **common)
    if args.model == "word2vec":
        from . import Word2VecVectorizer

        return Word2VecVectorizer(
            architecture=args.architecture,
            objective=args.objective,
            negative=args.negative,
            sample=args.sample,
            **common,
        )
    if args.model == "fasttext":
        from . import FastTextVectorizer

        return FastTextVectorizer(
            architecture=args.architecture,
            objective=args.objective,
            negative=args.negative,
            sample=args.sample,
            min_n=args.min_n,
            max_n=args.max_n,
            n_buckets=args.buckets,
            **common,
        )
    from . import GloVeVectorizer

    return GloVeVectorizer(x_max=args.x_max, **common)


def _train_bpe(args, out):
    """Fit a ``BPETokenizer`` on a text file and save it into the directory ``args.output``."""
    from . import BPETokenizer

    tokenizer = BPETokenizer(
        vocab_size=args.vocab_size,
        min_frequency=args.min_frequency,
        lowercase=args.lowercase,
        byte_level=args.byte_level,
        special_tokens=tuple(args.special_tokens),
        n_jobs=args.threads,
    )
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise ValueError(
            f"Cannot write a tokenizer into {args.output!r}: it is a file. Name a directory "
            "(it is created if missing)."
        )
    start = time.perf_counter()
    tokenizer.fit(_read_lines(args.corpus, args.encoding, args.decode_error))
    seconds = time.perf_counter() - start
    tokenizer.save(args.output)
    print(
        f"Trained bpe on {args.corpus} in {seconds:.1f} s: {len(tokenizer.vocabulary_):,} "
        f"tokens, {len(tokenizer.merges_):,} merges written to {args.output} (vocab.json, "
        "merges.txt, skembed_bpe.json).",
        file=out,
    )
    return tokenizer


def run_train(args, out=None):
    """Train word vectors or a BPE tokenizer on a text file (one document per line) and
    write them."""
    out = sys.stdout if out is None else out
    if args.model == "bpe":
        return _train_bpe(args, out)
    estimator = _train_estimator(args)
    # Fail now rather than after training: the corpus must open, the output be writable.
    try:
        codecs.lookup(args.encoding)
    except LookupError:
        raise ValueError(
            f"Unknown --encoding {args.encoding!r}; use e.g. utf-8 or latin-1."
        ) from None
    first_line = _read_lines(args.corpus, args.encoding, args.decode_error)
    next(first_line, None)
    first_line.close()
    check_output_path(args.output)
    start = time.perf_counter()
    estimator.fit(_read_lines(args.corpus, args.encoding, args.decode_error))
    seconds = time.perf_counter() - start
    kv = estimator.word_vectors_
    if args.format == "glove":
        kv.save_glove_format(args.output)
    else:
        kv.save_word2vec_format(args.output, binary=args.format == "word2vec_binary")
    print(
        f"Trained {args.model} on {args.corpus} in {seconds:.1f} s: {len(kv):,} words x "
        f"{kv.vector_size} dimensions written to {args.output} ({args.format} format).",
        file=out,
    )
    return estimator


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skembed",
        description="Text embeddings as scikit-learn transformers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="cross-validate sentiment pipelines on the shipped movie reviews"
    )
    demo.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    demo.add_argument(
        "--quick", action="store_true", help="use a 2,000-sentence subset (seconds)"
    )
    train = commands.add_parser(
        "train",
        help="train word vectors or a BPE tokenizer on a text file (one document per line) "
        "and write them",
    )
    train.add_argument(
        "model", choices=["word2vec", "fasttext", "glove", "nnlm", "bpe"], help="what to train"
    )
    train.add_argument("corpus", help="text file, one document per line (.gz/.bz2/.xz ok)")
    train.add_argument(
        "-o", "--output", required=True,
        help="where to write the vectors (bpe: a directory, created if missing)",
    )
    train.add_argument(
        "--format",
        choices=["word2vec", "word2vec_binary", "glove"],
        default="word2vec",
        help="output format (default: word2vec text)",
    )
    train.add_argument("--dim", type=int, default=100, help="vector size (default 100)")
    train.add_argument(
        "--window", type=int, default=None,
        help="context window (5 / 10); for nnlm the number of previous words (4)",
    )
    train.add_argument("--min-count", type=int, default=5, help="minimum word count")
    train.add_argument("--max-vocab-size", type=int, default=None, help="keep the N most frequent")
    train.add_argument("--epochs", type=int, default=None, help="passes (5 / 25 / 10)")
    train.add_argument("--threads", type=int, default=2, help="threads (default 2)")
    train.add_argument("--seed", type=int, default=0, help="random seed")
    train.add_argument(
        "--token-pattern",
        default=r"(?u)\b\w\w+\b",
        help="regular expression of a token (default: words of 2+ characters)",
    )
    train.add_argument("--keep-case", action="store_true", help="do not lower-case")
    train.add_argument(
        "--encoding", default="utf-8", help="encoding of the corpus (default utf-8)"
    )
    train.add_argument(
        "--decode-error",
        choices=["strict", "replace", "ignore"],
        default="strict",
        help="what to do with bytes that do not decode: stop with an error (default), "
        "replace them with U+FFFD, or drop them",
    )
    train.add_argument(
        "--architecture",
        choices=["skipgram", "cbow"],
        default="skipgram",
        help="word2vec and fastText",
    )
    train.add_argument(
        "--objective",
        choices=["negative_sampling", "hierarchical_softmax"],
        default="negative_sampling",
        help="word2vec and fastText",
    )
    train.add_argument(
        "--negative", type=int, default=5, help="word2vec and fastText noise words"
    )
    train.add_argument(
        "--sample", type=float, default=1e-3, help="word2vec and fastText subsampling"
    )
    train.add_argument("--x-max", type=float, default=100.0, help="GloVe weighting cutoff")
    train.add_argument("--min-n", type=int, default=3, help="fastText shortest n-gram")
    train.add_argument("--max-n", type=int, default=6, help="fastText longest n-gram")
    train.add_argument(
        "--buckets", type=int, default=500_000, help="fastText n-gram hash buckets"
    )
    train.add_argument("--hidden", type=int, default=50, help="nnlm hidden units")
    train.add_argument("--vocab-size", type=int, default=8000, help="bpe tokens (default 8000)")
    train.add_argument("--min-frequency", type=int, default=2, help="bpe: rarest pair merged")
    train.add_argument("--lowercase", action="store_true", help="bpe: lower-case the text")
    train.add_argument("--byte-level", action="store_true", help="bpe: UTF-8 bytes, GPT-2 style")
    train.add_argument(
        "--special-tokens", nargs="*", default=[], metavar="TOKEN",
        help="bpe: tokens kept whole, with the first ids (e.g. '<unk>' '<pad>')",
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="score a vectors file on the shipped analogy and word-similarity sets",
    )
    evaluate.add_argument("vectors", help="word2vec (text or .bin) or GloVe text file")
    evaluate.add_argument(
        "--format",
        choices=["auto", "word2vec", "word2vec_binary", "glove"],
        default="auto",
        help="file format (default: from the suffix and the first line)",
    )
    evaluate.add_argument(
        "--restrict-vocab",
        type=int,
        default=30000,
        help="analogy questions use only the first N words (default 30000)",
    )
    evaluate.add_argument("--limit", type=int, default=None, help="read only the first N words")
    return parser


def run_evaluate(args, out=None):
    """Print the analogy and word-similarity scores of a vectors file."""
    from .evaluation import format_report
    from .pretrained import load_vectors

    out = sys.stdout if out is None else out
    start = time.perf_counter()
    kv = load_vectors(args.vectors, format=args.format, limit=args.limit)
    if len(kv) == 0:
        raise ValueError(f"{args.vectors} holds no vectors; there is nothing to evaluate.")
    loaded = time.perf_counter() - start
    print(
        f"{args.vectors}: {len(kv):,} words x {kv.vector_size} dimensions "
        f"(read in {loaded:.1f} s)\n",
        file=out,
    )
    print(format_report(kv, restrict_vocab=args.restrict_vocab), file=out)
    return kv


def main(argv=None):
    """Entry point of the ``skembed`` command.

    A user error (a bad option value, a missing, damaged or undecodable file, an output that
    cannot be written) ends the command with a one-line message and exit status 1, Ctrl-C
    with a short message and status 130; neither shows a Python traceback, and neither
    leaves a partly written output file.
    """
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            if args.folds < 2:
                raise ValueError("--folds must be at least 2.")
            run_demo(n_splits=args.folds, quick=args.quick)
        elif args.command == "train":
            run_train(args)
        elif args.command == "evaluate":
            run_evaluate(args)
    except KeyboardInterrupt:
        print(f"\nskembed {args.command}: interrupted; no output file was changed.",
              file=sys.stderr)
        raise SystemExit(130) from None
    except (ValueError, TypeError, OSError, *_DECOMPRESSION_ERRORS) as error:
        raise SystemExit(f"skembed {args.command}: {error}") from None
    return 0
