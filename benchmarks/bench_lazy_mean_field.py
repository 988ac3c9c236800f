"""Benchmarks for thermo_helpers.lazy_mean_field (lazy vs mean-field chapter).

* One full-batch gradient step at N = 4096, n = 1024, d = 64 against the two
  n x N x d matrix products it cannot avoid (X W^T and sigma'(Z)^T (r X)).

Chapter execution times are in ``bench_chapters``.
"""

from __future__ import annotations

import timeit
from pathlib import Path

import numpy as np
from thermo_helpers.lazy_mean_field.network import _gd_step

ROOT = Path(__file__).resolve().parents[1]


def _best(fn, number=3, repeat=5) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def bench_step(N: int = 4096, n: int = 1024, d: int = 64) -> dict:
    from threadpoolctl import threadpool_limits

    import thermo_helpers.lazy_mean_field as tl

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    a, W = tl.init_params(N, d, rng)
    sc = tl.scaling(N, "mean_field")
    R = rng.standard_normal((n, d))
    with threadpool_limits(1):
        t_step = _best(lambda: _gd_step(X, y, a, W, sc, 1e-6))
        Z = X @ W.T
        t_mm = _best(lambda: X @ W.T) + _best(lambda: Z.T @ R)
    ratio = t_step / t_mm
    return {"name": f"lazy_mean_field: one GD step / two matmuls (N={N}, n={n}, d={d}, 1 thread)",
            "value": ratio, "unit": "x", "target": "<= 3x", "ok": bool(ratio <= 3.0),
            "note": f"step {t_step * 1e3:.1f} ms, matmuls {t_mm * 1e3:.1f} ms"}


def run() -> list[dict]:
    return [bench_step()]


if __name__ == "__main__":
    for r in run():
        print(r)
