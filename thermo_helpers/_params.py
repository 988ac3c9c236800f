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
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "InvalidParameterError", "Constraint", "Integer", "Real", "StepSize", "Seed", "RNG", "NJobs", "Boolean", "Text",
    "OneOf",
    "Function", "ActivationSpec", "Array", "Labels", "OrNone", "AnyOf", "ListOf", "Instance", "HasMethods", "Unchecked",
    "DivergenceError", "validate_params", "shared_symbols", "check_size", "check_finite_training",
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

    def invalid_values(self, valid: Any) -> list[tuple[str, Any]]:
        """``(kind, value)`` pairs this constraint must refuse; ``valid`` is a valid example."""
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
        x = x[np.isfinite(x)] if not np.isfinite(x).all() else x
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

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
        return [("negative seed", -1), ("float seed", 1.5), ("bool", True), ("None", None),
                ("numeric string", "3"), ("huge integer", 10**30), ("legacy RandomState", np.random.RandomState(0))]


class RNG(Constraint):
    """A :class:`numpy.random.Generator` or a non-negative integer seed (``rng``)."""

    description = "a numpy.random.Generator or a non-negative integer seed"

    def check(self, name, value, symbols):
        if isinstance(value, np.random.Generator):
            return
        Seed.check(self, name, value, symbols)

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
        return [("n_jobs zero", 0), ("negative below -1", -3), ("float", 2.0), ("bool", True),
                ("numeric string", "2"), ("huge integer", 10**30)]


class Boolean(Constraint):
    """``True`` or ``False`` (Python or NumPy bool), nothing else."""

    description = "True or False"

    def check(self, name, value, symbols):
        if not isinstance(value, (bool, np.bool_)):
            raise self._type_error(name, value)

    def invalid_values(self, valid):
        return [("integer for bool", 1), ("text for bool", "yes"), ("None", None)]


class Text(Constraint):
    """Any string (a label, a title)."""

    description = "a string"

    def check(self, name, value, symbols):
        if not isinstance(value, str):
            raise self._type_error(name, value)

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
        return [("unknown option", "no-such-option"), ("non-string option", 3), ("None", None)]


class Function(Constraint):
    """A callable."""

    description = "a callable"

    def check(self, name, value, symbols):
        if not callable(value):
            raise self._type_error(name, value)

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
        return [("unknown activation", "swish-ish"), ("number for activation", 3), ("None", None),
                ("activation returning nan", _nan_activation),
                ("non-vectorised activation", _scalar_activation)]


# ------------------------------------------------------------------ arrays
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


def _bind_shape(name: str, arr: np.ndarray, shape: Sequence, symbols: dict) -> None:
    for axis, sym in enumerate(shape):
        n = arr.shape[axis]
        if isinstance(sym, int):
            if n != sym:
                raise InvalidParameterError(f"{name} must have length {sym} along axis {axis}, got shape {arr.shape}")
            continue
        if sym is None:
            continue
        if sym in symbols:
            want, where, other = symbols[sym]
            if n != want:
                raise InvalidParameterError(f"{other} and {name} disagree on dimension {sym}: {name}.shape[{axis}] "
                                            f"= {n} but {where} = {want}")
        else:
            symbols[sym] = (n, f"{name}.shape[{axis}]", name)


