"""Max-margin classification with random features, and its asymptotics.

Data ``(y_i, x_i)``, ``i <= n``: ``x_i ~ N(0, I_d)`` and
``y_i = sign(<beta0, x_i>)`` flipped independently with probability ``flip``.
A linear classifier on features ``u_i`` is ``sign(<a, u_i>)`` and its margin is

    kappa_n = max_{||a||_2 <= 1} min_i y_i <a, u_i>,

equivalently ``1 / ||a_hat||`` for the quadratic programme
``min ||a||^2  s.t.  y_i <a, u_i> >= 1`` (infeasible, kappa = 0, when the data
cannot be separated).

The module offers

* :func:`max_margin`: the QP through cvxpy, or an exact active-set path
  (the least-distance programme of Lawson & Hanson, solved by
  :func:`scipy.optimize.nnls`);
* :func:`linear_max_margin_asymptotics`: the Gordon-comparison prediction for
  the isotropic linear model ``u_i = x_i`` in R^p with ``p / n -> psi``;
* :func:`rf_max_margin_asymptotics`, :func:`rf_separability_threshold`: the
  prediction for random *noisy linear* features
  ``u_ij = mu1 <w_j, x_i> + mu_* z_ij`` with ``N / d -> psi1``, ``n / d -> psi2``
  (derived in the max-margin chapter);
* simulations of both models (:func:`linear_max_margin_simulation`,
  :func:`rf_max_margin_trial`, :func:`rf_max_margin_paired_trial`,
  :func:`rf_max_margin_simulation`) and of the ``psi1 -> infinity`` kernel
  limit (:func:`kernel_max_margin_trial`).

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
from typing import Sequence

import numpy as np
from scipy import optimize, special

from ._validate import count_from_ratio, generator, in_interval, positive, positive_int
from .activations import ActivationLike, activation_constants, gaussian_moments, get_activation
from .data import sample_gaussian, sample_sphere
from .features import relu_arccos_kernel, rf_features
from .stats import crossing, nan_mean_sem  # noqa: F401  (crossing re-exported for the chapter)
from .sweep import run_sweep

__all__ = [
    "AGREEMENT_ALLOWANCE",
    "MaxMarginResult",
    "MarginAsymptotics",
    "SimulationSummary",
    "max_margin",
    "gordon_F2",
    "linear_max_margin_asymptotics",
    "linear_separability_threshold",
    "linear_max_margin_trial",
    "linear_max_margin_simulation",
    "rf_max_margin_asymptotics",
    "rf_separability_threshold",
    "rf_features",
    "rf_max_margin_trial",
    "rf_max_margin_paired_trial",
    "rf_max_margin_simulation",
    "label_error",
    "kernel_max_margin_trial",
    "nan_mean_sem",
    "crossing",
    "rf_quantities_sampled",
]

_SQRT2PI = np.sqrt(2.0 * np.pi)

#: Finite-size allowance used when theory is compared with simulation (chapter and tests):
#: agreement means |sim - theory| <= 3 s.e. + allowance, with the allowance a fraction
#: ``"kappa_rel"`` of the theoretical margin, or ``"test_error"`` in absolute terms.
AGREEMENT_ALLOWANCE = {"kappa_rel": 0.04, "test_error": 0.01}


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _flip(flip) -> float:
    return float(in_interval("flip", flip, 0.0, 0.5))


def _psi(name: str, value) -> float:
    arr = positive(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    return float(arr)


def _check_data(U, y) -> tuple[np.ndarray, np.ndarray]:
    U = np.asarray(U, dtype=float)
    y = np.asarray(y)
    if U.ndim != 2:
        raise ValueError(f"U must be a 2-D array (n samples x N features), got shape {U.shape}")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {y.shape}")
    if y.shape[0] != U.shape[0]:
        raise ValueError(f"y has {y.shape[0]} labels but U has {U.shape[0]} rows")
    if U.shape[0] == 0 or U.shape[1] == 0:
        raise ValueError(f"U must be non-empty, got shape {U.shape}")
    if not np.all(np.isfinite(U)):
        raise ValueError("U must be finite")
    yf = np.asarray(y, dtype=float) if np.issubdtype(y.dtype, np.number) else None
    if yf is None or not np.all((yf == 1.0) | (yf == -1.0)):
        raise ValueError("y must contain only the labels -1 and +1")
    return U, yf


# ---------------------------------------------------------------------------
# the max-margin problem
# ---------------------------------------------------------------------------
@dataclass
class MaxMarginResult:
    """Solution of the max-margin problem.

    Attributes
    ----------
    a : ndarray of shape (N,)
        Unit-norm max-margin direction (zeros when not separable).
    kappa : float
        Its margin ``min_i y_i <a, u_i>`` (0 when not separable).
    separable : bool
        Whether a strictly positive margin exists.
    status : str
        Solver status (cvxpy's, or ``"optimal"`` / ``"infeasible"`` for the
        exact path).
    method : str
        ``"cvxpy"`` or ``"nnls"``.
    dual : ndarray of shape (n,) or None
        Multipliers alpha with ``a_hat = sum_i alpha_i y_i u_i`` (exact path).
    """

    a: np.ndarray
    kappa: float
    separable: bool
    status: str
    method: str
    dual: np.ndarray | None = None

    @property
    def n_support(self) -> int:
        """Number of support vectors (positive multipliers), exact path only."""
        if self.dual is None:
            return -1
        return int(np.sum(self.dual > 1e-12 * max(1.0, float(np.max(self.dual, initial=0.0)))))


def _not_separable(N: int, status: str, method: str) -> MaxMarginResult:
    return MaxMarginResult(np.zeros(N), 0.0, False, status, method, None)


def _finish(G: np.ndarray, a: np.ndarray, status: str, method: str, dual=None) -> MaxMarginResult:
    norm = float(np.linalg.norm(a))
    if not np.isfinite(norm) or norm == 0.0:
        return _not_separable(G.shape[1], status, method)
    a = a / norm
    kappa = float(np.min(G @ a))
    if kappa <= 0.0:
        return _not_separable(G.shape[1], "infeasible", method)
    return MaxMarginResult(a, kappa, True, status, method, dual)


def _row_scale(G: np.ndarray) -> float:
    """Largest row norm of ``G`` (1 if all rows vanish): the solvers see ``G / scale``."""
    s = float(np.max(np.linalg.norm(G, axis=1)))
    return s if s > 0 and np.isfinite(s) else 1.0


def _max_margin_nnls(G: np.ndarray) -> MaxMarginResult:
    """Least-distance programme min ||a|| s.t. G a >= 1 (Lawson & Hanson, ch. 23).

    The programme is solved for ``G / s``, ``s`` the largest row norm, so that
    its margin lies in [0, 1] whatever the scale of the data; the direction is
    scale-free and the margin is recomputed on the original ``G``.
    """
    s = _row_scale(G)
    G0, G = G, G / s
    n, N = G.shape
    if N > n:  # the optimum lies in the row space of G: reduce to n unknowns
        Q, Rq = np.linalg.qr(G.T, mode="reduced")  # G^T = Q Rq, G a = Rq^T (Q^T a)
        Gr = Rq.T
    else:
        Q, Gr = None, G
    m = Gr.shape[1]
    E = np.vstack([Gr.T, np.ones((1, n))])
    f = np.zeros(m + 1)
    f[-1] = 1.0
    u, _ = optimize.nnls(E, f, maxiter=50 * (n + m + 1))
    r = E @ u - f
    # at the optimum ||r||^2 = -r[-1] = kappa^2 / (1 + kappa^2): r[-1] -> 0 means infeasible
    if not (-r[-1] > 1e-13):
        return _not_separable(N, "infeasible", "nnls")
    b = -r[:-1] / r[-1]
    a = b if Q is None else Q @ b
    if np.min(G @ a) < 1.0 - 1e-6:  # the active set did not converge to a feasible point
        return _not_separable(N, "infeasible", "nnls")
    # a_hat(G/s) = s a_hat(G) and a_hat(G/s) = (G/s)^T alpha', so a_hat(G) = G^T alpha' / s^2
    return _finish(G0, a, "optimal", "nnls", dual=u / (-r[-1]) / s**2)


def max_margin(U: np.ndarray, y: np.ndarray, *, solver: str | None = None,
               method: str = "cvxpy") -> MaxMarginResult:
    """Max-margin linear classifier: ``max_{||a|| <= 1} min_i y_i <a, u_i>``.

    Solves the quadratic programme ``min ||a||^2 s.t. y_i <a, u_i> >= 1`` and
    returns ``a_hat / ||a_hat||`` with margin ``kappa = 1 / ||a_hat||``.

    Parameters
    ----------
    U : ndarray of shape (n, N)
        Feature vectors ``u_i`` as rows.
    y : ndarray of shape (n,)
        Labels in {-1, +1}.
    solver : str, optional
        cvxpy solver name (``method="cvxpy"`` only).  Default ``"CLARABEL"``,
        an interior-point solver; on random-features problems with n = 120 to
        800 its margin agreed with the exact path to a relative 2e-9 or better.
        ``"OSQP"`` is an ADMM solver (cvxpy sets its tolerances to 1e-5) that
        cvxpy runs with *solution polishing*: an active-set refinement which,
        when it succeeds, returns the exact optimum.  On the same problems it
        agreed with the exact path to a relative 5e-13 or better and ran 1 to 7 times
        faster than CLARABEL.  If polishing fails, OSQP's answer is only as
        accurate as its ADMM stopping tolerances (1e-5 on the residuals), so
        check against ``method="nnls"`` before relying on it.
    method : {"cvxpy", "nnls"}
        ``"nnls"`` is an exact active-set path: the least-distance programme
        ``min ||a|| s.t. G a >= 1`` (``G = diag(y) U``) is equivalent to the
        non-negative least-squares problem ``min_{u >= 0} ||[G^T; 1^T] u - e||``
        whose residual ``r`` gives ``a_hat = -r[:N] / r[N]``.  When ``N > n`` a
        QR factorisation first reduces the unknowns to the row space of ``G``.

    Notes
    -----
    Both paths solve the programme for ``U / s``, with ``s`` the largest row
    norm of ``U``, and report the margin of the original data.  The result is
    therefore invariant to the scale of ``U`` (``kappa(c U) = c kappa(U)``);
    without this the solvers' absolute tolerances made the answer depend on
    the units of the features.

    Returns
    -------
    MaxMarginResult
        ``.a`` (unit norm), ``.kappa``, ``.separable``, ``.status``.  Data that
        cannot be separated give ``separable=False``, ``kappa=0`` and
        ``a = 0``, with no exception.

    Raises
    ------
    ValueError
        If ``U`` is not 2-D, ``y`` does not match its rows, or ``y`` holds
        anything but -1 and +1; if ``method`` or ``solver`` is unknown.
    """
    U, y = _check_data(U, y)
    G = y[:, None] * U
    if method == "nnls":
        if solver is not None:
            raise ValueError("solver is only used with method='cvxpy'")
        return _max_margin_nnls(G)
    if method != "cvxpy":
        raise ValueError(f"method must be 'cvxpy' or 'nnls', got {method!r}")
    import cvxpy as cp

    name = "CLARABEL" if solver is None else str(solver).upper()
    if name not in cp.installed_solvers():
        raise ValueError(f"solver must be one of {cp.installed_solvers()}, got {solver!r}")
    a = cp.Variable(U.shape[1])
    # solve for G / s (s = largest row norm): the margin of the scaled problem is in [0, 1],
    # so the solver's absolute tolerances mean the same thing at every scale of U
    prob = cp.Problem(cp.Minimize(cp.sum_squares(a)), [(G / _row_scale(G)) @ a >= 1.0])
    try:
        prob.solve(solver=name)
    except cp.error.SolverError as exc:  # e.g. numerical trouble on borderline data
        return _not_separable(U.shape[1], f"solver_error: {exc}", "cvxpy")
    status = str(prob.status)
    if status not in ("optimal", "optimal_inaccurate") or a.value is None:
        return _not_separable(U.shape[1], status, "cvxpy")
    return _finish(G, np.asarray(a.value, dtype=float), status, "cvxpy")


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


def gordon_F2(k, c1, c2, flip: float = 0.0) -> np.ndarray:
    """``F_k(c1, c2)^2 = E[(k - c1 Y G - c2 Z)_+^2]`` (broadcasting).

    ``G, Z ~ N(0, 1)`` are independent and ``Y = sign(G)``, flipped with
    probability ``flip``.  ``c2`` must be >= 0.
    """
    flip = _flip(flip)
    c2 = np.asarray(c2, dtype=float)
    if np.any(c2 < 0):
        raise ValueError("c2 must be >= 0")
    out = (1.0 - flip) * _half_normal_mean(k, c1, c2)
    if flip > 0:
        out = out + flip * _half_normal_mean(k, -np.asarray(c1, dtype=float), c2)
    return out


def label_error(c1, c2, flip: float = 0.0):
    """``P(Y (c1 G + c2 H) < 0)`` for sign labels flipped w.p. ``flip``.

    Without flips this is the angle ``arccos(c1 / sqrt(c1^2 + c2^2)) / pi``; a
    flip rate ``eps`` turns an error ``e`` into ``(1 - eps) e + eps (1 - e)``.

    Raises
    ------
    ValueError
        If ``flip`` is outside [0, 0.5].
    """
    flip = _flip(flip)
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
    psi = _psi("psi", psi)
    flip = _flip(flip)

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


def linear_separability_threshold(flip: float = 0.0) -> float:
    """Smallest ``psi = p / n`` at which the linear model becomes separable.

    At ``k = 0`` the functional is homogeneous, so the threshold is
    ``min_rho F_0(rho, sqrt(1 - rho^2))^2 / (1 - rho^2)``.  For labels
    independent of ``x`` (``flip = 0.5``) this is 1/2: Cover's capacity
    ``n = 2 p``.  For ``flip = 0`` the data are always separable (threshold 0).
    """
    flip = _flip(flip)
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
    psi1 = _psi("psi1", psi1)
    psi2 = _psi("psi2", psi2)
    flip = _flip(flip)
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
    psi2 = _psi("psi2", psi2)
    flip = _flip(flip)
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


# ---------------------------------------------------------------------------
# simulations
# ---------------------------------------------------------------------------
@dataclass
class SimulationSummary:
    """Mean and standard error over independent draws.

    ``kappa``/``kappa_sem`` average the margin over all draws (0 for
    non-separable ones); ``test_error``/``test_error_sem`` average over the
    separable draws only; ``frac_separable`` is the fraction separable.
    ``values`` holds the per-draw numbers.
    """

    kappa: float
    kappa_sem: float
    test_error: float
    test_error_sem: float
    frac_separable: float
    values: dict


def _summarise(records: Sequence[dict]) -> SimulationSummary:
    kap = np.array([r["kappa"] for r in records])
    err = np.array([r["test_error"] for r in records])
    sep = np.array([r["separable"] for r in records])
    e = err[sep > 0.5]
    kap_sem = float(nan_mean_sem(kap, sem_of_one=0.0)[1])
    err_sem = float(nan_mean_sem(e, sem_of_one=0.0)[1])
    return SimulationSummary(float(np.mean(kap)), kap_sem, float(np.mean(e)) if e.size else np.nan,
                             err_sem, float(np.mean(sep)),
                             {"kappa": kap, "test_error": err, "separable": sep})


def _labels(s: np.ndarray, flip: float, rng: np.random.Generator) -> np.ndarray:
    y = np.where(s >= 0, 1.0, -1.0)
    if flip > 0:
        y = np.where(rng.random(s.shape[0]) < flip, -y, y)
    return y


def linear_max_margin_trial(psi: float, p: int, *, flip: float = 0.0, rng=0,
                            method: str = "nnls") -> dict:
    """One draw of the isotropic linear model: ``n = round(p / psi)`` samples in R^p.

    Returns ``{"kappa", "test_error", "separable"}``; the test error of the
    unit direction ``a`` is exact: ``label_error(<a, theta*>, ||P_perp a||)``.
    """
    psi = _psi("psi", psi)
    p = positive_int("p", p)
    flip = _flip(flip)
    rng = generator(rng)
    n = count_from_ratio("1/psi", 1.0 / psi, p, size="n")
    theta = sample_sphere(1, p, rng=rng, radius=1.0)[0]
    X = sample_gaussian(n, p, rng=rng)
    y = _labels(X @ theta, flip, rng)
    res = max_margin(X, y, method=method)
    if not res.separable:
        return {"kappa": 0.0, "test_error": np.nan, "separable": 0.0}
    c1 = float(res.a @ theta)
    c2 = float(np.sqrt(max(0.0, 1.0 - c1 * c1)))
    return {"kappa": res.kappa, "test_error": float(label_error(c1, c2, flip)), "separable": 1.0}


def linear_max_margin_simulation(psi: float, p: int, *, flip: float = 0.0, seeds: int = 10,
                                 seed: int = 0, n_jobs: int | None = 1) -> SimulationSummary:
    """Mean and standard error of :func:`linear_max_margin_trial` over ``seeds`` draws.

    Draw ``s`` uses :func:`thermo_helpers.sweep.task_rng` ``(seed, 0, s)``,
    through :func:`thermo_helpers.sweep.run_sweep` (``n_jobs`` processes;
    1 = in process).
    """
    seeds = positive_int("seeds", seeds)
    res = run_sweep(linear_max_margin_trial, {"psi": [float(psi)]}, seeds=seeds, base_seed=seed,
                    n_jobs=n_jobs, fixed={"p": p, "flip": flip})
    return _summarise([{k: float(v[0, s]) for k, v in res.values.items()} for s in range(seeds)])


def _rf_draw(psi1, psi2, d, flip, rng):
    N = count_from_ratio("psi1", psi1, d, size="N")
    n = count_from_ratio("psi2", psi2, d, size="n")
    beta0 = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    X = sample_gaussian(n, d, rng=rng)
    y = _labels(X @ beta0, flip, rng)
    return beta0, W, X, y


def _rf_fit_and_score(beta0, W, X, y, act, flip, features, rng, n_test, method) -> dict:
    U = rf_features(X, W, activation=act, kind=features, rng=rng)
    res = max_margin(U, y, method=method)
    if not res.separable:
        return {"kappa": 0.0, "test_error": np.nan, "separable": 0.0}
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
    return {"kappa": res.kappa, "test_error": err, "separable": 1.0}


def _rf_checks(psi1, psi2, d, flip, n_test):
    return (_psi("psi1", psi1), _psi("psi2", psi2), positive_int("d", d), _flip(flip),
            positive_int("n_test", n_test))


def rf_max_margin_trial(psi1: float, psi2: float, d: int, *, activation: ActivationLike = "relu",
                        flip: float = 0.0, features: str = "nonlinear", rng=0, n_test: int = 20000,
                        method: str = "nnls") -> dict:
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
        ``{"kappa", "test_error", "separable"}`` (``test_error`` is NaN when
        the draw is not separable).
    """
    psi1, psi2, d, flip, n_test = _rf_checks(psi1, psi2, d, flip, n_test)
    if features not in ("nonlinear", "noisy_linear"):
        raise ValueError(f"features must be 'nonlinear' or 'noisy_linear', got {features!r}")
    rng = generator(rng)
    act = get_activation(activation)
    beta0, W, X, y = _rf_draw(psi1, psi2, d, flip, rng)
    return _rf_fit_and_score(beta0, W, X, y, act, flip, features, rng, n_test, method)


