"""The feature functions called directly with a Session and their params, no server process and
no transport (handlers are plain `(session, params)` functions since issue 14): hover,
completion and code actions, on documents opened in a Session whose client is detached."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from helpers import SDK_IMPORT, in_run, marked
from lsp.session import apply_edits, cursor, labels, position, workspace_edits, write
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lsp.code_actions import code_action
from trigger_lsp.lsp.features.completion import completion
from trigger_lsp.lsp.features.hover import hover
from trigger_lsp.lsp.state import Session

KB = knowledge()
PACKAGE = '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n'
CHILD = 'import { child, other } from "./children";\n'


@pytest.fixture
def session(tmp_path: Path) -> Session:
    write(tmp_path, {"package.json": PACKAGE})
    made = Session()  # (its client is detached: messages go to the log)
    made.client_capabilities = client_capabilities("visual-studio-code")
    return made


def opened(session: Session, root: Path, text: str, name: str = "src/trigger/t.ts") -> str:
    path = root / name
    uri = path.as_uri()
    assert session.open_document(uri, "typescript", 1, text) is not None
    return uri


def at(session: Session, root: Path, text: str, name: str = "src/trigger/t.ts"):
    """The document opened without its `|` marker, and the marker's position."""
    source, offset = cursor(text)
    uri = opened(session, root, source, name)
    return lsp.TextDocumentIdentifier(uri), position(source, offset, session.encoding)


# --- hover -------------------------------------------------------------------------------------


def test_hover_on_an_sdk_name(session: Session, tmp_path: Path) -> None:
    doc, pos = at(session, tmp_path, in_run("await wait.f|or({ seconds: 30 });"))
    shown = hover(session, lsp.HoverParams(doc, pos))
    assert shown is not None and isinstance(shown.contents, lsp.MarkupContent)
    entry = KB.reference.api["wait.for"]
    assert entry.description.split(". ")[0].rstrip(".") in shown.contents.value
    assert entry.signature not in shown.contents.value  # TypeScript's to show


def test_hover_on_a_finding_starts_with_its_rule(session: Session, tmp_path: Path) -> None:
    body = "await |Promise.all([child.triggerAndWait({ n: 1 }), other.triggerAndWait({ n: 2 })]);"
    doc, pos = at(session, tmp_path, in_run(body, SDK_IMPORT + CHILD))
    shown = hover(session, lsp.HoverParams(doc, pos))
    assert shown is not None and isinstance(shown.contents, lsp.MarkupContent)
    assert shown.contents.value.startswith("**parallel-waits**")


def test_no_hover_outside_trigger_files_or_documents(session: Session, tmp_path: Path) -> None:
    doc, pos = at(session, tmp_path, "export const x = Math.m|ax(1, 2);\n", "src/lib/plain.ts")
    assert hover(session, lsp.HoverParams(doc, pos)) is None
    missing = lsp.TextDocumentIdentifier((tmp_path / "src/trigger/none.ts").as_uri())
    assert hover(session, lsp.HoverParams(missing, lsp.Position(0, 0))) is None
    past = lsp.Position(0, 500)  # past the end of the line
    doc, _ = at(session, tmp_path, in_run("await wait.f|or({ seconds: 30 });"), "src/trigger/b.ts")
    assert hover(session, lsp.HoverParams(doc, past)) is None


# --- completion --------------------------------------------------------------------------------


def test_completion_of_sdk_members(session: Session, tmp_path: Path) -> None:
    doc, pos = at(session, tmp_path, in_run("await wait.|"))
    found = completion(session, lsp.CompletionParams(doc, pos))
    assert found is not None
    assert {"for", "until", "forToken"} <= set(labels(found.items))


def test_completion_of_task_ids_of_the_file(session: Session, tmp_path: Path) -> None:
    text = in_run('await tasks.trigger("|");')
    doc, pos = at(session, tmp_path, text)
    found = completion(session, lsp.CompletionParams(doc, pos))
    assert found is not None and "parent" in labels(found.items)  # (the file's own task)


def test_no_completion_outside_trigger_files(session: Session, tmp_path: Path) -> None:
    doc, pos = at(session, tmp_path, "export const w = wait.|\n", "src/lib/plain.ts")
    assert completion(session, lsp.CompletionParams(doc, pos)) is None


# --- code actions ------------------------------------------------------------------------------


def _diagnostics(session: Session, uri: str) -> list[lsp.Diagnostic]:
    """The diagnostics a client would send back: each finding's rule at its range."""
    doc = session.document(uri)
    assert doc is not None
    return [
        lsp.Diagnostic(
            range=doc.range(f.start_byte, f.end_byte, session.encoding),
            message=f.message,
            code=f.rule,
            source="trigger-lsp",
        )
        for f in session.analyze(doc).findings
    ]


def test_code_actions_fix_the_exact_diagnostic(session: Session, tmp_path: Path) -> None:
    code = in_run(
        """
        const a = await child.triggerAndWait({ n: 1 });
        const b = await other.triggerAndWait({ n: 2 });
        return [a.total, b.total]; /*>*/ /*>*/
        """,
        SDK_IMPORT + CHILD,
    )
    uri = opened(session, tmp_path, code)
    diagnostics = [d for d in _diagnostics(session, uri) if d.code == "result-not-unwrapped"]
    assert [d.range.start.line + 1 for d in diagnostics] == marked(code)
    line = marked(code)[0] - 1  # (the actions asked for on that line only)
    whole = lsp.Range(lsp.Position(line, 0), lsp.Position(line + 1, 0))
    context = lsp.CodeActionContext(diagnostics=diagnostics, only=[lsp.CodeActionKind.QuickFix])
    actions = code_action(
        session, lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), whole, context)
    )
    assert actions is not None
    fixes = [a for a in actions if a.edit is not None and not a.title.startswith("Ignore")]
    assert len(fixes) == 2, [a.title for a in actions]
    # each fix names its own diagnostic (two findings of one rule on one line)
    assert [a.diagnostics for a in fixes] == [[d] for d in diagnostics]
    for action in fixes:
        after = apply_edits(code, workspace_edits(action.edit, uri), session.encoding)
        assert after.count(".unwrap()") == 1
    explains = [a for a in actions if a.command is not None and a.title.startswith("Explain")]
    assert [a.command.arguments for a in explains if a.command] == [["result-not-unwrapped"]] * 2


def test_no_code_actions_for_a_document_not_open(session: Session, tmp_path: Path) -> None:
    uri = (tmp_path / "src/trigger/none.ts").as_uri()
    context = lsp.CodeActionContext(diagnostics=[])
    rng = lsp.Range(lsp.Position(0, 0), lsp.Position(1, 0))
    params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), rng, context)
    assert code_action(session, params) is None
