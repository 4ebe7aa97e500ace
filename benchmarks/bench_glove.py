"""GloVe in skembed against gensim's skip-gram: counting and epoch times, memory, quality.

The corpus (one document per line, xz-compressed) is tokenized lower-cased with the regex
``[a-z]+(?:'[a-z]+)?|\\d+`` and words seen fewer than 5 times are dropped. skembed's GloVe
(window 10, 100 dimensions, x_max 100, alpha 0.75, learning rate 0.05) runs the functions
behind ``GloVeVectorizer.fit``: co-occurrence counting, timed on its own, then ``_train_glove``,
whose per-epoch callback times every epoch (shuffle included) and evaluates the vectors. The closest installable peer is gensim's
``Word2Vec`` (skip-gram, negative 5, window 5, 5 epochs), trained on the same tokens in the same
run: GloVe has no maintained pip-installable implementation. Each library runs in a fresh
subprocess, so the peak resident memory (``ru_maxrss``) is its own.

Quality is measured with ``skembed.evaluation``: Google analogies (3CosAdd,
``restrict_vocab=30000``), WordSim-353 and SimLex-999 (Spearman), for GloVe after several
epoch counts. The reference C programs (stanfordnlp/GloVe) on this corpus and machine kind
took 16 s to count and 40-48 s per iteration, and scored 0.206 / 0.522 / 0.269 after 25.

Run (the table in benchmarks/README.md)::

    flock /tmp/skembed-bench.lock python benchmarks/bench_glove.py \\
        --corpus ../shared/data/corpus_en.txt.xz --readme

and ``--limit 50000`` (documents, taken evenly across the file) to iterate quickly.
"""

import argparse
import json
import lzma
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN_PATTERN = r"[a-z]+(?:'[a-z]+)?|\d+"
REFERENCE = {"count_s": 16.0, "epoch_s": "40-48", "analogy": 0.206, "ws353": 0.522,
             "simlex": 0.269}


def read_documents(path, limit):
    with lzma.open(path, "rt", encoding="utf-8") as file:
        lines = file.read().splitlines()
    if limit and limit < len(lines):
        step = len(lines) / limit
        lines = [lines[int(i * step)] for i in range(limit)]
    return lines


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scores(kv):
    from skembed.evaluation import evaluate_analogies, evaluate_similarity
    from skembed.datasets import load_simlex999

    analogy = evaluate_analogies(kv, restrict_vocab=30000)
    return {
        "analogy": float(analogy.accuracy),
        "ws353": float(evaluate_similarity(kv).spearman),
        "simlex": float(evaluate_similarity(kv, load_simlex999()).spearman),
    }


def run_glove(args):
    from skembed._base import numba_threads
    from skembed._corpus import build_corpus
    from skembed._kernels._glove import count_cooccurrences
    from skembed._text import build_analyzer
    from skembed.glove import _nonzero_terms, _output_vectors, _train_glove
    from skembed.keyed_vectors import KeyedVectors

    documents = read_documents(args.corpus, args.limit)
    start = time.perf_counter()
    analyzer = build_analyzer(lowercase=True, token_pattern=TOKEN_PATTERN)
    corpus = build_corpus(documents, analyzer, min_count=5, n_jobs=args.n_jobs)
    tokenize_s = time.perf_counter() - start
    del documents
    n_words = len(corpus.index_to_key)
    result = {"n_tokens": int(corpus.ids.shape[0]), "n_words": n_words,
              "tokenize_s": tokenize_s, "epochs": []}
    settings = dict(n_components=100, learning_rate=0.05, max_grad=100.0)
    with numba_threads(args.n_jobs) as n_threads:
        # Compile outside the timings (numba caches to disk, so this is a load on later runs).
        warm = count_cooccurrences(corpus.ids[:1000], np.array([0, 1000]), n_words,
                                   n_threads=n_threads)
        _train_glove(_nonzero_terms(warm, 100.0, 0.75), n_words, epochs=1, seed=0,
                     n_threads=n_threads, **settings)
        start = time.perf_counter()
        counts = count_cooccurrences(corpus.ids, corpus.offsets, n_words, window=10,
                                     n_threads=n_threads)
        result["count_s"] = time.perf_counter() - start
        result["count_rss_mb"] = peak_rss_mb()
        start = time.perf_counter()
        nonzeros = _nonzero_terms(counts, 100.0, 0.75)
        del counts
        result["nnz"] = int(nonzeros.cols.size)
        result["prepare_s"] = time.perf_counter() - start
        last = time.perf_counter()

        def record_epoch(epoch, parameters):
            # The epoch time includes the shuffle of the nonzeros (and, for the first
            # epoch, the initial parameters).
            nonlocal last
            record = {"epoch": epoch, "epoch_s": time.perf_counter() - last}
            if epoch in args.evaluate_at or epoch == args.epochs:
                kv = KeyedVectors(_output_vectors(parameters, "sum"), corpus.index_to_key)
                record.update(scores(kv))
            print(json.dumps(record), file=sys.stderr, flush=True)
            result["epochs"].append(record)
            last = time.perf_counter()

        _, loss_curve = _train_glove(nonzeros, n_words, epochs=args.epochs, seed=args.seed,
                                     n_threads=n_threads, on_epoch=record_epoch, **settings)
        for record, cost in zip(result["epochs"], loss_curve):
            record["cost"] = float(cost)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_gensim(args):
    from gensim.models import Word2Vec

    from skembed.keyed_vectors import KeyedVectors

    documents = read_documents(args.corpus, args.limit)
    start = time.perf_counter()
    pattern = re.compile(TOKEN_PATTERN)
    sentences = [pattern.findall(document.lower()) for document in documents]
    tokenize_s = time.perf_counter() - start
    del documents
    tokens_rss_mb = peak_rss_mb()
    model = Word2Vec(vector_size=100, window=5, negative=5, sg=1, min_count=5,
                     workers=args.n_jobs, seed=0)
    start = time.perf_counter()
    model.build_vocab(sentences)
    vocab_s = time.perf_counter() - start
    start = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=args.gensim_epochs)
    train_s = time.perf_counter() - start
    kv = KeyedVectors(model.wv.vectors.astype(np.float32), list(model.wv.index_to_key))
    result = {"tokenize_s": tokenize_s, "vocab_s": vocab_s, "train_s": train_s,
              "epoch_s": train_s / args.gensim_epochs, "epochs": args.gensim_epochs,
              "tokens_rss_mb": tokens_rss_mb, "n_words": len(kv.index_to_key), **scores(kv)}
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def in_subprocess(part, args):
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        command = [sys.executable, __file__, "--part", part, "--json", output.name,
                   "--corpus", str(args.corpus), "--limit", str(args.limit),
                   "--epochs", str(args.epochs), "--gensim-epochs", str(args.gensim_epochs),
                   "--n-jobs", str(args.n_jobs), "--seed", str(args.seed),
                   "--evaluate-at", *[str(e) for e in args.evaluate_at]]
        subprocess.run(command, check=True)
        return json.loads(Path(output.name).read_text())


