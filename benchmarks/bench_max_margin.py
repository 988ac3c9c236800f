"""Benchmarks for thermo_helpers.max_margin.

* one max-margin solve at n = 800, N = 1600 (ReLU random features, labels
  sign(x_1)): the default dual path against scikit-learn's ``SVC(kernel="linear",
  C=1e8)``, timed in the same run, and against cvxpy (CLARABEL) for the margin;
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
    from sklearn.svm import SVC

    from thermo_helpers import max_margin as mm
    from thermo_helpers.data import sample_gaussian, sample_sphere

    rng = np.random.default_rng(0)
    d, N, n = 400, 1600, 800
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    X = sample_gaussian(n, d, rng=rng)
    y = np.where(X[:, 0] >= 0, 1.0, -1.0)  # labels sign(x_1)
    U = mm.rf_features(X, W, activation="relu")
    mm.max_margin(U[:50, :60], y[:50], method="cvxpy")  # import cvxpy and warm up outside the timing
    # interleave the two timed solvers so that both see the same machine load
    t_svc, t_dual = np.inf, np.inf
    for _ in range(3):
        t, svc = _time(lambda: SVC(kernel="linear", C=1e8).fit(U, y))
        t_svc = min(t_svc, t)
        t, r_dual = _time(lambda: mm.max_margin(U, y))
        t_dual = min(t_dual, t)
    t_cvx, r_cvx = _time(lambda: mm.max_margin(U, y, method="cvxpy"))
    rel = abs(r_cvx.kappa - r_dual.kappa) / r_cvx.kappa
    kkt = mm.check_kkt(U, y, r_dual)
    ratio = t_dual / t_svc
    return [
        {"name": "max-margin solve n=800, N=1600: default dual path", "value": t_dual, "unit": "s",
         "target": "< 2 s", "ok": t_dual < 2,
         "note": f"{r_dual.verdict}, {r_dual.n_support} support vectors, largest KKT residual "
                 f"{max(kkt.values()):.0e}"},
        {"name": "max-margin solve n=800, N=1600: sklearn SVC(kernel='linear', C=1e8)", "value": t_svc,
         "unit": "s", "target": "-", "ok": True,
         "note": f"libsvm hard margin with an intercept, {int(svc.n_support_.sum())} support vectors"},
        {"name": "max-margin solve: dual path / SVC time ratio (same run)", "value": ratio, "unit": "x",
         "target": "<= 0.5x", "ok": ratio <= 0.5, "note": "best of 3 interleaved runs each"},
        {"name": "max-margin solve n=800, N=1600: cvxpy (CLARABEL, reference)", "value": t_cvx, "unit": "s",
         "target": "< 30 s", "ok": t_cvx < 30,
         "note": f"margin differs from the dual path by relative {rel:.1e} (target <= 1e-8)"},
        {"name": "max-margin: relative margin difference, dual path vs CLARABEL", "value": rel, "unit": "",
         "target": "<= 1e-8", "ok": rel <= 1e-8, "note": f"CLARABEL status {r_cvx.status}"},
    ]


def _sweep_row() -> dict:
    from thermo_helpers import max_margin as mm
    from thermo_helpers import sweep

    psi1 = np.geomspace(0.9, 10.0, 20)
    t, res = _time(lambda: sweep.run_sweep(
        mm.rf_max_margin_trial, {"psi1": psi1}, seeds=5, base_seed=1, n_jobs=2,
        fixed={"psi2": 2.0, "d": 200, "features": "noisy_linear"}))
    return {"name": "psi1 sweep, 20 values x 5 draws, d=200 (noisy linear, dual path)", "value": t,
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