class Array(Constraint):
    """A real, finite, non-empty numeric array (no complex, object, bool or string dtype).

    Parameters
    ----------
    ndim : int, optional
        Required number of dimensions (a list or scalar is converted first).
    shape : sequence of str/int/None, optional
        One entry per axis: a symbol shared with other arguments (see module
        notes), a fixed length, or ``None`` for any length.
    min_size : int
        Minimum number of entries (default 1: empty arrays are refused).
    gt, ge, lt, le : float, optional
        Elementwise bounds.
    """

    def __init__(self, ndim: int | None = None, shape: Sequence | None = None, *, min_size: int = 1,
                 gt=None, ge=None, lt=None, le=None, finite: bool = True):
        if shape is not None:
            ndim = len(shape) if ndim is None else ndim
            if ndim != len(shape):
                raise TypeError("Array: ndim and len(shape) disagree")
        self.ndim, self.shape, self.min_size, self.finite = ndim, shape, min_size, finite
        self.bounds = (gt, ge, lt, le)
        self._has_bounds = any(b is not None for b in self.bounds)
        dims = {1: "a 1-D", 2: "a 2-D (matrix)"}.get(ndim, f"a {ndim}-D" if ndim else "an")
        b = _bounds_text(*self.bounds)
        self.description = (f"{dims} real {'finite ' if finite else ''}array"
                            + (f" of shape ({', '.join(str(s) for s in shape)})" if shape else "")
                            + (f" with entries {b}" if b else ""))

    def check(self, name, value, symbols):
        arr = _real_array(self, name, value)
        if self.ndim is not None and arr.ndim != self.ndim:
            raise InvalidParameterError(f"{name} must be {self.description}, got {arr.ndim}-D shape {arr.shape}")
        if arr.size < self.min_size:
            raise InvalidParameterError(f"{name} must be {self.description} with at least {self.min_size} entries, "
                             f"got shape {arr.shape}")
        if self.finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise InvalidParameterError(f"{name} must be {self.description}, but it contains NaN or inf")
        if self._has_bounds and _array_violates(arr, self.bounds):
            raise InvalidParameterError(f"{name} must be {self.description}; some entries are outside")
        if self.shape is not None:
            _bind_shape(name, arr, self.shape, symbols)

    def invalid_values(self, valid, shared=()):
        """As :meth:`Constraint.invalid_values`; ``shared`` lists the shape symbols that another
        argument of the same call also fixes, so that a shortened axis is a real mismatch."""
        v = np.asarray(valid if valid is not None else [], dtype=float)
        if v.size == 0:
            v = np.ones((2,) * (self.ndim or 1))
        out = [("text string", "abc"), ("None", None),
               ("complex array", v.astype(complex) + 1j),
               ("object array", v.astype(object)),
               ("boolean array", v > 0)]
        if self.finite:
            bad = v.copy()
            bad.flat[0] = np.nan
            out.append(("nan in array", bad))
            bad = v.copy()
            bad.flat[-1] = np.inf
            out.append(("inf in array", bad))
        if self.min_size >= 1:
            out.append(("empty array", np.zeros((0,) * max(self.ndim or 1, 1))))
        if self.ndim is not None:
            out.append(("wrong ndim", v[..., None]))
            if self.ndim >= 2:
                out.append(("wrong ndim (flattened)", v.ravel()))
        if self.shape is not None and v.ndim == len(self.shape):
            for axis, sym in enumerate(self.shape):
                if sym in shared and v.shape[axis] >= 2:
                    out.append((f"shape mismatch on axis {axis}", np.take(v, range(v.shape[axis] - 1), axis=axis)))
                    break
        return out


class Labels(Array):
    """A 1-D array of labels, each exactly +1 or -1."""

    def __init__(self, shape: Sequence | None = None):
        super().__init__(ndim=1, shape=shape)
        self.description = "a 1-D array of labels in {-1, +1}" + (f" of length {shape[0]}" if shape else "")

    def check(self, name, value, symbols):
        super().check(name, value, symbols)
        arr = np.asarray(value)
        if not np.all((arr == 1) | (arr == -1)):
            raise InvalidParameterError(f"{name} must be {self.description}; got values {np.unique(arr)[:5]}")

    def invalid_values(self, valid, shared=()):
        v = np.asarray(valid, dtype=float)
        out = super().invalid_values(valid, shared)
        for kind, val in (("label 0", 0.0), ("label 0.5", 0.5), ("label 2", 2.0)):
            bad = v.copy()
            bad[0] = val
            out.append((kind, bad))
        return out


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
        inner = self.inner.invalid_values(valid, shared) if isinstance(self.inner, Array) else \
            self.inner.invalid_values(valid)
        return [(k, v) for k, v in inner if v is not None]


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

    def invalid_values(self, valid):
        out = []
        for c in self.constraints:
            for kind, v in c.invalid_values(valid):
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

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
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

    def invalid_values(self, valid):
        return [("wrong type (int)", 3), ("None", None)]


class Unchecked(Constraint):
    """Explicitly unconstrained (forwarded elsewhere); the reason is documentation."""

    def __init__(self, reason: str):
        self.reason = reason
        self.description = f"anything ({reason})"

    def check(self, name, value, symbols):
        return None


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


def shared_symbols(constraints: dict) -> set:
    """Shape symbols fixed by two or more declared arguments (or by an integer argument)."""
    count: dict = {}
    for c in constraints.values():
        c = c.inner if isinstance(c, OrNone) else c
        if isinstance(c, Array) and c.shape:
            for sym in set(s for s in c.shape if isinstance(s, str)):
                count[sym] = count.get(sym, 0) + 1
    ints = {k for k, c in constraints.items() if isinstance(c, Integer)}
    return {sym for sym, k in count.items() if k >= 2 or sym in ints}


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
