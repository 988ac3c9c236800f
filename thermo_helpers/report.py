"""Rounded reference tables, the cells that nbval compares, and the book's verdicts.

A reference cell shows theory, simulation (mean and standard error) and a verdict,
at a precision chosen so that the printed digits do not move between machines.

One vocabulary and one threshold serve the whole book: a comparison **agrees** when
its test passes at the two-sided 1% level (``|z| <= 2.576``, a chi-square ``p >= 0.01``,
or a 99% interval that contains the prediction), **disagrees** when it fails, and is
**undecided** when the data cannot decide (no standard error, too few points, a
solver without a certificate). :func:`reference_table` renders rows as an HTML
table (the verdicts coloured, a disagreement linked to its explanation) whose
plain-text form is the fixed-width table of :func:`table`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ._validate import (
    AnyOf,
    Boolean,
    Instance,
    Integer,
    ListOf,
    OrNone,
    Real,
    Text,
    validate_params,
)

__all__ = [
    "THRESHOLD",
    "VERDICTS",
    "Z_LEVEL",
    "ReferenceTable",
    "agrees",
    "fmt",
    "reference_table",
    "table",
    "verdict_interval",
    "verdict_p",
    "verdict_z",
]

THRESHOLD = 0.01  # the book's one test level: two-sided 1%
Z_LEVEL = 2.5758293035489004  # the normal quantile of that level, |z| <= Z_LEVEL agrees
VERDICTS = ("agrees", "disagrees", "undecided")

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


def _finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


@validate_params(z=AnyOf(OrNone(Real(finite=False))))
def verdict_z(z: float | None) -> str:
    """Verdict of a z-score at the book's level: ``|z| <= Z_LEVEL`` agrees.

    Parameters
    ----------
    z : float or None
        ``(simulation - theory) / sem``; ``None`` or NaN (no standard error) is
        undecided.

    Returns
    -------
    str
        ``"agrees"``, ``"disagrees"`` or ``"undecided"``.
    """
    if not _finite(z):
        return "undecided" if z is None or np.isnan(float(z)) else "disagrees"
    return "agrees" if abs(float(z)) <= Z_LEVEL else "disagrees"


@validate_params(p=AnyOf(OrNone(Real(ge=0, le=1, finite=False))))
def verdict_p(p: float | None) -> str:
    """Verdict of a test's p-value (for example a chi-square over a curve).

    Parameters
    ----------
    p : float or None
        The p-value; ``None`` or NaN (too few points to test) is undecided.

    Returns
    -------
    str
        ``"agrees"`` when ``p >= THRESHOLD``, else ``"disagrees"``; or ``"undecided"``.
    """
    if not _finite(p):
        return "undecided"
    return "agrees" if float(p) >= THRESHOLD else "disagrees"


@validate_params(lo=AnyOf(OrNone(Real(finite=False))), hi=AnyOf(OrNone(Real(finite=False))),
                 target=Real())
def verdict_interval(lo: float | None, hi: float | None, target: float) -> str:
    """Verdict of an interval (built at level ``1 - THRESHOLD``) against a prediction.

    Parameters
    ----------
    lo, hi : float or None
        The interval's ends; a missing or non-finite end is undecided.
    target : float
        The predicted value.

    Returns
    -------
    str
        ``"agrees"`` when ``lo <= target <= hi``, else ``"disagrees"``; or ``"undecided"``.
    """
    if not (_finite(lo) and _finite(hi)):
        return "undecided"
    return "agrees" if float(lo) <= float(target) <= float(hi) else "disagrees"


# Colours with white text: contrast >= 4.5 on both light and dark pages (WCAG AA).
_BADGE = {"agrees": "#1a7f37", "disagrees": "#c22b24", "undecided": "#8a5a00"}


class ReferenceTable:
    """A reference table: HTML on the page, fixed-width text for nbval and the PDF.

    Build it with :func:`reference_table`; make it the last expression of the cell.
    """

    def __init__(self, rows, columns, digits, labels, why, verdict_column):
        self.rows = [dict(r) for r in rows]
        self.columns = list(columns)
        self.labels = dict(labels or {})
        self.why = dict(why or {})
        self.verdict_column = verdict_column
        dig = (lambda c: digits.get(c, 3)) if isinstance(digits, Mapping) else (lambda c: digits)
        self.cells = [[fmt(r.get(c), dig(c)) for c in self.columns] for r in self.rows]
        self.headers = [self.labels.get(c, c) for c in self.columns]

    @property
    def text(self) -> str:
        """The fixed-width plain-text table (what nbval compares as ``text/plain``)."""
        widths = [max([len(h)] + [len(row[j]) for row in self.cells])
                  for j, h in enumerate(self.headers)]
        def line(values):
            return "  ".join(v.ljust(w) if j == 0 else v.rjust(w)
                             for j, (v, w) in enumerate(zip(values, widths))).rstrip()

        out = [line(self.headers), "  ".join("-" * w for w in widths)]
        out += [line(row) for row in self.cells]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text)

    def _verdict_html(self, row: Mapping, value: str) -> str:
        colour = _BADGE.get(value)
        if colour is None:
            return html.escape(value)
        style = (f"background:{colour};color:#fff;border-radius:0.25em;"
                 "padding:0.05em 0.4em;white-space:nowrap")
        badge = f'<span style="{style}">{html.escape(value)}</span>'
        anchor = self.why.get(str(row.get(self.columns[0], "")))
        if value == "disagrees" and anchor:
            return f'{badge} <a href="{html.escape(anchor)}">why</a>'
        return badge

    def _repr_html_(self) -> str:
        head = "".join(
            f'<th style="text-align:{"left" if j == 0 else "right"}">{html.escape(h)}</th>'
            for j, h in enumerate(self.headers))
        body = []
        for row, cells in zip(self.rows, self.cells):
            tds = []
            for j, (c, v) in enumerate(zip(self.columns, cells)):
                if c == self.verdict_column:
                    tds.append(f'<td style="text-align:right">{self._verdict_html(row, v)}</td>')
                elif j == 0:
                    tds.append(f'<td style="text-align:left">{html.escape(v)}</td>')
                else:
                    tds.append(f'<td style="text-align:right;white-space:nowrap">'
                               f"{html.escape(v)}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        return ('<div class="thermo-reference" style="overflow-x:auto">'
                '<table class="thermo-reference-table" '
                'style="font-variant-numeric:tabular-nums;font-size:0.9em">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _verdict_text(v) -> object:
    if isinstance(v, (bool, np.bool_)):
        return "agrees" if v else "disagrees"
    if v is None:
        return "undecided"
    return v


@validate_params(rows=ListOf(Instance(Mapping, description="a mapping (one row)"), min_len=1),
                 columns=ListOf(Text(), min_len=1),
                 digits=AnyOf(_DIGITS, Instance(Mapping, description="a mapping of column -> digits")),
                 labels=OrNone(Instance(Mapping, description="a mapping of column -> header")),
                 why=OrNone(Instance(Mapping, description="a mapping of quantity -> page anchor")),
                 verdict_column=Text())
def reference_table(rows: Iterable[Mapping], columns: Sequence[str], *,
                    digits: int | Mapping[str, int] = 3,
                    labels: Mapping[str, str] | None = None,
                    why: Mapping[str, str] | None = None,
                    verdict_column: str = "verdict") -> ReferenceTable:
    """A reference table in the book's one vocabulary.

    Parameters
    ----------
    rows : list of mappings
        One mapping per row; ``columns`` picks and orders its keys. The first column
        names the quantity.
    columns : list of str
        Keys shown, in order.
    digits : int or mapping
        Decimals per column (default 3), as in :func:`table`.
    labels : mapping, optional
        Header text per column key (short labels); defaults to the key.
    why : mapping, optional
        For a row whose first-column value is a key, the page anchor (``"#why-..."``)
        of the explanation that a "disagrees" verdict links to.
    verdict_column : str
        The column holding verdicts. Booleans become agrees/disagrees and ``None``
        undecided; any other text must be one of :data:`VERDICTS`.

    Returns
    -------
    ReferenceTable
        Renders as HTML in a notebook or on the site, as fixed-width text elsewhere.
    """
    rows = [dict(r) for r in rows]
    if verdict_column in columns:
        for i, r in enumerate(rows):
            r[verdict_column] = _verdict_text(r.get(verdict_column))
            if r[verdict_column] not in VERDICTS:
                raise ValueError(f"rows[{i}][{verdict_column!r}] must be one of {VERDICTS}, "
                                 f"got {r[verdict_column]!r}")
    return ReferenceTable(rows, columns, digits, labels, why, verdict_column)
