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
