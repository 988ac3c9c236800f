"""The chapter's experiments: the (N, alpha_CB) design's exponents and the width study of the PDE.

Each ``*_slopes`` function returns rows ``{"quantity", "theory", "fit", "lo", "hi", "local",
"verdict", ...}`` for the reference table: ``"agrees"`` when the interval at the book's level
(99%, :data:`thermo_helpers.report.THRESHOLD`) contains the theory exponent (and, for a predicted
decay, excludes 0: an interval that also holds 0 is ``"undecided"``), ``"disagrees"`` when it
does not, ``"undecided"`` when the data cannot decide.  The design's rows
(:func:`design_slopes`) are tested in windows fixed in advance, with errors from a
delete-one-seed jackknife over the initialisations that every point shares and Student-t
intervals on ``S - 1`` degrees of freedom; a gap part must be resolved (above twice its error)
at every point of its window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .._validate import Boolean, Instance, Integer, InvalidParameterError, ListOf, NJobs, OneOf, Real, Seed, StepSize, check_size, validate_params
from .. import report
from ..stats import loglog_slope as _loglog_slope
from ..sweep import map_tasks
from .design import DesignResult
from .pde import ReducedPDESolution, _particles_vs_pde, solve_reduced_pde

_RUN_KEYS = ("risk", "risk_gap", "rms_gap", "sw", "coupling")
LEVEL = 1 - report.THRESHOLD  # every interval of the chapter: the book's one level


def loglog_slope(x, y):
    """:func:`thermo_helpers.stats.loglog_slope` at the book's level."""
    return _loglog_slope(x, y, level=LEVEL)

__all__ = ["design_slopes", "WidthStudy", "width_study", "width_slopes"]


def _slope_row(quantity: str, theory: float, fit, local=None) -> dict:
    """A reference-table row from a ``(slope, lo, hi)`` fit, or ``None`` for an undecided one.

    ``local`` is the ``(slope, se)`` between the two largest abscissae (:func:`_local_slope`).
    """
    loc, loc_se = (np.nan, np.nan) if local is None else local
    if fit is None:
        return {"quantity": quantity, "theory": theory, "test": "-", "fit": np.nan, "b": np.nan,
                "lo": np.nan, "hi": np.nan, "local": loc, "local se": loc_se, "verdict": "undecided"}
    if len(fit) != 3:
        raise InvalidParameterError(f"fit must be (slope, lo, hi), got {len(fit)} items")
    s, lo, hi = fit
    verdict = report.verdict_interval(lo, hi, theory)
    if theory != 0 and lo <= 0 <= hi:
        verdict = "undecided"  # the interval cannot tell the predicted decay from none at all
    return {"quantity": quantity, "theory": theory, "test": "fit", "fit": s, "b": np.nan, "lo": lo, "hi": hi,
            "local": loc, "local se": loc_se, "verdict": verdict}


