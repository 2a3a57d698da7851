"""Diagnostics: the findings of a document as LSP diagnostics, pulled or published, and which
clients pull."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from trigger_lsp.lsp.state import serving

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session


def pulls(caps: lsp.ClientCapabilities) -> bool:
    """Whether the client pulls diagnostics: when it can pull and can be asked to pull again.
    A client that cannot be asked again (Neovim 0.11) gets them published instead: it would
    otherwise keep a first answer made before the workspace index was complete until the next
    edit, or the first answer would have to wait for the index (seconds)."""
    text, ws = caps.text_document, caps.workspace
    can_pull = bool(text and text.diagnostic)
    return can_pull and bool(ws and ws.diagnostics and ws.diagnostics.refresh_support)


def pulled(session: Session, params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
    """textDocument/diagnostic (the first answers give theirs from the same Session.pull)."""
    uri, previous = params.text_document.uri, params.previous_result_id
    answer = session.pull(uri, previous, serving(session).diagnostics_for)
    if answer.result_id is None:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    if answer.items is None:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=answer.result_id)
    return lsp.RelatedFullDocumentDiagnosticReport(items=answer.items, result_id=answer.result_id)
