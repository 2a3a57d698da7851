"""The analysis engine shared by the CLI and the language server: one file in, findings out."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel, build_model
from trigger_lsp.analysis.syntax import grammar_for, parse
from trigger_lsp.index import ProjectIndex
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import FixSafety, Knowledge, Severity
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.rules import REGISTRY, Rule
from trigger_lsp.rules.base import FileContext, Fix, Related, Report, Span
from trigger_lsp.settings import RuleSettings
from trigger_lsp.suppressions import Suppressions, collect

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 8 * 1024 * 1024  # larger files are skipped with a message
UNUSED_SUPPRESSION = "unused-suppression"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    start_byte: int
    end_byte: int
    start: tuple[int, int]  # (row, byte column), 0-based
    end: tuple[int, int]
    fix: Fix | None = None  # with safety and title resolved
    related: tuple[Related, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.fix is not None


@dataclass(frozen=True)
class RuleError:
    rule: str
    error: str


@dataclass(frozen=True, eq=False)
class FileResult:
    path: Path | None
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)  # human messages: skipped, syntax errors
    rule_errors: list[RuleError] = field(default_factory=list)
    skipped: bool = False
    tree: ts.Tree | None = None
    model: FileModel | None = None
    is_trigger_file: bool = False


class LineIndex:
    """Byte offset -> (row, byte column)."""

    def __init__(self, source: bytes) -> None:
        self.starts = [0]
        pos = source.find(b"\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = source.find(b"\n", pos + 1)

    def point(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        return row, offset - self.starts[row]


def looks_binary(source: bytes) -> bool:
    return b"\x00" in source[:8192]


def analyze(
    source: bytes,
    path: Path | None = None,
    *,
    project: ProjectContext | None = None,
    settings: RuleSettings | None = None,
    index: ProjectIndex | None = None,
    grammar: str | None = None,
    tree: ts.Tree | None = None,
    rules: Iterable[Rule] | None = None,
    kb: Knowledge | None = None,
) -> FileResult:
    """Analyse one file. `tree` may be a tree already parsed (incrementally) from `source`."""
    if len(source) > MAX_FILE_BYTES:
        size = len(source) / (1024 * 1024)
        return FileResult(
            path,
            [],
            [f"skipped: {size:.1f} MiB is over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit"],
            skipped=True,
        )
    if looks_binary(source):
        return FileResult(path, [], ["skipped: binary file"], skipped=True)
    kb = kb or knowledge()
    project = project or default_context(path.parent if path else None)
    settings = settings or RuleSettings()
    grammar = grammar or grammar_for(path)
    if tree is None:
        tree = parse(source, grammar)
    model = build_model(tree, grammar)
    notes = []
    if tree.root_node.has_error:
        notes.append("the file has syntax errors; results may be partial")
    is_trigger = model.imports_sdk or (path is not None and project.in_trigger_dir(path))
    ctx = FileContext(path, source, tree, model, project, index)
    lines = LineIndex(source)
    suppressions = collect(model.of("comment"), source, tree.root_node)
    findings: list[Finding] = []
    errors: list[RuleError] = []
    active = 0
    for rule in rules if rules is not None else REGISTRY.values():
        doc = kb.rules.get(rule.id)
        if doc is None:
            continue
        enabled, forced = settings.severity_of(doc)
        if not enabled or not (is_trigger or rule.any_file):
            continue
        active += 1
        try:
            reports = list(rule.check(ctx))
        except Exception as exc:  # one failing rule costs only itself
            log.exception("rule %s failed on %s", rule.id, path)
            errors.append(RuleError(rule.id, f"{type(exc).__name__}: {exc}"))
            continue
        for report in reports:
            finding = _finding(rule.id, report, kb, forced, lines)
            if not suppressions.match(rule.id, finding.start[0]):
                findings.append(finding)
    findings.extend(_unused_suppressions(suppressions, kb, settings, lines))
    findings.sort(key=lambda f: (f.start_byte, f.rule))
    return FileResult(path, findings, notes, errors, False, tree, model, is_trigger)


def finding_from_report(
    rule_id: str, report: Report, kb: Knowledge, forced: Severity | None, lines: LineIndex
) -> Finding:
    """A finding for a report made outside `analyze` (the package.json checker)."""
    return _finding(rule_id, report, kb, forced, lines)


def _finding(
    rule_id: str, report: Report, kb: Knowledge, forced: Severity | None, lines: LineIndex
) -> Finding:
    doc = kb.rules[rule_id]
    variant = doc.variant(report.variant)
    severity = forced or variant.severity or doc.severity
    message = _format(variant.message, report.args)
    at = report.at
    start = at.start_point if not isinstance(at, Span) else lines.point(at.start_byte)
    end = at.end_point if not isinstance(at, Span) else lines.point(at.end_byte)
    fix = report.fix
    if fix is not None:
        safety = fix.safety or (doc.fix if doc.fix is not FixSafety.NONE else FixSafety.UNSAFE)
        title = _format(fix.title or doc.fix_title or f"Fix {rule_id}", report.args)
        fix = Fix(fix.edits, safety, title)
    return Finding(
        rule_id,
        severity,
        message,
        at.start_byte,
        at.end_byte,
        (start[0], start[1]),
        (end[0], end[1]),
        fix,
        report.related,
    )


class _Args(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, args: dict[str, object]) -> str:
    try:
        return template.format_map(_Args(args))
    except (ValueError, IndexError):
        return template


def _unused_suppressions(
    suppressions: Suppressions, kb: Knowledge, settings: RuleSettings, lines: LineIndex
) -> list[Finding]:
    doc = kb.rules.get(UNUSED_SUPPRESSION)
    if doc is None:
        return []
    enabled, forced = settings.severity_of(doc)
    if not enabled:
        return []
    out = []
    for s in suppressions.items:
        if s.used:
            continue
        known = s.rule_id in kb.rules and s.rule_id in REGISTRY
        if known:
            rule_enabled, _ = settings.severity_of(kb.rules[s.rule_id])
            if not rule_enabled and not s.misplaced:
                continue
        variant = "misplaced" if s.misplaced else ("unused" if known else "unknown")
        report = Report(Span(s.start_byte, s.end_byte), variant, {"rule": s.rule_id})
        out.append(_finding(UNUSED_SUPPRESSION, report, kb, forced, lines))
    return out
