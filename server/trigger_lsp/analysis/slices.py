"""Work that yields: a long computation run a slice at a time, between requests (issue 17).

One analysis may take seconds (a file of blocks nested a few hundred deep, a 2 MiB parse), and
while it runs on the event loop no request is answered. A `Sliced` computation runs on a thread
of its own, but only while its owner waits for it: the owner calls `step(budget)`, the
computation goes on until it reaches a `checkpoint()` after that much time, and hands control
back. The two threads never run at the same time (each waits for the other), so the computation
sees the owner's objects exactly as a plain call would, and the owner answers requests between
steps. Nothing runs in parallel and no user code runs: this is a coroutine whose stack can pause
anywhere a checkpoint is.

Checkpoints sit where long work goes round: each walk up the syntax tree (`syntax.parent_of`),
each rule and each report (`lint/engine.run_rules`), and the parse of a document
(`parse_sliced`, through tree-sitter's progress callback). No checkpoint is reached while a lock
is held, so the owner never waits for a paused computation. Outside a `Sliced` (the CLI, a
plain call) a checkpoint costs one global lookup.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from queue import SimpleQueue
from typing import Generic, TypeVar

import tree_sitter as ts

T = TypeVar("T")

# The computation running now, on its own thread, while its owner waits; None otherwise.
running: Sliced[object] | None = None


class Cancelled(BaseException):
    """Raised at a checkpoint of a computation its owner cancelled (a BaseException, so that
    the per-rule containment, which catches Exception, lets it through)."""


def checkpoint() -> None:
    """Hand control back to the owner when the current slice's time is up."""
    sliced = running
    if sliced is not None and time.perf_counter() > sliced.deadline:
        sliced.pause()


class Sliced(Generic[T]):
    """`work()` run a slice at a time (see the module's docstring)."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._to_work: SimpleQueue[None] = SimpleQueue()
        self._to_owner: SimpleQueue[None] = SimpleQueue()
        self.deadline = 0.0
        self.started = False
        self.done = False
        self.cancelled = False
        self.steps = 0  # slices run
        self.cpu_s = 0.0  # the computation's CPU time (paused time and other threads' excluded)
        self._result: T | None = None
        self._error: BaseException | None = None

    # --- the owner's side ---------------------------------------------------------------------
    def step(self, budget_s: float) -> bool:
        """Run the computation for about `budget_s` seconds (until its next checkpoint after
        that); return whether it is done."""
        global running
        if self.done:
            return True
        assert running is None, "one sliced computation runs at a time"
        self.steps += 1
        self.deadline = time.perf_counter() + budget_s
        running = self  # type: ignore[assignment]
        try:
            if not self.started:
                self.started = True
                _worker().jobs.put(self)  # type: ignore[arg-type]
            else:
                self._to_work.put(None)
            self._to_owner.get()  # paused at a checkpoint, or done
        finally:
            running = None
        return self.done

    def finish(self) -> T:
        """Run the computation to its end; its result (or its exception, raised here)."""
        while not self.step(float("inf")):
            pass
        if self._error is not None:
            raise self._error
        if self.cancelled:
            raise Cancelled
        return self._result  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the computation: it raises Cancelled at the checkpoint where it waits, and
        unwinds (its `finally` blocks run) before this returns."""
        self.cancelled = True
        if self.done:
            return
        if not self.started:
            self.done = True
            return
        self.step(0.0)

    # --- the computation's side ----------------------------------------------------------------
    def pause(self) -> None:
        global running
        running = None
        self._to_owner.put(None)
        self._to_work.get()  # the owner's next step (it set `running` again)
        if self.cancelled:
            raise Cancelled

    def run(self) -> None:
        started = time.thread_time()
        try:
            if not self.cancelled:
                self._result = self._work()
        except Cancelled:
            pass
        except BaseException as exc:  # handed to the owner by `finish`
            self._error = exc
        finally:
            self._work = _nothing  # type: ignore[assignment]  # (frees what it held)
            self.cpu_s = time.thread_time() - started
            self.done = True
            global running
            running = None
            self._to_owner.put(None)


def _nothing() -> None:
    return None


class _Worker(threading.Thread):
    """A thread that runs sliced computations one after another, kept for the next one."""

    def __init__(self) -> None:
        super().__init__(name="trigger-lsp-slices", daemon=True)
        self.jobs: SimpleQueue[Sliced[object]] = SimpleQueue()

    def run(self) -> None:
        while True:
            sliced = self.jobs.get()
            sliced.run()
            _idle.append(self)


_idle: list[_Worker] = []  # threads waiting for a computation


def _worker() -> _Worker:
    if _idle:
        return _idle.pop()
    worker = _Worker()
    worker.start()
    return worker


def parse_sliced(parser: ts.Parser, source: bytes, old_tree: ts.Tree | None) -> ts.Tree | None:
    """`parser.parse(source, old_tree)` with a checkpoint at tree-sitter's progress reports
    (at least every 10 ms or so of parsing, measured on nested shapes; tree-sitter reports
    progress only when it reads the text through a callback); outside a Sliced, the plain
    parse."""
    if running is None:
        return parser.parse(source, old_tree) if old_tree is not None else parser.parse(source)
    size = len(source)
    view = memoryview(source)

    def read(offset: int, _point: object) -> bytes:
        return bytes(view[offset : min(size, offset + _CHUNK)]) if offset < size else b""

    def progress(*_state: object) -> bool:
        checkpoint()
        return False

    if old_tree is None:
        tree = parser.parse(read, progress_callback=progress)
    else:
        tree = parser.parse(read, old_tree, progress_callback=progress)
    # A tree parsed from a callback reads each node's text through it (analysis 15 times
    # slower): parsed again from the bytes, which reuses the whole tree (about 1 ms).
    return parser.parse(source, tree) if tree is not None else None


_CHUNK = 1 << 16
