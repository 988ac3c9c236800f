"""One house style for every figure of the book.

Theory is drawn as lines (:func:`theory`), simulation as markers with error
bars (:func:`simulation`).  Backgrounds are opaque white so that figures stay
readable when the site is shown in dark mode.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ._validate import Array, Instance, Integer, OrNone, Real, Text, validate_params

__all__ = ["PALETTE", "use_style", "color", "theory", "simulation", "label_axes", "subplots"]

_AX = AXES = Instance(mpl.axes.Axes, description="a matplotlib Axes")
_CURVE = Array(ndim=1, shape=("m",), finite=False)

#: The book's palette (colour-blind safe, after Okabe & Ito).
PALETTE: tuple = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.framealpha": 0.9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "errorbar.capsize": 2.5,
}


def use_style() -> None:
    """Apply the house style to matplotlib's global settings."""
    mpl.rcParams.update(_RC)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=list(PALETTE))


@validate_params(i=Integer())
def color(i: int) -> str:
    """The ``i``-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


@validate_params(ax=_AX, x=_CURVE, y=_CURVE, label=OrNone(Text()), color=OrNone(Text()))
def theory(ax, x, y, *, label: str | None = None, color: str | None = None, **kw):
    """Draw a theory curve as a solid line."""
    kw.setdefault("lw", 1.8)
    kw.setdefault("ls", "-")
    return ax.plot(np.asarray(x), np.asarray(y), label=label, color=color, **kw)


@validate_params(ax=_AX, x=_CURVE, mean=_CURVE, sem=OrNone(Array(ndim=1, shape=("m",), ge=0, finite=False)),
                 label=OrNone(Text()), color=OrNone(Text()), marker=Text())
def simulation(ax, x, mean, sem=None, *, label: str | None = None, color: str | None = None,
               marker: str = "o", **kw):
    """Draw simulation means as markers with +-1 standard-error bars."""
    kw.setdefault("ms", 5)
    kw.setdefault("capsize", 2.5)
    return ax.errorbar(np.asarray(x), np.asarray(mean), yerr=None if sem is None else np.asarray(sem),
                       fmt=marker, label=label, color=color, mfc="white", mew=1.4, lw=1.2, **kw)


@validate_params(ax=_AX, xlabel=Text(),
                 ylabel=Text(), title=OrNone(Text()))
def label_axes(ax, xlabel: str, ylabel: str, title: str | None = None) -> None:
    """Set axis labels (and a title) in one call."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)


@validate_params(ncols=Integer(min=1, max=12), nrows=Integer(min=1, max=12), width=Real(gt=0, le=50),
                 height=Real(gt=0, le=50))
def subplots(ncols: int = 1, nrows: int = 1, *, width: float = 6.4, height: float = 4.0, **kw):
    """``plt.subplots`` with the house size scaled to the panel count."""
    use_style()
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                        constrained_layout=True, **kw)
