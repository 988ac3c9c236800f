"""Grade a folder of student notebooks with the chapters' otter-grader autograders.

    python book/grading/grade.py --assignments build/assignments --out build/grades.csv SUBMISSIONS

``SUBMISSIONS`` holds one folder per student with that student's notebooks
(``SUBMISSIONS/<student>/<chapter>.ipynb``); a notebook directly in
``SUBMISSIONS`` is graded with its file stem as the student's name.  The chapter
is read from the notebook's otter metadata (written by ``make assignments``),
so a renamed file is still graded against the right autograder.

Each notebook is executed from top to bottom by ``otter run`` (no Docker, no
network), in its own process, with ``--timeout`` seconds at most.  The CSV has
one row per student, chapter and exercise: ``student, chapter, exercise, points,
max_points, status``; ``status`` is ``graded``, or says why a notebook could not be
graded (then every exercise of that chapter scores 0).

Beside the CSV, ``<csv stem>_feedback/<student>.md`` tells each student, chapter by
chapter, the points of every exercise and, for each failed check, its hint and the
messages of the assertions that failed (never the check's code).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

FIELDS = ["student", "chapter", "exercise", "points", "max_points", "status"]


@dataclass(frozen=True)
class Submission:
    """One student's notebook for one chapter."""

    student: str
    chapter: str
    path: Path


def autograders(assignments: Path) -> dict[str, Path]:
    """The newest ``<chapter>-autograder_*.zip`` of every chapter under ``assignments``."""
    found = {}
    for zip_path in sorted(assignments.glob("*/autograder/*-autograder_*.zip")):
        found[zip_path.parent.parent.name] = zip_path
    if not found:
        raise ValueError(
            f"assignments: no autograder under {assignments}; run `make assignments` first"
        )
    return found


def exercise_points(zip_path: Path) -> dict[str, float]:
    """Points of every exercise of one autograder, read from its reference notebook."""
    nb = nbformat.read(
        zip_path.parent / f"{zip_path.parent.parent.name}.ipynb", as_version=4
    )
    return {
        name: float(t["points"]) for name, t in nb.metadata["otter"]["tests"].items()
    }


def find_submissions(root: Path, chapters: set[str]) -> list[Submission]:
    """Every ``*.ipynb`` under ``root`` with the student and chapter it belongs to."""
    if not root.is_dir():
        raise ValueError(f"submissions: {root} is not a folder")
    subs = []
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if ".ipynb_checkpoints" in rel.parts:
            continue
        student = rel.parts[0] if len(rel.parts) > 1 else path.stem
        try:
            meta = nbformat.read(path, as_version=4).metadata
            chapter = meta.get("otter", {}).get("assignment_name") or path.stem
        except Exception:  # noqa: BLE001 - an unreadable file is still reported, as ungradable
            chapter = path.stem
        if chapter not in chapters:
            print(
                f"warning: {rel} is not an assignment of this book ({chapter!r}); skipped",
                file=sys.stderr,
            )
            continue
        subs.append(Submission(student, chapter, path))
    return subs


ERROR_LINE = re.compile(r"^\s*(?P<kind>[A-Za-z]*Error|Exception): (?P<msg>.+)$")
HINT_LINE = re.compile(r"^\s*\S+ - \d+ message: (?P<msg>.+)$")


def check_messages(output: str) -> list[str]:
    """The hint and the failed assertions' messages from one otter test result, in order, once each.

    Otter's output also echoes the check's code; only the ``message:`` line (the
    check's hint) and the final line of each exception are kept.
    """
    found = []
    for line in output.splitlines():
        m = HINT_LINE.match(line)
        if m:
            msg = "Hint: " + m.group("msg").strip()
        else:
            m = ERROR_LINE.match(line)
            if not m:
                continue
            kind, text = m.group("kind"), m.group("msg").strip()
            msg = text if kind == "AssertionError" else f"{kind}: {text}"
        if msg not in found:
            found.append(msg)
    return found


def run_one(
    sub: Submission, zip_path: Path, timeout: float
) -> tuple[dict[str, float], dict[str, list[str]], str]:
    """Execute and grade one notebook: ``({exercise: points}, {exercise: messages}, status)``."""
    with tempfile.TemporaryDirectory(prefix="thermo-grade-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "otter",
            "run",
            "--no-logo",
            "-a",
            str(zip_path),
            "-o",
            tmp,
            str(sub.path),
        ]
        env = dict(os.environ, MPLBACKEND="Agg", THERMO_PROGRESS="0")
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=env
            )
        except subprocess.TimeoutExpired:
            return {}, {}, f"error: not finished after {timeout:.0f} s"
        results = Path(tmp) / "results.json"
        if not results.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [
                "no output"
            ]
            return {}, {}, f"error: otter run failed ({tail[0][:200]})"
        tests = json.loads(results.read_text()).get("tests", [])
    scores = {t["name"]: float(t["score"]) for t in tests if "max_score" in t}
    messages = {
        t["name"]: check_messages(t.get("output", ""))
        for t in tests
        if "max_score" in t and float(t["score"]) < float(t["max_score"])
    }
    return scores, messages, "graded"


