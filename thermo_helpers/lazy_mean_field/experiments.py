"""The chapter's experiments: the (N, alpha_CB) design's exponents and the width study of the PDE.

Each ``*_slopes`` function returns rows ``{"quantity", "theory", "fit", "lo", "hi", "verdict"}``
for the reference table: ``"agrees"`` when the interval at the book's level (99%,
:data:`thermo_helpers.report.THRESHOLD`) contains the theory exponent (and, for a predicted
decay, excludes 0: an interval that also holds 0 is ``"undecided"``),
``"disagrees"`` when it does not, ``"undecided"`` when fewer than three points are resolved
(a gap part is *resolved* at a point when it exceeds twice its standard error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .._validate import Boolean, Instance, Integer, InvalidParameterError, ListOf, NJobs, OneOf, Real, Seed, StepSize, check_size, validate_params
from .. import report
from ..stats import loglog_slope as _loglog_slope
from ..sweep import map_tasks
from .design import DesignResult, _weighted_loglog_slope
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
        return {"quantity": quantity, "theory": theory, "fit": np.nan, "lo": np.nan, "hi": np.nan,
                "local": loc, "local se": loc_se, "verdict": "undecided"}
    if len(fit) != 3:
        raise InvalidParameterError(f"fit must be (slope, lo, hi), got {len(fit)} items")
    s, lo, hi = fit
    verdict = report.verdict_interval(lo, hi, theory)
    if theory != 0 and lo <= 0 <= hi:
        verdict = "undecided"  # the interval cannot tell the predicted decay from none at all
    return {"quantity": quantity, "theory": theory, "fit": s, "lo": lo, "hi": hi,
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


def _corrected_power_fit(x, v, se, q: float):
    """Fit ``v = C x^p (1 + b x^-q)`` with ``q`` fixed in advance; ``(p, lo, hi)`` or ``None``.

    Weighted least squares on ``log v`` (weights ``v / se``) with the residual scale estimated
    from the fit, and a Student-t interval at the book's level on ``n - 3`` degrees of freedom;
    ``None`` when fewer than four points are positive or the fit does not converge.
    """
    from scipy import optimize
    from scipy import stats as sps

    x, v, se = (np.asarray(a, dtype=float).ravel() for a in (x, v, se))
    ok = v > 0
    x, v, se = x[ok], v[ok], se[ok]
    if x.size < 4:
        return None

    def model(lx, a, p, b):
        return a + p * lx + np.log1p(b * np.exp(-q * lx))

    lx, ly = np.log(x), np.log(v)
    p0 = np.polyfit(lx, ly, 1)
    try:
        popt, pcov = optimize.curve_fit(model, lx, ly, p0=[p0[1], p0[0], 0.0], sigma=se / v,
                                        absolute_sigma=False, bounds=([-np.inf, -np.inf, -0.9], np.inf))
    except (RuntimeError, ValueError):
        return None
    sd = float(np.sqrt(pcov[1, 1]))
    if not np.isfinite(sd):
        return None
    t = sps.t.ppf(0.5 + LEVEL / 2, x.size - 3)
    return float(popt[1]), float(popt[1] - t * sd), float(popt[1] + t * sd)


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


def _part_fit(res: DesignResult, key: str, idx, x):
    v, se = res.part(key, idx)
    ok = v > 2 * se
    if ok.sum() < 3:
        return None
    f = _weighted_loglog_slope(np.asarray(x)[ok], v[ok], se[ok], level=LEVEL)
    return f["slope"], f["lo"], f["hi"]


@validate_params(res=Instance(DesignResult), row_N=Integer(min=1), col_alpha=Real(gt=0), smooth=Boolean(),
                 min_alpha=Real(ge=0))
def design_slopes(res: DesignResult, *, row_N: int, col_alpha: float, smooth: bool,
                  min_alpha: float = 10.0) -> list[dict]:
    """Exponents of movement and gap parts along the design's row (fixed N) and column (fixed alpha_CB).

    ``smooth`` selects the theory of the gap: ``alpha^-2`` coherent and ``alpha^-2 N^-1/2``
    incoherent for a smooth activation; for ReLU the incoherent part is ``(N alpha)^-1/2``.
    Points with ``alpha_CB < min_alpha`` are left out (the laws are for alpha_CB >> 1).
    """
    row = np.array([i for i in res.select(N=row_N) if res.points[i][1] >= min_alpha], dtype=int)
    col = np.array([i for i in res.select(alpha_cb=col_alpha)], dtype=int)
    diag = np.array([i for i, (N, a) in enumerate(res.points) if abs(a - np.sqrt(N)) < 1e-9], dtype=int)
    a_row = [res.points[i][1] for i in row]
    N_col = [res.points[i][0] for i in col]
    N_diag = [res.points[i][0] for i in diag]
    act = "tanh" if smooth else "relu"
    q = 2.0 if smooth else 1.0  # relative correction alpha^-q: f - f_lin is odd in eps = y/alpha for tanh
    mv_row, mv_col, mv_diag = (_mean_se(res.rel_move[idx]) for idx in (row, col, diag))

    def part(key, idx, x):
        return _part_fit(res, key, idx, x), _local_slope(x, *res.part(key, idx))

    rows = [
        _slope_row(f"{act}: movement vs alpha_CB (N={row_N}), x^p(1+b x^-{q:g})", -1.0,
                   _corrected_power_fit(a_row, *mv_row, q=q), _local_slope(a_row, *mv_row)),
        _slope_row(f"{act}: movement vs N (alpha_CB={col_alpha:g})", 0.0, loglog_slope(N_col, res.rel_move[col]),
                   _local_slope(N_col, *mv_col)),
        _slope_row(f"{act}: movement vs N (lazy preset)", -0.5,
                   loglog_slope(N_diag, res.rel_move[diag]) if len(diag) >= 2 else None,
                   _local_slope(N_diag, *mv_diag)),
        _slope_row(f"{act}: coherent gap vs alpha_CB", -2.0, *part("coherent", row, a_row)),
        _slope_row(f"{act}: coherent gap vs N", 0.0, *part("coherent", col, N_col)),
        _slope_row(f"{act}: incoherent gap vs alpha_CB", -2.0 if smooth else -0.5,
                   *part("incoherent", row, a_row)),
        _slope_row(f"{act}: incoherent gap vs N", -0.5, *part("incoherent", col, N_col)),
        _slope_row(f"{act}: coherent gap vs N (lazy preset)", -1.0, *part("coherent", diag, N_diag)),
        _slope_row(f"{act}: incoherent gap vs N (lazy preset)", -1.5 if smooth else -0.75,
                   *part("incoherent", diag, N_diag)),
    ]
    return rows


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
