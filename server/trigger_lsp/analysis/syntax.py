"""Parsing with tree-sitter and small helpers over syntax nodes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import PurePath

import tree_sitter as ts
import tree_sitter_typescript as tst

from trigger_lsp.analysis import slices

# Extensions we analyse; JavaScript goes through the TSX grammar, which accepts JSX and plain JS.
TS_EXTENSIONS = frozenset({".ts", ".mts", ".cts"})
TSX_EXTENSIONS = frozenset({".tsx", ".js", ".jsx", ".mjs", ".cjs"})
SOURCE_EXTENSIONS = TS_EXTENSIONS | TSX_EXTENSIONS

FUNCTION_TYPES = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function_declaration",
        "generator_function",
        "generator_function_declaration",
        "method_definition",
    }
)
LOOP_TYPES = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
STRING_TYPES = frozenset({"string", "template_string"})
# Files whose syntax tree nests deeper than this are not analysed (see `deeper_than`). Real code
# nests some 20 to 60 levels; a chain of 100 `else if` or a 200-term string concatenation
# about 200. Every helper that walks ancestors (`Node.parent` itself walks down from the root)
# costs time with depth, so a bound on depth bounds the work per node.
MAX_DEPTH = 400


@cache
def language(name: str) -> ts.Language:
    if name == "tsx":
        return ts.Language(tst.language_tsx())
    return ts.Language(tst.language_typescript())


def grammar_for(path: str | PurePath | None, language_id: str | None = None) -> str:
    """Return "typescript" or "tsx" for a file path or an LSP language id."""
    if language_id in ("typescriptreact", "javascript", "javascriptreact"):
        return "tsx"
    if language_id == "typescript":
        return "typescript"
    suffix = PurePath(str(path)).suffix.lower() if path else ".ts"
    return "typescript" if suffix in TS_EXTENSIONS else "tsx"


def is_source_path(path: str | PurePath) -> bool:
    # (PurePath's `name` and `suffix` rules, on the string: discovery asks this of every file,
    # by its name alone)
    if isinstance(path, PurePath):
        name = path.name
    elif "/" in path or os.sep in path:
        name = os.path.basename(path.rstrip("/"))
    else:
        name = path
    dot = name.rfind(".")
    suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""
    return suffix in SOURCE_EXTENSIONS and not name.endswith(".d.ts")


def parse(
    source: bytes, grammar: str, old_tree: ts.Tree | None = None, *, yielding: bool = False
) -> ts.Tree:
    """The syntax tree of `source`. `yielding`: inside a computation run in slices, the parse
    pauses at its checkpoints (slices.parse_sliced; only for a document's own text, parsed
    where no lock is held)."""
    parser = ts.Parser(language(grammar))
    if yielding and slices.running is not None:
        tree = slices.parse_sliced(parser, source, old_tree)
        if tree is not None:
            return tree
    return parser.parse(source, old_tree) if old_tree is not None else parser.parse(source)


def deeper_than(root: ts.Node, limit: int = MAX_DEPTH) -> bool:
    """Whether some node lies more than `limit` levels below `root`. Visits only the subtrees
    with enough nodes to reach that deep (a subtree of n nodes is at most n - 1 levels deep),
    so a file of ordinary depth costs a few hundred steps, and a deep one about `limit`."""
    cursor = root.walk()
    while True:
        if slices.running is not None:
            slices.checkpoint()
        depth, node = cursor.depth, cursor.node
        if depth > limit:
            return True
        size = node.descendant_count if node is not None else 1
        if depth + size - 1 > limit and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return False


def text(node: ts.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def unwrap(node: ts.Node | None) -> ts.Node | None:
    """Strip parentheses, `as`/`satisfies` casts and non-null assertions around an expression."""
    while node is not None and node.type in (
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
    ):
        node = node.named_children[0] if node.named_children else None
    return node


def member_key(member: ts.Node) -> ts.Node:
    """The node naming an object member: a pair's key, a method's name, else the member."""
    if member.type == "pair":
        return member.child_by_field_name("key") or member
    if member.type == "method_definition":
        return member.child_by_field_name("name") or member
    return member


def has_spread(obj: ts.Node | None) -> bool:
    """`{ ...shared, run }`: options spread from another object may carry any option."""
    return obj is not None and any(c.type == "spread_element" for c in obj.named_children)


def string_value(node: ts.Node | None) -> str | None:
    """The value of a string literal or a template without substitutions, else None."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return text(node)[1:-1]
    return None


def number_value(node: ts.Node | None) -> float | None:
    """The value of a numeric literal, negated any number of times (a loop, not recursion: a
    `-(-(-(...)))` thousands deep must not exhaust the stack)."""
    sign = 1.0
    node = unwrap(node)
    while node is not None and node.type == "unary_expression":
        if text(node.child_by_field_name("operator")) != "-":
            return None
        sign = -sign
        node = unwrap(node.child_by_field_name("argument"))
    if node is None or node.type != "number":
        return None
    raw = text(node).replace("_", "")
    try:
        value = float(int(raw, 0)) if raw[:2].lower() in ("0x", "0o", "0b") else float(raw)
    except ValueError:
        return None
    return sign * value


def property_name(pair: ts.Node) -> str | None:
    """The static key of an object member (`pair`, shorthand or method), else None."""
    if pair.type == "shorthand_property_identifier":
        return text(pair)
    key = pair.child_by_field_name("key") if pair.type == "pair" else None
    if pair.type == "method_definition":
        key = pair.child_by_field_name("name")
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier"):
        return text(key)
    if key.type == "string":
        return string_value(key)
    if key.type == "number":
        return text(key)
    return None


