"""Samplers for the talk's data models.  Every sampler takes a Generator."""

from __future__ import annotations

import numpy as np

from ._validate import generator, positive, positive_int


def sample_sphere(n: int, d: int, rng: np.random.Generator, *, radius: float | None = None) -> np.ndarray:
    """Draw ``n`` points uniformly on the sphere of radius ``radius`` in R^d.

    Parameters
    ----------
    n, d : int
        Number of points and dimension (both >= 1).
    rng : numpy.random.Generator
        Source of randomness.
    radius : float, optional
        Sphere radius (> 0).  Defaults to ``sqrt(d)``, the talk's
        ``Unif(S^{d-1}(sqrt d))`` for data.  Use ``radius=1`` for weights.

    Returns
    -------
    ndarray of shape (n, d)
    """
    n = positive_int("n", n)
    d = positive_int("d", d)
    r = float(np.sqrt(d)) if radius is None else float(positive("radius", radius))
    rng = generator(rng)
    g = rng.standard_normal((n, d))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return r * g


def sample_gaussian(n: int, d: int, rng: np.random.Generator, *, scale: float = 1.0) -> np.ndarray:
    """Draw ``n`` iid points from N(0, scale^2 I_d); returns shape (n, d)."""
    n = positive_int("n", n)
    d = positive_int("d", d)
    s = float(positive("scale", scale))
    return s * generator(rng).standard_normal((n, d))


def sample_covariates(n: int, d: int, rng: np.random.Generator, *, model: str = "sphere") -> np.ndarray:
    """Covariates from the talk's two models: ``"sphere"`` (radius sqrt d) or ``"gaussian"``."""
    if model == "sphere":
        return sample_sphere(n, d, rng)
    if model == "gaussian":
        return sample_gaussian(n, d, rng)
    raise ValueError(f"unknown covariate model {model!r}; valid: 'sphere', 'gaussian'")
