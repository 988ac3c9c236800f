"""The built website works offline.

`make test` first builds the site from the stored notebook outputs
(`make site-stored`, into book/_build/stored/_build/html) and then runs these checks:

* a grep of every page and stylesheet for scripts, styles or fonts loaded from
  outside the book;
* every page opened in headless Chromium (Debian's package) with every
  request outside the local server recorded and blocked: math must be typeset
  by the bundled MathJax, every image must load, no script may raise, and no
  request may leave;
* accessibility: every figure of both editions has alt text that describes it
  (not a file name); axe-core (npm, `make npm`) finds no serious or critical
  violation on any page of the full and student editions; in the theme's dark
  mode every figure keeps a light opaque background whose contrast with the
  figure's ink is at least WCAG's 4.5:1 (measured on a screenshot).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
from headless import local_only, serve

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("THERMO_SITE", ROOT / "book" / "_build" / "stored" / "_build" / "html"))
TITLE = "Thermodynamic limits for neural networks"

EXTERNAL_TAG = re.compile(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)=[\"']((https?:)?//[^\"']+)", re.I)
EXTERNAL_CSS = re.compile(r"(url\(\s*[\"']?|@import\s+[\"']?)((https?:)?//[^\"')\s]+)", re.I)


#: Limits for the browser checks.  Every wait below is for a condition (the page's load
#: event, MathJax's typesetting promise, every image complete), never for a quiet
#: network; these limits only stop a page that never gets there, and are generous so
#: that a machine busy with other jobs (a second `make test`) does not trip them.
PAGE_LOAD_MS = 180_000
MATH_TYPESET_MS = 180_000
IMAGES_MS = 180_000


def _open(page, url: str) -> None:
    """Go to ``url`` and wait for its load event (scripts, styles and eager images fetched)."""
    page.set_default_timeout(PAGE_LOAD_MS)
    page.goto(url, wait_until="load", timeout=PAGE_LOAD_MS)


def _wait_for_math(page) -> None:
    """Wait until the bundled MathJax has started and finished typesetting the page."""
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise && "
        "document.querySelectorAll('mjx-container').length > 0", timeout=MATH_TYPESET_MS)
    page.evaluate("() => MathJax.startup.promise")


def _wait_for_images(page) -> None:
    """Load lazy images now and wait until every image has finished (loaded or failed)."""
    page.evaluate("() => Array.from(document.images).forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=IMAGES_MS)


def _pages(site=SITE):
    if not (site / "index.html").exists():
        pytest.fail(f"no built site at {site}: run `make site-stored` and `make student` (make test does both)")
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


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


STUDENT = Path(os.environ.get("THERMO_STUDENT_SITE", SITE.parents[2] / "student" / "_build" / "html"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FILE_NAME = re.compile(r"^\S*\.(png|jpe?g|svg|gif|webp)$|^[\w./-]*$", re.I)


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


_FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}")
_MATH_OR_ROLE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\{[\w:-]+\}`[^`]*`|`[^`]*`", re.S)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _norm(text: str) -> str:
    """Whitespace collapsed, typographic quotes and dashes made plain, emphasis marks dropped."""
    return " ".join(text.translate(_QUOTES).replace("*", "").split())


def _solution_fragments(md_text: str) -> tuple[list[str], list[str]]:
    """The solutions of one MyST chapter, read straight from its text: (prose pieces, code lines).

    A solution is everything between a ``{solution-start}`` and its ``{solution-end}``,
    and every code cell tagged ``solution``.  Prose is cut into sentences and each
    sentence into its plain-text pieces between math and roles; code is taken line by
    line.  Only pieces long enough to be distinctive are kept.
    """
    prose, code = [], []
    inside = in_code = False
    tagged_code, cell_lines = False, []
    for line in md_text.splitlines():
        fence = _FENCE.match(line.strip())
        if fence and fence.group(2) == "solution-start":
            inside = True
            continue
        if fence and fence.group(2) == "solution-end":
            inside = False
            continue
        if fence and fence.group(2) == "code-cell":
            in_code, cell_lines = True, []
            continue
        if in_code:
            if line.strip().startswith("```"):
                in_code = False
                if inside or any(re.search(r"tags:.*\bsolution\b", ln) for ln in cell_lines):
                    code.extend(ln for ln in cell_lines if not re.match(r"\s*(:\w+:|---|\w+:\s*$|tags:|mystnb|image|alt:)", ln))
                continue
            cell_lines.append(line)
            continue
        if inside and not line.startswith(("```", ":")):
            prose.append(line)
    pieces = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(prose)):
        for piece in _MATH_OR_ROLE.split(sentence):
            piece = _norm(piece).strip(" ,.;:()")
            if len(piece) >= 30:
                pieces.append(piece)
    lines = [_norm(ln) for ln in code]
    lines = [ln for ln in lines if len(ln) >= 20 and not ln.startswith("#")]
    return pieces, lines


def _reader_views(path: Path) -> str:
    """Everything a reader of ``path`` can see, normalised: raw text, text without HTML tags, notebook cells."""
    import html as html_mod
    import json

    raw = path.read_text(encoding="utf-8", errors="replace")
    views = [raw, html_mod.unescape(re.sub(r"<[^>]+>", "", raw))]
    if path.suffix in {".ipynb", ".json"} or path.name.endswith(".ipynb.txt"):
        with contextlib.suppress(ValueError):
            nb = json.loads(raw)
            for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
                src = cell.get("source", "")
                views.append("".join(src) if isinstance(src, list) else src)
                for out in cell.get("outputs", []):
                    views.append(json.dumps(out, ensure_ascii=False))
    return "\n".join(_norm(v) for v in views)


def test_no_solution_text_reaches_any_file_of_the_student_edition():
    """No distinctive sentence or code line of any solution is in any file of the student site.

    The solutions are read from the chapter sources (notebooks/*.md), independently of
    how the build hides them; every text file of the student build is searched: pages,
    ``_sources``, ``_downloads`` (notebooks and sources), search index, scripts.
    """
    if not (STUDENT / "index.html").exists():
        pytest.fail(f"no student edition at {STUDENT}: run `make student` (make test does it)")
    fragments = {}
    for md in sorted((ROOT / "notebooks").glob("*.md")):
        text = md.read_text()
        outside = _norm(re.sub(r"(?s)\{solution-start\}.*?\{solution-end\}", "", text))
        prose, code = _solution_fragments(text)
        assert prose and code, f"{md.name}: no solution prose or code found; the reader of this test is broken"
        for frag in prose + code:
            if frag not in outside:  # a line the chapter also shows outside its solutions is not a leak
                fragments[frag] = md.stem
    files = [p for p in STUDENT.rglob("*") if p.is_file() and p.suffix not in {".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf", ".eot", ".ico", ".gif", ".inv"}]
    leaks = []
    for path in files:
        seen = _reader_views(path)
        leaks += [f"{path.relative_to(STUDENT)}: [{ch}] {frag[:70]!r}" for frag, ch in fragments.items() if frag in seen]
    assert len(fragments) > 50, f"only {len(fragments)} solution fragments found"
    assert not leaks, f"{len(leaks)} solution fragments in the student edition:\n" + "\n".join(leaks[:30])


@pytest.fixture(scope="module")
def server():
    with serve(SITE) as base:
        yield base


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
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        _open(page, f"{server}/{rel}")
        has_math = page.evaluate("() => !!document.querySelector('.math, span.math, div.math')")
        if has_math:
            try:
                _wait_for_math(page)
            except Exception as exc:  # noqa: BLE001 - report which page failed
                problems.append(f"{rel}: MathJax did not typeset ({type(exc).__name__})")
            raw = page.evaluate(
                "() => Array.from(document.querySelectorAll('.math')).filter("
                "e => !e.querySelector('mjx-container') && /\\\\\\(|\\\\\\[|\\$\\$/.test(e.textContent)).length")
            if raw:
                problems.append(f"{rel}: {raw} math element(s) left as raw TeX")
        _wait_for_images(page)
        broken = page.evaluate(
            "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        if broken:
            problems.append(f"{rel}: images not loaded: {broken[:3]}")
        if outside:
            problems.append(f"{rel}: requests leaving the machine: {sorted(set(outside))[:5]}")
        if errors:
            problems.append(f"{rel}: script errors: {errors[:3]}")
        ctx.close()
    assert not problems, "\n".join(problems)


def test_no_page_defines_thebe():
    """sphinx-thebe's CDN script address and bootstrap are dropped (book/_ext/drop_thebe.py)."""
    offenders = [p.relative_to(SITE).as_posix() for site in (SITE, STUDENT) for p in _pages(site)
                 if re.search(r"THEBE_JS_URL|sphinx-thebe|thebe@", p.read_text(errors="ignore"))]
    assert not offenders, f"pages still loading Thebe: {offenders[:5]}"


def _figures(page_path):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_path.read_text(errors="ignore"), "html.parser")
    main = soup.find("main") or soup
    return main.find_all("img")


def test_every_figure_has_alt_text_that_is_not_a_file_name():
    problems, n_fig = [], 0
    for site in (SITE, STUDENT):
        for page_path in _pages(site):
            for img in _figures(page_path):
                n_fig += 1
                alt, src = (img.get("alt") or "").strip(), img.get("src", "")
                stem = Path(src).stem
                if (not alt or FILE_NAME.match(alt) or alt in (src, Path(src).name, stem)
                        or len(alt.split()) < 4):
                    problems.append(f"{page_path.relative_to(site)}: {Path(src).name} has alt {alt!r}")
    assert n_fig > 0, "no figure found on the site"
    assert not problems, f"{len(problems)} of {n_fig} figures lack descriptive alt text " \
                         "(set the code cell option mystnb.image.alt):\n" + "\n".join(problems)


def _content_pages(site):
    return [p for p in _pages(site) if p.name not in ("genindex.html", "search.html")
            and 'http-equiv="Refresh"' not in p.read_text(errors="ignore")]


def test_axe_finds_no_serious_or_critical_violation(browser):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make npm` (make test does it)")
    problems, n_pages = [], 0
    for site in (SITE, STUDENT):
        with serve(site) as base:
            ctx = browser.new_context()
            page = ctx.new_page()
            page.route("**/*", local_only(base))
            for page_path in _content_pages(site):
                rel = page_path.relative_to(site).as_posix()
                _open(page, f"{base}/{rel}")
                page.add_script_tag(path=str(AXE))
                found = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                    ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    ".map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes[0].target})`)")
                n_pages += 1
                problems += [f"{site.parents[1].name}/{rel}: {v}" for v in found]
            ctx.close()
    assert n_pages >= 2 * len(list((ROOT / "notebooks").glob("*.md")))
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