def object_members(obj: ts.Node | None) -> dict[str, ts.Node]:
    """Map each static key of an object literal to its member node (the last one wins)."""
    members: dict[str, ts.Node] = {}
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return members
    for child in obj.named_children:
        name = property_name(child)
        if name is not None:
            members[name] = child
    return members


def member_value(member: ts.Node | None) -> ts.Node | None:
    """The value node of an object member: the expression of a pair, the method itself, or the
    identifier of a shorthand property."""
    if member is None:
        return None
    if member.type == "pair":
        return member.child_by_field_name("value")
    return member


def call_arguments(call: ts.Node) -> list[ts.Node]:
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [c for c in args.named_children if c.type != "comment"]


def member_property(node: ts.Node) -> str | None:
    """For `a.b` (or `a?.b`) return "b"."""
    if node.type != "member_expression":
        return None
    prop = node.child_by_field_name("property")
    return text(prop) if prop is not None else None


def misparsed_await(fn: ts.Node | None) -> ts.Node | None:
    """tree-sitter-typescript parses `await f<T>(x)` as `(await f)<T>(x)`: for such an await in
    callee position, return `f`; else None."""
    if fn is None or fn.type != "await_expression":  # the common case, decided cheaply
        return None
    call = fn.parent
    if (
        call is None
        or call.type != "call_expression"
        or call.child_by_field_name("type_arguments") is None
        or call.child_by_field_name("function") != fn
        or not fn.named_children
    ):
        return None
    return fn.named_children[-1]


def call_function(call: ts.Node) -> ts.Node | None:
    """The callee of a call, looking through the `await f<T>(x)` misparse."""
    fn = call.child_by_field_name("function")
    return misparsed_await(fn) or fn


def callee_method(call: ts.Node) -> str | None:
    """The method name of `x.y(...)`, else None."""
    fn = unwrap(call_function(call))
    return member_property(fn) if fn is not None else None


def callee_object(call: ts.Node) -> ts.Node | None:
    fn = unwrap(call_function(call))
    if fn is not None and fn.type == "member_expression":
        return fn.child_by_field_name("object")
    return None


# Parents looked up during one analysis of one tree, by node id: tree-sitter finds a node's
# parent by walking down from the root (time with depth), and rules walk up from many nodes
# through the same ancestors. Set by `parents_kept` for the length of an analysis only, as
# node ids are unique within one tree, not across the trees of successive versions.
_PARENTS: ContextVar[dict[int, tuple[ts.Node, ts.Node | None]] | None] = ContextVar(
    "trigger_lsp_parents", default=None
)


@contextmanager
def parents_kept() -> Iterator[None]:
    """Keep the parents looked up through `parent_of` until the end of the block (a block
    inside another shares the outer one's)."""
    if _PARENTS.get() is not None:
        yield
        return
    token = _PARENTS.set({})
    try:
        yield
    finally:
        _PARENTS.reset(token)


def parent_of(node: ts.Node) -> ts.Node | None:
    """`node.parent`, kept while `parents_kept` is in force."""
    if slices.running is not None:  # (walks up are where deep files cost time: yield here)
        slices.checkpoint()
    kept = _PARENTS.get()
    if kept is None:
        return node.parent
    hit = kept.get(node.id)
    if hit is not None and hit[0] == node:
        return hit[1]
    parent = node.parent
    kept[node.id] = (node, parent)
    return parent


def ancestors(node: ts.Node) -> Iterator[ts.Node]:
    parent = parent_of(node)
    while parent is not None:
        yield parent
        parent = parent_of(parent)


def enclosing_function(node: ts.Node) -> ts.Node | None:
    for anc in ancestors(node):
        if anc.type in FUNCTION_TYPES:
            return anc
    return None


def function_body(fn: ts.Node | None) -> ts.Node | None:
    return fn.child_by_field_name("body") if fn is not None else None


def function_params(fn: ts.Node) -> list[ts.Node]:
    params = fn.child_by_field_name("parameters")
    if params is None:
        single = fn.child_by_field_name("parameter")  # `x => ...`
        return [single] if single is not None else []
    return [p for p in params.named_children if p.type != "comment"]


def contains(outer: ts.Node, inner: ts.Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


_NAMES = """
[(identifier) (shorthand_property_identifier) (shorthand_property_identifier_pattern)] @name
"""


@cache
def _names_query(grammar: str) -> ts.Query:
    return ts.Query(language(grammar), _NAMES)


def names_within(node: ts.Node, grammar: str, after: int) -> list[ts.Node]:
    """Identifiers and shorthand properties inside `node` that start after byte `after`, in
    source order: one query in tree-sitter instead of a walk in Python."""
    cursor = ts.QueryCursor(_names_query(grammar))
    cursor.set_byte_range(max(after, node.start_byte), node.end_byte)
    found = cursor.captures(node).get("name", [])
    return sorted((n for n in found if n.start_byte > after), key=lambda n: n.start_byte)


def descendants(node: ts.Node, types: frozenset[str] | None = None) -> Iterator[ts.Node]:
    """Pre-order walk over named descendants, iterative so deep trees cannot overflow."""
    stack = list(reversed(node.named_children))
    while stack:
        cur = stack.pop()
        if types is None or cur.type in types:
            yield cur
        stack.extend(reversed(cur.named_children))


def is_awaited(node: ts.Node) -> bool:
    if node.type == "call_expression" and misparsed_await(node.child_by_field_name("function")):
        return True
    parent = parent_of(node)
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent_of(parent)
    return parent is not None and parent.type == "await_expression"
