"""What a document keeps per statement text to make a keystroke cheap (issue 19) equals what is
computed afresh from the whole file, after edits that add, change, move and remove statements."""

from __future__ import annotations

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.pieces import PieceCache, too_deep, top_level
from trigger_lsp.analysis.syntax import MAX_DEPTH, deeper_than, parse


def _nested(levels: int) -> bytes:
    """A statement whose deepest node lies about `levels` levels below it (nested arrays)."""
    return b"const deep = " + b"[" * levels + b"1" + b"]" * levels + b";\n"


def _max_depth(source: bytes) -> int:
    cursor = parse(source, "typescript").root_node.walk()
    deepest = 0
    while True:
        deepest = max(deepest, cursor.depth)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return deepest


def _at_depth(depth: int) -> bytes:
    """The nested statement whose deepest node lies exactly `depth` levels below the root."""
    base = _max_depth(_nested(0))
    per_level = _max_depth(_nested(1)) - base
    levels, rest = divmod(depth - base, per_level)
    assert rest == 0 or per_level == 1
    statement = _nested(levels)
    assert _max_depth(statement) == depth
    return statement


def test_nesting_depth_kept_per_statement_equals_a_walk_of_the_whole_tree() -> None:
    """Must fire (too deep) when one statement nests past MAX_DEPTH, whichever statements
    around it are kept; must not fire at exactly MAX_DEPTH, nor once that statement is
    changed back or removed."""
    head = b'import { task } from "@trigger.dev/sdk";\n'
    body = b'export const a = task({ id: "a", run: async () => { return [[1]]; } });\n'
    limit, over = _at_depth(MAX_DEPTH), _at_depth(MAX_DEPTH + 1)
    broken = b"const broken = [[[[1]]]\n"  # a syntax error: never kept
    versions = [
        head + body,
        head + limit + body,  # added, at the limit
        head + over + body,  # changed past it
        b"// a line above\n" + head + over + body,  # moved
        head + body + over,  # moved below the task
        head + body + over + broken,
        head + body + limit + broken,
        head + body,  # removed
        head + over + over + body,  # twice the same text
        head + over + body,
    ]
    cache = PieceCache()
    seen = set()
    for version in versions:
        tree = parse(version, "typescript")
        root = tree.root_node
        fresh = deeper_than(root)
        assert too_deep(root, top_level(root), cache) == fresh, version[:80]
        seen.add(fresh)
    assert seen == {True, False}


def test_a_model_from_pieces_is_too_deep_when_the_whole_model_is() -> None:
    head = b'import { task } from "@trigger.dev/sdk";\n'
    body = b'export const a = task({ id: "a", run: async () => {} });\n'
    cache = PieceCache()
    for version in (head + body, head + _nested(500) + body, head + body, head + _nested(500)):
        tree = parse(version, "typescript")
        whole = build_model(tree, "typescript")
        pieces = build_model(tree, "typescript", cache)
        assert pieces.too_deep == whole.too_deep
        assert [t.id for t in pieces.tasks] == [t.id for t in whole.tasks]


A_TS = b"""import { task, tasks } from "@trigger.dev/sdk";

export const child = task({ id: "child", run: async () => {} });

export const parent = task({
  id: "parent",
  run: async () => {
    await child.batchTrigger([{ payload: 1 }]);
    for (const x of [1, 2]) {
      await tasks.trigger("other", x);
    }
  },
});

export const other = task({ id: "other", retry: { maxAttempts: 2 }, run: async () => {} });
"""
B_TS = b"""import { task } from "@trigger.dev/sdk";
import { child } from "./a";

export const again = task({ id: "child", run: async () => {} });

export const caller = task({
  id: "caller",
  run: async () => {
    await child.batchTrigger([{ payload: 2 }]);
  },
});
"""


def _index_versions(text: bytes) -> list[bytes]:
    """Lines added above (every entry and fan-out moves), an option changed inside one task,
    a retry policy added, a task's id renamed, a task removed, and the text back."""
    return [
        text,
        b"// a line\n// and another\n" + text,
        text.replace(b"[1, 2]", b"[1, 2, 3]"),
        text.replace(b'id: "child",', b'id: "child", retry: { maxAttempts: 1 },'),
        text.replace(b'id: "parent"', b'id: "parent-renamed"'),
        text[: text.index(b"export const other")],
        b"\n" + text,
        text,
    ]


