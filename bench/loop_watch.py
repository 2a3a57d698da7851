"""Runs `trigger-lsp serve` with asyncio's debug mode reporting every event-loop step longer
than LOOP_WATCH_MS (default 5) on stderr, with the wall-clock time it ended. A request that
arrives during such a step waits for it; bench_index.py uses this to find the longest wait
that background indexing can cause, apart from the noise of a shared machine."""

from __future__ import annotations

import asyncio.base_events
import logging
import os
import runpy
import sys

_THRESHOLD_S = float(os.environ.get("LOOP_WATCH_MS", "5")) / 1000
_init = asyncio.base_events.BaseEventLoop.__init__


def _watched_init(self: asyncio.base_events.BaseEventLoop) -> None:
    _init(self)
    self.slow_callback_duration = _THRESHOLD_S  # set per loop by asyncio's own __init__


asyncio.base_events.BaseEventLoop.__init__ = _watched_init  # type: ignore[method-assign]
os.environ["PYTHONASYNCIODEBUG"] = "1"
logging.basicConfig(level=logging.WARNING, format="%(created).3f %(name)s: %(message)s")
sys.argv = ["trigger-lsp", "serve"]
runpy.run_module("trigger_lsp", run_name="__main__", alter_sys=True)
