"""Speed of the double-descent helpers.

* theory on a 200 x 200 (psi1, psi2) grid;
* the 20-value ridge path on random features (N = 2400, n = 800, d = 400) against
  scikit-learn's ``RidgeCV(alphas=...)`` and against 20 separate ``Ridge`` fits, all
  on the same feature matrix and measured side by side in one run (interleaved
  repeats, medians).  The path also returns test, training, bias and variance
  errors for every ridge value; ``RidgeCV`` returns its leave-one-out choice.
* the marginal cost of 19 more ridge values in one simulation draw;
* the trained two-layer network: all the book's widths trained as one stacked hidden layer
  against the same widths trained one after the other (same steps, same data).

Chapter execution times are in ``bench_chapters``.  One BLAS thread throughout.
"""

from __future__ import annotations

import time

import numpy as np

from thermo_helpers import double_descent as dd
from thermo_helpers.data import sample_sphere


def _median_time(fn, repeats: int = 5) -> float:
    fn()  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def _theory_grid() -> dict:
    g = np.geomspace(0.05, 50.0, 200)
    t = _median_time(lambda: dd.rf_ridge_asymptotics(g[:, None], g[None, :], 1e-3, tau=0.5), repeats=3)
    return {"name": "double_descent: theory on a 200x200 (psi1, psi2) grid", "value": t, "unit": "s",
            "target": "< 1 s", "ok": t < 1.0, "note": "bracketed Newton on the reduced scalar equation"}


def _problem(d: int = 400, N: int = 2400, n: int = 800, n_test: int = 1000, seed: int = 0):
    rng = np.random.default_rng(seed)
    X, Xt = sample_sphere(n, d, rng=rng), sample_sphere(n_test, d, rng=rng)
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    beta = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    Phi, Phit = np.maximum(X @ W.T, 0.0), np.maximum(Xt @ W.T, 0.0)
    return Phi, Phit, X @ beta, 0.5 * rng.standard_normal(n), Xt @ beta


def _peers(repeats: int = 5) -> list[dict]:
    from sklearn.linear_model import Ridge, RidgeCV

    d, N, n = 400, 2400, 800
    Phi, Phit, f, eps, ft = _problem(d, N, n)
    gam = n * N * np.geomspace(1e-4, 10.0, 20) / d      # the chapter's (N lam / d) on the mean loss
    y = f + eps

    def path():
        return dd.ridge_path_errors(Phi, f, eps, gam, Phit, ft)

    def ridgecv():
        return RidgeCV(alphas=gam, fit_intercept=False).fit(Phi, y)

    def ridges():
        return [Ridge(alpha=g, fit_intercept=False).fit(Phi, y) for g in gam]

    fns = {"path": path, "ridgecv": ridgecv, "ridges": ridges}
    for fn in fns.values():
        fn()  # warm-up
    times = {k: [] for k in fns}
    for _ in range(repeats):                              # interleaved, so load changes hit all three alike
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    med = {k: float(np.median(v)) for k, v in times.items()}
    # the same coefficients: the path's test error at each ridge against Ridge's predictions
    out = path()
    ref = np.array([np.mean((ft - Phit @ r.coef_) ** 2) for r in ridges()])
    same = float(np.max(np.abs(out["test"] - ref) / ref))
    ratio = med["path"] / med["ridgecv"]
    size = f"N={N}, n={n}, d={d}, 20 ridge values, 1000 test points"
    return [
        {"name": "double_descent: ridge path (test, train, bias, variance) / RidgeCV", "value": ratio, "unit": "x",
         "target": "<= 1x", "ok": ratio <= 1.0,
         "note": (f"same features; {size}; path {med['path'] * 1e3:.0f} ms, RidgeCV {med['ridgecv'] * 1e3:.0f} ms "
                  f"(medians of {repeats} interleaved runs); one dsyrk Gram + dsyevd shared by the path and its "
                  f"signal/noise right-hand sides")},
        {"name": "double_descent: 20 separate Ridge fits / ridge path (information)", "value": med["ridges"] / med["path"],
         "unit": "x", "target": "info only", "ok": True,
         "note": f"20 Ridge fits {med['ridges'] * 1e3:.0f} ms; the path's test errors match them to {same:.1e} (relative)"},
    ]


def _path_vs_single(d: int = 150, psi1: float = 3.0, psi2: float = 2.0) -> dict:
    lams = np.geomspace(1e-4, 10.0, 20)
    path = _median_time(lambda: dd.rf_ridge_draw(psi1, psi2, lams, d, rng=0, tau=0.5))
    one = _median_time(lambda: dd.rf_ridge_draw(psi1, psi2, [0.1], d, rng=0, tau=0.5))
    ratio = path / one
    return {"name": "double_descent: 20-lambda draw / single-lambda draw (same routine)", "value": ratio, "unit": "x",
            "target": "<= 1.3x", "ok": ratio <= 1.3,
            "note": (f"the marginal cost of 19 more ridge values in rf_ridge_draw; d={d}, N={round(psi1 * d)}, "
                     f"n={round(psi2 * d)}; path {path * 1e3:.1f} ms, single {one * 1e3:.1f} ms")}


def _trained_stack(steps: int = 100) -> dict:
    from thermo_helpers.double_descent import trained

    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 64))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    Y = np.eye(10)[rng.integers(0, 10, 400)]
    widths = [2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 64, 128, 256]
    kw = dict(steps=steps, step_size=4.0, tol=1e-3, rng=0)
    stacked = _median_time(lambda: trained._train_stack(X[:100], Y[:100], X[100:], Y[100:], widths, **kw), 3)
    alone = _median_time(lambda: [trained._train_stack(X[:100], Y[:100], X[100:], Y[100:], [N], **kw)
                                  for N in widths], 3)
    ratio = stacked / alone
    return {"name": "double_descent: trained widths stacked / one width at a time", "value": ratio, "unit": "x",
            "target": "<= 1x", "ok": ratio <= 1.0,
            "note": (f"n=100, d=64, K=10, widths {widths[0]}..{widths[-1]} ({len(widths)}), {steps} GD steps; "
                     f"stacked {stacked * 1e3 / steps:.2f} ms/step, one at a time {alone * 1e3 / steps:.2f} ms/step")}


def run() -> list[dict]:
    """Return the benchmark rows (see ``benchmarks/run.py``)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return [_theory_grid(), *_peers(), _path_vs_single(), _trained_stack()]


if __name__ == "__main__":
    for r in run():
        print(r)
