"""Diagnostics: the findings of a document as LSP diagnostics, pulled (which clients pull:
lsp/clients.py) or published."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from trigger_lsp.lsp.state import serving

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session


def pulled(session: Session, params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
    """textDocument/diagnostic (the first answers give theirs from the same Session.pull)."""
    uri, previous = params.text_document.uri, params.previous_result_id
    answer = session.pull(uri, previous, serving(session).diagnostics_for)
    if answer.result_id is None:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    if answer.items is None:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=answer.result_id)
    return lsp.RelatedFullDocumentDiagnosticReport(items=answer.items, result_id=answer.result_id)
