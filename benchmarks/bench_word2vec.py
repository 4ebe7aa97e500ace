"""Word2VecVectorizer against gensim's Word2Vec: throughput, peak memory and quality.

The corpus (one document per line, xz-compressed) is tokenized once, lower-cased with the
regex ``[a-z]+(?:'[a-z]+)?|\\d+``, and the same token lists are given to both libraries. Each
model trains in a fresh subprocess, so its peak resident memory (``ru_maxrss``) is its own;
the token lists loaded into every subprocess count in both columns alike (the column
"RSS above tokens" restarts the peak counter after loading them and subtracts the resident
size at that point).

words/s is raw tokens times epochs divided by the wall time of ``fit``, which includes
building the vocabulary in both libraries. Quality is measured with ``skembed.evaluation`` on
both sets of vectors: Google analogies (3CosAdd, ``restrict_vocab=30000``), WordSim-353 and
SimLex-999 (Spearman). The script also times pooling 100k documents into vectors: skembed's
``transform`` against a plain gensim loop (``wv.get_mean_vector`` per document), the way a
gensim user would do it.

Run (the final table in benchmarks/README.md)::

    flock /tmp/skembed-bench.lock python benchmarks/bench_word2vec.py \\
        --corpus ../shared/data/corpus_en.txt.xz --readme

and ``--limit 50000`` (documents, taken evenly across the file) to iterate quickly.
"""

import argparse
import json
import lzma
import os
import pickle
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")

MODELS = {
    "skipgram-ns": dict(architecture="skipgram", objective="negative_sampling"),
    "cbow-ns": dict(architecture="cbow", objective="negative_sampling"),
    "skipgram-hs": dict(architecture="skipgram", objective="hierarchical_softmax"),
    # One draw of noise words shared by the context words of a window (pWord2Vec); gensim
    # has no such option and runs its usual skip-gram NS for this row.
    "skipgram-ns-shared": dict(architecture="skipgram", objective="negative_sampling",
                               shared_negatives=True),
}
N_TRANSFORM = 100_000


def tokenize(path, limit):
    with lzma.open(path, "rt", encoding="utf-8") as file:
        lines = file.read().splitlines()
    if limit and limit < len(lines):
        step = len(lines) / limit
        lines = [lines[int(i * step)] for i in range(limit)]
    return [TOKEN.findall(line.lower()) for line in lines]


