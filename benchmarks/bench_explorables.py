"""The site's explorables: grid generation time, data size and redraw time in Chromium.

* Grid generation: each grid of ``book/_ext/explorable_grids.py`` computed afresh (no
  cache), as the first build of a fresh clone does; later builds reuse the cache.
  ``THERMO_BENCH_SKIP_GRIDS=1`` skips this part (the max-margin grid takes minutes).
* Data size: the ``*.data.js`` files of the built site.
* Redraw: each explorable page opened from ``file://`` in headless Chromium; 20 control
  changes, each timed from the ``input`` event until the chart has drawn (uPlot draws in
  a microtask after ``setData``; the timer stops in the next macrotask); the median.

Needs a built site (``make site-stored`` or ``make book``); a row says if it is missing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import explorable_grids as grids  # noqa: E402

SITES = [
    ROOT / "book" / "_build" / "html",
    ROOT / "book" / "_build" / "stored" / "_build" / "html",
]
CHANGES = 20
REDRAW_TARGET_MS = 50.0
SIZE_TARGET_MB = 5.0

_TIME_CHANGES = """async ([sel, n]) => {
    const s = document.querySelector(sel);
    const inputs = Array.from(s.querySelectorAll('input[type=range], select'));
    const tick = () => new Promise(r => {
        const c = new MessageChannel(); c.port1.onmessage = r; c.port2.postMessage(0);
    });
    const times = [];
    for (let k = 0; k < n; k++) {
        const el = inputs[k % inputs.length];
        const count = el.tagName === 'SELECT' ? el.options.length : Number(el.max) + 1;
        el.value = String((Number(el.value) + 1 + (k % 3)) % count);
        const t0 = performance.now();
        const kind = el.tagName === 'SELECT' ? 'change' : 'input';
        el.dispatchEvent(new Event(kind, {bubbles: true}));
        await tick();
        times.push(performance.now() - t0);
    }
    return times;
}"""


def _site() -> Path | None:
    built = [s for s in SITES if (s / "_explorables").is_dir()]
    return (
        max(built, key=lambda s: (s / "_explorables").stat().st_mtime)
        if built
        else None
    )


def redraw_times(site: Path, name: str, n: int = CHANGES) -> list[float]:
    """Milliseconds of ``n`` control changes on one explorable page (headless Chromium).

    Parameters
    ----------
    site : pathlib.Path
        Root of a built HTML site.
    name : str
        One of ``explorable_grids.NAMES``.
    n : int
        Number of changes (>= 1).

    Returns
    -------
    list of float
    """
    if name not in grids.NAMES:
        raise ValueError(f"name must be one of {', '.join(grids.NAMES)}, got {name!r}")
    if not (isinstance(n, int) and n >= 1):
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = b.new_page(viewport={"width": 1100, "height": 900})
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("file:", "data:"))
                else r.abort()
            ),
        )
        page.goto((site / "notebooks" / f"{name}.html").as_uri(), wait_until="load")
        sel = f"#explorable-{name}"
        page.wait_for_function(
            f"() => !!document.querySelector('{sel}').thermoExplorable", timeout=30000
        )
        page.evaluate(_TIME_CHANGES, [sel, 5])  # warm-up
        times = page.evaluate(_TIME_CHANGES, [sel, n])
        b.close()
    return [float(t) for t in times]


def run() -> list[dict]:
    rows = []
    if os.environ.get("THERMO_BENCH_SKIP_GRIDS", "0") not in ("1", "true", "yes"):
        total = 0.0
        for name in grids.NAMES:
            t0 = time.perf_counter()
            grids.compute(name)
            dt = time.perf_counter() - t0
            total += dt
            rows.append(
                {
                    "name": f"explorable grid {name}: first computation",
                    "value": dt,
                    "unit": "s",
                    "target": "cached after the first build",
                    "ok": True,
                    "note": "afresh; later builds read book/_build/.explorables",
                }
            )
        rows.append(
            {
                "name": "explorable grids: all three, first build",
                "value": total,
                "unit": "s",
                "target": "< 300 s",
                "ok": total < 300,
                "note": "THERMO_N_JOBS workers for max-margin",
            }
        )
    site = _site()
    if site is None:
        rows.append(
            {
                "name": "explorables in the site",
                "value": "no built site",
                "unit": "",
                "target": "",
                "ok": False,
                "note": "run `make site-stored` or `make book` first",
            }
        )
        return rows
    size = (
        sum(f.stat().st_size for f in (site / "_explorables").glob("*.data.js")) / 1e6
    )
    rows.append(
        {
            "name": "explorable data, all three",
            "value": size,
            "unit": "MB",
            "target": f"< {SIZE_TARGET_MB:g} MB",
            "ok": size < SIZE_TARGET_MB,
            "note": site.relative_to(ROOT).as_posix(),
        }
    )
    for name in grids.NAMES:
        times = redraw_times(site, name)
        med = statistics.median(times)
        rows.append(
            {
                "name": f"explorable {name}: redraw after a control change",
                "value": med,
                "unit": "ms",
                "target": f"< {REDRAW_TARGET_MS:g} ms (median of {CHANGES})",
                "ok": med < REDRAW_TARGET_MS,
                "note": f"max {max(times):.1f} ms, headless Chromium",
            }
        )
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