def _luminance(rgb):
    import numpy as np

    c = np.asarray(rgb, float) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


def _contrast(l1, l2):
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def test_figures_stay_legible_in_dark_mode(browser):
    import numpy as np
    from PIL import Image

    problems, n_fig = [], 0
    with serve(SITE) as base:
        ctx = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.route("**/*", local_only(base))
        for page_path in _content_pages(SITE):
            rel = page_path.relative_to(SITE).as_posix()
            _open(page, f"{base}/{rel}")
            assert page.evaluate("() => document.documentElement.dataset.theme") == "dark", f"{rel}: not in dark mode"
            page_bg = _luminance(np.array(Image.open(io.BytesIO(page.screenshot(clip={"x": 0, "y": 0, "width": 4,
                                                                                             "height": 4}))).convert("RGB"))[0, 0])
            page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
            for k, img in enumerate(page.locator("main img").all()):
                if not img.is_visible():
                    continue  # inside a collapsed solution
                img.scroll_into_view_if_needed()
                page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=img.element_handle(),
                                       timeout=IMAGES_MS)
                shot = np.array(Image.open(io.BytesIO(img.screenshot())).convert("RGB"))
                n_fig += 1
                border = np.concatenate([shot[:3].reshape(-1, 3), shot[-3:].reshape(-1, 3),
                                         shot[:, :3].reshape(-1, 3), shot[:, -3:].reshape(-1, 3)])
                bg = _luminance(np.median(border, axis=0))
                ink = np.percentile(_luminance(shot.reshape(-1, 3)), 1)
                ratio = _contrast(bg, ink)
                if ratio < 4.5 or _contrast(bg, page_bg) < 3:
                    problems.append(f"{rel} figure {k}: figure background luminance {bg:.2f}, ink {ink:.2f} "
                                    f"(contrast {ratio:.1f}:1), page background {page_bg:.2f}")
        ctx.close()
    assert n_fig > 0, "no figure was screenshotted"
    assert not problems, "figures hard to read in dark mode:\n" + "\n".join(problems)
