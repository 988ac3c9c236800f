"""The paper site and the one-click link to it from every chapter of the default site.

Reads the built HTML: the default site of `make site-stored` (and `make student` when built) and
the paper site of `make paper-site` (`make test` builds all three first).  The default site
carries a copy of the paper site as `paper/` (book/_ext/paper_links.py), so every link between
the two editions stays inside one `html/` folder and works in any copy of it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "book" / "_build"
SITE = Path(os.environ.get("THERMO_SITE", BUILD / "stored" / "_build" / "html"))
PAPER_SITE = BUILD / "paper" / "_build" / "html"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.md"))
BOX = re.compile(r'<div class="paper-edition[^"]*admonition">(.*?)</div>', re.S)
LINK = re.compile(r'<a class="paper-edition-link[^"]*" href="([^"]+)"')
BACK = re.compile(r'<a class="paper-edition-back[^"]*" href="([^"]+)"')
EXTERNAL = re.compile(
    r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"'](https?:)?//", re.I
)


def _stored(chapter: str) -> bool:
    return (ROOT / "notebooks" / "paper" / f"{chapter}.ipynb").exists()


def _heading(html: str) -> str:
    return re.search(r"<title>(.*?) &#8212;", html, re.S).group(1).strip()


def _page(site: Path, rel: str) -> str:
    path = site / rel
    if not path.exists():
        pytest.fail(
            f"{path} is missing: run `make site-stored` and `make paper-site` (make test does both)"
        )
    return path.read_text()


def _inside(site: Path, page: Path, href: str) -> Path:
    """The file a relative link of ``page`` opens; fails if it leaves ``site``."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc, (
        f"{page}: the link leaves the machine: {href}"
    )
    target = (page.parent / unquote(parts.path)).resolve()
    assert target.is_relative_to(site.resolve()), (
        f"{page}: {href} leaves the site folder (dead in a copy)"
    )
    return target


def test_the_student_edition_carries_no_paper_edition():
    """The paper pages show every solution, so the student edition neither links nor copies them."""
    site = BUILD / "student" / "_build" / "html"
    if not (site / "index.html").exists():
        pytest.skip("no student edition built (`make student`)")
    assert not (site / "paper").exists(), "the student edition carries the paper site"
    for chapter in CHAPTERS:
        html = _page(site, f"notebooks/{chapter}.html")
        assert not BOX.findall(html), f"student/{chapter}: a Paper edition box"


@pytest.mark.parametrize("edition", ["stored"])
def test_every_chapter_links_to_its_paper_edition_in_one_click(edition):
    site = SITE
    built = [
        c
        for c in CHAPTERS
        if (PAPER_SITE / "notebooks" / "paper" / f"{c}.html").exists()
    ]
    assert built == [c for c in CHAPTERS if _stored(c)], (
        "a stored paper notebook has no page: `make paper-site`"
    )
    for chapter in CHAPTERS:
        page = site / "notebooks" / f"{chapter}.html"
        html = _page(site, f"notebooks/{chapter}.html")
        boxes = BOX.findall(html)
        if chapter not in built:
            assert not boxes, (
                f"{edition}/{chapter}: a Paper edition box with no paper page to link to"
            )
            continue
        assert len(boxes) == 1, (
            f"{edition}/{chapter}: expected one Paper edition box, found {len(boxes)}"
        )
        links = LINK.findall(boxes[0])
        assert len(links) == 1, f"{edition}/{chapter}: no link to the paper edition"
        target = _inside(site, page, links[0])
        assert (
            target
            == (site / "paper" / "notebooks" / "paper" / f"{chapter}.html").resolve()
        ), target
        assert target.exists(), (
            f"{chapter}: the link points to {target}, which the site does not carry"
        )
        paper_html = target.read_text()
        assert _heading(paper_html) == _heading(html), (
            f"{chapter}: the link opens another chapter"
        )
        # ... and the paper page links back to this very page.
        back = BACK.findall(paper_html)
        assert len(back) == 1, (
            f"{chapter}: the paper page does not link back to the main site"
        )
        assert _inside(site, target, back[0]) == page.resolve(), (
            f"{chapter}: the back link opens {back[0]}"
        )


def test_default_site_alone_carries_the_paper_site(tmp_path):
    """Copy html/ somewhere else: every link between the editions still opens a page."""
    import shutil

    if not any(_stored(c) for c in CHAPTERS):
        pytest.skip("no stored paper notebook")
    copy = tmp_path / "html"
    shutil.copytree(
        SITE,
        copy,
        ignore=shutil.ignore_patterns("_static", "_images", "_downloads", "_sources"),
    )
    n_links = 0
    for page in copy.rglob("*.html"):
        html = page.read_text(errors="ignore")
        for href in LINK.findall(html) + BACK.findall(html):
            assert _inside(copy, page, href).exists(), (
                f"{page.relative_to(copy)}: dead link {href}"
            )
            n_links += 1
    assert n_links >= 2 * sum(_stored(c) for c in CHAPTERS), n_links


def test_paper_site_has_every_stored_chapter_labelled_and_offline():
    stored = [c for c in CHAPTERS if _stored(c)]
    assert "intro" in stored, "no paper intro: run `THERMO_PAPER_ONLY=intro make paper`"
    assert "notebooks/paper/intro.html" in _page(
        PAPER_SITE, "index.html"
    )  # the landing redirect
    for chapter in stored:
        html = _page(PAPER_SITE, f"notebooks/paper/{chapter}.html")
        assert "(paper edition)</title>" in html, (
            f"{chapter}: the paper page is not titled as such"
        )
        box = BOX.findall(html)
        assert len(box) == 1 and "executed with THERMO_SCALE=paper" in box[0], chapter
        assert "scale = &#39;paper&#39;" in html or "scale = 'paper'" in html, (
            f"{chapter}: not a paper-scale run"
        )
        assert not EXTERNAL.search(html), (
            f"{chapter}: the paper page loads something from outside"
        )
    for chapter in set(CHAPTERS) - set(stored):
        assert not (PAPER_SITE / "notebooks" / "paper" / f"{chapter}.html").exists(), (
            chapter
        )
    for page in (p for p in PAPER_SITE.rglob("*.html") if "_static" not in p.parts):
        assert "notebooks/paper/" in page.as_posix() or page.parent == PAPER_SITE, (
            f"book-scale page {page}"
        )
