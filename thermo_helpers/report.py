"""Rounded reference tables, the cells that nbval compares.

A reference cell prints theory, simulation (mean and standard error) and the
tolerance used to judge agreement, at a precision chosen so that the printed
digits do not move between machines.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

from ._validate import AnyOf, Boolean, Instance, Integer, ListOf, OrNone, Real, Text, validate_params

__all__ = ["fmt", "table", "agrees"]

_DIGITS = Integer(min=0, max=15)


@validate_params(x=AnyOf(OrNone(Text()), Boolean(), Real(finite=False)), digits=_DIGITS)
def fmt(x, digits: int) -> str:
    """Format a number rounded to ``digits`` decimals (``nan`` -> ``-``)."""
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "NO"
    x = float(x)
    if not np.isfinite(x):
        return "inf" if x > 0 else ("-inf" if x < 0 else "-")
    s = f"{x:.{digits}f}"
    return s.lstrip("-") if float(s) == 0 else s


@validate_params(rows=ListOf(Instance(Mapping, description="a mapping (one row)")),
                 columns=ListOf(Text(), min_len=1),
                 digits=AnyOf(_DIGITS, Instance(Mapping, description="a mapping of column -> digits")))
def table(rows: Iterable[Mapping], columns: Sequence[str], *, digits: int | Mapping[str, int] = 3) -> str:
    """Render ``rows`` (dicts) as a fixed-width text table of ``columns``."""
    dig = (lambda c: digits.get(c, 3)) if isinstance(digits, Mapping) else (lambda c: digits)
    cells = [[fmt(r.get(c), dig(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[j]) for row in cells)) if cells else len(c) for j, c in enumerate(columns)]
    line = "  ".join(c.rjust(w) for c, w in zip(columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


@validate_params(theory=Real(), sim=Real(), sem=Real(ge=0), k=Real(gt=0), allowance=Real(ge=0))
def agrees(theory: float, sim: float, sem: float, *, k: float = 3.0, allowance: float = 0.0) -> bool:
    """True when |theory - sim| <= k * sem + allowance."""
    return bool(abs(float(theory) - float(sim)) <= k * float(sem) + float(allowance))
