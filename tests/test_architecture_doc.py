"""docs/architecture.md states the layer order of the package and lists every import that
breaks it. This test reads the imports (at the top of a module and inside functions; those
under `if TYPE_CHECKING:` never run and are left out) and fails when an edge against the order
appears or a listed one goes: then the page and the code disagree, and one of them is fixed."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "server" / "trigger_lsp"

# The order of docs/architecture.md, "The layers": a package may import those before it.
LAYERS = {
    "trigger_lsp": 0,  # the package's __init__ (__version__)
    "text": 1,
    "analysis": 2,
    "knowledge": 3,
    "project": 4,
    "rules": 5,
    "lint": 6,
    "cli": 7,
    "lsp": 7,
    "__main__": 8,
}

# The table "What the imports really are" (importing module -> imported module).
DOCUMENTED = {
    ("trigger_lsp.knowledge.model", "trigger_lsp.project.versions"),
    ("trigger_lsp.knowledge.loader", "trigger_lsp.project.versions"),
    ("trigger_lsp.project.index", "trigger_lsp.rules.common"),
    ("trigger_lsp.cli.main", "trigger_lsp.lsp.early"),
    ("trigger_lsp.cli.main", "trigger_lsp.lsp.server"),
    ("trigger_lsp.cli.main", "trigger_lsp.lsp.explain"),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                targets = [f"{module}.{a.name}" for a in child.names] + [module]
            for target in targets:
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != name:
                    found.add(target)
                    break
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else parts[0]]


def test_the_imports_against_the_layer_order_are_the_documented_ones() -> None:
    known = _modules()
    against = {
        (name, target)
        for name, path in known.items()
        for target in _imports(name, path, known)
        if _layer(target) > _layer(name)
        or (
            _layer(target) == _layer(name) == LAYERS["lsp"]
            and name.split(".")[1] != target.split(".")[1]
        )
    }
    assert against == DOCUMENTED, (
        "update docs/architecture.md ('What the imports really are') and this test: "
        f"new {sorted(against - DOCUMENTED)}, gone {sorted(DOCUMENTED - against)}"
    )


def test_the_page_names_the_documented_edges() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, target in DOCUMENTED:
        importer = "/".join(name.split(".")[1:]) + ".py"  # knowledge/model.py
        imported = "/".join(target.split(".")[1:])  # project/versions
        assert f"`{importer}`" in page, importer
        assert imported in page, imported
