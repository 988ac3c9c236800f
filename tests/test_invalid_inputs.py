"""Every public function refuses bad input with an error that names the argument.

:data:`ENTRY_POINTS` lists the public functions of ``thermo_helpers`` explicitly (the
names in each room's ``__all__`` and the public methods of the objects they return), in
the manner of scikit-learn's ``PARAM_VALIDATION_FUNCTION_LIST``; a test keeps the list
equal to the public surface.  Each entry carries ``@validate_params`` declarations, and for
every declared argument the test feeds the invalid values generated here from the
declaration (:func:`invalid_values`), one at a time, into a small valid call registered
in ``tests/invalid_examples/<module>.py``.  Each case must raise ``ValueError`` or
``TypeError`` whose message starts with the argument's name, within ``CASE_SECONDS`` and
under a small size limit (``THERMO_MAX_ELEMENTS``), so that a hang or a huge allocation
fails the case instead of stalling the run.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
import signal
from pathlib import Path

import numpy as np
import pytest

import thermo_helpers
from thermo_helpers import _validate, config, data
from thermo_helpers._validate import Constraint

#: The public functions, by the name a chapter uses (a re-export is listed once).
ENTRY_POINTS = [
    # activations
    "thermo_helpers.activations.activation_constants",
    "thermo_helpers.activations.gaussian_expectation",
    "thermo_helpers.activations.gaussian_moments",
    "thermo_helpers.activations.get_activation",
    "thermo_helpers.activations.matched_activation",
    # config
    "thermo_helpers.config.at_scale",
    "thermo_helpers.config.blas_threads",
    "thermo_helpers.config.dask_scheduler",
    "thermo_helpers.config.max_elements",
    "thermo_helpers.config.n_jobs",
    "thermo_helpers.config.progress_enabled",
    "thermo_helpers.config.scale",
    "thermo_helpers.config.setup",
    # data
    "thermo_helpers.data.sample_gaussian",
    "thermo_helpers.data.sample_sphere",
    # double_descent
    "thermo_helpers.double_descent.activation_rows",
    "thermo_helpers.double_descent.agreement_rows",
    "thermo_helpers.double_descent.check_minimum_at_infinity",
    "thermo_helpers.double_descent.checkmarks",
    "thermo_helpers.double_descent.crossover_lambda",
    "thermo_helpers.double_descent.curve_chi2",
    "thermo_helpers.double_descent.digits_curves",
    "thermo_helpers.double_descent.digits_summary",
    "thermo_helpers.double_descent.fixed_point_residual",
    "thermo_helpers.double_descent.interpolation_threshold",
    "thermo_helpers.double_descent.kernel_limit",
    "thermo_helpers.double_descent.kernel_limit_theory",
    "thermo_helpers.double_descent.lam_label",
    "thermo_helpers.double_descent.optimal_lambda",
    "thermo_helpers.double_descent.optimal_ridge_rows",
    "thermo_helpers.double_descent.paired_rows",
    "thermo_helpers.double_descent.reference_rows",
    "thermo_helpers.double_descent.rf_ridge_asymptotics",
    "thermo_helpers.double_descent.rf_ridge_draw",
    "thermo_helpers.double_descent.rf_ridge_simulation",
    "thermo_helpers.double_descent.rf_ridge_theory",
    "thermo_helpers.double_descent.ridge_path_errors",
    "thermo_helpers.double_descent.ridgeless_chi",
    "thermo_helpers.double_descent.risk_panel",
    "thermo_helpers.double_descent.simulation.RFRidgeSimulation.mean",
    "thermo_helpers.double_descent.simulation.RFRidgeSimulation.sem",
    "thermo_helpers.double_descent.stream_seed",
    "thermo_helpers.double_descent.trained.WidthSweep.final",
    "thermo_helpers.double_descent.trained_summary",
    "thermo_helpers.double_descent.trained_width_sweep",
    "thermo_helpers.double_descent.zero_width_risk",
    # features
    "thermo_helpers.features.relu_arccos_kernel",
    "thermo_helpers.features.rf_features",
    # lazy_mean_field
    "thermo_helpers.lazy_mean_field.design.DesignResult.part",
    "thermo_helpers.lazy_mean_field.design.DesignResult.select",
    "thermo_helpers.lazy_mean_field.design.DesignResult.seed_values",
    "thermo_helpers.lazy_mean_field.design_slopes",
    "thermo_helpers.lazy_mean_field.experiments.WidthStudy.per_run",
    "thermo_helpers.lazy_mean_field.experiments.WidthStudy.stack",
    "thermo_helpers.lazy_mean_field.init_params",
    "thermo_helpers.lazy_mean_field.linearise",
    "thermo_helpers.lazy_mean_field.mixture_network",
    "thermo_helpers.lazy_mean_field.network",
    "thermo_helpers.lazy_mean_field.network.Linearisation.features",
    "thermo_helpers.lazy_mean_field.network.Linearisation.loss_and_grad",
    "thermo_helpers.lazy_mean_field.network.Linearisation.predict",
    "thermo_helpers.lazy_mean_field.neuron_teacher",
    "thermo_helpers.lazy_mean_field.polynomial_floor",
    "thermo_helpers.lazy_mean_field.run_design",
    "thermo_helpers.lazy_mean_field.scaling",
    "thermo_helpers.lazy_mean_field.solve_reduced_pde",
    "thermo_helpers.lazy_mean_field.train",
    "thermo_helpers.lazy_mean_field.train_population",
    "thermo_helpers.lazy_mean_field.width_slopes",
    "thermo_helpers.lazy_mean_field.width_study",
    # max_margin
    "thermo_helpers.max_margin.activation_sweep",
    "thermo_helpers.max_margin.check_kkt",
    "thermo_helpers.max_margin.compare_row",
    "thermo_helpers.max_margin.conjecture_analysis",
    "thermo_helpers.max_margin.conjecture_sweep",
    "thermo_helpers.max_margin.curve_agreement",
    "thermo_helpers.max_margin.extrapolated_row",
    "thermo_helpers.max_margin.gordon_F2",
    "thermo_helpers.max_margin.kernel_max_margin_trial",
    "thermo_helpers.max_margin.label_error",
    "thermo_helpers.max_margin.linear_max_margin_asymptotics",
    "thermo_helpers.max_margin.linear_max_margin_simulation",
    "thermo_helpers.max_margin.mu0_analysis",
    "thermo_helpers.max_margin.linear_max_margin_trial",
    "thermo_helpers.max_margin.linear_separability_threshold",
    "thermo_helpers.max_margin.log_axis",
    "thermo_helpers.max_margin.max_margin",
    "thermo_helpers.max_margin.rf_max_margin_asymptotics",
    "thermo_helpers.max_margin.rf_max_margin_paired_trial",
    "thermo_helpers.max_margin.rf_max_margin_trial",
    "thermo_helpers.max_margin.rf_quantities_sampled",
    "thermo_helpers.max_margin.rf_separability_threshold",
    "thermo_helpers.max_margin.rf_theory_curve",
    "thermo_helpers.max_margin.sub_seeds",
    "thermo_helpers.max_margin.theory_extrapolation",
    "thermo_helpers.max_margin.threshold_row",
    # models
    "thermo_helpers.models.TrainResult.final",
    "thermo_helpers.models.f_nn",
    "thermo_helpers.models.f_nt",
    "thermo_helpers.models.f_rf",
    "thermo_helpers.models.n_params",
    # plotting
    "thermo_helpers.plotting.color",
    "thermo_helpers.plotting.label_axes",
    "thermo_helpers.plotting.simulation",
    "thermo_helpers.plotting.subplots",
    "thermo_helpers.plotting.theory",
    "thermo_helpers.plotting.use_style",
    # report
    "thermo_helpers.report.agrees",
    "thermo_helpers.report.fmt",
    "thermo_helpers.report.reference_table",
    "thermo_helpers.report.table",
    "thermo_helpers.report.verdict_interval",
    "thermo_helpers.report.verdict_p",
    "thermo_helpers.report.verdict_z",
    # representation
    "thermo_helpers.representation.aligned_rf_gap",
    "thermo_helpers.representation.asymptotic_risk",
    "thermo_helpers.representation.checks.chi2_row",
    "thermo_helpers.representation.checks.curve_check",
    "thermo_helpers.representation.checks.identity_check",
    "thermo_helpers.representation.checks.interval_row",
    "thermo_helpers.representation.checks.inverse_d_fit",
    "thermo_helpers.representation.checks.sgd_spread",
    "thermo_helpers.representation.checks.tolerance_row",
    "thermo_helpers.representation.checks.z_row",
    "thermo_helpers.representation.eigen_capture",
    "thermo_helpers.representation.identity_share",
    "thermo_helpers.representation.nn_flow_risk",
    "thermo_helpers.representation.nn_flow_task",
    "thermo_helpers.representation.nn_gradient_flow",
    "thermo_helpers.representation.nn_optimal_risk",
    "thermo_helpers.representation.nt_expected_risk",
    "thermo_helpers.representation.population_risk",
    "thermo_helpers.representation.quadratic_target",
    "thermo_helpers.representation.random_feature_risks",
    "thermo_helpers.representation.relu_network_risk",
    "thermo_helpers.representation.relu_nt_risk",
    "thermo_helpers.representation.relu_nt_solve",
    "thermo_helpers.representation.relu_rf_moments",
    "thermo_helpers.representation.relu_trained_risk",
    "thermo_helpers.representation.rf_asymptotic_risk",
    "thermo_helpers.representation.rf_coefficients",
    "thermo_helpers.representation.rf_identity_draw",
    "thermo_helpers.representation.rf_risk_and_identity",
    "thermo_helpers.representation.rf_schur_identity",
    "thermo_helpers.representation.sample_weights",
    "thermo_helpers.representation.sgd_from_initialisation",
    "thermo_helpers.representation.sgd_trained_risk",
    "thermo_helpers.representation.target.QuadraticTarget.variance",
    "thermo_helpers.representation.train_nn_sgd",
    # stats
    "thermo_helpers.stats.chi2_test",
    "thermo_helpers.stats.compare",
    "thermo_helpers.stats.crossing",
    "thermo_helpers.stats.limit_power_fit",
    "thermo_helpers.stats.linear_extrapolation",
    "thermo_helpers.stats.polynomial_extrapolation",
    "thermo_helpers.stats.loglog_slope",
    "thermo_helpers.stats.nan_mean_sem",
    "thermo_helpers.stats.paired_gap",
    "thermo_helpers.stats.standard_error",
    "thermo_helpers.stats.zscore",
    # sweep
    "thermo_helpers.sweep.SweepResult.mean",
    "thermo_helpers.sweep.SweepResult.sem",
    "thermo_helpers.sweep.map_tasks",
    "thermo_helpers.sweep.run_sweep",
    "thermo_helpers.sweep.task_rng",
]

#: Public functions that take no arguments (nothing to declare), with why they are public.
NO_ARGUMENTS = {
    "thermo_helpers.config.scale": "reads THERMO_SCALE",
    "thermo_helpers.config.progress_enabled": "reads THERMO_PROGRESS",
    "thermo_helpers.config.blas_threads": "reads THERMO_BLAS_THREADS",
    "thermo_helpers.config.n_jobs": "reads THERMO_N_JOBS",
    "thermo_helpers.config.max_elements": "reads THERMO_MAX_ELEMENTS",
    "thermo_helpers.config.dask_scheduler": "reads THERMO_DASK_SCHEDULER",
    "thermo_helpers.plotting.use_style": "applies the house matplotlib style",
}

CASE_SECONDS = 20
CASE_MAX_ELEMENTS = 10**7
EXAMPLES_DIR = Path(__file__).parent / "invalid_examples"
CHAPTERS = ("double_descent", "lazy_mean_field", "max_margin", "representation")


# ------------------------------------------------------------------ entry points
def _resolve(qual: str):
    """The function named ``qual``: a module attribute, or a method of a class in a module."""
    parts = qual.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise LookupError(qual)


def _public_modules():
    mods = [thermo_helpers]
    for info in pkgutil.walk_packages(thermo_helpers.__path__, prefix="thermo_helpers."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            mods.append(importlib.import_module(info.name))
    return mods


def public_surface() -> set[str]:
    """Functions named in the ``__all__`` of a room (a chapter package, not its files), of
    ``representation.checks``, and decorated public methods of classes in public modules.

    A function re-exported by another room is listed once, under the room that defines it.
    """
    names: dict = {}
    found = set()
    for mod in _public_modules():
        parts = mod.__name__.split(".")
        sub = len(parts) > 2 and parts[1] in CHAPTERS and mod.__name__ != "thermo_helpers.representation.checks"
        for name in () if sub else getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.isfunction(obj) and obj.__module__.startswith("thermo_helpers"):
                names.setdefault(obj, []).append(f"{mod.__name__}.{name}")
        for cls in vars(mod).values():
            if inspect.isclass(cls) and cls.__module__ == mod.__name__:
                for mname, meth in vars(cls).items():
                    if not mname.startswith("_") and hasattr(meth, "__thermo_params__"):
                        found.add(f"{mod.__name__}.{cls.__qualname__}.{mname}")
    for obj, quals in names.items():
        home = [q for q in quals if q.split(".")[1] == obj.__module__.split(".")[1]]
        found.add((home or quals)[0])
    return found


FUNCTIONS = {q: _resolve(q) for q in ENTRY_POINTS}


def _example_key(qual: str) -> tuple[str, str]:
    func = FUNCTIONS[qual]
    return qual.split(".")[1], func.__qualname__


def _examples(top: str) -> dict:
    path = EXAMPLES_DIR / f"{top}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"invalid_examples_{top}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.EXAMPLES


EXAMPLES = {top: _examples(top) for top in {q.split(".")[1] for q in ENTRY_POINTS}}


def _checked(func) -> dict:
    return {k: c for k, c in getattr(func, "__thermo_params__", {}).items() if c.kind != "Unchecked"}


def _example_kwargs(qual: str) -> dict:
    """A fresh valid call of ``qual`` (the registered dict, or what its factory returns)."""
    top, key = _example_key(qual)
    ex = EXAMPLES[top][key]
    return dict(ex() if callable(ex) else ex)


_CACHED: dict = {}


def _case_kwargs(qual: str) -> dict:
    """The valid call for one bad-input case: built once per function, arrays copied per case."""
    if qual not in _CACHED:
        _CACHED[qual] = _example_kwargs(qual)
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in _CACHED[qual].items()}


def _default(func, pname):
    return inspect.signature(func).parameters[pname].default


# ------------------------------------------------------------------ invalid values from declarations
def _nan_activation(t):
    return np.full(np.shape(t), np.nan)


def _scalar_activation(t):
    return 1.0


def _arrays(c: Constraint):
    """The array declarations inside ``c`` (itself, or the alternatives of an AnyOf)."""
    if c.kind == "Array":
        return [c]
    return [x for r in c.params.get("rules", ()) for x in _arrays(r)]


def shared_symbols(constraints: dict) -> set:
    """Shape symbols fixed by two or more declared arguments (or by an integer argument)."""
    count: dict = {}
    for c in constraints.values():
        for arr in _arrays(c)[:1]:
            for sym in {s for s in arr.params["shape"] or () if isinstance(s, str)}:
                count[sym] = count.get(sym, 0) + 1
    ints = {k for k, c in constraints.items() if c.kind == "Integer"}
    return {sym for sym, k in count.items() if k >= 2 or sym in ints}


def _bound_cases(b) -> list:
    gt, ge, lt, le = b
    out = []
    if gt is not None:
        out.append(("at exclusive lower bound", gt))
    if ge is not None:
        out.append(("below lower bound", ge - 1.0 if ge != 0 else -1.0))
    if lt is not None:
        out.append(("at exclusive upper bound", lt))
    if le is not None:
        out.append(("above upper bound", le + 1.0))
    return out


def _array_cases(p: dict, valid, shared) -> list:
    v = np.asarray(valid if valid is not None else [], dtype=float)
    if v.size == 0:
        v = np.ones((2,) * (p["ndim"] or 1))
    out = [("text string", "abc"), ("None", None), ("complex array", v.astype(complex) + 1j),
           ("object array", v.astype(object)), ("boolean array", v > 0)]
    if p["finite"]:
        for kind, i, bad in (("nan in array", 0, np.nan), ("inf in array", -1, np.inf)):
            w = v.copy()
            w.flat[i] = bad
            out.append((kind, w))
    if p["min_size"] >= 1:
        out.append(("empty array", np.zeros((0,) * max(p["ndim"] or 1, 1))))
    if p["ndim"] is not None:
        out.append(("wrong ndim", v[..., None]))
        if p["ndim"] >= 2:
            out.append(("wrong ndim (flattened)", v.ravel()))
    if p["shape"] is not None and v.ndim == len(p["shape"]):
        for axis, sym in enumerate(p["shape"]):
            if sym in shared and v.shape[axis] >= 2:
                out.append((f"shape mismatch on axis {axis}", np.take(v, range(v.shape[axis] - 1), axis=axis)))
                break
    if p["labels"]:
        for kind, val in (("label 0", 0.0), ("label 0.5", 0.5), ("label 2", 2.0)):
            w = v.copy()
            w[0] = val
            out.append((kind, w))
    return out


def _real_cases(p: dict) -> list:
    out = [("text string", "abc"), ("numeric string", "1.5"), ("None", None), ("bool", True), ("complex", 1 + 1j)]
    if p["finite"]:
        out += [("nan", float("nan")), ("inf", float("inf")), ("-inf", float("-inf")),
                ("overflowing integer", 10**400)]
    out += _bound_cases(p["bounds"])
    if p["array"]:
        out += [("empty array", np.array([])), ("complex array", np.array([1.0 + 1j])),
                ("object array", np.array([1.0, "a"], dtype=object))]
        if p["finite"]:
            out.append(("nan in array", np.array([1.0, np.nan])))
    else:
        out.append(("array for scalar", np.array([1.0, 2.0])))
    return out


_SEEDS = [("negative seed", -1), ("float seed", 1.5), ("bool", True), ("None", None), ("numeric string", "3"),
          ("huge integer", 10**30), ("legacy RandomState", np.random.RandomState(0))]
_FIXED = {
    "Seed": _SEEDS, "RNG": _SEEDS,
    "NJobs": [("n_jobs zero", 0), ("negative below -1", -3), ("float", 2.0), ("bool", True), ("numeric string", "2"),
              ("huge integer", 10**30)],
    "Boolean": [("integer for bool", 1), ("text for bool", "yes"), ("None", None)],
    "Text": [("number for text", 3), ("bytes for text", b"abc")],
    "OneOf": [("unknown option", "no-such-option"), ("non-string option", 3), ("None", None)],
    "Function": [("non-callable", 3), ("text for callable", "abs"), ("None", None)],
    "ActivationSpec": [("unknown activation", "swish-ish"), ("number for activation", 3), ("None", None),
                       ("activation returning nan", _nan_activation),
                       ("non-vectorised activation", _scalar_activation)],
    "Unchecked": [], "None": [],
}


def _passes(c: Constraint, value) -> bool:
    try:
        return c.reason("value", value, {}) is None
    except (ValueError, TypeError):
        return False


def invalid_values(c: Constraint, valid=None, shared=()) -> list[tuple[str, object]]:
    """``(kind, value)`` pairs that the declaration ``c`` must refuse.

    ``valid`` is a valid value of the argument (arrays are varied from it), ``shared``
    the shape symbols another argument of the same call also fixes.
    """
    p = c.params
    if c.kind in _FIXED:
        return list(_FIXED[c.kind])
    if c.kind == "Integer":
        out = [("float", 2.5), ("bool", True), ("numeric string", "3"), ("None", None), ("nan", float("nan")),
               ("complex", 1 + 0j)]
        if p["max"] is not None:
            out.append(("huge integer", 10**30))
        if p["min"] is not None:
            out.append(("below minimum", p["min"] - 1))
            if p["min"] >= 0:
                out.append(("negative", -1))
        if p["max"] is not None and p["max"] < 2**62:
            out.append(("above maximum", p["max"] + 1))
        return out
    if c.kind == "Array":
        return _array_cases(p, valid, shared)
    if c.kind == "Real":
        return _real_cases(p)
    if c.kind == "Instance":
        return [("wrong type (int)", 3)] + ([] if type(None) in p["types"] else [("None", None)])
    if c.kind == "AnyOf":
        cands = [kv for r in p["rules"] for kv in invalid_values(r, valid, shared)]
        return [(k, v) for k, v in cands if not any(_passes(r, v) for r in p["rules"])]
    if c.kind == "ListOf":
        out = [("text for list", "abc"), ("None", None), ("number for list", 3)]
        if p["min_len"]:
            out.append(("empty list", []))
        return out + [(f"list item: {k}", [v]) for k, v in invalid_values(p["item"])[:2]]
    return [("wrong type (int)", 3), ("None", None)]


def _cases():
    cases = []
    for qual, func in sorted(FUNCTIONS.items()):
        top, key = _example_key(qual)
        if key not in EXAMPLES.get(top, {}) or not _checked(func):
            continue
        valid = _case_kwargs(qual)
        shared = shared_symbols(func.__thermo_params__)
        for pname, c in _checked(func).items():
            value = valid[pname] if pname in valid else _default(func, pname)
            for kind, bad in invalid_values(c, value, shared):
                cases.append(pytest.param(qual, pname, kind, bad, id=f"{qual.removeprefix('thermo_helpers.')}"
                                                                       f"-{pname}-{kind}"))
    return cases


CASES = _cases()


# ------------------------------------------------------------------ watchdog
class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in the code swallows it."""


