"""Tests for thermo_helpers.representation (RF vs NT vs NN on a quadratic target)."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import representation as rep
from thermo_helpers.representation.training import _nn_risk, _train_relu_nn


# ----------------------------------------------------------------- brute force
def _brute_force(features: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares with an intercept on a large sample: (risk / Var y, standard error).

    The risk estimate is the ratio of the residual variance ``RSS / (n - p)``
    to the sample variance of ``y`` (the exact risks are normalised by the
    population variance ``2 ||B||_F^2``; dividing by the sample variance
    instead cancels most of the shared sampling error).  Its standard error is
    the delta-method error of a ratio of two sample means,
    ``sd(r^2 - R (y - ybar)^2) / (sqrt(n) mean((y - ybar)^2))``.  Checked to be
    calibrated: over 40 independent samples of n = 5e4 at d = 6 the z-scores of
    the exact risks had mean within 0.2 of 0 and standard deviation 0.8-1.1.
    """
    n = len(y)
    F = np.column_stack([np.ones(n), features])
    p = F.shape[1]
    coef, *_ = np.linalg.lstsq(F, y, rcond=None)
    r2 = (y - F @ coef) ** 2
    yc2 = (y - y.mean()) ** 2
    risk = (r2.sum() / (n - p)) / (yc2.sum() / (n - 1))
    se = np.std(r2 - risk * yc2, ddof=1) / np.sqrt(n) / yc2.mean()
    return float(risk), float(se)


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(20191121)
    d = 6
    target = rep.quadratic_target(d, rng=rng)
    X = rng.standard_normal((200_000, d))
    return target, X, target(X)


@pytest.mark.parametrize("N", [2, 4, 9])
def test_exact_risks_match_brute_force(small, N):
    target, X, y = small
    B = target.B
    W = rep.sample_weights(N, target.d, rng=N)
    U = X @ W.T
    checks = {
        ("rf", "quadratic"): U**2,
        ("nt", "quadratic"): (U[:, :, None] * X[:, None, :]).reshape(len(y), -1),
        ("rf", "relu"): np.maximum(U, 0.0),
        ("nt", "relu"): ((U > 0)[:, :, None] * X[:, None, :]).reshape(len(y), -1),
    }
    for (model, act), F in checks.items():
        exact = rep.population_risk(model, B, W, activation=act)
        bf, se = _brute_force(F, y)
        # 4 standard errors (0.002-0.01 here); se = 0 when the model is exact (NT, N >= d)
        assert abs(exact - bf) <= 4 * se + 1e-9, (model, act, exact, bf, se)


def test_rf_risk_same_for_centred_square_and_row_scaling(small):
    """population_risk('rf') is the risk of sigma(t) = t^2 - 1 features too, and of any row scaling of W."""
    target, X, y = small
    W = rep.sample_weights(5, target.d, rng=1)
    exact = rep.population_risk("rf", target.B, W)
    # brute force with the centred features <w_i, x>^2 - 1 (sigma(t) = t^2 - 1, as in the theorem)
    bf, se = _brute_force((X @ W.T) ** 2 - 1.0, y)
    assert abs(exact - bf) <= 4 * se, (exact, bf, se)
    scales = np.array([0.1, 1.0, 3.0, 7.0, 0.5])
    assert rep.population_risk("rf", target.B, scales[:, None] * W) == pytest.approx(exact, abs=1e-10)
    assert rep.population_risk("nt", target.B, scales[:, None] * W) == pytest.approx(
        rep.population_risk("nt", target.B, W), abs=1e-10)


def test_network_risks_match_monte_carlo(small):
    target, X, y = small
    B, b0 = target
    rng = np.random.default_rng(5)
    W = rng.standard_normal((4, target.d)) / 2
    a, c = rng.standard_normal(4), 0.7
    var = target.variance()
    for exact, f in (
        (_nn_risk(B, b0, W, c), c + np.sum((X @ W.T) ** 2, axis=1)),
        (rep.relu_network_risk(B, b0, W, a, c), c + np.maximum(X @ W.T, 0.0) @ a),
    ):
        r2 = (y - f) ** 2
        mc, se = r2.mean() / var, r2.std(ddof=1) / np.sqrt(len(y)) / var
        assert abs(exact - mc) <= 4 * se


