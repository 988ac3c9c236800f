"""Shared statistics, features, sweeps and the training-result type, against closed forms and scipy."""

import pickle

import numpy as np
import pytest
from scipy import stats as sps

from thermo_helpers import _validate, activations, config, features, models, stats, sweep


# ------------------------------------------------------------------ errors and scores
def test_standard_error_matches_scipy_on_any_axis():
    v = np.random.default_rng(0).standard_normal((4, 7, 5))
    for axis in (0, 1, -1):
        assert np.allclose(stats.standard_error(v, axis=axis), sps.sem(v, axis=axis))
    assert np.array_equal(stats.standard_error(v[..., :1]), np.zeros((4, 7)))


def test_nan_mean_sem_ignores_nan_and_counts():
    v = np.array([[1.0, 2.0, np.nan, 4.0], [np.nan, np.nan, 3.0, np.nan], [np.nan] * 4])
    m, s = stats.nan_mean_sem(v)
    assert np.allclose(m[0], 7 / 3) and np.isclose(s[0], sps.sem([1.0, 2.0, 4.0]))
    assert m[1] == 3.0 and np.isnan(s[1])
    assert np.isnan(m[2]) and np.isnan(s[2])
    _, s1 = stats.nan_mean_sem(v, sem_of_one=0.0)
    assert s1[1] == 0.0 and np.isnan(s1[2])


def test_zscore_and_compare():
    z = stats.zscore([1.0, 2.0, 3.0, 3.0], [1.5, 1.0, 3.0, 4.0], [0.25, 0.5, 0.0, 0.0])
    assert np.array_equal(z, [2.0, -2.0, 0.0, np.inf])
    out = stats.compare(1.0, 1.2, 0.1, k=3.0)
    assert out["z"] == pytest.approx(2.0) and out["agree"] is True
    assert stats.compare(1.0, 1.4, 0.1)["agree"] is False
    assert list(stats.compare([0.0, 0.0], [0.1, 1.0], [0.1, 0.1])["agree"]) == [True, False]
    with pytest.raises(ValueError, match="sem"):
        stats.zscore(0.0, 1.0, -1.0)


def test_chi2_test_against_scipy():
    rng = np.random.default_rng(1)
    th = np.linspace(0, 1, 12)
    sem = np.full(12, 0.1)
    sim = th + sem * rng.standard_normal(12)
    res = stats.chi2_test(th, sim, sem, ddof=2)
    chi2 = np.sum(((sim - th) / sem) ** 2)
    assert res.chi2 == pytest.approx(chi2) and res.dof == 10
    assert res.p_value == pytest.approx(sps.chi2.sf(chi2, 10))
    c, dof, p = stats.chi2_test(th, th, sem)
    assert c == 0.0 and dof == 12 and p == 1.0
    with pytest.raises(ValueError, match="sem"):
        stats.chi2_test(th, sim, 0 * sem)
    with pytest.raises(ValueError, match="ddof"):
        stats.chi2_test(th, sim, sem, ddof=12)


def test_chi2_p_values_are_uniform_under_the_null():
    rng = np.random.default_rng(2)
    p = [stats.chi2_test(np.zeros(8), rng.standard_normal(8), np.ones(8)).p_value for _ in range(400)]
    assert sps.kstest(p, "uniform").pvalue > 1e-3


