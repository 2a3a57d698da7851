"""Statement-wise analysis: after an edit inside one task, re-check only that task.

A task file is mostly a list of top-level statements that each define one task. Most rules
look for places to report inside one such statement and read only file-wide facts besides
(imports, SDK names, module constants, declarations, the task variables): those rules run on a
*view* of the model that holds one task statement, and once on a view of the *skeleton* (every
top-level statement without a task definition). Their findings are kept per task-statement
text, so an edit that changes one task's body re-runs them on that task alone; the rules marked
`whole_file` run on the whole model every time. The kept findings are valid while the skeleton,
the tasks' signatures (kind, id, variable, export), the settings and the file facts
(rules/base.FileFact: which functions log, whether a global error hook is set) stay the same;
otherwise everything is computed afresh. The findings of the rules that read the project's index
(`reads_index`) are kept apart, valid while the project's task ids and those rules' index keys
(its fanned-out tasks, its modules' logging) stay the same: when only these change (another file
gains a task, the workspace index completes), only those rules run again on each statement and
the others' findings are reused. Statements with syntax errors are never kept.

When most statements have no kept findings (a document just opened, the project's ids changed),
running the rules once on the whole model is quicker than once per statement: their findings are
then *attributed* to the statement they lie in and kept as if computed on its view, marked
unverified. While the editor is idle, `warm_step` computes each unverified statement on its view
and compares: when a statement's findings differ (a rule reported in one statement because of
another's text), the cache is disabled (whole-file analyses from then on) and `mismatch` asks the
caller to analyse the document again, since an edit made meanwhile may have reused the wrong ones.

The result equals `engine.analyze` on the same syntax tree: tests compare the two on every rule
fixture and after random edit sequences (tests/test_statements.py).
"""

from __future__ import annotations

import bisect
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel
from trigger_lsp.analysis.pieces import PieceCache
from trigger_lsp.knowledge.model import Knowledge, Severity
from trigger_lsp.lint.engine import (
    FileResult,
    Finding,
    Prepared,
    RuleError,
    active_rules,
    prepare,
    run_rules,
)
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.project.context import ProjectContext
from trigger_lsp.project.index import TaskIds
from trigger_lsp.rules.base import FACTS, Edit, Fix, Related, Rule
from trigger_lsp.text import LineIndex

Span = tuple[int, int]
# Where an offset lies, in terms that survive edits to other task statements: ("own", offset
# from the start of the statement the findings were computed for) or ("skeleton", offset in
# the text with every task statement cut out).
Anchor = tuple[str, int]

log = logging.getLogger(__name__)
# Below this many statements without kept findings, each runs on its view (_worth_attributing).
ATTRIBUTE_MIN = 2


@dataclass(frozen=True, eq=False)
class Layout:
    """The byte spans of the top-level statements that define tasks, and what the cache of
    one file version depends on besides their text."""

    spans: list[Span]
    key: tuple[object, ...]
    # Whether each task statement, and the skeleton, parsed without syntax errors: the tree
    # of text with errors depends on the text around it, so its findings are never kept.
    clean: list[bool]
    clean_skeleton: bool
    # Each task statement's text (a piece's own bytes when the model has pieces: hashed once
    # for every lookup of the version).
    texts: list[bytes]

    def skeleton_spans(self, size: int) -> list[Span]:
        out, at = [], 0
        for start, end in self.spans:
            if start > at:
                out.append((at, start))
            at = end
        if at < size:
            out.append((at, size))
        return out

    def anchor(self, offset: int, own: Span | None) -> Anchor | None:
        """None when the offset lies in (or at the edge of) a task statement other than
        `own`: such a finding depends on another statement and is not kept."""
        if own is not None and own[0] <= offset <= own[1]:
            return ("own", offset - own[0])
        i = bisect.bisect_right(self._starts, offset) - 1  # the last span starting at or before
        if i >= 0 and offset <= self.spans[i][1]:
            return None
        return ("skeleton", offset - self._removed[i + 1])

    def place(self, anchor: Anchor, own_start: int | None) -> int:
        kind, value = anchor
        if kind == "own":
            assert own_start is not None
            return own_start + value
        before = bisect.bisect_left(self._skeleton_starts, value)  # spans cut out before it
        return value + self._removed[before]

    @cached_property
    def _starts(self) -> list[int]:
        return [start for start, _ in self.spans]

    @cached_property
    def _removed(self) -> list[int]:
        """_removed[i]: the length of the first i task statements."""
        out = [0]
        for start, end in self.spans:
            out.append(out[-1] + end - start)
        return out

    @cached_property
    def _skeleton_starts(self) -> list[int]:
        """Where each task statement was cut out, in skeleton offsets."""
        return [start - self._removed[i] for i, (start, _) in enumerate(self.spans)]


