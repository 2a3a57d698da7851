"""Glob matching for every pattern a project gives: `.trigger-lsp.yaml` include/exclude, the
config's `ignorePatterns`, and workspace package globs. One matcher (wcmatch: `**`, `*`, `?`,
`[...]`, `{a,b}`), compiled once per pattern; patterns longer than MAX_GLOB_SEGMENTS folders
match nothing rather than a shortened path."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wcmatch.glob import WcMatcher

MAX_GLOB_SEGMENTS = 64


def _normalised(pattern: str) -> str:
    segments = [s for s in pattern.strip().split("/") if s not in ("", ".")]
    return "/".join(segments)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> WcMatcher | None:
    if not pattern or pattern.count("/") >= MAX_GLOB_SEGMENTS:
        return None
    # (imported here: it compiles some 30 regular expressions when imported, 8 ms that every
    # start of the server paid before its first diagnostics, most projects giving no pattern)
    from wcmatch import glob as wc

    try:
        return wc.compile(pattern, flags=wc.GLOBSTAR | wc.BRACE | wc.DOTGLOB)
    except Exception:  # too many brace expansions, or a pattern wcmatch refuses: no match
        return None


def matches(pattern: str, rel: str) -> bool:
    """Whether a `/`-separated relative path matches a glob (`./` and doubled `/` ignored)."""
    normal = _normalised(pattern)
    if normal == rel:
        return True  # a literal name, even one with glob characters (`[id].ts`)
    matcher = _compiled(normal)
    return matcher is not None and matcher.match(rel)


def selects(pattern: str, rel: PurePosixPath) -> bool:
    """Whether a path matches a glob or lies below a folder it names (`legacy`, `src/old/`)."""
    parts = [p for p in rel.parts if p not in ("", ".")]
    return any(matches(pattern, "/".join(parts[:k])) for k in range(len(parts), 0, -1))
