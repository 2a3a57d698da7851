"""Commands the client runs (workspace/executeCommand)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from trigger_lsp.lsp import code_actions
from trigger_lsp.lsp.state import serving

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

INFO = 3  # LSP's MessageType.Info


def explain(session: Session, args: Any) -> str | None:
    """The rule's explanation (Markdown); the editor also shows its summary."""
    from trigger_lsp.lsp.explain import rule_markdown

    rule_id = args[0] if isinstance(args, list) and args else args
    if not isinstance(rule_id, str) or rule_id not in session.kb.rules:
        raise ValueError(f"unknown rule {rule_id!r}")
    doc = session.kb.rules[rule_id]
    session.client.show_message(f"{rule_id}: {doc.title}. {doc.summary}", INFO)
    return rule_markdown(session.kb, rule_id, examples=True)


async def fix_all(session: Session, args: Any) -> bool:
    uri = args[0] if isinstance(args, list) and args else args
    doc = session.store.get(uri) if isinstance(uri, str) else None
    if doc is None:
        return False
    action = code_actions.fix_all_action(doc, session.analyze(doc).findings, session.encoding)
    if action is None or action.edit is None:
        return False
    result = await serving(session).apply_edit(
        lsp.ApplyWorkspaceEditParams(action.edit, label="Fix all trigger-lsp problems")
    )
    return bool(result.applied)
