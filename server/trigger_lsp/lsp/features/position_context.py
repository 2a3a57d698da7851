"""What a position in a (possibly half-typed) file is: a member after `wait.`, a key in a task's
options, the string of a `machine:` value or a triggered task id, or a statement start.

Half-typed code is the normal case here, so the answer is read from the syntax units before the
position: the siblings on each level up the tree, with ERROR nodes opened because error
recovery leaves loose tokens and unbalanced brackets in them. Walking back over those units
with a bracket count finds the enclosing `{`, `(` and `[` and what precedes each, the same way
for a well-formed tree and for a broken one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from trigger_lsp.analysis.imports import SdkNames
from trigger_lsp.analysis.model import TASK_FACTORIES, FileModel
from trigger_lsp.analysis.syntax import property_name, string_value, text

OPENERS = frozenset({"{", "(", "[", "${"})
CLOSERS = frozenset({"}", ")", "]"})
QUOTES = frozenset({'"', "'", "`"})
NESTED_OWNERS = frozenset({"retry", "queue", "concurrency", "cron"})
# Calls whose first argument is a task id.
TRIGGER_BY_ID = frozenset(
    {
        "tasks.trigger",
        "tasks.batchTrigger",
        "tasks.triggerAndWait",
        "tasks.batchTriggerAndWait",
        "tasks.triggerAndSubscribe",
    }
)
# Calls whose first argument is an array of `{ id, payload }` items.
BATCH_BY_ID = frozenset({"batch.trigger", "batch.triggerAndWait"})
SCHEDULE_CREATE = "schedules.create"
STATEMENT_ENDS = frozenset({";", "}", "{", "comment"})
MEMBER_DOTS = frozenset({".", "?."})
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


# --- walking back over the units before a position --------------------------------------------


def _path(root: ts.Node, offset: int) -> list[ts.Node]:
    """The nodes that strictly contain `offset`, outermost first."""
    path = [root]
    node = root
    while True:
        inner = None
        for child in node.children:
            if child.start_byte >= offset:
                break
            if child.end_byte > offset:
                inner = child
                break
        if inner is None:
            return path
        path.append(inner)
        node = inner


def _expand(node: ts.Node) -> Iterator[ts.Node]:
    if node.is_missing:
        return
    if node.type == "ERROR" or (node.has_error and node.child_count):
        for child in reversed(node.children):
            yield from _expand(child)
    else:
        yield node


def units_before(root: ts.Node, offset: int) -> Iterator[ts.Node]:
    """Syntax units ending at or before `offset`, nearest first."""
    for container in reversed(_path(root, offset)):
        for child in reversed(container.children):
            if child.end_byte <= offset:
                yield from _expand(child)


class Units:
    """The units before a position, read lazily and indexable (None past the start of file)."""

    def __init__(self, root: ts.Node, offset: int) -> None:
        self._it = units_before(root, offset)
        self._buf: list[ts.Node] = []

    def __getitem__(self, i: int) -> ts.Node | None:
        while len(self._buf) <= i:
            nxt = next(self._it, None)
            if nxt is None:
                return None
            self._buf.append(nxt)
        return self._buf[i]

    def type(self, i: int) -> str | None:
        node = self[i]
        return node.type if node is not None else None

    def opener(self, start: int = 0, limit: int = 2000) -> int | None:
        """The index of the nearest unmatched opening bracket at or after `start`."""
        depth = 0
        i = start
        while i < start + limit:
            kind = self.type(i)
            if kind is None:
                return None
            if kind in CLOSERS:
                depth += 1
            elif kind in OPENERS:
                if depth == 0:
                    return i
                depth -= 1
            i += 1
        return None


# --- names -------------------------------------------------------------------------------------


def resolve_parts(sdk: SdkNames, parts: list[str]) -> str | None:
    """The SDK path of a dotted name such as ["sdk", "wait", "for"]."""
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head in sdk.namespaces:
        return ".".join(rest) if rest else None
    base = sdk.names.get(head)
    if base is None:
        return None
    return ".".join([base, *rest])


@dataclass(frozen=True)
class Callee:
    path: str | None  # the SDK path it resolves to
    node: ts.Node | None  # the whole expression when it is one node
    namespace: bool = False  # a bare `import * as sdk` name


# Units whose last named child is the expression they end with: `const r = await child` ends
# with `child`, which is what a following `.` applies to.
_TAIL_HOLDERS = frozenset(
    {
        "variable_declarator",
        "await_expression",
        "assignment_expression",
        "augmented_assignment_expression",
        "binary_expression",
        "unary_expression",
        "return_statement",
        "expression_statement",
        "spread_element",
        "pair",
    }
)


def _tail(node: ts.Node) -> ts.Node:
    while node.type in _TAIL_HOLDERS and node.named_children:
        node = node.named_children[-1]
    return node


def expression_at(units: Units, i: int, sdk: SdkNames) -> Callee | None:
    """The dotted expression that ends with unit `i` (a call's callee, a member's object)."""
    node = units[i]
    if node is None:
        return None
    node = _tail(node)  # also `await f<T>(`, which tree-sitter reads as `(await f)<T>(`
    if node.type in ("identifier", "member_expression"):
        if node.type == "identifier" and text(node) in sdk.namespaces:
            return Callee(None, node, namespace=True)
        return Callee(sdk.resolve(node), node)
    if node.type != "property_identifier":
        return None
    parts = [text(node)]  # loose tokens in an ERROR: `sdk . wait . for`
    j = i + 1
    while units.type(j) in MEMBER_DOTS:
        prev = units[j + 1]
        if prev is None:
            return None
        if prev.type == "property_identifier":
            parts.insert(0, text(prev))
            j += 2
            continue
        if prev.type in ("identifier", "member_expression"):
            if prev.type == "identifier":
                return Callee(resolve_parts(sdk, [text(prev), *parts]), None)
            base = sdk.resolve(prev)
            return Callee(".".join([base, *parts]) if base else None, None)
        return None
    return None


def _key_name(node: ts.Node | None) -> str | None:
    if node is None:
        return None
    if node.type in ("property_identifier", "identifier", "shorthand_property_identifier"):
        return text(node)
    if node.type == "string":
        return string_value(node)
    return None


# --- contexts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectOwner:
    """Which object a `{` opens: the options of a task, or an object nested in them."""

    owner: str  # "task" or one of NESTED_OWNERS
    task_kind: str | None  # "task", "schemaTask" or "schedules.task" for task options
    node: ts.Node | None  # the object node when the tree has one


def object_owner(units: Units, j: int, sdk: SdkNames) -> ObjectOwner | None:
    """Classify the `{` at unit `j`."""
    if units.type(j) != "{":
        return None
    brace = units[j]
    obj = brace.parent if brace is not None and brace.parent is not None else None
    node = obj if obj is not None and obj.type == "object" else None
    before = units.type(j + 1)
    if before == "(":
        callee = expression_at(units, _skip_type_args(units, j + 2), sdk)
        path = callee.path if callee is not None else None
        kind = TASK_FACTORIES.get(path or "")
        if kind is not None and kind != "toolTask":
            return ObjectOwner("task", kind, node)
        if path == "queue":
            return ObjectOwner("queue", None, node)
        return None
    if before == ":":
        key = _key_name(units[j + 2])
        if key in NESTED_OWNERS and _is_task_options(units, j + 3, sdk):
            return ObjectOwner(key, None, node)
        return None
    if before in ("[", ","):  # an element of `concurrency: [{ ... }]`
        k = units.opener(j + 1)
        if (
            k is not None
            and units.type(k) == "["
            and units.type(k + 1) == ":"
            and _key_name(units[k + 2]) == "concurrency"
            and _is_task_options(units, k + 3, sdk)
        ):
            return ObjectOwner("concurrency", None, node)
    return None


def _is_task_options(units: Units, start: int, sdk: SdkNames) -> bool:
    j = units.opener(start)
    if j is None:
        return False
    owner = object_owner(units, j, sdk)
    return owner is not None and owner.owner == "task"


def _skip_type_args(units: Units, i: int) -> int:
    return i + 1 if units.type(i) == "type_arguments" else i


def present_keys(units: Units, j: int, obj: ts.Node | None, skip: tuple[int, int]) -> set[str]:
    """Keys already written in the object whose `{` is unit `j`, except the one at `skip`."""
    keys: set[str] = set()
    members = obj.named_children if obj is not None else [units[i] for i in range(j)]
    for member in members:
        if member is None or (member.start_byte <= skip[0] and skip[1] <= member.end_byte):
            continue
        if member.type in ("pair", "shorthand_property_identifier", "method_definition"):
            name = property_name(member)
            if name is not None:
                keys.add(name)
    if obj is None:  # loose `key :` tokens in an ERROR
        for i in range(j):
            if units.type(i) == ":":
                name = _key_name(units[i + 1])
                if name is not None:
                    keys.add(name)
    return keys


@dataclass(frozen=True)
class StringSpot:
    """A string the position is inside: its content range and what the string is for."""

    start: int  # first byte of the content
    end: int  # end of the content (the cursor when the string is unclosed)
    quote: int  # byte offset of the opening quote
    key: str | None = None  # `machine` for `machine: "..."`
    in_cron: bool = False  # the key sits in a `cron: { ... }` object
    call: str | None = None  # SDK path of the call this is the first argument of
    batch_item: str | None = None  # `batch.trigger` when this is `id` in one of its items
    schedule_task: bool = False  # `task:` in schedules.create({ ... })


def _opening_quote(node: ts.Node) -> bool:
    parent = node.parent
    if parent is None or parent.type not in ("string", "template_string"):
        return True
    first = parent.children[0] if parent.child_count else None
    return first is not None and first.id == node.id


def string_at(root: ts.Node, source: bytes, offset: int) -> tuple[int, int, int] | None:
    """(quote, content start, content end) of the string around `offset`, closed or not."""
    for node in reversed(_path(root, offset)):
        if node.type == "template_substitution":
            return None
        if node.type in ("string", "template_string"):
            last = node.children[-1] if node.child_count else None
            closed = last is not None and last.type in QUOTES and not last.is_missing
            if closed and last is not None and last.start_byte == node.start_byte:
                closed = False
            end = node.end_byte - 1 if closed else node.end_byte
            return node.start_byte, node.start_byte + 1, max(end, offset)
    units = Units(root, offset)
    i = 0
    while units.type(i) in ("string_fragment", "escape_sequence"):
        i += 1
    prev = units[i]
    if prev is not None and prev.type in QUOTES and _opening_quote(prev):
        quote = prev.start_byte
    else:
        gap_start = prev.end_byte if prev is not None else 0
        gap = source[gap_start:offset]
        stripped = gap.lstrip()
        if not stripped or stripped[:1] not in (b'"', b"'", b"`"):
            return None
        quote = gap_start + len(gap) - len(stripped)
    if b"\n" in source[quote:offset]:
        return None
    return quote, quote + 1, offset


def string_spot(root: ts.Node, source: bytes, offset: int, sdk: SdkNames) -> StringSpot | None:
    found = string_at(root, source, offset)
    if found is None:
        return None
    quote, start, end = found
    units = Units(root, quote)
    first = units.type(0)
    if first == ":":
        key = _key_name(units[1])
        j = units.opener(2)
        in_cron = False
        batch_item = None
        schedule_task = False
        if j is not None and units.type(j) == "{":
            in_cron = units.type(j + 1) == ":" and _key_name(units[j + 2]) == "cron"
            k = units.opener(j + 1)
            if k is not None and units.type(k) == "[" and units.type(k + 1) == "(":
                callee = expression_at(units, _skip_type_args(units, k + 2), sdk)
                if callee is not None and callee.path in BATCH_BY_ID:
                    batch_item = callee.path
            if units.type(j + 1) == "(":
                callee = expression_at(units, _skip_type_args(units, j + 2), sdk)
                schedule_task = callee is not None and callee.path == SCHEDULE_CREATE
        return StringSpot(
            start, end, quote, key, in_cron, batch_item=batch_item, schedule_task=schedule_task
        )
    if first == "(":
        callee = expression_at(units, _skip_type_args(units, 1), sdk)
        return StringSpot(start, end, quote, call=callee.path if callee is not None else None)
    return StringSpot(start, end, quote)


@dataclass(frozen=True)
class Word:
    start: int
    end: int

    def text(self, source: bytes) -> str:
        return source[self.start : self.end].decode("utf-8", "replace")


def word_before(source: bytes, offset: int, dashes: bool = False) -> Word:
    """The identifier (or, with `dashes`, pattern prefix such as `tr-task`) ending at `offset`."""
    start = offset
    while start > 0 and (source[start - 1] in _WORD_BYTES or (dashes and source[start - 1] == 45)):
        start -= 1
    return Word(start, offset)


@dataclass(frozen=True)
class MemberSpot:
    word: Word
    path: str | None  # SDK path of the object (`wait`), "" for a namespace import itself
    task_reference: bool = False


@dataclass(frozen=True)
class KeySpot:
    word: Word
    owner: ObjectOwner
    present: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class StatementSpot:
    word: Word
    top_level: bool


def member_spot(root: ts.Node, source: bytes, offset: int, model: FileModel) -> MemberSpot | None:
    word = word_before(source, offset)
    units = Units(root, word.start)
    if units.type(0) not in MEMBER_DOTS:
        return None
    obj = expression_at(units, 1, model.sdk)
    if obj is None:
        return None
    if obj.namespace:
        return MemberSpot(word, "")
    if obj.path is not None:
        return MemberSpot(word, obj.path)
    if obj.node is not None and model.is_task_reference(obj.node):
        return MemberSpot(word, None, task_reference=True)
    return None


def key_spot(root: ts.Node, source: bytes, offset: int, sdk: SdkNames) -> KeySpot | None:
    word = word_before(source, offset)
    units = Units(root, word.start)
    first = units.type(0)
    if first in (":", ".", "?.", "=", "=>") or first in QUOTES:
        return None
    j = units.opener(0)
    if j is None:
        return None
    owner = object_owner(units, j, sdk)
    if owner is None:
        return None
    return KeySpot(word, owner, present_keys(units, j, owner.node, (word.start, word.end)))


def statement_spot(root: ts.Node, source: bytes, offset: int) -> StatementSpot | None:
    word = word_before(source, offset, dashes=True)
    units = Units(root, word.start)
    first = units[0]
    if first is not None and not (
        first.type in STATEMENT_ENDS
        or first.type.endswith(("_statement", "_declaration"))
        or first.type == "statement_block"
    ):
        return None
    j = units.opener(0)
    if j is None:
        return StatementSpot(word, top_level=True)
    brace = units[j]
    if brace is None or brace.type != "{":
        return None
    parent = brace.parent
    if parent is not None and parent.type in ("statement_block", "class_body"):
        return StatementSpot(word, top_level=False) if parent.type == "statement_block" else None
    if parent is not None and parent.type == "ERROR" and units.type(j + 1) in ("=>", ")"):
        return StatementSpot(word, top_level=False)
    return None
