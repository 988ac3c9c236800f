"""Asymptotics of max-margin classification: the isotropic linear model and random features.

Data ``(y_i, x_i)``, ``i <= n``: ``x_i ~ N(0, I_d)`` and
``y_i = sign(<beta0, x_i>)`` flipped independently with probability ``flip``.
The margin of features ``u_i`` is ``kappa_n = max_{||a|| <= 1} min_i y_i <a, u_i>``.

* :func:`linear_max_margin_asymptotics`, :func:`linear_separability_threshold`:
  the Gordon-comparison prediction for ``u_i = x_i`` in R^p with ``p / n -> psi``;
* :func:`rf_max_margin_asymptotics`, :func:`rf_separability_threshold`: the
  prediction for random *noisy linear* features
  ``u_ij = mu1 <w_j, x_i> + mu_* z_ij`` with ``N / d -> psi1``, ``n / d -> psi2``
  (derived in the max-margin chapter); :func:`rf_quantities_sampled` evaluates
  its spectral quantities on one sampled ``W``.

Gaussian expectations
---------------------
Everything rests on

    F_k(c1, c2)^2 = E[(k - c1 Y G - c2 Z)_+^2],

``G, Z ~ N(0, 1)`` independent and ``Y = sign(G)`` flipped with probability
``flip``.  Since ``Y G = +|G|`` or ``-|G|``, the expectation over ``Z`` is done
in closed form, ``E(m - cZ)_+^2 = (m^2 + c^2) Phi(m / c) + m c phi(m / c)``,
and the one left over ``|G|`` by Gauss--Legendre quadrature split at the kink
``|G| = k / c1``; the result is accurate to about 1e-13.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special

from .._validate import Array, Real, validate_params
from ..activations import ActivationLike, ActivationSpec, activation_constants

_FLIP = Real(ge=0, le=0.5)

__all__ = [
    "MarginAsymptotics",
    "gordon_F2",
    "label_error",
    "linear_max_margin_asymptotics",
    "linear_separability_threshold",
    "rf_max_margin_asymptotics",
    "rf_separability_threshold",
    "rf_quantities_sampled",
]

_SQRT2PI = np.sqrt(2.0 * np.pi)

# ---------------------------------------------------------------------------
# Gaussian expectations F_k(c1, c2)^2
# ---------------------------------------------------------------------------
_LEG_X, _LEG_W = np.polynomial.legendre.leggauss(64)
_GMAX = 12.0  # P(|G| > 12) ~ 4e-33


def _plus_sq(m, c):
    """E(m - c Z)_+^2 for Z ~ N(0,1), c >= 0 (broadcasting)."""
    m = np.asarray(m, dtype=float)
    c = np.asarray(c, dtype=float)
    cs = np.where(c > 0, c, 1.0)
    t = m / cs
    val = (m * m + c * c) * special.ndtr(t) + m * c * np.exp(-0.5 * t * t) / _SQRT2PI
    return np.where(c > 0, val, np.maximum(m, 0.0) ** 2)


def _half_normal_mean(k, s, c):
    """E[(k - s|G| - cZ)_+^2] by Gauss--Legendre over |G| in [0, 12], split at |G| = k/s."""
    k, s, c = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (k, s, c)))
    with np.errstate(divide="ignore", invalid="ignore"):
        kink = np.where(s > 0, k / np.where(s > 0, s, 1.0), -1.0)
    kink = np.clip(kink, 0.0, _GMAX)[..., None]
    x, w = _LEG_X, _LEG_W
    total = np.zeros(k.shape)
    for lo, hi in ((0.0, kink), (kink, _GMAX)):
        lo = np.broadcast_to(lo, kink.shape)
        hi = np.broadcast_to(hi, kink.shape)
        half = 0.5 * (hi - lo)
        g = lo + half * (x + 1.0)
        dens = 2.0 * np.exp(-0.5 * g * g) / _SQRT2PI
        vals = _plus_sq(k[..., None] - s[..., None] * g, c[..., None])
        total = total + np.sum(half * w * dens * vals, axis=-1)
    return total


@validate_params(k=Real(array=True), c1=Real(array=True), c2=Real(ge=0, array=True), flip=_FLIP)
def gordon_F2(k, c1, c2, flip: float = 0.0) -> np.ndarray:
    """``F_k(c1, c2)^2 = E[(k - c1 Y G - c2 Z)_+^2]`` (broadcasting).

    ``G, Z ~ N(0, 1)`` are independent and ``Y = sign(G)``, flipped with
    probability ``flip``.  ``c2`` must be >= 0.
    """
    flip = float(flip)
    c2 = np.asarray(c2, dtype=float)
    if np.any(c2 < 0):
        raise ValueError("c2 must be >= 0")
    out = (1.0 - flip) * _half_normal_mean(k, c1, c2)
    if flip > 0:
        out = out + flip * _half_normal_mean(k, -np.asarray(c1, dtype=float), c2)
    return out


@validate_params(c1=Real(array=True), c2=Real(ge=0, array=True), flip=_FLIP)
def label_error(c1, c2, flip: float = 0.0):
    """``P(Y (c1 G + c2 H) < 0)`` for sign labels flipped w.p. ``flip``.

    Without flips this is the angle ``arccos(c1 / sqrt(c1^2 + c2^2)) / pi``; a
    flip rate ``eps`` turns an error ``e`` into ``(1 - eps) e + eps (1 - e)``.

    Raises
    ------
    ValueError
        If ``flip`` is outside [0, 0.5].
    """
    flip = float(flip)
    c1 = np.asarray(c1, dtype=float)
    c2 = np.asarray(c2, dtype=float)
    e0 = np.arccos(np.clip(c1 / np.hypot(c1, c2), -1.0, 1.0)) / np.pi
    return (1.0 - flip) * e0 + flip * (1.0 - e0)


# ---------------------------------------------------------------------------
# isotropic linear model
# ---------------------------------------------------------------------------
@dataclass
class MarginAsymptotics:
    """Asymptotic prediction for the max-margin classifier.

    Attributes
    ----------
    kappa : float
        Limiting margin kappa* (0 when the data are not separable).
    test_error : float
        Limiting test error Err* (for non-separable data, the error of the
        direction that minimises the Gordon functional at k = 0, i.e. the
        limit of the maximal-margin direction is undefined; see ``separable``).
    separable : bool
    c1, c2 : float
        Limits of the signal and noise components of ``<a, u>`` on a fresh
        sample (``rho*`` and ``sqrt(1 - rho*^2)`` in the linear model).
    extra : dict
        Model-specific details (optimal Lagrange parameters, ...).
    """

    kappa: float
    test_error: float
    separable: bool
    c1: float
    c2: float
    extra: dict = field(default_factory=dict)


_THETA_GRID = np.linspace(1e-4, np.pi - 1e-4, 241)


def _linear_gap(k: float, theta, psi: float, flip: float):
    """F_k(cos t, sin t)^2 - psi sin^2 t  (the margin k is achievable iff its min over t is <= 0)."""
    theta = np.asarray(theta, dtype=float)
    return gordon_F2(k, np.cos(theta), np.sin(theta), flip) - psi * np.sin(theta) ** 2


def _min_over_theta(fun) -> tuple[float, float]:
    vals = fun(_THETA_GRID)
    i = int(np.argmin(vals))
    lo = _THETA_GRID[max(i - 1, 0)]
    hi = _THETA_GRID[min(i + 1, _THETA_GRID.size - 1)]
    res = optimize.minimize_scalar(lambda t: float(fun(np.array(t))), bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-12})
    if res.fun < vals[i]:
        return float(res.x), float(res.fun)
    return float(_THETA_GRID[i]), float(vals[i])


@validate_params(psi=Real(gt=0), flip=_FLIP)
def linear_max_margin_asymptotics(psi: float, *, flip: float = 0.0) -> MarginAsymptotics:
    """Limiting margin and test error of max-margin in the isotropic linear model.

    ``x ~ N(0, I_p)``, ``y = sign(<theta*, x>)`` flipped w.p. ``flip``,
    ``||theta*|| = 1`` and ``p / n -> psi``.  Gordon's comparison inequality
    gives: the margin ``k`` is achievable iff

        min_{rho in [-1, 1]} F_k(rho, sqrt(1 - rho^2))^2 - psi (1 - rho^2) <= 0;

    ``kappa*`` is the largest such ``k``, ``rho*`` the minimiser there, and
    ``Err* = P(Y (rho* G + sqrt(1 - rho*^2) Z) < 0)``.

    Parameters
    ----------
    psi : float
        Ratio p / n (> 0).
    flip : float
        Label-flip probability in [0, 0.5].

    Returns
    -------
    MarginAsymptotics
        ``kappa = 0`` and ``separable = False`` below the separability
        threshold; ``test_error`` is then the error of the minimiser at k = 0.

    Examples
    --------
    >>> r = linear_max_margin_asymptotics(1.0)
    >>> 0 < r.test_error < 0.5 and r.kappa > 0
    True
    """
    psi = float(psi)
    flip = float(flip)

    def D(k):
        return _min_over_theta(lambda t: _linear_gap(k, t, psi, flip))

    t0, d0 = D(0.0)
    if d0 > 0:
        c1, c2 = np.cos(t0), np.sin(t0)
        return MarginAsymptotics(0.0, float(label_error(c1, c2, flip)), False, c1, c2, {"rho": c1})
    hi = 1.0
    while D(hi)[1] <= 0:
        hi *= 2.0
    k = optimize.brentq(lambda k: D(k)[1], 0.0, hi, xtol=1e-13, rtol=1e-13)
    t, _ = D(k)
    c1, c2 = float(np.cos(t)), float(np.sin(t))
    return MarginAsymptotics(float(k), float(label_error(c1, c2, flip)), True, c1, c2, {"rho": c1})


@validate_params(flip=_FLIP)
def linear_separability_threshold(flip: float = 0.0) -> float:
    """Smallest ``psi = p / n`` at which the linear model becomes separable.

    At ``k = 0`` the functional is homogeneous, so the threshold is
    ``min_rho F_0(rho, sqrt(1 - rho^2))^2 / (1 - rho^2)``.  For labels
    independent of ``x`` (``flip = 0.5``) this is 1/2: Cover's capacity
    ``n = 2 p``.  For ``flip = 0`` the data are always separable (threshold 0).
    """
    flip = float(flip)
    if flip == 0.0:
        return 0.0
    _, val = _min_over_theta(lambda t: gordon_F2(0.0, np.cos(t), np.sin(t), flip) / np.sin(t) ** 2)
    return float(val)


# ---------------------------------------------------------------------------
# random noisy-linear features
# ---------------------------------------------------------------------------
class _MPSpectrum:
    """Marchenko--Pastur spectrum of V V^T (N x N), V with iid N(0, 1/d) entries, N/d = psi1.

    Stores quadrature nodes ``t`` and weights ``w`` (summing to 1, atom at 0
    of mass 1 - 1/psi1 when psi1 > 1) so that tr f(V V^T) = sum w f(t).
    """

    def __init__(self, psi1: float, order: int = 160):
        y = psi1
        a, b = (1 - np.sqrt(y)) ** 2, (1 + np.sqrt(y)) ** 2
        x, wl = np.polynomial.legendre.leggauss(order)
        th = 0.5 * np.pi * (x + 1.0)
        wt = 0.5 * np.pi * wl
        t = 0.5 * (a + b) + 0.5 * (b - a) * np.cos(th)
        # density sqrt((b-t)(t-a)) / (2 pi y t), dt = (b-a)/2 sin th dth
        w = wt * (0.5 * (b - a) * np.sin(th)) ** 2 / (2 * np.pi * y * t)
        if y > 1:
            t = np.append(t, 0.0)
            w = np.append(w, 1.0 - 1.0 / y)
        self.t, self.w = t, w / np.sum(w)


def _rf_quantities(nu, omega, psi1: float, mu1: float, mu_star: float, spec: _MPSpectrum):
    """Normalised (c1, c2, T) of the candidate a = R(h/sqrt(N) - eta m), broadcasting over (nu, omega).

    ``omega`` parametrises eta: the m-part of ||a||^2 is omega^2 times its h-part.
    """
    nu = np.asarray(nu, dtype=float)[..., None]
    lam = mu1**2 * spec.t + mu_star**2  # eigenvalues of K
    w = spec.w
    R = 1.0 / (lam + nu)
    trKR = np.sum(w * lam * R, axis=-1)
    trKR2 = np.sum(w * lam * R**2, axis=-1)
    trK2R2 = np.sum(w * (lam * R) ** 2, axis=-1)
    trR = np.sum(w * R, axis=-1)
    trR2 = np.sum(w * R**2, axis=-1)
    # m = W beta0 has iid N(0, 1/d) entries independent of K: m^T f(K) m -> psi1 tr f(K)
    mRm, mR2m, mRKRm = psi1 * trR, psi1 * trR2, psi1 * trKR2
    eta = -np.asarray(omega, dtype=float) * np.sqrt(trKR2 / mR2m)
    q = -eta * mRm
    r2 = trK2R2 + eta**2 * mRKRm
    norm2 = trKR2 + eta**2 * mR2m
    nrm = np.sqrt(norm2)
    return mu1 * q / nrm, np.sqrt(r2) / nrm, trKR / nrm


def _solve_k(c1, c2, rhs, flip, iters: int = 60):
    """Largest k >= 0 with F_k(c1, c2) <= rhs (vectorised bisection); -1 where even k=0 fails."""
    c1, c2, rhs = np.broadcast_arrays(np.asarray(c1, float), np.asarray(c2, float), np.asarray(rhs, float))
    f0 = np.sqrt(gordon_F2(0.0, c1, c2, flip))
    ok = f0 <= rhs
    lo = np.zeros(c1.shape)
    hi = np.maximum(rhs, 1e-3) + 1.0  # doubled below until F_hi > rhs brackets the root
    for _ in range(60):
        bad = ok & (np.sqrt(gordon_F2(hi, c1, c2, flip)) <= rhs)
        if not np.any(bad):
            break
        hi = np.where(bad, 2 * hi, hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        good = np.sqrt(gordon_F2(mid, c1, c2, flip)) <= rhs
        lo = np.where(good, mid, lo)
        hi = np.where(good, hi, mid)
    return np.where(ok, 0.5 * (lo + hi), -1.0), rhs - f0


def _rf_functions(psi1, psi2, mu1, mu_star, flip, spec):
    """Closures over (lognu, phi): the margin k of a candidate, and the slack at k = 0."""
    scale = np.sqrt(psi1 / psi2)

    def quantities(lognu, phi):
        c1, c2, T = _rf_quantities(np.exp(lognu), np.tan(phi), psi1, mu1, mu_star, spec)
        return c1, c2, scale * T

    def k_grid(lognu, phi):
        c1, c2, rhs = quantities(lognu, phi)
        return _solve_k(c1, c2, rhs, flip, iters=30)[0]

    def k_scalar(x):
        c1, c2, rhs = quantities(np.array(x[0]), np.array(np.clip(x[1], -1.5706, 1.5706)))
        c1, c2, rhs = float(c1), float(c2), float(rhs)

        def g(k):
            return float(np.sqrt(gordon_F2(k, c1, c2, flip))) - rhs

        if g(0.0) > 0:
            return -1.0, c1, c2
        hi = max(rhs, 1e-3) + 1.0
        while g(hi) <= 0:
            hi *= 2.0
        return optimize.brentq(g, 0.0, hi, xtol=1e-14, rtol=1e-13), c1, c2

    def slack(lognu, phi):
        c1, c2, rhs = quantities(lognu, phi)
        return np.sqrt(psi2) * (rhs - np.sqrt(gordon_F2(0.0, c1, c2, flip))), c1, c2

    return k_grid, k_scalar, slack


_LOGNU = np.linspace(-8.0, 6.0, 15)
_PHI = np.linspace(-1.4, 1.5, 24)


def _rf_optimise(psi1, psi2, mu1, mu_star, flip, *, want: str, x0=None):
    """Maximise the margin (``want="k"``) or the k = 0 slack over (log nu, arctan omega).

    A coarse grid (nu centred on the scale psi1 at which the optimum sits for
    large psi1) picks the start of a Nelder--Mead refinement, unless a start
    ``x0`` is given.  Returns ``(value, c1, c2, x)``; value -1 for ``"k"``
    means no candidate separates.
    """
    spec = _MPSpectrum(psi1)
    k_grid, k_scalar, slack = _rf_functions(psi1, psi2, mu1, mu_star, flip, spec)
    L, P = np.meshgrid(_LOGNU + max(0.0, np.log(psi1)), _PHI, indexing="ij")
    if want == "k":
        score = k_grid(L, P)

        def fun(x):
            return k_scalar(x)
    else:
        score = slack(L, P)[0]

        def fun(x):
            return slack(np.array(x[0]), np.array(np.clip(x[1], -1.5706, 1.5706)))
    if x0 is None:
        i = np.unravel_index(int(np.argmax(score)), score.shape)
        x0 = np.array([L[i], P[i]])
        if want == "k" and score[i] < 0:  # no grid point separates: nothing to refine from here
            return -1.0, float(fun(x0)[1]), float(fun(x0)[2]), x0
    else:
        x0 = np.asarray(x0, dtype=float)
    res = optimize.minimize(lambda x: -float(fun(x)[0]), x0, method="Nelder-Mead",
                            options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 1000,
                                     "initial_simplex": [x0, x0 + [0.5, 0.0], x0 + [0.0, 0.06]]})
    val, c1, c2 = fun(res.x)
    return float(val), float(c1), float(c2), res.x


@validate_params(psi1=Real(gt=0), psi2=Real(gt=0), activation=ActivationSpec(), flip=_FLIP)
def rf_max_margin_asymptotics(psi1: float, psi2: float, *, activation: ActivationLike = "relu",
                              flip: float = 0.0) -> MarginAsymptotics:
    """Limiting margin and test error of max-margin on random noisy linear features.

    Features ``u_ij = mu1 <w_j, x_i> + mu_* z_ij`` (``z_ij`` iid N(0,1),
    ``w_j ~ Unif(S^{d-1})``), ``x ~ N(0, I_d)``, labels ``sign(<beta0, x>)``
    flipped w.p. ``flip``, ``N / d -> psi1``, ``n / d -> psi2``.

    With ``K = mu1^2 W P_perp W^T + mu_*^2 I_N`` and ``m = W beta0``, Gordon's
    comparison reduces the problem to candidates
    ``a = (K + nu)^{-1} (K^{1/2} xi / sqrt(N) - eta m)``; their normalised
    signal ``c1 = mu1 <m, a>``, noise ``c2 = sqrt(a^T K a)`` and Gordon term
    ``T = tr(K (K + nu)^{-1}) / ||a||`` are spectral integrals of the
    Marchenko--Pastur law of ratio ``psi1`` (computed by quadrature).  The
    margin is the maximum over ``(nu >= 0, eta)`` of the ``k`` solving
    ``sqrt(psi2) F_k(c1, c2) = sqrt(psi1) T`` and the test error is
    ``P(Y (c1 G + c2 H) < 0)`` at the maximiser.  The derivation is in the
    max-margin chapter.

    Parameters
    ----------
    psi1, psi2 : float
        N / d and n / d (> 0).
    activation : str or callable
        Enters through ``mu1`` and ``mu_*`` only.
    flip : float
        Label-flip probability in [0, 0.5].

    Returns
    -------
    MarginAsymptotics
        ``kappa = 0`` and ``separable = False`` below the separability
        threshold (see :func:`rf_separability_threshold`).
    """
    psi1 = float(psi1)
    psi2 = float(psi2)
    flip = float(flip)
    const = activation_constants(activation)
    mu1, mu_star = const["mu1"], const["mu_star"]
    k, c1, c2, x = _rf_optimise(psi1, psi2, mu1, mu_star, flip, want="k")
    if k < 0:
        # No point of the coarse grid separates.  Just above the threshold the separating
        # region is too small for the grid: maximise the k = 0 slack instead, and if it is
        # >= 0 the data are separable and the margin search starts from its maximiser.
        slack, c1, c2, x = _rf_optimise(psi1, psi2, mu1, mu_star, flip, want="slack")
        if slack >= 0:
            k, c1, c2, x = _rf_optimise(psi1, psi2, mu1, mu_star, flip, want="k", x0=x)
    if k < 0:
        return MarginAsymptotics(0.0, float(label_error(c1, c2, flip)), False, c1, c2,
                                 {"nu": float(np.exp(x[0])), "omega": float(np.tan(x[1])), "slack": slack})
    return MarginAsymptotics(k, float(label_error(c1, c2, flip)), True, c1, c2,
                             {"nu": float(np.exp(x[0])), "omega": float(np.tan(x[1]))})


@validate_params(psi2=Real(gt=0), activation=ActivationSpec(), flip=_FLIP, xtol=Real(gt=0, le=1e-2))
def rf_separability_threshold(psi2: float, *, activation: ActivationLike = "relu", flip: float = 0.0,
                              xtol: float = 1e-8) -> float:
    """Smallest ``psi1 = N / d`` at which noisy-linear random features separate the data.

    Root in ``psi1`` of ``max_{nu, eta} sqrt(psi1) T - sqrt(psi2) F_0(c1, c2)``
    (the Gordon condition at margin 0), found by bisection on a log scale.
    The lower end of the bracket is lowered until the data are not separable
    there, so the bracket edge is never returned.

    Raises
    ------
    ValueError
        If ``psi2 <= 0``, ``flip`` is outside [0, 0.5], or no non-separable
        ``psi1`` is found down to ``1e-12 psi2``.
    """
    psi2 = float(psi2)
    flip = float(flip)
    const = activation_constants(activation)
    mu1, mu_star = const["mu1"], const["mu_star"]

    def slack(p1):
        return _rf_optimise(p1, psi2, mu1, mu_star, flip, want="slack")[0]

    lo, hi = 1e-3 * psi2, psi2
    while slack(hi) < 0:
        hi *= 2.0
        if hi > 1e6:
            raise RuntimeError("no separability threshold below psi1 = 1e6")
    while slack(lo) >= 0:  # the bracket must straddle the root: never return its edge
        lo /= 10.0
        if lo < 1e-12 * psi2:
            raise ValueError(f"psi2 = {psi2:g}: no separability threshold found above psi1 = {lo:.1e}")
    return float(np.exp(optimize.brentq(lambda t: slack(np.exp(t)), np.log(lo), np.log(hi), xtol=xtol)))


@validate_params(nu=Real(ge=0), omega=Real(), W=Array(ndim=2, shape=("N", "d")), beta0=Array(ndim=1, shape=("d",)),
                 activation=ActivationSpec())
def rf_quantities_sampled(nu: float, omega: float, W: np.ndarray, beta0: np.ndarray, *,
                          activation: ActivationLike = "relu") -> tuple[float, float, float]:
    """Finite-N version of the spectral quantities, on a given weight matrix.

    Returns ``(c1, c2, T)`` for the candidate direction of
    :func:`rf_max_margin_asymptotics` with parameters ``(nu, omega)``, using
    ``K = mu1^2 W P_perp W^T + mu_*^2 I`` and ``m = W beta0`` of the sampled
    ``W`` instead of their Marchenko--Pastur limits (the normalised traces
    ``tr = Tr / N`` and the quadratic forms in ``m`` are exact for this ``W``).
    Used to check the deterministic equivalent.
    """
    W = np.asarray(W, dtype=float)
    beta0 = np.asarray(beta0, dtype=float)
    beta0 = beta0 / np.linalg.norm(beta0)
    const = activation_constants(activation)
    mu1, mu_star = const["mu1"], const["mu_star"]
    N = W.shape[0]
    m = W @ beta0
    Vp = W - np.outer(m, beta0)  # W P_perp
    Uv, sv, _ = np.linalg.svd(Vp, full_matrices=False)
    lam_top = mu1**2 * sv**2 + mu_star**2
    lam = np.concatenate([lam_top, np.full(N - lam_top.size, mu_star**2)])
    R = 1.0 / (lam + nu)
    tr = lambda f: float(np.mean(f))  # noqa: E731
    trKR, trKR2, trK2R2 = tr(lam * R), tr(lam * R**2), tr((lam * R) ** 2)
    mt = Uv.T @ m
    rest = float(m @ m - mt @ mt)

    def quad(f_top, f_rest):
        return float(np.sum(mt**2 * f_top) + rest * f_rest)

    Rr = 1.0 / (mu_star**2 + nu)
    mRm = quad(R[: sv.size], Rr)
    mR2m = quad(R[: sv.size] ** 2, Rr**2)
    mRKRm = quad(lam_top * R[: sv.size] ** 2, mu_star**2 * Rr**2)
    eta = -omega * np.sqrt(trKR2 / mR2m)
    q = -eta * mRm
    r2 = trK2R2 + eta**2 * mRKRm
    norm2 = trKR2 + eta**2 * mR2m
    nrm = np.sqrt(norm2)
    return float(mu1 * q / nrm), float(np.sqrt(r2) / nrm), float(trKR / nrm)
