"""An open document keeps its trigger sites per statement text (project/index.sites_for, in
the PieceCache's facts; issue 19: the code lenses of a 10,000-line file read them after each
keystroke): after each edit they must equal the sites read afresh from the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.pieces import PieceCache
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.project.index import sites_for

ROOT = Path(__file__).parent.parent
SOURCES = sorted(
    p
    for folder in (
        ROOT / "examples" / "src",
        ROOT / "tests" / "projects",
        ROOT / "tests" / "corpus",
    )
    for p in folder.rglob("*.ts")
    if "node_modules" not in p.parts and b"rigger(" in p.read_bytes()
)


def _versions(text: bytes) -> list[bytes]:
    """Lines added above (every site moves), a change inside the first trigger call's
    statement, the call renamed away (its site goes), a new import, and the text back."""
    at = text.index(b"rigger(")
    return [
        text,
        b"// a line\n// and another\n" + text,
        text[:at] + b"rigger( " + text[at + len(b"rigger(") :],
        text[:at] + b"ather(" + text[at + len(b"rigger(") :],
        b'import * as more from "./more";\n' + text,
        text,
    ]


def test_there_are_sources_with_sites() -> None:
    found = 0
    for path in SOURCES:
        tree = parse(path.read_bytes(), "typescript")
        found += len(sites_for(build_model(tree, "typescript"), path, Path("/project")))
    assert found > 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_sites_kept_per_statement_equal_fresh_ones(path: Path) -> None:
    root = Path("/project")
    cache = PieceCache()
    for version in _versions(path.read_bytes()):
        tree = parse(version, "typescript")
        fresh = sites_for(build_model(tree, "typescript"), path, root)
        kept = sites_for(build_model(tree, "typescript", cache), path, root)
        assert kept == fresh
