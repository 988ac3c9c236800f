"""Benchmarks for thermo_helpers.representation.

* the exact quadratic RF risk at the talk's largest size (d = 450, N = 4500),
  against the issue's target of 10 s, and its ratio to a d^2 x N least-squares
  solve measured at a size where that is affordable;
* the exact NT risk at d = 450, N = 225;
* the exact ReLU NT risk by matrix-free CG at d = 450, N = 900 (target 60 s), and
  its speed-up over the dense (N d) x (N d) solve at d = 30, N = 120;
* one-pass SGD throughput (steps per second, batch 1, d = 40, N = 10).

Chapter execution times are in ``bench_chapters``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from thermo_helpers import representation as rep

ROOT = Path(__file__).resolve().parents[1]


def _time(fn, repeat: int = 1) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run() -> list[dict]:
    rows = []
    B = rep.quadratic_target(450, rng=0).B
    W = rep.sample_weights(4500, 450, rng=1)
    t_rf = _time(lambda: rep.population_risk("rf", B, W))
    rows.append({"name": "population_risk('rf'), d=450, N=4500", "value": t_rf, "unit": "s",
                 "target": "< 10 s", "ok": t_rf < 10.0, "note": "Gram (WW^T)o(WW^T), Cholesky"})

    # ratio to the naive d^2 x N least squares at d = 60, N = 300
    Bs = rep.quadratic_target(60, rng=2).B
    Ws = rep.sample_weights(300, 60, rng=3)

    def naive():
        F = np.einsum("nd,ne->den", Ws, Ws).reshape(60 * 60, 300)
        np.linalg.lstsq(F, Bs.ravel(), rcond=None)

    t_naive = _time(naive, 3)
    t_gram = _time(lambda: rep.population_risk("rf", Bs, Ws), 3)
    rows.append({"name": "RF naive d^2xN lstsq / Gram, d=60, N=300", "value": t_naive / t_gram, "unit": "x",
                 "target": ">= 1x", "ok": t_naive >= t_gram,
                 "note": f"naive {t_naive * 1e3:.0f} ms, Gram {t_gram * 1e3:.1f} ms"})

    t_nt = _time(lambda: rep.population_risk("nt", B, W[:225]), 3)
    rows.append({"name": "population_risk('nt'), d=450, N=225", "value": t_nt, "unit": "s",
                 "target": "< 1 s", "ok": t_nt < 1.0, "note": "eigh of W^T W"})

    # exact ReLU NT risk, matrix-free CG: the target size, and the dense reference at a small one
    Br = rep.quadratic_target(450, rng=6).B
    Wr = rep.sample_weights(900, 450, rng=7)
    t0 = time.perf_counter()
    sol = rep.relu_nt_solve(Br, Wr)
    t_relu = time.perf_counter() - t0
    rows.append({"name": "population_risk('nt', relu), d=450, N=900", "value": t_relu, "unit": "s",
                 "target": "<= 60 s", "ok": t_relu <= 60.0,
                 "note": f"matrix-free CG, {sol.iterations} iterations, residual {sol.residual:.1e}"})
    Bs2 = rep.quadratic_target(30, rng=6).B
    Ws2 = rep.sample_weights(120, 30, rng=7)
    t_dense = _time(lambda: rep.relu_nt_solve(Bs2, Ws2, method="dense"))
    t_cg = _time(lambda: rep.relu_nt_solve(Bs2, Ws2), 3)
    rows.append({"name": "ReLU NT dense / CG, d=30, N=120", "value": t_dense / t_cg, "unit": "x",
                 "target": ">= 1x", "ok": t_dense >= t_cg,
                 "note": f"dense {t_dense:.2f} s (N d = 3600), CG {t_cg * 1e3:.0f} ms"})

    t = rep.quadratic_target(40, rng=4)
    steps = 20000
    t_sgd = _time(lambda: rep.train_nn_sgd(t, 10, steps=steps, step_size=0.05 / 1600, rng=5, record_every=5000))
    rows.append({"name": "one-pass SGD, batch 1, d=40, N=10", "value": steps / t_sgd, "unit": "steps/s",
                 "target": ">= 2e4 steps/s", "ok": steps / t_sgd >= 2e4, "note": "Python loop, chunked sampling"})

    # the paper edition's SGD markers: d = 450, target in its eigenbasis (f_* costs O(d) per sample)
    t450 = rep.quadratic_target(450, rng=6)
    lam, steps = np.diag(t450.eigenvalues), 2000
    t_diag = _time(lambda: rep.train_nn_sgd(lam, 30, steps=steps, step_size=1.6e-5, rng=7, b0=t450.b0, batch_size=16,
                                            c_step_factor=112.5, record_every=steps))
    rows.append({"name": "one-pass SGD, batch 16, d=450 (eigenbasis), N=30", "value": 16 * steps / t_diag,
                 "unit": "samples/s", "target": ">= 2e4 samples/s", "ok": 16 * steps / t_diag >= 2e4,
                 "note": "the paper edition's markers use 2e6 samples per run"})

    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
