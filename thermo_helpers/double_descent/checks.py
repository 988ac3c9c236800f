"""Judging simulation against theory in the double-descent chapter.

* :func:`curve_chi2` -- z-scores and a chi-square over one curve of independent points.
  A standard error estimated from ``S`` draws makes ``z`` Student-t with ``S - 1``
  degrees of freedom, not normal; with ``dof`` given, each ``z`` is first mapped
  to the normal quantile of the same tail probability, so that the chi-square
  is calibrated even with few draws.
* :func:`_extrapolate_in_d` -- per point, the weighted least-squares line in ``1/d``
  (:func:`thermo_helpers.stats.linear_extrapolation`) evaluated at ``1/d = 0``; the
  leading finite-d correction of the risk is O(1/d).  Its degrees of freedom
  follow Welch and Satterthwaite.
* :func:`_path_argmin` -- the minimiser of a simulated ridge path, with a bootstrap
  interval over draws.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from scipy.optimize import brentq

from .. import stats
from .._validate import Array, Instance, Integer, ListOf, OrNone, RNG, Real, Seed, Text, Unchecked, generator, validate_params
from .theory import rf_ridge_asymptotics

__all__ = ["CurveCheck", "curve_chi2", "Extrapolation", "agreement_rows",
           "PathArgmin", "optimal_ridge_rows", "paired_rows", "activation_rows", "reference_rows",
           "stream_seed"]

_VALUES = Real(array=True)
_DOF = Real(gt=0, array=True, finite=False)


def _verdict(p: float, alpha: float) -> str:
    return "agrees" if p >= alpha else "disagrees"


@dataclass(frozen=True)
class CurveCheck:
    """z-scores and chi-square of one curve.

    Attributes
    ----------
    z : ndarray
        ``(sim - theory) / se`` per point.
    z_normal : ndarray
        ``z`` mapped to the normal scale (equal to ``z`` without ``dof``).
    chi2 : float
        ``sum z_normal^2``.
    dof : int
        Number of points.
    p_value : float
        ``P(chi2_dof >= chi2)``.
    """

    z: np.ndarray
    z_normal: np.ndarray
    chi2: float
    dof: int
    p_value: float

    @property
    def max_abs_z(self) -> float:
        return float(np.max(np.abs(self.z)))


@validate_params(theory=_VALUES, mean=_VALUES, sem=Real(gt=0, array=True), dof=Unchecked("None or positive dofs"))
def curve_chi2(theory, mean, sem, dof=None) -> CurveCheck:
    """Compare independent simulated points with theory: z-scores, chi-square and its p-value.

    Parameters
    ----------
    theory, mean, sem : array_like (P,)
        Theory values, simulated means and their standard errors (> 0).
    dof : array_like (P,) or float, optional
        Degrees of freedom of each standard error (``S - 1`` for ``S`` draws,
        ``inf`` or ``None`` when it is known exactly).
    """
    th, m, se = (np.asarray(v, dtype=float).ravel() for v in (theory, mean, sem))
    if not th.shape == m.shape == se.shape:
        raise ValueError(f"theory, mean and sem must have one shape, got {th.shape}, {m.shape}, {se.shape}")
    z = stats.zscore(th, m, se)
    zn = z
    if dof is not None:
        nu = np.broadcast_to(np.asarray(dof, dtype=float), z.shape)
        if np.any(~(nu > 0)):
            raise ValueError(f"dof must be > 0, got {dof!r}")
        with np.errstate(invalid="ignore"):
            zn = np.where(np.isfinite(nu), np.sign(z) * sps.norm.isf(sps.t.sf(np.abs(z), np.where(np.isfinite(nu), nu, 1.0))), z)
    chi2, n, p = stats.chi2_test(np.zeros_like(zn), zn, np.ones_like(zn))
    return CurveCheck(z=z, z_normal=zn, chi2=float(chi2), dof=int(n), p_value=float(p))


@dataclass(frozen=True)
class Extrapolation:
    """Means extrapolated to ``1/d = 0``: ``value``, ``se`` and Welch--Satterthwaite ``dof`` (same shape).

    ``form_chi2`` (same shape) is the chi-square of each point's means about its fitted line in
    ``1/d``, with ``form_dof = D - 2`` degrees of freedom: the test of the ``1/d`` form itself,
    possible only with three or more dimensions (``form_dof = 0`` otherwise).
    """

    value: np.ndarray
    se: np.ndarray
    dof: np.ndarray
    form_chi2: np.ndarray | None = None
    form_dof: int = 0


def _extrapolate_in_d(ds, means, sems, dofs=None, degree: int = 1) -> Extrapolation:
    """Weighted least-squares line in ``1/d`` through the means, evaluated at ``1/d = 0``.

    Parameters
    ----------
    ds : sequence of int (D,)
        At least two distinct dimensions.
    means, sems : array_like (D, ...)
        Means and standard errors at each ``d`` (independent across ``d``).
    dofs : sequence (D,), optional
        Degrees of freedom of the standard errors at each ``d`` (``inf`` by default).
    degree : int
        1 for the line in ``1/d``; 2 adds the ``1/d^2`` term (needs three dimensions).

    Returns
    -------
    Extrapolation
        Arrays of the trailing shape of ``means``.
    """
    x = 1.0 / np.asarray(ds, dtype=float)
    m, s = np.asarray(means, dtype=float), np.asarray(sems, dtype=float)
    if m.shape != s.shape or m.shape[0] != x.size:
        raise ValueError(f"means and sems must have shape ({x.size}, ...), got {m.shape} and {s.shape}")
    nu = np.full(x.size, np.inf) if dofs is None else np.asarray(dofs, dtype=float)
    if nu.shape != x.shape or np.any(~(nu > 0)):
        raise ValueError(f"dofs must hold one positive value per d, got {dofs!r}")
    flat_m, flat_s = m.reshape(x.size, -1), s.reshape(x.size, -1)
    value, se, dof, form = (np.empty(flat_m.shape[1]) for _ in range(4))
    for j in range(flat_m.shape[1]):
        fit = stats.polynomial_extrapolation(x, flat_m[:, j], flat_s[:, j], degree, x0=0.0)
        value[j], se[j], form[j] = fit["value"], fit["se"], fit["chi2"]
        # the intercept is sum_i c_i m_i; its variance sum_i c_i^2 s_i^2 is split by Welch-Satterthwaite
        parts = (fit["weights"] * flat_s[:, j]) ** 2
        with np.errstate(divide="ignore"):
            dof[j] = parts.sum() ** 2 / np.sum(parts**2 / nu)
    shape = m.shape[1:]
    return Extrapolation(value=value.reshape(shape), se=se.reshape(shape), dof=dof.reshape(shape),
                         form_chi2=form.reshape(shape), form_dof=int(x.size - 1 - degree))


def _form_p(ext: Extrapolation, c: int) -> float:
    """p-value of the ``1/d`` form over curve ``c``: the summed chi-square of its points' line fits."""
    if ext.form_dof < 1 or ext.form_chi2 is None:
        return float("nan")
    chi2 = float(np.sum(ext.form_chi2[:, c]))
    return float(sps.chi2.sf(chi2, ext.form_dof * ext.form_chi2.shape[0]))


