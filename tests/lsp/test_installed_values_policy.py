"""Value lists TypeScript also completes (issue 16): where the installed SDK declares a
string-literal union for an option (machine presets here) and the file is TypeScript with those
types, TypeScript lists the same names, so `completion.keys: "auto"` leaves them to it (VS Code
showed `small-1x` ... twice). Value lists TypeScript cannot know (time zones) stay; a project
without node_modules, a plain JavaScript file and `completion.keys: "always"` still get the
presets. The fake SDK is the one of tests/test_installed_sdk.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, open_doc, position, request, start
from test_installed_sdk import write_project

pytestmark = pytest.mark.asyncio(loop_scope="module")

MACHINE = (
    'import { task } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", machine: "|" });\n'
)
ZONE = (
    'import { schedules } from "@trigger.dev/sdk";\n'
    'export const a = schedules.task({ id: "a", cron: { pattern: "0 * * * *", timezone: "|" } });\n'
)
_n = iter(range(10_000))


async def _start(client: LanguageClient, root: Path, options: object) -> None:
    write_project(root / "with")
    write_project(root / "without", sdk=None)
    await start(client, root, "visual-studio-code", options)
    client.root = root  # type: ignore[attr-defined]


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def auto(lsp_client: LanguageClient, tmp_path_factory):  # type: ignore[no-untyped-def]
    await _start(lsp_client, tmp_path_factory.mktemp("auto"), None)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def always(lsp_client: LanguageClient, tmp_path_factory):  # type: ignore[no-untyped-def]
    await _start(lsp_client, tmp_path_factory.mktemp("always"), {"completion": {"keys": "always"}})
    yield
    await lsp_client.shutdown_session()


async def labels(client: LanguageClient, project: str, text: str, suffix: str = ".ts") -> list[str]:
    root: Path = client.root  # type: ignore[attr-defined]
    offset = text.index("|")
    source = text[:offset] + text[offset + 1 :]
    uri = open_doc(client, root / project / f"src/trigger/v{next(_n)}{suffix}", source)
    result = await request(
        client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), position(source, offset, "utf-8"))
        )
    )
    items = result.items if isinstance(result, lsp.CompletionList) else list(result or [])
    return [i.label for i in items]


async def test_installed_union_values_are_left_to_typescript(auto: LanguageClient) -> None:
    got = await labels(auto, "with", MACHINE)
    assert "small-1x" not in got and "huge-8x" not in got, got


async def test_values_typescript_cannot_know_stay(auto: LanguageClient) -> None:
    zones = await labels(auto, "with", ZONE)
    assert "Europe/Berlin" in zones


async def test_presets_offered_without_the_types(auto: LanguageClient) -> None:
    assert "small-1x" in await labels(auto, "without", MACHINE)
    # plain JavaScript: TypeScript does not check it, so it completes no union values
    assert await labels(auto, "with", MACHINE, ".js") == ["small-1x", "huge-8x"]


async def test_always_offers_the_installed_presets(always: LanguageClient) -> None:
    assert await labels(always, "with", MACHINE) == ["small-1x", "huge-8x"]
