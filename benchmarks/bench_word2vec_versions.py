"""Word2VecVectorizer of two versions of skembed on the same tokens, in one run.

Compares the kernels of this checkout with those of another commit (checked out with
``git worktree add /tmp/skembed-old COMMIT``): each version trains in its own process, with
that version's ``skembed`` first on ``PYTHONPATH``, on the same subset of the shared corpus
(tokenized as in ``bench_word2vec.py``), and prints the seconds of its corpus pass and of each
fit (vocabulary included). Run::

    flock /tmp/skembed-bench.lock python benchmarks/bench_word2vec_versions.py \\
        --corpus ../shared/data/corpus_en.txt.xz --limit 100000 --trees /tmp/skembed-old .
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = {
    "cbow-ns": ("cbow", "negative_sampling"),
    "skipgram-ns": ("skipgram", "negative_sampling"),
    "skipgram-hs": ("skipgram", "hierarchical_softmax"),
}


def worker(corpus, limit, models):
    import joblib

    import skembed
    from skembed import Word2VecVectorizer
    from skembed._corpus import build_corpus
    from skembed._text import build_analyzer

    sys.path.insert(0, str(HERE))
    from bench_word2vec import tokenize

    documents = tokenize(corpus, limit)
    n_tokens = sum(map(len, documents))
    start = time.perf_counter()
    build_corpus(documents, build_analyzer(), min_count=5)
    print(f"{Path(skembed.__file__).parent.parent}: {n_tokens:,} tokens, corpus pass "
          f"{time.perf_counter() - start:.2f} s", flush=True)
    for model in models:
        architecture, objective = MODELS[model]
        params = dict(architecture=architecture, objective=objective, n_jobs=2)
        Word2VecVectorizer(n_components=4, min_count=1, epochs=1, **params).fit(
            [["a", "b", "c"]] * 10)  # loads (or compiles) the kernels before the timing
        vectorizer = Word2VecVectorizer(n_components=100, window=5, negative=5, sample=1e-3,
                                        min_count=5, epochs=5, random_state=1, **params)
        start = time.perf_counter()
        with joblib.parallel_config(backend="threading"):
            vectorizer.fit(documents)
        seconds = time.perf_counter() - start
        print(f"  {model}: {seconds:.2f} s, {n_tokens * 5 / seconds:,.0f} words/s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--limit", type=int, default=100_000)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--trees", nargs="+", default=["."],
                        help="checkouts of skembed to compare, each run in turn")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    models = args.models.split(",")
    if args.worker:
        worker(args.corpus, args.limit, models)
        return
    corpus = str(Path(args.corpus).resolve())
    for tree in args.trees:
        tree = str(Path(tree).resolve())
        env = dict(os.environ, PYTHONPATH=tree)
        subprocess.run([sys.executable, __file__, "--worker", "--corpus", corpus,
                        "--limit", str(args.limit), "--models", args.models],
                       env=env, cwd=tree, check=True)


if __name__ == "__main__":
    main()
