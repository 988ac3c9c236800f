"""Valid example calls for the thermo_helpers.double_descent package (see README.md)."""

import numpy as np

from thermo_helpers import double_descent as dd

_RNG = np.random.default_rng(0)
_PHI = _RNG.standard_normal((6, 4))
_PHIT = _RNG.standard_normal((5, 4))
_X, _XT = _RNG.standard_normal((8, 3)), _RNG.standard_normal((5, 3))
_Y, _YT = np.eye(2)[_RNG.integers(0, 2, 8)], np.eye(2)[_RNG.integers(0, 2, 5)]


def _sim(seed=0, features="nonlinear"):
    return dd.rf_ridge_simulation([0.5, 1.0], 2.0, [0.1, 1.0], 6, base_seed=seed, seeds=3, targets=2, n_jobs=1,
                                  n_test=20, features=features)


def _path_sims():
    return {d: dd.rf_ridge_simulation([1.0], 2.0, np.geomspace(0.01, 100, 9), d, base_seed=d, seeds=3, n_jobs=1,
                                      tau=2.0, n_test=50) for d in (6, 8)}


def _risk(r, lam):
    return dd.rf_ridge_asymptotics(np.asarray(r) * 2.0, 2.0, lam, tau=0.5).test_error


def _net():
    X = _RNG.standard_normal((12, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return dd.trained_width_sweep(X, np.eye(2)[np.arange(12) % 2], [1, 4], n_train=6, random_labels=False, steps=3,
                                  step_size=0.5, tol=1e-3, base_seed=0, seeds=2, n_jobs=1)


def _axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


EXAMPLES = {
    "rf_ridge_theory": dict(psi1=1.0, psi2=2.0, lam_bar=0.1, zeta=1.5, F1=1.0, tau=0.5, Fstar=0.1),
    "rf_ridge_asymptotics": dict(psi1=1.0, psi2=2.0, lam=0.1, activation="relu", F1=1.0, tau=0.5, Fstar=0.1),
    "ridgeless_chi": dict(psi1=1.0, psi2=2.0, zeta=1.5),
    "fixed_point_residual": lambda: dict(nu1=1j, nu2=2j, xi=1j, psi1=1.0, psi2=2.0, zeta=1.5),
    "kernel_limit_theory": dict(psi2=2.0, lam_bar=0.1, zeta=1.5, F1=1.0, tau=0.5, Fstar=0.1),
    "kernel_limit": dict(psi2=2.0, lam=0.1, activation="relu", F1=1.0, tau=0.5, Fstar=0.1),
    "zero_width_risk": dict(F1=1.0, Fstar=0.2),
    "crossover_lambda": dict(psi2=2.0, F1=1.0, tau=2.0, Fstar=0.0, activation="relu", lam_lo=1e-4, lam_hi=1e3),
    "optimal_lambda": dict(psi1=2.0, psi2=2.0, F1=1.0, tau=2.0, Fstar=0.0, activation="relu", lam_lo=1e-4, lam_hi=1e2),
    "check_minimum_at_infinity": lambda: dict(psi2=2.0, lam_c=0.14, psi1_grid=np.array([0.1, 1.0, 10.0]),
                                              lams_above=np.array([0.2, 1.0]), lams_below=np.array([0.01]), F1=1.0,
                                              tau=np.sqrt(5.0), Fstar=0.0, activation="relu"),
    "checkmarks": lambda: dict(risk=_risk, ratios=np.geomspace(0.1, 10, 50), lam_small=1e-4, lams_peak=[1e-3, 1e-4],
                               R_far=lambda lam: dd.kernel_limit(2.0, lam, tau=0.4).test_error, near_points=2001),
    "ridge_path_errors": lambda: dict(Phi=_PHI.copy(), signal=np.ones(6), noise=np.zeros(6), gammas=[0.5],
                                      Phi_test=_PHIT.copy(), signal_test=np.ones(5)),
    "rf_ridge_draw": dict(psi1=0.5, psi2=1.0, lams=[0.0, 0.1], d=6, rng=0, activation="relu", F1=1.0, tau=0.5,
                          Fstar=0.1, features="nonlinear", targets=2, n_test=20),
    "rf_ridge_simulation": dict(psi1=[0.5, 1.0], psi2=1.0, lams=[0.1], d=6, base_seed=0, seeds=2, targets=1,
                                activation="relu", F1=1.0, tau=0.5, Fstar=0.0, features="nonlinear", n_test=10,
                                n_jobs=1, progress=False),
    "RFRidgeSimulation.mean": lambda: dict(self=_sim(), key="test"),
    "RFRidgeSimulation.sem": lambda: dict(self=_sim(), key="train"),
    "curve_chi2": lambda: dict(theory=np.ones(3), mean=np.array([1.1, 0.9, 1.0]), sem=np.full(3, 0.1), dof=5),
    "agreement_rows": lambda: dict(theory=np.ones((3, 2)), means_by_d={10: np.ones((3, 2)) * 1.1, 20: np.ones((3, 2)) * 1.05},
                                   sems_by_d={10: np.full((3, 2), 0.05), 20: np.full((3, 2), 0.05)}, labels=["a", "b"],
                                   seeds=5, alpha=0.01),
    "optimal_ridge_rows": lambda: dict(ratios=np.array([0.5]), lams=np.geomspace(0.01, 100, 9), sims_by_d=_path_sims(),
                                       theory_opt=np.array([1.0]), rng=0, alpha=0.01, n_boot=20),
    "paired_rows": lambda: dict(a_by_d={6: _sim(1), 8: _sim(2)}, b_by_d={6: _sim(1, "noisy_linear"), 8: _sim(2, "noisy_linear")},
                                ratios=np.array([0.5, 1.0]), lams=np.array([0.1, 1.0]), key="test", alpha=0.01),
    "activation_rows": lambda: dict(sims={k: {6: _sim(1), 8: _sim(2)} for k in ("a", "b")},
                                    specs={"a": ("relu", 0.1), "b": ("relu", 0.1)}, psi1=np.array([0.5, 1.0]), psi2=2.0,
                                    F1=1.0, tau=0.0, alpha=0.01),
    "reference_rows": lambda: dict(tables={"x": [{"curve": "a", "chi2/dof 1/d->0": 1.0, "verdict": "agrees"}]}),
    "stream_seed": dict(base_seed=1, label="main"),
    "digits_curves": lambda: dict(X_train=_X.copy(), Y_train=_Y.copy(), X_test=_XT.copy(), Y_test=_YT.copy(), Ns=[2, 12],
                                  lams=[0.0, 0.1], streams=[0, 1]),
    "digits_summary": lambda: dict(curves=dd.digits_curves(_X, _Y, _XT, _YT, [2, 12], [0.0, 0.1], [0, 1]), Ns=[2, 12], n=8),
    "lam_label": dict(lam=0.1),
    "interpolation_threshold": dict(n=100, d=64, classes=10),
    "trained_width_sweep": lambda: dict(X=_X / np.linalg.norm(_X, axis=1, keepdims=True), Y=_Y.copy(), widths=[1, 3],
                                        n_train=5, random_labels=True, steps=3, step_size=0.5, tol=1e-3, base_seed=0,
                                        seeds=2, n_jobs=1),
    "trained_summary": lambda: dict(clean=_net(), noisy=_net(), n_star=2.0),
    "WidthSweep.final": lambda: dict(self=_net(), key="test"),
    "risk_panel": lambda: dict(ax=_axes(), x_theory=np.array([0.5, 1.0, 2.0]), theory=np.ones((3, 2)), labels=["a", "b"],
                               x_sim=None, sims=(), r0=1.0, xlabel="x", ylabel="y", title="t", logy=True, ylim=None,
                               legend=False),
}
