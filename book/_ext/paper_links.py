"""Link each chapter of the book to its paper edition, and label the paper edition's pages.

Default site (``paper_edition = False``): the paper site (``book/_build/paper/_build/html``,
built by ``make paper-site``) is copied into the site's own output as ``paper/`` when the
build finishes, so that any copy of ``html/`` alone carries it; every chapter page
``notebooks/<ch>`` whose paper page exists at build time gets a box at the top linking to
``../paper/notebooks/paper/<ch>.html``.  A chapter without a built paper page gets no box
(never a dead link).  The PDF (LaTeX builder) gets no box: a PDF has no paper site beside it.

Paper site (``paper_edition = True``, set by ``book/paper_edition.py config``): every page
says it was executed at ``THERMO_SCALE=paper`` and how long it took, from
``notebooks/paper/timings.json``, and links back to the same chapter of the default site
that holds it (``../../../notebooks/<ch>.html`` from ``html/paper/notebooks/paper/``); a
link to a chapter not computed yet reads as plain text instead of breaking the build.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import shutil
import sys
from pathlib import Path

from docutils import nodes

if str(Path(__file__).resolve().parent) not in sys.path:  # page_boxes.py, beside this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_boxes import chapter_of, insert_under_title, link

PAPER_SITE = (
    Path("_build") / "paper" / "_build" / "html"
)  # relative to the book's source folder
MOUNT = "paper"  # where the paper site is copied inside the default site's html output


def paper_page(srcdir: Path, chapter: str) -> Path:
    """The built paper-site page of ``chapter`` (it may not exist)."""
    return Path(srcdir) / PAPER_SITE / "notebooks" / "paper" / f"{chapter}.html"


def _state(srcdir: Path) -> dict:
    paper = srcdir / "notebooks" / "paper"
    timings = {}
    if (paper / "timings.json").exists():
        timings = json.loads((paper / "timings.json").read_text()).get("chapters", {})
    state = {}
    for md in sorted((srcdir / "notebooks").glob("*.md")):
        entry = dict(timings.get(md.stem, {}))
        entry["stored"] = (paper / f"{md.stem}.ipynb").exists()
        entry["current"] = (
            entry.get("source_sha256") == hashlib.sha256(md.read_bytes()).hexdigest()
        )
        entry["built"] = paper_page(srcdir, md.stem).exists()
        state[md.stem] = entry
    return state


def _config_inited(app, config):
    # A config value, so that a new or re-run paper chapter makes Sphinx re-read every page.
    state = _state(Path(app.srcdir))
    if getattr(config, "hide_solutions", False):
        # The student edition carries no paper edition: its pages show every solution.
        for entry in state.values():
            entry["built"] = False
    config.paper_edition_state = state


def _wall(seconds) -> str:
    s = float(seconds)
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


def _box(title: str, *children) -> nodes.admonition:
    box = nodes.admonition(classes=["paper-edition", "tip"])
    box += nodes.title(text=title)
    para = nodes.paragraph()
    for child in children:
        para += nodes.Text(child) if isinstance(child, str) else child
    box += para
    return box


def _default_box(app, chapter: str, entry: dict) -> nodes.admonition | None:
    if not (entry.get("stored") and entry.get("built")):
        return None  # no paper page to link to: no box rather than a dead link
    url = posixpath.join("..", MOUNT, "notebooks", "paper", f"{chapter}.html")
    to_paper = link("this chapter at the talk's dimensions", url, "paper-edition-link")
    when = (
        f" (THERMO_SCALE=paper, executed in {_wall(entry['seconds'])})"
        if "seconds" in entry
        else ""
    )
    note = (
        ""
        if entry.get("current")
        else " It was computed from an earlier version of this page."
    )
    return _box(
        "Paper edition",
        "The same code at the sizes of the talk's figures: ",
        to_paper,
        when + "." + note,
    )


def _paper_box(chapter: str, entry: dict, missing: list[str]) -> nodes.admonition:
    text = "This page was executed with THERMO_SCALE=paper"
    if "seconds" in entry:
        text += (
            f" in {_wall(entry['seconds'])} on {entry.get('executed_at', '?')[:10]}"
            f" ({entry.get('n_jobs', '?')} workers, {entry.get('cpus', '?')} cores)"
        )
    text += ". The book-scale version: "
    back = posixpath.join("..", "..", "..", "notebooks", f"{chapter}.html")
    to_main = link("this chapter in the main site", back, "paper-edition-back")
    tail = "."
    if missing:
        tail += " Chapters not in this edition yet: " + ", ".join(missing) + "."
    return _box("Paper edition", text, to_main, tail)


def _doctree_read(app, doctree):
    state = app.config.paper_edition_state
    found = chapter_of(app.env.docname, state)
    if found is None or found[1] != app.config.paper_edition:
        return
    chapter = found[0]
    if app.config.paper_edition:
        missing = (
            [c for c, e in state.items() if not e.get("stored")]
            if chapter == "intro"
            else []
        )
        box = _paper_box(chapter, state[chapter], missing)
    else:
        box = _default_box(app, chapter, state[chapter])
        if box is None:
            return
    insert_under_title(doctree, box)


def _missing_reference(app, env, node, contnode):
    """In the paper site, a link to a chapter not computed yet reads as plain text, without a warning."""
    if (
        not app.config.paper_edition
        or node.get("refdomain") != "std"
        or node.get("reftype") != "doc"
    ):
        return None
    chapter = posixpath.basename(node.get("reftarget", ""))
    entry = app.config.paper_edition_state.get(chapter)
    if entry is None or entry.get("stored"):
        return None
    out = nodes.inline(classes=["paper-edition-missing"])
    out += contnode
    out += nodes.Text(" (not in the paper edition yet)")
    return out


def _drop_outside_html(app, doctree, docname):
    """The PDF has no paper site beside it: drop the boxes there (doctrees may be shared)."""
    if app.builder.format == "html":
        return
    for box in list(doctree.findall(nodes.admonition)):
        if "paper-edition" in box["classes"]:
            box.parent.remove(box)


def _copy_paper_site(app, exception):
    """Copy the built paper site into the default site's output, as ``paper/``."""
    if (
        exception is not None
        or app.config.paper_edition
        or app.builder.format != "html"
    ):
        return
    if not any(
        e.get("stored") and e.get("built")
        for e in app.config.paper_edition_state.values()
    ):
        return
    source = Path(app.srcdir) / PAPER_SITE
    target = Path(app.outdir) / MOUNT
    if target.exists():
        shutil.rmtree(target)
    # Not its index.html: a bare redirect to the paper intro, which the default site's own
    # pages never link to (they link the chapters).
    shutil.copytree(
        source,
        target,
        ignore=lambda d, names: ["index.html"] if Path(d) == source else [],
    )


def setup(app):
    app.add_config_value("paper_edition", False, "env", [bool])
    app.add_config_value("paper_edition_state", {}, "env", [dict])
    app.connect("config-inited", _config_inited)
    app.connect("doctree-read", _doctree_read)
    app.connect("missing-reference", _missing_reference)
    app.connect("doctree-resolved", _drop_outside_html)
    app.connect("build-finished", _copy_paper_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
