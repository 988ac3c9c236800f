"""Make JupyterLab in the project's environment open the MyST chapters as notebooks.

    python book/lab_settings.py .venv

jupytext's server extension (installed with jupytext) serves ``.md`` files as notebooks
through its contents manager; this writes a default viewer for Markdown and MyST into the
environment's ``share/jupyter/lab/settings/overrides.json`` (merged with any overrides
already there).  Checked in Chromium with JupyterLab 4.5.11 and jupytext 1.19.6: a double
click on a ``.md`` still opens the text editor (jupytext's lab extension now names its
factory "Notebook", and setting that name did not change the double click either), so the
documented way is right-click > Open With > Notebook, where jupyterlab-myst renders the
chapter's MyST.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PLUGIN = "@jupyterlab/docmanager-extension:plugin"
VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}


def write_overrides(venv: Path) -> Path:
    """Merge the jupytext default viewers into ``venv``'s JupyterLab overrides and return the file."""
    if not (venv / "bin").is_dir():
        raise ValueError(f"venv: {venv} is not a virtual environment (no bin/ folder)")
    path = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = json.loads(path.read_text()) if path.exists() else {}
    settings.setdefault(PLUGIN, {}).setdefault("defaultViewers", {}).update(VIEWERS)
    path.write_text(json.dumps(settings, indent=2) + "\n")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(
        f"JupyterLab default viewers for .md written (open chapters with Open With > Notebook): "
        f"{write_overrides(Path(sys.argv[1]))}"
    )