def _mean_se(values) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over seeds (last axis) of a points x seeds array."""
    v = np.asarray(values, dtype=float)
    if v.size == 0 or v.shape[-1] < 2:
        return np.full(v.shape[:-1], np.nan), np.full(v.shape[:-1], np.nan)
    return v.mean(axis=-1), v.std(axis=-1, ddof=1) / np.sqrt(v.shape[-1])


def _local_slope(x, v, se) -> tuple[float, float]:
    """Slope of ``log v`` between the two largest ``x``, with its delta-method standard error."""
    x, v, se = (np.asarray(a, dtype=float).ravel() for a in (x, v, se))
    if x.size < 2:
        return np.nan, np.nan
    i, j = np.argsort(x)[-2:]
    if v[i] <= 0 or v[j] <= 0:
        return np.nan, np.nan
    span = np.log(x[j] / x[i])
    return float(np.log(v[j] / v[i]) / span), float(np.hypot(se[i] / v[i], se[j] / v[j]) / span)


def _offset_power_fit(x, v, se):
    """Fit ``v = c + C x^p`` over every point (an offset for the reference's own error).

    Weighted by ``1 / se``, residual scale from the fit, Student-t interval at the book's level
    on ``n - 3`` degrees of freedom; ``(p, lo, hi)`` or ``None`` (fewer than four points, no fit).
    """
    from scipy import optimize
    from scipy import stats as sps

    x, v, se = (np.asarray(a, dtype=float).ravel() for a in (x, v, se))
    if x.size < 4:
        return None
    x0 = x.min()

    def model(x_, c, C, p):
        return c + C * (x_ / x0) ** p

    try:
        popt, pcov = optimize.curve_fit(model, x, v, p0=[0.0, float(v[0]) or 1e-3, -1.0], sigma=se,
                                        absolute_sigma=False, maxfev=20000)
    except (RuntimeError, ValueError):
        return None
    sd = float(np.sqrt(pcov[2, 2]))
    if not np.isfinite(sd):
        return None
    t = sps.t.ppf(0.5 + LEVEL / 2, x.size - 3)
    return float(popt[2]), float(popt[2] - t * sd), float(popt[2] + t * sd)


def _seed_jackknife(stat, S: int) -> tuple[np.ndarray, np.ndarray]:
    """Delete-one-seed jackknife of ``stat(seeds)`` (an array): ``(estimate, se)``.

    The same seeds are left out at every design point (common random numbers), so the
    correlation between points is kept; the error has ``S - 1`` degrees of freedom.
    """
    full = np.asarray(stat(np.arange(S)), dtype=float)
    jack = np.array([stat(np.delete(np.arange(S), i)) for i in range(S)], dtype=float)
    with np.errstate(invalid="ignore"):
        se = np.sqrt((S - 1) / S * np.sum((jack - jack.mean(0)) ** 2, axis=0))
    return full, se


def _t_quantile(dof: int) -> float:
    from scipy import stats as sps

    return float(sps.t.ppf(0.5 + LEVEL / 2, dof))


def _log_slopes(x, v) -> np.ndarray:
    """Slopes of ``log v`` between neighbouring ``x`` (NaN where a value is not positive)."""
    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.nan)
    return np.diff(lv) / np.diff(np.log(x))


def _corrected_fit_pb(x, v, q: float) -> np.ndarray:
    """``(p, b)`` of ``v = C x^p (1 + b x^-q)`` by least squares on ``log v`` (NaN if it fails)."""
    from scipy import optimize

    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    if x.size < 4 or np.any(~(v > 0)):
        return np.array([np.nan, np.nan])
    lx, ly = np.log(x / x[0]), np.log(v)  # x / x[0]: b is the correction at the first point
    p0 = np.polyfit(lx, ly, 1)

    def model(l, a, p, b):
        return a + p * l + np.log1p(b * np.exp(-q * l))

    try:
        popt, _ = optimize.curve_fit(model, lx, ly, p0=[p0[1], p0[0], 0.0],
                                     bounds=([-np.inf, -np.inf, -0.9], np.inf))
    except (RuntimeError, ValueError):
        return np.array([np.nan, np.nan])
    return np.array([popt[1], popt[2]])


def _design_row(res: DesignResult, quantity: str, theory: float, idx, x, key: str, window,
                q: float | None = None) -> dict:
    """One reference row of the design along ``x`` at the points ``idx``, inside ``window``.

    ``window`` (a boolean mask over the points) is fixed in advance from a stated criterion.
    The test: with ``q`` (theory's relative correction ``x^-q``) and at least four points,
    the exponent ``p`` of ``C x^p (1 + b x^-q)``; otherwise the local slope between the last
    two points.  Errors: delete-one-seed jackknife over the shared initialisations, intervals
    Student-t on ``S - 1`` degrees of freedom at the book's level.  A gap part that is not
    resolved (value above twice its error) at every point of the window makes the row
    undecided, as does a window of fewer than two points.
    """
    x = np.asarray(x, dtype=float)
    idx, window = np.asarray(idx, dtype=int), np.asarray(window, dtype=bool)
    order = np.argsort(x)
    x, idx, window = x[order][window[order]], idx[order][window[order]], window[order][window[order]]
    S = res.rel_move.shape[1]
    tq = _t_quantile(S - 1)
    row = {"quantity": quantity, "theory": theory, "window": f"{x.min():g}-{x.max():g}" if x.size else "-",
           "test": "-", "fit": np.nan, "b": np.nan, "local": np.nan, "local se": np.nan,
           "lo": np.nan, "hi": np.nan, "se": np.nan, "dof": S - 1, "verdict": "undecided", "slopes": []}
    if x.size < 2:
        return row
    if key != "movement":
        v, se = res.part(key, idx)
        if not np.all(v > 2 * se):
            row["test"] = "unresolved"
            return row
    loc, loc_se = _seed_jackknife(lambda sd: _log_slopes(x, res.seed_values(key, idx, sd)), S)
    row["slopes"] = [(x[i], x[i + 1], float(loc[i]), float(loc_se[i])) for i in range(x.size - 1)]
    row["local"], row["local se"] = float(loc[-1]), float(loc_se[-1])
    if q is not None and x.size >= 4:
        pb, pb_se = _seed_jackknife(lambda sd: _corrected_fit_pb(x, res.seed_values(key, idx, sd), q), S)
        row.update(test=f"fit q={q:g}", fit=float(pb[0]), b=float(pb[1]), se=float(pb_se[0]))
        est = row["fit"]
    else:
        row.update(test="last pair", se=row["local se"])
        est = row["local"]
    if not (np.isfinite(est) and np.isfinite(row["se"])):
        return row
    row["lo"], row["hi"] = est - tq * row["se"], est + tq * row["se"]
    verdict = report.verdict_interval(row["lo"], row["hi"], theory)
    if theory != 0 and row["lo"] <= 0 <= row["hi"]:
        verdict = "undecided"  # the interval cannot tell the predicted decay from none at all
    row["verdict"] = verdict
    return row


@validate_params(res=Instance(DesignResult), row_N=Integer(min=1), col_alpha=Real(gt=0), smooth=Boolean(),
                 n=Integer(min=1), min_alpha=Real(ge=0), min_crossings=Real(ge=0))
def design_slopes(res: DesignResult, *, row_N: int, col_alpha: float, smooth: bool, n: int,
                  min_alpha: float = 10.0, min_crossings: float = 40.0) -> list[dict]:
    """Exponents of movement and gap parts along the design's row (fixed N), column (fixed alpha_CB)
    and lazy diagonal (alpha_CB = sqrt N), each tested in a window fixed in advance.

    ``smooth`` selects the theory of the gap: ``alpha^-2`` coherent and ``alpha^-2 N^-1/2``
    incoherent for a smooth activation; for ReLU the incoherent part is ``(N alpha)^-1/2``.
    Windows: ``alpha_CB >= min_alpha`` along the row (the laws are for alpha_CB >> 1);
    ``N >= 4 n`` along the column and the diagonal (the talk's ``N >> n``); and for ReLU's
    incoherent part ``N / alpha_CB >= min_crossings`` (the count of kink-crossing neurons per point
    that its random-sign sum needs).  Along the row the relative correction ``alpha^-q`` is
    theory's (``q = 2`` smooth, ``q = 1`` ReLU); rows in N are tested by their last local slope.
    Rows carry ``slopes``, the local slopes ``(x_i, x_j, slope, se)`` between neighbouring points.
    Needs a :class:`DesignResult` with per-seed gaps (common random numbers, :func:`run_design`).
    """
    if res.gaps is None:
        raise InvalidParameterError("res must keep its per-seed gaps (a DesignResult from run_design)")
    pts = res.points
    row = np.array([i for i in res.select(N=row_N) if pts[i][1] >= min_alpha], dtype=int)
    col = np.array(res.select(alpha_cb=col_alpha), dtype=int)
    diag = np.array([i for i, (N, a) in enumerate(pts) if abs(a - np.sqrt(N)) < 1e-9], dtype=int)
    a_row = np.array([pts[i][1] for i in row], dtype=float)
    N_col = np.array([pts[i][0] for i in col], dtype=float)
    N_diag = np.array([pts[i][0] for i in diag], dtype=float)
    act = "tanh" if smooth else "relu"
    q = 2.0 if smooth else 1.0  # f - f_lin odd in eps = y/alpha_CB: relative corrections alpha^-2 (tanh)

    def crossings(idx):
        return np.array([pts[i][0] / pts[i][1] >= min_crossings or smooth for i in idx], dtype=bool)

    every = lambda idx: np.ones(len(idx), dtype=bool)
    wide = lambda Ns: np.asarray(Ns) >= 4 * n
    specs = [
        ("movement vs alpha_CB", -1.0, row, a_row, "movement", every(row), q),
        ("movement vs N", 0.0, col, N_col, "movement", wide(N_col), None),
        ("movement vs N (lazy preset)", -0.5, diag, N_diag, "movement", wide(N_diag), None),
        ("coherent gap vs alpha_CB", -2.0, row, a_row, "coherent", every(row), q),
        ("coherent gap vs N", 0.0, col, N_col, "coherent", wide(N_col), None),
        ("incoherent gap vs alpha_CB", -2.0 if smooth else -0.5, row, a_row, "incoherent", crossings(row), q),
        ("incoherent gap vs N", -0.5, col, N_col, "incoherent", wide(N_col) & crossings(col), None),
        ("coherent gap vs N (lazy preset)", -1.0, diag, N_diag, "coherent", wide(N_diag), None),
        ("incoherent gap vs N (lazy preset)", -1.5 if smooth else -0.75, diag, N_diag, "incoherent",
         wide(N_diag) & crossings(diag), None),
    ]
    return [_design_row(res, f"{act}: {name}", th, idx, x, key, w, qq)
            for name, th, idx, x, key, w, qq in specs]


@dataclass
class WidthStudy:
    """Particles at several widths against the reduced PDE (output of :func:`width_study`).

    Attributes
    ----------
    widths : ndarray
    pde : ReducedPDESolution
        The reference solution (no tracers).
    runs : dict of int -> list of dict
        The :func:`~thermo_helpers.lazy_mean_field.pde.particles_vs_pde` outputs per width.
    """

    widths: np.ndarray
    pde: ReducedPDESolution
    runs: dict

    @validate_params(N=Integer(min=1), key=OneOf(*_RUN_KEYS))
    def stack(self, N: int, key: str) -> np.ndarray:
        """``key`` of every run at width ``N``, stacked along the first axis."""
        if N not in self.runs:
            raise InvalidParameterError(f"N must be one of the widths {sorted(self.runs)}, got {N}")
        return np.array([r[key] for r in self.runs[N]])

    @validate_params(key=OneOf(*_RUN_KEYS), index=Integer())
    def per_run(self, key: str, index: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """``(width, value)`` of ``key`` (at record ``index`` if it is a curve) over all runs."""
        x, y = [], []
        for N in self.widths:
            v = self.stack(int(N), key)
            if v.ndim > 1 and not -v.shape[1] <= index < v.shape[1]:
                raise InvalidParameterError(f"index must lie in [-{v.shape[1]}, {v.shape[1]}), got {index}")
            x += [N] * len(v)
            y += list(v if v.ndim == 1 else v[:, index])
        return np.asarray(x, dtype=float), np.asarray(y)


@validate_params(widths=ListOf(Integer(min=2), min_len=1), seeds=ListOf(Integer(min=2), min_len=1),
                 d=Integer(min=4), horizon=Real(gt=0), step_size=StepSize(), base_seed=Seed(),
                 record_every=Integer(min=1), n_jobs=NJobs())
def width_study(widths: Sequence[int], seeds: Sequence[int], *, d: int, horizon: float, step_size: float,
                base_seed: int, record_every: int = 1, n_jobs: int | None = None) -> WidthStudy:
    """Solve the PDE once and train ``seeds[k]`` particle systems of width ``widths[k]`` against it."""
    widths = [int(int(N)) for N in widths]
    seeds = [int(int(s)) for s in seeds]
    if any(N % 2 for N in widths):
        raise InvalidParameterError(f"widths must be even (paired neurons), got {widths}")
    check_size("width_study interaction (N x N at the largest width)", max(widths) ** 2)
    if len(seeds) != len(widths) or min(seeds) < 2:
        raise InvalidParameterError("seeds must give one count >= 2 per width")
    pde = solve_reduced_pde(d, horizon=horizon, step_size=step_size, record_every=record_every)
    fixed = dict(d=d, horizon=horizon, step_size=step_size, pde_risk=pde.risk, record_every=record_every)
    tasks = [dict(N=N, **fixed) for N, S in zip(widths, seeds) for _ in range(S)]
    out = map_tasks(_particles_vs_pde, tasks, base_seed=base_seed, n_jobs=n_jobs)
    runs, k = {}, 0
    for N, S in zip(widths, seeds):
        runs[N], k = out[k:k + S], k + S
    return WidthStudy(np.asarray(widths), pde, runs)


@validate_params(study=Instance(WidthStudy))
def width_slopes(study: WidthStudy) -> tuple[list[dict], dict]:
    """Exponents in N of the particles' distance to the PDE, and the numbers behind them.

    * random part of the risk: per run, the RMS over time of its risk minus the mean risk of its
      width (theory -1/2);
    * systematic part: the mean over runs of ``R_N(T) - R_PDE(T)`` (theory -1), fitted with its
      standard error;
    * sliced W1 between ``rho_N(T)`` and the PDE flow of ``rho_N(0)``, and the RMS particle-to-tracer
      distance (both theory -1/2).
    """
    x_rand, y_rand = [], []
    sys_mean, sys_se = [], []
    for N in study.widths:
        R = study.stack(int(N), "risk")
        dev = np.sqrt(np.mean((R[:, 1:] - R[:, 1:].mean(0)) ** 2, axis=1) * len(R) / (len(R) - 1))
        x_rand += [N] * len(R)
        y_rand += list(dev)
        g = study.stack(int(N), "risk_gap")[:, -1]
        sys_mean.append(g.mean())
        sys_se.append(g.std(ddof=1) / np.sqrt(len(g)))
    sys_mean, sys_se = np.asarray(sys_mean), np.asarray(sys_se)
    ok = sys_mean > 2 * sys_se
    # every width, with a constant offset for the reference's own error (no selection by the response)
    sys_fit = _offset_power_fit(study.widths, sys_mean, sys_se)

    def per_run(key):
        x, y = study.per_run(key)
        xs = np.unique(x)
        m_se = [_mean_se(y[x == v][None, :]) for v in xs]
        return loglog_slope(x, y), _local_slope(xs, *np.array(m_se).reshape(len(xs), 2).T)

    xr = np.asarray(x_rand)
    rand_ms = np.array([_mean_se(np.asarray(y_rand)[xr == v][None, :]) for v in study.widths]).reshape(-1, 2)
    rows = [
        _slope_row("mean field: random part of the risk", -0.5, loglog_slope(x_rand, y_rand),
                   _local_slope(study.widths, *rand_ms.T)),
        _slope_row("mean field: systematic risk gap at T, c + C N^p", -1.0, sys_fit),
        _slope_row("mean field: sliced W1 to the PDE at T", -0.5, *per_run("sw")),
        _slope_row("mean field: particle-tracer distance at T", -0.5, *per_run("coupling")),
    ]
    return rows, {"random": (np.asarray(x_rand), np.asarray(y_rand)), "sys_mean": sys_mean, "sys_se": sys_se,
                  "sys_resolved": ok}
