"""The analysis engine shared by the CLI and the language server: one file in, findings out."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel, build_model
from trigger_lsp.analysis.pieces import PieceCache
from trigger_lsp.analysis.slices import checkpoint
from trigger_lsp.analysis.syntax import MAX_DEPTH, grammar_for, parents_kept, parse
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import FixSafety, Knowledge, RuleDoc, Severity, fill
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.lint.suppressions import Suppressions, collect
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.project.index import TaskIds
from trigger_lsp.rules.base import FileContext, Fix, Related, Report, Span, WholeFileContext
from trigger_lsp.text import MAX_FILE_BYTES, LineIndex, looks_binary

if TYPE_CHECKING:
    from trigger_lsp.rules import Rule

log = logging.getLogger(__name__)

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


def warm_up() -> None:
    """Load what the first analysis needs (the rule modules, the compiled syntax queries), so
    that a server can do it before its first document arrives."""
    from trigger_lsp.analysis.model import _query
    from trigger_lsp.rules import REGISTRY
    from trigger_lsp.rules.contract import broken_rules

    assert REGISTRY
    broken_rules(knowledge())  # a rule whose messages disagree with the references: logged
    for grammar in ("typescript", "tsx"):
        _query(grammar)


def analyze(
    source: bytes,
    path: Path | None = None,
    *,
    project: ProjectContext | None = None,
    settings: RuleSettings | None = None,
    index: TaskIds | None = None,
    grammar: str | None = None,
    tree: ts.Tree | None = None,
    rules: Iterable[Rule] | None = None,
    kb: Knowledge | None = None,
) -> FileResult:
    """Analyse one file. `tree` may be a tree already parsed (incrementally) from `source`."""
    prepared = prepare(source, path, project, settings, index, grammar, tree, kb)
    if isinstance(prepared, FileResult):
        return prepared
    raw, errors = run_rules(prepared, active_rules(prepared, rules), prepared.ctx)
    return prepared.result(raw, errors)


@dataclass
class Prepared:
    """A file parsed and modelled, with what every rule run on it shares."""

    ctx: WholeFileContext
    kb: Knowledge
    settings: RuleSettings
    is_trigger: bool
    lines: LineIndex
    notes: list[str]

    def result(self, raw: list[Finding], errors: list[RuleError]) -> FileResult:
        """The file's result from the findings of every rule, before suppressions."""
        ctx = self.ctx
        suppressions = collect(ctx.model.of("comment"), ctx.source, ctx.tree.root_node)
        findings = [f for f in raw if not suppressions.match(f.rule, f.start[0])]
        findings.extend(_unused_suppressions(suppressions, self.kb, self.settings, self.lines))
        findings.sort(key=lambda f: (f.start_byte, f.rule))
        return FileResult(
            ctx.path, findings, self.notes, errors, False, ctx.tree, ctx.model, self.is_trigger
        )


def prepare(
    source: bytes,
    path: Path | None = None,
    project: ProjectContext | None = None,
    settings: RuleSettings | None = None,
    index: TaskIds | None = None,
    grammar: str | None = None,
    tree: ts.Tree | None = None,
    kb: Knowledge | None = None,
    lines: LineIndex | None = None,
    model: FileModel | None = None,
    pieces: PieceCache | None = None,
) -> Prepared | FileResult:
    """Parse and model the file (unless given the tree, and the model of that tree); a file
    that is not analysed (too large, binary) comes back as its FileResult."""
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
    grammar = grammar or grammar_for(path)
    if tree is None:
        tree = parse(source, grammar)
    if model is None:
        model = build_model(tree, grammar, pieces)
    if model.too_deep:  # (build_model looked: see syntax.deeper_than)
        # Work with depth (every walk up the tree) would be unbounded: skip, like a large file.
        note = f"skipped: the syntax nests more than {MAX_DEPTH} levels deep"
        return FileResult(path, [], [note], skipped=True)
    notes = []
    if tree.root_node.has_error:
        notes.append("the file has syntax errors; results may be partial")
    is_trigger = model.imports_sdk or (path is not None and project.in_trigger_dir(path))
    settings = settings or RuleSettings()
    ctx = WholeFileContext(path, source, tree, model, project, index, settings.profile)
    lines = lines or LineIndex(source)
    return Prepared(ctx, kb, settings, is_trigger, lines, notes)


def active_rules(
    prepared: Prepared, rules: Iterable[Rule] | None = None
) -> list[tuple[Rule, Severity | None]]:
    """The rules that run on this file (enabled, and for Trigger.dev files or any file), each
    with the severity the settings force on it."""
    if rules is None:
        from trigger_lsp.rules import REGISTRY  # the rule modules load on first analysis

        rules = REGISTRY.values()
    from trigger_lsp.rules.contract import broken_rules

    project = prepared.ctx.project
    broken = broken_rules(prepared.kb)
    active = []
    for rule in rules:
        doc = prepared.kb.rules.get(rule.id)
        if doc is None or rule.id in broken:
            continue
        enabled, forced = prepared.settings.severity_of(doc)
        if not enabled or not (prepared.is_trigger or rule.any_file):
            continue
        gate = doc.applies
        if gate is not None and not gate.holds(project.version_of(gate.package).version):
            continue  # outside the versions it applies to, or the version is unknown
        active.append((rule, forced))
    return active


