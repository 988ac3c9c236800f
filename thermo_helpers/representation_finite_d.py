"""Exact finite-d expectations of the quadratic RF and NT risks (Schur's lemma).

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

from . import representation as rep
from ._validate import count_from_ratio, generator, positive_int
from .representation import _check_sym, _check_W, _psd_solve_quadform

__all__ = ["identity_share", "rf_schur_identity", "nt_expected_risk", "rf_identity_draw", "rf_risk_and_identity",
           "aligned_rf_gap"]


def _tau(B: np.ndarray) -> float:
    return float(np.trace(B) ** 2 / (B.shape[0] * np.sum(B * B)))


def _sym_dim(d: int) -> int:
    """``D = d (d + 1) / 2 - 1``, the dimension of the traceless symmetric matrices."""
    return d * (d + 1) // 2 - 1


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
    B = _check_sym("B", B)
    d = B.shape[0]
    W = _check_W(W, d)
    N = W.shape[0]
    tau, D, alpha = _tau(B), _sym_dim(d), identity_share(W)
    rest = 0.0 if D == 0 else (1.0 - tau) * (min(N, D + 1) - alpha) / D
    return float(1.0 - alpha * tau - rest)


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
    B = _check_sym("B", B)
    N = positive_int("N", N)
    d = B.shape[0]
    k = max(d - N, 0)
    if d == 1:
        return float(k)
    c2 = k * (d - k) / (d * (d - 1) * (d + 2))
    c1 = (k * k - 2.0 * d * c2) / d**2
    return float(c1 + c2 + c2 * d * _tau(B))


def rf_identity_draw(d: int, psi1: float, *, rng: np.random.Generator | int) -> dict:
    """One draw of (target, ``W``) at dimension ``d``: exact RF risk against the identity and the theorem.

    A task for :func:`thermo_helpers.sweep.run_sweep`.  Draws the talk's target
    (iid Exp(1) eigenvalues, Haar eigenvectors) and ``N = round(psi1 d)``
    weights ``w_i ~ N(0, I_d / d)`` from ``rng``.

    Returns
    -------
    dict
        ``exact`` (:func:`population_risk`), ``identity``
        (:func:`rf_schur_identity`), ``theorem`` (the asymptotic formula),
        ``alpha`` (:func:`identity_share`) and ``tau``.
    """
    rng = generator(rng)
    N = count_from_ratio("psi1", psi1, d)
    target = rep.quadratic_target(d, rng=rng)
    W = rep.sample_weights(N, d, rng=rng)
    B = target.B
    return {"exact": rep.population_risk("rf", B, W), "identity": rf_schur_identity(B, W),
            "theorem": rep.asymptotic_risk("rf", N / d, B), "alpha": identity_share(W), "tau": _tau(B)}


def rf_risk_and_identity(psi1: float, B: np.ndarray, *, rng: np.random.Generator | int) -> dict:
    """Exact RF risk and the identity for one draw ``w_i ~ N(0, I_d / d)``, ``N = round(psi1 d)``, at a fixed ``B``.

    A task for :func:`thermo_helpers.sweep.run_sweep`; returns ``{"rf": ..., "identity": ...}``.
    """
    B = _check_sym("B", B)
    d = B.shape[0]
    W = rep.sample_weights(count_from_ratio("psi1", psi1, d), d, rng=rng)
    return {"rf": rep.population_risk("rf", B, W), "identity": rf_schur_identity(B, W)}


def aligned_rf_gap(d: int, psi1: float, *, rng: np.random.Generator | int) -> float:
    """``exact - theorem`` for RF with the aligned ``Gamma = B / Tr B``, one draw of (target, ``W``).

    A task for :func:`thermo_helpers.sweep.run_sweep`.  No identity applies here:
    the law of ``W`` is not ``O(d)``-invariant.
    """
    rng = generator(rng)
    B = rep.quadratic_target(positive_int("d", d), rng=rng).B
    G = B / np.trace(B)
    W = rep.sample_weights(count_from_ratio("psi1", psi1, d), d, rng=rng, Gamma=G)
    return rep.population_risk("rf", B, W) - float(rep.rf_asymptotic_risk(psi1, B, G))
