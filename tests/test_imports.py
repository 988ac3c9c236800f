"""The helper package's import graph: no cycle, and a validation module that imports no room.

Every ``import`` / ``from ... import`` statement of every module under
``thermo_helpers/`` is read from the source (also those inside functions, which run
later but still tie the modules together), resolved to the modules of the package it
names, and the resulting graph is searched for cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "thermo_helpers"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, is_package: bool, node: ast.AST) -> set[str]:
    """The package modules an import statement of ``module`` names."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in MODULES}
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    target = node.module if node.level == 0 else ".".join(x for x in (base, node.module) if x)
    found = {target} if target in MODULES else set()
    found |= {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES}
    return found


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                deps |= _resolve(name, path.name == "__init__.py", node)
        graph[name] = deps - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component with more than one module."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert "thermo_helpers._validate" in graph and len(graph) >= 30
    assert "thermo_helpers._validate" in graph["thermo_helpers.data"]
    assert "thermo_helpers.activations" in graph["thermo_helpers.models"]


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_helper_modules():
    found = cycles(import_graph())
    assert not found, f"import cycles: {found}"


def test_validation_module_imports_no_other_module_of_the_package():
    assert import_graph()["thermo_helpers._validate"] == set()
    text = (PACKAGE / "_validate.py").read_text()
    assert "from ." not in text and "import thermo_helpers" not in text


def test_validation_code_stays_small():
    lines = (PACKAGE / "_validate.py").read_text().splitlines()
    assert len(lines) <= 250, f"_validate.py has {len(lines)} lines (issue 19: at most 250)"
    assert not [p.name for p in PACKAGE.glob("_*.py") if p.name not in ("__init__.py", "_validate.py")]
