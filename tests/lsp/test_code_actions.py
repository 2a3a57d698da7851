"""Code actions end to end: rule fixes, suppressions, fix-all and the explain command. Each
edit the server offers is applied to the text here and sent back, and the finding must go."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from helpers import marked
from lsp.session import (
    CONFIG,
    Doc,
    codes,
    open_doc,
    project,
    published,
    request,
    start,
    workspace_edits,
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


TEXT = """\
import { task, logger } from "@trigger.dev/sdk/v3";

export const noId = task({
  run: async () => {
    logger.info("hello");
  },
});
"""
WHOLE = lsp.Range(lsp.Position(0, 0), lsp.Position(100, 0))


async def _open(client: LanguageClient, tmp_path: Path, text: str = TEXT, caps: str = "vscode"):
    files = project(tmp_path, {"src/trigger/a.ts": text})
    await start(client, tmp_path, caps, {"debounceMs": 0, "indexWorkspace": False})
    doc = Doc(client, open_doc(client, files["src/trigger/a.ts"]), text)
    found = await published(client, doc.uri, lambda d: "task-missing-id" in codes(d))
    return doc, list(found)


async def _actions(
    doc: Doc, diagnostics: list[lsp.Diagnostic], rng: lsp.Range, only: list[str] | None = None
) -> list[lsp.CodeAction]:
    result = await request(
        doc.client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(doc.uri),
                rng,
                lsp.CodeActionContext(diagnostics=diagnostics, only=only),
            )
        )
    )
    assert all(isinstance(a, lsp.CodeAction) for a in result or []), [type(a) for a in result]
    return list(result or [])


async def _apply(doc: Doc, action: lsp.CodeAction) -> list[lsp.Diagnostic]:
    doc.apply(workspace_edits(action.edit, doc.uri))
    return list(await published(doc.client, doc.uri, version=doc.version))


def _for(diagnostics: list[lsp.Diagnostic], rule: str) -> lsp.Diagnostic:
    return next(d for d in diagnostics if d.code == rule)


def _titled(actions: list[lsp.CodeAction], start: str) -> lsp.CodeAction:
    return next(a for a in actions if a.title.startswith(start))


async def test_each_finding_gets_its_actions(client: LanguageClient, tmp_path: Path):
    doc, found = await _open(client, tmp_path)
    diag = _for(found, "sdk-v3-import-path")
    actions = await _actions(doc, [diag], diag.range)
    titles = [a.title for a in actions if a.diagnostics and a.diagnostics[0].code == diag.code]
    assert titles == [
        'Import from "@trigger.dev/sdk"',
        "Ignore sdk-v3-import-path on this line",
        "Ignore sdk-v3-import-path in this file",
        "Explain sdk-v3-import-path",
    ]
    for action in actions:
        if action.title.startswith(("Ignore", "Import", "Explain")):
            assert action.kind == lsp.CodeActionKind.QuickFix
    assert _titled(actions, "Import").is_preferred is True  # a safe fix
    assert not _titled(actions, "Ignore").is_preferred


TWO = """\
import { task, logger } from "@trigger.dev/sdk";

