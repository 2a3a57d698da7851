"""A file the workspace indexer has just read from the disk and that the editor then opens with
the same text is not parsed and modelled a second time; any other text is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trigger_lsp.lsp.server import create_server

SOURCE = """import { task } from "@trigger.dev/sdk";

export const a = task({ id: "a", machine: "huge-1x", run: async () => {} });
"""


class Sink:
    def write(self, data: bytes) -> None:
        pass


def _server(root: Path) -> Any:
    server = create_server()
    protocol = server.protocol
    protocol.set_writer(Sink(), include_headers=False)
    params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
    message = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}
    protocol.handle_message(protocol.structure_message(message))
    return server


def _open(server: Any, path: Path, text: str) -> Any:
    item = {"uri": path.as_uri(), "languageId": "typescript", "version": 1, "text": text}
    message = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}
    server.protocol.handle_message(server.protocol.structure_message(message))
    doc = server.document(path.as_uri())
    assert doc is not None
    return doc


def test_opening_the_file_just_indexed_takes_its_parse(tmp_path: Path) -> None:
    path = tmp_path / "src" / "trigger" / "a.ts"
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE)
    server = _server(tmp_path)
    server.index_from_disk(path)
    read = server._last_read
    assert read is not None and read.path == path
    doc = _open(server, path, SOURCE)
    assert doc.built_model() is read.model and doc.tree is read.tree
    assert server._last_read is None  # handed over once
    # The analysis runs on that model and finds what a fresh parse finds.
    codes = [d.code for d in server.diagnostics_for(doc)]
    assert "invalid-machine-preset" in codes
    assert doc.result is not None and doc.result.model is read.model


def test_other_text_or_another_file_is_parsed_afresh(tmp_path: Path) -> None:
    path = tmp_path / "src" / "trigger" / "a.ts"
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE)
    server = _server(tmp_path)
    server.index_from_disk(path)
    read = server._last_read
    assert read is not None
    edited = SOURCE.replace("huge-1x", "small-1x")
    doc = _open(server, path, edited)  # unsaved changes in the editor
    assert doc.built_model() is None
    codes = [d.code for d in server.diagnostics_for(doc)]
    assert "invalid-machine-preset" not in codes

    server.index_from_disk(path)
    other = tmp_path / "src" / "trigger" / "b.ts"
    doc = _open(server, other, SOURCE)
    assert doc.built_model() is None
