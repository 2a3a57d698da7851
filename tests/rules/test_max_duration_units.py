"""Tests for max-duration-in-milliseconds: a maxDuration (seconds) written in milliseconds, or
in minutes where the comment says so."""

from __future__ import annotations

import pytest

from helpers import lines_of, lint, marked
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.model import FixSafety, Severity
from trigger_lsp.lint.fixes import apply_fixes

RULE = "max-duration-in-milliseconds"
IMPORT = 'import { task, timeout } from "@trigger.dev/sdk";\n'
ALL_FIXES = {FixSafety.SAFE, FixSafety.UNSAFE}
DURATION_RULES = (RULE, "max-duration-too-small")


def one(option: str, imports: str = IMPORT) -> str:
    """A task whose options hold `option` on its own line (line 3)."""
    return (
        imports
        + f'export const a = task({{\n  id: "a",\n  {option}\n  run: async () => {{}},\n}});\n'
    )


def fixed(code: str, **kwargs: object) -> str:
    """Apply the fixes; the result parses and no maxDuration rule fires on it."""
    findings = lint(code, only=RULE, **kwargs)  # type: ignore[arg-type]
    out, count = apply_fixes(code.encode(), findings, ALL_FIXES)
    assert count > 0, findings
    assert not parse(out, "typescript").root_node.has_error, out.decode()
    after = lint(out.decode(), **kwargs)  # type: ignore[arg-type]
    assert [f for f in after if f.rule in DURATION_RULES] == [], after
    return out.decode()


# --- must fire -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "after"),
    [
        ("maxDuration: 5 * 60 * 1000,", "maxDuration: 5 * 60,"),
        ("maxDuration: 1000 * 60 * 10,", "maxDuration: 60 * 10,"),
        ("maxDuration: 60 * 1_000,", "maxDuration: 60,"),
        ("maxDuration: (30 * 60) * 1000,", "maxDuration: (30 * 60),"),
    ],
)
def test_product_with_a_thousand_factor(option: str, after: str) -> None:
    code = one(option)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == [4]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    assert after in fixed(code)


def test_message_names_both_durations() -> None:
    [finding] = lint(one("maxDuration: 5 * 60 * 1000,"), only=RULE)
    assert "3.5 days" in finding.message and "5 minutes" in finding.message


@pytest.mark.parametrize(
    ("option", "after", "said"),
    [
        ("maxDuration: 300000, // 5 minutes", "maxDuration: 300, // 5 minutes", "5 minutes"),
        ("maxDuration: 900_000, /* 15 min */", "maxDuration: 900, /* 15 min */", "15 min"),
        ("maxDuration: 600_000, // in ms", "maxDuration: 600, // in ms", "milliseconds"),
        ("maxDuration: 10, // 10 minutes", "maxDuration: 600, // 10 minutes", "10 minutes"),
        ("maxDuration: 6, // 6h", "maxDuration: 21600, // 6h", "6 h"),
    ],
)
def test_literal_whose_comment_names_another_unit(option: str, after: str, said: str) -> None:
    code = one(option)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == [4]
    assert said in findings[0].message
    assert after in fixed(code)


def test_comment_on_the_line_above() -> None:
    code = one("// one hour: 60 minutes\n  maxDuration: 60,")
    findings = lint(code, only=RULE)
    assert lines_of(findings) == [5]
    assert "maxDuration: 3600," in fixed(code)


def test_bare_literal_of_whole_minutes_in_milliseconds_beyond_a_day() -> None:
    code = one("maxDuration: 3600000, /*>*/")
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "41.7 days" in findings[0].message and "1 hour" in findings[0].message
    assert "maxDuration: 3600," in fixed(code)


def test_constant_holding_milliseconds_fires_without_a_fix() -> None:
    code = one("maxDuration: TIMEOUT_MS, /*>*/", IMPORT + "const TIMEOUT_MS = 10 * 60 * 1000;\n")
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "`TIMEOUT_MS`" in findings[0].message and findings[0].fix is None


def test_ms_package_call() -> None:
    code = one('maxDuration: ms("5m"), /*>*/', IMPORT + 'import ms from "ms";\n')
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert findings[0].fix is None


def test_trigger_options_and_config() -> None:
    code = IMPORT + (
        'import { child } from "./child";\n'
        "export async function start() {\n"
        "  await child.trigger({}, { maxDuration: 2 * 60 * 1000 });\n"
        "}\n"
    )
    assert lines_of(lint(code, only=RULE)) == [4]
    config = (
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "p", maxDuration: 60 * 60 * 1000 });\n'
    )
    findings = lint(config, only=RULE, path="trigger.config.ts")
    assert lines_of(findings) == [2]
    assert "maxDuration: 60 * 60 }" in fixed(config, path="trigger.config.ts")


# --- must not fire ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        "maxDuration: 60 * 60,",
        "maxDuration: 300,",
        "maxDuration: 1000,",
        "maxDuration: 300, // 5 minutes",
        "maxDuration: 3600, // 1 hour (3,600,000 ms)",
        "maxDuration: timeout.None,",
        "maxDuration: 2147483647,",
        "maxDuration: 2_147_483_647, // no limit",
        "maxDuration: 1_000_000,",  # a large number of seconds, as the docs suggest
        "maxDuration: 86400 * 30,",
        "maxDuration: 604800,",
        "maxDuration: 120_000, // about 33 hours",
        "maxDuration: ONE_HOUR,",
        "maxDuration: Number(process.env.MAX_DURATION),",
        "maxDuration: 3, // 3 minutes",  # max-duration-too-small's finding
    ],
)
def test_silent_on_seconds(option: str) -> None:
    code = one(option, IMPORT + "const ONE_HOUR = 60 * 60;\n")
    assert lint(code, only=RULE) == []


def test_silent_on_comments_of_other_members() -> None:
    code = IMPORT + (
        "export const a = task({\n"
        '  id: "a", // retried for 10 minutes\n'
        "  maxDuration: 10,\n"
        "  run: async () => {},\n"
        "});\n"
    )
    assert lint(code, only=RULE) == []


def test_silent_on_other_libraries_and_objects() -> None:
    code = (
        'import { task } from "gulp";\n'
        "task({ maxDuration: 5 * 60 * 1000 });\n"
        "const options = { maxDuration: 5 * 60 * 1000 };\n"
    )
    assert lint(code, only=RULE) == []
