"""Work-done progress (`$/progress`) for the background index of the workspace.

A client that says `window.workDoneProgress` gets a progress it shows (VS Code in its status
bar): created with `window/workDoneProgress/create`, begun when the walk starts, a report of the
files indexed so far at most every REPORT_EVERY_S, and ended when the index is complete. A
client that does not support it, or does not answer the create request within CREATE_WAIT_S,
gets nothing (the index does not wait for it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lsprotocol import types as lsp

log = logging.getLogger(__name__)

TOKEN = "trigger-lsp/index"
CREATE_WAIT_S = 2.0
REPORT_EVERY_S = 0.25


def supports_progress(capabilities: Any) -> bool:
    window = getattr(capabilities, "window", None)
    return bool(getattr(window, "work_done_progress", False))


class IndexProgress:
    def __init__(self, server: Any, capabilities: Any) -> None:
        self._server = server
        self._on = supports_progress(capabilities)
        self._reported = 0.0

    async def begin(self) -> None:
        if not self._on:
            return
        handler = self._server.work_done_progress
        try:
            if TOKEN not in handler.tokens:
                await asyncio.wait_for(handler.create_async(TOKEN), CREATE_WAIT_S)
            handler.begin(
                TOKEN,
                lsp.WorkDoneProgressBegin(
                    title="Indexing Trigger.dev tasks", message="walking the workspace"
                ),
            )
        except Exception as exc:  # no answer, or an error: no progress, indexing goes on
            log.info("no work-done progress for the index: %s", exc)
            self._on = False
        self._reported = time.monotonic()

    def step(self, files: int) -> None:
        if not self._on or time.monotonic() - self._reported < REPORT_EVERY_S:
            return
        self._reported = time.monotonic()
        noun = "file" if files == 1 else "files"
        message = f"{files} {noun} indexed"
        self._server.work_done_progress.report(TOKEN, lsp.WorkDoneProgressReport(message=message))

    def end(self, files: int) -> None:
        if not self._on:
            return
        self._on = False
        noun = "file" if files == 1 else "files"
        message = f"{files} {noun} indexed"
        try:
            self._server.work_done_progress.end(TOKEN, lsp.WorkDoneProgressEnd(message=message))
        finally:
            self._server.work_done_progress.tokens.pop(TOKEN, None)