def test_quadratic_target_properties():
    t = rep.quadratic_target(50, rng=3)
    B, b0 = t
    assert np.allclose(B, B.T)
    assert np.all(np.linalg.eigvalsh(B) >= -1e-12)
    assert b0 == pytest.approx(-np.trace(B))
    assert np.allclose(np.sort(np.linalg.eigvalsh(B))[::-1], t.eigenvalues)
    assert np.allclose(t.eigenvectors.T @ t.eigenvectors, np.eye(50), atol=1e-10)
    lam = np.arange(5.0)
    t2 = rep.quadratic_target(5, rng=0, spectrum=lam, b0=1.5)
    assert np.allclose(t2.eigenvalues, lam[::-1]) and t2.b0 == 1.5
    assert rep.quadratic_target(20, rng=7).B == pytest.approx(rep.quadratic_target(20, rng=7).B)


def test_nt_zero_once_N_at_least_d():
    B = rep.quadratic_target(20, rng=1).B
    for N in (20, 25, 60):
        assert rep.population_risk("nt", B, rep.sample_weights(N, 20, rng=N)) == 0.0
    assert rep.population_risk("nt", B, rep.sample_weights(19, 20, rng=0)) > 0.0


def test_nn_is_tail_eigenvalue_sum():
    t = rep.quadratic_target(30, rng=2)
    lam = t.eigenvalues
    for N in (1, 7, 29, 30, 45):
        expected = np.sum(lam[N:] ** 2) / np.sum(lam**2)
        W = np.ones((N, 30))  # values are irrelevant for "nn"
        assert rep.population_risk("nn", t.B, W) == pytest.approx(expected, abs=1e-12)
        assert rep.asymptotic_risk("nn", N / 30, t.B) == pytest.approx(expected, abs=1e-12)


def test_rf_uses_gram_identity_and_is_scale_invariant():
    B = rep.quadratic_target(8, rng=4).B
    W = rep.sample_weights(12, 8, rng=5)
    r = rep.population_risk("rf", B, W)
    # direct projection with the d^2 x N matrix at this tiny size
    F = np.stack([np.outer(w, w).ravel() for w in W], axis=1)
    coef, *_ = np.linalg.lstsq(F, B.ravel(), rcond=None)
    direct = np.sum((B.ravel() - F @ coef) ** 2) / np.sum(B**2)
    assert r == pytest.approx(direct, abs=1e-10)
    assert rep.population_risk("rf", B, 3.0 * W) == pytest.approx(r, abs=1e-10)
    # N beyond d(d+1)/2 = 36: the whole space of symmetric matrices
    assert rep.population_risk("rf", B, rep.sample_weights(50, 8, rng=6)) == pytest.approx(0.0, abs=1e-9)


def test_exact_risks_vs_finite_d_expectations_at_d100():
    """RF against the Schur identity (paired per draw) and NT against its exact expectation, 12 draws at d = 100.

    Both are exact at finite d, so the check is |z| <= 4 with no allowance; the
    asymptotic RF theorem is, by contrast, many standard errors off at psi1 = 2
    (the finite-d term (1 - tau) (N - alpha_W) / D).
    """
    d = 100
    B = rep.quadratic_target(d, rng=300).B
    for psi in (0.25, 0.5, 2.0):
        N = int(psi * d)
        rf, ident, nt = [], [], []
        for s in range(12):
            W = rep.sample_weights(N, d, rng=1000 + s)
            rf.append(rep.population_risk("rf", B, W))
            ident.append(rep.rf_schur_identity(B, W))
            nt.append(rep.population_risk("nt", B, W))
        gap = np.array(rf) - np.array(ident)
        assert abs(gap.mean()) <= 4 * gap.std(ddof=1) / np.sqrt(12), psi
        nt_se = np.std(nt, ddof=1) / np.sqrt(12)
        assert abs(np.mean(nt) - rep.nt_expected_risk(B, N)) <= 4 * nt_se + 1e-15, psi
        if psi == 2.0:
            rf_se = np.std(rf, ddof=1) / np.sqrt(12)
            assert np.mean(rf) < rep.asymptotic_risk("rf", psi, B) - 10 * rf_se



