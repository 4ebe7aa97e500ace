"""Serial and parallel kernel builds stay what they are, whichever numba compiled first.

numba's on-disk cache keys a compiled function on its code and signature, not on
``parallel=``: one function compiled twice with ``cache=True`` loads whichever build was
compiled first for both. These tests check that no two cached kernels share a cache entry,
and, in fresh processes with empty caches and both compile orders, that every parallel build
runs on two threads, every serial build on one, and seeded ``n_jobs=1`` fits of every
trainable estimator are bitwise identical across processes and hash seeds.
"""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numba
import pytest

import skembed._kernels

from .kernel_probe import fit_outputs

ORDERS = ["serial-first", "parallel-first"]
ROOT = Path(__file__).resolve().parents[1]


def cached_dispatchers():
    """{dispatcher: "module.name"} of every numba dispatcher with ``cache=True`` in the kernels.

    A dispatcher imported into several modules is listed once.
    """
    found = {}
    for info in pkgutil.iter_modules(skembed._kernels.__path__):
        module = importlib.import_module(f"skembed._kernels.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, numba.core.dispatcher.Dispatcher):
                if value.stats.cache_path is not None:
                    found.setdefault(value, f"{info.name}.{name}")
    return found


def test_no_two_cached_dispatchers_share_a_python_function():
    # numba names a function's cache index after its qualified name and first line, so
    # two builds of one function (or of one factory's inner function) share an entry.
    by_function = defaultdict(list)
    for dispatcher, name in cached_dispatchers().items():
        code = dispatcher.py_func.__code__
        by_function[code.co_filename, code.co_qualname, code.co_firstlineno].append(name)
    shared = [names for names in by_function.values() if len(names) > 1]
    assert not shared, f"cached dispatchers built from one function: {shared}"
    dispatchers = cached_dispatchers()
    parallel = {name for d, name in dispatchers.items() if d.targetoptions.get("parallel")}
    assert {"_glove._count_chunk_parallel", "_glove._glove_epoch_parallel",
            "_pooling.weighted_mean_parallel", "_word2vec.train_units_parallel"} <= parallel


@pytest.fixture(scope="module")
def fresh_processes(tmp_path_factory):
    """The JSON report of ``tests.kernel_probe`` in two fresh processes, one per order."""
    processes = {}
    for hash_seed, order in enumerate(ORDERS, start=1):
        env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path_factory.mktemp(order)),
                   PYTHONHASHSEED=str(hash_seed), NUMBA_NUM_THREADS="2")
        processes[order] = subprocess.Popen(
            [sys.executable, "-m", "tests.kernel_probe", order], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reports = {}
    for order, process in processes.items():
        # A guard against a hung child only: compiling every kernel takes about a minute.
        out, err = process.communicate(timeout=3600)
        assert process.returncode == 0, err
        reports[order] = json.loads(out)
    return reports


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self/task"),
                                reason="per-thread CPU times are read from /proc (Linux)")


@needs_proc
@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("build, n_threads", [("parallel", 2), ("serial", 1)])
def test_every_build_runs_on_its_own_number_of_threads(fresh_processes, order, build,
                                                       n_threads):
    threads = fresh_processes[order]["threads"]
    measured = {name: n for name, n in threads.items() if name.endswith(build)}
    assert len(measured) == 6
    assert all(n == n_threads for n in measured.values()), measured


def test_seeded_serial_fits_are_identical_in_every_process(fresh_processes):
    first, second = (fresh_processes[order]["fits"] for order in ORDERS)
    assert set(first) == {"word2vec", "word2vec cbow hs", "glove", "lsa", "bpe"}
    assert first == second
    assert fit_outputs(1) == first  # and in this process, with its own cache
