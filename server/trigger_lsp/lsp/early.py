"""The server's first answers, given while pygls and lsprotocol are still loading.

Loading those two takes about half a second (lsprotocol builds some 570 classes when it is
imported): longer than an editor should wait for its `initialize` answer, and longer than the
engine takes to load. So a server started on stdio begins here, with neither of them:

1. It answers `initialize` with the capabilities the server registers (a copy kept in
   capabilities.json, which a test holds equal to what pygls builds; the server checks it
   again when it takes over).
2. It loads the engine and serves the first documents: `didOpen`, and their diagnostics,
   pulled (when the client can be asked to pull again later) or published, made with the same
   state and analysis the server uses (lsp/state.py).
3. It leaves some messages to the server and goes on (`deferred`): `initialized`, a change of
   settings the server asks the client for, and requests that only read (document symbols,
   code lenses, the workspace's diagnostics...). VS Code sends these between its `didOpen`
   and its first pull; handing over at the first of them made that pull wait for pygls (0.8 s
   of the 1.3 s from spawn to the first squiggle, at load 3).
4. At the first message it does not serve or leave, or when nothing has come for
   EARLY_IDLE_S (EARLY_DONE_S once a request waits for the server), it hands over: the
   server loads, takes the state, and reads the messages not served here (first `initialize`
   again, whose answer it drops) before the rest of the stream.

The server ends in the state it would have reached reading every message itself: the messages
served here all come before those handed over, except those left, which change nothing the
served ones read. The server answers `initialized` and a change of settings by asking the
client for them, and serves what comes meanwhile with the settings it had (then checks again
what they change), as it does here; a request left reads the documents as they are when the
server answers it, and once one is left no document opens here (a pull only reads).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import select
import sys
import threading
from pathlib import Path
from typing import Any

from trigger_lsp.lsp.clients import asks_configuration, get, pulls
from trigger_lsp.lsp.framing import Frame, FrameParser, envelope_error, valid_id
from trigger_lsp.lsp.handover import Handover
from trigger_lsp.lsp.stdio import send

log = logging.getLogger(__name__)
EARLY_IDLE_S = 0.25  # waiting this long for a first document to open, at most
EARLY_DONE_S = 0.01  # once the open documents have their diagnostics: for more to open
# A client that pulls asks for an open document's diagnostics when it is ready to show them
# (VS Code: some 0.3 to 3 s after opening it, with TypeScript starting beside it). Waiting
# for that pull costs nothing: the protocol library loads meanwhile (see `Preload`).
EARLY_PULL_S = 3.0
# How often a paused preload looks whether the main thread is importing (each look takes the
# interpreter's lock from the main thread for a moment)
PRELOAD_POLL_S = 0.05
# Requests that change nothing: left to the server while the first answers go on.
READING = frozenset(
    {
        "textDocument/codeAction",
        "textDocument/codeLens",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/documentSymbol",
        "textDocument/hover",
        "textDocument/references",
        "workspace/diagnostic",
        "workspace/symbol",
    }
)
CAPABILITIES = Path(__file__).with_name("capabilities.json")
ENCODINGS = ("utf-8", "utf-16", "utf-32")


class FrameReader:
    """Frames (lsp/framing.py) from a file descriptor; the bytes not taken stay in `rest`."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.parser = FrameParser()
        self.ended = False
        # Set while `next` waits for bytes (the preload runs only then: see `Preload`).
        self.waiting = threading.Event()

    @property
    def rest(self) -> bytes:
        return self.parser.rest

    def next(self, timeout: float | None) -> Frame | None:
        """The next frame, or None when none came within `timeout` seconds (or the stream
        ended, or the parser is dropping bytes: the server goes on with it)."""
        while True:
            frame = self.parser.next()
            if frame is not None or self.ended or self.parser.busy:
                return frame
            ready, _, _ = select.select([self.fd], [], [], 0)
            if not ready:
                self.waiting.set()
                try:
                    ready, _, _ = select.select([self.fd], [], [], timeout)
                finally:
                    self.waiting.clear()
            if not ready:
                return None
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                self.ended = True
                return None
            self.parser.feed(chunk)


