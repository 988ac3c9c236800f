"""Exact finite-d risks, their asymptotic formulas, and the exact finite-d expectations over W.

Exact risks (``population_risk``) are the projections described in the package
docstring.  The expectations over an ``O(d)``-invariant law of ``W`` follow:

Both identities use only that the law of ``W`` is invariant under
``W -> W O`` for orthogonal ``O`` (true for ``w_i ~ N(0, I_d / d)``, not for a
general ``Gamma``).

**RF.**  Let ``Pi_W`` be the orthogonal projection (Frobenius inner product)
of the space ``Sym(d)`` of symmetric matrices onto ``span{w_i w_i^T}``, so that
``R_RF(W) = ||B - Pi_W B||_F^2 / ||B||_F^2``.  ``Sym(d)`` splits under
``A -> O A O^T`` into two inequivalent irreducible pieces, ``span(I)`` and the
traceless matrices ``Sym_0`` (dimension ``D = d (d + 1) / 2 - 1``).  The
orbit average ``E_O Pi_{W O}`` commutes with the action, so by Schur's lemma it
is ``alpha(W) P_I + beta(W) P_0``.  Taking ``<I, . I> / d`` and the trace:

* ``alpha(W) = ||Pi_W I||_F^2 / d``, the share of the identity the features capture;
* ``alpha(W) + D beta(W) = rank Pi_W = min(N, D + 1)`` (generic ``W``).

With ``tau = Tr(B)^2 / (d ||B||_F^2)`` (the share of ``||B||_F^2`` along ``I``),

    E_O R_RF(W O) = 1 - alpha(W) tau - (1 - tau) (min(N, D + 1) - alpha(W)) / D,

exactly, for every ``W``; averaging over ``W`` gives ``E R_RF`` with
``alpha_W = E alpha(W)``.

**NT.**  ``R_NT = ||P B P||_F^2 / ||B||_F^2`` with ``P`` the projection onto
``span(w_i)^perp``, a Haar-random projection of rank ``k = (d - N)_+``.
Invariance gives ``E[P_ij P_kl] = c1 d_ij d_kl + c2 (d_ik d_jl + d_il d_jk)`` with
``c2 = k (d - k) / (d (d - 1) (d + 2))`` and ``c1 = (k^2 - 2 d c2) / d^2``
(from ``(Tr P)^2 = k^2`` and ``Tr P^2 = k``), hence

    E R_NT = c1 + c2 + c2 d tau .
"""

from __future__ import annotations

import numpy as np

from .._validate import Array, Integer, OneOf, Real, check_size, validate_params
from .relu import _relu_rf_risk, relu_nt_risk
from .target import (ACTIVATIONS, MODELS, _B, _PSD, _W, _psd_solve_quadform, _require_psd, _sym, _top_space)

__all__ = ["rf_coefficients", "population_risk", "nn_optimal_risk", "asymptotic_risk", "rf_asymptotic_risk",
           "eigen_capture", "identity_share", "rf_schur_identity", "nt_expected_risk"]


