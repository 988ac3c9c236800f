"""Sweep tasks: one draw each, for :func:`thermo_helpers.sweep.run_sweep`."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .._validate import Instance, Integer, ListOf, OneOf, OrNone, RNG, Real, StepSize, count_from_ratio, generator, validate_params
from .target import (ACTIVATIONS, MODELS, QuadraticTarget, _B, _PSD, _TARGET_PSD, _sym, quadratic_target,
                     sample_weights)
from .theory import (_tau, asymptotic_risk, identity_share, nn_optimal_risk, population_risk, rf_asymptotic_risk,
                     rf_schur_identity)
from .training import nn_flow_risk, nn_gradient_flow, train_nn_sgd, _train_relu_nn

__all__ = ["random_feature_risks", "sgd_trained_risk", "sgd_from_initialisation", "relu_trained_risk",
           "rf_identity_draw", "rf_risk_and_identity", "aligned_rf_gap", "nn_flow_task"]


@validate_params(psi1=Real(gt=0), B=_B, rng=RNG(), Gamma=OrNone(_PSD),
                 models=ListOf(OneOf(*MODELS), min_len=1), activation=OneOf(*ACTIVATIONS))
def random_feature_risks(
    psi1: float,
    B: np.ndarray,
    *,
    rng: np.random.Generator | int,
    Gamma: np.ndarray | None = None,
    models: Sequence[str] = ("rf", "nt"),
    activation: str = "quadratic",
) -> dict:
    """Exact risks of the frozen-weight models for one draw ``w_i ~ N(0, Gamma)``.

    A task for :func:`thermo_helpers.sweep.run_sweep`: draws ``N = round(psi1 d)``
    weights and returns ``{model: population_risk(model, B, W)}``.
    """
    B = _sym(B)
    d = B.shape[0]
    N = count_from_ratio("psi1", psi1, d)
    W = sample_weights(N, d, rng=rng, Gamma=Gamma)
    return {m: population_risk(m, B, W, activation=activation) for m in models}


@validate_params(psi1=Real(gt=0), B=_PSD, rng=RNG(), b0=OrNone(Real()), t_max=Real(gt=0), step_size=StepSize(),
                 batch_size=Integer(min=1, max=10**6), c_step_factor=Real(gt=0), anneal=Real(ge=0, lt=1), tail=Real(gt=0, le=1))
def sgd_trained_risk(
    psi1: float,
    B: np.ndarray,
    *,
    rng: np.random.Generator | int,
    b0: float | None = None,
    t_max: float = 3.0,
    step_size: float = 1e-3,
    batch_size: int = 512,
    c_step_factor: float = 1.0,
    anneal: float = 0.5,
    tail: float = 0.1,
) -> dict:
    """Train the quadratic network of width ``round(psi1 d)`` by one-pass SGD.

    A task for :func:`thermo_helpers.sweep.run_sweep`.  The step size is
    constant for the first ``1 - anneal`` of the ``t_max / step_size`` steps,
    then decays linearly to 0.  Returns the exact risk averaged over the last
    ``tail`` share (in ``(0, 1]``) of the recorded trajectory (``"risk"``), the
    final risk (``"final"``) and the optimum (``"optimum"``).
    """
    B = _sym(B)
    d = B.shape[0]
    tail = float(tail)
    if not 0.0 < tail <= 1.0:
        raise ValueError(f"tail must lie in (0, 1], got {tail!r}")
    N = count_from_ratio("psi1", psi1, d)
    steps = max(1, int(round(float(t_max) / float(step_size))))
    res = train_nn_sgd(B, N, steps=steps, step_size=step_size, rng=rng, b0=b0, batch_size=batch_size,
                       record_every=max(1, steps // 50), c_step_factor=c_step_factor, anneal=anneal)
    k = max(1, int(np.ceil(tail * len(res.risk))))
    return {"risk": float(np.mean(res.risk[-k:])), "final": float(res.risk[-1]), "optimum": res.optimum}


@validate_params(B=_TARGET_PSD, N=Integer(min=1), rng=RNG(), b0=OrNone(Real()), t_max=Real(gt=0), step_size=StepSize(),
                 c_step_factor=Real(gt=0), anneal=Real(ge=0, lt=1))
def sgd_from_initialisation(
    B: np.ndarray,
    N: int,
    *,
    rng: np.random.Generator | int,
    b0: float | None = None,
    t_max: float,
    step_size: float,
    c_step_factor: float = 1.0,
    anneal: float = 0.0,
) -> dict:
    """One-pass SGD (batch 1) and the gradient flow from the same random initialisation.

    A task for :func:`thermo_helpers.sweep.run_sweep` over initialisations:
    ``rng`` draws ``W0 ~ N(0, I_d / d)`` and then every SGD sample.  Returns
    the exact final risks of SGD (``"sgd"``) and of the gradient flow
    (``"flow"``, :func:`nn_gradient_flow` with the same ``c_step_factor``)
    at ``t_max``, and the infimum (``"optimum"``).
    """
    if isinstance(B, QuadraticTarget):
        b0 = B.b0 if b0 is None else b0
        B = B.B
    B = _sym(B)
    d = B.shape[0]
    rng = generator(rng)
    N = int(N)
    W0 = sample_weights(N, d, rng=rng)
    eps = float(step_size)
    steps = max(1, int(round(float(t_max) / eps)))
    sgd = train_nn_sgd(B, N, steps=steps, step_size=eps, rng=rng, b0=b0, W0=W0, c_step_factor=c_step_factor,
                       anneal=anneal, record_every=steps)
    flow = nn_gradient_flow(B, W0, t_max=t_max, b0=b0, c_step_factor=c_step_factor, n_record=1)
    return {"sgd": float(sgd.risk[-1]), "flow": float(flow.risk[-1]), "optimum": sgd.optimum}


@validate_params(psi1=Real(gt=0), target=Instance(QuadraticTarget), rng=RNG(), steps=Integer(min=1, max=10**9),
                 step_size=StepSize(), batch_size=Integer(min=1, max=10**6))
def relu_trained_risk(
    psi1: float,
    target: QuadraticTarget,
    *,
    rng: np.random.Generator | int,
    steps: int = 4000,
    step_size: float = 0.1,
    batch_size: int = 64,
) -> dict:
    """Train a ReLU network of width ``round(psi1 d)`` by SGD (:func:`_train_relu_nn`); exact final risk."""
    N = count_from_ratio("psi1", psi1, target.d)
    res = _train_relu_nn(target, N, steps=steps, step_size=step_size, rng=rng, batch_size=batch_size,
                        record_every=max(1, steps // 10))
    return {"risk": float(res.risk[-1])}


@validate_params(d=Integer(min=1, max=100_000), psi1=Real(gt=0), rng=RNG())
def rf_identity_draw(d: int, psi1: float, *, rng: np.random.Generator | int) -> dict:
    """One draw of (target, ``W``) at dimension ``d``: exact RF risk against the identity and the theorem.

    A task for :func:`thermo_helpers.sweep.run_sweep`.  Draws the talk's target
    (iid Exp(1) eigenvalues, Haar eigenvectors) and ``N = round(psi1 d)``
    weights ``w_i ~ N(0, I_d / d)`` from ``rng``.

    Returns
    -------
    dict
        ``exact`` (:func:`population_risk`), ``identity``
        (:func:`rf_schur_identity`), ``theorem`` (the asymptotic formula),
        ``alpha`` (:func:`identity_share`) and ``tau``.
    """
    rng = generator(rng)
    N = count_from_ratio("psi1", psi1, d)
    target = quadratic_target(d, rng=rng)
    W = sample_weights(N, d, rng=rng)
    B = target.B
    return {"exact": population_risk("rf", B, W), "identity": rf_schur_identity(B, W),
            "theorem": asymptotic_risk("rf", N / d, B), "alpha": identity_share(W), "tau": _tau(B)}


@validate_params(psi1=Real(gt=0), B=_B, rng=RNG())
def rf_risk_and_identity(psi1: float, B: np.ndarray, *, rng: np.random.Generator | int) -> dict:
    """Exact RF risk and the identity for one draw ``w_i ~ N(0, I_d / d)``, ``N = round(psi1 d)``, at a fixed ``B``.

    A task for :func:`thermo_helpers.sweep.run_sweep`; returns ``{"rf": ..., "identity": ...}``.
    """
    B = _sym(B)
    d = B.shape[0]
    W = sample_weights(count_from_ratio("psi1", psi1, d), d, rng=rng)
    return {"rf": population_risk("rf", B, W), "identity": rf_schur_identity(B, W)}


@validate_params(d=Integer(min=1, max=100_000), psi1=Real(gt=0), rng=RNG())
def aligned_rf_gap(d: int, psi1: float, *, rng: np.random.Generator | int) -> float:
    """``exact - theorem`` for RF with the aligned ``Gamma = B / Tr B``, one draw of (target, ``W``).

    A task for :func:`thermo_helpers.sweep.run_sweep`.  No identity applies here:
    the law of ``W`` is not ``O(d)``-invariant.
    """
    rng = generator(rng)
    B = quadratic_target(int(d), rng=rng).B
    G = B / np.trace(B)
    W = sample_weights(count_from_ratio("psi1", psi1, d), d, rng=rng, Gamma=G)
    return population_risk("rf", B, W) - float(rf_asymptotic_risk(psi1, B, G))


@validate_params(psi1=Real(gt=0), B=_TARGET_PSD, rng=RNG(), t=Real(ge=0))
def nn_flow_task(psi1: float, B, *, rng: np.random.Generator | int, t: float) -> dict:
    """The flow's risk at time ``t`` from ``W0 ~ N(0, I_d / d)`` of width ``round(psi1 d)``, and the infimum.

    A task for :func:`thermo_helpers.sweep.run_sweep`; returns ``{"flow": ..., "optimum": ...}``.
    """
    if isinstance(B, QuadraticTarget):
        B = B.B
    B = _sym(B)
    d = B.shape[0]
    N = count_from_ratio("psi1", psi1, d)
    W0 = sample_weights(N, d, rng=rng)
    return {"flow": nn_flow_risk(B, W0, float(t)), "optimum": nn_optimal_risk(B, N)}
