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

from .activations import ActivationLike, get_activation


def _shapes(X, W):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    W = np.atleast_2d(np.asarray(W, dtype=float))
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"x has dimension {X.shape[1]} but the weights have dimension {W.shape[1]}")
    return X, W


def f_nn(X: np.ndarray, a: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu") -> np.ndarray:
    """Two-layer network sum_i a_i sigma(<w_i, x>) at the rows of ``X``."""
    X, W = _shapes(X, W)
    a = np.asarray(a, dtype=float)
    if a.shape != (W.shape[0],):
        raise ValueError(f"a must have shape ({W.shape[0]},), got {a.shape}")
    return get_activation(activation).fn(X @ W.T) @ a


def f_rf(X: np.ndarray, a: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu") -> np.ndarray:
    """Random-features model: :func:`f_nn` with ``W`` fixed; only ``a`` is a parameter."""
    return f_nn(X, a, W, activation)


def f_nt(X: np.ndarray, B: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu") -> np.ndarray:
    """Neural-tangent model sum_i <b_i, x> sigma'(<w_i, x>), with ``B`` of shape N x d."""
    X, W = _shapes(X, W)
    B = np.asarray(B, dtype=float)
    if B.shape != W.shape:
        raise ValueError(f"B must have the shape of W {W.shape}, got {B.shape}")
    return np.sum(get_activation(activation).deriv(X @ W.T) * (X @ B.T), axis=1)


def n_params(model: str, N: int, d: int) -> int:
    """Number of trainable parameters of ``model`` in {"nn", "rf", "nt"} at width N, dimension d."""
    table = {"nn": N * (d + 1), "rf": N, "nt": N * d}
    try:
        return table[model.lower()]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; valid: 'nn', 'rf', 'nt'") from None


def square_test_error(f_hat, f_star, X_test: np.ndarray, tau: float = 0.0) -> float:
    """Monte-Carlo test error R(f) = E (y - f(x))^2 with y = f_*(x) + N(0, tau^2).

    The noise enters in expectation (adds tau^2), so no extra draw is needed.
    """
    r = np.asarray(f_star(X_test)) - np.asarray(f_hat(X_test))
    return float(np.mean(r**2) + tau**2)
