"""Named activation functions and their Gaussian moments.

The theory of random-features models depends on an activation sigma only
through a few Gaussian moments.  With G ~ N(0, 1),

* ``mu0 = E[sigma(G)]``,
* ``mu1 = E[G sigma(G)]``  (the slides' ``b_1``),
* ``mu_star = sqrt(E[sigma(G)^2] - mu0^2 - mu1^2)``  (the slides' ``b_*``).

:func:`activation_constants` returns them with ``zeta = mu1 / mu_star`` (and
refuses linear activations); :func:`matched_activation` builds an activation
with a prescribed ``zeta``.

Example
-------
>>> from thermo_helpers.activations import gaussian_moments
>>> mu0, mu1, mu_star = gaussian_moments("relu")
>>> round(mu1, 12)
0.5
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

import numpy as np

from ._validate import Array, Constraint, Function, Integer, InvalidParameterError, OrNone, Real, Text, validate_params

__all__ = ["Activation", "ACTIVATION_NAMES", "get_activation", "gaussian_expectation", "gaussian_moments",
           "activation_constants", "matched_activation"]

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative.

    Attributes
    ----------
    name : str
        Registry name, or the callable's ``__name__``.
    fn : callable
        Vectorised sigma(t).
    deriv : callable
        Vectorised sigma'(t) (a finite difference for user callables).
    kinks : tuple of float
        Points where sigma is not smooth.  Gaussian moments are integrated
        piecewise between them so that the quadrature stays exact to ~1e-14.
    """

    name: str
    fn: ArrayFn
    deriv: ArrayFn
    kinks: tuple = field(default=())

    def __call__(self, t):
        return self.fn(np.asarray(t, dtype=float))


def _relu(t):
    return np.maximum(t, 0.0)


def _relu_d(t):
    return (np.asarray(t) > 0).astype(float)


def _tanh_d(t):
    return 1.0 - np.tanh(t) ** 2


def _softplus(t):
    return np.logaddexp(0.0, t)


def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(t)))


_REGISTRY: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_d, kinks=(0.0,)),
    "tanh": Activation("tanh", np.tanh, _tanh_d),
    "quadratic": Activation("quadratic", lambda t: np.asarray(t) ** 2, lambda t: 2.0 * np.asarray(t)),
    "quadratic_centered": Activation(
        "quadratic_centered", lambda t: np.asarray(t) ** 2 - 1.0, lambda t: 2.0 * np.asarray(t)
    ),
    "linear": Activation("linear", lambda t: np.asarray(t, dtype=float), lambda t: np.ones_like(t, dtype=float)),
    "abs": Activation("abs", np.abs, np.sign, kinks=(0.0,)),
    "softplus": Activation("softplus", _softplus, _sigmoid),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda t: _sigmoid(t) * (1.0 - _sigmoid(t))),
}

ACTIVATION_NAMES: tuple = tuple(sorted(_REGISTRY))

ActivationLike = Union[str, Activation, Callable]

_PROBE = np.linspace(-4.0, 4.0, 17)


def _activation_reason(name: str, value, symbols: dict) -> str | None:
    """Why ``value`` is not an activation (``None`` if it is): a registry name, an
    :class:`Activation`, or a vectorised callable, finite and real on [-4, 4]."""
    if isinstance(value, str):
        return None if value.lower() in _REGISTRY else "valid names: " + ", ".join(ACTIVATION_NAMES)
    if not callable(value):
        return ""
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(value.fn(_PROBE) if isinstance(value, Activation) else value(_PROBE.copy()))
    except Exception as exc:  # a user callable may fail in any way
        return f"it failed on a probe array: {type(exc).__name__}: {exc}"
    if out.shape != _PROBE.shape:
        return f"not vectorised: on shape {_PROBE.shape} it returned shape {out.shape}"
    if out.dtype.kind not in "iuf" or not np.all(np.isfinite(out)):
        return "not finite and real on [-4, 4]"
    return None


def ActivationSpec() -> Constraint:
    """The declaration of an ``activation`` argument (see :func:`get_activation`)."""
    return Constraint("an activation (a registry name, an Activation, or a vectorised real callable)",
                      kind="ActivationSpec", reason=_activation_reason)


