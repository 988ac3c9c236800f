"""Keep every exercise solution out of the student edition (``hide_solutions: true``).

sphinx-exercise's ``hide_solutions`` only drops plain ``{solution}`` directives.  The
gated form this book uses (``{solution-start}`` ... ``{solution-end}``, so that a
solution can hold code cells) is not hidden: with ``hide_solutions`` the start
directive returns nothing, the pair is never merged, and the solution's prose and
code cells render as ordinary content.  Removing nodes after the fact cannot work
either, because the page source is also copied to ``_sources`` and offered as a
download (the ``.ipynb`` button, ``{download}`` links).

So when ``hide_solutions`` is true this extension removes the solutions from the
*text* of every file a reader can reach:

* ``source-read``: before a page is parsed, every gated region (the directives and
  everything between them), every ``{solution}`` block and every code cell tagged
  ``solution`` is cut from its source, for notebooks (``.ipynb``) and MyST text alike;
* ``build-finished``: every ``.ipynb``, ``.md`` and ``_sources/*.txt`` file of the
  output folder is stripped the same way (these are copies of the unstripped sources),
  and the build fails if any solution marker is still left anywhere in the output;
* a transform removes any solution node that still reaches a doctree.

With ``hide_solutions`` false (the default site) nothing changes: the gated solutions
are merged by sphinx-exercise and shown collapsed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

# The solution patterns are shared with book/make_assignments.py (solution_syntax.py, beside
# this file; also importable when this module is loaded from its path, as the tests do).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from solution_syntax import BLOCK as _BLOCK
from solution_syntax import CODE_CELL as _CODE_CELL
from solution_syntax import END as _END
from solution_syntax import MARKERS
from solution_syntax import SOLUTION_TAG as _SOLUTION_TAG
from solution_syntax import START as _START


def strip_text(text: str, inside: bool = False) -> tuple[str, bool]:
    """Cut every solution out of MyST ``text``.

    Parameters
    ----------
    text : str
        MyST markdown (a whole chapter, or one markdown cell of a notebook).
    inside : bool
        Whether ``text`` starts inside a gated solution (a notebook's markdown cell that
        follows the cell holding the ``{solution-start}``).

    Returns
    -------
    tuple of (str, bool)
        The text without solutions, and whether it ends inside a gated solution.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = _BLOCK.sub("", text)
    kept, pos = [], 0
    while True:
        if inside:
            end = _END.search(text, pos)
            if end is None:
                return "".join(kept), True
            pos, inside = end.end(), False
            continue
        start = _START.search(text, pos)
        if start is None:
            kept.append(text[pos:])
            break
        kept.append(text[pos : start.start()])
        pos, inside = start.end(), True
    out = _CODE_CELL.sub(
        lambda m: "" if _SOLUTION_TAG.search(m.group("body")) else m.group(0),
        "".join(kept),
    )
    return out, False


def strip_notebook(nb: dict) -> dict:
    """Remove every solution from a notebook given as its JSON ``dict``; returns the same dict.

    Code and raw cells inside a gated region and cells tagged ``solution`` go; markdown
    cells lose the gated text and go too if nothing else is left in them.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TypeError("nb must be a notebook as a JSON dict with a 'cells' list")
    cells, inside = [], False
    for cell in nb["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "markdown":
            text, inside_after = strip_text(source, inside)
            if text != source:
                cell["source"] = text
                cell.get("attachments", {}).clear()
            inside = inside_after
            if text.strip():
                cells.append(cell)
            continue
        if inside or "solution" in tags:
            continue
        cells.append(cell)
    nb["cells"] = cells
    return nb


def strip_file(path: Path) -> bool:
    """Strip the solutions from one file in place (by its suffix); True if it changed."""
    name = path.name
    if not name.endswith((".ipynb", ".md", ".txt")):
        return False
    raw = path.read_text(encoding="utf-8", errors="replace")
    if name.endswith((".ipynb", ".ipynb.txt")):
        try:
            nb = json.loads(raw)
        except ValueError:
            return False
        new = json.dumps(strip_notebook(nb), indent=1, ensure_ascii=False) + "\n"
    else:
        new = strip_text(raw)[0]
    if new == raw:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def _source_read(app, docname: str, source: list[str]) -> None:
    if not app.config.hide_solutions:
        return
    text = source[0]
    if text.lstrip().startswith("{"):
        try:
            nb = json.loads(text)
        except ValueError:
            nb = None
        if isinstance(nb, dict) and "cells" in nb:
            source[0] = json.dumps(strip_notebook(nb))
            return
    source[0] = strip_text(text)[0]


def _build_finished(app, exception) -> None:
    if exception is not None or not app.config.hide_solutions:
        return
    out = Path(app.outdir)
    changed = [p for p in sorted(out.rglob("*")) if p.is_file() and strip_file(p)]
    LOGGER.info(
        f"hide_gated_solutions: stripped solutions from {len(changed)} copied source file(s)"
    )
    left = []
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in {
            ".html",
            ".txt",
            ".ipynb",
            ".md",
            ".js",
            ".json",
        }:
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(m in text for m in MARKERS):
                left.append(str(path.relative_to(out)))
    if left:
        raise ExtensionError(f"hide_solutions: solution markers are still in {left}")


class RemoveSolutions(SphinxTransform):
    """Drop any solution node left in a doctree when ``hide_solutions`` is true."""

    default_priority = 11  # after sphinx_exercise's MergeGatedSolutions (10)

    def apply(self) -> None:
        if not self.config.hide_solutions:
            return
        from sphinx_exercise.nodes import (
            solution_end_node,
            solution_node,
            solution_start_node,
        )

        for cls in (solution_node, solution_start_node, solution_end_node):
            for node in list(self.document.findall(cls)):
                node.parent.remove(node)


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_transform(RemoveSolutions)
    app.connect("source-read", _source_read)
    app.connect("build-finished", _build_finished)
    # env_version: a build cached before solutions were stripped from the sources is read again
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