def _detectable_shift(theory, sem, *, alpha: float = 0.01, power: float = 0.8) -> float:
    """Smallest uniform relative error of the theory that a chi-square test over the curve detects.

    A theory off by the factor ``1 + delta`` at every point shifts each z-score by
    ``delta theory / sem``; the chi-square statistic then follows a noncentral
    chi-square with noncentrality ``delta^2 sum (theory / sem)^2``.  Returns the
    ``delta`` at which the test at level ``alpha`` rejects with probability ``power``.
    """
    th, se = (np.asarray(v, dtype=float).ravel() for v in (theory, sem))
    if th.shape != se.shape or not np.any(th != 0):
        raise ValueError("theory and sem must have one shape, with some theory value != 0")
    dof = th.size
    crit = sps.chi2.isf(alpha, dof)
    nc = brentq(lambda c: sps.ncx2.sf(crit, dof, c) - power, 1e-9, 1e6)
    return float(np.sqrt(nc / np.sum((th / se) ** 2)))


@validate_params(theory=Array(ndim=2), means_by_d=Instance(dict), sems_by_d=Instance(dict), labels=ListOf(Text()),
                 seeds=Integer(min=2), points=OrNone(Array(ndim=1)), alpha=Real(gt=0, lt=1))
def agreement_rows(theory, means_by_d: dict, sems_by_d: dict, labels, *, seeds: int, points=None,
                   alpha: float = 0.01) -> tuple[list, Extrapolation, list]:
    """One table row per curve: chi-square at each d, and after the 1/d extrapolation.

    Parameters
    ----------
    theory : array_like (P, C)
        Theory at ``P`` independent points for ``C`` curves.
    means_by_d, sems_by_d : dict of int -> array_like (P, C)
        Simulated means and standard errors at each dimension (at least two).
    labels : list of str (C,)
        Curve labels (the first column of the table).
    seeds : int
        Draws behind each mean (the standard errors have ``seeds - 1`` degrees of freedom).
    points : array_like (P,), optional
        Abscissae of the points; adds the column ``max|z| at``.
    alpha : float
        Level of the verdict: ``agrees`` when the extrapolated curve's p-value is >= alpha.

    Returns
    -------
    rows : list of dict
        ``curve``, ``chi2/dof d=...`` and ``p d=...`` per d, ``chi2/dof 1/d->0``,
        ``p 1/d->0``, ``max|z| 1/d->0``, ``detectable`` (see :func:`_detectable_shift`),
        ``form p`` (the chi-square test of the ``1/d`` form over the curve's points, NaN with
        only two dimensions), ``form`` (the rule fixed in advance: with three or more
        dimensions, a curve whose ``form p < alpha`` is extrapolated with an added ``1/d^2``
        term, ``"1/d + 1/d^2"``; otherwise ``"1/d"``) and ``verdict``.
    extrapolated : Extrapolation
        Arrays (P, C).
    checks : list of CurveCheck
        The extrapolated check of each curve.
    """
    th = np.asarray(theory, dtype=float)
    ds = sorted(means_by_d)
    args = ([means_by_d[d] for d in ds], [sems_by_d[d] for d in ds], [seeds - 1] * len(ds))
    ext = _extrapolate_in_d(ds, *args)
    forms = [_form_p(ext, c) for c in range(th.shape[1])]
    quad = [c for c, p in enumerate(forms) if len(ds) >= 3 and p < alpha]  # the rule fixed in advance
    if quad:
        q = _extrapolate_in_d(ds, *args, degree=2)
        v, s_, nu = ext.value.copy(), ext.se.copy(), ext.dof.copy()
        v[:, quad], s_[:, quad], nu[:, quad] = q.value[:, quad], q.se[:, quad], q.dof[:, quad]
        ext = Extrapolation(value=v, se=s_, dof=nu, form_chi2=ext.form_chi2, form_dof=ext.form_dof)
    rows, checks = [], []
    for c, lab in enumerate(labels):
        row = {"curve": lab}
        for d in ds:
            ck = curve_chi2(th[:, c], np.asarray(means_by_d[d])[:, c], np.asarray(sems_by_d[d])[:, c], seeds - 1)
            row[f"chi2/dof d={d}"], row[f"p d={d}"] = ck.chi2 / ck.dof, ck.p_value
        ck = curve_chi2(th[:, c], ext.value[:, c], ext.se[:, c], ext.dof[:, c])
        checks.append(ck)
        row.update({"chi2/dof 1/d->0": ck.chi2 / ck.dof, "p 1/d->0": ck.p_value, "max|z| 1/d->0": ck.max_abs_z,
                    "detectable": _detectable_shift(th[:, c], ext.se[:, c], alpha=alpha),
                    "form p": forms[c], "form": "1/d + 1/d^2" if c in quad else "1/d",
                    "verdict": _verdict(ck.p_value, alpha)})
        if points is not None:
            row["max|z| at"] = float(np.asarray(points)[np.argmax(np.abs(ck.z))])
        rows.append(row)
    return rows, ext, checks


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


