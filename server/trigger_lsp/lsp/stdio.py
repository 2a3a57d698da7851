"""Reading the client's bytes from stdin.

When stdin is a pipe (as editors start a server), the event loop reads it itself: no thread, no
hand-over from a thread to the loop for each message, which would wait for whatever the loop is
doing (an analysis slice, a file being indexed). Otherwise (a terminal, a file) a thread reads
whatever is there in one go. Either way the bytes go to lsp/framing.py, which takes the
messages out of them.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from typing import BinaryIO

READ_SIZE = 1 << 16


def _read_some(stream: BinaryIO) -> bytes:
    read1 = getattr(stream, "read1", None)
    return read1(READ_SIZE) if read1 is not None else stream.read(READ_SIZE)


async def chunk_reader(
    stream: BinaryIO, executor: Executor | None = None
) -> Callable[[], Awaitable[bytes]]:
    """A function that returns the next bytes of `stream` (b"" at its end)."""
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
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(loop=loop)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stream)
    except (OSError, ValueError):
        return None
    return reader
