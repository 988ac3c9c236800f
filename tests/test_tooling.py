"""Every command the README and the course page show exists and starts.

* each `make <target>` they show is a target of the Makefile (checked by a dry run);
* each `.venv/bin/<tool>` they show is installed in the environment running the tests
  and answers `--version` (or `--help`);
* JupyterLab starts and serves a chapter `.md` as a notebook through jupytext's
  contents manager, and opens it with jupytext's notebook viewer by default.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # .venv/bin, or the second Python's environment in CI
DOCS = [ROOT / "README.md", ROOT / "book" / "course.md"]
PLACEHOLDERS = {"<chapter>": "double_descent", "<name>": "double_descent", "dir": "build/submissions"}


def _commands() -> list[tuple[str, str]]:
    """``(document, command)`` for every make / .venv/bin command shown in the documents."""
    found = []
    for doc in DOCS:
        text = doc.read_text()
        blocks = re.findall(r"^[ \t]*```(?:bash|sh|console)?\n(.*?)^[ \t]*```", text, re.S | re.M)
        lines = [ln.split("#")[0].strip() for b in blocks for ln in b.splitlines()]
        lines += re.findall(r"`([^`\n]+)`", re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M))
        for ln in lines:
            ln = ln.strip()
            for cmd in re.split(r"\s*(?:&&|;)\s*", ln):
                if re.match(r"^([A-Z_]+=\S+\s+)*(make|\.venv/bin/)", cmd):
                    found.append((doc.name, cmd))
    return sorted(set(found))


COMMANDS = _commands()


def test_the_documents_show_commands():
    shown = {c for _, c in COMMANDS}
    for needed in ("make book", "make test", "make lab", "make assignments"):
        assert any(c.startswith(needed) for c in shown), f"{needed!r} is not documented"
    assert any(c.startswith("make grade") for c in shown)


@pytest.mark.parametrize("doc,command", COMMANDS)
def test_documented_command_exists_and_starts(doc, command):
    words = shlex.split(command)
    env_vars = {}
    while words and re.match(r"^[A-Z_]+=", words[0]):
        k, v = words.pop(0).split("=", 1)
        env_vars[k] = v
    words = [PLACEHOLDERS.get(w, w) for w in words]
    words = [re.sub(r"=<[^>]+>$", "=double_descent", w) for w in words]
    env = dict(os.environ, **env_vars)
    if words[0] == "make":
        proc = subprocess.run(["make", "-n", "--no-print-directory", *words[1:]], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{doc}: `{command}` is not a working make target:\n{proc.stderr[-800:]}"
        return
    tool = BIN / Path(words[0]).name
    assert tool.exists(), f"{doc}: `{command}`: {tool} is not installed by `make env`"
    args = [str(tool)]
    if tool.name == "python":
        args += words[1:3] if words[1:2] == ["-m"] else []
    elif tool.name == "jupyter" and len(words) > 1 and not words[1].startswith("-"):
        args.append(words[1])
    for flag in ("--version", "--help"):
        proc = subprocess.run([*args, flag], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        if proc.returncode == 0:
            return
    pytest.fail(f"{doc}: `{command}` does not start: {' '.join(args)} --version/--help failed:\n{proc.stderr[-800:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - loopback only
        return json.loads(r.read())


def test_jupyter_lab_opens_a_chapter_md_as_a_notebook(tmp_path):
    port, token = _free_port(), "thermo-test"
    cmd = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.token={token}", f"--ServerApp.root_dir={ROOT}", "--ServerApp.port_retries=0",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root; `make lab` adds the same flag
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not start:\n" + (tmp_path / "lab.log").read_text()[-2000:])
                time.sleep(1)
        model = _get(f"{base}/api/contents/notebooks/double_descent.md?type=notebook&content=1&token={token}")
        assert model["type"] == "notebook", f"the .md chapter is served as {model['type']!r}"
        want = jupytext.read(ROOT / "notebooks" / "double_descent.md")
        got = [c["source"] for c in model["content"]["cells"]]
        assert got == [c.source for c in want.cells], "the notebook served differs from the .md chapter"
        settings = _get(f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin?token={token}")
        # overrides.json becomes the schema's default, which user settings may still change
        viewers = settings["schema"]["properties"]["defaultViewers"].get("default", {})
        assert viewers.get("markdown") == "Jupytext Notebook", f"JupyterLab opens .md with {viewers}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
