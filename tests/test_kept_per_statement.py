"""An open document keeps what the index reads of it per statement text, in the PieceCache's
facts: its fan-out places (project/index.fan_outs_for) and its trigger sites (sites_for; issue
19: the code lenses of a 10,000-line file read them after each keystroke). After each edit
what is kept must equal what is read afresh from the whole file. docs/architecture.md lists
these caches; this is the test that guards them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, repository_sources
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.pieces import PieceCache
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.project.index import fan_outs_for, sites_for

PROJECT = Path("/project")


def _fan_out_versions(text: bytes) -> list[bytes]:
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


def _site_versions(text: bytes) -> list[bytes]:
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


@dataclass(frozen=True)
class Kept:
    name: str
    read: Callable[..., list[Any]]
    token: bytes  # the sources that have some
    versions: Callable[[bytes], list[bytes]]
    at_least: int  # found in the repository's sources

    def sources(self) -> list[Path]:
        return [p for p in repository_sources() if self.token in p.read_bytes()]


KINDS = [
    Kept("fan-outs", fan_outs_for, b"batchTrigger", _fan_out_versions, 1),
    Kept("sites", sites_for, b"rigger(", _site_versions, 11),
]
CASES = [(kind, path) for kind in KINDS for path in kind.sources()]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_there_are_sources_with_some(kind: Kept) -> None:
    found = 0
    for path in kind.sources():
        tree = parse(path.read_bytes(), "typescript")
        found += len(kind.read(build_model(tree, "typescript"), path, PROJECT))
    assert found >= kind.at_least


@pytest.mark.parametrize(
    ("kind", "path"), CASES, ids=[f"{k.name}:{p.relative_to(REPO)}" for k, p in CASES]
)
def test_kept_per_statement_equal_fresh_ones(kind: Kept, path: Path) -> None:
    cache = PieceCache()
    for version in kind.versions(path.read_bytes()):
        tree = parse(version, "typescript")
        fresh = kind.read(build_model(tree, "typescript"), path, PROJECT)
        kept = kind.read(build_model(tree, "typescript", cache), path, PROJECT)
        assert kept == fresh
