"""Conversions from engine results to LSP types (locations, edits). Diagnostics are made once,
as JSON, by wire.diagnostic_json (see TriggerProtocol.diagnostic)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.wire import Locator, Span
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
