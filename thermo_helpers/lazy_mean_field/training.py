"""Training the network (and its linearisation) by gradient descent or SGD.

See :mod:`thermo_helpers.lazy_mean_field.network` for the scaling of the step: the per-parameter
step is ``step_size / (N alpha^2)``, and training time is ``steps * step_size``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .._validate import Array, Boolean, DivergenceError, Integer, InvalidParameterError, ListOf, OneOf, OrNone, RNG, Real, StepSize, check_size, generator, validate_params
from ..activations import ActivationLike, ActivationSpec
from ..models import TrainResult
from .network import PRESETS, _act, _gd_step, init_params, linearise, network, scaling, _tangent_kernel

__all__ = ["train", "DivergenceError"]


def _check_finite(step_size: float, step: int, loss: float, *arrays: np.ndarray) -> None:
    if np.isfinite(loss) and all(np.all(np.isfinite(v)) for v in arrays):
        return
    raise DivergenceError(f"step_size = {step_size:g} is too large: the loss or the parameters became "
                          f"non-finite at step {step}; lower step_size")


def _rel_move(a, W, a0, W0, norm0):
    return float(np.sqrt(np.sum((a - a0) ** 2) + np.sum((W - W0) ** 2)) / norm0)


@validate_params(
    X=Array(ndim=2, shape=("n", "d")), y=Array(ndim=1, shape=("n",)), N=Integer(min=1), preset=OneOf(*PRESETS),
    alpha=OrNone(Real(gt=0)), activation=ActivationSpec(), step_size=StepSize(), steps=Integer(min=1), rng=RNG(),
    batch_size=OrNone(Integer(min=1)), X_test=OrNone(Array(ndim=2, shape=("m", "d"))),
    y_test=OrNone(Array(ndim=1, shape=("m",))), X_probe=OrNone(Array(ndim=2, shape=("p", "d"))),
    record_every=Integer(min=1), record_steps=OrNone(ListOf(Integer())), linearised=Boolean(),
    snapshot_steps=ListOf(Integer()), a_scale=Real(gt=0), symmetric=Boolean(),
    init=OrNone(ListOf(Array(), min_len=2)),
)
def train(
    X: np.ndarray,
    y: np.ndarray,
    *,
    N: int,
    preset: str = "lazy",
    alpha: float | None = None,
    activation: ActivationLike = "relu",
    step_size: float = 0.1,
    steps: int = 1000,
    rng=None,
    batch_size: int | None = None,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    X_probe: np.ndarray | None = None,
    record_every: int = 10,
    record_steps: Sequence[int] | None = None,
    linearised: bool = False,
    snapshot_steps: Sequence[int] = (),
    a_scale: float = 1.0,
    symmetric: bool = True,
    init: tuple[np.ndarray, np.ndarray] | None = None,
) -> TrainResult:
    """Train the network (and optionally its linearisation) by GD or SGD.

    Parameters
    ----------
    X, y : ndarray
        Training inputs (n, d) and targets (n,).
    N : int
        Width (>= 1).
    preset, alpha : see :func:`scaling`.
    activation : str, Activation or callable
        Any activation accepted by :func:`thermo_helpers.activations.get_activation`.
    step_size : float
        N-independent time step (> 0); the per-parameter step is
        ``step_size / (N alpha^2)`` (module notes).  Training time is ``steps * step_size``.
    steps : int
        Number of (S)GD steps (>= 1).
    rng : Generator or int
        Draws the initialisation (unless ``init`` is given) and the minibatches.
    batch_size : int, optional
        Minibatch size for SGD (sampled without replacement each step);
        ``None`` means full-batch GD.
    X_test, y_test : ndarray, optional
        Held-out points for the test error and the network-vs-linearisation gap.
    X_probe : ndarray, optional
        Small probe set for the tangent-kernel change (kept small: an N-sum of
        P x P Gram matrices is computed at every record).
    record_every : int
        Record every this many steps (and at step 0 and the last step).
    record_steps : sequence of int, optional
        Explicit record steps (overrides ``record_every``); at least one must
        lie in ``[0, steps]``.
    linearised : bool
        Also train the linearisation around the initialisation.
    snapshot_steps : sequence of int
        Steps at which to store a copy of the particles ``(a, W)``.
    a_scale, symmetric : see :func:`init_params`.
    init : (a0, W0), optional
        Start from these parameters instead of drawing them.

    Returns
    -------
    TrainResult
        ``params``: ``a0``, ``W0`` (initial), ``a``, ``W`` (final) and
        ``a_lin``, ``W_lin`` (final linearised model, ``None`` if not
        trained); ``info["scaling"]``: the :class:`Scaling`; ``snapshots``:
        copies ``(a, W)`` at the requested steps.  ``history`` has one entry
        per recorded step: ``step``, ``time`` (= step * step_size), ``train`` and
        ``test`` (square errors ``mean (y - f)^2``), ``train_lin``,
        ``test_lin``, ``rel_move`` (||theta_t - theta_0|| / ||theta_0||),
        ``rel_move_lin``, ``lin_dist`` (RMS of f - f_lin on the test points),
        ``kernel_change`` (||K_t - K_0||_F / ||K_0||_F on the probe points).
        Missing pieces are NaN.
    """
    sc = scaling(N, preset, alpha)
    act = _act(activation)
    step_size = float(step_size)
    steps = int(steps)
    record_every = int(record_every)
    rng = generator(rng)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    n_records = len(record_steps) if record_steps is not None else steps // record_every + 2
    check_size("train records (steps / record_every)", n_records)
    check_size("train snapshots (snapshot_steps x N x d)", len(snapshot_steps) * N * (d + 1))
    check_size("train pre-activations (n x N)", n * N)
    if batch_size is not None:
        batch_size = int(batch_size)
        if batch_size > n:
            raise ValueError(f"batch_size must be <= n = {n}, got {batch_size}")
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together")
    X_test = None if X_test is None else np.asarray(X_test, dtype=float)
    y_test = None if y_test is None else np.asarray(y_test, dtype=float)
    X_probe = None if X_probe is None else np.asarray(X_probe, dtype=float)
    if init is None:
        a0, W0 = init_params(sc.N, d, rng, a_scale=a_scale, symmetric=symmetric)
    else:
        if len(init) != 2:
            raise InvalidParameterError(f"init must be the pair (a0, W0), got {len(init)} items")
        a0, W0 = (np.array(v, dtype=float) for v in init)
        if a0.shape != (sc.N,) or W0.shape != (sc.N, d):
            raise ValueError(f"init must have shapes ({sc.N},) and ({sc.N}, {d})")
    a, W = a0.copy(), W0.copy()
    gamma = step_size * sc.step_factor
    lin = linearise(a0, W0, sc.alpha, act) if linearised else None
    al, Wl = (a0.copy(), W0.copy()) if linearised else (None, None)
    feats_train = lin.features(X) if (linearised and batch_size is None) else None
    feats_test = lin.features(X_test) if (linearised and X_test is not None) else None
    norm0 = float(np.sqrt(np.sum(a0**2) + np.sum(W0**2)))
    K0 = _tangent_kernel(X_probe, a0, W0, act) if X_probe is not None else None
    if record_steps is None:
        rec = set(range(0, steps + 1, record_every)) | {steps}
    else:
        rec = {int(s) for s in record_steps if 0 <= int(s) <= steps}
        if not rec:
            raise ValueError(f"record_steps must contain at least one step in [0, {steps}], "
                             f"got {list(record_steps)!r}")
    snaps_wanted = {int(s) for s in snapshot_steps}
    keys = ("step", "time", "train", "test", "train_lin", "test_lin", "rel_move",
            "rel_move_lin", "lin_dist", "kernel_change")
    hist: dict[str, list] = {k: [] for k in keys}
    snapshots: dict[int, tuple] = {}
    nan = float("nan")

    def record(t):
        f_tr = network(X, a, W, sc.alpha, act)
        row = {"step": t, "time": t * step_size, "train": float(np.mean((y - f_tr) ** 2)),
               "rel_move": _rel_move(a, W, a0, W0, norm0)}
        if X_test is not None:
            f_te = network(X_test, a, W, sc.alpha, act)
            row["test"] = float(np.mean((y_test - f_te) ** 2))
        if linearised:
            fl_tr = lin.predict(X, al, Wl, feats_train)
            row["train_lin"] = float(np.mean((y - fl_tr) ** 2))
            row["rel_move_lin"] = _rel_move(al, Wl, a0, W0, norm0)
            if X_test is not None:
                fl_te = lin.predict(X_test, al, Wl, feats_test)
                row["test_lin"] = float(np.mean((y_test - fl_te) ** 2))
                row["lin_dist"] = float(np.sqrt(np.mean((f_te - fl_te) ** 2)))
        if K0 is not None:
            K = _tangent_kernel(X_probe, a, W, act)
            row["kernel_change"] = float(np.linalg.norm(K - K0) / np.linalg.norm(K0))
        for k in keys:
            hist[k].append(row.get(k, nan))

    for t in range(steps + 1):
        if t in rec:
            record(t)
        if t in snaps_wanted:
            snapshots[t] = (a.copy(), W.copy())
        if t == steps:
            break
        if batch_size is None:
            Xb, yb, fb = X, y, feats_train
        else:
            idx = rng.choice(n, size=batch_size, replace=False)
            Xb, yb, fb = X[idx], y[idx], None
        loss = _gd_step(Xb, yb, a, W, sc, step_size, act)
        if linearised:
            loss_lin, ga, gW = lin.loss_and_grad(Xb, yb, al, Wl, fb)
            al -= gamma * ga
            Wl -= gamma * gW
            loss += loss_lin
        _check_finite(step_size, t, loss, a, W, *((al, Wl) if linearised else ()))

    history = {k: np.asarray(v, dtype=float) for k, v in hist.items()}
    history["step"] = history["step"].astype(int)
    return TrainResult(history=history, params={"a0": a0, "W0": W0, "a": a, "W": W, "a_lin": al, "W_lin": Wl},
                       info={"scaling": sc}, snapshots=snapshots)
