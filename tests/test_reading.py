"""What a reader meets around the chapters: nothing clipped, a PDF, a licence, a citation.

* **Nothing clipped** (marked ``site``): every chapter page of the stored-output site, opened
  in headless Chromium at 1400 px and at 400 px width, with every collapsed block opened;
  any code, output, table or display-equation block whose content is wider than its box
  fails, and so does a page that scrolls sideways.  The deliberate exceptions: a table
  inside a scrolling wrapper (the theme's ``pst-scrollable-table-container``) whose text is
  at least 12 px, and, below 768 px only, a display equation that scrolls inside its own
  box (``book/_static/thermo-book.css``); at 1400 px every equation must fit.  ``python tests/test_reading.py`` prints the full list without failing
  (kind, page, width, content width, first characters).
* **The chapters' code is formatted** (ruff format at 88 columns through jupytext, the check
  that ``make format`` would change nothing).
* **The bibliography**: every entry links its arXiv, DOI or URL (exceptions named in
  ``NO_IDENTIFIER`` with the reason), and no title holds TeX math.
* **LICENSE and CITATION.cff**: both licences named; the CFF file follows the 1.2.0 rules.
* **The PDF** (marked ``pdf``, after ``make pdf``): every page of the site links it and the
  site carries it.  Skipped when no PDF was built, except when ``THERMO_REQUIRE_PDF=1``, where a
  missing PDF fails (for a PDF stage of CI, once ``make pdf`` passes its own check again).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
sys.path.insert(0, str(BOOK))  # also when run as a script, without conftest.py
from headless import chromium, open_page, serve  # noqa: E402
SITE = Path(
    os.environ.get("THERMO_SITE", BOOK / "_build" / "stored" / "_build" / "html")
)
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.md"))
WIDTHS = (1400, 400)
MIN_TABLE_FONT_PX = 12.0
SLACK_PX = 1.0  # sub-pixel rounding

# Entries with no arXiv id, DOI or URL that this project could confirm, and why.
NO_IDENTIFIER: dict[str, str] = {}  # key -> why it has no identifier; none today (the talk
# links its IPAM abstract page)

# ---------------------------------------------------------------------------- clipping

MEASURE_JS = r"""
(minTableFont) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('.admonition.dropdown').forEach(e => e.classList.add('toggle-shown'));
  const main = document.querySelector('main') || document.body;
  const article = document.querySelector('article.bd-article') || main;
  const aRect = article.getBoundingClientRect();
  const kinds = [
    ['equation', 'mjx-container[display="true"]'],
    ['output', '.cell_output pre, .cell_output .output.text_html, .output pre'],
    ['code', 'div.highlight pre'],
    ['table', 'table'],
  ];
  const seen = new Set();
  const found = [];
  const scroller = el => {
    for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll') return p;
    }
    return null;
  };
  for (const [kind, sel] of kinds) {
    for (const el of main.querySelectorAll(sel)) {
      if (seen.has(el)) continue;
      seen.add(el);
      el.querySelectorAll('*').forEach(c => seen.add(c));
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;  // not displayed
      const inner = el.scrollWidth - el.clientWidth;        // content hidden inside the box
      const outer = rect.right - aRect.right;               // the box beyond the column
      const wrap = scroller(el);
      const wrapped = wrap ? el.scrollWidth - wrap.clientWidth : 0;
      const width = Math.max(inner, outer, wrapped);
      if (width <= 1) continue;
      let allowed = false;
      if (kind === 'table' && wrap && wrap.classList.contains('pst-scrollable-table-container')) {
        allowed = parseFloat(getComputedStyle(el).fontSize) >= minTableFont && inner <= 1;
      }
      if (kind === 'equation' && window.innerWidth < 768 && outer <= 1
          && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) {
        allowed = true;  // a phone-width equation scrolling in its own box (thermo-book.css)
      }
      const text = (el.innerText || el.textContent || '').split('\n')
        .reduce((a, b) => (b.length > a.length ? b : a), '');
      found.push({kind, box: Math.round(Math.min(rect.width, aRect.width)),
                  content: Math.round(Math.max(el.scrollWidth, rect.width)),
                  over: Math.round(width), allowed, text: text.slice(0, 70)});
    }
  }
  const sideways = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  return {found, sideways};
}
"""


def clipped_blocks(site: Path = SITE, widths=WIDTHS, chapters=CHAPTERS) -> list[dict]:
    """Every clipped block of every chapter page at every width (allowed ones included).

    Returns
    -------
    list of dict
        ``page``, ``width``, ``kind`` (code, output, table, equation or page), ``box`` and
        ``content`` widths in px, ``over`` (px hidden), ``allowed`` and ``text``.
    """
    if not (site / "index.html").exists():
        pytest.fail(f"no built site at {site}: run `make site-stored`")
    rows = []
    with serve(site) as base, chromium() as browser:
        for width in widths:
            for chapter in chapters:
                rel = f"notebooks/{chapter}.html"
                ctx, page = open_page(browser, base, rel, width)
                result = page.evaluate(MEASURE_JS, MIN_TABLE_FONT_PX)
                ctx.close()
                rows += [dict(r, page=chapter, width=width) for r in result["found"]]
                if result["sideways"] > SLACK_PX:
                    rows.append(
                        dict(
                            page=chapter,
                            width=width,
                            kind="page",
                            box=width,
                            content=width + result["sideways"],
                            over=result["sideways"],
                            allowed=False,
                            text="the page scrolls sideways",
                        )
                    )
    return rows


KNOWN_CLIPPED = Path(__file__).with_name("clipped_known.tsv")


def _clip_key(r: dict) -> str:
    text = " ".join(str(r["text"]).split())[:40]
    return f"{r['width']}\t{r['page']}\t{r['kind']}\t{text}"


def known_clipped() -> Counter:
    """The blocks that clipped when this list was last written, one line each.

    A list that may only shrink: each chapter edit that fixes a block must drop its line,
    and no new block may clip.  Empty is the goal (issue 20).
    """
    if not KNOWN_CLIPPED.exists():
        return Counter()
    lines = KNOWN_CLIPPED.read_text().splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


@pytest.mark.site
def test_no_block_is_clipped_at_1400_or_400_px():
    rows = [r for r in clipped_blocks() if not r["allowed"]]
    found = Counter(_clip_key(r) for r in rows)
    known = known_clipped()
    new = found - known
    fixed = known - found
    lines = [
        f"{r['width']} px {r['page']}: {r['kind']} {r['over']} px wider than its "
        f"{r['box']} px box: {r['text']!r}"
        for r in rows
        if _clip_key(r) in new
    ]
    assert not new, f"{sum(new.values())} newly clipped blocks:\n" + "\n".join(lines)
    assert not fixed, (
        f"no longer clipped, drop from {KNOWN_CLIPPED.name} "
        "(python tests/test_reading.py --write-known):\n" + "\n".join(fixed)
    )


@pytest.mark.site
def test_the_course_page_does_not_scroll_sideways_at_400_px():
    with serve(SITE) as base, chromium() as browser:
        ctx, page = open_page(browser, base, "course.html", 400)
        sideways = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        ctx.close()
    assert sideways <= SLACK_PX, f"course.html scrolls {sideways} px sideways at 400 px"


def test_the_measure_finds_a_clipped_block(tmp_path):
    """The clipping measure is not blind: a page with a long code line and a wide table fails."""
    long = "x = " + " + ".join(f"value_{i}" for i in range(40))
    (tmp_path / "index.html").write_text(
        "<html><body><main><article class='bd-article' style='width:300px'>"
        f"<div class='highlight'><pre style='overflow:auto'>{long}</pre></div>"
        "<div class='highlight'><pre style='white-space:pre-wrap'>short</pre></div>"
        "<table><tr>" + "<td>wide_cell_content</td>" * 30 + "</tr></table>"
        "</article></main></body></html>"
    )
    with serve(tmp_path) as base, chromium() as browser:
        ctx, page = open_page(browser, base, "index.html", 400)
        found = page.evaluate(MEASURE_JS, MIN_TABLE_FONT_PX)["found"]
        ctx.close()
    kinds = sorted(r["kind"] for r in found)
    assert kinds == ["code", "table"], found


# ---------------------------------------------------------------------------- figure text

MIN_TEXT_PX = 9.0  # issue 20: figure text at least 9 px tall on screen at 1400 px
WIDE_ASPECT = 2.0  # a figure at least twice as wide as tall: panels side by side
KNOWN_SMALL_TEXT = Path(__file__).with_name("small_text_known.tsv")

FIGURES_JS = r"""
() => {
  const main = document.querySelector('main') || document.body;
  return Array.from(main.querySelectorAll('img')).map((img, i) => {
    const r = img.getBoundingClientRect();
    const fig = img.closest('figure[id]');
    return {index: i, src: img.currentSrc || img.src, alt: img.alt || '',
            id: fig ? fig.id : '', natural: img.naturalWidth, naturalHeight: img.naturalHeight,
            rendered: r.width, renderedHeight: r.height, loaded: img.complete};
  });
}
"""


def smallest_figure_font_pt() -> float:
    """The smallest text size of the house style (thermo_helpers.plotting), in points.

    Read, not copied: the font sizes after ``plotting.use_style()``, relative sizes such as
    "small" resolved against ``font.size``.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    from thermo_helpers import plotting

    keys = (
        "font.size", "axes.titlesize", "axes.labelsize", "legend.fontsize",
        "xtick.labelsize", "ytick.labelsize", "legend.title_fontsize",
    )
    with mpl.rc_context():
        plotting.use_style()
        sizes = [mpl.rcParams[k] for k in keys if mpl.rcParams[k] is not None]
        return min(FontProperties(size=v).get_size_in_points() for v in sizes)


