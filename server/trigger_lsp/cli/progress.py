"""The progress line `check` shows on a terminal while it works.

Only on a terminal (stderr a TTY), only for the text format, and only once the run has taken
more than AFTER_S: a quick check prints nothing more than its report, and redirected output or
a machine format (JSON, SARIF, GitHub annotations) never holds progress. The line is redrawn in
place (carriage return, erase to the end of line) at most every EVERY_S and erased before the
report is printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

AFTER_S = 1.0
EVERY_S = 0.1


class ProgressLine:
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._drawn = 0.0
        self._shown = False

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        now = self._clock()
        if now - self._started < AFTER_S or now - self._drawn < EVERY_S:
            return
        self._drawn = now
        text = f"trigger-lsp: {stage} {done:,}" + (f"/{total:,}" if total else "")
        self._stream.write(f"\r\x1b[K{text}")
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False


def progress_for(stream: TextIO, machine_format: bool) -> ProgressLine | None:
    """A progress line on `stream` when it is a terminal and the report is for people."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return ProgressLine(stream) if tty and not machine_format else None
