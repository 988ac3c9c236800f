"""The two-layer network trained by gradient descent on the digits (double_descent.trained)."""

import numpy as np
import pytest

from thermo_helpers import double_descent as dd
from thermo_helpers import models
from thermo_helpers.double_descent import trained


def _data(m=60, d=5, K=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, np.eye(K)[rng.integers(0, K, m)]


def test_threshold_counts_parameters():
    assert dd.interpolation_threshold(100, 64, 10) == pytest.approx(1000 / 74)
    N = dd.interpolation_threshold(30, 5, 3)
    assert N * (5 + 3) == pytest.approx(30 * 3)


def test_stacked_widths_train_independently():
    """Training widths (3, 5) together equals training each alone from the same start."""
    X, Y = _data()
    W0 = np.random.default_rng(1).standard_normal((8, 5))
    kw = dict(steps=50, step_size=1.0, tol=1e-3, rng=0)
    both = trained._train_stack(X[:20], Y[:20], X[20:], Y[20:], [3, 5], W0=W0, **kw)
    one = trained._train_stack(X[:20], Y[:20], X[20:], Y[20:], [3], W0=W0[:3], **kw)
    two = trained._train_stack(X[:20], Y[:20], X[20:], Y[20:], [5], W0=W0[3:], **kw)
    for key in ("train", "test"):
        np.testing.assert_allclose(both.history[key][:, 0], one.history[key][:, 0], rtol=1e-10)
        np.testing.assert_allclose(both.history[key][:, 1], two.history[key][:, 0], rtol=1e-10)
    np.testing.assert_allclose(both.a[1], two.a[0], rtol=1e-10, atol=1e-14)


def test_gradient_matches_finite_differences():
    """One small step lowers the loss by step * |grad|^2 to first order (checks the gradient)."""
    X, Y = _data(m=15)
    W0 = np.random.default_rng(2).standard_normal((4, 5))
    r1 = trained._train_stack(X, Y, X, Y, [4], steps=40, step_size=0.5, tol=1e-9, rng=0, W0=W0)
    a, W = r1.a[0], r1.W[0]

    def loss(a, W):
        F = np.stack([models.f_nn(X, a[:, c], W, alpha=0.5) for c in range(3)], 1)
        return 0.5 * np.mean(np.sum((F - Y) ** 2, 1))

    eps = 1e-6
    g = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp = W.copy()
        Wp[idx] += eps
        g[idx] = (loss(a, Wp) - loss(a, W)) / eps
    W_init = W0.copy()
    r2 = trained._train_stack(X, Y, X, Y, [4], steps=41, step_size=0.5, tol=1e-9, rng=0, W0=W_init)
    # the 41st step moved W by -step_size * gradient at the 40th iterate
    np.testing.assert_allclose((W - r2.W[0]) / 0.5, g, atol=1e-4)


def test_wide_network_fits_random_labels_and_f_nn_agrees():
    X, _ = _data(m=40, d=5, K=3)
    Y = np.eye(3)[np.random.default_rng(3).integers(0, 3, 40)]
    res = dd.trained_width_sweep(X, Y, [2, 64], n_train=12, random_labels=True, steps=3000, step_size=2.0,
                                 tol=1e-3, base_seed=4, seeds=2, n_jobs=1)
    assert res.f_nn_gap < 1e-10
    assert res.converged()[:, 1].all() and np.all(res.final("train_err")[:, 1] == 0)
    assert np.all(res.final("train")[:, 0] > 0.1)  # two neurons cannot fit 12 x 3 random targets
    assert np.all(np.diff(res.train[:, :, 1], axis=1) <= 1e-12)  # GD at this step size decreases the loss


def _fake(test, test_err, train, train_err, widths):
    S = test.shape[0]
    sl = lambda v: np.repeat(v[:, None, :], 2, axis=1)
    return trained.WidthSweep(widths=np.asarray(widths), steps=np.array([1, 2]), train=sl(train), test=sl(test),
                              train_err=sl(train_err), test_err=sl(test_err),
                              steps_to_tol=np.zeros((S, len(widths))), tol=1e-3, f_nn_gap=0.0)


def test_summary_rules():
    widths = [2, 4, 8, 16, 32, 64]
    rng = np.random.default_rng(5)
    noise = rng.standard_normal((6, len(widths))) * 0.01
    test = np.array([0.9, 0.5, 0.6, 0.8, 0.4, 0.3]) + noise
    err = np.array([0.5, 0.3, 0.35, 0.3, 0.2, 0.1]) + noise
    train = np.array([0.4, 0.2, 0.1, 0.01, 1e-4, 1e-4]) + 0 * noise
    clean = _fake(test, err, train, np.where(train < 1e-3, 0.0, 0.2) + 0 * noise, widths)
    s = dd.trained_summary(clean, clean, 16.0)
    assert s["peak_N"] == 16 and s["peak_lo"] == 16 and s["peak_hi"] == 16  # window [8, 64]
    assert s["z_descent"] > 2.576 and s["clean_interpolates"] and s["noise_fitted"]
    assert s["err_best_under_N"] == 4 and s["z_gain"] > 2.576
    assert s["peak_verdict"] == s["noise_verdict"] == s["interpolating_verdict"] == "agrees"
    edge = _fake(np.array([0.9, 0.5, 0.9, 0.8, 0.4, 0.3]) + noise, err, train, np.zeros_like(test), widths)
    assert dd.trained_summary(edge, edge, 16.0)["peak_verdict"] == "undecided"  # max at the window's first width
    far = _fake(np.array([0.9, 0.5, 0.6, 0.5, 0.8, 0.3]) + noise, err, train, np.zeros_like(test), widths)
    assert dd.trained_summary(far, far, 16.0)["peak_verdict"] == "disagrees"  # peak at 32, interval misses 10
    bad = _fake(test, err, train * 100, np.full_like(test, 0.2), widths)
    assert not dd.trained_summary(bad, bad, 16.0)["noise_fitted"]
