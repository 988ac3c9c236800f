"""Cost of the argument checks: the same call with checks on and switched off.

Checks run once, on entry to the outermost public call
(:func:`thermo_helpers._validate.validate_params`); :func:`~thermo_helpers._validate.checks_off`
switches them off.  Each pair of runs is interleaved (checked, unchecked, checked, ...)
on the same inputs, and the ratio of the best times is reported, next to the cost of
the checks alone (timed on their own, thousands of times).  ``_validate.COUNT`` gives the number of argument checks one call runs.
"""

from __future__ import annotations

import inspect
import time
import timeit

import numpy as np

from thermo_helpers import _validate, data, features, models
from thermo_helpers import double_descent as dd
from thermo_helpers import lazy_mean_field as lmf


def _paired(fn, repeats: int, number: int = 1) -> tuple[float, float]:
    """Best per-call seconds of ``fn`` with checks on and off, over back-to-back pairs whose
    order alternates; the best of many runs is what a quiet moment of a busy machine gives."""
    on, off = [], []
    for k in range(repeats):
        for unchecked in ((False, True) if k % 2 else (True, False)):
            t0 = time.perf_counter()
            for _ in range(number):
                if unchecked:
                    with _validate.checks_off():
                        fn()
                else:
                    fn()
            (off if unchecked else on).append((time.perf_counter() - t0) / number)
    return min(on), min(off)


def _door(func, kw: dict, number: int = 2000) -> float:
    """Seconds the checks of one call of ``func(**kw)`` take: binding and every declaration."""
    sig = inspect.signature(func)
    declared = func.__thermo_params__

    def checks():
        bound = sig.bind(**kw)
        bound.apply_defaults()
        for name, c in declared.items():
            c.check(name, bound.arguments[name], {})

    return min(timeit.repeat(checks, number=number, repeat=5)) / number


def _checks(fn) -> int:
    """Argument checks run by one call of ``fn``."""
    before = _validate.COUNT[0]
    fn()
    return _validate.COUNT[0] - before


def _declared(func) -> int:
    return len(func.__thermo_params__)


def run() -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    # the two calls of issue 19: a small lazy training run and one double-descent draw
    X, y = rng.standard_normal((200, 20)), rng.standard_normal(200)
    train = dict(X=X, y=y, N=100, preset="lazy", activation="relu", step_size=0.05, steps=1000, rng=1)
    draw = dict(psi1=1.0, psi2=2.0, lams=[1e-3, 1e-2, 1e-1, 1.0], d=100, rng=2, activation="relu", tau=0.5)
    for name, func, kw, repeats, number, was in [
        ("lazy_mean_field.train (1000 steps, n=200, N=100, d=20)", lmf.train, train, 9, 1,
         "1,465 checks per 100 steps before issue 19; 363 ms checked vs 187 ms unchecked"),
        ("double_descent.rf_ridge_draw (d=100, psi1=1, psi2=2, 4 ridges)", dd.rf_ridge_draw, draw, 21, 4,
         "79 checks per draw before issue 19"),
    ]:
        on, off = _paired(lambda: func(**kw), repeats, number)
        door = _door(func, kw)
        n_checks, n_args = _checks(lambda: func(**kw)), _declared(func)
        rows.append(dict(name=f"checked / unchecked: {name}", value=on / off, unit="x", target="<= 1.05x",
                         ok=on / off <= 1.05,
                         note=f"best of {repeats} back-to-back pairs of {number} call(s): checked {on * 1e3:.1f} ms, unchecked "
                              f"{off * 1e3:.1f} ms; the checks alone take {door * 1e6:.0f} us per call "
                              f"({door / off:.2%} of the unchecked call)"))
        rows.append(dict(name=f"argument checks per call: {name}", value=n_checks, unit="checks",
                         target=f"<= {n_args} (one per declared argument)", ok=n_checks <= n_args,
                         note=was))
    # the fixed cost of the door on small calls
    small = dict(X=rng.standard_normal((50, 20)), a=rng.standard_normal(40), W=rng.standard_normal((40, 20)))
    for name, fn, kw, limit in [("f_nn, n=50, N=40, d=20", models.f_nn, small, 250.0),
                                ("sample_sphere, 10 x 5", data.sample_sphere, dict(n=10, d=5, rng=1), 150.0)]:
        on, off = _paired(lambda: fn(**kw), repeats=5, number=200)
        extra = (on - off) * 1e6
        rows.append(dict(name=f"checking overhead per call: {name}", value=extra, unit="us",
                         target=f"< {limit:g} us", ok=extra < limit,
                         note=f"checked {on * 1e6:.0f} us, unchecked {off * 1e6:.0f} us per call"))
    book = dict(X=rng.standard_normal((800, 200)), W=rng.standard_normal((400, 200)))
    on, off = _paired(lambda: features.rf_features(**book), repeats=5, number=10)
    rows.append(dict(name="checked / unchecked: rf_features, n=800, N=400, d=200", value=on / off, unit="x",
                     target="<= 1.1x", ok=on / off <= 1.1,
                     note=f"checked {on * 1e3:.1f} ms, unchecked {off * 1e3:.1f} ms per call"))
    return rows
