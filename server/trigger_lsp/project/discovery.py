"""Which files `check` and the server's workspace index look at: source files and
package.json files, outside vendored and build folders, as the project's config selects them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from trigger_lsp.analysis.syntax import is_source_path
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.packages import is_manifest_path
from trigger_lsp.project.paths import resolved

SKIP_DIRS = frozenset({"node_modules", "dist", "build", ".trigger", ".git", ".hg", ".svn"})


def dirs_to_walk(dirnames: Iterable[str]) -> list[str]:
    """The folders of a walk step that are walked into, in order: no dependency, build or
    hidden folders."""
    return sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))


def checkable(path: Path) -> bool:
    """Source files, and package.json files (checked for SDK version mismatches)."""
    return is_source_path(path) or is_manifest_path(path)


def discover(paths: Iterable[Path], resolver: ProjectResolver) -> Iterator[Path]:
    """Source and package.json files under the given paths, skipping vendored and build
    folders and what the project's config excludes. Named files are always included if they
    are source or package.json files."""
    seen: set[Path] = set()  # resolved: a file named twice, or by two spellings, is checked once
    for path in paths:
        if path.is_file():
            if checkable(path) and resolved(path) not in seen:
                seen.add(resolved(path))
                yield path
            continue
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames[:] = dirs_to_walk(dirnames)
            for name in sorted(filenames):
                file = Path(dirpath) / name
                if not checkable(file) or resolved(file) in seen:
                    continue
                if not resolver.context_for(file).lint.selects(file):
                    continue
                seen.add(resolved(file))
                yield file
