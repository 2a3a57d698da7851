"""Completion end to end, against the real server: every context with half-typed text, with
the neovim (pull, utf-8) and VS Code (utf-16) capability sets, plain text for a client without
snippets, and requests that must come back empty.

`|` in a test text marks the cursor. Positions and edits are computed here, independently of
the server, in the encoding the client negotiated.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import helpers
from lsp.session import (
    CONFIG,
    Workspace,
    complete,
    labels,
    open_doc,
    position,
    request,
    start,
    until,
    write,
)
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.snippets import snippet_to_plain

pytestmark = pytest.mark.asyncio(loop_scope="module")

SDK = 'from "@trigger.dev/sdk";\n'
IMPORTS = (
    "import { task, schemaTask, schedules, wait, logger, metadata, tags, idempotencyKeys, "
    "tasks, batch, queue } " + SDK
)

CHILD = """\
import { task, schedules, logger } from "@trigger.dev/sdk";

export const child = task({
  id: "child-task",
  machine: "large-1x",
  retry: { maxAttempts: 5 },
  run: async (payload: { n: number }) => {
    logger.info("child", { n: payload.n });
  },
});

export const nightly = schedules.task({
  id: "nightly-report",
  cron: "0 3 * * *",
  run: async () => {
    logger.info("nightly");
  },
});
"""

CONFIG_FILE = (
    'import { defineConfig } from "@trigger.dev/sdk";\n'
    'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"], '
    "maxDuration: 300 });\n"
)

FILES = {
    "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "^4.8.0"}}\n',
    "trigger.config.ts": CONFIG_FILE,
    "src/trigger/child.ts": CHILD,
    "src/lib/plain.ts": "export const answer = 42;\n",
    # An older project in the same workspace: no `concurrency` option before 4.7.
    "old/package.json": '{"name": "old", "dependencies": {"@trigger.dev/sdk": "4.5.0"}}\n',
    "old/trigger.config.ts": CONFIG_FILE,
}


async def _workspace(client: LanguageClient, root: Path, caps: str) -> Workspace:
    write(root, FILES)
    await start(client, root, caps)
    ws = Workspace(client, root, caps)
    # The background index knows child.ts once its task ids are offered.
    await until(
        lambda: _complete_raw(ws, IMPORTS + 'await tasks.trigger("|");'),
        lambda items: "child-task" in labels(items),
        what="the workspace index",
    )
    return ws


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["neovim", "visual-studio-code"])
async def lsp_session(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("completion")
    lsp_client.ws = await _workspace(lsp_client, root, request.param)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def plain_session(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("plain")
    lsp_client.ws = await _workspace(lsp_client, root, "neovim@v0.10.0")  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def ws(lsp_session: LanguageClient) -> Workspace:
    return lsp_session.ws  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def plain(plain_session: LanguageClient) -> Workspace:
    return plain_session.ws  # type: ignore[attr-defined]


# --- helpers -----------------------------------------------------------------------------------


async def _complete_raw(ws: Workspace, text: str, name: str | None = None):
    result = await complete(ws, text, name)
    return result.items


in_run = partial(helpers.in_run, imports=IMPORTS + 'import { child } from "./child";\n', params="")


def assert_snippet_or_plain(ws: Workspace, item: lsp.CompletionItem) -> str:
    """The inserted text, after checking it suits the client's snippet support."""
    assert isinstance(item.text_edit, lsp.TextEdit)
    new_text = item.text_edit.new_text
    if ws.snippets:
        return new_text
    assert item.insert_text_format in (None, lsp.InsertTextFormat.PlainText)
    assert not re.search(r"\$\{?\d", new_text), new_text  # no tab stops or placeholders
    return new_text


# --- members ------------------------------------------------------------------------------------

REF = knowledge().reference


async def test_members_after_wait_dot_with_nothing_typed(ws: Workspace):
    result = await complete(ws, in_run("    await wait.|"))
    assert labels(result.items) == [e.name for e in REF.members("wait")]
    item = result.item("for")
    assert item.text_edit.range == lsp.Range(result.pos, result.pos)  # type: ignore[union-attr]
    assert item.detail == REF.api["wait.for"].signature
    assert item.insert_text_format == lsp.InsertTextFormat.Snippet
    assert result.accept("for").endswith(
        "await wait.for({ ${1|seconds,minutes,hours,days,weeks|}: ${2:30} })\n  },\n});\n"
    )


