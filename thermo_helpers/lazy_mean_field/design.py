"""A two-dimensional design in (width N, Chizat--Bach scale alpha_CB) for the lazy regime.

Every design point trains the network with ``alpha = alpha_CB / N`` (preset ``"free"``) next to
its linearisation, from the same initialisation, on fixed data; seeds change only the
initialisation.  Per point it records the relative movement and the difference
``g(x) = f(x) - f_lin(x)`` on the test points.

Coherent and incoherent parts of the gap
----------------------------------------
Over seeds ``g_s(x) = m(x) + xi_s(x)``: ``m`` is the part shared by every initialisation (the
*coherent* term, the gap of the ``N -> infinity`` limit at this alpha_CB) and ``xi_s`` the
initialisation-dependent part (the *incoherent* term, a sum of ``N`` random-sign contributions).
With ``S`` seeds and ``n_test`` points,

* ``inc^2 = mean_x sum_s (g_s - gbar)^2 / (S - 1)``,
* ``coh^2 = mean_x gbar^2 - inc^2 / S`` (bias-corrected, may come out negative at small values),

and their standard errors are delete-one-seed jackknife errors.

Common random numbers
---------------------
Seed ``s`` is one initialisation shared by the whole design: the pairs of every point are the
first ``N / 2`` pairs of one draw of ``N_max / 2`` pairs at the widest width of the design, and the
data are fixed.  Points differ only in ``(N, alpha_CB)``, so a comparison between two points (a
local slope) sees the same initialisation twice and the seed-to-seed noise largely cancels; its
error comes from resampling whole seeds (:func:`seed_jackknife`), which keeps that correlation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .._validate import Array, Integer, InvalidParameterError, ListOf, NJobs, OneOf, OrNone, Real, Seed, StepSize, check_size, validate_params
from ..activations import ActivationLike, ActivationSpec
from ..stats import linear_extrapolation
from ..sweep import map_tasks
from .network import linearise, network
from .training import train

_X = Array(ndim=2, shape=("n", "d"))
_Y = Array(ndim=1, shape=("n",))
_XT = Array(ndim=2, shape=("m", "d"))
_YT = Array(ndim=1, shape=("m",))
_PARTS = ("coherent", "incoherent", "total")

__all__ = ["DesignResult", "run_design"]


def _nested_init(N: int, N_max: int, d: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Paired initialisation of width ``N``: the first ``N / 2`` pairs of a draw at ``N_max``.

    The layout is :func:`~thermo_helpers.lazy_mean_field.network.init_params`'s (twins
    ``(a, w)``, ``(-a, w)`` in two halves), so ``N`` and ``N_max`` must be even.
    """
    h, H = int(N) // 2, int(N_max) // 2
    ah = rng.standard_normal(H)[:h]
    Wh = rng.standard_normal((H, int(d)))[:h]
    Wh /= np.linalg.norm(Wh, axis=1, keepdims=True)
    return np.concatenate([ah, -ah]), np.concatenate([Wh, Wh])


def _design_point(N: int, alpha_cb: float, *, init_seed, N_max: int, X, y, X_test, y_test,
                  activation: ActivationLike, step_size: float, steps: int) -> dict:
    """Train one network at ``alpha = alpha_cb / N`` with its linearisation (module notes).

    ``init_seed`` seeds the generator of this seed's shared initialisation (common random
    numbers: every point of the design with the same ``init_seed`` nests in one draw).
    Returns a dict with ``rel_move``, ``rel_move_lin``, ``test``, ``test_lin`` and ``gap``
    (``f - f_lin`` on ``X_test``, shape (n_test,)).
    """
    N = int(N)
    alpha = float(alpha_cb) / N
    rng = np.random.default_rng(list(init_seed))
    init = _nested_init(N, N_max, np.shape(X)[1], rng)
    res = train(X, y, N=N, preset="free", alpha=alpha, activation=activation, step_size=step_size,
                steps=steps, rng=rng, X_test=X_test, y_test=y_test, linearised=True,
                record_every=steps, init=init)
    lin = linearise(res.a0, res.W0, alpha, activation)
    gap = network(X_test, res.a, res.W, alpha, activation) - lin.predict(X_test, res.a_lin, res.W_lin)
    return {"rel_move": res.final("rel_move"), "rel_move_lin": res.final("rel_move_lin"),
            "test": res.final("test"), "test_lin": res.final("test_lin"), "gap": gap}


