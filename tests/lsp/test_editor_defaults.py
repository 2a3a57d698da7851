"""Editor defaults of issue 16: document symbols are off unless turned on (TypeScript's outline
lists the tasks already) while workspace symbols for task ids stay; the new settings
(`hover.detail`, `completion.keys`, `features.documentSymbols`) are validated like the others."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, open_doc, project, request, start, until
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lsp.settings import parse_settings

RULES = frozenset(knowledge().rules)
TASK = """\
import { task, logger } from "@trigger.dev/sdk";

export const quiet = task({
  id: "quiet",
  run: async () => {
    logger.info("hi");
  },
});
"""


def test_new_settings_parse():
    settings, problems = parse_settings(
        {
            "hover": {"detail": "full"},
            "completion": {"keys": "never"},
            "features": {"documentSymbols": True},
        },
        RULES,
    )
    assert problems == []
    assert settings.hover_detail == "full" and settings.completion_keys == "never"
    assert settings.features.document_symbols


def test_new_settings_defaults_and_bad_values():
    settings, problems = parse_settings({}, RULES)
    assert (settings.hover_detail, settings.completion_keys) == ("short", "auto")
    assert not settings.features.document_symbols
    settings, problems = parse_settings({"hover": {"detail": "huge"}, "completion": "yes"}, RULES)
    assert (settings.hover_detail, settings.completion_keys) == ("short", "auto")
    assert len(problems) == 2 and "hover.detail" in problems[0]


@pytest_lsp.fixture(config=CONFIG)
async def editor(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.parametrize("turned_on", [False, True])
async def test_document_symbols_off_by_default_workspace_symbols_stay(
    editor: LanguageClient, tmp_path: Path, turned_on: bool
):
    files = project(tmp_path, {"src/trigger/quiet.ts": TASK})
    options = {"features": {"documentSymbols": True}} if turned_on else None
    await start(editor, tmp_path, "vscode", options)
    uri = open_doc(editor, files["src/trigger/quiet.ts"])
    found = await until(
        lambda: editor.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="quiet")),
        what="the task id in workspace symbols",
    )
    assert [s.name for s in found] == ["quiet"]
    symbols = await request(
        editor.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
    )
    assert [s.name for s in symbols or []] == (["quiet"] if turned_on else [])