def write_feedback(rows: list[dict], messages: dict, folder: Path) -> list[Path]:
    """One markdown file per student in ``folder``: points per exercise and each failed check's messages."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for student in sorted({r["student"] for r in rows}):
        mine = [r for r in rows if r["student"] == student]
        got, of = sum(r["points"] for r in mine), sum(r["max_points"] for r in mine)
        lines = [
            f"# Feedback for {student}",
            "",
            f"Total: {got:g} / {of:g} points.",
            "",
        ]
        for chapter in sorted({r["chapter"] for r in mine}):
            ch_rows = [r for r in mine if r["chapter"] == chapter]
            lines += [f"## {chapter}", ""]
            if ch_rows[0]["status"] != "graded":
                lines += [
                    f"This notebook could not be graded: {ch_rows[0]['status']}. "
                    "Run it from the top in a fresh kernel before handing it in.",
                    "",
                ]
            for r in ch_rows:
                mark = "passed" if r["points"] >= r["max_points"] else "failed"
                lines.append(
                    f"* **{r['exercise']}**: {r['points']:g} / {r['max_points']:g} ({mark})"
                )
                if mark == "failed" and r["status"] == "graded":
                    for msg in messages.get((student, chapter, r["exercise"]), []) or [
                        "the check failed"
                    ]:
                        lines.append(f"  * {msg}")
            lines.append("")
        path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', student)}.md"
        path.write_text("\n".join(lines))
        written.append(path)
    return written


def feedback_folder(out: Path) -> Path:
    """Where the feedback files of the CSV ``out`` go: ``<out's folder>/<out's stem>_feedback``."""
    return out.with_name(f"{out.stem}_feedback")


def grade(
    submissions: Path,
    assignments: Path,
    out: Path,
    *,
    timeout: float = 1200.0,
    n_jobs: int | None = None,
) -> list[dict]:
    """Grade every notebook under ``submissions``, write the CSV ``out`` and return its rows."""
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(
            f"timeout: must be a positive number of seconds, got {timeout!r}"
        )
    if n_jobs is None:
        n_jobs = int(os.environ.get("THERMO_N_JOBS", "2"))
    if not (isinstance(n_jobs, int) and n_jobs >= 1):
        raise ValueError(f"n_jobs: must be a positive integer, got {n_jobs!r}")
    zips = autograders(assignments)
    subs = find_submissions(submissions, set(zips))
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        graded = list(pool.map(lambda s: run_one(s, zips[s.chapter], timeout), subs))
    rows, messages = [], {}
    for sub, (scores, msgs, status) in zip(subs, graded):
        for exercise, max_points in exercise_points(zips[sub.chapter]).items():
            rows.append(
                {
                    "student": sub.student,
                    "chapter": sub.chapter,
                    "exercise": exercise,
                    "points": scores.get(exercise, 0.0),
                    "max_points": max_points,
                    "status": status,
                }
            )
            messages[(sub.student, sub.chapter, exercise)] = msgs.get(exercise, [])
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    write_feedback(rows, messages, feedback_folder(out))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "submissions", type=Path, help="folder of <student>/<chapter>.ipynb"
    )
    ap.add_argument("--assignments", type=Path, default=Path("build/assignments"))
    ap.add_argument("--out", type=Path, default=Path("build/grades.csv"))
    ap.add_argument(
        "--timeout", type=float, default=1200.0, help="seconds per notebook"
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks graded at once (THERMO_N_JOBS, default 2)",
    )
    args = ap.parse_args(argv)
    rows = grade(
        args.submissions,
        args.assignments,
        args.out,
        timeout=args.timeout,
        n_jobs=args.jobs,
    )
    totals: dict[str, list[float]] = {}
    for r in rows:
        t = totals.setdefault(r["student"], [0.0, 0.0])
        t[0] += r["points"]
        t[1] += r["max_points"]
    for student, (got, of) in sorted(totals.items()):
        print(f"{student}: {got:g} / {of:g}")
    bad = sorted(
        {
            (r["student"], r["chapter"], r["status"])
            for r in rows
            if r["status"] != "graded"
        }
    )
    for student, chapter, status in bad:
        print(f"warning: {student}/{chapter}: {status}", file=sys.stderr)
    print(
        f"wrote {len(rows)} rows to {args.out} and one feedback file per student to {feedback_folder(args.out)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
