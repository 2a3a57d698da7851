"""The statement-wise analysis the editor uses (trigger_lsp.lint.statements) equals a full analysis:
after every edit of random edit sequences on real task files, with the cache carried from one
version to the next. (tests/helpers.lint also compares the two on every rule fixture.)"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from helpers import REPO, comparable, repository_sources
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lint.engine import analyze
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.lint.statements import StatementCache, analyze_statements, warm_step
from trigger_lsp.lsp.documents import Document
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.project.index import ProjectIndex, entries_for
from trigger_lsp.project.versions import CURRENT
from trigger_lsp.text import LineIndex

ROOT = REPO
SOURCES = repository_sources()
# Fragments that make and break findings: waits, triggers, logging, error handling, options,
# secrets, whole task definitions, and bits of syntax that glue or split statements.
FRAGMENTS = [
    "x",
    "\n",
    ";",
    "}",
    "{",
    "})",
    "});\n",
    " logger.log('hi');",
    " await wait.for({ seconds: 5 });",
    " await Promise.all([child.triggerAndWait({}), other.triggerAndWait({})]);",
    " const r = await child.triggerAndWait({ at: new Date() }); return r;",
    " try { await fetch('x'); } catch (e) { console.log(e); }",
    " tasks.trigger('no-such-task', {});",
    ' machine: "huge-9x",',
    " maxDuration: 1,",
    ' cron: "61 * * * *",',
    ' "tr_prod_abcdefghijklmnop0123"',
    "\nexport const extra = task({ id: 'extra', run: async () => { return 1; } });\n",
    "\nexport const twin = task({ id: 'extra', run: async () => {} });\n",
    "\nconst opts = { machine: 'small-9x' };\n",
    "\nimport { logger } from '@trigger.dev/sdk';\n",
    " // trigger-lsp-ignore task-no-logging\n",
    "é🚀",
    "",  # editors send empty changes too
]


def current_context(root: Path) -> ProjectContext:
    """A project on the current SDK, so that the rules gated on a version run too (a bare
    default_context has an unknown version)."""
    return replace(default_context(root), sdk_version=CURRENT, sdk_version_source="test")


def _char_start(text: bytes, at: int) -> int:
    while 0 < at < len(text) and text[at] & 0xC0 == 0x80:  # not inside a UTF-8 sequence
        at -= 1
    return at


NO_SUCH_TASK = (
    b'import { task } from "@trigger.dev/sdk";\n'
    b'export const z = task({ id: "no-such-task", run: async () => {} });\n'
)


def _index_of(*files: tuple[Path, bytes], root: Path = Path("/project")) -> ProjectIndex:
    """A complete index of these files, in the project at `root`."""
    index = ProjectIndex()
    for path, text in files:
        model = build_model(parse(text, "typescript"), "typescript")
        index.update(path, entries_for(model, path, root))
    index.complete = True
    return index


def _check_sequence(path: Path, edits: list[tuple[float, float, int, int]]) -> None:
    """Replays the edits as the server meets them: applied to an open document (its tree
    edited and re-parsed incrementally), with `idle` steps of statement preparation run
    after the edit arrived and before the next analysis."""
    project = current_context(path.parent)
    rules = RuleSettings({"all": "on"})
    kb = knowledge()
    cache = StatementCache()
    target = Path("/project/src/trigger") / path.name
    doc = Document("file:///doc.ts", target, "typescript", 1, path.read_bytes(), "typescript")
    # The project's ids change every second edit (another file defines `no-such-task`, which
    # a fragment triggers, then not): only the rules that read the index are re-run then.
    other = target.with_name("other.ts")
    indexes = [
        _index_of((target, doc.source), root=project.root),
        _index_of((target, doc.source), (other, NO_SUCH_TASK), root=project.root),
    ]
    analyze_statements(
        cache,
        doc.source,
        target,
        project=project,
        settings=rules,
        kb=kb,
        tree=doc.parsed(),
        index=indexes[0],
    )
    for i, (where, span, fragment, idle) in enumerate(edits):
        index = indexes[(i + 1) // 2 % 2]
        text = doc.source
        start = _char_start(text, int(where * len(text)))
        end = _char_start(text, min(len(text), start + int(span * 40)))
        change = lsp.TextDocumentContentChangePartial(
            range=doc.range(start, end, "utf-8"), text=FRAGMENTS[fragment]
        )
        doc.apply(change, "utf-8")
        for _ in range(idle):
            warm_step(cache, 0.0)
        text = doc.source
        tree = doc.parsed()
        # The incremental re-parse equals a fresh parse of text without syntax errors (with
        # errors, tree-sitter may recover differently after an edit: both trees are valid).
        fresh = parse(text, "typescript")
        if not fresh.root_node.has_error:
            assert str(tree.root_node) == str(fresh.root_node)
        full = analyze(text, target, project=project, settings=rules, kb=kb, tree=tree, index=index)
        assert doc.lines.starts == LineIndex(text).starts
        by_statement = analyze_statements(
            cache,
            text,
            target,
            project=project,
            settings=rules,
            kb=kb,
            tree=tree,
            lines=doc.lines,
            index=index,
        )
        assert comparable(by_statement.findings) == comparable(full.findings), (
            f"after editing {path.name}:\n{text.decode(errors='replace')}"
        )


EDITS = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.sampled_from([0.0, 0.0, 0.05, 0.5, 1.0]),  # mostly insertions, some replacements
        st.integers(0, len(FRAGMENTS) - 1),
        st.sampled_from([0, 0, 1, 100]),  # idle steps before the analysis of the edit
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=int(os.environ.get("TRIGGER_LSP_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(SOURCES), EDITS)
# `try` becomes `trxy`: the re-parsed tree recovers from the error unlike a fresh parse
@example(ROOT / "tests/projects/v4-app/src/trigger/onboarding.ts", [(0.5625, 0.0, 0, 0)])
def test_statement_wise_equals_full_after_random_edits(path: Path, edits: list) -> None:
    _check_sequence(path, edits)


def test_idle_preparation_after_an_edit_reads_the_version_it_was_planned_for(
    tmp_path: Path,
) -> None:
    # Found by the server-level property test: an edit edited the syntax tree in place, and
    # the idle preparation then read the old version's nodes from a changed tree.
    path = tmp_path / "two.ts"
    path.write_bytes(
        b'import { task, logger, wait } from "@trigger.dev/sdk";\r\n'
        b'export const a = task({\r\n  id: "a",\r\n  run: async () => {\r\n'
        b"    await Promise.all([b.triggerAndWait({}), wait.for({ seconds: 1 })]);\r\n"
        b"  },\r\n});\r\n"
        b'export const b = task({ id: "b", machine: "large-4x", run: async () => {} });\r\n'
    )
    for where in (0.01, 0.3, 0.5, 0.9):
        for fragment in ("", "x"):
            _check_sequence(path, [(where, 0.0, FRAGMENTS.index(fragment), 100)])


def test_the_sources_have_tasks() -> None:
    assert len(SOURCES) >= 5


def test_an_edit_inside_one_task_reruns_only_that_task() -> None:
    source = (ROOT / "examples" / "src" / "trigger").glob("*.ts")
    path = max(source, key=lambda p: p.read_bytes().count(b"task("))
    text = path.read_bytes()
    cache = StatementCache()
    target = Path("/project/src/trigger") / path.name
    project = current_context(Path("/project"))
    analyze_statements(cache, text, target, project=project)  # whole, then prepared when idle
    while warm_step(cache, 1.0):
        pass
    kept = dict(cache.by_text)
    assert len(kept) >= 2
    first = min(kept, key=text.index)
    at = text.index(first) + first.index(b"run:")
    edited = text[:at] + b"/* edited */ " + text[at:]
    analyze_statements(cache, edited, target, project=project)
    assert set(kept) - set(cache.by_text) == {first}  # the others were reused...
    assert all(cache.by_text[t] is kept[t] for t in kept if t != first)
    changed = [t for t in cache.by_text if t not in kept]
    assert len(changed) == 1 and b"/* edited */" in changed[0]  # ...and the old text dropped


def test_a_cold_analysis_is_whole_attributed_and_checked_while_idle() -> None:
    """Issue 19: a document's first analysis runs the rules once on the whole model and keeps
    each finding under the statement it lies in, unverified, so that the first edit (before
    any idle time) re-runs only the edited statement; idle steps then compute each statement
    on its own view, one per step, and find the same."""
    path = ROOT / "tests" / "projects" / "v4-app" / "src" / "trigger" / "orders.ts"
    text = path.read_bytes()
    target = Path("/project/src/trigger/orders.ts")
    project = current_context(Path("/project"))
    cache = StatementCache()
    first = analyze_statements(cache, text, target, project=project)
    assert comparable(first.findings) == comparable(analyze(text, target, project=project).findings)
    statements = set(cache.by_text)
    assert len(statements) >= 2 and cache.unverified == {None, *statements}
    assert cache.pending is not None
    attributed = dict(cache.by_text)
    at = text.rindex(b"run:")
    edited = text[:at] + b"/* x */ " + text[at:]
    again = analyze_statements(cache, edited, target, project=project)  # no idle time between
    assert comparable(again.findings) == comparable(
        analyze(edited, target, project=project).findings
    )
    reused = [t for t in attributed if cache.by_text.get(t) is attributed[t]]
    assert len(reused) == len(attributed) - 1  # only the edited statement was analysed again
    assert cache.unverified == {None, *reused}  # (the edited one was computed on its view)
    steps = 0
    while warm_step(cache, 0.0):  # one statement per step
        steps += 1
    assert steps >= len(reused) - 1
    assert cache.pending is None and not cache.unverified and not cache.mismatch
    assert all(cache.by_text[t] is attributed[t] for t in reused)  # checked, and kept as they were


def test_attributed_findings_that_differ_from_the_statements_own_disable_the_cache() -> None:
    """A rule that reports in one statement because of another's text breaks the attribution
    (the finding would stay when the other statement changes): the idle check finds the
    difference, says so (`mismatch`: the caller analyses the document again) and the
    document is analysed whole from then on."""
    from trigger_lsp.lint.statements import Kept

    text = IDS_CHANGE
    target = Path("/project/src/trigger/ids.ts")
    project = current_context(Path("/project"))
    cache = StatementCache()
    analyze_statements(cache, text, target, project=project)
    statement = next(t for t in cache.by_text if t is not None and b'id: "c"' in t)
    kept = cache.by_text[statement]
    assert kept, "maxDuration: 1 is flagged in c"
    cache.by_text[statement] = kept[1:] + [Kept(kept[0].finding, kept[0].anchors)] * 2
    while warm_step(cache, 1.0):
        pass
    assert cache.mismatch and cache.disabled and cache.pending is None
    edited = text.replace(b"maxDuration: 1", b"maxDuration: 2")
    again = analyze_statements(cache, edited, target, project=project)
    assert comparable(again.findings) == comparable(
        analyze(edited, target, project=project).findings
    )


HELPERS = b"""import { task, tasks, logger } from "@trigger.dev/sdk";

