"""Navigation end to end: document and workspace symbols, definition, references, code lens.

One server and one workspace serve the whole module: the requests only read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, find, open_doc, position, project, request, span, start, until
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.project.index import ProjectIndex, index_source, resolve_module, sites_for

on_module_loop = pytest.mark.asyncio(loop_scope="module")

CHILD = """\
import { task, logger } from "@trigger.dev/sdk";

export const child = task({
  id: "child-task",
  queue: { name: "email", concurrencyLimit: 5 },
  retry: { maxAttempts: 5 },
  machine: "small-1x",
  maxDuration: 300,
  onFailure: async () => {},
  run: async (payload: { n: number }) => {
    logger.info("child", { n: payload.n });
  },
});
"""

PARENT = """\
import { task, tasks, batch, logger } from "@trigger.dev/sdk";
import { child as kid } from "./child.js";
import * as jobs from "./child";
import { indexed } from "./nested";

export const parent = task({
  id: "parent-task",
  run: async () => {
    logger.info("parent");
    await kid.triggerAndWait({ n: 1 });
    await jobs.child.trigger({ n: 2 });
    await tasks.trigger<typeof kid>("child-task", { n: 3 });
    await batch.triggerAndWait([{ id: "child-task", payload: { n: 4 } }]);
    await indexed.trigger({});
  },
});
"""

# Closed files: their trigger sites come from the workspace index.
NIGHTLY = """\
import { schedules, tasks, logger } from "@trigger.dev/sdk";
import { child } from "./child";

export const nightly = schedules.task({
  id: "nightly",
  cron: "0 3 * * *",
  run: async () => {
    logger.info("nightly");
    /* 🚀 日本 */ await tasks.trigger("child-task", { n: 5 });
    await child.batchTrigger([{ payload: { n: 6 } }]);
  },
});
"""

NESTED = """\
import { task, logger } from "@trigger.dev/sdk";

export const indexed = task({
  id: "indexed-task",
  machine: { preset: "large-1x" },
  run: async () => { logger.info("indexed"); },
});
"""

ROUTE = """\
import { child } from "../trigger/child";

export async function POST() {
  const handle = await child.trigger({ n: 7 });
  return Response.json(handle);
}
"""

PLAIN = "export const answer = 42;\n"

# A separate package (its own package.json) that triggers the tasks by id.
WEB = """\
import { tasks } from "@trigger.dev/sdk";

