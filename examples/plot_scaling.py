"""
==========================================================
Training from a file, and embedding documents with Dask
==========================================================

Two ways to go beyond a list of strings in memory, both described in :ref:`scaling`:

* ``fit`` reads its documents exactly once, so it can read them from an open file line by
  line; only the integer ids of the tokens are kept, in memory or, beyond
  ``corpus_memory_limit``, in a memory-mapped temporary file that is deleted afterwards;
* a fitted vectorizer is an ordinary picklable object, so a Dask cluster can map its
  ``transform`` over the partitions of a dask Bag (or of a dask DataFrame's text column).

The data are the movie reviews shipped with skembed, written to a temporary file.
"""

# %%
# Write the corpus to a file, one document per line
# ---------------------------------------------------

import os
import tempfile

import numpy as np

import skembed
from skembed import Word2VecVectorizer
from skembed.datasets import load_movie_reviews

texts, labels = load_movie_reviews(return_X_y=True)
folder = tempfile.mkdtemp()
path = os.path.join(folder, "reviews.txt")
with open(path, "w", encoding="utf-8") as file:
    file.writelines(text.replace("\n", " ") + "\n" for text in texts)
print(f"{len(texts):,} documents, {os.path.getsize(path) / 1e6:.1f} MB")

# %%
# Train from the open file
# ------------------------
# The file is read once, in chunks. Setting ``corpus_memory_limit=0`` sends the token ids to
# a memory-mapped temporary file whatever their size (the default keeps up to 1 GiB of ids in
# memory); the vectors are the same bit for bit, and the folder is empty again afterwards.

parameters = dict(n_components=50, min_count=3, epochs=3, random_state=0)
with open(path, encoding="utf-8") as lines:
    in_memory = Word2VecVectorizer(**parameters).fit(lines)

with skembed.config_context(corpus_memory_limit=0, temp_folder=folder):
    with open(path, encoding="utf-8") as lines:
        on_disk = Word2VecVectorizer(**parameters).fit(lines)

print("same vectors:", np.array_equal(in_memory.word_vectors_.vectors,
                                      on_disk.word_vectors_.vectors))
print("files left in the temporary folder:", sorted(os.listdir(folder)))

# %%
# Embed documents on a Dask cluster
# ---------------------------------
# A local cluster stands in for a real one here (threads of this process, so that the
# example stays self-contained; ``LocalCluster(processes=True)`` or a remote scheduler work
# the same way). The fitted vectorizer is wrapped in :func:`dask.delayed`, so it is one node
# of the task graph that every partition depends on: it travels to each worker once, not
# inside every task.

import pickle

import dask
import dask.bag as db
from distributed import Client, LocalCluster

vectorizer = in_memory
print(f"pickled vectorizer: {len(pickle.dumps(vectorizer)) / 1e6:.1f} MB for "
      f"{len(vectorizer.vocabulary_):,} words")

with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster):
    shipped = dask.delayed(vectorizer, pure=True)
    rows = db.from_sequence(texts, npartitions=8).map_partitions(
        lambda part, v: list(v.transform(list(part))), shipped
    )
    X = np.vstack(rows.compute())

print(X.shape, "equal to a local transform:",
      np.allclose(X, vectorizer.transform(texts), rtol=1e-6))

# %%
# Clean up.

os.remove(path)
os.rmdir(folder)
