"""Certified max-margin solver: a fast exact dual path, an LP certificate, cvxpy as reference.

For ``G = diag(y) U`` (rows ``g_i = y_i u_i``) the max-margin problem is

    kappa = max_{||a|| <= 1} min_i <g_i, a>,

equivalently ``min ||a||^2 s.t. G a >= 1`` with ``kappa = 1 / ||a_hat||``.

Every answer carries a *verdict* backed by a check on the original data:

* ``"separable"``: a unit direction ``a`` with ``min_i <g_i, a> > safety``,
  where ``safety`` bounds the rounding error of the products ``<g_i, a>``
  (``10 N eps max_i ||g_i||``).  Any ``lambda >= 0`` with ``sum lambda = 1``
  also bounds the margin from above, ``kappa <= ||G^T lambda||`` (because
  ``min_i <g_i, a> <= lambda^T G a``), so the result states a certified interval
  ``kappa_lower <= kappa <= kappa_upper``;
* ``"not_separable"``: a Farkas ray, ``lambda >= 0``, ``sum lambda = 1`` and
  ``||G^T lambda|| <= farkas_tol * max_i ||g_i||``, which proves that no
  direction reaches a margin above that bound;
* ``"undecided"``: neither was obtained; the status says what each method
  returned.  A draw is never called non-separable silently.

The default ``method="dual"`` minimises ``1/2 alpha^T Q alpha - 1^T alpha``
(``Q = G G^T``, ``alpha >= 0``) by L-BFGS-B, then polishes the active set: the
KKT system on the support (``G_S a = 1``, ``a = G_S^T alpha_S``) is solved
exactly by a QR factorisation, indices with a negative multiplier leave the
support and violated constraints join it, until ``alpha >= 0`` and
``G a >= 1``.  When the multipliers run off to the box bound (the dual is
unbounded exactly when the data cannot be separated) or the polish fails, an
LP solved by HiGHS (``scipy.optimize.linprog``) gives either a separating
direction or a Farkas ray.  ``method="cvxpy"`` solves the QP with a conic or
ADMM solver (CLARABEL by default); inaccurate or iteration-limited statuses
are retried with CLARABEL and then with the LP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, optimize

from .._validate import Array, Instance, Integer, OneOf, OrNone, Text, check_size, validate_params

__all__ = ["MaxMarginResult", "VERDICTS", "max_margin", "check_kkt"]

#: The three possible verdicts of :func:`max_margin`.
VERDICTS = ("separable", "not_separable", "undecided")

_EPS = np.finfo(float).eps
_FARKAS_TOL = 1e-9       # ||G^T lambda|| / max_i ||g_i|| accepted as a Farkas ray
_GAP_RTOL = 1e-10        # (kappa_upper - kappa_lower) / kappa_lower accepted as optimal
_BOX = 1e12              # alpha_i <= _BOX in the scaled dual: reached only when kappa < 1e-6 max||g_i||
_POLISH_ITERS = 60
_U = Array(ndim=2, shape=("n", "N"))
_Y = Array(shape=("n",), labels=True)


@dataclass
class MaxMarginResult:
    """Solution of the max-margin problem with its certificate.

    Attributes
    ----------
    a : ndarray of shape (N,)
        Unit-norm direction (zeros unless the verdict is ``"separable"``).
    kappa : float
        Its margin ``min_i y_i <a, u_i>`` on the original data; 0 when not
        separable, NaN when undecided.
    verdict : {"separable", "not_separable", "undecided"}
    status : str
        What the solvers returned (e.g. ``"optimal"``, ``"farkas"``,
        ``"lp: iteration limit"``).
    method : str
        The path that produced the answer (``"dual"``, ``"cvxpy:CLARABEL"``, ``"lp"``...).
    dual : ndarray of shape (n,) or None
        Separable: multipliers ``alpha >= 0`` of the problem for ``U / s``,
        ``s = certificate["scale"]`` the largest row norm, so that
        ``a_hat = sum_i alpha_i y_i u_i / s`` and ``||a_hat|| = s / kappa``.
        Not separable: the Farkas ray ``lambda`` (``lambda >= 0``, sum 1).
    certificate : dict
        ``kappa_lower`` and ``kappa_upper`` (certified bounds on the margin),
        ``safety`` (the rounding allowance), ``scale`` (largest row norm of
        ``U``), ``farkas_residual`` (``||G^T lambda|| / scale``, not separable only).
    """

    a: np.ndarray
    kappa: float
    verdict: str
    status: str
    method: str
    dual: np.ndarray | None = None
    certificate: dict = field(default_factory=dict)

    @property
    def separable(self) -> bool:
        """True only for a certified ``"separable"`` verdict."""
        return self.verdict == "separable"

    @property
    def n_support(self) -> int:
        """Number of support vectors (positive multipliers); -1 unless separable with multipliers."""
        if self.dual is None or self.verdict != "separable":
            return -1
        return int(np.sum(self.dual > 1e-12 * max(1.0, float(np.max(self.dual, initial=0.0)))))


def _check_data(U, y) -> tuple[np.ndarray, np.ndarray]:
    U = np.asarray(U)
    y = np.asarray(y)
    if U.dtype == object or np.iscomplexobj(U) or not np.issubdtype(U.dtype, np.number) \
            or U.dtype == bool:
        raise TypeError(f"U must be a real numeric array, got dtype {U.dtype}")
    U = U.astype(float)
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
    if not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
        raise ValueError("y must contain only the labels -1 and +1")
    yf = y.astype(float)
    if not np.all((yf == 1.0) | (yf == -1.0)):
        raise ValueError("y must contain only the labels -1 and +1")
    return U, yf


# ---------------------------------------------------------------- certificates
class _Certifier:
    """Checks candidate directions and Farkas rays against the original data ``G``."""

    def __init__(self, G: np.ndarray):
        self.G = G
        # G / max|entry| first, so that tiny or huge data neither under- nor overflow
        m = float(np.max(np.abs(G)))
        Gs = G / m if m > 0 else G.copy()
        rn = float(np.sqrt(np.max(np.einsum("ij,ij->i", Gs, Gs))))
        self.scale = m * rn
        self.safety = 10.0 * G.shape[1] * _EPS * self.scale
        # work on G / scale (largest row norm 1): the same problem whatever the units of the data
        if rn > 0:
            Gs /= rn
        self.Gs = Gs

    def direction(self, a: np.ndarray) -> tuple[np.ndarray, float] | None:
        """Unit direction and its margin on the original data, or None if not certified."""
        a = np.asarray(a, dtype=float)
        if not np.all(np.isfinite(a)):
            return None
        m = float(np.max(np.abs(a)))
        if m == 0.0:
            return None
        a = a / m
        a = a / np.linalg.norm(a)
        kappa = float(np.min(self.G @ a))
        return (a, kappa) if kappa > self.safety else None

    def upper(self, lam: np.ndarray) -> float:
        """``||G^T lambda||`` for ``lambda`` clipped to >= 0 and normalised to sum 1."""
        lam = np.maximum(np.asarray(lam, dtype=float), 0.0)
        s = float(np.sum(lam))
        if not np.isfinite(s) or s <= 0.0:
            return np.inf
        return self.scale * float(np.linalg.norm(self.Gs.T @ (lam / s)))

    def farkas(self, lam: np.ndarray) -> tuple[np.ndarray, float] | None:
        """Refine a candidate ray on its support; return (ray, relative residual) if accepted."""
        lam = np.maximum(np.asarray(lam, dtype=float), 0.0)
        if not np.all(np.isfinite(lam)) or np.sum(lam) <= 0:
            return None
        lam = lam / np.sum(lam)
        best = lam, float(np.linalg.norm(self.Gs.T @ lam))
        S = np.nonzero(lam > 1e-12 * np.max(lam))[0]
        # least squares on the support: min ||G_S^T l|| subject to sum l = 1
        A = np.vstack([self.Gs[S].T, np.full((1, S.size), 1.0)])
        b = np.zeros(A.shape[0])
        b[-1] = 1.0
        sol = linalg.lstsq(A, b, lapack_driver="gelsd")[0]
        if np.all(sol >= 0) and abs(np.sum(sol) - 1.0) < 1e-9:
            cand = np.zeros_like(lam)
            cand[S] = sol / np.sum(sol)
            res = float(np.linalg.norm(self.Gs.T @ cand))
            if res < best[1]:
                best = cand, res
        return best if best[1] <= _FARKAS_TOL else None

    def separable(self, a, alpha, status, method) -> MaxMarginResult | None:
        d = self.direction(a)
        if d is None:
            return None
        a, kappa = d
        cert = {"kappa_lower": kappa, "kappa_upper": np.inf, "safety": self.safety, "scale": self.scale}
        dual = None
        if alpha is not None:
            alpha = np.maximum(np.asarray(alpha, dtype=float), 0.0)
            cert["kappa_upper"] = max(kappa, self.upper(alpha))
            # multipliers of the problem for G / scale: a_hat = (G / scale)^T alpha, ||a_hat|| = scale / kappa
            s = float(np.sum(alpha))
            if s > 0:
                dual = alpha / s * (self.scale / kappa) ** 2
        return MaxMarginResult(a, kappa, "separable", status, method, dual, cert)

    def not_separable(self, lam, status, method) -> MaxMarginResult | None:
        f = self.farkas(lam)
        if f is None:
            return None
        ray, res = f
        cert = {"kappa_lower": 0.0, "kappa_upper": res * self.scale, "safety": self.safety,
                "farkas_residual": res, "scale": self.scale}
        return MaxMarginResult(np.zeros(self.G.shape[1]), 0.0, "not_separable", status, method, ray, cert)


def _undecided(N: int, status: str, method: str, cert: dict | None = None) -> MaxMarginResult:
    return MaxMarginResult(np.zeros(N), float("nan"), "undecided", status, method, None, dict(cert or {}))


def _gap(res: MaxMarginResult) -> float:
    c = res.certificate
    return (c["kappa_upper"] - c["kappa_lower"]) / c["kappa_lower"]


# ---------------------------------------------------------------- the dual path
def _support_solve(GS: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Solve the KKT system on a support: ``G_S a = 1`` with ``a = G_S^T alpha_S``.

    Cholesky of ``G_S G_S^T`` with two steps of iterative refinement (residuals
    computed through ``G_S``, not the Gram matrix); a QR factorisation of
    ``G_S^T`` when the Gram matrix is too ill-conditioned for that.
    """
    ones = np.ones(GS.shape[0])
    try:
        cf = linalg.cho_factor(GS @ GS.T, check_finite=False)
        aS = linalg.cho_solve(cf, ones, check_finite=False)
        for _ in range(2):
            aS = aS + linalg.cho_solve(cf, ones - GS @ (GS.T @ aS), check_finite=False)
        a = GS.T @ aS
        if np.all(np.isfinite(a)) and np.max(np.abs(GS @ a - 1.0)) < 1e-12:
            return a, aS
    except linalg.LinAlgError:
        pass
    try:
        Qf, R = linalg.qr(GS.T, mode="economic", check_finite=False)
        z = linalg.solve_triangular(R, ones, trans="T", check_finite=False)
        aS = linalg.solve_triangular(R, z, check_finite=False)
    except (linalg.LinAlgError, ValueError):
        return None
    a = Qf @ z
    return (a, aS) if np.all(np.isfinite(aS)) and np.all(np.isfinite(a)) else None


