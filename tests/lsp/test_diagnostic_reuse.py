"""Typing on one line keeps the diagnostics of the other lines as they were (the same objects,
so their JSON is not written again), and converts afresh what the edit moved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trigger_lsp.lsp.server import create_server

SOURCE = """import { task } from "@trigger.dev/sdk";

export const a = task({ id: "a", machine: "huge-1x", run: async () => {} });
export const b = task({ id: "b", machine: "huge-2x", run: async () => {} });
"""


class Sink:
    def write(self, data: bytes) -> None:
        pass


def test_typing_on_a_line_keeps_the_diagnostics_of_the_lines_below(tmp_path: Path) -> None:
    server = create_server()
    protocol = server.protocol
    protocol.set_writer(Sink(), include_headers=False)  # type: ignore[arg-type]

    def send(message: dict[str, Any]) -> None:
        protocol.handle_message(protocol.structure_message({"jsonrpc": "2.0", **message}))

    caps = {"textDocument": {"diagnostic": {}}}
    params = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": caps}
    send({"id": 1, "method": "initialize", "params": params})
    uri = (tmp_path / "src" / "trigger" / "t.ts").as_uri()
    item = {"uri": uri, "languageId": "typescript", "version": 1, "text": SOURCE}
    send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    doc = server.document(uri)
    assert doc is not None
    before = {(d.range.start.line, d.code): d for d in server.diagnostics_for(doc)}
    presets = [key for key in before if key[1] == "invalid-machine-preset"]
    assert sorted(line for line, _ in presets) == [2, 3]

    at = {"line": 2, "character": 70}  # inside the run of task a, after its machine
    change = {"range": {"start": at, "end": at}, "text": " "}
    send(
        {
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
        }
    )
    after = {(d.range.start.line, d.code): d for d in server.diagnostics_for(doc)}
    assert after.keys() == before.keys()
    assert after[(3, "invalid-machine-preset")] is before[(3, "invalid-machine-preset")]
    assert after[(2, "invalid-machine-preset")] is before[(2, "invalid-machine-preset")]

    at = {"line": 2, "character": 0}  # before task a's machine: its columns move
    change = {"range": {"start": at, "end": at}, "text": "  "}
    send(
        {
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [change]},
        }
    )
    moved = {(d.range.start.line, d.code): d for d in server.diagnostics_for(doc)}
    assert moved[(3, "invalid-machine-preset")] is before[(3, "invalid-machine-preset")]
    shifted = moved[(2, "invalid-machine-preset")]
    assert shifted is not before[(2, "invalid-machine-preset")]
    old = before[(2, "invalid-machine-preset")].range
    assert shifted.range.start.character == old.start.character + 2


def test_a_line_added_above_moves_the_diagnostics_below(tmp_path: Path) -> None:
    """A line added above keeps each diagnostic below but for its range (moved down a line),
    and the JSON written for a moved diagnostic is the JSON of the diagnostic itself."""
    import json

    server = create_server()
    protocol = server.protocol
    protocol.set_writer(Sink(), include_headers=False)  # type: ignore[arg-type]

    def send(message: dict[str, Any]) -> None:
        protocol.handle_message(protocol.structure_message({"jsonrpc": "2.0", **message}))

    caps = {"textDocument": {"diagnostic": {}}}
    params = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": caps}
    send({"id": 1, "method": "initialize", "params": params})
    uri = (tmp_path / "src" / "trigger" / "t.ts").as_uri()
    item = {"uri": uri, "languageId": "typescript", "version": 1, "text": SOURCE}
    send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    doc = server.document(uri)
    assert doc is not None
    before = server.diagnostics_for(doc)
    protocol._diagnostics_json(before)  # written once, as a pull answer would be

    at = {"line": 1, "character": 0}
    change = {"range": {"start": at, "end": at}, "text": "// a new line\n"}
    send(
        {
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
        }
    )
    after = server.diagnostics_for(doc)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        if old.range.start.line >= 1:
            assert new is not old and new.range.start.line == old.range.start.line + 1
            assert (new.message, new.code, new.data) == (old.message, old.code, old.data)
            assert new.range.start.character == old.range.start.character
        else:
            assert new is old
    written = protocol._diagnostics_json(after)
    assert written == [json.dumps(protocol._converter.unstructure(d)) for d in after]
    # and a fresh conversion of the new text gives the same diagnostics
    fresh = create_server()
    fresh.protocol.set_writer(Sink(), include_headers=False)  # type: ignore[arg-type]
    fresh.protocol.handle_message(
        fresh.protocol.structure_message(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}
        )
    )
    text = doc.source.decode()
    item = {"uri": uri, "languageId": "typescript", "version": 1, "text": text}
    fresh.protocol.handle_message(
        fresh.protocol.structure_message(
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}
        )
    )
    other = fresh.document(uri)
    assert other is not None
    assert [
        json.dumps(fresh.protocol._converter.unstructure(d)) for d in fresh.diagnostics_for(other)
    ] == written
