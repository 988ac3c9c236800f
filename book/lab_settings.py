"""Make JupyterLab in the project's environment open the MyST chapters as notebooks.

    python book/lab_settings.py .venv

jupytext's server extension (installed with jupytext) already serves ``.md`` files as
notebooks through its contents manager; JupyterLab still opens them in the text editor
on a double click unless its default viewer for Markdown is jupytext's.  This writes
that choice into the environment's ``share/jupyter/lab/settings/overrides.json``
(merged with any overrides already there), so ``make lab`` and ``.venv/bin/jupyter lab``
open ``notebooks/double_descent.md`` as a notebook.  Right-click > Open With > Editor
still shows the text.
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
    print(f"JupyterLab opens .md chapters as notebooks: {write_overrides(Path(sys.argv[1]))}")