@pytest.fixture
def watchdog(monkeypatch):
    """A per-case alarm and a small size limit: hangs and huge allocations fail fast."""
    monkeypatch.setenv("THERMO_MAX_ELEMENTS", str(CASE_MAX_ELEMENTS))

    def on_alarm(signum, frame):
        raise _Timeout(f"no answer within {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(CASE_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        import matplotlib.pyplot as plt

        plt.close("all")


def _names_argument(message: str, pname: str) -> bool:
    """The message starts with the argument's name (``psi1 must be ...``, ``y[0] ...``), or with
    ``other and <name>`` for two arguments whose shapes disagree."""
    name = re.escape(pname)
    return re.match(rf"({name}|\w+ and {name})(?![A-Za-z0-9_])", message) is not None


# ------------------------------------------------------------------ the tests
def test_entry_points_are_the_public_surface():
    listed = set(ENTRY_POINTS)
    assert len(listed) == len(ENTRY_POINTS), "ENTRY_POINTS lists a name twice"
    surface = public_surface()
    assert not surface - listed, f"add to ENTRY_POINTS (and register an example): {sorted(surface - listed)}"
    assert not listed - surface, f"no longer public, drop from ENTRY_POINTS: {sorted(listed - surface)}"


def test_chapter_files_export_nothing_their_package_does_not():
    for mod in _public_modules():
        parts = mod.__name__.split(".")
        if len(parts) > 2 and parts[1] in CHAPTERS:
            package = importlib.import_module(".".join(parts[:2]))
            extra = [n for n in getattr(mod, "__all__", ()) if inspect.isfunction(getattr(mod, n))
                     and n not in package.__all__ and mod.__name__ != "thermo_helpers.representation.checks"]
            assert not extra, f"{mod.__name__} exports {extra}, which {package.__name__} does not"


def test_every_example_is_an_entry_point():
    keys = {_example_key(q) for q in ENTRY_POINTS}
    stale = [(top, k) for top, ex in EXAMPLES.items() for k in ex if (top, k) not in keys]
    assert not stale, f"examples of functions that are not public: {stale}"


@pytest.mark.parametrize("qual", ENTRY_POINTS)
def test_public_function_declares_its_arguments(qual):
    func = FUNCTIONS[qual]
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"]
    if qual in NO_ARGUMENTS:
        assert not params, f"{qual} is listed as taking no arguments but takes {[p.name for p in params]}"
        return
    declared = getattr(func, "__thermo_params__", None)
    assert declared is not None, f"{qual} has no @validate_params declarations"
    missing = [p.name for p in params if p.name not in declared]
    assert not missing, f"{qual}: undeclared arguments {missing} (declare them, or Unchecked('why'))"


@pytest.mark.parametrize("qual", sorted(q for q in ENTRY_POINTS if _checked(FUNCTIONS[q])))
def test_valid_example_call_runs(qual, watchdog):
    top, key = _example_key(qual)
    assert key in EXAMPLES[top], f"register a tiny valid call for {key!r} in tests/invalid_examples/{top}.py"
    FUNCTIONS[qual](**_example_kwargs(qual))


@pytest.mark.parametrize("qual, pname, kind, bad", CASES)
def test_bad_input_is_refused_naming_the_argument(qual, pname, kind, bad, watchdog):
    kwargs = _case_kwargs(qual)
    kwargs[pname] = bad
    try:
        out = FUNCTIONS[qual](**kwargs)
    except (ValueError, TypeError) as exc:
        assert _names_argument(str(exc), pname), f"the message does not start with {pname!r}: {exc}"
        return
    pytest.fail(f"{qual}({pname}={bad!r}) [{kind}] returned {out!r} instead of raising")


def test_the_suite_is_broad():
    kinds = {c.values[2] for c in CASES}
    assert len(kinds) >= 25, sorted(kinds)
    assert len(CASES) >= 200
    assert set(NO_ARGUMENTS) <= set(FUNCTIONS), set(NO_ARGUMENTS) - set(FUNCTIONS)


def test_every_public_module_has_dunder_all():
    missing = [m.__name__ for m in _public_modules()[1:] if not hasattr(m, "__all__")]
    assert not missing, f"define __all__ in {missing}"


V = _validate


@pytest.mark.parametrize("constraint", [
    V.Integer(min=1), V.Real(gt=0), V.Real(ge=0, le=0.5, array=True), V.Seed(), V.RNG(), V.NJobs(), V.Boolean(),
    V.OneOf("a", "b"), V.Function(), V.Array(ndim=2, shape=("n", "d")), V.Array(shape=("n",), labels=True),
    V.StepSize(), V.Text(), V.OrNone(V.Real()), V.ListOf(V.Text(), min_len=1), V.Instance(dict),
    V.AnyOf(V.OneOf("a"), V.Array(ndim=1)),
], ids=lambda c: c.description)
def test_each_constraint_refuses_its_own_invalid_values(constraint):
    valid = np.array([1.0, -1.0, 1.0]) if constraint.params.get("labels") else np.ones((3, 2))
    symbols = {"n": (2, "n", "n")}
    bad = invalid_values(constraint, valid)
    assert bad
    for kind, value in bad:
        if kind.startswith("shape mismatch"):
            continue  # needs a partner argument; covered by the generated cases
        with pytest.raises((ValueError, TypeError), match="^arg"):
            constraint.check("arg", value, dict(symbols) if kind.startswith("shape") else {})


def test_activation_declaration_refuses_its_invalid_values():
    from thermo_helpers.activations import ActivationSpec

    for kind, value in invalid_values(ActivationSpec()):
        with pytest.raises((ValueError, TypeError), match="^activation"):
            ActivationSpec().check("activation", value, {})


def test_message_names_a_real_number_for_text():
    with pytest.raises(TypeError, match="psi1 must be a real number > 0"):
        V.validate_params(psi1=V.Real(gt=0))(lambda psi1: psi1)("abc")


def test_shape_symbol_follows_an_integer_argument():
    f = V.validate_params(d=V.Integer(min=1), W=V.Array(shape=("N", "d")))(lambda d, W: W.shape)
    assert f(2, np.ones((3, 2))) == (3, 2)
    with pytest.raises(ValueError, match=r"^d and W disagree on dimension d: W.shape\[1\] = 2 but d = 3"):
        f(3, np.ones((3, 2)))


def test_non_finite_entries_keep_the_shape_of_an_array():
    f = V.validate_params(x=V.Array(shape=("m",)), y=V.Array(shape=("m",), finite=False, ge=0))(lambda x, y: 1)
    assert f(np.arange(4.0), np.array([1.0, np.nan, np.inf, 2.0])) == 1
    with pytest.raises(ValueError, match="^y must be"):
        f(np.arange(4.0), np.array([1.0, np.nan, -1.0, 2.0]))
    with pytest.raises(ValueError, match="^x and y disagree on dimension m"):
        f(np.arange(4.0), np.array([1.0, np.nan, 2.0]))


def test_checks_run_once_at_the_door_and_not_when_switched_off():
    calls = []
    inner = V.validate_params(x=V.Real(gt=0))(lambda x: calls.append(x) or x)
    outer = V.validate_params(x=V.Real(gt=0))(lambda x: inner(-x))
    before = V.COUNT[0]
    assert outer(2.0) == -2.0  # the nested call is not checked again
    assert V.COUNT[0] - before == 1
    with pytest.raises(ValueError, match="^x must be"):
        outer(-1.0)
    with V.checks_off():
        assert outer(-1.0) == 1.0
    assert V.COUNT[0] - before == 1


# ------------------------------------------------------------------ size guard
def test_size_guard_refuses_before_allocating(monkeypatch, watchdog):
    monkeypatch.delenv("THERMO_MAX_ELEMENTS")
    with pytest.raises(ValueError, match=r"sample_gaussian output \(n x d\) would need 1e\+14 .*GB.*THERMO_MAX"):
        data.sample_gaussian(10**7, 10**7, rng=0)
    monkeypatch.setenv("THERMO_MAX_ELEMENTS", "1e3")
    with pytest.raises(ValueError, match="THERMO_MAX_ELEMENTS = 1e\\+03"):
        data.sample_sphere(100, 11, rng=0)
    assert data.sample_sphere(100, 10, rng=0).shape == (100, 10)


def test_size_guard_default_and_limit():
    assert _validate.DEFAULT_MAX_ELEMENTS == config.DEFAULT_MAX_ELEMENTS == 400_000_000
    assert _validate.check_size("x", 10) == 10


# ------------------------------------------------------------------ environment variables
_BAD_ENV = {
    "THERMO_BLAS_THREADS": (config.blas_threads, ["two", "0", "1.5"]),
    "THERMO_N_JOBS": (config.n_jobs, ["0", "all", "-2"]),
    "THERMO_MAX_ELEMENTS": (config.max_elements, ["lots", "-5", "1.5", "inf"]),
    "THERMO_PROGRESS": (config.progress_enabled, ["maybe"]),
    "THERMO_SCALE": (config.scale, ["huge"]),
}
_ENV_CASES = [(var, value, reader) for var, (reader, values) in _BAD_ENV.items() for value in values]
_ENV_CASES += [(var, "x", lambda: config.setup(verbose=False)) for var in _BAD_ENV]  # setup reads them all


@pytest.mark.parametrize("var, value, reader", _ENV_CASES)
def test_bad_environment_variable_is_named(monkeypatch, var, value, reader):
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError, match=f"^{var} must be"):
        reader()


