"""Run-time switches shared by every chapter.

* ``THERMO_SCALE`` = ``book`` (default; sized for CI and a laptop) or
  ``paper`` (the dimensions of the talk's figures).
* ``THERMO_PROGRESS`` = ``1`` / ``0`` forces progress bars on or off.  By
  default they show in an interactive session and stay off when ``CI`` is set
  or when the Makefile executes notebooks.
* ``THERMO_N_JOBS`` (default 2): worker processes of
  :mod:`thermo_helpers.sweep` when ``n_jobs`` is not given; a positive
  integer, or ``-1`` for every core.
* ``THERMO_BLAS_THREADS`` (default 1): BLAS threads per process.  Parallelism
  comes from :mod:`thermo_helpers.sweep` using processes instead, because
  multi-threaded OpenBLAS next to cvxpy's solvers was seen to slow numpy
  down by up to two orders of magnitude on this kind of machine.
* ``THERMO_DASK_SCHEDULER`` (unset by default): address of a running Dask
  scheduler, e.g. ``tcp://10.0.0.5:8786``.  When set, every
  :mod:`thermo_helpers.sweep` call runs on that cluster through joblib's
  Dask back end (with ``n_jobs`` ignored: the cluster's workers decide the
  parallelism).  The numbers are the same as on one machine.
* ``THERMO_MAX_ELEMENTS`` (default 4e8 float64 elements, about 3.2 GB): the
  size guard :func:`thermo_helpers._validate.check_size` refuses, before
  allocating, any array sized by a function's arguments beyond this count.
  An integer, also written as ``4e8``.

Every variable is checked when it is read: a value that is not one of the
documented forms raises :class:`ValueError` naming the variable.
"""

from __future__ import annotations

import os
import sys
from typing import TypeVar

from threadpoolctl import threadpool_limits

from ._validate import DEFAULT_MAX_ELEMENTS, Boolean, Unchecked, max_elements, validate_params  # noqa: F401 (re-exported)

T = TypeVar("T")

__all__ = ["SCALES", "scale", "at_scale", "progress_enabled", "blas_threads", "n_jobs", "max_elements",
           "setup", "dask_scheduler"]

SCALES = ("book", "paper")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def _env_int(var: str, default: int, *, minimum: int, allow_minus_one: bool = False) -> int:
    """Read an integer environment variable, refusing anything else by name."""
    raw = os.environ.get(var)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    try:
        value = int(text)
    except ValueError:
        value = None
    ok = value is not None and (value >= minimum or (allow_minus_one and value == -1))
    if not ok:
        want = f"an integer >= {minimum}" + (" or -1" if allow_minus_one else "")
        raise ValueError(f"{var} must be {want}, got {raw!r}")
    return value


def scale() -> str:
    """Return the active scale, ``"book"`` or ``"paper"``.

    Raises
    ------
    ValueError
        If ``THERMO_SCALE`` holds anything else.
    """
    value = os.environ.get("THERMO_SCALE", "book").strip().lower() or "book"
    if value not in SCALES:
        raise ValueError(f"THERMO_SCALE must be one of {SCALES}, got {value!r}")
    return value


@validate_params(book=Unchecked("any object"), paper=Unchecked("any object"))
def at_scale(book: T, paper: T) -> T:
    """Pick ``book`` or ``paper`` according to :func:`scale`."""
    return paper if scale() == "paper" else book


def progress_enabled() -> bool:
    """Whether long loops should show a tqdm bar."""
    flag = os.environ.get("THERMO_PROGRESS")
    if flag is not None:
        value = flag.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"THERMO_PROGRESS must be one of {_TRUE + _FALSE[1:]} (or empty), got {flag!r}")
    if os.environ.get("CI"):
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)()) or "ipykernel" in sys.modules


def blas_threads() -> int:
    """BLAS threads per process (``THERMO_BLAS_THREADS``, an integer >= 1, default 1)."""
    return _env_int("THERMO_BLAS_THREADS", 1, minimum=1)


def n_jobs() -> int:
    """Default joblib workers (``THERMO_N_JOBS``: an integer >= 1 or -1, default 2)."""
    return _env_int("THERMO_N_JOBS", 2, minimum=1, allow_minus_one=True)


_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def dask_scheduler() -> str | None:
    """Address of the Dask scheduler sweeps run on (``THERMO_DASK_SCHEDULER``), or ``None``.

    Returns
    -------
    str or None
        ``None`` when the variable is unset or empty: sweeps run locally.

    Raises
    ------
    ValueError
        If the value is not ``<scheme>://<host>[:<port>]`` with a scheme Dask
        knows (``tcp``, ``tls``, ``inproc``, ``ucx``, ``ws``, ``wss``).
    """
    raw = os.environ.get("THERMO_DASK_SCHEDULER", "").strip()
    if not raw:
        return None
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in _SCHEMES or not rest or any(c.isspace() for c in rest):
        raise ValueError(f"THERMO_DASK_SCHEDULER must be a scheduler address such as "
                         f"'tcp://host:8786' (schemes {_SCHEMES}), got {raw!r}")
    return raw


def _inline_backend() -> None:
    """Inside a Jupyter kernel, draw figures inline even if MPLBACKEND says Agg."""
    if "ipykernel" not in sys.modules:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython always comes with ipykernel
        return
    ip = get_ipython()
    if ip is not None and getattr(ip, "kernel", None) is not None:
        ip.run_line_magic("matplotlib", "inline")


@validate_params(verbose=Boolean())
def setup(verbose: bool = True) -> str:
    """Fix BLAS threads, apply the house plotting style and report the scale.

    Call once at the top of a chapter.  Returns the scale name.
    """
    from .plotting import use_style  # here, so that sweep workers never import matplotlib

    for read in (progress_enabled, n_jobs, max_elements):  # refuse a bad environment variable up front
        read()
    threadpool_limits(blas_threads())
    _inline_backend()
    use_style()
    s = scale()
    if verbose:
        print(f"scale = {s!r} (set THERMO_SCALE=paper for the talk's dimensions)")
    return s