def rf_max_margin_paired_trial(psi1: float, psi2: float, d: int, *, activation: ActivationLike = "relu",
                               flip: float = 0.0, rng=0, n_test: int = 20000) -> dict:
    """Both feature models on the *same* draw of ``(beta0, W, X, y)``.

    Returns the keys of :func:`rf_max_margin_trial` suffixed ``_nonlinear`` and
    ``_noisy_linear``, plus the per-draw differences ``dkappa`` and ``derr``
    (nonlinear minus noisy linear; NaN unless both are separable).  Pairing
    removes the draw-to-draw variation that both models share, so the gap
    between them is measured far more precisely than from independent draws.
    """
    psi1, psi2, d, flip, n_test = _rf_checks(psi1, psi2, d, flip, n_test)
    rng = generator(rng)
    act = get_activation(activation)
    beta0, W, X, y = _rf_draw(psi1, psi2, d, flip, rng)
    out = {}
    for feat in ("nonlinear", "noisy_linear"):
        r = _rf_fit_and_score(beta0, W, X, y, act, flip, feat, rng, n_test, "nnls")
        out.update({f"{k}_{feat}": v for k, v in r.items()})
    both = out["separable_nonlinear"] * out["separable_noisy_linear"] > 0
    out["dkappa"] = out["kappa_nonlinear"] - out["kappa_noisy_linear"] if both else np.nan
    out["derr"] = out["test_error_nonlinear"] - out["test_error_noisy_linear"] if both else np.nan
    return out