async def test_member_word_half_typed_before_more_code(ws: Workspace):
    result = await complete(ws, in_run('    wait.fo|\n    logger.info("after");'))
    item = result.item("for")
    start = position(result.text, result.offset - 2, ws.encoding)
    assert item.text_edit.range == lsp.Range(start, result.pos)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "owner",
    ["logger", "wait", "metadata", "tags", "idempotencyKeys", "tasks", "batch", "schedules"],
)
async def test_members_of_every_namespace(ws: Workspace, owner: str):
    result = await complete(ws, in_run(f"    {owner}.|"))
    expected = [e.name for e in REF.members(owner)]
    assert labels(result.items) == expected
    for item in result.items:
        doc = item.documentation
        assert isinstance(doc, lsp.MarkupContent) and doc.kind == lsp.MarkupKind.Markdown
        assert REF.api[f"{owner}.{item.label}"].description in doc.value


async def test_members_through_an_alias_and_a_namespace_import(ws: Workspace):
    aliased = await complete(ws, "import { wait as w } " + SDK + "w.|")
    assert labels(aliased.items) == [e.name for e in REF.members("wait")]
    namespaced = await complete(ws, "import * as sdk " + SDK + "await sdk.logger.|")
    assert "info" in labels(namespaced.items)
    top = await complete(ws, "import * as sdk " + SDK + "sdk.|")
    assert {"task", "schemaTask", "wait", "logger", "queue"} <= set(labels(top.items))


async def test_methods_of_a_task_object(ws: Workspace):
    result = await complete(ws, in_run("    const r = await child.|"))
    assert set(labels(result.items)) == {
        "trigger",
        "batchTrigger",
        "triggerAndWait",
        "batchTriggerAndWait",
        "triggerAndSubscribe",
    }


async def test_deprecated_member_is_tagged_and_sorted_last(ws: Workspace):
    result = await complete(ws, in_run("    metadata.|"))
    stream = result.item("stream")
    assert list(stream.tags or []) == [lsp.CompletionItemTag.Deprecated]
    others = [i.sort_text or "" for i in result.items if i.label != "stream"]
    assert all((stream.sort_text or "") > s for s in others)


async def test_member_of_something_else_offers_nothing(ws: Workspace):
    result = await complete(ws, in_run("    const x = { a: 1 };\n    x.|"))
    assert result.items == []


# --- task options --------------------------------------------------------------------------------

TASK_OPTION_KEYS = [o.key for o in REF.options_of("task")]


async def test_task_option_keys_not_yet_present(ws: Workspace):
    result = await complete(
        ws, IMPORTS + 'export const a = task({\n  id: "a",\n  |\n  run: async () => {},\n});\n'
    )
    got = labels(result.items)
    assert "id" not in got and "run" not in got
    assert "schema" not in got and "cron" not in got
    assert {"retry", "queue", "concurrency", "machine", "maxDuration", "onFailure"} <= set(got)
    deprecated = {"onStart", "handleError", "init", "cleanup"}
    for item in result.items:
        is_deprecated = list(item.tags or []) == [lsp.CompletionItemTag.Deprecated]
        assert is_deprecated == (item.label in deprecated), item.label
    order = sorted(result.items, key=lambda i: i.sort_text or "")
    assert {i.label for i in order[-len(deprecated) :]} == deprecated


async def test_task_option_key_in_an_unclosed_object(ws: Workspace):
    result = await complete(ws, IMPORTS + 'export const a = task({\n  id: "a",\n  ma|')
    item = result.item("machine")
    new_text = assert_snippet_or_plain(ws, item)
    assert (
        new_text
        == 'machine: "${1|small-1x,micro,small-2x,medium-1x,medium-2x,large-1x,large-2x|}",'
    )
    start = position(result.text, result.offset - 2, ws.encoding)
    assert item.text_edit.range == lsp.Range(start, result.pos)  # type: ignore[union-attr]