def test_environment_variables_accept_their_documented_forms(monkeypatch):
    for var, value, reader, want in [("THERMO_BLAS_THREADS", "3", config.blas_threads, 3),
                                     ("THERMO_N_JOBS", "-1", config.n_jobs, -1),
                                     ("THERMO_N_JOBS", " 4 ", config.n_jobs, 4),
                                     ("THERMO_MAX_ELEMENTS", "4e8", config.max_elements, 400_000_000),
                                     ("THERMO_PROGRESS", "off", config.progress_enabled, False),
                                     ("THERMO_PROGRESS", "Yes", config.progress_enabled, True)]:
        monkeypatch.setenv(var, value)
        assert reader() == want
    for var, reader, want in [("THERMO_BLAS_THREADS", config.blas_threads, 1), ("THERMO_N_JOBS", config.n_jobs, 2),
                              ("THERMO_MAX_ELEMENTS", config.max_elements, 400_000_000)]:
        monkeypatch.delenv(var, raising=False)
        assert reader() == want


# ------------------------------------------------------------------ divergence and non-finite results
def test_check_finite_training_names_the_step_size():
    from thermo_helpers.models import check_finite_training

    check_finite_training(0.1, np.ones(3), 2.0)
    with pytest.raises(ValueError, match="step_size") as err:
        check_finite_training(0.5, np.ones(3), np.array([1.0, np.inf]), step=7)
    assert isinstance(err.value, FloatingPointError) and "step 7" in str(err.value)


