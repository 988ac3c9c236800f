"""Constraint types for :func:`thermo_helpers._params.validate_params`: scalars, choices, combinators.

Each constraint checks one argument (``check(name, value, symbols)``, raising
:class:`InvalidParameterError` whose message starts with ``name``) and lists
values it must refuse (``invalid_values(valid, shared)``), which the invalid-input
test feeds to every public function.  Array constraints are in
:mod:`thermo_helpers._arrays`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "InvalidParameterError", "Constraint", "Integer", "Real", "StepSize", "Seed", "RNG", "NJobs", "Boolean", "Text",
    "OneOf", "Function", "ActivationSpec", "OrNone", "AnyOf", "ListOf", "Instance", "HasMethods", "Unchecked",
]

_INT_MAX = 2**62
_BAD_TYPES = (str, bytes, bool, np.bool_, complex, np.complexfloating)


class InvalidParameterError(ValueError, TypeError):
    """A bad argument.  Both a ``ValueError`` and a ``TypeError``, so either ``except`` catches it;
    the message says which argument and what it must be."""


def _short(value: Any) -> str:
    """A repr of ``value`` short enough for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Constraint:
    """Base class: ``check(name, value, symbols)`` raises or returns ``None``."""

    #: plain-language description used in messages ("a positive integer")
    description = "a valid value"

    def check(self, name: str, value: Any, symbols: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def invalid_values(self, valid: Any, shared=()) -> list[tuple[str, Any]]:
        """``(kind, value)`` pairs this constraint must refuse.

        ``valid`` is a valid example of the argument; ``shared`` names the shape
        symbols that another argument of the same call also fixes (only array
        constraints use it, to build a genuine shape mismatch).
        """
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description})"

    def _type_error(self, name: str, value: Any):
        return InvalidParameterError(f"{name} must be {self.description}, got {type(value).__name__} {_short(value)}")

    def _value_error(self, name: str, value: Any, extra: str = ""):
        tail = f" ({extra})" if extra else ""
        return InvalidParameterError(f"{name} must be {self.description}, got {_short(value)}{tail}")