def layout_of(prepared: Prepared) -> Layout:
    ctx = prepared.ctx
    root = ctx.tree.root_node
    spans: list[Span] = []
    texts: dict[Span, bytes] = {}
    signature: list[tuple[object, ...]] = []
    for task in ctx.model.tasks:
        if task.piece is not None:  # a model built from pieces knows the statement
            span = task.piece.span
            texts[span] = task.piece.text
        else:
            node: ts.Node = task.call
            while node.parent is not None and node.parent != root:
                node = node.parent
            span = (node.start_byte, node.end_byte)
        if not spans or spans[-1] != span:
            spans.append(span)
        signature.append((task.kind, task.id, task.variable, task.exported))
    spans.sort()
    skeleton = bytearray()
    at = 0
    for start, end in spans:
        skeleton += ctx.source[at:start]
        skeleton += b"\x00"  # where a task statement was
        at = end
    skeleton += ctx.source[at:]
    in_tasks = set(spans)
    clean = {span: True for span in spans}
    clean_skeleton = True
    for child in root.children:
        span = (child.start_byte, child.end_byte)
        if span in in_tasks:
            clean[span] = not child.has_error
        elif child.has_error or child.is_missing:
            clean_skeleton = False
    return Layout(
        spans,
        (bytes(skeleton), tuple(signature)),
        [clean[s] for s in spans],
        clean_skeleton,
        [texts.get(s) or ctx.source[s[0] : s[1]] for s in spans],
    )


@dataclass(frozen=True)
class Kept:
    """A finding with its offsets anchored (start, end, then each fix edit's start and end,
    then each same-file related location's start and end)."""

    finding: Finding
    anchors: tuple[Anchor, ...]


@dataclass
class StatementCache:
    """What one open document keeps between analyses."""

    key: tuple[object, ...] | None = None
    skeleton: list[Kept] | None = None
    by_text: dict[bytes, list[Kept]] = field(default_factory=dict)
    # The findings of the scoped rules that read the index (`reads_index`), kept apart under
    # their own key (the project's task ids, the rules' index keys): when only the index's
    # answers change, the other rules' kept findings stay and only these are computed again.
    index_key: tuple[object, ...] | None = None
    index_skeleton: list[Kept] | None = None
    index_by_text: dict[bytes, list[Kept]] = field(default_factory=dict)
    disabled: bool = False  # a finding depended on two task statements: analyse whole files
    pieces: PieceCache = field(default_factory=PieceCache)  # for building the model
    # The findings of each task statement as last placed, and where the statement stood.
    placed: dict[bytes, tuple[object, list[Kept], list[Kept], list[Finding]]] = field(
        default_factory=dict
    )
    # The kept findings attributed from a whole-model run and not yet compared with their
    # view's (statement texts; None stands for the skeleton), for each of the two keys.
    unverified: set[bytes | None] = field(default_factory=set)
    index_unverified: set[bytes | None] = field(default_factory=set)
    # Set by `warm_step` when attributed findings differed from their view's: the last result
    # may have reused wrong ones, and the document is to be analysed again (whole, now).
    mismatch: bool = False
    # The version to compute missing kept findings and check unverified ones from, a few
    # statements at a time, while the editor is idle (see `warm_step`).
    pending: tuple[Prepared, Layout, list[tuple[Rule, Severity | None]]] | None = None

    def reset(self, key: tuple[object, ...], index_key: tuple[object, ...]) -> None:
        self.key, self.skeleton, self.by_text, self.disabled = key, None, {}, False
        self.pending, self.placed, self.unverified = None, {}, set()
        self.reset_index(index_key)

    def reset_index(self, index_key: tuple[object, ...]) -> None:
        self.index_key, self.index_skeleton, self.index_by_text = index_key, None, {}
        self.index_unverified = set()

    def disable(self, mismatch: bool = False) -> None:
        """Analyse this document whole from now on."""
        self.disabled, self.pending = True, None
        self.mismatch = self.mismatch or mismatch


