"""Random-features ridge regression: the precise asymptotics (Mei & Montanari 2019).

:func:`rf_ridge_asymptotics` evaluates the asymptotic bias ``B``, variance
``V`` and test error ``F1^2 B + (tau^2 + F*^2) V + F*^2`` of random-features
ridge regression in the proportional limit ``N/d -> psi1``, ``n/d -> psi2``
(the "Explicit formulae" slide).  The activation enters only through
``zeta = mu1 / mu_*`` and ``lambda_bar = lambda / mu_*^2``;
:func:`rf_ridge_theory` takes those two numbers directly.

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

from dataclasses import dataclass

import numpy as np

from .._validate import Real, Unchecked, validate_params
from ..activations import ActivationLike, ActivationSpec, activation_constants, matched_activation

__all__ = [
    "RFRidgeTheory",
    "activation_constants",
    "matched_activation",
    "rf_ridge_theory",
    "rf_ridge_asymptotics",
    "ridgeless_chi",
    "fixed_point_residual",
]

_NONNEG = Real(ge=0, array=True)
_POS = Real(gt=0, array=True)


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


@validate_params(psi1=_POS, psi2=_POS, zeta=_NONNEG)
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


@validate_params(psi1=_POS, psi2=_POS, lam_bar=_NONNEG, zeta=_NONNEG, F1=_NONNEG, tau=_NONNEG, Fstar=_NONNEG)
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
    p1, p2, lb, ze, F1, tau, Fstar = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                           for v in (psi1, psi2, lam_bar, zeta, F1, tau, Fstar)))
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
    # At lambda = 0 and psi1 = psi2, E0 vanishes: both terms diverge.  Near that point (lambda so small that
    # E0 is below the rounding error of its terms) the value is unresolvable and astronomically large: +inf.
    E0_scale = (np.abs(x5 * q3) + 3 * np.abs(x4 * q2) + np.abs((P - p2 - p1 + 1) * x3 * q3) + np.abs(x3) * (2 * q2 + 3 * q)
                + np.abs((p1 + p2 - 3 * P + 1) * x2 * q2) + x2 * (2 * q + 1) + 3 * P * np.abs(x) * q + P)
    sing = (ridgeless & (p1 == p2)) | (np.abs(E0) <= 1e3 * np.finfo(float).eps * E0_scale)
    B = np.where(sing, np.inf, B)
    V = np.where(sing, np.inf, V)
    with np.errstate(invalid="ignore"):
        bias_term = np.where(F1 > 0, F1**2 * B, 0.0)
        noise2 = tau**2 + Fstar**2
        var_term = np.where(noise2 > 0, noise2 * V, 0.0)
    R = bias_term + var_term + Fstar**2
    return RFRidgeTheory(bias=B, variance=V, test_error=R, chi=chi, nu1=1j * a1, nu2=1j * a2,
                         xi=1j * s, zeta=ze, lam_bar=lb, psi1=p1, psi2=p2, F1=F1, tau=tau, Fstar=Fstar)


@validate_params(psi1=_POS, psi2=_POS, lam=_NONNEG, activation=ActivationSpec(), F1=_NONNEG, tau=_NONNEG,
                 Fstar=_NONNEG)
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
    const = activation_constants(activation)
    return rf_ridge_theory(psi1, psi2, np.asarray(lam, dtype=float) / const["mu_star"] ** 2, const["zeta"], F1=F1, tau=tau, Fstar=Fstar)


@validate_params(nu1=Unchecked("complex fixed point, checked by the arithmetic"),
                 nu2=Unchecked("complex fixed point, checked by the arithmetic"),
                 xi=Unchecked("complex spectral argument"), psi1=_POS, psi2=_POS, zeta=_NONNEG)
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
