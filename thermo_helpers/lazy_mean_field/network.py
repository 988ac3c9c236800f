"""Two-layer networks in their two wide limits: scaling, model, linearisation, targets.

The network is

.. math::

    f(x; \\theta) = \\alpha(N) \\sum_{j=1}^N a_j \\, \\sigma(\\langle w_j, x \\rangle),
    \\qquad \\theta = (a_j, w_j)_{j \\le N},

with ``a_j`` and ``w_j`` of order one at initialisation (``a_j ~ N(0, a_scale^2)``,
``w_j ~ Unif(S^{d-1}(1))``) and the empirical square loss
``R_n(theta) = (1 / 2n) sum_i (y_i - f(x_i; theta))^2``.

Step-size scaling (Chizat & Bach)
---------------------------------
Every parameter follows gradient descent on ``R_n`` with the *per-parameter* step

.. math::

    \\gamma = \\frac{h}{N \\alpha^2}, \\qquad h = \\texttt{step_size},

where ``step_size`` is an N-independent step ("time step").  The reason: the gradient
with respect to one neuron is ``alpha`` times an O(1) vector, so one step moves a
neuron by ``gamma alpha = step_size / (N alpha)``, and moves the function by
``alpha sum_j <grad phi_j, d theta_j> = gamma alpha^2 N O(1) = step_size O(1)``.  The
function therefore evolves on an O(1) time scale for *every* alpha, through
the tangent kernel ``K(x, x') = (1/N) sum_j <grad phi_j(x), grad phi_j(x')>``
(see :func:`_tangent_kernel`), while each neuron moves by ``O(1/(N alpha))``.
Writing ``alpha = alpha_CB / N`` gives Chizat & Bach's form: the model is
``alpha_CB h(theta)`` with the mean-field average ``h = (1/N) sum_j phi_j``,
trained on ``R(alpha_CB h) / alpha_CB^2`` with step ``N step_size`` per neuron.

* ``"mean_field"``: ``alpha = 1/N``, ``gamma = N step_size`` (the step proportional to N
  per neuron of Mei, Montanari & Nguyen).  Neurons move O(1); the empirical
  measure ``rho_N = (1/N) sum_j delta_{(a_j, w_j)}`` follows the distributional
  dynamics and the risk curves converge as N grows.
* ``"lazy"``: ``alpha = 1/sqrt(N)``, ``gamma = step_size``.  The relative parameter
  movement is O(N^{-1/2}) and training follows the linearisation around the
  initialisation (the F_NT model).
* ``"free"``: any ``alpha > 0``, ``gamma = step_size / (N alpha^2)``.

The linearisation ``f_lin(x; theta) = f(x; theta0) + <grad f(x; theta0), theta - theta0>``
equals ``alpha sum_j [a_j sigma(<w0_j, x>) + a0_j sigma'(<w0_j, x>) <w_j - w0_j, x>]``,
an F_RF part plus an F_NT part; :func:`train` trains it next to the network,
from the same initialisation with the same steps and minibatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._validate import AnyOf, Array, Boolean, Function, Instance, Integer, InvalidParameterError, ListOf, OneOf, OrNone, RNG, Real, StepSize, check_size, generator, validate_params
from ..activations import Activation, ActivationLike, ActivationSpec, gaussian_moments, get_activation
from ..models import f_nn

__all__ = ["PRESETS", "Scaling", "scaling", "init_params", "network",
           "Linearisation", "linearise", "mixture_network",
           "neuron_teacher", "polynomial_floor"]

PRESETS: tuple = ("lazy", "mean_field", "free")

_X = Array(ndim=2, shape=("n", "d"))
_Y = Array(ndim=1, shape=("n",))
_A = Array(ndim=1, shape=("N",))
_W = Array(ndim=2, shape=("N", "d"))
#: cached features (sigma(X W0^T), sigma'(X W0^T)) of a Linearisation
_FEATS = OrNone(ListOf(Array(ndim=2, shape=("n", "N")), min_len=2))

# --------------------------------------------------------------------- scaling
@dataclass(frozen=True)
class Scaling:
    """Output scale and step multiplier of a two-layer network of width N.

    Attributes
    ----------
    preset : str
        ``"lazy"``, ``"mean_field"`` or ``"free"``.
    N : int
        Width.
    alpha : float
        Output multiplier ``alpha(N)``.
    step_factor : float
        ``1 / (N alpha^2)``: the per-parameter step is ``step_size * step_factor``.
    """

    preset: str
    N: int
    alpha: float
    step_factor: float

    @property
    def alpha_cb(self) -> float:
        """Chizat--Bach scale ``N alpha`` (1 for mean-field, sqrt N for lazy)."""
        return self.N * self.alpha


@validate_params(N=Integer(min=1), preset=OneOf(*PRESETS), alpha=OrNone(Real(gt=0)))


def scaling(N: int, preset: str = "lazy", alpha: float | None = None) -> Scaling:
    """Return the :class:`Scaling` of a preset at width ``N``.

    Parameters
    ----------
    N : int
        Width (>= 1).
    preset : {"lazy", "mean_field", "free"}
        ``"lazy"``: alpha = N^{-1/2}; ``"mean_field"``: alpha = 1/N;
        ``"free"``: the ``alpha`` given.
    alpha : float, optional
        Required (> 0) for ``"free"``, refused otherwise.

    Raises
    ------
    ValueError
        For N < 1, an unknown preset, a missing / non-positive alpha for
        ``"free"`` or an alpha passed to another preset.
    """
    N = int(N)
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; valid presets are: {', '.join(PRESETS)}")
    if preset == "free":
        if alpha is None:
            raise ValueError("alpha is required for preset 'free'")
        a = float(alpha)
    else:
        if alpha is not None:
            raise ValueError(f"alpha is fixed by preset {preset!r}; use preset='free' to choose it")
        a = 1.0 / np.sqrt(N) if preset == "lazy" else 1.0 / N
    return Scaling(preset=preset, N=N, alpha=a, step_factor=1.0 / (N * a * a))


# --------------------------------------------------------------------- init
@validate_params(N=Integer(min=1), d=Integer(min=1), rng=RNG(), a_scale=Real(gt=0),
                 symmetric=Boolean())
def init_params(N: int, d: int, rng, *, a_scale: float = 1.0,
                symmetric: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``(a, W)``: ``a_j ~ N(0, a_scale^2)``, ``w_j ~ Unif(S^{d-1}(1))``.

    With ``symmetric=True`` (Chizat & Bach's trick) neurons come in pairs
    ``(a, w)`` and ``(-a, w)`` so that the network is identically 0 at
    initialisation; for odd N the unpaired last neuron gets ``a = 0``.

    Returns
    -------
    a : ndarray, shape (N,)
    W : ndarray, shape (N, d)
    """
    N = int(N)
    d = int(d)
    s = float(a_scale)
    check_size("init_params W (N x d)", N * d)
    rng = generator(rng)
    if not symmetric:
        a = s * rng.standard_normal(N)
        W = rng.standard_normal((N, d))
    else:
        h = N // 2
        ah = s * rng.standard_normal(h)
        Wh = rng.standard_normal((h + N % 2, d))
        a = np.concatenate([ah, -ah, np.zeros(N % 2)])
        W = np.concatenate([Wh[:h], Wh[:h], Wh[h:]])
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return a, W


