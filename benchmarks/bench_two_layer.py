"""Benchmarks for thermo_helpers.two_layer (lazy vs mean-field chapter).

* One full-batch gradient step at N = 4096, n = 1024, d = 64 against the two
  n x N x d matrix products it cannot avoid (X W^T and sigma'(Z)^T (r X)).
* Wall time of executing the chapter at book scale (in memory, the stored
  notebook is not modified).
"""

from __future__ import annotations

import os
import time
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _best(fn, number=3, repeat=5) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def bench_step(N: int = 4096, n: int = 1024, d: int = 64) -> dict:
    from threadpoolctl import threadpool_limits

    from thermo_helpers import two_layer as tl

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    a, W = tl.init_params(N, d, rng)
    sc = tl.scaling(N, "mean_field")
    R = rng.standard_normal((n, d))
    with threadpool_limits(1):
        t_step = _best(lambda: tl.gd_step(X, y, a, W, sc, 1e-6))
        Z = X @ W.T
        t_mm = _best(lambda: X @ W.T) + _best(lambda: Z.T @ R)
    ratio = t_step / t_mm
    return {"name": f"two_layer: one GD step / two matmuls (N={N}, n={n}, d={d}, 1 thread)",
            "value": ratio, "unit": "x", "target": "<= 3x", "ok": bool(ratio <= 3.0),
            "note": f"step {t_step * 1e3:.1f} ms, matmuls {t_mm * 1e3:.1f} ms"}


def bench_chapter(name: str = "lazy_mean_field") -> dict:
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    env_backup = {k: os.environ.get(k) for k in ("THERMO_SCALE", "THERMO_PROGRESS")}
    os.environ["THERMO_SCALE"] = "book"
    os.environ["THERMO_PROGRESS"] = "0"
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        wall = time.perf_counter() - t0
    finally:
        for k, v in env_backup.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {"name": f"{name}: chapter execution at book scale", "value": wall, "unit": "s",
            "target": "< 180 s", "ok": bool(wall < 180), "note": "2 cores shared; includes kernel start"}


def run() -> list[dict]:
    return [bench_step(), bench_chapter()]


if __name__ == "__main__":
    for r in run():
        print(r)
