"""NNLMVectorizer on the Brown corpus against an interpolated Kneser-Ney trigram.

The setup of Bengio et al. (2003): the Brown corpus in its original order and tokenization
(punctuation tokens included, case kept as in the corpus; the paper does not say it
lower-cased and keeping case gives the closer vocabulary size, 14,114 symbols against the
paper's 16,383 on its slightly different token count), the first 800,000 tokens for
training, the next 200,000 for validation and the remaining 161,192 for test. Words seen 3
times or fewer in the training part share one unknown-word symbol, which both models
predict like any word. Within each part the sentences of one source file are one document,
so contexts run across sentence boundaries (the corpus is read as a continuous text) and are
padded only at the start of a file, or of a part.

The baseline is the interpolated modified Kneser-Ney trigram of ``kneser_ney.py`` (discounts
tuned on the validation part). The network is trained with early stopping on the validation
part (the weights of the best epoch are kept) and scored once on the test part. As in the
paper, the mixture of the two models (a weight tuned on validation) is also reported.

Run (the table in benchmarks/README.md)::

    flock /tmp/skembed-bench.lock python benchmarks/bench_nnlm.py \\
        --data ../shared/data/brown.tsv.xz --readme
"""

import argparse
import itertools
import lzma
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TRAIN, VALID = 800_000, 200_000


def read_brown(path):
    """Token lists of the training, validation and test parts, one per source file."""
    files, tokens = [], []
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            name, text = line.rstrip("\n").split("\t", 1)
            words = text.split()
            files.extend([name] * len(words))
            tokens.extend(words)
    bounds = [(0, TRAIN), (TRAIN, TRAIN + VALID), (TRAIN + VALID, len(tokens))]
    parts = []
    for start, end in bounds:
        documents = [
            [token for _, token in group]
            for _, group in itertools.groupby(zip(files[start:end], tokens[start:end]),
                                              key=lambda pair: pair[0])
        ]
        parts.append(documents)
    return parts


def as_ids(documents, vocabulary):
    unknown = len(vocabulary)
    ids = np.array([vocabulary.get(t, unknown) for doc in documents for t in doc], np.int64)
    offsets = np.concatenate([[0], np.cumsum([len(doc) for doc in documents])])
    return ids, offsets


def nnlm_token_log_probs(model, ids, offsets):
    """Per-token log-probabilities of a fitted NNLMVectorizer (for the mixture)."""
    from skembed._base import numba_threads
    from skembed._kernels._nnlm import score_units_parallel

    bounds = np.arange(len(ids) + 1, dtype=np.int64)
    out = np.zeros(len(ids))
    with numba_threads(model.n_jobs):
        score_units_parallel((ids.astype(np.int32), offsets.astype(np.int64)), model._weights,
                             model._tables, model._config(), bounds, out)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/data/brown.tsv.xz")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--dim", type=int, default=60)
    parser.add_argument("--hidden", type=int, default=50)
    parser.add_argument("--context", type=int, default=4)
    parser.add_argument("--no-direct", action="store_true")
    parser.add_argument("--output-layers", nargs="+", default=["classes", "huffman"],
                        choices=["classes", "huffman"], help="one network per output layer")
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--min-learning-rate", type=float, default=1e-4)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--patience", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--readme", action="store_true", help="print a markdown table row")
    args = parser.parse_args()

    from kneser_ney import KneserNeyTrigram

    train, valid, test = read_brown(args.data)
    counts = Counter(t for doc in train for t in doc)
    vocabulary = {w: i for i, (w, c) in enumerate(
        sorted(counts.items(), key=lambda item: (-item[1], item[0]))) if c >= 4}
    sizes = [sum(map(len, part)) for part in (train, valid, test)]
    print(f"tokens train/valid/test: {sizes}, vocabulary {len(vocabulary):,} + <unk>")
    unknown_share = [float(np.mean(as_ids(p, vocabulary)[0] == len(vocabulary)))
                     for p in (train, valid, test)]
    print("unknown-word share train/valid/test: "
          + " / ".join(f"{s:.3%}" for s in unknown_share))

    start = time.perf_counter()
    kn = KneserNeyTrigram(len(vocabulary) + 1).fit(*as_ids(train, vocabulary))
    kn_valid_default = kn.perplexity(*as_ids(valid, vocabulary))
    kn_valid = kn.tune(*as_ids(valid, vocabulary))
    kn_test = kn.perplexity(*as_ids(test, vocabulary))
    kn_seconds = time.perf_counter() - start
    print(f"KN trigram: valid {kn_valid_default:.1f} (Chen-Goodman discounts) -> "
          f"{kn_valid:.1f} tuned; test {kn_test:.1f}; {kn_seconds:.1f} s")

    rows = [f"| KN trigram (tuned discounts) | {kn_valid:.1f} | {kn_test:.1f} | 1.00x | "
            f"{kn_seconds:.1f} |"]
    for output_layer in args.output_layers:
        rows += run_network(args, output_layer, train, valid, test, vocabulary, kn, kn_test)
    if args.readme:
        print("\n| model | valid PPL | test PPL | test / KN | train s |")
        print("|---|---:|---:|---:|---:|")
        print("\n".join(rows))


