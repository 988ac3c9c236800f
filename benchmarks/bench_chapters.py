"""Execution time of every chapter at book scale, as the book executes it.

Each chapter's MyST source is read with jupytext and run by nbclient in a fresh
kernel (start-up included); nothing is written to disk.  Targets come from the
chapter issues.  Set ``THERMO_BENCH_SKIP_NOTEBOOK=1`` to skip this module.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: seconds allowed per chapter at book scale
TARGETS = {"intro": 60, "lazy_mean_field": 180, "double_descent": 120, "max_margin": 120, "representation": 180}


def chapter_time(name: str) -> float:
    """Wall-clock seconds to execute ``notebooks/<name>.md`` at book scale."""
    import jupytext
    from nbclient import NotebookClient

    src = ROOT / "notebooks" / f"{name}.md"
    nb = jupytext.read(src)
    saved = {k: os.environ.get(k) for k in ("THERMO_SCALE", "THERMO_PROGRESS")}
    os.environ.update(THERMO_SCALE="book", THERMO_PROGRESS="0")
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": str(src.parent)}}).execute()
        return time.perf_counter() - t0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run() -> list[dict]:
    if os.environ.get("THERMO_BENCH_SKIP_NOTEBOOK"):
        return []
    rows = []
    for name, target in TARGETS.items():
        t = chapter_time(name)
        rows.append({"name": f"{name}: chapter execution at book scale", "value": t, "unit": "s",
                     "target": f"< {target} s", "ok": t < target,
                     "note": "jupytext + nbclient, fresh kernel, start-up included"})
    return rows
