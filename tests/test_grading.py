"""Autograded assignments: `make assignments` and `make grade`.

Fast checks (always run): every exercise of every chapter has hidden checks in
book/grading/<chapter>.yml; every variable a check needs is defined by the
exercise's solution (or the checks file's answer cell) and nowhere else in the
chapter, so a notebook without the solution cannot pass by accident; the student
notebooks contain no solution code and no hidden check.

Student notebooks: every name a check reads is set (to `...`) in that exercise's
answer cell, every prompt shows its number and points, and no MyST role is left raw.

End to end (marked `course`, run by `make test` and `make test-course`): the
reference solutions score full marks; a student-style submission (the student
notebook with the answer written into each provided cell, nothing else) scores full
marks; the student notebooks as handed out score zero; one planted wrong answer per
chapter loses exactly its exercise's points; every student gets a feedback file that
carries the failed checks' messages.  Assignments hold only the chapter's set-up and
its exercises, so this test executes 20 short notebooks rather than whole chapters.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import jupytext
from IPython.core.inputtransformer2 import TransformerManager
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
CHAPTERS = sorted(p.stem for p in NB.glob("*.md"))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


assign = _load("make_assignments", ROOT / "book" / "make_assignments.py")
grader = _load("grade", ROOT / "book" / "grading" / "grade.py")


def _assigned(src: str) -> set[str]:
    """Names bound at the top level of a code cell (assignments, loops, imports, defs)."""
    names = set()
    tree = ast.parse(
        TransformerManager().transform_cell(src)
    )  # IPython magics become plain calls
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_has_checks_on_variables_its_solution_defines(chapter):
    nb = jupytext.read(NB / f"{chapter}.md")
    items, exercises = assign.parse_chapter(nb)
    checks = assign.load_checks(chapter)
    assert set(checks) == set(exercises), (
        f"book/grading/{chapter}.yml has checks for {sorted(checks)}, the chapter's exercises are {sorted(exercises)}"
    )
    outside = set()
    for kind, cell in items:
        if kind == "cell" and cell.cell_type == "code":
            outside |= _assigned(cell.source)
    for label, ex in exercises.items():
        spec = checks[label]
        defined = _assigned(assign.reference_answer(ex, spec))
        missing = sorted(set(spec["needs"]) - defined)
        assert not missing, (
            f"{chapter}/{label}: the reference answer no longer defines {missing}, which the check needs"
        )
        shared = sorted(set(spec["needs"]) & outside)
        assert not shared, (
            f"{chapter}/{label}: {shared} are also defined outside the solution"
        )
        compile(spec["check"], f"{chapter}/{label} check", "exec")
        compile(spec["plant"], f"{chapter}/{label} plant", "exec")
        for line in spec["check"].splitlines():  # a failed assertion must say something
            if line.strip().startswith("assert "):
                assert "," in line, (
                    f"{chapter}/{label}: an assertion without a message: {line.strip()}"
                )


def test_bad_checks_files_are_refused(tmp_path):
    (tmp_path / "x.yml").write_text(
        "ex-1:\n  points: 0\n  needs: {x: int}\n  hint: h\n  check: 'assert True'\n  plant: 'x = 1'\n"
    )
    with pytest.raises(ValueError, match="points"):
        assign.load_checks("x", tmp_path)
    (tmp_path / "y.yml").write_text("ex-1:\n  points: 1\n")
    with pytest.raises(ValueError, match="lacks"):
        assign.load_checks("y", tmp_path)
    base = "ex-1:\n  points: 1\n  check: 'assert True, \"m\"'\n  plant: 'x = 1'\n"
    (tmp_path / "z.yml").write_text(base + "  needs: [x]\n  hint: h\n")
    with pytest.raises(ValueError, match="needs"):
        assign.load_checks("z", tmp_path)
    (tmp_path / "w.yml").write_text(
        base + "  needs: {x: an int}\n  hint: 'say \"no\"'\n"
    )
    with pytest.raises(ValueError, match="hint"):
        assign.load_checks("w", tmp_path)


def test_parser_on_a_synthetic_chapter():
    md = (
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n"
        "  display_name: Python 3\n---\n\n"
        "Intro\n\n```{code-cell} ipython3\nx = 1\n```\n\n```{exercise} E\n:label: e1\nDo it.\n```\n\n"
        "```{solution-start} e1\n:class: dropdown\n```\nSecret text\n\n"
        "```{code-cell} ipython3\nanswer = 2 * x\n```\n\n"
        "```{solution-end}\n```\n\nAfter\n\n```{code-cell} ipython3\nprint('kept')\n```\n"
    )
    items, exercises = assign.parse_chapter(jupytext.reads(md, fmt="md:myst"))
    assert list(exercises) == ["e1"] and exercises["e1"].solution_code == [
        "answer = 2 * x"
    ]
    text = "\n".join(c.source for k, c in items if k == "cell")
    assert "Secret" not in text and "answer" not in text
    assert "After" in text and "print('kept')" in text and "x = 1" in text
    spec = {
        "e1": {
            "points": 1,
            "needs": {"answer": "int, twice x"},
            "hint": "double it",
            "check": "assert answer == 2, 'not twice x'",
            "plant": "answer = 3",
        }
    }
    master = assign.master_notebook(
        "syn", jupytext.reads(md, fmt="md:myst"), spec, cites={}
    )
    sources = [c.source for c in master.cells]
    assert "# BEGIN QUESTION\nname: e1\npoints: 1" in sources
    answer = next(s for s in sources if s.startswith("# Exercise 1: your answer"))
    assert "answer = 2 * x" in answer and "answer = ...  # int, twice x" in answer
    assert any("(1 point)" in s for s in sources)
    with pytest.raises(ValueError, match="no checks"):
        assign.master_notebook("syn", jupytext.reads(md, fmt="md:myst"), {}, cites={})
    with pytest.raises(ValueError, match="no matching"):
        assign.parse_chapter(
            jupytext.reads(md.replace("```{solution-end}\n```\n", ""), fmt="md:myst")
        )


@pytest.fixture(scope="module")
def assignments(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    assert assign.main(str(NB), str(out)) == 0
    return out


ROLE = re.compile(r"\{[\w:-]+\}`")


def _answer_cells(student: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """``{exercise number: answer cell}`` of a student notebook."""
    out = {}
    for cell in student.cells:
        m = re.match(r"# Exercise ([\d.]+): your answer", cell.source)
        if cell.cell_type == "code" and m:
            out[m.group(1)] = cell
    return out


def test_roles_become_plain_markdown():
    glue = {
        "g": {"text/plain": "0.123456"},
        "s": {"text/plain": "'ok'"},
        "m": {"text/markdown": "**md**"},
    }
    cites = {"k1": ("Mei and Montanari", "2019"), "k2": ("Zhang et al.", "2017")}
    text = (
        "{glue:text}`g:.2f` {glue:text}`s` {glue:md}`m` {cite}`k1,k2` {cite:t}`k1` "
        "{download}`Get it <./a.ipynb>` {numref}`e1` {doc}`/bibliography` {ref}`the text <lbl>`"
    )
    out = assign.plain_markdown(text, glue=glue, cites=cites, numbers={"e1": "3.1"})
    assert out == (
        "0.12 ok **md** (Mei and Montanari 2019; Zhang et al. 2017) Mei and Montanari (2019) "
        "[Get it](./a.ipynb) Exercise 3.1 bibliography the text"
    )
    with pytest.raises(ValueError, match="glue"):
        assign.plain_markdown("{glue:text}`nope`", glue={}, cites={}, numbers={})
    with pytest.raises(ValueError, match="citation"):
        assign.plain_markdown("{cite}`nope`", glue={}, cites={}, numbers={})


def test_student_notebooks_show_points_names_and_no_solution(assignments):
    for chapter in CHAPTERS:
        checks = assign.load_checks(chapter)
        if not checks:
            continue
        student = nbformat.read(
            assignments / chapter / "student" / f"{chapter}.ipynb", as_version=4
        )
        src = "\n".join(c.source for c in student.cells)
        assert (
            "{solution-start}" not in src
            and "BEGIN SOLUTION" not in src
            and "BEGIN TESTS" not in src
        )
        raw_roles = [
            c.source[:80]
            for c in student.cells
            if c.cell_type == "markdown" and ROLE.search(c.source)
        ]
        assert not raw_roles, (
            f"{chapter}: raw MyST roles in the student notebook: {raw_roles}"
        )
        _, exercises = assign.parse_chapter(jupytext.read(NB / f"{chapter}.md"))
        numbers = assign.exercise_numbers(chapter, list(exercises))
        answers = _answer_cells(student)
        for label, ex in exercises.items():
            spec, number = checks[label], numbers[label]
            pts = f"({spec['points']:g} point"
            assert any(
                c.cell_type == "markdown"
                and f"Exercise {number}: {ex.title} {pts}" in c.source
                for c in student.cells
            ), f"{chapter}: exercise {label} (with its points) missing"
            assert number in answers, f"{chapter}/{label}: no answer cell"
            cell_src = answers[number].source
            # every name the check reads is set in the provided cell, to a blank the student replaces
            blanks = {
                m.group(1) for m in re.finditer(r"^(\w+) = \.\.\.", cell_src, re.M)
            }
            missing = sorted(set(spec["needs"]) - blanks)
            assert not missing, (
                f"{chapter}/{label}: the student's answer cell does not name {missing}"
            )
            for code in ex.solution_code:
                # Distinctive lines only: formatted code repeats short lines such
                # as ")" or "tau=0.5," in the set-up cells the assignment keeps.
                body = [
                    ln
                    for ln in code.splitlines()
                    if len(ln.strip()) >= 20 and not ln.lstrip().startswith("#")
                ]
                assert not any(ln in src.splitlines() for ln in body), (
                    f"{chapter}/{label}: solution code leaked"
                )
            check_line = spec["check"].strip().splitlines()[-1]
            assert check_line not in src, (
                f"{chapter}/{label}: the hidden check is in the student notebook"
            )
        hidden = student.metadata["otter"]["tests"]
        assert all(not s["cases"] for t in hidden.values() for s in t["suites"]), (
            "hidden cases shipped to students"
        )
        assert student.metadata["otter"]["assignment_name"] == chapter


def _plant(reference: Path, label: str, code: str, dest: Path) -> None:
    """Append the wrong answer to the exercise's answer cell: otter checks right after that cell."""
    nb = nbformat.read(reference, as_version=4)
    idx = max(
        i
        for i, c in enumerate(nb.cells)
        if label in c.metadata.get("otter", {}).get("tests", [])
    )
    nb.cells[idx].source = nb.cells[idx].source.rstrip("\n") + "\n" + code
    nbformat.write(nb, dest)


