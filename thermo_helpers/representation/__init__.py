"""Representation learning on a quadratic target: RF vs NT vs NN.

Setting of the talk's section "What is not captured by linear models?"
(Ghorbani, Mei, Misiakiewicz & Montanari 2019, "Limitations of lazy training
of two-layers neural networks"):

* covariates ``x ~ N(0, I_d)``;
* target ``f_*(x) = b0 + <x, B x>`` with ``B`` symmetric positive semidefinite;
* three two-layer models of width ``N`` with activation ``sigma(t) = t^2`` and a
  free constant ``c``:

  - RF: ``c + sum_i a_i sigma(<w_i, x>)``, ``W`` random and frozen, ``a`` trained;
  - NT: ``c + sum_i sigma'(<w_i, x>) <a_i, x>``, ``W`` frozen, ``a_i in R^d`` trained;
  - NN: ``c + sum_i <w_i, x>^2``, ``W`` trained.

Because ``sigma`` is quadratic every model is ``c + <x, A x>`` for a symmetric
``A``, and for symmetric ``M`` and ``x ~ N(0, I_d)``

    E[(<x, M x> + e)^2] = (tr M + e)^2 + 2 ||M||_F^2 .

The free constant absorbs the first term, so the best population risk of each
model is ``2 min_A ||B - A||_F^2`` over its set of matrices ``A``:

* RF: ``A`` in ``span{w_i w_i^T}``; a least-squares problem with the N x N
  Gram matrix ``(W W^T) o (W W^T)`` (Hadamard square) and right-hand side
  ``(w_i^T B w_i)_i``.  No d^2 x N matrix is ever formed.
* NT: ``A`` in ``{sum_i w_i a_i^T + a_i w_i^T}`` = the symmetric matrices with
  ``P_perp A P_perp = 0``, so the risk is ``2 ||P_perp B P_perp||_F^2``.
* NN: ``A = W^T W``, any PSD matrix of rank <= N; by Eckart--Young the risk
  is ``2 sum_{j > N} lambda_j(B)^2``.

Every risk returned here is normalised by ``Var f_* = 2 ||B||_F^2``.

The module also evaluates the same three models with ReLU activations
exactly, through closed-form Gaussian integrals (the arc-cosine kernel of
Cho & Saul 2009 and its degree-0 analogue), and trains the networks by
one-pass SGD on fresh Gaussian samples.

Modules by role: ``target`` (the quadratic target, weight samplers), ``theory``
(exact risks, formulas, finite-d expectations), ``relu`` (exact ReLU risks,
matrix-free NT), ``training`` (SGD, gradient flows), ``simulation`` (sweep
tasks), ``checks`` (theory-vs-computation tables).
"""

from . import checks
from .relu import (ConvergenceError, NTSolve, relu_network_risk, relu_nt_risk, relu_nt_solve, relu_rf_moments)
from .simulation import (aligned_rf_gap, nn_flow_task, random_feature_risks, relu_trained_risk, rf_identity_draw, rf_risk_and_identity, sgd_from_initialisation, sgd_trained_risk)
from .target import (ACTIVATIONS, MODELS, QuadraticTarget, quadratic_target, sample_weights)
from .theory import (asymptotic_risk, eigen_capture, identity_share, nn_optimal_risk, nt_expected_risk, population_risk, rf_asymptotic_risk, rf_coefficients, rf_schur_identity)
from .training import (nn_flow_risk, nn_gradient_flow, train_nn_sgd)

__all__ = ["checks", "quadratic_target", "sample_weights",
    "rf_coefficients", "population_risk", "nn_optimal_risk", "asymptotic_risk", "rf_asymptotic_risk",
    "eigen_capture", "identity_share", "rf_schur_identity", "nt_expected_risk",
    "relu_rf_moments", "relu_network_risk", "relu_nt_solve", "relu_nt_risk", "train_nn_sgd", "nn_gradient_flow", "nn_flow_risk",
    "random_feature_risks", "sgd_trained_risk", "sgd_from_initialisation", "relu_trained_risk",
    "rf_identity_draw", "rf_risk_and_identity", "aligned_rf_gap", "nn_flow_task",
]
