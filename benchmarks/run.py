"""Collect every ``benchmarks/bench_*.py`` and write their results as Markdown.

Each module exposes ``run() -> list[dict]`` with keys ``name``, ``value``,
``unit``, ``target``, ``ok`` and ``note``.  Usage::

    python -m benchmarks.run --out benchmarks/results.md [--only NAME]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(HERE / "results.md"))
    ap.add_argument("--only", default=None, help="run only bench_<ONLY>.py")
    args = ap.parse_args(argv)
    mods = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        mods = [m for m in mods if m == f"bench_{args.only}"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {_dt.date.today().isoformat()}; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}.",
        "",
        "| benchmark | measured | target | met | note |",
        "|---|---|---|---|---|",
    ]
    failed = 0
    for m in mods:
        t0 = time.perf_counter()
        rows = importlib.import_module(f"benchmarks.{m}").run()
        print(f"{m}: {len(rows)} results in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        for r in rows:
            ok = bool(r.get("ok", True))
            failed += not ok
            val = r["value"]
            val = f"{val:.3g} {r.get('unit', '')}".strip() if isinstance(val, (int, float)) else str(val)
            lines.append(f"| {r['name']} | {val} | {r.get('target', '')} | {'yes' if ok else '**no**'} | {r.get('note', '')} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}; {failed} target(s) missed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
