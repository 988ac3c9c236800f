"""Random-features ridge regression: precise asymptotics and simulation.

This module backs the double-descent chapter.  It has two halves.

Theory (Mei & Montanari 2019, the "Explicit formulae" slide)
    :func:`rf_ridge_asymptotics` evaluates the asymptotic bias ``B``, variance
    ``V`` and test error ``F1^2 B + (tau^2 + F*^2) V + F*^2`` of random-features
    ridge regression in the proportional limit ``N/d -> psi1``, ``n/d -> psi2``.
    The activation enters only through ``zeta = mu1 / mu_*`` and
    ``lambda_bar = lambda / mu_*^2``; :func:`rf_ridge_theory` takes those two
    numbers directly.

Simulation
    :func:`rf_ridge_draw` fits one random-features model for a whole path of
    ridge penalties from a single eigendecomposition, and
    :func:`rf_ridge_simulation` repeats it over seeds (in parallel through
    :mod:`thermo_helpers.sweep`) and reports means and standard errors.

Solving the fixed point
-----------------------
On the imaginary axis ``xi = i s`` with ``s = sqrt(psi1 psi2 lambda_bar)``
the branch with ``Im nu_j > 0`` has ``nu_j = i a_j`` with ``a_j > 0``, and the
two complex equations of the slide become the real system

    a_j (s + a_k g(a1 a2)) = psi_j,    g(c) = 1 + zeta^2 / (1 + zeta^2 c),

for ``(j, k) = (1, 2), (2, 1)``.  Subtracting the two equations gives
``s (a1 - a2) = psi1 - psi2`` exactly, so with ``delta = |psi1 - psi2| / s``
and ``a`` the smaller of the two unknowns (the one paired with
``psi = min(psi1, psi2)``) everything reduces to one scalar equation

    F(a) = s a + h(a (a + delta)) - psi = 0,     h(c) = c g(c),

whose left side increases strictly in ``a``.  It has exactly one root in the
bracket ``[0, a_hi]``, where ``a_hi`` is the value at which ``h`` reaches
``psi`` (the ridgeless solution), so a bracketed Newton iteration finds it at
every point without any continuation.  ``chi = nu1 nu2 = -a1 a2`` is then
real and negative, as it must be.  At ``lambda = 0`` the root is the ridgeless
one, ``h(-chi) = psi``, which is the quadratic
``zeta^2 chi^2 + (psi zeta^2 - zeta^2 - 1) chi - psi = 0`` of the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import sweep
from ._validate import counts_from_ratios, generator, positive, positive_int
from .activations import ActivationLike, activation_constants, get_activation, matched_activation
from .data import sample_sphere
from .features import rf_features

__all__ = [
    "RFRidgeTheory",
    "RFRidgeSimulation",
    "activation_constants",
    "rf_ridge_theory",
    "rf_ridge_asymptotics",
    "ridgeless_chi",
    "fixed_point_residual",
    "matched_activation",
    "rf_ridge_draw",
    "rf_ridge_simulation",
    "rf_min_norm_curve",
]


# ---------------------------------------------------------------------------
# theory
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RFRidgeTheory:
    """Asymptotic prediction for random-features ridge regression.

    All array attributes share the broadcast shape of the inputs.

    Attributes
    ----------
    bias, variance : ndarray
        ``B = E1 / E0`` and ``V = E2 / E0`` of the slide.
    test_error : ndarray
        ``F1^2 B + (tau^2 + F*^2) V + F*^2`` (label noise excluded).
    chi : ndarray
        ``nu1 nu2`` at ``xi = i sqrt(psi1 psi2 lambda_bar)`` (real, < 0).
    nu1, nu2 : ndarray (complex)
        The fixed point (purely imaginary).  At ``lambda = 0`` with
        ``psi1 != psi2`` one of them diverges and both are returned as ``nan``.
    xi : ndarray (complex)
        ``i sqrt(psi1 psi2 lambda_bar)``.
    zeta, lam_bar : ndarray
        The two numbers through which the activation and ``lambda`` enter.
    psi1, psi2 : ndarray
    """

    bias: np.ndarray
    variance: np.ndarray
    test_error: np.ndarray
    chi: np.ndarray
    nu1: np.ndarray
    nu2: np.ndarray
    xi: np.ndarray
    zeta: np.ndarray
    lam_bar: np.ndarray
    psi1: np.ndarray
    psi2: np.ndarray
    F1: np.ndarray = 1.0
    tau: np.ndarray = 0.0
    Fstar: np.ndarray = 0.0

    @property
    def residual(self) -> np.ndarray:
        """Relative residual of the slide's fixed-point equations (see :func:`fixed_point_residual`)."""
        return fixed_point_residual(self.nu1, self.nu2, self.xi, self.psi1, self.psi2, self.zeta)


