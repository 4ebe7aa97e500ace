"""Regenerate ``tests/data/sotu_vectors.txt``: small pretrained vectors for the tests.

Trained by skembed itself on the public-domain State of the Union sample that ships in
``tests/data/`` (skip-gram, 24 dimensions, words seen at least 10 times), and written in the
word2vec text format. Run from the repository root::

    python benchmarks/make_test_vectors.py
"""

import pathlib

from skembed import Word2VecVectorizer

DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data"

if __name__ == "__main__":
    lines = (DATA / "sotu_sample.txt").read_text(encoding="utf-8").splitlines()
    model = Word2VecVectorizer(
        n_components=24, min_count=10, epochs=10, window=5, random_state=0, n_jobs=1
    ).fit(lines)
    model.word_vectors_.save_word2vec_format(DATA / "sotu_vectors.txt")
    print(f"{len(model.word_vectors_)} words written to {DATA / 'sotu_vectors.txt'}")
    print(model.word_vectors_.most_similar("economy", topn=5))