def _path_argmin(lams, values, *, rng, n_boot: int = 2000, level: float = 0.95) -> PathArgmin:
    """Argmin over ``lambda`` of the mean of simulated ridge paths, with a bootstrap interval.

    Parameters
    ----------
    lams : array_like (L,)
        Increasing ridge values (> 0), at least three.
    values : array_like (L, S)
        One path per draw (columns are draws, S >= 2).
    rng : Generator or int
        For the bootstrap resampling of draws.
    n_boot : int
        Bootstrap replicates.
    level : float
        Interval coverage.
    """
    loglam = np.log(np.asarray(lams, dtype=float))
    v = np.asarray(values, dtype=float)
    if loglam.size < 3 or np.any(np.diff(loglam) <= 0):
        raise ValueError("lams must be at least three increasing positive values")
    if v.shape[0] != loglam.size or v.shape[1] < 2:
        raise ValueError(f"values must have shape ({loglam.size}, S) with S >= 2, got {v.shape}")
    rng = generator(rng)
    est, edge = _argmin_log(loglam, v.mean(axis=1))
    S = v.shape[1]
    idx = rng.integers(0, S, size=(n_boot, S))
    boot = np.array([_argmin_log(loglam, v[:, row].mean(axis=1))[0] for row in idx])
    q = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return PathArgmin(lam=float(np.exp(est)), lo=float(np.exp(q[0])), hi=float(np.exp(q[1])),
                      log_se=float(boot.std(ddof=1)), at_edge=edge)


