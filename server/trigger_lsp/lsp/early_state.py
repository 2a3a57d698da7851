"""The server's state while lsp/early.py serves the first messages: the same documents, index
and analysis as the server's, with the protocol's side kept for the server to do."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from trigger_lsp.lint.engine import warm_up
from trigger_lsp.lsp.state import WARNING, ServerState, path_of
from trigger_lsp.lsp.wire import Locator, diagnostic_json
from trigger_lsp.text import Encoding

if TYPE_CHECKING:
    from trigger_lsp.lsp.documents import Document
    from trigger_lsp.lsp.early import Handover

ERROR = 1  # LSP's MessageType.Error


class EarlyState(ServerState):
    def __init__(
        self,
        encoding: str,
        pull: bool,
        refresh: bool,
        options: Any,
        handover: Handover,
        write: Any,
    ) -> None:
        super().__init__()
        self._encoding: Encoding = encoding  # type: ignore[assignment]
        self.pull_diagnostics = pull
        self.refresh_support = refresh
        self._initialization_options = options
        self.handover = handover
        self.write = write
        self.undiagnosed: set[str] = set()  # open documents whose diagnostics were not pulled
        self.apply_settings(options)  # loads the references, as the server's `initialized`
        warm_up()
        # As the server's `initialized` (see there), while there is little to look through.
        gc.collect()
        gc.freeze()

    # --- the messages served ---------------------------------------------------------------
    def did_open(self, item: dict[str, Any]) -> None:
        """As the server's didOpen, then its publish (which pull clients only index)."""
        uri = item["uri"]
        version = item.get("version")
        language = item.get("languageId")
        doc = self.store.open(
            uri,
            language if isinstance(language, str) else None,
            version if isinstance(version, int) else None,
            item["text"],
            path_of(uri),
        )
        if self.pull_diagnostics:
            self.index_open(doc)
            self.undiagnosed.add(uri)
        else:
            params: dict[str, Any] = {"uri": uri, "diagnostics": self.diagnostics(doc)}
            if doc.version is not None:
                params["version"] = doc.version
            self.notify("textDocument/publishDiagnostics", params)

    def pulled(self, uri: str, previous: Any) -> dict[str, Any]:
        """As the server's answer to textDocument/diagnostic."""
        doc = self.store.get(uri)
        self.undiagnosed.discard(uri)
        if doc is None:
            return {"kind": "full", "items": []}
        self.analyze(doc)
        result_id = str(doc.result_id)
        if previous == result_id:
            return {"kind": "unchanged", "resultId": result_id}
        return {"kind": "full", "resultId": result_id, "items": self.diagnostics(doc)}

    def diagnostics(self, doc: Document) -> list[dict[str, Any]]:
        if not self.settings.features.diagnostics:
            return []
        result = self.analyze(doc)
        locator = Locator(self.store, self.encoding)
        return [diagnostic_json(doc, f, self.kb, self.encoding, locator) for f in result.findings]

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.write({"jsonrpc": "2.0", "method": method, "params": params})

    # --- the protocol's side -------------------------------------------------------------------
    @property
    def encoding(self) -> Encoding:
        return self._encoding

    def show_once(self, message: str, kind: int = WARNING) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.notify("window/showMessage", {"type": kind, "message": f"trigger-lsp: {message}"})

    def log_once(self, message: str, kind: int = ERROR) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.notify("window/logMessage", {"type": kind, "message": message})

    def refresh_others(self, changed_uri: str) -> None:
        for other in self.store.all():
            if other.uri != changed_uri:
                other.analyzed_version = None
        self.handover.changed.add(changed_uri)