def rf_max_margin_simulation(psi1, psi2: float, d: int, *, activation: ActivationLike = "relu",
                             flip: float = 0.0, features: str = "nonlinear", seeds: int = 5,
                             seed: int = 0, n_test: int = 20000, n_jobs: int | None = 1):
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
    seed : int
        Base seed: draw ``s`` at grid point ``i`` uses
        :func:`thermo_helpers.sweep.task_rng` ``(seed, i, s)``.
    n_jobs : int, optional
        Processes for :func:`thermo_helpers.sweep.run_sweep` (1 = in process).

    Returns
    -------
    SimulationSummary or list of SimulationSummary
    """
    scalar = np.ndim(psi1) == 0
    grid = np.atleast_1d(np.asarray(psi1, dtype=float))
    for v in grid:
        _psi("psi1", v)
    _psi("psi2", psi2)
    positive_int("d", d)
    _flip(flip)
    positive_int("seeds", seeds)
    if features not in ("nonlinear", "noisy_linear"):
        raise ValueError(f"features must be 'nonlinear' or 'noisy_linear', got {features!r}")
    res = run_sweep(rf_max_margin_trial, {"psi1": grid}, seeds=seeds, base_seed=int(seed), n_jobs=n_jobs,
                    fixed={"psi2": float(psi2), "d": int(d), "activation": activation, "flip": float(flip),
                           "features": features, "n_test": int(n_test)})
    out = []
    for i in range(grid.size):
        recs = [{k: float(res.values[k][i, s]) for k in res.values} for s in range(seeds)]
        out.append(_summarise(recs))
    return out[0] if scalar else out


def kernel_max_margin_trial(psi2: float, d: int, *, kernel: str = "noisy_linear",
                            activation: ActivationLike = "relu", flip: float = 0.0, rng=0,
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
    psi2 = _psi("psi2", psi2)
    d = positive_int("d", d)
    flip = _flip(flip)
    rng = generator(rng)
    n = count_from_ratio("psi2", psi2, d, size="n")
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
    res = max_margin(L, y, method="nnls")
    if not res.separable:
        return {"kappa": 0.0, "test_error": np.nan, "separable": 0.0}
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
    return {"kappa": float(np.sqrt(d) * res.kappa), "test_error": err, "separable": 1.0}


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
