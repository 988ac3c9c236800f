"""The paper notebooks run at THERMO_SCALE=paper (for an hour): only `make test-paper` collects them."""

import os

import pytest

if os.environ.get("THERMO_PAPER_TEST") != "1":
    collect_ignore_glob = ["*.ipynb"]  # `make test` and plain `pytest notebooks` skip the paper edition
elif os.environ.get("THERMO_SCALE", "").strip().lower() != "paper":
    raise pytest.UsageError("the paper notebooks are compared at THERMO_SCALE=paper: use `make test-paper`")
