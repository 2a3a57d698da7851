"""Code actions: rule fixes, suppression comments, fix-all and explain-rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.lint.engine import Finding
from trigger_lsp.lint.fixes import apply_fixes
from trigger_lsp.lint.suppressions import FILE_DIRECTIVE, LINE_DIRECTIVE
from trigger_lsp.lsp.convert import text_edits
from trigger_lsp.lsp.documents import Document
from trigger_lsp.project.packages import is_manifest_path
from trigger_lsp.rules.base import Edit
from trigger_lsp.text import Encoding

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

FIX_ALL_KIND = "source.fixAll.trigger-lsp"
EXPLAIN_COMMAND = "trigger-lsp.explainRule"
KINDS = [lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]


def _edit(doc: Document, edits: list[Edit], enc: Encoding) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(
        document_changes=[
            lsp.TextDocumentEdit(
                lsp.OptionalVersionedTextDocumentIdentifier(doc.uri, doc.version),
                list(text_edits(doc, edits, enc)),
            )
        ]
    )


def _line_start(doc: Document, offset: int) -> int:
    return doc.source.rfind(b"\n", 0, offset) + 1


def _indent(doc: Document, line_start: int) -> str:
    end = line_start
    while end < len(doc.source) and doc.source[end : end + 1] in (b" ", b"\t"):
        end += 1
    return doc.source[line_start:end].decode()


def _newline(doc: Document) -> str:
    return "\r\n" if b"\r\n" in doc.source[:4096] else "\n"


def suppress_line_edit(doc: Document, finding: Finding) -> Edit:
    start = _line_start(doc, finding.start_byte)
    comment = f"{_indent(doc, start)}// {LINE_DIRECTIVE} {finding.rule} -- reason{_newline(doc)}"
    return Edit(start, start, comment)


def suppress_file_edit(doc: Document, rule_id: str) -> Edit:
    offset = 0
    if doc.source.startswith(b"#!"):  # keep a shebang first
        offset = doc.source.find(b"\n") + 1 or len(doc.source)
    return Edit(offset, offset, f"// {FILE_DIRECTIVE} {rule_id}{_newline(doc)}")


def _overlaps(finding: Finding, doc: Document, rng: lsp.Range, enc: Encoding) -> bool:
    start, end = doc.offset(rng.start, enc), doc.offset(rng.end, enc)
    return finding.start_byte <= end and start <= finding.end_byte


def code_actions(
    doc: Document,
    findings: list[Finding],
    params: lsp.CodeActionParams,
    enc: Encoding,
) -> list[lsp.CodeAction]:
    # (kinds as the client sent them, or lsprotocol's enum members, whose str() is their name)
    only = [getattr(k, "value", k) for k in params.context.only or []]
    want_quickfix = not only or any(k.startswith("quickfix") for k in only)
    want_fix_all = not only or any(FIX_ALL_KIND.startswith(k) for k in only)
    actions: list[lsp.CodeAction] = []
    if want_quickfix:
        for finding in findings:
            if not _overlaps(finding, doc, params.range, enc):
                continue
            diag = matching_diagnostic(doc, finding, params.context.diagnostics, enc)
            diags = [diag] if diag is not None else None
            if finding.fix is not None:
                actions.append(
                    lsp.CodeAction(
                        title=finding.fix.title or f"Fix {finding.rule}",
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=diags,
                        is_preferred=finding.fix.safety is FixSafety.SAFE,
                        edit=_edit(doc, list(finding.fix.edits), enc),
                    )
                )
            if not is_manifest_path(doc.path):  # (JSON has no comments: package.json)
                actions += _ignore_actions(doc, finding, diags, enc)
            actions.append(
                lsp.CodeAction(
                    title=f"Explain {finding.rule}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=diags,
                    command=lsp.Command(
                        f"Explain {finding.rule}", EXPLAIN_COMMAND, arguments=[finding.rule]
                    ),
                )
            )
    if want_fix_all:
        action = fix_all_action(doc, findings, enc)
        if action is not None:
            actions.append(action)
    return actions


def _ignore_actions(
    doc: Document, finding: Finding, diags: list[lsp.Diagnostic] | None, enc: Encoding
) -> list[lsp.CodeAction]:
    return [
        lsp.CodeAction(
            title=f"Ignore {finding.rule} on this line",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=diags,
            edit=_edit(doc, [suppress_line_edit(doc, finding)], enc),
        ),
        lsp.CodeAction(
            title=f"Ignore {finding.rule} in this file",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=diags,
            edit=_edit(doc, [suppress_file_edit(doc, finding.rule)], enc),
        ),
    ]


def fix_all_edits(doc: Document, findings: list[Finding]) -> list[Edit]:
    """Non-overlapping edits of every safe fix, as one change of the whole text."""
    fixed, count = apply_fixes(doc.source, findings, {FixSafety.SAFE})
    if not count:
        return []
    # Send the smallest single replacement that turns the old text into the new one.
    old = doc.source
    start = 0
    limit = min(len(old), len(fixed))
    while start < limit and old[start] == fixed[start]:
        start += 1
    end_old, end_new = len(old), len(fixed)
    while end_old > start and end_new > start and old[end_old - 1] == fixed[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # Keep both ends on UTF-8 character boundaries (continuation bytes are 0b10xxxxxx).
    while start > 0 and start < len(old) and (old[start] & 0xC0) == 0x80:
        start -= 1
    while end_old < len(old) and (old[end_old] & 0xC0) == 0x80:
        end_old += 1
        end_new += 1
    return [Edit(start, end_old, fixed[start:end_new].decode("utf-8", "replace"))]


def fix_all_action(doc: Document, findings: list[Finding], enc: Encoding) -> lsp.CodeAction | None:
    edits = fix_all_edits(doc, findings)
    if not edits:
        return None
    return lsp.CodeAction(
        title="Fix all safe trigger-lsp problems",
        kind=FIX_ALL_KIND,
        edit=_edit(doc, edits, enc),
    )


def matching_diagnostic(
    doc: Document, finding: Finding, diagnostics: Sequence[lsp.Diagnostic], enc: Encoding
) -> lsp.Diagnostic | None:
    """The diagnostic the client sent that is this finding's: its rule, at its range (two
    findings of one rule in the requested range each get their own)."""
    rng = doc.range(finding.start_byte, finding.end_byte, enc)
    for d in diagnostics:
        if d.code == finding.rule and d.source == "trigger-lsp" and d.range == rng:
            return d
    return None


def code_action(session: Session, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    """textDocument/codeAction (routed in lsp/routes.py)."""
    doc = session.store.get(params.text_document.uri)
    if doc is None:
        return None
    result = session.analyze(doc)
    return code_actions(doc, result.findings, params, session.encoding)
