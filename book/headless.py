"""Headless Chromium for the site's checks and pictures: serve a built site, open a browser.

Debian's Chromium (``make browser``) driven by Playwright, with no browser download; the
site is served from a local port so that pages load as they would online, with nothing
fetched from outside.  Used by ``book/screenshots.py`` and the browser tests
(``tests/test_site.py``, ``tests/test_reading.py``, ``tests/test_explorables.py``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test and build output clean
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve the folder ``site`` on a free local port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium():
    """A Playwright browser on Debian's Chromium; ``FileNotFoundError`` if it is missing."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError("Chromium not found: `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(ARGS))
        try:
            yield browser
        finally:
            browser.close()


def local_only(base: str):
    """A Playwright route handler: requests to ``base`` (or ``data:``) pass, others abort."""

    def route(r) -> None:
        if r.request.url.startswith((base, "data:")):
            r.continue_()
        else:
            r.abort()

    return route


def wait_for_math(page, timeout: float = 30000) -> None:
    """Wait until the bundled MathJax has typeset the page (no-op on a page without math)."""
    if page.evaluate("() => !!document.querySelector('.math')"):
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=timeout,
        )
        page.evaluate("() => MathJax.startup.promise")


def open_page(
    browser, base: str, rel: str, width: int, height: int = 900, dark: bool = False
):
    """Open ``base/rel`` at ``width`` x ``height`` px, outside requests blocked, math typeset.

    Returns
    -------
    tuple
        The Playwright context (close it when done) and the page.
    """
    ctx = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if dark else "light",
    )
    page = ctx.new_page()
    page.route("**/*", local_only(base))
    page.goto(f"{base}/{rel}", wait_until="load")
    wait_for_math(page)
    return ctx, page
