"""A language server object driven in this process (no transport): messages go straight to
its protocol, and what it writes is dropped. For tests that inspect the server's state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.server import TriggerLanguageServer, create_server


class Sink:
    def write(self, data: bytes) -> None:
        pass


class InProcess:
    def __init__(self, root: Path, capabilities: dict[str, Any] | None = None) -> None:
        self.server: TriggerLanguageServer = create_server()
        self.protocol = self.server.protocol
        self.protocol.set_writer(Sink(), include_headers=False)  # type: ignore[arg-type]
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities or {}}
        self.send({"id": 1, "method": "initialize", "params": params})

    def send(self, message: dict[str, Any]) -> None:
        self.protocol.handle_message(self.protocol.structure_message({"jsonrpc": "2.0", **message}))

    def open(self, path: Path, text: str) -> Document:
        item = {"uri": path.as_uri(), "languageId": "typescript", "version": 1, "text": text}
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
        doc = self.server.session.document(path.as_uri())
        assert doc is not None
        return doc

    def change(self, doc: Document, version: int, line: int, character: int, text: str) -> None:
        """Insert `text` at a position."""
        at = {"line": line, "character": character}
        change = {"range": {"start": at, "end": at}, "text": text}
        params = {"textDocument": {"uri": doc.uri, "version": version}, "contentChanges": [change]}
        self.send({"method": "textDocument/didChange", "params": params})
