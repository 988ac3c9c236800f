"""The explorables of the site draw the project's theory, offline, and are accessible.

Each chapter page with an explorable (book/_ext/explorables.py) is opened from
``file://`` in headless Chromium with every other request blocked.  At 50 random
settings of the controls per explorable, the values the page hands to the chart
(``section.thermoExplorable``) are compared with the Python theory functions at the
same parameters (relative tolerance 1e-3).  Keyboard operation, text values, axe-core
on the explorables in the light and dark themes, the contrast of the chart colours,
the data size and where the scripts are loaded are checked too.  No timing is asserted
here: redraw speed is measured by ``make bench`` (benchmarks/bench_explorables.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.site, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import explorable_grids as grids  # noqa: E402

SITE = Path(
    os.environ.get(
        "THERMO_SITE", ROOT / "book" / "_build" / "stored" / "_build" / "html"
    )
)
STUDENT = Path(
    os.environ.get(
        "THERMO_STUDENT_SITE", SITE.parents[2] / "student" / "_build" / "html"
    )
)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SEED = 22  # the issue number; the random control settings come from it
SETTINGS = 50
RTOL = 1e-3
PAGES = {name: f"notebooks/{name}.html" for name in grids.NAMES}


def _page_file(name: str, site: Path = SITE) -> Path:
    path = site / PAGES[name]
    if not path.exists():
        pytest.fail(f"no built page {path}: run `make site-stored` (make test does it)")
    return path


class OfflinePage:
    """A chapter page opened from file:// with the network blocked; records errors."""

    def __init__(self, browser, name: str, site: Path = SITE):
        self.ctx = browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.ctx.new_page()
        self.blocked, self.errors = [], []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.name = name
        self.sel = f"#explorable-{name}"
        self.page.goto(_page_file(name, site).as_uri(), wait_until="load")
        self.page.wait_for_function(
            f"() => !!document.querySelector('{self.sel}').thermoExplorable",
            timeout=20000,
        )

    def _route(self, route):
        if route.request.url.startswith(("file:", "data:")):
            return route.continue_()
        self.blocked.append(route.request.url)
        return route.abort()

    def controls(self) -> list:
        return self.page.evaluate(
            f"() => window.THERMO_EXPLORABLES[{self.name!r}].controls"
        )

    def set(self, index: dict) -> dict:
        """Set each control to a grid index, as a user would; return the drawn state."""
        return self.page.evaluate(
            """([sel, index]) => {
                const s = document.querySelector(sel);
                for (const [id, i] of Object.entries(index)) {
                    const el = s.querySelector(`[name="${id}"]`);
                    el.value = String(i);
                    const kind = el.tagName === 'SELECT' ? 'change' : 'input';
                    el.dispatchEvent(new Event(kind, {bubbles: true}));
                }
                return s.thermoExplorable;
            }""",
            [self.sel, index],
        )

    def state(self) -> dict:
        return self.page.evaluate(
            f"() => document.querySelector('{self.sel}').thermoExplorable"
        )

    def close(self):
        self.ctx.close()


@pytest.fixture(scope="module")
def pages(browser):
    """One offline page per explorable, opened on first use, shared by this module."""
    opened = {}

    def get(name: str) -> OfflinePage:
        if name not in opened:
            opened[name] = OfflinePage(browser, name)
        return opened[name]

    yield get
    for p in opened.values():
        _offline(p)
        p.close()


def _random_settings(
    controls: list, rng: np.random.Generator, n: int = SETTINGS
) -> list[dict]:
    return [
        {c["id"]: int(rng.integers(len(c["values"]))) for c in controls}
        for _ in range(n)
    ]