def warm_step(cache: StatementCache, budget_s: float) -> bool:
    """Compute the kept findings the statements of the last analysis lack, and check those
    attributed from a whole-model run against their view's, for about `budget_s` seconds;
    return whether some are left."""
    if cache.pending is None or cache.disabled:
        return False
    prepared, layout, rules = cache.pending
    path = prepared.ctx.path
    stop = time.perf_counter() + budget_s
    errors: list[RuleError] = []
    skeleton = layout.clean_skeleton and any(
        _todo(cache, None, cache.skeleton, cache.index_skeleton)
    )
    if skeleton and not _check(cache, prepared, layout, None, None, rules, errors, path):
        return False
    done = 0
    for span, clean, text in zip(layout.spans, layout.clean, layout.texts, strict=True):
        todo = _todo(cache, text, cache.by_text.get(text), cache.index_by_text.get(text))
        if not clean or not any(todo):
            continue
        if done and time.perf_counter() > stop:
            return True  # at least one statement per step
        if not _check(cache, prepared, layout, span, text, rules, errors, path):
            return False
        done += 1
    cache.pending = None
    return False


def _todo(
    cache: StatementCache, text: bytes | None, plain: object, indexed: object
) -> tuple[bool, bool]:
    """Whether a statement's (or the skeleton's) findings of the rules that do not read the
    index, and of those that do, are missing or unverified."""
    return (
        plain is None or text in cache.unverified,
        indexed is None or text in cache.index_unverified,
    )


def _check(
    cache: StatementCache,
    prepared: Prepared,
    layout: Layout,
    span: Span | None,
    text: bytes | None,
    rules: list[tuple[Rule, Severity | None]],
    errors: list[RuleError],
    path: Path | None,
) -> bool:
    """Compute one statement's (span None: the skeleton's) missing or unverified findings on
    its view; keep the missing ones and compare the unverified ones. False when the
    preparation stops here: a finding spans statements, a rule failed, or a mismatch."""
    if text is None:
        plain, indexed = cache.skeleton, cache.index_skeleton
    else:
        plain, indexed = cache.by_text.get(text), cache.index_by_text.get(text)
    todo_plain, todo_index = _todo(cache, text, plain, indexed)
    wanted = [(r, f) for r, f in rules if (todo_index if r.reads_index else todo_plain)]
    spans = [span] if span is not None else layout.skeleton_spans(len(prepared.ctx.source))
    found = _run_view(prepared, layout, spans, span, wanted, errors)
    if found is None:  # a finding spans statements
        cache.disable()
        return False
    new, cacheable = found
    if not cacheable:  # a rule failed: tried again by the next analysis
        cache.pending = None
        return False
    new_plain, new_indexed = _split(new, rules)
    for todo, old, computed, unverified in (
        (todo_plain, plain, new_plain, cache.unverified),
        (todo_index, indexed, new_indexed, cache.index_unverified),
    ):
        if not todo:
            continue
        if old is None:
            _store(cache, text, computed, unverified is cache.index_unverified)
        elif _shapes(old, path) != _shapes(computed, path):
            log.warning("kept findings differ from their statement's own: analysing whole")
            cache.disable(mismatch=True)
            return False
        unverified.discard(text)
    return True


def _store(cache: StatementCache, text: bytes | None, kept: list[Kept], indexed: bool) -> None:
    if text is None:
        if indexed:
            cache.index_skeleton = kept
        else:
            cache.skeleton = kept
    elif indexed:
        cache.index_by_text[text] = kept
    else:
        cache.by_text[text] = kept


def _shapes(kept: list[Kept], path: Path | None) -> Counter[tuple[object, ...]]:
    """What kept findings say, wherever their statement stands."""
    out: Counter[tuple[object, ...]] = Counter()
    for k in kept:
        f = k.finding
        fix = f.fix and (f.fix.safety, f.fix.title, tuple(e.text for e in f.fix.edits))
        related = tuple(
            (r.message,) if r.path == path else (r.path, r.start_byte, r.end_byte, r.message)
            for r in f.related
        )
        out[(k.anchors, f.rule, f.severity, f.message, fix, related)] += 1
    return out


