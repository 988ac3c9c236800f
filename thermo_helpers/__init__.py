"""thermo_helpers: the code behind *thermo-book*.

One module per chapter (``two_layer``, ``double_descent``, ``max_margin``,
``representation``) plus small shared modules: ``activations``, ``data``,
``models`` (the function classes F_NN, F_NT, F_RF), ``plotting``, ``sweep``,
``report`` and ``config`` (the THERMO_SCALE switch).  Chapters import from
here; nothing here imports a chapter.
"""

__version__ = "0.1.0"