def _polish(Gs: np.ndarray, alpha: np.ndarray):
    """Active-set refinement of an approximate dual solution; returns (a, alpha, status)."""
    n = Gs.shape[0]
    S = np.nonzero(alpha > 1e-6 * max(float(np.max(alpha)), 1e-300))[0]
    if S.size == 0:
        S = np.array([int(np.argmax(Gs @ (Gs.T @ np.ones(n))))])
    for it in range(_POLISH_ITERS):
        sol = _support_solve(Gs[S])
        if sol is None:
            return None, None, "polish: singular support"
        a, aS = sol
        if np.min(aS) < 0:
            S = S[aS >= 0]  # negative multipliers leave the support
            if S.size == 0:
                return None, None, "polish: empty support"
            continue
        m = Gs @ a
        viol = np.nonzero(m < 1.0 - 1e-12)[0]
        if viol.size == 0:
            full = np.zeros(n)
            full[S] = aS
            return a, full, f"optimal ({it + 1} polish steps)"
        # add the worst violators (at most a tenth of the support at a time, at least one)
        k = max(1, min(viol.size, S.size // 10 + 1))
        S = np.union1d(S, viol[np.argsort(m[viol])[:k]])
    return None, None, "polish: no convergence"


def _dual_path(cert: _Certifier, maxiter: int) -> MaxMarginResult | str:
    Gs = cert.Gs
    n = Gs.shape[0]
    # the first phase only has to find the support: single precision halves the memory traffic
    G32 = Gs.astype(np.float32)
    Q = G32 @ G32.T
    ones = np.ones(n)

    def fg(al):
        Qa = (Q @ al.astype(np.float32)).astype(float)
        return 0.5 * float(al @ Qa) - float(np.sum(al)), Qa - ones

    r = optimize.minimize(fg, np.zeros(n), jac=True, method="L-BFGS-B", bounds=[(0.0, _BOX)] * n,
                          options={"maxiter": maxiter, "ftol": 1e-12, "gtol": 1e-3, "maxcor": 40})
    if np.max(r.x) >= 0.5 * _BOX:
        return "dual: multipliers reach the box (margin < 1e-6 of the row scale, or not separable)"
    a, alpha, status = _polish(Gs, r.x)
    if a is None:
        return status
    res = cert.separable(a, alpha, status, "dual")
    if res is None:
        return "dual: polished direction not certified"
    if _gap(res) > _GAP_RTOL:
        return f"dual: optimality gap {_gap(res):.1e}"
    return res


# ---------------------------------------------------------------- the LP path
def _lp_path(cert: _Certifier) -> MaxMarginResult | str:
    """max t s.t. G a >= t 1, -1 <= a <= 1, t <= 1, by HiGHS.

    ``t > 0`` gives a separating direction.  The multipliers of ``G a >= t``
    form a distribution lambda with ``||G^T lambda||_1 = t``: at ``t = 0`` a
    Farkas ray (refined and checked by :class:`_Certifier`).
    """
    Gs = cert.Gs
    n, N = Gs.shape
    c = np.zeros(N + 1)
    c[-1] = -1.0
    A = np.hstack([-Gs, np.ones((n, 1))])  # t - <g_i, a> <= 0
    bounds = [(-1.0, 1.0)] * N + [(None, 1.0)]
    r = optimize.linprog(c, A_ub=A, b_ub=np.zeros(n), bounds=bounds, method="highs")
    if r.status != 0 or r.x is None:
        return f"lp: {r.message}"
    lam = -np.asarray(r.ineqlin.marginals, dtype=float)
    t = float(r.x[-1])
    if t > 0:
        res = cert.separable(r.x[:N], lam, "lp: separating direction, margin not maximal", "lp")
        if res is not None:
            return res
    res = cert.not_separable(lam, "farkas", "lp")
    if res is not None:
        return res
    return f"lp: t = {t:.2e}, neither direction nor ray certified"


# ---------------------------------------------------------------- cvxpy
def _cvxpy_path(cert: _Certifier, solver: str) -> MaxMarginResult | str:
    import cvxpy as cp

    a = cp.Variable(cert.Gs.shape[1])
    con = cert.Gs @ a >= 1.0
    prob = cp.Problem(cp.Minimize(cp.sum_squares(a)), [con])
    try:
        prob.solve(solver=solver)
    except cp.error.SolverError as exc:
        return f"cvxpy {solver}: solver error ({exc})"
    status = str(prob.status)
    if status == "optimal" and a.value is not None:
        lam = None if con.dual_value is None else np.asarray(con.dual_value, dtype=float)
        res = cert.separable(np.asarray(a.value, dtype=float), lam, status, f"cvxpy:{solver}")
        if res is not None:
            return res
        return f"cvxpy {solver}: optimal but direction not certified"
    if status == "infeasible" and con.dual_value is not None:
        res = cert.not_separable(np.asarray(con.dual_value, dtype=float), "infeasible (conic dual ray)",
                                 f"cvxpy:{solver}")
        if res is not None:
            return res
    return f"cvxpy {solver}: {status}"


@validate_params(U=_U, y=_Y, method=OneOf("dual", "cvxpy", "lp"), solver=OrNone(Text()), maxiter=Integer(min=1, max=10**7))
def max_margin(U: np.ndarray, y: np.ndarray, *, method: str = "dual", solver: str | None = None,
               maxiter: int = 20000) -> MaxMarginResult:
    """Max-margin linear classifier ``max_{||a|| <= 1} min_i y_i <a, u_i>``, with a certified verdict.

    Parameters
    ----------
    U : ndarray of shape (n, N)
        Feature vectors ``u_i`` as rows (real, finite).
    y : ndarray of shape (n,)
        Labels in {-1, +1}.
    method : {"dual", "cvxpy", "lp"}
        ``"dual"`` (default): L-BFGS-B on the dual plus an exact active-set
        polish, falling back to the LP.  ``"cvxpy"``: the QP through cvxpy
        (the reference), falling back to CLARABEL and then to the LP when the
        solver's status is not ``optimal`` / ``infeasible``.  ``"lp"``: only
        the HiGHS LP (decides separability; its margin is not the maximum).
    solver : str, optional
        cvxpy solver (``method="cvxpy"`` only); default ``"CLARABEL"``.
    maxiter : int
        Iteration cap of L-BFGS-B (``method="dual"``).

    Returns
    -------
    MaxMarginResult
        With ``verdict`` in ``VERDICTS`` and the ``certificate`` behind it.
        All paths work on ``U`` divided by its largest row norm, so that
        ``kappa(c U) = c kappa(U)``.

    Raises
    ------
    TypeError
        If ``U`` is complex, boolean or not numeric.
    ValueError
        If ``U`` is not a finite non-empty 2-D array, ``y`` does not match its
        rows or holds anything but -1 and +1, or ``method`` / ``solver`` is unknown.
    """
    if solver is not None and method != "cvxpy":
        raise ValueError("solver is only used with method='cvxpy'")
    check_size("the Gram matrix of U (n x n) and U itself", np.shape(U)[0] ** 2 + int(np.size(U)))
    U, y = _check_data(U, y)
    G = y[:, None] * U
    N = G.shape[1]
    cert = _Certifier(G)
    if cert.scale == 0.0 or not np.isfinite(cert.scale):
        lam = np.full(G.shape[0], 1.0 / G.shape[0])
        return MaxMarginResult(np.zeros(N), 0.0, "not_separable", "all rows vanish", "none", lam,
                               {"kappa_lower": 0.0, "kappa_upper": 0.0, "safety": 0.0,
                                "farkas_residual": 0.0, "scale": 0.0})
    tried = []
    if method == "cvxpy":
        import cvxpy as cp

        name = "CLARABEL" if solver is None else str(solver).upper()
        if name not in cp.installed_solvers():
            raise ValueError(f"solver must be one of {cp.installed_solvers()}, got {solver!r}")
        for s in dict.fromkeys([name, "CLARABEL"]):
            out = _cvxpy_path(cert, s)
            if isinstance(out, MaxMarginResult):
                return out
            tried.append(out)
    elif method == "dual":
        out = _dual_path(cert, int(maxiter))
        if isinstance(out, MaxMarginResult):
            return out
        tried.append(out)
        # the LP is cheap: a Farkas ray settles the draw; otherwise CLARABEL gives the exact maximum
        lp = _lp_path(cert)
        if isinstance(lp, MaxMarginResult) and lp.verdict == "not_separable":
            lp.status = f"{lp.status} (after: {out})"
            return lp
        tried.append(lp if isinstance(lp, str) else lp.status)
        out = _cvxpy_path(cert, "CLARABEL")
        if isinstance(out, MaxMarginResult):
            out.status = f"{out.status} (after: {'; '.join(tried)})"
            return out
        tried.append(out)
        if isinstance(lp, MaxMarginResult):
            lp.status = f"{lp.status} (after: {'; '.join(tried)})"
            return lp
        return _undecided(N, "; ".join(tried), method, {"safety": cert.safety})
    out = _lp_path(cert)
    if isinstance(out, MaxMarginResult):
        if tried:
            out.status = f"{out.status} (after: {'; '.join(tried)})"
        return out
    tried.append(out)
    return _undecided(N, "; ".join(tried), method, {"safety": cert.safety})


@validate_params(U=_U, y=_Y, res=Instance(MaxMarginResult))
def check_kkt(U: np.ndarray, y: np.ndarray, res: MaxMarginResult) -> dict:
    """KKT residuals of a separable solution, relative to the scale of the problem.

    For the problem on ``G / s`` (``s = res.certificate["scale"]``), with
    ``a_hat = s a / kappa`` (the QP solution, margins >= 1) and the
    multipliers ``alpha = res.dual``: stationarity ``||a_hat - G^T alpha||``,
    primal feasibility ``max(1 - G a_hat)_+``, dual feasibility
    ``max(-alpha)_+`` and complementary slackness ``max alpha_i |<g_i, a_hat> - 1|``,
    each divided by its natural scale.

    Raises
    ------
    ValueError
        If the result is not separable or has no multipliers.
    """
    U, y = _check_data(U, y)
    if res.verdict != "separable" or res.dual is None:
        raise ValueError("res must be a separable result with multipliers (res.dual)")
    s = res.certificate["scale"]
    G = y[:, None] * U / s
    a_hat = res.a * (s / res.kappa)
    m = G @ a_hat
    alpha = res.dual
    nrm = float(np.linalg.norm(a_hat))
    return {
        "stationarity": float(np.linalg.norm(a_hat - G.T @ alpha)) / nrm,
        "primal": float(max(0.0, np.max(1.0 - m))),
        "dual": float(max(0.0, np.max(-alpha))) / float(np.max(np.abs(alpha))),
        "complementarity": float(np.max(alpha * np.abs(m - 1.0))) / float(np.sum(alpha)),
    }
