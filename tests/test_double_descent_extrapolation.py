"""The extrapolation in 1/d: polynomial fits and the rule that adds a 1/d^2 term."""

import numpy as np
import pytest

from thermo_helpers import double_descent as dd
from thermo_helpers import stats


def test_polynomial_degree_one_is_the_line():
    x, m, s = np.array([0.01, 0.005, 0.0025]), np.array([1.3, 1.1, 1.06]), np.array([0.02, 0.03, 0.01])
    lin, pol = stats.linear_extrapolation(x, m, s), stats.polynomial_extrapolation(x, m, s, 1)
    for k in ("value", "se", "chi2", "p_value"):
        assert pol[k] == pytest.approx(lin[k])
    assert np.sum(pol["weights"] * m) == pytest.approx(pol["value"])
    assert np.sqrt(np.sum((pol["weights"] * s) ** 2)) == pytest.approx(pol["se"])


def test_quadratic_recovers_an_exact_quadratic():
    x = np.array([0.01, 0.005, 0.0025, 0.00125])
    m = 2.0 + 30 * x + 4000 * x**2
    fit = stats.polynomial_extrapolation(x, m, np.full(4, 1e-3), 2)
    assert fit["value"] == pytest.approx(2.0, abs=1e-9) and fit["dof"] == 1 and fit["chi2"] < 1e-12
    with pytest.raises(ValueError, match="degree"):
        stats.polynomial_extrapolation(x[:2], m[:2], np.full(2, 1e-3), 2)


def test_agreement_rows_add_the_quadratic_only_where_the_line_fails():
    ds = (100, 200, 400)
    theory = np.ones((5, 2))
    sem = np.full((5, 2), 1e-3)
    means = {d: theory + np.array([30 / d, 3e4 / d**2]) for d in ds}  # curve 0 linear, curve 1 quadratic in 1/d
    rows, ext, _ = dd.agreement_rows(theory, means, {d: sem for d in ds}, ["lin", "quad"], seeds=50)
    assert rows[0]["form"] == "1/d" and rows[0]["form p"] > 0.5
    assert rows[1]["form"] == "1/d + 1/d^2" and rows[1]["form p"] < 1e-6
    np.testing.assert_allclose(ext.value, 1.0, atol=1e-9)
    assert rows[0]["verdict"] == rows[1]["verdict"] == "agrees"
    rows2, _, _ = dd.agreement_rows(theory, {d: means[d] for d in ds[:2]}, {d: sem for d in ds[:2]}, ["a", "b"],
                                    seeds=50)
    assert [r["form"] for r in rows2] == ["1/d", "1/d"]  # two dimensions cannot test the form