@validate_params(B=_B, W=_W)
def rf_coefficients(B: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Second-layer weights ``a`` of the best quadratic RF model.

    Solves ``min_a ||B - sum_i a_i w_i w_i^T||_F^2`` through the normal
    equations ``[(W W^T) o (W W^T)] a = (w_i^T B w_i)_i`` (pseudo-inverse when
    the Gram matrix is singular, e.g. ``N > d (d + 1) / 2``).
    """
    B = _sym(B)
    W = np.asarray(W, dtype=float)
    K = W @ W.T
    K *= K
    v = np.einsum("nd,nd->n", W @ B, W)
    a, _ = _psd_solve_quadform(K, v)
    return a


@validate_params(model=OneOf(*MODELS), B=_B, W=_W, activation=OneOf(*ACTIVATIONS))
def population_risk(model: str, B: np.ndarray, W: np.ndarray, *, activation: str = "quadratic") -> float:
    """Exact minimal population risk of a width-N model, normalised by ``Var f_*``.

    Parameters
    ----------
    model : {"rf", "nt", "nn"}
        Random features, neural tangent, or fully trained network.
    B : ndarray of shape (d, d) or QuadraticTarget
        Symmetric target matrix (PSD for ``"nn"``).  The intercept does not
        matter: every model has a free constant ``c``.
    W : ndarray of shape (N, d)
        First-layer weights (rows ``w_i``).  For ``"nn"`` only ``N`` matters.
    activation : {"quadratic", "relu"}
        ``"quadratic"``: ``sigma(t) = t^2`` (the talk's setting).  ``"relu"``:
        exact closed forms for ``"rf"`` (arc-cosine kernel) and ``"nt"``; the
        ``"nn"`` optimum with ReLU has no closed form and raises.  ReLU
        ``"nt"`` is a matrix-free conjugate-gradient solve in ``O(N^2 d)``
        per iteration (:func:`relu_nt_solve`), certified by its residual.

    Returns
    -------
    float
        ``min E[(f_* - f)^2] / (2 ||B||_F^2)`` over the trainable parameters
        (``a`` and ``c`` for RF, ``a_1..a_N`` and ``c`` for NT, ``W`` and ``c``
        for NN).

    Notes
    -----
    Quadratic RF: ``2 min_a ||B - sum_i a_i w_i w_i^T||_F^2``; the residual is
    formed from the solved ``a`` (cost ``O(N^2 d + N^3 + N d^2)``).  Quadratic
    NT: ``2 ||P_perp B P_perp||_F^2``.  NN: ``2 sum_{j > N} lambda_j(B)^2``.
    """
    B = _sym(B)
    if model == "nn":
        _require_psd(B, model)
    d = B.shape[0]
    W = np.asarray(W, dtype=float)
    if model != "nn":
        check_size("W: the N x N Gram matrix", W.shape[0] ** 2)
    norm2 = float(np.sum(B * B))
    if activation == "relu":
        if model == "rf":
            return _relu_rf_risk(B, W)
        if model == "nt":
            return relu_nt_risk(B, W)
        raise ValueError("activation 'relu' with model 'nn' has no closed-form optimum; "
                         "train it (train_relu_nn) and evaluate relu_network_risk")
    if model == "rf":
        a = rf_coefficients(B, W)
        R = B - W.T @ (a[:, None] * W)
        return float(np.sum(R * R)) / norm2
    if model == "nt":
        lam, U = np.linalg.eigh(W.T @ W)
        null = lam <= max(lam[-1], 0.0) * d * 1e-12
        if not np.any(null):
            return 0.0
        V = U[:, null]
        M = V.T @ B @ V
        return float(np.sum(M * M)) / norm2
    lam = np.sort(np.linalg.eigvalsh(B))[::-1]
    N = W.shape[0]
    return float(np.sum(lam[N:] ** 2)) / norm2


@validate_params(B=_PSD, N=Integer(min=1))
def nn_optimal_risk(B: np.ndarray, N: int) -> float:
    """``sum_{j > N} lambda_j(B)^2 / ||B||_F^2``: the NN optimum at width ``N``."""
    B = _sym(B)
    N = int(N)
    lam = np.sort(np.linalg.eigvalsh(B))[::-1]
    return float(np.sum(lam[N:] ** 2) / np.sum(lam**2))


def _tau(B: np.ndarray) -> float:
    """``Tr(B)^2 / (d ||B||_F^2)``: the share of ``||B||_F^2`` along the identity."""
    return float(np.trace(B) ** 2 / (B.shape[0] * np.sum(B * B)))


@validate_params(model=OneOf(*MODELS), psi1=Real(gt=0, array=True), B=_B)
def asymptotic_risk(model: str, psi1, B: np.ndarray):
    """The comparison slide's limiting risks, normalised by ``E f_*^2``.

    Parameters
    ----------
    model : {"rf", "nt", "nn"}
    psi1 : float or array_like
        ``N / d`` (> 0).  For ``"nn"`` the width is ``N = round(psi1 d)``.
    B : ndarray of shape (d, d)
        Symmetric target matrix (PSD for ``"nn"``).

    Returns
    -------
    float or ndarray (shape of ``psi1``)
        With ``tau = Tr(B)^2 / (d ||B||_F^2)``:

        * RF: ``1 - psi1 / (1 + psi1) * tau``  (``w_i ~ N(0, I_d / d)``);
        * NT: ``(1 - psi1)_+^2 + psi1 (1 - psi1)_+ tau``;
        * NN: ``1 - sum_{i <= min(d, N)} lambda_i(B)^2 / ||B||_F^2``.
    """
    B = _sym(B)
    if model == "nn":
        _require_psd(B, model)
    p = np.asarray(psi1, dtype=float)
    tau = _tau(B)
    if model == "rf":
        out = 1.0 - p / (1.0 + p) * tau
    elif model == "nt":
        q = np.clip(1.0 - p, 0.0, None)
        out = q**2 + p * q * tau
    else:
        d = B.shape[0]
        lam2 = np.sort(np.linalg.eigvalsh(B))[::-1] ** 2
        cum = np.concatenate([[0.0], np.cumsum(lam2)]) / np.sum(lam2)
        Ns = np.clip(np.rint(p * d).astype(int), 0, d)
        out = 1.0 - cum[Ns]
    return float(out) if np.ndim(out) == 0 else out


@validate_params(psi1=Real(gt=0, array=True, finite=False), B=_B, Gamma=_PSD)
def rf_asymptotic_risk(psi1, B: np.ndarray, Gamma: np.ndarray):
    """The RF theorem for ``w_i ~ N(0, Gamma)``, normalised by ``E f_*^2``.

    ``1 - psi1 d <B, Gamma>^2 / (||B||_F^2 (1 + psi1 d ||Gamma||_F^2))``.

    The theorem is stated for ``Tr Gamma = 1`` (so that ``<w_i, x>`` has unit
    variance, matching ``sigma(x) = x^2 - 1``).  ``Gamma`` is rescaled to unit
    trace first; a rescaling of the weights leaves the RF function class
    unchanged, so this makes the formula depend on the direction of
    ``Gamma`` only.  ``psi1 = inf`` gives the limit
    ``1 - <Gamma, B>^2 / (||Gamma||_F^2 ||B||_F^2)``.

    Parameters
    ----------
    psi1 : float or array_like
        ``N / d`` (> 0, may be ``inf``).
    B, Gamma : ndarray of shape (d, d)
        Symmetric target matrix; symmetric PSD covariance with positive trace.
    """
    B = _sym(B)
    Gamma = _sym(Gamma)
    p = np.asarray(psi1, dtype=float)
    d = B.shape[0]
    G = Gamma / np.trace(Gamma)
    bg2 = float(np.sum(B * G)) ** 2
    b2, g2 = float(np.sum(B * B)), float(np.sum(G * G))
    with np.errstate(divide="ignore"):
        frac = 1.0 / (1.0 / (p * d * g2) + 1.0)  # psi1 d g2 / (1 + psi1 d g2), = 1 at psi1 = inf
    out = 1.0 - frac * bg2 / (b2 * g2)
    return float(out) if np.ndim(out) == 0 else out


@validate_params(model=OneOf(*MODELS), B=_B, W=_W)
def eigen_capture(model: str, B: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Share of each eigen-direction ``u_k u_k^T`` of ``B`` that a model can represent.

    For the quadratic models every function is ``c + <x, A x>``; this returns,
    for each eigenvector ``u_k`` of ``B`` (decreasing eigenvalue order), the
    squared norm of the projection of ``u_k u_k^T`` onto the model's set of
    matrices ``A``:

    * ``"rf"``: onto ``span{w_i w_i^T}`` (``v^T G^+ v`` with ``v_i = <w_i, u_k>^2``);
    * ``"nt"``: ``1 - ||P_perp u_k||^4``;
    * ``"nn"``: 1 for the top ``N`` directions, 0 otherwise (the optimum).
    """
    B = _sym(B)
    if model == "nn":
        _require_psd(B, model)
    d = B.shape[0]
    W = np.asarray(W, dtype=float)
    N = W.shape[0]
    U = _top_space(B, d)
    if model == "nn":
        return (np.arange(d) < N).astype(float)
    if model == "nt":
        lam, V = np.linalg.eigh(W.T @ W)
        null = lam <= max(lam[-1], 0.0) * d * 1e-12
        p = np.sum((V[:, null].T @ U) ** 2, axis=0)
        return 1.0 - p**2
    K = W @ W.T
    K *= K
    Vk = (W @ U) ** 2
    lamK, Q = np.linalg.eigh(K)
    keep = lamK > lamK[-1] * N * 1e-13
    P = Q[:, keep].T @ Vk
    return np.sum(P**2 / lamK[keep][:, None], axis=0)


# --------------------------------------------------------------------------- finite-d expectations (Schur's lemma)
def _sym_dim(d: int) -> int:
    """``D = d (d + 1) / 2 - 1``, the dimension of the traceless symmetric matrices."""
    return d * (d + 1) // 2 - 1


@validate_params(W=Array(ndim=2))
def identity_share(W: np.ndarray) -> float:
    """``alpha(W) = ||Pi_W I||_F^2 / d``: the share of ``I_d`` in ``span{w_i w_i^T}``.

    ``Pi_W I = sum_i a_i w_i w_i^T`` with ``a = K^+ v``, ``K = (W W^T) o (W W^T)``
    and ``v_i = ||w_i||^2``, so ``alpha(W) = v^T K^+ v / d``.
    """
    W = np.asarray(W, dtype=float)
    K = W @ W.T
    K *= K
    v = np.einsum("nd,nd->n", W, W)
    _, share = _psd_solve_quadform(K, v)
    return min(max(share / W.shape[1], 0.0), 1.0)


@validate_params(B=_B, W=_W)
def rf_schur_identity(B: np.ndarray, W: np.ndarray) -> float:
    """``1 - alpha(W) tau - (1 - tau) (min(N, D + 1) - alpha(W)) / D``: the orbit average of ``R_RF``.

    Parameters
    ----------
    B : ndarray of shape (d, d)
        Symmetric target matrix.
    W : ndarray of shape (N, d)
        First-layer weights (any; the identity is the average over ``W O``).

    Returns
    -------
    float
        ``E_O R_RF(B, W O)`` normalised by ``||B||_F^2``, exact at finite ``d``.
    """
    B = _sym(B)
    d = B.shape[0]
    W = np.asarray(W, dtype=float)
    N = W.shape[0]
    tau, D, alpha = _tau(B), _sym_dim(d), identity_share(W)
    rest = 0.0 if D == 0 else (1.0 - tau) * (min(N, D + 1) - alpha) / D
    return float(1.0 - alpha * tau - rest)


@validate_params(B=_B, N=Integer(min=1))
def nt_expected_risk(B: np.ndarray, N: int) -> float:
    """``E_W R_NT`` at finite ``d`` for ``w_i`` iid with an ``O(d)``-invariant law.

    Parameters
    ----------
    B : ndarray of shape (d, d)
        Symmetric target matrix.
    N : int
        Width (>= 1).

    Returns
    -------
    float
        ``c1 + c2 + c2 d tau`` with ``k = (d - N)_+`` (see the module notes).
    """
    B = _sym(B)
    N = int(N)
    d = B.shape[0]
    k = max(d - N, 0)
    if d == 1:
        return float(k)
    c2 = k * (d - k) / (d * (d - 1) * (d + 2))
    c1 = (k * k - 2.0 * d * c2) / d**2
    return float(c1 + c2 + c2 * d * _tau(B))
