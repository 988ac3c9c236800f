"""Make ``hide_solutions`` also hide *gated* solutions.

sphinx-exercise's ``hide_solutions`` option drops plain ``{solution}``
directives, but the gated form (``{solution-start}`` ... ``{solution-end}``,
which this book uses so that solutions can contain code cells) is merged into a
solution node after that check and then stays in the page.  This transform
runs right after the merge and removes every solution node when
``hide_solutions`` is true, which is what the student edition needs.
"""

from __future__ import annotations

from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node


class RemoveSolutions(SphinxTransform):
    default_priority = 11  # after sphinx_exercise's MergeGatedSolutions (10)

    def apply(self) -> None:
        if not self.config.hide_solutions:
            return
        for cls in (solution_node, solution_start_node, solution_end_node):
            for node in list(self.document.findall(cls)):
                node.parent.remove(node)


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