def test_rf_aligned_gamma_formula_vs_exact_at_d300():
    """RF with Gamma = B / Tr B at d = 300: exact risk (2 draws of W) vs the theorem within 0.02.

    The measured differences are -0.007 to -0.011 (the exact risk is lower: a
    finite-d effect that shrinks as d grows, see the chapter).
    """
    d = 300
    B = rep.quadratic_target(d, rng=301).B
    G = B / np.trace(B)
    for psi in (0.25, 1.0, 4.0):
        N = int(psi * d)
        ex = [rep.population_risk("rf", B, rep.sample_weights(N, d, rng=2000 + s, Gamma=G)) for s in range(2)]
        assert abs(np.mean(ex) - rep.rf_asymptotic_risk(psi, B, G)) < 0.02, psi
    # the aligned limit is 0, the isotropic one 1 - tau
    assert rep.rf_asymptotic_risk(np.inf, B, G) == pytest.approx(0.0, abs=1e-12)


def test_rf_asymptotic_limits():
    B = rep.quadratic_target(40, rng=8).B
    assert rep.rf_asymptotic_risk(np.inf, B, B) == pytest.approx(0.0, abs=1e-12)
    G = np.diag(np.linspace(1, 2, 40))
    lim = 1 - np.sum(B * G) ** 2 / (np.sum(G * G) * np.sum(B * B))
    assert rep.rf_asymptotic_risk(np.inf, B, G) == pytest.approx(lim)
    assert rep.rf_asymptotic_risk(1e9, B, G) == pytest.approx(lim, abs=1e-6)
    # scale of Gamma does not matter (normalised to unit trace)
    assert rep.rf_asymptotic_risk(2.0, B, 5 * G) == pytest.approx(rep.rf_asymptotic_risk(2.0, B, G))


@pytest.mark.slow
def test_sgd_reaches_nn_optimum():
    """One-pass SGD at d = 20, N = 5: mean risk over t in [6, 8] within 0.02 of the infimum.

    The gradient flow (eps -> 0) from the same start is within 1e-3 at t = 8.
    """
    t = rep.quadratic_target(20, rng=11)
    W0 = rep.sample_weights(5, 20, rng=12)
    flow = rep.nn_gradient_flow(t, W0, t_max=8.0, c_step_factor=5.0, n_record=10)
    assert flow.risk[-1] - flow.optimum < 1e-3
    eps = 0.01 / 20**2
    res = rep.train_nn_sgd(t, 5, steps=int(8.0 / eps), step_size=eps, rng=13, W0=W0,
                           c_step_factor=5.0, record_every=4000)
    late = res.risk[res.time >= 6.0].mean()
    assert res.risk[0] > 1.0
    assert 0.0 <= late - res.optimum < 0.02
    assert res.overlap[-1] > 0.95


def test_sgd_minibatch_and_determinism():
    t = rep.quadratic_target(10, rng=1)
    kw = dict(steps=400, step_size=2e-3, rng=5, batch_size=32, record_every=100, c_step_factor=3.0, anneal=0.5)
    a = rep.train_nn_sgd(t, 3, **kw)
    b = rep.train_nn_sgd(t, 3, **kw)
    assert np.array_equal(a.risk, b.risk)
    assert a.risk[-1] < a.risk[0]
    assert list(a.steps) == [0, 100, 200, 300, 400]
    assert a.time[-1] < 400 * 2e-3  # annealed steps are shorter


