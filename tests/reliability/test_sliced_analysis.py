"""An analysis run a slice at a time (analysis/slices.py) gives the same findings as one run in
one go, stops at its checkpoints when its time is up, can be cancelled, and hands its errors
to its owner (issue 17: one pathological file must not block the server)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import tree_sitter as ts

from trigger_lsp.analysis import slices, syntax
from trigger_lsp.lint.engine import analyze

HEADER = 'import { task, logger, wait } from "@trigger.dev/sdk";\n'
PATH = Path("/project/src/trigger/deep.ts")


def nested_waits(depth: int, count: int) -> bytes:
    body = "if (a) { " * depth + "await wait.for({ seconds: 1 }); " * count + "}" * depth
    text = HEADER + 'export const t = task({ id: "t", run: async () => {\n' + body + "\n} });\n"
    return text.encode()


def sliced_analysis(source: bytes) -> slices.Sliced:
    def work():
        parser = ts.Parser(syntax.language("typescript"))
        tree = slices.parse_sliced(parser, source, None)
        return analyze(source, PATH, tree=tree)

    return slices.Sliced(work)


def rows(result) -> list[tuple[str, int, int, str]]:
    return [(f.rule, f.start_byte, f.end_byte, f.message) for f in result.findings]


def test_a_sliced_analysis_equals_one_in_one_go() -> None:
    source = nested_waits(120, 300)
    work = sliced_analysis(source)
    while not work.step(0.002):
        pass
    assert work.steps > 3  # it did stop between slices
    assert rows(work.finish()) == rows(analyze(source, PATH))
    assert rows(work.finish())  # (must fire: a wait in the nested blocks is reported)


def test_each_slice_ends_soon_after_its_budget() -> None:
    """Generous: a slice may run to its next checkpoint; the analysis takes far longer."""
    source = nested_waits(190, 600)
    work = sliced_analysis(source)
    longest, started = 0.0, time.perf_counter()
    while True:
        at = time.perf_counter()
        done = work.step(0.003)
        longest = max(longest, time.perf_counter() - at)
        if done:
            break
    total = time.perf_counter() - started
    work.finish()
    assert longest < max(0.25, total / 3), (longest, total)


def test_a_cancelled_analysis_stops_and_says_so() -> None:
    work = sliced_analysis(nested_waits(190, 600))
    work.step(0.001)
    assert not work.done
    work.cancel()
    assert work.done and work.cancelled
    with pytest.raises(slices.Cancelled):
        work.finish()
    assert slices.running is None  # the owner may start another


def test_an_error_in_the_work_reaches_the_owner() -> None:
    def fails() -> None:
        slices.checkpoint()
        raise ValueError("broken")

    work = slices.Sliced(fails)
    with pytest.raises(ValueError, match="broken"):
        work.finish()


def test_outside_a_sliced_computation_a_checkpoint_does_nothing() -> None:
    """Must not pause: the CLI and plain calls run in one go."""
    assert slices.running is None
    slices.checkpoint()
    source = nested_waits(5, 5)
    parser = ts.Parser(syntax.language("typescript"))
    tree = slices.parse_sliced(parser, source, None)
    assert tree is not None and not tree.root_node.has_error