def _h(c, z2):
    return c + z2 * c / (1.0 + z2 * c)


def _dh(c, z2):
    return 1.0 + z2 / (1.0 + z2 * c) ** 2


def ridgeless_chi(psi1, psi2, zeta) -> np.ndarray:
    """Negative root of ``zeta^2 chi^2 + (psi zeta^2 - zeta^2 - 1) chi - psi = 0``, ``psi = min(psi1, psi2)``.

    This is ``chi`` in the ridgeless limit ``lambda -> 0`` (taken after
    ``d -> infinity``).  Computed in a cancellation-free form.
    """
    psi = np.minimum(np.asarray(psi1, dtype=float), np.asarray(psi2, dtype=float))
    z2 = np.asarray(zeta, dtype=float) ** 2
    # c = -chi solves z2 c^2 + (1 + z2 - psi z2) c - psi = 0, c > 0.
    b = 1.0 + z2 - psi * z2
    disc = np.sqrt(b * b + 4.0 * z2 * psi)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(b >= 0, 2.0 * psi / (b + disc), (disc - b) / (2.0 * np.where(z2 > 0, z2, 1.0)))
    return -c


_ROOT_RTOL = 1e-12  # relative residual accepted for the reduced scalar equation


def _solve_small_root(psi_small, delta, s, z2, a_hi, *, maxiter: int = 200):
    """Bracketed Newton for F(a) = s a + h(a (a + delta)) - psi_small on [0, a_hi]."""
    lo = np.zeros_like(a_hi)
    hi = a_hi.copy()
    # Start from the large-|xi| asymptote a ~ psi / (s + ...), clipped into the bracket.
    a = np.clip(psi_small / (s + 1.0 + z2 + delta), 0.0, hi)
    active = np.ones(a.shape, dtype=bool)
    for _ in range(maxiter):
        c = a * (a + delta)
        F = s * a + _h(c, z2) - psi_small
        dF = s + _dh(c, z2) * (2.0 * a + delta)
        lo = np.where(F < 0, a, lo)
        hi = np.where(F > 0, a, hi)
        step = F / dF
        new = a - step
        bad = ~((new > lo) & (new < hi)) | ~np.isfinite(new)
        new = np.where(bad, 0.5 * (lo + hi), new)
        # An exact zero of F is the root: keep it.  (Without this, a first guess
        # clipped to a_hi with F(a_hi) == 0 in floating point -- tiny lambda --
        # was replaced by the bracket midpoint and wrongly accepted.)
        zero = F == 0
        new = np.where(zero, a, new)
        conv = (np.abs(new - a) <= 1e-15 * np.maximum(np.abs(a), 1e-300)) | zero
        a = np.where(active, new, a)
        active &= ~conv
        if not active.any():
            break
    # Final check of the scalar equation, relative to the size of its terms.
    c = a * (a + delta)
    F = s * a + _h(c, z2) - psi_small
    scale = np.maximum(psi_small, s * a + _h(c, z2))
    rel = np.abs(F) / scale
    bad = ~(rel <= _ROOT_RTOL)
    if np.any(bad):
        raise FloatingPointError(
            f"fixed-point solver did not converge at {int(bad.sum())} point(s): "
            f"largest relative residual {np.nanmax(np.where(np.isfinite(rel), rel, np.inf)):.1e}")
    return a


