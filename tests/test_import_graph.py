"""The ehealth package's import graph: layered, and without cycles.

Every module of the package is parsed with ``ast`` (nothing is imported), so the test sees
imports inside functions and under ``if TYPE_CHECKING:`` too: an import that only a function
runs is still a dependency, and hiding a cycle in a function is the usual way one creeps in.

Two rules:

- Nothing under ``ehealth/services/`` or ``ehealth/content/`` imports an actor package (the
  blueprints: ``client``, ``therapist``, ``author``, ``admin``, ``auth``, ``api``, ``public``)
  or ``ehealth.app``: the operations and the module format know nothing of pages.
- The graph has no cycles. An edge is a written import: ``from a.b import c`` depends on the
  module ``a.b.c`` when that is a module, else on ``a.b``. The parent packages Python runs
  first (``ehealth/__init__.py`` for every module) are not edges: running a package's
  ``__init__`` before its submodules is how imports work, not a dependency the code chose,
  and counting it would make the one-line facade ``from ehealth import create_app`` a cycle
  with every module.

Migrations (``ehealth/migrations/``) are left out: peewee-migrate loads them by file path, and
their names (``001_initial``) cannot be imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "ehealth"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
ACTOR_PACKAGES = ("client", "therapist", "author", "admin", "auth", "api", "public")
LOWER_LAYERS = ("services", "content")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    """Every importable module of the package, by dotted name."""
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))
            if "migrations" not in path.relative_to(ROOT).parts}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from … import`` reads from."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    keep = len(base) - node.level + (1 if path.name == "__init__.py" else 0)
    prefix = ".".join(base[:keep])
    return f"{prefix}.{node.module}" if node.module else prefix


def _imports(module: str, path: Path, modules: set[str]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import written in the module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, path, node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield (submodule if submodule in modules else source), node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """Module → the package's modules it imports (→ the line of the first such import)."""
    modules = package_modules()
    names = set(modules)
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        for target, line in _imports(name, path, names):
            if target in names and target != name:
                graph[name].setdefault(target, line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (each a cycle or several)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle_path(graph: dict[str, dict[str, int]], group: list[str]) -> str:
    """One shortest cycle through the group's first module (breadth-first inside the group)."""
    members = set(group)
    start = group[0]
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return " → ".join([*reversed(path), start])
                if target in members and target not in parents:
                    parents[target] = node
                    following.append(target)
        frontier = following
    return " ↔ ".join(group)


def test_services_and_content_import_no_actor_package_and_not_the_app() -> None:
    forbidden = {f"{PACKAGE}.app", *(f"{PACKAGE}.{actor}" for actor in ACTOR_PACKAGES)}
    wrong = []
    for module, targets in import_graph().items():
        if not module.startswith(tuple(f"{PACKAGE}.{layer}" for layer in LOWER_LAYERS)):
            continue
        for target, line in targets.items():
            if any(target == bad or target.startswith(bad + ".") for bad in forbidden):
                wrong.append(f"{module} (line {line}) imports {target}")
    assert not wrong, "\n".join(wrong)


def describe(graph: dict[str, dict[str, int]], group: list[str]) -> str:
    """A group of modules that import each other: one cycle through it, and every import
    between its modules (each is a place where the cycle can be broken)."""
    members = set(group)
    edges = [f"    {module}:{line} imports {target}"
             for module in group for target, line in sorted(graph[module].items())
             if target in members]
    return "\n".join([f"{', '.join(group)}", f"  e.g. {_cycle_path(graph, group)}", *edges])


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    found = [describe(graph, group) for group in cycles(graph)]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_graph_counts_imports_inside_functions_and_resolves_relative_ones(
    tmp_path: Path,
) -> None:
    source = tmp_path / "routes.py"
    source.write_text("from . import forms\n"
                      "from ..services import answers, helper_name\n"
                      "def view():\n"
                      "    from ehealth.app import create_app\n")
    modules = {"ehealth.admin.forms", "ehealth.services.answers", "ehealth.services",
               "ehealth.app"}
    found = {name for name, _line in _imports("ehealth.admin.routes", source, modules)}
    assert found == {"ehealth.admin.forms", "ehealth.services.answers", "ehealth.services",
                     "ehealth.app"}
    # The app imports the blueprints inside register_blueprints: still an edge.
    assert "ehealth.admin" in import_graph()["ehealth.app"]


def test_the_cycle_finder_names_every_module_of_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert describe(graph, ["a", "b", "c"]).splitlines() == [
        "a, b, c", "  e.g. a → b → c → a",
        "    a:1 imports b", "    b:2 imports c", "    c:3 imports a"]
