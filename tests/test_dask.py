"""skembed on a Dask cluster, through Dask's own integration points.

One ``LocalCluster`` (two worker processes with one thread each, loopback only) serves the
whole module: grid searches through joblib's dask backend, numba threads inside workers,
``transform`` mapped over a dask Bag and a dask DataFrame column with the fitted vectorizer
shipped once, and the tokenizing pass of ``fit`` sent to the workers.
"""

import pickle
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")  # the 'test' extra installs it
dask = pytest.importorskip("dask")

import joblib  # noqa: E402
from dask.core import get_dependencies  # noqa: E402
import numba  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skembed._corpus import build_corpus  # noqa: E402
from skembed._text import build_analyzer  # noqa: E402
from skembed import (  # noqa: E402
    EmbeddingVectorizer,
    GloVeVectorizer,
    KeyedVectors,
    LSAVectorizer,
    Word2VecVectorizer,
)

POSITIVE = ["good", "great", "fine", "nice", "love", "happy"]
NEGATIVE = ["bad", "awful", "poor", "sad", "hate", "boring"]
NEUTRAL = ["the", "film", "was", "plot", "actor", "scene", "and", "a"]


def _documents(n_documents=80, seed=0):
    rng = np.random.default_rng(seed)
    documents, labels = [], []
    for i in range(n_documents):
        label = i % 2
        words = list(rng.choice(NEUTRAL, 6)) + list(rng.choice([NEGATIVE, POSITIVE][label], 2))
        rng.shuffle(words)
        documents.append(" ".join(words))
        labels.append(label)
    return documents, np.array(labels)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def _vectorizers():
    rng = np.random.default_rng(0)
    words = POSITIVE + NEGATIVE + NEUTRAL
    vectors = KeyedVectors(rng.normal(size=(len(words), 6)).astype(np.float32), words)
    small = dict(n_components=6, min_count=1, random_state=0)
    return {
        "word2vec": (Word2VecVectorizer(epochs=2, **small), {"window": [2, 4]}),
        "glove": (GloVeVectorizer(epochs=3, **small), {"window": [2, 4]}),
        "lsa": (LSAVectorizer(n_components=4, random_state=0), {"sublinear_tf": [False, True]}),
        "embedding": (EmbeddingVectorizer(vectors), {"pooling": ["mean", "max"]}),
    }


@pytest.mark.parametrize("name", list(_vectorizers()))
def test_grid_search_over_a_pipeline_runs_on_the_cluster(client, name):
    vectorizer, grid = _vectorizers()[name]
    X, y = _documents()
    pipeline = make_pipeline(vectorizer, LogisticRegression())
    step = pipeline.steps[0][0]
    param_grid = {f"{step}__{key}": values for key, values in grid.items()}
    expected = GridSearchCV(pipeline, param_grid, cv=2).fit(X, y)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_config(backend="dask"):
        search = GridSearchCV(pipeline, param_grid, cv=2, n_jobs=-1).fit(X, y)
    assert len(tasks.data) >= 2 * len(next(iter(param_grid.values())))  # fits on workers
    # Seeded estimators with n_jobs=None are deterministic: the same scores as at home.
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == expected.best_params_


def _fit_and_count_threads(n_jobs):
    """Fit a Word2VecVectorizer; return numba's thread count during training, before, after."""
    from skembed import word2vec

    X, _ = _documents(20)
    seen = []
    train = word2vec._train_word2vec

    def recording(*args, **kwargs):
        seen.append(numba.get_num_threads())
        return train(*args, **kwargs)

    before = numba.get_num_threads()
    word2vec._train_word2vec = recording
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            Word2VecVectorizer(n_components=4, epochs=1, min_count=1, n_jobs=n_jobs).fit(X)
    finally:
        word2vec._train_word2vec = train
    return seen[0], before, numba.get_num_threads(), [str(w.message) for w in caught]


