"""An editor opened at an odd place (the filesystem root, a home folder, a deep tree): the
workspace index is bounded in folders, depth and time, says in the log what it left out, and
never keeps a request waiting."""

from __future__ import annotations

import time
from pathlib import Path

from reliability.wire import Wire, did_open, hover, initialize, notification

TASK = 'import { task } from "@trigger.dev/sdk";\nexport const a = task({ run: async () => {} });\n'


def _log_messages(wire: Wire, seconds: float) -> list[str]:
    return [
        m["params"]["message"]
        for m in wire.seen + wire.drain(seconds)
        if isinstance(m, dict) and m.get("method") == "window/logMessage"
    ]


def test_an_editor_opened_at_the_root_answers_at_once(tmp_path: Path) -> None:
    wire = Wire(tmp_path)
    try:
        root = Path("/")
        options = {"indexWorkspace": True}
        wire.send(initialize(1, root, initializationOptions=options))
        assert "result" in wire.answer(1)
        wire.send(notification("initialized", {}))
        uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
        wire.send(did_open(uri, TASK))
        worst = 0.0
        for n in range(10, 30):  # requests while the indexer walks the machine
            sent = time.monotonic()
            wire.send(hover(n, uri))
            assert wire.answer(n, timeout=30)["result"] is not None
            worst = max(worst, time.monotonic() - sent)
            time.sleep(0.1)
        assert worst < 2.0
        deadline = time.monotonic() + 90
        while not any("left out" in m for m in _log_messages(wire, 1.0)):
            assert time.monotonic() < deadline, "the index of / did not end within bounds"
        assert wire.proc.poll() is None
    finally:
        wire.close()


def test_a_deep_tree_is_indexed_to_a_bounded_depth_and_the_log_says_so(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*[f"d{n}" for n in range(30)])
    deep.mkdir(parents=True)
    (deep / "t.ts").write_text(TASK)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "t.ts").write_text(TASK)
    wire = Wire(tmp_path)
    try:
        wire.send(initialize(1, tmp_path, initializationOptions={"indexWorkspace": True}))
        assert "result" in wire.answer(1)
        wire.send(notification("initialized", {}))
        deadline = time.monotonic() + 30
        while not (logged := [m for m in _log_messages(wire, 0.5) if "left out" in m]):
            assert time.monotonic() < deadline
        assert "levels deep" in logged[0] and "d16" in logged[0]
    finally:
        wire.close()
