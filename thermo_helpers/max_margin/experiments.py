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
from .._validate import Array, Constraint, Instance, Integer, ListOf, NJobs, OrNone, Real, Seed, Text, validate_params
from ..activations import Activation, ActivationSpec
from .. import report
from ..stats import chi2_test, compare, linear_extrapolation, nan_mean_sem, zscore
from ..sweep import run_sweep
from .simulation import rf_max_margin_paired_trial, rf_max_margin_trial

#: a matplotlib Axes, by duck typing (this module does not import matplotlib at import time)
_AXES = Constraint("a matplotlib Axes", lambda ax: callable(getattr(ax, "set_xscale", None)), "Axes")

__all__ = ["Condition", "GAPS", "sub_seeds", "conjecture_sweep", "conjecture_analysis", "theory_extrapolation",
           "RELU_CENTRED", "activation_sweep", "mu0_analysis",
           "rf_theory_curve",
           "curve_agreement", "compare_row", "extrapolated_row", "threshold_row", "log_axis"]


@dataclass(frozen=True)
class Condition:
    """One setting of the conjecture test: ``N / d``, ``n / d`` and the label-flip rate."""

    psi1: float
    psi2: float
    flip: float = 0.0

    @property
    def label(self) -> str:
        return f"psi1 = {self.psi1:g}, psi2 = {self.psi2:g}, flip = {self.flip:g}"


@validate_params(base_seed=Seed(), names=ListOf(Text(), min_len=1))
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


@validate_params(conditions=ListOf(Instance(Condition), min_len=1), dims=ListOf(Integer(min=1, max=10**5), min_len=1),
                 seeds=Integer(min=1, max=10**6), base_seed=Seed(), n_test=Integer(min=1, max=10**8),
                 activation=ActivationSpec(), n_jobs=NJobs())
def conjecture_sweep(conditions: Sequence[Condition], dims: Sequence[int], *, seeds: int, base_seed: int,
                     n_test: int, activation: str = "relu", n_jobs: int | None = None) -> dict:
    """Paired nonlinear / noisy-linear draws for every condition and dimension.

    Returns ``{condition: SweepResult}`` with the grid ``{"d": dims}``; the
    values are those of :func:`thermo_helpers.max_margin.rf_max_margin_paired_trial`.
    Condition ``k`` uses the ``k``-th seed of ``sub_seeds(base_seed, ...)``.
    """
    seeds = int(seeds)
    conditions = list(conditions)
    if not conditions:
        raise ValueError("conditions must not be empty")
    dims = [int(d) for d in dims]
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


#: Paired gaps analysed by :func:`conjecture_analysis`: name -> (description, function of the values).
GAPS = {
    "margin": ("relative margin gap (nonlinear / noisy linear - 1)",
               lambda V: V["kappa_nonlinear"] / V["kappa_noisy_linear"] - 1.0),
    "error": ("test-error gap (nonlinear - noisy linear)", lambda V: V["derr"]),
    "support": ("support-vector fraction gap (nonlinear - noisy linear)",
                lambda V: V["sv_frac_nonlinear"] - V["sv_frac_noisy_linear"]),
}


_RELU_MEAN = 1.0 / np.sqrt(2.0 * np.pi)  # mu0 = E max(G, 0), G ~ N(0, 1)


def _relu_centred(t):
    return np.maximum(t, 0.0) - _RELU_MEAN


def _relu_centred_d(t):
    return (np.asarray(t) > 0).astype(float)


#: ReLU minus its Gaussian mean: ``mu0 = 0``, the same ``mu1`` and ``mu_*`` as ReLU, so the
#: same noisy linear features (module-level functions, so it pickles to worker processes).
RELU_CENTRED = Activation("relu_centred", _relu_centred, _relu_centred_d, kinks=(0.0,))


@validate_params(conditions=ListOf(Instance(Condition), min_len=1), dims=ListOf(Integer(min=1, max=10**5), min_len=1),
                 seeds=Integer(min=1, max=10**6), base_seed=Seed(), n_test=Integer(min=1, max=10**8),
                 activation=ActivationSpec(), subset=OrNone(ListOf(Instance(Condition), min_len=1)),
                 n_jobs=NJobs())
