"""
====================================================
Tuning the embedding and the classifier together
====================================================

Because :class:`~skembed.Word2VecVectorizer` is an ordinary scikit-learn estimator, its
parameters can be searched with :class:`~sklearn.model_selection.GridSearchCV` jointly with
those of the classifier that follows it. Here the context ``window`` of word2vec and the
regularisation ``C`` of a logistic regression are tuned on movie-review sentiment.

Training word vectors is the expensive step, and changing ``C`` does not change them. A
``Pipeline`` with ``memory=`` caches the fitted vectorizer, so each ``window``
setting is trained once per fold, not once per value of ``C``.
"""

# %%
# Hold out a test set
# -------------------
# The grid search sees only the training part; the test part scores the chosen model once,
# at the end.

from tempfile import mkdtemp
from shutil import rmtree

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

from skembed import Word2VecVectorizer
from skembed.datasets import load_movie_reviews

texts, labels = load_movie_reviews(return_X_y=True)
train_texts, test_texts, train_labels, test_labels = train_test_split(
    texts, labels, test_size=0.2, stratify=labels, random_state=0
)

# %%
# The pipeline and the grid
# -------------------------
# Parameters of a pipeline step are addressed as ``<step>__<parameter>``. ``window`` changes
# what the vectors encode (small windows: syntax and function; larger ones: topic), and
# ``C`` how strongly the classifier is regularised (dense features of 100 dimensions need
# less regularisation than 10,000 sparse ones).

cache_dir = mkdtemp(prefix="skembed-gallery-")
pipeline = Pipeline(
    [
        (
            "embed",
            Word2VecVectorizer(
                n_components=100, min_count=3, epochs=10, random_state=0
            ),
        ),
        ("classify", LogisticRegression(max_iter=2000)),
    ],
    memory=cache_dir,
)
param_grid = {
    "embed__window": [2, 5, 10],
    "classify__C": [1.0, 10.0, 100.0],
}
search = GridSearchCV(pipeline, param_grid, cv=3, n_jobs=2)
search.fit(train_texts, train_labels)

# %%
# The results
# -----------
# Mean cross-validated accuracy of every combination, best first.

results = pd.DataFrame(search.cv_results_)
columns = ["param_embed__window", "param_classify__C"]
table = results[
    columns + ["mean_test_score", "std_test_score", "rank_test_score"]
]
table = table.rename(columns=lambda name: name.replace("param_", ""))
print(table.sort_values("rank_test_score").round(3).to_string(index=False))

# %%
# The best combination, refitted on the whole training part, scored on the held-out test
# sentences:

print("best parameters:", search.best_params_)
print(f"cross-validated accuracy: {search.best_score_:.3f}")
print(f"held-out test accuracy:   {search.score(test_texts, test_labels):.3f}")

# %%
# The grid as a heat map.

import matplotlib.pyplot as plt

grid = results.pivot_table(
    index="param_embed__window",
    columns="param_classify__C",
    values="mean_test_score",
)
fig, ax = plt.subplots(figsize=(5, 3.5))
image = ax.imshow(grid.to_numpy(), cmap="viridis")
ax.set_xticks(range(grid.shape[1]), [f"{c:g}" for c in grid.columns])
ax.set_yticks(range(grid.shape[0]), [str(w) for w in grid.index])
ax.set_xlabel("LogisticRegression C")
ax.set_ylabel("Word2VecVectorizer window")
for row in range(grid.shape[0]):
    for column in range(grid.shape[1]):
        ax.text(
            column,
            row,
            f"{grid.iat[row, column]:.3f}",
            ha="center",
            va="center",
            color="white",
        )
fig.colorbar(image, ax=ax, label="mean CV accuracy")
fig.tight_layout()
plt.show()

rmtree(cache_dir)

# %%
# What to take away
# -----------------
# Two things to check in any such table. First, the spread between settings against the
# fold-to-fold standard deviation: differences smaller than that are noise on a data set
# this size. Second, where the best setting sits: if it is at the edge of the grid (the
# widest window, the weakest regularisation), the optimum may lie beyond it, and the grid
# should be extended in that direction before the result is trusted. Sentiment is a
# property of the whole sentence, so wide windows, which make word vectors more topical,
# often suit it better than the narrow windows that are best for word similarity.
#
# Any skembed parameter (``n_components``, ``min_count``, ``architecture``, ``objective``,
# ``pooling``, ``norm``) can join the grid, and the test set stays untouched until the very
# end.
