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
    "genres": [
        "comedy",
        "drama",
        "thriller",
        "horror",
        "documentary",
        "romance",
        "action",
    ],
    "people": [
        "actor",
        "actress",
        "director",
        "filmmaker",
        "writer",
        "cast",
        "star",
    ],
    "praise": [
        "good",
        "great",
        "excellent",
        "wonderful",
        "brilliant",
        "beautiful",
        "fine",
    ],
    "criticism": [
        "bad",
        "awful",
        "terrible",
        "boring",
        "dull",
        "tedious",
        "stupid",
    ],
}
groups = {
    name: [
        w for w in words if all(w in m.word_vectors_ for m in models.values())
    ]
    for name, words in groups.items()
}
print(groups)

# %%
# Project and draw
# ----------------
# The vectors are scaled to unit length first (cosine similarity is what the
# models are compared by), then projected with a PCA fitted on the drawn words.
# The last panel measures the grouping in the full 100 dimensions instead of
# the plane: the mean cosine similarity of two words of the same group against
# that of two words of different groups.


def unit_rows(matrix):
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def mean_cosine(kv, first, second):
    similarities = unit_rows(kv[first]) @ unit_rows(kv[second]).T
    if first is second:  # leave out each word's similarity to itself
        similarities = similarities[~np.eye(len(first), dtype=bool)]
    return float(similarities.mean())


colors = dict(zip(groups, ["tab:blue", "tab:orange", "tab:green", "tab:red"]))
words = [w for members in groups.values() for w in members]
fig, axes = plt.subplots(2, 2, figsize=(11, 10))
within, between = {}, {}
for ax, (name, model) in zip(axes.flat, models.items()):
    kv = model.word_vectors_
    points = PCA(n_components=2).fit_transform(unit_rows(kv[words]))
    start = 0
    for group, members in groups.items():
        part = points[start : start + len(members)]
        ax.scatter(part[:, 0], part[:, 1], color=colors[group], label=group)
        for (x, y), word in zip(part, members):
            ax.annotate(
                word,
                (x, y),
                fontsize=9,
                xytext=(3, 3),
                textcoords="offset points",
            )
        start += len(members)
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
    within[name] = np.mean([mean_cosine(kv, ws, ws) for ws in groups.values()])
    between[name] = np.mean(
        [
            mean_cosine(kv, groups[g], groups[h])
            for g in groups
            for h in groups
            if g < h
        ]
    )
axes[0, 0].legend(loc="best")

ax = axes[1, 1]
positions = np.arange(len(models))
ax.bar(positions - 0.2, list(within.values()), width=0.4, label="same group")
ax.bar(
    positions + 0.2,
    list(between.values()),
    width=0.4,
    label="different groups",
)
ax.set_xticks(positions, [name.replace("Vectorizer", "") for name in models])
ax.set_ylabel("mean cosine similarity")
ax.set_title("Grouping in the full space")
ax.legend()
fig.suptitle("Word vectors trained on 10,568 movie-review sentences")
fig.tight_layout()
plt.show()

for name in models:
    print(
        f"{name:>18}: same group {within[name]:.2f}, "
        f"different groups {between[name]:.2f}"
    )

# %%
# Reading the map
# ---------------
# Words of the same group are closer to each other than to the other groups in
# every model, but by different margins, and the margin in the full space is
# what matters to a downstream model, not the picture. Praise and criticism are
# the hardest pair to separate: "a good film" and "a dull film" put the two
# words in the same slot, and distributional vectors learn contexts, not
# polarity. A sentiment classifier built on such vectors (see
# :ref:`sphx_glr_auto_examples_plot_sentiment_classification.py`) has to find
# the direction that separates them from the labels.
