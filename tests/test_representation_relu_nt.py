"""The matrix-free ReLU NT solve against the dense (N d) x (N d) reference."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import representation as rep
from thermo_helpers.representation import ConvergenceError, relu_nt_solve


@pytest.mark.parametrize("d, N", [(6, 1), (8, 3), (10, 20), (20, 40), (15, 60)])
def test_cg_matches_dense(d, N):
    B = rep.quadratic_target(d, rng=d).B
    W = rep.sample_weights(N, d, rng=N)
    cg = relu_nt_solve(B, W, method="cg")
    dense = relu_nt_solve(B, W, method="dense")
    assert abs(cg.risk - dense.risk) <= 1e-8, (cg.risk, dense.risk)
    assert cg.residual <= 1e-10 and dense.residual <= 1e-8
    assert 0.0 < cg.risk < 1.0
    # the public entry point uses the matrix-free solve
    assert rep.population_risk("nt", B, W, activation="relu") == cg.risk


def test_product_matches_dense_gram():
    from thermo_helpers.representation.relu import _dense_gram, _geometry, _matvec
    rng = np.random.default_rng(3)
    W = rng.standard_normal((7, 5))
    g = _geometry(W)
    V = rng.standard_normal((7, 5))
    assert np.allclose(_matvec(g, V).ravel(), _dense_gram(g) @ V.ravel(), atol=1e-12)


def test_repeated_and_antipodal_rows():
    """Singular Gram (the indicator of w and -w add up to 1): CG still converges to the dense value."""
    d = 8
    B = rep.quadratic_target(d, rng=1).B
    W = rep.sample_weights(5, d, rng=2)
    W = np.vstack([W, -W[:2], 3.0 * W[:1]])
    cg, dense = relu_nt_solve(B, W), relu_nt_solve(B, W, method="dense")
    assert abs(cg.risk - dense.risk) <= 1e-8


def test_unconverged_solve_raises():
    B = rep.quadratic_target(12, rng=4).B
    W = rep.sample_weights(24, 12, rng=5)
    with pytest.raises(ConvergenceError, match="residual"):
        relu_nt_solve(B, W, max_iter=2)


def test_bad_arguments():
    B = rep.quadratic_target(5, rng=0).B
    W = rep.sample_weights(3, 5, rng=0)
    with pytest.raises(ValueError, match="method"):
        relu_nt_solve(B, W, method="lu")
    with pytest.raises(ValueError, match="rtol"):
        relu_nt_solve(B, W, rtol=0.0)
    with pytest.raises(ValueError, match="max_iter"):
        relu_nt_solve(B, W, max_iter=0)
    with pytest.raises(ValueError, match="W"):
        relu_nt_solve(B, np.vstack([W, np.zeros(5)]))
    d_big = 130
    with pytest.raises(ValueError, match="RELU_NT_DENSE_MAX_FEATURES"):
        relu_nt_solve(np.eye(d_big), rep.sample_weights(16_000 // d_big + 1, d_big, rng=1), method="dense")
