"""Training from a 100M-token file: skembed against gensim's ``corpus_file`` mode.

The shared corpus (one document per line, xz) is lower-cased and tokenized once with the regex
``[a-z]+(?:'[a-z]+)?|\\d+`` of the other benchmarks, its documents are repeated and shuffled
(seeded) until the file holds ``--tokens`` tokens, and the file is written, space-separated,
to a fresh temporary folder that is removed at the end (also on an error or Ctrl-C). Both
libraries then read that file themselves and split its lines on whitespace: skembed through
an open file iterated line by line (``tokenizer=str.split``, as ``skembed train`` does),
gensim through ``Word2Vec(corpus_file=...)``.

Every measurement runs in a fresh subprocess. The parent samples the resident memory of the
subprocess and of all its children every 20 ms (psutil), so the peak covers worker processes
too. "above model" is the peak minus the resident size of the subprocess just before the
fit (after imports and numba compilation) minus the arrays of the trained model that exist at
the end of training (input and output vectors, ``2 * n_words * dim * 4`` bytes; for the
co-occurrence count, the CSR matrix), divided by the tokens of the file: what the corpus
itself costs. words/s is tokens divided by the wall time of the whole fit (vocabulary pass
included in both libraries).

Runs:

- ``skembed-cbow``, ``skembed-skipgram``: ``Word2VecVectorizer`` (dim 100, window 5, negative
  5, sample 1e-3, min_count 5, one epoch, ``n_jobs=2``, tokenizing pass in threads).
- ``skembed-cbow-ondisk``, ``skembed-skipgram-ondisk``: the same with
  ``skembed.config_context(corpus_memory_limit=0)``: the ids go to a memory-mapped temporary
  file (in the default temporary folder) whatever their size, as they would by default beyond
  1 GiB of ids (268M tokens).
- ``gensim-cbow``, ``gensim-skipgram``: ``gensim.models.Word2Vec`` with the same settings,
  ``workers=2``, ``corpus_file``.
- ``skembed-glove-count``: the corpus pass and the co-occurrence counting of
  ``GloVeVectorizer`` (window 10, symmetric, 1/d weights, 2 threads), no training.
- ``skembed-bpe-count``: ``BPETokenizer(vocab_size=1000).fit`` on the file, dominated by
  counting the words of 100M tokens.

Run (the table in benchmarks/README.md)::

    flock /tmp/skembed-bench.lock python benchmarks/bench_scale.py \\
        --corpus ../shared/data/corpus_en.txt.xz --tokens 100000000

and ``--tokens 5000000`` to try it quickly.
"""

import argparse
import json
import lzma
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")
RUNS = [
    "skembed-cbow",
    "skembed-cbow-ondisk",
    "gensim-cbow",
    "skembed-skipgram",
    "skembed-skipgram-ondisk",
    "gensim-skipgram",
    "skembed-glove-count",
    "skembed-bpe-count",
]
DIM = 100