def peak_rss_mb():
    # VmHWM belongs to this process image alone; ru_maxrss can carry over the parent's peak
    # through fork + exec on Linux.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss():
    """Restart the peak-RSS count at the current size (Linux >= 4.0), so that the transient
    peak of unpickling the token lists does not hide the training's own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def run_skembed(documents, model, settings):
    import joblib

    from skembed.word2vec import Word2VecVectorizer

    vectorizer = Word2VecVectorizer(
        n_components=settings["dim"], window=settings["window"], negative=settings["negative"],
        sample=settings["sample"], min_count=settings["min_count"], epochs=settings["epochs"],
        n_jobs=settings["threads"], random_state=settings["seed"], **MODELS[model])
    start = time.perf_counter()
    with joblib.parallel_config(backend=settings["joblib_backend"]):
        vectorizer.fit(documents)
    fit_seconds = time.perf_counter() - start
    sample = documents[:N_TRANSFORM]
    start = time.perf_counter()
    with joblib.parallel_config(backend=settings["joblib_backend"]):
        vectorizer.transform(sample)
    transform_seconds = time.perf_counter() - start
    kv = vectorizer.word_vectors_
    return kv.vectors, kv.index_to_key, fit_seconds, transform_seconds


def run_gensim(documents, model, settings):
    import numpy as np
    from gensim.models import Word2Vec

    params = dict(MODELS[model])
    params.pop("shared_negatives", None)
    hierarchical = params["objective"] == "hierarchical_softmax"
    skipgram = params["architecture"] == "skipgram"
    start = time.perf_counter()
    trained = Word2Vec(
        documents, vector_size=settings["dim"], window=settings["window"],
        negative=0 if hierarchical else settings["negative"], hs=int(hierarchical),
        sg=int(skipgram), sample=settings["sample"], min_count=settings["min_count"],
        epochs=settings["epochs"], workers=settings["threads"], seed=settings["seed"],
        # The word2vec C tool's (and skembed's) learning rates; gensim defaults to 0.025.
        alpha=0.025 if skipgram else 0.05, min_alpha=1e-4)
    fit_seconds = time.perf_counter() - start
    wv = trained.wv
    sample = documents[:N_TRANSFORM]
    start = time.perf_counter()
    pooled = np.zeros((len(sample), wv.vector_size), dtype=np.float32)
    for i, document in enumerate(sample):
        known = [word for word in document if word in wv.key_to_index]
        if known:
            pooled[i] = wv.get_mean_vector(known)
    transform_seconds = time.perf_counter() - start
    return wv.vectors, list(wv.index_to_key), fit_seconds, transform_seconds


def worker(args):
    """Train one model in this process and print its measurements as JSON."""
    import numpy as np

    from skembed.evaluation import evaluate_analogies, evaluate_similarity
    try:
        from skembed.datasets import load_simlex999, load_wordsim353
    except ImportError:  # before the loaders are exported from skembed.datasets
        from skembed.datasets._evaluation_sets import load_simlex999, load_wordsim353
    from skembed.keyed_vectors import KeyedVectors

    # Import the library first: the baseline then holds the interpreter, the imported code
    # and the token lists, and "RSS above tokens" is what training itself needs.
    if args.library == "skembed":
        import skembed.word2vec  # noqa: F401
    else:
        import gensim.models  # noqa: F401
    with open(args.tokens, "rb") as file:
        documents = pickle.load(file)
    settings = json.loads(args.settings)
    peak_after_loading = peak_rss_mb()
    reset_peak_rss()
    base_rss = peak_rss_mb()
    run = run_skembed if args.library == "skembed" else run_gensim
    vectors, index_to_key, fit_seconds, transform_seconds = run(documents, args.model,
                                                                settings)
    kv = KeyedVectors(np.asarray(vectors, dtype=np.float32), index_to_key)
    n_tokens = sum(map(len, documents))
    result = {
        "words_per_second": n_tokens * settings["epochs"] / fit_seconds,
        "fit_seconds": fit_seconds,
        "peak_rss_mb": max(peak_rss_mb(), peak_after_loading),
        "rss_above_tokens_mb": peak_rss_mb() - base_rss,
        "transform_seconds": transform_seconds,
        "n_transform": min(N_TRANSFORM, len(documents)),
        "vocabulary": len(index_to_key),
        "analogy": evaluate_analogies(kv, restrict_vocab=30000).accuracy,
        "wordsim353": evaluate_similarity(kv, load_wordsim353()).spearman,
        "simlex999": evaluate_similarity(kv, load_simlex999()).spearman,
    }
    print(json.dumps(result))


def measure(library, model, tokens_path, settings):
    command = [sys.executable, __file__, "--worker", "--library", library, "--model", model,
               "--tokens", tokens_path, "--settings", json.dumps(settings)]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{library} {model} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows, n_documents, n_tokens, settings, command):
    lines = [
        f"Corpus: {n_documents:,} documents, {n_tokens:,} tokens; dim {settings['dim']}, "
        f"window {settings['window']}, negative {settings['negative']}, sample "
        f"{settings['sample']}, min_count {settings['min_count']}, {settings['epochs']} "
        f"epochs, {settings['threads']} threads (skembed's vocabulary pass with joblib backend "
        f"{settings['joblib_backend']!r}). Command: `{command}`",
        "",
        "| model | library | words/s | fit s | peak RSS MB | RSS above tokens MB | "
        "analogy (30k) | WordSim-353 | SimLex-999 | pool 100k docs s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for model, results in rows:
        for library in ("skembed", "gensim"):
            r = results[library]
            lines.append(
                f"| {model} | {library} | {r['words_per_second']:,.0f} | "
                f"{r['fit_seconds']:.1f} | {r['peak_rss_mb']:,.0f} | "
                f"{r['rss_above_tokens_mb']:,.0f} | {r['analogy']:.4f} | "
                f"{r['wordsim353']:.4f} | {r['simlex999']:.4f} | "
                f"{r['transform_seconds']:.2f} |")
        s, g = results["skembed"], results["gensim"]
        lines.append(
            f"| {model} | **skembed / gensim** | **{s['words_per_second'] / g['words_per_second']:.2f}x** | "
            f"{s['fit_seconds'] / g['fit_seconds']:.2f}x | "
            f"{s['peak_rss_mb'] / g['peak_rss_mb']:.2f}x | "
            f"{s['rss_above_tokens_mb'] / max(g['rss_above_tokens_mb'], 1):.2f}x | "
            f"{s['analogy'] - g['analogy']:+.4f} | {s['wordsim353'] - g['wordsim353']:+.4f} | "
            f"{s['simlex999'] - g['simlex999']:+.4f} | "
            f"{s['transform_seconds'] / g['transform_seconds']:.2f}x |")
    lines += [
        "",
        "Ratio row: throughput, time and memory as skembed / gensim; scores as skembed minus "
        "gensim. words/s counts every raw token once per epoch for both libraries and the fit "
        "time includes building the vocabulary. gensim silently ignores the rest of a "
        "document once it has kept 10,000 of its tokens after subsampling (a few long "
        "documents of this corpus), so it trains on somewhat fewer words than skembed, which cuts long "
        "documents into pieces; its words/s is flattered by that. Peak RSS includes the "
        "token lists of the whole corpus, loaded in both processes; \"RSS above tokens\" is "
        "the peak of training and evaluation above the resident size after importing the "
        "library and loading them (the peak counter is restarted after loading). "
        "Pooling: skembed's `transform` against a Python loop over gensim's "
        "`get_mean_vector`. The machine has 2 cores shared with other jobs: compare the "
        "ratios, not the absolute numbers.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="path of corpus_en.txt.xz (required)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use this many documents, spread evenly over the file")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--joblib-backend", default="threading",
                        help="joblib backend of skembed's vocabulary pass (the documents are "
                        "already token lists, so processes would only add pickling)")
    parser.add_argument("--readme", action="store_true",
                        help="write the table into benchmarks/README.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.corpus is None:
        parser.error("--corpus is required")

    settings = dict(dim=100, window=5, negative=5, sample=1e-3, min_count=5,
                    epochs=args.epochs, threads=args.threads, seed=args.seed,
                    joblib_backend=args.joblib_backend)
    warm_up_kernels(settings)
    documents = tokenize(args.corpus, args.limit)
    n_documents = len(documents)
    n_tokens = sum(map(len, documents))
    print(f"{n_documents:,} documents, {n_tokens:,} tokens", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tokens_path = os.path.join(folder, "tokens.pkl")
        with open(tokens_path, "wb") as file:
            pickle.dump(documents, file, protocol=pickle.HIGHEST_PROTOCOL)
        del documents
        for model in args.models.split(","):
            results = {}
            for library in ("skembed", "gensim"):
                results[library] = measure(library, model, tokens_path, settings)
                print(model, library, results[library], file=sys.stderr)
            rows.append((model, results))
    command = "python benchmarks/bench_word2vec.py " + " ".join(sys.argv[1:])
    output = table(rows, n_documents, n_tokens, settings, command)
    print(output)
    if args.readme:
        write_readme_section("Word2Vec", output)


def warm_up_kernels(settings):
    """Compile (or load from numba's cache) every kernel before any timing."""
    sys.path.insert(0, str(ROOT))
    from skembed.word2vec import Word2VecVectorizer

    documents = [["a", "b", "c", "d", "a", "b"]] * 20
    for params in MODELS.values():
        for n_jobs in (1, settings["threads"]):
            Word2VecVectorizer(n_components=4, min_count=1, epochs=1, n_jobs=n_jobs,
                               **params).fit_transform(documents)


def write_readme_section(title, body):
    """Replace (or append) the ``## title`` section of benchmarks/README.md."""
    path = Path(__file__).resolve().parent / "README.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"## {title}\n\n{body}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
