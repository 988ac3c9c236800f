"""One runner for Monte-Carlo grids: parameters x seeds.

:func:`run_sweep` evaluates ``func(**params, rng=Generator)`` for every point
of a parameter grid and every seed, in parallel through :mod:`joblib`, and
returns the mean and standard error over seeds; :func:`map_tasks` runs a
list of independent tasks that are not a grid.  This is the only module that
calls :mod:`joblib`.

Determinism
    The Generator of task (grid point ``i``, seed ``s``) is derived from
    ``numpy.random.SeedSequence(base_seed, spawn_key=(i, s))``, so the numbers
    do not depend on the number of workers or on the order in which tasks run.

Parallel back ends
    Locally the sweep uses joblib's *current* back end (loky processes by
    default) with ``n_jobs`` workers.  To run the same sweeps on a Dask
    cluster, set one environment variable before starting Python or Jupyter::

        THERMO_DASK_SCHEDULER=tcp://scheduler-host:8786

    Every call then goes through joblib's Dask back end on that scheduler
    (:func:`thermo_helpers.config.dask_scheduler`), ``n_jobs`` is ignored (the
    cluster's workers set the parallelism) and, the seeds being per task, the
    numbers are bitwise those of a local run.  The workers need the same
    environment (``pip install -r requirements-lock.txt`` and this package).
    Wrapping a call in ``joblib.parallel_config(backend=...)`` yourself (for
    example ``"ray"`` after ``ray.util.joblib.register_ray()``) also works
    when the variable is unset.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from joblib import Parallel, delayed, parallel_config
from threadpoolctl import threadpool_limits

from . import config
from ._validate import Boolean, checks_off, Function, Instance, Integer, InvalidParameterError, ListOf, NJobs, OrNone, Seed, Text, check_size, validate_params
from .stats import standard_error

__all__ = ["SweepResult", "task_rng", "run_sweep", "map_tasks", "standard_error"]


@dataclass
class SweepResult:
    """Tidy output of :func:`run_sweep`.

    Attributes
    ----------
    grid : dict of str -> ndarray
        The swept values, one 1-D array per parameter, in grid order.
    shape : tuple of int
        Grid shape, one axis per parameter.
    values : dict of str -> ndarray
        Raw results, shape ``shape + (seeds,) + output shape`` per output name
        (the output shape is ``()`` for scalar outputs).
    seeds : int
        Repetitions per grid point.
    records : list of dict
        One row per task: the parameters, ``seed`` and the outputs.
    """

    grid: dict
    shape: tuple
    values: dict
    seeds: int = 0
    records: list = field(default_factory=list)

    def _seed_axis(self) -> int:
        return len(self.shape)

    def _raw(self, key: str) -> np.ndarray:
        if key not in self.values:
            raise InvalidParameterError(f"key must be one of the outputs {sorted(self.values)}, got {key!r}")
        return self.values[key]

    @validate_params(key=Text())
    def mean(self, key: str = "value") -> np.ndarray:
        """Mean over seeds, shape ``shape + output shape``."""
        return np.mean(self._raw(key), axis=self._seed_axis())

    @validate_params(key=Text())
    def sem(self, key: str = "value") -> np.ndarray:
        """Standard error of the mean over seeds (0 for a single seed)."""
        return standard_error(self._raw(key), axis=self._seed_axis())


@validate_params(base_seed=Seed(), index=Integer(min=0), seed=Integer(min=0))
def task_rng(base_seed: int, index: int, seed: int) -> np.random.Generator:
    """The Generator used for grid point ``index`` and seed number ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(base_seed, spawn_key=(index, seed)))


