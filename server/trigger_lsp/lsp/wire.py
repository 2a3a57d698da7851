"""Engine results in the JSON shapes of LSP, without the protocol library: the one place a
finding becomes a diagnostic (`diagnostic_json`, which the first answers send as it is and the
server reads into lsprotocol's Diagnostic, TriggerProtocol.diagnostic), and byte ranges in any
workspace file as spans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pygls.uris import from_fs_path

from trigger_lsp.knowledge.model import Knowledge, Severity
from trigger_lsp.lint.engine import Finding
from trigger_lsp.lsp.documents import Document, DocumentStore
from trigger_lsp.project.reading import read_regular
from trigger_lsp.text import MAX_FILE_BYTES, Encoding, LineIndex

SOURCE = "trigger-lsp"
SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3, Severity.HINT: 4}
UNNECESSARY = 1  # LSP's DiagnosticTag.Unnecessary
Span = tuple[tuple[int, int], tuple[int, int]]  # (line, column) of the start and of the end


def uri_for(path: Path) -> str:
    """The file URI of a path; a name that is not UTF-8 (kept by Python as escaped bytes)
    gets its bytes percent-encoded (pygls' conversion cannot encode them)."""
    try:
        return from_fs_path(str(path)) or path.as_uri()
    except UnicodeEncodeError:
        return path.as_uri()


class Locator:
    """Byte ranges in any workspace file -> line and column spans, reading closed files from
    disk once."""

    def __init__(self, store: DocumentStore, encoding: Encoding) -> None:
        self.store, self.encoding = store, encoding
        self._files: dict[Path, tuple[bytes, LineIndex]] = {}

    def span(self, path: Path, start: int, end: int) -> tuple[str, Span]:
        """The file's URI and the span of the byte range in it."""
        uri = uri_for(path)
        doc = self.store.get(uri)
        if doc is not None:
            return uri, (doc.point(start, self.encoding), doc.point(end, self.encoding))
        if path not in self._files:
            try:
                source = read_regular(path, MAX_FILE_BYTES)
            except OSError:
                source = b""
            self._files[path] = (source, LineIndex(source))
        source, lines = self._files[path]

        return uri, (
            lines.position(source, start, self.encoding),
            lines.position(source, end, self.encoding),
        )


def docs_link(finding: Finding, kb: Knowledge) -> str | None:
    """A finding's documentation link.

    A diagnostic carries no `data`: code actions are made from the document's current
    findings, and each is tied to the diagnostic of its own rule at its own range (see
    code_actions.matching_diagnostic), so nothing would read it back. (It carried the fix in
    byte offsets, which nothing read.)"""
    return next((e.docs for e in kb.edges_for(finding.rule) if e.docs), None)


def unnecessary(finding: Finding) -> bool:
    """Shown faded: a suppression comment that suppresses nothing."""
    return finding.rule == "unused-suppression"


# The related locations a diagnostic carries at most: a task id defined in 800 files would
# otherwise give each of them 799 (work and output growing with the square of the count).
MAX_RELATED = 20


def range_json(span: Span) -> dict[str, Any]:
    (sl, sc), (el, ec) = span
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


def diagnostic_json(
    doc: Document, finding: Finding, kb: Knowledge, enc: Encoding, locator: Locator
) -> dict[str, Any]:
    """The finding as an LSP Diagnostic in JSON, its keys in the order of lsprotocol's fields
    (so that the server's kept text is what pygls would write: tests/lsp/test_early.py)."""
    href = docs_link(finding, kb)
    out: dict[str, Any] = {
        "range": range_json((doc.point(finding.start_byte, enc), doc.point(finding.end_byte, enc))),
        "message": finding.message,
        "severity": SEVERITY[finding.severity],
        "code": finding.rule,
    }
    if href:
        out["codeDescription"] = {"href": href}
    out["source"] = SOURCE
    if unnecessary(finding):
        out["tags"] = [UNNECESSARY]
    related = []
    for r in finding.related[:MAX_RELATED]:
        uri, span = locator.span(r.path, r.start_byte, r.end_byte)
        related.append({"location": {"uri": uri, "range": range_json(span)}, "message": r.message})
    if related:
        out["relatedInformation"] = related
    return out
