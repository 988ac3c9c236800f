"""Tests for the reduced mean-field PDE and the lazy design (thermo_helpers.lazy_mean_field)."""

from __future__ import annotations

import numpy as np
import pytest

import thermo_helpers.lazy_mean_field as lmf
from thermo_helpers.lazy_mean_field import pde
from thermo_helpers.lazy_mean_field.design import _gap_parts, _weighted_loglog_slope
from thermo_helpers.lazy_mean_field.pde import _initial_quadrature, _paired_init, _particles_vs_pde, _population_velocity, _reduced_velocity, _sliced_w1, _sphere_directions, _teacher_second_moment


@pytest.mark.parametrize("teacher", [(1.0, 1.0), (1.0, 0.0)])
def test_population_velocity_is_minus_N_times_the_gradient(teacher):
    rng = np.random.default_rng(0)
    N, d = 7, 6
    a, W = rng.standard_normal(N), rng.standard_normal((N, d))
    u = np.eye(d)[0]
    va, vW, _ = _population_velocity(a, W, u, teacher)
    risk = lambda a_, W_: _population_velocity(a_, W_, u, teacher)[2]
    h = 1e-6
    ga = [(risk(a + h * e, W) - risk(a - h * e, W)) / (2 * h) for e in np.eye(N)]
    assert np.allclose(-N * np.array(ga), va, atol=1e-7)
    E = np.zeros_like(W)
    E[2, 3] = h
    assert -N * (risk(a, W + E) - risk(a, W - E)) / (2 * h) == pytest.approx(vW[2, 3], abs=1e-7)


def test_population_risk_matches_monte_carlo():
    rng = np.random.default_rng(1)
    N, d = 9, 5
    a, W = rng.standard_normal(N), rng.standard_normal((N, d))
    risk = _population_velocity(a, W, np.eye(d)[0])[2]
    X = rng.standard_normal((400_000, d))
    f = np.maximum(X @ W.T, 0) @ a / N
    y = np.abs(X[:, 0]) - np.sqrt(2 / np.pi)
    sq = 0.5 * (y - f) ** 2
    assert abs(risk - sq.mean()) < 4 * sq.std() / np.sqrt(sq.size)
    assert _teacher_second_moment((1.0, 1.0)) == pytest.approx(1 - 2 / np.pi)


def test_reduced_velocity_is_the_direction_average_of_the_network_velocity():
    # atoms of a reduced measure, each realised by many neurons with random perpendicular directions
    rng = np.random.default_rng(2)
    d = 8
    a, s, r, q = _initial_quadrature(d, 3, 3, half=False)
    a, s, r = a + 0.3, 1.3 * s, 0.8 * r + 0.1
    tau, tau_w = pde._jacobi_prob(16, 0.5 * (d - 4), 0.5 * (d - 4))
    va, vs, vr, _ = _reduced_velocity(a, s, r, q, tau, tau_w)
    K = 6000
    idx = rng.choice(a.size, size=K, p=q)
    E = rng.standard_normal((K, d - 1))
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    W = np.concatenate([s[idx, None], r[idx, None] * E], axis=1)
    pa, pW, _ = _population_velocity(a[idx], W, np.eye(d)[0])
    for i in np.argsort(q)[-3:]:              # the three heaviest atoms
        m = idx == i
        assert va[i] == pytest.approx(pa[m].mean(), abs=0.02)
        assert vs[i] == pytest.approx(pW[m, 0].mean(), abs=0.02)
        assert vr[i] == pytest.approx(np.mean(np.sum(pW[m, 1:] * E[m], axis=1)), abs=0.02)