def _parts(H: np.ndarray) -> np.ndarray:
    """``(coherent, incoherent, total)`` RMS parts of gaps ``H`` (seeds >= 2 x test points)."""
    S = H.shape[0]
    inc2 = float(np.mean(np.sum((H - H.mean(0)) ** 2, axis=0) / (S - 1)))
    coh2 = float(np.mean(H.mean(0) ** 2)) - inc2 / S
    return np.array([np.sqrt(max(coh2, 0.0)), np.sqrt(inc2), np.sqrt(np.mean(H**2))])


def _gap_parts(G: np.ndarray) -> dict:
    """Coherent and incoherent RMS parts of gaps ``G`` (seeds x test points), with jackknife errors."""
    G = np.asarray(G, dtype=float)
    if G.ndim != 2 or G.shape[0] < 3:
        raise InvalidParameterError(f"G must be (seeds >= 3, points), got shape {G.shape}")
    parts = _parts
    S = G.shape[0]
    full = parts(G)
    jack = np.array([parts(np.delete(G, i, axis=0)) for i in range(S)])
    se = np.sqrt((S - 1) / S * np.sum((jack - jack.mean(0)) ** 2, axis=0))
    return {"coherent": full[0], "coherent_se": se[0], "incoherent": full[1], "incoherent_se": se[1],
            "total": full[2], "total_se": se[2]}


def _weighted_loglog_slope(x, y, se, level: float = 0.95) -> dict:
    """Slope of ``log y`` on ``log x``, weighted by the known errors ``se / y`` of ``log y``.

    A thin wrapper of :func:`thermo_helpers.stats.linear_extrapolation`.  Returns ``slope``,
    ``lo``, ``hi`` (normal interval), ``slope_se``, ``chi2``, ``dof`` and ``p_value``.
    """
    from scipy import stats as sps

    x = np.asarray(np.asarray(x, dtype=float), dtype=float).ravel()
    y = np.asarray(np.asarray(y, dtype=float), dtype=float).ravel()
    se = np.asarray(np.asarray(se, dtype=float), dtype=float).ravel()
    if not (x.size == y.size == se.size) or x.size < 3:
        raise InvalidParameterError("x, y and se need one value each per point, at least 3 points")
    fit = linear_extrapolation(np.log(x), np.log(y), se / y, level=level)
    q = sps.norm.ppf(0.5 + level / 2)
    return {"slope": fit["slope"], "lo": fit["slope"] - q * fit["slope_se"],
            "hi": fit["slope"] + q * fit["slope_se"], "slope_se": fit["slope_se"],
            "chi2": fit["chi2"], "dof": fit["dof"], "p_value": fit["p_value"]}


