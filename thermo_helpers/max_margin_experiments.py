"""Experiments of the max-margin chapter: the paired conjecture test and its analysis.

The conjecture of the talk says that, as ``d -> infinity`` with ``N / d -> psi1``
and ``n / d -> psi2``, ReLU features ``sigma(<w_j, x>)`` and noisy linear
features ``mu1 <w_j, x> + mu_* z`` give the same margin and test error.
:func:`conjecture_sweep` fits both feature models on the *same* draw of
``(beta0, W, X, y)`` for several conditions ``(psi1, psi2, flip)`` and
dimensions ``d``; :func:`conjecture_analysis` turns the per-draw differences
into paired gaps with standard errors, fits each gap against ``1/d`` by
weighted least squares and extrapolates it to ``d -> infinity`` with a
confidence interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats as _st

from ._validate import positive_int
from .max_margin import rf_max_margin_paired_trial
from .sweep import run_sweep

__all__ = ["Condition", "GAPS", "sub_seeds", "conjecture_sweep", "conjecture_analysis", "weighted_line_fit",
           "rf_theory_curve", "curve_agreement", "log_axis"]


@dataclass(frozen=True)
class Condition:
    """One setting of the conjecture test: ``N / d``, ``n / d`` and the label-flip rate."""

    psi1: float
    psi2: float
    flip: float = 0.0

    @property
    def label(self) -> str:
        return f"psi1 = {self.psi1:g}, psi2 = {self.psi2:g}, flip = {self.flip:g}"


def sub_seeds(base_seed: int, names: Sequence[str]) -> dict:
    """Independent integer seeds, one per name, derived from ``base_seed`` by a SeedSequence.

    Raises
    ------
    ValueError
        If ``base_seed`` is not a non-negative integer or ``names`` repeats a name.
    """
    if isinstance(base_seed, bool) or not isinstance(base_seed, (int, np.integer)) or base_seed < 0:
        raise ValueError(f"base_seed must be a non-negative integer, got {base_seed!r}")
    names = list(names)
    if len(set(names)) != len(names):
        raise ValueError(f"names must be distinct, got {names}")
    states = np.random.SeedSequence(int(base_seed)).generate_state(len(names), dtype=np.uint32)
    return {k: int(v) for k, v in zip(names, states)}


def conjecture_sweep(conditions: Sequence[Condition], dims: Sequence[int], *, seeds: int, base_seed: int,
                     n_test: int, activation: str = "relu", n_jobs: int | None = None) -> dict:
    """Paired nonlinear / noisy-linear draws for every condition and dimension.

    Returns ``{condition: SweepResult}`` with the grid ``{"d": dims}``; the
    values are those of :func:`thermo_helpers.max_margin.rf_max_margin_paired_trial`.
    Condition ``k`` uses the ``k``-th seed of ``sub_seeds(base_seed, ...)``.
    """
    seeds = positive_int("seeds", seeds)
    conditions = list(conditions)
    if not conditions:
        raise ValueError("conditions must not be empty")
    dims = [positive_int("dims", d) for d in dims]
    if not dims:
        raise ValueError("dims must not be empty")
    roots = sub_seeds(base_seed, [c.label for c in conditions])
    out = {}
    for c in conditions:
        out[c] = run_sweep(rf_max_margin_paired_trial, {"d": dims}, seeds=seeds, base_seed=roots[c.label],
                           n_jobs=n_jobs,
                           fixed={"psi1": c.psi1, "psi2": c.psi2, "flip": c.flip, "n_test": int(n_test),
                                  "activation": activation})
    return out


def weighted_line_fit(x, mean, sem, *, x0: float = 0.0, level: float = 0.95) -> dict:
    """Weighted least-squares line through ``(x, mean)`` with known errors ``sem``.

    Returns the value at ``x0`` with its standard error and normal ``level``
    interval (the errors are taken as known), the slope, and the chi^2 of
    the residuals with its p-value: a small p-value says that a straight
    line in ``x`` does not describe the points within their errors.
    """
    x = np.asarray(x, dtype=float)
    m = np.asarray(mean, dtype=float)
    s = np.asarray(sem, dtype=float)
    if x.size < 3 or not (x.shape == m.shape == s.shape):
        raise ValueError("x, mean and sem must have the same shape and at least 3 points")
    if np.any(~np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("sem must be finite and > 0")
    w = 1.0 / s**2
    A = np.stack([np.ones_like(x), x - x0], axis=1)
    cov = np.linalg.inv(A.T @ (w[:, None] * A))
    coef = cov @ (A.T @ (w * m))
    chi2 = float(np.sum(w * (m - A @ coef) ** 2))
    dof = x.size - 2
    p = float(_st.chi2.sf(chi2, dof))
    se = np.sqrt(np.diag(cov))
    q = _st.norm.ppf(0.5 + level / 2)
    return {"value": float(coef[0]), "se": float(se[0]), "lo": float(coef[0] - q * se[0]),
            "hi": float(coef[0] + q * se[0]), "slope": float(coef[1]), "slope_se": float(se[1]),
            "chi2": chi2, "dof": dof, "p_value": p}


def _paired(a, b=None):
    """Mean and sem over the last axis of a (or of a - b), ignoring NaN pairs."""
    v = np.asarray(a, dtype=float) if b is None else np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    ok = np.isfinite(v)
    cnt = ok.sum(axis=-1)
    vz = np.where(ok, v, 0.0)
    mean = vz.sum(axis=-1) / np.maximum(cnt, 1)
    var = np.where(ok, (v - mean[..., None]) ** 2, 0.0).sum(axis=-1) / np.maximum(cnt - 1, 1)
    return np.where(cnt > 0, mean, np.nan), np.where(cnt > 1, np.sqrt(var / np.maximum(cnt, 1)), np.nan)


#: Paired gaps analysed by :func:`conjecture_analysis`: name -> (description, function of the values).
GAPS = {
    "margin": ("relative margin gap (nonlinear / noisy linear - 1)",
               lambda V: V["kappa_nonlinear"] / V["kappa_noisy_linear"] - 1.0),
    "error": ("test-error gap (nonlinear - noisy linear)", lambda V: V["derr"]),
    "support": ("support-vector fraction gap (nonlinear - noisy linear)",
                lambda V: V["sv_frac_nonlinear"] - V["sv_frac_noisy_linear"]),
}


def conjecture_analysis(results: dict, *, level: float = 0.95) -> list[dict]:
    """Paired gaps per dimension, and their extrapolation to ``d -> infinity``.

    For each condition and each gap of :data:`GAPS`, the per-draw gaps are
    averaged at every ``d`` (standard error over draws), fitted against
    ``1/d`` by :func:`weighted_line_fit`, and the intercept at ``1/d = 0`` is
    reported with its ``level`` interval.  The conjecture predicts 0.

    Returns a list of dicts with keys ``condition``, ``gap``, ``d``,
    ``mean``, ``sem`` (arrays over ``d``), ``fit`` (the fit dict) and
    ``n_undecided`` (draws with an undecided verdict, either model).
    """
    rows = []
    for cond, res in results.items():
        V = res.values
        d = np.asarray(res.grid["d"], dtype=float)
        und = int(np.nansum(V["undecided_nonlinear"]) + np.nansum(V["undecided_noisy_linear"]))
        for g, (_, fn) in GAPS.items():
            mean, sem = _paired(fn(V))
            fit = weighted_line_fit(1.0 / d, mean, sem, level=level) if d.size >= 3 else None
            rows.append({"condition": cond, "gap": g, "d": d.astype(int), "mean": mean, "sem": sem, "fit": fit,
                         "n_undecided": und})
    return rows


def _theory_point(psi1: float, psi2: float, flip: float = 0.0, rng=None) -> dict:
    from .max_margin import rf_max_margin_asymptotics

    th = rf_max_margin_asymptotics(psi1, psi2, flip=flip)
    return {"kappa": th.kappa, "test_error": th.test_error, "separable": float(th.separable)}


def rf_theory_curve(psi1s, psi2: float, *, flip: float = 0.0, n_jobs: int | None = None) -> dict:
    """:func:`~thermo_helpers.max_margin.rf_max_margin_asymptotics` on a grid of ``psi1``, in parallel.

    Returns ``{"kappa", "test_error", "separable"}``, arrays over ``psi1s``.
    """
    res = run_sweep(_theory_point, {"psi1": list(psi1s)}, seeds=1, base_seed=0, n_jobs=n_jobs,
                    fixed={"psi2": float(psi2), "flip": float(flip)})
    return {k: v[:, 0] for k, v in res.values.items()}


def curve_agreement(theory, mean, sem) -> dict:
    """z-scores of simulated points against theory, and the chi^2 over the curve with its p-value.

    Points with a non-finite mean or a zero / non-finite sem are left out.
    Returns ``{"z", "chi2", "dof", "p_value", "max_abs_z"}``.
    """
    t = np.asarray(theory, dtype=float)
    m = np.asarray(mean, dtype=float)
    s = np.asarray(sem, dtype=float)
    ok = np.isfinite(t) & np.isfinite(m) & np.isfinite(s) & (s > 0)
    z = np.full(m.shape, np.nan)
    z[ok] = (m[ok] - t[ok]) / s[ok]
    chi2 = float(np.sum(z[ok] ** 2))
    dof = int(np.sum(ok))
    return {"z": z, "chi2": chi2, "dof": dof, "p_value": float(_st.chi2.sf(chi2, dof)) if dof else np.nan,
            "max_abs_z": float(np.nanmax(np.abs(z))) if dof else np.nan}


def log_axis(ax, ticks=(1, 2, 4, 8, 16, 32, 64, 128)) -> None:
    """Log-scaled x axis with plain-number tick labels."""
    import matplotlib.pyplot as plt

    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xticks([t for t in ticks if lo <= t <= hi])
    ax.xaxis.set_major_formatter(plt.ScalarFormatter())
    ax.xaxis.set_minor_formatter(plt.NullFormatter())


def compare_row(quantity: str, psi1, theory: float, sim: float, sem: float, *, k: float = 3.0) -> dict:
    """One row of a reference table: theory against a simulated mean, agreement iff ``|z| <= k``.

    ``tol`` is ``k * sem``, the largest difference accepted.
    """
    z = (sim - theory) / sem if sem > 0 else (0.0 if sim == theory else np.inf)
    return {"quantity": quantity, "psi1": psi1, "theory": theory, "sim": sim, "se": sem, "z": z,
            "tol": k * sem, "agree": bool(abs(z) <= k)}


def threshold_row(quantity: str, theory: float, crossing: float, *, tol: float) -> dict:
    """A threshold row: the 50% crossing of a separable fraction against theory, within ``tol``.

    Only the verdict is shown (``sim`` is left out): the crossing moves with single draws,
    its resolution is the grid step.
    """
    return {"quantity": quantity, "psi1": None, "theory": theory, "sim": None, "se": None, "z": None,
            "tol": tol, "agree": bool(abs(crossing - theory) <= tol)}
