"""Diagnostics: the findings of a document as LSP diagnostics, pulled or published, and which
clients pull."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from trigger_lsp.lsp.convert import diagnostic
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.state import serving
from trigger_lsp.lsp.wire import Locator

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


def diagnostics_for(
    session: Session, doc: Document, moved: Callable[[lsp.Diagnostic, int], lsp.Diagnostic]
) -> list[lsp.Diagnostic]:
    """The document's diagnostics. `moved(diagnostic, line)` makes a kept diagnostic that
    moved to another line (the server's protocol keeps its JSON text)."""
    if not session.settings.features.diagnostics:
        return []
    result = session.analyze(doc)
    enc = session.encoding
    locator = Locator(session.store, enc)
    source, starts = doc.source, doc.lines.starts
    converted: dict[object, lsp.Diagnostic] = {}
    out = []
    for f in result.findings:
        # A finding converts to the same diagnostic as before when it stands at the same
        # byte columns with the same text before it there (which sets UTF-16 and UTF-32
        # columns): typing on one line keeps the diagnostics of the other lines, and a
        # line added above moves them (a new range, the rest kept). A fix or related
        # locations are kept in bytes: then the finding itself is the key.
        what = f if f.fix is not None or f.related else (f.rule, f.severity, f.message)
        key = (
            what,
            f.start[1],
            f.end[1],
            f.end[0] - f.start[0],
            enc,
            source[starts[f.start[0]] : f.start_byte],
            source[starts[f.end[0]] : f.end_byte],
        )
        found = doc.converted.get(key)
        if found is None:
            found = diagnostic(doc, f, session.kb, enc, locator)
        elif found.range.start.line != f.start[0]:
            found = moved(found, f.start[0])
        if all(r.path == doc.path for r in f.related):  # other files may change meanwhile
            converted[key] = found
        out.append(found)
    doc.converted = converted
    return out


def pulled(session: Session, params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
    """textDocument/diagnostic."""
    doc = session.store.get(params.text_document.uri)
    if doc is None:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    session.analyze(doc)
    if params.previous_result_id == str(doc.result_id):
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=str(doc.result_id))
    items = serving(session).diagnostics_for(doc)  # (with the protocol's kept JSON)
    return lsp.RelatedFullDocumentDiagnosticReport(items=items, result_id=str(doc.result_id))
