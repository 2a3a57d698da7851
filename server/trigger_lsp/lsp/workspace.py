"""The files of the editor's workspace for the project index, within bounds.

An editor may be opened at `/` or at a home folder: walking all of it would take minutes, and a
walk that never lets go of the event loop keeps every request waiting. So the walk yields a step
(None) after each folder and every STEP_S within one, for the server to answer what came in,
and stops at MAX_DIRS folders, MAX_DEPTH levels below a root and MAX_WALK_S seconds; what was
left out is named in `left_out` for the log. Which files are indexed is as `check` discovers them
(project/discovery.py), git's ignore files included; files the prefilter rejects are known to
the index unparsed, as in `check`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pygls.uris import to_fs_path

from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.discovery import checkable, dirs_to_walk
from trigger_lsp.project.ignore import gitignore_for
from trigger_lsp.project.paths import resolved
from trigger_lsp.project.prefilter import Prefilter
from trigger_lsp.project.reading import FileSkipped, read_regular
from trigger_lsp.text import MAX_FILE_BYTES

MAX_DIRS = 10_000  # folders walked at most
MAX_DEPTH = 16  # folder levels below a workspace root
MAX_WALK_S = 30.0  # seconds of walking at most (not counting the requests answered meanwhile)
STEP_S = 0.002  # a step (None) at least this often, within a folder too


def workspace_files(
    roots: Iterable[Path],
    resolver: ProjectResolver,
    left_out: list[str],
    reject: Callable[[Path], None] | None = None,
) -> Iterator[Path | None]:
    """The files to index, with a step (None) after each folder. What git ignores is left out
    (unless the project's .trigger-lsp.yaml says `respect-gitignore: false`); given `reject`,
    the files the prefilter rejects (project/prefilter.py) are read here and passed to it
    instead, unparsed."""
    seen: set[Path] = set()
    prefilter = Prefilter() if reject is not None else None
    dirs = 0
    walked = 0.0
    deep_noted = False
    for root in roots:
        base = len(root.parts)
        started = time.monotonic()
        ignore = gitignore_for(root, resolver)
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            walked += time.monotonic() - started
            yield None  # a step: what came in is answered first
            started = time.monotonic()
            dirs += 1
            if dirs > MAX_DIRS or walked > MAX_WALK_S:
                what = f"{MAX_DIRS} folders" if dirs > MAX_DIRS else f"{MAX_WALK_S:.0f} s"
                left_out.append(f"the folders after the first {what} (from {dirpath})")
                return
            here = Path(dirpath)
            resolver.share_plain_folder(here, dirnames, filenames)
            dirnames[:] = dirs_to_walk(dirnames)
            if ignore is not None:
                ignore.keep(here, dirnames, filenames)
            if dirnames and len(here.parts) - base >= MAX_DEPTH:
                if not deep_noted:
                    deep_noted = True
                    first = here / dirnames[0]
                    left_out.append(f"folders over {MAX_DEPTH} levels deep (such as {first})")
                dirnames[:] = []
            # (the walk does not follow links to folders: a file's resolved path is its resolved
            # folder's plus its name, unless the file itself is a link)
            real = resolved(here)
            names = sorted(n for n in filenames if checkable(n))
            if not names:
                continue
            try:  # (one project for the files of a folder: contexts are kept per folder)
                context = resolver.context_for(here / names[0])
            except Exception as exc:  # a project's files that cannot be read: not indexed
                if len(left_out) < 20:
                    left_out.append(f"{here} ({type(exc).__name__} reading its project)")
                continue
            lint = context.lint
            for name in names:
                if time.monotonic() - started > STEP_S:  # a big folder: let requests in too
                    walked += time.monotonic() - started
                    yield None
                    started = time.monotonic()
                file = here / name
                key = resolved(file) if os.path.islink(file) else real / name
                if key in seen or not lint.selects(file):
                    continue
                seen.add(key)
                if reject is not None and prefilter and not prefilter.by_place(file, context):
                    try:
                        source = read_regular(file, MAX_FILE_BYTES)
                    except (FileSkipped, OSError):
                        source = None  # the indexer notes why
                    if source is not None and not prefilter.must_parse(file, source, context):
                        reject(file)
                        continue
                walked += time.monotonic() - started
                yield file
                started = time.monotonic()


def workspace_roots(server: Any) -> list[str]:
    """The folders of the editor's workspace (a pygls server's), those that exist."""
    roots = []
    for folder in server.workspace.folders.values():
        path = to_fs_path(folder.uri)
        if path:
            roots.append(path)
    if not roots and server.workspace.root_path:
        roots.append(server.workspace.root_path)
    return [r for r in roots if Path(r).is_dir()]
