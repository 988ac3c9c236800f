"""Valid example calls for thermo_helpers.stats (see README.md)."""

import numpy as np

_X = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
_MEAN = 1.0 + 0.5 / _X
_SE = np.full(5, 0.01)

EXAMPLES = {
    "standard_error": lambda: dict(values=np.arange(6.0).reshape(2, 3), axis=-1),
    "nan_mean_sem": lambda: dict(values=np.array([[1.0, np.nan, 3.0], [2.0, 2.5, 3.5]]), axis=1, sem_of_one=0.0),
    "zscore": lambda: dict(theory=np.ones(3), sim=np.array([1.1, 0.9, 1.0]), sem=np.full(3, 0.1)),
    "chi2_test": lambda: dict(theory=np.ones(3), sim=np.array([1.1, 0.9, 1.0]), sem=np.full(3, 0.1), ddof=1),
    "paired_gap": lambda: dict(a=np.array([1.0, 2.0, 3.0]), b=np.array([0.5, 2.5, 2.0]), axis=-1),
    "linear_extrapolation": lambda: dict(x=1.0 / _X, mean=_MEAN.copy(), sem=_SE.copy(), x0=0.0, level=0.9),
    "polynomial_extrapolation": lambda: dict(x=1.0 / _X, mean=_MEAN.copy(), sem=_SE.copy(), degree=1, x0=0.0),
    "compare": lambda: dict(theory=1.0, sim=1.05, sem=0.02, k=3.0),
    "loglog_slope": lambda: dict(x=_X.copy(), y=_X**-0.5, level=0.95),
    "limit_power_fit": lambda: dict(x=_X.copy(), mean=1.0 + 0.5 / _X + np.array([1, -1, 1, -1, 1]) * 1e-3,
                                    se=_SE.copy(), level=0.95),
    "crossing": lambda: dict(x=np.array([1.0, 2.0, 3.0]), frac=np.array([0.0, 0.4, 0.9]), level=0.5),
}
