"""Valid example calls for thermo_helpers.models (see README.md)."""

import numpy as np

_X = np.arange(6.0).reshape(3, 2) / 6
_W = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, -1.0], [0.5, 0.5]])

EXAMPLES = {
    "f_nn": lambda: dict(X=_X.copy(), a=np.ones(4), W=_W.copy(), activation="tanh"),
    "f_rf": lambda: dict(X=_X.copy(), a=np.ones(4), W=_W.copy(), activation="relu"),
    "f_nt": lambda: dict(X=_X.copy(), B=_W[::-1].copy(), W=_W.copy(), activation="tanh"),
    "n_params": dict(model="nt", N=4, d=3),
    "square_test_error": lambda: dict(f_hat=np.sum, f_star=np.sum, X_test=_X.copy(), tau=0.1),
}
