"""Conversions from engine results to LSP types (diagnostics, locations, edits)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from trigger_lsp.engine import Finding, LineIndex
from trigger_lsp.knowledge.model import Knowledge, Severity
from trigger_lsp.lsp.documents import Document, DocumentStore
from trigger_lsp.positions import Encoding, byte_col_to_units, line_bytes
from trigger_lsp.rules.base import Edit

SOURCE = "trigger-lsp"
SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}


def uri_for(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def edits_data(edits: tuple[Edit, ...]) -> list[list[object]]:
    return [[e.start, e.end, e.text] for e in edits]


def text_edits(
    doc: Document, edits: list[Edit] | tuple[Edit, ...], enc: Encoding
) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(doc.range(e.start, e.end, enc), e.text) for e in edits]


class Locator:
    """Byte ranges in any workspace file -> LSP ranges, reading closed files from disk once."""

    def __init__(self, store: DocumentStore, encoding: Encoding) -> None:
        self.store, self.encoding = store, encoding
        self._files: dict[Path, tuple[bytes, LineIndex]] = {}

    def location(self, path: Path, start: int, end: int) -> lsp.Location:
        uri = uri_for(path)
        doc = self.store.get(uri)
        if doc is not None:
            return lsp.Location(uri, doc.range(start, end, self.encoding))
        if path not in self._files:
            try:
                source = path.read_bytes()
            except OSError:
                source = b""
            self._files[path] = (source, LineIndex(source))
        source, lines = self._files[path]

        def pos(offset: int) -> lsp.Position:
            row, col = lines.point(min(offset, len(source)))
            return lsp.Position(
                row, byte_col_to_units(line_bytes(source, row, lines.starts), col, self.encoding)
            )

        return lsp.Location(uri, lsp.Range(pos(start), pos(end)))


def diagnostic(
    doc: Document, finding: Finding, kb: Knowledge, enc: Encoding, locator: Locator
) -> lsp.Diagnostic:
    edges = kb.edges_for(finding.rule)
    href = next((e.docs for e in edges if e.docs), None)
    data: dict[str, object] = {"rule": finding.rule}
    if finding.fix is not None:
        data["fix"] = {
            "title": finding.fix.title,
            "safety": finding.fix.safety.value if finding.fix.safety else "unsafe",
            "edits": edits_data(finding.fix.edits),
        }
    related = [
        lsp.DiagnosticRelatedInformation(
            locator.location(r.path, r.start_byte, r.end_byte), r.message
        )
        for r in finding.related
    ]
    return lsp.Diagnostic(
        range=doc.range(finding.start_byte, finding.end_byte, enc),
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.rule,
        code_description=lsp.CodeDescription(href=href) if href else None,
        source=SOURCE,
        related_information=related or None,
        tags=[lsp.DiagnosticTag.Unnecessary] if finding.rule == "unused-suppression" else None,
        data=data,
    )
