"""The language server: the server's state (lsp/state.py) with pygls; document sync,
diagnostics and the routing of requests.

Handlers are thin adapters: they find the document, call the engine or a feature module, and
convert the result to LSP types. All analysis goes through trigger_lsp.engine, as in the CLI.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from trigger_lsp import __version__
from trigger_lsp.analysis.syntax import is_source_path
from trigger_lsp.engine import MAX_FILE_BYTES, FileResult, warm_up
from trigger_lsp.lsp import code_actions
from trigger_lsp.lsp.convert import diagnostic
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.early import ClientWriter, Handover
from trigger_lsp.lsp.framing import MAX_BODY, decode
from trigger_lsp.lsp.protocol import TriggerProtocol
from trigger_lsp.lsp.settings import SECTION
from trigger_lsp.lsp.state import ServerState, path_of
from trigger_lsp.lsp.stdio import READ_SIZE, chunk_reader
from trigger_lsp.lsp.transport import Connection
from trigger_lsp.lsp.wire import Locator
from trigger_lsp.lsp.workspace import workspace_files  # (here: not while the first requests wait)
from trigger_lsp.positions import Encoding
from trigger_lsp.statements import warm_step

log = logging.getLogger(__name__)
MAX_INDEXED_FILES = 20_000
INDEX_PAUSE_S = 0.001  # before each file indexed in the background
# Statement findings are prepared in slices after a whole-file analysis; a request that arrives
# meanwhile waits for the end of the current slice.
WARM_SLICE_S = 0.003
WARM_PAUSE_S = 0.001  # between slices
WARM_IDLE_S = 0.005  # ...which wait until no message has come in for this long
# When task ids change, the other open documents are re-checked in one pass, in slices, once
# messages stop coming in (opening 800 documents that share an id re-checked every other one
# at each open: 43 s of CPU), but not later than this after the first change.
REFRESH_SLICE_S = 0.02
REFRESH_MAX_WAIT_S = 1.0


class TriggerLanguageServer(ServerState, LanguageServer):
    def __init__(self) -> None:
        ServerState.__init__(self)
        LanguageServer.__init__(
            self,
            "trigger-lsp",
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            protocol_cls=TriggerProtocol,
        )
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._index_task: asyncio.Task[None] | None = None
        self._indexed = False  # the workspace index is done (or not wanted)
        self._warming: set[str] = set()  # documents whose statement findings are being prepared
        self._handover: Handover | None = None  # from lsp/early.py
        self.connection: Connection | None = None  # the client's (see lsp/transport.py)
        self.token: str | None = None  # what a network client must send (serve --token-file)
        # Documents to publish again because task ids changed (an ordered set), the pass that
        # will, when the first of them was added, and whether pull clients are to be asked.
        self._stale: dict[str, None] = {}
        self._refresh: asyncio.TimerHandle | None = None
        self._stale_since = 0.0
        self._refresh_pull = False

    def _start_io_async(
        self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None
    ) -> None:
        """Serve stdin and stdout: the bytes read by the event loop itself when stdin is a pipe
        (see lsp/stdio.py), the messages taken out of them by lsp/framing.py and handed to
        pygls by lsp/transport.py. After lsp/early.py served the first messages, the frames it
        did not serve come first, then what its parser holds."""
        stop = self._stop_event = threading.Event()
        stream = stdin or sys.stdin.buffer
        self.protocol.set_writer(ClientWriter(stdout or sys.stdout.buffer))
        handover = self._handover
        if handover is not None:
            self.take_over(handover)
        connection = self.connection = Connection(self, stop)

        async def serve() -> None:
            read = await chunk_reader(stream, self.thread_pool)
            if handover is None:
                await connection.serve(read)
            else:
                await connection.serve(read, handover.parser, handover.frames)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("the client closed the connection; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client over TCP: the first connection that sends `initialize` is the
        server's client for the life of this process; any connection made while it is there is
        closed at once (it never sees the client's messages). A connection that goes before
        `initialize` (a port probe) leaves the server listening; when the client goes, the
        process ends. See editors/README.md (network transports)."""

        async def main() -> None:
            network = _OneClient(self)

            async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                connection = network.accept(writer)
                if connection is None:
                    writer.close()
                    return
                try:
                    await connection.serve(lambda: reader.read(READ_SIZE))
                except (ConnectionError, OSError) as exc:
                    log.warning("the connection failed: %s", exc)
                finally:
                    writer.close()
                    network.gone(connection)

            server = await asyncio.start_server(connected, host, port)
            async with server:
                await network.done

        self._serve_network(main)

    def start_ws(self, host: str, port: int) -> None:
        """Serve one client over WebSocket, as start_tcp does over TCP."""
        from pygls.io_ import WebSocketWriter
        from websockets.asyncio.server import ServerConnection, serve
        from websockets.exceptions import ConnectionClosed

        async def main() -> None:
            network = _OneClient(self)

            async def connected(websocket: ServerConnection) -> None:
                connection = network.accept(WebSocketWriter(websocket), headers=False)
                if connection is None:
                    await websocket.close(1013, "a client is connected to this server already")
                    return
                try:
                    while not connection.stop.is_set():
                        data = await websocket.recv(decode=False)
                        connection.dispatch(decode(data))
                except ConnectionClosed:
                    pass
                finally:
                    await websocket.close()
                    network.gone(connection)

            async with serve(connected, host, port, max_size=MAX_BODY):
                await network.done

        self._serve_network(main)

    def _serve_network(self, main: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run a network transport's loop until its one client is done, then shut down."""
        self._stop_event = threading.Event()
        try:
            asyncio.run(main())
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def take_over(self, handover: Handover) -> None:
        """Go on from the first answers (lsp/early.py): their state, and the answer to
        `initialize`, which pygls makes again, to be dropped."""
        if handover.state is not None:
            self.take_state(handover.state)
        if handover.initialize_result is not None:
            protocol = self.protocol
            assert isinstance(protocol, TriggerProtocol)
            protocol.answered(
                handover.initialize_id, handover.initialize_result, partial(self._resume, handover)
            )

    def _resume(self, handover: Handover) -> None:
        """Once `initialize` was read again: what the first answers left to do."""
        for doc in self.store.all():
            if doc.statements.pending is not None:
                self.warm_later(doc.uri)
        if len(handover.changed) == 1:
            self.refresh_others(next(iter(handover.changed)))
        elif handover.changed:
            self.refresh_others("")

    # --- the protocol's side of ServerState --------------------------------------------------
    @property
    def encoding(self) -> Encoding:
        value = str(self.workspace.position_encoding or "utf-16")
        return value if value in ("utf-8", "utf-16", "utf-32") else "utf-16"  # type: ignore[return-value]

    def show_once(self, message: str, kind: int = lsp.MessageType.Warning) -> None:
        if message in self._reported:
            return
        self._reported.add(message)
        self.window_show_message(
            lsp.ShowMessageParams(lsp.MessageType(kind), f"trigger-lsp: {message}")
        )

    def log_once(self, message: str, kind: int = lsp.MessageType.Error) -> None:
        if message in self._reported:
            return
        self._reported.add(message)
        log.info("%s", message)
        self.window_log_message(lsp.LogMessageParams(lsp.MessageType(kind), message))

    def warm_later(self, uri: str, delay: float = WARM_PAUSE_S) -> None:
        """After a whole-file analysis, prepare the per-statement findings that make the next
        edit cheap, a slice at a time, between requests."""
        if uri in self._warming:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving (a test driving the server object directly)
            return
        self._warming.add(uri)
        loop.call_later(delay, self._warm, uri)

    def _warm(self, uri: str) -> None:
        self._warming.discard(uri)
        doc = self.store.get(uri)
        if doc is None:
            return
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        if time.monotonic() - protocol.last_message_at < WARM_IDLE_S:
            self.warm_later(uri, WARM_IDLE_S)  # requests are coming in: they go first
        elif warm_step(doc.statements, WARM_SLICE_S):
            self.warm_later(uri)

    def analysed_at(
        self, uri: str, position: lsp.Position
    ) -> tuple[Document, int, FileResult] | None:
        """For hover and completion: the document, the byte offset of the position and the
        analysis, when the position exists and the file is a Trigger.dev file (or a config)."""
        from trigger_lsp.project.trigger_config import is_config_path

        doc = self.store.get(uri)
        if doc is None:
            return None
        offset = doc.offset(position, self.encoding)
        if doc.position(offset, self.encoding) != position:
            return None  # past the end of the line or the file
        result = self.analyze(doc)
        if result.skipped or result.tree is None or result.model is None:
            return None
        if not (result.is_trigger_file or is_config_path(doc.path)):
            return None
        return doc, offset, result

    def diagnostics_for(self, doc: Document) -> list[lsp.Diagnostic]:
        if not self.settings.features.diagnostics:
            return []
        result = self.analyze(doc)
        locator = Locator(self.store, self.encoding)
        enc, source, starts = self.encoding, doc.source, doc.lines.starts
        converted: dict[object, lsp.Diagnostic] = {}
        out = []
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        for f in result.findings:
            # A finding converts to the same diagnostic as before when it stands at the same
            # byte columns with the same text before it there (which sets UTF-16 and UTF-32
            # columns): typing on one line keeps the diagnostics of the other lines, and a
            # line added above moves them (a new range, the rest kept). A fix or related
            # locations are kept in bytes: then the finding itself is the key.
            what = f if f.fix is not None or f.related else (f.rule, f.severity, f.message)
            key = (
                what,
                f.start[1],
                f.end[1],
                f.end[0] - f.start[0],
                enc,
                source[starts[f.start[0]] : f.start_byte],
                source[starts[f.end[0]] : f.end_byte],
            )
            found = doc.converted.get(key)
            if found is None:
                found = diagnostic(doc, f, self.kb, enc, locator)
            elif found.range.start.line != f.start[0]:
                found = protocol.moved(found, f.start[0])
            if all(r.path == doc.path for r in f.related):  # other files may change meanwhile
                converted[key] = found
            out.append(found)
        doc.converted = converted
        return out

    # --- push diagnostics --------------------------------------------------------------------
    def schedule(self, doc: Document, delay_ms: int | None = None) -> None:
        """Publish (pull clients: analyse, to keep the index current) after the debounce."""
        timer = self._timers.pop(doc.uri, None)
        if timer is not None:
            timer.cancel()
        delay = (self.settings.debounce_ms if delay_ms is None else delay_ms) / 1000
        loop = asyncio.get_event_loop()
        self._timers[doc.uri] = loop.call_later(delay, self.publish, doc.uri, doc.version)

    def publish(self, uri: str, version: int | None) -> None:
        self._timers.pop(uri, None)
        doc = self.store.get(uri)
        if doc is None or doc.version != version:
            return  # closed, or a newer version is already scheduled
        if self.pull_diagnostics:  # the client asks for the findings; other files need the ids
            if self._indexed:
                self.analyze(doc)
            else:  # the first pull waits for the index, then analyses once
                self.index_open(doc)
            return
        diagnostics = self.diagnostics_for(doc)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri, diagnostics, doc.version)
        )

    def refresh_others(self, changed_uri: str) -> None:
        """Task ids changed: re-check the other open documents (duplicates, unknown ids), in
        one pass for any number of changes in a row (see `_refresh_step`)."""
        for other in self.store.all():
            if other.uri == changed_uri:
                continue
            other.analyzed_version = None
            if not self.pull_diagnostics:
                self._stale[other.uri] = None
        if self.pull_diagnostics:  # (only clients that can be asked to pull again pull)
            self._refresh_pull = True
        if not self._stale and not self._refresh_pull:
            return
        if self._refresh is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not serving (a test driving the server object directly)
                self._refresh_step(force=True)
                return
            self._stale_since = time.monotonic()
            self._refresh = loop.call_later(WARM_PAUSE_S, self._refresh_step)

    def _refresh_step(self, force: bool = False) -> None:
        """Publish the stale documents again, a slice at a time, once messages stop coming in
        (or REFRESH_MAX_WAIT_S after the first change): a burst of opens or edits that change
        ids then costs one pass over the others, not one per change."""
        self._refresh = None
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        now = time.monotonic()
        busy = now - protocol.last_message_at < WARM_IDLE_S
        if not force and busy and now - self._stale_since < REFRESH_MAX_WAIT_S:
            self._refresh = asyncio.get_running_loop().call_later(WARM_IDLE_S, self._refresh_step)
            return
        if self._refresh_pull:
            self._refresh_pull = False
            self.workspace_diagnostic_refresh(None)
        stop = time.perf_counter() + REFRESH_SLICE_S
        while self._stale:
            if not force and time.perf_counter() > stop:  # the rest after pending messages
                self._stale_since = time.monotonic()
                self._refresh = asyncio.get_running_loop().call_later(
                    WARM_PAUSE_S, self._refresh_step
                )
                return
            uri = next(iter(self._stale))
            del self._stale[uri]
            doc = self.store.get(uri)
            # (a publish already pending analyses afresh too: not postponed by the debounce)
            if doc is not None and uri not in self._timers:
                self.publish(uri, doc.version)

    # --- background index of the workspace --------------------------------------------------
    async def index_workspace(self) -> None:
        roots = [Path(p) for p in _workspace_roots(self)]
        left_out: list[str] = []
        try:
            count = 0
            for path in workspace_files(roots, self.resolver, left_out):
                if path is None:  # a folder walked: let requests in
                    await asyncio.sleep(0)
                    continue
                if count >= MAX_INDEXED_FILES:
                    left_out.append(f"the files after the first {MAX_INDEXED_FILES}")
                    break
                count += 1
                # Before each file, let requests in: the documents an editor opens right after
                # start are then read from the editor, not from the disk as well. (Sleeping, not
                # just yielding, also lets a thread reading the messages take the interpreter.)
                await asyncio.sleep(INDEX_PAUSE_S)
                if self.store.get(path.as_uri()) is None:
                    try:
                        self.index_from_disk(path)
                    except Exception as exc:  # a broken file must not stop indexing
                        self.log_once(f"indexing {path} failed: {exc}")
            if left_out:  # (rules that compare files may then miss a task defined there)
                text = f"the workspace index left out {'; '.join(left_out)}"
                log.warning("%s", text)
                self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Warning, text))
            # The ids by project, which every document asks for once the index is complete:
            # gathered in a step of their own, not in the answer to the next request.
            self.index.ids()
            await asyncio.sleep(INDEX_PAUSE_S)
        finally:
            self._indexed = True  # (also when the walk fails)
        self.index.complete = True
        self.refresh_others("")


