"""PNGs of the first screen of every chapter, light and dark, for anyone to look at.

    python book/screenshots.py [--site book/_build/stored/_build/html] [--out build/screenshots]

``make screenshots`` builds the stored-output site first.  Each chapter page (not the
intro) is opened in Debian's Chromium (through Playwright, no browser download) at
1400x900 with the theme's light and dark colour schemes, math typeset and images loaded,
and its first screen is saved as ``<out>/<chapter>-<light|dark>.png``.  Requests outside
the local server are blocked, as a reader offline would have it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book"))
import headless  # noqa: E402

SITE = ROOT / "book" / "_build" / "stored" / "_build" / "html"
OUT = ROOT / "build" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}
SCHEMES = ("light", "dark")


def chapters(nb_dir: Path = ROOT / "notebooks") -> list[str]:
    """The chapters to photograph: every ``notebooks/*.md`` but the intro."""
    return sorted(p.stem for p in Path(nb_dir).glob("*.md") if p.stem != "intro")


def take(
    site: Path = SITE, out: Path = OUT, names: list[str] | None = None
) -> list[Path]:
    """Save the first screen of each chapter in both colour schemes.

    Parameters
    ----------
    site : Path
        A built HTML site (``index.html`` and ``notebooks/<chapter>.html``).
    out : Path
        Folder for the PNGs (created).
    names : list of str, optional
        Chapters to photograph; default: every chapter but the intro.

    Returns
    -------
    list of Path
        The PNG files written.

    Raises
    ------
    FileNotFoundError
        If the site or a chapter page is missing, or Chromium is not installed.
    """
    site, out = Path(site), Path(out)
    names = chapters() if names is None else list(names)
    missing = [n for n in names if not (site / "notebooks" / f"{n}.html").exists()]
    if not (site / "index.html").exists() or missing:
        raise FileNotFoundError(
            f"site: no built pages {missing or ['index.html']} in {site} (make site-stored)"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with headless.serve(site) as base, headless.chromium() as browser:
        for scheme in SCHEMES:
            for name in names:
                ctx, page = headless.open_page(
                    browser,
                    base,
                    f"notebooks/{name}.html",
                    VIEWPORT["width"],
                    VIEWPORT["height"],
                    dark=scheme == "dark",
                )
                page.evaluate(
                    "() => Array.from(document.images).forEach(i => { i.loading = 'eager'; })"
                )
                page.wait_for_load_state("networkidle")
                theme = page.evaluate("() => document.documentElement.dataset.theme")
                if theme != scheme:  # the theme follows the browser's colour scheme
                    ctx.close()
                    raise RuntimeError(f"{name}: asked for {scheme}, the page shows {theme}")
                path = out / f"{name}-{scheme}.png"
                page.screenshot(path=str(path))  # the first screen: the viewport only
                written.append(path)
                ctx.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for path in take(args.site, args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
