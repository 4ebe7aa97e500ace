"""
=====================================
A 2-D map of word vectors
=====================================

Word vectors live in 100 dimensions; a principal component analysis projects them onto the
plane that keeps most of their spread. This example trains three models on the movie
reviews shipped with skembed -- :class:`~skembed.Word2VecVectorizer`,
:class:`~skembed.GloVeVectorizer` and :class:`~skembed.LSAVectorizer` -- and maps a few
groups of words that a reader would put together: film genres, people who make films, words
of praise and words of criticism.

A 2-D projection keeps only part of the geometry, and the corpus is small (about 190,000
words), so expect groups that overlap more than they would with vectors trained on a large
corpus.
"""

# %%
# Train the models
# ----------------

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from skembed import GloVeVectorizer, LSAVectorizer, Word2VecVectorizer
from skembed.datasets import load_movie_reviews

texts = load_movie_reviews().data
models = {
    "Word2VecVectorizer": Word2VecVectorizer(
        n_components=100, min_count=3, epochs=20, random_state=0
    ),
    "GloVeVectorizer": GloVeVectorizer(
        n_components=100, min_count=3, epochs=50, x_max=10, random_state=0
    ),
    "LSAVectorizer": LSAVectorizer(n_components=100, min_df=3, random_state=0),
}
for model in models.values():
    model.fit(texts)

# %%
# The word groups
# ---------------
# Only words that every model has a vector for are drawn.

groups = {
    "genres": ["comedy", "drama", "thriller", "horror", "documentary", "romance", "action"],
    "people": ["actor", "actress", "director", "filmmaker", "writer", "cast", "star"],
    "praise": ["good", "great", "excellent", "wonderful", "brilliant", "beautiful", "fine"],
    "criticism": ["bad", "awful", "terrible", "boring", "dull", "tedious", "stupid"],
}
groups = {
    name: [w for w in words if all(w in m.word_vectors_ for m in models.values())]
    for name, words in groups.items()
}
print(groups)

# %%
# Project and draw
# ----------------
# The vectors are scaled to unit length first (cosine similarity is what the models are
# compared by), then projected with a PCA fitted on the drawn words.

colors = dict(zip(groups, ["tab:blue", "tab:orange", "tab:green", "tab:red"]))
fig, axes = plt.subplots(1, len(models), figsize=(13, 4.5))
for ax, (name, model) in zip(axes, models.items()):
    words = [w for ws in groups.values() for w in ws]
    vectors = model.word_vectors_[words]
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    points = PCA(n_components=2).fit_transform(vectors)
    start = 0
    for group, members in groups.items():
        part = points[start:start + len(members)]
        ax.scatter(part[:, 0], part[:, 1], color=colors[group], label=group, s=20)
        for (x, y), word in zip(part, members):
            ax.annotate(word, (x, y), fontsize=8, xytext=(2, 2), textcoords="offset points")
        start += len(members)
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0].legend(loc="best", fontsize=8)
fig.suptitle("Word vectors trained on 10,568 movie-review sentences, PCA to 2-D")
fig.tight_layout()
plt.show()

# %%
# How similar are the groups, really?
# -----------------------------------
# The plane shows two of 100 dimensions. The mean cosine similarity within a group versus
# between groups, computed in the full space, says more:


def mean_cosine(kv, first, second):
    a = kv[first] / np.linalg.norm(kv[first], axis=1, keepdims=True)
    b = kv[second] / np.linalg.norm(kv[second], axis=1, keepdims=True)
    similarities = a @ b.T
    if first is second:
        similarities = similarities[~np.eye(len(first), dtype=bool)]
    return float(similarities.mean())


for name, model in models.items():
    kv = model.word_vectors_
    within = np.mean([mean_cosine(kv, words, words) for words in groups.values()])
    between = np.mean(
        [
            mean_cosine(kv, groups[g], groups[h])
            for g in groups
            for h in groups
            if g < h
        ]
    )
    print(f"{name:>18}: within groups {within:.2f}, between groups {between:.2f}")

# %%
# Praise and criticism words often share a region: they fill the same slots ("a ___ film"),
# and distributional vectors learn context, not polarity. A sentiment classifier on top of
# the vectors (see :ref:`sphx_glr_auto_examples_plot_sentiment_classification.py`) has to
# find the direction that separates them.