def initialize_result(params: dict[str, Any], version: str) -> dict[str, Any]:
    """The answer to `initialize`: the registered capabilities with the position encoding
    chosen as pygls chooses it (the client's first supported one, else UTF-16)."""
    capabilities: dict[str, Any] = {"positionEncoding": position_encoding(params)}
    capabilities.update(json.loads(CAPABILITIES.read_text(encoding="utf-8")))
    if not pulls(params.get("capabilities")):  # (as the route table: lsp/routes.py)
        capabilities.pop("diagnosticProvider", None)
    # pygls states willSave and willSaveWaitUntil (unhandled: false) when the client names them.
    sync = get(params, "capabilities", "textDocument", "synchronization")
    for key in ("willSave", "willSaveWaitUntil"):
        if isinstance(sync, dict) and sync.get(key) is not None:
            capabilities["textDocumentSync"][key] = False
    return {"capabilities": capabilities, "serverInfo": {"name": "trigger-lsp", "version": version}}


def position_encoding(params: dict[str, Any]) -> str:
    encodings = get(params, "capabilities", "general", "positionEncodings")
    for encoding in encodings if isinstance(encodings, list) else ():
        if encoding in ENCODINGS:
            return str(encoding)
    return "utf-16"


class EarlyStart:
    def __init__(self, fd: int, out: Any) -> None:
        self.reader = FrameReader(fd)
        self.out = out
        self.unread: list[Frame] = []  # frames the server reads
        self.handover = Handover()
        self.state: Any = None  # an EarlyState, once `initialize` is answered
        self.current: Frame | None = None  # the message being served
        self.waiting = False  # a request was left to the server (see `_left`)
        self.configured_by_request = False  # the client answers workspace/configuration
        self.preload: Preload | None = None

    def run(self) -> Handover:
        try:
            first = self.reader.next(None)
        except OSError:  # a descriptor select() cannot wait on: the server reads it all
            first = None
        if first is not None and _is_initialize(first.message):
            assert first.message is not None
            try:
                self._initialize(first)
                self.preload = Preload(self.reader.waiting)
                self.preload.start()
                self._serve()
            except Exception:  # the server reads the message that failed, and the rest
                log.exception("serving the first messages failed; the server takes over")
                if self.current is not None:
                    self.unread.append(self.current)
        elif first is not None:
            self.unread.append(first)
        if self.preload is not None:
            self.preload.release()  # the server is about to import it: at full speed now
        self.handover.frames = self.unread
        self.handover.parser = self.reader.parser
        return self.handover

    def _initialize(self, frame: Frame) -> None:
        from trigger_lsp import __version__

        self.unread.append(frame)  # the server reads it again (and answers it if not here)
        message = frame.message
        assert message is not None
        params = message.get("params")
        params = params if isinstance(params, dict) else {}
        result = initialize_result(params, __version__)
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        self.handover.initialize_id = message["id"]
        self.handover.initialize_result = result
        pull = pulls(params.get("capabilities"))
        self.configured_by_request = asks_configuration(params.get("capabilities"))
        self.state = _state(
            encoding=result["capabilities"]["positionEncoding"],
            pull=pull,
            refresh=pull,
            options=params.get("initializationOptions"),
            handover=self.handover,
            write=self._send,
        )

    def _serve(self) -> None:
        """Serve messages until one this module does not serve or leave, or a pause."""
        while True:
            if self.waiting:  # a request waits for the server: only what is there already
                wait = EARLY_DONE_S
            elif self.state.undiagnosed:
                wait = EARLY_PULL_S
            elif not self.state.session.store.all():
                wait = EARLY_IDLE_S
            else:
                wait = EARLY_DONE_S
            frame = self.reader.next(wait)
            if frame is None:
                return
            if frame.message is None and not (frame.error or frame.note or frame.notice):
                continue  # bytes dropped while looking for a header: nothing to answer
            self.current = frame
            message = frame.message if isinstance(frame.message, dict) else {}
            if frame.note or frame.notice or envelope_error(message) is not None:
                method = None  # the server says what was wrong
            else:
                method = message.get("method")
            if self._left(method, message):
                self.unread.append(frame)
            elif not self._served(method, message):
                self.unread.append(frame)
                return
            self.current = None

    def _left(self, method: Any, message: dict[str, Any]) -> bool:
        """Whether the message is left to the server, which reads it first, while later ones
        are served here (see the module's docstring for why the result is the same)."""
        if "id" not in message:
            # initialized: the server does what it does on it, first thing
            return method == "initialized" or (
                method == "workspace/didChangeConfiguration" and self.configured_by_request
            )
        if method in READING:
            self.waiting = True
            return True
        return False

    def _served(self, method: Any, message: dict[str, Any]) -> bool:
        state = self.state
        params = message.get("params")
        if method == "textDocument/didOpen" and "id" not in message and not self.waiting:
            item = get(params, "textDocument")
            if not (
                isinstance(item, dict)
                and isinstance(item.get("uri"), str)
                and isinstance(item.get("text"), str)
            ):
                return False
            state.did_open(item)
            return True
        if method == "textDocument/diagnostic" and "id" in message and state.refresh_support:
            uri = get(params, "textDocument", "uri")
            if not isinstance(uri, str):
                return False
            previous = get(params, "previousResultId")
            result = state.pulled(uri, previous)
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            return True
        return False

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        send(self.out, b"Content-Length: %d\r\n\r\n" % len(body) + body)


