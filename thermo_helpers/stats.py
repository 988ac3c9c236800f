"""Statistics shared by every chapter: errors, z-scores, chi-square, fits.

Every function is vectorised over NumPy arrays and documents the axis it
reduces.  Standard errors are those of a mean, ``std(ddof=1) / sqrt(n)``;
tests of theory against simulation treat the simulation's standard error as
known (normal approximation).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from scipy import optimize
from scipy import stats as sps

from ._validate import Array, Integer, InvalidParameterError, Real, validate_params

__all__ = [
    "standard_error",
    "nan_mean_sem",
    "zscore",
    "Chi2Result",
    "chi2_test",
    "paired_gap",
    "linear_extrapolation",
    "compare",
    "loglog_slope",
    "limit_power_fit",
    "crossing",
    "polynomial_extrapolation",
]


_LEVEL = Real(gt=0, lt=1)
_AXIS = Integer(min=-32, max=31)
_VALUES = Real(array=True)
_CURVE = Array(ndim=1, shape=("m",))


def _check_axis(values: np.ndarray, axis: int) -> int:
    if not -values.ndim <= axis < values.ndim:
        raise InvalidParameterError(f"axis must index one of the {values.ndim} axes of values, got {axis}")
    return axis


@validate_params(values=Array(), axis=_AXIS)
def standard_error(values, axis: int = -1) -> np.ndarray:
    """Standard error of the mean along ``axis``.

    Parameters
    ----------
    values : array_like
        Samples; ``axis`` indexes the repetitions.
    axis : int
        Axis to reduce (default the last).

    Returns
    -------
    ndarray
        ``std(ddof=1) / sqrt(n)``, or zeros when fewer than two samples.
    """
    v = np.asarray(values, dtype=float)
    _check_axis(v, axis)
    if v.shape[axis] < 2:
        return np.zeros(np.delete(v.shape, axis if axis >= 0 else v.ndim + axis))
    return np.std(v, axis=axis, ddof=1) / np.sqrt(v.shape[axis])


@validate_params(values=Array(finite=False), axis=_AXIS, sem_of_one=Real(ge=0, finite=False))
def nan_mean_sem(values, axis: int = -1, *, sem_of_one: float = np.nan) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error along ``axis``, ignoring NaN (e.g. non-separable draws).

    Parameters
    ----------
    values : array_like
        Samples, NaN where a draw has no value.
    axis : int
        Axis to reduce.
    sem_of_one : float
        Standard error reported where exactly one finite value is present
        (NaN by default; where none is present both outputs are NaN).

    Returns
    -------
    mean, sem : ndarray
    """
    v = np.asarray(values, dtype=float)
    _check_axis(v, axis)
    cnt = np.sum(np.isfinite(v), axis=axis)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(v, axis=axis)
        sd = np.nanstd(v, axis=axis, ddof=1)
    sem = np.where(cnt > 1, sd / np.sqrt(np.maximum(cnt, 1)), np.where(cnt == 1, sem_of_one, np.nan))
    return mean, sem


def _broadcast(theory, sim, sem):
    try:
        return np.broadcast_arrays(np.asarray(theory, dtype=float), np.asarray(sim, dtype=float),
                                   np.asarray(sem, dtype=float))
    except ValueError:
        raise InvalidParameterError(f"theory, sim and sem must broadcast to one shape, got shapes {np.shape(theory)}, "
                                    f"{np.shape(sim)} and {np.shape(sem)}") from None


@validate_params(theory=_VALUES, sim=_VALUES, sem=Real(ge=0, array=True))
def zscore(theory, sim, sem) -> np.ndarray:
    """``(sim - theory) / sem``, broadcast.

    Where ``sem == 0`` the score is 0 if ``sim == theory`` and ``+-inf``
    otherwise.  ``sem`` must be >= 0.
    """
    theory, sim, sem = _broadcast(theory, sim, sem)
    diff = sim - theory
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sem > 0, diff / np.where(sem > 0, sem, 1.0), np.sign(diff) * np.inf)
    return np.where((sem == 0) & (diff == 0), 0.0, z)


class Chi2Result(NamedTuple):
    """Chi-square of a curve against theory: ``chi2``, degrees of freedom ``dof`` and ``p_value``."""

    chi2: float
    dof: int
    p_value: float


@validate_params(theory=_VALUES, sim=_VALUES, sem=Real(gt=0, array=True), ddof=Integer(min=0))
def chi2_test(theory, sim, sem, *, ddof: int = 0) -> Chi2Result:
    """Chi-square test of simulated points against a theory curve.

    Parameters
    ----------
    theory, sim, sem : array_like
        Theory values, simulated means and their standard errors (> 0), all
        broadcast to one shape; every entry is one independent point.
    ddof : int
        Parameters fitted to the same data (subtracted from the point count).

    Returns
    -------
    Chi2Result
        ``chi2 = sum z^2``, ``dof = points - ddof`` and the upper-tail
        probability ``P(chi2_dof >= chi2)``.
    """
    theory, sim, sem = _broadcast(theory, sim, sem)
    dof = int(sim.size - ddof)
    if dof < 1:
        raise InvalidParameterError(f"ddof must be smaller than the number of points: {sim.size} points, ddof = {ddof}")
    chi2 = float(np.sum(((sim - theory) / sem) ** 2))
    return Chi2Result(chi2, dof, float(sps.chi2.sf(chi2, dof)))


