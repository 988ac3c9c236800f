"""The quadratic target, the weight samplers, and the argument checks shared by the package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np
import scipy.linalg as sla

from .._validate import AnyOf, Constraint, InvalidParameterError, Array, Instance, Integer, OneOf, OrNone, RNG, Real, check_size, generator, validate_params

__all__ = ["QuadraticTarget", "quadratic_target", "sample_weights"]

MODELS = ("rf", "nt", "nn")
ACTIVATIONS = ("quadratic", "relu")

# argument constraints shared by the package
_SQUARE = Array(ndim=2, shape=("d", "d"))
_W = Array(ndim=2, shape=("N", "d"))


def _matrix_rule(psd: bool):
    """The declaration of a target matrix: finite, square (d x d), symmetric, non-zero, and
    positive semidefinite if ``psd``; checked once, at the door."""

    def reason(name: str, value, symbols: dict) -> str | None:
        why = _SQUARE.reason(name, value, symbols)
        if why is not None:
            return why
        M = np.asarray(value, dtype=float)
        scale = max(float(np.max(np.abs(M))), 1e-300)
        if np.max(np.abs(M - M.T)) > 1e-10 * scale:
            return "not symmetric"
        if not np.any(M):
            return "the zero matrix"
        if psd and float(np.linalg.eigvalsh(0.5 * (M + M.T))[0]) < -1e-10 * scale * M.shape[0]:
            return "not positive semidefinite"
        return None

    text = "a symmetric " + ("positive semidefinite " if psd else "") + "non-zero matrix of shape (d, d)"
    return Constraint(text, None, "Array", reason, **_SQUARE.params)


_B, _PSD = _matrix_rule(False), _matrix_rule(True)



@dataclass(frozen=True)
class QuadraticTarget:
    """The target ``f_*(x) = b0 + <x, B x>``.

    Unpacks as ``B, b0 = quadratic_target(...)``.

    Attributes
    ----------
    B : ndarray of shape (d, d)
        Symmetric positive semidefinite matrix.
    b0 : float
        Intercept.  The default ``b0 = -tr B`` centres the target, so that
        ``E f_*^2 = Var f_* = 2 ||B||_F^2`` (the slide's ``||f_*||_{L2}^2``).
    eigenvalues : ndarray of shape (d,)
        Eigenvalues of ``B`` in decreasing order.
    eigenvectors : ndarray of shape (d, d)
        Matching orthonormal eigenvectors (columns).
    """

    B: np.ndarray
    b0: float
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray

    def __iter__(self):
        return iter((self.B, self.b0))

    @property
    def d(self) -> int:
        """Dimension."""
        return self.B.shape[0]

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Evaluate ``f_*`` at the rows of ``X``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return self.b0 + np.einsum("nd,nd->n", X @ self.B, X)

    @validate_params()
    def variance(self) -> float:
        """``Var f_*(x) = 2 ||B||_F^2`` for ``x ~ N(0, I_d)``."""
        return 2.0 * float(np.sum(self.B * self.B))

_TARGET = AnyOf(Instance(QuadraticTarget), _B)
_TARGET_PSD = AnyOf(Instance(QuadraticTarget), _PSD)


def _haar_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed d x d orthogonal matrix (QR with sign fix)."""
    d = int(d)
    check_size("d x d orthogonal matrix", d * d)
    q, r = np.linalg.qr(generator(rng).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


@validate_params(d=Integer(min=1, max=100_000), rng=RNG(), spectrum=AnyOf(OneOf("exponential"), Array(ndim=1, shape=("d",))),
                 b0=OrNone(Real()))
def quadratic_target(
    d: int,
    *,
    rng: np.random.Generator | int,
    spectrum: Union[str, Sequence[float], np.ndarray] = "exponential",
    b0: float | None = None,
) -> QuadraticTarget:
    """Draw the talk's quadratic target ``f_*(x) = b0 + <x, B x>``.

    Parameters
    ----------
    d : int
        Dimension (>= 1).
    rng : numpy.random.Generator or int
        Source of randomness (the eigenbasis, and the eigenvalues when drawn).
    spectrum : {"exponential"} or array_like of shape (d,)
        ``"exponential"``: iid Exp(1) eigenvalues (the talk's experiment).
        An array gives the eigenvalues directly (must be >= 0).
    b0 : float, optional
        Intercept; default ``-tr B`` (centred target).

    Returns
    -------
    QuadraticTarget
        ``B = O diag(lambda) O^T`` with ``O`` Haar orthogonal.  Unpacks as
        ``B, b0``.

    Examples
    --------
    >>> B, b0 = quadratic_target(5, rng=0)
    >>> bool(np.allclose(B, B.T)) and bool(np.linalg.eigvalsh(B).min() >= 0)
    True
    """
    d = int(d)
    check_size("d x d target matrix B", d * d)
    rng = generator(rng)
    if isinstance(spectrum, str):
        lam = rng.exponential(1.0, size=d)
    else:
        lam = np.asarray(spectrum, dtype=float)
        if not np.any(lam > 0):
            raise ValueError("spectrum must have at least one positive eigenvalue")
    O = _haar_orthogonal(d, rng)
    order = np.argsort(lam)[::-1]
    lam, O = lam[order], O[:, order]
    B = (O * lam) @ O.T
    B = 0.5 * (B + B.T)
    b0 = -float(np.sum(lam)) if b0 is None else float(b0)
    if not np.isfinite(b0):
        raise ValueError(f"b0 must be finite, got {b0!r}")
    return QuadraticTarget(B=B, b0=b0, eigenvalues=lam, eigenvectors=O)


@validate_params(N=Integer(min=1), d=Integer(min=1), rng=RNG(), Gamma=OrNone(_PSD))
def sample_weights(N: int, d: int, *, rng: np.random.Generator | int, Gamma: np.ndarray | None = None) -> np.ndarray:
    """Draw ``N`` first-layer weights ``w_i ~ N(0, Gamma)``; default ``Gamma = I_d / d``.

    Returns an array of shape (N, d).
    """
    N = int(N)
    d = int(d)
    check_size("N x d weights W", N * d)
    rng = generator(rng)
    G = rng.standard_normal((N, d))
    if Gamma is None:
        return G / np.sqrt(d)
    Gamma = _sym(Gamma)
    lam, U = np.linalg.eigh(Gamma)
    root = (U * np.sqrt(np.clip(lam, 0.0, None))) @ U.T
    return G @ root


# --------------------------------------------------------------------------- checks
def _sym(M) -> np.ndarray:
    """``M`` (or a target's ``B``) as a float array, symmetrised; declarations checked it."""
    M = M.B if isinstance(M, QuadraticTarget) else np.asarray(M, dtype=float)
    return 0.5 * (M + M.T)


def _require_psd(B: np.ndarray, model: str) -> None:
    """Model ``"nn"`` needs a PSD target (``A = W^T W``): a rule tying ``B`` to ``model``."""
    if _PSD.reason("B", B, {}) is not None:
        raise InvalidParameterError(f"B must be positive semidefinite for model {model!r}")


def _psd_solve_quadform(C: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, float]:
    """Return ``(x, q^T x)`` with ``x = C^+ q`` for a PSD matrix ``C``.

    Cholesky when ``C`` is safely positive definite, otherwise an eigenvalue
    pseudo-inverse with a relative cut-off.
    """
    try:
        cf = sla.cho_factor(C, lower=True, check_finite=False)
        dg = np.abs(np.diag(cf[0]))
        if dg.min() > 1e-6 * dg.max():
            x = sla.cho_solve(cf, q, check_finite=False)
            return x, float(q @ x)
    except np.linalg.LinAlgError:
        pass
    lam, U = np.linalg.eigh(C)
    keep = lam > lam[-1] * C.shape[0] * 1e-13
    x = U[:, keep] @ ((U[:, keep].T @ q) / lam[keep])
    return x, float(q @ x)


def _top_space(B: np.ndarray, N: int) -> np.ndarray:
    lam, U = np.linalg.eigh(B)
    return U[:, ::-1][:, : min(N, B.shape[0])]
