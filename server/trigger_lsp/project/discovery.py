"""Which files `check` and the server's workspace index look at: source files and
package.json files, outside vendored and build folders and what git ignores, as the project's
config selects them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from trigger_lsp.analysis.syntax import is_source_path
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.ignore import gitignore_for
from trigger_lsp.project.packages import MANIFEST_NAME
from trigger_lsp.project.paths import resolved

SKIP_DIRS = frozenset({"node_modules", "dist", "build", ".trigger", ".git", ".hg", ".svn"})


def dirs_to_walk(dirnames: Iterable[str]) -> list[str]:
    """The folders of a walk step that are walked into, in order: no dependency, build or
    hidden folders."""
    return sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))


def checkable(path: Path | str) -> bool:
    """Source files, and package.json files (checked for SDK version mismatches)."""
    name = path.name if isinstance(path, Path) else os.path.basename(path)
    return name == MANIFEST_NAME or is_source_path(name)


@dataclass(frozen=True)
class FolderFiles:
    """The files discovery keeps in one folder, in the order it gives them: `folder / name` for
    each of `names`. `links` are the names that are symbolic links (which the walk knows without
    asking the disk again)."""

    folder: Path
    names: list[str]
    links: frozenset[str] = frozenset()

    def paths(self) -> Iterator[Path]:
        folder = self.folder
        for name in self.names:
            yield folder / name


def discover(
    paths: Iterable[Path], resolver: ProjectResolver, respect_gitignore: bool = True
) -> Iterator[Path]:
    """Source and package.json files under the given paths, skipping vendored and build
    folders, what git ignores (unless told not to, see project/ignore.py) and what the project's
    config excludes. Named files are always included if they are source or package.json files."""
    for batch in discover_folders(paths, resolver, respect_gitignore):
        yield from batch.paths()


def discover_folders(
    paths: Iterable[Path], resolver: ProjectResolver, respect_gitignore: bool = True
) -> Iterator[FolderFiles]:
    """`discover`'s files, a folder at a time (a named file is a folder of one). The walk reads
    each folder once (`os.scandir`) and asks nothing more of the disk per file: in a monorepo of
    tens of thousands of files the per-file cost is most of the walk."""
    seen: set[str] = set()  # resolved: a file named twice, or by two spellings, is checked once
    for path in paths:
        if path.is_file():
            key = str(resolved(path))
            if checkable(path) and key not in seen:
                seen.add(key)
                yield FolderFiles(path.parent, [path.name], _link_names(path))
            continue
        yield from _walk(path, resolver, respect_gitignore, seen)


def _link_names(path: Path) -> frozenset[str]:
    return frozenset({path.name}) if os.path.islink(path) else frozenset()


def _walk(
    top: Path, resolver: ProjectResolver, respect_gitignore: bool, seen: set[str]
) -> Iterator[FolderFiles]:
    """As `os.walk(top)` from the top down, links to folders listed but not followed, folders
    in name order, each folder's files before its subfolders'."""
    ignore = gitignore_for(top, resolver) if respect_gitignore else None
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = list(it)
        except OSError:  # (os.walk skips a folder it cannot list)
            continue
        dirnames: list[str] = []
        filenames: list[str] = []
        linked: set[str] = set()  # links, to folders (not walked) and to files
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirnames if is_dir else filenames).append(entry.name)
            try:
                if entry.is_symlink():
                    linked.add(entry.name)
            except OSError:
                pass
        resolver.share_plain_folder(here, dirnames, filenames)
        dirnames = dirs_to_walk(dirnames)
        if ignore is not None:
            ignore.keep(here, dirnames, filenames)
        stack.extend(here / d for d in reversed(dirnames) if d not in linked)
        names = sorted(n for n in filenames if n == MANIFEST_NAME or is_source_path(n))
        if not names:
            continue
        lint = resolver.context_for(here / names[0]).lint
        select = lint.include or lint.exclude
        # The walk does not follow links to folders: a file's resolved path is its resolved
        # folder's plus its name, unless the file itself is a link.
        real = str(resolved(here))
        kept: list[str] = []
        for name in names:
            if name in linked:
                key = str(resolved(here / name))
            else:
                key = f"{real}{os.sep}{name}" if real != os.sep else real + name
            if key in seen or (select and not lint.selects(here / name)):
                continue
            seen.add(key)
            kept.append(name)
        if kept:
            yield FolderFiles(here, kept, frozenset(linked.intersection(kept)))
