"""The JSON-RPC side of the server: pygls' protocol with its gaps filled (bad params answered,
notification futures forgotten, pygls' duplicate document store bypassed) and diagnostics
written without converting every diagnostic again on each keystroke."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import attrs
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification
from pygls.protocol.language_server import lsp_method

from trigger_lsp.knowledge.model import Knowledge
from trigger_lsp.lint.engine import Finding
from trigger_lsp.lsp import routes
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.wire import Locator, diagnostic_json
from trigger_lsp.text import Encoding

log = logging.getLogger(__name__)
DROPPED = "$/trigger-lsp/droppedRequest"  # what an answered bad request turns into
# Stands for the list of diagnostics in a message until their kept JSON is put in its place.
_ITEMS = f"trigger-lsp-items-{uuid.uuid4().hex}"


# Diagnostic's fields: (attribute, argument of its __init__).
_DIAGNOSTIC_FIELDS = tuple((a.name, str(a.alias or a.name)) for a in attrs.fields(lsp.Diagnostic))


def range_json(rng: lsp.Range) -> str:
    """The JSON text of a range, as json.dumps writes lsprotocol's unstructured range (a
    test holds the two equal), without the converter: a line added above moves hundreds of
    diagnostics at once."""
    start, end = rng.start, rng.end
    return (
        f'{{"start": {{"line": {start.line}, "character": {start.character}}}, '
        f'"end": {{"line": {end.line}, "character": {end.character}}}}}'
    )


def _clamp_change_positions(data: Any) -> None:
    """Positions are unsigned in LSP; a `didChange` with a negative line or character would
    fail to read and be dropped whole, leaving the server's text behind the editor's. As an
    editor validates a position (VS Code), a negative line means the start of the document
    and a negative character the start of the line; the edit is then applied."""
    if not isinstance(data, dict) or data.get("method") != "textDocument/didChange":
        return
    params = data.get("params")
    changes = params.get("contentChanges") if isinstance(params, dict) else None
    for change in changes if isinstance(changes, list) else ():
        rng = change.get("range") if isinstance(change, dict) else None
        for end in ("start", "end"):
            pos = rng.get(end) if isinstance(rng, dict) else None
            if not isinstance(pos, dict):
                continue
            line, character = pos.get("line"), pos.get("character")
            if isinstance(line, int) and line < 0:
                pos["line"], pos["character"] = 0, 0
            elif isinstance(character, int) and character < 0:
                pos["character"] = 0


class TriggerProtocol(LanguageServerProtocol):
    """Answers a request whose params do not fit its method with an InvalidParams error:
    pygls only logs such a request and drops it, which leaves the client waiting forever."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._json_of: dict[int, tuple[weakref.ref[lsp.Diagnostic], str]] = {}
        # A moved diagnostic (see `moved`) -> the one it was moved from, until written.
        self._moved_from: dict[int, tuple[weakref.ref[lsp.Diagnostic], lsp.Diagnostic]] = {}
        self._writes: set[asyncio.Future[Any]] = set()
        self.last_message_at = 0.0  # time.monotonic() of the last message from the client
        self.messages_in = 0  # messages from the client so far
        # A request answered before this protocol was loaded (lsp/early.py): its id, the answer
        # given, and what to do once pygls' own answer (dropped) is made.
        self._answered: tuple[Any, Any, Callable[[], None]] | None = None
        # The client's capabilities as it sent them in `initialize` (lsp/clients.py reads them)
        self.client_json: Any = None

    def answered(self, msg_id: Any, result: Any, then: Callable[[], None]) -> None:
        """The request `msg_id` was answered with `result` (JSON) already: drop pygls' answer,
        and warn when it differs, then call `then`."""
        self._answered = (msg_id, result, then)

    def _drop_answered(self, data: Any) -> bool:
        if self._answered is None or not hasattr(data, "result"):
            return False
        msg_id, given, then = self._answered
        if getattr(data, "id", None) != msg_id:
            return False
        self._answered = None
        ours = self._converter.unstructure(data.result)
        if ours != given:
            log.warning("answered %r early with %s; the server's answer: %s", msg_id, given, ours)
        then()
        return True

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Any:
        """pygls' answer, with the capabilities the route table offers this client (for
        example no pull diagnostics to a client that cannot be asked to pull again)."""
        result = yield from super().lsp_initialize(params)
        caps = routes.capabilities(
            params.capabilities, self._server._text_document_sync_kind, client_json=self.client_json
        )
        caps.position_encoding = result.capabilities.position_encoding
        self.server_capabilities = result.capabilities = caps
        return result

    def handle_message(self, msg: Any) -> None:
        self.last_message_at = time.monotonic()
        self.messages_in += 1
        super().handle_message(msg)

    def structure_message(self, data: dict[str, Any]) -> Any:
        _clamp_change_positions(data)
        if data.get("method") == lsp.INITIALIZE and isinstance(data.get("params"), dict):
            self.client_json = data["params"].get("capabilities")
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" not in data or "method" not in data or "error" in data:
                raise
            log.warning("invalid params for %s: %s", data.get("method"), exc.__cause__)
            error = JsonRpcInvalidParams.of(exc.__cause__ or exc).to_response_error()
            self._send_response(data["id"], None, error)
            return JsonRPCNotification(method=DROPPED, params=None, jsonrpc="2.0")

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """pygls files the future of every async or generator handler under its message id,
        but removes it only when answering a request: a notification (ids are fresh uuids) left
        one future behind each time, about 2 KB per keystroke. Forget it once it is done."""
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done: self._forget(msg_id, done))

    def _forget(self, msg_id: Any, future: Any) -> None:
        # A cancelled future is left alone: `shutdown` cancels them while iterating the map.
        if not future.cancelled() and self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]

    # --- document sync -----------------------------------------------------------------------
    # The server's DocumentStore keeps each open document's text with its syntax tree. pygls
    # would keep a second copy in its workspace and apply every change to it too (about 2 ms
    # per keystroke at 2,000 lines, in Python): these replace its built-in handlers and only
    # call ours.
    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: lsp.DidOpenTextDocumentParams) -> Any:
        yield from self._user_handler(lsp.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams) -> Any:
        yield from self._user_handler(lsp.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: lsp.DidCloseTextDocumentParams) -> Any:
        yield from self._user_handler(lsp.TEXT_DOCUMENT_DID_CLOSE, params)

    def _user_handler(self, method: str, params: Any) -> Any:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    # --- making and writing diagnostics ---------------------------------------------------------
    # A diagnostic is made as JSON by wire.diagnostic_json, as in the first answers, and read
    # into lsprotocol's Diagnostic here; its JSON text is kept by object identity, for as long
    # as the object lives (the documents hold their current diagnostics), since converting a
    # report to JSON (cattrs, then json) costs more than analysing an edit in a big file. A
    # finding that did not move keeps its Diagnostic object (Session.diagnostics), and a
    # message is the envelope with the kept texts put in.

    def diagnostic(
        self, doc: Document, finding: Finding, kb: Knowledge, enc: Encoding, locator: Locator
    ) -> lsp.Diagnostic:
        """The finding as a Diagnostic, made by wire.diagnostic_json; its JSON text kept."""
        data = diagnostic_json(doc, finding, kb, enc, locator)
        item: lsp.Diagnostic = self._converter.structure(data, lsp.Diagnostic)
        self._keep_json(item, json.dumps(data))
        return item

    def _keep_json(self, item: lsp.Diagnostic, text: str) -> str:
        # Forget the text when the diagnostic is freed (before its id can be reused).
        key = id(item)
        self._json_of[key] = (weakref.ref(item, partial(self._forget_json, key)), text)
        return text

    def _send_data(self, data: Any) -> None:
        if self._drop_answered(data):
            return
        body, writer = None, self.writer
        if writer is not None and self._include_headers:
            try:
                body = self.diagnostics_body(data)
            except Exception:  # pygls' own way still works
                log.exception("could not write diagnostics from their kept JSON")
        if body is None:
            super()._send_data(data)
            return
        header = (
            f"Content-Length: {len(body)}\r\n"
            f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        )
        assert writer is not None
        written = writer.write((header + body).encode(self.CHARSET))
        if inspect.isawaitable(written):  # an async transport: keep the write until done
            task = asyncio.ensure_future(written)
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    def diagnostics_body(self, data: Any) -> str | None:
        """The JSON text of a pulled report or a publishDiagnostics notification (what pygls
        would write), else None."""
        result = getattr(data, "result", None)
        params = getattr(data, "params", None)
        if isinstance(result, lsp.RelatedFullDocumentDiagnosticReport) and result.items:
            report = self._converter.unstructure(attrs.evolve(result, items=[]))
            report["items"] = _ITEMS
            envelope = {"id": data.id, "jsonrpc": data.jsonrpc, "result": report}
            items: Sequence[lsp.Diagnostic] = result.items
        elif isinstance(params, lsp.PublishDiagnosticsParams) and params.diagnostics:
            out = self._converter.unstructure(attrs.evolve(params, diagnostics=[]))
            out["diagnostics"] = _ITEMS
            envelope = {"method": data.method, "jsonrpc": data.jsonrpc, "params": out}
            items = params.diagnostics
        else:
            return None
        listed = "[" + ",".join(self._diagnostics_json(items)) + "]"
        return json.dumps(envelope).replace(f'"{_ITEMS}"', listed, 1)

    def moved(self, item: lsp.Diagnostic, line: int) -> lsp.Diagnostic:
        """The diagnostic with its range moved to start on `line`; its JSON text is then made
        from the original's, with the new range."""
        start, end = item.range.start, item.range.end
        rng = lsp.Range(
            lsp.Position(line, start.character),
            lsp.Position(line + end.line - start.line, end.character),
        )
        fields = {name: getattr(item, attr) for attr, name in _DIAGNOSTIC_FIELDS}
        fields["range"] = rng
        new = lsp.Diagnostic(**fields)  # (attrs.evolve looks the fields up each time: 4x)
        key = id(new)
        self._moved_from[key] = (weakref.ref(new, partial(self._forget_moved, key)), item)
        return new

    def _forget_moved(self, key: int, _freed: object) -> None:
        self._moved_from.pop(key, None)

    def _diagnostics_json(self, items: Sequence[lsp.Diagnostic]) -> list[str]:
        out = []
        kept = self._json_of
        for item in items:
            key = id(item)
            found = kept.get(key)
            if found is None or found[0]() is not item:
                out.append(self._keep_json(item, self._json(item)))
            else:
                out.append(found[1])
        return out

    def _json(self, item: lsp.Diagnostic) -> str:
        moved = self._moved_from.pop(id(item), None)
        if moved is not None and moved[0]() is item:
            base = self._json_of.get(id(moved[1]))
            if base is not None and base[0]() is moved[1]:
                # The JSON of a diagnostic starts with its range: swap that part.
                prefix = '{"range": ' + range_json(moved[1].range)
                if base[1].startswith(prefix):
                    return '{"range": ' + range_json(item.range) + base[1][len(prefix) :]
        return json.dumps(self._converter.unstructure(item))

    def _forget_json(self, key: int, _freed: object) -> None:
        self._json_of.pop(key, None)
