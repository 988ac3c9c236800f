"""Valid example calls for thermo_helpers.activations (see README.md)."""

import numpy as np

EXAMPLES = {
    "get_activation": dict(activation="relu"),
    "gaussian_expectation": dict(h=np.cos, kinks=(0.0,), order=20),
    "gaussian_moments": dict(activation=np.tanh, order=20),
    "activation_constants": dict(activation="tanh"),
    "matched_activation": dict(base="relu", zeta=1.0, name="relu+t"),
}