def activation_sweep(conditions: Sequence[Condition], dims: Sequence[int], *, seeds: int, base_seed: int,
                     n_test: int, activation, subset: Sequence[Condition] | None = None,
                     n_jobs: int | None = None) -> dict:
    """Nonlinear features of another activation on the draws of a :func:`conjecture_sweep`.

    Called with the same ``conditions``, ``dims``, ``seeds``, ``base_seed`` and
    ``n_test`` as :func:`conjecture_sweep`, every task sees the same
    ``(beta0, W, X, y)`` and the same test points, so its margin and test error
    are paired draw by draw with the ReLU and noisy-linear ones.  Only the
    conditions in ``subset`` (default: all) are run.

    Returns ``{condition: SweepResult}`` with the values of
    :func:`thermo_helpers.max_margin.rf_max_margin_trial`.

    Raises
    ------
    ValueError
        If ``subset`` holds a condition that is not in ``conditions``.
    """
    conditions = list(conditions)
    subset = conditions if subset is None else list(subset)
    if any(c not in conditions for c in subset):
        raise ValueError("every condition of subset must be one of conditions")
    roots = sub_seeds(base_seed, [c.label for c in conditions])
    dims = [int(d) for d in dims]
    return {c: run_sweep(rf_max_margin_trial, {"d": dims}, seeds=int(seeds), base_seed=roots[c.label],
                         n_jobs=n_jobs,
                         fixed={"psi1": c.psi1, "psi2": c.psi2, "flip": c.flip, "n_test": int(n_test),
                                "activation": activation, "features": "nonlinear"})
            for c in subset}


@validate_params(paired=Instance(dict), other=Instance(dict), level=Real(gt=0, lt=1))
def mu0_analysis(paired: dict, other: dict, *, level: float = 0.99) -> list[dict]:
    """Paired gaps of ReLU and of another activation to the same noisy linear features.

    ``paired`` is a :func:`conjecture_sweep`, ``other`` an :func:`activation_sweep`
    on the same draws.  For each condition of ``other`` and each quantity
    (``"margin"``: relative gap ``kappa / kappa_noisy - 1``; ``"error"``: test-error
    difference), per ``d``: the mean and standard error of the ReLU gap, of the
    other activation's gap and of their per-draw difference (other minus ReLU),
    and the other gap's extrapolation to ``1/d = 0`` (weighted line in ``1/d``,
    ``level`` interval).

    Returns a list of dicts with keys ``condition``, ``quantity``, ``d``,
    ``relu``, ``relu_se``, ``other``, ``other_se``, ``diff``, ``diff_se``
    (arrays over ``d``) and ``fit``.
    """
    rows = []
    for cond, res in other.items():
        if cond not in paired:
            raise ValueError(f"condition {cond.label!r} of other is not in paired")
        V, O = paired[cond].values, res.values
        d = np.asarray(res.grid["d"], dtype=float)
        if not np.array_equal(d, np.asarray(paired[cond].grid["d"], dtype=float)):
            raise ValueError("paired and other must have the same dimensions")
        kn = V["kappa_noisy_linear"]
        ok = (V["separable_nonlinear"] > 0) & (V["separable_noisy_linear"] > 0) & (O["separable"] > 0)
        for q, relu, oth in (("margin", V["kappa_nonlinear"] / kn - 1.0, O["kappa"] / kn - 1.0),
                             ("error", V["test_error_nonlinear"] - V["test_error_noisy_linear"],
                              O["test_error"] - V["test_error_noisy_linear"])):
            relu, oth = np.where(ok, relu, np.nan), np.where(ok, oth, np.nan)
            (r_m, r_s), (o_m, o_s), (f_m, f_s) = (nan_mean_sem(v) for v in (relu, oth, oth - relu))
            fit = linear_extrapolation(1.0 / d, o_m, o_s, level=level) if d.size >= 2 else None
            rows.append({"condition": cond, "quantity": q, "d": d.astype(int), "relu": r_m, "relu_se": r_s,
                         "other": o_m, "other_se": o_s, "diff": f_m, "diff_se": f_s, "fit": fit})
    return rows


