"""The session while lsp/early.py serves the first messages: the server's Session (the same
documents, index and analysis), with a client that writes JSON itself; the server takes the
session over."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from trigger_lsp.lint.engine import warm_up
from trigger_lsp.lsp.state import Session
from trigger_lsp.lsp.wire import diagnostic_json

if TYPE_CHECKING:
    from trigger_lsp.lsp.documents import Document
    from trigger_lsp.lsp.handover import Handover


class EarlyState:
    """The first answers' side of a session: its client until the server takes over."""

    def __init__(
        self,
        encoding: str,
        pull: bool,
        refresh: bool,
        options: Any,
        handover: Handover,
        write: Any,
    ) -> None:
        self.session = session = handover.session = Session(self)
        session.encoding = encoding  # type: ignore[assignment]
        session.pull_diagnostics = pull
        session._initialization_options = options
        self.refresh_support = refresh
        self.handover = handover
        self.write = write
        self.undiagnosed: set[str] = set()  # open documents whose diagnostics were not pulled
        session.apply_settings(options)  # loads the references, as the server's `initialized`
        warm_up()
        # What is loaded by now lives as long as the server: out of the collector's full
        # passes, as the server's `initialized` does (see there). The collector was off while
        # the engine loaded (lsp/early.py, serve_stdio: its passes took some 10 ms); one
        # collection now, before freezing, is still needed: besides the garbage (some 550
        # objects), it sets the count the collector weighs new objects against before a full
        # pass. Frozen without it, a 10,000-line document's first analysis ran full passes
        # over and over (first diagnostics 0.5 s -> 1.1 s).
        gc.collect()
        gc.freeze()
        gc.enable()

    # --- the messages served (by the Session, as the server's handlers do) ----------------------
    def did_open(self, item: dict[str, Any]) -> None:
        """As the server's didOpen (lsp/sync.py), then what its publish does (Session.settle:
        a client that pulls gets the document indexed; it waits for that pull here). (Not
        analysed now: a first analysis that puts the document's fan-outs in the index makes
        every document stale, itself included, and the pull analysed it again: 2,000 lines,
        85 ms of CPU instead of 48.)"""
        session = self.session
        version, language = item.get("version"), item.get("languageId")
        doc = session.open_document(
            item["uri"],
            language if isinstance(language, str) else None,
            version if isinstance(version, int) else None,
            item["text"],
        )
        if doc is None:
            return
        session.settle(doc, False, self._publish)
        if session.pull_diagnostics:
            self.undiagnosed.add(doc.uri)

    def _publish(self, doc: Document) -> None:
        params: dict[str, Any] = {"uri": doc.uri, "diagnostics": self.diagnostics(doc)}
        if doc.version is not None:
            params["version"] = doc.version
        self.notify("textDocument/publishDiagnostics", params)

    def pulled(self, uri: str, previous: Any) -> dict[str, Any]:
        """As the server's answer to textDocument/diagnostic (lsp/diagnostics.py)."""
        self.undiagnosed.discard(uri)
        answer = self.session.pull(uri, previous, self.diagnostics)
        if answer.result_id is None:
            return {"kind": "full", "items": []}
        if answer.items is None:
            return {"kind": "unchanged", "resultId": answer.result_id}
        return {"kind": "full", "resultId": answer.result_id, "items": answer.items}

    def diagnostics(self, doc: Document) -> list[dict[str, Any]]:
        """The diagnostics in JSON, made by the builder the server's are made by; none kept
        (the server takes its own over: documents here are analysed once)."""
        return self.session.diagnostics(doc, diagnostic_json)

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.write({"jsonrpc": "2.0", "method": method, "params": params})

    # --- the session's client ----------------------------------------------------------------
    def show_message(self, message: str, kind: int) -> None:
        self.notify("window/showMessage", {"type": kind, "message": message})

    def log_message(self, message: str, kind: int) -> None:
        self.notify("window/logMessage", {"type": kind, "message": message})

    def warm_later(self, uri: str) -> None:
        """(The server does it, once it has taken over.)"""

    def refresh_others(self, changed_uri: str) -> None:
        for other in self.session.store.all():
            if other.uri != changed_uri:
                other.analyzed_version = None
        self.handover.changed.add(changed_uri)
