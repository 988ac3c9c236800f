"""Exact ReLU risks: the RF arc-cosine kernel, the matrix-free NT solve, a network's risk.

Exact ReLU neural-tangent risk without forming the ``(N d) x (N d)`` Gram matrix.

The NT model with ReLU is ``c + sum_i 1{<w_i, x> > 0} <a_i, x>`` with
``a_i in R^d``: ``N d`` features ``phi_{i,k}(x) = 1{<w_i, x> > 0} x_k``.  With a
free constant its best population risk is ``Var f_* - q^T C^+ q`` where ``C`` is
the covariance of the features and ``q`` their covariance with ``f_*``.

For unit vectors ``a_i, a_j`` at angle ``t_ij`` (``rho_ij = cos t_ij``) and
``x ~ N(0, I_d)`` the ``(i, j)`` block of ``C`` is

    C_ij = alpha_ij I + beta_ij (a_i a_j^T + a_j a_i^T - rho_ij (a_i a_i^T + a_j a_j^T))
           - a_i a_j^T / (2 pi),

with ``alpha_ij = (pi - t_ij) / (2 pi)`` and ``beta_ij = 1 / (2 pi sin t_ij)``
(``beta_ii = 0``): ``alpha_ij (I - P_ij)`` plus a block acting on
``span(a_i, a_j)``.  A product ``C V`` with ``V`` of shape ``(N, d)`` is
therefore a handful of ``N x N`` by ``N x d`` products, ``O(N^2 d)``, and the
system ``C X = Q`` is solved by conjugate gradients preconditioned by the
``alpha (x) I_d`` part (one Cholesky factor of the ``N x N`` matrix ``alpha``,
the degree-0 arc-cosine kernel).

The solve is certified: after the iteration the true residual
``||Q - C X||_F / ||Q||_F`` is recomputed and must be ``<= rtol``; otherwise
:class:`ConvergenceError` is raised.  :func:`relu_nt_risk` with
``method="dense"`` builds ``C`` explicitly (small sizes only) and is the
reference the matrix-free solve is tested against.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.linalg as sla

from .._validate import Array, Integer, OneOf, Real, check_size, validate_params
from ..features import relu_arccos_kernel
from .target import (_B, _W, _psd_solve_quadform, _sym)

__all__ = ["relu_rf_moments", "relu_network_risk", "ConvergenceError", "NTSolve", "relu_nt_solve", "relu_nt_risk"]

_TWO_PI = 2.0 * np.pi
_SQRT_2PI = float(np.sqrt(_TWO_PI))

RELU_NT_DENSE_MAX_FEATURES = 16_000
"""Largest ``N d`` accepted by ``method="dense"`` (its Gram matrix takes ``8 (N d)^2`` bytes)."""


def _relu_geometry(W: np.ndarray):
    norms = np.linalg.norm(W, axis=1)
    if np.any(norms <= 0):
        raise ValueError("W must not have zero rows")
    A = W / norms[:, None]
    rho = np.clip(A @ A.T, -1.0, 1.0)
    np.fill_diagonal(rho, 1.0)
    theta = np.arccos(rho)
    return norms, A, rho, theta


@validate_params(B=_B, W=_W)
def relu_rf_moments(B: np.ndarray, W: np.ndarray):
    """Gaussian moments of ReLU features ``phi_i(x) = max(<w_i, x>, 0)``.

    Returns ``(C, q, m)``: the covariance ``C_ij = Cov(phi_i, phi_j)`` (from the
    degree-1 arc-cosine kernel ``|w_i||w_j| (sin t + (pi - t) cos t) / (2 pi)``),
    ``q_i = Cov(<x, B x>, phi_i) = w_i^T B w_i / (|w_i| sqrt(2 pi))`` and the
    means ``m_i = |w_i| / sqrt(2 pi)``.
    """
    norms = np.linalg.norm(W, axis=1)
    if np.any(norms <= 0):
        raise ValueError("W must not have zero rows")
    K = W.shape[1] * relu_arccos_kernel(W, W)  # E_x relu(<w_i, x>) relu(<w_j, x>), x ~ N(0, I_d)
    m = norms / _SQRT_2PI
    C = K - np.outer(m, m)
    q = np.einsum("nd,nd->n", W @ B, W) / (norms * _SQRT_2PI)
    return C, q, m


def _relu_rf_risk(B: np.ndarray, W: np.ndarray) -> float:
    C, q, _ = relu_rf_moments(B, W)
    var = 2.0 * float(np.sum(B * B))
    _, explained = _psd_solve_quadform(C, q)
    return max(var - explained, 0.0) / var


@validate_params(B=_B, b0=Real(), W=_W, a=Array(ndim=1, shape=("N",)), c=Real())
def relu_network_risk(B: np.ndarray, b0: float, W: np.ndarray, a: np.ndarray, c: float) -> float:
    """Exact population risk of ``f(x) = c + sum_i a_i max(<w_i, x>, 0)``, normalised by ``2 ||B||_F^2``.

    ``E[(f_* - f)^2] = 2||B||_F^2 - 2 a^T q + a^T C a + (b0 + tr B - c - a^T m)^2``
    with ``(C, q, m)`` from :func:`relu_rf_moments`.
    """
    B = _sym(B)
    W = np.asarray(W, dtype=float)
    b0 = float(b0)
    c = float(c)
    a = np.asarray(a, dtype=float)
    if a.shape != (W.shape[0],):
        raise ValueError(f"a must have shape ({W.shape[0]},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("a must be finite")
    C, q, m = relu_rf_moments(B, W)
    var = 2.0 * float(np.sum(B * B))
    mean_gap = b0 + float(np.trace(B)) - c - float(a @ m)
    return float(var - 2.0 * a @ q + a @ C @ a + mean_gap**2) / var


# --------------------------------------------------------------------------- NT, matrix-free
class ConvergenceError(RuntimeError):
    """The conjugate-gradient solve did not reach the requested residual."""


class NTSolve(NamedTuple):
    """Result of :func:`relu_nt_solve`.

    Attributes
    ----------
    risk : float
        Minimal population risk normalised by ``Var f_* = 2 ||B||_F^2``.
    coefficients : ndarray of shape (N, d)
        The NT coefficients ``a_i`` (rows) of the optimum.
    iterations : int
        Conjugate-gradient iterations (0 for the dense solve).
    residual : float
        Certified relative residual ``||Q - C X||_F / ||Q||_F`` of the returned solution.
    """

    risk: float
    coefficients: np.ndarray
    iterations: int
    residual: float


class _Geometry(NamedTuple):
    A: np.ndarray       # unit rows a_i, shape (N, d)
    rho: np.ndarray     # cosines, (N, N)
    alpha: np.ndarray   # (pi - t) / (2 pi)
    beta: np.ndarray    # 1 / (2 pi sin t), 0 on the diagonal and for (anti)parallel pairs
    brho: np.ndarray    # beta * rho


def _geometry(W: np.ndarray) -> _Geometry:
    _, A, rho, theta = _relu_geometry(W)
    s = np.sin(theta)
    beta = np.zeros_like(s)
    off = s > 1e-12
    beta[off] = 1.0 / (_TWO_PI * s[off])
    alpha = (np.pi - theta) / _TWO_PI
    return _Geometry(A, rho, alpha, beta, beta * rho)


def _rhs(B: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``q_i = Cov(<x, B x>, 1{a_i.x > 0} x) = (2 B a_i - (a_i^T B a_i) a_i) / sqrt(2 pi)``, shape (N, d)."""
    BA = A @ B
    return (2.0 * BA - np.einsum("nd,nd->n", BA, A)[:, None] * A) / _SQRT_2PI


