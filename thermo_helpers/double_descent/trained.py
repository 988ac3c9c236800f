"""A two-layer network trained by full-batch gradient descent on the digits, over a sweep of widths.

The network is :func:`thermo_helpers.models.f_nn` with one output vector per class:
output ``c`` is ``f_nn(X, A[:, c], W, "relu", alpha=1/sqrt(N))``, all of ``(A, W)`` trained
on the square loss ``(1/2n) sum_i ||f(x_i) - y_i||^2`` against one-hot targets, from
``A = 0`` (the network starts at the zero function) and ``W`` with i.i.d. N(0, 1) entries
(inputs on the unit sphere, so every pre-activation starts as N(0, 1)).  A width has
``N (d + K)`` parameters, so it can interpolate ``n`` samples with ``K`` outputs once
``N (d + K) >= n K``: the interpolation threshold by counting.

All widths of one data set train at once: their neurons are stacked into one hidden
layer, and every block of neurons has its own output and loss, so the blocks do not
interact (the gradient of the summed loss with respect to a block is that block's own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import sweep
from .._validate import (
    Array,
    Boolean,
    Instance,
    Integer,
    NJobs,
    OneOf,
    Real,
    Seed,
    StepSize,
    check_size,
    generator,
    validate_params,
)
from ..models import TrainResult, check_finite_training, f_nn
from ..report import Z_LEVEL
from ..stats import standard_error

__all__ = ["WidthSweep", "interpolation_threshold", "trained_summary", "trained_width_sweep"]


@validate_params(n=Integer(min=1), d=Integer(min=1), classes=Integer(min=1))
def interpolation_threshold(n: int, d: int, classes: int) -> float:
    """Width at which a two-layer network with ``classes`` outputs has as many parameters as constraints.

    ``N (d + classes) = n classes``, i.e. ``N* = n classes / (d + classes)`` (not rounded).
    """
    return n * classes / (d + classes)


def _record_steps(steps: int, records: int) -> np.ndarray:
    """Log-spaced recorded steps from 1 to ``steps`` (always including both)."""
    return np.unique(np.round(np.geomspace(1, steps, records)).astype(int))


def _train_stack(X, Y, X_test, Y_test, widths, *, steps, step_size, tol, rng, W0=None) -> TrainResult:
    """Train one network per width in ``widths`` on (X, Y) by full-batch GD, all at once.

    Returns a :class:`TrainResult` whose histories (``train``, ``test``: square loss per
    sample; ``train_err``, ``test_err``: misclassification) have one column per width, and
    whose params hold the blocks' final ``a`` (list of N x K arrays) and ``W`` (list of N x d).
    """
    n, d = X.shape
    K = Y.shape[1]
    widths = [int(N) for N in widths]
    block = np.repeat(np.arange(len(widths)), widths)
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    M = int(block.size)
    check_size("stacked hidden layer n x M x K", n * M * K)
    W = generator(rng).standard_normal((M, d)) if W0 is None else np.array(W0, dtype=float)
    A = np.zeros((M, K))
    rec = _record_steps(steps, 24)
    hist = {k: [] for k in ("step", "time", "train", "test", "train_err", "test_err")}
    ytr, yte = np.argmax(Y, 1), np.argmax(Y_test, 1)

    sl = [slice(s0, s0 + N) for s0, N in zip(starts, widths)]
    scale = 1.0 / np.sqrt(np.asarray(widths, float))

    def outputs(Xa, W, A):
        H = np.maximum(Xa @ W.T, 0.0)
        return H, np.stack([c * (H[:, s] @ A[s]) for s, c in zip(sl, scale)], 1)  # (n, B, K)

    def record(k, F):
        _, Ft = outputs(X_test, W, A)
        hist["step"].append(k)
        hist["time"].append(k * step_size)
        hist["train"].append(0.5 * np.mean(np.sum((F - Y[:, None]) ** 2, -1), 0))
        hist["test"].append(0.5 * np.mean(np.sum((Ft - Y_test[:, None]) ** 2, -1), 0))
        hist["train_err"].append(np.mean(np.argmax(F, -1) != ytr[:, None], 0))
        hist["test_err"].append(np.mean(np.argmax(Ft, -1) != yte[:, None], 0))

    done = np.zeros(len(widths), bool)
    k_done = np.full(len(widths), steps)
    for k in range(1, steps + 1):
        H, F = outputs(X, W, A)
        R = (F - Y[:, None]) / n  # (n, B, K): gradient of the loss with respect to the outputs
        loss = 0.5 * n * np.sum(R**2, axis=(0, 2))
        new = ~done & (loss < tol)
        k_done[new] = k - 1
        done |= new
        if k in rec or k == 1:
            check_finite_training(step_size, loss, step=k)
        gA = np.empty_like(A)
        D = np.empty_like(H)
        for b, (s, c) in enumerate(zip(sl, scale)):
            gA[s] = c * (H[:, s].T @ R[:, b])
            D[:, s] = c * (R[:, b] @ A[s].T)
        D *= H > 0
        gW = D.T @ X
        A -= step_size * gA
        W -= step_size * gW
        if k in rec:
            record(k, outputs(X, W, A)[1])
    hist = {k: np.asarray(v) for k, v in hist.items()}
    split = np.cumsum(widths)[:-1]
    return TrainResult(history=hist, params={"a": np.split(A, split), "W": np.split(W, split)},
                       info={"widths": widths, "steps_to_tol": k_done, "tol": tol})


def _sweep_task(X, Y, X_test, Y_test, widths, random_labels, steps, step_size, tol, n_train, rng):
    """One seed: draw the training subset (and random labels), train every width, check with f_nn."""
    rng = generator(rng)
    idx = rng.permutation(X.shape[0])
    tr, te = idx[:n_train], idx[n_train:]
    Ytr = Y[tr]
    if random_labels:
        Ytr = np.eye(Y.shape[1])[rng.integers(0, Y.shape[1], n_train)]
    res = _train_stack(X[tr], Ytr, X_test if X_test is not None else X[te],
                       Y_test if Y_test is not None else Y[te], widths, steps=steps, step_size=step_size,
                       tol=tol, rng=rng)
    # the trained blocks evaluated by the book's one network definition, f_nn
    F = np.stack([np.stack([f_nn(X[tr][:64], a[:, c], Wb, "relu", alpha=1 / np.sqrt(len(a)))
                            for c in range(a.shape[1])], 1) for a, Wb in zip(res.a, res.W)], 1)
    H = np.maximum(X[tr][:64] @ np.concatenate(res.W).T, 0.0)
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    alpha = 1.0 / np.sqrt(np.repeat(np.asarray(widths, float), widths))
    G = np.add.reduceat(H[:, :, None] * (alpha[:, None] * np.concatenate(res.a))[None], starts, axis=1)
    res.info["f_nn_gap"] = float(np.max(np.abs(F - G)))
    return res


@dataclass
class WidthSweep:
    """Trained networks over widths and seeds.

    Attributes
    ----------
    widths : ndarray (B,)
    steps : ndarray (R,)
        Recorded steps.
    train, test, train_err, test_err : ndarray (S, R, B)
        Square loss per sample (``train``, ``test``) and misclassification, per seed,
        recorded step and width.
    steps_to_tol : ndarray (S, B)
        First step at which the training loss was below ``tol`` (``steps`` if never).
    tol : float
    f_nn_gap : float
        Largest difference between the trainer's outputs and :func:`models.f_nn`'s.
    """

    widths: np.ndarray
    steps: np.ndarray
    train: np.ndarray
    test: np.ndarray
    train_err: np.ndarray
    test_err: np.ndarray
    steps_to_tol: np.ndarray
    tol: float
    f_nn_gap: float

    @validate_params(key=OneOf("train", "test", "train_err", "test_err"))
    def final(self, key: str) -> np.ndarray:
        """(S, B) values of ``key`` at the last step."""
        return getattr(self, key)[:, -1]

    def converged(self) -> np.ndarray:
        """(S, B) whether the final training loss is below ``tol``."""
        return self.final("train") < self.tol


@validate_params(X=Array(ndim=2, shape=("m", "d")), Y=Array(ndim=2, shape=("m", "K")), widths=Array(ndim=1, ge=1),
                 n_train=Integer(min=1), random_labels=Boolean(), steps=Integer(min=1), step_size=StepSize(),
                 tol=Real(gt=0), base_seed=Seed(), seeds=Integer(min=1), n_jobs=NJobs())
def trained_width_sweep(X: np.ndarray, Y: np.ndarray, widths, *, n_train: int, random_labels: bool, steps: int,
                        step_size: float, tol: float, base_seed: int, seeds: int,
                        n_jobs: int | None = None) -> WidthSweep:
    """Train two-layer networks of every width by full-batch gradient descent, over seeds.

    Each seed draws ``n_train`` training images from ``X`` (the rest are the test set),
    replaces their labels by uniform random classes if ``random_labels`` (the test labels
    stay clean), and trains :func:`models.f_nn` networks of every width in ``widths`` on
    the square loss for ``steps`` steps (see the module docstring).

    Parameters
    ----------
    X : ndarray (m, d)
        Inputs, each on the unit sphere.
    Y : ndarray (m, K)
        One-hot labels.
    widths : array of int
    n_train : int
        Training samples per seed (< m).
    random_labels : bool
    steps : int
    step_size : float
    tol : float
        Training loss below which a network is counted as interpolating (converged).
    base_seed : int
    seeds : int
    n_jobs : int, optional

    Returns
    -------
    WidthSweep
    """
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    if n_train >= X.shape[0]:
        raise ValueError(f"n_train must be smaller than the {X.shape[0]} samples, got {n_train}")
    w = np.asarray(widths)
    if not np.all(w == np.round(w)):
        raise ValueError(f"widths must hold positive integers, got {widths!r}")
    w = [int(v) for v in w]
    kw = {"X": X, "Y": Y, "X_test": None, "Y_test": None, "widths": w, "random_labels": bool(random_labels),
          "steps": int(steps), "step_size": float(step_size), "tol": float(tol), "n_train": int(n_train)}
    runs = sweep.map_tasks(_sweep_task, [kw] * int(seeds), base_seed=base_seed, n_jobs=n_jobs,
                           desc="trained widths")
    stack = {k: np.stack([r.history[k] for r in runs]) for k in ("train", "test", "train_err", "test_err")}
    return WidthSweep(widths=np.asarray(w), steps=runs[0].history["step"], **stack,
                      steps_to_tol=np.stack([r.info["steps_to_tol"] for r in runs]), tol=float(tol),
                      f_nn_gap=max(r.info["f_nn_gap"] for r in runs))




def _mean_sem(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return v.mean(0), standard_error(v, axis=0)


@validate_params(clean=Instance(WidthSweep), noisy=Instance(WidthSweep), n_star=Real(gt=0))
def trained_summary(clean: WidthSweep, noisy: WidthSweep, n_star: float) -> dict:
    """The numbers that decide the trained-network claims, with the rules fixed in advance.

    * fitting noise: at the largest width every random-label run has training loss below
      ``tol`` and zero training error;
    * interpolating without overfitting: at the largest width every clean run has training
      loss below ``tol``, and its test misclassification is below the best mean over the
      widths ``N < n_star`` by ``z > 2.576`` (seeds independent, standard errors added);
    * peak at the threshold: among the widths in ``[n_star / 2, 4 n_star]``, the widths whose
      mean clean test loss is not below the largest one at the 1% level (``z <= 2.576``)
      form the interval ``[lo, hi]``, which should hold ``n_star``; and the test loss at
      the largest width is below that largest one by ``z > 2.576``.  If the largest loss of
      the window is at its first or last width, no peak is resolved inside the window and
      the verdict is ``undecided``.

    Returns
    -------
    dict
        The numbers, the booleans ``noise_fitted``, ``clean_interpolates``,
        ``peak_interior``, and ``noise_verdict``, ``interpolating_verdict``,
        ``peak_verdict`` (agrees / disagrees / undecided).
    """
    N = clean.widths.astype(float)
    out = {"n_star": float(n_star)}
    conv_noise = noisy.converged()[:, -1]
    out["noise_train_err_last"] = float(noisy.final("train_err")[:, -1].max())
    out["noise_train_loss_last"] = float(noisy.final("train")[:, -1].max())
    out["noise_fitted"] = bool(conv_noise.all() and out["noise_train_err_last"] == 0.0)
    out["noise_first_zero_N"] = float(N[np.argmax(np.all(noisy.final("train_err") == 0, 0))]) \
        if np.any(np.all(noisy.final("train_err") == 0, 0)) else float("nan")
    err_m, err_s = _mean_sem(clean.final("test_err"))
    under = N < n_star
    i_best = int(np.argmin(np.where(under, err_m, np.inf)))
    out["clean_train_loss_last"] = float(clean.final("train")[:, -1].max())
    out["clean_interpolates"] = bool(clean.converged()[:, -1].all()
                                     and clean.final("train_err")[:, -1].max() == 0.0)
    out["err_last"], out["err_last_se"] = float(err_m[-1]), float(err_s[-1])
    out["err_best_under"], out["err_best_under_se"] = float(err_m[i_best]), float(err_s[i_best])
    out["err_best_under_N"] = float(N[i_best])
    out["z_gain"] = float((err_m[i_best] - err_m[-1]) / np.hypot(err_s[i_best], err_s[-1]))
    out["noise_test_err_last"] = float(noisy.final("test_err")[:, -1].mean())
    m, s = _mean_sem(clean.final("test"))
    win = (N >= n_star / 2) & (N <= 4 * n_star)
    i_pk = int(np.flatnonzero(win)[np.argmax(m[win])])
    z_to_peak = (m[i_pk] - m) / np.hypot(s[i_pk], s)
    z_to_peak[i_pk] = 0.0
    in_set = win & (z_to_peak <= Z_LEVEL)
    out["peak_N"], out["peak_lo"], out["peak_hi"] = float(N[i_pk]), float(N[in_set].min()), float(N[in_set].max())
    out["peak_loss"], out["peak_loss_se"] = float(m[i_pk]), float(s[i_pk])
    out["loss_last"], out["loss_last_se"] = float(m[-1]), float(s[-1])
    out["z_descent"] = float(z_to_peak[-1])
    edge = i_pk in (int(np.flatnonzero(win)[0]), int(np.flatnonzero(win)[-1]))
    out["peak_interior"] = not edge
    if edge:  # the largest loss of the window sits on its edge: no peak resolved inside it
        out["peak_verdict"] = "undecided"
    else:
        ok = out["peak_lo"] <= n_star <= out["peak_hi"] and out["z_descent"] > Z_LEVEL
        out["peak_verdict"] = "agrees" if ok else "disagrees"
    out["noise_verdict"] = "agrees" if out["noise_fitted"] else "disagrees"
    ok = out["clean_interpolates"] and out["z_gain"] > Z_LEVEL
    out["interpolating_verdict"] = "agrees" if ok else "disagrees"
    mn = noisy.final("test").mean(0)
    out["noise_peak_N"] = float(N[int(np.argmax(mn))])
    return out
