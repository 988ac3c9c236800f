"""The mean-field limit of a ReLU network on a single-index teacher, solved as a reduced PDE.

Setting
-------
Inputs ``x ~ N(0, I_d)``, a teacher ``f_*(x) = c_+ relu(<u, x>) + c_- relu(-<u, x>) - mu0 (c_+ + c_-)``
(``(c_+, c_-) = (1, 1)`` is ``|<u, x>| - sqrt(2/pi)``), and the mean-field network
``f(x; rho) = int a relu(<w, x>) rho(da, dw)``.  The population risk
``R(rho) = E (f_* - f)^2 / 2`` is

.. math::

    R(\\rho) = \\tfrac12 E f_*^2 - \\int a V(w)\\,\\rho + \\tfrac12 \\iint a a' H(w, w')\\,\\rho\\rho,

with ``H(w, w') = E relu(<w,x>) relu(<w',x>) = |w||w'| (sin t + (pi - t) cos t) / (2 pi)`` (``t`` the
angle between ``w`` and ``w'``), whose gradient is
``grad_w H = (|w'| sin t w/|w| + (pi - t) w') / (2 pi)``, and
``V(w) = E f_* relu(<w, x>) = c_+ H(w, u) + c_- H(w, -u) - mu0^2 (c_+ + c_-) |w|``.
The distributional dynamics ``d_t rho = div(rho grad Psi)`` has
``Psi(theta; rho) = -a V(w) + a int a' H(w, w') rho(d theta')``.

Reduction
---------
When the initial law is invariant under the rotations that fix ``u`` (here ``a ~ N(0, 1)``,
``w ~ Unif(S^{d-1})``), so is ``rho_t``, and ``Psi`` depends on ``w`` only through
``s = <w, u>`` and ``r = |w - s u|``.  A particle then keeps the direction ``e`` of ``w - s u`` and
moves in ``(a, s, r)`` with velocity ``-(d_a, d_s, d_r) Psi``.  Averaging the interaction over the
direction of the other particle, ``<e, e'> = tau`` has density proportional to
``(1 - tau^2)^((d-4)/2)`` on ``[-1, 1]``, so the reduced kernel is a one-dimensional
Gauss--Jacobi average of ``H`` and ``grad H`` at ``<w, w'> = s s' + r r' tau``.

Numerical method (Lagrangian, not a particle run of the network)
----------------------------------------------------------------
The initial law in ``(a, s)`` (``r = sqrt(1 - s^2)``) is replaced by a product quadrature:
Gauss--Hermite nodes in ``a`` and Gauss--Jacobi nodes for the density ``(1 - s^2)^((d-3)/2)`` of
``s``.  Each node is a weighted atom transported by the reduced velocity field, which it also
generates.  For an even teacher (``c_+ = c_-``) the law stays symmetric under ``s -> -s``; the atoms
then cover ``s in (0, 1)`` only and the interaction includes their mirror images (this puts the
quadrature's end point where the flow map is steep, and converges much faster in the size of the
rule).  Time is integrated by classical Runge--Kutta (``method="rk4"``) or by explicit Euler
(``"euler"``, i.e. gradient descent with time step ``step_size``).  Extra "tracer" points can be
transported by the same field without acting on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .._validate import Array, Boolean, DivergenceError, Integer, InvalidParameterError, ListOf, OneOf, OrNone, RNG, Real, StepSize, check_size, generator, validate_params

__all__ = ["ReducedPDESolution", "solve_reduced_pde", "train_population",
]

_TWO_PI = 2.0 * np.pi
_MU0_SQ = 1.0 / _TWO_PI            # mu0^2 of ReLU
METHODS = ("rk4", "euler")
_TEACHER = Array(ndim=1, shape=(2,))
_A = Array(ndim=1, shape=("N",))
_W = Array(ndim=2, shape=("N", "d"))
_U = Array(ndim=1, shape=("d",))
_ATOM = Array(ndim=1, shape=("m",))
_RULE = Array(ndim=1, shape=("k",))


def _teacher(teacher) -> tuple[float, float]:
    c = np.asarray(teacher, dtype=float)
    if c.shape != (2,) or not np.all(np.isfinite(c)):
        raise ValueError(f"teacher must be two finite coefficients (c_plus, c_minus), got {teacher!r}")
    if not np.any(c):
        raise ValueError("teacher must have a non-zero coefficient")
    return float(c[0]), float(c[1])


def _angle_parts(C):
    C = np.clip(C, -1.0, 1.0)
    return np.pi - np.arccos(C), np.sqrt(np.maximum(1.0 - C * C, 0.0))


def _teacher_second_moment(teacher=(1.0, 1.0)) -> float:
    """``E f_*^2`` of the centred teacher (``1 - 2/pi`` for ``(1, 1)``)."""
    cp, cm = _teacher(teacher)
    return 0.5 * (cp * cp + cm * cm) - (cp + cm) ** 2 * _MU0_SQ


def _teacher_potential(s: np.ndarray, r: np.ndarray, teacher=(1.0, 1.0)):
    """``V`` and its partial derivatives in ``(s, r)`` at ``w = s u + r e``.

    Returns
    -------
    V, dV_ds, dV_dr : ndarray
    """
    cp, cm = _teacher(teacher)
    s, r = np.asarray(s, dtype=float), np.asarray(r, dtype=float)
    try:
        np.broadcast_shapes(s.shape, r.shape)
    except ValueError:
        raise InvalidParameterError(f"s and r must broadcast together, got shapes {s.shape} and {r.shape}") from None
    n = np.sqrt(s * s + r * r)
    if np.any(n == 0):
        raise InvalidParameterError("s and r must not both be 0 (w != 0)")
    cos = s / n
    val = np.zeros_like(n)
    gs = np.zeros_like(n)
    gr = np.zeros_like(n)
    for sgn, ck in ((1.0, cp), (-1.0, cm)):
        if ck == 0.0:
            continue
        P, S = _angle_parts(sgn * cos)
        val += ck * n * (S + P * sgn * cos) / _TWO_PI
        gs += ck * (S * s / n + P * sgn) / _TWO_PI
        gr += ck * (S * r / n) / _TWO_PI
    m = (cp + cm) * _MU0_SQ
    return val - m * n, gs - m * s / n, gr - m * r / n



# ------------------------------------------------------------- network (all d coordinates)
def _population_velocity(a: np.ndarray, W: np.ndarray, u: np.ndarray, teacher=(1.0, 1.0)):
    """Mean-field velocity of every neuron under the exact population gradient, and the risk.

    For ``f = (1/N) sum_j a_j relu(<w_j, x>)`` the velocity is ``-N grad_theta_j R`` (the step
    ``N step_size`` per neuron of the mean-field preset).  Costs ``O(N^2 d)``.

    Returns
    -------
    v_a : ndarray (N,)
    v_W : ndarray (N, d)
    risk : float
        ``E (f_* - f)^2 / 2`` (includes each neuron's interaction with itself).
    """
    N = a.size
    check_size("population interaction (N x N)", 3 * N * N)
    if abs(np.linalg.norm(u) - 1.0) > 1e-9:
        raise InvalidParameterError(f"u must be a unit vector, got norm {np.linalg.norm(u):g}")
    n = np.linalg.norm(W, axis=1)
    if not np.all(n > 0):
        raise InvalidParameterError("W must have non-zero rows")
    what = W / n[:, None]
    C = what @ what.T
    np.clip(C, -1.0, 1.0, out=C)
    S = 1.0 - C * C
    np.sqrt(np.maximum(S, 0.0, out=S), out=S)
    P = np.arccos(C, out=C)
    P *= -1.0
    P += np.pi
    an = a * n
    Sv = S @ an
    B = P @ (an[:, None] * what)
    Ha = n * (Sv + np.sum(what * B, axis=1)) / (_TWO_PI * N)
    s = W @ u
    perp = W - s[:, None] * u
    r = np.linalg.norm(perp, axis=1)
    V, gs, gr = _teacher_potential(s, r, teacher)
    gV = gs[:, None] * u + (gr / np.maximum(r, 1e-300))[:, None] * perp
    v_W = a[:, None] * (gV - (Sv[:, None] * what + B) / (_TWO_PI * N))
    risk = 0.5 * (_teacher_second_moment(teacher) - 2.0 * np.mean(a * V) + a @ Ha / N)
    return V - Ha, v_W, float(risk)



# ------------------------------------------------------------- reduced (a, s, r) dynamics
def _reduced_velocity(a, s, r, q, tau, tau_w, targets=None, teacher=(1.0, 1.0)):
    """Velocity of points ``targets = (a, s, r)`` in the field generated by the weighted atoms.

    ``q`` are the atoms' masses (summing to 1); ``tau, tau_w`` the Gauss--Jacobi rule for
    ``<e, e'>``.  Returns ``(v_a, v_s, v_r, EH)`` with ``EH[i, k]`` the direction-averaged kernel
    between target ``i`` and atom ``k``.
    """
    if targets is not None and len(targets) != 3:
        raise InvalidParameterError(f"targets must be three arrays (a, s, r), got {len(targets)}")
    ia, is_, ir = (a, s, r) if targets is None else targets
    check_size("reduced kernel (targets x atoms x n_tau)", 3 * len(ia) * len(a) * len(tau))
    n = np.sqrt(s * s + r * r)
    ni = np.sqrt(is_ * is_ + ir * ir)
    nn = ni[:, None, None] * n[None, :, None]
    C = (is_[:, None, None] * s[None, :, None] + ir[:, None, None] * r[None, :, None] * tau) / nn
    P, S = _angle_parts(C)
    EH = (nn * (S + P * C)) @ tau_w / _TWO_PI
    Sn = (S * n[None, :, None]) @ tau_w
    qa = q * a
    V, gs, gr = _teacher_potential(is_, ir, teacher)
    sn = Sn @ qa
    v_a = V - EH @ qa
    v_s = ia * (gs - (sn * is_ / ni + (P @ tau_w) @ (qa * s)) / _TWO_PI)
    v_r = ia * (gr - (sn * ir / ni + ((P * tau) @ tau_w) @ (qa * r)) / _TWO_PI)
    return v_a, v_s, v_r, EH



def _jacobi_prob(m: int, alpha: float, beta: float):
    x, w = special.roots_jacobi(m, alpha, beta)
    return x, w / w.sum()


def _initial_quadrature(d: int, n_a: int, n_s: int, *, half: bool):
    """Atoms ``(a, s, r, q)`` of the product rule for ``a ~ N(0,1)``, ``w ~ Unif(S^{d-1})``.

    With ``half=True`` the ``s`` nodes cover ``(0, 1)`` (masses sum to 1 over the half; the
    mirror images carry the same masses).
    """
    d, n_a, n_s = int(d), int(n_a), int(n_s)
    check_size("quadrature atoms (n_a x n_s)", n_a * n_s)
    beta = 0.5 * (d - 3)
    if half:
        x, w = special.roots_jacobi(n_s, beta, 0.0)
        s = 0.5 * (1.0 + x)
        w = w * ((3.0 + x) / 2.0) ** beta          # (1 - s^2)^beta on (0, 1) in the variable x
    else:
        s, w = special.roots_jacobi(n_s, beta, beta)
    w = w / w.sum()
    xa, wa = special.roots_hermitenorm(n_a)
    A, Sg = np.meshgrid(xa, s, indexing="ij")
    s = Sg.ravel()
    return A.ravel(), s, np.sqrt(1.0 - s * s), np.outer(wa / wa.sum(), w).ravel()


def _rk_step(f, y, h, method):
    if method == "euler":
        return [yi + h * ki for yi, ki in zip(y, f(y))]
    k1 = f(y)
    k2 = f([yi + 0.5 * h * k for yi, k in zip(y, k1)])
    k3 = f([yi + 0.5 * h * k for yi, k in zip(y, k2)])
    k4 = f([yi + h * k for yi, k in zip(y, k3)])
    return [yi + h / 6.0 * (p + 2 * q + 2 * r + z) for yi, p, q, r, z in zip(y, k1, k2, k3, k4)]


def _check_time(horizon, step_size, record_every, method):
    """The number of steps; ``step_size`` must divide ``horizon`` (a rule tying two arguments)."""
    horizon = float(horizon)
    step_size = float(step_size)
    ratio = horizon / step_size
    if not np.isfinite(ratio):
        raise InvalidParameterError(f"step_size = {step_size:g} is too small for horizon = {horizon:g}")
    steps = int(round(ratio))
    if steps < 1 or abs(steps * step_size - horizon) > 1e-9 * horizon:
        raise ValueError(f"step_size must divide horizon, got step_size={step_size:g}, horizon={horizon:g}")
    return horizon, step_size, steps, int(record_every)


@dataclass
class ReducedPDESolution:
    """Output of :func:`solve_reduced_pde`.

    Attributes
    ----------
    time, risk : ndarray
        Recorded times and the population risk ``R(rho_t)``.
    atoms : list of (a, s, r)
        The full measure (mirror images included) at each recorded time.
    mass : ndarray
        Masses of the atoms (sum 1).
    tracers : list of (a, s, r)
        The tracer points at each recorded time (empty if none were given).
    """

    time: np.ndarray
    risk: np.ndarray
    atoms: list
    mass: np.ndarray
    tracers: list


@validate_params(d=Integer(min=4), horizon=Real(gt=0), step_size=StepSize(), teacher=_TEACHER, n_a=Integer(min=1),
                 n_s=Integer(min=1), n_tau=Integer(min=1), method=OneOf(*METHODS), record_every=Integer(min=1),
                 tracers=OrNone(ListOf(Array(ndim=1, shape=("t",)), min_len=3)), with_risk=Boolean())
def solve_reduced_pde(d: int, *, horizon: float, step_size: float, teacher=(1.0, 1.0),
                      n_a: int = 16, n_s: int = 8, n_tau: int = 8, method: str = "rk4",
                      record_every: int = 1, tracers=None, with_risk: bool = True) -> ReducedPDESolution:
    """Solve the reduced distributional dynamics up to ``horizon`` (module notes).

    Parameters
    ----------
    d : int
        Input dimension (>= 4).
    horizon, step_size : float
        Final time and time step (the step must divide the horizon).
    teacher : (c_plus, c_minus)
        Teacher coefficients; equal coefficients use the mirrored half rule.
    n_a, n_s, n_tau : int
        Sizes of the rules in ``a``, ``s`` and ``<e, e'>``.
    method : {"rk4", "euler"}
        Time integrator; ``"euler"`` is gradient descent with time step ``step_size``.
    record_every : int
        Record every this many steps (and at time 0).
    tracers : (a, s, r) arrays, optional
        Points transported by the field without acting on it.
    with_risk : bool
        Evaluate the risk at the recorded times (``False`` leaves ``risk`` as NaN).
    """
    cp, cm = _teacher(teacher)
    horizon, step_size, steps, record_every = _check_time(horizon, step_size, record_every, method)
    n_tau = int(n_tau)
    half = cp == cm
    m_full = (2 if half else 1) * n_a * n_s
    n_tr = 0 if tracers is None else len(np.ravel(tracers[0]))
    check_size("reduced kernel (atoms x atoms x n_tau)", 3 * (m_full + n_tr) * m_full * n_tau)
    check_size("recorded atoms", (steps // record_every + 2) * 3 * (m_full + n_tr))
    a, s, r, q = _initial_quadrature(d, n_a, n_s, half=half)
    tau, tau_w = _jacobi_prob(n_tau, 0.5 * (d - 4), 0.5 * (d - 4))
    mass = np.concatenate([q, q]) / 2.0 if half else q
    m = a.size
    tr = [] if tracers is None else [np.asarray(v, dtype=float).ravel() for v in tracers]
    if tr and (len(tr) != 3 or len({v.size for v in tr}) != 1):
        raise ValueError("tracers must be three arrays (a, s, r) of one length")

    def full(y):
        if half:
            return (np.concatenate([y[0], y[0]]), np.concatenate([y[1], -y[1]]),
                    np.concatenate([y[2], y[2]]))
        return y[0], y[1], y[2]

    def field(y):
        A, S_, R_ = full(y)
        tg = (y[0], y[1], y[2]) if not tr else tuple(np.concatenate([y[i], y[i + 3]]) for i in range(3))
        va, vs, vr, _ = _reduced_velocity(A, S_, R_, mass, tau, tau_w, tg, (cp, cm))
        out = [va[:m], vs[:m], vr[:m]]
        return out + ([va[m:], vs[m:], vr[m:]] if tr else [])

    def risk(y):
        A, S_, R_ = full(y)
        EH = _reduced_velocity(A, S_, R_, mass, tau, tau_w, None, (cp, cm))[3]
        qa = mass * A
        V = _teacher_potential(S_, R_, (cp, cm))[0]
        return 0.5 * (_teacher_second_moment((cp, cm)) - 2.0 * qa @ V + qa @ EH @ qa)

    y = [a, s, r] + tr
    if not with_risk:
        risk = lambda y: float("nan")  # noqa: E731
    times, risks, atoms, tracks = [0.0], [risk(y)], [full(y)], [tuple(y[3:])] if tr else []
    for k in range(1, steps + 1):
        y = _rk_step(field, y, step_size, method)
        if not all(np.all(np.isfinite(v)) for v in y):
            raise DivergenceError(f"step_size = {step_size:g} is too large: the reduced dynamics "
                                     f"diverged at step {k}")
        if k % record_every == 0 or k == steps:
            times.append(k * step_size)
            risks.append(risk(y))
            atoms.append(full(y))
            if tr:
                tracks.append(tuple(y[3:]))
    return ReducedPDESolution(np.asarray(times), np.asarray(risks), atoms, mass, tracks)


# ------------------------------------------------------------- particles of the network
def _reduced_coordinates(a: np.ndarray, W: np.ndarray, u: np.ndarray):
    """``(a, <w, u>, |w - <w, u> u|)`` of every neuron."""
    s = W @ u
    return np.asarray(a, dtype=float).copy(), s, np.linalg.norm(W - s[:, None] * u, axis=1)


def _paired_init(N: int, d: int, *, rng):
    """``N`` (even) neurons in pairs ``(a, w), (-a, w)``, ``a ~ N(0,1)``, ``w ~ Unif(S^{d-1})``."""
    N, d = int(N), int(d)
    if N % 2:
        raise ValueError(f"N must be even for paired neurons, got {N}")
    check_size("paired_init W (N x d)", N * d)
    rng = generator(rng)
    ah = rng.standard_normal(N // 2)
    Wh = rng.standard_normal((N // 2, d))
    Wh /= np.linalg.norm(Wh, axis=1, keepdims=True)
    return np.concatenate([ah, -ah]), np.concatenate([Wh, Wh])


@validate_params(N=Integer(min=2), d=Integer(min=1), horizon=Real(gt=0), step_size=StepSize(), rng=RNG(),
                 teacher=_TEACHER, method=OneOf(*METHODS), record_every=Integer(min=1))
def train_population(N: int, d: int, *, horizon: float, step_size: float, rng, teacher=(1.0, 1.0),
                     method: str = "rk4", record_every: int = 1) -> dict:
    """Mean-field training of ``N`` neurons on the exact population risk (Gaussian inputs).

    The teacher direction is the first basis vector.  Returns a dict with ``time``, ``risk`` and
    ``reduced`` (the reduced coordinates of the neurons at each recorded time, time 0 included).
    """
    horizon, step_size, steps, record_every = _check_time(horizon, step_size, record_every, method)
    teacher = _teacher(teacher)
    check_size("population interaction (N x N)", 3 * N * N)
    check_size("recorded neurons", (steps // record_every + 2) * 3 * N)
    a, W = _paired_init(N, d, rng=rng)
    u = np.zeros(d)
    u[0] = 1.0
    field = lambda y: list(_population_velocity(y[0], y[1], u, teacher)[:2])
    y = [a, W]
    times, risks, red = [0.0], [_population_velocity(a, W, u, teacher)[2]], [_reduced_coordinates(a, W, u)]
    for k in range(1, steps + 1):
        y = _rk_step(field, y, step_size, method)
        if not (np.all(np.isfinite(y[0])) and np.all(np.isfinite(y[1]))):
            raise DivergenceError(f"step_size = {step_size:g} is too large: training diverged at step {k}")
        if k % record_every == 0 or k == steps:
            times.append(k * step_size)
            risks.append(_population_velocity(y[0], y[1], u, teacher)[2])
            red.append(_reduced_coordinates(y[0], y[1], u))
    return {"time": np.asarray(times), "risk": np.asarray(risks), "reduced": red}


# ------------------------------------------------------------- distances between measures
def _sphere_directions(k: int) -> np.ndarray:
    """``k`` deterministic, nearly uniform unit vectors in R^3 (Fibonacci lattice)."""
    k = int(k)
    check_size("sphere_directions (k x 3)", 3 * k)
    i = np.arange(k) + 0.5
    phi = np.arccos(1.0 - 2.0 * i / k)
    th = np.pi * (1.0 + 5.0**0.5) * i
    return np.stack([np.cos(th) * np.sin(phi), np.sin(th) * np.sin(phi), np.cos(phi)], axis=1)


def _sliced_w1(X: np.ndarray, wx: np.ndarray, Y: np.ndarray, wy: np.ndarray, directions: np.ndarray) -> float:
    """Sliced 1-Wasserstein distance between two weighted point clouds.

    The average over ``directions`` of ``int |F_X(t) - F_Y(t)| dt`` for the projected clouds
    (``wx`` and ``wy`` each sum to 1).
    """
    X, Y = np.atleast_2d(X), np.atleast_2d(Y)
    wx, wy = np.asarray(wx, dtype=float), np.asarray(wy, dtype=float)
    if X.shape[1] != Y.shape[1] or directions.shape[1] != X.shape[1]:
        raise ValueError("X, Y and directions must have the same number of columns")
    if wx.shape != (X.shape[0],) or wy.shape != (Y.shape[0],):
        raise ValueError("wx and wy must give one weight per row of X and Y")
    for name, w in (("wx", wx), ("wy", wy)):
        if abs(w.sum() - 1) > 1e-9:
            raise InvalidParameterError(f"{name} must sum to 1, got {w.sum():g}")
    out = []
    for v in directions:
        z = np.concatenate([X @ v, Y @ v])
        o = np.argsort(z, kind="stable")
        F = np.cumsum(np.concatenate([wx, -wy])[o])[:-1]
        out.append(np.sum(np.abs(F) * np.diff(z[o])))
    return float(np.mean(out))


def _particles_vs_pde(N: int, *, rng, d: int, horizon: float, step_size: float, pde_risk: np.ndarray,
                     record_every: int = 1, teacher=(1.0, 1.0), n_directions: int = 16,
                     tracer_rule: tuple[int, int, int] = (12, 6, 4)) -> dict:
    """Train ``N`` particles and compare them with the reduced PDE at every recorded time.

    The PDE is solved once more with the particles' own initial reduced coordinates as tracers,
    so that ``Phi_t # rho_N(0)`` (the PDE flow applied to this initial sample) is available; that
    solve uses the rule sizes ``tracer_rule = (n_a, n_s, n_tau)`` (its cost is ``O(N n_a n_s n_tau)``
    per step).

    Returns
    -------
    dict
        ``risk`` (the particles' risk curve), ``risk_gap`` (``risk - pde_risk``), ``rms_gap``
        (RMS of the gap over the recorded times after 0), ``sw`` (sliced W1 between ``rho_N(t)``
        and ``Phi_t # rho_N(0)`` in ``(a, s, r)``, per recorded time), ``coupling`` (RMS
        distance between each particle and its tracer, per recorded time) and ``final``
        (the particles' reduced coordinates at the horizon, shape (N, 3)).
    """
    if len(tracer_rule) != 3:
        raise InvalidParameterError(f"tracer_rule must be (n_a, n_s, n_tau), got {tracer_rule!r}")
    _, _, steps, every = _check_time(horizon, step_size, record_every, "rk4")
    n_rec = steps // every + (1 if steps % every else 0) + 1
    if np.shape(pde_risk) != (n_rec,):
        raise InvalidParameterError(f"pde_risk must have one value per recorded time ({n_rec},), "
                                    f"got {np.shape(pde_risk)}")
    run = train_population(N, d, horizon=horizon, step_size=step_size, rng=rng, teacher=teacher,
                           record_every=record_every)
    pde_risk = np.asarray(pde_risk, dtype=float)
    if pde_risk.shape != run["risk"].shape:
        raise ValueError(f"pde_risk must have one value per recorded time {run['risk'].shape}, "
                         f"got {pde_risk.shape}")
    n_a, n_s, n_tau = tracer_rule
    sol = solve_reduced_pde(d, horizon=horizon, step_size=step_size, teacher=teacher, n_a=n_a, n_s=n_s,
                            n_tau=n_tau, record_every=record_every, tracers=run["reduced"][0],
                            with_risk=False)
    dirs = _sphere_directions(n_directions)
    w = np.full(N, 1.0 / N)
    sw, coupling = [], []
    for p, t in zip(run["reduced"], sol.tracers):
        P, Q = np.stack(p, axis=1), np.stack(t, axis=1)
        sw.append(_sliced_w1(P, w, Q, w, dirs))
        coupling.append(float(np.sqrt(np.mean(np.sum((P - Q) ** 2, axis=1)))))
    gap = run["risk"] - pde_risk
    return {"risk": run["risk"], "risk_gap": gap, "rms_gap": float(np.sqrt(np.mean(gap[1:] ** 2))),
            "sw": np.asarray(sw), "coupling": np.asarray(coupling),
            "final": np.stack(run["reduced"][-1], axis=1)}
