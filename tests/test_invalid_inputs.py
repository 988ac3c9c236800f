"""Every public function refuses bad input with an error that names the argument.

The test discovers the public functions of ``thermo_helpers`` (the names in
each module's ``__all__``, plus the public methods of the classes listed
there), requires each to carry ``@validate_params`` declarations, and for
every declared argument feeds the invalid values its constraint generates,
one at a time, into a small valid call registered in
``tests/invalid_examples/<module>.py``.  Each case must raise ``ValueError`` or
``TypeError`` whose message starts with the argument's name, within
``CASE_SECONDS`` and under a small size limit (``THERMO_MAX_ELEMENTS``), so
that a hang or a huge allocation fails the case instead of stalling the run.
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
from thermo_helpers import _params, config, data
from thermo_helpers._params import Unchecked

#: Chapter modules whose public functions do not carry declarations yet.  Every
#: chapter room declares them now; a new room may be listed here while it is built.
PENDING: set[str] = set()

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


# ------------------------------------------------------------------ discovery
def _public_modules():
    mods = [thermo_helpers]
    for info in pkgutil.walk_packages(thermo_helpers.__path__, prefix="thermo_helpers."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        mods.append(importlib.import_module(info.name))
    return mods


def _top(module_name: str) -> str:
    parts = module_name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _discover():
    """``{qualified name: (function, example key, top module)}`` of every public function."""
    found = {}
    for mod in _public_modules():
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                if not obj.__module__.startswith("thermo_helpers"):
                    continue
                for mname, meth in vars(obj).items():
                    if mname.startswith("_") or not inspect.isfunction(meth):
                        continue
                    key = f"{obj.__qualname__}.{mname}"
                    found[f"{obj.__module__}.{key}"] = (meth, key, _top(obj.__module__))
            elif inspect.isfunction(obj) and obj.__module__.startswith("thermo_helpers"):
                found[f"{obj.__module__}.{obj.__qualname__}"] = (obj, obj.__qualname__, _top(obj.__module__))
    return found


FUNCTIONS = _discover()
COVERED = {q: v for q, v in FUNCTIONS.items() if v[2] not in PENDING}


def _examples(top: str) -> dict:
    path = EXAMPLES_DIR / f"{top}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"invalid_examples_{top}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.EXAMPLES


EXAMPLES = {top: _examples(top) for top in {v[2] for v in COVERED.values()}}


def _checked(func) -> dict:
    return {k: c for k, c in getattr(func, "__thermo_params__", {}).items() if not isinstance(c, Unchecked)}


def _example_kwargs(qual: str) -> dict:
    """A fresh valid call of ``qual`` (the registered dict, or what its factory returns)."""
    _, key, top = COVERED[qual]
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


def _cases():
    cases = []
    for qual, (func, key, top) in sorted(COVERED.items()):
        if key not in EXAMPLES.get(top, {}) or not _checked(func):
            continue
        valid = _case_kwargs(qual)
        shared = _params.shared_symbols(func.__thermo_params__)
        for pname, c in _checked(func).items():
            value = valid[pname] if pname in valid else _default(func, pname)
            for kind, bad in c.invalid_values(value, shared):
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
@pytest.mark.parametrize("qual", sorted(COVERED))
def test_public_function_declares_its_arguments(qual):
    func = COVERED[qual][0]
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"]
    if qual in NO_ARGUMENTS:
        assert not params, f"{qual} is listed as taking no arguments but takes {[p.name for p in params]}"
        return
    declared = getattr(func, "__thermo_params__", None)
    assert declared is not None, f"{qual} has no @validate_params declarations"
    missing = [p.name for p in params if p.name not in declared]
    assert not missing, f"{qual}: undeclared arguments {missing} (declare them, or Unchecked('why'))"


@pytest.mark.parametrize("qual", sorted(q for q in COVERED if _checked(COVERED[q][0])))
def test_valid_example_call_runs(qual, watchdog):
    func, key, top = COVERED[qual]
    assert key in EXAMPLES[top], f"register a tiny valid call for {key!r} in tests/invalid_examples/{top}.py"
    func(**_example_kwargs(qual))


@pytest.mark.parametrize("qual, pname, kind, bad", CASES)
def test_bad_input_is_refused_naming_the_argument(qual, pname, kind, bad, watchdog):
    func = COVERED[qual][0]
    kwargs = _case_kwargs(qual)
    kwargs[pname] = bad
    try:
        out = func(**kwargs)
    except (ValueError, TypeError) as exc:
        assert _names_argument(str(exc), pname), f"the message does not start with {pname!r}: {exc}"
        return
    pytest.fail(f"{qual}({pname}={bad!r}) [{kind}] returned {out!r} instead of raising")


def test_the_suite_is_broad():
    kinds = {c.values[2] for c in CASES}
    assert len(kinds) >= 25, sorted(kinds)
    assert len(CASES) >= 200
    assert set(NO_ARGUMENTS) <= set(FUNCTIONS), set(NO_ARGUMENTS) - set(FUNCTIONS)
    assert PENDING <= {m.__name__.split(".")[1] for m in _public_modules()[1:]}


def test_every_public_module_has_dunder_all():
    missing = [m.__name__ for m in _public_modules()[1:] if _top(m.__name__) not in PENDING
               and not hasattr(m, "__all__")]
    assert not missing, f"define __all__ in {missing}"


@pytest.mark.parametrize("constraint", [
    _params.Integer(min=1), _params.Real(gt=0), _params.Real(ge=0, le=0.5, array=True), _params.Seed(),
    _params.RNG(), _params.NJobs(), _params.Boolean(), _params.OneOf("a", "b"), _params.Function(),
    _params.ActivationSpec(), _params.Array(ndim=2, shape=("n", "d")), _params.Labels(shape=("n",)),
    _params.StepSize(), _params.Text(), _params.OrNone(_params.Real()), _params.ListOf(_params.Text(), min_len=1),
], ids=repr)
def test_each_constraint_refuses_its_own_invalid_values(constraint):
    valid = np.array([1.0, -1.0, 1.0]) if isinstance(constraint, _params.Labels) else np.ones((3, 2))
    symbols = {"n": (2, "test")} if isinstance(constraint, _params.Array) else {}
    bad = constraint.invalid_values(valid)
    assert bad
    for kind, value in bad:
        if kind.startswith("shape mismatch"):
            continue  # needs a partner argument; covered by the generated cases
        with pytest.raises((ValueError, TypeError), match="^arg"):
            constraint.check("arg", value, dict(symbols) if kind.startswith("shape") else {})


def test_message_names_a_real_number_for_text():
    with pytest.raises(TypeError, match="psi1 must be a real number > 0"):
        _params.validate_params(psi1=_params.Real(gt=0))(lambda psi1: psi1)("abc")


def test_shape_symbol_follows_an_integer_argument():
    f = _params.validate_params(d=_params.Integer(min=1), W=_params.Array(shape=("N", "d")))(lambda d, W: W.shape)
    assert f(2, np.ones((3, 2))) == (3, 2)
    with pytest.raises(ValueError, match=r"^d and W disagree on dimension d: W.shape\[1\] = 2 but d = 3"):
        f(3, np.ones((3, 2)))


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
    assert config.DEFAULT_MAX_ELEMENTS == 400_000_000
    assert _params.check_size("x", 10) == 10


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
    _params.check_finite_training(0.1, np.ones(3), 2.0)
    with pytest.raises(ValueError, match="step_size") as err:
        _params.check_finite_training(0.5, np.ones(3), np.array([1.0, np.inf]), step=7)
    assert isinstance(err.value, FloatingPointError) and "step 7" in str(err.value)


@pytest.mark.parametrize("activation", [lambda t: np.exp(t**2), lambda t: np.where(np.abs(t) > 20, np.nan, t)],
                         ids=["overflowing tails", "nan in the tails"])
def test_moments_of_an_activation_without_finite_moments_raise(activation):
    from thermo_helpers.activations import gaussian_moments

    with pytest.raises(ValueError, match="^activation"):
        gaussian_moments(activation)


def test_binding_matches_python_calls():
    @_params.validate_params(a=_params.Integer(), b=_params.Real(), c=_params.Boolean())
    def f(a, b=1.0, *, c=False, **kw):
        return a, b, c, kw

    assert f(1) == (1, 1.0, False, {})
    assert f(2, 3.0, c=True, extra=5) == (2, 3.0, True, {"extra": 5})
    assert f(b=2.0, a=4) == (4, 2.0, False, {})
    for args, kwargs, match in [((), {}, "missing"), ((1,), {"a": 2}, "multiple values"),
                                ((1, 2.0, 3), {}, "positional")]:
        with pytest.raises(TypeError, match=match):
            f(*args, **kwargs)
    g = _params.validate_params(a=_params.Integer())(lambda a: a)
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
