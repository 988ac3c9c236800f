"""Shared pytest configuration for thermo-book."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("THERMO_PROGRESS", "0")


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(12345)


# book/ holds the project's build tools (ledger, headless browser, ...): tests import them.
import sys  # noqa: E402

sys.path.insert(0, str(ROOT / "book"))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (book/headless.py)."""
    import headless

    try:
        with headless.chromium() as b:
            yield b
    except FileNotFoundError as e:
        pytest.fail(str(e))