def test_pde_converges_in_the_rules_and_the_step():
    base = lmf.solve_reduced_pde(10, horizon=6.0, step_size=1.0, n_a=12, n_s=6, n_tau=6)
    fine = lmf.solve_reduced_pde(10, horizon=6.0, step_size=0.5, n_a=16, n_s=8, n_tau=8, record_every=2)
    assert base.risk[0] == pytest.approx(0.5 * (1 - 2 / np.pi))
    assert np.all(np.diff(base.risk) < 0)                 # gradient flow decreases the risk
    assert np.max(np.abs(base.risk - fine.risk)) < 2e-4
    assert base.atoms[0][0].size == 2 * 12 * 6            # mirrored half rule for the even teacher


def test_euler_bias_is_first_order():
    R = [lmf.solve_reduced_pde(10, horizon=4.0, step_size=h, n_a=8, n_s=4, n_tau=4, method="euler").risk[-1]
         for h in (0.5, 0.25)]
    ref = lmf.solve_reduced_pde(10, horizon=4.0, step_size=0.5, n_a=8, n_s=4, n_tau=4).risk[-1]
    assert abs(R[1] - ref) < 0.7 * abs(R[0] - ref)        # halving the step shrinks the bias
    assert abs(2 * R[1] - R[0] - ref) < 0.3 * abs(R[1] - ref)   # Richardson removes most of it


def test_particles_follow_the_pde_at_large_width():
    sol = lmf.solve_reduced_pde(8, horizon=3.0, step_size=1.0)
    out = _particles_vs_pde(400, rng=3, d=8, horizon=3.0, step_size=1.0, pde_risk=sol.risk)
    assert np.max(np.abs(out["risk_gap"])) < 0.01
    assert out["sw"][0] == pytest.approx(0.0, abs=1e-12) and out["coupling"][0] == 0.0
    assert out["final"].shape == (400, 3)


def test_sliced_w1_of_a_shift():
    X = np.random.default_rng(4).standard_normal((50, 3))
    w = np.full(50, 1 / 50)
    dirs = _sphere_directions(200)
    shift = np.array([0.3, 0.0, 0.0])
    # W1 of a shift along each direction is |<shift, v>|; its average over the sphere is 0.3/2
    assert _sliced_w1(X, w, X + shift, w, dirs) == pytest.approx(0.15, rel=0.02)
    assert _sliced_w1(X, w, X, w, dirs) == 0.0


def test_gap_parts_recover_known_parts():
    rng = np.random.default_rng(5)
    m = 0.02 * np.sin(np.arange(400))
    G = m + 0.05 * rng.standard_normal((8, 400))
    p = _gap_parts(G)
    assert p["coherent"] == pytest.approx(np.sqrt(np.mean(m**2)), rel=0.15)
    assert p["incoherent"] == pytest.approx(0.05, rel=0.05)
    with pytest.raises(ValueError, match="G"):
        _gap_parts(G[:2])


def test_weighted_loglog_slope_exact_power():
    x = np.array([10.0, 20.0, 40.0, 80.0])
    f = _weighted_loglog_slope(x, 3 * x**-2.0, 0.01 * 3 * x**-2.0)
    assert f["slope"] == pytest.approx(-2.0) and f["lo"] < -2.0 < f["hi"]


def test_pde_bad_input():
    with pytest.raises(ValueError, match="step_size"):
        lmf.solve_reduced_pde(10, horizon=1.0, step_size=0.3)
    with pytest.raises(ValueError, match="d"):
        lmf.solve_reduced_pde(3, horizon=1.0, step_size=0.5)
    with pytest.raises(ValueError, match="teacher"):
        lmf.solve_reduced_pde(10, horizon=1.0, step_size=0.5, teacher=(0.0, 0.0))
    with pytest.raises(ValueError, match="method"):
        lmf.solve_reduced_pde(10, horizon=1.0, step_size=0.5, method="rk2")
    with pytest.raises(ValueError, match="N"):
        _paired_init(5, 4, rng=0)
    with pytest.raises(FloatingPointError, match="^step_size"):
        with np.errstate(all="ignore"):
            lmf.train_population(16, 6, horizon=2000.0, step_size=100.0, rng=0, method="euler")