def analyze_statements(
    cache: StatementCache,
    source: bytes,
    path: Path | None = None,
    *,
    project: ProjectContext | None = None,
    settings: RuleSettings | None = None,
    index: TaskIds | None = None,
    grammar: str | None = None,
    tree: ts.Tree | None = None,
    kb: Knowledge | None = None,
    lines: LineIndex | None = None,
    model: FileModel | None = None,
) -> FileResult:
    """Like `engine.analyze`, reusing the findings of task statements that did not change.
    `lines` may be the line index of `source`, and `model` the model of `tree`, that the
    caller already keeps."""
    prepared = prepare(
        source, path, project, settings, index, grammar, tree, kb, lines, model, cache.pieces
    )
    if isinstance(prepared, FileResult):
        return prepared
    rules = active_rules(prepared)
    whole = [(r, f) for r, f in rules if r.whole_file]
    scoped = [(r, f) for r, f in rules if not r.whole_file]
    layout = layout_of(prepared)
    root = prepared.ctx.project.root
    key: tuple[object, ...] = (layout.key, prepared.ctx.project, prepared.settings, path)
    key += (prepared.is_trigger,)
    key += tuple(prepared.ctx.fact(f) for f in FACTS.values())  # what rules read elsewhere
    # What only the rules that read the index depend on besides (unknown-task-id reads the
    # project's ids): when only this changes, only their findings are computed again.
    project_ids = index.ids(root) if index and index.complete else None
    index_key: tuple[object, ...] = (project_ids,)
    index_key += tuple(r.index_key(prepared.ctx) for r, _ in scoped if r.index_key is not None)
    raw, errors = run_rules(prepared, whole, prepared.ctx)
    if cache.key != key:
        cache.reset(key, index_key)
    elif cache.index_key != index_key:
        cache.reset_index(index_key)
    if not layout.spans or cache.disabled:
        cache.pending = None
        more, more_errors = run_rules(prepared, scoped, prepared.ctx)
        return prepared.result(raw + more, errors + more_errors)
    wanted = _worth_attributing(cache, prepared, layout, scoped)
    if wanted:  # most statements lack kept findings: one run on the whole model, attributed
        # (a model built from pieces collects each task's nodes on its own when a rule asks
        # the whole model for them: 237 queries at 10,000 lines, 40 ms; once on the whole
        # tree, 25 ms)
        prepared.ctx.model.of("call")
        more, more_errors = run_rules(prepared, wanted, prepared.ctx)
        attributed = not more_errors and _attribute(cache, prepared, layout, wanted, more)
        if not attributed and len(wanted) == len(scoped):  # this run is the answer
            cache.pending = None if cache.disabled else (prepared, layout, scoped)
            return prepared.result(raw + more, errors + more_errors)
    kept = _scoped_findings(cache, prepared, layout, scoped, errors)
    if kept is None:  # a finding spans statements: this file is analysed whole from now on
        cache.disable()
        more, more_errors = run_rules(prepared, scoped, prepared.ctx)
        return prepared.result(raw + more, errors + more_errors)
    # unverified findings are checked while idle (kept ones of this version's statements)
    cache.pending = (
        (prepared, layout, scoped) if cache.unverified or cache.index_unverified else None
    )
    seen: set[tuple[str, int, int, str]] = set()
    for finding in kept:
        identity = (finding.rule, finding.start_byte, finding.end_byte, finding.message)
        if identity not in seen:
            seen.add(identity)
            raw.append(finding)
    return prepared.result(raw, errors)


def _worth_attributing(
    cache: StatementCache,
    prepared: Prepared,
    layout: Layout,
    rules: list[tuple[Rule, Severity | None]],
) -> list[tuple[Rule, Severity | None]]:
    """The rules to run once on the whole model and attribute (see the module's docstring):
    those whose kept findings more than a quarter of the statements (and two or more) lack."""
    texts = [t for t, ok in zip(layout.texts, layout.clean, strict=True) if ok]

    def enough(missing: int) -> bool:
        return missing >= ATTRIBUTE_MIN and missing * 4 > len(layout.spans)

    plain = enough(sum(1 for t in texts if t not in cache.by_text))
    indexed = enough(sum(1 for t in texts if t not in cache.index_by_text))
    return [(r, f) for r, f in rules if (indexed if r.reads_index else plain)]


