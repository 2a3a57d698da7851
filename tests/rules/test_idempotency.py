"""Tests for the idempotency rules: misused created keys, raw string keys in a run."""

from __future__ import annotations

import textwrap
from functools import partial
from typing import Any

import helpers
from helpers import SDK_IMPORT, lines_of, lint, marked
from helpers import fixed as fix_all
from trigger_lsp.knowledge.model import FixSafety

CHILD = 'import { child } from "./children";\n'


in_run = partial(helpers.in_run, imports=SDK_IMPORT + CHILD)  # (this file's imports)


def fixed(code: str, rule: str, **kwargs: Any) -> str:
    """Every finding of the rule has a fix, and each applies."""
    return fix_all(code, rule, {FixSafety.SAFE}, every=True, **kwargs)


# --- idempotency-key-misuse ------------------------------------------------------------------


def test_key_properties_that_do_not_exist():
    code = in_run("""
        const key = await idempotencyKeys.create(["charge", payload.orderId]);
        if (!key.isNew) return { skipped: true }; /*>*/
        logger.info("key", { exists: key.exists, cached: key.isCached }); /*>*/ /*>*/
        if ((await idempotencyKeys.create("x")).created) return; /*>*/
    """)
    findings = lint(code, only="idempotency-key-misuse")
    assert lines_of(findings) == marked(code)
    assert "`.isNew` does not exist" in findings[0].message
    assert findings[0].severity.value == "error"


def test_unawaited_create_used_as_key_fires_and_fixes():
    code = in_run("""
        await child.trigger(payload, { idempotencyKey: idempotencyKeys.create(payload.id) }); /*>*/
        const idempotencyKey = idempotencyKeys.create(["b", payload.id]);
        await child.trigger(payload, { idempotencyKey }); /*>*/
        const other = idempotencyKeys.create("c");
        await wait.for({ seconds: 10, idempotencyKey: other }); /*>*/
    """)
    findings = lint(code, only="idempotency-key-misuse")
    assert lines_of(findings) == marked(code)
    assert "returns a Promise" in findings[0].message
    after = fixed(code, "idempotency-key-misuse")
    assert "{ idempotencyKey: await idempotencyKeys.create(payload.id) }" in after
    assert 'const idempotencyKey = await idempotencyKeys.create(["b", payload.id]);' in after
    assert 'const other = await idempotencyKeys.create("c");' in after


def test_unawaited_create_in_sync_function_has_no_fix():
    code = (
        SDK_IMPORT
        + CHILD
        + textwrap.dedent("""
        export function options(id: string) {
          return { idempotencyKey: idempotencyKeys.create(id) };
        }
    """)
    )
    findings = lint(code, only="idempotency-key-misuse")
    assert lines_of(findings) == [5]
    assert findings[0].fix is None


def test_key_misuse_must_not_fire_on_correct_use():
    code = in_run("""
        const key = await idempotencyKeys.create(["charge", payload.orderId], { scope: "global" });
        const handle = await child.trigger({}, { idempotencyKey: key, idempotencyKeyTTL: "1h" });
        const pending = idempotencyKeys.create("later");
        await child.trigger(payload, { idempotencyKey: await pending });
        const token = await wait.createToken({ timeout: "1h", idempotencyKey: key });
        return { id: handle.id, length: key.length, cached: token.isCached };
    """)
    assert lint(code, only="idempotency-key-misuse") == []


def test_key_misuse_must_not_fire_on_other_libraries():
    code = in_run(
        """
        const key = await idempotencyKeys.create("x");
        if (key.isNew) return;
        """,
        imports='import { task } from "@trigger.dev/sdk";\nimport { idempotencyKeys } from "./my-keys";\n',
    )
    assert lint(code, only="idempotency-key-misuse") == []


def test_key_misuse_with_namespace_import():
    code = """
        import * as sdk from "@trigger.dev/sdk";

        export const parent = sdk.task({
          id: "parent",
          run: async () => {
            const key = await sdk.idempotencyKeys.create("x");
            if (key.isNew) return; /*>*/
          },
        });
    """
    assert lines_of(lint(code, only="idempotency-key-misuse")) == marked(code)


# --- raw-string-idempotency-key --------------------------------------------------------------

RAW_KEYS = in_run("""
    await child.trigger(payload, { idempotencyKey: `welcome-${payload.userId}` });
    await tasks.trigger<typeof child>("child", payload, { idempotencyKey: "daily-report" });
    await child.batchTrigger([{ payload, options: { idempotencyKey: "item-" + payload.id } }]);
    await child.batchTrigger([{ payload }], { idempotencyKey: "whole-batch" });
""")


def test_raw_string_key_fires_in_run_from_4_3_1():
    findings = lint(RAW_KEYS, only="raw-string-idempotency-key", sdk="4.3.1")
    assert lines_of(findings) == [7, 8, 9, 10]
    assert 'scope "run"' in findings[0].message
    assert findings[0].severity.value == "hint"
    assert len(lint(RAW_KEYS, only="raw-string-idempotency-key")) == 4


def test_raw_string_key_silent_before_4_3_1():
    assert lint(RAW_KEYS, only="raw-string-idempotency-key", sdk="4.3.0") == []
    assert lint(RAW_KEYS, only="raw-string-idempotency-key", sdk="3.3.17") == []


def test_raw_string_key_must_not_fire_outside_run_or_on_created_keys():
    outside = """
        import { tasks } from "@trigger.dev/sdk";

        export async function POST(userId: string) {
          await tasks.trigger("welcome", { userId }, { idempotencyKey: `welcome-${userId}` });
        }
    """
    assert lint(outside, only="raw-string-idempotency-key") == []
    created = in_run("""
        const key = await idempotencyKeys.create(`welcome-${payload.userId}`, { scope: "global" });
        await child.trigger(payload, { idempotencyKey: key });
        await child.trigger(payload, { idempotencyKey: await idempotencyKeys.create("x") });
        await wait.for({ seconds: 30, idempotencyKey: "not-a-trigger" });
    """)
    assert lint(created, only="raw-string-idempotency-key") == []
