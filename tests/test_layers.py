"""The layers of the package, read from its import statements (imports under `if
TYPE_CHECKING:` are left out: they never run): the protocol libraries (pygls, lsprotocol) are
imported in lsp/ only, the language server never imports the CLI, and the modules of lsp/
import one another without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "trigger_lsp"
PROTOCOL_LIBRARIES = ("pygls", "lsprotocol")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> set[str]:
    """Every module the file imports when it runs (at the top or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports(path) if m in files} - {name} for name, path in files.items()}


def test_only_lsp_imports_the_protocol_libraries() -> None:
    outside = {
        module_name(path): sorted(m for m in imports(path) if m.split(".")[0] in PROTOCOL_LIBRARIES)
        for path in PACKAGE.rglob("*.py")
        if not module_name(path).startswith("trigger_lsp.lsp")
    }
    assert {name: found for name, found in outside.items() if found} == {}


# (None left: file discovery moved from cli/runner.py to project/discovery.py.)
LSP_TO_CLI_PENDING: set[tuple[str, str]] = set()


def test_the_language_server_does_not_import_the_cli() -> None:
    edges = {
        (name, target)
        for name, targets in graph().items()
        if name.startswith("trigger_lsp.lsp")
        for target in targets
        if target.startswith("trigger_lsp.cli")
    }
    assert edges <= LSP_TO_CLI_PENDING


def test_the_modules_of_lsp_import_one_another_without_a_cycle() -> None:
    lsp = {n: {t for t in ts if t.startswith("trigger_lsp.lsp")} for n, ts in graph().items()}
    lsp = {n: ts for n, ts in lsp.items() if n.startswith("trigger_lsp.lsp")}
    # A package imports its modules: its __init__ is not a step of a cycle of theirs.
    for name, targets in lsp.items():
        targets.discard(name.rpartition(".")[0])
    done: set[str] = set()
    cycles: list[list[str]] = []

    def walk(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append([*path[path.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(lsp.get(name, ())):
            walk(target, [*path, name])
        done.add(name)

    for name in sorted(lsp):
        walk(name, [])
    assert cycles == []


def test_the_graph_is_read() -> None:
    """The checks above see the imports they are about (a parser that found none would pass)."""
    found = graph()
    assert "trigger_lsp.lsp.routes" in found["trigger_lsp.lsp.server"]
    assert "trigger_lsp.lsp.state" in found["trigger_lsp.lsp.sync"]
    assert "trigger_lsp.lsp.server" in found["trigger_lsp.lsp.early"]  # (inside a function)
    assert any(m.startswith("lsprotocol") for m in imports(PACKAGE / "lsp" / "routes.py"))
