"""The talk's three function classes, as plain functions.

With ``W`` the N x d matrix whose rows are the first-layer weights w_i:

* ``F_NN``: f(x) = sum_i a_i sigma(<w_i, x>), all of (a, W) trained;
  N (d + 1) parameters.
* ``F_RF``: the same f with W frozen at random; only a in R^N is trained,
  N parameters.
* ``F_NT``: the linearisation of F_NN around a random W,
  f(x) = sum_i <b_i, x> sigma'(<w_i, x>), b_i in R^d trained; N d parameters.

:func:`f_nn` takes an output scale ``alpha`` (the lazy / mean-field
parametrisations), and :class:`TrainResult` is the one trajectory type that
every training routine returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validate import positive
from .activations import ActivationLike, get_activation


def _shapes(X, W):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    W = np.atleast_2d(np.asarray(W, dtype=float))
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"x has dimension {X.shape[1]} but the weights have dimension {W.shape[1]}")
    return X, W


def f_nn(X: np.ndarray, a: np.ndarray, W: np.ndarray, activation: ActivationLike = "relu", *,
         alpha: float = 1.0) -> np.ndarray:
    """Two-layer network ``alpha sum_i a_i sigma(<w_i, x>)`` at the rows of ``X``.

    Parameters
    ----------
    X : ndarray (n, d)
    a : ndarray (N,)
    W : ndarray (N, d)
    activation : activation
    alpha : float
        Output scale (> 0): ``1/sqrt(N)`` for the lazy and ``1/N`` for the
        mean-field parametrisation.

    Returns
    -------
    ndarray (n,)
    """
    alpha = float(positive("alpha", alpha))
    X, W = _shapes(X, W)
    a = np.asarray(a, dtype=float)
    if a.shape != (W.shape[0],):
        raise ValueError(f"a must have shape ({W.shape[0]},), got {a.shape}")
    return alpha * (get_activation(activation).fn(X @ W.T) @ a)


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


@dataclass
class TrainResult:
    """A training trajectory: recorded histories plus the final parameters.

    Attributes
    ----------
    history : dict of str -> ndarray
        One entry per recorded step; always ``step`` (int) and ``time``
        (``step * step_size`` or the gradient-flow time), plus the measured
        curves (``train``, ``test``, ``risk``, ``overlap``...).
    params : dict of str -> array or float or None
        Final parameters by name (``a``, ``W``, ``c``), and initial or
        auxiliary ones where the trainer keeps them (``a0``, ``W0``,
        ``a_lin``, ``W_lin``).
    info : dict
        Facts about the run that are not trajectories (``scaling``,
        ``optimum``...).
    snapshots : dict of int -> tuple
        Copies of parameters at requested steps.

    Notes
    -----
    ``res.name`` looks ``name`` up in :attr:`history`, then :attr:`params`,
    then :attr:`info`, so ``res.risk``, ``res.W`` and ``res.scaling`` read as
    plain attributes.
    """

    history: dict
    params: dict
    info: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for part in ("history", "params", "info"):
            table = self.__dict__.get(part)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"TrainResult has no history, parameter or info named {name!r}")

    @property
    def steps(self) -> np.ndarray:
        """Recorded step counts (``history["step"]``)."""
        return self.history["step"]

    @property
    def time(self) -> np.ndarray:
        """Recorded times (``history["time"]``)."""
        return self.history["time"]

    def final(self, key: str) -> float:
        """Last recorded value of ``history[key]``."""
        return float(self.history[key][-1])
