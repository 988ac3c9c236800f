"""The closed-form gradient flow (constant at its optimum) against a Runge-Kutta integration."""

from __future__ import annotations

import numpy as np
import pytest

from thermo_helpers import representation as rep
from thermo_helpers.representation import nn_flow_risk
from thermo_helpers.representation.training import _nn_risk


def _rk4(B, W, t_end, dt):
    f = lambda W: 8.0 * W @ (B - W.T @ W)  # noqa: E731
    for _ in range(int(round(t_end / dt))):
        k1 = f(W)
        k2 = f(W + 0.5 * dt * k1)
        k3 = f(W + 0.5 * dt * k2)
        k4 = f(W + dt * k3)
        W = W + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    R = B - W.T @ W
    return np.sum(R * R) / np.sum(B * B)


@pytest.mark.parametrize("N", [3, 10, 14])  # N < d (propagator) and N >= d (inverse form)
def test_closed_form_matches_rk4(N):
    d = 10
    B = rep.quadratic_target(d, rng=1).B
    W0 = rep.sample_weights(N, d, rng=N)
    times = np.array([0.3, 1.0])
    exact = nn_flow_risk(B, W0, times)
    rk = [_rk4(B, W0.copy(), t, 2e-4) for t in times]
    assert np.allclose(exact, rk, rtol=1e-7, atol=1e-10), (exact, rk)
    assert nn_flow_risk(B, W0, 0.0) == pytest.approx(_nn_risk(B, -np.trace(B) - 0.0, W0, -np.sum(W0**2)))


def test_long_time_reaches_the_optimum():
    d = 8
    B = rep.quadratic_target(d, rng=2).B
    for N in (2, 8, 20):
        W0 = rep.sample_weights(N, d, rng=3)
        assert nn_flow_risk(B, W0, 200.0) == pytest.approx(rep.nn_optimal_risk(B, N), abs=1e-8)
    with pytest.raises(ValueError, match="times"):
        nn_flow_risk(B, W0, -1.0)
