"""Accessibility fixes that the theme and extensions do not make themselves.

Checked by axe-core in tests/test_site.py:

* ``book/_templates/`` overrides two pydata-sphinx-theme buttons (search
  and colour mode) whose accessible names did not match their visible text; this
  extension puts that folder first on the template path, so every build variant
  (also those configured from another folder) uses it.
* myst-nb's collapsible code cells label their ``<summary>`` "Toggle hidden
  content" while it shows "Show code cell source": the label is dropped, so the
  visible text is the name.
* docutils gives the bibliography ``role="list"`` with ``doc-biblioentry``
  children, which ARIA does not allow (a list must contain list items): both roles
  are dropped, leaving plain containers.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "_templates"
FIXES = [
    (re.compile(r'(<summary\b[^>]*?)\s+aria-label="Toggle hidden content"'), r"\1"),
    (re.compile(r'(<div\b[^>]*?)\s+role="list"(?=[^>]*class="citation-list")'), r"\1"),
    (re.compile(r'(<div\b[^>]*class="citation-list"[^>]*?)\s+role="list"'), r"\1"),
    (re.compile(r'(<div\b[^>]*class="citation"[^>]*?)\s+role="doc-biblioentry"'), r"\1"),
]


def _templates_first(app, config) -> None:
    config.templates_path.insert(0, str(TEMPLATES))


def _fix_body(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body:
        for pattern, repl in FIXES:
            body = pattern.sub(repl, body)
        context["body"] = body


def setup(app):
    app.connect("config-inited", _templates_first)
    app.connect("html-page-context", _fix_body)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
