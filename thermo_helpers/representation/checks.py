"""Theory-against-computation checks of the representation chapter (tables for the notebook).

Every check returns rows for :func:`thermo_helpers.report.table` with the
theory, the computed mean, its standard error over independent draws, the
z-score, and a verdict, plus a chi-square over the curve with its p-value
(:mod:`thermo_helpers.stats`).
"""

from __future__ import annotations

import numpy as np
import scipy.stats as sps

from .._validate import Instance, Integer, ListOf, OrNone, Real, Text, Unchecked, validate_params

from .. import report, stats
from ..sweep import SweepResult

__all__ = ["curve_check", "identity_check", "sgd_spread", "chi2_row", "z_row", "tolerance_row", "inverse_d_fit",
           "interval_row"]

P_LEVEL = report.THRESHOLD
"""A chi-square p-value below this is read as a disagreement (the book's one level)."""


def _verdict(p_value: float) -> str:
    """The book's verdict of a p-value (:func:`thermo_helpers.report.verdict_p`)."""
    return report.verdict_p(p_value)


@validate_params(theory=Real(array=True), mean=Real(array=True), sem=Real(gt=0, array=True))
def curve_check(theory, mean, sem) -> dict:
    """Chi-square of a computed curve against a theory curve.

    Returns
    -------
    dict
        ``chi2``, ``dof``, ``p`` (upper tail), ``max_abs_z`` and ``verdict``.
    """
    chi2, dof, p = stats.chi2_test(theory, mean, sem)
    z = stats.zscore(theory, mean, sem)
    return {"chi2": chi2, "dof": dof, "p": p, "max_abs_z": float(np.max(np.abs(z))), "verdict": _verdict(p)}


@validate_params(res=Instance(SweepResult), d_values=ListOf(Integer(min=1), min_len=1))
def identity_check(res: SweepResult, d_values) -> tuple[list[dict], dict]:
    """The Schur identity against the exact RF risks of a sweep of :func:`rf_identity_draw` over ``d``.

    Parameters
    ----------
    res : SweepResult
        From ``run_sweep(rf_identity_draw, {"d": d_values}, ...)``.
    d_values : sequence of int
        The grid.

    Returns
    -------
    rows, total
        One row per ``d``: means of the theorem, the exact risk and the
        identity, the paired gap ``exact - identity`` with its standard error
        and z-score, and the gap ``exact - theorem`` with its z-score.
        ``total``: the chi-square of the paired gaps against 0
        (:func:`curve_check`) and of ``exact - theorem``.
    """
    exact, ident, theo = (np.asarray(res.values[k]) for k in ("exact", "identity", "theorem"))
    gap, gap_se = stats.paired_gap(exact, ident)
    off, off_se = stats.paired_gap(exact, theo)
    rows = []
    for i, d in enumerate(d_values):
        rows.append({"d": int(d), "draws": exact.shape[-1], "theorem": theo[i].mean(), "exact": exact[i].mean(),
                     "identity": ident[i].mean(), "exact - identity": gap[i], "s.e.": gap_se[i],
                     "z (identity)": float(stats.zscore(0.0, gap[i], gap_se[i])),
                     "z (theorem)": float(stats.zscore(0.0, off[i], off_se[i]))})
    total = {"identity": curve_check(np.zeros_like(gap), gap, gap_se),
             "theorem": curve_check(np.zeros_like(off), off, off_se)}
    return rows, total


@validate_params(values=Real(array=True), reference=Real())
def sgd_spread(values, reference) -> dict:
    """Spread of final risks over initialisations against a reference value.

    Returns
    -------
    dict
        ``mean``, ``sem``, ``min``, ``max``, ``reference``, ``excess`` (mean minus
        reference) and its ``z``.
    """
    v = np.asarray(values, dtype=float).ravel()
    sem = float(stats.standard_error(v))
    return {"mean": float(v.mean()), "sem": sem, "min": float(v.min()), "max": float(v.max()),
            "reference": float(reference), "excess": float(v.mean() - reference),
            "z": float(stats.zscore(reference, v.mean(), sem))}


@validate_params(check=Text(), d=Unchecked("a label, printed as given"), result=Instance(dict))
def chi2_row(check: str, d, result: dict) -> dict:
    """A reference-table row for a :func:`curve_check` result."""
    p = result["p"]
    return {"check": check, "d": str(d), "points": result["dof"], "chi2 or z": f"{result['chi2']:.1f}",
            "p": "< 0.001" if p < 1e-3 else f"{p:.3f}", "verdict": result["verdict"]}


