"""Completion and hover inside trigger options, batch options and `defineConfig`, and on the
APIs a task author calls (runs, streams, auth, locals, heartbeats, timeout, waitUntil, usage,
the error classes, the run context `ctx`), end to end against the real server.

Each context has a test that must offer and one that must not offer in a look-alike place.
`|` marks the cursor. What the server must say is read from the references
(references/sdk_options.md, sdk_api.md).
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

import helpers
from lsp.session import (
    CONFIG,
    Workspace,
    complete,
    cursor,
    labels,
    new_file,
    open_doc,
    position,
    request,
    start,
    until,
    write,
)
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lsp.features.completion import ROLE_KEY, ROLE_VALUE, item_role
from trigger_lsp.lsp.features.hover_text import SYMBOL_CHARS, brief

pytestmark = pytest.mark.asyncio(loop_scope="module")

KB = knowledge()
REF = KB.reference
SDK = 'from "@trigger.dev/sdk";\n'
IMPORTS = (
    "import { task, tasks, batch, runs, streams, auth, configure, locals, heartbeats, timeout, "
    "waitUntil, usage, OutOfMemoryError, CompleteTaskWithOutput, WaitpointTimeoutError, "
    "AbortTaskRunError, logger } " + SDK + 'import { child } from "./child";\n'
)
CHILD = """\
import { task, logger } from "@trigger.dev/sdk";

