"""Training the networks: one-pass SGD (quadratic and ReLU), the Euler gradient flow, and its closed form.

The closed form of the flow with the constant at its optimum:

For ``f(x) = c + <x, W^T W x>`` the population risk is
``2 ||B - G||_F^2 + e^2`` with ``G = W^T W`` and ``e = b0 + Tr(B - G) - c``.
Keeping ``c`` at its optimum (``e = 0``, the limit of an infinitely fast
constant, ``c_step_factor -> infinity`` in :func:`nn_gradient_flow`) the
gradient flow is ``dW/dt = 8 W (B - W^T W)``, hence

    dG/dt = 8 (G B + B G) - 16 G^2 ,

a matrix Riccati equation.  For invertible ``G`` its inverse ``Y`` solves the
linear equation ``dY/dt = -8 (B Y + Y B) + 16 I``, so with ``E = exp(8 B t)``
and ``F = 16 int_0^t exp(16 B s) ds``

    G(t) = E W0^T (I_N + W0 F W0^T)^{-1} W0 E ,

which by analytic continuation holds for every ``W0`` (also ``N < d``).  With
``Wt = W0 E`` and ``Dt = E^{-1} F E^{-1} = B^{-1} (I - exp(-16 B t))`` (``16 t``
where an eigenvalue of ``B`` is 0) this is ``G = Wt^T (I + Wt Dt Wt^T)^{-1} Wt``,
evaluated in the eigenbasis of ``B``.  For ``N >= d`` the ``Y`` form costs
``O(d^3)`` per time, whatever ``t``.  For ``N < d`` the closed form is applied
as an exact propagator over steps ``h`` with ``8 lambda_max(B) h <= 1`` (for
conditioning, not accuracy): ``W <- L^{-1} W exp(8 B h)`` with
``L L^T = I + W F_h W^T``, ``O(N^2 d + N^3)`` per step.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from .. import config
from .._validate import Array, Integer, OrNone, RNG, Real, StepSize, generator, validate_params
from ..models import check_finite_training
from ..models import TrainResult
from .relu import _SQRT_2PI, relu_network_risk
from .target import (QuadraticTarget, _TARGET_PSD, _sym, _top_space)
from .theory import nn_optimal_risk

__all__ = ["train_nn_sgd", "nn_gradient_flow", "nn_flow_risk"]


def _result(steps, time, risks, overlaps, *, W, c, optimum, a=None) -> TrainResult:
    """The trajectory of :func:`train_nn_sgd`, :func:`_train_relu_nn` or :func:`nn_gradient_flow`.

    ``history``: ``step``, ``time`` (``steps * step_size``, the gradient-flow
    time), ``risk`` (exact normalised population risk of the iterates) and
    ``overlap`` (share of ``||W||_F^2`` in the top-``min(N, d)`` eigenspace of
    ``B``).  ``params``: final ``W``, ``c`` and ``a`` (ReLU network only, else
    None).  ``info["optimum"]``: the NN optimum ``sum_{j > N} lambda_j^2 /
    ||B||_F^2`` of the quadratic model.
    """
    history = {"step": steps, "time": time, "risk": np.asarray(risks), "overlap": np.asarray(overlaps)}
    return TrainResult(history=history, params={"W": W, "c": c, "a": a}, info={"optimum": optimum})


def _sgd_settings(N, steps, step_size, batch_size, record_every) -> tuple[int, int, float, int, int]:
    """The loop sizes and step of a one-pass SGD run, as plain Python numbers."""
    return (int(N), int(steps), float(step_size),
            int(batch_size), int(record_every))


def _nn_risk(B: np.ndarray, b0: float, W: np.ndarray, c: float) -> float:
    """Exact risk of ``f(x) = c + sum_i <w_i, x>^2``, normalised by ``2 ||B||_F^2``.

    ``E[(f_* - f)^2] = 2 ||B - W^T W||_F^2 + (b0 + tr B - c - tr W^T W)^2``.
    """
    B = _sym(B)
    W = np.asarray(W, dtype=float)
    return _nn_risk_raw(B, float(b0), W, float(c))


def _nn_risk_raw(B: np.ndarray, b0: float, W: np.ndarray, c: float) -> float:
    M = B - W.T @ W
    e = b0 + float(np.trace(M)) - c
    return float((2.0 * np.sum(M * M) + e * e) / (2.0 * np.sum(B * B)))


@validate_params(B=_TARGET_PSD, N=Integer(min=1), steps=Integer(min=1, max=10**9), step_size=StepSize(), rng=RNG(),
                 b0=OrNone(Real()), batch_size=Integer(min=1, max=10**6), record_every=Integer(min=1),
                 init_scale=Real(gt=0), W0=OrNone(Array(ndim=2, shape=("N", None))), c0=Real(), c_step_factor=Real(gt=0),
                 anneal=Real(ge=0, lt=1), chunk=Integer(min=1, max=10**7))
def train_nn_sgd(
    B: np.ndarray,
    N: int,
    *,
    steps: int,
    step_size: float,
    rng: np.random.Generator | int,
    b0: float | None = None,
    batch_size: int = 1,
    record_every: int = 100,
    init_scale: float = 1.0,
    W0: np.ndarray | None = None,
    c0: float = 0.0,
    c_step_factor: float = 1.0,
    anneal: float = 0.0,
    chunk: int = 4096,
) -> TrainResult:
    """One-pass SGD on ``f(x; W, c) = sum_i <w_i, x>^2 + c`` with fresh samples.

    Each step draws ``batch_size`` new points ``x_k ~ N(0, I_d)`` and moves
    ``(W, c) <- (W, c) - eps * grad (f_*(x_k) - f(x_k; W, c))^2`` (averaged over
    the batch), i.e. ``W += 4 eps r (W x) x^T`` and ``c += 2 eps r`` with
    residual ``r = f_*(x) - f(x)``.  No sample is reused.

    Parameters
    ----------
    B : ndarray of shape (d, d) or QuadraticTarget
        Symmetric PSD target matrix.
    N : int
        Width.
    steps : int
        Number of SGD steps ``l``.
    step_size : float
        ``eps`` (> 0).  Stability needs roughly ``eps |r| d << 1``.
    rng : numpy.random.Generator or int
        Draws the initialisation and every sample.
    b0 : float, optional
        Target intercept; default ``-tr B`` (taken from a QuadraticTarget when
        one is passed).
    batch_size : int
        Fresh samples per step (1 = the slide's one-pass SGD).
    record_every : int
        Record the exact population risk every this many steps.
    init_scale : float
        ``w_i ~ N(0, init_scale^2 I_d / d)`` at initialisation.
    W0, c0 : optional
        Explicit initialisation (overrides ``init_scale``).
    c_step_factor : float
        The constant moves with step ``c_step_factor * eps`` (default 1, the
        slide's plain SGD).  With one shared step the direction that trades
        ``c`` against ``tr W^T W`` relaxes slowly; a factor of order ``d``
        removes that slow mode without changing the fixed points.
    anneal : float in [0, 1)
        Share of the final steps over which the step size decays linearly
        from ``eps`` to 0 (0 = constant step, the slide's algorithm).  The
        recorded ``time`` is then the sum of the steps taken.
    chunk : int
        Samples drawn per vectorised block (memory/speed only).

    Returns
    -------
    TrainResult
        Trajectory of the exact risk (:func:`_nn_risk`) and of the overlap with
        the top-``N`` eigenspace, the final ``W`` and ``c``.
    """
    if isinstance(B, QuadraticTarget):
        b0 = B.b0 if b0 is None else b0
        B = B.B
    B = _sym(B)
    d = B.shape[0]
    N, steps, eps, batch_size, record_every = _sgd_settings(N, steps, step_size, batch_size, record_every)
    chunk = int(chunk)
    rng = generator(rng)
    b0 = -float(np.trace(B)) if b0 is None else float(b0)
    c0 = float(c0)
    if W0 is None:
        W = float(init_scale) * rng.standard_normal((N, d)) / np.sqrt(d)
    else:
        W = np.asarray(W0, dtype=float).copy()
        if W.shape[0] != N:
            raise ValueError(f"W0 must have N = {N} rows, got {W.shape[0]}")
    c = float(c0)
    kc = float(c_step_factor)
    anneal = float(anneal)
    if not 0.0 <= anneal < 1.0:
        raise ValueError(f"anneal must lie in [0, 1), got {anneal!r}")
    k_decay = steps - int(round(anneal * steps))
    sched = np.full(steps, eps)
    if k_decay < steps:
        sched[k_decay:] = eps * (1.0 - (np.arange(k_decay, steps) - k_decay + 1) / (steps - k_decay + 1))
    clock = np.concatenate([[0.0], np.cumsum(sched)])
    U = _top_space(B, N)
    opt = nn_optimal_risk(B, N)
    # a diagonal B (the target in its eigenbasis) costs O(d) per sample instead of O(d^2)
    lam = np.diagonal(B).copy() if np.count_nonzero(B - np.diag(np.diagonal(B))) == 0 else None

    rec_steps, risks, overlaps = [], [], []

    def record(k):
        rec_steps.append(k)
        risks.append(_nn_risk_raw(B, b0, W, c))
        tot = float(np.sum(W * W))
        overlaps.append(float(np.sum((W @ U) ** 2)) / tot if tot > 0 else 0.0)

    record(0)
    k = 0
    per_chunk = max(1, chunk // batch_size)
    show = config.progress_enabled() and steps >= 200_000
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="sgd")
    err = np.errstate(over="ignore", invalid="ignore")
    err.__enter__()
    while k < steps:
        n_steps = min(per_chunk, steps - k)
        X = rng.standard_normal((n_steps * batch_size, d))
        fstar = b0 + ((X * X) @ lam if lam is not None else np.einsum("nd,nd->n", X @ B, X))
        if batch_size == 1:
            for j in range(n_steps):
                x = X[j]
                u = W @ x
                r = fstar[j] - (u @ u + c)
                ek = sched[k]
                W += (4.0 * ek * r) * np.outer(u, x)
                c += 2.0 * kc * ek * r
                k += 1
                if k % record_every == 0 or k == steps:
                    record(k)
        else:
            for j in range(n_steps):
                Xb = X[j * batch_size:(j + 1) * batch_size]
                Ub = Xb @ W.T
                r = fstar[j * batch_size:(j + 1) * batch_size] - (np.einsum("bn,bn->b", Ub, Ub) + c)
                ek = sched[k]
                W += (4.0 * ek / batch_size) * (Ub * r[:, None]).T @ Xb
                c += 2.0 * kc * ek * float(np.mean(r))
                k += 1
                if k % record_every == 0 or k == steps:
                    record(k)
        if bar is not None:
            bar.update(n_steps)
        if not (np.all(np.isfinite(W)) and np.isfinite(c)):
            err.__exit__(None, None, None)
            check_finite_training(eps, W, c, step=k)
    err.__exit__(None, None, None)
    if bar is not None:
        bar.close()
    s = np.asarray(rec_steps)
    return _result(s, clock[s], risks, overlaps, W=W, c=c, optimum=opt)


def _train_relu_nn(
    target: QuadraticTarget,
    N: int,
    *,
    steps: int,
    step_size: float,
    rng: np.random.Generator | int,
    batch_size: int = 64,
    anneal: float = 0.5,
    record_every: int = 250,
) -> TrainResult:
    """Train ``f(x) = c + sum_i a_i max(<w_i, x>, 0)`` by one-pass mini-batch SGD on fresh samples.

    The network is parametrised with centred features,
    ``f(x) = c' + sum_i a_i (max(<w_i, x>, 0) - m_i)`` with
    ``m_i = ||w_i|| / sqrt(2 pi) = E max(<w_i, x>, 0)``: the same function class
    (``c = c' - a^T m``), but the constant no longer couples to the mean of
    the features, which is what limits the stable step size of plain SGD at
    large ``N``.  Every step draws ``batch_size`` new points ``x ~ N(0, I_d)``
    and moves ``(W, a, c')`` by ``-step_size`` times the gradient of the mean
    squared error against the standardised target ``(f_* - E f_*) / sd(f_*)``;
    the step is constant for the first ``1 - anneal`` of the steps, then
    decays linearly to 0.  The returned network is mapped back to the
    original scale, and the recorded risk is exact (:func:`relu_network_risk`).

    Parameters
    ----------
    target : QuadraticTarget
    N : int
        Width.
    steps : int
        SGD steps.
    step_size : float
        Initial step (> 0), shared by ``W``, ``a`` and ``c'``.
    rng : numpy.random.Generator or int
        Draws the initialisation (``w_i ~ N(0, I_d / d)``, ``a_i ~ N(0, 1 / N)``) and every sample.
    batch_size : int
        Fresh samples per step.
    anneal : float in [0, 1)
        Share of the final steps over which the step decays to 0.
    record_every : int
        Steps between two risk evaluations.

    Returns
    -------
    TrainResult
        ``W``, ``a`` and ``c`` in the original scale; ``time`` holds the step counts.

    Raises
    ------
    DivergenceError
        If the iterates stop being finite (a ``ValueError`` and ``FloatingPointError`` naming ``step_size``).
    """
    if not isinstance(target, QuadraticTarget):
        raise ValueError("target must be a QuadraticTarget (from quadratic_target)")
    B, b0 = target.B, target.b0
    d = B.shape[0]
    N, steps, eps, batch_size, record_every = _sgd_settings(N, steps, step_size, batch_size, record_every)
    anneal = float(anneal)
    if not 0.0 <= anneal < 1.0:
        raise ValueError(f"anneal must lie in [0, 1), got {anneal!r}")
    rng = generator(rng)
    mu = b0 + float(np.trace(B))
    sd = float(np.sqrt(2.0 * np.sum(B * B)))
    trB = float(np.trace(B))
    W = rng.standard_normal((N, d)) / np.sqrt(d)
    a = rng.standard_normal(N) / np.sqrt(N)
    c = 0.0
    k_decay = steps - int(round(anneal * steps))
    U = _top_space(B, N)
    rec_steps, risks, overlaps = [], [], []

    def original(W, a, c):
        return sd * a, mu + sd * (c - float(a @ np.linalg.norm(W, axis=1)) / _SQRT_2PI)

    def record(k):
        a_o, c_o = original(W, a, c)
        rec_steps.append(k)
        risks.append(relu_network_risk(B, b0, W, a_o, c_o))
        overlaps.append(float(np.sum((W @ U) ** 2) / np.sum(W * W)))

    record(0)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            step = eps if k <= k_decay else eps * (1.0 - (k - k_decay) / (steps - k_decay + 1))
            X = rng.standard_normal((batch_size, d))
            y = (np.einsum("nd,nd->n", X @ B, X) - trB) / sd
            Z = X @ W.T
            norms = np.linalg.norm(W, axis=1)
            H = np.maximum(Z, 0.0) - norms / _SQRT_2PI
            r = (c + H @ a) - y  # residual f - y
            rbar = float(np.mean(r))
            g_a = (2.0 / batch_size) * (H.T @ r)
            g_W = ((2.0 / batch_size) * (((Z > 0) * r[:, None]) * a[None, :]).T @ X
                   - (2.0 * rbar / _SQRT_2PI) * (a / norms)[:, None] * W)
            a -= step * g_a
            W -= step * g_W
            c -= step * 2.0 * rbar
            if k % record_every == 0 or k == steps:
                check_finite_training(eps, W, a, c, step=k)
                record(k)
    s = np.asarray(rec_steps)
    a_o, c_o = original(W, a, c)
    return _result(s, s.astype(float), risks, overlaps, W=W, c=c_o, optimum=nn_optimal_risk(B, N), a=a_o)


@validate_params(B=_TARGET_PSD, W0=Array(ndim=2), t_max=Real(gt=0), b0=OrNone(Real()), c0=Real(), c_step_factor=Real(gt=0),
                 dt=OrNone(Real(gt=0)), n_record=Integer(min=1, max=10**6), max_steps=Integer(min=1, max=10**9))
def nn_gradient_flow(
    B: np.ndarray,
    W0: np.ndarray,
    *,
    t_max: float,
    b0: float | None = None,
    c0: float = 0.0,
    c_step_factor: float = 1.0,
    dt: float | None = None,
    n_record: int = 100,
    max_steps: int = 2_000_000,
) -> TrainResult:
    """Population gradient flow of ``R(W, c)``: the ``eps -> 0`` limit of :func:`train_nn_sgd`.

    Integrates ``dW/dt = 8 W M + 4 e W``, ``dc/dt = 2 c_step_factor e`` with
    ``M = B - W^T W`` and ``e = b0 + tr M - c`` (the expected SGD drift per unit
    of ``t = l eps``) by explicit Euler steps of size ``dt``.

    Parameters
    ----------
    B : ndarray of shape (d, d) or QuadraticTarget
    W0 : ndarray of shape (N, d)
        Initial first layer (use the same one as the SGD run to compare).
    t_max : float
        Final time.
    b0, c0, c_step_factor
        As in :func:`train_nn_sgd`.
    dt : float, optional
        Euler step; default ``0.1 / (8 (tr B + ||W0||_F^2) + 4 c_step_factor)``,
        well inside the stability limit of the stiffest (trace) mode.
    n_record : int
        Number of recorded points after ``t = 0``.
    max_steps : int
        Largest number of Euler steps; a longer ``t_max / dt`` raises ``ValueError``.

    Raises
    ------
    FloatingPointError
        If the iterates stop being finite (``dt`` beyond the stability limit).
    """
    if isinstance(B, QuadraticTarget):
        b0 = B.b0 if b0 is None else b0
        B = B.B
    B = _sym(B)
    d = B.shape[0]
    W = np.asarray(W0, dtype=float).copy()
    N = W.shape[0]
    t_max = float(t_max)
    n_record = int(n_record)
    max_steps = int(max_steps)
    kc = float(c_step_factor)
    b0 = -float(np.trace(B)) if b0 is None else float(b0)
    c0 = float(c0)
    if dt is None:
        dt = 0.1 / (8.0 * (float(np.trace(B)) + float(np.sum(W * W))) + 4.0 * kc)
    dt = float(dt)
    if t_max / dt > max_steps:
        raise ValueError(f"t_max / dt = {t_max:g} / {dt:g} needs more than max_steps = {max_steps} Euler steps; "
                         "reduce t_max or raise max_steps (nn_flow_risk gives the flow with an optimal constant "
                         "at any t in closed form)")
    n_steps = int(np.ceil(t_max / dt))
    rec = set(np.unique(np.rint(np.linspace(0, n_steps, n_record + 1)).astype(int)).tolist())
    U = _top_space(B, N)
    c = float(c0)
    steps, risks, overlaps = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(n_steps + 1):
            if k in rec:
                steps.append(k)
                risks.append(_nn_risk_raw(B, b0, W, c))
                overlaps.append(float(np.sum((W @ U) ** 2) / np.sum(W * W)))
            if k == n_steps:
                break
            M = B - W.T @ W
            e = b0 + float(np.trace(M)) - c
            W = W + dt * (8.0 * (W @ M) + 4.0 * e * W)
            c = c + dt * 2.0 * kc * e
            if not (np.isfinite(c) and np.all(np.isfinite(W))):
                raise FloatingPointError(f"gradient flow diverged at step {k + 1}: Euler step dt = {dt:g} is "
                                         "beyond the stability limit; reduce dt (or leave it at its default)")
    s = np.asarray(steps)
    return _result(s, s * dt, risks, overlaps, W=W, c=c, optimum=nn_optimal_risk(B, N))


@validate_params(B=_TARGET_PSD, W0=Array(ndim=2), times=Real(ge=0, array=True))
def nn_flow_risk(B, W0: np.ndarray, times) -> np.ndarray:
    """Exact risk of the quadratic network along the population gradient flow (constant at its optimum).

    Parameters
    ----------
    B : ndarray of shape (d, d) or QuadraticTarget
        Symmetric PSD target matrix.
    W0 : ndarray of shape (N, d)
        Initial first layer.
    times : float or array_like
        Times ``t >= 0``.

    Returns
    -------
    float or ndarray (shape of ``times``)
        ``||B - G(t)||_F^2 / ||B||_F^2``, the risk normalised by ``Var f_*``.
    """
    if isinstance(B, QuadraticTarget):
        B = B.B
    B = _sym(B)
    W0 = np.asarray(W0, dtype=float)
    t = np.asarray(times, dtype=float)
    lam, U = np.linalg.eigh(B)
    lam = np.clip(lam, 0.0, None)
    V = W0[np.any(W0 != 0.0, axis=1)] @ U       # eigenbasis of B; zero rows stay zero along the flow
    norm_b = float(np.sum(lam**2))
    order = np.argsort(t, axis=None)
    flat = t.reshape(-1)
    out = np.empty(flat.shape)
    if len(V) == 0:
        out[:] = 1.0
        return out.reshape(t.shape) if t.ndim else float(out[0])

    def risk(G):
        R = np.diag(lam) - G
        return float(np.sum(R * R)) / norm_b

    def dtilde(h):
        safe = np.where(lam > 0, lam, 1.0)
        return np.where(lam > 0, -np.expm1(-16.0 * lam * h) / safe, 16.0 * h)

    if V.shape[0] >= V.shape[1] and np.linalg.matrix_rank(V) == V.shape[1]:
        # invertible G: Y = G^{-1} solves a linear equation, Y(t) = e^{-8Bt} Y0 e^{-8Bt} + Dt
        Y0 = np.linalg.inv(V.T @ V)
        for j in order:
            e = np.exp(-8.0 * lam * flat[j])
            Y = e[:, None] * Y0 * e[None, :] + np.diag(dtilde(flat[j]))
            out[j] = risk(np.linalg.inv(0.5 * (Y + Y.T)))
    else:
        # exact propagator over steps h with 8 lambda_max h <= 1: W <- L^{-1} W e^{8Bh}, L L^T = I + W F_h W^T
        h_max = np.inf if lam[-1] == 0 else 1.0 / (8.0 * lam[-1])
        now = 0.0
        for j in order:
            while now < flat[j]:
                h = min(h_max, flat[j] - now)
                F = np.exp(16.0 * lam * h) * dtilde(h)
                L = np.linalg.cholesky(np.eye(len(V)) + (V * F) @ V.T)
                V = sla.solve_triangular(L, V * np.exp(8.0 * lam * h)[None, :], lower=True, check_finite=False)
                now += h
            out[j] = risk(V.T @ V)
    return out.reshape(t.shape) if t.ndim else float(out[0])
