"""Check the whole-book PDF of ``make pdf``: every chapter is in it and no line is cut.

    python book/pdf_check.py book/_build/pdf/_build/latex/thermo-book.pdf \\
        --log book/_build/pdf/_build/latex/thermo-book.log

Three checks, each printed with its counts; the exit status is 1 if any fails:

1. **Every chapter is in it.**  The title (first ``#`` heading) of every
   ``notebooks/<ch>.md`` and the bibliography's title appear in the PDF's text
   (``pdftotext`` from Debian's poppler-utils).
2. **No code or output line is cut.**  Every line of every code cell the PDF shows (the
   stored ``notebooks/<ch>.ipynb`` the PDF is built from, without the cells tagged
   ``remove-input``/``remove-cell``) and of every plain-text output appears whole in the
   PDF's text.  Lines are compared without white space and without the continuation
   marks that LaTeX puts where it wraps a long line, so a wrapped line counts as whole
   and a line cut at the margin does not.
   This is the check that catches a cut code line: LaTeX reports no overfull box for
   Sphinx's Verbatim (measured: with wrapping turned off, 391 of the 1761 code and output lines were cut and the
   log had no overfull line in code), so the log alone would not see it.
3. **Nothing runs off the page.**  The LaTeX log's overfull boxes are located in the
   ``.tex`` source: any overfull line inside code, output (Verbatim) or a table fails;
   any other (display math, text) fails when it is wider than the margin (it would leave
   the page), and is listed otherwise so the chapter's author can break it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
MARGIN_PT = 72.27  # Sphinx's default hmargin, 1 in
HIDDEN_TAGS = {"remove-input", "remove-cell", "remove_input", "remove_cell"}
# What LaTeX and pdftotext add where a long Verbatim line is wrapped (Sphinx's \hookrightarrow
# continuation mark and its friends), and what Verbatim shows for a visible space.
# pdftotext renders the hook arrow as ",\u2192".
WRAP_MARKS = re.compile(r"(,?[\u21aa\u21a9\u2192]|[\s\u2423\u00ad\u200b])+")
OVERFULL = re.compile(
    r"^Overfull \\hbox \((?P<pt>[\d.]+)pt too wide\) "
    r"(?:in paragraph at lines (?P<a>\d+)--(?P<b>\d+)|detected at line (?P<c>\d+))",
    re.M,
)


def squash(text: str) -> str:
    """Text without white space or wrap marks, with typographic quotes made straight."""
    text = text.translate(
        str.maketrans(
            {
                "\u2018": "'",
                "\u2019": "'",
                "\u201c": '"',
                "\u201d": '"',
                "\u2212": "-",
                "\u2013": "--",
                "\ufb01": "fi",
                "\ufb02": "fl",
            }
        )
    )
    return WRAP_MARKS.sub("", text)


def pdf_text(pdf: Path) -> str:
    """The PDF's text by ``pdftotext`` (poppler-utils).

    Raises
    ------
    FileNotFoundError
        If ``pdf`` does not exist or pdftotext is not installed (``make tex``).
    """
    if not Path(pdf).is_file():
        raise FileNotFoundError(f"pdf: no such file {pdf}")
    try:
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            "pdftotext not found: install poppler-utils (`make tex`)"
        ) from exc
    return out.stdout


def body_text(text: str) -> str:
    """The PDF text without running heads, page numbers and "continued" notes.

    A code block broken by a page break then reads on as one block (pdftotext separates
    pages by form feeds; Sphinx marks a broken block "(continues on next page)").
    """
    pages = []
    for page in text.split("\f"):
        lines = [
            ln
            for ln in page.splitlines()
            if ln.strip()
            and ln.strip()
            not in ("(continues on next page)", "(continued from previous page)")
        ]
        pages.append(
            "\n".join(lines[1:-1])
        )  # first line: running head; last: page number
    return "\n".join(pages)


def chapter_title(md: Path) -> str:
    """The first ``# `` heading of a chapter, without MyST markup or math."""
    for line in md.read_text().splitlines():
        if line.startswith("# "):
            title = re.sub(r"\$[^$]*\$|[`*_{}]", " ", line[2:])
            return " ".join(title.split())
    raise ValueError(f"md: {md} has no '# ' title")


def shown_lines(ipynb: Path) -> list[tuple[str, str]]:
    """``(kind, line)`` for every non-blank code and plain-text output line the PDF shows."""
    nb = json.loads(Path(ipynb).read_text())
    lines = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove_cell"}:
            continue
        if not tags & HIDDEN_TAGS:
            lines += [
                ("code", ln) for ln in "".join(cell.get("source", "")).splitlines()
            ]
        if tags & {"remove-output", "remove_output"}:
            continue
        for out in cell.get("outputs", []):
            text = (
                out.get("text")
                if out.get("output_type") == "stream"
                else out.get("data", {}).get("text/plain")
                if "image/png" not in out.get("data", {})
                else None
            )
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue  # stderr is removed from the book (execute.stderr_output)
            if text:
                lines += [("output", ln) for ln in "".join(text).splitlines()]
    return [(k, ln) for k, ln in lines if ln.strip()]