@pytest.mark.parametrize("activation", [lambda t: np.exp(t**2), lambda t: np.where(np.abs(t) > 20, np.nan, t)],
                         ids=["overflowing tails", "nan in the tails"])
def test_moments_of_an_activation_without_finite_moments_raise(activation):
    from thermo_helpers.activations import gaussian_moments

    with pytest.raises(ValueError, match="^activation"):
        gaussian_moments(activation)


def test_binding_matches_python_calls():
    @V.validate_params(a=V.Integer(), b=V.Real(), c=V.Boolean())
    def f(a, b=1.0, *, c=False, **kw):
        return a, b, c, kw

    assert f(1) == (1, 1.0, False, {})
    assert f(2, 3.0, c=True, extra=5) == (2, 3.0, True, {"extra": 5})
    assert f(b=2.0, a=4) == (4, 2.0, False, {})
    for args, kwargs, match in [((), {}, "missing"), ((1,), {"a": 2}, "multiple values"),
                                ((1, 2.0, 3), {}, "positional")]:
        with pytest.raises(TypeError, match=match):
            f(*args, **kwargs)
    g = V.validate_params(a=V.Integer())(lambda a: a)
    with pytest.raises(TypeError, match="unexpected keyword"):
        g(1, z=2)


def test_sweeps_refuse_an_rng_they_would_pass_twice():
    from thermo_helpers import sweep

    def task(x, *, rng):
        return x

    with pytest.raises(ValueError, match="^fixed must not repeat"):
        sweep.run_sweep(task, {"x": [1.0]}, seeds=1, base_seed=0, n_jobs=1, fixed={"rng": 3})
    with pytest.raises(ValueError, match="^fixed must not repeat"):
        sweep.run_sweep(task, {"x": [1.0]}, seeds=1, base_seed=0, n_jobs=1, fixed={"x": 3})
    with pytest.raises(ValueError, match="^grid must not sweep 'rng'"):
        sweep.run_sweep(task, {"rng": [1, 2]}, seeds=1, base_seed=0, n_jobs=1)
    with pytest.raises(ValueError, match="^kwargs_list must not contain 'rng'"):
        sweep.map_tasks(task, [{"x": 1.0, "rng": 2}], base_seed=0, n_jobs=1)
