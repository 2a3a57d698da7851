"""Applying fixes to source bytes: non-overlapping edits, in one pass."""

from __future__ import annotations

from collections.abc import Iterable

from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.lint.engine import Finding
from trigger_lsp.rules.base import Edit


def apply_fixes(
    source: bytes, findings: Iterable[Finding], allowed: set[FixSafety]
) -> tuple[bytes, int]:
    """Apply every allowed fix whose edits do not overlap an earlier one; return the new source
    and how many fixes were applied. Overlapping fixes wait for the next round."""
    chosen: list[Edit] = []
    taken: list[tuple[int, int]] = []
    count = 0
    for finding in sorted(findings, key=lambda f: f.start_byte):
        fix = finding.fix
        if fix is None or fix.safety not in allowed:
            continue
        spans = [(e.start, e.end) for e in fix.edits]
        if any(_overlaps(s, t) for s in spans for t in taken):
            continue
        taken.extend(spans)
        chosen.extend(fix.edits)
        count += 1
    if not chosen:
        return source, 0
    out = bytearray(source)
    for edit in sorted(chosen, key=lambda e: (e.start, e.end), reverse=True):
        out[edit.start : edit.end] = edit.text.encode("utf-8")
    return bytes(out), count


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions conflict only at the same point or inside
        return a[0] == b[0] or (b[0] < a[0] < b[1]) or (a[0] < b[0] < a[1])
    return a[0] < b[1] and b[0] < a[1]
