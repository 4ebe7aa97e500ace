"""
====================================================
Tuning the embedding and the classifier together
====================================================

Because :class:`~skembed.Word2VecVectorizer` is an ordinary scikit-learn estimator, its
parameters can be searched with :class:`~sklearn.model_selection.GridSearchCV` jointly with
those of the classifier that follows it. Here the context ``window``, the ``pooling`` of
word vectors into sentence vectors and the regularisation ``C`` of a logistic regression
are tuned on movie-review sentiment.

Training word vectors is the expensive step, and changing ``C`` does not change them. A
``Pipeline`` with ``memory=`` caches the fitted vectorizer, so each (window, pooling)
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
# what the vectors encode (small windows: syntax and function; larger ones: topic),
# ``pooling`` how a sentence vector is formed, and ``C`` how strongly the classifier is
# regularised.

cache_dir = mkdtemp(prefix="skembed-gallery-")
pipeline = Pipeline(
    [
        (
            "embed",
            Word2VecVectorizer(n_components=100, min_count=3, epochs=10, random_state=0),
        ),
        ("classify", LogisticRegression(max_iter=2000)),
    ],
    memory=cache_dir,
)
param_grid = {
    "embed__window": [2, 5],
    "embed__pooling": ["mean", "sif"],
    "classify__C": [0.3, 1.0, 3.0],
}
search = GridSearchCV(pipeline, param_grid, cv=3, n_jobs=2)
search.fit(train_texts, train_labels)

# %%
# The results
# -----------
# Mean cross-validated accuracy of every combination, best first.

results = pd.DataFrame(search.cv_results_)
columns = ["param_embed__window", "param_embed__pooling", "param_classify__C"]
table = results[columns + ["mean_test_score", "std_test_score", "rank_test_score"]]
table = table.rename(columns=lambda name: name.replace("param_", ""))
print(table.sort_values("rank_test_score").round(3).to_string(index=False))

# %%
# The best combination, refitted on the whole training part, scored on the held-out test
# sentences:

print("best parameters:", search.best_params_)
print(f"cross-validated accuracy: {search.best_score_:.3f}")
print(f"held-out test accuracy:   {search.score(test_texts, test_labels):.3f}")

# %%
# A heat map of the grid: one panel per pooling mode.

import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
for ax, pooling in zip(axes, param_grid["embed__pooling"]):
    part = results[results["param_embed__pooling"] == pooling]
    grid = part.pivot_table(
        index="param_embed__window", columns="param_classify__C", values="mean_test_score"
    )
    image = ax.imshow(grid.to_numpy(), cmap="viridis", vmin=results["mean_test_score"].min(),
                      vmax=results["mean_test_score"].max())
    ax.set_xticks(range(grid.shape[1]), [f"{c:g}" for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(w) for w in grid.index])
    ax.set_xlabel("C")
    ax.set_title(f"pooling={pooling!r}")
    for (row, column), value in pd.DataFrame(grid.to_numpy()).stack().items():
        ax.text(column, row, f"{value:.3f}", ha="center", va="center", color="white")
axes[0].set_ylabel("window")
fig.colorbar(image, ax=axes, label="mean CV accuracy")
plt.show()

rmtree(cache_dir)

# %%
# What to take away
# -----------------
# Differences between neighbouring settings are of the order of the fold-to-fold standard
# deviation on a data set this size, so read the ranking as a rough guide, not a verdict.
# The method generalises: any skembed parameter (``n_components``, ``min_count``,
# ``architecture``, ``objective``, ``norm``) can join the grid, and the test set stays
# untouched until the very end.
