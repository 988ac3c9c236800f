"""Notebook pipeline: every MyST chapter has an executed .ipynb twin that is the same
notebook (markdown, code, tags and metadata), stored without errors, with exactly one
reference cell.  The assignments and their grading are tested in test_grading.py."""

from __future__ import annotations

import difflib
from pathlib import Path

import jupytext
import nbformat
import pytest
from reference_cells import output_text, reference_cells

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
CHAPTERS = sorted(p.stem for p in NB.glob("*.md"))


def test_there_are_chapters():
    assert "intro" in CHAPTERS and len(CHAPTERS) >= 1


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_md_and_ipynb_are_the_same_notebook(chapter):
    """The whole pair agrees: markdown, code, cell tags and metadata, notebook header.

    The executed .ipynb, written back as MyST by jupytext, must give the .md byte for
    byte (outputs are not part of the MyST text); `make notebook` keeps it so.
    """
    ipynb = NB / f"{chapter}.ipynb"
    assert ipynb.exists(), f"{ipynb.name} is missing: run `make notebook NB={chapter}`"
    md_text = (NB / f"{chapter}.md").read_text()
    from_ipynb = jupytext.writes(nbformat.read(ipynb, as_version=4), fmt="md:myst")
    if from_ipynb != md_text:
        diff = "".join(list(difflib.unified_diff(md_text.splitlines(True), from_ipynb.splitlines(True),
                                                 f"{chapter}.md", f"{chapter}.ipynb as MyST", n=1))[:40])
        pytest.fail(f"{chapter}.md and {chapter}.ipynb differ: run `make notebook NB={chapter}`\n{diff}")


def test_pair_check_catches_markdown_and_tag_edits(tmp_path):
    """The comparison above sees a markdown-only edit and a tag that only the .md has."""
    md = (NB / "intro.md").read_text()
    nb = nbformat.read(NB / "intro.ipynb", as_version=4)
    assert jupytext.writes(nb, fmt="md:myst") == md
    edited_text = md.replace("## From the talk to the chapters", "## From the talk to the chapter")
    assert edited_text != md and jupytext.writes(nb, fmt="md:myst") != edited_text
    tagged = jupytext.reads(md, fmt="md:myst")
    code = next(c for c in tagged.cells if c.cell_type == "code")
    code.metadata.setdefault("tags", []).append("raises-exception")
    assert jupytext.writes(tagged, fmt="md:myst") != jupytext.writes(nb, fmt="md:myst")


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
    ref = reference_cells(nb)
    assert len(ref) == 1, f"{chapter}: expected one reference cell (tag nbval-check-output), found {len(ref)}"
    text = output_text(ref[0])
    assert len(text.splitlines()) >= 3, f"{chapter}: the reference cell prints no table"




@pytest.mark.parametrize(
    "path",
    sorted(NB.glob("*.ipynb")) + sorted((NB / "paper").glob("*.ipynb")),
    ids=lambda p: str(p.relative_to(NB)),
)
def test_stored_notebooks_carry_no_widgets(path):
    """No widget output or widget state: myst-nb would load require.js and the widget
    manager from a CDN, and the site must work offline.  A progress bar run without
    THERMO_PROGRESS=0 (outside the Makefile) leaves them behind."""
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, "notebook metadata holds widget state"
    found = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if any("widget" in mime for mime in out.get("data", {}))
    ]
    assert not found, f"widget outputs in cells {found}"
