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
