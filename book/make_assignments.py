"""Write, for every chapter, a student notebook and an otter-grader autograder.

    python book/make_assignments.py notebooks build/assignments

For each ``notebooks/<chapter>.md`` (jupytext MyST) with hidden checks in
``book/grading/<chapter>.yml`` this script

1. builds an otter-grader "master" notebook that holds the chapter's set-up and its
   exercises, not the whole chapter: the chapter's title and opening, then only the
   code cells the exercises and their checks depend on (found by following the names
   they read back through the chapter's cells), then each ``{exercise}`` as an otter
   question: its prompt with its number and points and the names the check reads,
   one answer cell, and the hidden check;
2. runs ``otter assign`` on it, which writes

   * ``<out>/<chapter>/student/<chapter>.ipynb``: the notebook to hand out.  Each
     answer cell keeps one line per name the check reads, with the right-hand side
     blanked (``n_rf_needed = ...  # int: ...``), and no solution code or prose;
   * ``<out>/<chapter>/autograder/<chapter>.ipynb``: the reference solution;
   * ``<out>/<chapter>/autograder/<chapter>-autograder_*.zip``: the autograder,
     holding the hidden checks, for ``book/grading/grade.py`` (``make grade``).

Markdown is made plain for Jupyter: ``{glue:text}`` and ``{glue:md}`` become the value
stored in the executed twin ``notebooks/<chapter>.ipynb``, ``{cite}`` becomes
author-year, ``{download}`` a plain link, ``{numref}``/``{ref}`` to an exercise its
number, and any other role its text.

Solutions are what the chapter puts between ``{solution-start}`` and
``{solution-end}`` (or in cells tagged ``solution``).  Prose inside a solution is
dropped; code cells inside it form the reference answer.  An exercise without checks,
or checks for an exercise that does not exist, is an error.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shutil
import symtable
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

HERE = Path(__file__).resolve().parent
GRADING = HERE / "grading"

EXERCISE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{exercise\}(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.S | re.M,
)
# Where a solution starts and ends: the same patterns as the student edition's
# (book/_ext/solution_syntax.py, shared with hide_gated_solutions.py).
sys.path.insert(0, str(HERE / "_ext"))
from solution_syntax import BLOCK as SOL_BLOCK
from solution_syntax import END as SOL_END
from solution_syntax import START as SOL_START

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
    """Read ``<grading_dir>/<chapter>.yml``.

    Parameters
    ----------
    chapter : str
        Chapter name (the stem of ``notebooks/<chapter>.md``).
    grading_dir : Path
        Folder of the checks files.

    Returns
    -------
    dict
        ``{label: {points, needs, hint, check, plant, answer?}}``; ``needs`` maps each
        name the check reads to what it must hold (shown to the student).  Empty if the
        chapter has no checks file.
    """
    path = grading_dir / f"{chapter}.yml"
    if not path.exists():
        return {}
    spec = yaml.safe_load(path.read_text()) or {}
    if not isinstance(spec, dict):
        raise ValueError(
            f"{path}: expected a mapping from exercise label to its checks"
        )
    for label, item in spec.items():
        missing = {"points", "needs", "hint", "check", "plant"} - set(item or {})
        if missing:
            raise ValueError(f"{path}: exercise {label!r} lacks {sorted(missing)}")
        if not (isinstance(item["points"], (int, float)) and item["points"] > 0):
            raise ValueError(
                f"{path}: exercise {label!r}: points must be a positive number"
            )
        needs = item["needs"]
        if not (
            isinstance(needs, dict)
            and needs
            and all(isinstance(v, str) and v.strip() for v in needs.values())
        ):
            raise ValueError(
                f"{path}: exercise {label!r}: needs must map each name to a description of its value"
            )
        bad = [n for n in needs if not (isinstance(n, str) and n.isidentifier())]
        if bad:
            raise ValueError(
                f"{path}: exercise {label!r}: needs holds names that are not identifiers: {bad}"
            )
        hint = item["hint"]
        if not (
            isinstance(hint, str)
            and hint.strip()
            and "\n" not in hint.strip()
            and not set('"\\') & set(hint)
        ):
            raise ValueError(
                f"{path}: exercise {label!r}: hint must be one line of text without double quotes or backslashes"
            )
    return spec


def _split_markdown(text: str):
    """Yield ``(kind, payload)`` pieces of a markdown cell: text, exercise, start, end."""
    pos = 0
    patterns = [
        ("exercise", EXERCISE),
        ("start", SOL_START),
        ("end", SOL_END),
        ("block", SOL_BLOCK),
    ]
    while True:
        hits = [
            (m.start(), kind, m) for kind, p in patterns if (m := p.search(text, pos))
        ]
        if not hits:
            yield "text", text[pos:]
            return
        start, kind, m = min(hits, key=lambda h: h[0])
        yield "text", text[pos:start]
        yield kind, m
        pos = m.end()


def _prompt(m: re.Match) -> tuple[str, str, str]:
    """Label, title and the MyST body of an ``{exercise}`` directive match."""
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
    return label, m.group("title").strip(), "\n".join(lines).strip()


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
                    items.append(
                        ("cell", nbformat.v4.new_markdown_cell("".join(kept).strip()))
                    )
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
                    raise ValueError(
                        f"{{solution-start}} {target} refers to no exercise above it"
                    )
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


# ------------------------------------------------------------------ names and the set-up slice
def names_of(src: str) -> tuple[set[str], set[str]]:
    """``(bound, read)`` global names of a code cell.

    ``bound``: names the cell binds at its top level (assignments, loops, imports, defs).
    ``read``: global names it reads anywhere, including inside functions, lambdas and
    comprehensions; their own parameters and loop variables are local and not counted.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(src)  # IPython magics become plain calls
    top = symtable.symtable(code, "<cell>", "exec")
    bound, read = set(), set()
    for sym in top.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            bound.add(sym.get_name())
        if sym.is_referenced():
            read.add(sym.get_name())
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        read.update(
            s.get_name()
            for s in table.get_symbols()
            if s.is_global() and s.is_referenced()
        )
    return bound, read


