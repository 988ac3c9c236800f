"""The chapter's experiments: the (N, alpha_CB) design's exponents and the width study of the PDE.

Each ``*_slopes`` function returns rows ``{"quantity", "theory", "fit", "lo", "hi", "verdict"}``
for the reference table: ``"agrees"`` when the interval at the book's level (99%,
:data:`thermo_helpers.report.THRESHOLD`) contains the theory exponent,
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


def _slope_row(quantity: str, theory: float, fit) -> dict:
    """A reference-table row from a ``(slope, lo, hi)`` fit, or ``None`` for an undecided one."""
    if fit is None:
        return {"quantity": quantity, "theory": theory, "fit": np.nan, "lo": np.nan, "hi": np.nan,
                "verdict": "undecided"}
    if len(fit) != 3:
        raise InvalidParameterError(f"fit must be (slope, lo, hi), got {len(fit)} items")
    s, lo, hi = fit
    return {"quantity": quantity, "theory": theory, "fit": s, "lo": lo, "hi": hi,
            "verdict": report.verdict_interval(lo, hi, theory)}


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
    row = np.array([i for i in res.select(N=row_N) if res.points[i][1] >= min_alpha])
    col = np.array([i for i in res.select(alpha_cb=col_alpha)])
    diag = np.array([i for i, (N, a) in enumerate(res.points) if abs(a - np.sqrt(N)) < 1e-9])
    a_row = [res.points[i][1] for i in row]
    N_col = [res.points[i][0] for i in col]
    N_diag = [res.points[i][0] for i in diag]
    act = "tanh" if smooth else "relu"
    rows = [
        _slope_row(f"{act}: movement vs alpha_CB (N={row_N})", -1.0, loglog_slope(a_row, res.rel_move[row])),
        _slope_row(f"{act}: movement vs N (alpha_CB={col_alpha:g})", 0.0, loglog_slope(N_col, res.rel_move[col])),
        _slope_row(f"{act}: movement vs N (lazy preset)", -0.5,
                  loglog_slope(N_diag, res.rel_move[diag]) if len(diag) >= 2 else None),
        _slope_row(f"{act}: coherent gap vs alpha_CB", -2.0, _part_fit(res, "coherent", row, a_row)),
        _slope_row(f"{act}: coherent gap vs N", 0.0, _part_fit(res, "coherent", col, N_col)),
        _slope_row(f"{act}: incoherent gap vs alpha_CB", -2.0 if smooth else -0.5,
                  _part_fit(res, "incoherent", row, a_row)),
        _slope_row(f"{act}: incoherent gap vs N", -0.5, _part_fit(res, "incoherent", col, N_col)),
        _slope_row(f"{act}: gap vs N (lazy preset)", -1.0 if smooth else -0.75,
                  _part_fit(res, "total", diag, N_diag)),
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
    sys_fit = None
    if ok.sum() >= 3:
        f = _weighted_loglog_slope(study.widths[ok], sys_mean[ok], sys_se[ok], level=LEVEL)
        sys_fit = (f["slope"], f["lo"], f["hi"])
    rows = [
        _slope_row("mean field: random part of the risk", -0.5, loglog_slope(x_rand, y_rand)),
        _slope_row("mean field: systematic risk gap at T", -1.0, sys_fit),
        _slope_row("mean field: sliced W1 to the PDE at T", -0.5, loglog_slope(*study.per_run("sw"))),
        _slope_row("mean field: particle-tracer distance at T", -0.5, loglog_slope(*study.per_run("coupling"))),
    ]
    return rows, {"random": (np.asarray(x_rand), np.asarray(y_rand)), "sys_mean": sys_mean, "sys_se": sys_se,
                  "sys_resolved": ok}