def _as_output(v):
    arr = np.asarray(v, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def _call(func, params, base_seed, index, seed, threads):
    with threadpool_limits(threads), checks_off():  # a task is never checked: its sweep was
        out = func(**params, rng=task_rng(base_seed, index, seed))
    if isinstance(out, Mapping):
        return {k: _as_output(v) for k, v in out.items()}
    return {"value": _as_output(out)}


def _run(func, params, base_seed, index, threads):
    with threadpool_limits(threads), checks_off():
        if base_seed is None:
            return func(**params)
        return func(**params, rng=task_rng(base_seed, index, 0))


_DASK_CLIENTS: dict = {}


def _dask_client(address: str):
    """A connected ``distributed.Client`` for ``address``, reused across sweeps."""
    client = _DASK_CLIENTS.get(address)
    if client is not None and client.status == "running":
        return client
    try:
        from distributed import Client
    except ImportError as exc:
        raise ValueError(f"THERMO_DASK_SCHEDULER is set to {address!r} but the 'distributed' package "
                         f"is not installed; install the pinned dask and distributed") from exc
    try:
        client = Client(address, set_as_default=False)  # timeout: distributed.comm.timeouts.connect
    except OSError as exc:
        raise OSError(f"THERMO_DASK_SCHEDULER={address!r}: cannot reach the Dask scheduler ({exc})") from exc
    _DASK_CLIENTS[address] = client
    return client


def _backend(n_jobs: int):
    """The joblib back-end context and the worker count to run with."""
    address = config.dask_scheduler()
    if address is None:
        return contextlib.nullcontext(), n_jobs
    return parallel_config(backend="dask", client=_dask_client(address)), -1


def _execute(calls, total: int, n_jobs, progress, desc: str) -> list:
    n_jobs = config.n_jobs() if n_jobs is None else n_jobs
    show = config.progress_enabled() if progress is None else progress
    backend, n_jobs = _backend(int(n_jobs))
    with backend:
        it = Parallel(n_jobs=n_jobs, return_as="generator")(calls)
        if show:
            from tqdm.auto import tqdm

            it = tqdm(it, total=total, desc=desc)
        return list(it)


@validate_params(func=Function(), grid=Instance(Mapping, description="a mapping of name -> sequence"),
                 seeds=Integer(min=1, max=10**6), base_seed=Seed(), n_jobs=NJobs(), progress=OrNone(Boolean()),
                 fixed=OrNone(Instance(Mapping, description="a mapping of keyword arguments")))
def run_sweep(
    func: Callable[..., Any],
    grid: Mapping[str, Sequence],
    *,
    seeds: int,
    base_seed: int,
    n_jobs: int | None = None,
    progress: bool | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> SweepResult:
    """Run ``func`` over the Cartesian product of ``grid`` times ``seeds``.

    Parameters
    ----------
    func : callable
        ``func(**params, **fixed, rng=Generator)`` returning a float, an
        array, or a dict of floats or arrays (each output keeps one shape
        across tasks).  It must be importable (defined in a module) for the
        process back end.
    grid : mapping of name -> sequence
        Parameters to sweep; the grid is their Cartesian product.
    seeds : int
        Independent repetitions per grid point (>= 1).
    base_seed : int
        Root of every task's seed (see module notes).
    n_jobs : int, optional
        joblib workers; default :func:`thermo_helpers.config.n_jobs` (``THERMO_N_JOBS``, default 2).
    progress : bool, optional
        Show a tqdm bar; default :func:`thermo_helpers.config.progress_enabled`.
    fixed : mapping, optional
        Keyword arguments passed unchanged to every call.

    Returns
    -------
    SweepResult
    """
    names = list(grid)
    if not names:
        raise InvalidParameterError("grid must name at least one parameter, got an empty mapping")
    axes = []
    for k in names:
        if k == "rng":
            raise InvalidParameterError("grid must not sweep 'rng': each task gets its own Generator")
        if not isinstance(k, str) or isinstance(grid[k], (str, bytes)) or not hasattr(grid[k], "__len__"):
            raise InvalidParameterError(f"grid must map parameter names to sequences of values; entry {k!r} "
                                        f"is {type(grid[k]).__name__}")
        a = np.asarray(list(grid[k]))
        if a.size == 0 or a.ndim != 1:
            raise InvalidParameterError(f"grid entry {k!r} must be a non-empty 1-D sequence, got shape {a.shape}")
        axes.append(a)
    shape = tuple(a.size for a in axes)
    check_size("run_sweep tasks (grid points x seeds)", float(np.prod(shape, dtype=float)) * seeds)
    points = list(itertools.product(*[range(s) for s in shape]))
    fixed = dict(fixed or {})
    clash = sorted(set(fixed) & (set(names) | {"rng"}))
    if clash:
        raise InvalidParameterError(f"fixed must not repeat a grid name or 'rng' (the sweep passes it), got {clash}")
    tasks = []
    for i, idx in enumerate(points):
        params = {k: axes[j][idx[j]].item() for j, k in enumerate(names)}
        params.update(fixed)
        for s in range(seeds):
            tasks.append((i, s, params))
    threads = config.blas_threads()
    calls = (delayed(_call)(func, p, int(base_seed), i, s, threads) for i, s, p in tasks)
    outs = _execute(calls, len(tasks), n_jobs, progress, getattr(func, "__name__", "sweep"))
    keys = list(outs[0])
    values = {k: np.empty(shape + (seeds,) + np.shape(outs[0][k])) for k in keys}
    records = []
    for (i, s, p), o in zip(tasks, outs):
        idx = points[i]
        for k in keys:
            values[k][idx + (s,)] = o[k]
        records.append({**{k: p[k] for k in names}, "seed": s, **o})
    return SweepResult(grid={k: a for k, a in zip(names, axes)}, shape=shape, values=values,
                       seeds=seeds, records=records)


@validate_params(func=Function(), kwargs_list=ListOf(Instance(Mapping, description="a mapping of keyword arguments")),
                 base_seed=OrNone(Seed()), n_jobs=NJobs(), progress=OrNone(Boolean()), desc=OrNone(Text()))
def map_tasks(
    func: Callable[..., Any],
    kwargs_list: Sequence[Mapping[str, Any]],
    *,
    base_seed: int | None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    desc: str | None = None,
) -> list:
    """Run ``func(**kwargs_list[i], rng=task_rng(base_seed, i, 0))`` for every ``i``, in parallel.

    For work that is not a grid times seeds (a list of theory evaluations, a
    few heterogeneous simulations).  Results come back in input order and do
    not depend on ``n_jobs``.

    Parameters
    ----------
    func : callable
        Importable function taking the keyword arguments (and ``rng``).
    kwargs_list : sequence of mappings
        Keyword arguments of each task.
    base_seed : int or None
        Root of the tasks' seeds; ``None`` for deterministic work, in which
        case ``func`` is called without ``rng``.
    n_jobs : int, optional
        joblib workers; default :func:`thermo_helpers.config.n_jobs`.
    progress : bool, optional
        Show a tqdm bar; default :func:`thermo_helpers.config.progress_enabled`.
    desc : str, optional
        Label of the progress bar (default the function's name).

    Returns
    -------
    list
        ``func``'s return values, one per task.
    """
    check_size("map_tasks task list", len(kwargs_list))
    base_seed = None if base_seed is None else int(base_seed)
    tasks = [dict(kw) for kw in kwargs_list]
    if base_seed is not None and any("rng" in kw for kw in tasks):
        raise InvalidParameterError("kwargs_list must not contain 'rng' when base_seed is given (map_tasks passes it)")
    if not tasks:
        return []
    threads = config.blas_threads()
    calls = (delayed(_run)(func, kw, base_seed, i, threads) for i, kw in enumerate(tasks))
    return _execute(calls, len(tasks), n_jobs, progress, desc or getattr(func, "__name__", "tasks"))
