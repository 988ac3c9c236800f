"""Double descent: the closed-form limits, the crossover ridge, the ridge path and the curve checks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from sklearn.linear_model import Ridge

from thermo_helpers import double_descent as dd
from thermo_helpers.double_descent.checks import _detectable_shift, _extrapolate_in_d, _path_argmin
from thermo_helpers.double_descent.solver import _ridge_path

SNR_LOW = dict(F1=1.0, tau=np.sqrt(5.0))


# ------------------------------------------------------------------ limits of the formula
@pytest.mark.parametrize("psi2, lam, zeta", [(2.0, 1e-3, 1.66), (2.0, 1.0, 1.66), (0.5, 0.1, 0.7), (7.0, 0.0, 3.0)])
def test_kernel_limit_is_the_large_width_limit_of_the_formula(psi2, lam, zeta):
    k = dd.kernel_limit_theory(psi2, lam, zeta, F1=1.0, tau=0.7, Fstar=0.3)
    big = np.array([1e4, 1e6, 1e8])
    full = dd.rf_ridge_theory(big, psi2, lam, zeta, F1=1.0, tau=0.7, Fstar=0.3)
    gap = full.test_error - k.test_error
    assert abs(gap[-1]) < 1e-6 * k.test_error
    if lam > 0:                      # the approach is O(1/psi1): psi1 x gap settles
        scaled = gap * big
        assert abs(scaled[1] - scaled[0]) < 1e-2 * abs(scaled[0]) + 1e-9
    assert np.allclose(full.chi[-1], k.chi, rtol=1e-6)
    assert np.allclose(full.bias[-1], k.bias, rtol=1e-6) and np.allclose(full.variance[-1], k.variance, rtol=1e-5)


def test_ridgeless_kernel_limit_is_the_quadratic_with_psi_equal_psi2():
    z = dd.activation_constants("relu")["zeta"]
    for psi2 in (0.3, 2.0, 9.0):
        assert dd.kernel_limit_theory(psi2, 0.0, z).chi == pytest.approx(dd.ridgeless_chi(1e300, psi2, z), rel=1e-12)


@pytest.mark.parametrize("lam", [0.0, 1e-3, 0.1, 1.0])
def test_zero_width_risk_is_the_limit_of_the_formula(lam):
    tiny = np.array([1e-6, 1e-8])
    R = dd.rf_ridge_asymptotics(tiny, 2.0, lam, F1=1.3, tau=0.5, Fstar=0.4).test_error
    r0 = dd.zero_width_risk(1.3, 0.4)
    assert r0 == pytest.approx(1.3**2 + 0.4**2)
    assert np.all(np.abs(R - r0) < 10 * tiny)      # linear approach
    assert abs(R[-1] - r0) < abs(R[0] - r0)


def test_crossover_lambda_at_snr_02():
    c = dd.crossover_lambda(2.0, **SNR_LOW)
    assert 0.1 < c.lam_c < 0.2
    assert abs(c.residual) < 1e-13 and c.accuracy < 1e-12
    R_at = dd.kernel_limit(2.0, c.lam_c, **SNR_LOW).test_error
    assert R_at == pytest.approx(1.0, abs=1e-13)
    # independent check with the full formula at a very large width (O(1/psi1) away)
    R_full = dd.rf_ridge_asymptotics(1e9, 2.0, c.lam_c, **SNR_LOW).test_error
    assert R_full == pytest.approx(1.0, abs=1e-7)
    # the two directions of "minimum at infinity iff lambda >= lambda_c"
    iff = dd.check_minimum_at_infinity(2.0, c.lam_c, np.geomspace(1e-4, 1e4, 800), np.geomspace(c.lam_c, 100, 8),
                                       np.geomspace(1e-4, c.lam_c, 8)[:-1], **SNR_LOW)
    assert iff["ok_above"] and iff["ok_below"]
    # and the statement fails just below lambda_c: R_inf > R(0+)
    assert dd.kernel_limit(2.0, 0.99 * c.lam_c, **SNR_LOW).test_error > 1.0


def test_crossover_refuses_high_snr():
    with pytest.raises(ValueError, match="sign"):
        dd.crossover_lambda(2.0, F1=1.0, tau=0.1)


def test_optimal_lambda_matches_a_fine_grid():
    lam, R = dd.optimal_lambda(3.0, 2.0, **SNR_LOW)
    grid = np.geomspace(lam / 1.5, lam * 1.5, 2001)
    Rg = dd.rf_ridge_asymptotics(3.0, 2.0, grid, **SNR_LOW).test_error
    assert R <= Rg.min() + 1e-12
    assert lam == pytest.approx(grid[np.argmin(Rg)], rel=2e-3)
    assert dd.optimal_lambda(40.0, 2.0, F1=1.0, tau=0.1)[0] == 1e-6     # high SNR: at the lower end


# ------------------------------------------------------------------ the ridge path
@pytest.mark.parametrize("n, N", [(50, 30), (30, 50)])
def test_ridge_path_equals_separate_fits(n, N):
    rng = np.random.default_rng(0)
    Phi, Y = rng.standard_normal((n, N)), rng.standard_normal((n, 3))
    g = np.array([0.0, 0.1, 10.0])
    A, resid = _ridge_path(Phi, Y, g)
    for l, gg in enumerate(g):
        ref = np.linalg.pinv(Phi) @ Y if gg == 0 else Ridge(alpha=gg, fit_intercept=False).fit(Phi, Y).coef_.T
        assert np.allclose(A[:, l], ref, atol=1e-10)
        assert np.allclose(resid[:, l], Y - Phi @ ref, atol=1e-10)


def test_ridge_path_errors_average_the_targets():
    rng = np.random.default_rng(1)
    Phi, Pt = rng.standard_normal((40, 60)), rng.standard_normal((70, 60))
    F, E, Ft = rng.standard_normal((40, 3)), rng.standard_normal((40, 3)), rng.standard_normal((70, 3))
    g = np.array([0.5, 5.0])
    allk = dd.ridge_path_errors(Phi, F, E, g, Pt, Ft)
    each = [dd.ridge_path_errors(Phi, F[:, k], E[:, k], g, Pt, Ft[:, k]) for k in range(3)]
    for key in allk:
        assert np.allclose(allk[key], np.mean([e[key] for e in each], axis=0), rtol=1e-12)
    a = Ridge(alpha=0.5, fit_intercept=False).fit(Phi, F[:, 0] + E[:, 0]).coef_
    assert each[0]["test"][0] == pytest.approx(np.mean((Ft[:, 0] - Pt @ a) ** 2), rel=1e-10)
    assert each[0]["train"][0] == pytest.approx(np.mean((F[:, 0] + E[:, 0] - Phi @ a) ** 2), rel=1e-10)


def test_ridge_path_errors_rejects_bad_input_at_the_door():
    Phi = np.ones((4, 3))
    for kw, name in [(dict(Phi=np.ones(3)), "Phi"), (dict(signal=np.ones(5)), "signal"), (dict(gammas=[-1.0]), "gammas"),
                     (dict(Phi=np.full((4, 3), np.nan)), "Phi"), (dict(gammas=[]), "gammas")]:
        args = dict(Phi=Phi, signal=np.ones(4), noise=np.ones(4), gammas=[1.0], Phi_test=np.ones((2, 3)),
                    signal_test=np.ones(2))
        args.update(kw)
        with pytest.raises((ValueError, TypeError), match=name):
            dd.ridge_path_errors(**args)


def test_targets_reduce_the_spread_and_keep_the_mean():
    kw = dict(tau=0.5, n_test=400)
    one = np.array([dd.rf_ridge_draw(1.0, 2.0, [1e-2], 40, rng=s, **kw)["test"][0] for s in range(30)])
    many = np.array([dd.rf_ridge_draw(1.0, 2.0, [1e-2], 40, rng=s, targets=16, **kw)["test"][0] for s in range(30)])
    assert many.std(ddof=1) < 0.6 * one.std(ddof=1)
    se = np.hypot(one.std(ddof=1), many.std(ddof=1)) / np.sqrt(30)
    assert abs(one.mean() - many.mean()) < 4 * se


# ------------------------------------------------------------------ the curve checks
def test_curve_chi2_and_its_p_value():
    c = dd.curve_chi2([1.0, 2.0], [1.1, 1.8], [0.1, 0.1])
    assert np.allclose(c.z, [1.0, -2.0]) and c.chi2 == pytest.approx(5.0) and c.dof == 2
    assert c.p_value == pytest.approx(np.exp(-2.5))
    with pytest.raises(ValueError, match="sem"):
        dd.curve_chi2([1.0], [1.0], [0.0])


def test_extrapolation_recovers_a_line_in_one_over_d():
    ds = [100, 200, 400]
    means = np.array([[2.0 + 5.0 / d, 1.0 - 3.0 / d] for d in ds])
    ext = _extrapolate_in_d(ds, means, np.full_like(means, 0.01))
    assert np.allclose(ext.value, [2.0, 1.0], atol=1e-12) and np.all(np.isinf(ext.dof))
    two = _extrapolate_in_d([100, 200], means[:2], np.full((2, 2), 0.01), dofs=[7, 7])
    assert np.allclose(two.se, np.sqrt(4 * 0.01**2 + 0.01**2))      # 2 m(200) - m(100)
    assert np.allclose(two.dof, 7 * 25 / 17)                          # Welch-Satterthwaite: (4 + 1)^2 / (16 + 1) * 7


def test_t_to_normal_calibrates_the_chi2_with_few_draws():
    """z from S = 4 draws is t with 3 dof: the plain chi-square over-rejects, the mapped one does not."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4000, 5, 4))
    mean, sem = x.mean(-1), x.std(-1, ddof=1) / 2.0
    raw = np.mean([dd.curve_chi2(np.zeros(5), m, s).p_value < 0.01 for m, s in zip(mean, sem)])
    mapped = np.mean([dd.curve_chi2(np.zeros(5), m, s, dof=3).p_value < 0.01 for m, s in zip(mean, sem)])
    assert raw > 0.05 and abs(mapped - 0.01) < 0.006