@dataclass
class DesignResult:
    """Output of :func:`run_design`: one row per design point.

    Attributes
    ----------
    points : list of (N, alpha_cb)
    rel_move : ndarray (points, seeds)
    test, test_lin : ndarray (points, seeds)
    parts : list of dict
        :func:`_gap_parts` of each point.
    gaps : ndarray (points, seeds, n_test), optional
        ``f - f_lin`` per point and seed; with common random numbers (:func:`run_design`) seed
        ``s`` is the same initialisation at every point, which :meth:`seed_values` uses.
    """

    points: list
    rel_move: np.ndarray
    test: np.ndarray
    test_lin: np.ndarray
    parts: list
    gaps: np.ndarray | None = None

    @validate_params(key=OneOf("movement", *_PARTS), idx=Array(ndim=1, min_size=1),
                     seeds=OrNone(Array(ndim=1, min_size=2)))
    def seed_values(self, key: str, idx, seeds=None) -> np.ndarray:
        """Per-point value of ``key`` (``"movement"`` or a :func:`_gap_parts` part) from ``seeds`` only.

        ``seeds`` (indices, default all) is the same subset at every point: common random
        numbers make a delete-one-seed jackknife of any function of these values honest.
        """
        S = self.rel_move.shape[1]
        for name, v, top in (("idx", idx, len(self.points)), ("seeds", seeds, S)):
            v = np.asarray(v if v is not None else [0])
            if np.any(v != np.round(v)) or v.min() < 0 or v.max() >= top:
                raise InvalidParameterError(f"{name} must hold indices in [0, {top}), got {v}")
        idx = np.asarray(idx).astype(int)
        seeds = np.arange(S) if seeds is None else np.asarray(seeds).astype(int)
        if key == "movement":
            return self.rel_move[np.ix_(idx, seeds)].mean(axis=1)
        if self.gaps is None:
            raise InvalidParameterError("this DesignResult keeps no per-seed gaps")
        k = _PARTS.index(key)
        return np.array([_parts(self.gaps[i][seeds])[k] for i in idx])

    @validate_params(N=OrNone(Integer(min=1)), alpha_cb=OrNone(Real(gt=0)))
    def select(self, *, N: int | None = None, alpha_cb: float | None = None) -> np.ndarray:
        """Indices of the points with this width and/or this scale, in design order."""
        return np.array([i for i, (n, a) in enumerate(self.points)
                         if (N is None or n == N) and (alpha_cb is None or a == alpha_cb)])

    @validate_params(key=OneOf(*_PARTS), idx=Array(ndim=1, min_size=0))
    def part(self, key: str, idx) -> tuple[np.ndarray, np.ndarray]:
        """``(value, se)`` of a :func:`_gap_parts` key at the points ``idx``."""
        idx = np.asarray(idx)
        if idx.size and (np.any(idx != np.round(idx)) or idx.min() < 0 or idx.max() >= len(self.parts)):
            raise InvalidParameterError(f"idx must hold point indices in [0, {len(self.parts)}), got {idx}")
        idx = idx.astype(int)
        return (np.array([self.parts[i][key] for i in idx]), np.array([self.parts[i][key + "_se"] for i in idx]))


@validate_params(points=ListOf(ListOf(Real(gt=0), min_len=2), min_len=1), X=_X, y=_Y, X_test=_XT, y_test=_YT,
                 activation=ActivationSpec(), step_size=StepSize(), steps=Integer(min=1), seeds=Integer(min=3),
                 base_seed=Seed(), n_jobs=NJobs())
def run_design(points: Sequence[tuple[int, float]], *, X, y, X_test, y_test, activation: ActivationLike,
               step_size: float, steps: int, seeds: int, base_seed: int, n_jobs: int | None = None) -> DesignResult:
    """Train every design point for ``seeds`` initialisations (through :func:`sweep.map_tasks`).

    Common random numbers: initialisation ``s`` is drawn from ``(base_seed, s)`` once at the
    widest width and every point uses its first ``N / 2`` twin pairs (widths must be even).
    """
    seeds = int(seeds)
    if seeds < 3:
        raise ValueError(f"seeds must be >= 3 to split the gap into its two parts, got {seeds}")
    for i, p in enumerate(points):
        if len(p) != 2 or not float(p[0]).is_integer():
            raise InvalidParameterError(f"points[{i}] must be a pair (N, alpha_cb) with an integer width N, got {p!r}")
    points = [(int(int(N)), float(a)) for N, a in points]
    check_size("run_design gaps (points x seeds x n_test)", len(points) * seeds * np.shape(X_test)[0])
    fixed = dict(X=X, y=y, X_test=X_test, y_test=y_test, activation=activation, step_size=step_size,
                 steps=steps)
    if any(N % 2 for N, _ in points):
        raise InvalidParameterError(f"widths must be even (paired neurons), got {[N for N, _ in points]}")
    N_max = max(N for N, _ in points)
    # common random numbers: seed s is one initialisation (nested in width) for every point
    tasks = [dict(N=N, alpha_cb=a, init_seed=(int(base_seed), s), N_max=N_max, **fixed)
             for N, a in points for s in range(seeds)]
    out = map_tasks(_design_point, tasks, base_seed=None, n_jobs=n_jobs)
    shape = (len(points), seeds)
    get = lambda k: np.array([o[k] for o in out]).reshape(shape)
    gaps = np.array([o["gap"] for o in out]).reshape(shape + (-1,))
    return DesignResult(points, get("rel_move"), get("test"), get("test_lin"), [_gap_parts(g) for g in gaps],
                        gaps)
