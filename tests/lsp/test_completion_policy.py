"""Complete what TypeScript cannot (issue 16): where the SDK's types are installed and the file
is type-checked, option keys and SDK members are left to TypeScript; snippets, value lists and
task ids stay. Without types (or in plain JavaScript) the keys are offered. `completion.keys`
overrides.

One workspace holds a project with `node_modules/@trigger.dev/sdk` and its `.d.ts` (typed/),
one whose installed SDK names a `.d.ts` that is not there (broken/), and one without
node_modules (untyped/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, open_doc, position, start, until, write
from trigger_lsp.lsp.features.completion_policy import typescript_knows

pytestmark = pytest.mark.asyncio(loop_scope="module")

SDK_MANIFEST = (
    '{"name": "@trigger.dev/sdk", "version": "4.8.3", "types": "./dist/index.d.ts",'
    ' "exports": {".": {"import": {"types": "./dist/esm/index.d.ts"}}}}'
)
PROJECT = '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n'
CONFIG_TS = (
    'import { defineConfig } from "@trigger.dev/sdk";\n'
    'export default defineConfig({ project: "proj_x", dirs: ["./src"] });\n'
)
CHILD = (
    'import { task } from "@trigger.dev/sdk";\n'
    'export const child = task({ id: "child-task", run: async () => {} });\n'
)
FILES = {
    "typed/package.json": PROJECT,
    "typed/trigger.config.ts": CONFIG_TS,
    "typed/src/child.ts": CHILD,
    "typed/node_modules/@trigger.dev/sdk/package.json": SDK_MANIFEST,
    "typed/node_modules/@trigger.dev/sdk/dist/index.d.ts": "export declare const task: any;\n",
    "typed/node_modules/@trigger.dev/sdk/dist/esm/index.d.ts": "export {};\n",
    "broken/package.json": PROJECT,
    "broken/trigger.config.ts": CONFIG_TS,
    "broken/node_modules/@trigger.dev/sdk/package.json": (
        '{"name": "@trigger.dev/sdk", "version": "4.8.3", "types": "./dist/missing.d.ts"}'
    ),
    "untyped/package.json": PROJECT,
    "untyped/trigger.config.ts": CONFIG_TS,
    "checkjs/package.json": PROJECT,
    "checkjs/trigger.config.ts": CONFIG_TS,
    "checkjs/jsconfig.json": '{\n  // comments are allowed\n  "compilerOptions": {"checkJs": true,},\n}\n',
    "checkjs/node_modules/@trigger.dev/sdk/package.json": SDK_MANIFEST,
    "checkjs/node_modules/@trigger.dev/sdk/dist/index.d.ts": "export {};\n",
}

KEYS = 'import { task, wait, tasks } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", |\n'
MEMBERS = 'import { task, wait } from "@trigger.dev/sdk";\nawait wait.|\n'
VALUES = (
    'import { task } from "@trigger.dev/sdk";\n'
    'export const a = task({ id: "a", machine: "|", run: async () => {} });\n'
)
SNIPPETS = 'import { task } from "@trigger.dev/sdk";\n|\n'
TASK_IDS = (
    'import { task, tasks } from "@trigger.dev/sdk";\n'
    'export const a = task({ id: "a", run: async () => { await tasks.trigger("|", {}); } });\n'
)
_n = iter(range(10_000))


async def _session(client: LanguageClient, root: Path, options: Any) -> None:
    write(root, FILES)
    await start(client, root, "visual-studio-code", options)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def auto(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("auto")
    await _session(lsp_client, root, None)
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["always", "never"])
async def forced(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    await _session(lsp_client, root, {"completion": {"keys": request.param}})
    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.mode = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def complete(
    client: LanguageClient, folder: str, text: str, suffix: str = ".ts"
) -> list[lsp.CompletionItem]:
    offset = text.index("|")
    source = text[:offset] + text[offset + 1 :]
    root: Path = client.root  # type: ignore[attr-defined]
    path = root / folder / "src" / f"c{next(_n)}{suffix}"
    uri = open_doc(client, path, source)
    pos = position(source, offset)

    async def ask() -> Any:
        return await client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos)
        )

    result = await until(ask, lambda r: r is not None, what="completion")
    return list(result.items if isinstance(result, lsp.CompletionList) else result)


def labels(items: list[lsp.CompletionItem]) -> set[str]:
    return {i.label for i in items}


async def test_typed_typescript_leaves_keys_and_members_to_typescript(auto: LanguageClient):
    keys = await complete(auto, "typed", KEYS)
    assert "machine" not in labels(keys) and "retry" not in labels(keys)
    members = await complete(auto, "typed", MEMBERS)
    assert "for" not in labels(members)


async def test_typed_typescript_keeps_values_snippets_and_task_ids(auto: LanguageClient):
    values = await complete(auto, "typed", VALUES)
    assert "small-1x" in labels(values)
    snippets = await complete(auto, "typed", SNIPPETS)
    assert any(i.kind == lsp.CompletionItemKind.Snippet for i in snippets)
    ids = await until(
        lambda: complete(auto, "typed", TASK_IDS), lambda r: "child-task" in labels(r)
    )
    assert not any(typescript_knows(i) for i in ids)


@pytest.mark.parametrize(
    ("folder", "suffix", "header"),
    [
        ("untyped", ".ts", ""),  # no node_modules
        ("broken", ".ts", ""),  # the installed package names a .d.ts that is not there
        ("typed", ".js", ""),  # plain JavaScript
        ("typed", ".ts", "// @ts-nocheck\n"),
    ],
)
async def test_keys_where_typescript_cannot(
    auto: LanguageClient, folder: str, suffix: str, header: str
):
    keys = await complete(auto, folder, header + KEYS, suffix)
    assert {"machine", "retry"} <= labels(keys)
    assert all(typescript_knows(i) for i in keys if i.label == "machine")


@pytest.mark.parametrize(("folder", "header"), [("typed", "// @ts-check\n"), ("checkjs", "")])
async def test_javascript_with_types_leaves_keys_to_typescript(
    auto: LanguageClient, folder: str, header: str
):
    keys = await complete(auto, folder, header + KEYS, ".js")
    assert "machine" not in labels(keys)


async def test_setting_overrides(forced: LanguageClient):
    mode = forced.mode  # type: ignore[attr-defined]
    typed = await complete(forced, "typed", KEYS)
    untyped = await complete(forced, "untyped", KEYS)
    if mode == "always":
        assert "machine" in labels(typed) and "machine" in labels(untyped)
    else:
        assert "machine" not in labels(typed) and "machine" not in labels(untyped)
    values = await complete(forced, "typed", VALUES)
    assert "small-1x" in labels(values)