def _answers(index: object, a: object, b: object, root: object) -> list[object]:
    """What the index answers that is derived from its entries and fan-out places."""
    from trigger_lsp.project.index import ProjectIndex

    assert isinstance(index, ProjectIndex)
    out: list[object] = [sorted(index.ids(root)), index.tasks_without_retry(root)]
    for task_id in ("child", "parent", "parent-renamed", "other", "caller", "nope"):
        out.append(index.with_id(task_id, root))
        out.append(index.with_id(task_id))
        out.append(index.defined_elsewhere(task_id, root, a))
        out.append(index.defined_elsewhere(task_id, root, b))
        for variable, path in (("child", a), ("other", a), ("caller", b), (None, None)):
            out.append(index.fan_out(task_id, variable, path, root))
    return out


def test_index_answers_after_moves_equal_those_of_a_fresh_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The index keeps what it derives from a file's entries and fan-out places (the id
    map, the first place each task is fanned out from) when an edit only moved them or
    changed options; its answers must equal those of an index built afresh from the same
    files, after edits that move, change, rename and remove tasks."""
    from trigger_lsp.project.index import ProjectIndex, entries_for, fan_outs_for

    root = tmp_path
    a, b = root / "a.ts", root / "b.ts"
    a.write_bytes(A_TS)
    b.write_bytes(B_TS)  # (its import of ./a resolves to a file)

    def read(path: object, text: bytes) -> tuple[list[object], list[object]]:
        model = build_model(parse(text, "typescript"), "typescript")
        return entries_for(model, path, root), fan_outs_for(model, path, root)  # type: ignore[arg-type,return-value]

    def put(index: ProjectIndex, path: object, text: bytes) -> tuple[bool, bool]:
        entries, fan_outs = read(path, text)
        return (
            index.update(path, entries),  # type: ignore[arg-type]
            index.update_fan_outs(path, fan_outs),  # type: ignore[arg-type]
        )

    kept = ProjectIndex()
    put(kept, a, A_TS)
    put(kept, b, B_TS)
    assert len(read(a, A_TS)[1]) == 2 and read(b, B_TS)[1]  # (there are fan-outs to move)
    previous = A_TS
    for version in _index_versions(A_TS):
        _answers(kept, a, b, root)  # (derived before the update: then kept across it)
        got = put(kept, a, version)
        fresh = ProjectIndex()
        put(fresh, a, previous)
        put(fresh, b, B_TS)
        fresh_changed = put(fresh, a, version)
        assert got == fresh_changed
        assert _answers(kept, a, b, root) == _answers(fresh, a, b, root), version[:40]
        previous = version


TASKS_TS = b"""import { task, schemaTask as st } from "@trigger.dev/sdk";
const ID = "from-constant";

export const a = task({ id: ID, run: async () => {} });

function helper() {
  return 1;
}

export const b = st({ id: "b", schema: undefined, run: async () => helper() });
"""


def test_task_calls_kept_per_statement_equal_fresh_ones() -> None:
    """The task calls a model from pieces keeps by statement text, under the SDK names and
    module constants in force, equal those of the whole tree after edits that move tasks,
    change one, add and remove one, change the constant an id reads, and rename the factory
    import (then no call there defines a task)."""
    versions = [
        TASKS_TS,
        b"// above\n" + TASKS_TS,
        TASKS_TS.replace(b'"b"', b'"b2"'),
        TASKS_TS + b'\nexport const c = task({ id: "c", run: async () => {} });\n',
        TASKS_TS.replace(b'"from-constant"', b'"changed"'),
        TASKS_TS.replace(b"schemaTask as st", b"schemaTask as other"),
        TASKS_TS.replace(b"import { task,", b"import { task as t,"),
        TASKS_TS[: TASKS_TS.index(b"export const b")],
        TASKS_TS,
    ]
    cache = PieceCache()
    defined = set()
    for version in versions:
        tree = parse(version, "typescript")
        whole = build_model(tree, "typescript")
        pieces = build_model(tree, "typescript", cache)

        def tasks(model: object) -> list[object]:
            return [
                (t.kind, t.id, t.variable, t.exported, t.run_start, t.call.start_byte)
                for t in model.tasks  # type: ignore[attr-defined]
            ]

        assert tasks(pieces) == tasks(whole), version
        assert [i.source for i in pieces.imports] == [i.source for i in whole.imports]
        defined.update(t.id for t in whole.tasks)
    assert {"from-constant", "changed", "b", "b2", "c"} <= defined


EXPORTS_TS = b"""import { task } from "@trigger.dev/sdk";
export { logger } from "@trigger.dev/sdk/v3";
export const a = task({ id: "a", run: async () => { return Array.from([1]); } });
export * from "./more";
export const b = task({ id: "b", run: async () => {} });
"""


def test_statements_holding_a_token_and_exports_naming_a_module_equal_fresh_ones() -> None:
    """`pieces.with_token` keeps whether each statement's text holds a token by its text;
    the exports sdk-v3-import-path reads through it (those that may name a module) equal
    the whole tree's after edits that move, add, change, break and remove statements."""
    from trigger_lsp.analysis.pieces import with_token
    from trigger_lsp.rules.imports import _exports_from

    versions = [
        EXPORTS_TS,
        b"// above\n" + EXPORTS_TS,
        EXPORTS_TS.replace(b'"./more"', b'"./other"'),
        EXPORTS_TS + b'export { x } from "./x";\n',
        EXPORTS_TS.replace(b"Array.from", b"Array.of"),
        EXPORTS_TS + b'export * "./broken";\n',  # a syntax error (always read)
        EXPORTS_TS.replace(b'export * from "./more";\n', b""),
        EXPORTS_TS,
    ]
    cache = PieceCache()
    for i, version in enumerate(versions):
        tree = parse(version, "typescript")
        whole = build_model(tree, "typescript")
        model = build_model(tree, "typescript", cache)
        assert model.pieces is not None
        for token in (b"from", b"rigger", b"task("):
            got = model.pieces_with(token)
            assert got == [p for p in model.pieces if token in p.text], (token, version)
        assert with_token(model.pieces, PieceCache(), b"from") == model.pieces_with(b"from")

        def sources(nodes: list[object]) -> list[tuple[int, int]]:
            found = [n.child_by_field_name("source") for n in nodes]  # type: ignore[attr-defined]
            return [(s.start_byte, s.end_byte) for s in found if s is not None]

        assert i == 0 or not model.gathered  # (after the first, the path that reads pieces)
        assert sources(_exports_from(model)) == sources(whole.of("export")), version


