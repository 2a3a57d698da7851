"""Tests for the import rules: hardcoded-secret-key, sdk-v3-import-path, v2-api."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import ALL_FIXES, lines_of, lint, marked
from helpers import fixed as fix_all
from trigger_lsp.knowledge.model import FixSafety, Severity

# Made-up key bodies: right shape, not real keys.
DEV_KEY = "tr_dev_4fQ9zK2mX7pL1vB8nR3tY6wE"
PAT = "tr_pat_9hG2kL5mN8pQ1rS4tU7vW0xY3z"


def fixed(code: str, rule: str, **kwargs: Any) -> str:
    """Every finding of the rule has a fix, and each applies."""
    return fix_all(code, rule, ALL_FIXES, every=True, **kwargs)


# --- hardcoded-secret-key --------------------------------------------------------------------


def test_secret_key_in_a_string_inside_a_template_is_reported_once() -> None:
    code = 'const url = `${"tr_prod_abcdefghijklmnop0123"}/x`;\n'
    [finding] = lint(code, only="hardcoded-secret-key")
    assert finding.fix is not None  # the string alone is the key: replace it


def test_secret_key_in_configure_with_fix() -> None:
    code = f"""
        import {{ configure }} from "@trigger.dev/sdk";
        configure({{ secretKey: "{DEV_KEY}" }});
    """
    [finding] = lint(code, only="hardcoded-secret-key")
    assert lines_of([finding]) == [2]
    assert finding.severity is Severity.ERROR
    assert "tr_dev_" in finding.message and "TRIGGER_SECRET_KEY" in finding.message
    assert DEV_KEY not in finding.message  # the key itself is never echoed
    assert finding.fix is not None and finding.fix.safety is FixSafety.UNSAFE
    new = fixed(code, "hardcoded-secret-key")
    assert "configure({ secretKey: process.env.TRIGGER_SECRET_KEY });" in new


@pytest.mark.parametrize("prefix", ["tr_dev_", "tr_stg_", "tr_prod_", "tr_preview_"])
def test_secret_key_every_environment_prefix(prefix: str) -> None:
    code = f'const key = "{prefix}Zx81LmQ02rTt55UvWq9PaB";\n'
    [finding] = lint(code, only="hardcoded-secret-key")
    assert prefix in finding.message


def test_secret_key_new_style_sk_key() -> None:
    code = 'const key = "tr_prod_sk_A1b2C3d4E5f6G7h8I9j0K1l2";\n'
    assert len(lint(code, only="hardcoded-secret-key")) == 1


def test_personal_access_token_variant() -> None:
    code = f"const token = '{PAT}';\n"
    [finding] = lint(code, only="hardcoded-secret-key")
    assert "personal access token" in finding.message
    assert "TRIGGER_ACCESS_TOKEN" in finding.message
    # A string stays a string (the file keeps type-checking), in the literal's quotes.
    out = fixed(code, "hardcoded-secret-key")
    assert "const token = process.env.TRIGGER_ACCESS_TOKEN ?? '';" in out


def test_organization_access_token_variant() -> None:
    code = 'const token = "tr_oat_9fK2mQ7xL1pV8bN3rT6yW0aZ";\nrun({ token });\n'
    [finding] = lint(code, only="hardcoded-secret-key", path="scripts/deploy.ts")
    assert "organization access token (tr_oat_...)" in finding.message
    assert "TRIGGER_ACCESS_TOKEN" in finding.message
    assert "tr_oat_9fK2" not in finding.message
    out = fixed(code, "hardcoded-secret-key")
    assert 'const token = process.env.TRIGGER_ACCESS_TOKEN ?? "";' in out


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # Where the SDK's client options take undefined, the variable alone.
        (
            'auth.configure({ accessToken: "tr_dev_BMtC3Jd5wFnkjgWLhFU5" });',
            "auth.configure({ accessToken: process.env.TRIGGER_SECRET_KEY });",
        ),
        # Anywhere else the value stays a string: an empty fallback, never the key.
        (
            'const key = process.env.TRIGGER_SECRET_KEY ?? "tr_dev_BMtC3Jd5wFnkjgWLhFU5";',
            'const key = process.env.TRIGGER_SECRET_KEY ?? "";',
        ),
        (
            'headers({ Authorization: "tr_dev_BMtC3Jd5wFnkjgWLhFU5" });',
            'headers({ Authorization: process.env.TRIGGER_SECRET_KEY ?? "" });',
        ),
        (
            'const n = "tr_dev_BMtC3Jd5wFnkjgWLhFU5".length;',
            'const n = (process.env.TRIGGER_SECRET_KEY ?? "").length;',
        ),
    ],
)
def test_secret_key_fix_keeps_the_type_of_the_value(code: str, expected: str) -> None:
    source = 'import { auth } from "@trigger.dev/sdk";\n' + code + "\n"
    out = fixed(source, "hardcoded-secret-key")
    assert expected in out


@pytest.mark.parametrize(
    "code",
    [
        'const help = "Organization tokens start with tr_oat_ and go in TRIGGER_ACCESS_TOKEN";\n',
        'const placeholder = "tr_oat_xxxxxxxxxxxxxxxxxxxxxxxx";\n',
        'const short = "tr_oat_abc123";\n',
        'const name = "str_oat_4fQ9zK2mX7pL1vB8nR3tY6wE";\n',
    ],
    ids=["prose", "xxx", "short", "str-prefix"],
)
def test_organization_access_token_silent(code: str) -> None:
    assert lint(code, only="hardcoded-secret-key") == []


def test_secret_key_inside_a_larger_string_has_no_fix() -> None:
    code = f"""
        const headers = {{ Authorization: `Bearer {DEV_KEY}` }};
        const env = "TRIGGER_SECRET_KEY={DEV_KEY}";
    """
    findings = lint(code, only="hardcoded-secret-key")
    assert lines_of(findings) == [1, 2]
    assert all(f.fix is None for f in findings)
    # The finding covers the key itself, not the whole string.
    assert findings[0].end_byte - findings[0].start_byte == len(DEV_KEY)


def test_secret_key_in_any_file() -> None:
    # Not a Trigger.dev file: no SDK import, not in a trigger directory.
    code = f"""
        export const settings = {{ triggerKey: "{DEV_KEY}" }};
    """
    findings = lint(code, only="hardcoded-secret-key", path="src/config/settings.ts")
    assert lines_of(findings) == [1]


@pytest.mark.parametrize(
    "code",
    [
        'const help = "Keys start with tr_dev_ or tr_prod_ followed by the key";\n',
        "const doc = `Use a tr_prod_ key in production and tr_pat_ tokens in CI`;\n",
        'const tool = "str_replace_based_edit_tool_for_files";\n',
        'const name = "str_dev_4fQ9zK2mX7pL1vB8nR3tY6wE";\n',
        'const placeholder = "tr_dev_xxxxxxxxxxxxxxxxxxxxxxxx";\n',
        'const placeholder = "tr_prod_XXXXXXXXXXXXXXXXXXXX";\n',
        'const short = "tr_dev_abc123";\n',
        "const key = process.env.TRIGGER_SECRET_KEY;\n",
    ],
    ids=["prose", "template-prose", "str_replace", "str-prefix", "xxx", "XXX", "short", "env"],
)
def test_secret_key_silent(code: str) -> None:
    assert lint(code, only="hardcoded-secret-key") == []


# --- sdk-v3-import-path ----------------------------------------------------------------------


def test_v3_subpath_on_v4_is_a_warning_with_safe_fix() -> None:
    code = """
        import { task, logger } from "@trigger.dev/sdk/v3"; /*>*/
        export const t = task({ id: "t", run: async () => logger.info("hi") });
    """
    [finding] = lint(code, only="sdk-v3-import-path", sdk="4.0.0")
    assert lines_of([finding]) == marked(code)
    assert finding.severity is Severity.WARNING
    assert finding.fix is not None and finding.fix.safety is FixSafety.SAFE
    assert finding.fix.title == 'Import from "@trigger.dev/sdk"'
    new = fixed(code, "sdk-v3-import-path", sdk="4.8.3")
    assert new.startswith('import { task, logger } from "@trigger.dev/sdk";')


def test_v3_subpath_fix_keeps_single_quotes() -> None:
    code = """
        import type { Context } from '@trigger.dev/sdk/v3';
        import { task as defineTask } from '@trigger.dev/sdk/v3';
    """
    new = fixed(code, "sdk-v3-import-path")
    assert "import type { Context } from '@trigger.dev/sdk';" in new
    assert "import { task as defineTask } from '@trigger.dev/sdk';" in new


def test_v3_subpath_in_require_and_re_export() -> None:
    code = """
        const { task } = require("@trigger.dev/sdk/v3"); /*>*/
        export { logger } from "@trigger.dev/sdk/v3"; /*>*/
    """
    findings = lint(code, only="sdk-v3-import-path", path="src/trigger/index.js")
    assert lines_of(findings) == marked(code)


def test_v3_subpath_as_a_plain_string_is_not_an_import() -> None:
    code = """
        export * from "@trigger.dev/sdk";
        export default "@trigger.dev/sdk/v3";
        export const where = "@trigger.dev/sdk/v3";
    """
    assert lint(code, only="sdk-v3-import-path", sdk="4.0.0") == []


def test_v3_subpath_is_correct_on_v3() -> None:
    code = """
        import { task, wait, logger } from "@trigger.dev/sdk/v3";
        export const t = task({ id: "t", run: async () => {} });
    """
    assert lint(code, only="sdk-v3-import-path", sdk="3.3.17") == []


def test_root_import_is_correct_on_v4() -> None:
    code = """
        import { task, wait, logger, TriggerClient } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";
        export const t = task({ id: "t", run: async () => {} });
    """
    assert lint(code, only="sdk-v3-import-path", sdk="4.0.0") == []


def test_task_api_from_root_on_v3_is_an_error_with_fix() -> None:
    code = """
        import { task, logger, retry } from "@trigger.dev/sdk";
        export const t = task({ id: "t", run: async () => logger.info("hi") });
    """
    [finding] = lint(code, only="sdk-v3-import-path", sdk="3.3.17")
    assert finding.severity is Severity.ERROR
    assert "`task`" in finding.message
    assert finding.fix is not None and finding.fix.safety is FixSafety.SAFE
    new = fixed(code, "sdk-v3-import-path", sdk="3.3.17")
    assert new.startswith('import { task, logger, retry } from "@trigger.dev/sdk/v3";')


def test_task_api_from_root_on_v3_aliased() -> None:
    code = """
        import { schedules as s } from "@trigger.dev/sdk";
        export const nightly = s.task({ id: "n", cron: "0 0 * * *", run: async () => {} });
    """
    [finding] = lint(code, only="sdk-v3-import-path", sdk="3.0.0")
    assert "`schedules`" in finding.message


def test_mixed_v2_and_task_imports_on_v3_have_no_fix() -> None:
    code = """
        import { TriggerClient, task } from "@trigger.dev/sdk";
    """
    [finding] = lint(code, only="sdk-v3-import-path", sdk="3.3.17")
    assert finding.fix is None


def test_namespace_import_of_root_on_v3() -> None:
    code = """
        import * as sdk from "@trigger.dev/sdk";
        export const t = sdk.task({ id: "t", run: async () => {} });
    """
    [finding] = lint(code, only="sdk-v3-import-path", sdk="3.3.17")
    assert "`task`" in finding.message
    assert finding.fix is None


@pytest.mark.parametrize(
    "code",
    [
        'import { TriggerClient, eventTrigger } from "@trigger.dev/sdk";\n',
        'import { retry } from "@trigger.dev/sdk";\n',
        'import * as sdk from "@trigger.dev/sdk";\nconst c = new sdk.TriggerClient({ id: "x" });\n',
    ],
    ids=["v2-names", "retry", "namespace-v2"],
)
def test_v2_root_names_on_v3_are_not_task_apis(code: str) -> None:
    assert lint(code, only="sdk-v3-import-path", sdk="3.3.17") == []


# --- v2-api ----------------------------------------------------------------------------------

V2_JOB = """
    import { TriggerClient, eventTrigger } from "@trigger.dev/sdk";

    export const client = new TriggerClient({ id: "my-app", apiKey: process.env.TRIGGER_API_KEY });

    client.defineJob({
      id: "send-welcome",
      name: "Send welcome email",
      version: "1.0.0",
      trigger: eventTrigger({ name: "user.created" }),
      run: async (payload, io, ctx) => {
        await io.logger.info("Sending");
        await io.runTask("send", async () => sendEmail(payload.email));
        await io.wait("pause", 5);
      },
    });
