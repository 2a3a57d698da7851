"""A file's top-level statements as pieces whose few interesting nodes are remembered by text.

The model of a file needs, besides what rules look for in the places they check, a few nodes of
the whole file: imports, exports, comments, `require`s, declarations outside functions and task
definitions. Finding them with one query over the whole tree costs some 25 ms at 10,000 lines,
however few they are. A document's `PieceCache` remembers, for each top-level statement without
syntax errors, where those nodes lie relative to the statement's start, by the statement's text:
after an edit, only the statements whose text changed are queried, and the nodes of the others
are fetched by position. (The tree of a statement without errors depends on its text alone, the
assumption statements.py makes for findings too.)
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tree_sitter as ts

from trigger_lsp.analysis.imports import read_require
from trigger_lsp.analysis.syntax import MAX_DEPTH, deeper_than, enclosing_function

Span = tuple[int, int]

# Capture names of the collection query (model._COLLECT) and the node types they stand for,
# for the kinds kept per statement.
SPARSE_TYPES = {
    "import": "import_statement",
    "export": "export_statement",
    "comment": "comment",
}
DECLARATOR = "variable_declarator"


@dataclass(frozen=True)
class Spots:
    """Where the remembered nodes of one statement lie, relative to its start."""

    sparse: dict[str, tuple[Span, ...]]
    requires: tuple[Span, ...]  # declarators that `read_require` reads
    module_declarators: tuple[Span, ...]  # declarators in no function
    # The name each of those declares, when it is an identifier (else None).
    module_names: tuple[str | None, ...] = ()


@dataclass
class PieceCache:
    """What one document keeps between the models of its versions."""

    spots: dict[bytes, Spots] = field(default_factory=dict)
    # Task calls (span and TaskSummary) by statement text, for the SDK names and constants
    # in force (kept under TASK_NAMES, compared once per version).
    tasks: dict[object, Any] = field(default_factory=dict)
    # Per-statement values of file facts (rules/base.FileFact) and of what the index reads
    # (project/index._kept_per_piece): by name, then by statement text (what else they
    # depend on is kept under a key of its own and compared once per version).
    facts: dict[str, dict[object, object]] = field(default_factory=dict)
    # The module constants each statement declares (model._statement_constants), by its text.
    constants: dict[bytes, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # What each top-level export statement says (project/modules._export_parts), by its text.
    exports: dict[bytes, Any] = field(default_factory=dict)
    # Whether each statement nests deeper than syntax.MAX_DEPTH allows, by its text.
    deep: dict[bytes, bool] = field(default_factory=dict)
    # Whether each statement's text holds a token (`with_token`), by token and text.
    tokens: dict[bytes, dict[bytes, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class TopLevel:
    """The top-level statements of a tree, their texts, and whether each has no syntax error
    (read once per version: `too_deep` and `pieces_of` both need them)."""

    nodes: list[ts.Node]
    texts: list[bytes]
    clean: list[bool]


def top_level(root: ts.Node) -> TopLevel:
    nodes = root.named_children
    return TopLevel(nodes, [n.text or b"" for n in nodes], [not n.has_error for n in nodes])


def too_deep(root: ts.Node, top: TopLevel, cache: PieceCache) -> bool:
    """`syntax.deeper_than(root)`, walking only the statements whose text is new: whether a
    statement without errors nests too deep depends on its text alone (a statement is one
    level below the root), so the answer is kept by text for this version's statements."""
    if root.child_count != len(top.nodes):  # (a token at the top level: walk it all)
        return deeper_than(root)
    kept: dict[bytes, bool] = {}
    deep = False
    for node, text, ok in zip(top.nodes, top.texts, top.clean, strict=True):
        found = cache.deep.get(text) if ok else None
        if found is None:
            found = deeper_than(node, MAX_DEPTH - 1)
        if ok:
            kept[text] = found
        deep = deep or found
    cache.deep = kept  # this version's statements only
    return deep


TASK_NAMES = ("names",)  # the key of what `PieceCache.tasks` holds the task calls for


def with_token(pieces: list[Piece], cache: PieceCache, token: bytes) -> list[Piece]:
    """The pieces whose text holds `token`. Whether a text holds it is kept by the text (for
    this version's statements): a search through each statement costs as much as one through
    the file, a lookup of a text already hashed much less."""
    known = cache.tokens.get(token, {})
    kept: dict[bytes, bool] = {}
    out = []
    for piece in pieces:
        text = piece.text
        has = known.get(text)
        if has is None:
            has = token in text
        kept[text] = has
        if has:
            out.append(piece)
    cache.tokens[token] = kept
    return out


def sparse_of(pieces: list[Piece], kind: str) -> list[ts.Node]:
    """`Piece.sparse(kind)` of each piece, in order (a statement whose spots hold none of the
    kind is passed over without a call: most have no import or export)."""
    out: list[ts.Node] = []
    for piece in pieces:
        if piece._caps is not None or piece.spots.sparse.get(kind):
            out.extend(piece.sparse(kind))
    return out


def requires_of(pieces: list[Piece], read: Callable[[ts.Node], object]) -> list[ts.Node]:
    """`Piece.requires(read)` of each piece, in order (passing over those without any)."""
    out: list[ts.Node] = []
    for piece in pieces:
        if piece._caps is not None or piece.spots.requires:
            out.extend(piece.requires(read))
    return out