export async function send() {
  await tasks.trigger("child-task", { n: 8 });
}
"""


class Workspace:
    def __init__(self, client: LanguageClient, files: dict[str, Path]) -> None:
        self.client, self.files = client, files
        self.uris = {name: path.as_uri() for name, path in files.items()}


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def nav_client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("nav")
    files = project(
        root,
        {
            "src/trigger/child.ts": CHILD,
            "src/trigger/parent.ts": PARENT,
            "src/trigger/nightly.ts": NIGHTLY,
            "src/trigger/nested/index.ts": NESTED,
            "src/app/route.ts": ROUTE,
            "src/lib/plain.ts": PLAIN,
            "apps/web/package.json": '{"name": "web"}\n',
            "apps/web/src/send.ts": WEB,
        },
    )
    # (document symbols are off by default since issue 16: TypeScript lists them)
    await start(lsp_client, root, "vscode", options={"features": {"documentSymbols": True}})
    for name in ("src/trigger/child.ts", "src/trigger/parent.ts", "src/lib/plain.ts"):
        open_doc(lsp_client, files[name])
    lsp_client.workspace_files = files  # type: ignore[attr-defined]
    # The background index is done once the closed files' tasks are searchable.
    await until(
        lambda: lsp_client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="nightly")),
        what="the workspace index",
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def ws(nav_client: LanguageClient) -> Workspace:
    return Workspace(nav_client, nav_client.workspace_files)  # type: ignore[attr-defined]


async def definition(ws: Workspace, name: str, pos: lsp.Position) -> list[lsp.Location]:
    result = await request(
        ws.client.text_document_definition_async(
            lsp.DefinitionParams(lsp.TextDocumentIdentifier(ws.uris[name]), pos)
        )
    )
    assert result is None or isinstance(result, list)
    return list(result or [])


async def references(
    ws: Workspace, name: str, pos: lsp.Position, declaration: bool = True
) -> list[tuple[str, lsp.Range]]:
    result = await request(
        ws.client.text_document_references_async(
            lsp.ReferenceParams(
                lsp.ReferenceContext(include_declaration=declaration),
                lsp.TextDocumentIdentifier(ws.uris[name]),
                pos,
            )
        )
    )
    return sorted(((loc.uri, loc.range) for loc in result or []), key=_key)


def _key(item: tuple[str, lsp.Range]) -> tuple[str, int, int]:
    return item[0], item[1].start.line, item[1].start.character


def child_id(ws: Workspace) -> lsp.Location:
    return lsp.Location(ws.uris["src/trigger/child.ts"], span(CHILD, '"child-task"'))


# --- document symbols --------------------------------------------------------------------------


@on_module_loop
async def test_document_symbols_are_tasks_with_hooks_and_run(ws: Workspace):
    result = await request(
        ws.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(ws.uris["src/trigger/child.ts"]))
        )
    )
    assert len(result) == 1
    symbol = result[0]
    assert isinstance(symbol, lsp.DocumentSymbol)
    assert (symbol.name, symbol.kind, symbol.detail) == (
        "child-task",
        lsp.SymbolKind.Function,
        "task",
    )
    assert symbol.selection_range == span(CHILD, '"child-task"')
    assert symbol.range.start == find(CHILD, "export const child")
    assert symbol.range.end == position(CHILD, CHILD.rindex("});") + 3)
    assert [(c.name, c.kind) for c in symbol.children or []] == [
        ("onFailure", lsp.SymbolKind.Method),
        ("run", lsp.SymbolKind.Method),
    ]
    run = (symbol.children or [])[1]
    assert run.selection_range == span(CHILD, "run")
    assert run.range.start == find(CHILD, "run:")


@on_module_loop
async def test_scheduled_task_is_an_event(ws: Workspace):
    # nightly.ts is not open: the request opens nothing and returns nothing for it.
    uri = ws.uris["src/trigger/nightly.ts"]
    empty = await request(
        ws.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
    )
    assert not empty
    open_doc(ws.client, ws.files["src/trigger/nightly.ts"])
    try:
        result = await request(
            ws.client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
            )
        )
        assert [(s.name, s.kind, s.detail) for s in result] == [
            ("nightly", lsp.SymbolKind.Event, "schedules.task")
        ]
    finally:
        ws.client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri))
        )


@on_module_loop
async def test_a_file_without_tasks_has_no_symbols(ws: Workspace):
    result = await request(
        ws.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(ws.uris["src/lib/plain.ts"]))
        )
    )
    assert result == []


# --- workspace symbols -------------------------------------------------------------------------


async def _workspace_symbols(ws: Workspace, query: str) -> list[lsp.SymbolInformation]:
    result = await request(ws.client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query=query)))
    return list(result or [])  # type: ignore[arg-type]


@on_module_loop
async def test_workspace_symbols_substring_and_fuzzy(ws: Workspace):
    everything = await _workspace_symbols(ws, "")
    assert {s.name for s in everything} == {"child-task", "parent-task", "nightly", "indexed-task"}
    assert [s.name for s in await _workspace_symbols(ws, "CHILD")] == ["child-task"]
    assert [s.name for s in await _workspace_symbols(ws, "chtk")] == ["child-task"]
    # The variable name matches too.
    assert [s.name for s in await _workspace_symbols(ws, "kid")] == []
    assert [s.name for s in await _workspace_symbols(ws, "parent")] == ["parent-task"]
    assert await _workspace_symbols(ws, "zzz") == []


@on_module_loop
async def test_workspace_symbol_locations_and_kinds(ws: Workspace):
    (nightly,) = await _workspace_symbols(ws, "nightly")
    assert nightly.kind == lsp.SymbolKind.Event
    assert nightly.location.uri == ws.uris["src/trigger/nightly.ts"]
    assert nightly.location.range == span(NIGHTLY, '"nightly"')
    (indexed,) = await _workspace_symbols(ws, "indexed")
    assert indexed.container_name == "indexed"
    assert indexed.location.uri == ws.uris["src/trigger/nested/index.ts"]


# --- definition --------------------------------------------------------------------------------


@on_module_loop
async def test_definition_from_a_task_id_string(ws: Workspace):
    for at in (0, 1, len('"child-task')):  # on the quote, inside, and just before the end
        found = await definition(ws, "src/trigger/parent.ts", find(PARENT, '"child-task"', at=at))
        assert found == [child_id(ws)], at


@on_module_loop
async def test_definition_from_another_project(ws: Workspace):
    open_doc(ws.client, ws.files["apps/web/src/send.ts"])
    found = await definition(ws, "apps/web/src/send.ts", find(WEB, "child-task"))
    assert found == [child_id(ws)]


@on_module_loop
async def test_definition_from_a_batch_item_id(ws: Workspace):
    found = await definition(ws, "src/trigger/parent.ts", find(PARENT, '"child-task"', nth=1, at=3))
    assert found == [child_id(ws)]


@on_module_loop
async def test_definition_from_a_task_variable_imported_with_js_extension(ws: Workspace):
    found = await definition(ws, "src/trigger/parent.ts", find(PARENT, "kid.triggerAndWait", at=1))
    assert found == [child_id(ws)]
    # The identifier's end counts as on it (the cursor after the last letter).
    found = await definition(ws, "src/trigger/parent.ts", find(PARENT, "kid.triggerAndWait", at=3))
    assert found == [child_id(ws)]


@on_module_loop
async def test_definition_from_a_namespace_member(ws: Workspace):
    found = await definition(ws, "src/trigger/parent.ts", find(PARENT, "child.trigger", at=2))
    assert found == [child_id(ws)]


@on_module_loop
async def test_definition_from_the_import_and_a_type_query(ws: Workspace):
    for needle, at in (("child as kid", 1), ("child as kid", 10), ("typeof kid", 8)):
        found = await definition(ws, "src/trigger/parent.ts", find(PARENT, needle, at=at))
        assert found == [child_id(ws)], needle


@on_module_loop
async def test_definition_through_a_folder_index(ws: Workspace):
    found = await definition(ws, "src/trigger/parent.ts", find(PARENT, "indexed.trigger"))
    assert found == [
        lsp.Location(ws.uris["src/trigger/nested/index.ts"], span(NESTED, '"indexed-task"'))
    ]


@on_module_loop
async def test_definition_of_a_definition_is_itself(ws: Workspace):
    found = await definition(ws, "src/trigger/child.ts", find(CHILD, "child-task"))
    assert found == [child_id(ws)]
    found = await definition(ws, "src/trigger/child.ts", find(CHILD, "const child", at=7))
    assert found == [child_id(ws)]


@on_module_loop
async def test_definition_elsewhere_is_empty(ws: Workspace):
    for pos in (
        find(PARENT, "logger.info"),  # an SDK name
        find(PARENT, '"parent"'),  # a string that is not a task id
        find(PARENT, "{ n: 1 }"),
        lsp.Position(200, 0),  # past the end of the file
        lsp.Position(9, 500),  # past the end of a line
    ):
        assert await definition(ws, "src/trigger/parent.ts", pos) == [], pos
    assert await definition(ws, "src/lib/plain.ts", lsp.Position(0, 14)) == []


@on_module_loop
async def test_definition_for_an_unknown_document_is_empty(ws: Workspace):
    result = await request(
        ws.client.text_document_definition_async(
            lsp.DefinitionParams(
                lsp.TextDocumentIdentifier("file:///nowhere/x.ts"), lsp.Position(0, 0)
            )
        )
    )
    assert not result


# --- references --------------------------------------------------------------------------------


def _word(text: str, context: str, at: int, word: str) -> lsp.Range:
    return lsp.Range(find(text, context, at=at), find(text, context, at=at + len(word)))


def _child_references(ws: Workspace) -> list[tuple[str, lsp.Range]]:
    parent, nightly, route, web = (
        ws.uris["src/trigger/parent.ts"],
        ws.uris["src/trigger/nightly.ts"],
        ws.uris["src/app/route.ts"],
        ws.uris["apps/web/src/send.ts"],
    )
    return sorted(
        [
            (parent, span(PARENT, "kid", nth=1)),
            (parent, _word(PARENT, "jobs.child", 5, "child")),
            (parent, span(PARENT, '"child-task"')),
            (parent, span(PARENT, '"child-task"', nth=1)),
            (nightly, span(NIGHTLY, '"child-task"')),  # after an emoji: UTF-16 columns
            (nightly, _word(NIGHTLY, "child.batchTrigger", 0, "child")),
            (route, _word(ROUTE, "child.trigger", 0, "child")),
            (web, span(WEB, '"child-task"')),  # another project, with no task of that id
        ],
        key=_key,
    )


@on_module_loop
async def test_references_from_the_definition(ws: Workspace):
    expected = _child_references(ws)
    found = await references(ws, "src/trigger/child.ts", find(CHILD, "child-task", at=2))
    assert found == sorted([*expected, (child_id(ws).uri, child_id(ws).range)], key=_key)
    without = await references(ws, "src/trigger/child.ts", find(CHILD, "child-task"), False)
    assert without == expected
    by_variable = await references(ws, "src/trigger/child.ts", find(CHILD, "const child", at=6))
    assert by_variable == found


@on_module_loop
async def test_references_from_a_trigger_site(ws: Workspace):
    expected = _child_references(ws)
    for pos in (find(PARENT, "kid.trigger"), find(PARENT, '"child-task"', nth=1, at=1)):
        found = await references(ws, "src/trigger/parent.ts", pos, declaration=False)
        assert found == expected, pos


@on_module_loop
async def test_references_of_a_task_nobody_triggers(ws: Workspace):
    found = await references(ws, "src/trigger/parent.ts", find(PARENT, "parent-task"))
    assert found == [(ws.uris["src/trigger/parent.ts"], span(PARENT, '"parent-task"'))]
    assert await references(ws, "src/trigger/parent.ts", find(PARENT, "logger.info")) == []


# --- code lens ---------------------------------------------------------------------------------


# Issue 16: the lens that summarised the task's own options repeated the code below it and
# did nothing when clicked; the lenses now say what the code does not (tests/lsp/
# test_task_lenses.py has the rest).


@on_module_loop
async def test_code_lens_counts_the_places_find_references_lists(ws: Workspace):
    expected = _child_references(ws)
    lenses = await until(
        lambda: ws.client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(ws.uris["src/trigger/child.ts"]))
        ),
        lambda found: bool(found),
    )
    # child sets maxDuration itself: no config lens, only where it is triggered from.
    assert [lens.command.title for lens in lenses] == [f"triggered from {len(expected)} places"]
    lens = lenses[0]
    assert lens.range.start == find(CHILD, "export const child")
    assert lens.command.command == "trigger-lsp.showReferences"
    places = sorted(
        (
            (
                p["uri"],
                lsp.Range(lsp.Position(**p["range"]["start"]), lsp.Position(**p["range"]["end"])),
            )
            for p in lens.command.arguments[2]
        ),
        key=_key,
    )
    assert places == expected


@on_module_loop
async def test_code_lens_config_default_and_plain_file(ws: Workspace):
    lenses = await request(
        ws.client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(ws.uris["src/trigger/parent.ts"]))
        )
    )
    # Nothing triggers parent; it takes maxDuration from the config (the project's 300).
    assert [lens.command.title for lens in lenses] == ["trigger.config.ts: maxDuration 300 s"]
    for uri in (ws.uris["src/lib/plain.ts"], "file:///nowhere/y.ts"):
        lenses = await request(
            ws.client.text_document_code_lens_async(
                lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
            )
        )
        assert not lenses


# --- the index, without a server ---------------------------------------------------------------


def _sites(source: str, path: Path) -> list[tuple[str, str | None, str | None]]:
    tree = parse(source.encode(), "typescript")
    model = build_model(tree, "typescript")
    raw = source.encode()
    return [
        (raw[s.start_byte : s.end_byte].decode(), s.task_id, s.name)
        for s in sites_for(model, path, path.parent)
    ]


def test_trigger_sites_of_a_file(tmp_path: Path):
    project(tmp_path, {"src/trigger/child.ts": CHILD, "src/trigger/nested/index.ts": NESTED})
    sites = _sites(PARENT, tmp_path / "src/trigger/parent.ts")
    assert sites == [
        ("kid", None, "child"),
        ("child", None, "child"),
        ('"child-task"', "child-task", None),
        ('"child-task"', "child-task", None),
        ("indexed", None, "indexed"),
    ]


def test_trigger_sites_skip_what_is_not_a_task(tmp_path: Path):
    source = (
        'import { tasks, batch } from "@trigger.dev/sdk";\n'
        'import { child } from "./missing";\n'
        'import type { other } from "./child";\n'
        "const id = 'x';\n"
        "await tasks.trigger(id, {});\n"  # not a literal
        "await child.trigger({});\n"  # the module does not exist
        "await other.trigger({});\n"  # a type import
        "await emitter.trigger('event');\n"  # not a task at all
        "await batch.triggerByTask([{ task: local, payload: {} }]);\n"
    )
    assert _sites(source, tmp_path / "a.ts") == []


def test_trigger_sites_of_batch_items(tmp_path: Path):
    source = (
        'import { batch, task } from "@trigger.dev/sdk";\n'
        'export const local = task({ id: "local", run: async () => {} });\n'
        'await batch.trigger(ids.map((id) => ({ id: "mapped", payload: { id } })));\n'
        "await batch.triggerByTaskAndWait([{ task: local, payload: {} }]);\n"
        "await local.batchTriggerAndWait([]);\n"
    )
    assert _sites(source, tmp_path / "a.ts") == [
        ('"mapped"', "mapped", None),
        ("local", None, "local"),
        ("local", None, "local"),
    ]


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("./child", "src/trigger/child.ts"),
        ("./child.js", "src/trigger/child.ts"),
        ("./child.ts", "src/trigger/child.ts"),
        ("./view", "src/trigger/view.tsx"),
        ("./view.jsx", "src/trigger/view.tsx"),
        ("./esm.mjs", "src/trigger/esm.mts"),
        ("./legacy", "src/trigger/legacy.js"),
        ("./nested", "src/trigger/nested/index.ts"),
        ("../lib/util", "src/lib/util.ts"),
        ("@/lib/util", "src/lib/util.ts"),
        ("~/lib/util", "src/lib/util.ts"),
        ("./missing", None),
        ("lodash", None),
        ("@trigger.dev/sdk", None),
    ],
)
def test_resolve_module(tmp_path: Path, specifier: str, expected: str | None):
    files = [
        "src/trigger/child.ts",
        "src/trigger/view.tsx",
        "src/trigger/esm.mts",
        "src/trigger/legacy.js",
        "src/trigger/nested/index.ts",
        "src/lib/util.ts",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("export {};\n")
    found = resolve_module(tmp_path / "src/trigger/parent.ts", specifier, tmp_path)
    assert found == (tmp_path / expected if expected else None)


def test_index_keeps_entries_and_sites_per_file(tmp_path: Path):
    files = project(tmp_path, {"src/trigger/child.ts": CHILD, "src/trigger/parent.ts": PARENT})
    index = ProjectIndex()
    for path in files.values():
        if path.suffix == ".ts" and "trigger/" in str(path):
            found = index_source(path.read_bytes(), path, tmp_path)
            index.update(path, found.entries, found.sites)
    assert index.ids() == {"child-task", "parent-task"}
    assert len(index.sites()) == 4  # `indexed` does not resolve: nested/ was not written
    entry = index.with_id("child-task")[0]
    assert sum(site.targets(entry) for site in index.sites()) == 4
    # The old two-argument update keeps working (the CLI uses it) and keeps the sites.
    assert index.update(files["src/trigger/parent.ts"], []) is True
    assert len(index.sites()) == 4
    index.remove(files["src/trigger/parent.ts"])
    assert index.sites() == []
    assert index.in_file(files["src/trigger/parent.ts"]) is None
    assert [e.id for e in index.in_file(files["src/trigger/child.ts"]) or []] == ["child-task"]
