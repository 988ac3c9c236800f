"""Valid example calls for the thermo_helpers.lazy_mean_field package (see README.md)."""

import functools

import numpy as np

from thermo_helpers import lazy_mean_field as lmf
from thermo_helpers.lazy_mean_field.design import _gap_parts
from thermo_helpers.lazy_mean_field.pde import _initial_quadrature

_RNG = np.random.default_rng(0)
_X, _XT = _RNG.standard_normal((4, 3)), _RNG.standard_normal((3, 3))
_Y, _YT = _RNG.standard_normal(4), _RNG.standard_normal(3)
_A = np.array([0.5, -0.5, 1.0])
_W = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
_U = np.array([1.0, 0.0, 0.0])


def _lin():
    return lmf.linearise(_A.copy(), _W.copy(), 0.5, "tanh")


def _design():
    pts = [(4, 10.0), (4, 20.0), (4, 40.0), (8, 40.0), (16, 40.0)]
    rng = np.random.default_rng(1)
    G = np.array([rng.standard_normal((3, 5)) / a + 1.0 / a**2 for _, a in pts])
    return lmf.DesignResult(pts, rng.uniform(0.1, 1.0, (5, 3)), rng.uniform(size=(5, 3)), rng.uniform(size=(5, 3)),
                            [_gap_parts(g) for g in G], G)


@functools.lru_cache(maxsize=1)
def _study():
    return lmf.width_study([2, 4, 6], [2, 2, 2], d=4, horizon=1.0, step_size=1.0, base_seed=0, n_jobs=1)


def _pde_atoms():
    a, s, r, q = _initial_quadrature(5, 2, 2, half=False)
    tau, tau_w = np.array([-0.5, 0.5]), np.array([0.5, 0.5])
    return dict(a=a, s=s, r=r, q=q, tau=tau, tau_w=tau_w, targets=[a[:2], s[:2], r[:2]], teacher=(1.0, 0.5))


EXAMPLES = {
    "scaling": dict(N=4, preset="free", alpha=0.5),
    "init_params": dict(N=3, d=2, rng=0, a_scale=1.0, symmetric=True),
    "network": lambda: dict(X=_X, a=_A, W=_W, alpha=0.5, activation="tanh"),
    "Linearisation.features": lambda: dict(self=_lin(), X=_X),
    "Linearisation.predict": lambda: dict(self=_lin(), X=_X, a=_A, W=_W, feats=_lin().features(_X)),
    "Linearisation.loss_and_grad": lambda: dict(self=_lin(), X=_X, y=_Y, a=_A, W=_W, feats=_lin().features(_X)),
    "linearise": lambda: dict(a0=_A, W0=_W, alpha=0.5, activation="relu"),
    "mixture_network": lambda: dict(X=_X, t=0.5, a0=_A, W0=_W, a1=_A[:2], W1=_W[:2], activation="relu"),
    "neuron_teacher": lambda: dict(U=np.stack([_U, -_U]), coef=np.array([1.0, 1.0]), activation="relu", center=True),
    "polynomial_floor": dict(fn=np.abs, d=5, degree=1),
    "train": lambda: dict(X=_X, y=_Y, N=3, preset="free", alpha=0.5, activation="tanh", step_size=0.1, steps=2,
                          rng=0, batch_size=2, X_test=_XT, y_test=_YT, X_probe=_XT[:2], record_every=1,
                          record_steps=[0, 2], linearised=True, snapshot_steps=[1], a_scale=1.0, symmetric=True,
                          init=(_A, _W)),
    "DesignResult.select": lambda: dict(self=_design(), N=4, alpha_cb=40.0),
    "DesignResult.part": lambda: dict(self=_design(), key="coherent", idx=np.array([0, 2])),
    "DesignResult.seed_values": lambda: dict(self=_design(), key="incoherent", idx=np.array([0, 2]),
                                             seeds=np.array([0, 1])),
    "run_design": lambda: dict(points=[(2, 1.0)], X=_X, y=_Y, X_test=_XT, y_test=_YT, activation="relu",
                               step_size=0.1, steps=1, seeds=3, base_seed=0, n_jobs=1),
    "design_slopes": lambda: dict(res=_design(), row_N=4, col_alpha=40.0, smooth=False, n=1,
                                          min_alpha=10.0, min_crossings=0.0),
    "WidthStudy.stack": lambda: dict(self=_study(), N=4, key="risk"),
    "WidthStudy.per_run": lambda: dict(self=_study(), key="sw", index=-1),
    "width_study": dict(widths=[2, 4], seeds=[2, 2], d=4, horizon=1.0, step_size=1.0, base_seed=0, record_every=1,
                        n_jobs=1),
    "width_slopes": lambda: dict(study=_study()),
    "solve_reduced_pde": dict(d=4, horizon=1.0, step_size=0.5, teacher=(1.0, 1.0), n_a=2, n_s=2, n_tau=2,
                              method="rk4", record_every=1, tracers=None, with_risk=True),
    "train_population": dict(N=4, d=3, horizon=1.0, step_size=0.5, rng=0, teacher=(1.0, 1.0), method="euler",
                             record_every=1),
}
