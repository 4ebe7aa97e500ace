"""
=================================
Nearest words and analogies
=================================

After ``fit``, every word-embedding vectorizer exposes its word vectors as a
:class:`~skembed.KeyedVectors` in ``word_vectors_``. This example trains a
:class:`~skembed.Word2VecVectorizer` on the movie-review sentences shipped with skembed and
asks it word-level questions: nearest neighbours, the odd one out, and the famous analogy
*king - man + woman*.

Be warned: the corpus has about 190,000 words. word2vec is usually trained on hundreds of
millions, and the published analogy results need that much. What a small corpus learns is
real but rough, and this example shows both what works and what does not.
"""

# %%
# Train the word vectors
# ----------------------
# Skip-gram with negative sampling, the defaults of the word2vec tool, except for settings
# that suit a small corpus: 100 dimensions, words kept from their third occurrence, and 20
# passes over the data.

import numpy as np

from skembed import Word2VecVectorizer
from skembed.datasets import load_movie_reviews
from skembed.evaluation import evaluate_analogies, evaluate_similarity

texts = load_movie_reviews().data
w2v = Word2VecVectorizer(
    n_components=100, window=5, min_count=3, epochs=20, random_state=0
).fit(texts)
kv = w2v.word_vectors_
print(kv)
print("loss per epoch:", np.round(w2v.loss_curve_, 3))

# %%
# Nearest neighbours
# ------------------
# :meth:`~skembed.KeyedVectors.most_similar` ranks all words by cosine similarity. Frequent
# words with a clear role in reviews get sensible neighbours, mixed with words that
# merely happened to share a few sentences with them: with a few hundred occurrences
# per word, chance co-occurrences still weigh.

for word in ["good", "funny", "boring", "director", "comedy", "performances"]:
    neighbours = kv.most_similar(word, topn=6)
    print(f"{word:>12}: " + ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))

# %%
# Opposites fill the same slots ("a ___ movie"), so distributional vectors tend to
# put them close together, closer than to unrelated words:
# :meth:`~skembed.KeyedVectors.similarity` gives the cosine of two words.

for first, second in [
    ("good", "bad"),
    ("good", "director"),
    ("funny", "boring"),
]:
    print(
        f"similarity({first!r}, {second!r}) = {kv.similarity(first, second):.2f}"
    )

# %%
# The odd one out
# ---------------
# :meth:`~skembed.KeyedVectors.doesnt_match` returns the word farthest from the mean of
# the others.

for words in [
    ["actor", "actress", "director", "popcorn"],
    ["comedy", "drama", "thriller", "performances"],
]:
    print(words, "->", kv.doesnt_match(words))

# %%
# king - man + woman
# ------------------
# With ``positive=["king", "woman"]`` and ``negative=["man"]``,
# :meth:`~skembed.KeyedVectors.most_similar` looks for the word closest to
# ``king - man + woman`` (3CosAdd); :meth:`~skembed.KeyedVectors.most_similar_cosmul` uses
# the multiplicative 3CosMul of Levy and Goldberg (2014).

counts = {
    word: sum(text.lower().split().count(word) for text in texts)
    for word in ["king", "queen", "man", "woman"]
}
print("occurrences in the corpus:", counts)
print(
    "3CosAdd:",
    kv.most_similar(positive=["king", "woman"], negative=["man"], topn=5),
)
print(
    "3CosMul:",
    kv.most_similar_cosmul(
        positive=["king", "woman"], negative=["man"], topn=5
    ),
)

# %%
# "queen" is unlikely to come first here. "king" occurs only a handful of times in the
# corpus, almost never in a royal sense, so its vector is mostly noise; the vector offset
# *woman - man* is learned from a few dozen sentences. The analogy works with vectors trained
# on large corpora (see the :doc:`benchmarks </benchmarks>`), not with 190,000 words of
# movie reviews.
#
# Analogies among words this corpus *does* talk about are more within reach; the answer is
# still not guaranteed:

for a, b, c in [("actor", "actress", "man"), ("good", "best", "bad")]:
    answer = kv.most_similar(positive=[b, c], negative=[a], topn=3)
    print(f"{a} : {b} :: {c} : ?  ->", [word for word, _ in answer])

# %%
# Standard benchmarks
# -------------------
# :func:`~skembed.evaluation.evaluate_analogies` runs the 19,544 Google analogy questions
# (searching the 30,000 most frequent words, the usual convention) and
# :func:`~skembed.evaluation.evaluate_similarity` correlates cosines with the human
# similarity scores of WordSim-353. Most questions use words that never occur in movie
# reviews; those are skipped and reported in ``coverage`` and ``oov_ratio``. Never compare
# scores obtained at different coverage.

analogies = evaluate_analogies(kv)
print(
    f"Google analogies: accuracy {analogies.accuracy:.3f} on {analogies.n_evaluated} "
    f"questions (coverage {analogies.coverage:.1%})"
)
similarity = evaluate_similarity(kv)
print(
    f"WordSim-353: Spearman {similarity.spearman:.3f} on {similarity.n_evaluated} pairs "
    f"(out of vocabulary: {similarity.oov_ratio:.1%})"
)
