"""Code lenses that add something (issue 16): "triggered from N places" (a click shows the
places) and the defaults a task takes from trigger.config.ts (a click opens the config there);
none that repeats the code below it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from helpers import marked
from lsp.session import CONFIG, open_doc, request, start, until, write

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONFIG_TS = """\
import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_x",
  dirs: ["./src/trigger"],
  maxDuration: 300,
  machine: "small-2x",
  retries: { enabledInDev: false, default: { maxAttempts: 3 } },
});
"""
CHILD = """\
import { task, logger } from "@trigger.dev/sdk";

export const child = task({ /*>*/
  id: "child-task",
  machine: "large-1x",
  run: async () => {
    logger.info("child");
  },
});

export const complete = task({
  id: "complete",
  machine: "micro",
  maxDuration: 60,
  retry: { maxAttempts: 1 },
  run: async () => {
    logger.info("complete");
  },
});

const shared = { machine: "micro" as const };
export const spread = task({
  id: "spread",
  ...shared,
  run: async () => {
    logger.info("spread");
  },
});
"""
PARENT = """\
import { task, tasks, logger } from "@trigger.dev/sdk";
import { child } from "./child";

export const parent = task({
  id: "parent",
  maxDuration: 60,
  retry: { maxAttempts: 1 },
  machine: "micro",
  run: async () => {
    logger.info("parent");
    await child.triggerAndWait({}); /*>*/
    await tasks.trigger("child-task", {}); /*>*/
  },
});
"""
FILES = {
    "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "^4.8.0"}}\n',
    "trigger.config.ts": CONFIG_TS,
    "src/trigger/child.ts": CHILD,
    "src/trigger/parent.ts": PARENT,
}


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def lens_client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("lens").resolve()
    files = write(root, FILES)
    await start(lsp_client, root, "visual-studio-code")
    lsp_client.files = files  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def lenses(client: LanguageClient, name: str, check=bool) -> list[lsp.CodeLens]:
    files: dict[str, Path] = client.files  # type: ignore[attr-defined]
    uri = open_doc(client, files[name])

    async def ask():
        return await client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
        )

    return await until(ask, check, what=f"lenses of {name}")


def titles(found: list[lsp.CodeLens]) -> list[str]:
    return [lens.command.title for lens in found if lens.command is not None]


async def test_triggered_from_and_config_defaults(lens_client: LanguageClient):
    found = await lenses(
        lens_client, "src/trigger/child.ts", lambda r: any("triggered" in t for t in titles(r))
    )
    # child: triggered twice (by its object and by id); maxDuration and retries from the
    # config, not its machine (it sets one). complete sets everything: nothing. spread: its
    # options may hold anything: no config lens.
    assert titles(found) == [
        "triggered from 2 places",
        "trigger.config.ts: maxDuration 300 s · retry 3\u00d7",
    ]
    [line] = marked(CHILD, start=0)
    assert all(lens.range.start.line == line for lens in found)  # on `export const child`


async def test_no_lens_repeats_the_code(lens_client: LanguageClient):
    found = await lenses(lens_client, "src/trigger/parent.ts", lambda r: r is not None)
    assert titles(found) == []  # sets every option and nothing triggers it


async def test_clicking_shows_the_places(lens_client: LanguageClient):
    found = await lenses(
        lens_client, "src/trigger/child.ts", lambda r: any("triggered" in t for t in titles(r))
    )
    lens = next(x for x in found if x.command and x.command.title.startswith("triggered"))
    assert lens.command is not None
    assert lens.command.command == "trigger-lsp.showReferences"
    uri, at, places = lens.command.arguments
    files: dict[str, Path] = lens_client.files  # type: ignore[attr-defined]
    parent_uri = files["src/trigger/parent.ts"].as_uri()
    the_id = CHILD.splitlines().index('  id: "child-task",')
    assert uri == files["src/trigger/child.ts"].as_uri() and at["line"] == the_id
    assert [p["uri"] for p in places] == [parent_uri, parent_uri]
    assert [p["range"]["start"]["line"] for p in places] == marked(PARENT, start=0)
    shown_before = len(lens_client.shown_documents)
    await request(
        lens_client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(lens.command.command, lens.command.arguments)
        )
    )
    shown = lens_client.shown_documents[shown_before:]
    assert [s.uri for s in shown] == [parent_uri]
    assert (
        shown[0].selection is not None
        and shown[0].selection.start.line == marked(PARENT, start=0)[0]
    )


async def test_clicking_the_config_lens_opens_the_config(lens_client: LanguageClient):
    found = await lenses(
        lens_client, "src/trigger/child.ts", lambda r: any("config" in t for t in titles(r))
    )
    lens = next(x for x in found if x.command and "config" in x.command.title)
    assert lens.command is not None and lens.command.command == "trigger-lsp.openLocation"
    shown_before = len(lens_client.shown_documents)
    result = await request(
        lens_client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(lens.command.command, lens.command.arguments)
        )
    )
    assert result is True
    shown = lens_client.shown_documents[shown_before:]
    files: dict[str, Path] = lens_client.files  # type: ignore[attr-defined]
    assert [s.uri for s in shown] == [files["trigger.config.ts"].as_uri()]
    assert shown[0].selection is not None
    assert shown[0].selection.start.line == CONFIG_TS.splitlines().index("  maxDuration: 300,")
