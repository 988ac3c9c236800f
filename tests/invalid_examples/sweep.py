"""Valid example calls for thermo_helpers.sweep (see README.md)."""

import numpy as np


def square(x, *, rng):
    """A tiny sweep task: x^2 plus a little noise."""
    return x * x + 0.01 * rng.standard_normal()


def _result():
    from thermo_helpers import sweep

    return sweep.run_sweep(square, {"x": [1.0, 2.0]}, seeds=2, base_seed=1, n_jobs=1, progress=False)


EXAMPLES = {
    "map_tasks": lambda: dict(func=square, kwargs_list=[{"x": 1.0}, {"x": 2.0}], base_seed=4, n_jobs=1,
                              progress=False, desc="squares"),
    "task_rng": dict(base_seed=3, index=1, seed=2),
    "run_sweep": dict(func=square, grid={"x": [1.0, 2.0]}, seeds=2, base_seed=1, n_jobs=1, progress=False,
                      fixed=None),
    "SweepResult.mean": lambda: dict(self=_result(), key="value"),
    "SweepResult.sem": lambda: dict(self=_result(), key="value"),
}
