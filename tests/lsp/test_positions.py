"""Positions end to end in each negotiated encoding: ranges after emoji (outside the BMP),
CJK text and CRLF line endings, and incremental edits expressed in each encoding."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import (
    CONFIG,
    Doc,
    codes,
    edit,
    find,
    open_doc,
    project,
    published,
    request,
    span,
    start,
    workspace_edits,
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


ENCODINGS = ["utf-8", "utf-16", "utf-32"]
KEY = "tr_dev_abcdefghij0123456789"
TEXT = "\r\n".join(
    [
        'import { task, logger } from "@trigger.dev/sdk";',
        "// 🚀 launch 日本語のテキスト",
        '/* 🚀 日本語 */ export const a = task({ run: async () => { logger.info("é🚀"); } });',
        f'const label = "🚀 火箭"; export const key = "{KEY}";',
        "",
    ]
)


def _by_rule(diagnostics) -> dict[str, lsp.Diagnostic]:
    return {str(d.code): d for d in diagnostics}


def _task_call(text: str, encoding: str) -> lsp.Range:
    """The `task` of `task({` (the finding of task-missing-id)."""
    start = find(text, "task({", encoding)
    return lsp.Range(start, find(text, "task({", encoding, at=4))


async def _open(client: LanguageClient, tmp_path: Path, encoding: str, caps: str = "vscode"):
    files = project(tmp_path, {"src/trigger/a.ts": TEXT})
    result = await start(
        client, tmp_path, caps, {"debounceMs": 0, "indexWorkspace": False}, [encoding]
    )
    assert result.capabilities.position_encoding == encoding
    doc = Doc(client, open_doc(client, files["src/trigger/a.ts"], TEXT), TEXT, encoding=encoding)
    found = await published(client, doc.uri, lambda d: "task-missing-id" in codes(d))
    return doc, _by_rule(found)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_ranges_after_emoji_cjk_and_crlf(client: LanguageClient, tmp_path: Path, encoding):
    _, found = await _open(client, tmp_path, encoding)
    assert found["task-missing-id"].range == _task_call(TEXT, encoding)
    assert found["hardcoded-secret-key"].range == span(TEXT, KEY, encoding)
    # The expected columns really differ per encoding (the test is not vacuous).
    assert {
        "utf-8": 38,
        "utf-16": 30,
        "utf-32": 29,
    }[encoding] == found["task-missing-id"].range.start.character


@pytest.mark.parametrize(
    ("caps", "encoding"), [("emacs", "utf-32"), ("neovim-0.11", "utf-8"), ("vscode", "utf-16")]
)
async def test_the_clients_first_choice_is_used(
    client: LanguageClient, tmp_path: Path, caps, encoding
):
    files = project(tmp_path, {"src/trigger/a.ts": TEXT})
    result = await start(client, tmp_path, caps, {"indexWorkspace": False})
    assert (result.capabilities.position_encoding or "utf-16") == encoding
    uri = open_doc(client, files["src/trigger/a.ts"], TEXT)
    if caps == "neovim-0.11":
        report = await request(
            client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
            )
        )
        found = _by_rule(report.items)
    else:
        found = _by_rule(await published(client, uri, lambda d: bool(d)))
    assert found["task-missing-id"].range == _task_call(TEXT, encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_incremental_edits_in_each_encoding(client: LanguageClient, tmp_path: Path, encoding):
    doc, _ = await _open(client, tmp_path, encoding)

    async def change(rng: lsp.Range, new: str, expected: str) -> dict[str, lsp.Diagnostic]:
        doc.version += 1
        edit(client, doc.uri, doc.version, rng, new)
        doc.text = expected
        found = _by_rule(await published(client, doc.uri, version=doc.version))
        # The server's text is the expected text: both findings sit where they should.
        assert found["task-missing-id"].range == _task_call(expected, encoding)
        assert found["hardcoded-secret-key"].range == span(expected, KEY, encoding)
        return found

    # 1. Insert "é" (2 bytes, 1 UTF-16 unit) right after the 🚀 on the task's line.
    at = find(doc.text, "🚀 日本語 */", encoding, at=1)
    text = doc.text.replace("🚀 日本語 */", "🚀é 日本語 */")
    await change(lsp.Range(at, at), "é", text)
    # 2. Delete the 🚀 before the key (1, 2 or 4 units).
    rng = span(doc.text, "🚀", encoding, nth=3)
    text = doc.text.replace('"🚀 火箭"', '" 火箭"')
    await change(rng, "", text)
    # 3. Replace across a CRLF: the end of line 1 to the start of line 2 becomes a new line.
    end_of_comment = find(doc.text, "テキスト\r\n", encoding, at=4)
    start_of_next = find(doc.text, "/* 🚀", encoding)
    text = doc.text.replace("テキスト\r\n/* 🚀", "テキスト\r\n// 新しい 🚀\r\n/* 🚀")
    found = await change(lsp.Range(end_of_comment, start_of_next), "\r\n// 新しい 🚀\r\n", text)
    assert found["task-missing-id"].range.start.line == 3
    # 4. Replace a whole line that holds emoji with a shorter one, and type a character
    #    after the CJK text on the line of the key.
    line = doc.text.split("\r\n")[1]
    rng = lsp.Range(lsp.Position(1, 0), find(doc.text, line, encoding, at=len(line)))
    await change(rng, "// 🙂", doc.text.replace(line, "// 🙂"))
    at = find(doc.text, "火箭", encoding, at=2)
    await change(lsp.Range(at, at), "!", doc.text.replace("火箭", "火箭!"))


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_fix_and_suppression_edits_in_each_encoding(
    client: LanguageClient, tmp_path: Path, encoding
):
    doc, found = await _open(client, tmp_path, encoding)
    secret = found["hardcoded-secret-key"]
    result = await request(
        client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(doc.uri),
                secret.range,
                lsp.CodeActionContext(diagnostics=[secret]),
            )
        )
    )
    [fix] = [a for a in result if a.title.startswith("Read the key from process.env.")]
    # a plain const stays a string (the fix keeps the file type-checking)
    expected = TEXT.replace(f'"{KEY}"', 'process.env.TRIGGER_SECRET_KEY ?? ""')
    doc.apply(workspace_edits(fix.edit, doc.uri))
    assert doc.text == expected
    after = await published(client, doc.uri, version=doc.version)
    assert "hardcoded-secret-key" not in codes(after)
    # The suppression comment goes on its own line, with the file's CRLF line ending.
    missing = _by_rule(after)["task-missing-id"]
    result = await request(
        client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(doc.uri),
                missing.range,
                lsp.CodeActionContext(diagnostics=[missing]),
            )
        )
    )
    ignore = next(a for a in result if a.title == "Ignore task-missing-id on this line")
    doc.apply(workspace_edits(ignore.edit, doc.uri))
    assert "// trigger-lsp-ignore task-missing-id -- reason\r\n/* 🚀" in doc.text
    after = await published(client, doc.uri, version=doc.version)
    assert "task-missing-id" not in codes(after)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_positions_past_the_end_are_clamped(client: LanguageClient, tmp_path: Path, encoding):
    doc, _ = await _open(client, tmp_path, encoding)
    # Past the end of line 0: the insertion lands at the end of that line.
    doc.version += 1
    edit(client, doc.uri, doc.version, lsp.Range(lsp.Position(0, 900), lsp.Position(0, 900)), " ")
    doc.text = doc.text.replace('sdk";\r\n', 'sdk"; \r\n', 1)
    found = _by_rule(await published(client, doc.uri, version=doc.version))
    assert found["task-missing-id"].range == _task_call(doc.text, encoding)
    # Past the end of the file: appended.
    doc.version += 1
    edit(
        client, doc.uri, doc.version, lsp.Range(lsp.Position(99, 0), lsp.Position(99, 5)), "// end"
    )
    doc.text += "// end"
    found = _by_rule(await published(client, doc.uri, version=doc.version))
    assert found["hardcoded-secret-key"].range == span(doc.text, KEY, encoding)
