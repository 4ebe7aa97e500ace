"""Shipped pretrained vectors as frozen features on the movie reviews: pooling and block scaling.

Stratified 5-fold cross-validation (the folds of ``skembed demo``) of LogisticRegression on:
tf-idf alone; the shipped vectors (``load_pretrained_vectors``) pooled with each mode or
concatenation of modes; and tf-idf next to the pooled vectors in a ``FeatureUnion`` with the
vectors block scaled in several ways. Prints a markdown table with the fold mean and standard
deviation, and the difference to tf-idf in fold standard deviations.

Also measures the cost of reusing the vectors frozen: the pickle size of a fitted
``FrozenEstimator`` pipeline against the size of the vector matrix, and the time of ``clone``.

Run from the repository root::

    flock /tmp/skembed-bench.lock python benchmarks/bench_frozen_features.py [--vectors NPZ]
"""

import argparse
import pickle
import time

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

from skembed import EmbeddingVectorizer, KeyedVectors
from skembed.datasets import load_movie_reviews, load_pretrained_vectors


def _load(path):
    if path is None:
        return load_pretrained_vectors()
    with np.load(path) as data:
        words = data["words"].tobytes().decode("utf-8").split("\n")
        return KeyedVectors(data["vectors"].astype(np.float32) * data["scales"][:, None], words)


def _classifier(C=1.0):
    return LogisticRegression(max_iter=2000, C=C)


def configurations(kv, which):
    tfidf = ("TfidfVectorizer", make_pipeline(TfidfVectorizer(), _classifier()))
    rows = [tfidf]
    if "pooling" in which:
        for pooling in ["mean", "sif", "max", ("mean", "max"), ("mean", "max", "min")]:
            rows.append((
                f"vectors, pooling={pooling}, StandardScaler",
                make_pipeline(EmbeddingVectorizer(kv, pooling=pooling), StandardScaler(),
                              _classifier()),
            ))
    if "union" in which:
        for pooling in ["mean", ("mean", "max")]:
            blocks = {
                "unscaled": make_pipeline(EmbeddingVectorizer(kv, pooling=pooling)),
                "l2 rows": make_pipeline(EmbeddingVectorizer(kv, pooling=pooling, norm="l2")),
                "StandardScaler": make_pipeline(
                    EmbeddingVectorizer(kv, pooling=pooling), StandardScaler()
                ),
                "StandardScaler + l2 rows": make_pipeline(
                    EmbeddingVectorizer(kv, pooling=pooling), StandardScaler(), Normalizer()
                ),
            }
            for scaling, block in blocks.items():
                union = FeatureUnion([("tfidf", TfidfVectorizer()), ("vectors", block)])
                rows.append((f"tf-idf + vectors ({pooling}, {scaling})",
                             make_pipeline(union, _classifier())))
    if "weights" in which:
        for pooling, weight in [("mean", 0.5), (("mean", "max"), 0.5), ("mean", 2.0),
                                ("mean", 3.0)]:
            rows.append((f"tf-idf + vectors ({pooling}, l2 rows, weight {weight})",
                         make_pipeline(_weighted_union(kv, pooling, weight), _classifier())))
    if "C" in which:
        # The classifier's regularization, for tf-idf alone and for the half-weight union.
        for C in [2.0, 4.0]:
            rows.append((f"TfidfVectorizer, C={C}",
                         make_pipeline(TfidfVectorizer(), _classifier(C))))
            rows.append((f"tf-idf + vectors (mean, l2 rows, weight 0.5), C={C}",
                         make_pipeline(_weighted_union(kv, "mean", 0.5), _classifier(C))))
    return rows


def _weighted_union(kv, pooling, weight):
    block = EmbeddingVectorizer(kv, pooling=pooling, norm="l2")
    return FeatureUnion([("tfidf", TfidfVectorizer()), ("vectors", block)],
                        transformer_weights={"tfidf": 1.0, "vectors": weight})


def frozen_costs(kv, texts, labels):
    vectorizer = EmbeddingVectorizer(kv).fit(texts[:100])
    frozen = FrozenEstimator(vectorizer)
    pipeline = make_pipeline(frozen, _classifier()).fit(texts, labels)
    size = len(pickle.dumps(pipeline))
    start = time.perf_counter()
    for _ in range(100):
        clone(pipeline)
    clone_seconds = (time.perf_counter() - start) / 100
    unfrozen = make_pipeline(EmbeddingVectorizer(kv), _classifier())
    start = time.perf_counter()
    for _ in range(100):
        clone(unfrozen)
    return size, kv.vectors.nbytes, clone_seconds, (time.perf_counter() - start) / 100


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", help="an .npz written by scripts/train_pretrained_vectors.py")
    parser.add_argument("--which", default="pooling,union,weights")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    kv = _load(args.vectors)
    texts, labels = load_movie_reviews(return_X_y=True)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    print(f"{len(kv):,} words x {kv.vector_size}; {args.folds}-fold CV on {len(texts):,} "
          "movie-review sentences\n")
    print("| features | accuracy | std | minus tf-idf | in stds | seconds |")
    print("|---|---:|---:|---:|---:|---:|", flush=True)
    baseline = None
    for name, pipeline in configurations(kv, args.which.split(",")):
        start = time.perf_counter()
        scores = cross_val_score(pipeline, texts, labels, cv=folds)
        seconds = time.perf_counter() - start
        if baseline is None:
            baseline = scores
        gain = scores.mean() - baseline.mean()
        print(f"| {name} | {scores.mean():.4f} | {scores.std():.4f} | {gain:+.4f} | "
              f"{gain / baseline.std():+.1f} | {seconds:.1f} |", flush=True)
    size, matrix, frozen_clone, plain_clone = frozen_costs(kv, texts, labels)
    print(f"\npickle of a fitted FrozenEstimator pipeline: {size / 1e6:.2f} MB for a "
          f"{matrix / 1e6:.2f} MB vector matrix; clone: {frozen_clone * 1e6:.0f} us (frozen), "
          f"{plain_clone * 1e6:.0f} us (EmbeddingVectorizer(kv) unfitted)")


if __name__ == "__main__":
    main()
