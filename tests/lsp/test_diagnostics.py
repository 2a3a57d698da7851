"""Diagnostics end to end: push and pull per client, their fields, cross-file findings,
closing, non-Trigger.dev files and the debounce."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import (
    CONFIG,
    PULLING,
    Doc,
    codes,
    edit,
    find,
    open_doc,
    project,
    published,
    publishes,
    pull,
    span,
    start,
    until,
)
from trigger_lsp.knowledge.loader import knowledge


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


V3_IMPORT = """\
import { task, logger } from "@trigger.dev/sdk/v3";

export const noId = task({
  run: async () => {
    logger.info("hello");
  },
});
"""


def dup(name: str, task_id: str = "dup-task") -> str:
    return (
        'import { task, logger } from "@trigger.dev/sdk";\n\n'
        f"export const {name} = task({{\n"
        f'  id: "{task_id}",\n'
        '  run: async () => { logger.info("x"); },\n'
        "});\n"
    )


CALLER = """\
import { task, tasks, logger } from "@trigger.dev/sdk";

export const caller = task({
  id: "caller",
  run: async () => {
    logger.info("calling");
    await tasks.trigger("later-task", {});
  },
});
"""

SECRET = 'export const key = "tr_dev_abcdefghij0123456789";\n'


def _check_fields(diagnostics: list[lsp.Diagnostic] | tuple[lsp.Diagnostic, ...]) -> None:
    kb = knowledge()
    assert diagnostics
    for d in diagnostics:
        assert d.source == "trigger-lsp"
        assert isinstance(d.code, str) and d.code in kb.rules
        docs = next((e.docs for e in kb.edges_for(d.code) if e.docs), None)
        if docs:
            assert d.code_description is not None and d.code_description.href == docs
        else:
            assert d.code_description is None
        assert d.data is None  # (code actions match the diagnostic by rule and range)


# --- push and pull ------------------------------------------------------------------------------


@pytest.mark.parametrize("caps", ["vscode", "emacs"])
async def test_push_clients_get_published_diagnostics(client: LanguageClient, tmp_path: Path, caps):
    files = project(tmp_path, {"src/trigger/a.ts": V3_IMPORT})
    await start(client, tmp_path, caps)
    uri = open_doc(client, files["src/trigger/a.ts"])
    found = await published(client, uri, lambda d: "task-missing-id" in codes(d))
    _check_fields(list(found))
    assert publishes(client, uri)[-1].version == 1
    by_code = {d.code: d for d in found}
    assert {"sdk-v3-import-path", "task-missing-id"} <= set(by_code)
    imp = by_code["sdk-v3-import-path"]
    assert imp.severity == lsp.DiagnosticSeverity.Warning
    missing = by_code["task-missing-id"]
    assert missing.range == span(V3_IMPORT, "task", nth=1)
    assert missing.severity == lsp.DiagnosticSeverity.Error


async def test_pull_clients_pull_and_get_nothing_pushed(client: LanguageClient, tmp_path: Path):
    # A client that can pull and be asked to pull again (VS Code's language client).
    files = project(tmp_path, {"src/trigger/a.ts": V3_IMPORT})
    result = await start(client, tmp_path, PULLING)
    assert result.capabilities.diagnostic_provider is not None
    doc = Doc(client, open_doc(client, files["src/trigger/a.ts"]), V3_IMPORT)
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(doc.uri))
    )
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
    assert "task-missing-id" in codes(report.items)
    _check_fields(report.items)
    again = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(
            lsp.TextDocumentIdentifier(doc.uri), previous_result_id=report.result_id
        )
    )
    assert again.kind == "unchanged"
    doc.replace(V3_IMPORT.replace("task({\n", 'task({\n  id: "named",\n'))
    changed = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(
            lsp.TextDocumentIdentifier(doc.uri), previous_result_id=report.result_id
        )
    )
    assert changed.kind == "full" and changed.result_id != report.result_id
    assert "task-missing-id" not in codes(changed.items)
    await asyncio.sleep(0.3)
    assert publishes(client) == []


# --- cross-file findings ------------------------------------------------------------------------


async def test_duplicate_ids_across_files_are_related_and_follow_edits(
    client: LanguageClient, tmp_path: Path
):
    files = project(tmp_path, {"src/trigger/a.ts": dup("a"), "src/trigger/b.ts": dup("b")})
    await start(client, tmp_path, "vscode")
    a = Doc(client, open_doc(client, files["src/trigger/a.ts"]), dup("a"))
    b = Doc(client, open_doc(client, files["src/trigger/b.ts"]), dup("b"))
    for doc, other in ((a, b), (b, a)):
        found = await published(client, doc.uri, lambda d: "duplicate-task-id" in codes(d))
        (finding,) = [d for d in found if d.code == "duplicate-task-id"]
        assert finding.range == span(doc.text, '"dup-task"')
        assert finding.related_information
        (related,) = finding.related_information
        assert related.location.uri == other.uri
        assert related.location.range == span(other.text, '"dup-task"')
    # Renaming b's id clears a's finding; renaming it back brings it back.
    b.replace(dup("b", "other-task"))
    await published(client, a.uri, lambda d: "duplicate-task-id" not in codes(d))
    await published(client, b.uri, lambda d: "duplicate-task-id" not in codes(d), b.version)
    b.replace(dup("b"))
    await published(client, a.uri, lambda d: "duplicate-task-id" in codes(d))


async def test_duplicate_ids_for_a_pull_client(client: LanguageClient, tmp_path: Path):
    files = project(tmp_path, {"src/trigger/a.ts": dup("a"), "src/trigger/b.ts": dup("b")})
    await start(client, tmp_path, "neovim-0.11")
    a = Doc(client, open_doc(client, files["src/trigger/a.ts"]), dup("a"))
    b = Doc(client, open_doc(client, files["src/trigger/b.ts"]), dup("b"))
    assert "duplicate-task-id" in codes(await pull(client, a.uri))
    b.replace(dup("b", "other-task"))
    await pull(client, b.uri)  # the server sees b's new id when it analyses b
    assert "duplicate-task-id" not in codes(await pull(client, a.uri))


@pytest.mark.parametrize("caps", ["neovim-0.10", "neovim-0.11"])
async def test_a_client_that_cannot_be_asked_to_pull_again_gets_diagnostics_published(
    client: LanguageClient, tmp_path: Path, caps
):
    """Neovim pulls but cannot be asked to pull again: it is not offered pull diagnostics, so
    it gets them published, at once, and again once the client's settings (pulled with
    workspace/configuration) and the workspace index change them. (Before, its first pull was
    held until both were in: 3 to 4 s after the server started, in Neovim 0.11.)"""
    caller = CALLER.replace('"later-task"', '"nowhere-task"').replace(
        'logger.info("calling");', 'await tasks.trigger("closed-task", {});'
    )
    files = project(
        tmp_path,
        {"src/trigger/caller.ts": caller, "src/trigger/closed.ts": dup("closed", "closed-task")},
    )
    client.set_configuration({"rules": {"task-no-logging": "off"}}, section="trigger-lsp")
    result = await start(client, tmp_path, caps)
    assert result.capabilities.diagnostic_provider is None
    uri = open_doc(client, files["src/trigger/caller.ts"])

    def settled(found: Sequence[lsp.Diagnostic]) -> bool:
        unknown = [d.range for d in found if d.code == "unknown-task-id"]
        return "task-no-logging" not in codes(found) and unknown == [span(caller, '"nowhere-task"')]

    await published(client, uri, settled)


async def test_unknown_task_id_becomes_known(client: LanguageClient, tmp_path: Path):
    files = project(
        tmp_path, {"src/trigger/caller.ts": CALLER, "src/trigger/later.ts": dup("later", "x")}
    )
    await start(client, tmp_path, "vscode")
    uri = open_doc(client, files["src/trigger/caller.ts"])
    found = await published(client, uri, lambda d: "unknown-task-id" in codes(d))
    (unknown,) = [d for d in found if d.code == "unknown-task-id"]
    assert unknown.range == span(CALLER, '"later-task"')
    later = Doc(client, open_doc(client, files["src/trigger/later.ts"]), dup("later", "x"))
    later.replace(dup("later", "later-task"))
    await published(client, uri, lambda d: "unknown-task-id" not in codes(d))


async def test_a_closed_file_is_what_the_disk_says(client: LanguageClient, tmp_path: Path):
    """An unsaved rename in b is forgotten when b is closed: a sees the id on disk again."""
    files = project(tmp_path, {"src/trigger/a.ts": dup("a"), "src/trigger/b.ts": dup("b")})
    await start(client, tmp_path, "vscode")
    a = open_doc(client, files["src/trigger/a.ts"])
    b = Doc(client, open_doc(client, files["src/trigger/b.ts"]), dup("b"))
    await published(client, a, lambda d: "duplicate-task-id" in codes(d))
    b.replace(dup("b", "renamed"))
    await published(client, a, lambda d: "duplicate-task-id" not in codes(d))
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(b.uri))
    )
    await published(client, a, lambda d: "duplicate-task-id" in codes(d))


# --- closing and non-Trigger.dev files ----------------------------------------------------------


async def test_closing_clears_diagnostics(client: LanguageClient, tmp_path: Path):
    files = project(tmp_path, {"src/trigger/a.ts": V3_IMPORT})
    await start(client, tmp_path, "emacs")
    uri = open_doc(client, files["src/trigger/a.ts"])
    await published(client, uri, lambda d: bool(d))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    await published(client, uri, lambda d: not d)
    await asyncio.sleep(0.3)  # and nothing stale arrives afterwards
    assert not publishes(client, uri)[-1].diagnostics


async def test_files_that_are_not_trigger_files(client: LanguageClient, tmp_path: Path):
    plain = (
        "export async function handler() {\n"
        "  for (const x of [1, 2]) { await wait.for({ seconds: x }); }\n"
        "  return task({ run: async () => {} });\n"
        "}\n"
    )
    files = project(tmp_path, {"src/lib/plain.ts": plain, "src/lib/secret.ts": SECRET})
    await start(client, tmp_path, "vscode")
    plain_uri = open_doc(client, files["src/lib/plain.ts"])
    secret_uri = open_doc(client, files["src/lib/secret.ts"])
    found = await published(client, secret_uri)
    assert codes(found) == ["hardcoded-secret-key"]
    assert found[0].range == span(SECRET, "tr_dev_abcdefghij0123456789")
    assert list(await published(client, plain_uri)) == []


# --- debounce -----------------------------------------------------------------------------------


def _burst(doc: Doc, count: int) -> None:
    """`count` one-character insertions at the start of line 4, each its own version."""
    for _ in range(count):
        doc.version += 1
        edit(
            doc.client, doc.uri, doc.version, lsp.Range(lsp.Position(3, 0), lsp.Position(3, 0)), " "
        )
        lines = doc.text.split("\n")
        lines[3] = " " + lines[3]
        doc.text = "\n".join(lines)


async def test_a_burst_of_edits_publishes_once(client: LanguageClient, tmp_path: Path):
    files = project(tmp_path, {"src/trigger/a.ts": V3_IMPORT})
    await start(client, tmp_path, "vscode", {"debounceMs": 50, "indexWorkspace": False})
    doc = Doc(client, open_doc(client, files["src/trigger/a.ts"]), V3_IMPORT)
    await published(client, doc.uri, version=1)
    _burst(doc, 20)
    found = await published(client, doc.uri, version=21)
    await asyncio.sleep(0.4)
    assert [p.version for p in publishes(client, doc.uri)] == [1, 21]
    # The last version's text: the finding moved right by the 20 inserted spaces.
    missing = next(d for d in found if d.code == "task-missing-id")
    assert missing.range.start == find(doc.text, "task({")


async def test_without_debounce_every_edit_publishes(client: LanguageClient, tmp_path: Path):
    """With no debounce, each edit publishes as soon as it is analysed; edits that arrive
    together (all read before the first is analysed) publish their last version only."""
    files = project(tmp_path, {"src/trigger/a.ts": V3_IMPORT})
    await start(client, tmp_path, "vscode", {"debounceMs": 0, "indexWorkspace": False})
    doc = Doc(client, open_doc(client, files["src/trigger/a.ts"]), V3_IMPORT)
    await published(client, doc.uri, version=1)
    for version in range(2, 12):  # typed one after the other
        _burst(doc, 1)
        await published(client, doc.uri, version=version)
    assert [p.version for p in publishes(client, doc.uri)] == list(range(1, 12))
    _burst(doc, 10)  # sent at once
    await published(client, doc.uri, version=21)
    later = [p.version for p in publishes(client, doc.uri)][11:]
    assert later[-1] == 21 and later == sorted(set(later))  # never an older version again


async def test_stale_versions_are_never_published(client: LanguageClient, tmp_path: Path):
    files = project(tmp_path, {"src/trigger/a.ts": V3_IMPORT})
    options = {"debounceMs": 200, "indexWorkspace": False, "features": {"documentSymbols": True}}
    await start(client, tmp_path, "vscode", options)
    doc = Doc(client, open_doc(client, files["src/trigger/a.ts"]), V3_IMPORT)
    await published(client, doc.uri, version=1)
    _burst(doc, 3)
    await asyncio.sleep(0.05)
    _burst(doc, 3)
    await published(client, doc.uri, version=7)
    await asyncio.sleep(0.3)
    assert [p.version for p in publishes(client, doc.uri)] == [1, 7]
    # A pull-style request in between does not publish either.
    symbols = await until(
        lambda: client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(doc.uri))
        )
    )
    assert symbols[0].name == "noId"


# --- fan-out and the project's retry policy (issue 13) -------------------------------------------

WORKER = """\
import { task, logger } from "@trigger.dev/sdk";

