"""Typing on one line keeps the diagnostics of the other lines as they were (the same objects,
so their JSON is not written again), and converts afresh what the edit moved."""

from __future__ import annotations

import json
from pathlib import Path

from lsp.in_process import InProcess

SOURCE = """import { task } from "@trigger.dev/sdk";

export const a = task({ id: "a", machine: "huge-1x", run: async () => {} });
export const b = task({ id: "b", machine: "huge-2x", run: async () => {} });
"""


def test_typing_on_a_line_keeps_the_diagnostics_of_the_lines_below(tmp_path: Path) -> None:
    driver = InProcess(tmp_path, {"textDocument": {"diagnostic": {}}})
    server = driver.server
    doc = driver.open(tmp_path / "src" / "trigger" / "t.ts", SOURCE)
    before = {(d.range.start.line, d.code): d for d in server.diagnostics_for(doc)}
    presets = [key for key in before if key[1] == "invalid-machine-preset"]
    assert sorted(line for line, _ in presets) == [2, 3]

    driver.change(doc, 2, 2, 70, " ")  # inside the run of task a, after its machine
    after = {(d.range.start.line, d.code): d for d in server.diagnostics_for(doc)}
    assert after.keys() == before.keys()
    assert after[(3, "invalid-machine-preset")] is before[(3, "invalid-machine-preset")]
    assert after[(2, "invalid-machine-preset")] is before[(2, "invalid-machine-preset")]

    driver.change(doc, 3, 2, 0, "  ")  # before task a's machine: its columns move
    moved = {(d.range.start.line, d.code): d for d in server.diagnostics_for(doc)}
    assert moved[(3, "invalid-machine-preset")] is before[(3, "invalid-machine-preset")]
    shifted = moved[(2, "invalid-machine-preset")]
    assert shifted is not before[(2, "invalid-machine-preset")]
    old = before[(2, "invalid-machine-preset")].range
    assert shifted.range.start.character == old.start.character + 2


def test_a_line_added_above_moves_the_diagnostics_below(tmp_path: Path) -> None:
    """A line added above keeps each diagnostic below but for its range (moved down a line),
    and the JSON written for a moved diagnostic is the JSON of the diagnostic itself."""
    caps = {"textDocument": {"diagnostic": {}}}
    path = tmp_path / "src" / "trigger" / "t.ts"
    driver = InProcess(tmp_path, caps)
    protocol = driver.protocol
    doc = driver.open(path, SOURCE)
    before = driver.server.diagnostics_for(doc)
    protocol._diagnostics_json(before)  # written once, as a pull answer would be

    driver.change(doc, 2, 1, 0, "// a new line\n")
    after = driver.server.diagnostics_for(doc)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        if old.range.start.line >= 1:
            assert new is not old and new.range.start.line == old.range.start.line + 1
            assert (new.message, new.code, new.data) == (old.message, old.code, old.data)
            assert new.range.start.character == old.range.start.character
        else:
            assert new is old
    written = protocol._diagnostics_json(after)
    assert written == [json.dumps(protocol._converter.unstructure(d)) for d in after]
    # ...and equals the JSON of a fresh conversion of the new text
    fresh = InProcess(tmp_path, caps)
    again = fresh.server.diagnostics_for(fresh.open(path, doc.source.decode()))
    assert [json.dumps(fresh.protocol._converter.unstructure(d)) for d in again] == written


WITH_FIX = """import { task } from "@trigger.dev/sdk";

export const a = task({ id: "a", machine: "small-1xx", run: async () => {} });
"""


def test_a_finding_with_a_fix_moves_as_the_others(tmp_path: Path) -> None:
    """A diagnostic carries no fix (wire.docs_link): a finding with one, moved down by a line
    added above, keeps its diagnostic but for the range, as the others, and its code action
    still edits the moved text (issue 19: each keystroke converted such findings again)."""
    caps = {"textDocument": {"diagnostic": {}}}
    path = tmp_path / "src" / "trigger" / "t.ts"
    driver = InProcess(tmp_path, caps)
    protocol = driver.protocol
    doc = driver.open(path, WITH_FIX)
    before = driver.server.diagnostics_for(doc)
    findings = driver.server.session.analyze(doc).findings
    assert any(f.fix is not None and f.rule == "invalid-machine-preset" for f in findings)
    protocol._diagnostics_json(before)

    made = []
    original = protocol.diagnostic
    protocol.diagnostic = lambda *args: made.append(args) or original(*args)  # type: ignore[method-assign]
    driver.change(doc, 2, 1, 0, "// a new line\n")
    after = driver.server.diagnostics_for(doc)
    assert made == []  # every one moved, none made again
    assert [d.range.start.line for d in after] == [d.range.start.line + 1 for d in before]
    written = protocol._diagnostics_json(after)
    fresh = InProcess(tmp_path, caps)
    again = fresh.server.diagnostics_for(fresh.open(path, doc.source.decode()))
    assert [json.dumps(fresh.protocol._converter.unstructure(d)) for d in again] == written
    moved_fix = next(f for f in driver.server.session.analyze(doc).findings if f.fix is not None)
    assert doc.source[moved_fix.fix.edits[0].start :].startswith(b'"small-1xx"')