def reference_answer(ex: Exercise, spec: dict) -> str:
    """The reference answer of one exercise: its solution code, then the checks file's ``answer``."""
    parts = [src.strip("\n") for src in ex.solution_code]
    if spec.get("answer"):
        lines = [
            ln
            for ln in spec["answer"].strip("\n").splitlines()
            if ln.strip() not in ("# BEGIN SOLUTION", "# END SOLUTION")
        ]
        parts.append("\n".join(lines))
    return "\n\n".join(p for p in parts if p.strip())


def _statements(src: str) -> list[str]:
    """The top-level statements of a code cell, each as its source lines (decorators and comments above it included)."""
    lines = src.splitlines()
    tree = ast.parse(src)
    out, prev_end = [], 0
    for node in tree.body:
        first = (
            min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            - 1
        )
        start = prev_end
        while start < first and not lines[start].strip():
            start += 1
        out.append("\n".join(lines[start : node.end_lineno]))
        prev_end = node.end_lineno
    return out


def setup_code(items: list, exercises: dict[str, Exercise], checks: dict) -> list[str]:
    """The chapter code the exercises and their checks depend on, one string per kept cell.

    The first code cell (the chapter's set-up) is kept whole.  In the other cells only
    the top-level statements that matter are kept: walking back from the exercises, a
    statement is kept when it binds a name that a kept statement, a reference answer or
    a check reads; the names it reads are then needed in turn.  So an exercise that needs
    one constant of a long simulation cell gets that constant, not the simulation.
    """
    needed = set()
    for label, ex in exercises.items():
        stored, loaded = names_of(reference_answer(ex, checks[label]))
        c_stored, c_loaded = names_of(checks[label]["check"])
        needed |= (loaded - stored) | (c_loaded - c_stored - stored)
    code = [
        cell.source
        for kind, cell in items
        if kind == "cell" and cell.cell_type == "code"
    ]
    if not code:
        return []
    kept_cells = []
    for src in reversed(code[1:]):
        kept = []
        for stmt in reversed(_statements(src)):
            stored, loaded = names_of(stmt)
            if stored & needed:
                kept.append(stmt)
                needed = (needed - (stored - loaded)) | loaded
        if kept:
            kept_cells.append("\n".join(reversed(kept)))
    return [code[0]] + list(reversed(kept_cells))


# ------------------------------------------------------------------ MyST -> Jupyter markdown
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def glue_values(executed: Path) -> dict[str, dict]:
    """``{name: mime bundle}`` of every ``glue`` output stored in an executed notebook."""
    if not executed.exists():
        return {}
    nb = nbformat.read(executed, as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("scrapbook")
            if meta:
                prefix = meta.get("mime_prefix", "")
                out[meta["name"]] = {
                    k[len(prefix) :]: v for k, v in o.get("data", {}).items()
                }
    return out


def _glue_text(bundle: dict, fmt: str) -> str:
    text = str(bundle.get("text/plain", "")).strip()
    if fmt:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        try:
            return format(value, fmt)
        except (TypeError, ValueError):
            return text
    return (
        text[1:-1]
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""
        else text
    )


def citations(bib: Path = HERE / "references.bib") -> dict[str, tuple[str, str]]:
    """``{key: (authors, year)}`` from a BibTeX file, authors as 'A', 'A and B' or 'A et al.'."""
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(bib)).entries.items():
        people = entry.persons.get("author", []) or entry.persons.get("editor", [])
        last = [
            " ".join(p.last_names).replace("{", "").replace("}", "") for p in people
        ]
        who = (
            last[0]
            if len(last) == 1
            else f"{last[0]} and {last[1]}"
            if len(last) == 2
            else f"{last[0]} et al."
            if last
            else key
        )
        out[key] = (who, entry.fields.get("year", "n.d."))
    return out


