"""Valid example calls for thermo_helpers.models (see README.md)."""

import numpy as np

_X = np.arange(6.0).reshape(3, 2) / 6
_W = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, -1.0], [0.5, 0.5]])



def _result():
    from thermo_helpers.models import TrainResult

    return TrainResult(history={"step": np.arange(3), "time": np.arange(3.0), "risk": np.ones(3)}, params={})


EXAMPLES = {
    "f_nn": lambda: dict(X=_X.copy(), a=np.ones(4), W=_W.copy(), activation="tanh", alpha=0.5),
    "f_rf": lambda: dict(X=_X.copy(), a=np.ones(4), W=_W.copy(), activation="relu"),
    "f_nt": lambda: dict(X=_X.copy(), B=_W[::-1].copy(), W=_W.copy(), activation="tanh"),
    "n_params": dict(model="nt", N=4, d=3),
    "TrainResult.final": lambda: dict(self=_result(), key="risk"),
}
