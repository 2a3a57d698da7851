"""A file the workspace indexer has just read from the disk and that the editor then opens with
the same text is not parsed and modelled a second time; any other text is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lsp.in_process import InProcess

SOURCE = """import { task } from "@trigger.dev/sdk";

export const a = task({ id: "a", machine: "huge-1x", run: async () => {} });
"""


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[InProcess, Path, Any]:
    """A server that has just indexed src/trigger/a.ts from the disk, the file, the read."""
    path = tmp_path / "src" / "trigger" / "a.ts"
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE)
    driver = InProcess(tmp_path)
    driver.server.session.index_from_disk(path)
    read = driver.server.session._last_read
    assert read is not None and read.path == path
    return driver, path, read


def test_opening_the_file_just_indexed_takes_its_parse(indexed: tuple[InProcess, Path, Any]):
    driver, path, read = indexed
    doc = driver.open(path, SOURCE)
    assert doc.built_model() is read.model and doc.tree is read.tree
    assert driver.server.session._last_read is None  # handed over once
    # The analysis runs on that model and finds what a fresh parse finds.
    codes = [d.code for d in driver.server.diagnostics_for(doc)]
    assert "invalid-machine-preset" in codes
    assert doc.result is not None and doc.result.model is read.model


def test_other_text_or_another_file_is_parsed_afresh(indexed: tuple[InProcess, Path, Any]):
    driver, path, _ = indexed
    edited = SOURCE.replace("huge-1x", "small-1x")
    doc = driver.open(path, edited)  # unsaved changes in the editor
    assert doc.built_model() is None
    codes = [d.code for d in driver.server.diagnostics_for(doc)]
    assert "invalid-machine-preset" not in codes

    driver.server.session.index_from_disk(path)
    other = driver.open(path.with_name("b.ts"), SOURCE)
    assert other.built_model() is None
