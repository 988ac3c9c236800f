"""Notebook pipeline: every MyST chapter has an executed .ipynb twin with the same code,
every chapter has exactly one reference cell, and assignments strip the solutions."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
CHAPTERS = sorted(p.stem for p in NB.glob("*.md"))


def _code(nb):
    return [c.source.strip() for c in nb.cells if c.cell_type == "code"]


def test_there_are_chapters():
    assert "intro" in CHAPTERS and len(CHAPTERS) >= 1


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_md_and_ipynb_agree_on_code(chapter):
    ipynb = NB / f"{chapter}.ipynb"
    assert ipynb.exists(), f"{ipynb.name} is missing: run `make notebook NB={chapter}`"
    md_code = _code(jupytext.read(NB / f"{chapter}.md"))
    nb_code = _code(nbformat.read(ipynb, as_version=4))
    assert md_code == nb_code, (
        f"{chapter}.md and {chapter}.ipynb differ in their code cells: run `make notebook NB={chapter}`"
    )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_ipynb_is_executed_without_errors(chapter):
    nb = nbformat.read(NB / f"{chapter}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{chapter}.ipynb has unexecuted cells"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{chapter}.ipynb stores an error: {errors[0].ename}: {errors[0].evalue}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exactly_one_reference_cell_with_stored_table(chapter):
    nb = nbformat.read(NB / f"{chapter}.ipynb", as_version=4)
    ref = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(ref) == 1, f"{chapter}: expected one '# NBVAL_CHECK_OUTPUT' cell, found {len(ref)}"
    text = "".join(o.get("text", "") for o in ref[0].outputs if o.output_type == "stream")
    assert len(text.splitlines()) >= 3, f"{chapter}: the reference cell prints no table"


def _load_assignments():
    spec = importlib.util.spec_from_file_location("make_assignments", ROOT / "book" / "make_assignments.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_assignments_strip_solutions_and_keep_exercises(tmp_path):
    mod = _load_assignments()
    assert mod.main(str(NB), str(tmp_path)) == 0
    for chapter in CHAPTERS:
        src = (NB / f"{chapter}.md").read_text()
        student = nbformat.read(tmp_path / f"{chapter}.ipynb", as_version=4)
        text = "\n".join(c.source for c in student.cells)
        assert "solution-start" not in text and "{solution}" not in text
        assert not any("solution" in c.get("metadata", {}).get("tags", []) for c in student.cells)
        assert text.count("{exercise}") == src.count("{exercise}")


def test_assignment_stripper_on_a_synthetic_notebook():
    mod = _load_assignments()
    md = (
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n"
        "  display_name: Python 3\n---\n\n"
        "Intro\n\n```{exercise} E\n:label: e1\nDo it.\n```\n\n"
        "```{solution-start} e1\n:class: dropdown\n```\nSecret text\n\n"
        "```{code-cell} ipython3\nprint('secret')\n```\n\n"
        "```{solution-end}\n```\n\nAfter\n\n```{code-cell} ipython3\nprint('kept')\n```\n"
    )
    nb = jupytext.reads(md, fmt="md:myst")
    student, touched = mod.strip_solutions(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "Secret" not in text and "secret" not in text
    assert "After" in text and "print('kept')" in text and "Do it." in text
    assert touched >= 2
