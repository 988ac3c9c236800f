"""thermo_helpers: the code behind *thermo-book*.

One room per chapter (``lazy_mean_field``, ``double_descent``, ``max_margin``,
``representation``) plus shared rooms: ``_validate`` (argument checks),
``activations`` (and their Gaussian constants), ``data`` (samplers),
``features`` (random features, the ReLU arc-cosine kernel), ``models`` (the
function classes F_NN, F_NT, F_RF and the one ``TrainResult``), ``stats``
(errors, z-scores, chi-square, fits), ``sweep`` (the only parallel runner),
``plotting``, ``report`` and ``config`` (run-time switches).  Chapter rooms
import shared rooms; shared rooms never import a chapter.
"""

__version__ = "0.1.0"