def write_corpus(source, path, n_tokens, seed=0):
    """Write ``n_tokens`` tokens of shuffled, repeated documents of ``source``; return counts."""
    with lzma.open(source, "rt", encoding="utf-8") as file:
        documents = [" ".join(TOKEN.findall(line.lower())) for line in file]
    lengths = [doc.count(" ") + 1 if doc else 0 for doc in documents]
    per_copy = sum(lengths)
    copies = -(-n_tokens // per_copy)
    order = list(range(len(documents))) * copies
    random.Random(seed).shuffle(order)
    written = n_documents = 0
    with open(path, "w", encoding="utf-8") as out:
        for index in order:
            if written >= n_tokens:
                break
            out.write(documents[index])
            out.write("\n")
            written += lengths[index]
            n_documents += 1
    return written, n_documents


def _rss():
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(run, path):
    """One measurement; prints a JSON line."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    result = {}
    if run.startswith("gensim"):
        from gensim.models import Word2Vec

        base = _rss()
        start = time.perf_counter()
        model = Word2Vec(corpus_file=path, vector_size=DIM, window=5, min_count=5,
                         sample=1e-3, negative=5, sg=int(run.endswith("skipgram")),
                         workers=2, epochs=1, seed=0)
        seconds = time.perf_counter() - start
        n_words = len(model.wv)
        model_bytes = 2 * n_words * DIM * 4
    else:
        from joblib import parallel_config

        import skembed
        from skembed import BPETokenizer, Word2VecVectorizer
        from skembed._base import numba_threads
        from skembed._corpus import build_corpus
        from skembed._kernels._glove import count_cooccurrences
        from skembed._text import build_analyzer

        text = dict(tokenizer=str.split, lowercase=False, token_pattern=None)
        warm = ["alpha beta gamma delta"] * 20
        Word2VecVectorizer(n_components=4, min_count=1, epochs=1, n_jobs=2, **text).fit(warm)
        Word2VecVectorizer(n_components=4, min_count=1, epochs=1, n_jobs=2,
                           architecture="cbow", **text).fit(warm)
        with numba_threads(2):
            count_cooccurrences(np.zeros(4, np.int32), np.array([0, 4]), 1, n_threads=2)
        BPETokenizer(vocab_size=300).fit(warm)
        result["skembed"] = skembed.__file__
        base = _rss()
        start = time.perf_counter()
        # The corpus pass is pure Python: threads keep it in this process (no copies of the
        # chunks in worker processes) while the kernels use 2 threads.
        # "-ondisk": the ids go to a memory-mapped temporary file whatever their size.
        limit = 0 if run.endswith("-ondisk") else skembed.get_config()["corpus_memory_limit"]
        with parallel_config(backend="threading"), open(path, encoding="utf-8") as lines, \
                skembed.config_context(corpus_memory_limit=limit):
            if run.startswith("skembed-glove"):
                corpus = build_corpus(lines, build_analyzer(**text), min_count=5, n_jobs=2)
                result["corpus_seconds"] = time.perf_counter() - start
                n_words = len(corpus.index_to_key)
                with numba_threads(2):
                    indptr, indices, data = count_cooccurrences(
                        corpus.ids, corpus.offsets, n_words, window=10, n_threads=2
                    )
                result["nnz"] = int(indices.shape[0])
                model_bytes = indptr.nbytes + indices.nbytes + data.nbytes
            elif run.startswith("skembed-bpe"):
                tokenizer = BPETokenizer(vocab_size=1000, n_jobs=1).fit(lines)
                n_words = len(tokenizer.vocabulary_)
                model_bytes = 0
            else:
                model = Word2VecVectorizer(
                    n_components=DIM, architecture=run.split("-")[1], window=5, negative=5,
                    sample=1e-3, min_count=5, epochs=1, n_jobs=2, random_state=0, **text
                ).fit(lines)
                n_words = len(model.vocabulary_)
                model_bytes = 2 * n_words * DIM * 4
        seconds = time.perf_counter() - start
    result.update(base=base, seconds=seconds, n_words=n_words, model_bytes=model_bytes)
    print(json.dumps(result), flush=True)


def measure(run, path):
    """Run one measurement in a subprocess; return its result with the peak RSS of its tree."""
    import psutil

    process = subprocess.Popen(
        [sys.executable, __file__, "--child", run, path], stdout=subprocess.PIPE, text=True,
        cwd=ROOT,
    )
    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            processes = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in processes))
        except psutil.Error:
            pass
        time.sleep(0.02)
    output = process.stdout.read()
    if process.returncode:
        raise RuntimeError(f"{run} failed with exit code {process.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak"] = peak
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("RUN", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help="the shared corpus_en.txt.xz")
    parser.add_argument("--tokens", type=int, default=100_000_000)
    parser.add_argument("--runs", default=",".join(RUNS))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.corpus is None:
        parser.error("--corpus is required")
    folder = tempfile.mkdtemp(prefix="skembed-bench-scale-")
    try:
        path = os.path.join(folder, "corpus.txt")
        start = time.perf_counter()
        n_tokens, n_documents = write_corpus(args.corpus, path, args.tokens)
        print(f"{n_tokens:,} tokens in {n_documents:,} documents "
              f"({os.path.getsize(path) / 1e6:,.0f} MB) written in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        print("| run | fit s | words/s | peak RSS MB | RSS before fit MB | model MB "
              "| bytes/token above model | words |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for run in args.runs.split(","):
            r = measure(run, path)
            above = (r["peak"] - r["base"] - r["model_bytes"]) / n_tokens
            extra = f" (corpus pass {r['corpus_seconds']:.1f} s, {r['nnz']:,} nonzeros)" \
                if "nnz" in r else ""
            print(f"| {run}{extra} | {r['seconds']:.1f} | {n_tokens / r['seconds']:,.0f} | "
                  f"{r['peak'] / 1e6:,.0f} | {r['base'] / 1e6:,.0f} | "
                  f"{r['model_bytes'] / 1e6:,.0f} | {above:.2f} | {r['n_words']:,} |",
                  flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
