"""Samplers for the talk's data models.  Every sampler takes ``rng=`` (a Generator or a seed)."""

from __future__ import annotations

import numpy as np

from ._validate import Integer, OrNone, RNG, Real, check_size, generator, validate_params

__all__ = ["sample_sphere", "sample_gaussian"]


@validate_params(n=Integer(min=1), d=Integer(min=1), rng=RNG(), radius=OrNone(Real(gt=0)))
def sample_sphere(n: int, d: int, *, rng: np.random.Generator | int, radius: float | None = None) -> np.ndarray:
    """Draw ``n`` points uniformly on the sphere of radius ``radius`` in R^d.

    Parameters
    ----------
    n, d : int
        Number of points and dimension (both >= 1).
    rng : numpy.random.Generator or int
        Source of randomness (a Generator, or a non-negative seed).
    radius : float, optional
        Sphere radius (> 0).  Defaults to ``sqrt(d)``, the talk's
        ``Unif(S^{d-1}(sqrt d))`` for data.  Use ``radius=1`` for weights.

    Returns
    -------
    ndarray of shape (n, d)
    """
    check_size("sample_sphere output (n x d)", n * d)
    r = float(np.sqrt(d)) if radius is None else float(radius)
    g = generator(rng).standard_normal((n, d))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return r * g


@validate_params(n=Integer(min=1), d=Integer(min=1), rng=RNG(), scale=Real(gt=0))
def sample_gaussian(n: int, d: int, *, rng: np.random.Generator | int, scale: float = 1.0) -> np.ndarray:
    """Draw ``n`` iid points from N(0, scale^2 I_d); returns shape (n, d)."""
    check_size("sample_gaussian output (n x d)", n * d)
    return float(scale) * generator(rng).standard_normal((n, d))
