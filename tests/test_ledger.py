"""The ledger of the talk's claims and the result on the first screen.

* Every claim of ``book/ledger.py`` has a verdict glued by its chapter's executed twin,
  in the one vocabulary, and that verdict is the one the ledger's rule gives for the
  glued numbers (p >= 0.01, |z| <= 2.576, value inside its interval, exact checks).
* Where a chapter's reference table judges the same thing, its verdict and the ledger's
  agree.
* The generated ledger page (``make site-stored`` writes it) is what the twins give now,
  and its badges match the chapters' verdicts row by row.
* In the built site, each chapter's headline figure starts within the first two screens
  at 1400x900 (Chromium).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from reference_cells import output_text, reference_cells

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ledger():
    spec = importlib.util.spec_from_file_location("ledger", ROOT / "book" / "ledger.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ledger"] = (
        module  # dataclasses look their module up while the class is built
    )
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows(ledger):
    return ledger.ledger_rows()


def _reference_text(chapter: str) -> str:
    nb = json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text())
    for cell in reference_cells(nb):
        return output_text(cell)
    raise AssertionError(f"{chapter}: no reference cell")


def test_every_claim_has_a_verdict_in_the_vocabulary(ledger, rows):
    assert len(rows) == len(ledger.CLAIMS) >= 25
    assert len({c.key for c in ledger.CLAIMS}) == len(ledger.CLAIMS)
    for r in rows:
        assert r["book"]["verdict"] in ledger.VERDICTS, r["claim"].key
        assert r["book"]["text"].strip(), f"{r['claim'].key}: no deciding numbers"
        assert r["claim"].chapter in ledger.CHAPTERS


def test_verdicts_follow_the_one_rule(ledger, rows):
    for r in rows:
        for edition in ("book", "paper"):
            entry = r[edition]
            if entry is None:
                continue
            want = ledger.expected_verdict(entry)
            if want is not None:
                assert entry["verdict"] == want, (
                    f"{r['claim'].key} ({edition}): glued {entry['verdict']}, rule {want}"
                )


def test_the_rule_can_fail(ledger):
    assert ledger.expected_verdict({"verdict": "agrees", "p": 0.009}) == "disagrees"
    assert ledger.expected_verdict({"verdict": "agrees", "z": 2.6}) == "disagrees"
    assert (
        ledger.expected_verdict(
            {"verdict": "agrees", "lo": 0.0, "hi": 1.0, "target": 1.5}
        )
        == "disagrees"
    )
    assert (
        ledger.expected_verdict({"verdict": "agrees", "p": 0.5, "check": 0.0})
        == "disagrees"
    )
    assert (
        ledger.expected_verdict({"verdict": "agrees", "p": 0.5, "z": 1.0}) == "agrees"
    )
    with pytest.raises(ValueError, match="deciding number"):
        ledger.expected_verdict({"verdict": "agrees", "text": "no numbers"})
    with pytest.raises(TypeError, match="entry"):
        ledger.expected_verdict(["agrees"])


def test_no_claim_is_left_not_reproduced(rows):
    # the talk's experiments on trained networks (fit_noise, interpolating) are run by the
    # double-descent chapter with a two-layer network on the 8x8 digits
    not_run = {r["claim"].key for r in rows if r["book"]["verdict"] == "not reproduced"}
    assert not_run == set()


def test_reference_tables_and_ledger_agree(rows):
    by_key = {r["claim"].key: r["book"]["verdict"] for r in rows}
    rep = _reference_text("representation")
    for label, key in [
        ("NT = theorem", "nt_theorem"),
        ("SGD - flow = a eps + b: b = 0", "sgd_theorem"),
        ("RF gap at d -> inf = 0 (1/d fit)", "rf_theorem_quad"),
        ("NN flow(t=10), mean within 1e-3 of optimum", "nn_theorem"),
    ]:
        line = next(ln for ln in rep.splitlines() if ln.strip().startswith(label))
        table = line.split()[-1]
        assert table == by_key[key], (
            f"representation table says {label!r}: {table}; ledger {key}: {by_key[key]}"
        )
    dd = _reference_text("double_descent")
    main = [
        ln.split()[-1] for ln in dd.splitlines() if ln.strip().startswith("main: lam=")
    ]
    assert len(main) == 4
    table = "agrees" if all(v == "agrees" for v in main) else "disagrees"
    assert table == by_key["rf_theorem"]


def test_missing_paper_entries_are_said_so(ledger, rows):
    text = ledger.render_table(rows)
    n_missing = sum(r["paper"] is None for r in rows)
    assert f"{n_missing} of {len(rows)} {ledger.NOT_IN_PAPER}" in text
    assert text.count(f"  - {ledger.MISSING}\n") == n_missing


@pytest.mark.site
def test_written_ledger_matches_the_chapters(ledger, rows):
    path = ledger.GENERATED / "ledger_table.md"
    assert path.exists(), (
        "no generated ledger: `make site-stored` writes it (python book/ledger.py write)"
    )
    written = path.read_text()
    assert written == ledger.render_table(rows), (
        "the ledger page is out of date: python book/ledger.py write"
    )
    table_rows = re.findall(r"^\* - (\d+)\n((?:  - .*\n){5})", written, flags=re.MULTILINE)
    assert [int(n) for n, _ in table_rows] == list(range(1, len(rows) + 1))
    for (_, cells), r in zip(table_rows, rows, strict=True):
        cells = cells.splitlines()
        verdict = f"`{r['book']['verdict']}`"
        assert verdict in cells[1], f"ledger {cells[1]}, chapter {r['book']}"
        assert f"<{r['claim'].label}>`" in cells[4]


@pytest.mark.site
def test_headline_figure_on_the_first_two_screens(ledger, browser):
    from headless import serve
    from test_site import SITE

    tops = {}
    with serve(SITE) as base:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        for chapter, prefix in ledger.CHAPTERS.items():
            page.goto(f"{base}/notebooks/{chapter}.html", wait_until="load")
            tops[chapter] = page.evaluate(
                """(id) => { const el = document.getElementById(id);
                             if (!el) return null;
                             const img = el.querySelector('img') || el;
                             return img.getBoundingClientRect().top + window.scrollY; }""",
                f"{prefix}-headline",
            )
    missing = [c for c, t in tops.items() if t is None]
    assert not missing, f"no headline figure (id <prefix>-headline) on: {missing}"
    low = {c: round(t) for c, t in tops.items() if t > 2 * 900}
    assert not low, (
        f"headline figure below the second screen at 1400x900 (top in px): {low}"
    )
