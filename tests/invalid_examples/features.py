"""Valid example calls for thermo_helpers.features (see README.md)."""

import numpy as np

_X = np.array([[1.0, 0.5], [-0.3, 2.0], [0.7, -1.0]])
_W = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, -1.0], [0.5, 0.5]])

EXAMPLES = {
    "rf_features": lambda: dict(X=_X.copy(), W=_W.copy(), activation="relu", kind="noisy_linear", rng=3,
                                add_mu0=True),
    "relu_arccos_kernel": lambda: dict(X1=_X.copy(), X2=_W.copy()),
}