# --------------------------------------------------------------------- model
def _act(activation: ActivationLike) -> Activation:
    return get_activation(activation)


def _alpha(alpha: float) -> float:
    """``alpha`` (declared > 0 at the door) as a float."""
    return float(alpha)


@validate_params(X=_X, a=_A, W=_W, alpha=Real(gt=0), activation=ActivationSpec())


def network(X: np.ndarray, a: np.ndarray, W: np.ndarray, alpha: float,
            activation: ActivationLike = "relu") -> np.ndarray:
    """``f(x) = alpha sum_j a_j sigma(<w_j, x>)`` at the rows of ``X`` (shape (n,)).

    Raises
    ------
    ValueError
        If ``alpha`` is not > 0 or the activation is unknown.
    """
    return f_nn(X, a, W, activation, alpha=alpha)


def _loss_and_grad(X: np.ndarray, y: np.ndarray, a: np.ndarray, W: np.ndarray, alpha: float,
                  activation: ActivationLike = "relu") -> tuple[float, np.ndarray, np.ndarray]:
    """Square loss ``(1/2n) sum (y - f)^2`` and its analytic gradients.

    Uses two n x N x d matrix products: ``Z = X W^T`` and
    ``grad_W = -(alpha/n) a * (sigma'(Z)^T (r * X))`` with ``r = y - f``.

    Returns
    -------
    loss : float
    grad_a : ndarray, shape (N,)
    grad_W : ndarray, shape (N, d)

    Raises
    ------
    ValueError
        If ``alpha`` is not > 0 or the activation is unknown.
    """
    alpha = _alpha(alpha)
    act = _act(activation)
    check_size("pre-activations X W^T (n x N)", X.shape[0] * W.shape[0])
    Z = X @ W.T
    S = act.fn(Z)
    r = y - alpha * (S @ a)
    n = X.shape[0]
    grad_a = (-alpha / n) * (r @ S)
    del S
    D = act.deriv(Z)
    del Z
    grad_W = (-alpha / n) * a[:, None] * (D.T @ (r[:, None] * X))
    return 0.5 * float(r @ r) / n, grad_a, grad_W


