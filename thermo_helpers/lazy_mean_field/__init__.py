"""Lazy vs mean-field chapter room: two-layer networks in their two wide limits.

* :mod:`.network` -- scaling presets, the network, its linearisation, tangent kernel, targets.
* :mod:`.training` -- (S)GD training of the network next to its linearisation.
* :mod:`.design` -- the (N, alpha_CB) lazy design and the coherent / incoherent gap split.
* :mod:`.pde` -- the reduced mean-field PDE for a single-index ReLU teacher, and particles on the
  population risk.
* :mod:`.experiments` -- the exponents the chapter reports.
"""

from .design import (DesignResult, run_design)
from .experiments import (WidthStudy, design_slopes, width_slopes, width_study)
from .network import (PRESETS, Linearisation, Scaling, init_params, linearise, mixture_network, network, neuron_teacher, polynomial_floor, scaling)
from .pde import (ReducedPDESolution, solve_reduced_pde, train_population)
from .training import (DivergenceError, train)

__all__ = ["run_design", "design_slopes", "width_slopes", "width_study", "init_params", "linearise",
    "mixture_network", "network", "neuron_teacher", "polynomial_floor", "scaling", "solve_reduced_pde", "train_population", "train",
]
