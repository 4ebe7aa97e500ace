"""Train, compress and evaluate the word vectors that skembed ships.

Steps (each prints what it measured; the data card quotes them):

1. train skip-gram word2vec with skembed on the corpus of ``build_pretraining_corpus.py``
   (or read vectors trained before, ``--vectors``);
2. keep the ``--n-words`` most frequent words, optionally project them on their first
   ``--dim`` principal components;
3. quantize every row to int8 with its own float32 scale (``row / scale`` rounded, ``scale``
   = max absolute value / 127) and write ``words``, ``vectors`` and ``scales`` to a
   compressed ``.npz``;
4. score the float32 and the dequantized vectors on the shipped analogy, WordSim-353 and
   SimLex-999 sets.

Usage (the shipped file)::

    flock /tmp/skembed-bench.lock python scripts/train_pretrained_vectors.py \\
        --corpus /tmp/pt-corpus/corpus.txt --out skembed/datasets/data/pretrained_en.npz
"""

import argparse
import os
import time

import numpy as np


def quantize(vectors):
    """int8 rows and their float32 scales; ``rows * scales[:, None]`` approximates vectors."""
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    rows = np.rint(vectors / scales[:, None]).astype(np.int8)
    return rows, scales.astype(np.float32)


def scores(kv):
    """Analogy accuracy (30k words) and Spearman correlations on WordSim-353 and SimLex-999."""
    from skembed.datasets import load_simlex999
    from skembed.evaluation import evaluate_analogies, evaluate_similarity

    return {
        "analogy (30k)": evaluate_analogies(kv, restrict_vocab=30000).accuracy,
        "WordSim-353": evaluate_similarity(kv).spearman,
        "SimLex-999": evaluate_similarity(kv, load_simlex999()).spearman,
    }


def main(argv=None):
    from skembed import KeyedVectors, Word2VecVectorizer
    from skembed.cli import _open_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="one document per line")
    parser.add_argument("--vectors", help="word2vec text file trained before (skips step 1)")
    parser.add_argument("--train-dim", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--n-words", type=int, default=40000)
    parser.add_argument("--dim", type=int, default=None, help="PCA dimension (default: keep)")
    parser.add_argument("--save-float", help="also write the float32 vectors (word2vec text)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    if args.vectors:
        kv = KeyedVectors.load_word2vec_format(args.vectors)
    else:
        model = Word2VecVectorizer(
            n_components=args.train_dim, epochs=args.epochs, min_count=args.min_count,
            random_state=0, n_jobs=2, verbose=1,
        )
        start = time.perf_counter()
        with _open_text(args.corpus) as lines:
            model.fit(lines)
        kv = model.word_vectors_
        print(f"trained: {len(kv):,} words x {kv.vector_size} in "
              f"{time.perf_counter() - start:.0f} s")
        if args.save_float:
            kv.save_word2vec_format(args.save_float)
    words = kv.index_to_key[: args.n_words]
    vectors = kv.vectors[: args.n_words].astype(np.float64)
    if args.dim is not None and args.dim < vectors.shape[1]:
        centred = vectors - vectors.mean(axis=0)
        basis = np.linalg.svd(centred, full_matrices=False)[2][: args.dim]
        vectors = centred @ basis.T
    vectors = vectors.astype(np.float32)
    rows, scales = quantize(vectors)
    np.savez_compressed(
        args.out,
        words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        vectors=rows,
        scales=scales,
    )
    print(f"wrote {args.out}: {len(words):,} words x {rows.shape[1]}, "
          f"{os.path.getsize(args.out) / 1e6:.2f} MB")
    for name, candidate in [
        ("float32", KeyedVectors(vectors, words)),
        ("int8", KeyedVectors(rows.astype(np.float32) * scales[:, None], words)),
    ]:
        measured = scores(candidate)
        print(name, " ".join(f"{k}: {v:.4f}" for k, v in measured.items()))


if __name__ == "__main__":
    main()
