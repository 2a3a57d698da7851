"""Reading a user's files: regular files only, their size checked before a byte is read.

A workspace can hold anything under a source file's name: a FIFO (reading it blocks until some
other process writes), a link to `/dev/zero` (endless), a sparse file of a gigabyte. Every
read of a file the user owns goes through `read_regular`, so none of these can block the
server or the CLI or fill the memory.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path


class FileSkipped(OSError):
    """Not read: not a regular file, or larger than the limit. `strerror` says which; `size`
    is the file's size when that was the reason."""

    def __init__(self, reason: str, size: int | None = None) -> None:
        super().__init__(0, reason)
        self.size = size


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at `path` (links followed), at most `limit` of them.
    Raises FileSkipped for anything else, OSError when it cannot be read."""
    # Non-blocking, so that opening a FIFO returns at once; no controlling terminal.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileSkipped("not a regular file")
        if info.st_size > limit:
            reason = f"too large ({_size(info.st_size)}; the limit is {_size(limit)})"
            raise FileSkipped(reason, info.st_size)
        # (O_NONBLOCK does nothing to a regular file's reads: no need to clear it)
        chunks, total = [], 0
        # Ask for the size fstat gave, and one byte more: os.read allocates what it is asked
        # for, and a megabyte buffer per small file costs more than reading it (`check` reads
        # tens of thousands of files to reject them). When exactly that size comes back, the
        # file is read: asking again for the end of the file would cost a call per file.
        want = info.st_size + 1
        while total <= limit:  # the file may grow while it is read: never past the limit
            chunk = os.read(fd, min(want, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total == info.st_size and len(chunks) == 1:
                break
            want = 1 << 16
        if total > limit:
            raise FileSkipped("too large (it grew over the limit while it was read)", total)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def find_upward(start: Path, names: Sequence[str], stop: Path | None = None) -> Path | None:
    """The nearest file with one of `names` (in that order of preference within a folder) at
    or above `start`, not past `stop`."""
    for directory in (start, *start.parents):
        for name in names:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        if stop is not None and directory == stop:
            break
    return None
