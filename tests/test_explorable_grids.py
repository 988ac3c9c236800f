"""The grid module of the explorables (book/_ext/explorable_grids.py), no browser."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import explorable_grids as grids  # noqa: E402


def test_tables_round_trip_through_base64_float32():
    x = np.array([[0.0, 1.5, -2.25e-7], [np.inf, np.nan, 3.0e6]])
    back = grids.unpack(grids._pack(x))
    assert back.dtype == np.float32 and back.shape == x.shape
    np.testing.assert_array_equal(back, x.astype(np.float32))


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: grids.cache_key("nope"), ValueError),
        (lambda: grids.cache_key(3), TypeError),
        (lambda: grids.dd_activation("sigmoid"), ValueError),
        (lambda: grids.dd_lam_c(2.0, -1.0, "relu"), ValueError),
        (lambda: grids.mm_psi1_grid(0.0), ValueError),
        (lambda: grids.rep_target(-1.0, 0, 5), ValueError),
        (lambda: grids.unpack([1, 2]), ValueError),
        (lambda: grids.script_text({}), ValueError),
    ],
)
def test_bad_input_is_named(call, error):
    with pytest.raises(error):
        call()


def test_lam_c_is_the_chapters_crossover_and_none_at_high_snr():
    import thermo_helpers.double_descent as dd

    expected = dd.crossover_lambda(2.0, F1=1.0, tau=np.sqrt(5.0)).lam_c  # SNR 0.2
    assert grids.dd_lam_c(2.0, 0.2, "relu") == pytest.approx(expected, rel=1e-12)
    assert grids.dd_lam_c(2.0, 50.0, "relu") is None


def test_double_descent_axes_hold_the_ridgeless_limit_and_skip_the_peak():
    ax = grids.dd_axes()
    assert ax["lams"][0] == 0 and np.all(np.diff(ax["lams"]) > 0)
    assert not np.any(np.isclose(ax["ratios"], 1.0))  # the ridgeless peak is a gap
    assert len(ax["activations"]) == 3


def test_cache_is_keyed_by_the_spec_and_reused(tmp_path, monkeypatch):
    small = {
        "d": 12,
        "exponents": {"lo": 0.0, "hi": 1.0, "num": 3},
        "widths": {"lo": 2, "hi": 24, "num": 5},
    }
    monkeypatch.setitem(grids.SPECS, "representation", small)
    key = grids.cache_key("representation")
    path = grids.cached_script("representation", tmp_path)
    assert path.name == f"representation-{key}.data.js"
    payload = grids.read_script(path)
    assert payload["key"] == key and payload["d"] == 12
    rf = grids.unpack(payload["rf"])
    assert rf.shape == (3, len(payload["x"]))
    # exponent 0: B is a multiple of I, tau = 1, RF risk 1 - psi1 / (1 + psi1)
    x = np.asarray(payload["x"])
    np.testing.assert_allclose(rf[0], 1 - x / (1 + x), rtol=1e-6)

    def fail(name):
        raise AssertionError("recomputed a cached grid")

    monkeypatch.setattr(grids, "compute", fail)
    assert grids.cached_script("representation", tmp_path) == path
    changed = dict(small, d=13)
    monkeypatch.setitem(grids.SPECS, "representation", changed)
    assert grids.cache_key("representation") != key