async def test_multi_line_option_value_follows_the_line_indent(ws: Workspace):
    result = await complete(
        ws,
        IMPORTS + 'export const a = task({\n    id: "a",\n    re|\n    run: async () => {},\n});\n',
    )
    accepted = result.accept("retry")
    as_is = lsp.InsertTextMode.AsIs if ws.caps == "visual-studio-code" else None
    assert result.item("retry").insert_text_mode == as_is
    assert result.item("maxDuration").insert_text_mode is None  # one line
    assert "    retry: {\n      maxAttempts: ${1:3},\n" in accepted
    assert "      randomize: true,\n    },\n    run:" in accepted


async def test_schema_only_for_schema_task_and_cron_only_for_schedules(ws: Workspace):
    schema = await complete(ws, IMPORTS + 'export const a = schemaTask({\n  id: "a",\n  |\n});\n')
    assert "schema" in labels(schema.items) and "cron" not in labels(schema.items)
    cron = await complete(ws, IMPORTS + 'export const a = schedules.task({\n  id: "a",\n  |\n});\n')
    assert "cron" in labels(cron.items) and "schema" not in labels(cron.items)


async def test_aliased_task_factory(ws: Workspace):
    result = await complete(ws, "import { task as defineTask } " + SDK + "defineTask({ |")
    assert {"id", "run", "retry"} <= set(labels(result.items))


async def test_concurrency_needs_sdk_4_7(ws: Workspace):
    text = IMPORTS + 'export const a = task({\n  id: "a",\n  queue: { |\n});\n'
    new = await complete(ws, text.replace("queue: { |", "|"), name="old/src/trigger/new.ts")
    assert "concurrency" not in labels(new.items)
    queue = await complete(ws, text, name="old/src/trigger/queue.ts")
    assert queue.item("concurrencyLimit").tags is None  # deprecated only from 4.7
    current = await complete(ws, text)
    assert list(current.item("concurrencyLimit").tags or []) == [lsp.CompletionItemTag.Deprecated]


@pytest.mark.parametrize(
    ("opening", "owner"),
    [
        ("retry: { |", "retry"),
        ("retry: {\n    max|\n", "retry"),
        ('queue: { name: "q", | }', "queue"),
        ("concurrency: { | }", "concurrency"),
        ("concurrency: [{ to| }]", "concurrency"),
    ],
)
async def test_keys_of_nested_objects(ws: Workspace, opening: str, owner: str):
    factory = "task"
    result = await complete(ws, IMPORTS + f'export const a = {factory}({{\n  id: "a",\n  {opening}')
    present = {"name"} if "name:" in opening else set()
    assert set(labels(result.items)) == {o.key for o in REF.options_of(owner)} - present


async def test_cron_object_keys(ws: Workspace):
    result = await complete(
        ws,
        IMPORTS
        + 'export const a = schedules.task({\n  id: "a",\n  cron: { pattern: "0 * * * *", | },\n',
    )
    assert set(labels(result.items)) == {"timezone", "window", "environments"}


async def test_retry_keys_outside_a_task_are_not_offered(ws: Workspace):
    result = await complete(ws, IMPORTS + "const options = { retry: { | } };\n")
    assert result.items == []


# --- values ---------------------------------------------------------------------------------------

PRESETS = ["small-1x", "micro", "small-2x", "medium-1x", "medium-2x", "large-1x", "large-2x"]


async def test_machine_presets_in_a_closed_string(ws: Workspace):
    result = await complete(
        ws,
        IMPORTS
        + 'export const a = task({\n  id: "a",\n  machine: "sm|",\n  run: async () => {},\n});\n',
    )
    assert labels(result.items) == PRESETS
    assert 'machine: "small-2x",\n' in result.accept("small-2x")


async def test_machine_presets_in_an_unclosed_string(ws: Workspace):
    result = await complete(ws, IMPORTS + 'export const a = task({\n  id: "a",\n  machine: "|')
    assert labels(result.items) == PRESETS
    assert result.accept("micro").endswith('machine: "micro"')


async def test_cron_presets_for_cron_and_pattern(ws: Workspace):
    plain = await complete(
        ws, IMPORTS + 'export const a = schedules.task({\n  id: "a",\n  cron: "|",\n});\n'
    )
    assert "0 0 * * *" in labels(plain.items)
    pattern = await complete(
        ws,
        IMPORTS
        + 'export const a = schedules.task({\n  id: "a",\n  cron: { pattern: "0 |" },\n});\n',
    )
    assert 'cron: { pattern: "0 9 * * 1-5" }' in pattern.accept("0 9 * * 1-5")
    other = await complete(ws, IMPORTS + 'const x = { pattern: "|" };\n')
    assert other.items == []