@validate_params(activation=ActivationSpec(), kinks=Array(ndim=1, min_size=0, gt=-40, lt=40))
def get_activation(activation: ActivationLike, *, kinks: Sequence[float] = ()) -> Activation:
    """Return an :class:`Activation` from a registry name or a callable.

    Parameters
    ----------
    activation : str, Activation or callable
        One of :data:`ACTIVATION_NAMES`, an :class:`Activation`, or any
        vectorised function of one array argument.
    kinks : sequence of float, optional
        For a plain callable: points where it is not smooth.

    Raises
    ------
    ValueError
        If a name is not in the registry (the message lists the valid names),
        the argument is neither a string nor callable, or a callable is not
        vectorised or not finite on a probe grid.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return _REGISTRY[activation.lower()]
    fn = activation
    h = 1e-5

    def deriv(t, fn=fn):
        t = np.asarray(t, dtype=float)
        return (fn(t + h) - fn(t - h)) / (2 * h)

    name = getattr(activation, "__name__", "custom")
    return Activation(name, lambda t, fn=fn: np.asarray(fn(np.asarray(t, dtype=float)), dtype=float),
                      deriv, kinks=tuple(float(k) for k in kinks))


@validate_params(h=Function(), kinks=Array(ndim=1, min_size=0, gt=-40, lt=40), order=Integer(min=2, max=2000))
def gaussian_expectation(h: ArrayFn, kinks: Sequence[float] = (), *, order: int = 200) -> float:
    """E[h(G)] for G ~ N(0, 1) by quadrature.

    Smooth integrands use probabilists' Gauss--Hermite quadrature with
    ``order`` nodes.  When ``kinks`` are given, the real line is cut there
    and each piece (truncated at |t| = 40, beyond which the Gaussian weight is
    below 1e-340) is integrated by Gauss--Legendre on the smooth integrand
    h(t) phi(t), which restores spectral accuracy.

    Raises
    ------
    ValueError
        If ``h`` is not finite at the quadrature nodes (the expectation would be NaN or inf).
    """
    if len(kinks) == 0:
        t, w = np.polynomial.hermite_e.hermegauss(order)
        return _finite_expectation(np.sum(w * _values(h, t)) / np.sqrt(2.0 * np.pi))
    cuts = np.concatenate([[-40.0], np.sort(np.asarray(kinks, dtype=float)), [40.0]])
    x, w = np.polynomial.legendre.leggauss(order)
    total = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        t = 0.5 * (b - a) * x + 0.5 * (a + b)
        phi = np.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)
        total += 0.5 * (b - a) * float(np.sum(w * _values(h, t) * phi))
    return _finite_expectation(total)


def _values(h: ArrayFn, t: np.ndarray) -> np.ndarray:
    """h at the nodes ``t``, refusing non-finite or non-real values by naming ``h``."""
    with np.errstate(all="ignore"):
        v = np.asarray(h(t))
    if v.shape != t.shape or v.dtype.kind not in "iuf" or not np.all(np.isfinite(v)):
        raise InvalidParameterError("h must return finite real values of the input's shape at the quadrature "
                                    f"nodes in [{t.min():.3g}, {t.max():.3g}]")
    return v


def _finite_expectation(value) -> float:
    value = float(value)
    if not np.isfinite(value):
        raise InvalidParameterError(f"h has no finite Gaussian expectation (quadrature gave {value})")
    return value


@validate_params(activation=ActivationSpec(), order=Integer(min=2, max=2000))
def gaussian_moments(activation: ActivationLike, *, order: int = 200) -> tuple[float, float, float]:
    """Return ``(mu0, mu1, mu_star)`` of an activation under G ~ N(0, 1).

    ``mu_star`` is the square root of ``mu_*^2 = E sigma(G)^2 - mu0^2 - mu1^2``.

    Examples
    --------
    >>> mu0, mu1, mu_star = gaussian_moments("relu")
    >>> abs(mu_star**2 - (0.25 - 1 / (2 * np.pi))) < 1e-12
    True
    """
    act = get_activation(activation)
    f = act.fn
    try:
        mu0 = gaussian_expectation(f, act.kinks, order=order)
        mu1 = gaussian_expectation(lambda t: t * f(t), act.kinks, order=order)
        m2 = gaussian_expectation(lambda t: f(t) ** 2, act.kinks, order=order)
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"activation {act.name!r} has no finite Gaussian moments: {exc}") from None
    mu_star_sq = m2 - mu0**2 - mu1**2
    if mu_star_sq < -1e-12:
        raise ValueError(f"activation {act.name!r} gave a negative mu_*^2 = {mu_star_sq:.3e}")
    if mu_star_sq < 1e-12 * max(m2, 1.0):  # rounding noise of a linear activation
        mu_star_sq = 0.0
    return float(mu0), float(mu1), float(np.sqrt(mu_star_sq))


@functools.lru_cache(maxsize=64)
def _moments_cached(act) -> tuple[float, float, float]:
    # keyed on the Activation object: registry names map to one shared instance
    return gaussian_moments(act)


@validate_params(activation=ActivationSpec())
def activation_constants(activation: ActivationLike = "relu") -> dict:
    """Gaussian constants of an activation that the theory needs.

    Parameters
    ----------
    activation : str, Activation or callable
        Anything :func:`thermo_helpers.activations.get_activation` accepts.

    Returns
    -------
    dict
        ``mu0``, ``mu1``, ``mu_star`` and ``zeta = mu1 / mu_star``.

    Raises
    ------
    ValueError
        If ``mu_* = 0`` (a linear activation): the random-features model is
        then plain linear regression on ``W x`` and the formulae do not apply.
    """
    act = get_activation(activation)
    try:
        mu0, mu1, mu_star = _moments_cached(act)
    except TypeError:  # unhashable callable
        mu0, mu1, mu_star = gaussian_moments(act)
    if mu_star <= 0:
        raise ValueError("activation must be nonlinear (mu_* > 0); the linear case has zeta = infinity")
    return {"mu0": mu0, "mu1": mu1, "mu_star": mu_star, "zeta": mu1 / mu_star}


@validate_params(base=ActivationSpec(), zeta=Real(ge=0), name=OrNone(Text()))
def matched_activation(base: ActivationLike, zeta: float, *, name: str | None = None):
    """``sigma(t) = base(t) + c t`` with ``c`` chosen so that ``mu1 / mu_* = zeta``.

    Adding a multiple of ``t`` changes ``mu1`` by ``c`` and leaves ``mu0`` and
    ``mu_*`` unchanged, so ``c = zeta mu_*(base) - mu1(base)``.

    Parameters
    ----------
    base : activation
        The activation to modify.
    zeta : float
        Target ``mu1 / mu_*`` (>= 0).
    name : str, optional
        Name of the new activation.

    Returns
    -------
    Activation
    """
    zeta = float(zeta)
    act = get_activation(base)
    const = activation_constants(act)
    c = zeta * const["mu_star"] - const["mu1"]
    fn, dfn = act.fn, act.deriv
    label = name or f"{act.name}{c:+.3f}t"
    return Activation(label, lambda t, fn=fn, c=c: fn(t) + c * np.asarray(t),
                      lambda t, dfn=dfn, c=c: dfn(t) + c, kinks=act.kinks)