def _matvec(g: _Geometry, V: np.ndarray) -> np.ndarray:
    """``C V`` for ``V`` of shape (N, d), in ``O(N^2 d)``."""
    A = g.A
    p = np.einsum("nd,nd->n", A, V)          # a_j . v_j
    S = A @ V.T                              # S_ij = a_i . v_j
    out = g.alpha @ V
    # terms along a_i: beta_ij a_i (a_j.v_j) - beta_ij rho_ij a_i (a_i.v_j) - a_i (a_j.v_j) / (2 pi)
    along_i = g.beta @ p - np.einsum("ij,ij->i", g.brho, S) - p.sum() / _TWO_PI
    out += A * along_i[:, None]
    # terms along a_j: beta_ij a_j (a_i.v_j) - beta_ij rho_ij a_j (a_j.v_j)
    out += (g.beta * S - g.brho * p[None, :]) @ A
    return out


def _dense_gram(g: _Geometry) -> np.ndarray:
    A = g.A
    N, d = A.shape
    C = np.zeros((N, d, N, d))
    idx = np.arange(d)
    C[:, idx, :, idx] = g.alpha[None, :, :]
    C += np.einsum("ij,ik,jl->ikjl", g.beta - 1.0 / _TWO_PI, A, A)
    C += np.einsum("ij,jk,il->ikjl", g.beta, A, A)
    C -= np.einsum("ij,ik,il->ikjl", g.brho, A, A)
    C -= np.einsum("ij,jk,jl->ikjl", g.brho, A, A)
    C = C.reshape(N * d, N * d)
    return 0.5 * (C + C.T)


