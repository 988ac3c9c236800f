"""The book's one verdict vocabulary and the reference tables that carry it."""

from __future__ import annotations

import math

import pytest

from thermo_helpers import report


def test_threshold_is_the_two_sided_one_percent_level():
    from scipy.stats import norm

    assert report.THRESHOLD == 0.01
    assert report.Z_LEVEL == pytest.approx(norm.ppf(1 - report.THRESHOLD / 2), abs=1e-12)


@pytest.mark.parametrize(
    "z, want",
    [(0.0, "agrees"), (2.57, "agrees"), (-2.58, "disagrees"), (9.0, "disagrees"),
     (math.inf, "disagrees"), (math.nan, "undecided"), (None, "undecided")],
)
def test_verdict_z(z, want):
    assert report.verdict_z(z) == want


@pytest.mark.parametrize(
    "p, want", [(0.5, "agrees"), (0.01, "agrees"), (0.0099, "disagrees"), (math.nan, "undecided")]
)
def test_verdict_p(p, want):
    assert report.verdict_p(p) == want


def test_verdict_interval():
    assert report.verdict_interval(-1.1, -0.9, -1.0) == "agrees"
    assert report.verdict_interval(-1.02, -1.01, -1.0) == "disagrees"
    assert report.verdict_interval(math.nan, 1.0, 0.0) == "undecided"


def _table(**kw):
    rows = [
        {"quantity": "slope", "theory": -1.0, "fit": -1.013, "verdict": "disagrees"},
        {"quantity": "gap <b>", "theory": 0.0, "fit": 0.004, "verdict": True},
        {"quantity": "kappa", "theory": 0.5, "fit": float("nan"), "verdict": None},
    ]
    return report.reference_table(rows, ["quantity", "theory", "fit", "verdict"], digits=2, **kw)


def test_text_form_is_rounded_and_aligned():
    t = _table(labels={"fit": "simulation"})
    lines = repr(t).splitlines()
    assert lines[0].split() == ["quantity", "theory", "simulation", "verdict"]
    assert lines[2].split() == ["slope", "-1.00", "-1.01", "disagrees"]
    assert lines[3].split()[-1] == "agrees" and lines[4].split()[-2:] == ["-", "undecided"]
    assert len({len(line) for line in lines[:2]}) == 1


def test_html_colours_verdicts_links_disagreements_and_escapes():
    h = _table(why={"slope": "#why-slope"})._repr_html_()
    assert h.count("<tr>") == 4 and "<table" in h
    assert '<a href="#why-slope">why</a>' in h
    assert "gap &lt;b&gt;" in h and "gap <b>" not in h
    for colour in report._BADGE.values():
        assert colour in h
    assert "why</a>" not in _table()._repr_html_()


def test_unknown_verdict_is_refused_with_its_place():
    with pytest.raises(ValueError, match=r"rows\[0\]\['verdict'\]"):
        report.reference_table([{"q": "x", "verdict": "yes"}], ["q", "verdict"])
