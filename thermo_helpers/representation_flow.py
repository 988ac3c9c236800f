"""Closed-form population gradient flow of the quadratic network, with the constant at its optimum.

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

from ._validate import count_from_ratio, positive
from .representation import QuadraticTarget, _check_sym, _check_W, nn_optimal_risk, sample_weights

__all__ = ["nn_flow_risk", "nn_flow_task"]


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
    B = _check_sym("B", B, psd=True)
    W0 = _check_W(W0, B.shape[0])
    t = positive("times", times, allow_zero=True)
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


def nn_flow_task(psi1: float, B, *, rng: np.random.Generator | int, t: float) -> dict:
    """The flow's risk at time ``t`` from ``W0 ~ N(0, I_d / d)`` of width ``round(psi1 d)``, and the infimum.

    A task for :func:`thermo_helpers.sweep.run_sweep`; returns ``{"flow": ..., "optimum": ...}``.
    """
    if isinstance(B, QuadraticTarget):
        B = B.B
    B = _check_sym("B", B, psd=True)
    d = B.shape[0]
    N = count_from_ratio("psi1", psi1, d)
    W0 = sample_weights(N, d, rng=rng)
    return {"flow": nn_flow_risk(B, W0, float(positive("t", t, allow_zero=True))), "optimum": nn_optimal_risk(B, N)}
