"""Array constraints for :func:`thermo_helpers._params.validate_params`: real finite arrays with shapes, labels.

Shape symbols: ``Array(shape=("n", "d"))`` names the axes.  Within one call,
the same symbol must have the same length in every argument, and a symbol
that is also the name of an integer argument must equal that argument.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ._constraints import Constraint, Integer, InvalidParameterError, OrNone, _array_violates, _bounds_text, _real_array

__all__ = ["Array", "Labels", "shared_symbols"]


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
