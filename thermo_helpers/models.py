"""The talk's three function classes, as plain functions.

With ``W`` the N x d matrix whose rows are the first-layer weights w_i:

* ``F_NN``: f(x) = sum_i a_i sigma(<w_i, x>), all of (a, W) trained;
  N (d + 1) parameters.
* ``F_RF``: the same f with W frozen at random; only a in R^N is trained,
  N parameters.
* ``F_NT``: the linearisation of F_NN around a random W,
  f(x) = sum_i <b_i, x> sigma'(<w_i, x>), b_i in R^d trained; N d parameters.
"""

from __future__ import annotations

import numpy as np

from ._params import ActivationSpec, Array, Function, Integer, OneOf, Real, check_size, validate_params
from .activations import ActivationLike, get_activation

__all__ = ["f_nn", "f_rf", "f_nt", "n_params", "square_test_error"]

_X = Array(ndim=2, shape=("n", "d"))
_W = Array(ndim=2, shape=("N", "d"))


def _pre(X, W):
    """X and W as float arrays, refusing an n x N pre-activation over the size guard."""
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    check_size("pre-activations X W^T (n x N)", X.shape[0] * W.shape[0])
    return X, W


@validate_params(X=_X, a=Array(ndim=1, shape=("N",)), W=_W, activation=ActivationSpec())
def f_nn(X: np.ndarray, a: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu") -> np.ndarray:
    """Two-layer network sum_i a_i sigma(<w_i, x>) at the rows of ``X``."""
    X, W = _pre(X, W)
    return get_activation(activation).fn(X @ W.T) @ np.asarray(a, dtype=float)


@validate_params(X=_X, a=Array(ndim=1, shape=("N",)), W=_W, activation=ActivationSpec())
def f_rf(X: np.ndarray, a: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu") -> np.ndarray:
    """Random-features model: :func:`f_nn` with ``W`` fixed; only ``a`` is a parameter."""
    return f_nn(X, a, W, activation)


@validate_params(X=_X, B=_W, W=_W, activation=ActivationSpec())
def f_nt(X: np.ndarray, B: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu") -> np.ndarray:
    """Neural-tangent model sum_i <b_i, x> sigma'(<w_i, x>), with ``B`` of shape N x d."""
    X, W = _pre(X, W)
    B = np.asarray(B, dtype=float)
    return np.sum(get_activation(activation).deriv(X @ W.T) * (X @ B.T), axis=1)


@validate_params(model=OneOf("nn", "rf", "nt"), N=Integer(min=1), d=Integer(min=1))
def n_params(model: str, N: int, d: int) -> int:
    """Number of trainable parameters of ``model`` in {"nn", "rf", "nt"} at width N, dimension d."""
    return {"nn": N * (d + 1), "rf": N, "nt": N * d}[model]


@validate_params(f_hat=Function(), f_star=Function(), X_test=Array(ndim=2), tau=Real(ge=0))
def square_test_error(f_hat, f_star, X_test: np.ndarray, tau: float = 0.0) -> float:
    """Monte-Carlo test error R(f) = E (y - f(x))^2 with y = f_*(x) + N(0, tau^2).

    The noise enters in expectation (adds tau^2), so no extra draw is needed.
    """
    r = np.asarray(f_star(X_test)) - np.asarray(f_hat(X_test))
    return float(np.mean(r**2) + tau**2)