class _OneClient:
    """The connections of a network transport: the first to initialize is the client."""

    def __init__(self, server: TriggerLanguageServer) -> None:
        self.server = server
        self.client: Connection | None = None
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def accept(self, writer: Any, headers: bool = True) -> Connection | None:
        if self.client is not None or self.done.done():
            log.warning("refused a connection: a client is connected to this server already")
            return None
        return Connection(self.server, writer=writer, headers=headers, claim=self._claim)

    def _claim(self, connection: Connection, initialize: dict[str, Any]) -> str | None:
        if self.client is not None:
            return "another client is connected to this server"
        token = self.server.token
        if token is not None:
            params = initialize.get("params")
            options = params.get("initializationOptions") if isinstance(params, dict) else None
            given = options.get("token") if isinstance(options, dict) else None
            if not isinstance(given, str) or not hmac.compare_digest(
                given.encode("utf-8", "surrogatepass"), token.encode("utf-8", "surrogatepass")
            ):
                log.warning("refused a client: no token, or not the one in --token-file")
                return "this server needs the token of its --token-file in initializationOptions"
        self.client = self.server.connection = connection
        self.server.protocol.set_writer(connection.writer, include_headers=connection.headers)
        return None

    def gone(self, connection: Connection) -> None:
        if connection is self.client and not self.done.done():
            self.done.set_result(None)


