"""Declarative argument constraints for the public functions of thermo_helpers.

A public function states what each argument may be, once, next to its
signature::

    @validate_params(d=Integer(min=1), psi1=Real(gt=0), rng=RNG(),
                     X=Array(ndim=2, shape=("n", "d")))
    def f(d, psi1, X, *, rng): ...

The decorator binds every call to the signature and checks the declared
arguments before the body runs.  A bad argument raises :class:`TypeError`
(the wrong kind of object: a string, ``None``, a bool or a complex number
where a real number is wanted) or :class:`ValueError` (the right kind but out
of range, non-finite, empty, of the wrong shape...), and the message starts
with the argument's name.  Values are passed to the body unchanged.

Shape symbols
    ``Array(shape=("n", "d"))`` names the axes.  Within one call, the same
    symbol must have the same length in every argument, and a symbol that is
    also the name of an integer argument must equal that argument.

Invalid examples
    Every constraint can list values it refuses
    (:meth:`Constraint.invalid_values`); ``tests/test_invalid_inputs.py``
    feeds them to every public function.

The constraint types live in :mod:`thermo_helpers._constraints` (scalars,
choices, combinators) and :mod:`thermo_helpers._arrays` (arrays, labels);
this module re-exports them next to the decorator and the two guards,
:func:`check_size` and :func:`check_finite_training`.
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Callable

import numpy as np

from ._arrays import Array, Labels, shared_symbols
from ._constraints import (RNG, ActivationSpec, AnyOf, Boolean, Constraint, Function, HasMethods, Instance, Integer,
                           InvalidParameterError, ListOf, NJobs, OneOf, OrNone, Real, Seed, StepSize, Text, Unchecked,
                           _is_int)

__all__ = [
    "InvalidParameterError", "Constraint", "Integer", "Real", "StepSize", "Seed", "RNG", "NJobs", "Boolean", "Text",
    "OneOf", "Function", "ActivationSpec", "Array", "Labels", "OrNone", "AnyOf", "ListOf", "Instance", "HasMethods",
    "Unchecked", "DivergenceError", "validate_params", "shared_symbols", "check_size", "check_finite_training",
]


# ------------------------------------------------------------------ decorator
def _binder(sig: inspect.Signature) -> Callable:
    """A fast ``args, kwargs -> {name: value}`` for plain signatures.

    It returns ``None`` (meaning: use ``Signature.bind``, which also words the
    error) for anything but a simple, complete call of a signature without
    ``*args`` or positional-only parameters.
    """
    params = list(sig.parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.POSITIONAL_ONLY) for p in params):
        return lambda args, kwargs: None
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    named = [p.name for p in params if p.kind is not p.VAR_KEYWORD]
    defaults = {p.name: p.default for p in params if p.default is not p.empty and p.kind is not p.VAR_KEYWORD}
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
    known = set(named)

    def bind(args, kwargs):
        if len(args) > len(positional):
            return None
        out = dict(defaults)
        out.update(zip(positional, args))
        for k, v in kwargs.items():
            if (k in known and k in positional[:len(args)]) or (k not in known and not var_kw):
                return None
            if k in known:
                out[k] = v
        if len(out) != len(named):
            return None
        return out

    return bind


def validate_params(**constraints: Constraint) -> Callable:
    """Decorate a public function with one constraint per argument.

    The constraints are stored on the wrapper as ``__thermo_params__``.  At
    call time the arguments are bound to the signature (defaults applied),
    checked in declaration order, then passed to the function unchanged.
    Shape symbols are first seeded from integer arguments of the same name.

    Raises
    ------
    TypeError
        At decoration time, if a constraint names no parameter of the function.
    """
    for k, c in constraints.items():
        if not isinstance(c, Constraint):
            raise TypeError(f"constraint for {k!r} must be a Constraint, got {type(c).__name__}")

    def decorate(func):
        sig = inspect.signature(func)
        unknown = set(constraints) - set(sig.parameters)
        if unknown:
            raise TypeError(f"{func.__qualname__}: constraints for unknown parameters {sorted(unknown)}")
        bind = _binder(sig)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            arguments = bind(args, kwargs)
            if arguments is None:
                try:
                    bound = sig.bind(*args, **kwargs)
                except TypeError as exc:
                    raise InvalidParameterError(f"{func.__name__}(): {exc}") from None
                bound.apply_defaults()
                arguments = bound.arguments
            symbols: dict = {}
            for pname, value in arguments.items():
                if _is_int(value):
                    symbols[pname] = (int(value), pname, pname)
            for pname, c in constraints.items():
                c.check(pname, arguments[pname], symbols)
            return func(*args, **kwargs)

        wrapper.__thermo_params__ = dict(constraints)
        return wrapper

    return decorate


# ------------------------------------------------------------------ guards
class DivergenceError(ValueError, FloatingPointError):
    """A trainer met a non-finite loss or parameter; the message names ``step_size``."""


def check_size(what: str, n_elements) -> int:
    """Refuse up front an allocation of more than ``THERMO_MAX_ELEMENTS`` elements.

    Parameters
    ----------
    what : str
        What would be allocated, named in the message (``"X (n x d)"``).
    n_elements : int or float
        Number of float64 elements it needs (a float is fine for products
        that would overflow an int64).

    Returns
    -------
    int
        ``n_elements`` as an int when it is allowed.

    Raises
    ------
    ValueError
        If the count exceeds the limit, with the memory it would need.
    """
    from . import config

    limit = config.max_elements()
    n = float(n_elements)
    if not math.isfinite(n) or n < 0:
        raise InvalidParameterError(f"{what}: invalid element count {n_elements!r}")
    if n > limit:
        raise InvalidParameterError(f"{what} would need {n:.3g} float64 elements ({8 * n / 1e9:.3g} GB), "
                                    f"over the limit THERMO_MAX_ELEMENTS = {limit:.3g}; use smaller sizes or "
                                    "raise THERMO_MAX_ELEMENTS")
    return int(n)


def check_finite_training(step_size: float, *arrays, step: int | None = None) -> None:
    """Raise :class:`DivergenceError` naming ``step_size`` if any of ``arrays`` is not finite.

    Trainers call this on their loss and parameters (at least at every
    recorded step), so that a too-large step size stops the run with a clear
    message instead of returning NaN histories.
    """
    for a in arrays:
        if not np.all(np.isfinite(a)):
            when = f" at step {step}" if step is not None else ""
            raise DivergenceError(f"training diverged{when} (non-finite loss or parameters): "
                                  f"reduce step_size (got step_size = {float(step_size):g})")