def test_eigen_capture():
    t = rep.quadratic_target(16, rng=2)
    W = rep.sample_weights(6, 16, rng=3)
    nn = rep.eigen_capture("nn", t.B, W)
    assert nn.sum() == 6 and nn[:6].all()
    nt = rep.eigen_capture("nt", t.B, W)
    assert np.all((nt >= -1e-12) & (nt <= 1 + 1e-12))
    rf = rep.eigen_capture("rf", t.B, W)
    assert np.all((rf >= -1e-12) & (rf <= 1 + 1e-12))


# ----------------------------------------------------------------- bad input
def test_bad_input_raises():
    B = rep.quadratic_target(5, rng=0).B
    W = rep.sample_weights(3, 5, rng=0)
    nonsym = B.copy()
    nonsym[0, 1] += 1.0
    with pytest.raises(ValueError, match="B"):
        rep.population_risk("rf", nonsym, W)
    with pytest.raises(ValueError, match="B"):
        rep.population_risk("rf", np.ones((5, 4)), W)
    with pytest.raises(ValueError, match="W"):
        rep.population_risk("nt", B, np.ones((3, 4)))
    with pytest.raises(ValueError, match="W"):
        rep.population_risk("nt", B, np.ones(5))
    with pytest.raises(ValueError, match="W"):
        rep.population_risk("rf", B, np.ones((0, 5)))
    with pytest.raises(ValueError, match="model"):
        rep.population_risk("cnn", B, W)
    with pytest.raises(ValueError, match="model"):
        rep.asymptotic_risk("kernel", 1.0, B)
    with pytest.raises(ValueError, match="psi1"):
        rep.asymptotic_risk("rf", -1.0, B)
    with pytest.raises(ValueError, match="N"):
        rep.train_nn_sgd(B, 0, steps=10, step_size=1e-3, rng=0)
    with pytest.raises(ValueError, match="N"):
        rep.nn_optimal_risk(B, 0)
    with pytest.raises(ValueError, match="step_size"):
        rep.train_nn_sgd(B, 2, steps=10, step_size=0.0, rng=0)
    with pytest.raises(ValueError, match="B"):
        rep.train_nn_sgd(-B, 2, steps=10, step_size=1e-3, rng=0)
    with pytest.raises(ValueError, match="Gamma"):
        rep.rf_asymptotic_risk(1.0, B, np.eye(4))
    with pytest.raises(ValueError, match="spectrum"):
        rep.quadratic_target(5, rng=0, spectrum="uniform")
    with pytest.raises(ValueError, match="spectrum"):
        rep.quadratic_target(5, rng=0, spectrum=np.ones(4))
    with pytest.raises(ValueError, match="d"):
        rep.quadratic_target(0, rng=0)
    with pytest.raises(ValueError, match="activation"):
        rep.population_risk("nn", B, W, activation="relu")
    # non-finite scalars are refused by name instead of returning NaN or diverging
    nan = float("nan")
    with pytest.raises(ValueError, match="b0"):
        rep.relu_network_risk(B, nan, W, np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="c"):
        rep.relu_network_risk(B, 0.0, W, np.zeros(3), nan)
    with pytest.raises(ValueError, match="a"):
        rep.relu_network_risk(B, 0.0, W, np.array([nan, 0.0, 0.0]), 0.0)
    with pytest.raises(ValueError, match="b0"):
        rep.train_nn_sgd(B, 2, steps=10, step_size=1e-3, rng=0, b0=nan)
    with pytest.raises(ValueError, match="c0"):
        rep.train_nn_sgd(B, 2, steps=10, step_size=1e-3, rng=0, c0=nan)
    with pytest.raises(ValueError, match="c0"):
        rep.nn_gradient_flow(B, W, t_max=0.1, c0=nan)
    with pytest.raises(ValueError, match="b0"):
        rep.nn_gradient_flow(B, W, t_max=0.1, b0=np.inf)
    for bad_tail in (0.0, 1.5, -1.0, nan):
        with pytest.raises(ValueError, match="tail"):
            rep.sgd_trained_risk(0.4, B, rng=0, t_max=0.01, step_size=1e-3, tail=bad_tail)
    with pytest.raises(FloatingPointError):
        rep.train_nn_sgd(B, 2, steps=5000, step_size=1.0, rng=0, record_every=1000)


