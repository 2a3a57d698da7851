"""The server starts, publishes diagnostics to a push client and answers a pull client."""

import asyncio

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities

TEXT = (
    'import { task, logger } from "@trigger.dev/sdk";\n'
    'export const a = task({ run: async () => { logger.info("x"); } });\n'
)


async def _open(client: LanguageClient, tmp_path, caps: str) -> str:
    await client.initialize_session(
        lsp.InitializeParams(capabilities=client_capabilities(caps), root_uri=tmp_path.as_uri())
    )
    f = tmp_path / "src" / "trigger" / "a.ts"
    f.parent.mkdir(parents=True)
    f.write_text(TEXT)
    uri = f.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "typescript", 1, TEXT))
    )
    return uri


async def test_push_diagnostics(client: LanguageClient, tmp_path):
    uri = await _open(client, tmp_path, "emacs")
    await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 10)
    assert "task-missing-id" in [d.code for d in client.diagnostics[uri]]


async def test_pull_diagnostics(client: LanguageClient, tmp_path):
    uri = await _open(client, tmp_path, "neovim")
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
    )
    assert "task-missing-id" in [d.code for d in report.items]
    again = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(
            lsp.TextDocumentIdentifier(uri), previous_result_id=report.result_id
        )
    )
    assert again.kind == "unchanged"


async def test_the_server_logs_each_projects_versions_once(client: LanguageClient, tmp_path):
    (tmp_path / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "4.6.0"}}')
    uri = await _open(client, tmp_path, "emacs")
    await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 10)
    expected = (
        f"trigger-lsp: project {tmp_path}: @trigger.dev/sdk 4.6.0 from the exact pin in"
        " package.json; trigger.dev CLI 4.6.0 from the SDK's version"
    )
    for _ in range(100):
        if any(m.message.startswith(expected) for m in client.log_messages):
            break
        await asyncio.sleep(0.05)
    said = [m for m in client.log_messages if m.message.startswith("trigger-lsp: project ")]
    assert len(said) == 1 and said[0].message.startswith(expected), said
    assert said[0].type == lsp.MessageType.Info
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text=TEXT + "\n")],
        )
    )
    await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 10)
    assert (
        len([m for m in client.log_messages if m.message.startswith("trigger-lsp: project ")]) == 1
    )