def rf_ridge_theory(psi1, psi2, lam_bar, zeta, *, F1=1.0, tau=0.0, Fstar=0.0) -> RFRidgeTheory:
    """Asymptotic bias, variance and test error in the normalised parameters.

    Parameters
    ----------
    psi1, psi2 : array_like
        ``N / d`` and ``n / d`` (> 0).
    lam_bar : array_like
        ``lambda / mu_*^2`` (>= 0; 0 is the ridgeless limit).
    zeta : array_like
        ``mu1 / mu_*`` (>= 0).
    F1, tau, Fstar : array_like
        Signal strength ``||beta_1||``, noise level and norm of the nonlinear
        part of the target (all >= 0; broadcast with the other arguments).

    Returns
    -------
    RFRidgeTheory
    """
    psi1 = positive("psi1", psi1)
    psi2 = positive("psi2", psi2)
    lam_bar = positive("lam_bar", lam_bar, allow_zero=True)
    zeta = positive("zeta", zeta, allow_zero=True)
    F1 = positive("F1", F1, allow_zero=True)
    tau = positive("tau", tau, allow_zero=True)
    Fstar = positive("Fstar", Fstar, allow_zero=True)
    p1, p2, lb, ze, F1, tau, Fstar = np.broadcast_arrays(psi1, psi2, lam_bar, zeta, F1, tau, Fstar)
    p1, p2, lb, ze, F1, tau, Fstar = (np.array(v, dtype=float) for v in (p1, p2, lb, ze, F1, tau, Fstar))
    z2 = ze * ze
    s = np.sqrt(p1 * p2 * lb)
    psi_small = np.minimum(p1, p2)
    ridgeless = s == 0
    s_safe = np.where(ridgeless, 1.0, s)
    delta = np.where(ridgeless, 0.0, np.abs(p1 - p2) / s_safe)
    c_max = -ridgeless_chi(p1, p2, ze)  # h(c_max) = psi_small
    a_hi = 2.0 * c_max / (delta + np.hypot(delta, 2.0 * np.sqrt(c_max)))  # hypot: no overflow
    a_small = _solve_small_root(psi_small, delta, np.where(ridgeless, 0.0, s), z2, a_hi)
    a_big = a_small + delta
    c = np.where(ridgeless, c_max, a_small * a_big)
    chi = -c
    first_small = p1 <= p2
    a1 = np.where(first_small, a_small, a_big)
    a2 = np.where(first_small, a_big, a_small)
    degenerate = ridgeless & (p1 != p2)
    a1 = np.where(degenerate, np.nan, np.where(ridgeless, np.sqrt(c_max), a1))
    a2 = np.where(degenerate, np.nan, np.where(ridgeless, np.sqrt(c_max), a2))

    x, q, P = chi, z2, p1 * p2
    x2, x3 = x * x, x * x * x
    x4, x5 = x2 * x2, x2 * x3
    q2, q3 = q * q, q * q * q
    E0 = (-x5 * q3 + 3 * x4 * q2 + (P - p2 - p1 + 1) * x3 * q3 - 2 * x3 * q2 - 3 * x3 * q
          + (p1 + p2 - 3 * P + 1) * x2 * q2 + 2 * x2 * q + x2 + 3 * P * x * q - P)
    E1 = p2 * x3 * q2 - p2 * x2 * q + P * x * q - P
    E2 = (x5 * q3 - 3 * x4 * q2 + (p1 - 1) * x3 * q3 + 2 * x3 * q2 + 3 * x3 * q
          + (-p1 - 1) * x2 * q2 - 2 * x2 * q - x2)
    with np.errstate(divide="ignore", invalid="ignore"):
        B = E1 / E0
        V = E2 / E0
    # At lambda = 0 and psi1 = psi2, E0 vanishes: both terms diverge.
    sing = ridgeless & (p1 == p2)
    B = np.where(sing, np.inf, B)
    V = np.where(sing, np.inf, V)
    with np.errstate(invalid="ignore"):
        bias_term = np.where(F1 > 0, F1**2 * B, 0.0)
        noise2 = tau**2 + Fstar**2
        var_term = np.where(noise2 > 0, noise2 * V, 0.0)
    R = bias_term + var_term + Fstar**2
    return RFRidgeTheory(bias=B, variance=V, test_error=R, chi=chi, nu1=1j * a1, nu2=1j * a2,
                         xi=1j * s, zeta=ze, lam_bar=lb, psi1=p1, psi2=p2, F1=F1, tau=tau, Fstar=Fstar)


