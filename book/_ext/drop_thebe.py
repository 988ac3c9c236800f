"""Keep sphinx-thebe out of every page.

jupyter-book always loads the ``sphinx_thebe`` extension.  Even with
``launch_buttons.thebe: false`` it gives every page a script defining
``THEBE_JS_URL`` (a CDN address), its bootstrap script and stylesheet, and a
``text/x-thebe-config`` block naming a Binder repository.  The book has no
live-code button (nothing could run offline), so this disconnects
sphinx-thebe's page handlers and drops its stylesheet before anything is read.
"""

from __future__ import annotations

HANDLERS = {"init_thebe_core", "update_thebe_context"}


def _disconnect(app) -> None:
    for name in ("env-before-read-docs", "doctree-resolved"):
        for listener in list(app.events.listeners.get(name, [])):
            handler = listener.handler
            if getattr(handler, "__module__", "") == "sphinx_thebe" and handler.__name__ in HANDLERS:
                app.disconnect(listener.id)
    app.registry.css_files[:] = [(f, a) for f, a in app.registry.css_files if "thebe" not in str(f)]
    if hasattr(app.builder, "_css_files"):
        app.builder._css_files[:] = [c for c in app.builder._css_files if "thebe" not in str(c.filename)]


def setup(app):
    app.connect("builder-inited", _disconnect)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
