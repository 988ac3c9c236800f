"""Representation learning on a quadratic target: RF vs NT vs NN.

Setting of the talk's section "What is not captured by linear models?"
(Ghorbani, Mei, Misiakiewicz & Montanari 2019, "Limitations of lazy training
of two-layers neural networks"):

* covariates ``x ~ N(0, I_d)``;
* target ``f_*(x) = b0 + <x, B x>`` with ``B`` symmetric positive semidefinite;
* three two-layer models of width ``N`` with activation ``sigma(t) = t^2`` and a
  free constant ``c``:

  - RF: ``c + sum_i a_i sigma(<w_i, x>)``, ``W`` random and frozen, ``a`` trained;
  - NT: ``c + sum_i sigma'(<w_i, x>) <a_i, x>``, ``W`` frozen, ``a_i in R^d`` trained;
  - NN: ``c + sum_i <w_i, x>^2``, ``W`` trained.

Because ``sigma`` is quadratic every model is ``c + <x, A x>`` for a symmetric
``A``, and for symmetric ``M`` and ``x ~ N(0, I_d)``

    E[(<x, M x> + e)^2] = (tr M + e)^2 + 2 ||M||_F^2 .

The free constant absorbs the first term, so the best population risk of each
model is ``2 min_A ||B - A||_F^2`` over its set of matrices ``A``:

* RF: ``A`` in ``span{w_i w_i^T}``; a least-squares problem with the N x N
  Gram matrix ``(W W^T) o (W W^T)`` (Hadamard square) and right-hand side
  ``(w_i^T B w_i)_i``.  No d^2 x N matrix is ever formed.
* NT: ``A`` in ``{sum_i w_i a_i^T + a_i w_i^T}`` = the symmetric matrices with
  ``P_perp A P_perp = 0``, so the risk is ``2 ||P_perp B P_perp||_F^2``.
* NN: ``A = W^T W``, any PSD matrix of rank <= N; by Eckart--Young the risk
  is ``2 sum_{j > N} lambda_j(B)^2``.

Every risk returned here is normalised by ``Var f_* = 2 ||B||_F^2``.

The module also evaluates the same three models with ReLU activations
exactly, through closed-form Gaussian integrals (the arc-cosine kernel of
Cho & Saul 2009 and its degree-0 analogue), and trains the networks by
one-pass SGD on fresh Gaussian samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np
import scipy.linalg as sla

from . import config
from ._validate import count_from_ratio, generator, positive, positive_int
from .models import TrainResult

MODELS = ("rf", "nt", "nn")
ACTIVATIONS = ("quadratic", "relu")
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


# --------------------------------------------------------------------------- target
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

    def variance(self) -> float:
        """``Var f_*(x) = 2 ||B||_F^2`` for ``x ~ N(0, I_d)``."""
        return 2.0 * float(np.sum(self.B * self.B))


def haar_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed d x d orthogonal matrix (QR with sign fix)."""
    d = positive_int("d", d)
    q, r = np.linalg.qr(generator(rng).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


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
    d = positive_int("d", d)
    rng = generator(rng)
    if isinstance(spectrum, str):
        if spectrum != "exponential":
            raise ValueError(f"spectrum must be 'exponential' or an array of eigenvalues, got {spectrum!r}")
        lam = rng.exponential(1.0, size=d)
    else:
        lam = np.asarray(spectrum, dtype=float)
        if lam.shape != (d,):
            raise ValueError(f"spectrum must have shape ({d},), got {lam.shape}")
        positive("spectrum", lam, allow_zero=True)
        if not np.any(lam > 0):
            raise ValueError("spectrum must have at least one positive eigenvalue")
    O = haar_orthogonal(d, rng)
    order = np.argsort(lam)[::-1]
    lam, O = lam[order], O[:, order]
    B = (O * lam) @ O.T
    B = 0.5 * (B + B.T)
    b0 = -float(np.sum(lam)) if b0 is None else float(b0)
    if not np.isfinite(b0):
        raise ValueError(f"b0 must be finite, got {b0!r}")
    return QuadraticTarget(B=B, b0=b0, eigenvalues=lam, eigenvectors=O)


def sample_weights(N: int, d: int, *, rng: np.random.Generator | int, Gamma: np.ndarray | None = None) -> np.ndarray:
    """Draw ``N`` first-layer weights ``w_i ~ N(0, Gamma)``; default ``Gamma = I_d / d``.

    Returns an array of shape (N, d).
    """
    N = positive_int("N", N)
    d = positive_int("d", d)
    rng = generator(rng)
    G = rng.standard_normal((N, d))
    if Gamma is None:
        return G / np.sqrt(d)
    Gamma = _check_sym("Gamma", Gamma, psd=True)
    if Gamma.shape != (d, d):
        raise ValueError(f"Gamma must have shape ({d}, {d}), got {Gamma.shape}")
    lam, U = np.linalg.eigh(Gamma)
    root = (U * np.sqrt(np.clip(lam, 0.0, None))) @ U.T
    return G @ root


# --------------------------------------------------------------------------- checks
def _check_sym(name: str, M, *, psd: bool = False) -> np.ndarray:
    if isinstance(M, QuadraticTarget):
        M = M.B
    M = np.asarray(M, dtype=float)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
        raise ValueError(f"{name} must be a square 2-D matrix, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError(f"{name} must be finite")
    scale = max(float(np.max(np.abs(M))), 1e-300)
    if np.max(np.abs(M - M.T)) > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric")
    M = 0.5 * (M + M.T)
    if psd:
        lo = float(np.linalg.eigvalsh(M)[0])
        if lo < -1e-10 * scale * M.shape[0]:
            raise ValueError(f"{name} must be positive semidefinite (smallest eigenvalue {lo:.3g})")
    if not np.any(M):
        raise ValueError(f"{name} must not be the zero matrix")
    return M


def _check_W(W, d: int) -> np.ndarray:
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array of shape (N, d), got shape {W.shape}")
    if W.shape[0] < 1:
        raise ValueError("W must have N >= 1 rows")
    if W.shape[1] != d:
        raise ValueError(f"W must have d = {d} columns (the dimension of B), got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("W must be finite")
    return W


def _finite_scalar(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite real scalar, else raise naming it."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite real number, got {value!r}") from None
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def _check_model(model: str) -> str:
    if not isinstance(model, str) or model.lower() not in MODELS:
        raise ValueError(f"unknown model {model!r}; valid: {', '.join(MODELS)}")
    return model.lower()


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


# --------------------------------------------------------------------------- exact risks
def rf_coefficients(B: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Second-layer weights ``a`` of the best quadratic RF model.

    Solves ``min_a ||B - sum_i a_i w_i w_i^T||_F^2`` through the normal
    equations ``[(W W^T) o (W W^T)] a = (w_i^T B w_i)_i`` (pseudo-inverse when
    the Gram matrix is singular, e.g. ``N > d (d + 1) / 2``).
    """
    B = _check_sym("B", B)
    W = _check_W(W, B.shape[0])
    K = W @ W.T
    K *= K
    v = np.einsum("nd,nd->n", W @ B, W)
    a, _ = _psd_solve_quadform(K, v)
    return a


def population_risk(model: str, B: np.ndarray, W: np.ndarray, *, activation: str = "quadratic") -> float:
    """Exact minimal population risk of a width-N model, normalised by ``Var f_*``.

    Parameters
    ----------
    model : {"rf", "nt", "nn"}
        Random features, neural tangent, or fully trained network.
    B : ndarray of shape (d, d) or QuadraticTarget
        Symmetric target matrix (PSD for ``"nn"``).  The intercept does not
        matter: every model has a free constant ``c``.
    W : ndarray of shape (N, d)
        First-layer weights (rows ``w_i``).  For ``"nn"`` only ``N`` matters.
    activation : {"quadratic", "relu"}
        ``"quadratic"``: ``sigma(t) = t^2`` (the talk's setting).  ``"relu"``:
        exact closed forms for ``"rf"`` (arc-cosine kernel) and ``"nt"``; the
        ``"nn"`` optimum with ReLU has no closed form and raises.  ReLU
        ``"nt"`` factorises an ``(N d) x (N d)`` matrix and raises
        ``ValueError`` when ``N d > RELU_NT_MAX_FEATURES`` (16000).

    Returns
    -------
    float
        ``min E[(f_* - f)^2] / (2 ||B||_F^2)`` over the trainable parameters
        (``a`` and ``c`` for RF, ``a_1..a_N`` and ``c`` for NT, ``W`` and ``c``
        for NN).

    Notes
    -----
    Quadratic RF: ``2 min_a ||B - sum_i a_i w_i w_i^T||_F^2``; the residual is
    formed from the solved ``a`` (cost ``O(N^2 d + N^3 + N d^2)``).  Quadratic
    NT: ``2 ||P_perp B P_perp||_F^2``.  NN: ``2 sum_{j > N} lambda_j(B)^2``.
    """
    model = _check_model(model)
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; valid: {', '.join(ACTIVATIONS)}")
    B = _check_sym("B", B, psd=(model == "nn"))
    d = B.shape[0]
    W = _check_W(W, d)
    norm2 = float(np.sum(B * B))
    if activation == "relu":
        if model == "rf":
            return _relu_rf_risk(B, W)
        if model == "nt":
            return _relu_nt_risk(B, W)
        raise ValueError("activation 'relu' with model 'nn' has no closed-form optimum; "
                         "train it (train_relu_nn) and evaluate relu_network_risk")
    if model == "rf":
        a = rf_coefficients(B, W)
        R = B - W.T @ (a[:, None] * W)
        return float(np.sum(R * R)) / norm2
    if model == "nt":
        lam, U = np.linalg.eigh(W.T @ W)
        null = lam <= max(lam[-1], 0.0) * d * 1e-12
        if not np.any(null):
            return 0.0
        V = U[:, null]
        M = V.T @ B @ V
        return float(np.sum(M * M)) / norm2
    lam = np.sort(np.linalg.eigvalsh(B))[::-1]
    N = W.shape[0]
    return float(np.sum(lam[N:] ** 2)) / norm2


def nn_optimal_risk(B: np.ndarray, N: int) -> float:
    """``sum_{j > N} lambda_j(B)^2 / ||B||_F^2``: the NN optimum at width ``N``."""
    B = _check_sym("B", B, psd=True)
    N = positive_int("N", N)
    lam = np.sort(np.linalg.eigvalsh(B))[::-1]
    return float(np.sum(lam[N:] ** 2) / np.sum(lam**2))


# --------------------------------------------------------------------------- formulas
def _tau(B: np.ndarray) -> float:
    """``Tr(B)^2 / (d ||B||_F^2)``: the share of ``||B||_F^2`` along the identity."""
    return float(np.trace(B) ** 2 / (B.shape[0] * np.sum(B * B)))


def asymptotic_risk(model: str, psi1, B: np.ndarray):
    """The comparison slide's limiting risks, normalised by ``E f_*^2``.

    Parameters
    ----------
    model : {"rf", "nt", "nn"}
    psi1 : float or array_like
        ``N / d`` (> 0).  For ``"nn"`` the width is ``N = round(psi1 d)``.
    B : ndarray of shape (d, d)
        Symmetric target matrix (PSD for ``"nn"``).

    Returns
    -------
    float or ndarray (shape of ``psi1``)
        With ``tau = Tr(B)^2 / (d ||B||_F^2)``:

        * RF: ``1 - psi1 / (1 + psi1) * tau``  (``w_i ~ N(0, I_d / d)``);
        * NT: ``(1 - psi1)_+^2 + psi1 (1 - psi1)_+ tau``;
        * NN: ``1 - sum_{i <= min(d, N)} lambda_i(B)^2 / ||B||_F^2``.
    """
    model = _check_model(model)
    B = _check_sym("B", B, psd=(model == "nn"))
    p = positive("psi1", psi1)
    tau = _tau(B)
    if model == "rf":
        out = 1.0 - p / (1.0 + p) * tau
    elif model == "nt":
        q = np.clip(1.0 - p, 0.0, None)
        out = q**2 + p * q * tau
    else:
        d = B.shape[0]
        lam2 = np.sort(np.linalg.eigvalsh(B))[::-1] ** 2
        cum = np.concatenate([[0.0], np.cumsum(lam2)]) / np.sum(lam2)
        Ns = np.clip(np.rint(p * d).astype(int), 0, d)
        out = 1.0 - cum[Ns]
    return float(out) if np.ndim(out) == 0 else out


def rf_asymptotic_risk(psi1, B: np.ndarray, Gamma: np.ndarray):
    """The RF theorem for ``w_i ~ N(0, Gamma)``, normalised by ``E f_*^2``.

    ``1 - psi1 d <B, Gamma>^2 / (||B||_F^2 (1 + psi1 d ||Gamma||_F^2))``.

    The theorem is stated for ``Tr Gamma = 1`` (so that ``<w_i, x>`` has unit
    variance, matching ``sigma(x) = x^2 - 1``).  ``Gamma`` is rescaled to unit
    trace first; a rescaling of the weights leaves the RF function class
    unchanged, so this makes the formula depend on the direction of
    ``Gamma`` only.  ``psi1 = inf`` gives the limit
    ``1 - <Gamma, B>^2 / (||Gamma||_F^2 ||B||_F^2)``.

    Parameters
    ----------
    psi1 : float or array_like
        ``N / d`` (> 0, may be ``inf``).
    B, Gamma : ndarray of shape (d, d)
        Symmetric target matrix; symmetric PSD covariance with positive trace.
    """
    B = _check_sym("B", B)
    Gamma = _check_sym("Gamma", Gamma, psd=True)
    if Gamma.shape != B.shape:
        raise ValueError(f"Gamma must have the shape of B {B.shape}, got {Gamma.shape}")
    p = np.asarray(psi1, dtype=float)
    if np.any(np.isnan(p)) or np.any(p <= 0):
        raise ValueError(f"psi1 must be > 0, got {psi1!r}")
    d = B.shape[0]
    G = Gamma / np.trace(Gamma)
    bg2 = float(np.sum(B * G)) ** 2
    b2, g2 = float(np.sum(B * B)), float(np.sum(G * G))
    with np.errstate(divide="ignore"):
        frac = 1.0 / (1.0 / (p * d * g2) + 1.0)  # psi1 d g2 / (1 + psi1 d g2), = 1 at psi1 = inf
    out = 1.0 - frac * bg2 / (b2 * g2)
    return float(out) if np.ndim(out) == 0 else out


# --------------------------------------------------------------------------- ReLU closed forms
def _relu_geometry(W: np.ndarray):
    norms = np.linalg.norm(W, axis=1)
    if np.any(norms <= 0):
        raise ValueError("W must not have zero rows")
    A = W / norms[:, None]
    rho = np.clip(A @ A.T, -1.0, 1.0)
    np.fill_diagonal(rho, 1.0)
    theta = np.arccos(rho)
    return norms, A, rho, theta


def relu_rf_moments(B: np.ndarray, W: np.ndarray):
    """Gaussian moments of ReLU features ``phi_i(x) = max(<w_i, x>, 0)``.

    Returns ``(C, q, m)``: the covariance ``C_ij = Cov(phi_i, phi_j)`` (from the
    degree-1 arc-cosine kernel ``|w_i||w_j| (sin t + (pi - t) cos t) / (2 pi)``),
    ``q_i = Cov(<x, B x>, phi_i) = w_i^T B w_i / (|w_i| sqrt(2 pi))`` and the
    means ``m_i = |w_i| / sqrt(2 pi)``.
    """
    norms, A, rho, theta = _relu_geometry(W)
    K = np.outer(norms, norms) * (np.sin(theta) + (np.pi - theta) * rho) / (2.0 * np.pi)
    m = norms / _SQRT_2PI
    C = K - np.outer(m, m)
    q = np.einsum("nd,nd->n", W @ B, W) / (norms * _SQRT_2PI)
    return C, q, m


def _relu_rf_risk(B: np.ndarray, W: np.ndarray) -> float:
    C, q, _ = relu_rf_moments(B, W)
    var = 2.0 * float(np.sum(B * B))
    _, explained = _psd_solve_quadform(C, q)
    return max(var - explained, 0.0) / var


RELU_NT_MAX_FEATURES = 16_000
"""Largest ``N d`` accepted by the exact ReLU NT risk.

The exact ReLU NT risk builds and factorises the dense ``(N d) x (N d)`` Gram
matrix of the features ``1{<w_i, x> > 0} x``: ``8 (N d)^2`` bytes (2 GB at
``N d = 16000``; about twice that at peak, with the temporaries) and
``O((N d)^3)`` time.  The talk's ``d = 450, N = 4500`` would need ``3 10^13``
bytes.  Larger sizes raise :class:`ValueError` instead of a ``MemoryError``.
"""


def _relu_nt_risk(B: np.ndarray, W: np.ndarray) -> float:
    """Exact NT risk with features ``1{<w_i, x> > 0} x`` (N d of them).

    Raises ``ValueError`` when ``N d > RELU_NT_MAX_FEATURES``.

    With unit vectors ``a, b`` at angle ``t`` (``rho = cos t``):
    ``E[1{a.x>0} 1{b.x>0} x x^T] = (pi - t)/(2 pi) I + (a b^T + b a^T - rho (a a^T + b b^T)) / (2 pi sin t)``,
    ``E[1{a.x>0} x] = a / sqrt(2 pi)`` and
    ``Cov(<x, B x>, 1{a.x>0} x) = (2 B a - (a^T B a) a) / sqrt(2 pi)``.
    """
    N, d = W.shape
    if N * d > RELU_NT_MAX_FEATURES:
        raise ValueError(f"W is too large for the exact ReLU NT risk: N d = {N} x {d} = {N * d} features "
                         f"> RELU_NT_MAX_FEATURES = {RELU_NT_MAX_FEATURES} (the dense (N d) x (N d) Gram matrix "
                         f"would take {8 * (N * d) ** 2 / 1e9:.1f} GB)")
    _, A, rho, theta = _relu_geometry(W)
    s = np.sin(theta)
    beta = np.zeros_like(s)
    off = s > 1e-12
    beta[off] = 1.0 / (2.0 * np.pi * s[off])
    alpha = (np.pi - theta) / (2.0 * np.pi)
    C = np.zeros((N, d, N, d))
    idx = np.arange(d)
    C[:, idx, :, idx] = alpha[None, :, :]
    # beta_ij (a_i a_j^T + a_j a_i^T - rho_ij (a_i a_i^T + a_j a_j^T)) - a_i a_j^T / (2 pi), block (i, j)
    C += np.einsum("ij,ik,jl->ikjl", beta - 1.0 / (2.0 * np.pi), A, A)
    C += np.einsum("ij,jk,il->ikjl", beta, A, A)
    br = beta * rho
    C -= np.einsum("ij,ik,il->ikjl", br, A, A)
    C -= np.einsum("ij,jk,jl->ikjl", br, A, A)
    C = C.reshape(N * d, N * d)
    C = 0.5 * (C + C.T)
    BA = A @ B
    q = ((2.0 * BA - np.einsum("nd,nd->n", BA, A)[:, None] * A) / _SQRT_2PI).reshape(-1)
    var = 2.0 * float(np.sum(B * B))
    _, explained = _psd_solve_quadform(C, q)
    return max(var - explained, 0.0) / var


def relu_network_risk(B: np.ndarray, b0: float, W: np.ndarray, a: np.ndarray, c: float) -> float:
    """Exact population risk of ``f(x) = c + sum_i a_i max(<w_i, x>, 0)``, normalised by ``2 ||B||_F^2``.

    ``E[(f_* - f)^2] = 2||B||_F^2 - 2 a^T q + a^T C a + (b0 + tr B - c - a^T m)^2``
    with ``(C, q, m)`` from :func:`relu_rf_moments`.
    """
    B = _check_sym("B", B)
    W = _check_W(W, B.shape[0])
    b0 = _finite_scalar("b0", b0)
    c = _finite_scalar("c", c)
    a = np.asarray(a, dtype=float)
    if a.shape != (W.shape[0],):
        raise ValueError(f"a must have shape ({W.shape[0]},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("a must be finite")
    C, q, m = relu_rf_moments(B, W)
    var = 2.0 * float(np.sum(B * B))
    mean_gap = b0 + float(np.trace(B)) - c - float(a @ m)
    return float(var - 2.0 * a @ q + a @ C @ a + mean_gap**2) / var


# --------------------------------------------------------------------------- training
def _result(steps, time, risks, overlaps, *, W, c, optimum, a=None) -> TrainResult:
    """The trajectory of :func:`train_nn_sgd`, :func:`train_relu_nn` or :func:`nn_gradient_flow`.

    ``history``: ``step``, ``time`` (``steps * step_size``, the gradient-flow
    time), ``risk`` (exact normalised population risk of the iterates) and
    ``overlap`` (share of ``||W||_F^2`` in the top-``min(N, d)`` eigenspace of
    ``B``).  ``params``: final ``W``, ``c`` and ``a`` (ReLU network only, else
    None).  ``info["optimum"]``: the NN optimum ``sum_{j > N} lambda_j^2 /
    ||B||_F^2`` of the quadratic model.
    """
    history = {"step": steps, "time": time, "risk": np.asarray(risks), "overlap": np.asarray(overlaps)}
    return TrainResult(history=history, params={"W": W, "c": c, "a": a}, info={"optimum": optimum})


def nn_risk(B: np.ndarray, b0: float, W: np.ndarray, c: float) -> float:
    """Exact risk of ``f(x) = c + sum_i <w_i, x>^2``, normalised by ``2 ||B||_F^2``.

    ``E[(f_* - f)^2] = 2 ||B - W^T W||_F^2 + (b0 + tr B - c - tr W^T W)^2``.
    """
    B = _check_sym("B", B)
    W = _check_W(W, B.shape[0])
    return _nn_risk_raw(B, _finite_scalar("b0", b0), W, _finite_scalar("c", c))


def _nn_risk_raw(B: np.ndarray, b0: float, W: np.ndarray, c: float) -> float:
    M = B - W.T @ W
    e = b0 + float(np.trace(M)) - c
    return float((2.0 * np.sum(M * M) + e * e) / (2.0 * np.sum(B * B)))


def _top_space(B: np.ndarray, N: int) -> np.ndarray:
    lam, U = np.linalg.eigh(B)
    return U[:, ::-1][:, : min(N, B.shape[0])]


def train_nn_sgd(
    B: np.ndarray,
    N: int,
    *,
    steps: int,
    step_size: float,
    rng: np.random.Generator | int,
    b0: float | None = None,
    batch_size: int = 1,
    record_every: int = 100,
    init_scale: float = 1.0,
    W0: np.ndarray | None = None,
    c0: float = 0.0,
    c_step_factor: float = 1.0,
    anneal: float = 0.0,
    chunk: int = 4096,
) -> TrainResult:
    """One-pass SGD on ``f(x; W, c) = sum_i <w_i, x>^2 + c`` with fresh samples.

    Each step draws ``batch_size`` new points ``x_k ~ N(0, I_d)`` and moves
    ``(W, c) <- (W, c) - eps * grad (f_*(x_k) - f(x_k; W, c))^2`` (averaged over
    the batch), i.e. ``W += 4 eps r (W x) x^T`` and ``c += 2 eps r`` with
    residual ``r = f_*(x) - f(x)``.  No sample is reused.

    Parameters
    ----------
    B : ndarray of shape (d, d) or QuadraticTarget
        Symmetric PSD target matrix.
    N : int
        Width.
    steps : int
        Number of SGD steps ``l``.
    step_size : float
        ``eps`` (> 0).  Stability needs roughly ``eps |r| d << 1``.
    rng : numpy.random.Generator or int
        Draws the initialisation and every sample.
    b0 : float, optional
        Target intercept; default ``-tr B`` (taken from a QuadraticTarget when
        one is passed).
    batch_size : int
        Fresh samples per step (1 = the slide's one-pass SGD).
    record_every : int
        Record the exact population risk every this many steps.
    init_scale : float
        ``w_i ~ N(0, init_scale^2 I_d / d)`` at initialisation.
    W0, c0 : optional
        Explicit initialisation (overrides ``init_scale``).
    c_step_factor : float
        The constant moves with step ``c_step_factor * eps`` (default 1, the
        slide's plain SGD).  With one shared step the direction that trades
        ``c`` against ``tr W^T W`` relaxes slowly; a factor of order ``d``
        removes that slow mode without changing the fixed points.
    anneal : float in [0, 1)
        Share of the final steps over which the step size decays linearly
        from ``eps`` to 0 (0 = constant step, the slide's algorithm).  The
        recorded ``time`` is then the sum of the steps taken.
    chunk : int
        Samples drawn per vectorised block (memory/speed only).

    Returns
    -------
    TrainResult
        Trajectory of the exact risk (:func:`nn_risk`) and of the overlap with
        the top-``N`` eigenspace, the final ``W`` and ``c``.
    """
    if isinstance(B, QuadraticTarget):
        b0 = B.b0 if b0 is None else b0
        B = B.B
    B = _check_sym("B", B, psd=True)
    d = B.shape[0]
    N = positive_int("N", N)
    steps = positive_int("steps", steps)
    eps = float(positive("step_size", step_size))
    batch_size = positive_int("batch_size", batch_size)
    record_every = positive_int("record_every", record_every)
    chunk = positive_int("chunk", chunk)
    rng = generator(rng)
    b0 = -float(np.trace(B)) if b0 is None else _finite_scalar("b0", b0)
    c0 = _finite_scalar("c0", c0)
    if W0 is None:
        W = float(positive("init_scale", init_scale)) * rng.standard_normal((N, d)) / np.sqrt(d)
    else:
        W = _check_W(W0, d).copy()
        if W.shape[0] != N:
            raise ValueError(f"W0 must have N = {N} rows, got {W.shape[0]}")
    c = float(c0)
    kc = float(positive("c_step_factor", c_step_factor))
    anneal = float(anneal)
    if not 0.0 <= anneal < 1.0:
        raise ValueError(f"anneal must lie in [0, 1), got {anneal!r}")
    k_decay = steps - int(round(anneal * steps))
    sched = np.full(steps, eps)
    if k_decay < steps:
        sched[k_decay:] = eps * (1.0 - (np.arange(k_decay, steps) - k_decay + 1) / (steps - k_decay + 1))
    clock = np.concatenate([[0.0], np.cumsum(sched)])
    U = _top_space(B, N)
    opt = nn_optimal_risk(B, N)

    rec_steps, risks, overlaps = [], [], []

    def record(k):
        rec_steps.append(k)
        risks.append(_nn_risk_raw(B, b0, W, c))
        tot = float(np.sum(W * W))
        overlaps.append(float(np.sum((W @ U) ** 2)) / tot if tot > 0 else 0.0)

    record(0)
    k = 0
    per_chunk = max(1, chunk // batch_size)
    show = config.progress_enabled() and steps >= 200_000
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="sgd")
    err = np.errstate(over="ignore", invalid="ignore")
    err.__enter__()
    while k < steps:
        n_steps = min(per_chunk, steps - k)
        X = rng.standard_normal((n_steps * batch_size, d))
        fstar = b0 + np.einsum("nd,nd->n", X @ B, X)
        if batch_size == 1:
            for j in range(n_steps):
                x = X[j]
                u = W @ x
                r = fstar[j] - (u @ u + c)
                ek = sched[k]
                W += (4.0 * ek * r) * np.outer(u, x)
                c += 2.0 * kc * ek * r
                k += 1
                if k % record_every == 0 or k == steps:
                    record(k)
        else:
            for j in range(n_steps):
                Xb = X[j * batch_size:(j + 1) * batch_size]
                Ub = Xb @ W.T
                r = fstar[j * batch_size:(j + 1) * batch_size] - (np.einsum("bn,bn->b", Ub, Ub) + c)
                ek = sched[k]
                W += (4.0 * ek / batch_size) * (Ub * r[:, None]).T @ Xb
                c += 2.0 * kc * ek * float(np.mean(r))
                k += 1
                if k % record_every == 0 or k == steps:
                    record(k)
        if bar is not None:
            bar.update(n_steps)
        if not (np.all(np.isfinite(W)) and np.isfinite(c)):
            err.__exit__(None, None, None)
            raise FloatingPointError(f"SGD diverged before step {k}: reduce step_size (eps = {eps:g})")
    err.__exit__(None, None, None)
    if bar is not None:
        bar.close()
    s = np.asarray(rec_steps)
    return _result(s, clock[s], risks, overlaps, W=W, c=c, optimum=opt)


def train_relu_nn(
    target: QuadraticTarget,
    N: int,
    *,
    steps: int,
    rng: np.random.Generator | int,
    lr: float = 3e-3,
    batch_size: int = 256,
    record_every: int = 250,
) -> TrainResult:
    """Train ``f(x) = c + sum_i a_i max(<w_i, x>, 0)`` on fresh samples (one pass, Adam).

    Every step draws ``batch_size`` new points ``x ~ N(0, I_d)`` and takes an
    Adam step (learning rate decayed linearly to 0) on the mean squared error
    against the standardised target ``(f_* - E f_*) / sd(f_*)``; the returned
    network is mapped back to the original scale.  The recorded risk is exact
    (:func:`relu_network_risk`), not a sample estimate.

    Parameters
    ----------
    target : QuadraticTarget
    N : int
        Width.
    steps : int
        Adam steps.
    rng : numpy.random.Generator or int
    lr : float
        Initial Adam learning rate.
    batch_size : int
        Fresh samples per step.
    record_every : int
        Steps between two risk evaluations.

    Returns
    -------
    TrainResult
        ``W``, ``a`` and ``c`` in the original scale; ``time`` holds the step
        counts.
    """
    if not isinstance(target, QuadraticTarget):
        raise ValueError("target must be a QuadraticTarget (from quadratic_target)")
    B, b0 = target.B, target.b0
    d = B.shape[0]
    N = positive_int("N", N)
    steps = positive_int("steps", steps)
    lr = float(positive("lr", lr))
    batch_size = positive_int("batch_size", batch_size)
    record_every = positive_int("record_every", record_every)
    rng = generator(rng)
    mu = b0 + float(np.trace(B))
    sd = float(np.sqrt(2.0 * np.sum(B * B)))
    W = rng.standard_normal((N, d)) / np.sqrt(d)
    a = rng.standard_normal(N) / np.sqrt(N)
    c = np.zeros(1)
    params = [W, a, c]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    b1, b2, tiny = 0.9, 0.999, 1e-8
    U = _top_space(B, N)
    rec_steps, risks, overlaps = [], [], []

    def record(k):
        rec_steps.append(k)
        risks.append(relu_network_risk(B, b0, W, sd * a, mu + sd * c[0]))
        overlaps.append(float(np.sum((W @ U) ** 2) / np.sum(W * W)))

    record(0)
    for k in range(1, steps + 1):
        X = rng.standard_normal((batch_size, d))
        y = (np.einsum("nd,nd->n", X @ B, X) - float(np.trace(B))) / sd
        Z = X @ W.T
        H = np.maximum(Z, 0.0)
        r = (c[0] + H @ a) - y  # residual f - y
        g_a = (2.0 / batch_size) * (H.T @ r)
        g_W = (2.0 / batch_size) * (((Z > 0) * r[:, None]) * a[None, :]).T @ X
        g_c = np.array([2.0 * np.mean(r)])
        step = lr * (1.0 - (k - 1) / steps)
        for p, g, s1, s2 in zip(params, (g_W, g_a, g_c), m1, m2):
            s1 *= b1
            s1 += (1 - b1) * g
            s2 *= b2
            s2 += (1 - b2) * g * g
            p -= step * (s1 / (1 - b1**k)) / (np.sqrt(s2 / (1 - b2**k)) + tiny)
        if k % record_every == 0 or k == steps:
            record(k)
    s = np.asarray(rec_steps)
    return _result(s, s.astype(float), risks, overlaps, W=W, c=float(mu + sd * c[0]),
                   optimum=nn_optimal_risk(B, N), a=sd * a)


def nn_gradient_flow(
    B: np.ndarray,
    W0: np.ndarray,
    *,
    t_max: float,
    b0: float | None = None,
    c0: float = 0.0,
    c_step_factor: float = 1.0,
    dt: float | None = None,
    n_record: int = 100,
) -> TrainResult:
    """Population gradient flow of ``R(W, c)``: the ``eps -> 0`` limit of :func:`train_nn_sgd`.

    Integrates ``dW/dt = 8 W M + 4 e W``, ``dc/dt = 2 c_step_factor e`` with
    ``M = B - W^T W`` and ``e = b0 + tr M - c`` (the expected SGD drift per unit
    of ``t = l eps``) by explicit Euler steps of size ``dt``.

    Parameters
    ----------
    B : ndarray of shape (d, d) or QuadraticTarget
    W0 : ndarray of shape (N, d)
        Initial first layer (use the same one as the SGD run to compare).
    t_max : float
        Final time.
    b0, c0, c_step_factor
        As in :func:`train_nn_sgd`.
    dt : float, optional
        Euler step; default ``0.1 / (8 (tr B + ||W0||_F^2) + 4 c_step_factor)``,
        well inside the stability limit of the stiffest (trace) mode.
    n_record : int
        Number of recorded points after ``t = 0``.
    """
    if isinstance(B, QuadraticTarget):
        b0 = B.b0 if b0 is None else b0
        B = B.B
    B = _check_sym("B", B, psd=True)
    d = B.shape[0]
    W = _check_W(W0, d).copy()
    N = W.shape[0]
    t_max = float(positive("t_max", t_max))
    n_record = positive_int("n_record", n_record)
    kc = float(positive("c_step_factor", c_step_factor))
    b0 = -float(np.trace(B)) if b0 is None else _finite_scalar("b0", b0)
    c0 = _finite_scalar("c0", c0)
    if dt is None:
        dt = 0.1 / (8.0 * (float(np.trace(B)) + float(np.sum(W * W))) + 4.0 * kc)
    dt = float(positive("dt", dt))
    n_steps = int(np.ceil(t_max / dt))
    rec = set(np.unique(np.rint(np.linspace(0, n_steps, n_record + 1)).astype(int)).tolist())
    U = _top_space(B, N)
    c = float(c0)
    steps, risks, overlaps = [], [], []
    for k in range(n_steps + 1):
        if k in rec:
            steps.append(k)
            risks.append(_nn_risk_raw(B, b0, W, c))
            overlaps.append(float(np.sum((W @ U) ** 2) / np.sum(W * W)))
        if k == n_steps:
            break
        M = B - W.T @ W
        e = b0 + float(np.trace(M)) - c
        W = W + dt * (8.0 * (W @ M) + 4.0 * e * W)
        c = c + dt * 2.0 * kc * e
    s = np.asarray(steps)
    return _result(s, s * dt, risks, overlaps, W=W, c=c, optimum=nn_optimal_risk(B, N))


def eigen_capture(model: str, B: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Share of each eigen-direction ``u_k u_k^T`` of ``B`` that a model can represent.

    For the quadratic models every function is ``c + <x, A x>``; this returns,
    for each eigenvector ``u_k`` of ``B`` (decreasing eigenvalue order), the
    squared norm of the projection of ``u_k u_k^T`` onto the model's set of
    matrices ``A``:

    * ``"rf"``: onto ``span{w_i w_i^T}`` (``v^T G^+ v`` with ``v_i = <w_i, u_k>^2``);
    * ``"nt"``: ``1 - ||P_perp u_k||^4``;
    * ``"nn"``: 1 for the top ``N`` directions, 0 otherwise (the optimum).
    """
    model = _check_model(model)
    B = _check_sym("B", B, psd=(model == "nn"))
    d = B.shape[0]
    W = _check_W(W, d)
    N = W.shape[0]
    U = _top_space(B, d)
    if model == "nn":
        return (np.arange(d) < N).astype(float)
    if model == "nt":
        lam, V = np.linalg.eigh(W.T @ W)
        null = lam <= max(lam[-1], 0.0) * d * 1e-12
        p = np.sum((V[:, null].T @ U) ** 2, axis=0)
        return 1.0 - p**2
    K = W @ W.T
    K *= K
    Vk = (W @ U) ** 2
    lamK, Q = np.linalg.eigh(K)
    keep = lamK > lamK[-1] * N * 1e-13
    P = Q[:, keep].T @ Vk
    return np.sum(P**2 / lamK[keep][:, None], axis=0)


# --------------------------------------------------------------------------- sweep tasks
def random_feature_risks(
    psi1: float,
    B: np.ndarray,
    *,
    rng: np.random.Generator | int,
    Gamma: np.ndarray | None = None,
    models: Sequence[str] = ("rf", "nt"),
    activation: str = "quadratic",
) -> dict:
    """Exact risks of the frozen-weight models for one draw ``w_i ~ N(0, Gamma)``.

    A task for :func:`thermo_helpers.sweep.run_sweep`: draws ``N = round(psi1 d)``
    weights and returns ``{model: population_risk(model, B, W)}``.
    """
    B = _check_sym("B", B)
    d = B.shape[0]
    N = count_from_ratio("psi1", psi1, d)
    W = sample_weights(N, d, rng=rng, Gamma=Gamma)
    return {m: population_risk(m, B, W, activation=activation) for m in models}


def sgd_trained_risk(
    psi1: float,
    B: np.ndarray,
    *,
    rng: np.random.Generator | int,
    b0: float | None = None,
    t_max: float = 3.0,
    step_size: float = 1e-3,
    batch_size: int = 512,
    c_step_factor: float = 1.0,
    anneal: float = 0.5,
    tail: float = 0.1,
) -> dict:
    """Train the quadratic network of width ``round(psi1 d)`` by one-pass SGD.

    A task for :func:`thermo_helpers.sweep.run_sweep`.  The step size is
    constant for the first ``1 - anneal`` of the ``t_max / step_size`` steps,
    then decays linearly to 0.  Returns the exact risk averaged over the last
    ``tail`` share (in ``(0, 1]``) of the recorded trajectory (``"risk"``), the
    final risk (``"final"``) and the optimum (``"optimum"``).
    """
    B = _check_sym("B", B, psd=True)
    d = B.shape[0]
    tail = _finite_scalar("tail", tail)
    if not 0.0 < tail <= 1.0:
        raise ValueError(f"tail must lie in (0, 1], got {tail!r}")
    N = count_from_ratio("psi1", psi1, d)
    steps = max(1, int(round(float(positive("t_max", t_max)) / float(positive("step_size", step_size)))))
    res = train_nn_sgd(B, N, steps=steps, step_size=step_size, rng=rng, b0=b0, batch_size=batch_size,
                       record_every=max(1, steps // 50), c_step_factor=c_step_factor, anneal=anneal)
    k = max(1, int(np.ceil(tail * len(res.risk))))
    return {"risk": float(np.mean(res.risk[-k:])), "final": float(res.risk[-1]), "optimum": res.optimum}


def relu_trained_risk(
    psi1: float,
    target: QuadraticTarget,
    *,
    rng: np.random.Generator | int,
    steps: int = 3000,
    lr: float = 1e-2,
    batch_size: int = 256,
) -> dict:
    """Train a ReLU network of width ``round(psi1 d)`` (:func:`train_relu_nn`); exact final risk."""
    N = count_from_ratio("psi1", psi1, target.d)
    res = train_relu_nn(target, N, steps=steps, rng=rng, lr=lr, batch_size=batch_size,
                        record_every=max(1, steps // 10))
    return {"risk": float(res.risk[-1])}
