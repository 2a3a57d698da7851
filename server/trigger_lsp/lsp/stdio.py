"""Reading the client's messages from stdin, a whole message at a time.

pygls reads stdin in a worker thread one header line, then the body, at a time: three hand-overs
from the thread to the event loop per message. Each hand-over may wait for whatever the loop is
doing (an analysis slice, a file being indexed), so a request could wait three times over. This
reader fetches the header lines and the body in one go in the thread and hands pygls' message
loop the parts it asks for from memory; what pygls sees, line by line, is unchanged.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Awaitable
from concurrent.futures import Executor
from typing import BinaryIO

# pygls takes a message's length from the first header line of exactly this form.
_CONTENT_LENGTH = re.compile(rb"^Content-Length: (\d+)\r\n$")


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
            match = _CONTENT_LENGTH.fullmatch(line)
            if match:
                length = int(match.group(1))
        if not line.strip():
            break
    if length:
        parts.append(stream.read(length))
    return parts


class MessageReader:
    """pygls' AsyncReader interface (`readline`, `readexactly`) over whole-message reads."""

    def __init__(self, stream: BinaryIO, executor: Executor | None = None) -> None:
        self.stream = stream
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