@validate_params(a=Array(finite=False), b=Array(finite=False), axis=_AXIS)
def paired_gap(a, b, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the paired differences ``a - b`` along ``axis``.

    Pairs where either side is NaN are dropped.  Pairing removes the
    variation that both members of a pair share.

    Returns
    -------
    mean, sem : ndarray
        NaN where fewer than two complete pairs remain.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise InvalidParameterError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return nan_mean_sem(a - b, axis=axis)


@validate_params(x=_CURVE, mean=_CURVE, sem=Array(ndim=1, shape=("m",), gt=0), x0=Real(), level=_LEVEL)
def linear_extrapolation(x, mean, sem, x0: float = 0.0, level: float = 0.95) -> dict:
    """Weighted least-squares line through ``(x, mean)``, evaluated at ``x0``.

    Used for limits such as ``1/d -> 0``: the errors ``sem`` are treated as
    known, so the interval is a normal one and the fit's chi-square tests the
    straight-line model.

    Parameters
    ----------
    x : array_like
        Abscissae, at least two distinct values.
    mean, sem : array_like
        Measured values and their standard errors (> 0), same length as ``x``.
    x0 : float
        Where to evaluate the line.
    level : float
        Confidence level of the interval.

    Returns
    -------
    dict
        ``value``, ``se``, ``lo``, ``hi`` at ``x0``; ``slope``, ``slope_se``;
        ``chi2``, ``dof`` (points - 2) and ``p_value`` (NaN when dof = 0).
    """
    x, mean, sem = (np.asarray(v, dtype=float) for v in (x, mean, sem))
    if np.unique(x).size < 2:
        raise InvalidParameterError("x needs at least two distinct values for a line")
    x0 = float(x0)
    q = sps.norm.ppf(0.5 + level / 2)
    w = 1.0 / sem**2
    A = np.column_stack([np.ones_like(x), x - x0])  # intercept is the value at x0
    cov = np.linalg.inv(A.T @ (w[:, None] * A))
    coef = cov @ (A.T @ (w * mean))
    chi2 = float(np.sum(w * (mean - A @ coef) ** 2))
    dof = x.size - 2
    value, se = float(coef[0]), float(np.sqrt(cov[0, 0]))
    return {"value": value, "se": se, "lo": value - q * se, "hi": value + q * se,
            "slope": float(coef[1]), "slope_se": float(np.sqrt(cov[1, 1])), "chi2": chi2, "dof": dof,
            "p_value": float(sps.chi2.sf(chi2, dof)) if dof > 0 else float("nan")}


@validate_params(theory=_VALUES, sim=_VALUES, sem=Real(ge=0, array=True), k=Real(gt=0))
def compare(theory, sim, sem, *, k: float = 3.0) -> dict:
    """Theory against simulation: z-score and the verdict ``|z| <= k``.

    Returns
    -------
    dict
        ``theory``, ``sim``, ``sem``, ``z`` (see :func:`zscore`) and
        ``agree`` (bool array, or bool for scalar input).
    """
    z = zscore(theory, sim, sem)
    agree = np.abs(z) <= k
    if np.ndim(z) == 0:
        z, agree = float(z), bool(agree)
    return {"theory": theory, "sim": sim, "sem": sem, "z": z, "agree": agree}


@validate_params(x=Array(ndim=1, gt=0), y=Array(gt=0), level=_LEVEL)
def loglog_slope(x, y, level: float = 0.95) -> tuple[float, float, float]:
    """Least-squares slope of log y on log x with a Student-t interval.

    Parameters
    ----------
    x, y : array_like
        Positive values; ``y`` may be 2-D (points x seeds), every entry is then
        used as an observation at its ``x``.
    level : float
        Confidence level of the interval.

    Returns
    -------
    slope, lo, hi : float
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.ndim > 2 or y.shape[0] != x.size:
        raise InvalidParameterError(f"y must have one row per x (shape ({x.size},) or ({x.size}, seeds)), "
                                    f"got shape {y.shape}")
    if y.ndim == 2:
        x = np.repeat(x, y.shape[1])
        y = y.ravel()
    lx, ly = np.log(x), np.log(y)
    res = sps.linregress(lx, ly)
    dof = lx.size - 2
    if dof < 1:
        raise InvalidParameterError("x and y need at least 3 points for a slope with an interval")
    q = sps.t.ppf(0.5 + level / 2, dof)
    return float(res.slope), float(res.slope - q * res.stderr), float(res.slope + q * res.stderr)


@validate_params(x=Array(ndim=1, shape=("m",), gt=0), mean=_CURVE, se=Array(ndim=1, shape=("m",), gt=0),
                 level=_LEVEL)
def limit_power_fit(x, mean, se, level: float = 0.95) -> dict:
    """Fit ``mean(x) = m_inf + c x^p`` by weighted least squares.

    Used for the systematic finite-width shift of a mean curve, where the
    limit ``m_inf`` is unknown (measuring against the widest network instead
    would bias the exponent).

    Parameters
    ----------
    x : array_like
        Positive abscissae (widths), at least 4 of them.
    mean, se : array_like
        Measured means and their standard errors (> 0), used as known errors.
    level : float
        Confidence level of the normal interval on ``p``.

    Returns
    -------
    dict
        ``m_inf``, ``c``, ``p`` (exponent), ``lo``, ``hi`` (interval on ``p``),
        ``p_se`` and ``chi2_dof`` (reduced chi-square of the fit; about 1 when
        the model describes the data within their errors).
    """
    x, mean, se = (np.asarray(v, dtype=float) for v in (x, mean, se))
    if x.size < 4:
        raise InvalidParameterError(f"x needs at least 4 points for a 3-parameter fit with an interval, got {x.size}")
    model = lambda t, m_inf, c, p: m_inf + c * t**p
    i_min, i_max = int(np.argmin(x)), int(np.argmax(x))
    c0 = (mean[i_min] - mean[i_max]) * x[i_min]
    popt, pcov = optimize.curve_fit(model, x, mean, p0=[mean[i_max], c0, -1.0], sigma=se,
                                    absolute_sigma=True, maxfev=20000)
    p_se = float(np.sqrt(pcov[2, 2]))
    q = sps.norm.ppf(0.5 + level / 2)
    chi2 = float(np.sum(((mean - model(x, *popt)) / se) ** 2))
    return {"m_inf": float(popt[0]), "c": float(popt[1]), "p": float(popt[2]),
            "lo": float(popt[2] - q * p_se), "hi": float(popt[2] + q * p_se), "p_se": p_se,
            "chi2_dof": chi2 / max(x.size - 3, 1)}


@validate_params(x=_CURVE, frac=_CURVE, level=Real())
def crossing(x, frac, level: float = 0.5) -> float:
    """First ``x`` where the increasing curve ``frac(x)`` reaches ``level`` (linear interpolation).

    Returns NaN when the curve never reaches ``level``.
    """
    x = np.asarray(x, dtype=float)
    frac = np.asarray(frac, dtype=float)
    idx = np.nonzero(frac >= level)[0]
    if idx.size == 0:
        return float("nan")
    j = int(idx[0])
    if j == 0:
        return float(x[0])
    x0, x1, f0, f1 = x[j - 1], x[j], frac[j - 1], frac[j]
    return float(x0 + (level - f0) * (x1 - x0) / (f1 - f0))


@validate_params(x=_CURVE, mean=_CURVE, sem=Array(ndim=1, shape=("m",), gt=0), degree=Integer(min=0, max=10),
                 x0=Real())
def polynomial_extrapolation(x, mean, sem, degree: int, x0: float = 0.0) -> dict:
    """Weighted least-squares polynomial of ``degree`` through ``(x, mean)``, evaluated at ``x0``.

    The errors ``sem`` are treated as known.  With ``degree + 1`` points the polynomial
    passes through them (``dof = 0``, no test of the form); with more, ``chi2`` about it
    tests the form.

    Parameters
    ----------
    x : array_like
        Abscissae, at least ``degree + 1`` distinct values.
    mean, sem : array_like
        Measured values and their standard errors (> 0), same length as ``x``.
    degree : int
        Degree of the polynomial in ``x - x0``.
    x0 : float
        Where to evaluate it.

    Returns
    -------
    dict
        ``value``, ``se`` at ``x0``; ``weights`` (the value is ``sum weights * mean``, so
        its variance is ``sum (weights * sem)^2``); ``chi2``, ``dof`` (points - degree - 1)
        and ``p_value`` (NaN when dof = 0).
    """
    x, mean, sem = (np.asarray(v, dtype=float) for v in (x, mean, sem))
    degree = int(degree)
    if np.unique(x).size < degree + 1:
        raise InvalidParameterError(f"x needs at least degree + 1 = {degree + 1} distinct values")
    w = 1.0 / sem**2
    A = np.vander(x - float(x0), degree + 1, increasing=True)  # first coefficient is the value at x0
    cov = np.linalg.inv(A.T @ (w[:, None] * A))
    weights = (cov @ (A * w[:, None]).T)[0]
    coef = cov @ (A.T @ (w * mean))
    chi2 = float(np.sum(w * (mean - A @ coef) ** 2))
    dof = x.size - degree - 1
    return {"value": float(coef[0]), "se": float(np.sqrt(cov[0, 0])), "weights": weights, "chi2": chi2,
            "dof": dof, "p_value": float(sps.chi2.sf(chi2, dof)) if dof > 0 else float("nan")}
