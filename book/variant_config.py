"""Print a variant of book/_config.yml to stdout.

    python book/variant_config.py stored   # render stored .ipynb outputs, execute nothing
    python book/variant_config.py student  # the same, with every exercise solution hidden

Variants are derived rather than copied so that the three builds never drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def variant(name: str) -> dict:
    cfg = yaml.safe_load((HERE / "_config.yml").read_text())
    # --config files are read from elsewhere, so make relative paths absolute.
    cfg["bibtex_bibfiles"] = [str(HERE / b) for b in cfg["bibtex_bibfiles"]]
    local = cfg["sphinx"].get("local_extensions", {})
    cfg["sphinx"]["local_extensions"] = {k: str(HERE / v) for k, v in local.items()}
    if name not in ("stored", "student"):
        raise SystemExit(f"unknown variant {name!r}; use 'stored' or 'student'")
    # Both variants render the executed .ipynb twins instead of executing the .md files.
    cfg["execute"]["execute_notebooks"] = "off"
    cfg["exclude_patterns"] = [p for p in cfg["exclude_patterns"] if p != "notebooks/*.ipynb"]
    cfg["exclude_patterns"].append("notebooks/*.md")
    if name == "student":
        cfg["sphinx"]["config"]["hide_solutions"] = True
        cfg["title"] = cfg["title"] + " (student edition)"
    return cfg


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    yaml.safe_dump(variant(sys.argv[1]), sys.stdout, sort_keys=False)
