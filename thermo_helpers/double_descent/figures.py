"""Figures of the double-descent chapter: theory lines, simulated points and the zero-width value."""

from __future__ import annotations

import numpy as np

from .. import plotting
from .._validate import Array, Boolean, ListOf, OrNone, Real, Text, Unchecked, validate_params

__all__ = ["risk_panel", "lam_label"]


@validate_params(lam=Real(ge=0))
def lam_label(lam: float) -> str:
    """``$\\lambda = 0^+$`` for zero, else ``$\\lambda = <lam>$``."""
    return r"$\lambda = 0^+$" if lam == 0 else rf"$\lambda = {lam:g}$"


@validate_params(ax=plotting.AXES, x_theory=Array(ndim=1, gt=0), theory=Array(ndim=2, finite=False),
                 labels=ListOf(Text()), x_sim=OrNone(Array(ndim=1, gt=0)), sims=Unchecked("tuples of arrays and labels"),
                 r0=OrNone(Real()), xlabel=Text(), ylabel=Text(), title=OrNone(Text()), logy=Boolean(),
                 ylim=Unchecked("passed to Axes.set_ylim"), legend=Boolean())
def risk_panel(ax, x_theory, theory, labels, *, x_sim=None, sims=(), r0=None, xlabel=r"$N/n$",
               ylabel="test error", title=None, logy=True, ylim=None, legend=True) -> None:
    """Theory curves (lines), simulated points (markers with error bars) and the value at zero width.

    Parameters
    ----------
    ax : matplotlib Axes
    x_theory : array_like (T,)
    theory : array_like (T, C)
        One column per curve.
    labels : sequence of str (C,)
    x_sim : array_like (P,), optional
    sims : sequence of (mean (P, C), sem (P, C), marker, name)
        Simulated points; ``name`` is added to the legend once.
    r0 : float, optional
        ``R(0+)``: drawn as a grey dashed level with an arrow at the left edge.
    """
    theory = np.asarray(theory, dtype=float)
    for c, lab in enumerate(labels):
        plotting.theory(ax, x_theory, theory[:, c], color=plotting.color(c), label=lab)
    for j, (mean, sem, marker, name) in enumerate(sims):
        shift = 1.0 + 0.03 * (j - (len(sims) - 1) / 2)
        for c in range(theory.shape[1]):
            plotting.simulation(ax, np.asarray(x_sim) * shift, np.asarray(mean)[:, c], np.asarray(sem)[:, c],
                                color=plotting.color(c), marker=marker, label=name if c == 0 else None)
    if r0 is not None:
        ax.axhline(r0, color="0.55", ls="--", lw=0.9)
        ax.annotate(r"$R(0^+)$", xy=(x_theory[0], r0), xytext=(4, 4), textcoords="offset points", fontsize=9,
                    color="0.35")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.axvline(1.0, color="0.5", ls=":", lw=1)
    plotting.label_axes(ax, xlabel, ylabel, title)
    if legend:
        ax.legend(ncol=2)