@pytest.mark.parametrize("n_jobs, expected", [(None, 1), (1, 1), (2, 1), (-1, 1)])
def test_numba_threads_in_a_worker_follow_n_jobs_within_the_worker_threads(
    client, n_jobs, expected
):
    # Each worker has one thread: n_jobs=None means 1, and larger n_jobs are capped at the
    # worker's thread count instead of oversubscribing the machine the workers share.
    training, before, after, warned = client.submit(
        _fit_and_count_threads, n_jobs, pure=False
    ).result()
    assert training == expected
    assert after == before  # restored after fit
    assert warned == []  # and no complaint from joblib about n_jobs in a daemon worker
    # Outside a worker, n_jobs=2 does run 2 threads (where numba has them).
    assert _fit_and_count_threads(2)[0] == min(2, numba.config.NUMBA_NUM_THREADS)


@pytest.fixture(scope="module")
def fitted():
    X, _ = _documents(200)
    # 2,000 extra words make the vectorizer much larger than the documents.
    X = [f"{doc} w{i} w{i + 1000}" for i, doc in enumerate(X * 5)]
    return Word2VecVectorizer(n_components=8, epochs=1, min_count=1, random_state=0).fit(X), X


def test_transform_a_bag_partition_by_partition(client, fitted):
    import dask.bag as db

    vectorizer, X = fitted
    shipped = dask.delayed(vectorizer, pure=True)
    bag = db.from_sequence(X, npartitions=4)
    pooled = bag.map_partitions(lambda part, v: list(v.transform(list(part))), shipped)
    # The vectorizer is one node of the graph that the 4 partition tasks depend on, so it
    # travels once to each worker instead of inside every task.
    graph = dict(pooled.__dask_graph__())
    assert all(shipped.key in get_dependencies(graph, key) for key in pooled.__dask_keys__())
    result = np.vstack(client.compute(pooled).result())
    np.testing.assert_allclose(result, vectorizer.transform(X), rtol=1e-6)


def test_transform_a_dataframe_column_partition_by_partition(client, fitted):
    import dask.dataframe as dd
    import pandas as pd

    vectorizer, X = fitted
    names = list(vectorizer.get_feature_names_out())
    future = client.scatter(vectorizer, broadcast=True)  # once per worker
    frame = dd.from_pandas(pd.DataFrame({"text": X}), npartitions=4)

    def pool(texts, v):
        return pd.DataFrame(v.transform(texts.tolist()), index=texts.index, columns=names)

    meta = pd.DataFrame({name: np.array([], dtype=np.float32) for name in names})
    result = frame["text"].map_partitions(pool, future, meta=meta).compute()
    assert list(result.columns) == names
    np.testing.assert_allclose(result.to_numpy(), vectorizer.transform(X), rtol=1e-6)


def test_pickled_vectorizer_is_about_its_vectors(fitted):
    vectorizer, _ = fitted
    size = len(pickle.dumps(vectorizer, protocol=pickle.HIGHEST_PROTOCOL))
    vectors = vectorizer.word_vectors_.vectors.nbytes
    words = sum(len(word) + 16 for word in vectorizer.vocabulary_)
    # The vectors, the words (in the vocabulary and the word list) and small arrays; no
    # copy of the training corpus.
    assert size < vectors + 3 * words + 20_000


def test_tokenizing_pass_of_fit_runs_through_the_dask_backend(client):
    X, _ = _documents(300)
    analyzer = build_analyzer()
    expected = build_corpus(X, analyzer, chunk_size=50)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_config(backend="dask"):
        corpus = build_corpus(X, analyzer, chunk_size=50, n_jobs=2)
    assert sum("tokenize_chunk" in task["key"] for task in tasks.data) >= 2
    assert corpus.index_to_key == expected.index_to_key
    np.testing.assert_array_equal(corpus.counts, expected.counts)
    np.testing.assert_array_equal(corpus.ids, expected.ids)
    np.testing.assert_array_equal(corpus.offsets, expected.offsets)
