"""The layout docs/architecture.md describes: stages as packages, each importing only
the parts below it (type-only and lazy imports included), no import cycle, a CLI
that calls only the library's entry points, click in the CLI alone, a small top
level, no module grown past what a newcomer can read."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "wego_ical"
# The parts of wego_ical, bottom to top: a part imports only parts of the layers
# below its own (the base modules may also import each other).
LAYERS: list[set[str]] = [
    {"__init__", "catalogue", "errors", "files", "limits", "pieces", "words"},
    {"i18n", "lint"},
    {"model"},
    {"load"},
    {"plan"},
    {"render"},
    {"page"},
    {"publication"},
    {"output"},
    {"importing", "publish"},
    {"pipeline"},
    {"serve"},
    {"commands", "report"},
    {"cli"},
    {"__main__"},
]
BASE = LAYERS[0]
# What the CLI may import: the entry points, the wording of reports, the shared
# error and version names, and the limits its options are checked against.
CLI_MAY_IMPORT = {
    "pipeline", "commands", "report", "serve", "errors", "words", "limits", "catalogue", "__init__"
}  # fmt: skip
MAX_LINES = 520
MAX_PARAMETERS = 6
MAX_TOP_LEVEL_MODULES = 12


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = [part for part in relative.parts if part != "__init__"]
    return ".".join(parts) or "__init__"


def _is_module(name: str) -> bool:
    path = PACKAGE.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """Every wego_ical module ``path`` imports, at any depth: lazy imports and those
    under ``if TYPE_CHECKING:`` too (a type-only import upward is still a layer
    crossed the wrong way)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wego_ical"):
            module = node.module.removeprefix("wego_ical").lstrip(".")
            for alias in node.names:
                inner = f"{module}.{alias.name}".lstrip(".")
                found.add(inner if _is_module(inner) else module or "__init__")
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.removeprefix("wego_ical.")
                for alias in node.names
                if alias.name.startswith("wego_ical.")
            }
    return found


def _graph() -> dict[str, set[str]]:
    return {
        _module_name(path): _imports(path) - {_module_name(path)} for path in PACKAGE.rglob("*.py")
    }


def _layer(module: str) -> int:
    part = module.split(".")[0]
    for number, layer in enumerate(LAYERS):
        if part in layer:
            return number
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS")


def test_every_package_imports_only_the_layers_below_it() -> None:
    wrong = sorted(
        f"{module} imports {imported}"
        for module, imports in _graph().items()
        for imported in imports
        if module.split(".")[0] != imported.split(".")[0]
        and _layer(imported) >= _layer(module)
        and not (module.split(".")[0] in BASE and imported.split(".")[0] in BASE)
    )
    assert wrong == []


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


def test_every_package_says_what_it_owns_and_may_import() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import:" in docstring, init


def test_the_top_level_is_small() -> None:
    modules = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules


# The names of the files a build writes: only the catalogue of outputs spells them.
OUTPUT_NAMES = {
    "all.ics", "feeds.json", "index.html", "qrcode.js", "schedule.json", "schedule.xml",
    "changes.atom",
}  # fmt: skip


def test_no_output_file_name_is_spelled_outside_the_catalogue() -> None:
    found = sorted(
        f"{_module_name(path)}:{node.lineno}: {node.value!r}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "catalogue.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (
            node.value in OUTPUT_NAMES
            or node.value.startswith(("events/", "categories/"))
            or node.value.endswith(tuple(f"/{name}" for name in OUTPUT_NAMES))
        )
    )
    assert found == []


def test_the_cli_calls_only_the_entry_points() -> None:
    imported = {
        name.split(".")[0] for path in (PACKAGE / "cli").glob("*.py") for name in _imports(path)
    } - {"cli"}
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
    assert users and all(user.split(".")[0] == "cli" for user in users), users


def test_no_function_takes_more_than_six_parameters() -> None:
    """More travel in a settings object (ViewSettings, PublicationSettings, WatchPace…).
    A click command is exempt: its parameters are its options, which it gathers into
    one (BuildOptions)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any("command" in ast.unparse(d) for d in node.decorator_list):
                continue
            arguments = node.args
            names = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
            count = len(names) + len(arguments.kwonlyargs) - (names[:1] in (["self"], ["cls"]))
            if count > MAX_PARAMETERS:
                found.append(f"{_module_name(path)}.{node.name}: {count}")
    assert found == []


def test_no_module_is_too_long_to_read() -> None:
    lengths = {
        _module_name(path): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
