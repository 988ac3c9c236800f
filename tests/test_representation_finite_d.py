"""Exact finite-d expectations (Schur's lemma) against Monte Carlo over rotations and draws."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import representation as rep
from thermo_helpers.representation.target import _haar_orthogonal


def test_rf_identity_is_the_orbit_average():
    """For one fixed W, the mean of R_RF(B, W O) over Haar O matches the identity (|z| <= 4)."""
    d, N = 6, 9
    B = rep.quadratic_target(d, rng=1).B
    W = rep.sample_weights(N, d, rng=2)
    rng = np.random.default_rng(3)
    vals = np.array([rep.population_risk("rf", B, W @ _haar_orthogonal(d, rng)) for _ in range(2000)])
    se = vals.std(ddof=1) / np.sqrt(len(vals))
    ident = rep.rf_schur_identity(B, W)
    assert abs(vals.mean() - ident) <= 4 * se, (vals.mean(), ident, se)
    # and the identity is not trivially close: it differs from the asymptotic theorem by many s.e.
    assert abs(ident - rep.asymptotic_risk("rf", N / d, B)) > 10 * se


def test_rf_identity_limits():
    d = 5
    B = rep.quadratic_target(d, rng=4).B
    W = rep.sample_weights(d * (d + 1) // 2, d, rng=5)  # spans Sym(d)
    assert rep.identity_share(W) == pytest.approx(1.0, abs=1e-9)
    assert rep.rf_schur_identity(B, W) == pytest.approx(0.0, abs=1e-9)
    assert rep.population_risk("rf", B, W) == pytest.approx(0.0, abs=1e-9)
    # B = I: only alpha matters, and the identity equals the exact risk for every W
    W = rep.sample_weights(3, d, rng=6)
    assert rep.rf_schur_identity(np.eye(d), W) == pytest.approx(rep.population_risk("rf", np.eye(d), W), abs=1e-10)


def test_nt_expected_risk_matches_draws():
    d = 8
    B = rep.quadratic_target(d, rng=7).B
    rng = np.random.default_rng(8)
    for N in (1, 3, 6):
        vals = np.array([rep.population_risk("nt", B, rep.sample_weights(N, d, rng=rng)) for _ in range(3000)])
        se = vals.std(ddof=1) / np.sqrt(len(vals))
        assert abs(vals.mean() - rep.nt_expected_risk(B, N)) <= 4 * se, N
    assert rep.nt_expected_risk(B, d) == 0.0
    # B = I: P B P = P, ||P||^2 = k exactly
    assert rep.nt_expected_risk(np.eye(d), 3) == pytest.approx((d - 3) / d)


def test_identity_draw_task():
    out = rep.rf_identity_draw(10, 2.0, rng=0)
    assert set(out) == {"exact", "identity", "theorem", "alpha", "tau"}
    assert 0.0 < out["alpha"] < 1.0 and 0.0 < out["exact"] < 1.0
    with pytest.raises(ValueError, match="psi1"):
        rep.rf_identity_draw(10, 0.0, rng=0)
    with pytest.raises(ValueError, match="N"):
        rep.nt_expected_risk(np.eye(3), 0)