export const worker = task({
  id: "worker",
  run: async (p: { id: string }) => {
    logger.info("work", p);
    await processItem(p.id);
  },
});
"""


def fanner(call: str) -> str:
    return (
        'import { task, tasks, logger } from "@trigger.dev/sdk";\n'
        'import { worker } from "./worker";\n\n'
        "export const fanner = task({\n"
        '  id: "fanner",\n'
        "  concurrency: { total: 1 },\n"
        "  run: async (p: { ids: string[] }) => {\n"
        '    logger.info("fan out");\n'
        f"    {call}\n"
        "  },\n"
        "});\n"
    )


BATCH = "await worker.batchTrigger(p.ids.map((id) => ({ payload: { id } })));"
ONCE = 'await worker.trigger({ id: "one" });'


def _limit(diagnostics) -> lsp.Diagnostic | None:
    return next((d for d in diagnostics if d.code == "task-no-concurrency-limit"), None)


async def test_a_batch_in_a_closed_file_is_reported_on_the_open_task(
    client: LanguageClient, tmp_path: Path
):
    files = project(
        tmp_path, {"src/trigger/worker.ts": WORKER, "src/trigger/fanner.ts": fanner(BATCH)}
    )
    await start(client, tmp_path, "vscode")
    uri = open_doc(client, files["src/trigger/worker.ts"])
    found = await published(client, uri, lambda d: _limit(d) is not None)
    finding = _limit(found)
    assert finding is not None and finding.range == span(WORKER, "task", nth=1)
    assert "triggered in a batch at src/trigger/fanner.ts:9" in finding.message
    assert finding.related_information
    assert finding.related_information[0].location.uri == files["src/trigger/fanner.ts"].as_uri()


async def test_fan_out_follows_edits_of_another_open_file(client: LanguageClient, tmp_path: Path):
    files = project(
        tmp_path, {"src/trigger/worker.ts": WORKER, "src/trigger/fanner.ts": fanner(ONCE)}
    )
    await start(client, tmp_path, "vscode")
    worker = open_doc(client, files["src/trigger/worker.ts"])
    other = Doc(client, open_doc(client, files["src/trigger/fanner.ts"]), fanner(ONCE))
    await published(client, other.uri, lambda d: True)
    assert _limit(await published(client, worker, lambda d: True)) is None
    other.replace(fanner(BATCH))  # now fanned out: the worker's finding appears
    await published(client, worker, lambda d: _limit(d) is not None)
    loop = "for (const id of p.ids) { await worker.trigger({ id }); }"
    other.replace(fanner(loop))
    found = await published(client, worker, lambda d: "in a loop" in str(_limit(d)))
    assert "triggered in a loop at src/trigger/fanner.ts:9" in _limit(found).message  # type: ignore[union-attr]
    other.replace(fanner(ONCE))  # back to one run at a time
    await published(client, worker, lambda d: _limit(d) is None)


async def test_a_fan_out_in_the_same_file_is_seen_after_the_edit(
    client: LanguageClient, tmp_path: Path
):
    # The worker and, below it, a task that triggers it (the fanner without its imports).
    text = WORKER.replace("{ task, logger }", "{ task, tasks, logger }")
    text += fanner(ONCE).split("\n", 3)[3]
    files = project(tmp_path, {"src/trigger/both.ts": text})
    await start(client, tmp_path, "vscode")
    doc = Doc(client, open_doc(client, files["src/trigger/both.ts"]), text)
    assert _limit(await published(client, doc.uri, lambda d: True)) is None
    doc.replace(text.replace(ONCE, BATCH))
    found = await published(client, doc.uri, lambda d: _limit(d) is not None)
    assert "triggered in a batch in this file" in _limit(found).message  # type: ignore[union-attr]


async def test_the_retry_count_on_the_config_follows_the_tasks(
    client: LanguageClient, tmp_path: Path
):
    files = project(tmp_path, {"src/trigger/worker.ts": WORKER})
    await start(client, tmp_path, "vscode")
    config = open_doc(client, files["trigger.config.ts"])

    def retry(d) -> str:
        return next((x.message for x in d if x.code == "task-no-retry-config"), "")

    await published(client, config, lambda d: "on 1 task of this project" in retry(d))
    worker = Doc(client, open_doc(client, files["src/trigger/worker.ts"]), WORKER)
    worker.replace(WORKER.replace('id: "worker",', 'id: "worker",\n  retry: { maxAttempts: 2 },'))
    await published(client, config, lambda d: retry(d) == "")
