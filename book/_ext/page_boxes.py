"""Boxes under a chapter's title: the helpers that paper_links.py and reader.py share.

Both extensions put a small admonition right under the title of a chapter page (the Paper
edition box, then the "Run this chapter yourself" box); this module says which pages are
chapter pages, builds their external links and inserts a box in its place.
"""

from __future__ import annotations

from docutils import nodes


def chapter_of(docname: str, chapters) -> tuple[str, bool] | None:
    """``(chapter, is_paper_page)`` when ``docname`` is a chapter page, else None.

    Parameters
    ----------
    docname : str
        A Sphinx docname: ``notebooks/<ch>`` or, in the paper edition,
        ``notebooks/paper/<ch>``.
    chapters : container of str
        The chapters' file stems.
    """
    parts = docname.split("/")
    if len(parts) == 2 and parts[0] == "notebooks" and parts[1] in chapters:
        return parts[1], False
    if len(parts) == 3 and parts[:2] == ["notebooks", "paper"] and parts[2] in chapters:
        return parts[2], True
    return None


def link(text: str, url: str, css_class: str) -> nodes.reference:
    """An external link (a path between two sites, never resolved by Sphinx)."""
    return nodes.reference("", text, refuri=url, internal=False, classes=[css_class])


def insert_under_title(doctree, box: nodes.Node, after: str | None = None) -> None:
    """Insert ``box`` right after the page's first section title.

    With ``after``, the box goes below the boxes with that class already there (so the
    order of the boxes does not depend on the order the extensions run in).  A page with
    no section is left alone.
    """
    section = doctree.next_node(nodes.section)
    if section is None:
        return
    title = section.next_node(nodes.title)
    at = section.index(title) + 1 if title is not None and title.parent is section else 0
    while after and at < len(section) and after in section[at].get("classes", []):
        at += 1
    section.insert(at, box)
