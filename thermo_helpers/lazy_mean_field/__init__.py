"""Lazy vs mean-field chapter room: two-layer networks in their two wide limits.

* :mod:`.network` -- scaling presets, the network, its linearisation, tangent kernel, targets.
* :mod:`.training` -- (S)GD training of the network next to its linearisation.
* :mod:`.design` -- the (N, alpha_CB) lazy design and the coherent / incoherent gap split.
* :mod:`.pde` -- the reduced mean-field PDE for a single-index ReLU teacher, and particles on the
  population risk.
* :mod:`.experiments` -- the exponents the chapter reports.
"""

from .design import DesignResult, design_point, gap_parts, run_design, weighted_loglog_slope
from .experiments import WidthStudy, design_slopes, slope_row, width_slopes, width_study
from .network import (PRESETS, Linearisation, Scaling, gd_step, init_params, linearise, loss_and_grad,
                      mixture_network, network, neuron_teacher, particles, polynomial_floor, scaling,
                      tangent_kernel)
from .pde import (ReducedPDESolution, initial_quadrature, paired_init, particles_vs_pde, population_velocity,
                  reduced_coordinates, reduced_velocity, sliced_w1, solve_reduced_pde, sphere_directions,
                  teacher_potential, teacher_second_moment, train_population)
from .training import DivergenceError, train

__all__ = [
    "DesignResult", "design_point", "gap_parts", "run_design", "weighted_loglog_slope",
    "WidthStudy", "design_slopes", "slope_row", "width_slopes", "width_study",
    "PRESETS", "Linearisation", "Scaling", "gd_step", "init_params", "linearise", "loss_and_grad",
    "mixture_network", "network", "neuron_teacher", "particles", "polynomial_floor", "scaling",
    "tangent_kernel",
    "ReducedPDESolution", "initial_quadrature", "paired_init", "particles_vs_pde", "population_velocity",
    "reduced_coordinates", "reduced_velocity", "sliced_w1", "solve_reduced_pde", "sphere_directions",
    "teacher_potential", "teacher_second_moment", "train_population",
    "DivergenceError", "train",
]