def pulls(caps: lsp.ClientCapabilities) -> bool:
    """Whether the client pulls diagnostics: when it can pull and can be asked to pull again.
    A client that cannot be asked again (Neovim 0.11) gets them published instead: it would
    otherwise keep a first answer made before the workspace index was complete until the next
    edit, or the first answer would have to wait for the index (seconds)."""
    text, ws = caps.text_document, caps.workspace
    can_pull = bool(text and text.diagnostic)
    return can_pull and bool(ws and ws.diagnostics and ws.diagnostics.refresh_support)


def _workspace_roots(server: LanguageServer) -> list[str]:
    roots = []
    for folder in server.workspace.folders.values():
        path = to_fs_path(folder.uri)
        if path:
            roots.append(path)
    if not roots and server.workspace.root_path:
        roots.append(server.workspace.root_path)
    return [r for r in roots if Path(r).is_dir()]


def create_server() -> TriggerLanguageServer:
    server = TriggerLanguageServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: TriggerLanguageServer, params: lsp.InitializeParams) -> None:
        ls.pull_diagnostics = pulls(params.capabilities)
        # Validating settings needs the references; load them after the answer has gone out.
        ls._initialization_options = params.initialization_options

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: TriggerLanguageServer, params: lsp.InitializedParams) -> None:
        ls.apply_settings(ls._initialization_options)  # loads the references
        warm_up()  # the rule modules and the syntax queries, before the first document
        # What is loaded by now lives as long as the server: keep it out of the collector's
        # full passes, which would otherwise scan it again and again (pauses of tens of ms).
        # Collect first: garbage frozen now would never be freed. (Unless the first answers
        # ran: their state collected before pygls loaded, which leaves none, and a collection
        # now would keep the first requests waiting some 20 ms.)
        if ls._handover is None or ls._handover.state is None:
            gc.collect()
        gc.freeze()
        # Documents opened meanwhile are checked at once with the project files and the
        # settings known so far, never held for the client's settings: when these change the
        # result, the documents are checked again (published again, or pulled again).
        ws = ls.client_capabilities.workspace
        if ws is not None and ws.configuration:
            before = ls.settings
            await _pull_configuration(ls)
            if ls.settings != before:
                ls.refresh_others("")
        if ls.settings.index_workspace:
            ls._index_task = asyncio.ensure_future(ls.index_workspace())
        else:
            ls.index.complete = False
            ls._indexed = True

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: TriggerLanguageServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        ws = ls.client_capabilities.workspace
        if ws is not None and ws.configuration:
            await _pull_configuration(ls)
        elif params.settings is not None:
            ls.apply_settings(params.settings)
        ls.refresh_others("")

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TriggerLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        if ls.too_large(item.uri, item.text):
            return
        doc = ls.store.open(item.uri, item.language_id, item.version, item.text, path_of(item.uri))
        ls.adopt_last_read(doc)
        ls.schedule(doc, delay_ms=0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TriggerLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        doc = ls.store.get(params.text_document.uri)
        if doc is None:
            return
        version = params.text_document.version
        if version is not None and doc.version is not None and version <= doc.version:
            log.warning("ignoring out-of-order change %s <= %s", version, doc.version)
            return
        for change in params.content_changes:
            doc.apply(change, ls.encoding)
        doc.version = version
        if len(doc.source) > MAX_FILE_BYTES:  # no longer checked (reopen it once smaller)
            ls.too_large(doc.uri, doc.source.decode("utf-8", "replace"))
            if not ls.pull_diagnostics:
                ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(doc.uri, []))
            return
        ls.schedule(doc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TriggerLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        doc = ls.store.close(params.text_document.uri)
        timer = ls._timers.pop(params.text_document.uri, None)
        if timer is not None:
            timer.cancel()
        if not ls.pull_diagnostics:
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(params.text_document.uri, [])
            )
        if doc is not None and doc.path is not None:
            if doc.path.is_file():  # the file on disk is what the project sees now
                if ls.index_from_disk(doc.path):
                    ls.refresh_others(doc.uri)
            else:
                ls.index.remove(doc.path)
                ls.refresh_others(doc.uri)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(
        ls: TriggerLanguageServer, params: lsp.DidChangeWatchedFilesParams
    ) -> None:
        ls.resolver.clear()  # package.json, trigger.config or .trigger-lsp.yaml may have changed
        ls.index.forget_aliases()  # and tsconfig.json
        for change in params.changes:
            path = path_of(change.uri)
            if path is None or ls.store.get(change.uri) is not None:
                continue
            if change.type == lsp.FileChangeType.Deleted:
                ls.index.remove(path)
            elif is_source_path(path) and path.is_file():
                ls.index_from_disk(path)
        ls.refresh_others("")

    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(
            identifier="trigger-lsp", inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    async def pull_diagnostics(
        ls: TriggerLanguageServer, params: lsp.DocumentDiagnosticParams
    ) -> lsp.DocumentDiagnosticReport:
        doc = ls.store.get(params.text_document.uri)
        if doc is None:
            return lsp.RelatedFullDocumentDiagnosticReport(items=[])
        ls.analyze(doc)
        if params.previous_result_id == str(doc.result_id):
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=str(doc.result_id))
        items = ls.diagnostics_for(doc)
        return lsp.RelatedFullDocumentDiagnosticReport(items=items, result_id=str(doc.result_id))

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=code_actions.KINDS, resolve_provider=False),
    )
    def code_action(
        ls: TriggerLanguageServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction] | None:
        doc = ls.store.get(params.text_document.uri)
        if doc is None or not ls.settings.features.code_actions:
            return None
        result = ls.analyze(doc)
        return code_actions.code_actions(doc, result.findings, params, ls.encoding)

    @server.command(code_actions.EXPLAIN_COMMAND)
    def explain(ls: TriggerLanguageServer, args: Any) -> str | None:
        from trigger_lsp.lsp.explain import rule_markdown

        rule_id = args[0] if isinstance(args, list) and args else args
        if not isinstance(rule_id, str) or rule_id not in ls.kb.rules:
            raise ValueError(f"unknown rule {rule_id!r}")
        doc = ls.kb.rules[rule_id]
        ls.window_show_message(
            lsp.ShowMessageParams(lsp.MessageType.Info, f"{rule_id}: {doc.title}. {doc.summary}")
        )
        return rule_markdown(ls.kb, rule_id)

    @server.command("trigger-lsp.fixAll")
    async def fix_all(ls: TriggerLanguageServer, args: Any) -> bool:
        uri = args[0] if isinstance(args, list) and args else args
        doc = ls.store.get(uri) if isinstance(uri, str) else None
        if doc is None:
            return False
        action = code_actions.fix_all_action(doc, ls.analyze(doc).findings, ls.encoding)
        if action is None or action.edit is None:
            return False
        result = await ls.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(action.edit, label="Fix all trigger-lsp problems")
        )
        return bool(result.applied)

    from trigger_lsp.lsp.features import register_features

    register_features(server)
    return server


async def _pull_configuration(ls: TriggerLanguageServer) -> None:
    try:
        values = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])
        )
    except Exception as exc:  # a client that fails the request keeps the current settings
        log.warning("workspace/configuration failed: %s", exc)
        return
    if values:
        ls.apply_settings(values[0])


def run(
    transport: str = "stdio",
    host: str = "127.0.0.1",
    port: int = 2087,
    handover: Handover | None = None,
    token: str | None = None,
) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # When stdin is not a pipe, a thread reads the client's messages (lsp/stdio.py): let it
    # take the interpreter from an analysis within 1 ms (not 5), so that a request is not kept
    # waiting behind one.
    sys.setswitchinterval(0.001)
    server = create_server()
    server._handover = handover
    server.token = token
    if transport == "tcp":
        server.start_tcp(host, port)
    elif transport == "ws":
        server.start_ws(host, port)
    else:
        server.start_io()
    # `exit` after `shutdown`: 0; `exit` without it, or the client gone without either: 1.
    connection = server.connection
    if connection is not None and connection.exit_code is not None:
        sys.exit(connection.exit_code)
    sys.exit(0 if connection is not None and connection.shut_down else 1)
