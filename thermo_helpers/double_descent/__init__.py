"""Random-features ridge regression, the double-descent chapter's room.

``import thermo_helpers.double_descent as dd`` gives every public name:

* :mod:`.theory` -- the Mei--Montanari asymptotics (fixed point, bias, variance, test error);
* :mod:`.limits` -- zero width, the kernel limit ``N/d -> infinity`` in closed form, the
  crossover ridge ``lambda_c``, the optimal ridge and the slide's checkmarks;
* :mod:`.solver` -- a whole ridge path from one eigendecomposition;
* :mod:`.simulation` -- one draw along a ridge path, and draws over points through :mod:`thermo_helpers.sweep`;
* :mod:`.checks` -- z-scores, chi-square over a curve, the ``1/d`` extrapolation, the simulated optimal ridge;
* :mod:`.digits` -- random features on the scikit-learn digits;
* :mod:`.figures` -- the chapter's risk panels;
* :mod:`.trained` -- a two-layer network (``models.f_nn``) trained by gradient descent on the digits.
"""

from .checks import (CurveCheck, Extrapolation, PathArgmin, activation_rows, agreement_rows, curve_chi2, optimal_ridge_rows, paired_rows, reference_rows, stream_seed)
from .digits import (digits_curves, digits_summary)
from .figures import (lam_label, risk_panel)
from .limits import (Crossover, KernelLimit, check_minimum_at_infinity, checkmarks, crossover_lambda, kernel_limit, kernel_limit_theory, optimal_lambda, zero_width_risk)
from .simulation import (RFRidgeSimulation, rf_ridge_draw, rf_ridge_simulation)
from .solver import (ridge_path_errors)
from .trained import (WidthSweep, interpolation_threshold, trained_summary, trained_width_sweep)
from .theory import (RFRidgeTheory, activation_constants, fixed_point_residual, matched_activation, rf_ridge_asymptotics, rf_ridge_theory, ridgeless_chi)

__all__ = ["activation_constants", "matched_activation", "rf_ridge_theory", "rf_ridge_asymptotics",
    "ridgeless_chi", "fixed_point_residual", "kernel_limit_theory", "kernel_limit", "zero_width_risk", "crossover_lambda",
    "optimal_lambda", "check_minimum_at_infinity", "checkmarks", "ridge_path_errors",
    "rf_ridge_draw", "rf_ridge_simulation", "curve_chi2", "agreement_rows", "optimal_ridge_rows", "paired_rows", "activation_rows", "reference_rows", "stream_seed", "digits_curves", "digits_summary",
    "lam_label", "risk_panel", "interpolation_threshold", "trained_width_sweep", "trained_summary",
]
