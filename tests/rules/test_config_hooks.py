"""Tests for deprecated-hook's config variants: `init`, `onStart`, `onSuccess` and `onFailure`
in `defineConfig({...})`, deprecated from SDK 4.0."""

from __future__ import annotations

import pytest

from helpers import lines_of, lint
from trigger_lsp.knowledge.model import Severity

RULE = "deprecated-hook"
CONFIG = "trigger.config.ts"


def config(members: str, source: str = "@trigger.dev/sdk") -> str:
    """A config file whose defineConfig object holds `members` (one per line, from line 5)."""
    lines = "".join(f"  {m}\n" for m in members.split("\n") if m.strip())
    return (
        f'import {{ defineConfig }} from "{source}";\n\n'
        "export default defineConfig({\n"
        '  project: "proj_abc",\n'
        f"{lines}"
        "  maxDuration: 3600,\n"
        "});\n"
    )


def test_each_config_hook_fires_and_names_its_replacement() -> None:
    code = config(
        "init: async () => {},\n"
        "onStart: async ({ ctx }) => {},\n"
        "onSuccess: async ({ ctx }) => {},\n"
        "async onFailure({ ctx }) {},"
    )
    findings = lint(code, only=RULE, path=CONFIG)
    assert lines_of(findings) == [5, 6, 7, 8]
    assert all(f.severity is Severity.HINT and f.fix is None for f in findings)
    init, on_start, on_success, on_failure = (f.message for f in findings)
    assert "tasks.middleware(...)" in init and "does not exist" in init
    assert "tasks.onStartAttempt(...)" in on_start
    assert "tasks.onSuccess(...)" in on_success and "init.ts" in on_success
    assert "tasks.onFailure(...)" in on_failure


def test_config_on_start_on_4_0_names_tasks_on_start() -> None:
    code = config("onStart: async ({ ctx }) => {},")
    [finding] = lint(code, only=RULE, path=CONFIG, sdk="4.0.0")
    assert "tasks.onStart(...)" in finding.message
    assert "onStartAttempt" not in finding.message


def test_shorthand_and_quoted_keys_and_the_v3_import_path() -> None:
    code = (
        'import { defineConfig } from "@trigger.dev/sdk/v3";\n'
        "const onSuccess = async () => {};\n"
        'export default defineConfig({ project: "p", maxDuration: 60, onSuccess, "init": () => {} });\n'
    )
    findings = lint(code, only=RULE, path=CONFIG)
    assert [f.message.split("`")[1] for f in findings] == ["onSuccess", "init"]


def test_silent_on_sdk_3() -> None:
    code = config("onSuccess: async (payload, output, { ctx }) => {},", "@trigger.dev/sdk/v3")
    assert lint(code, only=RULE, path=CONFIG, sdk="3.3.17") == []


@pytest.mark.parametrize(
    "members",
    [
        "dirs: ['./src/trigger'],",
        "build: { extensions: [] },",
        "retries: { default: { maxAttempts: 3 } },",
        "onCancel: async () => {},",  # not a config field: tsc's business, not a deprecation
    ],
)
def test_silent_on_other_config_fields(members: str) -> None:
    assert lint(config(members), only=RULE, path=CONFIG) == []


def test_silent_on_global_hooks_and_other_define_configs() -> None:
    init = (
        'import { tasks } from "@trigger.dev/sdk";\n'
        "tasks.onSuccess(async ({ ctx }) => {});\n"
        "tasks.onFailure(async ({ ctx }) => {});\n"
        "tasks.onStartAttempt(async ({ ctx }) => {});\n"
    )
    assert lint(init, only=RULE, path="src/trigger/init.ts") == []
    other = (
        'import { defineConfig } from "vitest/config";\n'
        "export default defineConfig({ onSuccess: () => {}, init: () => {} });\n"
    )
    assert lint(other, only=RULE, path="vitest.config.ts") == []
