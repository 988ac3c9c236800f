"""Max-margin classification with random features: solver, asymptotics, simulations, experiments.

Data ``(y_i, x_i)``, ``i <= n``: ``x_i ~ N(0, I_d)`` and
``y_i = sign(<beta0, x_i>)`` flipped independently with probability ``flip``.
A linear classifier on features ``u_i`` is ``sign(<a, u_i>)`` and its margin is
``kappa_n = max_{||a||_2 <= 1} min_i y_i <a, u_i>``, equivalently
``1 / ||a_hat||`` for the quadratic programme ``min ||a||^2 s.t. y_i <a, u_i> >= 1``.

The package is split by role:

* :mod:`.solver`: :func:`max_margin`, a fast exact dual path with certified
  verdicts (``separable`` / ``not_separable`` / ``undecided``), cvxpy as reference;
* :mod:`.theory`: the Gordon-comparison asymptotics of the linear and the
  random-features models, and their separability thresholds;
* :mod:`.simulation`: single draws, sweeps and the kernel limit;
* :mod:`.experiments`: the paired test of the nonlinear vs noisy-linear
  conjecture and the chapter's agreement tables.
"""

from ..features import rf_features
from ..stats import crossing, nan_mean_sem
from .experiments import (GAPS, RELU_CENTRED, Condition, activation_sweep, mu0_analysis, compare_row, conjecture_analysis, extrapolated_row, conjecture_sweep, curve_agreement, log_axis, rf_theory_curve, sub_seeds, theory_extrapolation, threshold_row)
from .simulation import (SimulationSummary, kernel_max_margin_trial, linear_max_margin_simulation, linear_max_margin_trial, rf_max_margin_paired_trial, rf_max_margin_trial)
from .solver import (VERDICTS, MaxMarginResult, check_kkt, max_margin)
from .theory import (MarginAsymptotics, gordon_F2, label_error, linear_max_margin_asymptotics, linear_separability_threshold, rf_max_margin_asymptotics, rf_quantities_sampled, rf_separability_threshold)

__all__ = ["max_margin", "check_kkt", "gordon_F2", "label_error", "linear_max_margin_asymptotics",
    "linear_separability_threshold", "rf_max_margin_asymptotics", "rf_separability_threshold",
    "rf_quantities_sampled", "linear_max_margin_trial", "linear_max_margin_simulation", "rf_max_margin_trial",
    "rf_max_margin_paired_trial", "kernel_max_margin_trial",
    "Condition", "GAPS", "RELU_CENTRED", "activation_sweep", "mu0_analysis", "sub_seeds", "conjecture_sweep", "conjecture_analysis", "theory_extrapolation",
    "rf_theory_curve",
    "curve_agreement", "compare_row", "extrapolated_row", "threshold_row", "log_axis",
    "rf_features", "nan_mean_sem", "crossing",
]
