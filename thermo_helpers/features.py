"""Random features and their limiting kernel.

With weights ``W`` (N x d, rows ``w_j``) and inputs ``X`` (n x d, rows ``x_i``):

* nonlinear features ``u_ij = sigma(<w_j, x_i>)``;
* noisy linear features ``u_ij = mu1 <w_j, x_i> + mu_* z_ij`` with iid
  ``z_ij ~ N(0, 1)``, the Gaussian-equivalent model of the nonlinear ones
  (optionally with the constant ``mu0`` added, which only shifts the features
  along one direction);
* the ReLU arc-cosine kernel ``E_w relu(<w, x>) relu(<w, x'>)``, the limit of
  ``u_i^T u_j / N`` as ``N -> infinity`` for ``w ~ Unif(S^{d-1}(1))``.
"""

from __future__ import annotations

import numpy as np

from ._validate import Array, Boolean, InvalidParameterError, OneOf, OrNone, RNG, check_size, generator, validate_params
from .activations import ActivationLike, ActivationSpec, gaussian_moments, get_activation

__all__ = ["FEATURE_KINDS", "rf_features", "relu_arccos_kernel"]

#: The two feature models.
FEATURE_KINDS = ("nonlinear", "noisy_linear")


def _pair(what: str, A, B) -> tuple[np.ndarray, np.ndarray]:
    """Two (validated) matrices as float arrays, refusing an A B^T product over the size guard."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    check_size(what, A.shape[0] * B.shape[0])
    return A, B


@validate_params(X=Array(ndim=2, shape=("n", "d")), W=Array(ndim=2, shape=("N", "d")), activation=ActivationSpec(),
                 kind=OneOf(*FEATURE_KINDS), rng=OrNone(RNG()), add_mu0=Boolean())
def rf_features(X: np.ndarray, W: np.ndarray, *, activation: ActivationLike = "relu",
                kind: str = "nonlinear", rng: np.random.Generator | int | None = None,
                add_mu0: bool = False) -> np.ndarray:
    """Random features of the rows of ``X`` (n x d) for weights ``W`` (N x d).

    Parameters
    ----------
    X, W : ndarray
        Inputs (n x d) and weights (N x d).
    activation : str, Activation or callable
        The activation sigma.
    kind : {"nonlinear", "noisy_linear"}
        ``"nonlinear"``: ``sigma(X W^T)``.  ``"noisy_linear"``:
        ``mu1 X W^T + mu_* Z`` with a fresh ``Z`` of iid N(0, 1) entries.
    rng : numpy.random.Generator or int, optional
        Source of ``Z``; required for ``"noisy_linear"``, unused otherwise.
    add_mu0 : bool
        Add the constant ``mu0`` to noisy linear features (the full Gaussian
        equivalent including the mean); ignored for nonlinear features.

    Returns
    -------
    ndarray of shape (n, N)
    """
    X, W = _pair("rf_features output (n x N)", X, W)
    act = get_activation(activation)
    pre = X @ W.T
    if kind == "nonlinear":
        return act.fn(pre)
    if rng is None:
        raise InvalidParameterError("rng is required for noisy_linear features (a Generator or a seed)")
    mu0, mu1, mu_star = gaussian_moments(act)
    z = generator(rng).standard_normal(pre.shape)
    if add_mu0:
        return mu0 + mu1 * pre + mu_star * z
    return mu1 * pre + mu_star * z


@validate_params(X1=Array(ndim=2, shape=("n1", "d")), X2=Array(ndim=2, shape=("n2", "d")))
def relu_arccos_kernel(X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """``E_w relu(<w, x>) relu(<w, x'>)`` for ``w ~ Unif(S^{d-1}(1))``, rows of X1 against rows of X2.

    The degree-1 arc-cosine kernel
    ``|x| |x'| (sin t + (pi - t) cos t) / (2 pi d)`` with ``t`` the angle
    between ``x`` and ``x'``.

    Returns
    -------
    ndarray of shape (n1, n2)
    """
    X1, X2 = _pair("relu_arccos_kernel output (n1 x n2)", X1, X2)
    d = X1.shape[1]
    n1 = np.linalg.norm(X1, axis=1)[:, None]
    n2 = np.linalg.norm(X2, axis=1)[None, :]
    if np.any(n1 == 0) or np.any(n2 == 0):
        raise InvalidParameterError("X1 and X2 must not have zero rows (the angle is undefined)")
    cos = np.clip((X1 @ X2.T) / (n1 * n2), -1.0, 1.0)
    th = np.arccos(cos)
    return n1 * n2 * (np.sin(th) + (np.pi - th) * cos) / (2.0 * np.pi * d)