export const a = task({ run: async () => { logger.info("a"); } }); /*>*/
export const b = task({ run: async () => { logger.info("b"); } }); /*>*/
"""


async def test_two_findings_of_one_rule_each_get_their_own_diagnostic(
    client: LanguageClient, tmp_path: Path
):
    """Code actions name the diagnostic of their finding: the rule's, at the finding's range
    (they matched by rule only: both fixes named the first diagnostic)."""
    doc, found = await _open(client, tmp_path, TWO)
    missing = [d for d in found if d.code == "task-missing-id"]
    assert len(missing) == 2 and missing[0].range != missing[1].range
    actions = await _actions(doc, list(reversed(missing)), WHOLE)
    for title in ("Ignore task-missing-id on this line", "Explain task-missing-id"):
        named = [a.diagnostics for a in actions if a.title == title]
        assert len(named) == 2
        assert sorted(d[0].range.start.line for d in named if d) == marked(TWO, start=0)
    fixes = [a for a in actions if a.edit is not None and a.title.startswith("Ignore") is False]
    fixes = [a for a in fixes if a.diagnostics and a.diagnostics[0].code == "task-missing-id"]
    assert len(fixes) == 2
    assert {a.diagnostics[0].range.start.line for a in fixes if a.diagnostics} == set(
        marked(TWO, start=0)
    )
    # a diagnostic the document no longer has (its range moved) is not named
    moved = [
        lsp.Diagnostic(
            lsp.Range(lsp.Position(9, 0), lsp.Position(9, 4)),
            "x",
            code="task-missing-id",
            source="trigger-lsp",
        )
    ]
    assert all(not a.diagnostics for a in await _actions(doc, moved, WHOLE))


async def test_the_rule_fix_removes_the_finding(client: LanguageClient, tmp_path: Path):
    doc, found = await _open(client, tmp_path)
    diag = _for(found, "sdk-v3-import-path")
    action = _titled(await _actions(doc, [diag], diag.range), "Import from")
    after = await _apply(doc, action)
    assert 'from "@trigger.dev/sdk";' in doc.text
    assert "sdk-v3-import-path" not in codes(after)


async def test_an_unsafe_fix_is_offered_but_not_preferred(client: LanguageClient, tmp_path: Path):
    doc, found = await _open(client, tmp_path)
    diag = _for(found, "task-missing-id")
    actions = await _actions(doc, [diag], diag.range)
    fix = _titled(actions, "Add an id")
    assert not fix.is_preferred
    after = await _apply(doc, fix)
    assert 'id: "no-id"' in doc.text
    assert "task-missing-id" not in codes(after)


@pytest.mark.parametrize("where", ["on this line", "in this file"])
async def test_suppressions_silence_the_finding(client: LanguageClient, tmp_path: Path, where):
    doc, found = await _open(client, tmp_path)
    diag = _for(found, "task-missing-id")
    actions = await _actions(doc, [diag], diag.range)
    after = await _apply(doc, _titled(actions, f"Ignore task-missing-id {where}"))
    assert "trigger-lsp-ignore" in doc.text
    assert "task-missing-id" not in codes(after)
    assert "unused-suppression" not in codes(after)
    assert "sdk-v3-import-path" in codes(after)  # only that rule is silenced


async def test_line_suppression_keeps_the_indentation(client: LanguageClient, tmp_path: Path):
    text = TEXT.replace('logger.info("hello");', 'const key = "tr_dev_abcdefghij0123456789";')
    doc, found = await _open(client, tmp_path, text)
    diag = _for(found, "hardcoded-secret-key")
    actions = await _actions(doc, [diag], diag.range)
    after = await _apply(doc, _titled(actions, "Ignore hardcoded-secret-key on this line"))
    assert "    // trigger-lsp-ignore hardcoded-secret-key -- reason\n    const key" in doc.text
    assert "hardcoded-secret-key" not in codes(after)


@pytest.mark.parametrize("only", ["source.fixAll.trigger-lsp", "source.fixAll", "source"])
async def test_fix_all_applies_only_safe_fixes(client: LanguageClient, tmp_path: Path, only):
    doc, found = await _open(client, tmp_path)
    actions = await _actions(doc, found, WHOLE, only=[only])
    assert [a.kind for a in actions] == ["source.fixAll.trigger-lsp"]
    after = await _apply(doc, actions[0])
    assert "sdk-v3-import-path" not in codes(after)
    assert "task-missing-id" in codes(after)  # its fix is unsafe


async def test_only_quickfix_leaves_out_fix_all(client: LanguageClient, tmp_path: Path):
    doc, found = await _open(client, tmp_path)
    actions = await _actions(doc, found, WHOLE, only=[lsp.CodeActionKind.QuickFix])
    assert actions and all(a.kind == lsp.CodeActionKind.QuickFix for a in actions)
    assert await _actions(doc, found, WHOLE, only=[lsp.CodeActionKind.Refactor]) == []


async def test_no_findings_in_range_no_quick_fixes(client: LanguageClient, tmp_path: Path):
    doc, _ = await _open(client, tmp_path)
    empty = lsp.Range(lsp.Position(1, 0), lsp.Position(1, 0))  # the blank line
    actions = await _actions(doc, [], empty)
    assert all(a.kind == "source.fixAll.trigger-lsp" for a in actions)


async def test_explain_command_returns_markdown(client: LanguageClient, tmp_path: Path):
    doc, found = await _open(client, tmp_path)
    diag = _for(found, "task-missing-id")
    explain = _titled(await _actions(doc, [diag], diag.range), "Explain")
    assert explain.command is not None and explain.edit is None
    assert list(explain.command.arguments or []) == ["task-missing-id"]
    result = await request(
        client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(explain.command.command, explain.command.arguments)
        )
    )
    assert isinstance(result, str) and result.startswith("**task-missing-id**: ")
    assert "[Trigger.dev docs](https://trigger.dev/docs/" in result
    # The Explain view shows the rule's examples from validations.md.
    assert "**Invalid**" in result and "**Valid**" in result
    assert 'id: "send-welcome-email",' in result
    assert any("task-missing-id" in m.message for m in client.messages)


async def test_explain_an_unknown_rule_is_an_error(client: LanguageClient, tmp_path: Path):
    await _open(client, tmp_path)
    with pytest.raises(Exception, match="unknown rule"):
        await request(
            client.workspace_execute_command_async(
                lsp.ExecuteCommandParams("trigger-lsp.explainRule", ["no-such-rule"])
            )
        )


async def test_fix_all_command_asks_the_client_to_apply(client: LanguageClient, tmp_path: Path):
    applied: list[lsp.ApplyWorkspaceEditParams] = []

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        applied.append(params)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    doc, _ = await _open(client, tmp_path)
    result = await request(
        client.workspace_execute_command_async(
            lsp.ExecuteCommandParams("trigger-lsp.fixAll", [doc.uri])
        )
    )
    assert result is True
    (params,) = applied
    doc.apply(workspace_edits(params.edit, doc.uri))
    after = await published(client, doc.uri, version=doc.version)
    assert "sdk-v3-import-path" not in codes(after)
    missing = await request(
        client.workspace_execute_command_async(
            lsp.ExecuteCommandParams("trigger-lsp.fixAll", ["file:///nowhere.ts"])
        )
    )
    assert missing is False


async def test_code_actions_for_an_unknown_document(client: LanguageClient, tmp_path: Path):
    await _open(client, tmp_path)
    result = await request(
        client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier("file:///nowhere/x.ts"),
                WHOLE,
                lsp.CodeActionContext(diagnostics=[]),
            )
        )
    )
    assert not result
