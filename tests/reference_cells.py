"""Find a chapter's reference cell (the one nbval compares) and read its table.

The cell carries the tag ``nbval-check-output`` (older chapters: a first line
``# NBVAL_CHECK_OUTPUT``); its table is the cell's text output, printed or returned
(``report.reference_table`` as the last expression gives ``text/plain``).
"""

from __future__ import annotations

TAG = "nbval-check-output"
MARKER = "# NBVAL_CHECK_OUTPUT"


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def is_reference(cell) -> bool:
    """True for a code cell that nbval checks output of."""
    if cell["cell_type"] != "code":
        return False
    tags = cell.get("metadata", {}).get("tags", [])
    return TAG in tags or _source(cell).lstrip().startswith(MARKER)


def reference_cells(nb) -> list:
    """The reference cells of a notebook (a dict or an nbformat node)."""
    return [c for c in nb["cells"] if is_reference(c)]


def _join(x) -> str:
    return x if isinstance(x, str) else "".join(x)


def output_text(cell) -> str:
    """The cell's printed text and the plain-text form of its returned value."""
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(_join(o.get("text", "")))
        elif o.get("output_type") in ("execute_result", "display_data"):
            parts.append(_join(o.get("data", {}).get("text/plain", "")) + "\n")
    return "".join(parts)