def _attribute(
    cache: StatementCache,
    prepared: Prepared,
    layout: Layout,
    rules: list[tuple[Rule, Severity | None]],
    found: list[Finding],
) -> bool:
    """Keep the findings of `rules` run on the whole model under the statement each lies in
    (or the skeleton), where none are kept, as unverified; False when a finding lies across
    statements (the cache is then disabled). Statements with syntax errors, and statements
    of one text whose findings differ, are left to their views."""
    path = prepared.ctx.path
    units: dict[Span | None, list[Kept]] = {}
    for finding in found:
        placed = _unit(layout, _offsets(finding, path))
        if placed is None:
            cache.disable()
            return False
        unit, anchors = placed
        units.setdefault(unit, []).append(Kept(finding, anchors))
    plain_ran = any(not r.reads_index for r, _ in rules)
    index_ran = any(r.reads_index for r, _ in rules)
    by_text: dict[bytes | None, tuple[list[Kept], list[Kept]]] = {}
    differ: set[bytes | None] = set()
    if layout.clean_skeleton:
        by_text[None] = _split(units.get(None, []), rules)
    for span, clean, text in zip(layout.spans, layout.clean, layout.texts, strict=True):
        if not clean:
            continue
        split = _split(units.get(span, []), rules)
        same = by_text.setdefault(text, split)
        if same is not split and any(
            _shapes(a, path) != _shapes(b, path) for a, b in zip(same, split, strict=True)
        ):
            differ.add(text)
    for statement, (plain, indexed) in by_text.items():
        if statement in differ:
            continue
        if statement is None:
            kept_plain, kept_index = cache.skeleton, cache.index_skeleton
        else:
            kept_plain, kept_index = (
                cache.by_text.get(statement),
                cache.index_by_text.get(statement),
            )
        if plain_ran and kept_plain is None:
            _store(cache, statement, plain, False)
            cache.unverified.add(statement)
        if index_ran and kept_index is None:
            _store(cache, statement, indexed, True)
            cache.index_unverified.add(statement)
    return True


def _unit(layout: Layout, offsets: list[int]) -> tuple[Span | None, tuple[Anchor, ...]] | None:
    """The task statement (None: the skeleton) a finding's offsets anchor in, the one its
    start lies in first, and the anchors; None when there is none."""
    start = offsets[0]
    i = bisect.bisect_right(layout._starts, start) - 1
    candidates: list[Span | None] = [
        layout.spans[j]
        for j in (i, i - 1)
        if j >= 0 and layout.spans[j][0] <= start <= layout.spans[j][1]
    ]
    for own in [*candidates, None]:
        anchors = [layout.anchor(o, own) for o in offsets]
        if all(a is not None for a in anchors):
            return own, tuple(a for a in anchors if a is not None)
    return None


def _scoped_findings(
    cache: StatementCache,
    prepared: Prepared,
    layout: Layout,
    rules: list[tuple[Rule, Severity | None]],
    errors: list[RuleError],
) -> list[Finding] | None:
    skeleton_kept = _skeleton_kept(cache, prepared, layout, rules, errors)
    if skeleton_kept is None:
        return None
    out = [_placed(k, layout, prepared, None) for k in skeleton_kept]
    current: dict[bytes, list[Kept]] = {}  # only this version's statements stay kept
    current_index: dict[bytes, list[Kept]] = {}
    placed: dict[bytes, tuple[object, list[Kept], list[Kept], list[Finding]]] = {}
    for span, clean, text in zip(layout.spans, layout.clean, layout.texts, strict=True):
        found = _entries(cache, prepared, layout, span, text, clean, rules, errors)
        if found is None:
            return None
        entry, keep, index_entry, keep_index = found
        if keep:
            current[text] = entry
        if keep_index:
            current_index[text] = index_entry
        # A statement that stands where it stood (same offset, line and column) has its
        # findings where they were, unless one is anchored outside it.
        where = (span[0], prepared.lines.point(span[0]))
        before = cache.placed.get(text)
        if (
            before is not None
            and before[0] == where
            and before[1] is entry
            and before[2] is index_entry
        ):
            findings = before[3]
        else:
            findings = [_placed(k, layout, prepared, span[0]) for k in entry + index_entry]
        if all(a[0] == "own" for k in entry + index_entry for a in k.anchors):
            placed[text] = (where, entry, index_entry, findings)
        out.extend(findings)
    cache.by_text, cache.index_by_text = current, current_index
    cache.unverified &= {None, *current}
    cache.index_unverified &= {None, *current_index}
    cache.placed = placed
    return out