# ------------------------------------------------------------------ scalars
def _bounds_text(gt, ge, lt, le) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt:g}")
    if ge is not None:
        parts.append(f">= {ge:g}")
    if lt is not None:
        parts.append(f"< {lt:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    return " and ".join(parts)


def _violates(lo: float, hi: float, gt, ge, lt, le) -> bool:
    """Whether values with minimum ``lo`` and maximum ``hi`` break a bound (NaN-free input)."""
    return ((gt is not None and not lo > gt) or (ge is not None and not lo >= ge)
            or (lt is not None and not hi < lt) or (le is not None and not hi <= le))


def _array_violates(x: np.ndarray, bounds) -> bool:
    """Whether any finite entry of ``x`` breaks ``bounds`` = (gt, ge, lt, le)."""
    if x.dtype.kind == "f":
        ok = np.isfinite(x)
        x = x if ok.all() else x[ok]
    if x.size == 0:
        return False
    return _violates(x.min(), x.max(), *bounds)


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


class Integer(Constraint):
    """An integer (Python or NumPy, never bool, never a float) in ``[min, max]``."""

    def __init__(self, min: int | None = None, max: int | None = _INT_MAX):
        self.min, self.max = min, max
        bounds = _bounds_text(None, min, None, max if max != _INT_MAX else None)
        self.description = "an integer" + (f" {bounds}" if bounds else "")
        if min in (0, 1) and max == _INT_MAX:
            self.description = ("a positive integer" if min == 1 else "a non-negative integer") + f" (>= {min})"

    def check(self, name, value, symbols):
        if not _is_int(value):
            raise self._type_error(name, value)
        v = int(value)
        if (self.min is not None and v < self.min) or (self.max is not None and v > self.max):
            raise self._value_error(name, value)

    def invalid_values(self, valid, shared=()):
        out = [("float", 2.5), ("bool", True), ("numeric string", "3"), ("None", None),
               ("nan", float("nan")), ("huge integer", 10**30), ("complex", 1 + 0j)]
        if self.min is not None:
            out.append(("below minimum", self.min - 1))
            if self.min >= 0:
                out.append(("negative", -1))
        if self.max is not None and self.max < _INT_MAX:
            out.append(("above maximum", self.max + 1))
        return out


class Real(Constraint):
    """A real number with optional bounds; ``array=True`` also accepts real arrays.

    Bools, strings, complex numbers and ``None`` are refused as the wrong
    type; NaN, infinities (unless ``finite=False``) and out-of-bound values as
    the wrong value.  With ``finite=False`` NaN and inf pass and the bounds
    apply to the finite entries.
    """

    def __init__(self, gt=None, ge=None, lt=None, le=None, *, array: bool = False, finite: bool = True):
        self.gt, self.ge, self.lt, self.le = gt, ge, lt, le
        self.array, self.finite = array, finite
        self._has_bounds = any(b is not None for b in (gt, ge, lt, le))
        bounds = _bounds_text(gt, ge, lt, le)
        what = "a real number or an array of real numbers" if array else "a real number"
        self.description = what + (f" {bounds}" if bounds else "") + (" (finite)" if finite else " (or nan/inf)")

    def check(self, name, value, symbols):
        if isinstance(value, _BAD_TYPES) or value is None:
            raise self._type_error(name, value)
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        if isinstance(value, numbers.Real):
            try:
                v = float(value)
            except OverflowError:
                raise self._value_error(name, value, "too large for a float") from None
            if not math.isfinite(v):
                if self.finite:
                    raise self._value_error(name, value, "not finite")
                return
            if self._has_bounds and _violates(v, v, self.gt, self.ge, self.lt, self.le):
                raise self._value_error(name, value)
            return
        if self.array:
            x = _real_array(self, name, value).astype(float)
            if x.size == 0:
                raise self._value_error(name, value, "it is empty")
        else:
            raise self._type_error(name, value)
        if self.finite and not np.isfinite(x).all():
            raise self._value_error(name, value, "not finite")
        if self._has_bounds and _array_violates(x, (self.gt, self.ge, self.lt, self.le)):
            raise self._value_error(name, value)

    def invalid_values(self, valid, shared=()):
        out = [("text string", "abc"), ("numeric string", "1.5"), ("None", None),
               ("bool", True), ("complex", 1 + 1j)]
        if self.finite:
            out += [("nan", float("nan")), ("inf", float("inf")), ("-inf", float("-inf")),
                    ("overflowing integer", 10**400)]
        if self.gt is not None:
            out.append(("at exclusive lower bound", self.gt))
        if self.ge is not None:
            out.append(("below lower bound", self.ge - 1.0 if self.ge != 0 else -1.0))
        if self.lt is not None:
            out.append(("at exclusive upper bound", self.lt))
        if self.le is not None:
            out.append(("above upper bound", self.le + 1.0))
        if self.array:
            out += [("empty array", np.array([])), ("complex array", np.array([1.0 + 1j])),
                    ("object array", np.array([1.0, "a"], dtype=object))]
            if self.finite:
                out.append(("nan in array", np.array([1.0, np.nan])))
        else:
            out.append(("array for scalar", np.array([1.0, 2.0])))
        return out


class StepSize(Real):
    """A finite step size > 0 (at most ``max`` if given)."""

    def __init__(self, max: float | None = None):
        super().__init__(gt=0.0, le=max)
        self.description = "a finite step size > 0" + (f" and <= {max:g}" if max is not None else "")


class Seed(Constraint):
    """A non-negative integer seed (``base_seed`` of a sweep)."""

    description = "a non-negative integer seed"

    def check(self, name, value, symbols):
        if not _is_int(value):
            raise self._type_error(name, value)
        if not 0 <= int(value) <= _INT_MAX:
            raise self._value_error(name, value)

    def invalid_values(self, valid, shared=()):
        return [("negative seed", -1), ("float seed", 1.5), ("bool", True), ("None", None),
                ("numeric string", "3"), ("huge integer", 10**30), ("legacy RandomState", np.random.RandomState(0))]


class RNG(Constraint):
    """A :class:`numpy.random.Generator` or a non-negative integer seed (``rng``)."""

    description = "a numpy.random.Generator or a non-negative integer seed"

    def check(self, name, value, symbols):
        if isinstance(value, np.random.Generator):
            return
        Seed.check(self, name, value, symbols)

    def invalid_values(self, valid, shared=()):
        return Seed.invalid_values(self, valid)


class NJobs(Constraint):
    """joblib workers: ``None`` (use :func:`config.n_jobs`), an integer >= 1, or -1 (all)."""

    description = "None, an integer >= 1, or -1"

    def check(self, name, value, symbols):
        if value is None:
            return
        if not _is_int(value):
            raise self._type_error(name, value)
        if not (int(value) >= 1 or int(value) == -1) or int(value) > 4096:
            raise self._value_error(name, value)

    def invalid_values(self, valid, shared=()):
        return [("n_jobs zero", 0), ("negative below -1", -3), ("float", 2.0), ("bool", True),
                ("numeric string", "2"), ("huge integer", 10**30)]


class Boolean(Constraint):
    """``True`` or ``False`` (Python or NumPy bool), nothing else."""

    description = "True or False"

    def check(self, name, value, symbols):
        if not isinstance(value, (bool, np.bool_)):
            raise self._type_error(name, value)

    def invalid_values(self, valid, shared=()):
        return [("integer for bool", 1), ("text for bool", "yes"), ("None", None)]


class Text(Constraint):
    """Any string (a label, a title)."""

    description = "a string"

    def check(self, name, value, symbols):
        if not isinstance(value, str):
            raise self._type_error(name, value)

    def invalid_values(self, valid, shared=()):
        return [("number for text", 3), ("bytes for text", b"abc")]


class OneOf(Constraint):
    """One of the given strings (case-sensitive)."""

    def __init__(self, *options: str):
        if not options:
            raise TypeError("OneOf needs at least one option")
        self.options = tuple(options)
        self.description = "one of " + ", ".join(repr(o) for o in self.options)

    def check(self, name, value, symbols):
        if not isinstance(value, str):
            raise self._type_error(name, value)
        if value not in self.options:
            raise InvalidParameterError(f"{name} must be {self.description}; unknown {name} {value!r}")

    def invalid_values(self, valid, shared=()):
        return [("unknown option", "no-such-option"), ("non-string option", 3), ("None", None)]


class Function(Constraint):
    """A callable."""

    description = "a callable"

    def check(self, name, value, symbols):
        if not callable(value):
            raise self._type_error(name, value)

    def invalid_values(self, valid, shared=()):
        return [("non-callable", 3), ("text for callable", "abs"), ("None", None)]


_PROBE = np.linspace(-4.0, 4.0, 17)


def _nan_activation(t):
    return np.full(np.shape(t), np.nan)


def _scalar_activation(t):
    return 1.0


class ActivationSpec(Constraint):
    """An activation: a registry name, an :class:`~thermo_helpers.activations.Activation`,
    or a vectorised callable whose values on a probe grid in [-4, 4] are real, finite
    and of the input's shape."""

    description = "an activation (a registry name, an Activation, or a vectorised real callable)"

    def check(self, name, value, symbols):
        from .activations import ACTIVATION_NAMES, Activation

        if isinstance(value, Activation):
            fn = value.fn
        elif isinstance(value, str):
            if value.lower() not in ACTIVATION_NAMES:
                raise InvalidParameterError(f"{name}: unknown activation {value!r}; valid names are: "
                                 + ", ".join(ACTIVATION_NAMES) + " (or pass any vectorised callable)")
            return
        elif callable(value):
            fn = value
        else:
            raise self._type_error(name, value)
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(fn(_PROBE.copy()))
        except Exception as exc:  # a user callable may fail in any way
            raise InvalidParameterError(f"{name} failed on a probe array: {type(exc).__name__}: {exc}") from exc
        if out.shape != _PROBE.shape:
            raise InvalidParameterError(f"{name} must be vectorised: on an array of shape {_PROBE.shape} "
                             f"it returned shape {out.shape}")
        if out.dtype.kind not in "iuf" or not np.all(np.isfinite(out)):
            raise InvalidParameterError(f"{name} must return finite real values; on [-4, 4] it returned {out.dtype} "
                             "values that are not all finite and real")

    def invalid_values(self, valid, shared=()):
        return [("unknown activation", "swish-ish"), ("number for activation", 3), ("None", None),
                ("activation returning nan", _nan_activation),
                ("non-vectorised activation", _scalar_activation)]

def _real_array(c: Constraint, name: str, value) -> np.ndarray:
    """``value`` as an ndarray if it is numeric and real; TypeError otherwise."""
    if isinstance(value, (str, bytes)) or value is None:
        raise c._type_error(name, value)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise InvalidParameterError(f"{name} must be {c.description}; it is not a regular array ({exc})") from None
    if arr.dtype.kind == "c":
        raise InvalidParameterError(f"{name} must be {c.description}, got a complex array")
    if arr.dtype.kind == "b":
        raise InvalidParameterError(f"{name} must be {c.description}, got a boolean array")
    if arr.dtype.kind not in "iuf":
        raise InvalidParameterError(f"{name} must be {c.description}, got an array of dtype {arr.dtype}")
    return arr


# ------------------------------------------------------------------ combinators
class OrNone(Constraint):
    """``None`` or a value meeting ``inner``."""

    def __init__(self, inner: Constraint):
        self.inner = inner
        self.description = f"None or {inner.description}"

    def check(self, name, value, symbols):
        if value is not None:
            self.inner.check(name, value, symbols)

    def invalid_values(self, valid, shared=()):
        return [(k, v) for k, v in self.inner.invalid_values(valid, shared) if v is not None]


class AnyOf(Constraint):
    """A value meeting at least one of ``constraints``; the message lists them all."""

    def __init__(self, *constraints: Constraint):
        self.constraints = constraints
        self.description = " or ".join(c.description for c in constraints)

    def check(self, name, value, symbols):
        for c in self.constraints:
            try:
                c.check(name, value, dict(symbols))
            except InvalidParameterError:
                continue
            return
        raise InvalidParameterError(f"{name} must be {self.description}, got {type(value).__name__} "
                                    f"{_short(value)}")

    def invalid_values(self, valid, shared=()):
        out = []
        for c in self.constraints:
            for kind, v in c.invalid_values(valid, shared):
                if not any(_passes(other, v) for other in self.constraints):
                    out.append((kind, v))
        return out


def _passes(c: Constraint, value) -> bool:
    try:
        c.check("value", value, {})
    except InvalidParameterError:
        return False
    return True


class ListOf(Constraint):
    """A list or tuple (at least ``min_len`` long) whose items each meet ``item``."""

    def __init__(self, item: Constraint, *, min_len: int = 0):
        self.item, self.min_len = item, min_len
        self.description = (f"a list or tuple of items, each {item.description}"
                            + (f", with at least {min_len} items" if min_len else ""))

    def check(self, name, value, symbols):
        if not isinstance(value, (list, tuple)):
            raise self._type_error(name, value)
        if len(value) < self.min_len:
            raise self._value_error(name, value, f"it has {len(value)} items")
        for i, v in enumerate(value):
            self.item.check(f"{name}[{i}]", v, symbols)

    def invalid_values(self, valid, shared=()):
        out = [("text for list", "abc"), ("None", None), ("number for list", 3)]
        if self.min_len:
            out.append(("empty list", []))
        out += [(f"list item: {k}", [v]) for k, v in self.item.invalid_values(None)[:2]]
        return out


class Instance(Constraint):
    """An instance of one of ``types``."""

    def __init__(self, *types: type, description: str | None = None):
        self.types = types
        self.description = description or "an instance of " + " or ".join(t.__name__ for t in types)

    def check(self, name, value, symbols):
        if not isinstance(value, self.types):
            raise self._type_error(name, value)

    def invalid_values(self, valid, shared=()):
        out = [("wrong type (int)", 3)]
        return out if isinstance(None, self.types) else out + [("None", None)]


class HasMethods(Constraint):
    """Any object with the given methods (duck typing, e.g. a matplotlib ``Axes``)."""

    def __init__(self, *methods: str, description: str | None = None):
        self.methods = methods
        self.description = description or "an object with methods " + ", ".join(methods)

    def check(self, name, value, symbols):
        if not all(callable(getattr(value, m, None)) for m in self.methods):
            raise self._type_error(name, value)

    def invalid_values(self, valid, shared=()):
        return [("wrong type (int)", 3), ("None", None)]


class Unchecked(Constraint):
    """Explicitly unconstrained (forwarded elsewhere); the reason is documentation."""

    def __init__(self, reason: str):
        self.reason = reason
        self.description = f"anything ({reason})"

    def check(self, name, value, symbols):
        return None
