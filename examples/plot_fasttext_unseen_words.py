"""
=============================================
Vectors for misspelled and unseen words
=============================================

word2vec gives a vector only to the words it saw at least ``min_count`` times; a
misspelling, a rare inflection or a new word is simply dropped when documents are pooled.
:class:`~skembed.FastTextVectorizer` represents each word by its own vector plus the vectors
of its character n-grams (Bojanowski et al. 2017), so any string gets a vector from its
pieces. This example trains it on the movie-review sentences shipped with skembed and asks
about words it never saw.
"""

# %%
# Train on the movie reviews
# --------------------------
# A small corpus (about 190,000 words), so a small model: 50 dimensions, 100,000 hash
# buckets for the n-grams of 3 to 6 characters, 10 epochs.

import matplotlib.pyplot as plt
import numpy as np

from skembed import FastTextVectorizer, Word2VecVectorizer
from skembed.datasets import load_movie_reviews

texts = load_movie_reviews().data
fasttext = FastTextVectorizer(
    n_components=50, min_count=3, n_buckets=100_000, epochs=10, random_state=0
).fit(texts)
kv = fasttext.word_vectors_
print(kv)

# %%
# Misspelled and unseen words
# ---------------------------
# None of these strings is in the vocabulary, yet each gets a vector: the mean of the
# vectors of its n-grams. The nearest vocabulary words show what the model makes of it.

unseen = ["performence", "charactors", "unfunniest", "unpredictably", "overacting"]
for word in unseen:
    neighbours = ", ".join(w for w, _ in kv.most_similar(word, topn=4))
    print(f"{word:>12} (in vocabulary: {word in kv}) -> {neighbours}")

# %%
# A misspelling against its correct spelling
# ------------------------------------------
# The cosine similarity of each misspelling to the word it misspells, against its
# similarity to an unrelated word of the vocabulary.

pairs = [("performence", "performance"), ("charactors", "characters"),
         ("beautifull", "beautiful"), ("dissapointing", "disappointing"),
         ("excelent", "excellent")]
to_right = [kv.similarity(wrong, right) for wrong, right in pairs]
to_other = [kv.similarity(wrong, "kitchen") for wrong, _ in pairs]

fig, ax = plt.subplots(figsize=(7, 3.5))
positions = np.arange(len(pairs))
ax.barh(positions + 0.2, to_right, height=0.4, label="correct spelling")
ax.barh(positions - 0.2, to_other, height=0.4, label='unrelated word ("kitchen")')
ax.set_yticks(positions, [wrong for wrong, _ in pairs])
ax.set_xlabel("cosine similarity")
ax.legend(loc="lower right")
ax.set_title("Unseen misspellings land next to the right word")
fig.tight_layout()

# %%
# Pooling documents with unseen words
# -----------------------------------
# In ``transform``, word2vec drops every token outside its vocabulary; a review written
# only with unseen words becomes a row of zeros. fastText still builds its vector.

word2vec = Word2VecVectorizer(
    n_components=50, min_count=3, epochs=10, random_state=0
).fit(texts)
review = ["unfunniest, overacting charactors"]
print("word2vec row norm:", float(np.linalg.norm(word2vec.transform(review))))
print("fastText row norm:", float(np.linalg.norm(fasttext.transform(review))))
