"""Write, for every chapter, a student notebook and an otter-grader autograder.

    python book/make_assignments.py notebooks build/assignments

For each ``notebooks/<chapter>.md`` (jupytext MyST) with hidden checks in
``book/grading/<chapter>.yml`` this script

1. builds an otter-grader "master" notebook: the chapter's cells, where each
   ``{exercise}`` becomes an otter question (its prompt, then its solution code
   between ``# BEGIN SOLUTION`` / ``# END SOLUTION``, then the optional answer
   cell of the checks file, then the hidden check);
2. runs ``otter assign`` on it, which writes

   * ``<out>/<chapter>/student/<chapter>.ipynb``: the notebook to hand out, with
     every solution replaced by ``...`` and the solution prose removed;
   * ``<out>/<chapter>/autograder/<chapter>.ipynb``: the reference solution;
   * ``<out>/<chapter>/autograder/<chapter>-autograder_*.zip``: the autograder,
     holding the hidden checks, for ``book/grading/grade.py`` (``make grade``).

Solutions are what the chapter puts between ``{solution-start}`` and
``{solution-end}`` (or in cells tagged ``solution``).  Prose inside a solution is
dropped; code cells inside it become solution cells.  An exercise without checks,
or checks for an exercise that does not exist, is an error.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

HERE = Path(__file__).resolve().parent
GRADING = HERE / "grading"

EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)
SOL_START = re.compile(r"^`{3,}\{solution-start\}\s*(?P<label>[^\s`]*)[^\n]*\n.*?^`{3,}[ \t]*$", re.S | re.M)
SOL_END = re.compile(r"^`{3,}\{solution-end\}[^\n]*\n`{3,}[ \t]*$", re.M)
SOL_BLOCK = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)[ \t]*$", re.S | re.M)
OPTION = re.compile(r"^:(\w[\w-]*):[ \t]*(.*)$")


@dataclass
class Exercise:
    """One exercise of a chapter: its label, prompt and solution code cells."""

    label: str
    title: str
    prompt: str
    solution_code: list[str] = field(default_factory=list)
    has_solution: bool = False


def load_checks(chapter: str, grading_dir: Path = GRADING) -> dict:
    """Read ``<grading_dir>/<chapter>.yml``: ``{label: {points, needs, check, answer?, plant}}``."""
    path = grading_dir / f"{chapter}.yml"
    if not path.exists():
        return {}
    spec = yaml.safe_load(path.read_text()) or {}
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: expected a mapping from exercise label to its checks")
    for label, item in spec.items():
        missing = {"points", "needs", "check", "plant"} - set(item or {})
        if missing:
            raise ValueError(f"{path}: exercise {label!r} lacks {sorted(missing)}")
        if not (isinstance(item["points"], (int, float)) and item["points"] > 0):
            raise ValueError(f"{path}: exercise {label!r}: points must be a positive number")
    return spec


def _split_markdown(text: str):
    """Yield ``(kind, payload)`` pieces of a markdown cell: text, exercise, start, end."""
    pos = 0
    patterns = [("exercise", EXERCISE), ("start", SOL_START), ("end", SOL_END), ("block", SOL_BLOCK)]
    while True:
        hits = [(m.start(), kind, m) for kind, p in patterns if (m := p.search(text, pos))]
        if not hits:
            yield "text", text[pos:]
            return
        start, kind, m = min(hits, key=lambda h: h[0])
        yield "text", text[pos:start]
        yield kind, m
        pos = m.end()


def _prompt(m: re.Match) -> tuple[str, str, str]:
    """Label, title and a plain-markdown prompt from an ``{exercise}`` directive match."""
    label, lines = None, []
    for line in m.group("body").splitlines():
        opt = OPTION.match(line)
        if opt and not lines:
            if opt.group(1) == "label":
                label = opt.group(2).strip()
            continue
        lines.append(line)
    if not label:
        raise ValueError(f"exercise {m.group('title').strip()!r} has no :label:")
    title = m.group("title").strip()
    return label, title, f"**Exercise ({label}): {title}**\n\n" + "\n".join(lines).strip()


def parse_chapter(nb: nbformat.NotebookNode) -> tuple[list, dict[str, Exercise]]:
    """Split a chapter into a stream of items: ``("cell", cell)`` and ``("exercise", label)``.

    Solutions are collected into the returned exercises and left out of the stream.
    """
    items, exercises, current, inside = [], {}, None, False
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "code":
            if inside or "solution" in tags:
                if current is None:
                    raise ValueError("a solution code cell comes before any exercise")
                exercises[current].solution_code.append(cell.source)
                exercises[current].has_solution = True
            else:
                items.append(("cell", cell))
            continue
        if cell.cell_type != "markdown":
            if not inside:
                items.append(("cell", cell))
            continue
        kept = []
        for kind, payload in _split_markdown(cell.source):
            if kind == "text":
                if not inside:
                    kept.append(payload)
            elif kind == "exercise":
                if inside:
                    raise ValueError("an {exercise} inside a solution")
                if "".join(kept).strip():
                    items.append(("cell", nbformat.v4.new_markdown_cell("".join(kept).strip())))
                kept = []
                label, title, prompt = _prompt(payload)
                if label in exercises:
                    raise ValueError(f"exercise label {label!r} used twice")
                exercises[label] = Exercise(label, title, prompt)
                current = label
                items.append(("exercise", label))
            elif kind == "start":
                if inside:
                    raise ValueError("a {solution-start} inside another solution")
                target = payload.group("label")
                if target not in exercises:
                    raise ValueError(f"{{solution-start}} {target} refers to no exercise above it")
                current, inside = target, True
                exercises[target].has_solution = True
            elif kind == "end":
                if not inside:
                    raise ValueError("a {solution-end} without a {solution-start}")
                inside = False
            elif kind == "block" and current is not None:
                exercises[current].has_solution = True
        if "".join(kept).strip():
            items.append(("cell", nbformat.v4.new_markdown_cell("".join(kept).strip())))
    if inside:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    return items, exercises


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def _solution(src: str) -> str:
    return "# BEGIN SOLUTION\n" + src.strip("\n") + "\n# END SOLUTION"


def master_notebook(chapter: str, nb: nbformat.NotebookNode, checks: dict) -> nbformat.NotebookNode:
    """The otter-grader master notebook of ``chapter`` with the hidden ``checks``."""
    items, exercises = parse_chapter(nb)
    unchecked = sorted(set(exercises) - set(checks))
    unknown = sorted(set(checks) - set(exercises))
    if unchecked:
        raise ValueError(f"{chapter}: no checks in book/grading/{chapter}.yml for exercise(s) {unchecked}")
    if unknown:
        raise ValueError(f"{chapter}: book/grading/{chapter}.yml has checks for unknown exercise(s) {unknown}")
    config = {"name": chapter, "init_cell": False, "check_all_cell": False, "export_cell": False,
              "run_tests": False, "generate": True, "tests": {"files": False}}
    cells = [_raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False))]
    for kind, payload in items:
        if kind == "cell":
            cell = nbformat.from_dict(dict(payload))
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cells.append(cell)
            continue
        ex, spec = exercises[payload], checks[payload]
        if not ex.has_solution:
            raise ValueError(f"{chapter}: exercise {ex.label!r} has no solution")
        cells.append(_raw(f"# BEGIN QUESTION\nname: {ex.label}\npoints: {spec['points']}"))
        cells.append(nbformat.v4.new_markdown_cell(ex.prompt))
        cells.append(_raw("# BEGIN SOLUTION"))
        for src in ex.solution_code:
            cells.append(nbformat.v4.new_code_cell(_solution(src)))
        if spec.get("answer"):
            cells.append(nbformat.v4.new_code_cell(spec["answer"].strip("\n")))
        cells.append(_raw("# END SOLUTION"))
        cells.append(_raw("# BEGIN TESTS"))
        header = f'""" # BEGIN TEST CONFIG\nhidden: true\npoints: {spec["points"]}\n""" # END TEST CONFIG\n'
        cells.append(nbformat.v4.new_code_cell(header + spec["check"].strip("\n")))
        cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                    "language_info": {"name": "python"}}
    return out


