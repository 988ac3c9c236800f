"""Random-features ridge regression: fixed-point solver, limits, and theory vs simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import fsolve

from thermo_helpers import double_descent as dd
from thermo_helpers.activations import gaussian_moments
from thermo_helpers.data import sample_sphere
from thermo_helpers.double_descent.digits import _rf_min_norm_curve


# ------------------------------------------------------------------ the fixed point
def _random_grid(m=20000, seed=7):
    rng = np.random.default_rng(seed)
    p1 = np.exp(rng.uniform(np.log(0.05), np.log(50.0), m))
    p2 = np.exp(rng.uniform(np.log(0.05), np.log(50.0), m))
    lam = np.exp(rng.uniform(np.log(1e-8), np.log(10.0), m))
    # add the corners and the diagonal psi1 = psi2, where the system is most degenerate
    c = np.array([0.05, 50.0])
    P1, P2, L = np.meshgrid(c, c, [1e-8, 10.0], indexing="ij")
    diag = np.geomspace(0.05, 50, 50)
    p1 = np.concatenate([p1, P1.ravel(), diag, diag])
    p2 = np.concatenate([p2, P2.ravel(), diag, diag])
    lam = np.concatenate([lam, L.ravel(), np.full(50, 1e-8), np.full(50, 10.0)])
    return p1, p2, lam


def test_fixed_point_residual_on_large_grid():
    p1, p2, lam = _random_grid()
    assert p1.size >= 10_000
    th = dd.rf_ridge_asymptotics(p1, p2, lam)
    for name in ("bias", "variance", "test_error", "chi"):
        v = getattr(th, name)
        assert v.shape == p1.shape
        assert np.all(np.isfinite(v)), f"{name} has NaN/inf"
    res = th.residual
    assert np.all(np.isfinite(res))
    assert res.max() < 1e-10, f"max residual {res.max():.2e}"
    # the branch: purely imaginary with positive imaginary part, chi real negative
    assert np.all(th.nu1.imag > 0) and np.all(th.nu2.imag > 0)
    assert np.all(th.nu1.real == 0) and np.all(th.nu2.real == 0)
    assert np.all(th.chi < 0)
    assert np.allclose(th.chi, (th.nu1 * th.nu2).real, rtol=1e-12, atol=0)
    assert np.all(th.bias > 0) and np.all(th.variance >= 0)


def test_residual_detects_a_wrong_solution():
    th = dd.rf_ridge_asymptotics(2.0, 3.0, 0.1)
    bad = dd.fixed_point_residual(th.nu1 * 1.01, th.nu2, th.xi, 2.0, 3.0, th.zeta)
    assert bad > 1e-3


@pytest.mark.filterwarnings("ignore:The iteration is not making good progress")
def test_branch_matches_continuation_from_large_xi():
    """Follow the real system from |xi| = 1e3 (where nu_j ~ -psi_j / xi) down to the target."""
    zeta = dd.activation_constants("relu")["zeta"]
    for p1, p2, lam_bar in [(0.3, 2.0, 1e-2), (2.0, 2.0, 1e-3), (8.0, 0.7, 0.5), (1.0, 20.0, 1e-4)]:
        s_target = np.sqrt(p1 * p2 * lam_bar)
        a = np.array([p1, p2]) / 1e3
        for s in np.geomspace(1e3, s_target, 80):
            def eq(v, s=s):
                a1, a2 = np.exp(v)
                g = 1 + zeta**2 / (1 + zeta**2 * a1 * a2)
                return [a1 * (s + a2 * g) - p1, a2 * (s + a1 * g) - p2]
            a = np.exp(fsolve(eq, np.log(a), xtol=1e-13))
        th = dd.rf_ridge_theory(p1, p2, lam_bar, zeta)
        assert np.allclose([th.nu1.imag, th.nu2.imag], a, rtol=1e-8)


def test_grid_broadcasting():
    # its speed is measured in benchmarks/bench_double_descent.py, never in a test
    g = np.geomspace(0.05, 50, 200)
    th = dd.rf_ridge_asymptotics(g[:, None], g[None, :], 1e-3, tau=0.5)
    assert th.test_error.shape == (200, 200)


# ------------------------------------------------------------------ limits and closed forms
def test_ridgeless_is_the_limit_of_small_lambda():
    p1 = np.array([0.2, 0.9, 1.5, 3.0, 10.0, 40.0])
    for p2 in (0.5, 2.0, 7.0):
        t0 = dd.rf_ridge_asymptotics(p1, p2, 0.0, tau=0.7)
        for lam, tol in [(1e-8, 1e-3), (1e-10, 1e-4)]:
            t = dd.rf_ridge_asymptotics(p1, p2, lam, tau=0.7)
            away = np.abs(p1 / p2 - 1) > 0.05
            assert np.allclose(t.chi, t0.chi, rtol=tol)
            assert np.allclose(t.bias[away], t0.bias[away], rtol=tol)
            assert np.allclose(t.variance[away], t0.variance[away], rtol=tol)


@pytest.mark.parametrize("lam", [1e-18, 1e-30])
def test_tiny_positive_lambda_reproduces_the_ridgeless_value(lam):
    """Regression: at tiny lambda F(a_hi) == 0 in floating point and the solver used to halve the root."""
    p1 = np.array([1.0, 0.3, 5.0, 1e-4, 40.0])
    p2 = np.array([2.0, 2.0, 2.0, 1e4, 0.05])
    t = dd.rf_ridge_asymptotics(p1, p2, lam, tau=0.5)
    t0 = dd.rf_ridge_asymptotics(p1, p2, 0.0, tau=0.5)
    assert np.allclose(t.chi, t0.chi, rtol=1e-12, atol=0)
    assert np.allclose(t.test_error, t0.test_error, rtol=1e-9, atol=0)
    assert np.allclose(t.chi, dd.ridgeless_chi(p1, p2, dd.activation_constants("relu")["zeta"]), rtol=1e-12)


def test_ridgeless_limit_at_extreme_aspect_ratio():
    """psi2 / psi1 = 1e8: lambda = 1e-12 and 1e-14 must sit on the ridgeless value, not half of it."""
    t0 = dd.rf_ridge_asymptotics(1e-4, 1e4, 0.0)
    for lam in (1e-12, 1e-14, 1e-20):
        t = dd.rf_ridge_asymptotics(1e-4, 1e4, lam)
        assert t.chi == pytest.approx(t0.chi[()], rel=1e-9)


def test_solver_on_extreme_grid_has_small_residual():
    rng = np.random.default_rng(3)
    m = 20000
    p1 = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), m))
    p2 = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), m))
    lam = np.exp(rng.uniform(np.log(1e-300), np.log(1e10), m))
    for zeta in (0.0, 0.6, 3.0):
        t = dd.rf_ridge_theory(p1, p2, lam, zeta)
        assert np.all(np.isfinite(t.test_error)) and np.all(t.chi < 0)
        assert t.residual.max() < 1e-10


def test_ridgeless_chi_solves_the_quadratic():
    zeta = 1.3
    for p1, p2 in [(0.5, 2.0), (3.0, 1.0), (10.0, 10.0)]:
        chi = dd.ridgeless_chi(p1, p2, zeta)
        psi = min(p1, p2)
        assert chi < 0
        assert abs(zeta**2 * chi**2 + (psi * zeta**2 - zeta**2 - 1) * chi - psi) < 1e-12
        assert dd.rf_ridge_theory(p1, p2, 0.0, zeta).chi == pytest.approx(chi, rel=1e-14)


def test_ridgeless_diverges_at_threshold():
    t = dd.rf_ridge_asymptotics(2.0, 2.0, 0.0, tau=1.0)
    assert np.isinf(t.bias) and np.isinf(t.variance) and np.isinf(t.test_error)
    v = dd.rf_ridge_asymptotics(2.0, 2.0, np.array([1e-4, 1e-6, 1e-8])).variance
    assert np.all(np.diff(v) > 0) and v[-1] > 100


def test_large_ridge_predicts_zero():
    t = dd.rf_ridge_asymptotics([0.5, 3.0], 2.0, 1e8, tau=1.0, Fstar=0.5)
    assert np.allclose(t.bias, 1.0, atol=1e-6)
    assert np.allclose(t.variance, 0.0, atol=1e-6)
    assert np.allclose(t.test_error, 1.0 + 0.25, atol=1e-5)


def test_zeta_zero_means_signal_acts_as_noise():
    """With mu1 = 0 the features miss the linear signal, which then behaves exactly like noise."""
    t = dd.rf_ridge_theory([0.5, 2.0, 9.0], 2.0, [1e-3, 0.3, 0.0], 0.0)
    assert np.allclose(t.bias, 1.0 + t.variance, rtol=1e-12)


def test_activation_enters_through_zeta_and_lambda_bar():
    relu = dd.activation_constants("relu")
    sig2 = dd.matched_activation("tanh", relu["zeta"])
    c2 = dd.activation_constants(sig2)
    assert c2["zeta"] == pytest.approx(relu["zeta"], rel=1e-10)
    lam = np.array([1e-3, 0.1])
    a = dd.rf_ridge_asymptotics(1.5, 2.0, lam, tau=0.5)
    b = dd.rf_ridge_asymptotics(1.5, 2.0, lam * c2["mu_star"] ** 2 / relu["mu_star"] ** 2, activation=sig2, tau=0.5)
    assert np.allclose(a.test_error, b.test_error, rtol=1e-12)
    t = dd.rf_ridge_asymptotics(1.5, 2.0, lam, activation="tanh", tau=0.5)
    assert np.all(np.abs(t.test_error - a.test_error) > 1e-3)


def test_test_error_formula():
    t = dd.rf_ridge_asymptotics(3.0, 2.0, 0.01, F1=1.3, tau=0.4, Fstar=0.6)
    assert t.test_error == pytest.approx(1.3**2 * t.bias + (0.4**2 + 0.6**2) * t.variance + 0.36, rel=1e-14)


# ------------------------------------------------------------------ simulation
def test_path_equals_single_lambda_fits():
    lams = np.array([0.0, 1e-3, 0.1, 1.0])
    kw = dict(tau=0.5, n_test=300)
    for p1 in (0.7, 2.5):  # both branches (N <= n and N > n)
        path = dd.rf_ridge_draw(p1, 1.5, lams, 40, rng=3, **kw)
        for k, lam in enumerate(lams):
            one = dd.rf_ridge_draw(p1, 1.5, [lam], 40, rng=3, **kw)
            for key in path:
                assert np.allclose(path[key][k], one[key][0], rtol=1e-7, atol=1e-10), (p1, lam, key)


def _redraw(p1, p2, lam, d, seed, tau, nt):
    """Same draw as rf_ridge_draw (documented order), fitted directly: solve / pinv."""
    rng = np.random.default_rng(seed)
    N, n = round(p1 * d), round(p2 * d)
    X = sample_sphere(n, d, rng=rng)
    W = sample_sphere(N, d, rng=rng, radius=1.0)
    beta = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    sample_sphere(1, d, rng=rng, radius=1.0)  # direction of the nonlinear target (unused here)
    y = X @ beta + tau * rng.standard_normal(n)
    Phi = np.maximum(X @ W.T, 0)
    if lam > 0:  # minimise (1/n)||y - Phi a||^2 + (N lam / d)||a||^2 in the primal form, either N vs n
        a = np.linalg.solve(Phi.T @ Phi / n + N * lam / d * np.eye(N), Phi.T @ y / n)
    else:  # minimum-norm least squares
        a = np.linalg.pinv(Phi) @ y
    Xt = sample_sphere(nt, d, rng=rng)
    return np.mean((y - Phi @ a) ** 2), np.mean((Xt @ beta - np.maximum(Xt @ W.T, 0) @ a) ** 2)


@pytest.mark.parametrize("p1, lam", [(1.4, 0.05), (1.4, 0.0), (3.0, 0.05), (3.0, 0.0), (0.7, 0.0)])
def test_draw_matches_brute_force_ridge(p1, lam):
    """Both sides of N = n, ridge (direct primal solve) and lambda = 0 (pseudo-inverse)."""
    d, p2, tau, nt = 30, 2.0, 0.3, 500
    out = dd.rf_ridge_draw(p1, p2, [lam], d, rng=11, tau=tau, n_test=nt)
    train, test = _redraw(p1, p2, lam, d, 11, tau, nt)
    if p1 > p2 and lam == 0:
        assert out["train"][0] < 1e-20 and train < 1e-20  # interpolation
    else:
        assert out["train"][0] == pytest.approx(train, rel=1e-7)
    assert out["test"][0] == pytest.approx(test, rel=1e-7)


def test_interpolation_threshold_train_error():
    res = dd.rf_ridge_simulation([0.5, 0.9, 1.1, 2.0], 1.0, [0.0], 60, F1=0.0, tau=1.0, seeds=2, base_seed=1, n_jobs=1)
    tr = res.mean("train")[:, 0]
    assert np.all(tr[:2] > 0.05)
    assert np.all(tr[2:] < 1e-12)


def test_simulation_is_deterministic_and_independent_of_n_jobs():
    kw = dict(tau=0.5, seeds=3, base_seed=5, n_test=200, targets=2)
    a = dd.rf_ridge_simulation([0.5, 2.0], 1.0, [1e-2, 1.0], 30, n_jobs=1, **kw)
    b = dd.rf_ridge_simulation([0.5, 2.0], 1.0, [1e-2, 1.0], 30, n_jobs=2, **kw)
    for key in ("test", "train", "bias", "variance"):
        assert np.array_equal(a.raw[key], b.raw[key])
    assert a.mean().shape == (2, 2) and a.sem().shape == (2, 2)
    c = dd.rf_ridge_simulation(2.0, 1.0, [1e-2, 1.0], 30, n_jobs=1, **{**kw, "base_seed": 6})
    assert c.mean().shape == (2,)
    assert not np.allclose(c.mean(), a.mean()[1])


def _two_d(ratios, lams, base_seed, **kw):
    return {d: dd.rf_ridge_simulation(ratios * 2.0, 2.0, lams, d, base_seed=base_seed + d, seeds=8, targets=16, **kw)
            for d in (100, 200)}


@pytest.mark.slow
def test_theory_matches_simulation_after_the_1_over_d_extrapolation():
    """ReLU, psi2 = 2: chi-square of the extrapolated curve, and the other reading of zeta rejected."""
    ratios, lams = np.array([0.3, 0.75, 1.5, 3.0]), np.array([1e-3, 0.1])
    sims = _two_d(ratios, lams, 2019, tau=0.5)
    th = dd.rf_ridge_asymptotics(ratios[:, None] * 2.0, 2.0, lams[None, :], tau=0.5).test_error
    means, sems = {d: s.mean() for d, s in sims.items()}, {d: s.sem() for d, s in sims.items()}
    rows, ext, checks = dd.agreement_rows(th, means, sems, ["a", "b"], seeds=8)
    assert all(c.p_value > 1e-3 for c in checks), rows
    assert all(r["detectable"] < 0.06 for r in rows)
    _, mu1, mus = gaussian_moments("relu")
    alt = dd.rf_ridge_theory(ratios[:, None] * 2.0, 2.0, lams[None, :] / mus**2, (mu1 / mus) ** 2, tau=0.5).test_error
    for k in range(2):
        assert dd.curve_chi2(alt[:, k], ext.value[:, k], ext.se[:, k], ext.dof[:, k]).p_value < 1e-6


@pytest.mark.slow
def test_gaussian_equivalence_of_the_paired_gap():
    ratios, lams = np.array([1.0, 4.0]), np.array([0.05])
    a = _two_d(ratios, lams, 77, tau=0.5, features="nonlinear")
    b = _two_d(ratios, lams, 77, tau=0.5, features="noisy_linear")
    for key in ("test", "train"):
        _, curves = dd.paired_rows(a, b, ratios, lams, key)
        assert curves[0]["p"] > 1e-3, (key, curves)
    # the pairing is real: the gap has a much smaller spread than either error
    gap = a[200].raw["test"] - b[200].raw["test"]
    assert gap.std() < 0.5 * a[200].raw["test"].std()


@pytest.mark.slow
def test_nonlinear_target_acts_as_noise():
    """F* > 0: R = F1^2 B + (tau^2 + F*^2) V + F*^2 after the 1/d extrapolation; ignoring F* is rejected."""
    ratios, lams = np.array([0.5, 2.0]), np.array([1e-3, 0.1])
    sims = _two_d(ratios, lams, 5, tau=0.3, Fstar=0.6)
    means, sems = {d: s.mean() for d, s in sims.items()}, {d: s.sem() for d, s in sims.items()}
    th = dd.rf_ridge_asymptotics(ratios[:, None] * 2.0, 2.0, lams[None, :], tau=0.3, Fstar=0.6).test_error
    th0 = dd.rf_ridge_asymptotics(ratios[:, None] * 2.0, 2.0, lams[None, :], tau=0.3).test_error
    _, ext, checks = dd.agreement_rows(th, means, sems, ["a", "b"], seeds=8)
    assert all(c.p_value > 1e-3 for c in checks)
    assert all(dd.curve_chi2(th0[:, k], ext.value[:, k], ext.se[:, k]).p_value < 1e-10 for k in range(2))


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(psi1=0.0), "psi1"),
        (dict(psi1=-1.0), "psi1"),
        (dict(psi2=0.0), "psi2"),
        (dict(psi2=[1.0, -2.0]), "psi2"),
        (dict(lam=-1e-3), "lam"),
        (dict(tau=-0.1), "tau"),
        (dict(F1=-1.0), "F1"),
        (dict(Fstar=-1.0), "Fstar"),
        (dict(psi1=np.nan), "psi1"),
    ],
)
def test_asymptotics_rejects_bad_input(kwargs, name):
    args = dict(psi1=1.0, psi2=2.0, lam=0.1)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        dd.rf_ridge_asymptotics(args.pop("psi1"), args.pop("psi2"), args.pop("lam"), **args)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(psi1=0.0), "psi1"),
        (dict(psi2=-1.0), "psi2"),
        (dict(lams=[0.1, -1.0]), "lams"),
        (dict(tau=-0.1), "tau"),
        (dict(F1=-1.0), "F1"),
        (dict(d=0), "d"),
        (dict(d=2.5), "d"),
        (dict(seeds=0), "seeds"),
        (dict(features="cubic"), "features"),
    ],
)
def test_simulation_rejects_bad_input(kwargs, name):
    args = dict(psi1=1.0, psi2=2.0, lams=[0.1], d=10)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        dd.rf_ridge_simulation(args.pop("psi1"), args.pop("psi2"), args.pop("lams"), args.pop("d"), n_jobs=1,
                               base_seed=0, **args)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(psi1=0.04), "psi1"),     # N = round(0.4) = 0
        (dict(psi2=[2.0, 0.01]), "psi2"),
    ],
)
def test_simulation_rejects_empty_path_and_zero_sizes(kwargs, name):
    args = dict(psi1=1.0, psi2=2.0, lams=[0.1], d=10)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        dd.rf_ridge_simulation(args.pop("psi1"), args.pop("psi2"), args.pop("lams"), args.pop("d"), n_jobs=1,
                               base_seed=0, **args)
    with pytest.raises(ValueError, match=name):
        p1, p2 = np.atleast_1d(kwargs.get("psi1", 1.0))[-1], np.atleast_1d(kwargs.get("psi2", 2.0))[-1]
        dd.rf_ridge_draw(p1, p2, kwargs.get("lams", [0.1]), 10, rng=0)


def test_theory_names_lam_bar():
    with pytest.raises(ValueError, match="lam_bar"):
        dd.rf_ridge_theory(1.0, 2.0, -0.1, 0.5)


def test_min_norm_curve_interpolates_and_reads_1d_targets():
    # the kernel behind dd.digits_curves; its arguments are checked at that door
    rng = np.random.default_rng(0)
    X, Xt = rng.standard_normal((20, 4)), rng.standard_normal((10, 4))
    Y, Yt = np.eye(3)[rng.integers(0, 3, 20)], np.eye(3)[rng.integers(0, 3, 10)]
    ok = _rf_min_norm_curve(X, Y, Xt, Yt, [5, 30], rng=0)
    assert ok["train_mse"][1] < 1e-20  # N = 30 > n = 20 interpolates
    # 1-D targets are one output column, not one row
    one = _rf_min_norm_curve(X, Y[:, 0], Xt, Yt[:, 0], [5], rng=1)
    two = _rf_min_norm_curve(X, Y[:, :1], Xt, Yt[:, :1], [5], rng=1)
    assert one["test_mse"][0] == pytest.approx(two["test_mse"][0], rel=1e-12)


def test_linear_activation_is_refused():
    with pytest.raises(ValueError, match="activation"):
        dd.rf_ridge_asymptotics(1.0, 2.0, 0.1, activation="linear")


def test_tiny_ridge_at_the_threshold_is_infinite_not_noise():
    """At psi1 = psi2 and lambda = 1e-100, E0 is below its rounding error: +inf, not a random 1e14."""
    t = dd.rf_ridge_asymptotics(1.0, 1.0, 1e-100)
    assert np.isinf(t.test_error) and t.test_error > 0
    ok = dd.rf_ridge_asymptotics(1.0, 1.0, np.array([1e-8, 1e-12]))
    assert np.all(np.isfinite(ok.test_error)) and np.all(np.diff(ok.test_error) > 0)


def test_three_dimensions_test_the_one_over_d_form():
    from thermo_helpers.double_descent import checks

    ds = [100, 200, 400]
    theory = np.array([[1.0], [2.0]])
    se = {d: np.full((2, 1), 1e-3) for d in ds}
    linear = {d: theory + 5.0 / d for d in ds}
    rows, ext, _ = checks.agreement_rows(theory, linear, se, ["c"], seeds=10)
    assert ext.form_dof == 1 and rows[0]["form p"] > 0.99 and rows[0]["verdict"] == "agrees"
    curved = {d: theory + 5.0 / d + 4000.0 / d**2 for d in ds}
    rows, _, _ = checks.agreement_rows(theory, curved, se, ["c"], seeds=10)
    assert rows[0]["form p"] < 1e-6
    two = {d: linear[d] for d in ds[:2]}
    rows, ext, _ = checks.agreement_rows(theory, two, {d: se[d] for d in ds[:2]}, ["c"], seeds=10)
    assert ext.form_dof == 0 and np.isnan(rows[0]["form p"])