@validate_params(X=_X, y=_Y, a=_A, W=_W, sc=Instance(Scaling), step_size=StepSize(),
                 activation=ActivationSpec())


def _gd_step(X: np.ndarray, y: np.ndarray, a: np.ndarray, W: np.ndarray, sc: Scaling, step_size: float,
            activation: ActivationLike = "relu") -> float:
    """One (S)GD step on the batch ``(X, y)``, updating ``a`` and ``W`` in place.

    The per-parameter step is ``step_size * sc.step_factor`` (module notes).  Returns the
    loss before the step.

    Raises
    ------
    ValueError
        If ``step_size`` is not a finite number > 0 (0 would silently do nothing, a
        negative step would ascend the loss).
    """
    step_size = float(step_size)
    loss, ga, gW = _loss_and_grad(X, y, a, W, sc.alpha, activation)
    g = step_size * sc.step_factor
    a -= g * ga
    W -= g * gW
    return loss


# --------------------------------------------------------------- linearisation
@dataclass
class Linearisation:
    """The network linearised around ``(a0, W0)`` (the F_RF + F_NT model).

    ``f_lin(x) = alpha sum_j [a_j sigma(<w0_j,x>) + a0_j sigma'(<w0_j,x>) <w_j - w0_j, x>]``.
    Features at a fixed set of inputs can be cached with :meth:`features`.
    """

    a0: np.ndarray
    W0: np.ndarray
    alpha: float
    activation: Activation

    def _feats(self, X, feats):
        if feats is None:
            return self.features(X)
        if len(feats) != 2:
            raise InvalidParameterError("feats must be the pair (sigma(X W0^T), sigma'(X W0^T)), "
                                        f"got {len(feats)} items")
        if np.shape(feats[0])[1] != self.W0.shape[0]:
            raise InvalidParameterError(f"feats must have N = {self.W0.shape[0]} columns, got {np.shape(feats[0])}")
        return feats

    @validate_params(X=_X)
    def features(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(sigma(X W0^T), sigma'(X W0^T))``, each of shape (n, N)."""
        check_size("linearisation features (n x N)", np.shape(X)[0] * self.W0.shape[0])
        Z = X @ self.W0.T
        return self.activation.fn(Z), self.activation.deriv(Z)

    @validate_params(X=_X, a=_A, W=_W, feats=_FEATS)

    def predict(self, X: np.ndarray, a: np.ndarray, W: np.ndarray,
                feats: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """``f_lin`` at the rows of ``X`` for parameters ``(a, W)``.

        ``feats`` are the cached :meth:`features` of ``X`` (computed if omitted).
        """
        S0, D0 = self._feats(X, feats)
        lin = (D0 * (X @ (W - self.W0).T)) @ self.a0
        return self.alpha * (S0 @ a + lin)

    @validate_params(X=_X, y=_Y, a=_A, W=_W, feats=_FEATS)
    def loss_and_grad(self, X: np.ndarray, y: np.ndarray, a: np.ndarray, W: np.ndarray,
                      feats: tuple[np.ndarray, np.ndarray] | None = None
                      ) -> tuple[float, np.ndarray, np.ndarray]:
        """Square loss of ``f_lin`` and its (exact) gradients in ``(a, W)``."""
        S0, D0 = self._feats(X, feats)
        r = y - self.predict(X, a, W, (S0, D0))
        n = X.shape[0]
        grad_a = (-self.alpha / n) * (r @ S0)
        grad_W = (-self.alpha / n) * self.a0[:, None] * (D0.T @ (r[:, None] * X))
        return 0.5 * float(r @ r) / n, grad_a, grad_W


@validate_params(a0=_A, W0=_W, alpha=Real(gt=0), activation=ActivationSpec())


def linearise(a0: np.ndarray, W0: np.ndarray, alpha: float,
              activation: ActivationLike = "relu") -> Linearisation:
    """The :class:`Linearisation` of the network around ``(a0, W0)``.

    Raises
    ------
    ValueError
        If ``alpha`` is not > 0 or the activation is unknown.
    """
    alpha = _alpha(alpha)
    return Linearisation(np.array(a0, dtype=float), np.array(W0, dtype=float), alpha,
                         _act(activation))


# --------------------------------------------------------------- tangent kernel
def _tangent_kernel(X: np.ndarray, a: np.ndarray, W: np.ndarray,
                   activation: ActivationLike = "relu") -> np.ndarray:
    """Normalised tangent-kernel Gram matrix on the rows of ``X``.

    ``K(x, x') = (1/N) sum_j [sigma(<w_j,x>) sigma(<w_j,x'>)
    + a_j^2 sigma'(<w_j,x>) sigma'(<w_j,x'>) <x, x'>]``.  With the step scaling of
    this module, one step changes the function on the training points by
    ``-(step_size/n) K (f - y)`` to first order, i.e. ``df/dt = -(1/n) K (f - y)`` in
    the training time ``t = step_size * steps``, for every alpha: K is the kernel that
    drives training (the N-independent normalisation of the NTK).
    """
    act = _act(activation)
    check_size("tangent kernel features (n x N)", X.shape[0] * W.shape[0])
    check_size("tangent kernel Gram matrix (n x n)", X.shape[0] ** 2)
    Z = X @ W.T
    S, D = act.fn(Z), act.deriv(Z)
    N = W.shape[0]
    return (S @ S.T + ((D * a**2) @ D.T) * (X @ X.T)) / N



# --------------------------------------------------------------------- measures
def _particles(a: np.ndarray, W: np.ndarray, u: np.ndarray | None = None) -> dict:
    """The empirical measure rho_N of the neurons as a table of particles.

    Returns a dict with ``a`` (output weights), ``norm`` (||w_j||) and, when a
    unit direction ``u`` is given, ``overlap`` (<w_j, u>) and ``cos``
    (<w_j, u> / ||w_j||).  Each particle carries mass 1/N.
    """
    a = np.asarray(a, dtype=float)
    W = np.asarray(W, dtype=float)
    out = {"a": a.copy(), "norm": np.linalg.norm(W, axis=1), "mass": np.full(a.shape, 1.0 / a.size)}
    if u is not None:
        u = np.asarray(u, dtype=float)
        if not np.linalg.norm(u) > 0:
            raise InvalidParameterError("u must be a non-zero direction")
        u = u / np.linalg.norm(u)
        out["overlap"] = W @ u
        out["cos"] = out["overlap"] / np.maximum(out["norm"], 1e-300)
    return out


@validate_params(X=_X, t=Real(ge=0, le=1), a0=Array(ndim=1, shape=("N0",)), W0=Array(ndim=2, shape=("N0", "d")),
                 a1=Array(ndim=1, shape=("N1",)), W1=Array(ndim=2, shape=("N1", "d")), activation=ActivationSpec())


def mixture_network(X: np.ndarray, t: float, a0: np.ndarray, W0: np.ndarray,
                    a1: np.ndarray, W1: np.ndarray,
                    activation: ActivationLike = "relu") -> np.ndarray:
    """``f(x; (1-t) rho_0 + t rho_1)`` for two empirical measures (mean-field form).

    ``f(x; rho) = int a sigma(<w,x>) rho(da, dw)``; for ``rho = (1/N) sum delta``
    it is the mean-field network with alpha = 1/N.
    """
    act = _act(activation)
    f0 = act.fn(X @ W0.T) @ a0 / a0.size
    f1 = act.fn(X @ W1.T) @ a1 / a1.size
    return (1.0 - t) * f0 + t * f1


# --------------------------------------------------------------------- targets
@validate_params(U=AnyOf(Array(ndim=1), Array(ndim=2)), coef=Array(ndim=1), activation=ActivationSpec(),
                 center=Boolean())
def neuron_teacher(U: np.ndarray, coef: np.ndarray, activation: ActivationLike = "relu",
                   center: bool = True) -> Callable[[np.ndarray], np.ndarray]:
    """A teacher with a few neurons: ``f_*(x) = sum_k c_k sigma(<u_k, x>)``.

    ``U`` (k, d) holds unit directions.  With ``center=True`` the Gaussian mean
    ``mu0 sum_k c_k`` is subtracted (exact when <u_k, x> ~ N(0,1)).
    """
    U = np.atleast_2d(np.asarray(U, dtype=float))
    if not np.all(np.linalg.norm(U, axis=1) > 0):
        raise InvalidParameterError("U must have non-zero rows (unit directions)")
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    coef = np.asarray(coef, dtype=float)
    if coef.shape != (U.shape[0],):
        raise ValueError(f"coef must have shape ({U.shape[0]},), got {coef.shape}")
    act = _act(activation)
    shift = gaussian_moments(act)[0] * float(coef.sum()) if center else 0.0

    def f_star(X):
        return act.fn(np.asarray(X, dtype=float) @ U.T) @ coef - shift

    return f_star


# --------------------------------------------------------------------- floors
@validate_params(fn=Function(), d=Integer(min=3), degree=Integer(min=0, max=16))
def polynomial_floor(fn: Callable[[np.ndarray], np.ndarray], d: int, degree: int) -> float:
    """Error of the best degree-<=k polynomial approximation of a single-index function.

    For ``f(x) = fn(<u, x>)`` with ``x ~ Unif(S^{d-1}(sqrt d))`` and ``||u|| = 1``, the
    L2 projection of f onto polynomials of degree <= k in x is a polynomial in
    ``z = <u, x>`` (rotation invariance), so the floor is
    ``E f^2 - (projection onto 1, z, ..., z^k)``, computed here by quadrature
    on the exact law of z, density proportional to ``(1 - z^2/d)^((d-3)/2)``.
    By Ghorbani et al. (2019), kernel (RF / NT) models with
    ``d^k << n << d^(k+1)`` samples cannot go below the degree-k floor.
    """
    from scipy import integrate

    d = int(d)
    if d < 3:
        raise ValueError(f"d must be >= 3 for the spherical law of <u, x>, got {d}")
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
        raise ValueError(f"degree must be a non-negative integer, got {degree!r}")
    r = np.sqrt(d)
    ex = 0.5 * (d - 3)

    def dens(z):
        return (1.0 - z * z / d) ** ex

    def E(g):
        val = integrate.quad(lambda z: g(z) * dens(z), -r, r, points=[0.0], limit=200,
                             epsabs=1e-12, epsrel=1e-10)[0]
        return val / integrate.quad(dens, -r, r, epsabs=1e-12, epsrel=1e-10)[0]

    f = lambda z: float(fn(np.asarray(z)))
    k = int(degree) + 1
    G = np.array([[E(lambda z, i=i, j=j: z ** (i + j)) for j in range(k)] for i in range(k)])
    b = np.array([E(lambda z, i=i: f(z) * z**i) for i in range(k)])
    out = float(E(lambda z: f(z) ** 2) - b @ np.linalg.solve(G, b))
    if not np.isfinite(out):
        raise InvalidParameterError(f"fn must have a finite second moment under the law of <u, x>, got floor {out}")
    return out
