"""Which files `check` and the server's workspace index look at: source files and
package.json files, outside vendored and build folders and what git ignores, as the project's
config selects them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from trigger_lsp.analysis.syntax import is_source_path
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.ignore import gitignore_for
from trigger_lsp.project.packages import is_manifest_path
from trigger_lsp.project.paths import resolved

SKIP_DIRS = frozenset({"node_modules", "dist", "build", ".trigger", ".git", ".hg", ".svn"})


def dirs_to_walk(dirnames: Iterable[str]) -> list[str]:
    """The folders of a walk step that are walked into, in order: no dependency, build or
    hidden folders."""
    return sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))


def checkable(path: Path | str) -> bool:
    """Source files, and package.json files (checked for SDK version mismatches)."""
    return is_source_path(path) or is_manifest_path(Path(path))


def discover(
    paths: Iterable[Path], resolver: ProjectResolver, respect_gitignore: bool = True
) -> Iterator[Path]:
    """Source and package.json files under the given paths, skipping vendored and build
    folders, what git ignores (unless told not to, see project/ignore.py) and what the project's
    config excludes. Named files are always included if they are source or package.json files."""
    seen: set[Path] = set()  # resolved: a file named twice, or by two spellings, is checked once
    for path in paths:
        if path.is_file():
            if checkable(path) and resolved(path) not in seen:
                seen.add(resolved(path))
                yield path
            continue
        ignore = gitignore_for(path, resolver) if respect_gitignore else None
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            here = Path(dirpath)
            resolver.share_plain_folder(here, dirnames, filenames)
            dirnames[:] = dirs_to_walk(dirnames)
            if ignore is not None:
                ignore.keep(here, dirnames, filenames)
            # The walk does not follow links to folders: a file's resolved path is its resolved
            # folder's plus its name, unless the file itself is a link.
            real = resolved(here)
            names = sorted(n for n in filenames if checkable(n))
            lint = resolver.context_for(here / names[0]).lint if names else None
            for name in names:
                file = here / name
                key = resolved(file) if os.path.islink(file) else real / name
                if key in seen or (lint is not None and not lint.selects(file)):
                    continue
                seen.add(key)
                yield file
