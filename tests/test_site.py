"""The built website works offline.

`make test` first builds the site from the stored notebook outputs
(`make site-stored`, into book/_build/stored/_build/html) and then runs these checks:

* a grep of every page and stylesheet for scripts, styles or fonts loaded from
  outside the book;
* every page opened in headless Chromium (Debian's package) with every
  request outside the local server recorded and blocked: math must be typeset
  by the bundled MathJax, every image must load, and no request may leave.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("THERMO_SITE", ROOT / "book" / "_build" / "stored" / "_build" / "html"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
TITLE = "Thermodynamic limits for neural networks"

EXTERNAL_TAG = re.compile(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)=[\"']((https?:)?//[^\"']+)", re.I)
EXTERNAL_CSS = re.compile(r"(url\(\s*[\"']?|@import\s+[\"']?)((https?:)?//[^\"')\s]+)", re.I)


def _pages():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run `make site-stored` (make test does it)")
    return sorted(p for p in SITE.rglob("*.html") if "_static" not in p.parts)


def test_site_has_every_chapter_and_the_title():
    pages = {p.relative_to(SITE).as_posix() for p in _pages()}
    for chapter in sorted(p.stem for p in (ROOT / "notebooks").glob("*.md")):
        assert f"notebooks/{chapter}.html" in pages, f"chapter {chapter} missing from the site"
    assert "bibliography.html" in pages
    assert "notebooks/intro.html" in (SITE / "index.html").read_text()  # the landing redirect
    for rel in pages - {"index.html"}:
        head = (SITE / rel).read_text(errors="ignore").split("</title>")[0]
        assert TITLE in head, f"{rel} does not carry the talk's title"


def test_no_page_or_stylesheet_loads_from_outside():
    offenders = []
    for page in _pages():
        for m in EXTERNAL_TAG.finditer(page.read_text(errors="ignore")):
            tag = m.group(0)
            if m.group(1).lower() == "link" and not re.search(r"rel=[\"'](stylesheet|preload|icon|modulepreload|prefetch)", tag):
                continue  # ordinary hyperlinks are fine
            offenders.append(f"{page.relative_to(SITE)}: {m.group(3)}")
    for css in SITE.rglob("*.css"):
        for m in EXTERNAL_CSS.finditer(css.read_text(errors="ignore")):
            offenders.append(f"{css.relative_to(SITE)}: {m.group(2)}")
    assert not offenders, "external resources:\n" + "\n".join(offenders[:20])


def test_executed_notebooks_are_downloadable():
    for chapter in sorted(p.stem for p in (ROOT / "notebooks").glob("*.md")):
        hits = list((SITE / "_downloads").rglob(f"{chapter}.ipynb"))
        assert hits, f"{chapter}.ipynb is not offered for download"
        assert '"outputs"' in hits[0].read_text()


STUDENT = SITE.parents[2] / "student" / "_build" / "html"


def test_student_edition_hides_every_solution():
    if not (STUDENT / "index.html").exists():
        pytest.fail(f"no student edition at {STUDENT}: run `make student` (make test does it)")
    for chapter in sorted(p.stem for p in (ROOT / "notebooks").glob("*.md")):
        full = (SITE / "notebooks" / f"{chapter}.html").read_text()
        student = (STUDENT / "notebooks" / f"{chapter}.html").read_text()
        n_ex = (ROOT / "notebooks" / f"{chapter}.md").read_text().count("{exercise}")
        assert full.count('class="solution') >= n_ex > 0, f"{chapter}: solutions missing from the full site"
        assert 'class="solution' not in student, f"{chapter}: the student edition shows a solution"
        assert student.count('class="exercise') >= n_ex, f"{chapter}: the student edition lost an exercise"


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium not found: `apt-get install chromium` (done by .ci/run and `make browser`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def test_every_page_renders_offline_in_chromium(server, browser):
    problems = []
    for page_path in _pages():
        rel = page_path.relative_to(SITE).as_posix()
        if rel in ("genindex.html", "search.html") or 'http-equiv="Refresh"' in page_path.read_text():
            continue  # index.html only redirects to the intro page
        outside = []
        ctx = browser.new_context()
        page = ctx.new_page()

        def route(r, outside=outside):
            if r.request.url.startswith(server) or r.request.url.startswith("data:"):
                return r.continue_()
            outside.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        page.goto(f"{server}/{rel}", wait_until="load")
        has_math = page.evaluate("() => !!document.querySelector('.math, span.math, div.math')")
        if has_math:
            try:
                page.wait_for_function(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise && "
                    "document.querySelectorAll('mjx-container').length > 0", timeout=20000)
                page.evaluate("() => MathJax.startup.promise")
            except Exception as exc:  # noqa: BLE001 - report which page failed
                problems.append(f"{rel}: MathJax did not typeset ({type(exc).__name__})")
            raw = page.evaluate(
                "() => Array.from(document.querySelectorAll('.math')).filter("
                "e => !e.querySelector('mjx-container') && /\\\\\\(|\\\\\\[|\\$\\$/.test(e.textContent)).length")
            if raw:
                problems.append(f"{rel}: {raw} math element(s) left as raw TeX")
        # lazy images would only load when scrolled into view: load them all now
        page.evaluate("() => Array.from(document.images).forEach(i => { i.loading = 'eager'; })")
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(
            "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        if broken:
            problems.append(f"{rel}: images not loaded: {broken[:3]}")
        if outside:
            problems.append(f"{rel}: requests leaving the machine: {sorted(set(outside))[:5]}")
        ctx.close()
    assert not problems, "\n".join(problems)