def test_index_entries_kept_by_text_follow_a_constant_their_id_reads() -> None:
    """Index entries are kept by statement text with their tasks' summaries compared: a task
    whose text stays while the constant its id reads changes gets an entry with the new id
    (the text alone would give the old one), as read afresh."""
    from pathlib import Path

    from trigger_lsp.project.index import EntryCache, entries_for

    path, root = Path("/project/src/trigger/t.ts"), Path("/project")
    versions = [
        TASKS_TS,
        TASKS_TS.replace(b'"from-constant"', b'"changed"'),
        b"// above\n" + TASKS_TS.replace(b'"from-constant"', b'"changed"'),
        TASKS_TS,
    ]
    pieces, kept = PieceCache(), EntryCache()
    ids = []
    for version in versions:
        tree = parse(version, "typescript")
        fresh = entries_for(build_model(tree, "typescript"), path, root)
        got = entries_for(build_model(tree, "typescript", pieces), path, root, kept)
        assert got == fresh
        ids.append([e.id for e in got])
    assert ids[0] != ids[1] and ids[1] == ids[2] and ids[3] == ids[0]


HOOKS_TS = b"""import { task, tasks, logger } from "@trigger.dev/sdk";

function report() {
  logger.info("x");
}

export const a = task({ id: "a", run: async () => { report(); } });

export const b = task({ id: "b", run: async () => {} });
"""


def test_file_facts_kept_per_statement_equal_the_whole_files() -> None:
    """Each file fact computed from the statements' kept values (statements without the
    fact's tokens kept as contributing nothing) equals the fact of the whole file, after
    edits that add, move and remove a global error hook and a logging helper."""
    from pathlib import Path

    from trigger_lsp.lint.engine import Prepared, prepare
    from trigger_lsp.rules import REGISTRY
    from trigger_lsp.rules.base import FACTS

    hook = b"\ntasks.catchError(() => { return { skipRetrying: true }; });\n"
    versions = [
        HOOKS_TS,
        HOOKS_TS + hook,
        b"// above\n" + HOOKS_TS + hook,
        HOOKS_TS.replace(b'logger.info("x");', b"return 1;") + hook,
        HOOKS_TS.replace(
            b"run: async () => {} });", b"run: async () => { tasks.handleError(() => {}); } });"
        ),
        HOOKS_TS,
    ]
    path = Path("/project/src/trigger/hooks.ts")
    cache = PieceCache()
    assert REGISTRY  # (the rules, and their file facts, registered)
    seen: dict[str, set[object]] = {}
    for version in versions:
        kept = prepare(version, path, pieces=cache)
        fresh = prepare(version, path)
        assert isinstance(kept, Prepared) and isinstance(fresh, Prepared)
        assert kept.ctx.model.pieces is not None and fresh.ctx.model.pieces is None
        for name, fact in FACTS.items():
            value = kept.ctx.fact(fact)
            assert value == fresh.ctx.fact(fact), (name, version)
            seen.setdefault(name, set()).add(value)
    assert seen["global-error-hook"] == {True, False}
    assert len(seen["logging-helpers"]) > 1
