"""Autograded assignments: `make assignments` and `make grade`.

Fast checks (always run): every exercise of every chapter has hidden checks in
book/grading/<chapter>.yml; every variable a check needs is defined by the
exercise's solution (or the checks file's answer cell) and nowhere else in the
chapter, so a notebook without the solution cannot pass by accident; the student
notebooks contain no solution code and no hidden check.

End to end (marked `course`, run by `make test` and `make test-course`): the
reference solutions score full marks, the student notebooks as handed out score
zero, and one planted wrong answer per chapter loses exactly its exercise's points.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
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
    tree = ast.parse(TransformerManager().transform_cell(src))  # IPython magics become plain calls
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
        f"book/grading/{chapter}.yml has checks for {sorted(checks)}, the chapter's exercises are {sorted(exercises)}")
    outside = set()
    for kind, cell in items:
        if kind == "cell" and cell.cell_type == "code":
            outside |= _assigned(cell.source)
    for label, ex in exercises.items():
        spec = checks[label]
        defined = set().union(*(_assigned(s) for s in ex.solution_code), _assigned(spec.get("answer") or ""))
        missing = sorted(set(spec["needs"]) - defined)
        assert not missing, f"{chapter}/{label}: the solution no longer defines {missing}, which the check needs"
        shared = sorted(set(spec["needs"]) & outside)
        assert not shared, f"{chapter}/{label}: {shared} are also defined outside the solution"
        compile(spec["check"], f"{chapter}/{label} check", "exec")
        compile(spec["plant"], f"{chapter}/{label} plant", "exec")


def test_bad_checks_files_are_refused(tmp_path):
    (tmp_path / "x.yml").write_text("ex-1:\n  points: 0\n  needs: []\n  check: 'assert True'\n  plant: 'x = 1'\n")
    with pytest.raises(ValueError, match="points"):
        assign.load_checks("x", tmp_path)
    (tmp_path / "y.yml").write_text("ex-1:\n  points: 1\n")
    with pytest.raises(ValueError, match="lacks"):
        assign.load_checks("y", tmp_path)


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
    assert list(exercises) == ["e1"] and exercises["e1"].solution_code == ["answer = 2 * x"]
    text = "\n".join(c.source for k, c in items if k == "cell")
    assert "Secret" not in text and "answer" not in text
    assert "After" in text and "print('kept')" in text and "x = 1" in text
    master = assign.master_notebook("syn", jupytext.reads(md, fmt="md:myst"),
                                    {"e1": {"points": 1, "needs": ["answer"], "check": "assert answer == 2",
                                            "plant": "answer = 3"}})
    assert "# BEGIN QUESTION\nname: e1\npoints: 1" in [c.source for c in master.cells]
    with pytest.raises(ValueError, match="no checks"):
        assign.master_notebook("syn", jupytext.reads(md, fmt="md:myst"), {})
    with pytest.raises(ValueError, match="no matching"):
        assign.parse_chapter(jupytext.reads(md.replace("```{solution-end}\n```\n", ""), fmt="md:myst"))


@pytest.fixture(scope="module")
def assignments(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    assert assign.main(str(NB), str(out)) == 0
    return out


def test_student_notebooks_hold_no_solution_and_no_hidden_check(assignments):
    for chapter in CHAPTERS:
        checks = assign.load_checks(chapter)
        if not checks:
            continue
        student = nbformat.read(assignments / chapter / "student" / f"{chapter}.ipynb", as_version=4)
        src = "\n".join(c.source for c in student.cells)
        assert "{solution-start}" not in src and "BEGIN SOLUTION" not in src and "BEGIN TESTS" not in src
        _, exercises = assign.parse_chapter(jupytext.read(NB / f"{chapter}.md"))
        for label, ex in exercises.items():
            assert f"Exercise ({label})" in src, f"{chapter}: exercise {label} missing from the student notebook"
            for code in ex.solution_code:
                body = [ln for ln in code.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
                assert not any(ln in src.splitlines() for ln in body[:3]), f"{chapter}/{label}: solution code leaked"
            check_line = checks[label]["check"].strip().splitlines()[-1]
            assert check_line not in src, f"{chapter}/{label}: the hidden check is in the student notebook"
        hidden = student.metadata["otter"]["tests"]
        assert all(not s["cases"] for t in hidden.values() for s in t["suites"]), "hidden cases shipped to students"
        assert student.metadata["otter"]["assignment_name"] == chapter


def _plant(reference: Path, label: str, code: str, dest: Path) -> None:
    """Append the wrong answer to the exercise's answer cell: otter checks right after that cell."""
    nb = nbformat.read(reference, as_version=4)
    idx = max(i for i, c in enumerate(nb.cells) if label in c.metadata.get("otter", {}).get("tests", []))
    nb.cells[idx].source = nb.cells[idx].source.rstrip("\n") + "\n" + code
    nbformat.write(nb, dest)


@pytest.mark.slow
@pytest.mark.course
def test_grading_end_to_end(assignments, tmp_path):
    subs = tmp_path / "submissions"
    planted = {}
    graded = [c for c in CHAPTERS if assign.load_checks(c)]
    for i, chapter in enumerate(graded):
        ref = assignments / chapter / "autograder" / f"{chapter}.ipynb"
        for student, src in (("reference", ref), ("stripped", assignments / chapter / "student" / f"{chapter}.ipynb")):
            (subs / student).mkdir(parents=True, exist_ok=True)
            shutil.copy(src, subs / student / f"{chapter}.ipynb")
        checks = assign.load_checks(chapter)
        label = sorted(checks)[i % len(checks)]
        planted[chapter] = label
        (subs / "planted").mkdir(parents=True, exist_ok=True)
        _plant(ref, label, checks[label]["plant"], subs / "planted" / f"{chapter}.ipynb")
    out = tmp_path / "grades.csv"
    rows = grader.grade(subs, assignments, out)
    with out.open() as fh:
        assert list(csv.DictReader(fh)) == [{k: str(v) for k, v in r.items()} for r in rows]
    by = {(r["student"], r["chapter"], r["exercise"]): r for r in rows}
    problems = []
    for chapter in graded:
        for label, spec in assign.load_checks(chapter).items():
            ref, stripped, plant = (by[(s, chapter, label)] for s in ("reference", "stripped", "planted"))
            assert ref["max_points"] == spec["points"]
            if ref["status"] != "graded" or ref["points"] != spec["points"]:
                problems.append(f"reference {chapter}/{label}: {ref['points']} of {spec['points']} ({ref['status']})")
            if stripped["points"] != 0:
                problems.append(f"stripped {chapter}/{label}: {stripped['points']} points, expected 0")
            want = 0 if planted[chapter] == label else spec["points"]
            if plant["points"] != want:
                problems.append(f"planted {chapter}/{label}: {plant['points']} points, expected {want}")
    assert not problems, "\n".join(problems)
    print(json.dumps(planted))


def test_grade_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="assignments"):
        grader.grade(tmp_path, tmp_path / "none", tmp_path / "g.csv")
    with pytest.raises(ValueError, match="timeout"):
        grader.grade(tmp_path, tmp_path, tmp_path / "g.csv", timeout=0)
    with pytest.raises(ValueError, match="n_jobs"):
        grader.grade(tmp_path, tmp_path, tmp_path / "g.csv", n_jobs=0)