def rf_ridge_asymptotics(psi1, psi2, lam, *, activation: ActivationLike = "relu", F1=1.0, tau=0.0,
                         Fstar=0.0) -> RFRidgeTheory:
    """Mei--Montanari asymptotics of random-features ridge regression.

    The model is ``f(x) = sum_j a_j sigma(<w_j, x>)`` with
    ``x ~ Unif(S^{d-1}(sqrt d))``, ``w_j ~ Unif(S^{d-1}(1))``, fitted by
    ``argmin (1/n) sum_i (y_i - f(x_i))^2 + (N lam / d) ||a||^2`` with
    ``N / d -> psi1`` and ``n / d -> psi2``.

    Parameters
    ----------
    psi1, psi2 : array_like
        ``N / d`` and ``n / d`` (> 0).  Broadcast with ``lam``.
    lam : array_like
        Ridge penalty (>= 0).  ``lam = 0`` gives the ridgeless limit
        (``lambda -> 0`` after ``d -> infinity``).
    activation : str, Activation or callable
        The activation sigma; only ``zeta = mu1 / mu_*`` and ``mu_*`` are used.
    F1, tau, Fstar : array_like
        ``||beta_1||``, noise standard deviation and ``||f_NL||_{L2}`` (>= 0;
        broadcast with the other arguments).

    Returns
    -------
    RFRidgeTheory
        ``.bias``, ``.variance``, ``.test_error`` (noise excluded) and ``.chi``.

    Examples
    --------
    >>> th = rf_ridge_asymptotics([0.5, 1.0, 4.0], 2.0, 1e-3)
    >>> th.test_error.shape
    (3,)
    >>> bool(np.all(th.chi < 0))
    True
    """
    psi1 = positive("psi1", psi1)
    psi2 = positive("psi2", psi2)
    lam = positive("lam", lam, allow_zero=True)
    positive("tau", tau, allow_zero=True)
    positive("F1", F1, allow_zero=True)
    positive("Fstar", Fstar, allow_zero=True)
    const = activation_constants(activation)
    return rf_ridge_theory(psi1, psi2, lam / const["mu_star"] ** 2, const["zeta"], F1=F1, tau=tau, Fstar=Fstar)


def fixed_point_residual(nu1, nu2, xi, psi1, psi2, zeta) -> np.ndarray:
    """Relative residual of the slide's fixed-point equations, in complex arithmetic.

    ``max_j |nu_j - psi_j / D_j| / |nu_j|`` with
    ``D_1 = -xi - nu_2 - zeta^2 nu_2 / (1 - zeta^2 nu_1 nu_2)`` and ``D_2``
    symmetric.  This does not use the real reduction of the solver, so it is
    an independent check of it.
    """
    nu1, nu2, xi = (np.asarray(v, dtype=complex) for v in (nu1, nu2, xi))
    z2 = np.asarray(zeta, dtype=float) ** 2
    den = 1.0 - z2 * nu1 * nu2
    D1 = -xi - nu2 - z2 * nu2 / den
    D2 = -xi - nu1 - z2 * nu1 / den
    r1 = np.abs(nu1 - np.asarray(psi1) / D1) / np.abs(nu1)
    r2 = np.abs(nu2 - np.asarray(psi2) / D2) / np.abs(nu2)
    return np.maximum(r1, r2)


# ---------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------
_FEATURES = ("nonlinear", "noisy_linear")


def _check_lams(lams) -> np.ndarray:
    lams = np.atleast_1d(positive("lams", lams, allow_zero=True)).astype(float)
    if lams.ndim != 1:
        raise ValueError(f"lams must be a scalar or a 1-D sequence, got shape {lams.shape}")
    if lams.size == 0:
        raise ValueError("lams must contain at least one ridge value, got an empty sequence")
    return lams


def _nonlinear_target(X, b2, d):
    """He2 direction <b2, x>^2 - 1, scaled to unit second moment on the sphere of radius sqrt d."""
    return ((X @ b2) ** 2 - 1.0) / np.sqrt((2.0 * d - 2.0) / (d + 2.0))


