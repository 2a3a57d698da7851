"""The server's side of a connection: frames read from the client (lsp/framing.py) handed to
pygls' protocol, with the protocol's own rules kept on the way.

- A message that is not JSON-RPC 2.0 is answered with an error (-32700 or -32600), with its id
  when it has a valid one, else with null; it never reaches a handler.
- Before `initialize`, a request is answered with -32002 (ServerNotInitialized) and a
  notification is dropped; after `shutdown`, a request is answered with -32600.
- `exit` ends the connection, with status 0 after `shutdown` and 1 without.
- Only the message itself is taken as a message: an object shaped like a request inside its
  params (settings, say) is data.

stdio, TCP and WebSocket read through here alike.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from trigger_lsp.lsp.framing import (
    INVALID_REQUEST,
    Frame,
    FrameParser,
    envelope_error,
    error_response,
)

if TYPE_CHECKING:
    from trigger_lsp.lsp.server import TriggerLanguageServer

log = logging.getLogger(__name__)
SERVER_NOT_INITIALIZED = -32002
READ_SIZE = 1 << 16


class Connection:
    """One client's session with the server."""

    def __init__(
        self,
        server: TriggerLanguageServer,
        stop: threading.Event | None = None,
        writer: Any = None,
        headers: bool = True,
        claim: Callable[[Connection, dict[str, Any]], str | None] | None = None,
    ) -> None:
        """`writer` (with `headers`: whether frames have headers) is where this connection's
        own errors go until it initializes, when `claim` (for a network transport) makes it
        the server's one client, or refuses it (saying why); without a `claim`, the
        server's client."""
        self.server = server
        self.stop = stop or threading.Event()
        self.writer, self.headers, self.claim = writer, headers, claim
        self.initialized = False  # `initialize` came
        self.exit_code: int | None = None  # set by `exit`
        self._writes: set[asyncio.Future[Any]] = set()

    @property
    def shut_down(self) -> bool:
        return bool(getattr(self.server.protocol, "_shutdown", False))

    def dispatch(self, frame: Frame) -> None:
        if frame.note:
            log.warning("%s", frame.note)
        if frame.notice:
            if self.initialized:
                self.server.session.show_once(frame.notice)
            else:
                log.warning("%s", frame.notice)
        if frame.error is not None:
            self.reply_error(frame.error_id, *frame.error)
            return
        if frame.message is None:
            return
        message = frame.message
        problem = envelope_error(message)
        if problem is not None:
            code, text, msg_id = problem
            if code:
                self.reply_error(msg_id, code, text)
            else:
                log.warning("dropped a message from the client: %s", text)
            return
        method = message.get("method")
        request = method is not None and "id" in message
        if method == "exit":
            self.exit_code = 0 if self.shut_down else 1
            self.stop.set()
            return
        if method is not None and not self.initialized:
            refused = self.claim(self, message) if method == "initialize" and self.claim else None
            if refused is not None:
                if request:
                    self.reply_error(message["id"], INVALID_REQUEST, refused)
                self.stop.set()
                return
            if method != "initialize":
                if request:
                    text = f"Server not initialized: {method} before initialize"
                    self.reply_error(message["id"], SERVER_NOT_INITIALIZED, text)
                return
        elif method == "initialize" and request:
            self.reply_error(message["id"], INVALID_REQUEST, "initialize was sent already")
            return
        if self.shut_down and method is not None:
            if request:
                text = f"Invalid Request: {method} after shutdown"
                self.reply_error(message["id"], INVALID_REQUEST, text)
            return
        protocol = self.server.protocol
        try:
            structured = protocol.structure_message(message)
            if method == "initialize" and getattr(structured, "method", None) == "initialize":
                self.initialized = True  # (not when its params were refused)
            protocol.handle_message(structured)
        except Exception:  # a message that cannot be handled must not stop the reading
            log.exception("could not handle %s", method or "a response")

    def reply_error(self, msg_id: Any, code: int, text: str) -> None:
        log.warning("answered an error to the client: %s", text)
        body = error_response(code, text, msg_id)
        protocol = self.server.protocol
        own = self.writer is not None and not (self.initialized or self.shut_down)
        writer = self.writer if own else protocol.writer
        if writer is None:
            return
        if self.headers if own else protocol._include_headers:
            written = writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        else:  # WebSocket: one text message
            written = writer.write(body.decode())  # type: ignore[arg-type]
        if inspect.isawaitable(written):  # kept until written
            task = asyncio.ensure_future(written)
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    async def serve(
        self,
        read: Callable[[], Awaitable[bytes]],
        parser: FrameParser | None = None,
        frames: Iterable[Frame] = (),
    ) -> None:
        """Read and dispatch until the stream ends or `exit` comes. `frames`, then what
        `parser` holds, come before what `read` returns."""
        parser = parser or FrameParser()
        for kept in frames:
            self.dispatch(kept)
            if self.stop.is_set():
                return
        while not self.stop.is_set():
            frame = parser.next()
            if frame is not None:
                self.dispatch(frame)
                await asyncio.sleep(0)  # let what the message started run before the next
                continue
            data = await read()
            if not data:
                return
            parser.feed(data)
