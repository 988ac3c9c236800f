"""Argument checks, declared once per argument and run on entry to the outermost public
call; a bad argument raises :class:`InvalidParameterError`, whose message names it."""

from __future__ import annotations

import contextlib
import functools
import inspect
import numbers
import os
import re
import threading

import numpy as np

_OPS = (np.greater, np.greater_equal, np.less, np.less_equal)
_BAD = (str, bytes, bool, np.bool_, complex, np.complexfloating)
_STATE = threading.local()  # .depth > 0 inside a checked call or a sweep task
_ON = os.environ.get("THERMO_VALIDATE", "1").strip() != "0"
COUNT = [0]
DEFAULT_MAX_ELEMENTS = 400_000_000


class InvalidParameterError(ValueError, TypeError):
    """A bad argument; the message starts with its name and says what it must be."""


class DivergenceError(ValueError, FloatingPointError):
    """A trainer met a non-finite loss or parameter; the message names ``step_size``."""


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _bounds(*bounds) -> str:
    ops = zip((">", ">=", "<", "<="), bounds)
    return " and ".join(f"{op} {b:g}" for op, b in ops if b is not None)


class Constraint:
    """A rule: ``reason(name, value, symbols)`` is None, or says why not."""

    def __init__(self, description, test=None, kind="", reason=None, **params):
        self.description, self.test = description, test
        self.kind, self.params = kind, params
        self.reason = reason or (lambda name, v, symbols: None if test(v) else "")

    def check(self, name: str, value, symbols: dict) -> None:
        """Raise :class:`InvalidParameterError` naming ``name`` for a bad value."""
        if (why := self.reason(name, value, symbols)) is None:
            return
        text = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        got = f"got {type(value).__name__} {text}" + (f" ({why})" if why else "")
        raise InvalidParameterError(f"{name} must be {self.description}, {got}")


def Integer(min: int | None = None, max: int | None = 2**62) -> Constraint:
    """An integer (never a bool or a float) in ``[min, max]``."""
    b = _bounds(None, min, None, None if max == 2**62 else max)

    def ok(v):
        return _is_int(v) and (min is None or v >= min) and (max is None or v <= max)
    return Constraint(f"an integer {b}".strip(), ok, "Integer", min=min, max=max)


_seed, _nj = Integer(0).test, Integer(-1, 4096).test
_C = functools.partial(functools.partial, Constraint)
_GEN = "a numpy.random.Generator or a non-negative integer seed"
Seed = _C("a non-negative integer seed", _seed, "Seed")
RNG = _C(_GEN, lambda v: isinstance(v, np.random.Generator) or _seed(v), "RNG")
NJobs = _C("None, -1 or an integer >= 1", lambda v: v is None or _nj(v) and v, "NJobs")
Boolean = _C("True or False", lambda v: isinstance(v, (bool, np.bool_)), "Boolean")
Text = _C("a string", lambda v: isinstance(v, str), "Text")
Function = _C("a callable", callable, "Function")
Unchecked = functools.partial(Constraint, test=lambda v: True, kind="Unchecked")


def OneOf(*options: str) -> Constraint:
    """One of the given strings (case-sensitive)."""
    text = "one of " + ", ".join(map(repr, options))
    return Constraint(text, lambda v: isinstance(v, str) and v in options, "OneOf")


def Instance(*types: type, description: str | None = None) -> Constraint:
    """An instance of one of ``types``."""
    text = description or "an instance of " + " or ".join(t.__name__ for t in types)
    return Constraint(text, lambda v: isinstance(v, types), "Instance", types=types)


def Real(gt=None, ge=None, lt=None, le=None, **opts) -> Constraint:
    """A real number, or an array if ``array``; in bounds; finite unless told."""
    p = dict(array=False, finite=True, ndim=None, shape=None, min_size=1, labels=False)
    p.update(opts, bounds=(gt, ge, lt, le))
    p["tests"] = [t for t in zip(_OPS, (0, 0, 1, 1), p["bounds"]) if t[2] is not None]
    b = _bounds(gt, ge, lt, le)
    text = "a real number" + (" or an array of real numbers" if p["array"] else "")
    text += (f" {b}" if b else "") + (" (finite)" if p["finite"] else " (or nan/inf)")
    text, kind = p.pop("description", None) or text, p.pop("kind", "Real")

    def reason(name: str, value, sy: dict) -> str | None:
        scalar = isinstance(value, (numbers.Real, np.ndarray)) and np.ndim(value) == 0
        if isinstance(value, _BAD) or value is None or not (p["array"] or scalar):
            return ""
        try:
            x = np.asarray(value)
        except (ValueError, TypeError):  # ragged nested lists
            return "not a regular array"
        if x.dtype.kind not in "iuf":
            return f"dtype {x.dtype}"
        if p["ndim"] is not None and x.ndim != p["ndim"] or x.size < p["min_size"]:
            return f"{x.ndim}-D with {x.size} entries"
        f = x  # the finite entries, which the bounds apply to
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            if p["finite"]:
                return "not finite"
            f = x[np.isfinite(x)]
        ends = (f.min(), f.max()) if f.size and p["tests"] else ()
        if ends and not all(op(ends[upper], c) for op, upper, c in p["tests"]):
            return "out of bounds"
        if p["labels"] and not np.all(np.abs(x) == 1):
            return f"labels {np.unique(x)[:5]}"
        for axis, sym in enumerate(p["shape"] or ()):
            n, me = x.shape[axis], (x.shape[axis], f"{name}.shape[{axis}]", name)
            if isinstance(sym, int) and n != sym:
                return f"axis {axis} must have length {sym}"
            want, where, other = sy.setdefault(sym, me) if isinstance(sym, str) else me
            if n != want:
                raise InvalidParameterError(
                    f"{other} and {name} disagree on dimension {sym}: "
                    f"{name}.shape[{axis}] = {n} but {where} = {want}")
        return None
    return Constraint(text, None, kind, reason, **p)