async def test_time_zones(ws: Workspace):
    result = await complete(
        ws,
        IMPORTS
        + 'export const a = schedules.task({\n  id: "a",\n'
        + '  cron: { pattern: "0 8 * * *", timezone: "Europe/Lo|" },\n});\n',
    )
    assert "Europe/London" in labels(result.items) and len(result.items) > 300
    assert 'timezone: "Europe/London" }' in result.accept("Europe/London")


async def test_log_levels_only_in_the_config(ws: Workspace):
    text = "import { defineConfig } " + SDK + 'export default defineConfig({ logLevel: "|" });\n'
    config = await complete(ws, text, name="trigger.config.ts")
    assert labels(config.items) == ["info", "debug", "log", "warn", "error", "none"]
    elsewhere = await complete(ws, IMPORTS + 'const x = { logLevel: "|" };\n')
    assert elsewhere.items == []


# --- task ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        'await tasks.trigger<typeof child>("|", { n: 1 });',
        'await tasks.triggerAndWait("ch|',
        'await tasks.batchTrigger("|", []);',
        'await batch.trigger([{ id: "|" }]);',
        'await batch.triggerAndWait([{ id: "a", payload: {} }, { id: "|',
    ],
)
async def test_task_ids_from_the_index(ws: Workspace, call: str):
    result = await complete(ws, in_run("    " + call))
    assert {"child-task", "nightly-report", "parent"} <= set(labels(result.items))
    item = result.item("child-task")
    assert item.detail == "task · src/trigger/child.ts:4"
    accepted = result.accept("child-task")
    assert '"child-task"' in accepted


async def test_schedule_create_offers_scheduled_tasks(ws: Workspace):
    result = await complete(
        ws, IMPORTS + 'await schedules.create({ task: "|", cron: "0 * * * *" });\n'
    )
    assert "nightly-report" in labels(result.items)
    assert "child-task" not in labels(result.items)  # not a scheduled task


async def test_other_strings_offer_nothing(ws: Workspace):
    result = await complete(ws, in_run('    logger.info("|");'))
    assert result.items == []


# --- pattern snippets --------------------------------------------------------------------------

STATEMENT_PREFIXES = [p.prefix for p in knowledge().patterns.values() if p.scope == "statement"]


async def test_patterns_in_a_function_body_add_missing_imports(ws: Workspace):
    text = "import { logger } " + SDK + "\nfunction setup() {\n  tr-wa|\n}\n"
    result = await complete(ws, text)
    assert labels(result.items) == STATEMENT_PREFIXES
    item = result.item("tr-wait")
    assert item.kind == lsp.CompletionItemKind.Snippet
    # The lines are indented by the server: a client that can must not indent them again.
    as_is = lsp.InsertTextMode.AsIs if ws.caps == "visual-studio-code" else None
    assert item.insert_text_mode == as_is
    accepted = result.accept("tr-wait")
    assert accepted.startswith('import { logger, task, wait } from "@trigger.dev/sdk";\n')
    assert "\n  export const ${1:trialNurture} = task({\n    id:" in accepted


async def test_patterns_at_top_level_add_an_import_line(ws: Workspace):
    text = 'import { z } from "zod"; // validation\nconst x = 1\ntr-|'
    result = await complete(ws, text)
    accepted = result.accept("tr-schema-task")
    assert accepted.startswith(
        'import { z } from "zod"; // validation\n'
        'import { schemaTask, logger } from "@trigger.dev/sdk";\n'
        "const x = 1\n"
        "export const ${1:createInvoice} = schemaTask({"
    )