def table(glove, gensim, command):
    epochs = glove["epochs"]
    mean_epoch = float(np.mean([e["epoch_s"] for e in epochs]))
    # The median resists the minutes when other work shares the two cores.
    median_epoch = float(np.median([e["epoch_s"] for e in epochs]))
    lines = [
        f"Corpus: {glove['n_tokens']:,} tokens after pruning, {glove['n_words']:,} words "
        f"(min_count 5), {glove['nnz']:,} nonzero co-occurrences (window 10, symmetric).",
        "",
        "| step | skembed GloVe | reference C GloVe | gensim skip-gram (same run) |",
        "|---|---|---|---|",
        f"| co-occurrence counting | {glove['count_s']:.1f} s | {REFERENCE['count_s']:.0f} s "
        f"| (vocabulary: {gensim['vocab_s']:.1f} s) |",
        f"| one epoch, shuffle included (median / mean of {len(epochs)}) "
        f"| {median_epoch:.1f} s / {mean_epoch:.1f} s "
        f"| {REFERENCE['epoch_s']} s | {gensim['epoch_s']:.1f} s |",
        f"| epoch time (median) / gensim epoch time | {median_epoch / gensim['epoch_s']:.2f} "
        "| | 1.00 |",
        f"| peak RSS (fresh process) | {glove['peak_rss_mb']:,.0f} MB "
        f"(counting: {glove['count_rss_mb']:,.0f} MB) | | {gensim['peak_rss_mb']:,.0f} MB |",
        "",
        "| vectors | epochs | analogies (30k) | WordSim-353 | SimLex-999 |",
        "|---|---|---|---|---|",
    ]
    for e in epochs:
        if "analogy" in e:
            lines.append(f"| skembed GloVe | {e['epoch']} | {e['analogy']:.3f} "
                         f"| {e['ws353']:.3f} | {e['simlex']:.3f} |")
    lines.append(f"| reference C GloVe | 25 | {REFERENCE['analogy']:.3f} "
                 f"| {REFERENCE['ws353']:.3f} | {REFERENCE['simlex']:.3f} |")
    lines.append(f"| gensim skip-gram | {gensim['epochs']} | {gensim['analogy']:.3f} "
                 f"| {gensim['ws353']:.3f} | {gensim['simlex']:.3f} |")
    lines += ["", f"Command: `{command}`"]
    return "\n".join(lines)


def write_readme_section(text):
    path = ROOT / "benchmarks" / "README.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"## GloVe\n\n{text}\n"
    pattern = re.compile(r"## GloVe\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(current):
        current = pattern.sub(lambda _: section.rstrip("\n") + "\n", current)
    else:
        current = current.rstrip("\n") + "\n\n" + section
    path.write_text(current)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=ROOT.parent / "shared" / "data" / "corpus_en.txt.xz")
    parser.add_argument("--limit", type=int, default=0, help="documents to use (0: all)")
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=12345, help="seed of the GloVe run")
    parser.add_argument("--gensim-epochs", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--evaluate-at", type=int, nargs="*", default=[5, 10, 15, 20])
    parser.add_argument("--readme", action="store_true",
                        help="write the table under 'GloVe' in benchmarks/README.md")
    parser.add_argument("--part", choices=["glove", "gensim"], help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        result = run_glove(args) if args.part == "glove" else run_gensim(args)
        Path(args.json).write_text(json.dumps(result))
        return
    command = "python " + " ".join(["benchmarks/bench_glove.py", *sys.argv[1:]])
    glove = in_subprocess("glove", args)
    gensim = in_subprocess("gensim", args)
    text = table(glove, gensim, "flock /tmp/skembed-bench.lock " + command)
    print(text)
    if args.readme:
        write_readme_section(text)


if __name__ == "__main__":
    main()
