"""Hover end to end, against the real server: diagnostics with their rule and sharp edge, SDK
names resolved through imports, task option keys, option values and triggered task ids, with
the neovim (pull, utf-8) and VS Code (utf-16) capability sets, plus a plain-text client and
requests that must come back empty.

Expected text is read from the references (what the server must say) and ranges are computed
here, in the negotiated encoding, independently of the server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities

import helpers
from lsp.session import CONFIG, Workspace, new_file, open_doc, position, request, until, write
from trigger_lsp.knowledge.loader import knowledge

pytestmark = pytest.mark.asyncio(loop_scope="module")

KB = knowledge()
REF = KB.reference
SDK = 'from "@trigger.dev/sdk";\n'
IMPORTS = (
    "import { task, schemaTask, schedules, wait, logger, metadata, tags, idempotencyKeys, "
    "tasks, batch, queue } " + SDK
)

CHILD = """\
import { task, logger } from "@trigger.dev/sdk";

export const child = task({
  id: "child-task",
  queue: { name: "email" },
  machine: "large-1x",
  maxDuration: 120,
  retry: { maxAttempts: 5 },
  run: async (payload: { n: number }) => {
    logger.info("child", { n: payload.n });
  },
});
"""

FILES = {
    "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "^4.8.0"}}\n',
    "trigger.config.ts": (
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"], '
        "maxDuration: 300 });\n"
    ),
    "src/trigger/child.ts": CHILD,
    "src/lib/plain.ts": "export const answer = 42;\n",
}


def _capabilities(name: str) -> lsp.ClientCapabilities:
    if name != "plaintext":
        return client_capabilities(name)
    caps = client_capabilities("visual-studio-code")
    assert caps.text_document is not None
    caps.text_document.hover = lsp.HoverClientCapabilities(
        content_format=[lsp.MarkupKind.PlainText]
    )
    return caps


async def _workspace(client: LanguageClient, root: Path, caps: str) -> Workspace:
    write(root, FILES)
    params = lsp.InitializeParams(
        capabilities=_capabilities(caps),
        root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), root.name)],
    )
    await asyncio.wait_for(client.initialize_session(params), 10)
    ws = Workspace(client, root, caps)
    await until(  # the background index has read child.ts
        lambda: _hover_text(ws, IMPORTS + 'tasks.trigger("child-t|ask", {});'),
        lambda value: value is not None and "child.ts" in value,
        what="the workspace index",
    )
    return ws


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["neovim", "visual-studio-code"])
async def lsp_session(lsp_client: LanguageClient, request, tmp_path_factory):
    lsp_client.ws = await _workspace(  # type: ignore[attr-defined]
        lsp_client, tmp_path_factory.mktemp("hover"), request.param
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def plain_session(lsp_client: LanguageClient, tmp_path_factory):
    lsp_client.ws = await _workspace(  # type: ignore[attr-defined]
        lsp_client, tmp_path_factory.mktemp("plain"), "plaintext"
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def ws(lsp_session: LanguageClient) -> Workspace:
    return lsp_session.ws  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def plain(plain_session: LanguageClient) -> Workspace:
    return plain_session.ws  # type: ignore[attr-defined]


# --- helpers --------------------------------------------------------------------------------------


@dataclass
class Shown:
    hover: lsp.Hover | None
    text: str
    offset: int
    ws: Workspace

    @property
    def value(self) -> str:
        assert self.hover is not None, "no hover"
        contents = self.hover.contents
        assert isinstance(contents, lsp.MarkupContent)
        return contents.value

    def range_at(self, length: int) -> lsp.Range:
        """The range of `length` characters from the marker."""
        enc = self.ws.encoding
        end = self.offset + length
        return lsp.Range(position(self.text, self.offset, enc), position(self.text, end, enc))

    def range_of(self, needle: str, nth: int = 0) -> lsp.Range:
        start = -1
        for _ in range(nth + 1):
            start = self.text.index(needle, start + 1)
        enc = self.ws.encoding
        return lsp.Range(
            position(self.text, start, enc), position(self.text, start + len(needle), enc)
        )


async def hover(ws: Workspace, text: str, name: str | None = None) -> Shown:
    """Hover at `|` (the marker sits before the character hovered)."""
    offset = text.index("|")
    source = text[:offset] + text[offset + 1 :]
    path = new_file(ws, "h", name)
    uri = open_doc(ws.client, path, source)
    result = await request(
        ws.client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), position(source, offset, ws.encoding))
        )
    )
    return Shown(result, source, offset, ws)


async def _hover_text(ws: Workspace, text: str) -> str | None:
    shown = await hover(ws, text)
    return shown.value if shown.hover is not None else None


def in_run(body: str) -> str:
    """A task with a retry policy whose run function holds a first statement, then `body`."""
    return helpers.in_run(
        '    logger.info("start");\n' + body,
        IMPORTS + 'import { child } from "./child";\n',
        params="",
        options="  retry: { maxAttempts: 3 },\n",
    )


def first_sentence(description: str) -> str:
    return description.split(". ")[0].rstrip(".")


def assert_api(value: str, entry_id: str) -> None:
    """An SDK name's hover: at most two lines of what TypeScript does not show (what the call
    does at run time, its sharp edges), not the signature TypeScript shows."""
    entry = REF.api[entry_id]
    assert first_sentence(entry.description) in value
    assert entry.signature not in value
    for edge in entry.sharp_edges[:2]:
        assert KB.sharp_edges[edge].title in value
    name_part = value.split("\n---\n")[-1]  # after a finding's hover, if one is there
    assert len([line for line in name_part.splitlines() if line.strip()]) <= 2


# --- diagnostics ----------------------------------------------------------------------------------


async def test_diagnostic_shows_its_rule_and_sharp_edge(ws: Workspace):
    shown = await hover(
        ws,
        in_run(
            "    await |Promise.all(["
            "child.triggerAndWait({ n: 1 }), child.triggerAndWait({ n: 2 })]);"
        ),
    )
    # The short form (issue 16): the message, why, how to fix, where the full explanation is.
    value = shown.value
    assert value.startswith("**parallel-waits**: Promise.all runs `triggerAndWait` calls")
    assert "*Why:* While a run waits" in value and "*Fix:* To run children in parallel" in value
    assert "[Explain parallel-waits](command:trigger-lsp.explain?" in value
    assert "Symptoms" not in value  # the sharp edge's whole story is in the explanation
    assert shown.hover is not None and shown.hover.range is not None


async def test_a_version_dependent_diagnostic_says_the_version_assumed(ws: Workspace):
    shown = await hover(
        ws,
        IMPORTS + 'export const a = task({\n  id: "a",\n  queue: { |concurrencyLimit: 2 },\n'
        '  run: async () => { logger.info("a"); },\n});\n',
    )
    value = shown.value
    assert value.startswith("**queue-concurrency-deprecated**")
    # One line under the message: the project's package.json says "^4.8.0".
    note = "*Version assumed: @trigger.dev/sdk 4.8.0 from the lowest version `^4.8.0` allows in"
    assert value.count(note) == 1
    assert value.splitlines()[1].startswith(note)


async def test_a_diagnostic_that_needs_no_version_says_none(ws: Workspace):
    shown = await hover(
        ws,
        in_run(
            "    await |Promise.all(["
            "child.triggerAndWait({ n: 1 }), child.triggerAndWait({ n: 2 })]);"
        ),
    )
    assert shown.value.startswith("**parallel-waits**")
    assert "Version assumed" not in shown.value


async def test_diagnostic_comes_first_when_combined_with_a_name(ws: Workspace):
    shown = await hover(ws, IMPORTS + "await wait.f|or({ seconds: 10 });\n")
    value = shown.value
    description = first_sentence(REF.api["wait.for"].description)
    assert value.index("wait-outside-run") < value.index(description)
    assert "\n---\n" in value
    assert shown.hover is not None and shown.hover.range == shown.range_of("for")


# --- SDK names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        (IMPORTS + 'export const a = |task({ id: "a", run: async () => {} });', "task"),
        (IMPORTS + 'export const a = |schemaTask({ id: "a", run: async () => {} });', "schemaTask"),
        (
            IMPORTS + 'export const a = schedules.|task({ id: "a", run: async () => {} });',
            "schedules.task",
        ),
        (
            IMPORTS + 'export const a = |schedules.task({ id: "a", run: async () => {} });',
            "schedules",
        ),
        (in_run("    await wait.|for({ seconds: 30 });"), "wait.for"),
        (in_run("    const r = await child.|triggerAndWait({ n: 1 });"), "triggerAndWait"),
        (in_run("    const r = await child.|batchTriggerAndWait([]);"), "batchTriggerAndWait"),
        (in_run('    const key = await idempotencyKeys.|create("x");'), "idempotencyKeys.create"),
        (in_run('    |logger.info("x");'), "logger"),
        (in_run('    logger.|info("x", { a: 1 });'), "logger.info"),
        (in_run('    |metadata.set("a", 1);'), "metadata"),
        (in_run('    metadata.|set("a", 1);'), "metadata.set"),
        (in_run('    await tags.|add("x");'), "tags.add"),
        (
            in_run("    await batch.|triggerByTaskAndWait([{ task: child, payload: { n: 1 } }]);"),
            "batch.triggerByTaskAndWait",
        ),
        (IMPORTS + 'export const q = |queue({ name: "q" });', "queue"),
        ("import { |wait as w } " + SDK + "w;", "wait"),
    ],
)
async def test_sdk_names(ws: Workspace, text: str, entry: str):
    shown = await hover(ws, text)
    assert_api(shown.value, entry)


async def test_names_resolve_through_aliases_and_namespaces(ws: Workspace):
    aliased = await hover(
        ws,
        "import { wait as w } "
        + SDK
        + "export async function f() { await w.|for({ seconds: 1 }); }",
    )
    assert_api(aliased.value, "wait.for")
    assert aliased.hover is not None and aliased.hover.range == aliased.range_of("for")
    namespaced = await hover(ws, "import * as sdk " + SDK + "sdk.logger.|warn('x');")
    assert_api(namespaced.value, "logger.warn")


async def test_local_names_are_not_sdk_names(ws: Workspace):
    shown = await hover(ws, IMPORTS + "const waiter = { for: 1 };\nwaiter.|for;\n")
    assert shown.hover is None or REF.api["wait.for"].signature not in shown.value


# --- option keys and values -----------------------------------------------------------------------

OPTIONS = """\
export const a = schedules.task({
  id: "a",
  retry: { maxAttempts: 3, factor: 2 },
  queue: { name: "q" },
  concurrency: { total: 5 },
  machine: "medium-2x",
  maxDuration: 600,
  cron: { pattern: "0 9 * * 1-5", timezone: "Europe/London" },
  onStart: async () => {},
  async onFailure({ error }) {},
  run: async () => {},
});
"""


@pytest.mark.parametrize(
    ("needle", "option"),
    [
        ("retry:", "task.retry"),
        ("queue:", "task.queue"),
        ("concurrency:", "task.concurrency"),
        ("machine:", "task.machine"),
        ("maxDuration:", "task.maxDuration"),
        ("cron:", "task.cron"),
        ("onStart:", "task.onStart"),
        ("onFailure(", "task.onFailure"),
        ("maxAttempts:", "retry.maxAttempts"),
        ("name:", "queue.name"),
        ("total:", "concurrency.total"),
        ("timezone:", "cron.timezone"),
    ],
)
async def test_task_option_keys(ws: Workspace, needle: str, option: str):
    at = OPTIONS.index(needle)
    shown = await hover(ws, IMPORTS + OPTIONS[:at] + "|" + OPTIONS[at:])
    entry = REF.options[option]
    # What the key means at run time and its sharp edges; its type is TypeScript's to show.
    assert first_sentence(entry.description) in shown.value
    for edge in entry.sharp_edges[:2]:
        assert KB.sharp_edges[edge].title in shown.value
    name_part = shown.value.split("\n---\n")[-1]  # (onStart also has a finding)
    assert len([line for line in name_part.splitlines() if line.strip()]) <= 2
    assert shown.hover is not None
    assert shown.hover.range == shown.range_at(len(needle.rstrip(":(")))


async def test_deprecated_option_says_so(ws: Workspace):
    at = OPTIONS.index("onStart")
    shown = await hover(ws, IMPORTS + OPTIONS[:at] + "|" + OPTIONS[at:])
    assert "*Deprecated since 4.1*" in shown.value


async def test_keys_of_other_objects_are_not_options(ws: Workspace):
    shown = await hover(ws, IMPORTS + "const settings = { |retry: 3 };\n")
    assert shown.hover is None


async def test_option_values(ws: Workspace):
    machine = await hover(ws, IMPORTS + OPTIONS.replace('"medium-2x"', '"medium-|2x"'))
    assert "2 vCPU, 4 GB memory" in machine.value
    cron = await hover(ws, IMPORTS + OPTIONS.replace('"0 9 * * 1-5"', '"0 9 * |* 1-5"'))
    assert "weekdays at 09:00" in cron.value


# --- task ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        '    await tasks.trigger<typeof child>("child-|task", { n: 1 });',
        '    const r = await tasks.triggerAndWait("|child-task", { n: 1 });',
        '    await batch.trigger([{ id: "child-task|", payload: { n: 1 } }]);',
        '    await batch.triggerAndWait([{ id: "other", payload: {} }, { id: "ch|ild-task" }]);',
    ],
)
async def test_task_id_shows_the_indexed_task(ws: Workspace, call: str):
    shown = await hover(ws, in_run(call))
    value = shown.value
    assert "**Task `child-task`** · `task` · [src/trigger/child.ts:4](" in value
    for line in (
        '- queue: `{ name: "email" }`',
        "- retry: `{ maxAttempts: 5 }`",
        '- machine: `"large-1x"`',
        "- maxDuration: `120`",
    ):
        assert line in value
    assert shown.hover is not None and shown.hover.range == shown.range_of('"child-task"')


async def test_unknown_task_id(ws: Workspace):
    shown = await hover(ws, in_run('    await tasks.trigger("no-such-|task", {});'))
    assert "no task with this id is known" in shown.value


# --- positions, files and bad requests ------------------------------------------------------------


async def test_emoji_and_cjk_before_the_name(ws: Workspace):
    shown = await hover(ws, in_run("    /* 🚀 日本語 */ await wait.f|or({ seconds: 30 }); // ✓"))
    assert_api(shown.value, "wait.for")
    assert shown.hover is not None and shown.hover.range == shown.range_of("for")


async def test_no_hover_in_a_file_that_is_not_a_trigger_file(ws: Workspace):
    shown = await hover(ws, "const wait = { for: 1 };\nwait.|for;\n", name="src/lib/plain.ts")
    assert shown.hover is None


async def test_unknown_document_and_past_the_end_then_a_normal_request(ws: Workspace):
    missing = await request(
        ws.client.text_document_hover_async(
            lsp.HoverParams(
                lsp.TextDocumentIdentifier((ws.root / "src/trigger/nope.ts").as_uri()),
                lsp.Position(0, 0),
            )
        )
    )
    assert missing is None
    source = in_run("    await wait.for({ seconds: 30 });")
    uri = open_doc(ws.client, ws.root / "src/trigger/end.ts", source)
    for pos in (lsp.Position(900, 0), lsp.Position(0, 900)):
        past = await request(
            ws.client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos)
            )
        )
        assert past is None
    shown = await hover(ws, in_run("    await wait.|for({ seconds: 30 });"))
    assert_api(shown.value, "wait.for")


async def test_plain_text_client(plain: Workspace):
    shown = await hover(plain, in_run("    await wait.|for({ seconds: 30 });"))
    assert shown.hover is not None
    contents = shown.hover.contents
    assert isinstance(contents, lsp.MarkupContent) and contents.kind == lsp.MarkupKind.PlainText
    assert first_sentence(REF.api["wait.for"].description) in contents.value
    assert "```" not in contents.value and "**" not in contents.value
    task = await hover(plain, in_run('    await tasks.trigger("child-|task", {});'))
    assert "Task child-task · task · src/trigger/child.ts:4 (file://" in task.value
