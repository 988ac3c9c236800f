"""Tests for thermo_helpers.max_margin: solvers, Gaussian expectations, asymptotics vs simulation."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import max_margin as mm
from thermo_helpers.report import agrees
from thermo_helpers.max_margin.simulation import _rf_max_margin_simulation


def _separable_data(n, N, seed):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n, N))
    y = np.where(U[:, 0] + 0.5 * rng.standard_normal(n) >= 0, 1.0, -1.0)
    return U, y


# ---------------------------------------------------------------- solvers
@pytest.mark.parametrize("n,N", [(120, 60), (80, 200)])
def test_dual_path_and_cvxpy_agree(n, N):
    U, y = _separable_data(n, N, seed=n + N)
    exact = mm.max_margin(U, y)
    qp = mm.max_margin(U, y, method="cvxpy")  # CLARABEL, the reference
    assert exact.verdict == qp.verdict == "separable"
    assert exact.method == "dual" and qp.status == "optimal"
    assert abs(exact.kappa - qp.kappa) <= 1e-8 * qp.kappa
    assert np.linalg.norm(exact.a - qp.a) <= 1e-4
    assert abs(np.linalg.norm(exact.a) - 1.0) < 1e-12
    # the returned margin is the margin of the returned unit vector, inside its certified interval
    assert exact.kappa == pytest.approx(np.min(y * (U @ exact.a)), rel=1e-12)
    c = exact.certificate
    assert c["kappa_lower"] <= exact.kappa <= c["kappa_upper"] <= exact.kappa * (1 + 1e-10)


@pytest.mark.parametrize("method", ["dual", "cvxpy"])
def test_max_margin_is_scale_invariant(method):
    """kappa(c U) = c kappa(U) and the same direction, for very small and very large c.

    ReLU random features: positive entries, a margin small relative to ||u_i||.
    """
    from thermo_helpers.data import sample_gaussian, sample_sphere

    rng = np.random.default_rng(0)
    W = sample_sphere(180, 60, rng=rng, radius=1.0)
    X = sample_gaussian(120, 60, rng=rng)
    beta0 = sample_sphere(1, 60, rng=rng, radius=1.0)[0]
    y = np.where(X @ beta0 >= 0, 1.0, -1.0)
    U = mm.rf_features(X, W, activation="relu")
    ref = mm.max_margin(U, y)
    for c in (1e-200, 1e-5, 1e6, 1e200):
        res = mm.max_margin(c * U, y, method=method)
        assert res.verdict == "separable", (method, c, res.status)
        assert res.kappa == pytest.approx(c * ref.kappa, rel=1e-8), (method, c)
        assert np.linalg.norm(res.a - ref.a) <= 1e-4


@pytest.mark.parametrize("n,N,seed", [(100, 150, 3), (200, 120, 4), (60, 600, 5)])
def test_dual_path_satisfies_kkt(n, N, seed):
    U, y = _separable_data(n, N, seed=seed)
    res = mm.max_margin(U, y)
    assert res.verdict == "separable" and res.method == "dual", res.status
    kkt = mm.check_kkt(U, y, res)
    assert kkt["stationarity"] < 1e-10, kkt
    assert kkt["primal"] < 1e-10, kkt
    assert kkt["dual"] == 0.0, kkt
    assert kkt["complementarity"] < 1e-10, kkt
    # the support vectors are exactly the points at the margin
    m = y * (U @ res.a) / res.kappa
    on = res.dual > 0
    assert np.all(np.abs(m[on] - 1.0) < 1e-9) and np.all(m[~on] > 1.0 - 1e-9)
    assert res.n_support == int(np.sum(on))


def _check_farkas(U, y, res):
    lam = res.dual
    G = y[:, None] * U
    assert res.verdict == "not_separable" and res.kappa == 0.0 and np.all(res.a == 0)
    assert np.all(lam >= 0) and np.sum(lam) == pytest.approx(1.0, abs=1e-12)
    scale = np.max(np.linalg.norm(G, axis=1))
    assert np.linalg.norm(G.T @ lam) <= 1e-9 * scale
    assert res.certificate["kappa_upper"] == pytest.approx(np.linalg.norm(G.T @ lam), abs=1e-13 * scale)


@pytest.mark.parametrize("method", ["dual", "cvxpy", "lp"])
def test_non_separable_data_come_with_a_farkas_ray(method):
    rng = np.random.default_rng(5)
    U = rng.standard_normal((300, 20))
    y = np.where(rng.standard_normal(300) >= 0, 1.0, -1.0)  # n = 15 p: far above Cover's 2p
    _check_farkas(U, y, mm.max_margin(U, y, method=method))
    # the same points with a contradiction (x, +1) and (x, -1)
    U2 = np.vstack([U[:5], U[:5]])
    y2 = np.concatenate([np.ones(5), -np.ones(5)])
    _check_farkas(U2, y2, mm.max_margin(U2, y2, method=method))


# The two borderline draws of issue 9, reproduced from the chapter's seeds.  With the retired
# NNLS path their verdicts depended on the OpenBLAS kernel; CI runs this file under several.
_SEED = 20191121


def _borderline_rf_draw():
    """Separability sweep, d = 100, psi1 = 0.75, nonlinear features, seed 11 (kappa ~ 1.1e-4)."""
    from thermo_helpers import sweep

    rng = sweep.task_rng(_SEED + 2, 26, 11)
    _, W, X, y = mm.simulation._rf_draw(0.75, 2.0, 100, 0.0, rng)
    return mm.rf_features(X, W, activation="relu"), y


def _borderline_cover_draw():
    """Cover sweep, p = 50, n = 100 (psi = 1/2), labels independent of x, seed 7."""
    from thermo_helpers import sweep
    from thermo_helpers.data import sample_gaussian, sample_sphere

    rng = sweep.task_rng(_SEED + 3, 4, 7)
    theta = sample_sphere(1, 50, rng=rng, radius=1.0)[0]
    X = sample_gaussian(100, 50, rng=rng)
    return X, mm.simulation._labels(X @ theta, 0.5, rng)


@pytest.mark.parametrize("method", ["dual", "cvxpy"])
def test_borderline_draws_get_certified_verdicts(method):
    U, y = _borderline_rf_draw()
    res = mm.max_margin(U, y, method=method)
    assert res.verdict == "separable", res.status
    assert res.kappa == pytest.approx(1.12384408e-4, rel=1e-6)
    assert np.min(y * (U @ res.a)) > res.certificate["safety"] > 0
    X, yc = _borderline_cover_draw()
    _check_farkas(X, yc, mm.max_margin(X, yc, method=method))


def test_undecided_is_reported_and_counted(monkeypatch):
    from thermo_helpers.max_margin import solver as ms

    U, y = _separable_data(40, 30, seed=1)
    monkeypatch.setattr(ms, "_dual_path", lambda cert, maxiter: "dual: forced failure")
    monkeypatch.setattr(ms, "_cvxpy_path", lambda cert, solver: f"cvxpy {solver}: user_limit")
    monkeypatch.setattr(ms, "_lp_path", lambda cert: "lp: iteration limit")
    res = mm.max_margin(U, y)
    assert res.verdict == "undecided" and not res.separable and np.isnan(res.kappa)
    assert "forced failure" in res.status and "user_limit" in res.status and "iteration limit" in res.status
    summ = mm.linear_max_margin_simulation(1.0, 20, seeds=3, base_seed=0)
    assert summ.n_undecided == 3 and np.isnan(summ.frac_separable)


def test_inaccurate_cvxpy_status_is_retried(monkeypatch):
    """An OSQP user_limit / *_inaccurate status is never read as 'not separable'."""
    from thermo_helpers.max_margin import solver as ms

    real = ms._cvxpy_path
    calls = []

    def fake(cert, solver):
        calls.append(solver)
        return "cvxpy OSQP: user_limit" if solver == "OSQP" else real(cert, solver)

    monkeypatch.setattr(ms, "_cvxpy_path", fake)
    U, y = _separable_data(80, 40, seed=2)
    res = mm.max_margin(U, y, method="cvxpy", solver="OSQP")
    assert calls == ["OSQP", "CLARABEL"]
    assert res.verdict == "separable" and res.method == "cvxpy:CLARABEL"


def test_bad_inputs_raise():
    U, y = _separable_data(20, 5, seed=0)
    with pytest.raises(ValueError, match="y"):
        mm.max_margin(U, np.where(y > 0, 1.0, 0.0))
    with pytest.raises(ValueError, match="y"):
        mm.max_margin(U, y[:-1])
    with pytest.raises(ValueError, match="U"):
        mm.max_margin(U[0], y[:5])
    with pytest.raises(ValueError, match="method"):
        mm.max_margin(U, y, method="svm")
    with pytest.raises(ValueError, match="method"):
        mm.max_margin(U, y, method="nnls")  # retired
    with pytest.raises(ValueError, match="solver"):
        mm.max_margin(U, y, method="cvxpy", solver="NOPE")
    with pytest.raises(ValueError, match="solver"):
        mm.max_margin(U, y, solver="OSQP")  # only with method="cvxpy"
    with pytest.raises(TypeError, match="U"):
        mm.max_margin(U + 1j, y)
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="psi"):
            mm.linear_max_margin_asymptotics(bad)
        with pytest.raises(ValueError, match="psi1"):
            mm.rf_max_margin_asymptotics(bad, 2.0)
        with pytest.raises(ValueError, match="psi2"):
            mm.rf_max_margin_asymptotics(2.0, bad)
        with pytest.raises(ValueError, match="psi2"):
            mm.rf_separability_threshold(bad)
    for bad in (-0.1, 0.6):
        with pytest.raises(ValueError, match="flip"):
            mm.linear_max_margin_asymptotics(1.0, flip=bad)
        with pytest.raises(ValueError, match="flip"):
            mm.rf_max_margin_asymptotics(2.0, 2.0, flip=bad)
        with pytest.raises(ValueError, match="flip"):
            mm.label_error(0.5, 0.5, flip=bad)
        with pytest.raises(ValueError, match="flip"):
            mm.linear_separability_threshold(bad)
        with pytest.raises(ValueError, match="flip"):
            mm.rf_separability_threshold(2.0, flip=bad)
    with pytest.raises(ValueError, match="flip"):
        mm.label_error(0.5, 0.5, flip=-1.0)
    with pytest.raises(ValueError, match="features"):
        mm.rf_max_margin_trial(2.0, 2.0, 20, features="quadratic", rng=0)
    with pytest.raises(ValueError, match="d"):
        mm.rf_max_margin_trial(2.0, 2.0, 0, rng=0)


# ---------------------------------------------------------------- Gaussian expectations
def test_gordon_F2_against_closed_forms_and_monte_carlo():
    # c1 = 0: E(k - c2 Z)_+^2 in closed form; with k = 0 it is c2^2 / 2
    assert mm.gordon_F2(0.0, 0.0, 1.0) == pytest.approx(0.5, abs=1e-13)
    # c2 = 0, no flips: E(k - c1|G|)_+^2 = k^2 (2 Phi(k/c1) - 1) - ... check by fine quadrature
    from scipy import integrate

    k, c1 = 0.7, 1.3
    ref = integrate.quad(lambda g: 2 * np.exp(-g * g / 2) / np.sqrt(2 * np.pi) * max(k - c1 * g, 0) ** 2,
                         0, k / c1)[0]
    assert mm.gordon_F2(k, c1, 0.0) == pytest.approx(ref, rel=1e-10)
    rng = np.random.default_rng(1)
    G, Z = rng.standard_normal((2, 400_000))
    Y = np.sign(G) * np.where(rng.random(G.size) < 0.2, -1, 1)
    v = np.maximum(0.4 - 0.6 * Y * G - 0.8 * Z, 0) ** 2
    assert agrees(mm.gordon_F2(0.4, 0.6, 0.8, 0.2), v.mean(), v.std() / np.sqrt(v.size), k=4)


# ---------------------------------------------------------------- linear model
def test_cover_threshold_for_pure_noise_labels():
    assert mm.linear_separability_threshold(0.5) == pytest.approx(0.5, abs=1e-6)
    above = mm.linear_max_margin_asymptotics(0.5 + 1e-6, flip=0.5)
    below = mm.linear_max_margin_asymptotics(0.5 - 1e-6, flip=0.5)
    assert above.separable and above.kappa > 0
    assert not below.separable and below.kappa == 0.0
    # noiseless labels are always separable; flips move the threshold up
    assert mm.linear_separability_threshold(0.0) == 0.0
    assert 0 < mm.linear_separability_threshold(0.1) < mm.linear_separability_threshold(0.3) < 0.5


def test_linear_theory_matches_simulation():
    for psi in (0.5, 2.0):
        th = mm.linear_max_margin_asymptotics(psi)
        sim = mm.linear_max_margin_simulation(psi, 200, seeds=12, base_seed=7)
        assert sim.frac_separable == 1.0 and sim.n_undecided == 0
        # no finite-size allowance: |z| <= 3.5 (12 draws: Student t with 11 dof, P(|t| > 3.5) = 0.005)
        assert agrees(th.kappa, sim.kappa, sim.kappa_sem, k=3.5)
        assert agrees(th.test_error, sim.test_error, sim.test_error_sem, k=3.5)


# ---------------------------------------------------------------- random features
@pytest.mark.slow
def test_rf_theory_monotone_and_limits():
    ths = [mm.rf_max_margin_asymptotics(p, 2.0) for p in (0.5, 1.0, 4.0)]
    assert not ths[0].separable and ths[0].kappa == 0.0
    assert 0 < ths[1].kappa < ths[2].kappa
    assert 0.5 > ths[1].test_error > ths[2].test_error > 0
    thr = mm.rf_separability_threshold(2.0)
    assert 0.5 < thr < 1.0  # below Cover's psi2 / 2 = 1: labels carry information
    assert not mm.rf_max_margin_asymptotics(0.98 * thr, 2.0).separable
    assert mm.rf_max_margin_asymptotics(1.02 * thr, 2.0).separable
    # label flips make separation harder
    assert mm.rf_separability_threshold(2.0, flip=0.1) > thr


@pytest.mark.slow
def test_rf_asymptotics_just_above_the_threshold():
    """Just above psi1* the separating (nu, eta) region is smaller than the coarse grid's spacing.

    With flip = 0.3 the threshold is about 0.964; psi1 = 1.002 psi1* used to come out
    non-separable while 1.01 psi1* was separable.
    """
    thr = mm.rf_separability_threshold(2.0, flip=0.3)
    below = mm.rf_max_margin_asymptotics(0.999 * thr, 2.0, flip=0.3)
    assert not below.separable and below.kappa == 0.0
    prev = 0.0
    for f in (1.0001, 1.002, 1.01):
        th = mm.rf_max_margin_asymptotics(f * thr, 2.0, flip=0.3)
        assert th.separable and th.kappa > prev, f
        prev = th.kappa


def test_rf_threshold_is_a_root_not_the_bracket_edge():
    """For small psi2 the threshold is about psi2 / 2 (Cover's count N = n / 2), far from the bracket edges."""
    from thermo_helpers.activations import gaussian_moments

    _, mu1, mu_star = gaussian_moments("relu")
    psi2 = 1e-3
    thr = mm.rf_separability_threshold(psi2)
    assert 0.45 * psi2 < thr < 0.5 * psi2
    below = mm.theory._rf_optimise(0.99 * thr, psi2, mu1, mu_star, 0.0, want="slack")[0]
    above = mm.theory._rf_optimise(1.01 * thr, psi2, mu1, mu_star, 0.0, want="slack")[0]
    assert below < 0 < above


@pytest.mark.slow
def test_rf_theory_matches_noisy_linear_simulation_d400():
    """d = 400, psi2 = 2, ReLU, 8 draws per psi1, judged by z-scores without a finite-size allowance."""
    psi1s = (1.5, 3.0, 6.0)
    sims = _rf_max_margin_simulation(list(psi1s), 2.0, 400, features="noisy_linear", seeds=8, base_seed=2019,
                                       n_jobs=2)
    for psi1, sim in zip(psi1s, sims):
        th = mm.rf_max_margin_asymptotics(psi1, 2.0)
        assert sim.frac_separable == 1.0 and sim.n_undecided == 0
        assert agrees(th.kappa, sim.kappa, sim.kappa_sem, k=3.5), (psi1, th, sim)
        assert agrees(th.test_error, sim.test_error, sim.test_error_sem, k=3.5), (psi1, th, sim)


def test_rf_simulation_is_deterministic():
    a = _rf_max_margin_simulation([1.5, 3.0], 2.0, 30, features="nonlinear", seeds=2, base_seed=4, n_test=500)
    b = _rf_max_margin_simulation([1.5, 3.0], 2.0, 30, features="nonlinear", seeds=2, base_seed=4, n_test=500)
    assert [s.kappa for s in a] == [s.kappa for s in b]
    assert [s.test_error for s in a] == [s.test_error for s in b]


def test_kernel_limit_matches_large_psi1_theory():
    th = mm.rf_max_margin_asymptotics(1e6, 2.0)
    recs = [mm.kernel_max_margin_trial(2.0, 150, kernel="noisy_linear", rng=s) for s in range(10)]
    kap = np.array([r["kappa"] for r in recs])
    err = np.array([r["test_error"] for r in recs])
    # no finite-size allowance: |z| <= 3.5 with 10 draws
    assert agrees(th.kappa / 1e3, kap.mean(), kap.std(ddof=1) / np.sqrt(10), k=3.5)
    assert agrees(th.test_error, err.mean(), err.std(ddof=1) / np.sqrt(10), k=3.5)


def test_marchenko_pastur_quantities_match_a_sampled_W():
    """The deterministic equivalent: MP-law traces vs the same quantities on one sampled W.

    Traces self-average (error O(1/N)); the quadratic forms in m = W beta0 fluctuate by
    O(N^{-1/2}), so c1 gets a looser, stated tolerance of 3 sqrt(2/N).
    """
    from thermo_helpers.activations import gaussian_moments
    from thermo_helpers.data import sample_sphere

    _, mu1, mu_star = gaussian_moments("relu")
    rng = np.random.default_rng(8)
    d, psi1 = 1000, 2.0
    W = sample_sphere(int(psi1 * d), d, rng=rng, radius=1.0)
    beta0 = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    spec = mm.theory._MPSpectrum(psi1)
    for nu, omega in ((0.3, 0.6), (2.0, 0.2)):
        c1, c2, T = (float(v) for v in mm.theory._rf_quantities(nu, omega, psi1, mu1, mu_star, spec))
        s1, s2, sT = mm.rf_quantities_sampled(nu, omega, W, beta0)
        assert s2 == pytest.approx(c2, rel=1e-2)
        assert sT == pytest.approx(T, rel=1e-2)
        assert s1 == pytest.approx(c1, rel=3 * np.sqrt(2 / W.shape[0]))


@pytest.mark.slow
@pytest.mark.parametrize("coretype", ["Haswell", "Sandybridge", "Prescott"])
def test_borderline_verdicts_do_not_depend_on_the_blas_kernel(coretype):
    """The issue-9 draws under OpenBLAS kernels that this CPU can run (each in a fresh process)."""
    import os
    import subprocess
    import sys

    code = (
        "import tests.test_max_margin as t, numpy as np\n"
        "from thermo_helpers import max_margin as mm\n"
        "U, y = t._borderline_rf_draw(); r = mm.max_margin(U, y)\n"
        "X, yc = t._borderline_cover_draw(); c = mm.max_margin(X, yc)\n"
        "print(r.verdict, f'{r.kappa:.8e}', c.verdict)\n"
    )
    env = dict(os.environ, OPENBLAS_CORETYPE=coretype, OPENBLAS_NUM_THREADS="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True,
                         timeout=300, check=True).stdout.split()
    assert out[0] == "separable" and out[2] == "not_separable", out
    assert float(out[1]) == pytest.approx(1.12384408e-4, rel=1e-6)


def test_centred_relu_has_mu0_zero_and_relu_mu1_mu_star():
    from thermo_helpers.activations import gaussian_moments

    r0, r1, rs = gaussian_moments("relu")
    c0, c1, cs = gaussian_moments(mm.RELU_CENTRED)
    assert abs(c0) < 1e-12 and r0 > 0.39
    assert abs(c1 - r1) < 1e-12 and abs(cs - rs) < 1e-12


def test_activation_sweep_reuses_the_draws_of_the_conjecture_sweep():
    conds = [mm.Condition(2.0, 1.0), mm.Condition(3.0, 1.0)]
    kw = dict(seeds=3, base_seed=5, n_test=200, n_jobs=1)
    paired = mm.conjecture_sweep(conds, [12, 16], **kw)
    same = mm.activation_sweep(conds, [12, 16], activation="relu", subset=conds[1:], **kw)
    assert list(same) == [conds[1]]
    for key in ("kappa", "test_error", "sv_frac"):
        np.testing.assert_array_equal(same[conds[1]].values[key], paired[conds[1]].values[f"{key}_nonlinear"])
    centred = mm.activation_sweep(conds, [12, 16], activation=mm.RELU_CENTRED, **kw)
    assert not np.allclose(centred[conds[0]].values["kappa"], paired[conds[0]].values["kappa_nonlinear"])
    rows = mm.mu0_analysis(paired, same)
    margin = [r for r in rows if r["quantity"] == "margin"][0]
    # the same activation: the paired difference is exactly 0 and both gaps coincide
    np.testing.assert_allclose(margin["diff"], 0.0, atol=1e-15)
    np.testing.assert_allclose(margin["other"], margin["relu"])
    with pytest.raises(ValueError, match="subset"):
        mm.activation_sweep(conds, [12], activation="relu", subset=[mm.Condition(9.0, 1.0)], **kw)
