"""Completion from the project's installed SDK (issue 15 item 5): a task option key that the
installed version lacks is not offered, and machine presets are those of its union. The
project holds the fake SDK of tests/test_installed_sdk.py; a second project beside it, with no
node_modules, gets the references' keys and values."""

from __future__ import annotations

from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, open_doc, position, request, start
from test_installed_sdk import write_project

TASK = 'import { task } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", | });\n'
MACHINE = (
    'import { task } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", machine: "|" });\n'
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    write_project(tmp_path / "with")
    write_project(tmp_path / "without", sdk=None)
    # Keys always: with the SDK's types installed, "auto" leaves option keys to TypeScript's
    # completion (issue 16); a client without a TypeScript service asks for them.
    await start(lsp_client, tmp_path, "neovim", {"completion": {"keys": "always"}})
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def labels(client: LanguageClient, path: Path, text: str) -> list[str]:
    offset = text.index("|")
    source = text[:offset] + text[offset + 1 :]
    uri = open_doc(client, path, source)
    result = await request(
        client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), position(source, offset, "utf-8"))
        )
    )
    items = result.items if isinstance(result, lsp.CompletionList) else list(result or [])
    return [i.label for i in items]


async def test_keys_and_values_follow_the_installed_sdk(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    installed = await labels(client, root / "with/src/trigger/a.ts", TASK)
    plain = await labels(client, root / "without/src/trigger/a.ts", TASK)
    # The fake SDK's task options have no maxDuration or ttl: not offered there.
    assert "retry" in installed and "machine" in installed
    assert "maxDuration" not in installed and "ttl" not in installed
    assert "maxDuration" in plain and "ttl" in plain
    assert set(installed) < set(plain)

    presets = await labels(client, root / "with/src/trigger/b.ts", MACHINE)
    assert presets == ["small-1x", "huge-8x"]
    references = await labels(client, root / "without/src/trigger/b.ts", MACHINE)
    assert "large-2x" in references and "huge-8x" not in references
