"""Monte-Carlo random-features ridge regression: one draw, and draws over a grid of points.

One draw samples ``X`` (n x d) on the sphere of radius ``sqrt d``, ``W`` (N x d)
on the unit sphere, and ``targets`` independent targets
``f_k(x) = <beta_k, x> + F* He2(<b_k, x>) / c_d`` with label noise ``eps_k``.
All targets share ``X``, ``W`` and the test set, so they cost extra
right-hand sides of one eigendecomposition (:mod:`thermo_helpers.dd_path`);
averaging over them removes most of the draw-to-draw spread that comes from
the direction of ``beta`` and from the noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import config, sweep
from ._validate import generator, positive, positive_int
from .activations import ActivationLike, get_activation
from .data import sample_sphere
from .dd_path import ridge_path, ridge_path_errors
from .double_descent import activation_constants

__all__ = ["rf_ridge_draw", "RFRidgeSimulation", "rf_ridge_simulation"]

_FEATURES = ("nonlinear", "noisy_linear")


def _check_lams(lams) -> np.ndarray:
    lams = np.atleast_1d(positive("lams", lams, allow_zero=True)).astype(float)
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"lams must be a non-empty scalar or 1-D sequence, got shape {lams.shape}")
    return lams


def _sizes(psi1, psi2, d: int) -> tuple[np.ndarray, np.ndarray]:
    N = np.round(np.asarray(psi1, dtype=float) * d).astype(int)
    n = np.round(np.asarray(psi2, dtype=float) * d).astype(int)
    for name, val, psi, size in (("psi1", N, psi1, "N"), ("psi2", n, psi2, "n")):
        if np.any(val < 1):
            raise ValueError(f"{name} * d must round to at least 1 ({size} = round({name} d)), "
                             f"got {name} = {float(np.min(psi)):g} with d = {d}")
    return N, n


def _features(X, W, act, const, kind, rng):
    pre = X @ W.T
    if kind == "nonlinear":
        return act.fn(pre)
    return const["mu0"] + const["mu1"] * pre + const["mu_star"] * rng.standard_normal(pre.shape)


def _he2(Z, d):
    """``z^2 - 1`` scaled to unit second moment when ``z = <b, x>``, x on the sphere of radius sqrt d."""
    return (Z**2 - 1.0) / np.sqrt((2.0 * d - 2.0) / (d + 2.0))


def rf_ridge_draw(psi1: float, psi2: float, lams, d: int, *, rng, activation: ActivationLike = "relu",
                  F1: float = 1.0, tau: float = 0.0, Fstar: float = 0.0, features: str = "nonlinear",
                  targets: int = 1, n_test: int | None = None) -> dict:
    """One draw of random-features ridge regression along a whole ridge path.

    Fits ``a(lam) = argmin (1/n) ||y - Phi a||^2 + (N lam / d) ||a||^2`` for
    every ``lam`` and every target; ``lam = 0`` is the minimum-norm
    least-squares fit.

    Parameters
    ----------
    psi1, psi2 : float
        ``N = round(psi1 d)`` features and ``n = round(psi2 d)`` samples (each >= 1).
    lams : array_like
        Ridge penalties (>= 0).
    d : int
        Input dimension.
    rng : Generator or int
    activation : activation
    F1, tau, Fstar : float
        ``||beta_k||``, noise standard deviation and size of the nonlinear part.
    features : {"nonlinear", "noisy_linear"}
        ``sigma(<w_j, x>)`` or its Gaussian equivalent ``mu0 + mu1 <w_j, x> + mu_* z``.
    targets : int
        Independent targets (``beta_k``, ``b_k``, ``eps_k``) sharing ``X``, ``W``
        and the test set; the returned errors are averages over them.
    n_test : int, optional
        Test points (default ``max(n, 1000)``).  Not used for noisy-linear
        features with ``Fstar = 0``, whose test error is computed exactly:
        ``||beta - mu1 W^T a||^2 + mu_*^2 ||a||^2 + mu0^2 (1^T a)^2``.

    Returns
    -------
    dict of ndarray (len(lams),)
        ``test`` (noise excluded), ``train`` (noise included), ``bias`` and
        ``variance`` (test errors of the fits to the signal and to the noise alone).
    """
    rng = generator(rng)
    d = positive_int("d", d)
    psi1 = float(positive("psi1", psi1))
    psi2 = float(positive("psi2", psi2))
    lams = _check_lams(lams)
    F1 = float(positive("F1", F1, allow_zero=True))
    tau = float(positive("tau", tau, allow_zero=True))
    Fstar = float(positive("Fstar", Fstar, allow_zero=True))
    targets = positive_int("targets", targets)
    if features not in _FEATURES:
        raise ValueError(f"features must be one of {_FEATURES}, got {features!r}")
    nt = None if n_test is None else positive_int("n_test", n_test)
    N, n = (int(v) for v in _sizes(psi1, psi2, d))
    act = get_activation(activation)
    const = activation_constants(act)

    X = sample_sphere(n, d, rng)
    W = sample_sphere(N, d, rng, radius=1.0)
    Bt = F1 * sample_sphere(targets, d, rng, radius=1.0)        # (K, d)
    B2 = sample_sphere(targets, d, rng, radius=1.0)

    def signal(Z):
        f = Z @ Bt.T
        return f + Fstar * _he2(Z @ B2.T, d) if Fstar > 0 else f

    F = signal(X)
    E = tau * rng.standard_normal((n, targets))
    Phi = _features(X, W, act, const, features, rng)
    gam = n * N * lams / d        # (1/n)||.||^2 + (N lam/d)||a||^2  <=>  ||.||^2 + gam ||a||^2
    if features == "noisy_linear" and Fstar == 0:
        A, resid = ridge_path(Phi, np.concatenate([F, E], axis=1), gam)
        As, An = A[:, :, :targets], A[:, :, targets:]

        def err(a, beta):        # exact population error of the predictor a^T u against <beta, x>
            lin = beta.T[:, None, :] - const["mu1"] * np.einsum("nd,nlk->dlk", W, a)
            return (np.sum(lin**2, axis=0) + const["mu_star"] ** 2 * np.sum(a**2, axis=0)
                    + const["mu0"] ** 2 * np.sum(a, axis=0) ** 2).mean(axis=1)

        zero = np.zeros_like(Bt)
        return {"test": err(As + An, Bt), "train": np.mean((resid[:, :, :targets] + resid[:, :, targets:]) ** 2,
                                                           axis=(0, 2)),
                "bias": err(As, Bt), "variance": err(An, zero)}
    nt = max(n, 1000) if nt is None else nt
    Xt = sample_sphere(nt, d, rng)
    return ridge_path_errors(Phi, F, E, gam, _features(Xt, W, act, const, features, rng), signal(Xt))


@dataclass
class RFRidgeSimulation:
    """Draws of :func:`rf_ridge_draw` over points ``(psi1, psi2)`` and seeds.

    ``raw[key]`` has shape ``(P, L, seeds)`` for ``P`` points and ``L`` ridge
    values, or ``(L, seeds)`` when scalars were passed.
    """

    psi1: np.ndarray
    psi2: np.ndarray
    lams: np.ndarray
    d: int
    seeds: int
    targets: int
    raw: dict = field(repr=False)
    N: np.ndarray = None
    n: np.ndarray = None

    def mean(self, key: str = "test") -> np.ndarray:
        """Mean over seeds of ``test``, ``train``, ``bias`` or ``variance``."""
        return np.mean(self.raw[key], axis=-1)

    def sem(self, key: str = "test") -> np.ndarray:
        """Standard error of the mean over seeds (0 for one seed)."""
        return sweep.standard_error(self.raw[key])


def _task(p1, p2, lams, d, kw, base_seed, index):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(config.blas_threads()):
        return rf_ridge_draw(p1, p2, lams, d, rng=sweep.task_rng(base_seed, index, 0), **kw)


def rf_ridge_simulation(psi1, psi2, lams, d: int, *, base_seed: int, seeds: int = 10, targets: int = 1,
                        activation: ActivationLike = "relu", F1: float = 1.0, tau: float = 0.0, Fstar: float = 0.0,
                        features: str = "nonlinear", n_test: int | None = None, n_jobs: int | None = None,
                        progress: bool | None = None) -> RFRidgeSimulation:
    """Independent draws of :func:`rf_ridge_draw` at every point ``(psi1[i], psi2[i])``.

    Task ``(point i, seed s)`` uses :func:`thermo_helpers.sweep.task_rng`
    ``(base_seed, i * seeds + s, 0)``, so results do not depend on ``n_jobs``.

    Parameters
    ----------
    psi1, psi2 : float or 1-D array_like
        Points (broadcast against each other).
    lams : array_like
        Ridge path (>= 0) shared by every point.
    d : int
        Dimension.
    base_seed : int
        Root seed of the sweep.
    seeds : int
        Draws per point.
    targets, activation, F1, tau, Fstar, features, n_test
        As in :func:`rf_ridge_draw`.
    n_jobs : int, optional
        Workers (default ``config.n_jobs()`` when available, else 2).
    progress : bool, optional
        tqdm bar; default :func:`thermo_helpers.config.progress_enabled`.

    Returns
    -------
    RFRidgeSimulation
    """
    from joblib import Parallel, delayed

    scalar = np.ndim(psi1) == 0 and np.ndim(psi2) == 0
    p1, p2 = np.broadcast_arrays(np.atleast_1d(positive("psi1", psi1)).astype(float),
                                 np.atleast_1d(positive("psi2", psi2)).astype(float))
    if p1.ndim != 1:
        raise ValueError("psi1 and psi2 must be scalars or 1-D sequences")
    lams = _check_lams(lams)
    d = positive_int("d", d)
    seeds = positive_int("seeds", seeds)
    positive_int("targets", targets)
    for name, v in (("F1", F1), ("tau", tau), ("Fstar", Fstar)):
        positive(name, v, allow_zero=True)
    if features not in _FEATURES:
        raise ValueError(f"features must be one of {_FEATURES}, got {features!r}")
    if isinstance(base_seed, bool) or not isinstance(base_seed, (int, np.integer)) or base_seed < 0:
        raise ValueError(f"base_seed must be a non-negative integer, got {base_seed!r}")
    N, n = _sizes(p1, p2, d)
    activation_constants(activation)
    kw = dict(activation=activation, F1=F1, tau=tau, Fstar=Fstar, features=features, targets=targets, n_test=n_test)
    tasks = [(i, s) for i in range(p1.size) for s in range(seeds)]
    calls = (delayed(_task)(float(p1[i]), float(p2[i]), lams, d, kw, int(base_seed), i * seeds + s) for i, s in tasks)
    it = Parallel(n_jobs=2 if n_jobs is None else n_jobs, return_as="generator")(calls)
    if config.progress_enabled() if progress is None else progress:
        from tqdm.auto import tqdm

        it = tqdm(it, total=len(tasks), desc="rf_ridge_simulation")
    outs = list(it)
    raw = {k: np.empty((p1.size, lams.size, seeds)) for k in outs[0]}
    for (i, s), o in zip(tasks, outs):
        for k in raw:
            raw[k][i, :, s] = o[k]
    if scalar:
        raw = {k: v[0] for k, v in raw.items()}
    return RFRidgeSimulation(psi1=p1, psi2=p2, lams=lams, d=d, seeds=seeds, targets=targets, raw=raw, N=N, n=n)
