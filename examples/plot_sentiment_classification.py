"""
=============================================
Sentiment classification with each vectorizer
=============================================

Every skembed vectorizer is a scikit-learn transformer: put it in a
:class:`~sklearn.pipeline.Pipeline` in front of a classifier and cross-validate the whole
thing. This example compares :class:`~skembed.LSAVectorizer`,
:class:`~skembed.Word2VecVectorizer` and :class:`~skembed.GloVeVectorizer` with the usual
baseline, :class:`~sklearn.feature_extraction.text.TfidfVectorizer`, on the movie-review
sentences shipped with skembed.

The embeddings are learned inside each cross-validation fold from the training sentences
only, so the scores are honest estimates of what the whole pipeline does on unseen text.
"""

# %%
# The data
# --------
# 10,568 sentences from movie reviews, labelled positive or negative.

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline

from skembed import GloVeVectorizer, LSAVectorizer, Word2VecVectorizer
from skembed.datasets import load_movie_reviews

texts, labels = load_movie_reviews(return_X_y=True)
print(f"{len(texts)} sentences, {labels.mean():.1%} positive")
print(texts[0])

# %%
# The pipelines
# -------------
# The same classifier follows each vectorizer. The corpus is small (about 190,000 words),
# so the word-embedding models get settings for small data: 100 dimensions, words kept from
# their third occurrence (``min_count=3``) and more passes over the data than the
# defaults. Word vectors are pooled into one vector per sentence by averaging
# (``pooling="mean"``, the default; see the :ref:`user guide <pooling>` for the
# alternatives).


def classifier():
    return LogisticRegression(C=1.0, max_iter=2000)


pipelines = {
    "TfidfVectorizer": make_pipeline(
        TfidfVectorizer(min_df=2, sublinear_tf=True), classifier()
    ),
    "LSAVectorizer": make_pipeline(
        LSAVectorizer(
            n_components=300, min_df=2, sublinear_tf=True, random_state=0
        ),
        classifier(),
    ),
    "Word2VecVectorizer": make_pipeline(
        Word2VecVectorizer(
            n_components=100, min_count=3, epochs=10, random_state=0
        ),
        classifier(),
    ),
    "GloVeVectorizer": make_pipeline(
        GloVeVectorizer(
            n_components=100, min_count=3, epochs=25, x_max=10, random_state=0
        ),
        classifier(),
    ),
}

# %%
# Cross-validation
# ----------------
# Five stratified folds; the folds run two at a time (``n_jobs=2``), and every estimator
# inside uses one thread with a fixed ``random_state``, so the numbers are reproducible.

folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
rows = []
for name, pipeline in pipelines.items():
    scores = cross_validate(pipeline, texts, labels, cv=folds, n_jobs=2)
    rows.append(
        {
            "vectorizer": name,
            "accuracy": scores["test_score"].mean(),
            "std": scores["test_score"].std(),
            "fit seconds": scores["fit_time"].mean(),
        }
    )
results = pd.DataFrame(rows).set_index("vectorizer")
print(results.round(3))

# %%
# The same numbers as a chart, with one standard deviation over the folds.

fig, ax = plt.subplots(figsize=(7, 3.5))
positions = np.arange(len(results))
ax.barh(
    positions,
    results["accuracy"],
    xerr=results["std"],
    color="tab:blue",
    alpha=0.8,
)
ax.set_yticks(positions, results.index)
ax.invert_yaxis()
ax.set_xlim(0.5, max(0.85, results["accuracy"].max() + 0.03))
ax.axvline(0.5, color="grey", linewidth=0.8)
ax.set_xlabel("5-fold cross-validated accuracy")
ax.set_title(
    "Movie-review sentiment, Pipeline(vectorizer, LogisticRegression)"
)
for position, accuracy in zip(positions, results["accuracy"]):
    ax.text(accuracy + 0.005, position, f"{accuracy:.3f}", va="center")
fig.tight_layout()
plt.show()

# %%
# Reading the results
# -------------------
# On a corpus this small, sparse tf-idf features are hard to beat: sentiment often hinges
# on a handful of specific words ("masterpiece", "tedious"), and a linear model on tf-idf
# can weight each of them directly. The dense representations compress the vocabulary into
# a few hundred dimensions and lose some of that detail; the word-embedding vectorizers
# additionally learn their vectors from only about 150,000 training words per fold, where
# word2vec and GloVe usually see millions.
#
# Where embeddings earn their place is elsewhere: far fewer features (100 instead of
# 10,000+), similarity between sentences that share no word, vectors that can be trained
# on a large unlabelled corpus and reused, and combinations with tf-idf (see
# :ref:`sphx_glr_auto_examples_plot_feature_union.py`).