"""


def test_v2_job_fires_on_every_v2_shape() -> None:
    findings = lint(V2_JOB, only="v2-api")
    assert lines_of(findings) == [1, 5, 11, 12, 13]
    assert all(f.severity is Severity.ERROR for f in findings)
    assert "`eventTrigger`" in findings[0].message
    assert "`.defineJob`" in findings[1].message
    assert "`io.logger`" in findings[2].message
    assert "`io.runTask`" in findings[3].message


def test_v2_api_never_flags_new_trigger_client() -> None:
    code = """
        import { TriggerClient } from "@trigger.dev/sdk";
        export const client = new TriggerClient({ accessToken: process.env.TRIGGER_ACCESS_TOKEN });
        await client.tasks.trigger("send-welcome", { email: "a@b.c" });
    """
    assert lint(code, only="v2-api") == []


@pytest.mark.parametrize(
    "package",
    ["@trigger.dev/openai", "@trigger.dev/resend", "@trigger.dev/slack", "@trigger.dev/stripe"],
)
def test_v2_integration_import_in_any_file(package: str) -> None:
    code = f"""
        import {{ Integration }} from "{package}";
        export const integration = new Integration({{ id: "x" }});
    """
    [finding] = lint(code, only="v2-api", path="src/lib/integrations.ts")
    assert package in finding.message
    assert "vendor's own SDK" in finding.message


def test_v2_defineJob_in_a_file_without_trigger_imports() -> None:
    code = """
        import { client } from "@/trigger";
        client.defineJob({ /*>*/
          id: "x",
          trigger: someTrigger,
          run: async (payload, io) => {},
        });
    """
    assert lines_of(lint(code, only="v2-api", path="src/jobs/x.ts")) == marked(code)


@pytest.mark.parametrize(
    "code",
    [
        # socket.io: an `io` parameter with none of the v2 io members
        """
        import { task } from "@trigger.dev/sdk";
        export function attach(io: Server) {
          io.on("connection", (socket) => socket.emit("hi"));
          io.to("room").emit("x");
        }
        """,
        # a module-level `io` that is not a parameter
        """
        import { task } from "@trigger.dev/sdk";
        const io = createIo();
        io.runTask("x");
        """,
        # some other library's defineJob, with no v2 job shape and no Trigger.dev import
        """
        import { scheduler } from "my-scheduler";
        scheduler.defineJob("cleanup", async () => {});
        """,
        # current packages under the same scope, and vendor SDKs
        """
        import { task } from "@trigger.dev/sdk";
        import { useRealtimeRun } from "@trigger.dev/react-hooks";
        import { prismaExtension } from "@trigger.dev/build/extensions/prisma";
        import OpenAI from "openai";
        import { openai } from "@ai-sdk/openai";
        """,
    ],
    ids=["socket-io", "io-not-a-parameter", "other-defineJob", "current-packages"],
)
def test_v2_api_silent(code: str) -> None:
    assert lint(code, only="v2-api", path="src/trigger/x.ts") == []


def test_v2_api_silent_in_a_v2_project() -> None:
    assert lint(V2_JOB, only="v2-api", sdk="2.3.18") == []


def test_v2_triggers_from_the_v3_subpath() -> None:
    code = """
        import { invokeTrigger as invoke, task } from "@trigger.dev/sdk/v3";
    """
    [finding] = lint(code, only="v2-api", sdk="3.3.17")
    assert "`invokeTrigger`" in finding.message


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('"tr_dev_BMtC3Jd5wFnkjgWLhFU5"', "process.env.TRIGGER_SECRET_KEY"),
        # Only the fallback of that same variable: the fallback goes (never `X ?? X`).
        (
            'process.env.TRIGGER_SECRET_KEY ?? "tr_dev_BMtC3Jd5wFnkjgWLhFU5"',
            "process.env.TRIGGER_SECRET_KEY",
        ),
        (
            'process.env.TRIGGER_SECRET_KEY || ("tr_dev_BMtC3Jd5wFnkjgWLhFU5")',
            "process.env.TRIGGER_SECRET_KEY",
        ),
        # The fallback of another variable: the key is read from its own variable.
        (
            'process.env.MY_KEY ?? "tr_prod_BMtC3Jd5wFnkjgWLhFU5"',
            "process.env.MY_KEY ?? process.env.TRIGGER_SECRET_KEY",
        ),
        (
            'process.env.TRIGGER_ACCESS_TOKEN ?? "tr_pat_BMtC3Jd5wFnkjgWLhFU5"',
            "process.env.TRIGGER_ACCESS_TOKEN",
        ),
    ],
)
def test_secret_key_fix_reads_the_environment_once(expr: str, expected: str) -> None:
    code = f"""
        import {{ configure }} from "@trigger.dev/sdk";
        configure({{ secretKey: {expr} }});
    """
    out = fixed(code, "hardcoded-secret-key")
    assert f"configure({{ secretKey: {expected} }});" in out
    assert not lint(out, only="hardcoded-secret-key")
