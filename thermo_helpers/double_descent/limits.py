"""Limits of the random-features ridge risk: zero width, the kernel limit, and the crossover ridge.

Kernel limit (``psi1 -> infinity`` at fixed ``psi2`` and ``lambda > 0``)
    On the imaginary axis the fixed point is ``nu_j = i a_j`` with
    ``a_j (s + a_k g(c)) = psi_j``, ``c = a1 a2 = -chi``, ``s^2 = psi1 psi2 lambda_bar``
    and ``h(c) = c g(c) = c + zeta^2 c / (1 + zeta^2 c)``.  Both equations give
    ``a_j s = psi_j - h(c)``, hence ``c s^2 = (psi1 - h(c)) (psi2 - h(c))``, i.e.

        c lambda_bar psi2 = (psi2 - h(c)) (1 - h(c) / psi1).

    As ``psi1 -> infinity`` this becomes ``psi2 lambda_bar c + h(c) = psi2``, the
    quadratic

        (1 + psi2 lambda_bar) zeta^2 c^2 + (1 + psi2 lambda_bar + zeta^2 - psi2 zeta^2) c - psi2 = 0

    with one positive root.  ``E0``, ``E1`` and ``E2`` are affine in ``psi1``;
    keeping their ``psi1`` coefficients and writing ``u = chi zeta^2 = -zeta^2 c``:

        E0 / psi1 -> (u - 1) (psi2 (u - 1)^2 - u^2),   E1 / psi1 -> psi2 (u - 1),
        E2 / psi1 -> u^2 (u - 1),

    so ``B_inf = psi2 / (psi2 (1 - u)^2 - u^2)`` and ``V_inf = u^2 / (psi2 (1 - u)^2 - u^2)``.
    This is kernel ridge regression with the limiting kernel.

Zero width (``psi1 -> 0``)
    ``c = O(psi1)``, so ``E1 / E0 -> 1`` and ``E2 / E0 = O(psi1)``: the model
    predicts zero and ``R(0+) = F1^2 + F*^2`` (checked numerically in the chapter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from .._validate import Array, Function, Integer, Real, validate_params
from ..activations import ActivationSpec
from .theory import activation_constants, rf_ridge_asymptotics

_NONNEG = Real(ge=0, array=True)
_POS = Real(gt=0, array=True)

__all__ = [
    "KernelLimit",
    "kernel_limit_theory",
    "kernel_limit",
    "zero_width_risk",
    "Crossover",
    "crossover_lambda",
    "optimal_lambda",
    "check_minimum_at_infinity",
    "checkmarks",
]


@dataclass(frozen=True)
class KernelLimit:
    """Bias, variance and test error of random-features ridge regression as ``N/d -> infinity``.

    Attributes
    ----------
    bias, variance, test_error, chi : ndarray
        ``B_inf``, ``V_inf``, ``F1^2 B_inf + (tau^2 + F*^2) V_inf + F*^2`` and
        ``chi_inf = -c`` (the positive root of the quadratic in the module notes).
    """

    bias: np.ndarray
    variance: np.ndarray
    test_error: np.ndarray
    chi: np.ndarray


@validate_params(psi2=_POS, lam_bar=_NONNEG, zeta=_NONNEG, F1=_NONNEG, tau=_NONNEG, Fstar=_NONNEG)
def kernel_limit_theory(psi2, lam_bar, zeta, *, F1=1.0, tau=0.0, Fstar=0.0) -> KernelLimit:
    """Closed-form ``psi1 -> infinity`` limit in the normalised parameters.

    Parameters
    ----------
    psi2 : array_like
        ``n / d`` (> 0).
    lam_bar : array_like
        ``lambda / mu_*^2`` (>= 0; 0 gives the ridgeless kernel limit).
    zeta : array_like
        ``mu1 / mu_*`` (>= 0).
    F1, tau, Fstar : array_like
        Target and noise sizes (>= 0).

    Returns
    -------
    KernelLimit
    """
    p2, lb, ze, F1, tau, Fstar = (np.array(v, dtype=float) for v in np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (psi2, lam_bar, zeta, F1, tau, Fstar))))
    z2 = ze * ze
    a = (1.0 + p2 * lb) * z2
    b = 1.0 + p2 * lb + z2 - p2 * z2
    c = 2.0 * p2 / (b + np.sqrt(b * b + 4.0 * a * p2))   # positive root, no cancellation
    u = -z2 * c
    den = p2 * (1.0 - u) ** 2 - u * u
    B = p2 / den
    V = u * u / den
    R = F1**2 * B + (tau**2 + Fstar**2) * V + Fstar**2
    return KernelLimit(bias=B, variance=V, test_error=R, chi=-c)


@validate_params(psi2=_POS, lam=_NONNEG, activation=ActivationSpec(), F1=_NONNEG, tau=_NONNEG, Fstar=_NONNEG)
def kernel_limit(psi2, lam, *, activation="relu", F1=1.0, tau=0.0, Fstar=0.0) -> KernelLimit:
    """Closed-form ``N/d -> infinity`` limit of :func:`thermo_helpers.double_descent.rf_ridge_asymptotics`.

    Parameters
    ----------
    psi2 : array_like
        ``n / d`` (> 0).
    lam : array_like
        Ridge penalty (>= 0).
    activation : activation
        Enters through ``zeta = mu1 / mu_*`` and ``mu_*``.
    F1, tau, Fstar : array_like
        Target and noise sizes (>= 0).

    Returns
    -------
    KernelLimit
    """
    lam = np.asarray(lam, dtype=float)
    const = activation_constants(activation)
    return kernel_limit_theory(psi2, lam / const["mu_star"] ** 2, const["zeta"], F1=F1, tau=tau, Fstar=Fstar)


@validate_params(F1=_NONNEG, Fstar=_NONNEG)
def zero_width_risk(F1=1.0, Fstar=0.0) -> np.ndarray:
    """``R(N/n -> 0+) = F1^2 + F*^2``: with no features the fit is the zero predictor."""
    F1 = np.asarray(F1, dtype=float)
    Fstar = np.asarray(Fstar, dtype=float)
    return F1**2 + Fstar**2


@dataclass(frozen=True)
class Crossover:
    """The ridge above which the smallest risk over the width is at ``N/n -> infinity``.

    Attributes
    ----------
    lam_c : float
        Root of ``R_inf(lambda) = R(0+)``.
    bracket : tuple of float
        The sign-changing bracket given to the root finder.
    accuracy : float
        Bound on ``|lam_c - root|``: the root finder's tolerance plus the error
        propagated from the accuracy of ``R_inf`` (``1e-14`` relative) through
        ``|dR_inf/dlambda|`` at the root.
    residual : float
        ``R_inf(lam_c) - R(0+)``.
    slope : float
        ``dR_inf/dlambda`` at ``lam_c`` (central difference).
    """

    lam_c: float
    bracket: tuple
    accuracy: float
    residual: float
    slope: float


@validate_params(psi2=Real(gt=0), F1=Real(ge=0), tau=Real(ge=0), Fstar=Real(ge=0), activation=ActivationSpec(),
                 lam_lo=Real(gt=0), lam_hi=Real(gt=0))
def crossover_lambda(psi2: float, *, F1: float = 1.0, tau: float = 0.0, Fstar: float = 0.0,
                     activation="relu", lam_lo: float = 1e-8, lam_hi: float = 1e8) -> Crossover:
    """Solve ``R(N/n -> infinity; lambda) = R(N/n -> 0+)`` for ``lambda``.

    Below the root the kernel limit is worse than the zero predictor, so the
    global minimum over the width cannot be at ``N/n -> infinity``.  Whether it
    is there above the root depends on the whole curve; the chapter checks
    that on a grid.  The root is found by Brent's method on ``log lambda``
    between the first sign change of ``R_inf - R(0+)`` on a log grid of
    ``[lam_lo, lam_hi]``.

    Parameters
    ----------
    psi2 : float
        ``n / d`` (> 0).
    F1, tau, Fstar : float
        Target and noise sizes (>= 0).
    activation : activation
    lam_lo, lam_hi : float
        Search range (0 < lam_lo < lam_hi).

    Returns
    -------
    Crossover

    Raises
    ------
    ValueError
        If ``R_inf - R(0+)`` does not go from positive to non-positive on the range
        (for example at high SNR, where ``R_inf < R(0+)`` for every ridge).
    """
    psi2 = float(psi2)
    lam_lo = float(lam_lo)
    lam_hi = float(lam_hi)
    if not lam_hi > lam_lo:
        raise ValueError(f"lam_hi must exceed lam_lo, got {lam_lo!r} and {lam_hi!r}")
    r0 = float(zero_width_risk(F1, Fstar))

    def gap(loglam):
        return float(kernel_limit(psi2, np.exp(loglam), activation=activation, F1=F1, tau=tau,
                                  Fstar=Fstar).test_error) - r0

    grid = np.linspace(np.log(lam_lo), np.log(lam_hi), 401)
    g = np.array([gap(x) for x in grid])
    idx = np.flatnonzero((g[:-1] > 0) & (g[1:] <= 0))
    if idx.size == 0:
        raise ValueError(f"R(N/n -> infinity) - R(0+) does not change sign from + to - for lambda in "
                         f"[{lam_lo:g}, {lam_hi:g}] (psi2 = {psi2:g}, F1 = {F1:g}, tau = {tau:g})")
    a, b = grid[idx[0]], grid[idx[0] + 1]
    x = brentq(gap, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
    lam_c = float(np.exp(x))
    h = 1e-5 * lam_c
    slope = (gap(np.log(lam_c + h)) - gap(np.log(lam_c - h))) / (2 * h)
    err_R = 1e-14 * max(r0, 1.0)
    accuracy = lam_c * 4 * np.finfo(float).eps + 1e-15 * lam_c + err_R / abs(slope)
    return Crossover(lam_c=lam_c, bracket=(float(np.exp(a)), float(np.exp(b))), accuracy=float(accuracy),
                     residual=gap(x), slope=float(slope))


@validate_params(psi1=Real(gt=0), psi2=Real(gt=0), F1=Real(ge=0), tau=Real(ge=0), Fstar=Real(ge=0),
                 activation=ActivationSpec(), lam_lo=Real(gt=0), lam_hi=Real(gt=0))
def optimal_lambda(psi1: float, psi2: float, *, F1: float = 1.0, tau: float = 0.0, Fstar: float = 0.0,
                   activation="relu", lam_lo: float = 1e-6, lam_hi: float = 1e3) -> tuple[float, float]:
    """The ridge that minimises the asymptotic test error at ``(psi1, psi2)``.

    Bounded Brent minimisation over ``log lambda`` in ``[lam_lo, lam_hi]``,
    started from the best point of a 200-point log grid.

    Returns
    -------
    (lam_opt, R_opt) : tuple of float
        ``lam_opt == lam_lo`` means the optimum is at or below the range
        (for example ``0+`` at high SNR).
    """
    psi1 = float(psi1)
    psi2 = float(psi2)
    lam_lo = float(lam_lo)
    lam_hi = float(lam_hi)
    if not lam_hi > lam_lo:
        raise ValueError(f"lam_hi must exceed lam_lo, got {lam_lo!r} and {lam_hi!r}")

    def risk(loglam):
        return rf_ridge_asymptotics(psi1, psi2, np.exp(loglam), activation=activation, F1=F1, tau=tau,
                                    Fstar=Fstar).test_error

    grid = np.linspace(np.log(lam_lo), np.log(lam_hi), 200)
    r = risk(grid)
    i = int(np.argmin(r))
    if i == 0:
        return lam_lo, float(r[0])
    if i == grid.size - 1:
        return lam_hi, float(r[-1])
    res = minimize_scalar(lambda x: float(risk(x)), bounds=(grid[i - 1], grid[i + 1]), method="bounded",
                          options={"xatol": 1e-10})
    return float(np.exp(res.x)), float(res.fun)


@validate_params(psi2=Real(gt=0), lam_c=Real(gt=0), psi1_grid=_POS, lams_above=_POS, lams_below=_POS,
                 F1=Real(ge=0), tau=Real(ge=0), Fstar=Real(ge=0), activation=ActivationSpec())
def check_minimum_at_infinity(psi2: float, lam_c: float, psi1_grid, lams_above, lams_below, *, F1: float = 1.0,
                              tau: float = 0.0, Fstar: float = 0.0, activation="relu") -> dict:
    """Check both directions of "the minimum over the width is at infinity iff lambda >= lam_c".

    Above: ``min over psi1_grid of R(psi1; lam) - R_inf(lam)`` must be > 0 for every
    ``lam`` in ``lams_above``.  Below: ``R_inf(lam) - R(0+)`` must be > 0 for every
    ``lam`` in ``lams_below``.

    Returns
    -------
    dict
        ``margin_above``, ``margin_below`` (the smallest margins), ``ok_above``,
        ``ok_below`` and the numbers of ridges checked ``n_above``, ``n_below``.
    """
    psi1_grid = np.asarray(np.asarray(psi1_grid, dtype=float), dtype=float).ravel()
    above = np.asarray(np.asarray(lams_above, dtype=float), dtype=float).ravel()
    below = np.asarray(np.asarray(lams_below, dtype=float), dtype=float).ravel()
    kw = dict(activation=activation, F1=F1, tau=tau, Fstar=Fstar)
    R = rf_ridge_asymptotics(psi1_grid[:, None], psi2, above[None, :], **kw).test_error
    m_above = R.min(axis=0) - kernel_limit(psi2, above, **kw).test_error
    m_below = kernel_limit(psi2, below, **kw).test_error - zero_width_risk(F1, Fstar)
    return {"margin_above": float(m_above.min()), "margin_below": float(m_below.min()),
            "ok_above": bool(np.all(m_above > 0)), "ok_below": bool(np.all(m_below > 0)),
            "n_above": int(above.size), "n_below": int(below.size)}


@validate_params(risk=Function(), ratios=Array(ndim=1, gt=0), lam_small=Real(gt=0), lams_peak=Real(gt=0, array=True),
                 R_far=Function(), near_points=Integer(min=101, max=10**7))
def checkmarks(risk, ratios, *, lam_small: float, lams_peak, R_far, near_points: int = 400_001) -> dict:
    """The four properties of the slide, checked on the theory.

    Parameters
    ----------
    risk : callable
        ``risk(ratios, lam) -> ndarray`` (the test error against ``N/n``).
    ratios : ndarray
        Increasing grid of ``N/n`` reaching well above 1.
    lam_small : float
        Small ridge standing in for ``0+`` where the pole must be finite.
    lams_peak : sequence of float
        Ridges at which the location of the maximum near ``N/n = 1`` is measured.
    R_far : callable
        ``R_far(lam_grid)``: risk at ``N/n -> infinity`` for a high SNR.
    near_points : int
        Grid points on ``[0.9, 1.1]`` for locating the maxima (the default has step 5e-7).

    Returns
    -------
    dict
        ``lines`` (printable), ``peak_ratio`` (argmax at ``lam_small``), ``min_under``,
        ``min_over``, ``lam_opt_far`` and the four booleans ``ok``.
    """
    ratios = np.asarray(ratios, dtype=float)
    near = np.linspace(0.9, 1.1, near_points)
    peaks = {lam: float(near[np.argmax(risk(near, lam))]) for lam in lams_peak}
    interior = all(near[0] < pk < near[-1] for pk in peaks.values())
    peak_ratio = float(near[np.argmax(risk(near, lam_small))])
    r_small, r0 = risk(ratios, lam_small), risk(ratios, 0.0)
    over = ratios > 1
    ok_peak = interior and abs(peak_ratio - 1) < 0.02 and abs(peaks[min(lams_peak)] - 1) < 1e-3
    ok_min = bool(np.argmin(r_small) == ratios.size - 1 and r_small[-1] < r_small[~over].min())
    ok_mono = bool(np.all(np.diff(r0[over]) < 0)) and bool(np.all(np.diff(r_small[ratios > 1.1]) < 0))
    lam_grid = np.concatenate([[0.0], np.geomspace(1e-6, 10, 300)])
    lam_opt_far = float(lam_grid[np.argmin(R_far(lam_grid))])
    ok_reg = lam_opt_far == 0.0
    box = lambda ok: "[x]" if ok else "[ ]"
    lines = [f"{box(ok_peak)} peak at the interpolation threshold: argmax of R(lambda={lam_small:g}) at N/n = {peak_ratio:.4f}"]
    lines += [f"      lambda = {lam:<6g}: argmax at N/n = {pk:.6f}, (1 - argmax) / lambda = {(1 - pk) / lam:5.1f}"
              for lam, pk in peaks.items()]
    lines += [f"{box(ok_min)} global minimum in the overparametrised regime: min over N/n <= 1 is "
              f"{r_small[~over].min():.3f}, at N/n = {ratios[-1]:g} it is {r_small[-1]:.3f}",
              f"{box(ok_mono)} monotone decreasing for N > n (lambda = 0+ and lambda = {lam_small:g} beyond 1.1)",
              f"{box(ok_reg)} optimal regularisation -> 0 at high SNR: argmin over lambda at N/n -> infinity is {lam_opt_far:g}"]
    return {"lines": lines, "peak_ratio": peak_ratio, "min_under": float(r_small[~over].min()),
            "min_over": float(r_small[-1]), "lam_opt_far": lam_opt_far, "ok": (ok_peak, ok_min, ok_mono, ok_reg)}
