"""Small argument checks shared by every helper module.

Each check raises :class:`ValueError` with a message that names the offending
argument, so that bad input fails at the call site rather than deep inside a
linear-algebra routine or a solver.

The declarative machinery (``@validate_params`` and its constraint types,
the size guard ``check_size`` and the divergence check
``check_finite_training``) lives in :mod:`thermo_helpers._params` (with the
types in ``_constraints`` and ``_arrays``) and is re-exported here, so that
``from ._validate import validate_params, Real`` works.
"""

from __future__ import annotations

import numbers

import numpy as np

# ---- declarative parameter validation (owned by the "valid" helper; see _params.py) ----
from ._params import (  # noqa: F401  (re-exported)
    RNG, ActivationSpec, AnyOf, Array, Boolean, Constraint, DivergenceError, Function, HasMethods,
    Instance, Integer, InvalidParameterError, Labels, ListOf, NJobs, OneOf, OrNone, Real, Seed, StepSize,
    Text, Unchecked, check_finite_training, check_size, validate_params,
)
# ---- end of the re-export block ----


def positive_int(name: str, value: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {value}")
    return int(value)


def positive(name: str, value, *, allow_zero: bool = False) -> np.ndarray:
    """Return ``value`` as a float array if every entry is > 0 (or >= 0)."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        rel = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {rel}, got {value!r}")
    return arr


def in_interval(name: str, value, lo: float, hi: float) -> np.ndarray:
    """Return ``value`` as a float array if every entry lies in [lo, hi]."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < lo) or np.any(arr > hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {value!r}")
    return arr


def generator(rng) -> np.random.Generator:
    """Accept a ``Generator`` or an integer seed; refuse anything implicit."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    raise ValueError(
        "rng must be a numpy.random.Generator or a non-negative integer seed, "
        f"got {type(rng).__name__}"
    )


def count_from_ratio(name: str, ratio, d: int, *, size: str = "N") -> int:
    """``round(ratio * d)`` as a size, refusing a ratio <= 0 or one that rounds to 0.

    ``name`` is the ratio's argument name (``psi1``...) and ``size`` the name
    of the resulting count, both used in the error message.
    """
    r = float(positive(name, ratio))
    count = int(round(r * d))
    if count < 1:
        raise ValueError(f"{name} * d must round to at least 1 ({size} = round({name} d)), "
                         f"got {name} = {r:g} with d = {d}")
    return count


# --------------------------------------------------------------------------- vectorised sizes (core)
def counts_from_ratios(name: str, ratios, d: int, *, size: str = "N") -> np.ndarray:
    """Vectorised :func:`count_from_ratio`: ``round(ratios * d)`` as an int array.

    Every ratio must be > 0 and round to a count >= 1; the error message names
    ``name`` and ``size`` and quotes the smallest ratio.
    """
    r = positive(name, ratios)
    counts = np.round(r * d).astype(int)
    if np.any(counts < 1):
        raise ValueError(f"{name} * d must round to at least 1 ({size} = round({name} d)), "
                         f"got {name} = {float(np.min(r)):g} with d = {d}")
    return counts
