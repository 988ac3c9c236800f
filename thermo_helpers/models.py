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

from ._validate import (Array, DivergenceError, Integer, InvalidParameterError, OneOf, Real, Text, check_size,
                        validate_params)
from .activations import ActivationLike, ActivationSpec, get_activation

__all__ = ["f_nn", "f_rf", "f_nt", "n_params", "TrainResult"]

_X = Array(ndim=2, shape=("n", "d"))
_W = Array(ndim=2, shape=("N", "d"))


def check_finite_training(step_size: float, *arrays, step: int | None = None) -> None:
    """Raise :class:`DivergenceError` naming ``step_size`` if any of ``arrays`` is not finite.

    Trainers call it on their loss and parameters at recorded steps, so that a too large
    step size stops the run with a clear message instead of returning NaN histories.
    """
    for a in arrays:
        if not np.all(np.isfinite(a)):
            when = f" at step {step}" if step is not None else ""
            raise DivergenceError(f"training diverged{when} (non-finite loss or parameters): "
                                  f"reduce step_size (got step_size = {float(step_size):g})")


def _pre(X, W):
    """X and W as float arrays, refusing an n x N pre-activation over the size guard."""
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    check_size("pre-activations X W^T (n x N)", X.shape[0] * W.shape[0])
    return X, W


@validate_params(X=_X, a=Array(ndim=1, shape=("N",)), W=_W, activation=ActivationSpec(), alpha=Real(gt=0))
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
    X, W = _pre(X, W)
    return float(alpha) * (get_activation(activation).fn(X @ W.T) @ np.asarray(a, dtype=float))


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

    @validate_params(key=Text())
    def final(self, key: str) -> float:
        """Last recorded value of ``history[key]``."""
        if key not in self.history:
            raise InvalidParameterError(f"key must be one of the histories {sorted(self.history)}, got {key!r}")
        return float(self.history[key][-1])
