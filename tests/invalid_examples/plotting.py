"""Valid example calls for thermo_helpers.plotting (see README.md)."""

import numpy as np


def _ax():
    import matplotlib.pyplot as plt

    plt.close("all")
    return plt.subplots()[1]


EXAMPLES = {
    "color": dict(i=2),
    "theory": lambda: dict(ax=_ax(), x=np.arange(3.0), y=np.arange(3.0) ** 2, label="t", color="k"),
    "simulation": lambda: dict(ax=_ax(), x=np.arange(3.0), mean=np.ones(3), sem=np.full(3, 0.1), label="s",
                               color="k", marker="o"),
    "label_axes": lambda: dict(ax=_ax(), xlabel="x", ylabel="y", title="t"),
    "subplots": dict(ncols=1, nrows=1, width=2.0, height=2.0),
}