@validate_params(results=Instance(dict), level=Real(gt=0, lt=1))
def conjecture_analysis(results: dict, *, level: float = 0.95) -> list[dict]:
    """Paired gaps per dimension, and their extrapolation to ``d -> infinity``.

    For each condition and each gap of :data:`GAPS`, the per-draw gaps are
    averaged at every ``d`` (standard error over draws), fitted against
    ``1/d`` by :func:`thermo_helpers.stats.linear_extrapolation` (weighted
    least squares, errors taken as known), and the value at ``1/d = 0`` is
    reported with its ``level`` interval and the fit's chi^2 p-value.  The
    conjecture predicts 0.

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
            mean, sem = nan_mean_sem(fn(V))
            fit = linear_extrapolation(1.0 / d, mean, sem, level=level) if d.size >= 2 else None
            rows.append({"condition": cond, "gap": g, "d": d.astype(int), "mean": mean, "sem": sem, "fit": fit,
                         "n_undecided": und})
    return rows


@validate_params(results=Instance(dict), level=Real(gt=0, lt=1))
def theory_extrapolation(results: dict, *, level: float = 0.95) -> list[dict]:
    """Simulated margin and test error extrapolated to ``d -> infinity``, against the formula.

    For every condition of a :func:`conjecture_sweep` and both feature models,
    the mean over draws at each ``d`` is fitted against ``1/d`` (weighted
    least squares) and the value at ``1/d = 0`` is set beside
    :func:`~thermo_helpers.max_margin.rf_max_margin_asymptotics`.

    Returns a list of dicts with keys ``condition``, ``features``,
    ``quantity`` (``"kappa"`` or ``"Err"``), ``theory``, ``d``, ``mean``,
    ``sem`` and ``fit``.
    """
    from .theory import rf_max_margin_asymptotics

    rows = []
    for cond, res in results.items():
        th = rf_max_margin_asymptotics(cond.psi1, cond.psi2, flip=cond.flip)
        d = np.asarray(res.grid["d"], dtype=float)
        for feat in ("nonlinear", "noisy_linear"):
            for q, key, tv in (("kappa", "kappa", th.kappa), ("Err", "test_error", th.test_error)):
                mean, sem = nan_mean_sem(res.values[f"{key}_{feat}"])
                rows.append({"condition": cond, "features": feat, "quantity": q, "theory": tv, "d": d.astype(int),
                             "mean": mean, "sem": sem, "fit": linear_extrapolation(1.0 / d, mean, sem, level=level)})
    return rows


def _theory_point(psi1: float, psi2: float, flip: float = 0.0, rng=None) -> dict:
    from .theory import rf_max_margin_asymptotics

    th = rf_max_margin_asymptotics(psi1, psi2, flip=flip)
    return {"kappa": th.kappa, "test_error": th.test_error, "separable": float(th.separable)}


@validate_params(psi1s=Array(ndim=1, gt=0), psi2=Real(gt=0), flip=Real(ge=0, le=0.5), n_jobs=NJobs())
def rf_theory_curve(psi1s, psi2: float, *, flip: float = 0.0, n_jobs: int | None = None) -> dict:
    """:func:`~thermo_helpers.max_margin.rf_max_margin_asymptotics` on a grid of ``psi1``, in parallel.

    Returns ``{"kappa", "test_error", "separable"}``, arrays over ``psi1s``.
    """
    res = run_sweep(_theory_point, {"psi1": list(psi1s)}, seeds=1, base_seed=0, n_jobs=n_jobs,
                    fixed={"psi2": float(psi2), "flip": float(flip)})
    return {k: v[:, 0] for k, v in res.values.items()}


@validate_params(theory=Array(finite=False), mean=Array(finite=False), sem=Array(finite=False))
def curve_agreement(theory, mean, sem) -> dict:
    """z-scores of simulated points against theory, and the chi^2 over the curve with its p-value.

    Points with a non-finite theory or mean, or a zero / non-finite sem (for
    instance a non-separable point where every draw has margin 0), are left
    out.  Returns ``{"z", "chi2", "dof", "p_value", "max_abs_z"}``.
    """
    t, m, s = (np.asarray(v, dtype=float) for v in (theory, mean, sem))
    if not t.shape == m.shape == s.shape:
        raise ValueError(f"theory, mean and sem must have the same shape, got {t.shape}, {m.shape} and {s.shape}")
    ok = np.isfinite(t) & np.isfinite(m) & np.isfinite(s) & (s > 0)
    z = np.full(m.shape, np.nan)
    if not np.any(ok):
        return {"z": z, "chi2": np.nan, "dof": 0, "p_value": np.nan, "max_abs_z": np.nan}
    z[ok] = zscore(t[ok], m[ok], s[ok])
    chi2, dof, p = chi2_test(t[ok], m[ok], s[ok])
    return {"z": z, "chi2": chi2, "dof": dof, "p_value": p, "max_abs_z": float(np.nanmax(np.abs(z)))}


@validate_params(ax=_AXES, ticks=ListOf(Real(gt=0), min_len=1))
def log_axis(ax, ticks=(1, 2, 4, 8, 16, 32, 64, 128)) -> None:
    """Log-scaled x axis with plain-number tick labels."""
    import matplotlib.pyplot as plt

    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xticks([t for t in ticks if lo <= t <= hi])
    ax.xaxis.set_major_formatter(plt.ScalarFormatter())
    ax.xaxis.set_minor_formatter(plt.NullFormatter())


@validate_params(quantity=Text(), psi1=OrNone(Real(finite=False)), theory=Real(), sim=Real(), sem=Real(ge=0))
def compare_row(quantity: str, psi1, theory: float, sim: float, sem: float) -> dict:
    """One row of a reference table: theory against a simulated mean, judged by its z-score.

    The verdict is the book's (:func:`thermo_helpers.report.verdict_z`, two-sided 1%).
    """
    z = float(compare(theory, sim, sem)["z"])
    return {"quantity": quantity, "psi1": psi1, "theory": theory, "sim": sim, "se": sem, "z": z,
            "verdict": report.verdict_z(z)}


@validate_params(quantity=Text(), psi1=OrNone(Real(finite=False)), theory=Real(), fit=Instance(dict))
def extrapolated_row(quantity: str, psi1, theory: float, fit: dict) -> dict:
    """A reference row for a value extrapolated to ``1/d = 0`` by a fit that tests its own form.

    Like :func:`compare_row` on ``fit["value"]`` and ``fit["se"]`` (a
    :func:`thermo_helpers.stats.linear_extrapolation`), except that the verdict is
    ``"undecided"`` when the fit's chi^2 rejects the straight line in ``1/d`` at the
    book's level (``p_value < report.THRESHOLD``): then the extrapolated value is not
    trusted either way.  A fit with no degrees of freedom (NaN p-value) keeps the
    z verdict.
    """
    row = compare_row(quantity, psi1, theory, float(fit["value"]), float(fit["se"]))
    p = fit.get("p_value", np.nan)
    if p is not None and np.isfinite(p) and p < report.THRESHOLD:
        row["verdict"] = "undecided"
    return row


@validate_params(quantity=Text(), theory=Real(), crossing=Real(finite=False), tol=Real(gt=0))
def threshold_row(quantity: str, theory: float, crossing: float, *, tol: float) -> dict:
    """A threshold row: the 50% crossing of a separable fraction against theory, within ``tol``.

    Only the verdict is shown (``sim`` is left out): the crossing moves with single draws,
    its resolution is the grid step, so the test is a tolerance of one grid step.
    """
    return {"quantity": quantity, "psi1": None, "theory": theory, "sim": None, "se": None, "z": None,
            "tol": tol, "verdict": "agrees" if abs(crossing - theory) <= tol else "disagrees"}
