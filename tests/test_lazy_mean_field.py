"""Tests for thermo_helpers.lazy_mean_field (lazy vs mean-field chapter)."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import models
import thermo_helpers.lazy_mean_field as tl
from thermo_helpers.stats import loglog_slope
from thermo_helpers.data import sample_sphere
from thermo_helpers.lazy_mean_field.network import _gd_step, _loss_and_grad, _tangent_kernel


def _data(n=40, d=6, seed=0):
    rng = np.random.default_rng(seed)
    u = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    f = tl.neuron_teacher(np.stack([u, -u]), np.array([1.0, 1.0]))
    X = sample_sphere(n, d, rng=rng)
    return X, f(X), f, u


def _fd_grad(fun, p, h=1e-6):
    g = np.zeros_like(p)
    it = np.nditer(p, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        e = np.zeros_like(p)
        e[i] = h
        g[i] = (fun(p + e) - fun(p - e)) / (2 * h)
    return g


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("act", ["tanh", "softplus", "relu", "quadratic"])
@pytest.mark.parametrize("preset", ["lazy", "mean_field"])
def test_gradients_match_finite_differences(act, preset):
    X, y, _, _ = _data()
    N, d = 7, X.shape[1]
    a, W = tl.init_params(N, d, np.random.default_rng(1), symmetric=False)
    alpha = tl.scaling(N, preset).alpha
    # move away from the initialisation so that y - f is generic
    W = W + 0.1 * np.random.default_rng(2).standard_normal(W.shape)
    loss, ga, gW = _loss_and_grad(X, y, a, W, alpha, act)
    fa = _fd_grad(lambda v: _loss_and_grad(X, y, v, W, alpha, act)[0], a)
    fW = _fd_grad(lambda v: _loss_and_grad(X, y, a, v, alpha, act)[0], W)
    tol = 1e-6 if act != "relu" else 1e-5  # relu: a kink within h of a sample is unlikely but possible
    assert np.allclose(ga, fa, atol=tol * max(1, np.abs(fa).max()))
    assert np.allclose(gW, fW, atol=tol * max(1, np.abs(fW).max()))
    assert loss == pytest.approx(0.5 * np.mean((y - tl.network(X, a, W, alpha, act)) ** 2))


def test_linearised_gradients_match_finite_differences():
    X, y, _, _ = _data()
    N, d = 5, X.shape[1]
    a0, W0 = tl.init_params(N, d, 3, symmetric=False)
    lin = tl.linearise(a0, W0, tl.scaling(N, "lazy").alpha, "tanh")
    a = a0 + 0.2
    W = W0 + 0.1
    _, ga, gW = lin.loss_and_grad(X, y, a, W)
    fa = _fd_grad(lambda v: lin.loss_and_grad(X, y, v, W)[0], a)
    fW = _fd_grad(lambda v: lin.loss_and_grad(X, y, a, v)[0], W)
    assert np.allclose(ga, fa, atol=1e-7)
    assert np.allclose(gW, fW, atol=1e-7)


# ------------------------------------------------------------------ linearisation
def test_linearisation_equals_network_at_init_and_first_order():
    X, _, _, _ = _data()
    N, d = 9, X.shape[1]
    a0, W0 = tl.init_params(N, d, 4, symmetric=False)
    alpha = 0.3
    lin = tl.linearise(a0, W0, alpha, "tanh")
    f0 = tl.network(X, a0, W0, alpha, "tanh")
    assert np.allclose(lin.predict(X, a0, W0), f0, atol=1e-13)
    rng = np.random.default_rng(5)
    da, dW = rng.standard_normal(N), rng.standard_normal((N, d))
    errs = []
    for t in (1e-2, 1e-3):
        f_t = tl.network(X, a0 + t * da, W0 + t * dW, alpha, "tanh")
        l_t = lin.predict(X, a0 + t * da, W0 + t * dW)
        errs.append(np.max(np.abs(f_t - l_t)))
        # first-order change: (f_t - f0)/t -> (lin_t - f0)/t
        assert np.max(np.abs((f_t - f0) / t - (l_t - f0) / t)) < 50 * t
    # remainder is second order: shrinks ~100x when t shrinks 10x
    assert 50 < errs[0] / errs[1] < 200


def test_linearisation_is_rf_plus_nt():
    X, _, _, _ = _data()
    N, d = 6, X.shape[1]
    a0, W0 = tl.init_params(N, d, 6, symmetric=False)
    a, W = a0 + 0.5, W0 - 0.2
    alpha = 0.7
    lin = tl.linearise(a0, W0, alpha, "relu")
    expected = alpha * (models.f_rf(X, a, W0) + models.f_nt(X, a0[:, None] * (W - W0), W0))
    assert np.allclose(lin.predict(X, a, W), expected)


def test_symmetric_init_gives_zero_function():
    X, _, _, _ = _data()
    for N in (1, 4, 7):
        a, W = tl.init_params(N, X.shape[1], 7)
        assert a.shape == (N,) and W.shape == (N, X.shape[1])
        assert np.allclose(np.linalg.norm(W, axis=1), 1.0)
        assert np.allclose(tl.network(X, a, W, 1.0), 0.0, atol=1e-12)


def test_tangent_kernel_matches_jacobian():
    X, _, _, _ = _data(n=5)
    N, d = 4, X.shape[1]
    a, W = tl.init_params(N, d, 8, symmetric=False)
    Z = X @ W.T
    S, D = np.maximum(Z, 0), (Z > 0).astype(float)
    J = np.concatenate([S, (D * a)[:, :, None].__mul__(X[:, None, :]).reshape(5, -1)], axis=1)
    assert np.allclose(_tangent_kernel(X, a, W), J @ J.T / N)


def test_mixture_network_is_linear_in_t():
    X, y, _, _ = _data()
    a0, W0 = tl.init_params(5, X.shape[1], 9, symmetric=False)
    a1, W1 = tl.init_params(8, X.shape[1], 10, symmetric=False)
    f = [tl.mixture_network(X, t, a0, W0, a1, W1) for t in (0.0, 0.5, 1.0)]
    assert np.allclose(f[1], 0.5 * (f[0] + f[2]))
    assert np.allclose(f[0], tl.network(X, a0, W0, 1 / 5))


def test_polynomial_floor_gaussian_limit():
    # |z|: Var = 1 - 2/pi; its degree-2 part carries 1/pi
    fn = lambda z: np.abs(z)
    assert tl.polynomial_floor(fn, 10**5, 1) == pytest.approx(1 - 2 / np.pi, abs=1e-4)
    assert tl.polynomial_floor(fn, 10**5, 2) == pytest.approx(1 - 3 / np.pi, abs=1e-4)
    # a quadratic is fitted exactly by degree 2 at any d
    assert tl.polynomial_floor(lambda z: z**2 - 1, 7, 2) == pytest.approx(0.0, abs=1e-9)


def test_scaling_presets():
    s = tl.scaling(100, "lazy")
    assert s.alpha == pytest.approx(0.1) and s.step_factor == pytest.approx(1.0)
    s = tl.scaling(100, "mean_field")
    assert s.alpha == pytest.approx(0.01) and s.step_factor == pytest.approx(100.0)
    assert s.alpha_cb == pytest.approx(1.0)
    s = tl.scaling(100, "free", alpha=0.05)
    assert s.step_factor == pytest.approx(1 / (100 * 0.05**2))


# ------------------------------------------------------------------ regimes
def _movement(N, alpha_cb, seed):
    rng = np.random.default_rng(11)
    d, n = 6, 40
    u = sample_sphere(1, d, rng=rng, radius=1.0)[0]
    f = tl.neuron_teacher(np.stack([u, -u]), np.array([1.0, 1.0]))
    X = sample_sphere(n, d, rng=rng)
    return tl.train(X, f(X), N=N, preset="free", alpha=alpha_cb / N, step_size=0.5, steps=20,
                    rng=seed, record_every=20).final("rel_move")


def test_movement_exponent_lazy_preset():
    # alpha_CB = sqrt(N): the movement exponent in N is -1/2 (the small design of issue 10)
    widths = [256, 1024, 4096]
    moves = [[_movement(N, np.sqrt(N), s) for s in range(2)] for N in widths]
    slope = loglog_slope(widths, np.array(moves))[0]
    assert abs(slope + 0.5) <= 0.05, slope


def test_movement_is_one_over_alpha_and_independent_of_width():
    alphas = [10.0, 20.0, 40.0, 80.0]
    s_alpha = loglog_slope(alphas, [_movement(1024, a, 1) for a in alphas])[0]
    assert abs(s_alpha + 1.0) <= 0.05, s_alpha
    widths = [256, 1024, 4096]
    s_N = loglog_slope(widths, [_movement(N, 40.0, 2) for N in widths])[0]
    assert abs(s_N) <= 0.05, s_N


def test_mean_field_movement_does_not_shrink_with_width():
    widths = [64, 256, 1024]
    s = loglog_slope(widths, [_movement(N, 1.0, 3) for N in widths])[0]
    assert abs(s) <= 0.1, s


def test_training_divergence_names_step_size():
    X, y, _, _ = _data(n=20)
    with pytest.raises(FloatingPointError, match="^step_size"):
        with np.errstate(over="ignore", invalid="ignore"):
            tl.train(X, y, N=10, step_size=1e4, steps=50, rng=0)
    with pytest.raises(ValueError, match="^step_size"):
        with np.errstate(over="ignore", invalid="ignore"):
            tl.train(X, y, N=10, step_size=1e4, steps=50, rng=0, linearised=True)


def test_linearisation_tracks_lazy_network_better_when_wider():
    X, y, f, _ = _data(n=80, d=6, seed=12)
    Xt = sample_sphere(200, 6, rng=np.random.default_rng(13))
    gaps = [tl.train(X, y, N=N, preset="lazy", step_size=0.5, steps=60, rng=14, X_test=Xt, y_test=f(Xt),
                     linearised=True, record_every=60).final("lin_dist") for N in (50, 800)]
    assert gaps[1] < 0.5 * gaps[0]


def test_sgd_runs_and_reduces_loss():
    X, y, _, _ = _data(n=60)
    r = tl.train(X, y, N=50, preset="mean_field", step_size=0.2, steps=200, rng=15, batch_size=10,
                 record_every=50, linearised=True)
    assert r.history["train"][-1] < 0.5 * r.history["train"][0]
    assert np.all(np.isfinite(r.history["train_lin"]))


# ------------------------------------------------------------------ determinism
def test_same_seed_same_numbers():
    X, y, f, _ = _data()
    Xp = X[:5]
    kw = dict(N=20, preset="mean_field", step_size=0.3, steps=30, X_test=X, y_test=y, X_probe=Xp,
              linearised=True, record_every=10, batch_size=8)
    r1 = tl.train(X, y, rng=42, **kw)
    r2 = tl.train(X, y, rng=np.random.default_rng(42), **kw)
    r3 = tl.train(X, y, rng=43, **kw)
    for k in r1.history:
        assert np.array_equal(r1.history[k], r2.history[k], equal_nan=True), k
    assert not np.array_equal(r1.history["train"], r3.history["train"])


def test_bad_input_raises():
    X, y, _, _ = _data(n=10)
    with pytest.raises(ValueError, match="N"):
        tl.scaling(0, "lazy")
    with pytest.raises(ValueError, match="N"):
        tl.train(X, y, N=0, rng=0)
    with pytest.raises(ValueError, match="preset"):
        tl.train(X, y, N=4, preset="ntk", rng=0)
    with pytest.raises(ValueError, match="activation"):
        tl.train(X, y, N=4, activation="swish", rng=0)
    with pytest.raises(ValueError, match="step_size"):
        tl.train(X, y, N=4, step_size=0.0, rng=0)
    with pytest.raises(ValueError, match="step_size"):
        tl.train(X, y, N=4, step_size=-1.0, rng=0)
    with pytest.raises(ValueError, match="alpha"):
        tl.scaling(4, "free")
    with pytest.raises(ValueError, match="alpha"):
        tl.scaling(4, "free", alpha=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        tl.scaling(4, "lazy", alpha=0.5)
    with pytest.raises(ValueError, match="batch_size"):
        tl.train(X, y, N=4, batch_size=100, rng=0)
    with pytest.raises(ValueError, match="rng"):
        tl.train(X, y, N=4, rng=None)
    with pytest.raises(ValueError, match="steps"):
        tl.train(X, y, N=4, steps=0, rng=0)
    with pytest.raises(ValueError, match="N"):
        tl.init_params(0, 3, 0)


def test_gd_step_refuses_bad_step_size():
    X, y, _, _ = _data(n=20)
    a, W = tl.init_params(6, X.shape[1], 0)
    sc = tl.scaling(6, "lazy")
    for eta in (0.0, -1.0, float("nan"), float("inf")):
        a2, W2 = a.copy(), W.copy()
        with pytest.raises(ValueError, match="step_size"):
            _gd_step(X, y, a2, W2, sc, eta)
        assert np.array_equal(a2, a) and np.array_equal(W2, W)  # nothing was updated
    _gd_step(X, y, a, W, sc, 0.1)  # a valid step still works


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("nan")])
def test_non_positive_alpha_raises(alpha):
    X, y, _, _ = _data(n=10)
    a, W = tl.init_params(4, X.shape[1], 0)
    with pytest.raises(ValueError, match="alpha"):
        tl.network(X, a, W, alpha)
    with pytest.raises(ValueError, match="alpha"):
        tl.linearise(a, W, alpha)


def test_bad_shapes_and_records_raise():
    X, y, _, _ = _data(n=10)
    with pytest.raises(ValueError, match="X_test"):
        tl.train(X, y, N=4, rng=0, X_test=X[:, :3], y_test=y, steps=3)
    with pytest.raises(ValueError, match="y_test"):
        tl.train(X, y, N=4, rng=0, X_test=X, y_test=y[:5], steps=3)
    with pytest.raises(ValueError, match="X_probe"):
        tl.train(X, y, N=4, rng=0, X_probe=X[:, :3], steps=3)
    with pytest.raises(ValueError, match="record_steps"):
        tl.train(X, y, N=4, rng=0, record_steps=[], steps=3)
    with pytest.raises(ValueError, match="record_steps"):
        tl.train(X, y, N=4, rng=0, record_steps=[7, 9], steps=3)
    r = tl.train(X, y, N=4, rng=0, record_steps=[0, 2, 100], steps=3)
    assert list(r.history["step"]) == [0, 2]


def test_kernel_drives_function_change():
    # one small step: f changes by -(eta/n) K (f - y) to first order, for every alpha
    X, y, _, _ = _data(n=12)
    N, eta = 30, 1e-4
    for preset, alpha in (("lazy", None), ("mean_field", None), ("free", 0.37)):
        sc = tl.scaling(N, preset, alpha)
        a, W = tl.init_params(N, X.shape[1], 3, symmetric=False)
        f0 = tl.network(X, a, W, sc.alpha, "tanh")
        K = _tangent_kernel(X, a, W, "tanh")
        _gd_step(X, y, a, W, sc, eta, "tanh")
        df = tl.network(X, a, W, sc.alpha, "tanh") - f0
        pred = -(eta / X.shape[0]) * K @ (f0 - y)
        assert np.allclose(df, pred, rtol=1e-3, atol=1e-3 * np.abs(pred).max()), preset




# ---------------------------------------------------------------- exponents with corrections
def test_corrected_power_fit_recovers_the_exponent_through_its_correction():
    from thermo_helpers.lazy_mean_field import experiments as ex

    rng = np.random.default_rng(21)
    x = np.array([10.0, 20, 40, 80, 160])
    v = 1.4 * x**-1.0 * (1 + 0.3 / x) * (1 + 1e-4 * rng.standard_normal(x.size))
    p, b = ex._corrected_fit_pb(x, v, q=1.0)
    assert abs(p + 1) < 1e-2 and b == pytest.approx(0.3 / x[0], rel=0.1)
    # the plain power law registers the correction: its slope misses -1
    assert ex._local_slope(x[:2], v[:2], 1e-4 * v[:2])[0] < -1.005
    assert np.all(np.isnan(ex._corrected_fit_pb(x[:3], v[:3], q=1.0)))  # 3 points, 3 parameters


def test_offset_power_fit_uses_every_point_and_local_slope_has_its_error():
    from thermo_helpers.lazy_mean_field import experiments as ex

    rng = np.random.default_rng(22)
    N = np.array([64.0, 128, 256, 512, 1024, 2048, 4096])
    se = 2e-5 * np.ones(N.size)
    v = 2e-5 + 0.05 / N + se * rng.standard_normal(N.size)
    p, lo, hi = ex._offset_power_fit(N, v, se)
    assert lo <= -1.0 <= hi
    s, s_se = ex._local_slope([1.0, 2.0], [1.0, 0.5], [0.01, 0.005])
    assert s == pytest.approx(-1.0) and s_se == pytest.approx(np.hypot(0.01, 0.01) / np.log(2))


# ---------------------------------------------------------------- common random numbers
def test_nested_initialisation_is_a_prefix_of_the_widest_draw():
    from thermo_helpers.lazy_mean_field.design import _nested_init

    a4, W4 = _nested_init(4, 8, 5, np.random.default_rng([7, 0]))
    a8, W8 = _nested_init(8, 8, 5, np.random.default_rng([7, 0]))
    assert np.array_equal(a4[:2], a8[:2]) and np.array_equal(W4[:2], W8[:2])
    assert np.array_equal(a4[2:], -a4[:2]) and np.array_equal(W4[2:], W4[:2])  # twins
    assert np.allclose(np.linalg.norm(W8, axis=1), 1.0)


def test_design_point_does_not_depend_on_the_other_points():
    X, y, f, _ = _data(n=12)
    kw = dict(X=X, y=y, X_test=X[:5], y_test=y[:5], activation="tanh", step_size=0.5, steps=3, seeds=3,
              base_seed=4, n_jobs=1)
    r1 = tl.run_design([(4, 10.0), (8, 10.0)], **kw)
    r2 = tl.run_design([(4, 20.0), (8, 10.0)], **kw)
    assert np.array_equal(r1.rel_move[1], r2.rel_move[1]) and np.array_equal(r1.gaps[1], r2.gaps[1])
    assert not np.array_equal(r1.rel_move[0], r2.rel_move[0])


def _synthetic_design(S=5, seed=3):
    """Movement c_s / alpha (1 + 30 / alpha^2) with a seed factor shared by every point (CRN)."""
    rng = np.random.default_rng(seed)
    alphas = [10.0, 20.0, 40.0, 80.0]
    pts = [(1600, a) for a in alphas] + [(100, 40.0), (6400, 40.0)]
    c = 1.4 * (1 + 0.05 * rng.standard_normal(S))
    move = np.array([c / a * (1 + 30 / a**2) for _, a in pts])
    move *= 1 + 1e-3 * rng.standard_normal(move.shape)
    shared = rng.standard_normal((S, 30))
    G = np.array([(1.0 + 0.1 * shared) / a**2 + 0.3 * shared / (a**2 * np.sqrt(N)) for N, a in pts])
    from thermo_helpers.lazy_mean_field.design import _gap_parts

    return tl.DesignResult(pts, move, move, move, [_gap_parts(g) for g in G], G)


def test_design_slopes_test_the_corrected_exponent_with_student_t():
    from scipy import stats as sps

    res = _synthetic_design()
    rows = {r["quantity"]: r for r in tl.design_slopes(res, row_N=1600, col_alpha=40.0, smooth=True, n=100)}
    mv = rows["tanh: movement vs alpha_CB"]
    assert mv["test"] == "fit q=2" and mv["verdict"] == "agrees"
    assert mv["fit"] == pytest.approx(-1.0, abs=0.02)
    t = sps.t.ppf(0.995, res.rel_move.shape[1] - 1)
    assert (mv["hi"] - mv["lo"]) / 2 == pytest.approx(t * mv["se"])
    assert len(mv["slopes"]) == 3 and mv["local"] < -1.0  # the last pair still carries the correction
    # along N the window is N >= 4 n = 400: two widths, tested by the last pair
    col = rows["tanh: movement vs N"]
    assert col["test"] == "last pair" and col["window"] == "1600-6400" and col["verdict"] == "agrees"
    coh = rows["tanh: coherent gap vs alpha_CB"]
    assert coh["verdict"] == "agrees" and coh["fit"] == pytest.approx(-2.0, abs=0.05)


def test_design_slopes_say_disagrees_and_undecided():
    res = _synthetic_design()
    res.rel_move = res.rel_move * np.array([N / 1600 for N, _ in res.points])[:, None] ** 0.3
    rows = {r["quantity"]: r for r in tl.design_slopes(res, row_N=1600, col_alpha=40.0, smooth=False, n=100)}
    assert rows["relu: movement vs N"]["verdict"] == "disagrees"  # N^0.3 against 0
    # the diagonal alpha_CB = sqrt(N) holds one point here: undecided
    assert rows["relu: incoherent gap vs N (lazy preset)"]["verdict"] == "undecided"
    assert rows["relu: incoherent gap vs N (lazy preset)"]["slopes"] == []
    with pytest.raises(ValueError, match="gaps"):
        tl.design_slopes(tl.DesignResult(res.points, res.rel_move, res.test, res.test_lin, res.parts),
                         row_N=1600, col_alpha=40.0, smooth=False, n=100)
