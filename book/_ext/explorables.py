"""Explorable theory curves in the static site: the ``{explorable}`` directive.

A markdown cell of a chapter holds::

    ```{explorable} double_descent
    ```

and the HTML page gets a container that ``_explorables/explorables.js`` fills with
labelled controls and a uPlot chart, drawn from a grid precomputed at build time
(``explorable_grids.py``, same folder).  Nothing is fetched: the chart library, the
script and the data are plain ``<script>`` files in ``<html>/_explorables/``, so the
page works from ``file://`` with the network off and no kernel.  The folder is not
``_static``
(jupyter-book adds every ``.js`` under ``_static`` to every page): only the pages that
carry an explorable load these files.

At ``builder-inited`` every grid is taken from the cache ``book/_build/.explorables/``
(keyed by a hash of its spec and of the theory code; see ``explorable_grids.cache_key``)
or computed and stored there, then copied with uPlot (``node_modules/uplot``, pinned in
``package.json``; ``make npm``) into the output.  Non-HTML builders get a sentence
pointing to the website instead.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

sys.path.insert(0, str(Path(__file__).resolve().parent))
import explorable_grids as grids  # noqa: E402

LOG = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "_explorables"  # explorables.js, explorables.css
ROOT = HERE.parents[1]
UPLOT = ("uPlot.iife.min.js", "uPlot.min.css")
OUT = "_explorables"
ENV_KEY = "thermo_explorables"

TITLES = {
    "double_descent": "Explore the double-descent curve",
    "max_margin": "Explore the max-margin asymptotics",
    "representation": "Explore RF, NT and NN against the target's spectrum",
}


class ExplorableDirective(SphinxDirective):
    """``{explorable} <name>``: an interactive view of one theory grid."""

    required_arguments = 1
    has_content = False
    option_spec = {"class": directives.class_option}

    def run(self):
        name = self.arguments[0].strip()
        if name not in grids.NAMES:
            raise self.error(
                f"explorable name must be one of {', '.join(grids.NAMES)}, got {name!r}"
            )
        store = getattr(self.env, ENV_KEY, None)
        if store is None:
            store = {}
            setattr(self.env, ENV_KEY, store)
        store.setdefault(self.env.docname, set()).add(name)
        title = TITLES[name]
        html = (
            f'<section class="thermo-explorable" id="explorable-{name}" '
            f'data-explorable="{name}" '
            f'aria-labelledby="explorable-{name}-title">\n'
            f'<h4 class="thermo-explorable-title" id="explorable-{name}-title">'
            f"{title}</h4>\n"
            '<p class="thermo-explorable-fallback">'
            "This interactive figure needs JavaScript; "
            "the static figure above shows one setting of it.</p>\n"
            "</section>\n"
        )
        other = nodes.paragraph(
            text=f"{title}: an interactive version of this figure is on the website."
        )
        return [
            nodes.raw("", html, format="html"),
            nodes.raw("", other.astext(), format="latex"),
        ]


def _purge(app, env, docname) -> None:
    getattr(env, ENV_KEY, {}).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    store = getattr(env, ENV_KEY, None)
    if store is None:
        store = {}
        setattr(env, ENV_KEY, store)
    for doc, names in getattr(other, ENV_KEY, {}).items():
        if doc in docnames:
            store.setdefault(doc, set()).update(names)


def _prepare(app) -> None:
    """Compute or reuse every grid and copy the browser files into the HTML output."""
    if app.builder.format != "html":
        return
    uplot = ROOT / "node_modules" / "uplot" / "dist"
    if not (uplot / UPLOT[0]).exists():
        raise RuntimeError(
            f"uPlot not found in {uplot}: run `make npm` "
            "(npm ci installs it from package-lock.json)"
        )
    cache = Path(app.srcdir) / "_build" / ".explorables"
    out = Path(app.outdir) / OUT
    out.mkdir(parents=True, exist_ok=True)
    for name in grids.NAMES:
        t0 = time.perf_counter()
        src = grids.cached_script(name, cache)
        LOG.info(
            f"explorable {name}: grid {src.name} ({src.stat().st_size / 1e6:.2f} MB, "
            f"{time.perf_counter() - t0:.1f} s)"
        )
        shutil.copyfile(src, out / f"{name}.data.js")
    for f in UPLOT:
        shutil.copyfile(uplot / f, out / f)
    for f in ("explorables.js", "explorables.css"):
        shutil.copyfile(ASSETS / f, out / f)
    shutil.copyfile(uplot.parent / "LICENSE", out / "uPlot.LICENSE.txt")


def _page(app, pagename, templatename, context, doctree) -> None:
    """Add uPlot, the page's data files and the script to the head of this page only.

    ``app.add_js_file`` would prefix ``_static/``; these files are in ``_explorables/``.
    """
    names = getattr(app.env, ENV_KEY, {}).get(pagename)
    if not names:
        return
    pathto = context["pathto"]
    css = [f"{OUT}/uPlot.min.css", f"{OUT}/explorables.css"]
    js = [
        f"{OUT}/uPlot.iife.min.js",
        *(f"{OUT}/{n}.data.js" for n in sorted(names)),
        f"{OUT}/explorables.js",
    ]
    tags = [f'<link rel="stylesheet" href="{pathto(f, 1)}" />' for f in css]
    tags += [f'<script defer src="{pathto(f, 1)}"></script>' for f in js]
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(tags) + "\n"


def setup(app):
    app.add_directive("explorable", ExplorableDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("builder-inited", _prepare)
    app.connect("html-page-context", _page)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
