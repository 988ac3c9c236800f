"""A two-layer network trained by gradient descent on the digits: fitting noise, interpolating.

The talk's slides "Using deep nets to fit noise" and "Interpolating, yet not overfitting"
show trained networks.  Here the network is :func:`thermo_helpers.models.f_nn` with ReLU,
``f(x) = N^{-1/2} sum_j a_j relu(<w_j, x>)``, both layers trained by full-batch gradient
descent on the square loss ``(1/2n) sum_i (f(x_i) - y_i)^2`` with labels ``y = +-1`` (a
binary task on the digits), at widths ``N`` through the interpolation threshold, with the
true labels and with labels drawn at random.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .._validate import Array, Instance, Integer, NJobs, Real, Seed, StepSize, check_size, generator, validate_params
from ..models import check_finite_training, f_nn
from ..sweep import map_tasks

__all__ = ["trained_width_sweep", "trained_summary"]

_X = Array(ndim=2, shape=("n", "d"))
_Y = Array(ndim=1, shape=("n",))
_XT = Array(ndim=2, shape=("m", "d"))
_YT = Array(ndim=1, shape=("m",))


def _train_one(X, y, X_test, y_test, N: int, steps: int, step_size: float, random_labels: bool, rng) -> dict:
    """One network of width ``N`` from one initialisation (and, if asked, one draw of random labels)."""
    rng = generator(rng)
    n, d = X.shape
    target = rng.choice([-1.0, 1.0], size=n) if random_labels else y
    W = rng.standard_normal((N, d))
    a = rng.standard_normal(N)
    alpha = 1.0 / np.sqrt(N)
    for step in range(steps):
        Z = X @ W.T
        H = np.maximum(Z, 0.0)
        r = alpha * (H @ a) - target
        grad_a = alpha * (H.T @ r) / n
        grad_W = ((alpha * r[:, None] * a[None, :]) * (Z > 0)).T @ X / n
        a -= step_size * grad_a
        W -= step_size * grad_W
        if step % 500 == 0:
            check_finite_training(step_size, r, step=step)
    f_train = f_nn(X, a, W, "relu", alpha=alpha)
    f_test = f_nn(X_test, a, W, "relu", alpha=alpha)
    check_finite_training(step_size, f_train, f_test)
    return {"train_mse": float(np.mean((f_train - target) ** 2)),
            "train_err": float(np.mean(np.sign(f_train) != target)),
            "test_err": float(np.mean(np.sign(f_test) != y_test))}


@validate_params(X_train=_X, y_train=_Y, X_test=_XT, y_test=_YT, Ns=Array(ndim=1, ge=1),
                 seeds=Integer(min=2, max=1000), steps=Integer(min=1, max=10**6), step_size=StepSize(),
                 base_seed=Seed(), n_jobs=NJobs())
def trained_width_sweep(X_train, y_train, X_test, y_test, Ns: Sequence[int], *, seeds: int, steps: int,
                        step_size: float, base_seed: int, n_jobs: int | None = None) -> dict:
    """Train two-layer ReLU networks over widths, seeds, and true or random labels.

    Parameters
    ----------
    X_train, y_train : ndarray (n, d), (n,)
        Training inputs and labels in ``{-1, +1}``.
    X_test, y_test : ndarray (m, d), (m,)
        Test inputs and their true labels.
    Ns : sequence of int
        Widths.
    seeds : int
        Initialisations per width (and draws of random labels).
    steps, step_size : int, float
        Full-batch gradient-descent steps and their size.
    base_seed : int
        Root seed: task ``i`` draws from ``sweep.task_rng(base_seed, i, 0)``.
    n_jobs : int, optional
        Worker processes.

    Returns
    -------
    dict
        ``{"true": ..., "random": ...}``, each a dict of arrays (len(Ns), seeds):
        ``train_mse``, ``train_err`` and ``test_err`` (against the true test labels).
    """
    Ns = [int(v) for v in np.asarray(Ns)]
    if any(v != w for v, w in zip(Ns, np.asarray(Ns, dtype=float))):
        raise ValueError(f"Ns must hold integer widths, got {Ns}")
    for name, y in (("y_train", y_train), ("y_test", y_test)):
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise ValueError(f"{name} must hold labels -1 or +1")
    check_size("trained_width_sweep hidden units x samples", max(Ns) * (len(X_train) + len(X_test)))
    fixed = dict(X=np.asarray(X_train, float), y=np.asarray(y_train, float), X_test=np.asarray(X_test, float),
                 y_test=np.asarray(y_test, float), steps=int(steps), step_size=float(step_size))
    keys = [(lab, N, s) for lab in ("true", "random") for N in Ns for s in range(seeds)]
    tasks = [dict(N=N, random_labels=(lab == "random"), **fixed) for lab, N, _ in keys]
    out = map_tasks(_train_one, tasks, base_seed=base_seed, n_jobs=n_jobs, desc="trained networks")
    result = {}
    for lab in ("true", "random"):
        rows = [o for (l_, _, _), o in zip(keys, out) if l_ == lab]
        result[lab] = {k: np.array([r[k] for r in rows]).reshape(len(Ns), seeds) for k in rows[0]}
    return result


@validate_params(sweep=Instance(dict), Ns=Array(ndim=1, ge=1), tol=Real(gt=0))
def trained_summary(sweep: dict, Ns: Sequence[int], *, tol: float) -> dict:
    """The numbers the chapter and the ledger quote about :func:`trained_width_sweep`.

    A network *interpolates* when its training loss is at most ``tol`` and it classifies
    every training point correctly (the check behind "converged"); the summary is at the
    largest width.
    """
    Ns = np.asarray(Ns)
    out = {}
    for lab in ("true", "random"):
        s = sweep[lab]
        last = s["train_mse"][-1]
        out[f"{lab}_interpolates"] = int(np.sum((last <= tol) & (s["train_err"][-1] == 0)))
        out[f"{lab}_train_err_last"] = float(s["train_err"][-1].mean())
        out[f"{lab}_test_err_last"] = float(s["test_err"][-1].mean())
        out[f"{lab}_test_se_last"] = float(s["test_err"][-1].std(ddof=1) / np.sqrt(last.size))
        fits = np.flatnonzero(np.all((s["train_mse"] <= tol) & (s["train_err"] == 0), axis=1))
        out[f"{lab}_first_N"] = float(Ns[fits[0]]) if fits.size else float("nan")
    out["seeds"] = int(sweep["true"]["train_mse"].shape[1])
    return out
