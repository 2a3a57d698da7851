"""Whole-workspace results (issue 16): the "Check workspace" command publishes the findings of
files that are not open (and clears them once fixed), `workspace/diagnostic` gives a pull
client every file's findings, and both match `trigger-lsp check`; a cancelled workspace pull
ends without an answer and the server goes on.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, PULLING, TIMEOUT, open_doc, project, publishes, request, start

pytestmark = pytest.mark.asyncio

V3_IMPORT = """\
import { task } from "@trigger.dev/sdk/v3";

export const old = task({
  id: "old",
  run: async () => {
    console.log("x");
  },
});
"""
CLEAN = """\
import { task, logger } from "@trigger.dev/sdk";

export const clean = task({
  id: "clean",
  retry: { maxAttempts: 3 },
  run: async () => {
    logger.info("x");
  },
});
"""
MISMATCH = (
    '{\n  "name": "app",\n  "dependencies": {\n    "@trigger.dev/sdk": "4.0.0",\n'
    '    "trigger.dev": "3.3.17"\n  }\n}\n'
)


def cli_findings(root: Path) -> set[tuple[str, str, int]]:
    done = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return {
        (Path(f["path"]).resolve().as_uri(), f["rule"], f["line"]) for f in json.loads(done.stdout)
    }


@pytest_lsp.fixture(config=CONFIG)
async def editor(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


def workspace(root: Path) -> dict[str, Path]:
    files = project(
        root,
        {
            "src/trigger/old.ts": V3_IMPORT,
            "src/trigger/clean.ts": CLEAN,
            "src/trigger/open.ts": CLEAN.replace('"clean"', '"opened"'),
        },
    )
    (root / "package.json").write_text(MISMATCH)
    return files


async def test_check_workspace_publishes_files_not_open(editor: LanguageClient, tmp_path: Path):
    root = tmp_path.resolve()
    files = workspace(root)
    expected = cli_findings(root)
    assert any(rule == "sdk-version-mismatch" for _, rule, _ in expected)
    await start(editor, root, "emacs")  # a push client
    open_uri = open_doc(editor, files["src/trigger/open.ts"])
    summary = await request(
        editor.workspace_execute_command_async(
            lsp.ExecuteCommandParams("trigger-lsp.checkWorkspace")
        )
    )
    got = set()
    for uri in {u for u, _, _ in expected} | {files["src/trigger/clean.ts"].as_uri()}:
        found = publishes(editor, uri)
        if uri == files["src/trigger/clean.ts"].as_uri():
            assert found == []  # nothing to say, nothing published
            continue
        assert found, uri
        got |= {(uri, str(d.code), d.range.start.line + 1) for d in found[-1].diagnostics}
    assert got == {f for f in expected if f[0] != open_uri}
    assert summary["findings"] == len(got)
    assert summary["filesWithFindings"] == len({uri for uri, _, _ in got})
    assert summary["files"] == 4  # old, clean, package.json, trigger.config.ts (open.ts is open)
    # The open document is the editor's: not published by the check.
    assert all(p.uri != open_uri or p.version is not None for p in publishes(editor))

    # Fixed on disk: the next check clears what it published.
    files["src/trigger/old.ts"].write_text(CLEAN.replace('"clean"', '"old"'))
    await request(
        editor.workspace_execute_command_async(
            lsp.ExecuteCommandParams("trigger-lsp.checkWorkspace")
        )
    )
    last = publishes(editor, files["src/trigger/old.ts"].as_uri())[-1]
    assert list(last.diagnostics) == []


async def test_workspace_diagnostic_for_pull_clients(editor: LanguageClient, tmp_path: Path):
    root = tmp_path.resolve()
    files = workspace(root)
    expected = cli_findings(root)
    result = await start(editor, root, PULLING)
    provider = result.capabilities.diagnostic_provider
    assert isinstance(provider, lsp.DiagnosticOptions) and provider.workspace_diagnostics
    open_uri = open_doc(editor, files["src/trigger/open.ts"])
    # The first workspace pull is answered at once, even with the result ids of document pulls.
    pulled = await request(
        editor.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(open_uri))
        )
    )
    ids = [lsp.PreviousResultId(open_uri, pulled.result_id)]
    report = await request(
        editor.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=ids))
    )
    by_uri = {item.uri: item for item in report.items}
    assert by_uri[open_uri].version == 1  # open documents are in it, with their version
    got = {
        (item.uri, str(d.code), d.range.start.line + 1)
        for item in report.items
        if isinstance(item, lsp.WorkspaceFullDocumentDiagnosticReport)
        for d in item.items
    }
    assert got == expected
    assert files["src/trigger/clean.ts"].as_uri() in by_uri  # a file with nothing to say


async def test_a_cancelled_workspace_pull_ends_and_the_server_goes_on(
    editor: LanguageClient, tmp_path: Path
):
    root = tmp_path.resolve()
    files = workspace(root)
    await start(editor, root, PULLING)
    # A re-pull (with result ids) is held: cancel it while it waits.
    msg_id = f"raw-{uuid.uuid4()}"
    future: Future = Future()
    editor.protocol._request_futures[msg_id] = future
    params = {"previousResultIds": [{"uri": files["src/trigger/old.ts"].as_uri(), "value": "x"}]}
    editor.protocol._send_data(
        {"jsonrpc": "2.0", "id": msg_id, "method": "workspace/diagnostic", "params": params}
    )
    await asyncio.sleep(0.2)
    editor.protocol._send_data(
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": msg_id}}
    )
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)
    assert error.value.code == -32800  # RequestCancelled
    uri = open_doc(editor, files["src/trigger/old.ts"])
    hover = await request(
        editor.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 10))
        )
    )
    assert hover is not None


async def test_workspace_diagnostics_can_be_turned_off(editor: LanguageClient, tmp_path: Path):
    root = tmp_path.resolve()
    workspace(root)
    await start(editor, root, PULLING, {"features": {"workspaceDiagnostics": False}})
    pull = editor.workspace_diagnostic_async(lsp.WorkspaceDiagnosticParams(previous_result_ids=[]))
    done, _ = await asyncio.wait([asyncio.ensure_future(pull)], timeout=2)
    assert not done  # held (and then answered with nothing), not a loop of empty answers