export const child = task({
  id: "child-task",
  run: async (payload: { n: number }) => {
    logger.info("child", { n: payload.n });
  },
});
"""
CONFIG_FILE = (
    'import { defineConfig } from "@trigger.dev/sdk";\n'
    'export default defineConfig({ project: "proj_x", maxDuration: 300 });\n'
)
FILES = {
    "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n',
    "trigger.config.ts": CONFIG_FILE,
    "src/trigger/child.ts": CHILD,
    # An older project: no debounce (4.3.1), no bun-1.4 (4.8.3).
    "old/package.json": '{"name": "old", "dependencies": {"@trigger.dev/sdk": "4.3.0"}}\n',
    "old/trigger.config.ts": CONFIG_FILE,
    "old/src/trigger/child.ts": CHILD,
}


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["neovim", "visual-studio-code"])
async def lsp_session(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("sdk-options")
    write(root, FILES)
    await start(lsp_client, root, request.param)
    ws = Workspace(lsp_client, root, request.param)
    await until(  # the index knows child.ts: `child` is a task reference from then on
        lambda: complete(ws, IMPORTS + 'await tasks.trigger("|");'),
        lambda result: "child-task" in labels(result.items),
        what="the workspace index",
    )
    lsp_client.ws = ws  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def ws(lsp_session: LanguageClient) -> Workspace:
    return lsp_session.ws  # type: ignore[attr-defined]


async def hover(ws: Workspace, text: str, name: str | None = None) -> str | None:
    """The hover text at `|` (the marker sits before the character hovered)."""
    source, offset = cursor(text)
    uri = open_doc(ws.client, new_file(ws, "h", name), source)
    result = await request(
        ws.client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), position(source, offset, ws.encoding))
        )
    )
    if result is None:
        return None
    assert isinstance(result.contents, lsp.MarkupContent)
    return result.contents.value


def in_run(body: str, params: str = "payload: { n: number }, { ctx }") -> str:
    return helpers.in_run(body, IMPORTS, params=params)


def keys(owner: str, kind: str | None = None) -> set[str]:
    return {
        o.key
        for o in REF.options_of(owner)
        if kind is None or not o.applies_to or kind in o.applies_to
    }


def trigger_keys(kind: str) -> set[str]:
    return keys("trigger", kind)


# --- trigger options -----------------------------------------------------------------------------

TRIGGER_CALLS = [
    ("await child.trigger({ n: 1 }, { | });", "trigger"),
    ("await child.triggerAndWait({ n: 1 }, {\n      |\n    });", "triggerAndWait"),
    ("await child.triggerAndSubscribe({ n: 1 }, { ttl: 60, | });", "triggerAndSubscribe"),
    ('await tasks.trigger<typeof child>("child-task", { n: 1 }, { | });', "trigger"),
    ('await tasks.triggerAndWait("child-task", { n: 1 }, { | });', "triggerAndWait"),
    ("await child.batchTrigger([{ payload: { n: 1 }, options: { | } }]);", "trigger"),
    (
        "await child.batchTrigger(items.map((n) => {\n      return { payload: { n }, options: { | } };"
        "\n    }));",
        "trigger",
    ),
    (
        "await child.batchTriggerAndWait(items.map((n) => ({ payload: { n }, options: { | } })));",
        "triggerAndWait",
    ),
    ('await batch.trigger([{ id: "child-task", payload: {}, options: { | } }]);', "trigger"),
    (
        'await tasks.batchTrigger("child-task", [{ payload: {}, options: { | } }]);',
        "trigger",
    ),
    (
        "await batch.triggerByTaskAndWait([{ task: child, payload: { n: 1 }, options: { | } }]);",
        "triggerAndWait",
    ),
    # half-typed: the call is not closed yet
    ("await child.trigger({ n: 1 }, { del|", "trigger"),
]


@pytest.mark.parametrize(("call", "kind"), TRIGGER_CALLS)
async def test_trigger_option_keys_in_every_call(ws: Workspace, call: str, kind: str):
    result = await complete(ws, in_run("    " + call))
    present = {"ttl"} if "ttl: 60" in call else set()
    assert set(labels(result.items)) == trigger_keys(kind) - present
    assert all(item_role(i) == ROLE_KEY for i in result.items)
    assert ("version" in labels(result.items)) == (kind == "trigger")
    assert ("cancelOnAbort" in labels(result.items)) == (kind == "triggerAndSubscribe")


async def test_trigger_option_key_snippet_and_docs(ws: Workspace):
    result = await complete(ws, in_run("    await child.trigger({ n: 1 }, { deb| });"))
    item = result.item("debounce")
    assert item.detail == REF.options["trigger.debounce"].type
    doc = item.documentation
    assert isinstance(doc, lsp.MarkupContent)
    assert REF.options["trigger.debounce"].description in doc.value
    assert "debounce: { key: " in result.accept("debounce")


@pytest.mark.parametrize(
    "call",
    [
        "await child.trigger({ |",  # the payload, not the options
        'await tasks.trigger("child-task", { | });',  # the payload of tasks.trigger
        "const emitter = { trigger: (a: unknown, b: unknown) => a };\n"
        "    emitter.trigger({ n: 1 }, { | });",  # not a task
        "await child.batchTrigger([{ payload: { | } }]);",  # an item's payload
        "await child.batchTrigger([{ payload: {}, meta: { | } }]);",  # not `options`
        "await child.batchTrigger([{ payload: { options: { | } } }]);",  # inside the payload
        "await child.batchTrigger(items.map((n) => {\n      const x = { options: { | } };\n"
        "      return { payload: n };\n    }));",  # an object in a callback's body
        "const options = { debounce: { | } };",  # no call at all
    ],
)
async def test_no_trigger_option_keys_elsewhere(ws: Workspace, call: str):
    result = await complete(ws, in_run("    " + call))
    assert not set(labels(result.items)) & (trigger_keys("trigger") - {"metadata", "tags"})


async def test_debounce_keys_and_mode_values(ws: Workspace):
    result = await complete(
        ws, in_run('    await child.trigger({ n: 1 }, { debounce: { key: "k", | } });')
    )
    assert set(labels(result.items)) == keys("debounce") - {"key"}
    modes = await complete(
        ws,
        in_run('    await child.trigger({ n: 1 }, { debounce: { key: "k", mode: "|" } });'),
    )
    assert labels(modes.items) == ["leading", "trailing"]
    assert all(item_role(i) == ROLE_VALUE for i in modes.items)
    elsewhere = await complete(ws, in_run('    const x = { debounce: { mode: "|" } };'))
    assert elsewhere.items == []


async def test_debounce_needs_sdk_4_3_1(ws: Workspace):
    result = await complete(
        ws, in_run("    await child.trigger({ n: 1 }, { | });"), name="old/src/trigger/t.ts"
    )
    assert "debounce" not in labels(result.items) and "delay" in labels(result.items)


@pytest.mark.parametrize(
    "text",
    [
        '    await child.trigger({ n: 1 }, { delay: "|" });',
        '    await child.trigger({ n: 1 }, { ttl: "1|" });',
        '    await tasks.trigger("child-task", {}, { idempotencyKeyTTL: "|" });',
        '    await child.trigger({ n: 1 }, { debounce: { key: "k", maxDelay: "|" } });',
        '    await child.batchTrigger([], { idempotencyKeyTTL: "|" });',
    ],
)
async def test_duration_values(ws: Workspace, text: str):
    result = await complete(ws, in_run(text))
    assert labels(result.items) == [c.value for c in REF.values["duration"].values]


async def test_no_duration_values_outside_options(ws: Workspace):
    result = await complete(ws, in_run('    const later = { delay: "|" };'))
    assert result.items == []


async def test_machine_values_in_trigger_options(ws: Workspace):
    result = await complete(ws, in_run('    await child.trigger({ n: 1 }, { machine: "|" });'))
    assert "large-2x" in labels(result.items)


# --- batch options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "await child.batchTrigger([{ payload: { n: 1 } }], { | });",
        "await child.batchTriggerAndWait(items, {\n      |\n    });",
        'await batch.trigger([{ id: "child-task", payload: {} }], { | });',
        'await tasks.batchTrigger("child-task", [], { | });',
    ],
)
async def test_batch_option_keys(ws: Workspace, call: str):
    result = await complete(ws, in_run("    " + call))
    assert set(labels(result.items)) == keys("batchOptions")
    assert "triggerSequentially" in labels(result.items)


async def test_batch_options_are_not_trigger_options(ws: Workspace):
    result = await complete(ws, in_run("    await child.trigger({ n: 1 }, { trig| });"))
    assert "triggerSequentially" not in labels(result.items)


# --- defineConfig --------------------------------------------------------------------------------

CONFIG_OPEN = 'import { defineConfig } from "@trigger.dev/sdk";\nexport default defineConfig({\n'


async def test_config_keys_with_deprecated_ones_tagged(ws: Workspace):
    result = await complete(
        ws,
        CONFIG_OPEN + '  project: "proj_x",\n  |\n  maxDuration: 300,\n});\n',
        name="trigger.config.ts",
    )
    got = set(labels(result.items))
    assert got == keys("config") - {"project", "maxDuration"}
    for item in result.items:
        deprecated = list(item.tags or []) == [lsp.CompletionItemTag.Deprecated]
        assert deprecated == REF.options[f"config.{item.label}"].deprecated, item.label
        assert item_role(item) == ROLE_KEY
    last = sorted(result.items, key=lambda i: i.sort_text or "")[-1]
    assert REF.options[f"config.{last.label}"].deprecated


@pytest.mark.parametrize(
    ("opening", "owner"),
    [
        ("build: { | }", "build"),
        ("build: { jsx: { | } }", "jsx"),
        ("telemetry: { | }", "telemetry"),
        ("retries: { | }", "retries"),
        ("retries: { default: { | } }", "retry"),
        ("processKeepAlive: { | }", "processKeepAlive"),
    ],
)
async def test_nested_config_keys(ws: Workspace, opening: str, owner: str):
    result = await complete(
        ws, CONFIG_OPEN + f'  project: "proj_x",\n  {opening},\n}});\n', name="trigger.config.ts"
    )
    assert set(labels(result.items)) == keys(owner)


async def test_config_keys_only_inside_define_config(ws: Workspace):
    other = await complete(
        ws, 'const config = {\n  project: "proj_x",\n  |\n};\n', name="trigger.config.ts"
    )
    assert "dirs" not in labels(other.items)
    nested = await complete(ws, in_run("    const build = { jsx: { | } };"))
    assert nested.items == []


async def test_runtime_values_by_version(ws: Workspace):
    text = CONFIG_OPEN + '  project: "proj_x",\n  runtime: "|",\n});\n'
    current = await complete(ws, text, name="trigger.config.ts")
    got = labels(current.items)
    assert {"node", "node-22", "node-24", "bun-1.4", "bun"} <= set(got)
    assert got[0] == "node"
    bun = current.item("bun")
    assert list(bun.tags or []) == [lsp.CompletionItemTag.Deprecated]
    assert current.item("bun-1.4").tags is None
    assert current.accept("bun-1.4").count('runtime: "bun-1.4",') == 1
    old = await complete(ws, text, name="old/trigger.config.ts")
    assert "bun-1.4" not in labels(old.items) and "node-24" not in labels(old.items)
    assert old.item("bun").tags is None  # deprecated only from 4.8.3
    elsewhere = await complete(ws, in_run('    const x = { runtime: "|" };'))
    assert elsewhere.items == []


# --- hover on keys and values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ('    await child.trigger({ n: 1 }, { |delay: "1h" });', "trigger.delay"),
        ("    await child.triggerAndWait({ n: 1 }, { |maxAttempts: 1 });", "trigger.maxAttempts"),
        (
            '    await child.trigger({ n: 1 }, { debounce: { key: "k", |maxDelay: "5m" } });',
            "debounce.maxDelay",
        ),
        (
            "    await child.batchTrigger([], { |triggerSequentially: true });",
            "batchOptions.triggerSequentially",
        ),
        (
            '    await batch.trigger([{ id: "child-task", payload: {}, options: { |tags: ["a"] } }]);',
            "trigger.tags",
        ),
    ],
)
async def test_hover_on_trigger_and_batch_option_keys(ws: Workspace, text: str, option: str):
    value = await hover(ws, in_run(text))
    assert value is not None and REF.options[option].description in value


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ('  project: "proj_x",\n  |runtime: "node",\n', "config.runtime"),
        ('  project: "proj_x",\n  |processKeepAlive: true,\n', "config.processKeepAlive"),
        ('  project: "proj_x",\n  build: { |external: ["sharp"] },\n', "build.external"),
        ('  project: "proj_x",\n  |triggerDirectories: ["./t"],\n', "config.triggerDirectories"),
        ('  project: "proj_x",\n  retries: { |enabledInDev: false },\n', "retries.enabledInDev"),
    ],
)
async def test_hover_on_config_keys(ws: Workspace, text: str, option: str):
    value = await hover(
        ws, CONFIG_OPEN + text + "  maxDuration: 300,\n});\n", name="trigger.config.ts"
    )
    assert value is not None and REF.options[option].description in value
    if REF.options[option].deprecated:
        assert "*Deprecated*" in value


async def test_hover_on_values(ws: Workspace):
    runtime = await hover(
        ws, CONFIG_OPEN + '  runtime: |"bun",\n  maxDuration: 300,\n});\n', name="trigger.config.ts"
    )
    assert runtime is not None and "2027-01-05" in runtime and "*Deprecated since 4.8.3*" in runtime
    mode = await hover(
        ws, in_run('    await child.trigger({}, { debounce: { key: "k", mode: |"trailing" } });')
    )
    assert mode is not None and "the last trigger's payload" in mode


async def test_no_option_hover_on_a_look_alike_key(ws: Workspace):
    value = await hover(ws, in_run('    const opts = { |delay: "1h" };'))
    assert value is None


# --- APIs a task author uses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "owner", ["runs", "runs.bulk", "streams", "auth", "locals", "heartbeats", "timeout", "usage"]
)
async def test_members_of_the_api_namespaces(ws: Workspace, owner: str):
    result = await complete(ws, in_run(f"    {owner}.|"))
    assert labels(result.items) == [e.name for e in REF.members(owner)]
    for item in result.items:
        doc = item.documentation
        assert isinstance(doc, lsp.MarkupContent)
        assert REF.api[f"{owner}.{item.label}"].description in doc.value


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("    await runs.|retrieve(ctx.run.id);", "runs.retrieve"),
        ("    await runs.bulk.|cancel({ filter: {} });", "runs.bulk.cancel"),
        ("    const { waitUntilComplete } = streams.|pipe(source);", "streams.pipe"),
        ("    const token = await auth.|createPublicToken();", "auth.createPublicToken"),
        ("    |configure({ accessToken: key });", "configure"),
        ("    const db = locals.|getOrThrow(dbKey);", "locals.getOrThrow"),
        ("    await heartbeats.|yield();", "heartbeats.yield"),
        ("    const limit = timeout.|None;", "timeout.None"),
        ("    |waitUntil(flush());", "waitUntil"),
        ("    const u = usage.|getCurrent();", "usage.getCurrent"),
        ("    throw new |OutOfMemoryError();", "OutOfMemoryError"),
        ("    throw new |CompleteTaskWithOutput({ ok: true });", "CompleteTaskWithOutput"),
        ("    if (e instanceof |WaitpointTimeoutError) {}", "WaitpointTimeoutError"),
        ('    throw new |AbortTaskRunError("bad input");', "AbortTaskRunError"),
    ],
)
async def test_hover_on_api_names(ws: Workspace, text: str, entry: str):
    value = await hover(ws, in_run(text))
    assert value is not None
    # The short form (issue 16): what the name does at run time, in one or two lines, and not
    # the signature, which TypeScript's own hover shows.
    assert brief(REF.api[entry].description, SYMBOL_CHARS)[:40] in value
    assert REF.api[entry].signature not in value
    assert len([line for line in value.splitlines() if line.strip()]) <= 2


async def test_since_is_shown_and_respected(ws: Workspace):
    value = await hover(ws, in_run("    await auth.|getOIDCToken({ audience: 'x' });"))
    assert value is not None and "*Since SDK 4.8.3*" in value
    old = await complete(ws, in_run("    auth.|"), name="old/src/trigger/a.ts")
    assert "getOIDCToken" not in labels(old.items) and "createPublicToken" in labels(old.items)
    streams_old = await complete(ws, in_run("    streams.|"), name="old/src/trigger/s.ts")
    assert "input" not in labels(streams_old.items) and "pipe" in labels(streams_old.items)


# --- the run context -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "params", "path"),
    [
        ("    logger.info(ctx.|);", "payload: { n: number }, { ctx }", "ctx"),
        ("    const id = ctx.run.|", "payload: { n: number }, { ctx }", "ctx.run"),
        ("    if (c.attempt.|)", "payload: unknown, { ctx: c }", "ctx.attempt"),
    ],
)
async def test_run_context_members(ws: Workspace, body: str, params: str, path: str):
    result = await complete(ws, in_run(body, params))
    assert labels(result.items) == [e.name for e in REF.context_members(path)]


async def test_run_context_in_a_hook(ws: Workspace):
    text = IMPORTS + (
        'export const a = task({\n  id: "a",\n'
        "  onFailure: async ({ payload, error, ctx }) => {\n    ctx.environment.|\n  },\n"
        '  run: async () => { logger.info("a"); },\n});\n'
    )
    result = await complete(ws, text)
    assert "type" in labels(result.items)


@pytest.mark.parametrize(
    ("body", "params"),
    [
        ("    ctx.|", "payload: unknown, ctx: unknown"),  # a plain parameter named ctx
        ("    const ctx = { run: 1 };\n    ctx.|", "payload: unknown"),  # a local object
    ],
)
async def test_no_context_members_for_another_ctx(ws: Workspace, body: str, params: str):
    result = await complete(ws, in_run(body, params))
    assert "run" not in labels(result.items)


async def test_no_context_members_outside_a_task(ws: Workspace):
    text = IMPORTS + "const handler = async ({ ctx }: { ctx: any }) => {\n  ctx.|\n};\n"
    result = await complete(ws, text)
    assert result.items == []


@pytest.mark.parametrize(
    ("body", "entry"),
    [
        ("    logger.info(ctx.run.|id);", "ctx.run.id"),
        ("    logger.info(String(ctx.attempt.|number));", "ctx.attempt.number"),
        ("    logger.info(ctx.|environment.type);", "ctx.environment"),
        ("    logger.info(|ctx.environment.type);", "ctx"),
    ],
)
async def test_hover_on_run_context_fields(ws: Workspace, body: str, entry: str):
    value = await hover(ws, in_run(body))
    assert value is not None and REF.api[entry].description in value


async def test_no_context_hover_on_another_ctx(ws: Workspace):
    value = await hover(ws, in_run("    logger.info(ctx.run.|id);", "payload: unknown, ctx: any"))
    assert value is None
