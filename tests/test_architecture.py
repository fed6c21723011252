"""The layout docs/architecture.md describes: no import cycle (lazy imports included),
a CLI that calls only the library's entry points, click in the CLI alone, no module
grown past what a newcomer can read."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "wego_ical"
# Modules the CLI may import: the entry points, the wording of reports, the shared
# error and version names, and the limits its options are checked against.
CLI_MAY_IMPORT = {
    "pipeline", "targets", "report", "serve", "errors", "words", "limits", "__init__"
}  # fmt: skip
MAX_LINES = 520


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = [part for part in relative.parts if part != "__init__"]
    return ".".join(parts) or "__init__"


def _imports(path: Path) -> set[str]:
    """Every wego_ical module ``path`` imports, at any depth (lazy imports too), but
    for those under ``if TYPE_CHECKING:``, which never run."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wego_ical"):
            module = node.module.removeprefix("wego_ical").lstrip(".")
            if module:
                found.add(module)
            else:  # from wego_ical import x: a module, or the package itself
                found |= {a.name for a in node.names if _exists(a.name)} or {"__init__"}
    return found


def _exists(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}

    def resolve(name: str) -> str:
        return name if name in modules else name.split(".")[0]

    return {name: {resolve(i) for i in _imports(path)} - {name} for name, path in modules.items()}


def test_no_import_cycle() -> None:
    graph = _graph()
    # A package's __init__ re-exports its modules: importing the package is
    # importing them, which is not a cycle of its own.
    graph = {k: {d for d in v if not k.startswith(d + ".")} for k, v in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep] if dep in path else [node, dep]
                raise AssertionError(f"import cycle: {' → '.join(cycle)}")
            if dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_the_cli_calls_only_the_entry_points() -> None:
    imported = _imports(PACKAGE / "cli.py")
    assert imported <= CLI_MAY_IMPORT, sorted(imported - CLI_MAY_IMPORT)


def test_click_is_imported_by_the_cli_alone() -> None:
    users = sorted(
        _module_name(path)
        for path in PACKAGE.rglob("*.py")
        if any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                (getattr(node, "module", None) or alias.name).split(".")[0] == "click"
                for alias in node.names
            )
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert users == ["cli"]


def test_no_module_is_too_long_to_read() -> None:
    lengths = {
        _module_name(path): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
