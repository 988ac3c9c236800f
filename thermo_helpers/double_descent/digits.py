"""Min-norm and ridge random features on the scikit-learn digits: curves over the width and their summary."""

from __future__ import annotations

import numpy as np

from .._validate import Array, Instance, Integer, Real, Unchecked, check_size, generator, validate_params
from ..activations import ActivationLike, get_activation
from ..data import sample_sphere

__all__ = ["digits_curves", "digits_summary"]


def _rf_min_norm_curve(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
                      Ns, *, rng, activation: ActivationLike = "relu", lam: float = 0.0) -> dict:
    """Test and training error of random-features regression against the width N.

    Inputs are used as given (normalise them first, e.g. to the sphere of
    radius sqrt d).  For every ``N`` in ``Ns`` a fresh ``W`` (N x d, rows on
    the unit sphere) is drawn and ``a`` is the minimum-norm least-squares
    solution (``lam = 0``) or the ridge solution with penalty
    ``(N lam / d) ||a||^2`` on the mean squared loss.

    Parameters
    ----------
    X_train, X_test : ndarray (n, d), (m, d)
    Y_train, Y_test : ndarray (n, k), (m, k)
        Targets, e.g. one-hot class indicators.
    Ns : sequence of int
        Widths (positive integers; a non-integer such as 2.7 raises ``ValueError``).
    rng : Generator or int
    activation : activation
    lam : float
        Ridge penalty (>= 0).

    Returns
    -------
    dict of ndarray (len(Ns),)
        ``test_mse``, ``train_mse`` (squared error summed over outputs, averaged
        over samples), ``test_err``, ``train_err`` (misclassification by argmax)
        and ``norm`` (Frobenius norm of the coefficients).
    """
    rng = generator(rng)
    lam = float(lam)
    Xtr, Xte = np.asarray(X_train, float), np.asarray(X_test, float)
    Ytr, Yte = np.asarray(Y_train, float), np.asarray(Y_test, float)
    for name, X in (("X_train", Xtr), ("X_test", Xte)):
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"{name} must be a non-empty 2-D array (samples x d), got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} must be finite")
    if Xte.shape[1] != Xtr.shape[1]:
        raise ValueError(f"X_test must have d = {Xtr.shape[1]} columns like X_train, got {Xte.shape[1]}")
    Ytr = Ytr[:, None] if Ytr.ndim == 1 else Ytr
    Yte = Yte[:, None] if Yte.ndim == 1 else Yte
    for name, Y, X in (("Y_train", Ytr, Xtr), ("Y_test", Yte, Xte)):
        if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
            raise ValueError(f"{name} must have one row per sample ({X.shape[0]}), got shape {Y.shape}")
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"{name} must be finite")
    if Yte.shape[1] != Ytr.shape[1]:
        raise ValueError(f"Y_test must have {Ytr.shape[1]} columns like Y_train, got {Yte.shape[1]}")
    Ns_arr = np.asarray(Ns)
    if Ns_arr.ndim != 1 or Ns_arr.size == 0:
        raise ValueError(f"Ns must be a non-empty 1-D sequence of widths, got {Ns!r}")
    Ns_int = []
    for N in Ns_arr.tolist():
        if isinstance(N, bool) or not isinstance(N, (int, float)) or not float(N).is_integer() or N < 1:
            raise ValueError(f"Ns must hold positive integers, got {N!r}")
        Ns_int.append(int(N))
    n, d = Xtr.shape
    act = get_activation(activation)
    out = {k: np.empty(len(Ns_int)) for k in ("test_mse", "train_mse", "test_err", "train_err", "norm")}
    for j, N in enumerate(Ns_int):
        check_size("rf_min_norm_curve features (n + m) x N", (Xtr.shape[0] + Xte.shape[0] + d) * N)
        W = sample_sphere(N, d, rng=rng, radius=1.0)
        Phi, Phit = act.fn(Xtr @ W.T), act.fn(Xte @ W.T)
        if lam > 0:
            gam = n * N * lam / d
            if N <= n:
                A = np.linalg.solve(Phi.T @ Phi + gam * np.eye(N), Phi.T @ Ytr)
            else:
                A = Phi.T @ np.linalg.solve(Phi @ Phi.T + gam * np.eye(n), Ytr)
        else:
            A = np.linalg.lstsq(Phi, Ytr, rcond=None)[0]
        ptr, pte = Phi @ A, Phit @ A
        out["train_mse"][j] = np.mean(np.sum((Ytr - ptr) ** 2, axis=1))
        out["test_mse"][j] = np.mean(np.sum((Yte - pte) ** 2, axis=1))
        out["train_err"][j] = np.mean(np.argmax(ptr, 1) != np.argmax(Ytr, 1))
        out["test_err"][j] = np.mean(np.argmax(pte, 1) != np.argmax(Yte, 1))
        out["norm"][j] = np.linalg.norm(A)
    return out



@validate_params(X_train=Array(ndim=2), Y_train=Array(), X_test=Array(ndim=2), Y_test=Array(), Ns=Array(ndim=1, ge=1),
                 lams=Real(ge=0, array=True), streams=Unchecked("a list of SeedSequence or int seeds"))
def digits_curves(X_train, Y_train, X_test, Y_test, Ns, lams, streams) -> dict:
    """``rf_min_norm_curve`` for each ridge in ``lams`` and each seed stream.

    ``streams`` holds ``len(lams) * S`` seeds (``SeedSequence`` or int), used in
    order: the first ``S`` for ``lams[0]``, and so on.

    Returns
    -------
    dict of lam -> dict of ndarray (S, len(Ns))
        ``test_mse``, ``train_mse``, ``test_err``, ``train_err`` and ``norm``.
    """
    lams = [float(v) for v in np.atleast_1d(lams)]
    streams = list(streams)
    if not lams or len(streams) % len(lams) or not streams:
        raise ValueError(f"streams must hold a positive multiple of len(lams) = {len(lams)} seeds, got {len(streams)}")
    S = len(streams) // len(lams)
    out = {}
    for j, lam in enumerate(lams):
        runs = [_rf_min_norm_curve(X_train, Y_train, X_test, Y_test, Ns, rng=np.random.default_rng(s), lam=lam)
                for s in streams[j * S:(j + 1) * S]]
        out[lam] = {k: np.array([r[k] for r in runs]) for k in runs[0]}
    return out


@validate_params(curves=Instance(dict), Ns=Array(ndim=1, ge=1), n=Integer(min=1))
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
