"""FastTextVectorizer against gensim's FastText: throughput, peak memory and quality.

Same corpus handling as ``bench_word2vec.py`` (whose helpers this script imports): the
corpus is tokenized once, lower-cased with the regex ``[a-z]+(?:'[a-z]+)?|\\d+``, and the
same token lists go to every model, each trained in a fresh subprocess so that its peak
resident memory is its own. Both libraries get the same settings: dimension, window, noise
words, subsampling, min_count, epochs, learning rates (0.025 skip-gram, 0.05 CBOW, decaying
to 1e-4), n-gram lengths 3 to 6 and the same number of hash buckets. skembed's own
``Word2VecVectorizer`` trains on the same tokens with the same settings, to show what the
subwords add.

Quality is measured with ``skembed.evaluation`` on the vocabulary's vectors: Google
analogies (3CosAdd, ``restrict_vocab=30000``) split into the semantic and the syntactic
(``gram*``) sections, WordSim-353 and SimLex-999 (Spearman; pairs with an unknown word are
skipped for every model alike).

Run (the table in benchmarks/README.md)::

    flock /tmp/skembed-bench.lock python benchmarks/bench_fasttext.py \\
        --corpus ../shared/data/corpus_en.txt.xz --limit 100000 --readme
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_word2vec import peak_rss_mb, reset_peak_rss, tokenize, write_readme_section

ROOT = Path(__file__).resolve().parent.parent
MODELS = {
    "skipgram-ns": dict(architecture="skipgram", objective="negative_sampling"),
    "cbow-ns": dict(architecture="cbow", objective="negative_sampling"),
}
LIBRARIES = ("skembed", "gensim", "skembed word2vec")


def learning_rate(params):
    return 0.025 if params["architecture"] == "skipgram" else 0.05


def run_skembed(documents, model, settings, subwords=True):
    import joblib

    from skembed import FastTextVectorizer, Word2VecVectorizer

    common = dict(
        n_components=settings["dim"], window=settings["window"],
        negative=settings["negative"], sample=settings["sample"],
        min_count=settings["min_count"], epochs=settings["epochs"],
        n_jobs=settings["threads"], random_state=settings["seed"], **MODELS[model])
    if subwords:
        vectorizer = FastTextVectorizer(min_n=3, max_n=6, n_buckets=settings["buckets"],
                                        **common)
    else:
        vectorizer = Word2VecVectorizer(**common)
    start = time.perf_counter()
    with joblib.parallel_config(backend="threading"):
        vectorizer.fit(documents)
    seconds = time.perf_counter() - start
    kv = vectorizer.word_vectors_
    return kv.vectors, kv.index_to_key, seconds


def run_gensim(documents, model, settings):
    from gensim.models import FastText

    params = MODELS[model]
    start = time.perf_counter()
    trained = FastText(
        documents, vector_size=settings["dim"], window=settings["window"],
        negative=settings["negative"], hs=0, sg=int(params["architecture"] == "skipgram"),
        sample=settings["sample"], min_count=settings["min_count"],
        epochs=settings["epochs"], workers=settings["threads"], seed=settings["seed"],
        alpha=learning_rate(params), min_alpha=1e-4, min_n=3, max_n=6,
        bucket=settings["buckets"])
    seconds = time.perf_counter() - start
    return trained.wv.vectors, list(trained.wv.index_to_key), seconds


def analogy_split(result):
    """Accuracy on the semantic and on the syntactic (``gram*``) sections."""
    split = {"semantic": [0, 0], "syntactic": [0, 0]}
    for name, section in result.sections.items():
        if "total" in name.lower():
            continue
        kind = "syntactic" if name.startswith("gram") else "semantic"
        split[kind][0] += section.n_correct
        split[kind][1] += section.n_evaluated
    return {kind: correct / max(evaluated, 1) for kind, (correct, evaluated) in split.items()}


def worker(args):
    import numpy as np

    # Load each library's compiled training code before the memory baseline: gensim's Cython
    # extensions load on import, skembed's numba kernels on their first call (from numba's
    # cache, filled by warm_up_kernels), so a tiny fit loads them here.
    if args.library == "gensim":
        import gensim.models  # noqa: F401
    else:
        from skembed import FastTextVectorizer, Word2VecVectorizer

        model = (FastTextVectorizer(n_buckets=10) if args.library == "skembed"
                 else Word2VecVectorizer())
        model.set_params(n_components=4, min_count=1, epochs=1,
                         n_jobs=json.loads(args.settings)["threads"], **MODELS[args.model])
        model.fit([["a", "b", "c", "d", "a", "b"]] * 20)
        del model
    with open(args.tokens, "rb") as file:
        documents = pickle.load(file)
    settings = json.loads(args.settings)
    reset_peak_rss()
    base_rss = peak_rss_mb()
    if args.library == "gensim":
        vectors, index_to_key, seconds = run_gensim(documents, args.model, settings)
    else:
        vectors, index_to_key, seconds = run_skembed(
            documents, args.model, settings, subwords=args.library == "skembed")
    process_peak = peak_rss_mb()
    training_peak = process_peak - base_rss
    # skembed's evaluation is imported after the measurement, so that the gensim process's
    # peak is gensim's own.
    from skembed.datasets import load_simlex999, load_wordsim353
    from skembed.evaluation import evaluate_analogies, evaluate_similarity
    from skembed.keyed_vectors import KeyedVectors

    kv = KeyedVectors(np.asarray(vectors, dtype=np.float32), index_to_key)
    n_tokens = sum(map(len, documents))
    analogies = evaluate_analogies(kv, restrict_vocab=30000)
    result = {
        "words_per_second": n_tokens * settings["epochs"] / seconds,
        "fit_seconds": seconds,
        "rss_above_tokens_mb": training_peak,
        "peak_rss_mb": process_peak,
        "vocabulary": len(index_to_key),
        "analogy": analogies.accuracy,
        **analogy_split(analogies),
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
        f"epochs, n-grams 3 to 6, {settings['buckets']:,} buckets, {settings['threads']} "
        f"threads. Command: `{command}`",
        "",
        "| model | library | words/s | fit s | peak RSS MB | RSS above tokens MB | analogy (30k) | "
        "semantic | syntactic | WordSim-353 | SimLex-999 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for model, results in rows:
        for library in LIBRARIES:
            r = results[library]
            lines.append(
                f"| {model} | {library} | {r['words_per_second']:,.0f} | "
                f"{r['fit_seconds']:.1f} | {r['peak_rss_mb']:,.0f} | "
                f"{r['rss_above_tokens_mb']:,.0f} | "
                f"{r['analogy']:.4f} | {r['semantic']:.4f} | {r['syntactic']:.4f} | "
                f"{r['wordsim353']:.4f} | {r['simlex999']:.4f} |")
        s, g = results["skembed"], results["gensim"]
        lines.append(
            f"| {model} | **skembed / gensim** | "
            f"**{s['words_per_second'] / g['words_per_second']:.2f}x** | "
            f"{s['fit_seconds'] / g['fit_seconds']:.2f}x | "
            f"{s['peak_rss_mb'] / g['peak_rss_mb']:.2f}x | "
            f"{s['rss_above_tokens_mb'] / max(g['rss_above_tokens_mb'], 1):.2f}x | "
            f"{s['analogy'] - g['analogy']:+.4f} | {s['semantic'] - g['semantic']:+.4f} | "
            f"{s['syntactic'] - g['syntactic']:+.4f} | "
            f"{s['wordsim353'] - g['wordsim353']:+.4f} | "
            f"{s['simlex999'] - g['simlex999']:+.4f} |")
    lines += [
        "",
        "Ratio row: throughput, time and memory as skembed FastText / gensim FastText; scores "
        "as skembed minus gensim. words/s counts every raw token once per epoch and the fit "
        "time includes building the vocabulary and the n-gram table. \"RSS above tokens\" is "
        "the peak resident memory of training above the size after importing the library, "
        "loading its compiled training code (gensim's Cython extensions on import, skembed's "
        "numba kernels from numba's cache by a tiny fit) and loading the token lists (the "
        "peak counter is restarted after loading); \"peak RSS\" is the whole process's. "
        "The machine "
        "has 2 cores shared with other jobs: compare the ratios, not the absolute numbers.",
    ]
    return "\n".join(lines)


def warm_up_kernels(settings):
    """Compile (or load from numba's cache) every kernel before any timing."""
    sys.path.insert(0, str(ROOT))
    from skembed import FastTextVectorizer, Word2VecVectorizer

    documents = [["a", "b", "c", "d", "a", "b"]] * 20
    for params in MODELS.values():
        for n_jobs in (1, settings["threads"]):
            FastTextVectorizer(n_components=4, min_count=1, epochs=1, n_buckets=10,
                               n_jobs=n_jobs, **params).fit(documents)
            Word2VecVectorizer(n_components=4, min_count=1, epochs=1, n_jobs=n_jobs,
                               **params).fit(documents)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="path of corpus_en.txt.xz (required)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use this many documents, spread evenly over the file")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--buckets", type=int, default=500_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
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
                    buckets=args.buckets)
    warm_up_kernels(settings)
    documents = tokenize(args.corpus, args.limit)
    n_documents = len(documents)
    n_tokens = sum(map(len, documents))
    print(f"{n_documents:,} documents, {n_tokens:,} tokens", file=sys.stderr)
    libraries = args.libraries.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tokens_path = os.path.join(folder, "tokens.pkl")
        with open(tokens_path, "wb") as file:
            pickle.dump(documents, file, protocol=pickle.HIGHEST_PROTOCOL)
        del documents
        for model in args.models.split(","):
            results = {}
            for library in libraries:
                results[library] = measure(library, model, tokens_path, settings)
                print(model, library, results[library], file=sys.stderr, flush=True)
            rows.append((model, results))
    if set(libraries) != set(LIBRARIES):
        return
    command = "python benchmarks/bench_fasttext.py " + " ".join(sys.argv[1:])
    output = table(rows, n_documents, n_tokens, settings, command)
    print(output)
    if args.readme:
        write_readme_section("FastText", output)


if __name__ == "__main__":
    main()
