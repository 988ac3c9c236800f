"""Simulations of max-margin classification: one draw, sweeps, the kernel limit.

Every trial returns a dict of floats: ``kappa`` (0 when certified not
separable), ``test_error`` (NaN unless separable), ``separable`` (1 or 0),
``undecided`` (1 when no verdict could be certified; then ``kappa`` and
``separable`` are NaN, so that undecided draws are counted apart and never
read as non-separable) and ``sv_frac`` (support vectors / n).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .._validate import Integer, NJobs, OneOf, RNG, Real, Seed, check_size, count_from_ratio, generator, validate_params
from ..activations import ActivationLike, ActivationSpec, gaussian_moments, get_activation
from ..data import sample_gaussian, sample_sphere
from ..features import relu_arccos_kernel, rf_features
from ..stats import nan_mean_sem
from ..sweep import run_sweep
from .solver import MaxMarginResult, max_margin
from .theory import label_error

_FLIP = Real(ge=0, le=0.5)
_DIM = Integer(min=1, max=10**5)
_SEEDS = Integer(min=1, max=10**6)
_NTEST = Integer(min=1, max=10**8)
_METHOD = OneOf("dual", "cvxpy", "lp")
_KIND = OneOf("nonlinear", "noisy_linear")

__all__ = [
    "SimulationSummary",
    "linear_max_margin_trial",
    "linear_max_margin_simulation",
    "rf_max_margin_trial",
    "rf_max_margin_paired_trial",
    "kernel_max_margin_trial",
]


# ---------------------------------------------------------------------------
# simulations
# ---------------------------------------------------------------------------
@dataclass
class SimulationSummary:
    """Mean and standard error over independent draws.

    ``kappa``/``kappa_sem`` average the margin over the decided draws (0 for
    non-separable ones); ``test_error``/``test_error_sem`` average over the
    separable draws only; ``frac_separable`` is the fraction separable among
    the decided draws and ``n_undecided`` counts the draws whose verdict is
    ``"undecided"``.  ``values`` holds the per-draw numbers.
    """

    kappa: float
    kappa_sem: float
    test_error: float
    test_error_sem: float
    frac_separable: float
    values: dict
    n_undecided: int = 0


def _summarise(records: Sequence[dict]) -> SimulationSummary:
    kap = np.array([r["kappa"] for r in records])
    err = np.array([r["test_error"] for r in records])
    sep = np.array([r["separable"] for r in records])
    und = np.array([r["undecided"] for r in records])
    dec = und < 0.5
    e = err[sep > 0.5]
    k = kap[dec]
    k_sem = float(nan_mean_sem(k, sem_of_one=0.0)[1]) if k.size else np.nan
    e_sem = float(nan_mean_sem(e, sem_of_one=0.0)[1]) if e.size else np.nan
    return SimulationSummary(float(np.mean(k)) if k.size else np.nan, k_sem,
                             float(np.mean(e)) if e.size else np.nan, e_sem,
                             float(np.mean(sep[dec])) if k.size else np.nan,
                             {"kappa": kap, "test_error": err, "separable": sep, "undecided": und},
                             int(np.sum(~dec)))


def _outcome(res: MaxMarginResult, n: int) -> dict:
    """The per-draw record of a solve: undecided draws are NaN, never counted as not separable."""
    if res.verdict == "separable":
        sv = res.n_support
        return {"kappa": res.kappa, "test_error": np.nan, "separable": 1.0, "undecided": 0.0,
                "sv_frac": sv / n if sv >= 0 else np.nan}
    if res.verdict == "not_separable":
        return {"kappa": 0.0, "test_error": np.nan, "separable": 0.0, "undecided": 0.0, "sv_frac": np.nan}
    return {"kappa": np.nan, "test_error": np.nan, "separable": np.nan, "undecided": 1.0, "sv_frac": np.nan}


def _labels(s: np.ndarray, flip: float, rng: np.random.Generator) -> np.ndarray:
    y = np.where(s >= 0, 1.0, -1.0)
    if flip > 0:
        y = np.where(rng.random(s.shape[0]) < flip, -y, y)
    return y


@validate_params(psi=Real(gt=0), p=_DIM, flip=_FLIP, rng=RNG(), method=_METHOD)
def linear_max_margin_trial(psi: float, p: int, *, flip: float = 0.0, rng,
                            method: str = "dual") -> dict:
    """One draw of the isotropic linear model: ``n = round(p / psi)`` samples in R^p.

    Returns ``{"kappa", "test_error", "separable", "undecided", "sv_frac"}``
    (see :func:`rf_max_margin_trial`); the test error of the unit direction
    ``a`` is exact: ``label_error(<a, theta*>, ||P_perp a||)``.
    """
    psi = float(psi)
    p = int(p)
    flip = float(flip)
    rng = generator(rng)
    n = count_from_ratio("1/psi", 1.0 / psi, p, size="n")
    check_size("the data matrix X (n x p, n = p / psi)", n * p)
    theta = sample_sphere(1, p, rng=rng, radius=1.0)[0]
    X = sample_gaussian(n, p, rng=rng)
    y = _labels(X @ theta, flip, rng)
    res = max_margin(X, y, method=method)
    out = _outcome(res, n)
    if res.separable:
        c1 = float(res.a @ theta)
        c2 = float(np.sqrt(max(0.0, 1.0 - c1 * c1)))
        out["test_error"] = float(label_error(c1, c2, flip))
    return out


@validate_params(psi=Real(gt=0), p=_DIM, flip=_FLIP, seeds=_SEEDS, base_seed=Seed(), n_jobs=NJobs())
def linear_max_margin_simulation(psi: float, p: int, *, flip: float = 0.0, seeds: int = 10,
                                 base_seed: int = 0, n_jobs: int | None = 1) -> SimulationSummary:
    """Mean and standard error of :func:`linear_max_margin_trial` over ``seeds`` draws.

    Draw ``s`` uses :func:`thermo_helpers.sweep.task_rng` ``(base_seed, 0, s)``,
    through :func:`thermo_helpers.sweep.run_sweep` (``n_jobs`` processes;
    1 = in process).
    """
    seeds = int(seeds)
    res = run_sweep(linear_max_margin_trial, {"psi": [float(psi)]}, seeds=seeds, base_seed=base_seed,
                    n_jobs=n_jobs, fixed={"p": p, "flip": flip})
    return _summarise([{k: float(v[0, s]) for k, v in res.values.items()} for s in range(seeds)])


def _rf_draw(psi1, psi2, d, flip, rng):
    N = count_from_ratio("psi1", psi1, d, size="N")
    n = count_from_ratio("psi2", psi2, d, size="n")
    check_size("the feature matrix U (n x N, n = psi2 d, N = psi1 d)", n * N + (n + N) * d)
    beta0 = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    X = sample_gaussian(n, d, rng=rng)
    y = _labels(X @ beta0, flip, rng)
    return beta0, W, X, y


def _rf_fit_and_score(beta0, W, X, y, act, flip, features, rng, n_test, method) -> dict:
    U = rf_features(X, W, activation=act, kind=features, rng=rng)
    res = max_margin(U, y, method=method)
    out = _outcome(res, X.shape[0])
    if not res.separable:
        return out
    a = res.a
    d = X.shape[1]
    if features == "noisy_linear":
        _, mu1, mu_star = gaussian_moments(act)
        Wa = W.T @ a
        q = float(beta0 @ Wa)
        perp = Wa - q * beta0
        c2 = float(np.sqrt(mu1**2 * (perp @ perp) + mu_star**2 * (a @ a)))
        err = float(label_error(mu1 * q, c2, flip))
    else:
        wrong = 0.0
        for start in range(0, n_test, 4096):
            m = min(4096, n_test - start)
            Xt = sample_gaussian(m, d, rng=rng)
            s = Xt @ beta0
            f = act.fn(Xt @ W.T) @ a
            agree = np.sign(f) == np.sign(s)
            wrong += float(np.sum(np.where(agree, flip, 1.0 - flip)))
        err = wrong / n_test
    out["test_error"] = err
    return out


def _rf_values(psi1, psi2, d, flip, n_test):
    """The declared scalars as Python numbers."""
    return (float(psi1), float(psi2), int(d), float(flip),
            int(n_test))


@validate_params(psi1=Real(gt=0), psi2=Real(gt=0), d=_DIM, activation=ActivationSpec(), flip=_FLIP,
                 features=_KIND, rng=RNG(), n_test=_NTEST, method=_METHOD)
def rf_max_margin_trial(psi1: float, psi2: float, d: int, *, activation: ActivationLike = "relu",
                        flip: float = 0.0, features: str = "nonlinear", rng, n_test: int = 20000,
                        method: str = "dual") -> dict:
    """One draw of max-margin random-features classification.

    ``N = round(psi1 d)`` weights ``w_j ~ Unif(S^{d-1}(1))``, ``n = round(psi2 d)``
    samples ``x ~ N(0, I_d)`` with labels ``sign(<beta0, x>)`` flipped
    w.p. ``flip``.  The test error is exact for ``"noisy_linear"`` features
    (given ``a``, ``<a, u>`` is ``mu1 <W beta0, a> s + N(0, a^T K a)``) and
    estimated on ``n_test`` fresh points for ``"nonlinear"`` features, with
    the label flips averaged out exactly.

    Returns
    -------
    dict
        ``kappa`` (0 when certified not separable), ``test_error`` (NaN unless
        separable), ``separable`` (1 or 0), ``undecided`` (1 when the solver
        could certify neither verdict; then ``kappa`` and ``separable`` are
        NaN) and ``sv_frac`` (support vectors / n, NaN unless separable).
    """
    psi1, psi2, d, flip, n_test = _rf_values(psi1, psi2, d, flip, n_test)
    rng = generator(rng)
    act = get_activation(activation)
    beta0, W, X, y = _rf_draw(psi1, psi2, d, flip, rng)
    return _rf_fit_and_score(beta0, W, X, y, act, flip, features, rng, n_test, method)


@validate_params(psi1=Real(gt=0), psi2=Real(gt=0), d=_DIM, activation=ActivationSpec(), flip=_FLIP,
                 rng=RNG(), n_test=_NTEST)
def rf_max_margin_paired_trial(psi1: float, psi2: float, d: int, *, activation: ActivationLike = "relu",
                               flip: float = 0.0, rng, n_test: int = 20000) -> dict:
    """Both feature models on the *same* draw of ``(beta0, W, X, y)``.

    Returns the keys of :func:`rf_max_margin_trial` suffixed ``_nonlinear`` and
    ``_noisy_linear``, plus the per-draw differences ``dkappa`` and ``derr``
    (nonlinear minus noisy linear; NaN unless both are separable).  Pairing
    removes the draw-to-draw variation that both models share, so the gap
    between them is measured far more precisely than from independent draws.
    """
    psi1, psi2, d, flip, n_test = _rf_values(psi1, psi2, d, flip, n_test)
    rng = generator(rng)
    act = get_activation(activation)
    beta0, W, X, y = _rf_draw(psi1, psi2, d, flip, rng)
    out = {}
    for feat in ("nonlinear", "noisy_linear"):
        r = _rf_fit_and_score(beta0, W, X, y, act, flip, feat, rng, n_test, "dual")
        out.update({f"{k}_{feat}": v for k, v in r.items()})
    both = out["separable_nonlinear"] * out["separable_noisy_linear"] > 0
    out["dkappa"] = out["kappa_nonlinear"] - out["kappa_noisy_linear"] if both else np.nan
    out["derr"] = out["test_error_nonlinear"] - out["test_error_noisy_linear"] if both else np.nan
    return out


def _rf_max_margin_simulation(psi1, psi2: float, d: int, *, activation: ActivationLike = "relu",
                             flip: float = 0.0, features: str = "nonlinear", seeds: int = 5,
                             base_seed: int = 0, n_test: int = 20000, n_jobs: int | None = None):
    """Margin and test error of random-features max-margin, mean and sem over seeds.

    Parameters
    ----------
    psi1 : float or sequence of float
        N / d; a sequence gives a list of summaries, one per value.
    psi2 : float
        n / d.
    d : int
        Input dimension.
    seeds : int
        Independent draws per ``psi1``.
    base_seed : int
        Root seed: draw ``s`` at grid point ``i`` uses
        :func:`thermo_helpers.sweep.task_rng` ``(base_seed, i, s)``.
    n_jobs : int, optional
        Processes for :func:`thermo_helpers.sweep.run_sweep`.

    Returns
    -------
    SimulationSummary or list of SimulationSummary
    """
    scalar = np.ndim(psi1) == 0
    grid = np.atleast_1d(np.asarray(psi1, dtype=float))
    res = run_sweep(rf_max_margin_trial, {"psi1": grid}, seeds=seeds, base_seed=int(base_seed), n_jobs=n_jobs,
                    fixed={"psi2": float(psi2), "d": int(d), "activation": activation, "flip": float(flip),
                           "features": features, "n_test": int(n_test)})
    out = []
    for i in range(grid.size):
        recs = [{k: float(res.values[k][i, s]) for k in res.values} for s in range(seeds)]
        out.append(_summarise(recs))
    return out[0] if scalar else out


@validate_params(psi2=Real(gt=0), d=_DIM, kernel=OneOf("noisy_linear", "relu"), activation=ActivationSpec(),
                 flip=_FLIP, rng=RNG(), n_test=_NTEST)
def kernel_max_margin_trial(psi2: float, d: int, *, kernel: str = "noisy_linear",
                            activation: ActivationLike = "relu", flip: float = 0.0, rng,
                            n_test: int = 20000) -> dict:
    """One draw of the ``psi1 -> infinity`` limit: max-margin with the limiting kernel.

    As ``N -> infinity`` the Gram matrix ``u_i^T u_j / N`` of the features
    converges to a kernel; the random-features max-margin classifier then
    converges to the kernel one and ``kappa_N / sqrt(psi1) -> sqrt(d) kappa_K``.

    * ``"noisy_linear"``: ``K(x_i, x_j) = mu1^2 <x_i, x_j> / d + mu_*^2 1{i = j}``;
      the classifier on a fresh point is linear, so the test error is exact.
    * ``"relu"``: the arc-cosine kernel ``E_w relu(<w,x>) relu(<w,x'>)``; test
      error on ``n_test`` fresh points.

    Returns ``{"kappa" (= sqrt(d) kappa_K, comparable with kappa / sqrt(psi1)),
    "test_error", "separable"}``.
    """
    psi2 = float(psi2)
    d = int(d)
    flip = float(flip)
    rng = generator(rng)
    n = count_from_ratio("psi2", psi2, d, size="n")
    check_size("the kernel matrix (n x n, n = psi2 d)", n * n + n * d)
    beta0 = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    X = sample_gaussian(n, d, rng=rng)
    y = _labels(X @ beta0, flip, rng)
    if kernel == "noisy_linear":
        _, mu1, mu_star = gaussian_moments(get_activation(activation))
        Kmat = mu1**2 * (X @ X.T) / d + mu_star**2 * np.eye(n)
    elif kernel == "relu":
        Kmat = relu_arccos_kernel(X, X)
    else:
        raise ValueError(f"kernel must be 'noisy_linear' or 'relu', got {kernel!r}")
    L = np.linalg.cholesky(Kmat + 1e-12 * np.trace(Kmat) / n * np.eye(n))
    res = max_margin(L, y)
    out = _outcome(res, n)
    if not res.separable:
        return out
    coef = res.dual * y  # f(x) = sum_i coef_i K(x_i, x), up to a positive factor
    if kernel == "noisy_linear":
        beta = X.T @ coef
        c1 = float(beta @ beta0)
        c2 = float(np.linalg.norm(beta - c1 * beta0))
        err = float(label_error(c1, c2, flip))
    else:
        wrong = 0.0
        for start in range(0, n_test, 4096):
            m = min(4096, n_test - start)
            Xt = sample_gaussian(m, d, rng=rng)
            f = relu_arccos_kernel(Xt, X) @ coef
            agree = np.sign(f) == np.sign(Xt @ beta0)
            wrong += float(np.sum(np.where(agree, flip, 1.0 - flip)))
        err = wrong / n_test
    out.update(kappa=float(np.sqrt(d) * res.kappa), test_error=err)
    return out
