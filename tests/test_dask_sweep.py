"""The Dask switch: ``THERMO_DASK_SCHEDULER`` sends every sweep to a Dask cluster.

A real ``dask.distributed.LocalCluster`` (two worker processes, loopback only)
stands in for a cluster; a chapter's sweep must give bitwise the numbers of a
local run, and the tasks must really run in the worker processes.
"""

from __future__ import annotations

import inspect
import logging
import os

import numpy as np
import pytest

from thermo_helpers import config, sweep
from thermo_helpers import double_descent as dd

SKIP = "dask.distributed is not importable: install the pinned dask and distributed (the `cluster` extra)"


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason=SKIP)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.ERROR) as lc:
        yield lc
        client = sweep._DASK_CLIENTS.pop(lc.scheduler_address, None)
        if client is not None:
            client.close()


def _seed_kw(func) -> str:
    """The chapter's name for the root seed of a sweep (``base_seed``; ``seed`` before the rename)."""
    return "base_seed" if "base_seed" in inspect.signature(func).parameters else "seed"


def _rf_sweep():
    kw = {_seed_kw(dd.rf_ridge_simulation): 20191121}
    return dd.rf_ridge_simulation([0.5, 1.0, 2.0], 1.5, [1e-3, 1e-1], 12, seeds=3, n_jobs=1,
                                  progress=False, **kw)


def test_scheduler_switch_is_read_and_checked(monkeypatch):
    monkeypatch.delenv("THERMO_DASK_SCHEDULER", raising=False)
    assert config.dask_scheduler() is None
    monkeypatch.setenv("THERMO_DASK_SCHEDULER", "  ")
    assert config.dask_scheduler() is None
    monkeypatch.setenv("THERMO_DASK_SCHEDULER", "tcp://10.0.0.5:8786")
    assert config.dask_scheduler() == "tcp://10.0.0.5:8786"
    for bad in ("10.0.0.5:8786", "http://host:8786", "tcp://", "tcp://a b"):
        monkeypatch.setenv("THERMO_DASK_SCHEDULER", bad)
        with pytest.raises(ValueError, match="^THERMO_DASK_SCHEDULER"):
            config.dask_scheduler()
        with pytest.raises(ValueError, match="^THERMO_DASK_SCHEDULER"):
            sweep.map_tasks(abs, [{"x": 1}], base_seed=None, n_jobs=1)


@pytest.mark.slow
def test_chapter_sweep_on_dask_is_bitwise_the_local_one(cluster, monkeypatch):
    monkeypatch.delenv("THERMO_DASK_SCHEDULER", raising=False)
    local = _rf_sweep()
    monkeypatch.setenv("THERMO_DASK_SCHEDULER", cluster.scheduler_address)
    remote = _rf_sweep()
    assert set(local.raw) == set(remote.raw) and local.raw
    for key in local.raw:
        assert local.raw[key].shape == remote.raw[key].shape
        assert np.array_equal(local.raw[key], remote.raw[key]), f"{key} differs between local and Dask runs"
    assert np.all(np.isfinite(local.raw["test"])) and np.ptp(local.raw["test"]) > 0


@pytest.mark.slow
def test_run_sweep_and_map_tasks_run_in_the_dask_workers(cluster, monkeypatch):
    monkeypatch.setenv("THERMO_DASK_SCHEDULER", cluster.scheduler_address)
    client = sweep._dask_client(cluster.scheduler_address)
    worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    pids = sweep.map_tasks(os.getpid, [{}] * 8, base_seed=None, n_jobs=1)  # n_jobs is ignored on Dask
    assert set(pids) <= worker_pids
    grid = {"psi1": [0.5, 3.0]}
    fixed = {"psi2": 2.0, "lams": np.array([1e-2]), "d": 10}
    remote = sweep.run_sweep(dd.rf_ridge_draw, grid, seeds=2, base_seed=3, fixed=fixed, progress=False)
    monkeypatch.delenv("THERMO_DASK_SCHEDULER")
    local = sweep.run_sweep(dd.rf_ridge_draw, grid, seeds=2, base_seed=3, fixed=fixed, n_jobs=1, progress=False)
    assert set(local.values) == set(remote.values)
    for key in local.values:
        assert np.array_equal(local.values[key], remote.values[key]), key


def test_unreachable_scheduler_is_named(monkeypatch):
    dask = pytest.importorskip("dask", reason=SKIP)
    pytest.importorskip("distributed", reason=SKIP)
    monkeypatch.setenv("THERMO_DASK_SCHEDULER", "tcp://127.0.0.1:9")  # the discard port: nothing listens
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(OSError, match="THERMO_DASK_SCHEDULER"):
            sweep.map_tasks(abs, [{"x": -1}], base_seed=None)
