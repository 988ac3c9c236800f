"""A whole ridge path from one eigendecomposition of the smaller Gram matrix.

For ``Phi`` (n x N) and penalties ``gamma_l`` the ridge coefficients
``a_l = argmin ||y - Phi a||^2 + gamma_l ||a||^2`` are

* ``N <= n``: ``a_l = V diag(1 / (e + gamma_l)) V^T Phi^T y`` with ``Phi^T Phi = V diag(e) V^T``;
* ``N > n``:  ``a_l = Phi^T U diag(1 / (e + gamma_l)) U^T y`` with ``Phi Phi^T = U diag(e) U^T``.

The Gram matrix is formed by a symmetric rank-k update (BLAS ``dsyrk``, half
the work of a general product) and diagonalised by LAPACK's divide-and-conquer
``dsyevd``; every penalty and every right-hand side then costs a few
matrix-vector products.  ``gamma = 0`` gives the minimum-norm least-squares
solution (eigenvalues below ``max(e) max(n, N) eps`` are treated as zero).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas, eigh

from .._validate import AnyOf, Array, InvalidParameterError, Real, validate_params

__all__ = ["ridge_path_errors"]


def _targets(n: int) -> object:
    """Labels with one row per sample: shape (n,) or (n, K)."""
    return AnyOf(Array(shape=(n,)), Array(shape=(n, None)))


def _gram_eigh(Phi) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (clipped at 0) and eigenvectors of the smaller Gram matrix of ``Phi``.

    Returns ``(e, V)`` of ``Phi^T Phi`` when ``N <= n`` and of ``Phi Phi^T`` otherwise.
    """
    Phi = np.asarray(Phi, dtype=float)
    n, N = Phi.shape
    G = blas.dsyrk(1.0, Phi, trans=1 if N <= n else 0)     # upper triangle
    e, V = eigh(G, lower=False, driver="evd", overwrite_a=True, check_finite=False)
    return np.maximum(e, 0.0), V


def _ridge_path(Phi, Y, gammas) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients and training residuals for every penalty and right-hand side.

    Parameters
    ----------
    Phi : ndarray (n, N)
        Features.
    Y : ndarray (n,) or (n, k)
        Right-hand sides.
    gammas : array_like (L,)
        Penalties on ``||a||^2`` against the *summed* squared loss (>= 0).

    Returns
    -------
    A : ndarray (N, L, k)
        Coefficients.
    resid : ndarray (n, L, k)
        ``Y - Phi A`` for every penalty.
    """
    Phi = np.asarray(Phi, dtype=float)
    n, N = Phi.shape
    Y = np.asarray(Y, dtype=float).reshape(n, -1)
    g = np.atleast_1d(np.asarray(gammas, dtype=float))
    e, V = _gram_eigh(Phi)
    L, k = g.size, Y.shape[1]
    tol = e.max() * max(n, N) * np.finfo(float).eps
    kept = e > tol
    with np.errstate(divide="ignore"):
        inv = np.where(g[None, :] > 0, 1.0 / (e[:, None] + g[None, :]),
                       np.where(kept[:, None], 1.0 / np.where(kept, e, 1.0)[:, None], 0.0))
    if N <= n:
        Q = V.T @ (Phi.T @ Y)                                   # (N, k)
        A = (V @ (inv[:, :, None] * Q[:, None, :]).reshape(N, L * k)).reshape(N, L, k)
        resid = Y[:, None, :] - (Phi @ A.reshape(N, L * k)).reshape(n, L, k)
    else:
        P = V.T @ Y                                             # (n, k)
        A = (Phi.T @ (V @ (inv[:, :, None] * P[:, None, :]).reshape(n, L * k))).reshape(N, L, k)
        # y - Phi a = U diag(1 - e / (e + gamma)) U^T y; at gamma = 0 only the null space remains
        keep = np.where(g[None, :] > 0, g[None, :] * inv, (~kept[:, None]).astype(float))
        resid = (V @ (keep[:, :, None] * P[:, None, :]).reshape(n, L * k)).reshape(n, L, k)
    return A, resid


@validate_params(Phi=Array(shape=("n", "N")), signal=_targets("n"), noise=_targets("n"),
                 gammas=AnyOf(Real(ge=0), Array(ndim=1, ge=0)), Phi_test=Array(shape=("m", "N")),
                 signal_test=_targets("m"))
def ridge_path_errors(Phi, signal, noise, gammas, Phi_test, signal_test) -> dict:
    """Test, training, bias and variance errors along a ridge path, from one eigendecomposition.

    The fit is linear in the labels, so fitting ``y = signal + noise`` is the
    sum of the fits to ``signal`` and to ``noise``; both are solved as extra
    right-hand sides.  Several targets (columns) are averaged.

    Parameters
    ----------
    Phi : ndarray (n, N)
        Training features.
    signal, noise : ndarray (n,) or (n, K)
        Noiseless labels and label noise (``K`` independent targets).
    gammas : array_like (L,)
        Penalties against the summed squared loss (>= 0).
    Phi_test : ndarray (m, N)
        Test features.
    signal_test : ndarray (m,) or (m, K)
        Noiseless test labels.

    Returns
    -------
    dict of ndarray (L,)
        ``test`` = mean over test points and targets of ``(f - f_hat)^2`` (noise
        excluded); ``train`` = mean squared training residual (noise included);
        ``bias`` and ``variance`` = test errors of the fits to ``signal`` and to
        ``noise`` alone.
    """
    Phi, Pt = np.asarray(Phi, dtype=float), np.asarray(Phi_test, dtype=float)
    n, N = Phi.shape
    F, E = (np.asarray(v, dtype=float).reshape(n, -1) for v in (signal, noise))
    Ft = np.asarray(signal_test, dtype=float).reshape(Pt.shape[0], -1)
    if E.shape != F.shape or Ft.shape[1] != F.shape[1]:  # a relation no single declaration states
        raise InvalidParameterError(f"noise and signal_test must have the columns of signal {F.shape}, "
                                    f"got noise {E.shape} and signal_test {Ft.shape}")
    K = F.shape[1]
    A, resid = _ridge_path(Phi, np.concatenate([F, E], axis=1), gammas)
    L = A.shape[1]
    train = np.mean((resid[:, :, :K] + resid[:, :, K:]) ** 2, axis=(0, 2))
    pred = (Pt @ A.reshape(N, -1)).reshape(Pt.shape[0], L, 2 * K)
    fs, fe = pred[:, :, :K], pred[:, :, K:]
    return {"test": np.mean((Ft[:, None, :] - fs - fe) ** 2, axis=(0, 2)), "train": train,
            "bias": np.mean((Ft[:, None, :] - fs) ** 2, axis=(0, 2)), "variance": np.mean(fe**2, axis=(0, 2))}