def _as_array(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _close(drawn, expected, what: str, *, atol: float = 0.0) -> None:
    drawn, expected = _as_array(drawn), np.asarray(expected, dtype=float)
    finite = np.isfinite(expected)
    assert np.array_equal(np.isfinite(drawn), finite), (
        f"{what}: gaps differ from the theory's non-finite values"
    )
    np.testing.assert_allclose(
        drawn[finite], expected[finite], rtol=RTOL, atol=atol, err_msg=what
    )


def _offline(p: OfflinePage) -> None:
    assert not p.blocked, f"{p.name}: requests left the machine: {p.blocked[:3]}"
    assert not p.errors, f"{p.name}: script errors: {p.errors[:3]}"


def test_double_descent_draws_the_theory(pages):
    import thermo_helpers.double_descent as dd

    p = pages("double_descent")
    rng = np.random.default_rng([SEED, 0])
    lam_c_checked = 0
    for index in _random_settings(p.controls(), rng):
        st = p.set(index)
        par = st["params"]
        assert st["index"] == index
        x = np.asarray(st["charts"][0]["x"])
        snr = par["snr"]
        th = dd.rf_ridge_asymptotics(
            x * par["psi2"],
            par["psi2"],
            par["lam"],
            activation=grids.dd_activation(par["activation"]),
            F1=1.0,
            tau=np.sqrt(1 / snr),
        )
        label = f"double descent at {par}"
        series = st["charts"][0]["series"]
        _close(series["test error R"], th.test_error, f"test error, {label}")
        _close(series["bias F₁²·B"], th.bias, f"bias, {label}")
        _close(series["variance τ²·V"], th.variance / snr, f"variance, {label}")
        if lam_c_checked < 15:  # crossover_lambda costs ~30 ms: a third of the settings
            lam_c = grids.dd_lam_c(par["psi2"], snr, par["activation"])
            drawn = st["lines"]["lam_c"]
            if lam_c is None:
                assert drawn is None, (
                    f"lambda_c drawn as {drawn} where none exists, {label}"
                )
            else:
                assert drawn == pytest.approx(lam_c, rel=RTOL), f"lambda_c, {label}"
            lam_c_checked += 1
    _offline(p)


def test_max_margin_draws_the_theory(pages):
    import thermo_helpers.max_margin as mm

    p = pages("max_margin")
    rng = np.random.default_rng([SEED, 1])
    thresholds = {}
    for k, index in enumerate(_random_settings(p.controls(), rng)):
        st = p.set(index)
        par = st["params"]
        label = f"max-margin at {par}"
        x = np.asarray(st["charts"][0]["x"])
        # one random point per setting (~0.4 s each); the first point every 10th
        j = 0 if k % 10 == 0 else int(rng.integers(len(x)))
        kappa, err = grids.mm_point(x[j], par["psi2"], par["flip"])
        assert st["charts"][0]["series"]["κ*/√ψ₁"][j] == pytest.approx(
            kappa / np.sqrt(x[j]), rel=RTOL, abs=1e-6
        ), label
        assert st["charts"][1]["series"]["Err*"][j] == pytest.approx(err, rel=RTOL), (
            label
        )
        key = (par["psi2"], par["flip"])
        if len(thresholds) < 3 and key not in thresholds:
            thresholds[key] = mm.rf_separability_threshold(
                par["psi2"], activation="relu", flip=par["flip"]
            )
            assert st["lines"]["threshold"] == pytest.approx(
                thresholds[key], rel=RTOL
            ), label
        thr = st["lines"]["threshold"]
        assert x[0] == pytest.approx(1.0005 * thr, rel=1e-6) and np.all(
            np.diff(x) > 0
        ), label
    big = grids.SPECS["max_margin"]["psi1_inf"]
    kappa, err = grids.mm_point(big, par["psi2"], par["flip"])
    assert st["lines"]["kappa_inf"] == pytest.approx(kappa / np.sqrt(big), rel=RTOL)
    assert st["lines"]["test_error_inf"] == pytest.approx(err, rel=RTOL)
    _offline(p)


def test_representation_draws_the_theory(pages):
    import thermo_helpers.representation as rep

    p = pages("representation")
    rng = np.random.default_rng([SEED, 2])
    axes = grids.rep_axes()
    for index in _random_settings(p.controls(), rng):
        st = p.set(index)
        i = index["exponent"]
        B = grids.rep_target(float(axes["exponents"][i]), i, axes["d"])
        x = np.asarray(st["charts"][0]["x"])
        np.testing.assert_allclose(x, axes["psi1"], rtol=1e-12)
        for model in ("rf", "nt", "nn"):
            _close(
                st["charts"][0]["series"][model.upper()],
                rep.asymptotic_risk(model, x, B),
                f"{model} at exponent {axes['exponents'][i]:.1f}",
                atol=1e-6,
            )
        share = np.trace(B) ** 2 / (axes["d"] * np.sum(B * B))
        assert st["lines"]["share"] == pytest.approx(share, rel=1e-9)
    _offline(p)


@pytest.mark.parametrize("name", grids.NAMES)
def test_controls_work_from_the_keyboard_and_show_their_values(pages, name):
    p = pages(name)
    page = p.page
    p.set({c["id"]: c["default"] for c in p.controls()})
    for c in p.controls():
        sel = f"#explorable-{name}-{c['id']}"
        label = page.evaluate(
            f"() => document.querySelector('label[for=\"{sel[1:]}\"]').textContent"
        )
        assert label == c["label"]
        start = c["default"]
        assert page.text_content(f"{sel}-value") == c["text"][start]
        page.focus(sel)
        up = start < len(c["values"]) - 1
        key = (
            ("ArrowRight" if up else "ArrowLeft")
            if c["kind"] == "range"
            else ("ArrowDown" if up else "ArrowUp")
        )
        page.keyboard.press(key)
        moved = p.state()["index"][c["id"]]
        assert moved != start, f"{name}: {c['id']} did not move with {key}"
        assert page.text_content(f"{sel}-value") == c["text"][moved]
        if c["kind"] == "range":
            assert page.get_attribute(sel, "aria-valuetext").endswith(c["text"][moved])
    # Tab reaches every control in order
    page.focus(f"#explorable-{name}-{p.controls()[0]['id']}")
    for c in p.controls()[1:]:
        page.keyboard.press("Tab")
        assert (
            page.evaluate("() => document.activeElement.id")
            == f"explorable-{name}-{c['id']}"
        )
    assert len(p.state()["summary"]) > 40
    _offline(p)


def _luminance(color: str) -> float:
    """Relative luminance of '#rrggbb' or 'rgb(a)(r, g, b[, a])'."""
    color = color.strip()
    if color.startswith("#"):
        rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        rgb = [
            float(v)
            for v in color[color.index("(") + 1 : color.index(")")].split(",")[:3]
        ]
    c = np.asarray(rgb, float) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ np.array([0.2126, 0.7152, 0.0722]))


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("name", grids.NAMES)
def test_axe_and_contrast_in_both_themes(pages, name):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make npm`")
    p = pages(name)
    page = p.page
    page.add_script_tag(path=str(AXE))
    problems = []
    for theme in ("dark", "light"):
        page.evaluate(
            f"() => document.documentElement.setAttribute('data-theme', '{theme}')"
        )
        page.wait_for_function(
            f"() => document.querySelector('{p.sel}')"
            f".thermoExplorable.colours.theme === '{theme}'"
        )
        found = page.evaluate(
            """async (sel) => (await axe.run({include: [sel]},
                                             {resultTypes: ['violations']})).violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => `${v.impact} ${v.id}: ${v.help} `
                         + `(${v.nodes.length}x, e.g. ${v.nodes[0].target})`)""",
            p.sel,
        )
        problems += [f"{name} ({theme}): {v}" for v in found]
        colours = p.state()["colours"]
        background = page.evaluate(
            "() => getComputedStyle(document.body).backgroundColor"
        )
        for c in colours["series"]:
            if _contrast(c, background) < 3.0:
                problems.append(
                    f"{name} ({theme}): curve {c} on {background}: contrast < 3:1"
                )
        if _contrast(colours["text"], background) < 4.5:
            problems.append(
                f"{name} ({theme}): text {colours['text']} on {background}: below 4.5"
            )
    _offline(p)
    assert not problems, "\n".join(problems)


def test_data_is_small_and_loaded_only_where_needed():
    out = SITE / "_explorables"
    data = sorted(out.glob("*.data.js"))
    assert {f.name.split(".")[0] for f in data} == set(grids.NAMES)
    total = sum(f.stat().st_size for f in data)
    assert total < 5e6, f"explorable data {total / 1e6:.2f} MB, above 5 MB"
    for f in data:
        payload = grids.read_script(f)
        assert payload["key"] == grids.cache_key(payload["name"]), f"{f.name} is stale"
    for site in (SITE, STUDENT):
        for name, rel in PAGES.items():
            html = _page_file(name, site).read_text()
            assert (
                f'data-explorable="{name}"' in html
                and f"_explorables/{name}.data.js" in html
            ), (site, name)
        intro = (site / "notebooks" / "intro.html").read_text()
        assert "_explorables/" not in intro, (
            "a page without an explorable loads its scripts"
        )
        assert not list((site / "_static").rglob("uPlot*")), (
            "uPlot must not sit under _static"
        )
