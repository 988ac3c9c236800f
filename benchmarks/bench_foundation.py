"""Foundation benchmarks: quadrature, the sweep runner, and a warm book build."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np

from thermo_helpers import activations, sweep

ROOT = Path(__file__).resolve().parents[1]


def _spin(n, rng):
    """A CPU-bound toy task (~50 ms) for measuring the parallel speed-up."""
    A = rng.standard_normal((n, n))
    return float(np.linalg.eigvalsh(A + A.T)[0])


def run() -> list[dict]:
    rows = []
    t0 = time.perf_counter()
    for name in activations.ACTIVATION_NAMES:
        activations.gaussian_moments(name)
    dt = time.perf_counter() - t0
    rows.append(dict(name="gaussian_moments, all named activations", value=dt, unit="s",
                     target="< 0.5 s", ok=dt < 0.5, note=f"{len(activations.ACTIVATION_NAMES)} activations"))

    kw = dict(grid={"n": [700] * 4}, seeds=4, base_seed=0, progress=False)
    sweep.run_sweep(_spin, n_jobs=2, **kw)  # warm the worker pool
    t1 = time.perf_counter()
    sweep.run_sweep(_spin, n_jobs=1, **kw)
    t1 = time.perf_counter() - t1
    t2 = time.perf_counter()
    sweep.run_sweep(_spin, n_jobs=2, **kw)
    t2 = time.perf_counter() - t2
    rows.append(dict(name="run_sweep speed-up, 2 workers vs 1 (16 tasks)", value=t1 / t2, unit="x",
                     target=">= 1.5x", ok=t1 / t2 >= 1.5, note=f"1 worker {t1:.2f} s, 2 workers {t2:.2f} s"))

    html = ROOT / "book" / "_build" / "html" / "index.html"
    if html.exists():
        env = dict(os.environ)
        t3 = time.perf_counter()
        proc = subprocess.run(["make", "-s", "book"], cwd=ROOT, env=env, capture_output=True, text=True)
        t3 = time.perf_counter() - t3
        rows.append(dict(name="make book, warm cache, nothing changed", value=t3, unit="s", target="< 60 s",
                         ok=proc.returncode == 0 and t3 < 60,
                         note="rc=%d" % proc.returncode))
    else:
        rows.append(dict(name="make book, warm cache, nothing changed", value="not measured", unit="",
                         target="< 60 s", ok=False, note="run `make book` once first"))
    return rows