def _entries(
    cache: StatementCache,
    prepared: Prepared,
    layout: Layout,
    span: Span,
    text: bytes,
    clean: bool,
    rules: list[tuple[Rule, Severity | None]],
    errors: list[RuleError],
) -> tuple[list[Kept], bool, list[Kept], bool] | None:
    """One task statement's findings: those of the rules that do not read the index and
    whether they may be kept, then those of the rules that do and whether they may be kept.
    The kept ones are reused; only the rules whose findings are not kept run, on a view of
    the statement. None when a finding cannot be anchored."""
    entry = cache.by_text.get(text) if clean else None
    index_entry = cache.index_by_text.get(text) if clean else None
    if entry is not None and index_entry is not None:
        return entry, True, index_entry, True
    wanted = [(r, f) for r, f in rules if (index_entry is None if r.reads_index else entry is None)]
    found = _run_view(prepared, layout, [span], span, wanted, errors)
    if found is None:
        return None
    new, cacheable = found
    keep = cacheable and clean
    plain, indexed = _split(new, rules)
    if entry is None and index_entry is None:
        return plain, keep, indexed, keep
    if entry is None:
        assert index_entry is not None
        return plain, keep, index_entry, True
    return entry, True, indexed, keep


def _split(
    kept: list[Kept], rules: list[tuple[Rule, Severity | None]]
) -> tuple[list[Kept], list[Kept]]:
    """Kept findings of rules that do not read the index, then those of rules that do."""
    reading = {r.id for r, _ in rules if r.reads_index}
    plain = [k for k in kept if k.finding.rule not in reading]
    return plain, [k for k in kept if k.finding.rule in reading]


def _skeleton_kept(
    cache: StatementCache,
    prepared: Prepared,
    layout: Layout,
    rules: list[tuple[Rule, Severity | None]],
    errors: list[RuleError],
) -> list[Kept] | None:
    """The skeleton's findings: the kept ones, else computed (and kept when they may be);
    None when a finding cannot be anchored."""
    clean = layout.clean_skeleton
    plain = cache.skeleton if clean else None
    indexed = cache.index_skeleton if clean else None
    if plain is not None and indexed is not None:
        return plain + indexed
    wanted = [(r, f) for r, f in rules if (indexed is None if r.reads_index else plain is None)]
    spans = layout.skeleton_spans(len(prepared.ctx.source))
    found = _run_view(prepared, layout, spans, None, wanted, errors)
    if found is None:
        return None
    new, cacheable = found
    new_plain, new_indexed = _split(new, rules)
    if plain is None:
        plain = new_plain
        if cacheable and clean:
            cache.skeleton = plain
    if indexed is None:
        indexed = new_indexed
        if cacheable and clean:
            cache.index_skeleton = indexed
    return plain + indexed


def _run_view(
    prepared: Prepared,
    layout: Layout,
    spans: list[Span],
    own: Span | None,
    rules: list[tuple[Rule, Severity | None]],
    errors: list[RuleError],
) -> tuple[list[Kept], bool] | None:
    """The anchored findings of the rules on a view, and whether they may be kept (not when
    a rule failed: it is tried again next time); None when a finding cannot be anchored."""
    ctx = prepared.ctx
    view = ctx.viewed(spans)  # what a rule that is not whole_file sees
    found, failed = run_rules(prepared, rules, view)
    errors.extend(e for e in failed if e not in errors)
    kept = []
    for finding in found:
        anchors = [layout.anchor(o, own) for o in _offsets(finding, ctx.path)]
        if any(a is None for a in anchors):
            return None
        kept.append(Kept(finding, tuple(a for a in anchors if a is not None)))
    return kept, not failed


def _offsets(finding: Finding, path: Path | None) -> list[int]:
    offsets = [finding.start_byte, finding.end_byte]
    if finding.fix is not None:
        for edit in finding.fix.edits:
            offsets += [edit.start, edit.end]
    for rel in finding.related:
        if rel.path == path:
            offsets += [rel.start_byte, rel.end_byte]
    return offsets


def _placed(kept: Kept, layout: Layout, prepared: Prepared, own_start: int | None) -> Finding:
    f = kept.finding
    at = iter(layout.place(a, own_start) for a in kept.anchors)
    start, end = next(at), next(at)
    fix = f.fix
    if fix is not None:
        fix = Fix(tuple(Edit(next(at), next(at), e.text) for e in fix.edits), fix.safety, fix.title)
    related = f.related
    if related:
        related = tuple(
            Related(r.path, next(at), next(at), r.message) if r.path == prepared.ctx.path else r
            for r in related
        )
    lines = prepared.lines
    return Finding(
        f.rule,
        f.severity,
        f.message,
        start,
        end,
        lines.point(start),
        lines.point(end),
        fix,
        related,
    )
