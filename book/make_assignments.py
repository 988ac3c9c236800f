"""Write student notebooks: every chapter with its exercise solutions removed.

    python book/make_assignments.py notebooks build/assignments

For each ``notebooks/*.md`` (jupytext MyST) the script drops

* every cell tagged ``solution``;
* everything from a ``{solution-start}`` directive to the matching
  ``{solution-end}``, including the text and code cells in between;
* every plain ``{solution}`` directive block;

and writes ``<out>/<chapter>.ipynb`` without outputs, ready to hand out.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import nbformat

START = re.compile(r"^```\{solution-start\}.*?^```\s*$", re.S | re.M)
END = re.compile(r"^```\{solution-end\}\s*\n```\s*$", re.M)
BLOCK = re.compile(r"^(`{3,}|:{3,})\{solution\}.*?^\1\s*$", re.S | re.M)


def strip_solutions(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` without solutions and the number of cells touched."""
    out, inside, touched = [], False, 0
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        src = cell.source
        if cell.cell_type == "code":
            if inside or "solution" in tags:
                touched += 1
                continue
            cell.outputs, cell.execution_count = [], None
            out.append(cell)
            continue
        if cell.cell_type != "markdown":
            if not inside:
                out.append(cell)
            continue
        kept, pos = [], 0
        text = BLOCK.sub("", src)
        if text != src:
            touched += 1
        while True:
            if inside:
                m = END.search(text, pos)
                if not m:
                    break
                inside, pos = False, m.end()
            else:
                m = START.search(text, pos)
                if not m:
                    kept.append(text[pos:])
                    break
                kept.append(text[pos:m.start()])
                inside, pos = True, m.end()
                touched += 1
        new = "".join(kept).strip()
        if new:
            cell.source = new
            out.append(cell)
    if inside:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    nb = nbformat.from_dict(dict(nb))
    nb.cells = out
    return nb, touched


def main(src_dir: str, out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for md in sorted(Path(src_dir).glob("*.md")):
        nb = jupytext.read(md)
        student, touched = strip_solutions(nb)
        nbformat.write(student, out / f"{md.stem}.ipynb")
        print(f"{md.stem}: removed {touched} solution block(s) -> {out / (md.stem + '.ipynb')}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