def plain_markdown(
    text: str, *, glue: dict, cites: dict, numbers: dict[str, str]
) -> str:
    """``text`` with every MyST role replaced by what it shows, so that Jupyter renders it.

    Parameters
    ----------
    text : str
        MyST markdown.
    glue : dict
        ``{name: mime bundle}`` of the chapter's glued values.
    cites : dict
        ``{key: (authors, year)}`` of the bibliography.
    numbers : dict
        ``{exercise label: number}``, for ``{numref}`` and ``{ref}``.
    """

    def sub(m: re.Match) -> str:
        role, body = m.group("role"), m.group("body")
        titled = TITLED.match(body)
        text_part, target = (
            (titled.group("text"), titled.group("target")) if titled else (None, body)
        )
        if role.startswith("glue"):
            name, _, fmt = target.partition(":")
            if name not in glue:
                raise ValueError(
                    f"glue value {name!r} is not stored in the executed chapter"
                )
            bundle = glue[name]
            if role == "glue:md" and "text/markdown" in bundle:
                return str(bundle["text/markdown"]).strip()
            return _glue_text(bundle, fmt)
        if role.startswith("cite"):
            keys = [k.strip() for k in target.split(",") if k.strip()]
            unknown = [k for k in keys if k not in cites]
            if unknown:
                raise ValueError(
                    f"citation key(s) {unknown} are not in book/references.bib"
                )
            if role == "cite:t":
                return "; ".join(f"{cites[k][0]} ({cites[k][1]})" for k in keys)
            return "(" + "; ".join(f"{cites[k][0]} {cites[k][1]}" for k in keys) + ")"
        if role == "download":
            return f"[{text_part or target}]({target})"
        if role in ("numref", "ref") and target in numbers:
            return text_part or f"Exercise {numbers[target]}"
        if text_part:
            return text_part
        return target.lstrip("/").split("/")[-1] if role == "doc" else target

    return ROLE.sub(sub, text)


def exercise_numbers(
    chapter: str, labels: list[str], toc: Path = HERE / "_toc.yml"
) -> dict[str, str]:
    """The numbers the book gives the chapter's exercises: ``3.2`` in numbered chapters, else ``2``."""
    cfg = yaml.safe_load(toc.read_text())
    prefix = ""
    for part in cfg.get("parts", []):
        files = [c["file"].split("/")[-1] for c in part.get("chapters", [])]
        if part.get("numbered") and chapter in files:
            prefix = f"{files.index(chapter) + 1}."
    return {label: f"{prefix}{k + 1}" for k, label in enumerate(labels)}


# ------------------------------------------------------------------ the master notebook
ANSWER_HEAD = "# Exercise {number}: your answer."


def answer_cell(ex: Exercise, spec: dict, number: str) -> str:
    """The otter answer cell: the reference answer, and the blanked lines the student sees."""
    prompt = [f"{name} = ...  # {desc.strip()}" for name, desc in spec["needs"].items()]
    return "\n".join(
        [
            ANSWER_HEAD.format(number=number)
            + " Replace each ... below (add any lines you need above them).",
            "# BEGIN SOLUTION NO PROMPT",
            reference_answer(ex, spec),
            "# END SOLUTION",
            '""" # BEGIN PROMPT',
            *prompt,
            '""" # END PROMPT',
        ]
    )


def check_cell(spec: dict, number: str, label: str) -> str:
    """The hidden test: every needed name set, then the checks file's ``check``.

    The check runs inside one function, so it stops at the first failed assertion and the
    feedback carries that assertion's message only, not the errors that would follow.
    """
    config = {
        "hidden": True,
        "points": spec["points"],
        "failure_message": spec["hint"].strip(),
    }
    guard = [
        f"assert {name} is not ..., 'set {name} in the answer cell of Exercise {number} (it is still ...)'"
        for name in spec["needs"]
    ]
    body = "\n".join(guard) + "\n" + spec["check"].strip("\n")
    func = "check_" + re.sub(r"\W", "_", label)
    return (
        '""" # BEGIN TEST CONFIG\n'
        + yaml.safe_dump(config, sort_keys=False)
        + '""" # END TEST CONFIG\n'
        + f"def {func}():\n"
        + textwrap.indent(body, "    ")
        + f"\n{func}()"
    )


