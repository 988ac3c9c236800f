"""Judging simulation against theory in the double-descent chapter.

* :func:`curve_chi2` -- z-scores and a chi-square over one curve of independent points.
* :func:`extrapolate_in_d` -- per point, the weighted least-squares line in ``1/d``
  through means at several ``d``, evaluated at ``1/d = 0`` (the finite-d correction
  of the risk is O(1/d)).
* :func:`path_argmin` -- the minimiser of a simulated ridge path, with a bootstrap
  interval over draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from ._validate import generator, positive_int

__all__ = ["CurveCheck", "curve_chi2", "extrapolate_in_d", "PathArgmin", "path_argmin"]


@dataclass(frozen=True)
class CurveCheck:
    """z-scores and chi-square of one curve.

    Attributes
    ----------
    z : ndarray
        ``(sim - theory) / se`` per point.
    chi2 : float
        ``sum z^2``.
    dof : int
        Number of points.
    p_value : float
        ``P(chi2_dof >= chi2)``.
    """

    z: np.ndarray
    chi2: float
    dof: int
    p_value: float

    @property
    def max_abs_z(self) -> float:
        return float(np.max(np.abs(self.z)))


def curve_chi2(theory, mean, sem) -> CurveCheck:
    """Compare independent simulated points with theory: z-scores, chi-square and its p-value.

    Parameters
    ----------
    theory, mean, sem : array_like (P,)
        Theory values, simulated means and their standard errors (> 0).
    """
    th, m, se = (np.asarray(v, dtype=float).ravel() for v in (theory, mean, sem))
    if not (th.shape == m.shape == se.shape) or th.size == 0:
        raise ValueError(f"theory, mean and sem must be non-empty and of one shape, got {th.shape}, {m.shape}, {se.shape}")
    if not np.all(np.isfinite(th)) or not np.all(np.isfinite(m)):
        raise ValueError("theory and mean must be finite")
    if not np.all(np.isfinite(se)) or np.any(se <= 0):
        raise ValueError("sem must be finite and > 0")
    z = (m - th) / se
    chi2 = float(np.sum(z**2))
    return CurveCheck(z=z, chi2=chi2, dof=int(z.size), p_value=float(sps.chi2.sf(chi2, z.size)))


def extrapolate_in_d(ds, means, sems) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least-squares line in ``1/d`` through the means, evaluated at ``1/d = 0``.

    Parameters
    ----------
    ds : sequence of int (D,)
        At least two distinct dimensions.
    means, sems : array_like (D, ...)
        Means and standard errors at each ``d`` (independent across ``d``).

    Returns
    -------
    (value, se) : ndarrays of the trailing shape
        The intercept and its standard error.
    """
    x = 1.0 / np.asarray(ds, dtype=float)
    m = np.asarray(means, dtype=float)
    s = np.asarray(sems, dtype=float)
    if x.ndim != 1 or x.size < 2 or np.unique(x).size != x.size:
        raise ValueError(f"ds must hold at least two distinct dimensions, got {ds!r}")
    if m.shape != s.shape or m.shape[0] != x.size:
        raise ValueError(f"means and sems must have shape ({x.size}, ...), got {m.shape} and {s.shape}")
    if np.any(~np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("sems must be finite and > 0")
    w = 1.0 / s**2
    xs = x.reshape((-1,) + (1,) * (m.ndim - 1))
    S, Sx, Sxx = w.sum(0), (w * xs).sum(0), (w * xs**2).sum(0)
    Sy, Sxy = (w * m).sum(0), (w * xs * m).sum(0)
    det = S * Sxx - Sx**2
    value = (Sxx * Sy - Sx * Sxy) / det
    se = np.sqrt(Sxx / det)
    return value, se


@dataclass(frozen=True)
class PathArgmin:
    """Minimiser of a simulated ridge path.

    Attributes
    ----------
    lam : float
        Minimiser of the parabola in ``log lambda`` through the three grid points
        around the smallest mean.
    lo, hi : float
        Percentile bootstrap interval (over draws) of the same estimator.
    log_se : float
        Bootstrap standard deviation of ``log lambda``.
    at_edge : bool
        The smallest mean is at an end of the grid (the estimate is then that end).
    """

    lam: float
    lo: float
    hi: float
    log_se: float
    at_edge: bool


def _argmin_log(loglam, curve):
    i = int(np.argmin(curve))
    if i == 0 or i == curve.size - 1:
        return loglam[i], True
    x, y = loglam[i - 1:i + 2], curve[i - 1:i + 2]
    a, b, _ = np.polyfit(x - x[1], y, 2)
    return (x[1] - b / (2 * a) if a > 0 else x[1]), False


def path_argmin(lams, values, *, rng, n_boot: int = 2000, level: float = 0.95) -> PathArgmin:
    """Argmin over ``lambda`` of the mean of simulated ridge paths, with a bootstrap interval.

    Parameters
    ----------
    lams : array_like (L,)
        Increasing ridge values (> 0).
    values : array_like (L, S)
        One path per draw (columns are draws).
    rng : Generator or int
        For the bootstrap resampling of draws.
    n_boot : int
        Bootstrap replicates.
    level : float
        Interval coverage.
    """
    loglam = np.log(np.asarray(lams, dtype=float))
    v = np.asarray(values, dtype=float)
    if loglam.ndim != 1 or loglam.size < 3 or np.any(np.diff(loglam) <= 0) or not np.all(np.isfinite(loglam)):
        raise ValueError("lams must be at least three increasing positive values")
    if v.ndim != 2 or v.shape[0] != loglam.size or v.shape[1] < 2:
        raise ValueError(f"values must have shape ({loglam.size}, S) with S >= 2, got {v.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    rng = generator(rng)
    n_boot = positive_int("n_boot", n_boot)
    est, edge = _argmin_log(loglam, v.mean(axis=1))
    S = v.shape[1]
    idx = rng.integers(0, S, size=(n_boot, S))
    boot = np.array([_argmin_log(loglam, v[:, row].mean(axis=1))[0] for row in idx])
    q = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return PathArgmin(lam=float(np.exp(est)), lo=float(np.exp(q[0])), hi=float(np.exp(q[1])),
                      log_se=float(boot.std(ddof=1)), at_edge=edge)
