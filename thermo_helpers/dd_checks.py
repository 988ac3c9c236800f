"""Judging simulation against theory in the double-descent chapter.

* :func:`curve_chi2` -- z-scores and a chi-square over one curve of independent points.
* :func:`extrapolate_in_d` -- per point, the weighted least-squares line in ``1/d``
  through means at several ``d``, evaluated at ``1/d = 0`` (the finite-d correction
  of the risk is O(1/d)).
* :func:`path_argmin` -- the minimiser of a simulated ridge path, with a bootstrap
  interval over draws.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from scipy.optimize import brentq

from ._validate import generator, positive_int
from .double_descent import rf_ridge_asymptotics

__all__ = ["CurveCheck", "curve_chi2", "extrapolate_in_d", "PathArgmin", "path_argmin", "detectable_shift",
           "agreement_rows", "stream_seed", "optimal_ridge_rows", "paired_rows", "activation_rows", "reference_rows"]


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


def detectable_shift(theory, sem, *, alpha: float = 0.01, power: float = 0.8) -> float:
    """Smallest uniform relative error of the theory that a chi-square test over the curve detects.

    A theory off by the factor ``1 + delta`` at every point shifts each z-score by
    ``delta theory / sem``; the chi-square statistic then follows a noncentral
    chi-square with noncentrality ``delta^2 sum (theory / sem)^2``.  Returns the
    ``delta`` at which the test at level ``alpha`` rejects with probability ``power``.
    """
    th, se = (np.asarray(v, dtype=float).ravel() for v in (theory, sem))
    if th.shape != se.shape or th.size == 0 or np.any(se <= 0) or not np.all(np.isfinite(th / se)):
        raise ValueError("theory and sem must be non-empty, of one shape, finite, with sem > 0")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha and power must lie in (0, 1), got {alpha!r}, {power!r}")
    dof = th.size
    crit = sps.chi2.isf(alpha, dof)
    nc = brentq(lambda c: sps.ncx2.sf(crit, dof, c) - power, 1e-9, 1e6)
    return float(np.sqrt(nc / np.sum((th / se) ** 2)))


def agreement_rows(theory, means_by_d: dict, sems_by_d: dict, labels, *, alpha: float = 0.01) -> tuple[list, dict]:
    """One table row per curve: chi-square at each d, and after the 1/d extrapolation.

    Parameters
    ----------
    theory : array_like (P, C)
        Theory at ``P`` independent points for ``C`` curves.
    means_by_d, sems_by_d : dict of int -> array_like (P, C)
        Simulated means and standard errors at each dimension (at least two).
    labels : sequence (C,)
        Curve labels (the first column of the table).
    alpha : float
        Level of the verdict: ``agrees`` when the extrapolated curve's p-value is >= alpha.

    Returns
    -------
    rows : list of dict
        ``curve``, ``chi2/dof d=...`` and ``p d=...`` per d, ``chi2/dof 1/d->0``,
        ``p 1/d->0``, ``max|z| 1/d->0``, ``detectable`` (see :func:`detectable_shift`)
        and ``verdict``.
    extrapolated : dict
        ``value`` and ``se`` (P, C) of the extrapolated means and ``checks``, the
        :class:`CurveCheck` of each curve.
    """
    th = np.asarray(theory, dtype=float)
    ds = sorted(means_by_d)
    value, se = extrapolate_in_d(ds, [means_by_d[d] for d in ds], [sems_by_d[d] for d in ds])
    rows, checks = [], []
    for c, lab in enumerate(labels):
        row = {"curve": lab}
        for d in ds:
            ck = curve_chi2(th[:, c], np.asarray(means_by_d[d])[:, c], np.asarray(sems_by_d[d])[:, c])
            row[f"chi2/dof d={d}"], row[f"p d={d}"] = ck.chi2 / ck.dof, ck.p_value
        ck = curve_chi2(th[:, c], value[:, c], se[:, c])
        checks.append(ck)
        row.update({"chi2/dof 1/d->0": ck.chi2 / ck.dof, "p 1/d->0": ck.p_value, "max|z| 1/d->0": ck.max_abs_z,
                    "detectable": detectable_shift(th[:, c], se[:, c], alpha=alpha),
                    "verdict": "agrees" if ck.p_value >= alpha else "DISAGREES"})
        rows.append(row)
    return rows, {"value": value, "se": se, "checks": checks}


def stream_seed(base_seed: int, label: str) -> int:
    """An independent integer seed for the part of a chapter called ``label``.

    ``SeedSequence([base_seed, crc32(label)])``: different labels give unrelated
    streams, and the same label always gives the same one.
    """
    if isinstance(base_seed, bool) or not isinstance(base_seed, (int, np.integer)) or base_seed < 0:
        raise ValueError(f"base_seed must be a non-negative integer, got {base_seed!r}")
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string, got {label!r}")
    ss = np.random.SeedSequence([int(base_seed), zlib.crc32(label.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def optimal_ridge_rows(ratios, lams, sims_by_d: dict, theory_opt, *, rng, alpha: float = 0.01,
                       n_boot: int = 1000) -> tuple[list, dict]:
    """Simulated optimal ridge at each width and each d, extrapolated in ``1/d``, against theory.

    Parameters
    ----------
    ratios : sequence (P,)
        Widths ``N/n`` (labels only).
    lams : array_like (L,)
        The simulated ridge path (increasing, > 0).
    sims_by_d : dict of int -> RFRidgeSimulation
        ``raw["test"]`` of shape ``(P, L, S)``.
    theory_opt : sequence (P,)
        Theory's optimal ridge at each width.
    rng : Generator or int
        Bootstrap resampling.

    Returns
    -------
    rows : list of dict
    summary : dict
        ``chi2``, ``dof``, ``p_value``, ``max_abs_z`` and ``verdict`` over the widths.
    """
    rng = generator(rng)
    ds = sorted(sims_by_d)
    rows, logs, ses = [], {d: [] for d in ds}, {d: [] for d in ds}
    for i, r in enumerate(ratios):
        row = {"N/n": r, "theory": float(theory_opt[i])}
        for d in ds:
            a = path_argmin(lams, sims_by_d[d].raw["test"][i], rng=rng, n_boot=n_boot)
            if a.at_edge:
                raise ValueError(f"the simulated optimum at N/n = {r:g}, d = {d} is at the end of the ridge path")
            row[f"d={d} [95% interval]"] = f"{a.lam:.3f} [{a.lo:.3f}, {a.hi:.3f}]"
            logs[d].append(np.log(a.lam))
            ses[d].append(a.log_se)
        rows.append(row)
    value, se = extrapolate_in_d(ds, [logs[d] for d in ds], [ses[d] for d in ds])
    ck = curve_chi2(np.log(np.asarray(theory_opt, dtype=float)), value, se)
    for row, v, s, z in zip(rows, value, se, ck.z):
        row.update({"1/d->0": f"{np.exp(v):.3f} [{np.exp(v - 1.96 * s):.3f}, {np.exp(v + 1.96 * s):.3f}]", "z": z})
    return rows, {"chi2": ck.chi2, "dof": ck.dof, "p_value": ck.p_value, "max_abs_z": ck.max_abs_z,
                  "verdict": "agrees" if ck.p_value >= alpha else "DISAGREES"}


def paired_rows(a_by_d: dict, b_by_d: dict, ratios, lams, key: str = "test", *, alpha: float = 0.01) -> tuple[list, list]:
    """Paired gaps between two simulations that share their seeds, at each d and extrapolated in ``1/d``.

    ``a_by_d[d]`` and ``b_by_d[d]`` are RFRidgeSimulation objects drawn with the same
    seeds, so draw ``s`` of both shares its data.  The gap of draw ``s`` is
    ``a - b``; its mean over draws and standard error are taken at each ``d`` and
    extrapolated linearly in ``1/d`` to ``d -> infinity``.

    Returns
    -------
    rows : list of dict
        One per (width, ridge): the gap and its z-score at each d and after the extrapolation.
    curves : list of dict
        One per ridge: chi-square of the extrapolated gaps against 0 over the widths, with verdict.
    """
    ds = sorted(a_by_d)
    gaps = {d: a_by_d[d].raw[key] - b_by_d[d].raw[key] for d in ds}           # (P, L, S)
    means = {d: g.mean(axis=-1) for d, g in gaps.items()}
    sems = {d: g.std(axis=-1, ddof=1) / np.sqrt(g.shape[-1]) for d, g in gaps.items()}
    value, se = extrapolate_in_d(ds, [means[d] for d in ds], [sems[d] for d in ds])
    rows, curves = [], []
    for k, lam in enumerate(lams):
        for i, r in enumerate(ratios):
            row = {"N/n": r, "lambda": lam}
            for d in ds:
                row[f"gap d={d}"], row[f"z d={d}"] = means[d][i, k], means[d][i, k] / sems[d][i, k]
            row["gap 1/d->0"], row["z 1/d->0"] = value[i, k], value[i, k] / se[i, k]
            rows.append(row)
        ck = curve_chi2(np.zeros(len(ratios)), value[:, k], se[:, k])
        curves.append({"lambda": lam, "chi2": ck.chi2, "dof": ck.dof, "p": ck.p_value,
                       "verdict": "agrees" if ck.p_value >= alpha else "DISAGREES"})
    return rows, curves


def activation_rows(sims: dict, specs: dict, psi1, psi2, *, F1: float, tau: float, alpha: float = 0.01) -> list:
    """Each activation's simulation against its own theory curve, and the first two against each other.

    ``specs[name] = (activation, lam)``; ``sims[name]`` maps each d to an
    RFRidgeSimulation with one ridge value.  Means are extrapolated in ``1/d``.
    """
    rows, ext = [], {}
    for name, (act, lam) in specs.items():
        th = rf_ridge_asymptotics(psi1, psi2, lam, activation=act, F1=F1, tau=tau).test_error
        ds = sorted(sims[name])
        ext[name] = extrapolate_in_d(ds, [sims[name][d].mean()[:, 0] for d in ds], [sims[name][d].sem()[:, 0] for d in ds])
        ck = curve_chi2(th, *ext[name])
        rows.append({"comparison": f"{name} vs its theory", "chi2/dof": ck.chi2 / ck.dof, "p": ck.p_value,
                     "max|z|": ck.max_abs_z, "verdict": "agrees" if ck.p_value >= alpha else "DISAGREES"})
    first, second = list(specs)[:2]
    (m1, s1), (m2, s2) = ext[first], ext[second]
    ck = curve_chi2(np.zeros_like(m1), m1 - m2, np.hypot(s1, s2))
    rows.append({"comparison": f"{first} - {second} = 0", "chi2/dof": ck.chi2 / ck.dof, "p": ck.p_value,
                 "max|z|": ck.max_abs_z, "verdict": "agrees" if ck.p_value >= alpha else "DISAGREES"})
    return rows


def reference_rows(tables: dict) -> list:
    """Flatten ``{name: rows from agreement_rows}`` to ``curve``, ``chi2/dof`` and ``verdict`` after the extrapolation."""
    return [{"curve": f"{name}: {row['curve']}", "chi2/dof": row["chi2/dof 1/d->0"], "verdict": row["verdict"]}
            for name, rows in tables.items() for row in rows]