def test_paired_gap_drops_incomplete_pairs():
    a = np.array([1.0, 2.0, np.nan, 5.0])
    b = np.array([0.5, 1.0, 1.0, np.nan])
    m, s = stats.paired_gap(a, b)
    assert m == pytest.approx(0.75) and s == pytest.approx(sps.sem([0.5, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        stats.paired_gap(a, b[:3])


def test_linear_extrapolation_is_weighted_least_squares():
    x = np.array([0.01, 0.02, 0.04, 0.08])
    sem = np.array([0.01, 0.02, 0.02, 0.03])
    y = 1.5 - 2.0 * x + np.array([0.005, -0.01, 0.01, -0.02])
    out = stats.linear_extrapolation(x, y, sem)
    coef, cov = np.polyfit(x, y, 1, w=1 / sem, cov="unscaled")
    assert out["value"] == pytest.approx(coef[1]) and out["slope"] == pytest.approx(coef[0])
    assert out["se"] == pytest.approx(np.sqrt(cov[1, 1]))
    q = sps.norm.ppf(0.975)
    assert out["hi"] - out["value"] == pytest.approx(q * out["se"])
    assert out["dof"] == 2 and 0 < out["p_value"] < 1
    at1 = stats.linear_extrapolation(x, y, sem, x0=1.0)
    assert at1["value"] == pytest.approx(coef[1] + coef[0])
    exact = stats.linear_extrapolation(x[:2], 1.0 + x[:2], sem[:2])
    assert exact["value"] == pytest.approx(1.0) and np.isnan(exact["p_value"])
    with pytest.raises(ValueError, match="distinct"):
        stats.linear_extrapolation([1.0, 1.0], [0.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="level"):
        stats.linear_extrapolation(x, y, sem, level=1.0)


def test_linear_extrapolation_interval_covers():
    rng = np.random.default_rng(3)
    x = np.array([0.0025, 0.005, 0.01, 0.02])
    sem = np.full(4, 0.05)
    hits = 0
    for _ in range(400):
        out = stats.linear_extrapolation(x, 0.7 + 3.0 * x + sem * rng.standard_normal(4), sem)
        hits += out["lo"] <= 0.7 <= out["hi"]
    assert abs(hits / 400 - 0.95) < 0.035


def test_crossing_interpolates():
    assert stats.crossing([1.0, 2.0, 3.0], [0.0, 0.25, 0.75]) == pytest.approx(2.5)
    assert stats.crossing([1.0, 2.0], [0.6, 1.0]) == 1.0
    assert np.isnan(stats.crossing([1.0, 2.0], [0.1, 0.2]))


# ------------------------------------------------------------------ features and constants
def test_rf_features_models():
    rng = np.random.default_rng(4)
    X, W = rng.standard_normal((6, 5)), rng.standard_normal((3, 5))
    assert np.array_equal(features.rf_features(X, W), np.maximum(X @ W.T, 0))
    mu0, mu1, mu_star = activations.gaussian_moments("relu")
    U = features.rf_features(X, W, kind="noisy_linear", rng=9)
    z = np.random.default_rng(9).standard_normal((6, 3))
    assert np.allclose(U, mu1 * X @ W.T + mu_star * z)
    U0 = features.rf_features(X, W, kind="noisy_linear", rng=9, add_mu0=True)
    assert np.allclose(U0 - U, mu0)
    with pytest.raises(ValueError, match="rng"):
        features.rf_features(X, W, kind="noisy_linear")
    with pytest.raises(ValueError, match="kind"):
        features.rf_features(X, W, kind="linear")
    with pytest.raises(ValueError, match="disagree on dimension d"):
        features.rf_features(X, W[:, :4])


def test_relu_arccos_kernel_against_monte_carlo():
    rng = np.random.default_rng(5)
    d = 4
    X = rng.standard_normal((3, d))
    Wm = rng.standard_normal((400_000, d))
    Wm /= np.linalg.norm(Wm, axis=1, keepdims=True)
    F = np.maximum(X @ Wm.T, 0)
    mc = F @ F.T / Wm.shape[0]
    assert np.allclose(features.relu_arccos_kernel(X, X), mc, rtol=0.02, atol=2e-3)
    # on the diagonal: E relu(<w, x>)^2 = |x|^2 / (2 d)
    assert np.allclose(np.diag(features.relu_arccos_kernel(X, X)), np.sum(X**2, axis=1) / (2 * d))
    with pytest.raises(ValueError, match="zero rows"):
        features.relu_arccos_kernel(np.zeros((1, d)), X)


def test_activation_constants_relu_and_matching():
    c = activations.activation_constants("relu")
    assert c["mu0"] == pytest.approx(1 / np.sqrt(2 * np.pi)) and c["mu1"] == pytest.approx(0.5)
    assert c["mu_star"] ** 2 == pytest.approx(0.25 - 1 / (2 * np.pi))
    m = activations.matched_activation("tanh", c["zeta"])
    assert activations.activation_constants(m)["zeta"] == pytest.approx(c["zeta"], rel=1e-9)
    with pytest.raises(ValueError, match="nonlinear"):
        activations.activation_constants(lambda t: 2 * t)


# ------------------------------------------------------------------ sizes, config, sweeps, models
def test_count_from_ratio_scalar_and_vectorised():
    assert list(_validate.count_from_ratio("psi1", [0.5, 1.26, 3.0], 10)) == [5, 13, 30]
    assert _validate.count_from_ratio("psi1", 1.26, 10) == 13
    with pytest.raises(ValueError, match=r"^psi2 \* d must round"):
        _validate.count_from_ratio("psi2", [1.0, 0.01], 10, size="n")
    with pytest.raises(ValueError, match=r"^psi1 \* d must round"):
        _validate.count_from_ratio("psi1", 0.04, 10)


def test_n_jobs_from_environment(monkeypatch):
    monkeypatch.delenv("THERMO_N_JOBS", raising=False)
    assert config.n_jobs() == 2
    monkeypatch.setenv("THERMO_N_JOBS", "3")
    assert config.n_jobs() == 3
    for bad in ("0", "two", "-3"):
        monkeypatch.setenv("THERMO_N_JOBS", bad)
        with pytest.raises(ValueError, match="THERMO_N_JOBS"):
            config.n_jobs()


def _vector_task(k, rng):
    return {"draw": rng.standard_normal(3) + k, "k": float(k)}


def _scalar_task(x, rng):
    return x + rng.standard_normal()


def _double(x):
    return 2 * x


def test_run_sweep_array_outputs_and_map_tasks():
    res = sweep.run_sweep(_vector_task, {"k": [0, 10]}, seeds=4, base_seed=3, n_jobs=1, progress=False)
    assert res.values["draw"].shape == (2, 4, 3) and res.values["k"].shape == (2, 4)
    assert np.array_equal(res.values["draw"][1, 2], sweep.task_rng(3, 1, 2).standard_normal(3) + 10)
    assert res.mean("draw").shape == (2, 3) and res.sem("draw").shape == (2, 3)
    out = sweep.map_tasks(_scalar_task, [{"x": 0.0}, {"x": 5.0}], base_seed=8, n_jobs=1, progress=False)
    assert out == [sweep.task_rng(8, i, 0).standard_normal() + x for i, x in enumerate((0.0, 5.0))]
    par = sweep.map_tasks(_scalar_task, [{"x": 0.0}, {"x": 5.0}], base_seed=8, n_jobs=2, progress=False)
    assert par == out
    assert sweep.map_tasks(_double, [{"x": -2}], base_seed=None, n_jobs=1, progress=False) == [-4]
    assert sweep.map_tasks(_double, [], base_seed=None) == []
    with pytest.raises(ValueError, match="base_seed"):
        sweep.map_tasks(_scalar_task, [{"x": 0.0}], base_seed=-1)
    with pytest.raises(ValueError, match="n_jobs"):
        sweep.map_tasks(_scalar_task, [{"x": 0.0}], base_seed=1, n_jobs=0)


def test_f_nn_alpha_and_train_result():
    rng = np.random.default_rng(6)
    X, W, a = rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    assert np.allclose(models.f_nn(X, a, W, alpha=0.25), 0.25 * models.f_nn(X, a, W))
    with pytest.raises(ValueError, match="alpha"):
        models.f_nn(X, a, W, alpha=0.0)
    res = models.TrainResult(history={"step": np.array([0, 5]), "time": np.array([0.0, 0.5]),
                                      "risk": np.array([1.0, 0.2])},
                             params={"W": W, "c": 0.1}, info={"optimum": 0.05})
    assert list(res.steps) == [0, 5] and res.time[-1] == 0.5 and res.final("risk") == 0.2
    assert res.W is W and res.c == 0.1 and res.optimum == 0.05 and res.risk[0] == 1.0
    with pytest.raises(AttributeError, match="nothing"):
        res.nothing
    back = pickle.loads(pickle.dumps(res))  # results travel back from sweep workers
    assert back.optimum == 0.05 and np.array_equal(back.W, W)
