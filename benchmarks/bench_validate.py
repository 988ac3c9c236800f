"""Cost of the argument checks: a validated call against the same function undecorated.

``@validate_params`` keeps the undecorated function as ``__wrapped__``, so the
two are timed in one run on the same inputs and only their ratio is reported.
"""

from __future__ import annotations

import time

import numpy as np

from thermo_helpers import data, features, models


def _best(fn, repeats: int = 5, number: int = 200) -> float:
    """Best per-call time over ``repeats`` loops of ``number`` calls."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def run() -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    small = (dict(X=rng.standard_normal((50, 20)), a=rng.standard_normal(40), W=rng.standard_normal((40, 20))))
    book = (dict(X=rng.standard_normal((800, 200)), W=rng.standard_normal((400, 200))))
    cases = [  # (name, function, kwargs, target on the overhead per call in microseconds)
        ("f_nn, n=50, N=40, d=20", models.f_nn, small, 250.0),
        ("sample_sphere, 10 x 5", data.sample_sphere, dict(n=10, d=5, rng=1), 150.0),
    ]
    for name, fn, kw, limit in cases:
        checked = _best(lambda: fn(**kw))
        raw = _best(lambda: fn.__wrapped__(**kw))
        extra = (checked - raw) * 1e6
        rows.append(dict(name=f"checking overhead per call: {name}", value=extra, unit="us",
                         target=f"< {limit:g} us", ok=extra < limit,
                         note=f"checked {checked * 1e6:.0f} us, unchecked {raw * 1e6:.0f} us per call"))
    checked = _best(lambda: features.rf_features(**book), number=10)
    raw = _best(lambda: features.rf_features.__wrapped__(**book), number=10)
    rows.append(dict(name="validated / unchecked: rf_features, n=800, N=400, d=200", value=checked / raw,
                     unit="x", target="<= 1.1x", ok=checked / raw <= 1.1,
                     note=f"checked {checked * 1e3:.1f} ms, unchecked {raw * 1e3:.1f} ms per call"))
    return rows
