"""Keep sphinx-thebe's scripts out of every page.

jupyter-book always loads the ``sphinx_thebe`` extension, which gives every page a
script defining ``THEBE_JS_URL`` (a CDN address) plus its bootstrap script and
stylesheet, even with ``launch_buttons.thebe: false``.  The book has no live-code
button (nothing could run offline), so this removes those assets once
sphinx-thebe has registered them.
"""

from __future__ import annotations


def _is_thebe(filename, attrs) -> bool:
    return "thebe" in str(filename or "").lower() or "THEBE_JS_URL" in str(attrs.get("body", ""))


def _drop(app, env, docnames) -> None:
    reg = app.registry
    reg.js_files[:] = [(f, a) for f, a in reg.js_files if not _is_thebe(f, a)]
    reg.css_files[:] = [(f, a) for f, a in reg.css_files if not _is_thebe(f, a)]
    builder = app.builder
    if hasattr(builder, "_js_files"):
        builder._js_files[:] = [js for js in builder._js_files if not _is_thebe(js.filename, js.attributes)]
        builder._css_files[:] = [css for css in builder._css_files if not _is_thebe(css.filename, css.attributes)]


def setup(app):
    app.connect("env-before-read-docs", _drop, priority=900)  # after sphinx-thebe's own handler (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
