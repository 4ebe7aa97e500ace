"""Shared test helpers: a small synthetic corpus with topical structure."""

import numpy as np

from skembed import KeyedVectors

_TOPICS = {
    "animals": "cat dog horse cow sheep goat mouse rabbit fox wolf bird fish".split(),
    "food": "bread cheese apple pasta rice soup salad butter cake pie honey milk".split(),
    "finance": "bank money stock market price trade loan debt profit bond tax fund".split(),
}
_FILLER = "the a of and to in is was it on with for as at by".split()


def make_documents(n_documents=60, words_per_document=20, seed=0):
    """Documents that each mostly use the words of one topic, plus filler words.

    Words of one topic co-occur, so every embedding estimator has something to learn.
    """
    rng = np.random.default_rng(seed)
    topics = list(_TOPICS.values())
    documents = []
    for i in range(n_documents):
        topic = topics[i % len(topics)]
        words = [
            topic[rng.integers(len(topic))]
            if rng.random() < 0.7
            else _FILLER[rng.integers(len(_FILLER))]
            for _ in range(words_per_document)
        ]
        documents.append(" ".join(words))
    return documents


def make_keyed_vectors(dim=6, seed=0):
    """Random vectors for every word of :func:`make_documents`, most common words first."""
    words = [w for topic in _TOPICS.values() for w in topic] + _FILLER
    rng = np.random.default_rng(seed)
    return KeyedVectors(rng.normal(size=(len(words), dim)).astype(np.float32), words)


def record_calls(monkeypatch, module, name):
    """Wrap ``module.name`` for the test so that every call is recorded; return the records.

    Each record is the tuple of positional arguments. The kernel build tests check that each
    parallel kernel build runs on several threads; recording which build an estimator calls
    completes the check that ``n_jobs > 1`` really trains in parallel.
    """
    original = getattr(module, name)
    calls = []

    def recorded(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls
