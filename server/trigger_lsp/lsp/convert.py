"""Conversions from engine results to LSP types (diagnostics, locations, edits)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from trigger_lsp.knowledge.model import Knowledge
from trigger_lsp.lint.engine import Finding
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.wire import (
    MAX_RELATED,
    SEVERITY,
    SOURCE,
    Locator,
    Span,
    docs_link,
    unnecessary,
)
from trigger_lsp.rules.base import Edit
from trigger_lsp.text import Encoding


def text_edits(
    doc: Document, edits: list[Edit] | tuple[Edit, ...], enc: Encoding
) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(doc.range(e.start, e.end, enc), e.text) for e in edits]


def lsp_range(span: Span) -> lsp.Range:
    return lsp.Range(lsp.Position(*span[0]), lsp.Position(*span[1]))


def location(locator: Locator, path: Path, start: int, end: int) -> lsp.Location:
    uri, span = locator.span(path, start, end)
    return lsp.Location(uri, lsp_range(span))


def diagnostic(
    doc: Document, finding: Finding, kb: Knowledge, enc: Encoding, locator: Locator
) -> lsp.Diagnostic:
    href = docs_link(finding, kb)
    related = [
        lsp.DiagnosticRelatedInformation(
            location(locator, r.path, r.start_byte, r.end_byte), r.message
        )
        for r in finding.related[:MAX_RELATED]
    ]
    return lsp.Diagnostic(
        range=doc.range(finding.start_byte, finding.end_byte, enc),
        message=finding.message,
        severity=lsp.DiagnosticSeverity(SEVERITY[finding.severity]),
        code=finding.rule,
        code_description=lsp.CodeDescription(href=href) if href else None,
        source=SOURCE,
        related_information=related or None,
        tags=[lsp.DiagnosticTag.Unnecessary] if unnecessary(finding) else None,
    )
