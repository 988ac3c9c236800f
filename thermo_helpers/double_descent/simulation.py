"""Monte-Carlo random-features ridge regression: one draw, and draws over a list of points.

One draw samples ``X`` (n x d) on the sphere of radius ``sqrt d``, ``W`` (N x d)
on the unit sphere, and ``targets`` independent targets
``f_k(x) = <beta_k, x> + F* He2(<b_k, x>) / c_d`` with label noise ``eps_k``.
All targets share ``X``, ``W`` and the test set, so they cost extra
right-hand sides of one eigendecomposition (:mod:`.solver`); averaging over
them removes most of the draw-to-draw spread that comes from the direction of
``beta`` and from the noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import sweep
from .._validate import Boolean, Integer, NJobs, OneOf, OrNone, RNG, Real, Seed, check_size, count_from_ratio, generator, validate_params
from ..activations import ActivationLike, ActivationSpec, activation_constants, get_activation
from ..data import sample_sphere
from ..features import rf_features
from .solver import _ridge_path, ridge_path_errors

__all__ = ["rf_ridge_draw", "RFRidgeSimulation", "rf_ridge_simulation"]

_FEATURES = ("nonlinear", "noisy_linear")
_LAMS = Real(ge=0, array=True)


def _check_lams(lams) -> np.ndarray:
    lams = np.atleast_1d(np.asarray(lams, dtype=float)).astype(float)
    if lams.ndim != 1:
        raise ValueError(f"lams must be a scalar or a 1-D sequence, got shape {lams.shape}")
    return lams


def _he2(Z, d):
    """``z^2 - 1`` scaled to unit second moment when ``z = <b, x>``, x on the sphere of radius sqrt d."""
    return (Z**2 - 1.0) / np.sqrt((2.0 * d - 2.0) / (d + 2.0))


def _exact_noisy_linear(W, A, beta, const):
    """Population error of ``a^T u`` against ``<beta, x>`` for noisy linear features, averaged over targets."""
    lin = beta.T[:, None, :] - const["mu1"] * np.einsum("nd,nlk->dlk", W, A)
    return (np.sum(lin**2, axis=0) + const["mu_star"] ** 2 * np.sum(A**2, axis=0)
            + const["mu0"] ** 2 * np.sum(A, axis=0) ** 2).mean(axis=1)


@validate_params(psi1=Real(gt=0), psi2=Real(gt=0), lams=_LAMS, d=Integer(min=1, max=10**5), rng=RNG(),
                 activation=ActivationSpec(), F1=Real(ge=0), tau=Real(ge=0), Fstar=Real(ge=0),
                 features=OneOf(*_FEATURES), targets=Integer(min=1, max=10**4), n_test=OrNone(Integer(min=1)))
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
    lams = _check_lams(lams)
    N = int(count_from_ratio("psi1", psi1, d, size="N"))
    n = int(count_from_ratio("psi2", psi2, d, size="n"))
    nt = max(n, 1000) if n_test is None else int(n_test)
    check_size("rf_ridge_draw features (n + n_test) x N", (n + nt) * N + n * d + N * d)
    act = get_activation(activation)
    const = activation_constants(act)

    X = sample_sphere(n, d, rng=rng)
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    beta = F1 * sample_sphere(targets, d, rng=rng, radius=1.0)        # (K, d)
    b2 = sample_sphere(targets, d, rng=rng, radius=1.0)

    def signal(Z):
        f = Z @ beta.T
        return f + Fstar * _he2(Z @ b2.T, d) if Fstar > 0 else f

    F = signal(X)
    E = tau * rng.standard_normal((n, targets))
    Phi = rf_features(X, W, activation=act, kind=features, rng=rng, add_mu0=True)
    gam = n * N * lams / d        # (1/n)||.||^2 + (N lam/d)||a||^2  <=>  ||.||^2 + gam ||a||^2
    if features == "noisy_linear" and Fstar == 0:
        A, resid = _ridge_path(Phi, np.concatenate([F, E], axis=1), gam)
        As, An = A[:, :, :targets], A[:, :, targets:]
        train = np.mean((resid[:, :, :targets] + resid[:, :, targets:]) ** 2, axis=(0, 2))
        return {"test": _exact_noisy_linear(W, As + An, beta, const), "train": train,
                "bias": _exact_noisy_linear(W, As, beta, const),
                "variance": _exact_noisy_linear(W, An, np.zeros_like(beta), const)}
    Xt = sample_sphere(nt, d, rng=rng)
    Phit = rf_features(Xt, W, activation=act, kind=features, rng=rng, add_mu0=True)
    return ridge_path_errors(Phi, F, E, gam, Phit, signal(Xt))


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

    @validate_params(key=OneOf("test", "train", "bias", "variance"))
    def mean(self, key: str = "test") -> np.ndarray:
        """Mean over seeds of ``test``, ``train``, ``bias`` or ``variance``."""
        return np.mean(self.raw[key], axis=-1)

    @validate_params(key=OneOf("test", "train", "bias", "variance"))
    def sem(self, key: str = "test") -> np.ndarray:
        """Standard error of the mean over seeds (0 for one seed)."""
        return sweep.standard_error(self.raw[key])


def _rf_ridge_point(point: int, lams, d: int, rng, *, psi1s, psi2s, **kw) -> dict:
    """One :func:`rf_ridge_draw` at the ``point``-th (psi1, psi2) pair (a :func:`sweep.run_sweep` task)."""
    return rf_ridge_draw(float(psi1s[point]), float(psi2s[point]), lams, d, rng=rng, **kw)


@validate_params(psi1=Real(gt=0, array=True), psi2=Real(gt=0, array=True), lams=_LAMS, d=Integer(min=1, max=10**5),
                 base_seed=Seed(), seeds=Integer(min=1, max=10**5), targets=Integer(min=1, max=10**4),
                 activation=ActivationSpec(), F1=Real(ge=0), tau=Real(ge=0), Fstar=Real(ge=0),
                 features=OneOf(*_FEATURES), n_test=OrNone(Integer(min=1)), n_jobs=NJobs(), progress=OrNone(Boolean()))
def rf_ridge_simulation(psi1, psi2, lams, d: int, *, base_seed: int, seeds: int = 10, targets: int = 1,
                        activation: ActivationLike = "relu", F1: float = 1.0, tau: float = 0.0, Fstar: float = 0.0,
                        features: str = "nonlinear", n_test: int | None = None, n_jobs: int | None = None,
                        progress: bool | None = None) -> RFRidgeSimulation:
    """Independent draws of :func:`rf_ridge_draw` at every point ``(psi1[i], psi2[i])``, through :mod:`sweep`.

    Task ``(point i, seed s)`` uses :func:`thermo_helpers.sweep.task_rng`
    ``(base_seed, i, s)``, so results do not depend on ``n_jobs``.

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
        Workers (default :func:`thermo_helpers.config.n_jobs`).
    progress : bool, optional
        tqdm bar; default :func:`thermo_helpers.config.progress_enabled`.

    Returns
    -------
    RFRidgeSimulation
    """
    scalar = np.ndim(psi1) == 0 and np.ndim(psi2) == 0
    p1, p2 = np.broadcast_arrays(np.atleast_1d(np.asarray(psi1, dtype=float)), np.atleast_1d(np.asarray(psi2, dtype=float)))
    if p1.ndim != 1:
        raise ValueError("psi1 and psi2 must be scalars or 1-D sequences")
    lams = _check_lams(lams)
    N = count_from_ratio("psi1", p1, d, size="N")
    n = count_from_ratio("psi2", p2, d, size="n")
    activation_constants(activation)  # fail early on a linear activation
    kw = dict(activation=activation, F1=F1, tau=tau, Fstar=Fstar, features=features, targets=targets, n_test=n_test)
    res = sweep.run_sweep(_rf_ridge_point, {"point": range(p1.size)}, seeds=seeds, base_seed=int(base_seed),
                          n_jobs=n_jobs, progress=progress,
                          fixed={"lams": lams, "d": d, "psi1s": p1.copy(), "psi2s": p2.copy(), **kw})
    raw = {k: np.ascontiguousarray(np.moveaxis(v, 1, -1)) for k, v in res.values.items()}  # (point, lam, seed)
    if scalar:
        raw = {k: v[0] for k, v in raw.items()}
    return RFRidgeSimulation(psi1=p1, psi2=p2, lams=lams, d=d, seeds=seeds, targets=targets, raw=raw, N=N, n=n)
