"""Navigation for the task kinds of issue 15 item 4: a webhook task and a chat agent are in the
workspace symbols, and a task id string that names one goes to its definition."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, find, open_doc, project, request, span, start, until

KINDS = """\
import { webhook, webhooks, logger } from "@trigger.dev/sdk";
import { chat } from "@trigger.dev/sdk/ai";

const github = webhooks.endpoint.define({ id: "gh", source: webhooks.github({ secret: "s" }) });

export const onPush = webhook({
  id: "on-push",
  endpoint: github,
  onEvent: async ({ event }) => {
    logger.info("push", { event });
  },
});

export const support = chat.agent({
  id: "support-chat",
  run: async () => {
    logger.info("turn");
  },
});
"""

CALLER = """\
import { tasks } from "@trigger.dev/sdk";

export async function POST() {
  await tasks.trigger("support-chat", {});
  await tasks.trigger("on-push", {});
}
"""


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, tmp_path):  # type: ignore[no-untyped-def]
    files = project(tmp_path, {"src/trigger/kinds.ts": KINDS, "src/app/route.ts": CALLER})
    await start(lsp_client, tmp_path, "vscode")
    lsp_client.workspace_files = files  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_workspace_symbols_and_definition_of_new_kinds(client: LanguageClient) -> None:
    files = client.workspace_files  # type: ignore[attr-defined]
    symbols = await until(
        lambda: client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="")),
        lambda found: found is not None and len(found) == 2,
        what="the workspace index",
    )
    kinds_uri = files["src/trigger/kinds.ts"].as_uri()
    assert {(s.name, s.location.uri) for s in symbols} == {
        ("on-push", kinds_uri),
        ("support-chat", kinds_uri),
    }
    route = files["src/app/route.ts"]
    open_doc(client, route)
    for needle, target in (("support-chat", '"support-chat"'), ("on-push", '"on-push"')):
        result = await request(
            client.text_document_definition_async(
                lsp.DefinitionParams(
                    lsp.TextDocumentIdentifier(route.as_uri()), find(CALLER, needle, at=2)
                )
            )
        )
        assert isinstance(result, list)
        assert [(loc.uri, loc.range) for loc in result] == [(kinds_uri, span(KINDS, target))]