@validate_params(check=Text(), d=Unchecked("a label, printed as given"), z=Real(finite=False), points=Integer(min=0))
def z_row(check: str, d, z: float, points: int) -> dict:
    """A reference-table row for a z-score, judged by :func:`thermo_helpers.report.verdict_z`."""
    return {"check": check, "d": str(d), "points": int(points), "chi2 or z": f"{z:+.1f}", "p": "",
            "verdict": report.verdict_z(z)}


@validate_params(check=Text(), d=Unchecked("a label, printed as given"), worst=Real(), tol=Real(ge=0), points=Integer(min=0))
def tolerance_row(check: str, d, worst: float, tol: float, points: int) -> dict:
    """A reference-table row for a deterministic distance ``worst`` against a tolerance ``tol``."""
    return {"check": check, "d": str(d), "points": int(points), "chi2 or z": "", "p": "",
            "verdict": "agrees" if worst <= tol else "disagrees"}


def _weighted_poly(x: np.ndarray, mean: np.ndarray, sem: np.ndarray, degree: int) -> dict:
    """Weighted least-squares polynomial of ``degree`` in ``x``; its value at ``x = 0``."""
    w = 1.0 / sem**2
    A = np.vander(x, degree + 1, increasing=True)
    cov = np.linalg.inv(A.T @ (w[:, None] * A))
    coef = cov @ (A.T @ (w * mean))
    chi2 = float(np.sum(w * (mean - A @ coef) ** 2))
    dof = x.size - degree - 1
    q = sps.norm.ppf(1.0 - P_LEVEL / 2)
    value, se = float(coef[0]), float(np.sqrt(cov[0, 0]))
    return {"degree": degree, "value": value, "se": se, "lo": value - q * se, "hi": value + q * se,
            "coef": coef, "chi2": chi2, "dof": dof, "p": float(sps.chi2.sf(chi2, dof)) if dof > 0 else float("nan")}


@validate_params(d_values=ListOf(Integer(min=1), min_len=3), gap=Real(array=True), sem=Real(gt=0, array=True))
def inverse_d_fit(d_values, gap, sem) -> dict:
    """Extrapolate a finite-``d`` gap to ``d -> inf`` in powers of ``1/d``, by a rule fixed in advance.

    The rule: fit ``gap = a + b/d`` (weighted by ``1/sem^2``).  Only if that
    fit's chi-square is rejected at the book's level (``p < THRESHOLD``) and
    at least four dimensions are available, add ``c/d^2`` and use that fit.
    The verdict is on ``a = 0``: the ``1 - THRESHOLD`` normal interval of ``a``.

    Parameters
    ----------
    d_values : sequence of int
        At least three distinct dimensions.
    gap, sem : array_like
        Mean gap per dimension and its standard error (> 0).

    Returns
    -------
    dict
        ``linear`` and (when used) ``quadratic`` fits, each with ``value``,
        ``se``, ``lo``, ``hi`` (of ``a``), ``coef``, ``chi2``, ``dof``, ``p``;
        ``used`` (the fit the verdict rests on), ``form`` (text) and ``verdict``.
    """
    d = np.asarray(d_values, dtype=float)
    gap, sem = (np.asarray(v, dtype=float) for v in (gap, sem))
    if not (gap.shape == sem.shape == d.shape) or np.unique(d).size < 3:
        raise ValueError("inverse_d_fit needs one gap and one sem per dimension, at least three distinct d")
    out = {"linear": _weighted_poly(1.0 / d, gap, sem, 1)}
    used, form = out["linear"], "a + b/d"
    if out["linear"]["p"] < P_LEVEL and d.size >= 4:
        out["quadratic"] = used = _weighted_poly(1.0 / d, gap, sem, 2)
        form = "a + b/d + c/d^2"
    out.update(used=used, form=form, verdict=report.verdict_interval(used["lo"], used["hi"], 0.0))
    return out


@validate_params(check=Text(), d=Unchecked("a label, printed as given"), lo=Real(finite=False), hi=Real(finite=False),
                 target=Real(), points=Integer(min=0), form_p=OrNone(Real(ge=0, le=1)))
def interval_row(check: str, d, lo: float, hi: float, target: float, points: int, form_p: float | None = None) -> dict:
    """A reference-table row for a 99% interval against a prediction (:func:`report.verdict_interval`).

    ``form_p``, when given, is the p-value of the fitted form that produced the
    interval; if the form is rejected (``form_p < THRESHOLD``) the verdict is
    ``"undecided"``, since then the form, not the prediction, is in question.
    """
    verdict = report.verdict_interval(lo, hi, target)
    if form_p is not None and form_p < P_LEVEL:
        verdict = "undecided"
    return {"check": check, "d": str(d), "points": int(points), "chi2 or z": f"[{lo:+.4f}, {hi:+.4f}]",
            "p": "" if form_p is None else f"{form_p:.3f}", "verdict": verdict}