class Piece:
    """One top-level statement of one tree."""

    __slots__ = ("_caps", "_collect", "clean", "node", "spots", "start", "text")

    def __init__(
        self,
        node: ts.Node,
        collect: Callable[[ts.Node], dict[str, list[ts.Node]]],
        spots: Spots | None,
        caps: dict[str, list[ts.Node]] | None = None,
        text: bytes | None = None,
        clean: bool | None = None,
    ) -> None:
        self.node = node
        self.start = node.start_byte
        self.text: bytes = text if text is not None else (node.text or b"")
        self.clean = clean if clean is not None else not node.has_error
        self._collect = collect
        self._caps = caps  # the collected nodes in the statement, when known
        self.spots = spots if spots is not None else self._spots()

    @property
    def span(self) -> Span:
        return self.start, self.node.end_byte

    def caps(self) -> dict[str, list[ts.Node]]:
        """Every collected node in the statement, by kind (one query over the statement)."""
        if self._caps is None:
            self._caps = self._collect(self.node)
        return self._caps

    def sparse(self, kind: str) -> list[ts.Node]:
        if self._caps is None:
            found = self.find_all(self.spots.sparse.get(kind, ()), SPARSE_TYPES[kind])
            if found is not None:
                return found
        return self.caps().get(kind, [])

    def requires(self, read: Callable[[ts.Node], object]) -> list[ts.Node]:
        if self._caps is None:
            found = self.find_all(self.spots.requires, DECLARATOR)
            if found is not None:
                return found
        return [d for d in self.caps().get("declarator", []) if read(d) is not None]

    def module_declarators(self) -> list[ts.Node]:
        if self._caps is None:
            found = self.find_all(self.spots.module_declarators, DECLARATOR)
            if found is not None:
                return found
        return [d for d in self.caps().get("declarator", []) if enclosing_function(d) is None]

    def find(self, span: Span, node_type: str) -> ts.Node | None:
        """The node of a type at a span relative to the statement, from its position."""
        start, end = self.start + span[0], self.start + span[1]
        if start == self.start and end == self.node.end_byte and self.node.type == node_type:
            return self.node  # the statement itself (an export, say)
        node = self.node.named_descendant_for_byte_range(start, end)
        while node is not None and node.start_byte == start and node.end_byte == end:
            if node.type == node_type:
                return node
            node = node.parent
        return None

    def find_all(self, spans: tuple[Span, ...], node_type: str) -> list[ts.Node] | None:
        """The nodes of a type at spans relative to the statement; None when one is not there
        (which cannot happen for a statement of the same text without errors: the caller then
        queries the statement)."""
        found = []
        for span in spans:
            node = self.find(span, node_type)
            if node is None:
                return None
            found.append(node)
        return found

    def _spots(self) -> Spots:
        caps = self.caps()
        start = self.start

        def rel(nodes: list[ts.Node]) -> tuple[Span, ...]:
            return tuple((n.start_byte - start, n.end_byte - start) for n in nodes)

        module = self.module_declarators()
        return Spots(
            {kind: rel(caps.get(kind, [])) for kind in SPARSE_TYPES},
            rel(self.requires(read_require)),
            rel(module),
            tuple(_declared_name(d) for d in module),
        )


def _declared_name(declarator: ts.Node) -> str | None:
    target = declarator.child_by_field_name("name")
    if target is None or target.type != "identifier":
        return None
    return (target.text or b"").decode("utf-8", "replace")


def pieces_of(
    root: ts.Node,
    cache: PieceCache,
    collect: Callable[[ts.Node], dict[str, list[ts.Node]]],
    top: TopLevel | None = None,
) -> tuple[list[Piece], dict[str, list[ts.Node]] | None]:
    """The top-level statements of a tree as pieces (the cache keeps the spots of this tree's
    clean statements only), and the collected nodes of the whole tree when they were needed:
    when most statements are new (a first version), one query over the whole tree is cheaper
    than one per statement, and the rules will read the whole file's nodes anyway. `top`: the
    root's `top_level`, when the caller read it already."""
    if top is None:
        top = top_level(root)
    nodes, texts, clean = top.nodes, top.texts, top.clean
    known = [cache.spots.get(text) if ok else None for ok, text in zip(clean, texts, strict=True)]
    whole = None
    if sum(1 for k in known if k is None) * 2 > len(nodes):
        whole = collect(root)
        starts = {kind: [n.start_byte for n in found] for kind, found in whole.items()}
    pieces = []
    kept: dict[bytes, Spots] = {}
    for node, text, ok, spots in zip(nodes, texts, clean, known, strict=True):
        caps = None
        if whole is not None:
            lo, hi = node.start_byte, node.end_byte
            caps = {}
            for kind, found in whole.items():
                at = starts[kind]
                caps[kind] = found[bisect.bisect_left(at, lo) : bisect.bisect_left(at, hi)]
        piece = Piece(node, collect, spots, caps, text, ok)
        if piece.clean:
            kept[text] = piece.spots
        pieces.append(piece)
    cache.spots = kept
    return pieces, whole
