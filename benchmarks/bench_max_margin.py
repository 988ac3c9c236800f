"""Benchmarks for thermo_helpers.max_margin.

* one max-margin solve at n = 800, N = 1600: cvxpy (CLARABEL) vs the exact
  NNLS least-distance path, side by side, with their ratio;
* a psi1 sweep (20 values x 5 draws) at d = 200, psi2 = 2, noisy-linear
  features with exact test error, through ``run_sweep`` (2 processes);
* the asymptotic formula at one psi1 and the separability threshold.

Chapter execution times are in ``bench_chapters``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _time(fn, repeat: int = 1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _solve_rows() -> list[dict]:
    from thermo_helpers import max_margin as mm
    from thermo_helpers.data import sample_gaussian, sample_sphere

    rng = np.random.default_rng(0)
    d, N, n = 400, 1600, 800
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    X = sample_gaussian(n, d, rng=rng)
    beta0 = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    y = np.where(X @ beta0 >= 0, 1.0, -1.0)
    U = mm.rf_features(X, W, activation="relu")
    mm.max_margin(U[:50, :60], y[:50])  # import cvxpy and warm up outside the timing
    t_cvx, r_cvx = _time(lambda: mm.max_margin(U, y))
    t_osqp, r_osqp = _time(lambda: mm.max_margin(U, y, solver="OSQP"))
    t_ex, r_ex = _time(lambda: mm.max_margin(U, y, method="nnls"), repeat=3)
    rel = abs(r_cvx.kappa - r_ex.kappa) / r_ex.kappa
    ratio = t_cvx / t_ex
    return [
        {"name": "max-margin solve n=800, N=1600: cvxpy (CLARABEL)", "value": t_cvx, "unit": "s",
         "target": "< 30 s", "ok": t_cvx < 30, "note": f"status {r_cvx.status}"},
        {"name": "max-margin solve n=800, N=1600: cvxpy (OSQP)", "value": t_osqp, "unit": "s",
         "target": "< 30 s", "ok": t_osqp < 30,
         "note": f"status {r_osqp.status}; margin off by relative "
                 f"{abs(r_osqp.kappa - r_ex.kappa) / r_ex.kappa:.1e}"},
        {"name": "max-margin solve n=800, N=1600: exact NNLS path", "value": t_ex, "unit": "s",
         "target": "< 2 s", "ok": t_ex < 2, "note": f"{r_ex.n_support} support vectors"},
        {"name": "max-margin solve: cvxpy / exact time ratio", "value": ratio, "unit": "x",
         "target": ">= 1x", "ok": ratio >= 1,
         "note": f"margins agree to relative {rel:.1e}"},
    ]


def _sweep_row() -> dict:
    from thermo_helpers import max_margin as mm
    from thermo_helpers import sweep

    psi1 = np.geomspace(0.9, 10.0, 20)
    t, res = _time(lambda: sweep.run_sweep(
        mm.rf_max_margin_trial, {"psi1": psi1}, seeds=5, base_seed=1, n_jobs=2,
        fixed={"psi2": 2.0, "d": 200, "features": "noisy_linear"}))
    return {"name": "psi1 sweep, 20 values x 5 draws, d=200 (noisy linear, exact path)", "value": t,
            "unit": "s", "target": "< 60 s", "ok": t < 60,
            "note": f"{int(res.values['separable'].sum())} of 100 draws separable"}


def _theory_rows() -> list[dict]:
    from thermo_helpers import max_margin as mm

    t1, r = _time(lambda: mm.rf_max_margin_asymptotics(3.0, 2.0))
    t2, thr = _time(lambda: mm.rf_separability_threshold(2.0))
    return [
        {"name": "rf_max_margin_asymptotics(psi1=3, psi2=2)", "value": t1, "unit": "s", "target": "< 2 s",
         "ok": t1 < 2, "note": f"kappa* = {r.kappa:.4f}, Err* = {r.test_error:.4f}"},
        {"name": "rf_separability_threshold(psi2=2)", "value": t2, "unit": "s", "target": "< 10 s",
         "ok": t2 < 10, "note": f"psi1* = {thr:.4f}"},
    ]


def run() -> list[dict]:
    rows = _solve_rows()
    rows.append(_sweep_row())
    rows += _theory_rows()
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