def rf_ridge_draw(psi1: float, psi2: float, lams, d: int, rng, *, activation: ActivationLike = "relu",
                  F1: float = 1.0, tau: float = 0.0, Fstar: float = 0.0, features: str = "nonlinear",
                  n_test: int | None = None) -> dict:
    """One draw of random-features ridge regression for a whole ridge path.

    Draws ``X`` (n x d) on the sphere of radius sqrt d, ``W`` (N x d) on the
    unit sphere, ``beta_1`` uniform with norm ``F1``, the labels
    ``y = <beta_1, x> + f_NL(x) + eps`` and fits
    ``a(lam) = argmin (1/n) ||y - Phi a||^2 + (N lam / d) ||a||^2`` for every
    ``lam`` from one eigendecomposition of the smaller Gram matrix
    (``Phi^T Phi`` if N <= n, else ``Phi Phi^T``).  ``lam = 0`` is the
    minimum-norm least-squares solution.

    Parameters
    ----------
    psi1, psi2 : float
        ``N = round(psi1 d)`` features and ``n = round(psi2 d)`` samples
        (``ValueError`` if either rounds to 0).
    lams : array_like
        Ridge penalties (>= 0).
    d : int
        Input dimension.
    rng : Generator or int
    activation : activation
    F1, tau, Fstar : float
        Target ``<beta_1, x> + Fstar (<b, x>^2 - 1) / c_d + N(0, tau^2)``.
    features : {"nonlinear", "noisy_linear"}
        ``sigma(<w_j, x>)`` or its Gaussian equivalent
        ``mu0 + mu1 <w_j, x> + mu_* z`` with fresh ``z ~ N(0, 1)`` per entry.
    n_test : int, optional
        Test-set size for nonlinear features (default ``max(n, 1000)``).  The
        noisy-linear test error is computed exactly (no test set needed) when
        ``Fstar = 0``.

    Returns
    -------
    dict of ndarray, each of shape ``(len(lams),)``
        ``test`` (test error, noise excluded), ``train`` (training error,
        noise included), ``bias`` (test error of the fit to the noiseless
        labels) and ``variance`` (test error of the fit to the noise alone).
        ``test`` equals ``bias + variance`` plus a zero-mean cross term.
    """
    rng = generator(rng)
    d = positive_int("d", d)
    psi1 = float(positive("psi1", psi1))
    psi2 = float(positive("psi2", psi2))
    lams = _check_lams(lams)
    F1 = float(positive("F1", F1, allow_zero=True))
    tau = float(positive("tau", tau, allow_zero=True))
    Fstar = float(positive("Fstar", Fstar, allow_zero=True))
    if features not in _FEATURES:
        raise ValueError(f"features must be one of {_FEATURES}, got {features!r}")
    N = int(counts_from_ratios("psi1", psi1, d, size="N"))
    n = int(counts_from_ratios("psi2", psi2, d, size="n"))
    act = get_activation(activation)
    const = activation_constants(act)

    X = sample_sphere(n, d, rng=rng)
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    beta = F1 * sample_sphere(1, d, rng=rng, radius=1.0)[0]
    b2 = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    f = X @ beta
    if Fstar > 0:
        f = f + Fstar * _nonlinear_target(X, b2, d)
    eps = tau * rng.standard_normal(n)
    Phi = rf_features(X, W, activation=act, kind=features, rng=rng, add_mu0=True)
    Y = np.stack([f, eps], axis=1)  # fit signal and noise separately; y = f + eps

    gam = n * N * lams / d  # (1/n)||.||^2 + (N lam/d)||a||^2  <=>  ||.||^2 + gam ||a||^2
    if N <= n:
        G = Phi.T @ Phi
        ev, V = np.linalg.eigh(G)
        ev = np.maximum(ev, 0.0)
        Q = V.T @ (Phi.T @ Y)  # (N, 2)
        tol = ev.max() * max(n, N) * np.finfo(float).eps
        with np.errstate(divide="ignore"):
            inv = np.where(gam[None, :] > 0, 1.0 / (ev[:, None] + gam[None, :]),
                           np.where(ev[:, None] > tol, 1.0 / np.maximum(ev[:, None], tol), 0.0))
        # coefficients a = V diag(inv) Q, for both right-hand sides and every lam
        A = V @ (Q[:, None, :] * inv[:, :, None]).reshape(N, -1)  # (N, L*2)
        A = A.reshape(N, lams.size, 2)
        fit = Phi @ A.reshape(N, -1)
        resid = (Y.sum(axis=1)[:, None] - fit.reshape(n, lams.size, 2).sum(axis=2))
        train = np.mean(resid**2, axis=0)
    else:
        G = Phi @ Phi.T
        ev, U = np.linalg.eigh(G)
        ev = np.maximum(ev, 0.0)
        P = U.T @ Y  # (n, 2)
        tol = ev.max() * max(n, N) * np.finfo(float).eps
        with np.errstate(divide="ignore"):
            inv = np.where(gam[None, :] > 0, 1.0 / (ev[:, None] + gam[None, :]),
                           np.where(ev[:, None] > tol, 1.0 / np.maximum(ev[:, None], tol), 0.0))
        shrink = np.where(gam[None, :] > 0, gam[None, :] * inv, (ev[:, None] <= tol).astype(float))
        py = P.sum(axis=1)
        train = np.sum((shrink * py[:, None]) ** 2, axis=0) / n
        A = Phi.T @ (U @ (P[:, None, :] * inv[:, :, None]).reshape(n, -1))
        A = A.reshape(N, lams.size, 2)

    if features == "noisy_linear" and Fstar == 0:
        # exact: E(<beta,x> - a^T u)^2 over x on the sphere and fresh z
        Wa = np.einsum("nd,nlk->dlk", W, A)
        sig = beta[:, None] if F1 > 0 else np.zeros((d, 1))
        err_f = np.sum((sig - const["mu1"] * Wa[:, :, 0]) ** 2, axis=0)
        lin_n = np.sum((const["mu1"] * Wa[:, :, 1]) ** 2, axis=0)
        lin_y = np.sum((sig - const["mu1"] * Wa.sum(axis=2)) ** 2, axis=0)

        def extra(a):
            return const["mu_star"] ** 2 * np.sum(a**2, axis=0) + const["mu0"] ** 2 * np.sum(a, axis=0) ** 2

        bias = err_f + extra(A[:, :, 0])
        var = lin_n + extra(A[:, :, 1])
        test = lin_y + extra(A.sum(axis=2))
    else:
        nt = max(n, 1000) if n_test is None else positive_int("n_test", n_test)
        Xt = sample_sphere(nt, d, rng=rng)
        ft = Xt @ beta
        if Fstar > 0:
            ft = ft + Fstar * _nonlinear_target(Xt, b2, d)
        Phit = rf_features(Xt, W, activation=act, kind=features, rng=rng, add_mu0=True)
        pred = (Phit @ A.reshape(N, -1)).reshape(nt, lams.size, 2)
        bias = np.mean((ft[:, None] - pred[:, :, 0]) ** 2, axis=0)
        var = np.mean(pred[:, :, 1] ** 2, axis=0)
        test = np.mean((ft[:, None] - pred.sum(axis=2)) ** 2, axis=0)
    return {"test": test, "train": train, "bias": bias, "variance": var}


