"""Resolved paths, cached: rules and the index compare and relativise the same few paths for
every file, and `Path.resolve()` costs a system call per path component."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8192)
def resolved(path: Path) -> Path:
    """The absolute path with symlinks resolved (cached for the life of the process)."""
    return path.resolve()


@lru_cache(maxsize=8192)
def relative_parts(path: Path, root: Path) -> tuple[str, ...] | None:
    """The parts of `path` below `root`, both resolved; None when it is not below."""
    try:
        return resolved(path).relative_to(resolved(root)).parts
    except ValueError:
        return None


def display_path(path: Path, base: Path | None = None) -> str:
    """How a path is shown to a user: below `base` relative to it (else whole), or, with no
    base, relative to the current folder as a terminal user expects."""
    if base is None:
        try:
            return os.path.relpath(path)
        except ValueError:  # another drive
            return str(path)
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
