"""The files of the editor's workspace for the project index, within bounds.

An editor may be opened at `/` or at a home folder: walking all of it would take minutes, and a
walk that never lets go of the event loop keeps every request waiting. So the walk yields a step
(None) after each folder, for the server to answer what came in, and stops at MAX_DIRS folders,
MAX_DEPTH levels below a root and MAX_WALK_S seconds; what was left out is named in `left_out`
for the log. Which files are indexed is as `check` discovers them (project/discovery.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.discovery import checkable, dirs_to_walk
from trigger_lsp.project.paths import resolved

MAX_DIRS = 10_000  # folders walked at most
MAX_DEPTH = 16  # folder levels below a workspace root
MAX_WALK_S = 30.0  # seconds of walking at most (not counting the requests answered meanwhile)


def workspace_files(
    roots: Iterable[Path], resolver: ProjectResolver, left_out: list[str]
) -> Iterator[Path | None]:
    seen: set[Path] = set()
    dirs = 0
    walked = 0.0
    deep_noted = False
    for root in roots:
        base = len(root.parts)
        started = time.monotonic()
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
            dirnames[:] = dirs_to_walk(dirnames)
            if dirnames and len(here.parts) - base >= MAX_DEPTH:
                if not deep_noted:
                    deep_noted = True
                    first = here / dirnames[0]
                    left_out.append(f"folders over {MAX_DEPTH} levels deep (such as {first})")
                dirnames[:] = []
            for name in sorted(filenames):
                file = here / name
                if not checkable(file) or resolved(file) in seen:
                    continue
                try:
                    selected = resolver.context_for(file).lint.selects(file)
                except Exception as exc:  # a project's files that cannot be read: not indexed
                    if len(left_out) < 20:
                        left_out.append(f"{file} ({type(exc).__name__} reading its project)")
                    continue
                if not selected:
                    continue
                seen.add(resolved(file))
                walked += time.monotonic() - started
                yield file
                started = time.monotonic()