def master_notebook(
    chapter: str,
    nb: nbformat.NotebookNode,
    checks: dict,
    *,
    glue: dict | None = None,
    cites: dict | None = None,
) -> nbformat.NotebookNode:
    """The otter-grader master notebook of ``chapter``: set-up cells and exercises with hidden ``checks``."""
    items, exercises = parse_chapter(nb)
    unchecked = sorted(set(exercises) - set(checks))
    unknown = sorted(set(checks) - set(exercises))
    if unchecked:
        raise ValueError(
            f"{chapter}: no checks in book/grading/{chapter}.yml for exercise(s) {unchecked}"
        )
    if unknown:
        raise ValueError(
            f"{chapter}: book/grading/{chapter}.yml has checks for unknown exercise(s) {unknown}"
        )
    for ex in exercises.values():
        if not ex.has_solution:
            raise ValueError(f"{chapter}: exercise {ex.label!r} has no solution")
    numbers = exercise_numbers(chapter, list(exercises))
    glue = {} if glue is None else glue
    cites = citations() if cites is None else cites

    def md(text: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_markdown_cell(
            plain_markdown(text, glue=glue, cites=cites, numbers=numbers)
        )

    config = {
        "name": chapter,
        "init_cell": False,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,
        "generate": True,
        "tests": {"files": False},
    }
    cells = [_raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False))]
    opening = next(
        (c.source for k, c in items if k == "cell" and c.cell_type == "markdown"),
        f"# {chapter}",
    )
    # the chapter's "download this chapter" line would point at this very notebook: leave it out
    opening = "\n\n".join(
        p
        for p in opening.split("\n\n")
        if not re.fullmatch(r"\s*\{download\}`[^`]*`\s*", p)
    )
    cells.append(md(opening))
    total = sum(checks[label]["points"] for label in exercises)
    cells.append(
        nbformat.v4.new_markdown_cell(
            f"**This assignment** holds the chapter's set-up (only the code its exercises need) and its "
            f"{len(exercises)} exercise(s), {total:g} points in all; read the chapter itself in the book. "
            "Run the cells from the top. Each exercise has one answer cell: replace every `...` in it (you may "
            "add lines above them). A hidden check reads the names that cell sets, right after it."
        )
    )
    for k, src in enumerate(setup_code(items, exercises, checks)):
        head = (
            "" if k == 0 else "# From the chapter: only the lines the exercises need.\n"
        )
        cells.append(nbformat.v4.new_code_cell(head + src))
    cells.append(nbformat.v4.new_markdown_cell("## Exercises"))
    for label, ex in exercises.items():
        spec, number = checks[label], numbers[label]
        pts = spec["points"]
        names = "; ".join(f"`{n}`: {d.strip()}" for n, d in spec["needs"].items())
        prompt = (
            f"### Exercise {number}: {ex.title} ({pts:g} point{'s' if pts != 1 else ''})\n\n{ex.prompt}\n\n"
            f"*Answer:* in the cell below, set {names}."
        )
        cells.append(_raw(f"# BEGIN QUESTION\nname: {label}\npoints: {pts}"))
        cells.append(md(prompt))
        cells.append(_raw("# BEGIN SOLUTION"))
        cells.append(nbformat.v4.new_code_cell(answer_cell(ex, spec, number)))
        cells.append(_raw("# END SOLUTION"))
        cells.append(_raw("# BEGIN TESTS"))
        cells.append(nbformat.v4.new_code_cell(check_cell(spec, number, label)))
        cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    return out


def build(chapter_md: Path, out_dir: Path, grading_dir: Path = GRADING) -> Path | None:
    """Write ``out_dir/<chapter>/{student,autograder}`` for one chapter; None if it has no exercises."""
    from otter.assign import main as otter_assign

    chapter = chapter_md.stem
    nb = jupytext.read(chapter_md)
    checks = load_checks(chapter, grading_dir)
    if not checks and not parse_chapter(nb)[1]:
        return None
    master = master_notebook(
        chapter, nb, checks, glue=glue_values(chapter_md.with_suffix(".ipynb"))
    )
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
        raise RuntimeError(
            f"{chapter}: otter assign wrote no autograder:\n{log.getvalue()}"
        )
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
        print(
            f"{md.stem}: {n} exercise(s) -> {dest / 'student' / (md.stem + '.ipynb')}, "
            f"autograder in {dest / 'autograder'}"
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
