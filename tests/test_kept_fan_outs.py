"""An open document keeps its fan-out places per statement text (project/index.fan_outs_for,
in the PieceCache's facts): after each edit they must equal the places read afresh from the
whole file. docs/architecture.md lists this cache; this is the test that guards it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO, repository_sources
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.pieces import PieceCache
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.project.index import fan_outs_for

ROOT = REPO
SOURCES = [p for p in repository_sources() if b"batchTrigger" in p.read_bytes()]


def _versions(text: bytes) -> list[bytes]:
    """Lines added above (every place moves), a change inside the first batch call's
    statement, the batch call renamed away (the place goes), and the text back again."""
    at = text.index(b"batchTrigger")
    return [
        text,
        b"// a line\n// and another\n" + text,
        text[:at] + b"batchTrigger" + text[at:].replace(b"(", b"( ", 1)[len(b"batchTrigger") :],
        text[:at] + b"otherCall" + text[at + len(b"batchTrigger") :],
        text,
    ]


def test_there_are_sources_with_fan_outs() -> None:
    root = Path("/project")
    found = 0
    for path in SOURCES:
        tree = parse(path.read_bytes(), "typescript")
        found += len(fan_outs_for(build_model(tree, "typescript"), path, root))
    assert found > 0


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fan_outs_kept_per_statement_equal_fresh_ones(path: Path) -> None:
    root = Path("/project")
    cache = PieceCache()
    for version in _versions(path.read_bytes()):
        tree = parse(version, "typescript")
        fresh = fan_outs_for(build_model(tree, "typescript"), path, root)
        kept = fan_outs_for(build_model(tree, "typescript", cache), path, root)
        assert kept == fresh
