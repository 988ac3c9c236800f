"""Min-norm and ridge random features on the scikit-learn digits: curves over the width and their summary."""

from __future__ import annotations

import numpy as np

from .double_descent import rf_min_norm_curve

__all__ = ["digits_curves", "digits_summary"]


def digits_curves(X_train, Y_train, X_test, Y_test, Ns, lams, streams) -> dict:
    """``rf_min_norm_curve`` for each ridge in ``lams`` and each seed stream.

    ``streams`` holds ``len(lams) * S`` seeds (``SeedSequence`` or int), used in
    order: the first ``S`` for ``lams[0]``, and so on.

    Returns
    -------
    dict of lam -> dict of ndarray (S, len(Ns))
        ``test_mse``, ``train_mse``, ``test_err``, ``train_err`` and ``norm``.
    """
    lams = [float(v) for v in lams]
    streams = list(streams)
    if not lams or len(streams) % len(lams) or not streams:
        raise ValueError(f"streams must hold a positive multiple of len(lams) = {len(lams)} seeds, got {len(streams)}")
    S = len(streams) // len(lams)
    out = {}
    for j, lam in enumerate(lams):
        runs = [rf_min_norm_curve(X_train, Y_train, X_test, Y_test, Ns, np.random.default_rng(s), lam=lam)
                for s in streams[j * S:(j + 1) * S]]
        out[lam] = {k: np.array([r[k] for r in runs]) for k in runs[0]}
    return out


def digits_summary(curves: dict, Ns, n: int) -> dict:
    """The numbers the chapter quotes about the digits curves (means over seeds).

    ``curves`` must hold the min-norm curve under key ``0.0`` and one ridge curve.
    """
    Ns = np.asarray(Ns)
    if 0.0 not in curves or len(curves) != 2:
        raise ValueError("curves must hold lambda = 0 and exactly one positive ridge")
    ridge = [k for k in curves if k != 0.0][0]
    m0 = curves[0.0]["test_mse"].mean(0)
    e0 = curves[0.0]["test_err"].mean(0)
    m2 = curves[ridge]["test_mse"].mean(0)
    under = Ns < n
    i_peak = int(np.argmax(m0))
    at_n = int(np.argmin(np.abs(Ns - n)))
    return {"peak_N": float(Ns[i_peak]), "peak_mse": float(m0[i_peak]), "mse_last": float(m0[-1]),
            "best_under_mse": float(m0[under].min()), "err_last": float(e0[-1]),
            "best_under_err": float(e0[under].min()), "ridge_at_n": float(m2[at_n]), "ridge_max": float(m2.max()),
            "ridge_max_N": float(Ns[int(np.argmax(m2))]), "ridge_rise": float(max(np.diff(m2).max(), 0.0))}