def png_dpi(path: Path, default: float) -> float:
    """The pixels per inch a PNG was drawn at (its pHYs chunk), else ``default``."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi")
    return float(dpi[0]) if dpi and dpi[0] > 1 else float(default)


def figure_text(site: Path = SITE, widths=WIDTHS, chapters=CHAPTERS) -> list[dict]:
    """Every figure of every chapter page at every width, with its text size on screen.

    The smallest house-style font (points) times the PNG's dpi / 72 is its height in image
    pixels; times rendered width / natural width, in screen pixels.

    Returns
    -------
    list of dict
        ``page``, ``width``, ``key`` (figure label or alt text), ``natural`` and ``rendered``
        widths in px, ``scale``, ``text_px``, ``wide`` (aspect >= WIDE_ASPECT), ``sideways``
        (px the page scrolls sideways).
    """
    from urllib.parse import unquote, urlparse

    import matplotlib as mpl

    if not (site / "index.html").exists():
        pytest.fail(f"no built site at {site}: run `make site-stored`")
    font_pt = smallest_figure_font_pt()
    rows = []
    with serve(site) as base, chromium() as browser:
        for width in widths:
            for chapter in chapters:
                ctx, page = open_page(browser, base, f"notebooks/{chapter}.html", width)
                page.evaluate(
                    "() => Promise.all(Array.from(document.images).map(i => i.decode()"
                    ".catch(() => null)))"
                )
                found = page.evaluate(FIGURES_JS)
                sideways = page.evaluate(
                    "() => document.documentElement.scrollWidth"
                    " - document.documentElement.clientWidth"
                )
                ctx.close()
                for f in found:
                    url = urlparse(f["src"])
                    if url.scheme == "data" or not f["natural"]:
                        continue
                    path = site / unquote(url.path).lstrip("/")
                    if path.suffix.lower() != ".png" or not path.exists():
                        continue
                    dpi = png_dpi(path, mpl.rcParamsDefault["figure.dpi"])
                    scale = f["rendered"] / f["natural"]
                    alt = " ".join(f["alt"].split())[:50].rstrip()
                    key = f["id"] or alt or f"image {f['index']}"
                    rows.append({
                        "page": chapter, "width": width, "key": key,
                        "natural": f["natural"], "rendered": round(f["rendered"]),
                        "scale": round(scale, 3),
                        "text_px": round(font_pt * dpi / 72 * scale, 2),
                        "wide": f["natural"] >= WIDE_ASPECT * f["naturalHeight"],
                        "sideways": sideways,
                    })
    return rows


def _small_text_offenders(rows: list[dict]) -> list[dict]:
    """Figures whose text is below MIN_TEXT_PX: every figure at 1400 px, wide ones at 400."""
    return [
        r
        for r in rows
        if r["text_px"] < MIN_TEXT_PX and (r["width"] >= 1400 or r["wide"])
    ]


def _fig_key(r: dict) -> str:
    return f"{r['width']}\t{r['page']}\t{r['key']}"


def known_small_text() -> Counter:
    """Figures whose text was too small when the list was last written: may only shrink."""
    if not KNOWN_SMALL_TEXT.exists():
        return Counter()
    lines = KNOWN_SMALL_TEXT.read_text().splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


@pytest.fixture(scope="module")
def figure_rows():
    return figure_text()


@pytest.mark.site
def test_figure_text_is_at_least_9_px_at_1400_px_and_on_wide_figures_at_400(figure_rows):
    assert any(r["width"] == 1400 for r in figure_rows), "no figure measured"
    offenders = _small_text_offenders(figure_rows)
    found = Counter(_fig_key(r) for r in offenders)
    known = known_small_text()
    new, fixed = found - known, known - found
    lines = [
        f"{r['width']} px {r['page']}: {r['key']!r} drawn {r['natural']} px wide, shown "
        f"{r['rendered']} px: text {r['text_px']} px"
        for r in offenders
        if _fig_key(r) in new
    ]
    assert not new, f"{sum(new.values())} figures with text below {MIN_TEXT_PX} px:\n" + (
        "\n".join(lines)
    )
    assert not fixed, (
        f"text now large enough, drop from {KNOWN_SMALL_TEXT.name} "
        "(python tests/test_reading.py --write-known):\n" + "\n".join(fixed)
    )


@pytest.mark.site
def test_wide_figures_scroll_in_their_box_at_400_px_not_the_page(figure_rows):
    narrow = [r for r in figure_rows if r["width"] == 400]
    assert narrow, "no figure measured at 400 px"
    assert all(r["sideways"] <= SLACK_PX for r in narrow), {
        r["page"]: r["sideways"] for r in narrow if r["sideways"] > SLACK_PX
    }
    wide = [r for r in narrow if r["wide"]]
    # thermo-figures.js + thermo-book.css: a wide figure keeps a legible width and scrolls
    shrunk = [r for r in wide if r["rendered"] <= 400 and r["text_px"] < MIN_TEXT_PX]
    assert not shrunk, shrunk


FONT_SIZE_WORDS = {"xx-small", "x-small", "small", "smaller"}


def font_overrides(source: str, where: str, floor: float) -> list[str]:
    """Calls in ``source`` that set a text size (``fontsize=``, ``size=`` on text) below ``floor``.

    The Chromium measure above reads the house style's sizes; a call that asks for a smaller
    size would escape it, so the code itself is checked.
    """
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg not in ("fontsize", "title_fontsize", "labelsize") or not isinstance(
                kw.value, ast.Constant
            ):
                continue
            v = kw.value.value
            small = v in FONT_SIZE_WORDS if isinstance(v, str) else float(v) < floor
            if small:
                found.append(f"{where}, line {node.lineno}: {kw.arg}={v!r}")
    return found


def test_no_figure_text_is_set_below_the_house_style():
    import jupytext

    floor = smallest_figure_font_pt()
    found = []
    for md in sorted((ROOT / "notebooks").glob("*.md")):
        for i, cell in enumerate(jupytext.read(md).cells):
            if cell.cell_type == "code":
                found += font_overrides(cell.source, f"{md.name} cell {i}", floor)
    for py in sorted((ROOT / "thermo_helpers").rglob("*.py")):
        found += font_overrides(py.read_text(), str(py.relative_to(ROOT)), floor)
    assert not found, f"text below the house style's {floor:g} pt:\n" + "\n".join(found)


def test_the_font_override_check_is_not_blind():
    code = "ax.legend(fontsize=7)\nax.text(0, 0, 's', fontsize='small')\nax.legend(fontsize=9)"
    assert len(font_overrides(code, "x", 9.0)) == 2


def test_the_figure_measure_is_not_blind(tmp_path):
    """A 1200 px wide PNG at 100 dpi shrunk into a 300 px column is an offender."""
    from PIL import Image

    (tmp_path / "notebooks").mkdir()
    Image.new("RGB", (1200, 300), "white").save(tmp_path / "notebooks" / "w.png", dpi=(100, 100))
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "notebooks" / "c.html").write_text(
        "<html><body><main><figure id='fig-w'><img src='w.png' alt='a wide figure' "
        "style='width:300px'></figure></main></body></html>"
    )
    rows = figure_text(tmp_path, widths=(1400,), chapters=["c"])
    assert [r["key"] for r in rows] == ["fig-w"]
    want = smallest_figure_font_pt() * 100 / 72 * 0.25
    assert rows[0]["text_px"] == pytest.approx(want, abs=0.01)
    assert _small_text_offenders(rows) == rows
    assert png_dpi(tmp_path / "notebooks" / "w.png", 1.0) == pytest.approx(100, abs=0.1)


# ---------------------------------------------------------------------------- formatting


def test_chapters_are_formatted_with_ruff():
    """`make format` would change nothing: every code cell is as ruff formats it (88 columns).

    Cells are checked one by one: a whole-notebook check through jupytext would also ask
    for two blank lines between cells, which a notebook does not store.
    """
    import jupytext

    ruff = Path(sys.executable).parent / "ruff"
    assert ruff.exists(), (
        "ruff is not installed: it is pinned in requirements-lock.txt (make env)"
    )
    unformatted = []
    for chapter in CHAPTERS:
        nb = jupytext.read(ROOT / "notebooks" / f"{chapter}.md")
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
                continue
            done = subprocess.run(
                [str(ruff), "format", "--check", "-"],
                input=cell.source + "\n",
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                unformatted.append(f"{chapter} cell {i}")
    assert not unformatted, f"run `make format`: unformatted {unformatted}"


def test_chapter_code_lines_fit_88_columns():
    """ruff format does not split a long string, so the width is checked line by line."""
    import jupytext

    long = [
        f"{chapter} cell {i}: {len(line)} columns: {line.strip()[:60]}"
        for chapter in CHAPTERS
        for i, cell in enumerate(jupytext.read(ROOT / "notebooks" / f"{chapter}.md").cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > 88
    ]
    assert not long, "split these lines (implicit string concatenation):\n" + "\n".join(long)


# ---------------------------------------------------------------------------- bibliography


def _bib_entries(text: str) -> dict[str, str]:
    entries = {}
    for m in re.finditer(r"^@(\w+)\{([^,]+),(.*?)^\}", text, re.M | re.S):
        entries[m.group(2).strip()] = m.group(3)
    return entries


def bibliography_problems(text: str, no_identifier=NO_IDENTIFIER) -> list[str]:
    """Entries of a .bib text without url/doi/eprint (outside ``no_identifier``) or with TeX math."""
    problems = []
    entries = _bib_entries(text)
    if not entries:
        raise ValueError("text: no bibliography entry found")
    for key, body in entries.items():
        fields = {
            m.group(1).lower(): m.group(2)
            for m in re.finditer(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", body, re.M)
        }
        if not {"url", "doi", "eprint"} & fields.keys() and key not in no_identifier:
            problems.append(f"{key}: no url, doi or eprint")
        if "eprint" in fields and not re.fullmatch(r"\d{4}\.\d{4,5}", fields["eprint"]):
            problems.append(f"{key}: eprint {fields['eprint']!r} is not an arXiv id")
        if "doi" in fields and not fields["doi"].startswith("10."):
            problems.append(f"{key}: doi {fields['doi']!r} does not start with 10.")
        if "$" in body:
            problems.append(f"{key}: raw TeX math ($) in {body.strip()[:60]!r}")
        if "journal" in fields and "arxiv" in fields["journal"].lower():
            problems.append(f"{key}: an arXiv preprint as a journal; use eprint")
    return problems


def test_every_bibliography_entry_links_its_source_and_has_no_raw_tex():
    text = (BOOK / "references.bib").read_text()
    assert not bibliography_problems(text), bibliography_problems(text)
    keys = set(_bib_entries(text))
    assert set(NO_IDENTIFIER) <= keys, (
        f"NO_IDENTIFIER names entries not in the .bib: {set(NO_IDENTIFIER) - keys}"
    )


def test_the_bibliography_check_is_not_blind():
    bad = (
        "@article{a,\n  title = {On $\\mathbb R^n$},\n  year = {1988}\n}\n"
        "@misc{b,\n  title = {Fine},\n  eprint = {1908.05355}\n}\n"
    )
    problems = bibliography_problems(bad, no_identifier={})
    assert any(p.startswith("a: no url") for p in problems)
    assert any(p.startswith("a: raw TeX") for p in problems)
    assert not any(p.startswith("b:") for p in problems)


@pytest.mark.site
def test_bibliography_page_is_author_year_with_links():
    html = (SITE / "bibliography.html").read_text()
    labels = re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<', html
    )
    entries = _bib_entries((BOOK / "references.bib").read_text())
    assert len(labels) == len(entries), (len(labels), len(entries))
    assert all(re.search(r"\b(1[89]|20)\d\d[a-z]?$", lab) for lab in labels), labels[:5]
    assert labels == sorted(labels, key=lambda s: s.lower().rpartition(", ")[::2]), (
        "the list is not in label order"
    )
    links = sum(
        html.count(f'href="{prefix}')
        for prefix in (
            "https://arxiv.org/abs/",
            "https://doi.org/",
            "https://papers.nips.cc/",
            "https://www.ipam.ucla.edu/",
        )
    )
    assert links >= len(entries) - len(NO_IDENTIFIER)
    assert (
        "$"
        not in re.sub(r"<script.*?</script>", "", html, flags=re.S).split(
            "citation-list"
        )[-1]
    )


# ---------------------------------------------------------------------------- licence, citation

CFF_KEYS = {
    "abstract",
    "authors",
    "cff-version",
    "commit",
    "contact",
    "date-released",
    "doi",
    "identifiers",
    "keywords",
    "license",
    "license-url",
    "message",
    "preferred-citation",
    "references",
    "repository",
    "repository-artifact",
    "repository-code",
    "title",
    "type",
    "url",
    "version",
}
CFF_REFERENCE_TYPES = {
    "art",
    "article",
    "audiovisual",
    "bill",
    "blog",
    "book",
    "catalogue",
    "conference",
    "conference-paper",
    "data",
    "database",
    "dictionary",
    "edited-work",
    "encyclopedia",
    "film-broadcast",
    "generic",
    "government-document",
    "grant",
    "hearing",
    "historical-work",
    "legal-case",
    "legal-rule",
    "magazine-article",
    "manual",
    "map",
    "multimedia",
    "music",
    "newspaper-article",
    "pamphlet",
    "patent",
    "personal-communication",
    "proceedings",
    "report",
    "serial",
    "slides",
    "software",
    "software-code",
    "software-container",
    "software-executable",
    "software-virtual-machine",
    "sound-recording",
    "standard",
    "statute",
    "thesis",
    "unpublished",
    "video",
    "website",
}


def cff_problems(data: dict) -> list[str]:
    """Departures of a parsed CITATION.cff from the Citation File Format 1.2.0 rules used here."""
    problems = []
    if not isinstance(data, dict):
        raise TypeError(f"data must be a dict, got {type(data).__name__}")
    for key in ("cff-version", "message", "title", "authors"):
        if key not in data:
            problems.append(f"missing required key {key!r}")
    if str(data.get("cff-version")) != "1.2.0":
        problems.append(f"cff-version is {data.get('cff-version')!r}, not '1.2.0'")
    problems += [f"unknown key {k!r}" for k in data if k not in CFF_KEYS]
    if data.get("type", "software") not in ("software", "dataset"):
        problems.append(f"type {data.get('type')!r} is neither software nor dataset")
    persons = list(data.get("authors") or [])
    if not persons:
        problems.append("authors is empty")
    for ref in data.get("references", []):
        if ref.get("type") not in CFF_REFERENCE_TYPES:
            problems.append(
                f"reference type {ref.get('type')!r} is not a CFF 1.2.0 type"
            )
        for key in ("title", "authors"):
            if key not in ref:
                problems.append(f"reference {ref.get('title', '?')!r} lacks {key}")
        persons += list(ref.get("authors") or [])
        for key in ("date-published", "date-released"):
            if key in ref and not (
                isinstance(ref[key], str) and re.fullmatch(r"\d{4}-\d\d-\d\d", ref[key])
            ):
                problems.append(
                    f"{key} {ref[key]!r} must be a quoted YYYY-MM-DD string"
                )
        if "month" in ref and ref["month"] not in range(1, 13):
            problems.append(f"month {ref['month']!r} must be 1 to 12")
    for p in persons:
        if not isinstance(p, dict) or not (
            {"name"} <= p.keys() or {"family-names"} <= p.keys()
        ):
            problems.append(
                f"author {p!r} is neither an entity (name) nor a person (family-names)"
            )
    licences = data.get("license", [])
    for lic in [licences] if isinstance(licences, str) else licences:
        if lic not in ("MIT", "BSD-3-Clause", "CC-BY-4.0"):
            problems.append(f"license {lic!r} is not one this project uses (SPDX id)")
    return problems


def test_citation_cff_follows_cff_1_2_0_and_cites_the_talk():
    import yaml

    data = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert not cff_problems(data), cff_problems(data)
    talk = [
        r
        for r in data.get("references", [])
        if "Thermodynamic limits" in r.get("title", "")
    ]
    assert talk and talk[0]["authors"][0]["family-names"] == "Montanari"
    assert set(data["license"]) == {"MIT", "CC-BY-4.0"}


def test_the_cff_check_is_not_blind():
    bad = {
        "cff-version": "1.1.0",
        "title": "t",
        "authors": ["me"],
        "colour": 1,
        "references": [
            {
                "type": "speech",
                "title": "x",
                "authors": [{"name": "a"}],
                "date-published": _dt.date(2019, 11, 21),
            }
        ],
    }
    problems = " | ".join(cff_problems(bad))
    for needle in ("'message'", "1.1.0", "'colour'", "'speech'", "YYYY-MM-DD", "'me'"):
        assert needle in problems, needle


def test_licence_names_both_licences_and_what_they_cover():
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "Permission is hereby granted" in text
    assert "CC-BY-4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    assert re.search(r"Code: MIT", text) and re.search(
        r"Text and figures: Creative Commons", text
    )


# ---------------------------------------------------------------------------- the PDF

PDF = BOOK / "_build" / "thermo-book.pdf"


def _need_pdf():
    if not PDF.exists():
        if os.environ.get("THERMO_REQUIRE_PDF") == "1":
            pytest.fail(f"no PDF at {PDF}: `make pdf`")
        pytest.skip(
            "no PDF built (`make tex pdf`; THERMO_REQUIRE_PDF=1 makes this a failure)"
        )


@pytest.mark.pdf
def test_every_page_links_the_pdf_that_the_site_carries():
    _need_pdf()
    carried = SITE / "thermo-book.pdf"
    assert carried.exists() and carried.read_bytes() == PDF.read_bytes(), (
        "the site does not carry the PDF"
    )
    pages = [
        p
        for p in SITE.rglob("*.html")
        if "_static" not in p.parts
        and "paper" not in p.relative_to(SITE).parts[:1]
        and 'http-equiv="Refresh"' not in p.read_text(errors="ignore")
    ]
    assert pages
    for page in pages:
        hrefs = re.findall(
            r'href="([^"]*thermo-book\.pdf)"', page.read_text(errors="ignore")
        )
        assert hrefs, f"{page.relative_to(SITE)} does not link the PDF"
        assert all((page.parent / h).resolve() == carried.resolve() for h in hrefs), (
            page,
            hrefs,
        )


@pytest.mark.pdf
def test_the_pdf_has_every_chapter_and_no_cut_line():
    _need_pdf()
    sys.path.insert(0, str(BOOK))
    from pdf_check import check

    log = BOOK / "_build" / "pdf" / "_build" / "latex" / "thermo-book.log"
    problems = check(PDF, log if log.exists() else None)
    assert not problems, "\n".join(problems)


def test_pdf_check_finds_a_cut_line_and_a_missing_chapter(tmp_path):
    sys.path.insert(0, str(BOOK))
    import pdf_check

    tex = [
        "\\begin{sphinxVerbatim}",
        "x = 1",
        "\\end{sphinxVerbatim}",
        "\\begin{equation*}",
        "y",
        "\\end{equation*}",
        "text",
    ]
    log = (
        "Overfull \\hbox (12.0pt too wide) detected at line 2\n"
        "Overfull \\hbox (30.0pt too wide) detected at line 6\n"
        "Overfull \\hbox (3.0pt too wide) in paragraph at lines 7--7\n"
    )
    boxes = pdf_check.overfull_boxes(log, tex)
    assert [(b.where, b.points) for b in boxes] == [
        ("verbatim", 12.0),
        ("math", 30.0),
        ("text", 3.0),
    ]
    assert pdf_check.squash("a = f(b,\n ,\u2192 c)") == "a=f(b,c)"
    page = "head\nx = 1\n(continues on next page)\n12 Chapter\n\fhead\n(continued from previous page)\ny = 2\nfoot"
    assert pdf_check.body_text(page).split() == ["x", "=", "1", "y", "=", "2"]
    with pytest.raises(FileNotFoundError, match="pdf"):
        pdf_check.pdf_text(tmp_path / "none.pdf")


if __name__ == "__main__":
    # The full list of clipped blocks, without failing: python tests/test_reading.py [site]
    # With --write-known, the still-clipped blocks become the known list (it may only shrink).
    args = [a for a in sys.argv[1:] if a != "--write-known"]
    site = Path(args[0]) if args else SITE
    rows = clipped_blocks(site)
    for r in rows:
        flag = "allowed" if r["allowed"] else "CLIPPED"
        print(
            f"{flag}\t{r['width']}\t{r['page']}\t{r['kind']}\t{r['box']}\t"
            f"{r['content']}\t{r['over']}\t{r['text']}"
        )
    if "--write-known" in sys.argv:
        keys = sorted(_clip_key(r) for r in rows if not r["allowed"])
        header = "# width\tpage\tkind\tfirst characters: blocks still clipped (issue 20)\n"
        KNOWN_CLIPPED.write_text(header + "".join(k + "\n" for k in keys))
    figs = figure_text(site)
    for r in figs:
        flag = "SMALL" if r in _small_text_offenders(figs) else "ok"
        print(
            f"{flag}\t{r['width']}\t{r['page']}\t{r['natural']}\t{r['rendered']}\t"
            f"{r['text_px']}\t{'wide' if r['wide'] else ''}\t{r['key']}"
        )
    if "--write-known" in sys.argv:
        keys = sorted(_fig_key(r) for r in _small_text_offenders(figs))
        header = "# width\tpage\tfigure: text below 9 px on screen (issue 20; may only shrink)\n"
        KNOWN_SMALL_TEXT.write_text(header + "".join(k + "\n" for k in keys))