async def test_schema_task_pattern_imports_zod_too(ws: Workspace):
    # Nothing imported yet: one new line per module, SDK first.
    fresh = await complete(ws, "const x = 1\ntr-|")
    assert fresh.accept("tr-schema-task").startswith(
        'import { schemaTask, logger } from "@trigger.dev/sdk";\n'
        'import { z } from "zod";\n'
        "const x = 1\n"
    )
    # An import from zod without `z` is extended; the SDK import is extended too.
    text = 'import { task } from "@trigger.dev/sdk";\nimport { ZodError } from "zod";\ntr-|'
    extended = (await complete(ws, text)).accept("tr-schema-task")
    assert extended.startswith(
        'import { task, schemaTask, logger } from "@trigger.dev/sdk";\n'
        'import { ZodError, z } from "zod";\n'
    )
    # `z` bound any other way (a namespace import) is left alone.
    text = 'import * as z from "zod";\ntr-|'
    accepted = (await complete(ws, text)).accept("tr-schema-task")
    assert accepted.count("zod") == 1


async def test_config_pattern_only_at_the_top_of_the_config(ws: Workspace):
    config = await complete(ws, "tr-c|", name="trigger.config.mts")
    assert labels(config.items) == ["tr-config"]
    assert config.accept("tr-config").startswith(
        'import { defineConfig } from "@trigger.dev/sdk";\nexport default defineConfig({'
    )
    task_file = await complete(ws, IMPORTS + "tr-c|")
    assert "tr-config" not in labels(task_file.items)


@pytest.mark.parametrize(
    "text",
    [
        IMPORTS + "const x = tr-|",
        IMPORTS + 'export const a = task({ id: "a", tr-| });',
        IMPORTS + "call(tr-|);",
    ],
)
async def test_no_patterns_inside_expressions(ws: Workspace, text: str):
    result = await complete(ws, text)
    assert not set(labels(result.items)) & set(STATEMENT_PREFIXES)


# --- positions and bad requests ---------------------------------------------------------------


async def test_emoji_and_cjk_before_the_cursor(ws: Workspace):
    result = await complete(ws, in_run("    /* 🚀 日本語 */ await wait.fo| // ✓"))
    item = result.item("for")
    start = position(result.text, result.offset - 2, ws.encoding)
    assert item.text_edit.range == lsp.Range(start, result.pos)  # type: ignore[union-attr]
    assert "/* 🚀 日本語 */ await wait.for({ ${1|seconds" in result.accept("for")
    value = await complete(ws, IMPORTS + 'export const a = task({ id: "🚀", machine: "日本|" });\n')
    assert 'machine: "large-1x" })' in value.accept("large-1x")


async def test_no_completion_in_a_file_that_is_not_a_trigger_file(ws: Workspace):
    result = await complete(ws, "const x = { retry: {} };\nx.|", name="src/lib/plain.ts")
    assert result.items == []


async def test_unknown_document_and_past_the_end_then_a_normal_request(ws: Workspace):
    missing = await request(
        ws.client.text_document_completion_async(
            lsp.CompletionParams(
                lsp.TextDocumentIdentifier((ws.root / "src/trigger/nope.ts").as_uri()),
                lsp.Position(0, 0),
            )
        )
    )
    assert not missing or not missing.items
    source = in_run("    wait.|")
    uri = open_doc(ws.client, ws.root / "src/trigger/end.ts", source)
    for pos in (lsp.Position(500, 0), lsp.Position(1, 400)):
        past = await request(
            ws.client.text_document_completion_async(
                lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos)
            )
        )
        assert not past or not past.items
    result = await complete(ws, in_run("    wait.|"))
    assert "for" in labels(result.items)


# --- a client without snippets --------------------------------------------------------------------


async def test_plain_text_option_values(plain: Workspace):
    result = await complete(plain, IMPORTS + 'export const a = task({\n  id: "a",\n  re|\n});\n')
    new_text = assert_snippet_or_plain(plain, result.item("retry"))
    expected = snippet_to_plain(REF.options["task.retry"].value_snippet).replace("\n", "\n  ")
    assert new_text == f"retry: {expected},"


async def test_plain_text_patterns_and_members(plain: Workspace):
    patterns = await complete(plain, IMPORTS + "\ntr-|")
    for item in patterns.items:
        assert_snippet_or_plain(plain, item)
    assert 'id: "process-signup",' in patterns.accept("tr-task")
    members = await complete(plain, in_run("    await wait.|"))
    item = members.item("for")
    assert assert_snippet_or_plain(plain, item) == "for"
    assert isinstance(item.documentation, lsp.MarkupContent)  # documentationFormat has markdown