def run_network(args, output_layer, train, valid, test, vocabulary, kn, kn_test):
    from skembed import NNLMVectorizer

    model = NNLMVectorizer(
        n_components=args.dim, context_size=args.context, n_hidden=args.hidden,
        direct_connections=not args.no_direct, output_layer=output_layer,
        epochs=args.epochs, learning_rate=args.learning_rate,
        min_learning_rate=args.min_learning_rate, weight_decay=args.weight_decay,
        early_stopping=True, n_iter_no_change=args.patience, min_count=4,
        random_state=args.seed, n_jobs=args.threads, verbose=1,
    )
    start = time.perf_counter()
    model.fit(train, X_val=valid)
    fit_seconds = time.perf_counter() - start
    assert set(model.vocabulary_) == set(vocabulary)
    print(f"\nNNLM, output layer {output_layer!r}:")
    for epoch, (loss, score) in enumerate(zip(model.loss_curve_, model.validation_scores_)):
        print(f"  epoch {epoch + 1}: train perplexity {np.exp(loss):.1f}, "
              f"valid {np.exp(-score):.1f}")
    nnlm_valid = np.exp(-model.best_validation_score_)
    nnlm_test = model.perplexity(test)
    print(f"NNLM: valid {nnlm_valid:.1f}, test {nnlm_test:.1f} ({nnlm_test / kn_test:.3f}x KN); "
          f"fit {fit_seconds:.0f} s ({model.n_iter_} epochs, {model.n_classes_} classes)",
          flush=True)

    # The paper's mixture: a weight tuned on validation, then applied to test.
    valid_ids, valid_offsets = as_ids(valid, model.vocabulary_)
    test_ids, test_offsets = as_ids(test, model.vocabulary_)
    kn_v = kn.log_probs(valid_ids, valid_offsets)
    nn_v = nnlm_token_log_probs(model, valid_ids, valid_offsets)
    assert abs(np.exp(-nn_v.mean()) - nnlm_valid) < 1e-3 * nnlm_valid
    weights = np.linspace(0.0, 1.0, 101)
    mixture_valid = [np.exp(-np.mean(np.logaddexp(np.log(a + 1e-12) + nn_v,
                                                   np.log(1 - a + 1e-12) + kn_v)))
                     for a in weights]
    alpha = weights[int(np.argmin(mixture_valid))]
    kn_t = kn.log_probs(test_ids, test_offsets)
    nn_t = nnlm_token_log_probs(model, test_ids, test_offsets)
    mixture_test = np.exp(-np.mean(np.logaddexp(np.log(alpha + 1e-12) + nn_t,
                                                np.log(1 - alpha + 1e-12) + kn_t)))
    print(f"mixture (NNLM weight {alpha:.2f}): valid {min(mixture_valid):.1f}, "
          f"test {mixture_test:.1f}", flush=True)

    setting = (f"{output_layer} ({model.n_classes_} classes), m={args.dim}, h={args.hidden}, "
               f"n={args.context + 1}, direct={'no' if args.no_direct else 'yes'}, "
               f"lr {args.learning_rate}->{args.min_learning_rate} over {args.epochs} epochs, "
               f"decay {args.weight_decay}, {args.threads} threads; {model.n_iter_} epochs run")
    if output_layer == "huffman":
        setting = setting.replace(" (0 classes)", "")
    return [
        f"| NNLMVectorizer, {setting} | {nnlm_valid:.1f} | {nnlm_test:.1f} | "
        f"**{nnlm_test / kn_test:.2f}x** | {fit_seconds:.0f} |",
        f"| mixture of that NNLM ({alpha:.2f}) and KN | {min(mixture_valid):.1f} | "
        f"{mixture_test:.1f} | {mixture_test / kn_test:.2f}x | |",
    ]


if __name__ == "__main__":
    main()
