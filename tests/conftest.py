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