@dataclass
class RFRidgeSimulation:
    """Means and standard errors over seeds from :func:`rf_ridge_simulation`.

    Arrays have shape ``(P, L)`` for ``P`` (psi1, psi2) points and ``L``
    ridge values, or ``(L,)`` when scalars were passed.  ``raw[key]`` holds
    every seed, with the seed axis last.
    """

    psi1: np.ndarray
    psi2: np.ndarray
    lams: np.ndarray
    d: int
    seeds: int
    raw: dict = field(repr=False)
    N: np.ndarray = None
    n: np.ndarray = None

    def mean(self, key: str = "test") -> np.ndarray:
        """Mean over seeds of ``test``, ``train``, ``bias`` or ``variance``."""
        return np.mean(self.raw[key], axis=-1)

    def sem(self, key: str = "test") -> np.ndarray:
        """Standard error of the mean over seeds (0 for one seed)."""
        return sweep.standard_error(self.raw[key])

    @property
    def test_mean(self):
        return self.mean("test")

    @property
    def test_sem(self):
        return self.sem("test")

    @property
    def train_mean(self):
        return self.mean("train")

    @property
    def train_sem(self):
        return self.sem("train")


def _rf_ridge_point(point: int, lams, d: int, rng, *, psi1s, psi2s, **kw) -> dict:
    """One :func:`rf_ridge_draw` at the ``point``-th (psi1, psi2) pair (a :func:`sweep.run_sweep` task)."""
    return rf_ridge_draw(float(psi1s[point]), float(psi2s[point]), lams, d, rng, **kw)