def build(chapter_md: Path, out_dir: Path, grading_dir: Path = GRADING) -> Path | None:
    """Write ``out_dir/<chapter>/{student,autograder}`` for one chapter; None if it has no exercises."""
    from otter.assign import main as otter_assign

    chapter = chapter_md.stem
    nb = jupytext.read(chapter_md)
    checks = load_checks(chapter, grading_dir)
    if not checks and not parse_chapter(nb)[1]:
        return None
    master = master_notebook(chapter, nb, checks)
    dest = out_dir / chapter
    shutil.rmtree(dest, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{chapter}.ipynb"
        nbformat.write(master, src)
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            otter_assign(str(src), str(dest), no_pdfs=True, no_run_tests=True)
    zips = sorted((dest / "autograder").glob(f"{chapter}-autograder_*.zip"))
    if not zips or not (dest / "student" / f"{chapter}.ipynb").exists():
        raise RuntimeError(f"{chapter}: otter assign wrote no autograder:\n{log.getvalue()}")
    return dest


def main(src_dir: str, out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for md in sorted(Path(src_dir).glob("*.md")):
        dest = build(md, out)
        if dest is None:
            print(f"{md.stem}: no exercises")
            continue
        n = len(load_checks(md.stem))
        print(f"{md.stem}: {n} exercise(s) -> {dest / 'student' / (md.stem + '.ipynb')}, "
              f"autograder in {dest / 'autograder'}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
