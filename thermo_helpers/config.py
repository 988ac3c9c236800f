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
"""

from __future__ import annotations

import os
import sys
from typing import TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")

SCALES = ("book", "paper")


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


def at_scale(book: T, paper: T) -> T:
    """Pick ``book`` or ``paper`` according to :func:`scale`."""
    return paper if scale() == "paper" else book


def progress_enabled() -> bool:
    """Whether long loops should show a tqdm bar."""
    flag = os.environ.get("THERMO_PROGRESS")
    if flag is not None:
        return flag.strip() not in ("", "0", "false", "no")
    if os.environ.get("CI"):
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)()) or "ipykernel" in sys.modules


def blas_threads() -> int:
    """BLAS threads per process (``THERMO_BLAS_THREADS``, default 1)."""
    return max(1, int(os.environ.get("THERMO_BLAS_THREADS", "1")))


def n_jobs() -> int:
    """Default number of sweep workers (``THERMO_N_JOBS``, default 2).

    Raises
    ------
    ValueError
        If ``THERMO_N_JOBS`` is not a positive integer or ``-1``.
    """
    raw = os.environ.get("THERMO_N_JOBS", "2").strip() or "2"
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 and value != -1:
        raise ValueError(f"THERMO_N_JOBS must be a positive integer or -1, got {raw!r}")
    return value


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


def setup(verbose: bool = True) -> str:
    """Fix BLAS threads, apply the house plotting style and report the scale.

    Call once at the top of a chapter.  Returns the scale name.
    """
    from .plotting import use_style  # here, so that sweep workers never import matplotlib

    threadpool_limits(blas_threads())
    _inline_backend()
    use_style()
    s = scale()
    if verbose:
        print(f"scale = {s!r} (set THERMO_SCALE=paper for the talk's dimensions)")
    return s