class Preload:
    """Loads the protocol library in a thread that runs only while the main thread waits for
    input, so that the server takes over without the half second (idle machine; seconds on a
    busy one) the load takes, and without slowing the first answers.

    Started as soon as `initialize` is answered, the load fills the pauses of the first
    messages (an editor sends `initialized`, then opens a document some 0.1-0.3 s later, and
    asks for its diagnostics when it is ready to show them). Run freely, it shared the CPU with
    the first document's analysis (the interpreter switches threads every 5 ms): 10,000 lines,
    first diagnostics 0.9 s instead of 0.5 s. Left until the first diagnostics were out, it made
    the first completion wait for it (0.5-0.8 s on 10,000 lines, issue 19).

    The thread cannot be paused from outside, but it stops itself: an audit hook (sys.
    addaudithook: called in the thread that raises the event) waits, at each code object the
    load compiles or runs and each module it imports (about every half millisecond), until the
    main thread waits for input (`waiting`). It does not wait while the main thread is importing
    (it may need a module the thread holds the lock of), and never once released: when the
    first answers hand over, the server imports the library and waits for it.
    """

    EVENTS = frozenset({"compile", "exec", "import"})

    def __init__(self, waiting: threading.Event) -> None:
        self.waiting = waiting
        self.released = False
        self.thread: int | None = None
        self.main = threading.get_ident()

    def start(self) -> None:
        try:  # (for the process' life: a released hook returns at once)
            sys.addaudithook(self._hook)
        except Exception:  # refused by a hook of the host: the server loads it when it starts
            return
        threading.Thread(target=self._run, name="trigger-lsp-preload", daemon=True).start()

    def release(self) -> None:
        self.released = True
        self.waiting.set()  # (a paused load goes on at once)

    def load(self) -> None:
        """Only the protocol library: the thread never imports this package, so it cannot wait
        for a module the main thread is loading."""
        import lsprotocol.types  # noqa: F401
        import pygls.capabilities
        import pygls.lsp.server
        import pygls.protocol  # noqa: F401

    def _run(self) -> None:
        self.thread = threading.get_ident()
        try:
            self.load()
        except Exception:  # the server imports it again, and says what is wrong
            return
        finally:
            self.released = True

    def _hook(self, event: str, args: object) -> None:
        if self.released or event not in self.EVENTS or threading.get_ident() != self.thread:
            return
        while not self.waiting.is_set():
            if self.released or self._main_importing():
                return
            self.waiting.wait(PRELOAD_POLL_S)

    def _main_importing(self) -> bool:
        frame = sys._current_frames().get(self.main)
        return frame is not None and frame.f_code.co_filename.startswith("<frozen importlib")


def _is_initialize(message: dict[str, Any] | None) -> bool:
    """A request pygls reads as `initialize` (its one required parameter is the client's
    capabilities; their contents pygls checks, and warns when its answer differs)."""
    return (
        message is not None
        and message.get("jsonrpc") == "2.0"
        and message.get("method") == "initialize"
        and valid_id(message.get("id"))
        and envelope_error(message) is None
        and isinstance(get(message, "params", "capabilities"), dict)
    )


def _state(**kwargs: Any) -> Any:
    """The engine loads here."""
    from trigger_lsp.lsp.early_state import EarlyState

    return EarlyState(**kwargs)


def serve_stdio() -> None:
    """Run the server on stdin and stdout, answering the first messages here."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        fd = -1
    # (On Windows select() waits on sockets only: there the server answers everything.)
    early = fd >= 0 and os.name != "nt"
    if early:
        # No collector while the engine loads: what it loads stays (EarlyState freezes it and
        # turns the collector on again).
        gc.disable()
    try:
        handover = EarlyStart(fd, sys.stdout.buffer).run() if early else Handover()
    finally:
        gc.enable()  # (when the first answers did not get that far)
    from trigger_lsp.lsp.server import run

    run("stdio", handover=handover)
