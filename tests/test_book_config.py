"""The book's configuration and its derived variants stay consistent."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _variant(name):
    spec = importlib.util.spec_from_file_location("variant_config", ROOT / "book" / "variant_config.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.variant(name)


def test_main_config_is_offline_and_strict():
    cfg = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    assert cfg["title"] == "Thermodynamic limits for neural networks"
    assert "sphinx-mathjax-offline" in cfg["sphinx"]["extra_extensions"]
    assert cfg["launch_buttons"]["thebe"] is False
    assert cfg["execute"]["execute_notebooks"] == "cache"
    assert cfg["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert "notebooks/*.ipynb" in cfg["exclude_patterns"]
    local = cfg["sphinx"]["local_extensions"]
    for ext in ("hide_gated_solutions", "drop_thebe", "accessibility"):
        assert ext in local and (ROOT / "book" / local[ext] / f"{ext}.py").exists(), f"{ext} is not configured"


def test_variants_keep_every_local_extension_and_the_theme_overrides():
    main = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())["sphinx"]["local_extensions"]
    for name in ("stored", "student"):
        local = _variant(name)["sphinx"]["local_extensions"]
        assert set(local) == set(main) and all(Path(v).is_absolute() for v in local.values())
    for template in ("search-button-field.html", "theme-switcher.html"):
        assert (ROOT / "book" / "_templates" / template).exists()


def test_toc_lists_every_chapter():
    toc = (ROOT / "book" / "_toc.yml").read_text()
    for md in (ROOT / "notebooks").glob("*.md"):
        assert f"notebooks/{md.stem}" in toc, f"{md.name} is not in book/_toc.yml"
    assert (ROOT / "book" / "notebooks").resolve() == (ROOT / "notebooks").resolve()


def test_stored_and_student_variants_render_stored_outputs():
    for name in ("stored", "student"):
        cfg = _variant(name)
        assert cfg["execute"]["execute_notebooks"] == "off"
        assert "notebooks/*.md" in cfg["exclude_patterns"]
        assert "notebooks/*.ipynb" not in cfg["exclude_patterns"]
        assert all(Path(b).is_absolute() and Path(b).exists() for b in cfg["bibtex_bibfiles"])
    assert _variant("student")["sphinx"]["config"]["hide_solutions"] is True
    assert _variant("stored")["sphinx"]["config"]["hide_solutions"] is False