def test_relu_sgd_learns_and_detects_divergence():
    t = rep.quadratic_target(12, rng=3)
    kw = dict(steps=600, step_size=0.1, rng=4, batch_size=32, record_every=200)
    a = _train_relu_nn(t, 12, **kw)
    assert np.array_equal(a.risk, _train_relu_nn(t, 12, **kw).risk)
    assert a.risk[-1] < 0.5 * a.risk[0]
    # the returned (a, c, W) in the original scale reproduce the recorded exact risk
    assert rep.relu_network_risk(t.B, t.b0, a.W, a.a, a.c) == pytest.approx(a.risk[-1], rel=1e-10)
    with pytest.raises(FloatingPointError, match="step_size"):
        _train_relu_nn(t, 12, steps=400, step_size=50.0, rng=4, record_every=50)


def test_gradient_flow_bounded_and_diverging_step():
    t = rep.quadratic_target(6, rng=1)
    W0 = rep.sample_weights(2, 6, rng=2)
    with pytest.raises(ValueError, match="t_max"):
        rep.nn_gradient_flow(t, W0, t_max=1e9)
    with pytest.raises(FloatingPointError, match="dt"):
        rep.nn_gradient_flow(t, W0, t_max=50.0, dt=0.5)


def test_inverse_d_fit_recovers_a_known_limit_and_follows_its_rule():
    from thermo_helpers.representation import checks

    d = np.array([20, 40, 80, 160])
    se = np.full(4, 1e-3)
    lin = checks.inverse_d_fit(d.tolist(), 0.02 + 4.0 / d, se)
    assert lin["form"] == "a + b/d" and "quadratic" not in lin
    assert lin["used"]["value"] == pytest.approx(0.02, abs=1e-9)
    assert lin["verdict"] == "disagrees"  # the limit 0.02 is far outside a 99% interval of width ~1e-3
    # a curved gap rejects the line, so the rule adds c/d^2, which recovers a = 0
    quad = checks.inverse_d_fit(d.tolist(), 4.0 / d + 200.0 / d**2, se)
    assert quad["linear"]["p"] < 0.01 and quad["form"] == "a + b/d + c/d^2"
    assert quad["used"]["value"] == pytest.approx(0.0, abs=1e-9)
    assert quad["verdict"] == "agrees"
    # with three dimensions the rule cannot add a term: it stays on the line
    three = checks.inverse_d_fit(d[:3].tolist(), 4.0 / d[:3] + 200.0 / d[:3] ** 2, se[:3])
    assert three["form"] == "a + b/d"
    row = checks.interval_row("x", 3, three["used"]["lo"], three["used"]["hi"], 0.0, 3)
    assert row["verdict"] == three["verdict"]


def test_sgd_on_the_diagonal_target_matches_the_dense_target_in_law():
    from thermo_helpers import representation as rep

    d, N = 12, 3
    t = rep.quadratic_target(d, rng=np.random.default_rng(0))
    kw = dict(t_max=1.0, step_size=2e-3, batch_size=32, c_step_factor=d / 4, anneal=0.5)
    dense = [rep.sgd_trained_risk(N / d, t.B, rng=np.random.default_rng(s), **kw)["final"] for s in range(8)]
    diag = [rep.sgd_trained_risk(N / d, np.diag(t.eigenvalues), rng=np.random.default_rng(s), b0=t.b0, **kw)["final"]
            for s in range(8)]
    opt = rep.nn_optimal_risk(t.B, N)
    # both reach the same optimum region; their means agree within a few standard errors
    diff = np.mean(dense) - np.mean(diag)
    se = np.hypot(np.std(dense, ddof=1), np.std(diag, ddof=1)) / np.sqrt(8)
    assert abs(diff) <= 4 * se + 1e-3
    assert np.mean(diag) >= opt - 1e-9