def _student_style(chapter: str, student_nb: Path, dest: Path) -> None:
    """A submission written as a student would: each answer typed into its provided cell, nothing else.

    The student keeps the provided lines ``name = ...`` and replaces each ``...``,
    after working lines of their own (here the chapter's solution code).
    """
    nb = nbformat.read(student_nb, as_version=4)
    _, exercises = assign.parse_chapter(jupytext.read(NB / f"{chapter}.md"))
    checks = assign.load_checks(chapter)
    numbers = assign.exercise_numbers(chapter, list(exercises))
    answers = _answer_cells(nb)
    for label, ex in exercises.items():
        cell = answers[numbers[label]]
        work = assign.reference_answer(ex, checks[label])
        filled = re.sub(r"^(\w+) = \.\.\.", r"\1 = \1", cell.source, flags=re.M)
        cell.source = work + "\n" + filled
    nbformat.write(nb, dest)


@pytest.mark.slow
@pytest.mark.course
def test_grading_end_to_end(assignments, tmp_path):
    subs = tmp_path / "submissions"
    planted = {}
    graded = [c for c in CHAPTERS if assign.load_checks(c)]
    for i, chapter in enumerate(graded):
        ref = assignments / chapter / "autograder" / f"{chapter}.ipynb"
        stu = assignments / chapter / "student" / f"{chapter}.ipynb"
        for student, src in (("reference", ref), ("stripped", stu)):
            (subs / student).mkdir(parents=True, exist_ok=True)
            shutil.copy(src, subs / student / f"{chapter}.ipynb")
        (subs / "student_style").mkdir(parents=True, exist_ok=True)
        _student_style(chapter, stu, subs / "student_style" / f"{chapter}.ipynb")
        checks = assign.load_checks(chapter)
        label = sorted(checks)[i % len(checks)]
        planted[chapter] = label
        (subs / "planted").mkdir(parents=True, exist_ok=True)
        _plant(
            ref, label, checks[label]["plant"], subs / "planted" / f"{chapter}.ipynb"
        )
    out = tmp_path / "grades.csv"
    rows = grader.grade(subs, assignments, out)
    with out.open() as fh:
        assert list(csv.DictReader(fh)) == [
            {k: str(v) for k, v in r.items()} for r in rows
        ]
    by = {(r["student"], r["chapter"], r["exercise"]): r for r in rows}
    problems = []
    for chapter in graded:
        for label, spec in assign.load_checks(chapter).items():
            ref, stripped, plant, style = (
                by[(s, chapter, label)]
                for s in ("reference", "stripped", "planted", "student_style")
            )
            assert ref["max_points"] == spec["points"]
            for name, row in (("reference", ref), ("student-style", style)):
                if row["status"] != "graded" or row["points"] != spec["points"]:
                    problems.append(
                        f"{name} {chapter}/{label}: {row['points']} of {spec['points']} ({row['status']})"
                    )
            if stripped["points"] != 0:
                problems.append(
                    f"stripped {chapter}/{label}: {stripped['points']} points, expected 0"
                )
            want = 0 if planted[chapter] == label else spec["points"]
            if plant["points"] != want:
                problems.append(
                    f"planted {chapter}/{label}: {plant['points']} points, expected {want}"
                )
    assert not problems, "\n".join(problems)
    # feedback: one file per student; the stripped notebook is told which name to set, the
    # planted one gets its check's hint and message, and no check code is shown
    folder = grader.feedback_folder(out)
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(
        f"{s}.md" for s in ("planted", "reference", "stripped", "student_style")
    )
    stripped_fb = (folder / "stripped.md").read_text()
    for chapter in graded:
        for label, spec in assign.load_checks(chapter).items():
            name = next(iter(spec["needs"]))
            assert f"set {name} in the answer cell" in stripped_fb, (
                f"no feedback for {chapter}/{label}"
            )
            assert spec["hint"].strip() in stripped_fb
    planted_fb = (folder / "planted.md").read_text()
    assert (
        "Hint: " in planted_fb
        and "assert " not in planted_fb
        and "assert " not in stripped_fb
    )
    assert "failed" not in (folder / "reference.md").read_text()
    print(json.dumps(planted))


