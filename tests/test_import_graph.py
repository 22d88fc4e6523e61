"""The import graph of revinfo, read statically from every module's import statements: no
cycle, among module-level imports or counting the lazy ones inside functions, and the layering of test_architecture.py holds for every
import, lazy ones inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1] / "revinfo"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The revinfo module ``name`` is, or the package holding the attribute it names."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, top_level_only: bool) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # module level includes `if`/`try` blocks, not function bodies
        nodes = [n for stmt in tree.body for n in _outside_functions(stmt)]
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out |= {m for m in map(_resolve, names) if m and m != module}
    return out


def _outside_functions(node: ast.AST):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return
    if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _outside_functions(child)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read():
    graph = {m: _imports(m, True) for m in MODULES}
    assert "revinfo.calibrate.schema" in graph["revinfo.calibrate.store"]
    assert "revinfo.cli.output" in graph["revinfo.cli.entropy"]
    assert "revinfo.seeds" in graph["revinfo.tasks._common"]


def test_a_cycle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("top_level_only", [True, False], ids=["module-level", "all"])
def test_no_import_cycles(top_level_only):
    # "all" counts the imports inside functions too: a lazy import is no licence for a cycle
    graph = {m: _imports(m, top_level_only) for m in MODULES}
    assert _cycles(graph) == []


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("revinfo.estimate", ("revinfo.exact", "revinfo.tasks", "revinfo.flows", "revinfo.dist")),
    ("revinfo.exact", ("revinfo.estimate",)),
    ("revinfo.flows", ("revinfo.estimate", "revinfo.exact")),
    ("revinfo.registry", ("revinfo.",)),
    ("revinfo.seeds", ("revinfo.",)),
])  # fmt: skip
def test_layering_of_every_import(layer, forbidden):
    inside = [m for m in MODULES if m == layer or m.startswith(layer + ".")]
    leaks = {m: sorted(i for i in _imports(m, False) if i.startswith(forbidden)
                       and not (i == layer or i.startswith(layer + ".")))
             for m in inside}  # fmt: skip
    assert {m: v for m, v in leaks.items() if v} == {}