def run_rules(
    prepared: Prepared, rules: list[tuple[Rule, Severity | None]], ctx: FileContext
) -> tuple[list[Finding], list[RuleError]]:
    """The findings of the rules on `ctx` (the whole file, or a view of it), unsuppressed."""
    findings: list[Finding] = []
    errors: list[RuleError] = []
    with parents_kept():  # rules walk up through the same ancestors: each looked up once
        for rule, forced in rules:
            checkpoint()  # (in the server, a long analysis yields to requests here: slices.py)
            try:  # the messages too: a wrong variant or a missing argument costs that rule
                found = list(_rule_findings(rule, forced, prepared, ctx))
            except Exception as exc:  # one failing rule costs only itself
                log.exception("rule %s failed on %s", rule.id, ctx.path)
                errors.append(RuleError(rule.id, f"{type(exc).__name__}: {exc}"))
                continue
            findings.extend(found)
    return findings, errors


def _rule_findings(
    rule: Rule, forced: Severity | None, prepared: Prepared, ctx: FileContext
) -> Iterable[Finding]:
    doc = prepared.kb.rules[rule.id]
    for report in list(rule.check(ctx)):  # (all of a rule's reports, or its error)
        checkpoint()
        wanted = report.variant
        for name in wanted if isinstance(wanted, tuple) else (wanted,):
            if not rule.messages.declares(name):
                raise KeyError(f"rule '{rule.id}' reports the undeclared message variant {name!r}")
        variant = _variant(doc, wanted, ctx.project)
        if variant is _NO_VARIANT:
            continue  # no message of it applies to the project's version
        report = replace(report, variant=variant)
        finding = _finding(rule.id, report, prepared.kb, forced, prepared.lines)
        yield _with_line_ends(finding, ctx.source)


_NO_VARIANT = "\0none"


def _variant(
    doc: RuleDoc, wanted: str | tuple[str | None, ...] | None, project: ProjectContext
) -> str | None:
    """The first of the report's variants whose `applies:` range holds for the project's
    version (a variant without one always does); _NO_VARIANT when none does."""
    for name in wanted if isinstance(wanted, tuple) else (wanted,):
        gate = doc.variant(name).applies
        if gate is None or gate.holds(project.version_of(gate.package).version):
            return name
    return _NO_VARIANT


def _with_line_ends(finding: Finding, source: bytes) -> Finding:
    """Rules write the line breaks of their fixes as `\\n`; in a file whose lines end with
    CRLF they become CRLF, so a fix never mixes line endings."""
    fix = finding.fix
    if fix is None or not any("\n" in e.text for e in fix.edits):
        return finding
    first = source.find(b"\n")
    if first <= 0 or source[first - 1] != 0x0D:
        return finding
    edits = tuple(replace(e, text=_crlf(e.text)) for e in fix.edits)
    return replace(finding, fix=replace(fix, edits=edits))


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def finding_from_report(
    rule_id: str, report: Report, kb: Knowledge, forced: Severity | None, lines: LineIndex
) -> Finding:
    """A finding for a report made outside `analyze` (the package.json checker)."""
    return _finding(rule_id, report, kb, forced, lines)


def _finding(
    rule_id: str, report: Report, kb: Knowledge, forced: Severity | None, lines: LineIndex
) -> Finding:
    doc = kb.rules[rule_id]
    wanted = report.variant
    variant = doc.variant(wanted[0] if isinstance(wanted, tuple) else wanted)
    severity = forced or variant.severity or doc.severity
    message = fill(variant.message, report.args)
    at = report.at
    start = at.start_point if not isinstance(at, Span) else lines.point(at.start_byte)
    end = at.end_point if not isinstance(at, Span) else lines.point(at.end_byte)
    fix = report.fix
    if fix is not None:
        safety = fix.safety or (doc.fix if doc.fix is not FixSafety.NONE else FixSafety.UNSAFE)
        title = fill(fix.title or doc.fix_title or f"Fix {rule_id}", report.args)
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


def _unused_suppressions(
    suppressions: Suppressions, kb: Knowledge, settings: RuleSettings, lines: LineIndex
) -> list[Finding]:
    doc = kb.rules.get(UNUSED_SUPPRESSION)
    if doc is None:
        return []
    enabled, forced = settings.severity_of(doc)
    if not enabled:
        return []
    from trigger_lsp.rules import REGISTRY

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