def _preconditioner(alpha: np.ndarray):
    """Cholesky factor of ``alpha`` (jittered if it is numerically singular, e.g. repeated rows)."""
    jitter = 0.0
    for _ in range(8):
        try:
            return sla.cho_factor(alpha + jitter * np.eye(len(alpha)), lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            jitter = 1e-12 if jitter == 0.0 else 100.0 * jitter
    raise ConvergenceError("the preconditioner alpha = (pi - theta) / (2 pi) could not be factorised")


@validate_params(B=_B, W=_W, method=OneOf("cg", "dense"), rtol=Real(gt=0, lt=1), max_iter=Integer(min=1, max=100_000))
def relu_nt_solve(B: np.ndarray, W: np.ndarray, *, method: str = "cg", rtol: float = 1e-10,
                  max_iter: int = 2000) -> NTSolve:
    """Exact ReLU NT optimum for the target ``<x, B x>`` and first layer ``W``.

    Parameters
    ----------
    B : ndarray of shape (d, d)
        Symmetric target matrix (checked by the caller, :func:`population_risk`).
    W : ndarray of shape (N, d)
        First-layer weights; only the directions of the rows matter.
    method : {"cg", "dense"}
        ``"cg"``: matrix-free preconditioned conjugate gradients, ``O(N^2 d)``
        per iteration and ``O(N^2 + N d)`` memory.  ``"dense"``: build and
        factorise the ``(N d) x (N d)`` Gram matrix (refused above
        ``RELU_NT_DENSE_MAX_FEATURES``); the reference for tests.
    rtol : float
        Required relative residual ``||Q - C X||_F / ||Q||_F`` (in ``(0, 1)``).
    max_iter : int
        Largest number of CG iterations.

    Returns
    -------
    NTSolve
        Risk, coefficients, iterations and the certified residual.

    Raises
    ------
    ConvergenceError
        If the recomputed residual of the CG solution exceeds ``rtol``.
    """
    rtol = float(rtol)
    N, d = W.shape
    check_size("W: the N x N pair geometry of the ReLU NT solve", 6 * N * N)
    g = _geometry(W)
    Q = _rhs(B, g.A)
    var = 2.0 * float(np.sum(B * B))
    qn = float(np.linalg.norm(Q))
    if qn == 0.0:
        return NTSolve(1.0, np.zeros_like(Q), 0, 0.0)
    if method == "dense":
        if N * d > RELU_NT_DENSE_MAX_FEATURES:
            raise ValueError(f"W is too large for method='dense': N d = {N} x {d} = {N * d} "
                             f"> RELU_NT_DENSE_MAX_FEATURES = {RELU_NT_DENSE_MAX_FEATURES}; use method='cg'")
        C = _dense_gram(g)
        lam, U = np.linalg.eigh(C)
        keep = lam > lam[-1] * C.shape[0] * 1e-13
        x = U[:, keep] @ ((U[:, keep].T @ Q.reshape(-1)) / lam[keep])
        X = x.reshape(N, d)
        res = float(np.linalg.norm(Q - _matvec(g, X)) / qn)
        return NTSolve(max(var - float(np.sum(Q * X)), 0.0) / var, X, 0, res)
    cf = _preconditioner(g.alpha)
    X = np.zeros_like(Q)
    R = Q.copy()
    Z = sla.cho_solve(cf, R, check_finite=False)
    P = Z.copy()
    rz = float(np.sum(R * Z))
    it = 0
    while it < max_iter:
        it += 1
        CP = _matvec(g, P)
        pcp = float(np.sum(P * CP))
        if pcp <= 0.0:
            break
        step = rz / pcp
        X += step * P
        R -= step * CP
        if np.linalg.norm(R) <= 0.5 * rtol * qn:
            break
        Z = sla.cho_solve(cf, R, check_finite=False)
        rz_new = float(np.sum(R * Z))
        P = Z + (rz_new / rz) * P
        rz = rz_new
    res = float(np.linalg.norm(Q - _matvec(g, X)) / qn)
    if not res <= rtol:
        raise ConvergenceError(f"ReLU NT conjugate gradients stopped after {it} iterations (max_iter = {max_iter}) "
                               f"with relative residual {res:.2e} > rtol = {rtol:.1e}")
    return NTSolve(max(var - float(np.sum(Q * X)), 0.0) / var, X, it, res)


@validate_params(B=_B, W=_W, method=OneOf("cg", "dense"), rtol=Real(gt=0, lt=1))
def relu_nt_risk(B: np.ndarray, W: np.ndarray, *, method: str = "cg", rtol: float = 1e-10) -> float:
    """The risk of :func:`relu_nt_solve` (normalised by ``Var f_*``)."""
    return relu_nt_solve(B, W, method=method, rtol=rtol).risk