def test_feedback_messages_are_read_from_otter_output():
    output = (
        "x results:\n    x - 1 message: Try the hint.\n\n    x - 1 result:\n        Trying:\n"
        "            assert a == 1, 'a is wrong'\n        Exception raised:\n"
        "            AssertionError: a is wrong\n            NameError: name 'b' is not defined\n"
    )
    assert grader.check_messages(output) == [
        "Hint: Try the hint.",
        "a is wrong",
        "NameError: name 'b' is not defined",
    ]


def test_grade_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="assignments"):
        grader.grade(tmp_path, tmp_path / "none", tmp_path / "g.csv")
    with pytest.raises(ValueError, match="timeout"):
        grader.grade(tmp_path, tmp_path, tmp_path / "g.csv", timeout=0)
    with pytest.raises(ValueError, match="n_jobs"):
        grader.grade(tmp_path, tmp_path, tmp_path / "g.csv", n_jobs=0)


def test_jupyterlab_myst_is_enabled_and_compatible():
    """`make lab` renders MyST: jupyterlab-myst is installed, enabled, and compatible with the pinned JupyterLab.

    JupyterLab marks an extension built against other shared packages with an X and does
    not load it (jupyterlab-myst 2.7.0 under JupyterLab 4.6 did exactly that).
    """
    import subprocess

    jupyter = Path(sys.executable).with_name("jupyter")
    out = subprocess.run(
        [str(jupyter), "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    line = next(
        (ln for ln in text.splitlines() if "jupyterlab-myst" in ln and " v" in ln), ""
    )
    assert line, f"jupyterlab-myst is not installed:\n{text}"
    assert "enabled" in line and "OK" in line, (
        f"jupyterlab-myst is not usable: {line.strip()}\n{text}"
    )


def test_student_edition_stripper_on_a_synthetic_chapter():
    """book/_ext/hide_gated_solutions.py cuts gated solutions and solution cells, keeps the rest."""
    hide = _load(
        "hide_gated_solutions", ROOT / "book" / "_ext" / "hide_gated_solutions.py"
    )
    md = (
        "Intro\n\n```{exercise} E\n:label: e1\nDo it.\n```\n\n```{solution-start} e1\n:class: dropdown\n```\n"
        "Secret prose\n\n```{code-cell} ipython3\nsecret = 1\n```\n\n```{solution-end}\n```\n\n"
        "```{code-cell} ipython3\n:tags: [solution]\nalso_secret = 2\n```\n\n"
        "```{code-cell} ipython3\nkept = 3\n```\n\n:::{solution} e1\nplain secret\n:::\nAfter\n"
    )
    text, inside = hide.strip_text(md)
    assert (
        not inside
        and "Secret" not in text
        and "secret" not in text
        and "{solution" not in text
    )
    assert "Do it." in text and "kept = 3" in text and "After" in text
    nb = jupytext.reads(md, fmt="md:myst")
    out = hide.strip_notebook(json.loads(nbformat.writes(nb)))
    src = "\n".join("".join(c["source"]) for c in out["cells"])
    assert (
        "ecret" not in src
        and "{solution" not in src
        and "kept = 3" in src
        and "Do it." in src
    )
    with pytest.raises(TypeError, match="nb"):
        hide.strip_notebook([])
    with pytest.raises(TypeError, match="text"):
        hide.strip_text(None)
