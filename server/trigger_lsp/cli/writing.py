"""Writing fixed text back to a user's file so that nothing it held is ever lost.

The fixed text goes to a temporary file beside the original, which then replaces it in one
rename: at any moment the file holds either its old text or the whole fixed text, whatever
fails (a full disk, a size limit, a read-only file system). Nothing is written when the file
changed since it was read (a save made during the check), when it is reached through a link
that leaves the folders being checked, or when it is not a regular file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Written(Enum):
    WRITTEN = "written"
    SKIPPED = "skipped"  # by design (a link out of the checked folders): the file is as it was
    FAILED = "failed"  # the fixes could not be written: the file is as it was


@dataclass(frozen=True)
class WriteResult:
    status: Written
    message: str = ""


def write_fixed(path: Path, read: bytes, fixed: bytes, roots: Sequence[Path]) -> WriteResult:
    """Replace the file's text `read` by `fixed`, atomically. `roots` are the folders and files
    named on the command line (resolved): the file, links followed, must lie below one of them."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        return WriteResult(Written.FAILED, f"cannot write fixes: {_reason(exc)}")
    if roots and not any(target == root or target.is_relative_to(root) for root in roots):
        return WriteResult(
            Written.SKIPPED,
            f"fixes not written: the file is a link to {target}, outside the checked folders",
        )
    try:
        before = os.stat(target)
        if not _is_regular(before):
            return WriteResult(Written.SKIPPED, "fixes not written: not a regular file")
        if _current(target, len(read)) != read:
            return WriteResult(
                Written.FAILED,
                "fixes not written: the file changed after it was read (run the check again)",
            )
        tmp = _write_temp(target, fixed, before)
    except OSError as exc:
        return WriteResult(Written.FAILED, f"cannot write fixes: {_reason(exc)}")
    try:
        after = os.stat(target)
        if (after.st_ino, after.st_size, after.st_mtime_ns) != (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        ):
            raise _Changed
        os.replace(tmp, target)
    except _Changed:
        _remove(tmp)
        return WriteResult(
            Written.FAILED,
            "fixes not written: the file changed after it was read (run the check again)",
        )
    except OSError as exc:
        _remove(tmp)
        return WriteResult(Written.FAILED, f"cannot write fixes: {_reason(exc)}")
    _sync_folder(target.parent)
    return WriteResult(Written.WRITTEN)


class _Changed(Exception):
    pass


def _is_regular(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode)


def _current(target: Path, expected: int) -> bytes:
    """The file's text now, read no further than one byte past what it held before."""
    with open(target, "rb") as f:
        return f.read(expected + 1)


def _write_temp(target: Path, data: bytes, like: os.stat_result) -> str:
    """A temporary file beside `target` holding `data`, flushed to disk, with the target's
    permissions and (where allowed) owner. On failure nothing is left behind."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".fix", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), like.st_mode & 0o7777)
            if (like.st_uid, like.st_gid) != (os.getuid(), os.getgid()):
                # Keep the owner; a user who may not must not silently take the file over.
                os.fchown(f.fileno(), like.st_uid, like.st_gid)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