export const a = task({ id: "a", run: async () => { report(); } });

export const b = task({
  id: "b",
  run: async () => {
    function report() { logger.info("b"); }
    report();
  },
});
"""


def test_a_file_fact_change_in_one_statement_rechecks_the_others() -> None:
    """`a` calls `report`, which logs in another task statement (task-no-logging reads the
    file's logging helpers, a file fact): when that statement stops logging, `a` is flagged
    although its own text did not change; when a global error hook appears inside a task
    statement, every task's task-no-error-handling finding goes."""
    target = Path("/project/src/trigger/helpers.ts")
    project = current_context(Path("/project"))
    cache = StatementCache()
    on = RuleSettings({"task-no-error-handling": "on"})  # off by default
    versions = [
        HELPERS,
        HELPERS.replace(b'logger.info("b");', b"return 1;"),
        HELPERS.replace(b"report();\n  },", b"report(); tasks.catchError(() => {});\n  },"),
    ]
    rules = ("task-no-logging", "task-no-error-handling")
    for text in versions:  # each analysed from the cache the previous version left
        got = analyze_statements(cache, text, target, project=project, settings=on)
        while warm_step(cache, 1.0):
            pass
        want = analyze(text, target, project=project, settings=on)
        assert comparable(got.findings) == comparable(want.findings)
    flagged = [
        [
            f.rule
            for f in analyze(t, target, project=project, settings=on).findings
            if f.rule in rules
        ]
        for t in versions
    ]
    assert flagged[0].count("task-no-logging") == 0
    assert flagged[1].count("task-no-logging") == 2
    assert flagged[0].count("task-no-error-handling") == 2
    assert flagged[2].count("task-no-error-handling") == 0


def test_a_model_from_pieces_equals_the_whole_model() -> None:
    """Built from the top-level statements, with spots carried across versions, a model has
    the imports, tasks, and sparse nodes that one query over the whole tree finds."""
    from trigger_lsp.analysis.model import build_model
    from trigger_lsp.analysis.pieces import PieceCache
    from trigger_lsp.analysis.syntax import parse

    cache = PieceCache()
    for path in SOURCES:
        text = path.read_bytes()
        versions = (text, text.replace(b"run:", b"run :", 1), text + b"\n// end\n")
        for i, version in enumerate(versions):
            tree = parse(version, "typescript")
            whole = build_model(tree, "typescript")
            pieces = build_model(tree, "typescript", cache)
            assert [(t.kind, t.id, t.call.start_byte) for t in pieces.tasks] == [
                (t.kind, t.id, t.call.start_byte) for t in whole.tasks
            ]
            assert [i.source for i in pieces.imports] == [i.source for i in whole.imports]
            for kind in ("import", "export", "comment"):
                spans = [(n.start_byte, n.end_byte) for n in pieces.of(kind)]
                assert spans == [(n.start_byte, n.end_byte) for n in whole.of(kind)], kind
            # An edited version reads only the changed statements (a version most of whose
            # statements are new is read whole: one query is then cheaper than one each).
            assert pieces.pieces is not None
            assert not pieces.gathered or i == 0 or len(pieces.pieces) < 6
            assert [n.start_byte for n in pieces.of("call")] == [
                n.start_byte for n in whole.of("call")
            ]


def test_index_entries_kept_per_statement_equal_fresh_ones() -> None:
    """An open document's index entries, kept per task statement and moved when the statement
    moves, equal the entries read afresh after each edit (lines added above, text changed
    inside one task, a task's id changed)."""
    from trigger_lsp.analysis.model import build_model
    from trigger_lsp.analysis.pieces import PieceCache
    from trigger_lsp.analysis.syntax import parse
    from trigger_lsp.project.index import EntryCache, entries_for

    root = Path("/project")
    for path in SOURCES:
        text = path.read_bytes()
        if b'id: "' not in text:
            continue
        pieces, kept = PieceCache(), EntryCache()
        first_id = text.index(b'id: "') + 5
        versions = [
            text,
            b"// a line\n// and another\n" + text,
            text.replace(b"run:", b"run :", 1),
            text[:first_id] + b"renamed-" + text[first_id:],
            text,
        ]
        for version in versions:
            tree = parse(version, "typescript")
            fresh = entries_for(build_model(tree, "typescript"), path, root)
            got = entries_for(build_model(tree, "typescript", pieces), path, root, kept)
            assert got == fresh, path


def test_constants_and_module_links_kept_per_statement_equal_fresh_ones() -> None:
    """A model from pieces keeps each statement's module constants and each export
    statement's reading by its text (issue 19: not read again on each keystroke); after edits
    that change, add and move them, both equal what the whole tree gives."""
    from trigger_lsp.analysis.model import build_model
    from trigger_lsp.analysis.pieces import PieceCache
    from trigger_lsp.analysis.syntax import parse
    from trigger_lsp.project.modules import module_links

    crafted = (
        b'import { task } from "@trigger.dev/sdk";\n'
        b'import { helper as h } from "./helper";\n'
        b'const ID = "first";\n'
        b'export const IDS = { send: "send-email", other: "x" };\n'
        b"export const a = task({ id: ID, run: async () => {} });\n"
        b"export { h, a as alias };\n"
        b'export * from "./more";\n'
        b'export * as ns from "./ns";\n'
        b"export type { T } from './types';\n"
    )
    for path in [*SOURCES, Path("crafted.ts")]:
        text = crafted if path.name == "crafted.ts" else path.read_bytes()
        cache = PieceCache()
        versions = [
            text,
            b"// a line\n" + text,
            text.replace(b"const ", b"const  ", 1),
            text.replace(b'"first"', b'"second"'),
            text.replace(b"export {", b"export { ID,", 1),
            text + b'\nexport const late = "z";\nexport { late as later };\n',
            text,
        ]
        for version in versions:
            tree = parse(version, "typescript")
            whole = build_model(tree, "typescript")
            pieces = build_model(tree, "typescript", cache)
            assert list(pieces.constants.items()) == list(whole.constants.items()), path
            assert module_links(pieces, None) == module_links(whole, None), path


IDS_CHANGE = b"""import { task, tasks, logger } from "@trigger.dev/sdk";

export async function kick() {
  await tasks.trigger("zz-new", {});
}

export const a = task({
  id: "a",
  run: async () => {
    logger.info("a");
    await tasks.trigger("zz-new", {});
  },
});

export const b = task({
  id: "b",
  run: async () => {
    logger.info("b");
    await tasks.trigger("a", {});
  },
});

export const c = task({
  id: "c",
  maxDuration: 1,
  run: async () => {
    return 1;
  },
});
"""


def test_when_only_the_index_ids_change_the_other_rules_findings_are_reused() -> None:
    """Issue 19: another file gaining or losing a task changes the project's ids, which only
    the rules that read the index depend on (unknown-task-id). The next edit re-runs just
    those rules on each statement, reuses the other rules' kept findings (same objects), and
    still equals a fresh whole-file analysis with the same index."""
    target = Path("/project/src/trigger/ids.ts")
    other = Path("/project/src/trigger/other.ts")
    other_text = (
        b'import { task } from "@trigger.dev/sdk";\n'
        b'export const z = task({ id: "zz-new", run: async () => {} });\n'
    )
    project = current_context(Path("/project"))
    rules = RuleSettings({"all": "on"})
    without = _index_of((target, IDS_CHANGE))
    with_other = _index_of((target, IDS_CHANGE), (other, other_text))
    cache = StatementCache()
    analyze_statements(cache, IDS_CHANGE, target, project=project, settings=rules, index=without)
    while warm_step(cache, 1.0):
        pass
    assert cache.by_text and cache.index_by_text
    at = IDS_CHANGE.index(b'logger.info("b")')
    versions = [
        (IDS_CHANGE.replace(b'"a");', b'"a!");'), without),
        (IDS_CHANGE.replace(b'"a");', b'"a!");').replace(b'"b");', b'"b!");'), with_other),
        (IDS_CHANGE[:at] + b"/* x */ " + IDS_CHANGE[at:], without),
        (IDS_CHANGE, with_other),
    ]
    unknown = []
    for i, (text, index) in enumerate(versions):
        before = dict(cache.by_text)
        before_index = dict(cache.index_by_text)
        got = analyze_statements(cache, text, target, project=project, settings=rules, index=index)
        want = analyze(text, target, project=project, settings=rules, index=index)
        assert comparable(got.findings) == comparable(want.findings), i
        unknown.append(sum(f.rule == "unknown-task-id" for f in got.findings))
        if i == 0:
            continue
        # the ids changed: every statement's index-reading findings were computed again (in
        # one run of those rules on the whole model, attributed to the statements and checked
        # while idle), and the statements the edit did not touch kept their other findings
        reused = [t for t in cache.by_text if t in before and cache.by_text[t] is before[t]]
        assert len(reused) >= len(cache.by_text) - 2
        assert not any(cache.index_by_text[t] is before_index.get(t) for t in cache.index_by_text)
        assert cache.index_unverified >= set(reused)
        while warm_step(cache, 1.0):
            pass
        assert not cache.index_unverified and not cache.mismatch
    assert unknown == [2, 0, 2, 0]  # fires in the skeleton and in task `a`, then not


def test_index_reading_findings_are_kept_while_the_ids_stay() -> None:
    """Without a change of ids, an edit inside one task re-runs the index-reading rules on
    that task only."""
    target = Path("/project/src/trigger/ids.ts")
    project = current_context(Path("/project"))
    rules = RuleSettings({"all": "on"})
    index = _index_of((target, IDS_CHANGE))
    cache = StatementCache()
    analyze_statements(cache, IDS_CHANGE, target, project=project, settings=rules, index=index)
    while warm_step(cache, 1.0):
        pass
    before = dict(cache.index_by_text)
    text = IDS_CHANGE.replace(b'"b");', b'"b!");')
    got = analyze_statements(cache, text, target, project=project, settings=rules, index=index)
    want = analyze(text, target, project=project, settings=rules, index=index)
    assert comparable(got.findings) == comparable(want.findings)
    reused = [t for t in cache.index_by_text if cache.index_by_text[t] is before.get(t)]
    assert len(reused) == len(cache.index_by_text) - 1


def test_a_views_declarations_made_from_the_shared_module_part_equal_the_merged_ones() -> None:
    """In a model built from pieces that did not collect the whole file, each view's
    declarations (rules/common.declarations_of) are the module-level ones, made once for all
    views, plus the view's own: they equal those made from the merged declarators (issue 19:
    the per-view merge made the first edit after a whole analysis twice as slow)."""
    from trigger_lsp.analysis.pieces import PieceCache
    from trigger_lsp.analysis.syntax import text as node_text
    from trigger_lsp.rules.common import Declarations, declarations_of

    def names(d: Declarations, every: set[str]) -> dict[str, list[tuple[int, int]]]:
        # (by `named`: a view's module-level declarators are found by name when asked)
        found = {k: [(n.start_byte, n.end_byte) for n in d.named(k)] for k in every}
        return {k: v for k, v in found.items() if v}

    checked = 0
    for path in SOURCES:
        text = path.read_bytes()
        cache = PieceCache()
        build_model(parse(text, "typescript"), "typescript", cache)
        edited = text.replace(b"run:", b"run :", 1)
        model = build_model(parse(edited, "typescript"), "typescript", cache)
        if model.gathered or not model.tasks:
            continue
        every = {  # every name the file declares (read from a model of its own)
            node_text(d.child_by_field_name("name"))
            for d in build_model(parse(edited, "typescript"), "typescript").of("declarator")
        }
        for task in model.tasks:
            assert task.piece is not None
            view = model.view([task.piece.span])
            merged = model.view([task.piece.span]).in_scope("merged", Declarations)
            assert names(declarations_of(view), every) == names(merged, every)
            checked += 1
    assert checked > 50