def rf_ridge_simulation(psi1, psi2, lams, d: int, *, activation: ActivationLike = "relu", F1: float = 1.0,
                        tau: float = 0.0, Fstar: float = 0.0, seeds: int = 10, features: str = "nonlinear",
                        seed: int = 0, n_test: int | None = None, n_jobs: int | None = None,
                        progress: bool | None = None) -> RFRidgeSimulation:
    """Monte-Carlo test and training error of random-features ridge regression.

    Runs :func:`rf_ridge_draw` for every (psi1, psi2) point and seed in
    parallel through :func:`thermo_helpers.sweep.run_sweep`.  Task ``(point i, seed s)`` uses the
    Generator :func:`thermo_helpers.sweep.task_rng` ``(seed, i, s)``, so the
    numbers do not depend on ``n_jobs``.

    Parameters
    ----------
    psi1, psi2 : float or 1-D array_like
        Points to simulate (broadcast against each other).
    lams : array_like
        Ridge path (>= 0), shared by every point.
    d : int
        Dimension (>= 1); ``round(psi1 d)`` and ``round(psi2 d)`` must be >= 1.
    activation, F1, tau, Fstar, features, n_test
        As in :func:`rf_ridge_draw`.
    seeds : int
        Independent draws per point.
    seed : int
        Base seed.
    n_jobs : int, optional
        Worker processes (default :func:`thermo_helpers.config.n_jobs`).
    progress : bool, optional
        tqdm bar; default :func:`thermo_helpers.config.progress_enabled`.

    Returns
    -------
    RFRidgeSimulation
    """
    scalar = np.ndim(psi1) == 0 and np.ndim(psi2) == 0
    p1 = np.atleast_1d(positive("psi1", psi1)).astype(float)
    p2 = np.atleast_1d(positive("psi2", psi2)).astype(float)
    p1, p2 = np.broadcast_arrays(p1, p2)
    if p1.ndim != 1:
        raise ValueError("psi1 and psi2 must be scalars or 1-D sequences")
    lams = _check_lams(lams)
    d = positive_int("d", d)
    seeds = positive_int("seeds", seeds)
    positive("F1", F1, allow_zero=True)
    positive("tau", tau, allow_zero=True)
    positive("Fstar", Fstar, allow_zero=True)
    if features not in _FEATURES:
        raise ValueError(f"features must be one of {_FEATURES}, got {features!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    N = counts_from_ratios("psi1", p1, d, size="N")
    n = counts_from_ratios("psi2", p2, d, size="n")
    activation_constants(activation)  # fail early on a linear activation
    kw = dict(activation=activation, F1=F1, tau=tau, Fstar=Fstar, features=features, n_test=n_test)
    res = sweep.run_sweep(_rf_ridge_point, {"point": range(p1.size)}, seeds=seeds, base_seed=int(seed),
                          n_jobs=n_jobs, progress=progress, fixed={"lams": lams, "d": d, "psi1s": p1,
                                                                   "psi2s": p2, **kw})
    raw = {k: np.ascontiguousarray(np.moveaxis(v, 1, -1)) for k, v in res.values.items()}  # (point, lam, seed)
    if scalar:
        raw = {k: v[0] for k, v in raw.items()}
    return RFRidgeSimulation(psi1=p1, psi2=p2, lams=lams, d=d, seeds=seeds, raw=raw, N=N, n=n)


# ---------------------------------------------------------------------------
# real data: min-norm random features on a fixed training set
# ---------------------------------------------------------------------------
def rf_min_norm_curve(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
                      Ns: Sequence[int], rng, *, activation: ActivationLike = "relu", lam: float = 0.0) -> dict:
    """Test and training error of random-features regression against the width N.

    Inputs are used as given (normalise them first, e.g. to the sphere of
    radius sqrt d).  For every ``N`` in ``Ns`` a fresh ``W`` (N x d, rows on
    the unit sphere) is drawn and ``a`` is the minimum-norm least-squares
    solution (``lam = 0``) or the ridge solution with penalty
    ``(N lam / d) ||a||^2`` on the mean squared loss.

    Parameters
    ----------
    X_train, X_test : ndarray (n, d), (m, d)
    Y_train, Y_test : ndarray (n, k), (m, k)
        Targets, e.g. one-hot class indicators.
    Ns : sequence of int
        Widths (positive integers; a non-integer such as 2.7 raises ``ValueError``).
    rng : Generator or int
    activation : activation
    lam : float
        Ridge penalty (>= 0).

    Returns
    -------
    dict of ndarray (len(Ns),)
        ``test_mse``, ``train_mse`` (squared error summed over outputs, averaged
        over samples), ``test_err``, ``train_err`` (misclassification by argmax)
        and ``norm`` (Frobenius norm of the coefficients).
    """
    rng = generator(rng)
    lam = float(positive("lam", lam, allow_zero=True))
    Xtr, Xte = np.asarray(X_train, float), np.asarray(X_test, float)
    Ytr, Yte = np.asarray(Y_train, float), np.asarray(Y_test, float)
    for name, X in (("X_train", Xtr), ("X_test", Xte)):
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"{name} must be a non-empty 2-D array (samples x d), got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} must be finite")
    if Xte.shape[1] != Xtr.shape[1]:
        raise ValueError(f"X_test must have d = {Xtr.shape[1]} columns like X_train, got {Xte.shape[1]}")
    Ytr = Ytr[:, None] if Ytr.ndim == 1 else Ytr
    Yte = Yte[:, None] if Yte.ndim == 1 else Yte
    for name, Y, X in (("Y_train", Ytr, Xtr), ("Y_test", Yte, Xte)):
        if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
            raise ValueError(f"{name} must have one row per sample ({X.shape[0]}), got shape {Y.shape}")
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"{name} must be finite")
    if Yte.shape[1] != Ytr.shape[1]:
        raise ValueError(f"Y_test must have {Ytr.shape[1]} columns like Y_train, got {Yte.shape[1]}")
    Ns_arr = np.asarray(Ns)
    if Ns_arr.ndim != 1 or Ns_arr.size == 0:
        raise ValueError(f"Ns must be a non-empty 1-D sequence of widths, got {Ns!r}")
    Ns_int = []
    for N in Ns_arr.tolist():
        if isinstance(N, bool) or not isinstance(N, (int, float)) or not float(N).is_integer() or N < 1:
            raise ValueError(f"Ns must hold positive integers, got {N!r}")
        Ns_int.append(int(N))
    n, d = Xtr.shape
    act = get_activation(activation)
    out = {k: np.empty(len(Ns_int)) for k in ("test_mse", "train_mse", "test_err", "train_err", "norm")}
    for j, N in enumerate(Ns_int):
        W = sample_sphere(N, d, rng=rng, radius=1.0)
        Phi, Phit = act.fn(Xtr @ W.T), act.fn(Xte @ W.T)
        if lam > 0:
            gam = n * N * lam / d
            if N <= n:
                A = np.linalg.solve(Phi.T @ Phi + gam * np.eye(N), Phi.T @ Ytr)
            else:
                A = Phi.T @ np.linalg.solve(Phi @ Phi.T + gam * np.eye(n), Ytr)
        else:
            A = np.linalg.lstsq(Phi, Ytr, rcond=None)[0]
        ptr, pte = Phi @ A, Phit @ A
        out["train_mse"][j] = np.mean(np.sum((Ytr - ptr) ** 2, axis=1))
        out["test_mse"][j] = np.mean(np.sum((Yte - pte) ** 2, axis=1))
        out["train_err"][j] = np.mean(np.argmax(ptr, 1) != np.argmax(Ytr, 1))
        out["test_err"][j] = np.mean(np.argmax(pte, 1) != np.argmax(Yte, 1))
        out["norm"][j] = np.linalg.norm(A)
    return out
