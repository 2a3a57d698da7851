"""When the cyclic garbage collector makes its full passes: while the editor is idle, not in
the middle of an answer (issue 19).

A full pass scans every object the collector tracks. With a 10,000-line document open or a
monorepo indexed that is some 100,000 to 300,000 objects: 20 to 60 ms, which Python's default
thresholds start every few keystrokes, inside whichever answer happens to allocate at that
moment (the slowest twentieth of the edits at 10,000 lines). Here the automatic full passes
become rare (FULL_EVERY young-generation passes, not 10; the youngest generations are still
collected as usual, and frozen start-up objects are never scanned: lsp/lifecycle.py), and
`IdleCollector` runs one full pass once no message has come in for IDLE_S after some work. A
client that never pauses still gets the automatic full passes, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

IDLE_S = 1.0  # a full pass waits until no message has come in for this long
CHECK_S = 0.5  # how often the collector looks
FULL_EVERY = 100  # middle-generation passes between automatic full passes (Python: 10)


class IdleCollector:
    def __init__(self, last_message_at: Callable[[], float]) -> None:
        self._last_message_at = last_message_at  # () -> time.monotonic() of the last message
        self._handle: asyncio.TimerHandle | None = None
        self.full_passes = 0  # run here

    def start(self) -> None:
        first, middle, _ = gc.get_threshold()
        gc.set_threshold(first, middle, FULL_EVERY)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving: the thresholds alone
            return
        self._handle = loop.call_later(CHECK_S, self._check)

    def _check(self) -> None:
        self._handle = asyncio.get_running_loop().call_later(CHECK_S, self._check)
        if time.monotonic() - self._last_message_at() < IDLE_S:
            return
        if gc.get_count()[2] == 0:
            return  # no middle-generation pass since the last full one: nothing moved up
        gc.collect()
        self.full_passes += 1