def test_detectable_shift_has_the_stated_power():
    th, se = np.linspace(0.5, 2.0, 8), np.full(8, 0.02)
    delta = _detectable_shift(th, se, alpha=0.01, power=0.8)
    rng = np.random.default_rng(5)
    z = rng.standard_normal((20000, 8)) + delta * th / se
    rate = np.mean(sps.chi2.sf(np.sum(z**2, axis=1), 8) < 0.01)
    assert abs(rate - 0.8) < 0.015


def test_path_argmin_finds_a_parabola_minimum():
    lams = np.geomspace(0.1, 10, 21)
    rng = np.random.default_rng(2)
    paths = (np.log(lams) - np.log(0.7)) ** 2 + 1.0 + 0.01 * rng.standard_normal((8, 1)) \
        + 0.002 * rng.standard_normal((8, 21))
    a = _path_argmin(lams, paths.T, rng=3, n_boot=300)
    assert a.lam == pytest.approx(0.7, rel=0.03) and a.lo < 0.7 < a.hi and not a.at_edge


def test_stream_seed_is_stable_and_label_dependent():
    assert dd.stream_seed(1, "a") == dd.stream_seed(1, "a") != dd.stream_seed(1, "b")
    with pytest.raises(ValueError, match="label"):
        dd.stream_seed(1, "")


def test_checkmarks_of_the_slide_hold_on_the_theory():
    def risk(r, lam):
        return dd.rf_ridge_asymptotics(np.asarray(r) * 2.0, 2.0, lam, tau=0.5).test_error

    out = dd.checkmarks(risk, np.geomspace(0.01, 50, 2000), lam_small=1e-4, lams_peak=(1e-3, 1e-6), near_points=400_001,
                        R_far=lambda lam: dd.kernel_limit(2.0, lam, tau=np.sqrt(0.2)).test_error)
    assert all(out["ok"]) and 0.99 < out["peak_ratio"] < 1.0
    # at low SNR a small ridge does not give the global minimum at infinite width
    low = dd.checkmarks(lambda r, lam: dd.rf_ridge_asymptotics(np.asarray(r) * 2.0, 2.0, lam, tau=np.sqrt(5)).test_error,
                        np.geomspace(0.01, 50, 2000), lam_small=1e-4, lams_peak=(1e-3, 1e-6), near_points=400_001,
                        R_far=lambda lam: dd.kernel_limit(2.0, lam, tau=np.sqrt(0.2)).test_error)
    assert not low["ok"][1]
