"""The language server: pygls serving a Session (lsp/state.py), whose client it is. The
methods it answers are in the route table (lsp/routes.py); here are the transports, and what
the handlers ask of the protocol side: publishing diagnostics after the debounce, re-checking
other documents in slices, preparing statement findings while idle, the workspace index in
the background, and requests to the editor.
"""

from __future__ import annotations

import asyncio
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

from trigger_lsp import __version__
from trigger_lsp.analysis.slices import Sliced
from trigger_lsp.lint.statements import warm_step
from trigger_lsp.lsp import routes
from trigger_lsp.lsp.collector import IdleCollector
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.framing import MAX_BODY, decode
from trigger_lsp.lsp.handover import Handover
from trigger_lsp.lsp.progress import IndexProgress
from trigger_lsp.lsp.protocol import TriggerProtocol
from trigger_lsp.lsp.state import Session
from trigger_lsp.lsp.stdio import READ_SIZE, ClientWriter, chunk_reader
from trigger_lsp.lsp.transport import Connection
from trigger_lsp.lsp.warmup import WarmUp
from trigger_lsp.lsp.workspace import (  # (here: not while the first requests wait)
    workspace_files,
    workspace_roots,
)

log = logging.getLogger(__name__)
MAX_INDEXED_FILES = 20_000
INDEX_PAUSE_S = 0.001  # before the index's last step
# Files are indexed in the background in slices of about this long (each file is read and
# parsed whole: a big one takes longer); requests are answered between slices. (A pause of
# 1 ms before each file made 20,000 files' index take seconds more.)
INDEX_SLICE_S = 0.003
INDEX_BUSY_S = 0.02  # messages came in this recently: let the loop turn INDEX_BUSY_TURNS times
INDEX_BUSY_TURNS = 3  # (a message is read in one turn, handled in the next)
# Statement findings are prepared in slices after a whole-file analysis; a request that arrives
# meanwhile waits for the end of the current slice.
WARM_SLICE_S = 0.003
WARM_PAUSE_S = 0.001  # between slices
WARM_IDLE_S = 0.005  # ...which wait until no message has come in for this long
# When task ids change, the other open documents are re-checked in one pass, in slices, once
# no message has come in for REFRESH_SETTLE_S (opening 800 documents that share an id
# re-checked every other one at each open: 43 s of CPU; a pass in each short pause of a burst
# re-checked them several times over, more the busier the machine). While messages keep
# coming, a pass starts no earlier than REFRESH_MAX_WAIT_S after the first change, and only
# once the server has read REFRESH_PER_MESSAGE times as many messages since then as there are
# documents to re-check: re-checking then costs a fixed share of the work the client asks
# for, whatever the speed of the machine (a burst of opens, each one making all the others
# stale, is re-checked once after the burst).
REFRESH_SLICE_S = 0.02
# A document whose last analysis took more CPU time than INLINE_MAX_S (and any document
# analysed for the first time) is analysed a slice of ANALYSIS_SLICE_S at a time, with the
# messages that came in meanwhile answered between slices (analysis/slices.py): no file,
# however shaped, keeps other requests waiting for its analysis (issue 17). Quicker ones run in
# one go, as before: a keystroke's analysis pays nothing for slicing (at 10,000 lines one takes
# some 25-40 ms), and a request waits for such an analysis at most about INLINE_MAX_S.
ANALYSIS_SLICE_S = 0.005
INLINE_MAX_S = 0.05
# Files of the workspace larger than this are indexed in slices too (a parse of 256 KiB takes
# some 20-200 ms depending on its shape).
INDEX_IN_SLICES_BYTES = 256 * 1024
WAIT_ROUNDS = 3  # analyses of newer versions a request about a document waits for
MAX_STARTED = 4  # analyses in slices under way at once (800 documents opened: the rest queue)
QUEUED_PAUSE_S = 0.02  # how often a queued one looks for its turn
REFRESH_SETTLE_S = 0.25
REFRESH_MAX_WAIT_S = 1.0
REFRESH_PER_MESSAGE = 2


class TriggerLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "trigger-lsp",
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            protocol_cls=TriggerProtocol,
        )
        self.session = Session(self)
        self.took_over = False  # the session came from the first answers (lsp/early.py)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._index_task: asyncio.Task[None] | None = None
        self._warming: set[str] = set()  # documents whose statement findings are being prepared
        self._handover: Handover | None = None  # from lsp/early.py
        self.connection: Connection | None = None  # the client's (see lsp/transport.py)
        self.token: str | None = None  # what a network client must send (serve --token-file)
        # Documents to publish again because task ids changed (an ordered set), the pass that
        # will, when the first of them was added, and whether pull clients are to be asked.
        self._stale: dict[str, None] = {}
        self._refresh: asyncio.TimerHandle | None = None
        self._stale_since = 0.0
        self._messages_since = 0  # the protocol's count of messages read, at _stale_since
        self._refresh_pull = False
        self._cost: dict[str, float] = {}  # CPU seconds the last analysis of each document took
        self._started: set[Sliced[Any]] = set()  # analyses in slices begun (some may be done)
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}  # for a sliced analysis
        self.collector = IdleCollector(lambda: self._last_message_at())

    def _last_message_at(self) -> float:
        """When the server was last busy with the client, for the work that waits until it is
        idle (warm-up, statements' preparation, the index, full collections): the last message,
        or now while a request waits for an analysis in slices (issue 19: that work ran between
        the slices, and the first edit after opening a 10,000-line file took 100 ms of wall time
        for 40 ms of analysis)."""
        if any(self._waiting.values()):
            return time.monotonic()
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        return protocol.last_message_at

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
        """Go on from the first answers (lsp/early.py): their session, and the answer to
        `initialize`, which pygls makes again, to be dropped."""
        if handover.session is not None:
            self.session = handover.session
            self.session.client = self
            self.took_over = True
        if handover.initialize_result is not None:
            protocol = self.protocol
            assert isinstance(protocol, TriggerProtocol)
            protocol.answered(
                handover.initialize_id, handover.initialize_result, partial(self._resume, handover)
            )

    def _resume(self, handover: Handover) -> None:
        """Once `initialize` was read again: what the first answers left to do."""
        for doc in self.session.store.all():
            if doc.statements.pending is not None:
                self.warm_later(doc.uri)
        if len(handover.changed) == 1:
            self.refresh_others(next(iter(handover.changed)))
        elif handover.changed:
            self.refresh_others("")

    # --- the session's client ------------------------------------------------------------------
    def show_message(self, message: str, kind: int = lsp.MessageType.Warning) -> None:
        self.window_show_message(lsp.ShowMessageParams(lsp.MessageType(kind), message))

    def log_message(self, message: str, kind: int = lsp.MessageType.Error) -> None:
        self.window_log_message(lsp.LogMessageParams(lsp.MessageType(kind), message))

    # --- what handlers ask of the protocol side ---------------------------------------------
    def publish_diagnostics(
        self, uri: str, diagnostics: list[lsp.Diagnostic], version: int | None = None
    ) -> None:
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri, diagnostics, version)
        )

    def diagnostics_for(self, doc: Document) -> list[lsp.Diagnostic]:
        """The document's diagnostics, those that did not change kept from the last time
        (see Session.diagnostics), their JSON text kept by the protocol."""
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        return self.session.diagnostics(doc, protocol.diagnostic, protocol.moved, _start_line)

    async def configuration(self, section: str) -> list[Any]:
        return list(
            await self.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=section)])
            )
        )

    async def apply_edit(self, params: lsp.ApplyWorkspaceEditParams) -> Any:
        return await self.workspace_apply_edit_async(params)

    def warm_up(self) -> None:
        """Load what the first requests would load, a step at a time between requests
        (lsp/warmup.py)."""
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        WarmUp(self.session, protocol._converter, self._last_message_at).start()
        self.collector.start()  # full garbage collections while the editor is idle

    def start_indexing(self) -> None:
        """Index the workspace in the background (again: the index being built is dropped,
        and what waits for the index waits for the new one)."""
        previous = self._index_task
        if previous is not None and not previous.done():
            previous.cancel()
        self.session.index_done.clear()
        self._index_task = asyncio.ensure_future(self.index_workspace())

    def cancel(self, uri: str) -> None:
        """Forget the publish scheduled for the document, and stop its analysis."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self.session.drop_analysis(uri)
        self._cost.pop(uri, None)
        self._wake(uri)

    def warm_later(self, uri: str, delay: float = WARM_PAUSE_S) -> None:
        """After a whole-file analysis, prepare the per-statement findings that make the next
        edit cheap, a slice at a time, between requests (and first analyse a document to check
        again, see `_behind`)."""
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
        doc = self.session.store.get(uri)
        if doc is None:
            return
        busy = time.monotonic() - self._last_message_at() < WARM_IDLE_S
        if busy or uri in self.session.in_flight:
            self.warm_later(uri, WARM_IDLE_S)  # requests (or its analysis) go first
        elif self._behind(doc):  # to check again (`refresh`): analysed before the client asks
            self.publish(uri, doc.version)
            # (then its statements; a client that pulls before the workspace index is complete
            # gets the document indexed only, and its own pull analyses it)
            if doc.analyzed_version == doc.version or uri in self.session.in_flight:
                self.warm_later(uri)
        elif self._cheap(doc) and uri not in self.session.warming:
            if warm_step(doc.statements, WARM_SLICE_S):
                self.warm_later(uri)
        elif not self.session.warm_slice(doc, WARM_SLICE_S):
            # One statement of a slow document may take as long as its analysis (a task of
            # blocks nested deep is one statement): warmed a slice at a time, like it.
            self.warm_later(uri)
        if doc.statements.mismatch:  # findings kept from a whole run were wrong: check again
            doc.statements.mismatch = False
            self.refresh([doc])

    # --- push diagnostics --------------------------------------------------------------------
    def schedule(self, doc: Document, delay_ms: int | None = None) -> None:
        """Publish (pull clients: analyse, to keep the index current) after the debounce."""
        timer = self._timers.pop(doc.uri, None)
        if timer is not None:
            timer.cancel()
        flight = self.session.in_flight.get(doc.uri)
        if flight is not None and flight.version != doc.version:  # stale: stop it now
            self.session.drop_analysis(doc.uri)
            self._wake(doc.uri)
        delay = (self.session.settings.debounce_ms if delay_ms is None else delay_ms) / 1000
        loop = asyncio.get_event_loop()
        self._timers[doc.uri] = loop.call_later(delay, self.publish, doc.uri, doc.version)

    def publish(self, uri: str, version: int | None) -> None:
        self._timers.pop(uri, None)
        session = self.session
        doc = session.store.get(uri)
        if doc is None or doc.version != version:
            return  # closed, or a newer version is already scheduled
        if self._quick(doc):
            started = time.thread_time()  # (CPU time: the measure does not grow with load)
            session.settle(doc, self.session.index_done.is_set(), self._publish_now)
            if doc.analyzed_version == doc.version:
                self._cost[uri] = time.thread_time() - started
            return
        self._analyse_in_slices(doc)

    def _quick(self, doc: Document) -> bool:
        """Whether the document is analysed already, or its last analysis was quick."""
        if doc.result is not None and doc.analyzed_version == doc.version:
            return True
        return self._cheap(doc)

    def _behind(self, doc: Document) -> bool:
        """Whether the document is to be analysed again with no publish scheduled for it (a
        client that pulls was asked to pull again by `refresh`, or an analysis under way when
        the project's ids changed ended: Session.recheck)."""
        return doc.analyzed_version != doc.version and doc.uri not in self._timers

    def _cheap(self, doc: Document) -> bool:
        """Whether the document's last analysis was quick."""
        cost = self._cost.get(doc.uri)
        return cost is not None and cost < INLINE_MAX_S

    def _analyse_in_slices(self, doc: Document) -> None:
        """Analyse the document a slice at a time, answering requests in between; then
        publish (or, for a client that pulls, only keep the result)."""
        flight = self.session.in_flight.get(doc.uri)
        if flight is not None and flight.version == doc.version:
            return  # under way
        self.session.begin_analysis(doc)
        asyncio.get_running_loop().call_soon(self._slice, doc.uri)

    def _slice(self, uri: str) -> None:
        session = self.session
        flight = session.in_flight.get(uri)
        doc = session.store.get(uri)
        if flight is None or doc is None:
            self._wake(uri)  # finished by a request on the document, or dropped
            return
        if flight.version != doc.version:
            session.drop_analysis(uri)
            self._wake(uri)
            return
        work = flight.work
        if not work.started:  # (each started one holds a thread until it ends)
            if len(self._started) >= MAX_STARTED:
                self._started = {w for w in self._started if not w.done}
            if len(self._started) >= MAX_STARTED:  # its turn comes: try again shortly
                asyncio.get_running_loop().call_later(QUEUED_PAUSE_S, self._slice, uri)
                return
            self._started.add(work)
        if not work.step(ANALYSIS_SLICE_S):  # the messages that came in meanwhile first
            asyncio.get_running_loop().call_soon(self._slice, uri)
            return
        try:
            session.end_analysis(doc, flight)
        except Exception:  # (the computation contains the engine's failures)
            log.exception("the analysis of %s failed", uri)
        self._started.discard(work)
        self._cost[uri] = work.cpu_s
        self._wake(uri)
        # (publishing a thousand diagnostics takes tens of ms: in a step of its own)
        asyncio.get_running_loop().call_soon(self._settle, uri, doc.version)

    def _settle(self, uri: str, version: int | None, work: Sliced[Any] | None = None) -> None:
        """After an analysis in slices: publish its diagnostics, made in slices too (a
        thousand take some 100 ms); a client that pulls asks for them itself."""
        doc = self.session.store.get(uri)
        if doc is None or doc.version != version:
            if work is not None:
                work.cancel()
            return
        if self.session.pull_diagnostics:
            self.session.settle(doc, self.session.index_done.is_set(), self._publish_now)
            return
        if work is None:
            if doc.analyzed_version != doc.version:  # made stale meanwhile (ids changed)
                self.publish(uri, version)
                return
            work = Sliced(lambda: self.diagnostics_for(doc))
        if not work.step(ANALYSIS_SLICE_S):
            asyncio.get_running_loop().call_soon(self._settle, uri, version, work)
            return
        try:
            made = work.finish()
        except Exception:
            log.exception("making the diagnostics of %s failed", uri)
            return
        self.publish_diagnostics(doc.uri, made, doc.version)

    def _wake(self, uri: str) -> None:
        for waiter in self._waiting.pop(uri, []):
            if not waiter.done():
                waiter.set_result(None)

    def must_wait(self, uri: str) -> bool:
        """Whether a request on the document is to wait for its analysis in slices: one is
        under way, or its analysis is stale and not known to be quick."""
        if uri in self.session.in_flight:
            return True
        doc = self.session.store.get(uri)
        return doc is not None and not self._quick(doc)

    async def analysed(self, uri: str) -> None:
        """Wait until the document is analysed at its current version, in slices when its
        analysis is slow (a request about it then waits, and other requests are answered).
        An edit meanwhile starts the analysis of the new version, which is awaited in turn
        (a few times at most: then the request's own analysis runs in one go)."""
        for _ in range(WAIT_ROUNDS):
            doc = self.session.store.get(uri)
            if doc is None or self._quick(doc):
                return
            flight = self.session.in_flight.get(uri)
            if flight is None or flight.version != doc.version:
                self._analyse_in_slices(doc)
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.setdefault(uri, []).append(waiter)
            await waiter

    def _publish_now(self, doc: Document) -> None:
        self.publish_diagnostics(doc.uri, self.diagnostics_for(doc), doc.version)

    def refresh_others(self, changed_uri: str) -> None:
        """Task ids changed: re-check the other open documents (duplicates, unknown ids), in
        one pass for any number of changes in a row (see `_refresh_step`)."""
        self.refresh([d for d in self.session.store.all() if d.uri != changed_uri])

    def refresh(self, docs: list[Document]) -> None:
        """Analyse these documents again and publish them (or ask the client to pull), in the
        pass `refresh_others` makes."""
        session = self.session
        for other in docs:
            session.recheck(other)
            if not session.pull_diagnostics:
                self._stale[other.uri] = None
            else:  # analysed while idle, ahead of the pull the client is asked for (issue 19:
                self.warm_later(other.uri)  # not by the next keystroke, on top of its own work)
        if session.pull_diagnostics:  # (only clients that can be asked to pull again pull)
            self._refresh_pull = True
        if not self._stale and not self._refresh_pull:
            return
        if self._refresh is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not serving (a test driving the server object directly)
                self._refresh_step(force=True)
                return
            self._start_waiting()
            self._refresh = loop.call_later(WARM_PAUSE_S, self._refresh_step)

    def _start_waiting(self) -> None:
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        self._stale_since = time.monotonic()
        self._messages_since = protocol.messages_in

    def _may_refresh_while_busy(self, now: float) -> bool:
        """Whether the pass may run (or go on) although messages keep coming in: after
        REFRESH_MAX_WAIT_S, once enough messages came in since the pass was first wanted."""
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        if now - self._stale_since < REFRESH_MAX_WAIT_S:
            return False
        read = protocol.messages_in - self._messages_since
        return read >= REFRESH_PER_MESSAGE * max(1, len(self._stale))

    def _refresh_step(self, force: bool = False) -> None:
        """Publish the stale documents again, a slice at a time, once messages stop coming in
        (or when `_may_refresh_while_busy`): a burst of opens or edits that change
        ids then costs one pass over the others, not one per change."""
        self._refresh = None
        protocol = self.protocol
        assert isinstance(protocol, TriggerProtocol)
        now = time.monotonic()
        quiet = now - protocol.last_message_at
        if not force and quiet < REFRESH_SETTLE_S and not self._may_refresh_while_busy(now):
            wait = max(WARM_IDLE_S, min(REFRESH_SETTLE_S - quiet, 0.05))
            self._refresh = asyncio.get_running_loop().call_later(wait, self._refresh_step)
            return
        if self._refresh_pull:
            self._refresh_pull = False
            self.workspace_diagnostic_refresh(None)
        stop = time.perf_counter() + REFRESH_SLICE_S
        while self._stale:
            if not force and time.perf_counter() > stop:  # the rest after pending messages
                self._start_waiting()
                self._refresh = asyncio.get_running_loop().call_later(
                    WARM_PAUSE_S, self._refresh_step
                )
                return
            uri = next(iter(self._stale))
            del self._stale[uri]
            doc = self.session.store.get(uri)
            # (a publish already pending analyses afresh too: not postponed by the debounce)
            if doc is not None and uri not in self._timers:
                self.publish(uri, doc.version)

    # --- background index of the workspace --------------------------------------------------
    async def _index_from_disk(self, path: Path) -> None:
        """Index a file of the workspace from the disk; a large one (whose parse alone may
        take a second: 2 MiB of nested parentheses) in slices, like a slow analysis."""
        try:
            large = path.stat().st_size > INDEX_IN_SLICES_BYTES
        except OSError:
            large = False
        if large:
            await _index_file_in_slices(self.session, path)
        else:
            self.session.index_from_disk(path)

    async def index_workspace(self) -> None:
        session = self.session
        roots = [Path(p) for p in workspace_roots(self)]
        left_out: list[str] = []
        progress = IndexProgress(self, session.client_capabilities)  # $/progress, if shown
        count = 0
        try:
            await progress.begin()
            reject = getattr(session.index, "reject", None)  # (project/unparsed.py)
            slice_end = time.perf_counter() + INDEX_SLICE_S
            for path in workspace_files(roots, session.resolver, left_out, reject):
                # After a step of the walk, or a slice of files read: let requests in (the
                # documents an editor opens right after start are then read from the editor,
                # not from the disk as well).
                if path is None or time.perf_counter() > slice_end:
                    progress.step(count)
                    # A message that came in goes through a few turns of the event loop (read,
                    # then handled): while the client is busy, pause long enough for them.
                    busy = time.monotonic() - self._last_message_at() < INDEX_BUSY_S
                    for _ in range(INDEX_BUSY_TURNS if busy else 1):
                        await asyncio.sleep(0)
                    slice_end = time.perf_counter() + INDEX_SLICE_S
                    if path is None:
                        continue
                if count >= MAX_INDEXED_FILES:
                    left_out.append(f"the files after the first {MAX_INDEXED_FILES}")
                    break
                count += 1
                if session.store.get(path.as_uri()) is None:
                    try:
                        await self._index_from_disk(path)
                    except Exception as exc:  # a broken file must not stop indexing
                        session.log_once(f"indexing {path} failed: {exc}")
            if left_out:  # (rules that compare files may then miss a task defined there)
                text = f"the workspace index left out {'; '.join(left_out)}"
                log.warning("%s", text)
                self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Warning, text))
            # The ids by project, which every document asks for once the index is complete:
            # gathered in a step of their own, not in the answer to the next request.
            session.index.ids()
            await asyncio.sleep(INDEX_PAUSE_S)
        finally:
            progress.end(count)
            if self._index_task in (None, asyncio.current_task()):  # (not one replaced)
                session.index_done.set()  # (also when the walk fails)
        session.index.complete = True
        self.refresh_others("")


async def _index_file_in_slices(session: Session, path: Path) -> None:
    work = Sliced(lambda: session.index_from_disk(path))
    while not work.step(ANALYSIS_SLICE_S):
        await asyncio.sleep(0)  # the messages that came in meanwhile first
    work.finish()


def _start_line(item: lsp.Diagnostic) -> int:
    return item.range.start.line


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


def create_server() -> TriggerLanguageServer:
    server = TriggerLanguageServer()
    routes.register(server)
    return server


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
