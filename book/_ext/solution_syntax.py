"""How a chapter writes an exercise's solution: one set of patterns for every reader of it.

Used by the student edition (``hide_gated_solutions.py``, which cuts solutions out of every
file a reader can reach) and by the assignments (``book/make_assignments.py``, which turns
the code inside a solution into the reference answer), so that the two always agree on
where a solution starts and ends.

* a gated solution: a ``{solution-start} <label>`` directive (options allowed), the
  solution's prose and code cells, then a ``{solution-end}`` directive;
* a plain ``{solution}`` block;
* a code cell tagged ``solution``.

Fences are backticks or colons, three or more, and a directive closes with its own fence.
"""

from __future__ import annotations

import re

#: A ``{solution-start}`` directive; group ``label`` is its argument (the exercise's label).
START = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution-start\}[ \t]*(?P<label>[^\s`]*)[^\n]*\n.*?"
    r"^(?P=fence)[ \t]*$",
    re.S | re.M,
)
#: A ``{solution-end}`` directive.
END = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution-end\}[^\n]*\n(?:.*?\n)??(?P=fence)[ \t]*$",
    re.S | re.M,
)
#: A plain ``{solution}`` block, whole.
BLOCK = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)[ \t]*$", re.S | re.M)
#: A MyST code cell; group ``body`` holds its options and code.
CODE_CELL = re.compile(
    r"^(?P<fence>`{3,})\{code-cell\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.S | re.M,
)
#: The ``solution`` tag in a code cell's options.
SOLUTION_TAG = re.compile(r"^(?::tags:|tags:)[ \t]*\[[^\]\n]*\bsolution\b[^\]\n]*\]", re.M)
#: The directive names whose presence means a solution is still there.
MARKERS = ("{solution-start}", "{solution-end}", "{solution}")
