"""Reading the client's messages from stdin.

pygls reads stdin in a worker thread one header line, then the body, at a time: three hand-overs
from the thread to the event loop per message. Each hand-over may wait for whatever the loop is
doing (an analysis slice, a file being indexed), so a request could wait three times over.

When stdin is a pipe (as editors start a server), `pipe_reader` lets the event loop read it
itself: no thread, no hand-over. Otherwise `MessageReader` fetches the header lines and the body
in one go in the thread and hands pygls' message loop the parts it asks for from memory. Either
way, what pygls sees, line by line, is unchanged.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
from collections import deque
from collections.abc import Awaitable
from concurrent.futures import Executor
from typing import BinaryIO

from trigger_lsp.lsp.early import CONTENT_LENGTH


def read_message(stream: BinaryIO) -> list[bytes]:
    """The header lines up to and including the blank line, then the body when a length was
    given; at the end of the stream the last part is b"" (or a short body)."""
    parts: list[bytes] = []
    length = 0
    while True:
        line = stream.readline()
        parts.append(line)
        if not line:
            return parts
        if not length:
            match = CONTENT_LENGTH.fullmatch(line)
            if match:
                length = int(match.group(1))
        if not line.strip():
            break
    if length:
        parts.append(stream.read(length))
    return parts


class MessageReader:
    """pygls' AsyncReader interface (`readline`, `readexactly`) over whole-message reads."""

    def __init__(
        self, stream: BinaryIO, executor: Executor | None = None, unread: bytes = b""
    ) -> None:
        self.stream: BinaryIO = Prefixed(unread, stream) if unread else stream  # type: ignore[assignment]
        self.executor = executor
        self._parts: deque[bytes] = deque()

    def readline(self) -> Awaitable[bytes]:
        if self._parts:
            return self._ready(self._parts.popleft())
        return self._next_message()

    def readexactly(self, n: int) -> Awaitable[bytes]:
        if self._parts:  # the body read with the headers (its length came from them)
            return self._ready(self._parts.popleft())
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.executor, self.stream.read, n)

    async def _next_message(self) -> bytes:
        loop = asyncio.get_running_loop()
        parts = await loop.run_in_executor(self.executor, read_message, self.stream)
        self._parts.extend(parts[1:])
        return parts[0]

    @staticmethod
    def _ready(value: bytes) -> asyncio.Future[bytes]:
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        future.set_result(value)
        return future


class Prefixed:
    """A stream that gives bytes read from it earlier first (see lsp/early.py)."""

    def __init__(self, unread: bytes, stream: BinaryIO) -> None:
        self._unread = io.BytesIO(unread)
        self._stream = stream

    def readline(self) -> bytes:
        line = self._unread.readline()
        return line if line.endswith(b"\n") else line + self._stream.readline()

    def read(self, n: int) -> bytes:
        data = self._unread.read(n)
        return data if len(data) == n else data + self._stream.read(n - len(data))


# A header line longer than this is malformed; its bytes are dropped (see PipeReader.readline).
MAX_LINE = 1 << 24


class PipeReader:
    """pygls' AsyncReader over the event loop's own reads of a pipe."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def readline(self) -> bytes:
        try:
            return await self._reader.readline()
        except ValueError:  # over MAX_LINE: asyncio dropped the line; report a header pygls
            return b"X-Dropped: line too long\r\n"  # reads past (it is not Content-Length)

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:  # the end of the stream: a short body
            return exc.partial


async def pipe_reader(stream: BinaryIO, unread: bytes = b"") -> PipeReader | None:
    """A reader the event loop serves itself, when `stream` is a pipe; else None. (A terminal
    or a file is left to the thread: the loop would make the descriptor non-blocking, which a
    terminal shares with stdout.) `unread`: bytes taken from the stream before, read first."""
    try:
        if not stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode):
            return None
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's BytesIO, say)
        return None
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE, loop=loop)
    if unread:
        reader.feed_data(unread)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stream)
    except (OSError, ValueError):
        return None
    return PipeReader(reader)
