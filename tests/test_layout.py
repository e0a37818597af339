"""The package's shape: no run-time import cycle, no oversized module, layers that point down.

The graph is read from the source (AST), so it sees every run-time import, including the lazy
ones inside functions; only imports under ``if TYPE_CHECKING:`` are left out. Importing
``a.b.c`` also runs ``a.b``, so an edge to a submodule counts as an edge to its package too
(unless the importing module lives in that package: the package has already started then).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "openrouter"
TOP = "openrouter"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from pkg import mod`` imports the submodule when there is one.
            found.update(f"{target}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


@cache  # parsing every module takes a while; the tests only read the graph
def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        # A module runs only once the packages it lives in have started importing.
        own_packages = {".".join(name.split(".")[:end]) for end in range(1, name.count(".") + 1)}
        for target in _runtime_imports(tree, name, path.name == "__init__.py"):
            parts = target.split(".")
            # The target and every package it lives in run on import.
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in modules and candidate not in (TOP, name, *own_packages):
                    edges.add(candidate)
        graph[name] = edges
    graph.pop(TOP, None)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def strong(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strong(node)
    return cycles


def _in_components(name: str) -> bool:
    return name == "openrouter.components" or name.startswith("openrouter.components.")


def test_no_import_cycle_outside_components() -> None:
    graph = {
        name: {t for t in edges if not _in_components(t)}
        for name, edges in import_graph().items()
        if not _in_components(name)
    }
    assert find_cycles(graph) == []


def test_the_cycle_finder_sees_a_lazy_import_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]


def test_type_checking_imports_do_not_count() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import openrouter.tools\n"
        "def f():\n    from openrouter import errors\n"
    )
    found = _runtime_imports(tree, "openrouter.x", False)
    assert "openrouter.errors" in found
    assert "openrouter.tools" not in found


@pytest.mark.parametrize("name", sorted(n for n in _modules() if not _in_components(n)))
def test_no_module_outside_components_is_over_600_lines(name: str) -> None:
    lines = len(_modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def _depends_on(name: str, prefixes: tuple[str, ...]) -> set[str]:
    return {t for t in import_graph()[name] if t.startswith(prefixes)}


def test_the_wire_layer_knows_nothing_of_responses() -> None:
    above = ("openrouter.components", "openrouter.resources", "openrouter._streaming")
    above += ("openrouter._result", "openrouter._accumulate", "openrouter._client")
    for name in (n for n in import_graph() if n.startswith("openrouter._wire")):
        assert _depends_on(name, above) == set(), name


def test_errors_import_nothing_of_the_sdk_at_run_time() -> None:
    assert {t for t in import_graph()["openrouter.errors"] if t.startswith("openrouter")} == set()


def test_the_readme_layout_names_every_module() -> None:
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Layout", 1)[1]
    named = set(re.findall(r"^- `([\w/]+\.py)`", section, flags=re.MULTILINE))
    actual = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")}
    assert named == actual, {"missing": actual - named, "gone": named - actual}