@dataclass
class Overfull:
    points: float
    line: int
    where: str  # "verbatim", "table", "math" or "text"


def _environment(tex_lines: list[str], line: int) -> str:
    """Which environment encloses ``line`` (1-based) of the .tex source."""
    depth = {"verbatim": 0, "table": 0, "math": 0}
    kinds = {
        "sphinxVerbatim": "verbatim",
        "sphinxVerbatimInput": "verbatim",
        "sphinxVerbatimOutput": "verbatim",
        "longtable": "table",
        "tabulary": "table",
        "tabular": "table",
        "equation*": "math",
        "equation": "math",
        "align*": "math",
        "split": "math",
        "displaymath": "math",
    }
    for i, text in enumerate(tex_lines[:line]):
        for m in re.finditer(r"\\(begin|end)\{([^}]+)\}", text):
            if i == line - 1 and m.group(1) == "end":
                continue  # TeX reports a display at the line that closes it
            kind = kinds.get(m.group(2))
            if kind:
                depth[kind] += 1 if m.group(1) == "begin" else -1
    for kind in ("verbatim", "table", "math"):
        if depth[kind] > 0:
            return kind
    return "text"


def overfull_boxes(log: str, tex_lines: list[str]) -> list[Overfull]:
    """Every overfull \\hbox of a LaTeX log, located in its .tex source."""
    found = []
    for m in OVERFULL.finditer(log):
        line = int(m.group("c") or m.group("b"))
        found.append(
            Overfull(float(m.group("pt")), line, _environment(tex_lines, line))
        )
    return found


def check(pdf: Path, log: Path | None = None, nb_dir: Path = NB_DIR) -> list[str]:
    """Every problem of the PDF, one line each (empty when the PDF passes)."""
    problems = []
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    chapters = sorted(nb_dir.glob("*.md"))
    if not chapters:
        raise ValueError(f"nb_dir: no chapter in {nb_dir}")
    for md in chapters:
        title = chapter_title(md)
        words = [w for w in title.split() if len(w) > 2][:4]
        if not all(w in flat for w in words):
            problems.append(f"chapter {md.stem}: its title {title!r} is not in the PDF")
    if "Bibliography" not in flat:
        problems.append("the bibliography is not in the PDF")
    print(f"[pdf] {len(chapters)} chapters looked for by title")

    squashed = squash(body_text(text))
    n_lines = 0
    for md in chapters:
        ipynb = md.with_suffix(".ipynb")
        if not ipynb.exists():
            problems.append(
                f"chapter {md.stem}: no stored {ipynb.name} (the PDF is built from it)"
            )
            continue
        missing = [
            (k, ln) for k, ln in shown_lines(ipynb) if squash(ln) not in squashed
        ]
        n_lines += len(shown_lines(ipynb))
        for kind, ln in missing[:5]:
            problems.append(
                f"chapter {md.stem}: {kind} line not whole in the PDF: {ln.strip()[:90]!r}"
            )
        if len(missing) > 5:
            problems.append(f"chapter {md.stem}: ... and {len(missing) - 5} more lines")
    print(f"[pdf] {n_lines} code and output lines compared with the PDF text")

    if log is not None:
        tex = Path(log).with_suffix(".tex").read_text(errors="ignore").splitlines()
        boxes = overfull_boxes(Path(log).read_text(errors="ignore"), tex)
        for box in boxes:
            cut = box.where in ("verbatim", "table") or box.points > MARGIN_PT
            label = "FAIL" if cut else "note"
            msg = f"{box.where} at .tex line {box.line} is {box.points:.1f} pt wider than the text"
            print(f"[pdf] {label}: {msg}: {' '.join(tex[box.line - 1].split())[:100]}")
            if cut:
                problems.append(msg)
        print(
            f"[pdf] {len(boxes)} overfull lines in the LaTeX log "
            f"({sum(b.where in ('verbatim', 'table') for b in boxes)} in code, output or tables)"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument(
        "--log", type=Path, default=None, help="the LaTeX log (thermo-book.log)"
    )
    args = parser.parse_args(argv)
    problems = check(args.pdf, args.log)
    for p in problems:
        print(f"[pdf] {p}")
    print(f"[pdf] {'FAILED' if problems else 'ok'}: {args.pdf}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
