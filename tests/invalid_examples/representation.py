"""Valid example calls for thermo_helpers.representation (see README.md)."""

import numpy as np

from thermo_helpers import representation as rep
from thermo_helpers.sweep import run_sweep

_D = 4
_T = rep.quadratic_target(_D, rng=0)
_B = _T.B
_W = rep.sample_weights(3, _D, rng=1)


def _identity_sweep():
    return run_sweep(rep.rf_identity_draw, {"d": [3, 4]}, seeds=2, base_seed=0, fixed={"psi1": 1.0}, n_jobs=1)


EXAMPLES = {
    "quadratic_target": dict(d=3, rng=0, spectrum=np.array([1.0, 2.0, 0.5]), b0=0.0),
    "sample_weights": dict(N=2, d=3, rng=0, Gamma=np.eye(3) / 3),
    "rf_coefficients": lambda: dict(B=_B.copy(), W=_W.copy()),
    "population_risk": lambda: dict(model="rf", B=_B.copy(), W=_W.copy(), activation="relu"),
    "nn_optimal_risk": lambda: dict(B=_B.copy(), N=2),
    "asymptotic_risk": lambda: dict(model="nt", psi1=0.5, B=_B.copy()),
    "rf_asymptotic_risk": lambda: dict(psi1=2.0, B=_B.copy(), Gamma=np.eye(_D) / _D),
    "eigen_capture": lambda: dict(model="rf", B=_B.copy(), W=_W.copy()),
    "identity_share": lambda: dict(W=_W.copy()),
    "rf_schur_identity": lambda: dict(B=_B.copy(), W=_W.copy()),
    "nt_expected_risk": lambda: dict(B=_B.copy(), N=2),
    "relu_rf_moments": lambda: dict(B=_B.copy(), W=_W.copy()),
    "relu_network_risk": lambda: dict(B=_B.copy(), b0=0.0, W=_W.copy(), a=np.ones(3), c=0.5),
    "relu_nt_solve": lambda: dict(B=_B.copy(), W=_W.copy(), method="cg", rtol=1e-8, max_iter=200),
    "relu_nt_risk": lambda: dict(B=_B.copy(), W=_W.copy(), method="dense", rtol=1e-8),
    "train_nn_sgd": lambda: dict(B=_B.copy(), N=3, steps=20, step_size=1e-3, rng=0, b0=0.0, batch_size=2,
                                 record_every=10, init_scale=1.0, W0=_W.copy(), c0=0.0, c_step_factor=2.0,
                                 anneal=0.5, chunk=16),
    "nn_gradient_flow": lambda: dict(B=_B.copy(), W0=_W.copy(), t_max=0.05, b0=0.0, c0=0.0, c_step_factor=2.0,
                                     dt=1e-3, n_record=5, max_steps=1000),
    "nn_flow_risk": lambda: dict(B=_B.copy(), W0=_W.copy(), times=np.array([0.0, 0.5])),
    "random_feature_risks": lambda: dict(psi1=1.0, B=_B.copy(), rng=0, Gamma=np.eye(_D) / _D, models=("rf", "nt"),
                                         activation="quadratic"),
    "sgd_trained_risk": lambda: dict(psi1=0.5, B=_B.copy(), rng=0, b0=0.0, t_max=0.01, step_size=1e-3, batch_size=4,
                                     c_step_factor=2.0, anneal=0.5, tail=0.5),
    "sgd_from_initialisation": lambda: dict(B=_B.copy(), N=2, rng=0, b0=0.0, t_max=0.01, step_size=1e-3,
                                            c_step_factor=2.0, anneal=0.5),
    "relu_trained_risk": lambda: dict(psi1=0.5, target=_T, rng=0, steps=10, step_size=0.05, batch_size=8),
    "rf_identity_draw": dict(d=3, psi1=1.0, rng=0),
    "rf_risk_and_identity": lambda: dict(psi1=1.0, B=_B.copy(), rng=0),
    "aligned_rf_gap": dict(d=3, psi1=1.0, rng=0),
    "nn_flow_task": lambda: dict(psi1=0.5, B=_B.copy(), rng=0, t=0.5),
    "curve_check": dict(theory=np.array([0.1, 0.2]), mean=np.array([0.11, 0.19]), sem=np.array([0.01, 0.01])),
    "identity_check": lambda: dict(res=_identity_sweep(), d_values=[3, 4]),
    "sgd_spread": dict(values=np.array([0.3, 0.31, 0.29]), reference=0.28),
    "chi2_row": dict(check="x", d=3, result={"chi2": 1.0, "dof": 2, "p": 0.6, "verdict": "agrees"}),
    "z_row": dict(check="x", d=3, z=0.5, points=4),
    "tolerance_row": dict(check="x", d=3, worst=1e-4, tol=1e-3, points=4),
    "interval_row": dict(check="x", d=3, lo=-0.1, hi=0.2, target=0.0, points=4),
    "inverse_d_fit": dict(d_values=[20, 40, 80], gap=[0.1, 0.05, 0.025], sem=[0.01, 0.01, 0.01]),
}
