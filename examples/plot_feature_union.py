"""
======================================================
Combining embeddings with tf-idf in a FeatureUnion
======================================================

Sparse tf-idf features and dense embeddings see text differently: tf-idf weights every
individual word, embeddings generalise across words that are used alike. A
:class:`~sklearn.pipeline.FeatureUnion` puts both side by side in one feature matrix, and a
single classifier learns from the two. This example compares tf-idf alone, word2vec
sentence vectors alone, and their union on movie-review sentiment.
"""

# %%
# The three feature sets
# ----------------------
# The word2vec sentence vectors are scaled to unit length (``norm="l2"``), like the tf-idf
# rows, so that neither block dominates the classifier's regularisation.

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import FeatureUnion, make_pipeline

from skembed import Word2VecVectorizer
from skembed.datasets import load_movie_reviews

texts, labels = load_movie_reviews(return_X_y=True)


def tfidf():
    return TfidfVectorizer(min_df=2, sublinear_tf=True)


def word2vec():
    return Word2VecVectorizer(
        n_components=100, min_count=3, epochs=10, norm="l2", random_state=0
    )


def classifier():
    return LogisticRegression(C=2.0, max_iter=3000)


candidates = {
    "tf-idf": make_pipeline(tfidf(), classifier()),
    "word2vec": make_pipeline(word2vec(), classifier()),
    "tf-idf + word2vec": make_pipeline(
        FeatureUnion([("tfidf", tfidf()), ("word2vec", word2vec())]),
        classifier(),
    ),
}

# %%
# Cross-validate
# --------------

folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
scores = {
    name: cross_val_score(pipeline, texts, labels, cv=folds, n_jobs=2)
    for name, pipeline in candidates.items()
}
summary = pd.DataFrame(
    {
        "accuracy": {k: v.mean() for k, v in scores.items()},
        "std": {k: v.std() for k, v in scores.items()},
    }
)
print(summary.round(3))

# %%
# The union's feature names come from its parts: ``get_feature_names_out`` of the skembed
# vectorizers gives ``word2vecvectorizer0``, ``word2vecvectorizer1``, ...

union = candidates["tf-idf + word2vec"][0].fit(texts[:2000])
names = union.get_feature_names_out()
print(len(names), "features:", names[:2], "...", names[-2:])

# %%
# A chart of the accuracies, one standard deviation over the folds.

fig, ax = plt.subplots(figsize=(7, 3))
ax.barh(
    summary.index, summary["accuracy"], xerr=summary["std"], color="tab:purple"
)
ax.invert_yaxis()
ax.set_xlim(0.5, max(0.85, summary["accuracy"].max() + 0.03))
ax.set_xlabel("5-fold cross-validated accuracy")
fig.tight_layout()
plt.show()

# %%
# Reading the results
# -------------------
# The union lets one classifier use both views: tf-idf for the decisive words, the
# embeddings for sentences whose words were rare in training but have well-trained
# neighbours. How much that adds depends on what the embeddings know that tf-idf does not.
# Here they are learned from the same 8,500 training sentences as the classifier, so they
# add little or nothing: everything they saw, tf-idf saw too. Embeddings bring new
# information when they were trained on much more text than the labelled set -- for example
# vectors trained by :class:`~skembed.Word2VecVectorizer` on a large unlabelled corpus and
# pooled with :class:`~skembed.EmbeddingVectorizer` -- and that is when a union with tf-idf
# pays off.
