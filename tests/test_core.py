"""Core helpers: activations, samplers, sweep runner, report, scale switch."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import activations, config, data, models, report, sweep
from thermo_helpers.max_margin.simulation import _rf_max_margin_simulation


# ------------------------------------------------------------------ activations
def test_relu_moments_match_closed_forms():
    mu0, mu1, mus = activations.gaussian_moments("relu")
    assert abs(mu0 - 1 / np.sqrt(2 * np.pi)) < 1e-10
    assert abs(mu1 - 0.5) < 1e-10
    assert abs(mus**2 - (0.25 - 1 / (2 * np.pi))) < 1e-10


@pytest.mark.parametrize(
    "name, expected",
    [
        ("linear", (0.0, 1.0, 0.0)),
        ("quadratic", (1.0, 0.0, np.sqrt(2.0))),
        ("quadratic_centered", (0.0, 0.0, np.sqrt(2.0))),
        ("abs", (np.sqrt(2 / np.pi), 0.0, np.sqrt(1 - 2 / np.pi))),
    ],
)
def test_moments_of_polynomial_and_abs(name, expected):
    assert np.allclose(activations.gaussian_moments(name), expected, atol=1e-10)


def test_tanh_moments_against_monte_carlo():
    g = np.random.default_rng(0).standard_normal(2_000_000)
    mu0, mu1, mus = activations.gaussian_moments("tanh")
    assert abs(mu1 - np.mean(g * np.tanh(g))) < 3e-3
    assert abs(mus**2 - (np.mean(np.tanh(g) ** 2) - mu1**2)) < 3e-3
    assert abs(mu0) < 1e-12


def test_callable_activation_and_derivative():
    act = activations.get_activation(lambda t: np.sin(t))
    t = np.linspace(-2, 2, 11)
    assert np.allclose(act.deriv(t), np.cos(t), atol=1e-8)
    _, mu1, _ = activations.gaussian_moments(np.sin)
    assert abs(mu1 - np.exp(-0.5)) < 1e-10  # E[G sin G] = e^{-1/2}


@pytest.mark.parametrize("name", activations.ACTIVATION_NAMES)
def test_registered_derivatives_match_finite_differences(name):
    act = activations.get_activation(name)
    t = np.array([-1.7, -0.3, 0.4, 1.1, 2.5])  # away from kinks
    fd = (act.fn(t + 1e-6) - act.fn(t - 1e-6)) / 2e-6
    assert np.allclose(act.deriv(t), fd, atol=1e-6)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError) as err:
        activations.get_activation("swish-ish")
    for name in activations.ACTIVATION_NAMES:
        assert name in str(err.value)
    with pytest.raises(ValueError):
        activations.get_activation(3.0)


# ------------------------------------------------------------------ data
@pytest.mark.parametrize("radius", [None, 1.0, 3.5])
def test_sphere_samples_have_the_right_radius(rng, radius):
    X = data.sample_sphere(500, 17, rng=rng, radius=radius)
    r = np.sqrt(17) if radius is None else radius
    assert X.shape == (500, 17)
    assert np.allclose(np.linalg.norm(X, axis=1), r, rtol=1e-12)


def test_sphere_is_isotropic(rng):
    X = data.sample_sphere(40_000, 5, rng=rng)
    # E[x x^T] = I_d for the sphere of radius sqrt(d)
    assert np.allclose(X.T @ X / len(X), np.eye(5), atol=0.04)


def test_gaussian_moments_of_samples(rng):
    X = data.sample_gaussian(50_000, 4, rng=rng, scale=2.0)
    assert np.allclose(X.var(axis=0), 4.0, rtol=0.03)


@pytest.mark.parametrize("kw", [dict(n=-1, d=3), dict(n=3, d=0), dict(n=3, d=-2), dict(n=2.5, d=3)])
def test_bad_dimensions_raise(rng, kw):
    with pytest.raises(ValueError, match="must be an integer >= 1"):
        data.sample_sphere(rng=rng, **kw)


def test_bad_radius_and_rng_raise(rng):
    with pytest.raises(ValueError, match="radius"):
        data.sample_sphere(3, 3, rng=rng, radius=-1.0)
    with pytest.raises(ValueError, match="rng"):
        data.sample_sphere(3, 3, rng=None)
    with pytest.raises(ValueError, match="seed"):
        data.sample_gaussian(3, 3, rng=-5)


def test_same_seed_same_draws():
    a = data.sample_sphere(4, 3, rng=np.random.default_rng(7))
    b = data.sample_sphere(4, 3, rng=np.random.default_rng(7))
    assert np.array_equal(a, b)


# ------------------------------------------------------------------ models
def test_rf_is_nn_with_frozen_weights_and_counts(rng):
    X = data.sample_sphere(5, 6, rng=rng)
    W = data.sample_sphere(3, 6, rng=rng, radius=1.0)
    a = rng.standard_normal(3)
    manual = np.maximum(X @ W.T, 0) @ a
    assert np.allclose(models.f_rf(X, a, W), manual)
    assert models.n_params("nn", 3, 6) == 21 and models.n_params("nt", 3, 6) == 18
    with pytest.raises(ValueError, match="^model must be one of"):
        models.n_params("cnn", 3, 6)
    with pytest.raises(ValueError, match="dimension"):
        models.f_nn(X, a, W[:, :5])


def test_nt_is_the_derivative_of_nn(rng):
    X = data.sample_sphere(4, 5, rng=rng)
    W = data.sample_sphere(3, 5, rng=rng, radius=1.0)
    B = rng.standard_normal((3, 5))
    t = 1e-6
    fd = (models.f_nn(X, np.ones(3), W + t * B, "tanh") - models.f_nn(X, np.ones(3), W - t * B, "tanh")) / (2 * t)
    assert np.allclose(fd, models.f_nt(X, B, W, "tanh"), atol=1e-7)


# ------------------------------------------------------------------ sweep
def _noisy_square(x, rng):
    return {"value": x**2 + rng.standard_normal(), "other": rng.uniform()}


def test_sweep_is_identical_with_one_or_two_workers():
    kw = dict(grid={"x": [0.0, 1.0, 2.0]}, seeds=4, base_seed=99, progress=False)
    one = sweep.run_sweep(_noisy_square, n_jobs=1, **kw)
    two = sweep.run_sweep(_noisy_square, n_jobs=2, **kw)
    for k in ("value", "other"):
        assert np.array_equal(one.values[k], two.values[k])
    assert one.values["value"].shape == (3, 4)
    assert one.mean().shape == (3,) and np.all(one.sem() > 0)


def test_sweep_mean_and_sem_are_right():
    res = sweep.run_sweep(_noisy_square, grid={"x": [3.0]}, seeds=400, base_seed=1, n_jobs=1, progress=False)
    v = res.values["value"][0]
    assert res.mean()[0] == pytest.approx(v.mean())
    assert res.sem()[0] == pytest.approx(v.std(ddof=1) / 20)
    assert abs(res.mean()[0] - 9.0) < 4 * res.sem()[0]
    assert len(res.records) == 400 and res.records[0]["x"] == 3.0


def test_sweep_seeds_differ_between_points_and_seeds():
    res = sweep.run_sweep(_noisy_square, grid={"x": [0.0, 0.0]}, seeds=3, base_seed=5, n_jobs=1, progress=False)
    v = res.values["other"]
    assert len(np.unique(v)) == v.size


@pytest.mark.parametrize("seeds", [0, -3])
def test_sweep_rejects_bad_seed_counts(seeds):
    with pytest.raises(ValueError, match="seeds"):
        sweep.run_sweep(_noisy_square, grid={"x": [1.0]}, seeds=seeds, base_seed=0)


# ------------------------------------------------------------------ report and config
def test_table_rounds_and_aligns():
    out = report.table([{"a": 0.123456, "b": -0.00001, "c": True}], ["a", "b", "c"], digits=3)
    lines = out.splitlines()
    assert lines[2].split() == ["0.123", "0.000", "yes"]
    assert report.agrees(1.0, 1.05, 0.02, k=3) and not report.agrees(1.0, 1.1, 0.02, k=3)


def test_scale_switch(monkeypatch):
    monkeypatch.setenv("THERMO_SCALE", "paper")
    assert config.scale() == "paper" and config.at_scale(1, 2) == 2
    monkeypatch.delenv("THERMO_SCALE")
    assert config.scale() == "book" and config.at_scale(1, 2) == 1
    monkeypatch.setenv("THERMO_SCALE", "huge")
    with pytest.raises(ValueError, match="THERMO_SCALE"):
        config.scale()


def test_progress_quiet_in_ci(monkeypatch):
    monkeypatch.delenv("THERMO_PROGRESS", raising=False)
    monkeypatch.setenv("CI", "true")
    assert not config.progress_enabled()
    monkeypatch.setenv("THERMO_PROGRESS", "1")
    assert config.progress_enabled()


def test_count_from_ratio_refuses_sizes_that_round_to_zero():
    from thermo_helpers._validate import count_from_ratio

    assert count_from_ratio("psi1", 1.5, 40) == 60
    with pytest.raises(ValueError, match="psi1 \\* d must round to at least 1"):
        count_from_ratio("psi1", 0.01, 10)
    with pytest.raises(ValueError, match="psi2"):
        count_from_ratio("psi2", -1.0, 10)


def test_chapters_refuse_a_ratio_too_small_for_d():
    from thermo_helpers import max_margin as mm, representation as rep

    with pytest.raises(ValueError, match="psi1"):
        _rf_max_margin_simulation(0.01, 2.0, 10, seeds=1, base_seed=0, n_jobs=1)
    target = rep.quadratic_target(10, rng=0)
    with pytest.raises(ValueError, match="psi1"):
        rep.random_feature_risks(0.01, B=target.B, rng=np.random.default_rng(0))
