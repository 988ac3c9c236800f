"""What a reader who has only this page needs: how to run it, and the whole book as a PDF.

* **How to run a chapter.**  Every chapter page (``notebooks/<ch>`` and the paper
  edition's ``notebooks/paper/<ch>``) gets one short collapsed box under its title: clone
  the repository, ``make lab``, open ``notebooks/<ch>.md``; where ``thermo_helpers`` comes
  from (``make env`` or ``pip install -e .`` in the clone), so that a downloaded
  ``.ipynb`` can run.  The repository is named by ``thermo_repository_url``
  (``sphinx.config`` in book/_config.yml); while it is empty the box names the
  repository "thermo-book" and shows a placeholder for its address.
* **The whole book as a PDF.**  When ``make pdf`` has written ``book/_build/thermo-book.pdf``
  (``PDF`` below), every HTML page links it (the theme's download menu and a line in the
  footer) and the file is copied into the site's output, so the link works in
  any copy of ``html/``.  Without the PDF no page links it (never a dead link).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from docutils import nodes

if str(Path(__file__).resolve().parent) not in sys.path:  # page_boxes.py, beside this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_boxes import chapter_of, insert_under_title

PDF = Path("_build") / "thermo-book.pdf"  # relative to the book's source folder
PDF_NAME = "thermo-book.pdf"  # its name in the html output
PLACEHOLDER = "<URL of the thermo-book repository>"


def _chapter(app, docname: str) -> tuple[str, bool] | None:
    """``(chapter, is_paper_page)`` for a chapter page, else None."""
    chapters = {p.stem for p in (Path(app.srcdir) / "notebooks").glob("*.md")}
    return chapter_of(docname, chapters)


def run_box(chapter: str, paper: bool, url: str) -> nodes.admonition:
    """The collapsed "Run this chapter yourself" box of one chapter.

    Parameters
    ----------
    chapter : str
        The chapter's file stem, e.g. ``"double_descent"``.
    paper : bool
        Whether the page is the paper edition (then the commands run at the talk's sizes).
    url : str
        The repository's clone URL, or ``""`` for a placeholder.

    Returns
    -------
    docutils.nodes.admonition
        An admonition with the classes ``run-this``, ``dropdown`` and ``note``.
    """
    if not isinstance(chapter, str) or not chapter:
        raise TypeError(f"chapter must be a non-empty str, got {chapter!r}")
    box = nodes.admonition(classes=["run-this", "dropdown", "note"])
    box += nodes.title(text="Run this chapter yourself")
    intro = nodes.paragraph()
    intro += nodes.Text(
        "Every number on this page comes from the code on it. The code lives in the "
    )
    intro += (
        nodes.reference("", "thermo-book repository", refuri=url)
        if url
        else nodes.strong(text="thermo-book repository")
    )
    intro += nodes.Text(
        "; clone it and open the chapter in JupyterLab (Python 3.11 to 3.13, a few minutes "
        "for the first environment):"
    )
    box += intro
    scale = "THERMO_SCALE=paper " if paper else ""
    commands = (
        f"git clone {url or PLACEHOLDER} thermo-book\n"
        "cd thermo-book\n"
        f"{scale}make lab  # .venv, then JupyterLab\n"
        f"# open notebooks/{chapter}.md, run all\n"
    )
    block = nodes.literal_block(commands, commands, language="bash")
    box += block
    where = nodes.paragraph()
    where += nodes.Text("The chapter imports ")
    where += nodes.literal(text="thermo_helpers")
    where += nodes.Text(", the repository's own Python package. A downloaded ")
    where += nodes.literal(text=".ipynb")
    where += nodes.Text(" runs in the clone's environment (")
    where += nodes.literal(text="make env")
    where += nodes.Text(") or in any Python 3.11 to 3.13 after ")
    where += nodes.literal(text="pip install -e .")
    where += nodes.Text(" inside the clone.")
    if paper:
        where += nodes.Text(
            " This page ran at the talk's sizes (THERMO_SCALE=paper); "
            "without it the same chapter runs at book scale in a minute or two."
        )
    box += where
    return box


def _doctree_read(app, doctree):
    found = _chapter(app, app.env.docname)
    if found is None:
        return
    # After the Paper edition box when there is one (book/_ext/paper_links.py runs first).
    box = run_box(found[0], found[1], app.config.thermo_repository_url)
    insert_under_title(doctree, box, after="paper-edition")


def _config_inited(app, config):
    # A config value, so that writing or deleting the PDF rewrites every page's links.
    config.thermo_pdf_present = (Path(app.srcdir) / PDF).is_file()


def _pdf_links(app, pagename, templatename, context, doctree):
    if not app.config.thermo_pdf_present or "pathto" not in context:
        return
    url = context["pathto"](PDF_NAME, 1)
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": url,
                    "text": "whole book (.pdf)",
                    "icon": "fas fa-book",
                    "tooltip": "The whole book as one PDF",
                    "label": "download-book-pdf-button",
                }
            )
    # The footer is on every page (search and index pages too).
    line = (
        f'<p class="whole-book-pdf"><a class="reference external" href="{url}">'
        "The whole book as one PDF</a> (built through LaTeX by <code>make pdf</code>).</p>"
    )
    context["theme_extra_footer"] = (context.get("theme_extra_footer") or "") + line


def _copy_pdf(app, exception):
    if (
        exception is None
        and app.builder.format == "html"
        and app.config.thermo_pdf_present
    ):
        shutil.copy2(Path(app.srcdir) / PDF, Path(app.outdir) / PDF_NAME)


def setup(app):
    app.add_config_value("thermo_repository_url", "", "env", [str])
    app.add_config_value("thermo_pdf_present", False, "html", [bool])
    app.connect("config-inited", _config_inited)
    app.connect("doctree-read", _doctree_read, priority=600)  # after paper_links (500)
    # After sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", _pdf_links, priority=510)
    app.connect("build-finished", _copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