@validate_params(ratios=Array(ndim=1), lams=Array(ndim=1, gt=0), sims_by_d=Instance(dict), theory_opt=Array(ndim=1, gt=0),
                 rng=RNG(), alpha=Real(gt=0, lt=1), n_boot=Integer(min=10, max=10**6))
def optimal_ridge_rows(ratios, lams, sims_by_d: dict, theory_opt, *, rng, alpha: float = 0.01,
                       n_boot: int = 1000) -> tuple[list, dict]:
    """Simulated optimal ridge at each width and each d, extrapolated in ``1/d``, against theory.

    Parameters
    ----------
    ratios : array_like (P,)
        Widths ``N/n`` (labels only).
    lams : array_like (L,)
        The simulated ridge path (increasing, > 0).
    sims_by_d : dict of int -> RFRidgeSimulation
        ``raw["test"]`` of shape ``(P, L, S)``.
    theory_opt : array_like (P,)
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
            a = _path_argmin(lams, sims_by_d[d].raw["test"][i], rng=rng, n_boot=n_boot)
            if a.at_edge:
                raise ValueError(f"the simulated optimum at N/n = {r:g}, d = {d} is at the end of the ridge path")
            row[f"d={d} [95% interval]"] = f"{a.lam:.3f} [{a.lo:.3f}, {a.hi:.3f}]"
            logs[d].append(np.log(a.lam))
            ses[d].append(a.log_se)
        rows.append(row)
    ext = _extrapolate_in_d(ds, [logs[d] for d in ds], [ses[d] for d in ds])
    ck = curve_chi2(np.log(np.asarray(theory_opt, dtype=float)), ext.value, ext.se)
    for row, v, s, z in zip(rows, ext.value, ext.se, ck.z):
        row.update({"1/d->0": f"{np.exp(v):.3f} [{np.exp(v - 1.96 * s):.3f}, {np.exp(v + 1.96 * s):.3f}]", "z": z})
    return rows, {"chi2": ck.chi2, "dof": ck.dof, "p_value": ck.p_value, "max_abs_z": ck.max_abs_z,
                  "verdict": _verdict(ck.p_value, alpha)}


@validate_params(a_by_d=Instance(dict), b_by_d=Instance(dict), ratios=Array(ndim=1), lams=Array(ndim=1, ge=0),
                 key=Text(), alpha=Real(gt=0, lt=1))
def paired_rows(a_by_d: dict, b_by_d: dict, ratios, lams, key: str = "test", *, alpha: float = 0.01) -> tuple[list, list]:
    """Paired gaps between two simulations that share their seeds, at each d and extrapolated in ``1/d``.

    ``a_by_d[d]`` and ``b_by_d[d]`` are RFRidgeSimulation objects drawn with the same
    seeds, so draw ``s`` of both shares its data.  The gap of draw ``s`` is
    ``a - b`` (:func:`thermo_helpers.stats.paired_gap`); its mean and standard
    error at each ``d`` are extrapolated linearly in ``1/d`` to ``d -> infinity``.

    Returns
    -------
    rows : list of dict
        One per (width, ridge): the gap and its z-score at each d and after the extrapolation.
    curves : list of dict
        One per ridge: chi-square of the extrapolated gaps against 0 over the widths, with verdict.
    """
    ds = sorted(a_by_d)
    gaps = {d: stats.paired_gap(a_by_d[d].raw[key], b_by_d[d].raw[key], axis=-1) for d in ds}
    seeds = {d: a_by_d[d].seeds for d in ds}
    ext = _extrapolate_in_d(ds, [gaps[d][0] for d in ds], [gaps[d][1] for d in ds], [seeds[d] - 1 for d in ds])
    rows, curves = [], []
    for k, lam in enumerate(lams):
        for i, r in enumerate(ratios):
            row = {"N/n": r, "lambda": lam}
            for d in ds:
                row[f"gap d={d}"], row[f"z d={d}"] = gaps[d][0][i, k], gaps[d][0][i, k] / gaps[d][1][i, k]
            row["gap 1/d->0"], row["z 1/d->0"] = ext.value[i, k], ext.value[i, k] / ext.se[i, k]
            rows.append(row)
        ck = curve_chi2(np.zeros(len(ratios)), ext.value[:, k], ext.se[:, k], ext.dof[:, k])
        curves.append({"lambda": lam, "chi2": ck.chi2, "dof": ck.dof, "p": ck.p_value, "verdict": _verdict(ck.p_value, alpha)})
    return rows, curves


@validate_params(sims=Instance(dict), specs=Instance(dict), psi1=Real(gt=0, array=True), psi2=Real(gt=0, array=True),
                 F1=Real(ge=0), tau=Real(ge=0), alpha=Real(gt=0, lt=1))
def activation_rows(sims: dict, specs: dict, psi1, psi2, *, F1: float, tau: float, alpha: float = 0.01) -> list:
    """Each activation's simulation against its own theory curve, and the first two against each other.

    ``specs[name] = (activation, lam)``; ``sims[name]`` maps each d to an
    RFRidgeSimulation with one ridge value.  Means are extrapolated in ``1/d``.
    """
    rows, ext = [], {}
    for name, (act, lam) in specs.items():
        th = rf_ridge_asymptotics(psi1, psi2, lam, activation=act, F1=F1, tau=tau).test_error
        by_d = sims[name]
        ds = sorted(by_d)
        ext[name] = _extrapolate_in_d(ds, [by_d[d].mean()[:, 0] for d in ds], [by_d[d].sem()[:, 0] for d in ds],
                                     [by_d[d].seeds - 1 for d in ds])
        ck = curve_chi2(th, ext[name].value, ext[name].se, ext[name].dof)
        rows.append({"comparison": f"{name} vs its theory", "chi2/dof": ck.chi2 / ck.dof, "p": ck.p_value,
                     "max|z|": ck.max_abs_z, "verdict": _verdict(ck.p_value, alpha)})
    first, second = list(specs)[:2]
    e1, e2 = ext[first], ext[second]
    se = np.hypot(e1.se, e2.se)
    dof = se**4 / (e1.se**4 / e1.dof + e2.se**4 / e2.dof)
    ck = curve_chi2(np.zeros_like(e1.value), e1.value - e2.value, se, dof)
    rows.append({"comparison": f"{first} - {second} = 0", "chi2/dof": ck.chi2 / ck.dof, "p": ck.p_value,
                 "max|z|": ck.max_abs_z, "verdict": _verdict(ck.p_value, alpha)})
    return rows


@validate_params(tables=Instance(dict))
def reference_rows(tables: dict) -> list:
    """Flatten ``{name: rows from agreement_rows}`` to ``curve``, ``chi2/dof`` and ``verdict`` after the extrapolation."""
    return [{"curve": f"{name}: {row['curve']}", "chi2/dof": row["chi2/dof 1/d->0"],
             "form p": row.get("form p", float("nan")), "form": row.get("form", "1/d"), "verdict": row["verdict"]}
            for name, rows in tables.items() for row in rows]


@validate_params(base_seed=Seed(), label=Text())
def stream_seed(base_seed: int, label: str) -> int:
    """An independent integer seed for the part of a chapter called ``label``.

    ``SeedSequence([base_seed, crc32(label)])``: different labels give unrelated
    streams, and the same label always gives the same one.
    """
    if not label:
        raise ValueError("label must be a non-empty string")
    ss = np.random.SeedSequence([int(base_seed), zlib.crc32(label.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])
