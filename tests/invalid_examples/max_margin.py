"""Valid example calls for the thermo_helpers.max_margin package (see README.md)."""

import numpy as np

from thermo_helpers import max_margin as mm

_RNG = np.random.default_rng(0)
_U = _RNG.standard_normal((8, 5))
_Y = np.where(_U[:, 0] >= 0, 1.0, -1.0)
_W = _RNG.standard_normal((6, 4)) / 2.0
_B = np.array([1.0, 0.0, 0.0, 0.0])


def _separable():
    return mm.max_margin(_U, _Y)


def _results():
    return mm.conjecture_sweep([mm.Condition(2.0, 1.0)], [8, 10], seeds=2, base_seed=1, n_test=10, n_jobs=1)


def _other():
    return mm.activation_sweep([mm.Condition(2.0, 1.0)], [8, 10], seeds=2, base_seed=1, n_test=10,
                               activation=mm.RELU_CENTRED, n_jobs=1)


def _axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    ax.set_xlim(1, 10)
    return ax


EXAMPLES = {
    "max_margin": lambda: dict(U=_U.copy(), y=_Y.copy(), method="dual", maxiter=100),
    "check_kkt": lambda: dict(U=_U.copy(), y=_Y.copy(), res=_separable()),
    "gordon_F2": dict(k=0.5, c1=0.6, c2=0.8, flip=0.1),
    "label_error": dict(c1=0.6, c2=0.8, flip=0.1),
    "linear_max_margin_asymptotics": dict(psi=1.0, flip=0.1),
    "linear_separability_threshold": dict(flip=0.1),
    "rf_max_margin_asymptotics": dict(psi1=2.0, psi2=2.0, activation="relu", flip=0.0),
    "rf_separability_threshold": dict(psi2=1.0, activation="relu", flip=0.0, xtol=1e-4),
    "rf_quantities_sampled": lambda: dict(nu=0.5, omega=0.3, W=_W.copy(), beta0=_B.copy(), activation="relu"),
    "linear_max_margin_trial": dict(psi=1.0, p=6, flip=0.1, rng=1, method="dual"),
    "linear_max_margin_simulation": dict(psi=1.0, p=6, flip=0.1, seeds=2, base_seed=1, n_jobs=1),
    "rf_max_margin_trial": dict(psi1=2.0, psi2=1.0, d=6, activation="relu", flip=0.0, features="nonlinear",
                                rng=1, n_test=20, method="dual"),
    "rf_max_margin_paired_trial": dict(psi1=2.0, psi2=1.0, d=6, activation="relu", flip=0.0, rng=1, n_test=20),
    "kernel_max_margin_trial": dict(psi2=1.0, d=6, kernel="relu", activation="relu", flip=0.0, rng=1, n_test=20),
    "sub_seeds": dict(base_seed=3, names=["a", "b"]),
    "conjecture_sweep": lambda: dict(conditions=[mm.Condition(2.0, 1.0)], dims=[8, 10], seeds=2, base_seed=1,
                                     n_test=10, activation="relu", n_jobs=1),
    "conjecture_analysis": lambda: dict(results=_results(), level=0.9),
    "activation_sweep": lambda: dict(conditions=[mm.Condition(2.0, 1.0)], dims=[8, 10], seeds=2, base_seed=1,
                                     n_test=10, activation=mm.RELU_CENTRED, subset=[mm.Condition(2.0, 1.0)],
                                     n_jobs=1),
    "mu0_analysis": lambda: dict(paired=_results(), other=_other(), level=0.9),
    "theory_extrapolation": lambda: dict(results=_results(), level=0.9),
    "rf_theory_curve": lambda: dict(psi1s=np.array([2.0, 3.0]), psi2=2.0, flip=0.0, n_jobs=1),
    "curve_agreement": lambda: dict(theory=np.array([1.0, 2.0]), mean=np.array([1.1, 2.0]), sem=np.array([0.1, 0.1])),
    "compare_row": dict(quantity="kappa", psi1=2.0, theory=1.0, sim=1.05, sem=0.02),
    "extrapolated_row": dict(quantity="gap", psi1=2.0, theory=0.0,
                             fit={"value": 0.01, "se": 0.02, "p_value": 0.5}),
    "threshold_row": dict(quantity="threshold", theory=0.7, crossing=0.72, tol=0.05),
    "log_axis": lambda: dict(ax=_axes(), ticks=(1, 2, 4, 8)),
}
