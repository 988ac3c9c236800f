"""The paper edition's machinery (book/paper_edition.py) and its stored notebooks.

`make paper` itself runs for about an hour; these tests drive the same code on
synthetic two-cell chapters and check what is stored in notebooks/paper/.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import nbformat
import pytest
import yaml
from reference_cells import reference_cells

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "notebooks" / "paper"


@pytest.fixture(scope="module")
def pe():
    spec = importlib.util.spec_from_file_location("paper_edition", ROOT / "book" / "paper_edition.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


HEADER = ("---\njupytext:\n  formats: ipynb,md:myst\n  text_representation:\n    format_name: myst\n"
          "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# {title}\n\n")


def _chapter(nb_dir: Path, name: str, code: str) -> Path:
    nb_dir.mkdir(parents=True, exist_ok=True)
    md = nb_dir / f"{name}.md"
    md.write_text(HEADER.format(title=name) + f"```{{code-cell}} ipython3\n{code}\n```\n")
    return md


def _stored():
    return sorted(p for p in PAPER.glob("*.ipynb") if not p.name.endswith(".failed.ipynb"))  # partial runs: not stored


def test_chapters_follow_the_table_of_contents(pe):
    names = pe.chapters()
    assert names[0] == "intro"
    assert set(names) == {p.stem for p in (ROOT / "notebooks").glob("*.md")}
    toc = (ROOT / "book" / "_toc.yml").read_text()
    assert [n for n in names if n != "intro"] == sorted(names[1:], key=lambda n: toc.index(f"notebooks/{n}"))


def test_only_switch_selects_in_book_order_and_names_bad_chapters(pe):
    names = pe.chapters()
    assert pe.selected(names, "") == names
    assert pe.selected(names, f" {names[-1]}, intro ") == ["intro", names[-1]]
    with pytest.raises(ValueError, match="^THERMO_PAPER_ONLY names unknown chapters \\['nope'\\]"):
        pe.selected(names, "intro,nope")


@pytest.mark.slow
def test_execute_runs_at_paper_scale_times_and_keeps_going_after_a_failure(pe, tmp_path, monkeypatch):
    monkeypatch.delenv("THERMO_SCALE", raising=False)
    nb_dir, out = tmp_path / "nb", tmp_path / "out"
    _chapter(nb_dir, "good", "import os\nfrom thermo_helpers import config\nprint(config.scale(), os.getcwd())")
    _chapter(nb_dir, "bad", "raise RuntimeError('paper-scale failure')")
    rc = pe.execute(["bad", "good"], nb_dir=nb_dir, out_dir=out, timeout=120)
    assert rc == 1
    timings = json.loads((out / "timings.json").read_text())["chapters"]
    assert timings["good"]["status"] == "ok" and timings["good"]["seconds"] > 0
    assert timings["good"]["source_sha256"] == pe.source_hash(nb_dir / "good.md")
    assert timings["bad"]["status"] == "failed" and "paper-scale failure" in timings["bad"]["error"]
    assert not (out / "bad.ipynb").exists()
    nb = nbformat.read(out / "good.ipynb", as_version=4)
    assert nb.cells[-1].outputs[0]["text"].split() == ["paper", str(out)]
    assert "formats" not in nb.metadata.get("jupytext", {})  # the twin is not paired with a .md of its own
    assert pe.status(["good", "bad", "absent"], nb_dir=nb_dir, out_dir=out) == {
        "good": "ok", "bad": "failed", "absent": "missing"}
    assert timings["good"]["code_sha256"] == pe.code_hash(nb_dir / "good.md")
    # Prose only: not stale; sync carries the sentence into the twin and keeps the outputs.
    md = nb_dir / "good.md"
    md.write_text(md.read_text().replace("# good", "# good\n\nOne more sentence."))
    assert pe.status(["good"], nb_dir=nb_dir, out_dir=out) == {"good": "ok"}
    outputs = nb.cells[-1].outputs
    assert pe.sync(["good", "bad"], nb_dir=nb_dir, out_dir=out) == {"good": "synced", "bad": "failed"}
    twin = nbformat.read(out / "good.ipynb", as_version=4)
    assert "One more sentence." in twin.cells[0].source and twin.cells[-1].outputs == outputs
    assert pe.sync(["good"], nb_dir=nb_dir, out_dir=out) == {"good": "current"}
    # Code reformatted, with a comment: the same program, so not stale; sync carries the text.
    code = "import os\nfrom thermo_helpers import config\nprint(config.scale(), os.getcwd())"
    md.write_text(md.read_text().replace(code, code.replace("print(", "# the scale\nprint(\n    ")))
    assert pe.status(["good"], nb_dir=nb_dir, out_dir=out) == {"good": "ok"}
    assert pe.sync(["good"], nb_dir=nb_dir, out_dir=out) == {"good": "synced"}
    twin = nbformat.read(out / "good.ipynb", as_version=4)
    assert "# the scale" in twin.cells[-1].source and twin.cells[-1].outputs == outputs
    assert json.loads((out / "timings.json").read_text())["chapters"]["good"]["code_sha256"] == pe.code_hash(md)
    # A changed program is stale.
    md.write_text(md.read_text().replace("os.getcwd()", "os.getcwd(), 1"))
    assert pe.status(["good"], nb_dir=nb_dir, out_dir=out) == {"good": "stale"}
    md.write_text(md.read_text().replace("os.getcwd(), 1", "os.getcwd()"))
    # A cell added to the prose: the layout no longer matches, so it needs a run.
    md.write_text(md.read_text() + "\nA new paragraph.\n\n```{code-cell} ipython3\n2\n```\n")
    assert pe.status(["good"], nb_dir=nb_dir, out_dir=out) == {"good": "stale"}
    assert "THERMO_SCALE" not in os.environ  # only the kernel ran at paper scale


def test_check_names_what_is_missing(pe, tmp_path, capsys):
    nb_dir = tmp_path / "nb"
    _chapter(nb_dir, "alpha", "1")
    assert pe.check(["alpha"], nb_dir=nb_dir, out_dir=tmp_path / "out") == 1
    assert "alpha has no paper edition yet: run `THERMO_PAPER_ONLY=alpha make paper`" in capsys.readouterr().out


def test_budget_table_comes_from_the_timings(pe, tmp_path):
    timings = {"chapters": {"a": {"status": "ok", "seconds": 30.0, "executed_at": "2026-12-02T05:00:00+00:00",
                                  "n_jobs": "2", "cpus": 2},
                            "b": {"status": "failed", "seconds": 600.0, "executed_at": "2026-12-02T05:01:00+00:00",
                                  "n_jobs": "2", "cpus": 2}}}
    text = pe.table(["a", "b", "c"], timings)
    lines = text.splitlines()
    assert lines[2] == "| a | ok | 30 s | 2026-12-02 05:00 | 2 / 2 |"
    assert lines[3].startswith("| b | failed | 10.0 min |")
    assert lines[4] == "| c | not run yet | | | |"
    assert lines[5] == "| **total (1 of 3 chapters)** | | 0.5 min | | |"  # failed runs are not counted
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{pe.TABLE_START}\nold\n{pe.TABLE_END}\nafter\n")
    pe.write_table(readme, text)
    assert readme.read_text() == f"intro\n{pe.TABLE_START}\n{text}\n{pe.TABLE_END}\nafter\n"


def test_readme_budget_table_is_the_generated_one(pe):
    readme = (ROOT / "README.md").read_text()
    block = readme.split(pe.TABLE_START, 1)[1].split(pe.TABLE_END, 1)[0].strip()
    assert block == pe.table(pe.chapters(), pe.load_timings()), (
        "README's paper-edition table is out of date: run `python book/paper_edition.py table --write README.md`")


def test_stored_paper_notebooks_ran_at_paper_scale_without_errors(pe):
    assert _stored(), "no stored paper notebook: run `THERMO_PAPER_ONLY=intro make paper`"
    timings = pe.load_timings()["chapters"]
    for path in _stored():
        assert path.stem in pe.chapters(), f"{path.name} is not a chapter"
        assert timings.get(path.stem, {}).get("status") == "ok", f"{path.name} has no successful run in timings.json"
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), f"{path.name} has unexecuted cells"
        assert not [o for c in code for o in c.outputs if o.output_type == "error"], f"{path.name} stores an error"
        text = "".join(o.get("text", "") for c in code for o in c.outputs)
        assert "scale = 'paper'" in text, f"{path.name} was not executed at THERMO_SCALE=paper"
        widgets = [o for c in code for o in c.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert not widgets, f"{path.name} stores progress-bar widgets (run with THERMO_PROGRESS=0)"
        ref = reference_cells(nb)
        assert len(ref) <= 1, f"{path.name} has more than one reference cell"


def test_paper_site_config_and_toc(pe, tmp_path):
    cfg = pe.variant()
    assert cfg["execute"]["execute_notebooks"] == "off"
    assert cfg["title"].endswith("(paper edition)")
    assert cfg["sphinx"]["config"]["paper_edition"] is True
    assert {"notebooks/*.ipynb", "notebooks/*.md"} <= set(cfg["exclude_patterns"])
    toc = pe.toc()
    assert toc["root"] == "notebooks/paper/intro"
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert "bibliography" in files
    for f in files:
        assert f in ("bibliography", "ledger", "conclusion") or (ROOT / f"{f}.ipynb").exists(), f
    current = all(v == "ok" for v in pe.status(pe.chapters()).values())
    assert ("ledger" in files) == current, "the ledger joins the paper site when every twin is current"
    with pytest.raises(SystemExit, match="make paper"):
        pe.toc(tmp_path)


def test_default_site_loads_the_paper_links_extension():
    cfg = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    assert "paper_links" in cfg["sphinx"]["local_extensions"]
    assert (ROOT / "book" / cfg["sphinx"]["local_extensions"]["paper_links"] / "paper_links.py").exists()
