"""The paper site and the one-click link to it from every chapter of the default site.

Reads the built HTML: the default site of `make site-stored` (and `make student` when built) and
the paper site of `make paper-site` (`make test` builds all three first).
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
EXTERNAL = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"'](https?:)?//", re.I)


def _stored(chapter: str) -> bool:
    return (ROOT / "notebooks" / "paper" / f"{chapter}.ipynb").exists()


def _heading(html: str) -> str:
    return re.search(r"<title>(.*?) &#8212;", html, re.S).group(1).strip()


def _page(site: Path, rel: str) -> str:
    path = site / rel
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make site-stored` and `make paper-site` (make test does both)")
    return path.read_text()


@pytest.mark.parametrize("edition", ["stored", "student"])
def test_every_chapter_links_to_its_paper_edition_in_one_click(edition):
    site = SITE if edition == "stored" else BUILD / "student" / "_build" / "html"
    if edition == "student" and not (site / "index.html").exists():
        pytest.skip("no student edition built (`make student`)")
    for chapter in CHAPTERS:
        html = _page(site, f"notebooks/{chapter}.html")
        boxes = BOX.findall(html)
        assert len(boxes) == 1, f"{edition}/{chapter}: expected one Paper edition box, found {len(boxes)}"
        links = LINK.findall(boxes[0])
        if not _stored(chapter):
            assert not links and "has not been computed" in boxes[0], chapter
            continue
        assert len(links) == 1, f"{edition}/{chapter}: no link to the paper edition"
        href = urlsplit(links[0])
        assert not href.scheme and not href.netloc, f"{chapter}: the link leaves the machine: {links[0]}"
        target = ((site / "notebooks") / unquote(href.path)).resolve()
        assert target == (PAPER_SITE / "notebooks" / "paper" / f"{chapter}.html").resolve(), target
        assert target.exists(), f"{chapter}: the link points to {target}, not built: run `make paper-site`"
        assert _heading(target.read_text()) == _heading(html), f"{chapter}: the link opens another chapter"


def test_paper_site_has_every_stored_chapter_labelled_and_offline():
    stored = [c for c in CHAPTERS if _stored(c)]
    assert "intro" in stored, "no paper intro: run `THERMO_PAPER_ONLY=intro make paper`"
    assert "notebooks/paper/intro.html" in _page(PAPER_SITE, "index.html")  # the landing redirect
    for chapter in stored:
        html = _page(PAPER_SITE, f"notebooks/paper/{chapter}.html")
        assert "(paper edition)</title>" in html, f"{chapter}: the paper page is not titled as such"
        box = BOX.findall(html)
        assert len(box) == 1 and "executed with THERMO_SCALE=paper" in box[0], chapter
        assert "scale = &#39;paper&#39;" in html or "scale = 'paper'" in html, f"{chapter}: not a paper-scale run"
        assert not EXTERNAL.search(html), f"{chapter}: the paper page loads something from outside"
    for chapter in set(CHAPTERS) - set(stored):
        assert not (PAPER_SITE / "notebooks" / "paper" / f"{chapter}.html").exists(), chapter
    for page in (p for p in PAPER_SITE.rglob("*.html") if "_static" not in p.parts):
        assert "notebooks/paper/" in page.as_posix() or page.parent == PAPER_SITE, f"book-scale page {page}"
