"""The warm-up after `initialized` (lsp/warmup.py, issue 19): it loads in small steps what the
first requests would load, and the answers are the same with or without it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lsprotocol import types as lsp

from test_installed_sdk import write_project
from trigger_lsp.knowledge.loader import load_knowledge
from trigger_lsp.lsp import warmup
from trigger_lsp.lsp.features import completion, hover
from trigger_lsp.lsp.server import create_server
from trigger_lsp.lsp.state import Session
from trigger_lsp.project import installed_sdk

SOURCE = (
    'import { task, logger } from "@trigger.dev/sdk";\n'
    'export const a = task({ id: "a", machine: "small-1x", run: async () => {\n'
    '  logger.info("x");\n'
    "} });\n"
)


def test_the_reference_is_parsed_a_section_at_a_time() -> None:
    kb = load_knowledge()
    steps = sum(1 for _ in kb.warm_reference())
    assert steps > 100  # one step per section, not one for the whole parse
    assert "reference" in kb.__dict__
    assert kb.reference == load_knowledge().reference
    assert list(kb.warm_reference()) == []  # kept: nothing more to do


def test_reading_the_reference_midway_parses_it_at_once() -> None:
    kb = load_knowledge()
    steps = kb.warm_reference()
    for _ in range(5):
        next(steps)
    read = kb.reference  # a request meanwhile
    assert read == load_knowledge().reference
    assert list(steps) == []  # the warm-up stops, and keeps what the request read
    assert kb.reference is read


def _answers(session: Session, path: Path) -> tuple[object, ...]:
    uri = path.as_uri()
    items = completion.complete(session, uri, lsp.Position(1, 43))  # in the machine string
    logger = hover.hover_at(session, uri, lsp.Position(2, 3))
    task = hover.hover_at(session, uri, lsp.Position(1, 18))
    labels = sorted(i.label for i in items.items) if items is not None else None
    return labels, logger, task


def _session(path: Path) -> Session:
    session = Session()
    # (with the SDK's types installed, "auto" leaves these values to TypeScript's completion)
    session.apply_settings({"completion": {"keys": "always"}})
    session.open_document(path.as_uri(), "typescript", 1, SOURCE)
    return session


def test_answers_are_the_same_with_or_without_the_warm_up(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app")
    path = root / "src" / "trigger" / "a.ts"
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE)
    installed_sdk._CACHE.clear()
    cold = _answers(_session(path), path)

    installed_sdk._CACHE.clear()
    session = _session(path)
    converter = create_server().protocol._converter
    count = sum(1 for _ in warmup.steps(session, converter))
    assert count > 20
    assert installed_sdk._CACHE  # the open project's installed SDK was read ahead
    assert _answers(session, path) == cold
    assert "small-1x" in cold[0] and cold[1] is not None and cold[2] is not None


def test_the_warm_up_waits_while_messages_come_in(tmp_path: Path) -> None:
    session = _session(tmp_path / "a.ts")
    converter = create_server().protocol._converter
    last = [time.monotonic()]

    async def run() -> tuple[bool, bool]:
        warm = warmup.WarmUp(session, converter, lambda: last[0])
        warm.start()
        for _ in range(20):  # a message at every step
            last[0] = time.monotonic()
            await asyncio.sleep(0.002)
        waited = warm.steps is not None and "reference" not in session.kb.__dict__
        last[0] = 0.0  # quiet from now on
        for _ in range(2000):
            if warm.steps is None:
                break
            await asyncio.sleep(0.002)
        return waited, warm.steps is None

    from trigger_lsp.knowledge import loader

    loader.knowledge.cache_clear()  # a knowledge object whose reference is not parsed yet
    try:
        waited, finished = asyncio.run(run())
    finally:
        loader.knowledge.cache_clear()
    assert waited
    assert finished
