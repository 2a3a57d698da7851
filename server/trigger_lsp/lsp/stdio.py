"""Reading the client's bytes from stdin, and writing to stdout (send, ClientWriter).

When stdin is a pipe (as editors start a server), the event loop reads it itself: no thread, no
hand-over from a thread to the loop for each message, which would wait for whatever the loop is
doing (an analysis slice, a file being indexed). Otherwise (a terminal, a file) a thread reads
whatever is there in one go. Either way the bytes go to lsp/framing.py, which takes the
messages out of them.

The first answers (lsp/early.py) write with `send` before anything else is loaded: this module
imports asyncio only where it reads (some 20 ms that would otherwise come before the answer to
`initialize`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Executor

READ_SIZE = 1 << 16


def _read_some(stream: BinaryIO) -> bytes:
    read1 = getattr(stream, "read1", None)
    return read1(READ_SIZE) if read1 is not None else stream.read(READ_SIZE)


async def chunk_reader(
    stream: BinaryIO, executor: Executor | None = None
) -> Callable[[], Awaitable[bytes]]:
    """A function that returns the next bytes of `stream` (b"" at its end)."""
    import asyncio

    loop = asyncio.get_running_loop()
    pipe = await _pipe(stream)
    if pipe is not None:
        return lambda: pipe.read(READ_SIZE)
    return lambda: loop.run_in_executor(executor, _read_some, stream)


async def _pipe(stream: BinaryIO) -> asyncio.StreamReader | None:
    """A reader the event loop serves itself, when `stream` is a pipe; else None. (A terminal
    or a file is left to the thread: the loop would make the descriptor non-blocking, which a
    terminal shares with stdout.)"""
    try:
        if not stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode):
            return None
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's BytesIO, say)
        return None
    import asyncio

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(loop=loop)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stream)
    except (OSError, ValueError):
        return None
    return reader


def send(out: Any, data: bytes) -> None:
    """Write to the client. When it is gone (its end of the pipe closed: the editor quit or was
    killed), there is nobody left to serve: say so once and exit at once, rather than go on
    working and logging a broken pipe for every message."""
    try:
        out.write(data)
        out.flush()
    except (BrokenPipeError, ConnectionResetError, ValueError):  # ValueError: closed file
        client_gone()


class ClientWriter:
    """pygls' writer interface over `send`."""

    def __init__(self, out: Any) -> None:
        self._out = out

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._out.close()

    def write(self, data: bytes) -> None:
        send(self._out, data)


def client_gone() -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("trigger-lsp: the client closed its connection; exiting\n")
        sys.stderr.flush()
    os._exit(1)  # no shutdown request came: exit status 1, as the protocol says
