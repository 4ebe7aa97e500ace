"""Benchmark KeyedVectors queries, analogy evaluation and file loading against gensim.

Measures, in one run on the same data:

* ``most_similar`` for one word (top 10 of a random 100k x 300 float32 vocabulary), averaged
  over many query words, after the unit vectors are cached;
* ``evaluate_analogies`` on the 19,544 Google questions with ``restrict_vocab=30000`` against
  gensim's ``evaluate_word_analogies`` (the keys include every analogy word, placed at random
  among the 30,000 most frequent rows, so every question is evaluated);
* loading a 400k x 300 word2vec text file (GloVe-like values with 6 significant digits) and
  the same vectors as a binary file, against gensim's ``load_word2vec_format``.

Prints a markdown table of times and gensim / skembed ratios. Run from the repository root
under the shared benchmark lock::

    flock /tmp/skembed-bench.lock /tmp/venv/bin/python benchmarks/bench_keyed_vectors.py
"""

import argparse
import logging
import os
import platform
import sys
import tempfile
import time
from importlib import resources

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import gensim  # noqa: E402

from skembed.datasets import load_analogy_google  # noqa: E402
from skembed.evaluation import evaluate_analogies  # noqa: E402
from skembed.keyed_vectors import KeyedVectors  # noqa: E402

GOOGLE_PATH = str(resources.files("skembed.datasets") / "data" / "questions-words.txt")


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def make_vectors(n_words, vector_size, seed):
    """Random vectors whose keys include every analogy word among the first 30,000 rows."""
    rng = np.random.default_rng(seed)
    words = list(dict.fromkeys(w for q in load_analogy_google().questions for w in q))
    keys = [f"filler{i}" for i in range(n_words)]
    for row, word in zip(rng.choice(min(30000, n_words), size=len(words), replace=False),
                         words):
        keys[row] = word
    vectors = rng.standard_normal((n_words, vector_size), dtype=np.float32)
    return keys, vectors


def gensim_kv(keys, vectors):
    kv = gensim.models.KeyedVectors(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    return kv


def bench_most_similar(kv, gkv, n_queries, seed):
    rng = np.random.default_rng(seed)
    queries = [kv.index_to_key[i] for i in rng.integers(len(kv), size=n_queries)]
    kv.fill_norms()
    gkv.fill_norms()
    kv.most_similar(queries[0])
    gkv.most_similar(queries[0])
    ours, _ = timed(lambda: [kv.most_similar(q, topn=10) for q in queries])
    theirs, _ = timed(lambda: [gkv.most_similar(q, topn=10) for q in queries])
    same = all([w for w, _ in kv.most_similar(q, topn=10)]
               == [w for w, _ in gkv.most_similar(q, topn=10)] for q in queries[:10])
    return ours / n_queries, theirs / n_queries, same


def bench_analogies(kv, gkv):
    ours, result = timed(evaluate_analogies, kv, restrict_vocab=30000)
    theirs, (score, _) = timed(gkv.evaluate_word_analogies, GOOGLE_PATH,
                               restrict_vocab=30000)
    return ours, theirs, result, score


def write_glove_like_text(path, keys, vectors, block=20000):
    """A word2vec text file with 6 significant digits per value, like published files."""
    with open(path, "w", encoding="utf-8") as fout:
        fout.write(f"{len(keys)} {vectors.shape[1]}\n")
        line = "%s" + " %.6g" * vectors.shape[1] + "\n"
        for start in range(0, len(keys), block):
            rows = vectors[start:start + block].tolist()
            fout.write("".join(line % (key, *row) for key, row in
                               zip(keys[start:start + block], rows)))


def bench_loading(n_words, vector_size, seed, directory):
    rng = np.random.default_rng(seed)
    keys = [f"word{i}" for i in range(n_words)]
    vectors = rng.standard_normal((n_words, vector_size), dtype=np.float32)
    text_path = os.path.join(directory, f"skembed_bench_{n_words}x{vector_size}.txt")
    binary_path = os.path.join(directory, f"skembed_bench_{n_words}x{vector_size}.bin")
    write_glove_like_text(text_path, keys, vectors)
    KeyedVectors(vectors, keys).save_word2vec_format(binary_path, binary=True)
    del vectors
    rows = []
    for label, path, binary in (("text", text_path, False), ("binary", binary_path, True)):
        ours, kv = timed(KeyedVectors.load_word2vec_format, path, binary=binary)
        theirs, gkv = timed(gensim.models.KeyedVectors.load_word2vec_format, path,
                            binary=binary)
        assert kv.index_to_key == gkv.index_to_key
        assert np.array_equal(kv.vectors, gkv.vectors)
        size_mb = os.path.getsize(path) / 1e6
        rows.append((f"load {n_words // 1000}k x {vector_size} word2vec {label} "
                     f"({size_mb:,.0f} MB)", ours, theirs, "identical vectors"))
        del kv, gkv
    os.remove(text_path)
    os.remove(binary_path)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-words", type=int, default=100_000)
    parser.add_argument("--vector-size", type=int, default=300)
    parser.add_argument("--n-queries", type=int, default=200)
    parser.add_argument("--load-words", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    args = parser.parse_args(argv)
    logging.getLogger("gensim").setLevel(logging.WARNING)

    keys, vectors = make_vectors(args.n_words, args.vector_size, args.seed)
    kv = KeyedVectors(vectors, keys)
    gkv = gensim_kv(keys, vectors)
    rows = []
    ours, theirs, same = bench_most_similar(kv, gkv, args.n_queries, args.seed)
    rows.append((f"most_similar, 1 word, top 10 of {args.n_words // 1000}k x "
                 f"{args.vector_size} (mean of {args.n_queries})", ours, theirs,
                 "same top 10" if same else "DIFFERENT top 10"))
    ours, theirs, result, score = bench_analogies(kv, gkv)
    rows.append((f"evaluate_analogies, Google {result.n_evaluated:,} questions, "
                 "restrict_vocab=30000", ours, theirs,
                 f"accuracy {result.accuracy:.5f} vs {score:.5f}"))
    del kv, gkv, vectors
    rows.extend(bench_loading(args.load_words, args.vector_size, args.seed, args.tmp))

    print(f"python {platform.python_version()}, numpy {np.__version__}, gensim "
          f"{gensim.__version__}, {os.cpu_count()} cores")
    print("command: flock /tmp/skembed-bench.lock /tmp/venv/bin/python "
          "benchmarks/bench_keyed_vectors.py " + " ".join(sys.argv[1:] if argv is None
                                                          else argv))
    print()
    print("| task | skembed | gensim | gensim / skembed | check |")
    print("|---|---|---|---|---|")
    for task, ours, theirs, check in rows:
        print(f"| {task} | {_format_seconds(ours)} | {_format_seconds(theirs)} | "
              f"{theirs / ours:.1f}x | {check} |")


def _format_seconds(seconds):
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