def Array(ndim=None, shape=None, *, finite=True, labels=False, **opts) -> Constraint:
    """A real array; ``shape`` gives each axis a symbol, a length or None."""
    nd = len(shape) if shape is not None else ndim
    b = _bounds(*(opts.get(k) for k in ("gt", "ge", "lt", "le")))
    text = (f"a {nd}-D" if nd else "an") + f" real {'finite ' * finite}array"
    text += f" of shape ({', '.join(map(str, shape))})" if shape else ""
    text += f" with entries {b}" if b else " of labels in {-1, +1}" if labels else ""
    opts.update(array=True, ndim=nd, shape=shape, finite=finite, labels=labels)
    return Real(description=text, kind="Array", **opts)


StepSize = functools.partial(Real, gt=0.0, description="a finite step size > 0")


def AnyOf(*rules: Constraint) -> Constraint:
    """A value meeting at least one of ``rules`` (whose shape symbols then count)."""

    def reason(name, v, s):
        clash = None
        for c in rules:
            try:
                if c.reason(name, v, t := dict(s)) is None:
                    return s.update(t)
            except InvalidParameterError as exc:  # two arguments disagree on a shape
                clash = exc
        if clash:
            raise clash
        return ""
    text = " or ".join(c.description for c in rules)
    return Constraint(text, None, "AnyOf", reason, rules=rules)


OrNone = functools.partial(AnyOf, Constraint("None", lambda v: v is None, "None"))


def ListOf(item: Constraint, *, min_len: int = 0) -> Constraint:
    """A list or tuple, at least ``min_len`` long, of items each meeting ``item``."""
    text = f"a list or tuple of items, each {item.description}"
    text += f", with at least {min_len} items" if min_len else ""

    def reason(name, v, s):
        ok = isinstance(v, (list, tuple)) and len(v) >= min_len
        return None if ok and all(item.reason(name, x, s) is None for x in v) else ""
    return Constraint(text, None, "ListOf", reason, item=item, min_len=min_len)


def validate_params(**constraints: Constraint):
    """Declare one constraint per argument, checked on entry to an outermost call."""

    def decorate(func):
        sig = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if getattr(_STATE, "depth", 0) or not _ON:
                return func(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            sy = {k: (int(v), k, k) for k, v in bound.arguments.items() if _is_int(v)}
            for pname, c in constraints.items():
                c.check(pname, bound.arguments[pname], sy)
            COUNT[0] += len(constraints)
            with checks_off():
                return func(*args, **kwargs)

        wrapper.__thermo_params__ = dict(constraints)
        return wrapper
    return decorate


@contextlib.contextmanager
def checks_off():
    """Run the body without argument checks (a checked call's body, a sweep task)."""
    _STATE.depth = getattr(_STATE, "depth", 0) + 1
    try:
        yield
    finally:
        _STATE.depth -= 1


def max_elements() -> int:
    """The size guard's limit: ``THERMO_MAX_ELEMENTS``, an integer >= 1, default 4e8."""
    raw = os.environ.get("THERMO_MAX_ELEMENTS", "").strip() or str(DEFAULT_MAX_ELEMENTS)
    value = float(raw) if re.fullmatch(r"\d+(\.\d*)?(e\+?\d+)?", raw.lower()) else 0.5
    if not (1 <= value < 2**63 and value == int(value)):
        raise ValueError(f"THERMO_MAX_ELEMENTS must be an integer >= 1, got {raw!r}")
    return int(value)


def check_size(what: str, n_elements) -> int:
    """Refuse, before allocating, more than ``THERMO_MAX_ELEMENTS`` float64 elements."""
    n, limit = float(n_elements), max_elements()
    if not 0 <= n <= limit:
        raise InvalidParameterError(
            f"{what} would need {n:.3g} float64 elements ({8 * n / 1e9:.3g} GB), over "
            f"the limit THERMO_MAX_ELEMENTS = {limit:.3g}; use smaller sizes")
    return int(n)


def generator(rng) -> np.random.Generator:
    """``rng`` as a Generator: itself, or ``default_rng(rng)`` for a seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    RNG().check("rng", rng, {})
    return np.random.default_rng(int(rng))


def count_from_ratio(name: str, ratio, d: int, *, size: str = "N"):
    """``round(ratio * d)``, an int (an int array for ratios); refuses a count of 0."""
    counts = np.round((r := np.asarray(ratio, dtype=float)) * d).astype(int)
    if np.any(counts < 1):
        raise InvalidParameterError(
            f"{name} * d must round to at least 1 ({size} = round({name} d)), "
            f"got {name} = {float(np.min(r)):g} with d = {d}")
    return int(counts) if counts.ndim == 0 else counts
