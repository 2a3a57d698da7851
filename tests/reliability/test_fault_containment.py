"""An exception inside one rule costs only that rule on that file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from trigger_lsp.lint.engine import analyze
from trigger_lsp.rules import REGISTRY
from trigger_lsp.rules.base import FileContext, Report, Rule

SOURCE = b"""import { task } from "@trigger.dev/sdk";
export const t = task({ run: async () => {} });
"""


def _explode(ctx: FileContext) -> Iterator[Report]:
    yield Report(ctx.tree.root_node)
    raise RuntimeError("boom")


def test_failing_rule_is_reported_and_others_still_run() -> None:
    broken = Rule("task-no-logging", _explode)
    rules = [broken if r.id == "task-no-logging" else r for r in REGISTRY.values()]
    result = analyze(SOURCE, Path("/p/src/trigger/a.ts"), rules=rules)
    assert [e.rule for e in result.rule_errors] == ["task-no-logging"]
    assert "boom" in result.rule_errors[0].error
    found = {f.rule for f in result.findings}
    assert "task-missing-id" in found  # the other rules still report
    assert "task-no-logging" not in found  # nothing half-reported by the failing rule
