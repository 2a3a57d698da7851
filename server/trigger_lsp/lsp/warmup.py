"""Loading, right after `initialized`, what the first requests of a session would otherwise load
while the editor waits (issue 19: after the first second no request over 100 ms).

Left to the first request, these cost a completion or hover some 0.1 to 0.4 s: the SDK
reference (`Knowledge.reference`, some 300 YAML sections), the protocol library's converters
for each request and answer type (cattrs writes and compiles one function per type when first
used), the regular expressions of plain-text hovers, the list of time zones, and each open
project's installed SDK declarations (project/installed_sdk.py, some 170 ms on first read).

`steps` does that work in small steps (a YAML section, one type's converter, one installed-SDK
question). `WarmUp` runs them on the event loop in slices of WARM_SLICE_S, only once no message
has come in for WARM_IDLE_S, so that a request waits at most one slice. The work only fills
caches that the requests would fill themselves: the answers are the same with or without it
(tests/lsp/test_warmup.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from trigger_lsp.lsp import routes
from trigger_lsp.lsp.features import completion, markup
from trigger_lsp.project import installed_sdk

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)
WARM_SLICE_S = 0.003  # work done in one go, at most about this long
WARM_PAUSE_S = 0.001  # between slices
WARM_IDLE_S = 0.005  # a slice waits until no message has come in for this long
# Markdown with each construct markup.to_plaintext rewrites (its regular expressions compile
# on first use).
_SAMPLE_MARKDOWN = "# a\n[b](c) `d` **e** *f*\n\n\n\n---\n```ts\ng\n```"


def steps(session: Session, converter: Any) -> Iterator[None]:
    """The warm-up, one small piece of work per step."""
    zones = threading.Thread(target=completion.time_zones, name="trigger-lsp-zones", daemon=True)
    zones.start()  # (reading the time zone database is file system work: in a thread)
    yield from session.kb.warm_reference()
    for hook in _converter_hooks(converter):
        hook()
        yield
    markup.to_plaintext(_SAMPLE_MARKDOWN)
    yield
    for project in _open_projects(session):
        found = installed_sdk.declarations(project.installed_sdk)
        if found is None:
            continue
        for question in installed_sdk.WARM:
            found.warm((question,))
            yield


def _converter_hooks(converter: Any) -> Iterator[Any]:
    """For each method the server answers: making the converter's function for its message
    type, for its response type, and for each class an answer may hold."""
    seen: set[Any] = set()
    for route in routes.ROUTES:
        types = lsp.METHOD_TO_TYPES.get(route.method)
        if types is None:
            continue  # a command
        message, response = types[0], types[1]
        for cls in (message, response):
            if cls is not None and cls not in seen:
                seen.add(cls)
                yield lambda cls=cls: converter.get_structure_hook(cls)
        result = getattr(getattr(response, "__attrs_attrs__", None), "result", None)
        for cls in _attrs_classes(result.type if result is not None else None):
            if cls not in seen:
                seen.add(cls)
                yield lambda cls=cls: converter.get_unstructure_hook(cls)


def _attrs_classes(annotation: Any, depth: int = 0) -> list[type]:
    """The attrs classes an annotation names (inside unions and sequences)."""
    if annotation is None or depth > 4:
        return []
    if isinstance(annotation, type) and hasattr(annotation, "__attrs_attrs__"):
        return [annotation]
    out: list[type] = []
    for arg in typing.get_args(annotation):
        out += _attrs_classes(arg, depth + 1)
    return out


def _open_projects(session: Session) -> list[Any]:
    projects: dict[Any, Any] = {}
    for doc in session.store.all():
        if doc.path is not None:
            project = session.resolver.context_for(doc.path)
            projects.setdefault(project.root, project)
    return list(projects.values())


class WarmUp:
    """Runs `steps` on the event loop between requests."""

    def __init__(self, session: Session, converter: Any, last_message_at: Any) -> None:
        self.steps: Iterator[None] | None = steps(session, converter)
        self._last_message_at = last_message_at  # () -> time.monotonic() of the last message

    def start(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving (a test driving the server directly): at once
            self.run_all()
            return
        loop.call_later(WARM_PAUSE_S, self._step)

    def run_all(self) -> None:
        for _ in self.steps or ():
            pass
        self.steps = None

    def _step(self) -> None:
        if self.steps is None:
            return
        loop = asyncio.get_running_loop()
        if time.monotonic() - self._last_message_at() < WARM_IDLE_S:
            loop.call_later(WARM_IDLE_S, self._step)  # requests are coming in: they go first
            return
        stop = time.perf_counter() + WARM_SLICE_S
        try:
            for _ in self.steps:
                if time.perf_counter() > stop:
                    loop.call_later(WARM_PAUSE_S, self._step)
                    return
        except Exception:  # the requests load what they need themselves
            log.exception("warming up failed")
        self.steps = None
