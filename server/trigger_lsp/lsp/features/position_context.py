"""What a position in a (possibly half-typed) file is: a member after `wait.`, a key in a task's
options, the string of a `machine:` value or a triggered task id, or a statement start.

Half-typed code is the normal case here, so the answer is read from the syntax units before the
position: the siblings on each level up the tree, with ERROR nodes opened because error
recovery leaves loose tokens and unbalanced brackets in them. Walking back over those units
with a bracket count finds the enclosing `{`, `(` and `[` and what precedes each, the same way
for a well-formed tree and for a broken one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import tree_sitter as ts

from trigger_lsp.analysis.imports import SdkNames
from trigger_lsp.analysis.model import TASK_FACTORIES, FileModel
from trigger_lsp.analysis.syntax import property_name, string_value, text
from trigger_lsp.knowledge.model import OPTION_PARENTS

OPENERS = frozenset({"{", "(", "[", "${"})
CLOSERS = frozenset({"}", ")", "]"})
QUOTES = frozenset({'"', "'", "`"})
NESTED_OWNERS = frozenset({"retry", "queue", "concurrency", "cron"})
# Whether an expression denotes a task object (FileModel.is_task_reference).
TaskTest = Callable[[ts.Node | None], bool]


@dataclass(frozen=True)
class TriggerCall:
    """Where a trigger call takes its options: the trigger options argument, or the batch
    items (each with its own `options`) and the batch options after them."""

    kind: str  # "trigger", "triggerAndWait" or "triggerAndSubscribe": what its options allow
    options_arg: int | None = None
    items_arg: int | None = None

    @property
    def batch_options_arg(self) -> int | None:
        return self.items_arg + 1 if self.items_arg is not None else None


# SDK functions, by path (core 4.8.3 `types/tasks.d.ts:443-501`, sdk `shared.d.ts:176-460`).
SDK_TRIGGER_CALLS = {
    "tasks.trigger": TriggerCall("trigger", options_arg=2),
    "tasks.triggerAndWait": TriggerCall("triggerAndWait", options_arg=2),
    "tasks.triggerAndSubscribe": TriggerCall("triggerAndSubscribe", options_arg=2),
    "tasks.batchTrigger": TriggerCall("trigger", items_arg=1),
    "tasks.batchTriggerAndWait": TriggerCall("triggerAndWait", items_arg=1),
    "batch.trigger": TriggerCall("trigger", items_arg=0),
    "batch.triggerAndWait": TriggerCall("triggerAndWait", items_arg=0),
    "batch.triggerByTask": TriggerCall("trigger", items_arg=0),
    "batch.triggerByTaskAndWait": TriggerCall("triggerAndWait", items_arg=0),
}
# Methods of a task object.
TASK_TRIGGER_METHODS = {
    "trigger": TriggerCall("trigger", options_arg=1),
    "triggerAndWait": TriggerCall("triggerAndWait", options_arg=1),
    "triggerAndSubscribe": TriggerCall("triggerAndSubscribe", options_arg=1),
    "batchTrigger": TriggerCall("trigger", items_arg=0),
    "batchTriggerAndWait": TriggerCall("triggerAndWait", items_arg=0),
}
CONFIG_FACTORY = "defineConfig"
ITEM_OPTIONS_KEY = "options"  # `{ payload, options: { ... } }` in batch items
_ITEM_DEPTH = 8  # openers between a batch item and the call (`.map((x) => ({ ... }))`)
_NESTING_KEYS = frozenset({key for _, key in OPTION_PARENTS} | {ITEM_OPTIONS_KEY})
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
        found = self.opener_and_commas(start, limit)
        return found[0] if found is not None else None

    def opener_and_commas(self, start: int = 0, limit: int = 2000) -> tuple[int, int] | None:
        """The index of the nearest unmatched opening bracket at or after `start`, and the
        commas at depth 0 before it (the argument's index, when the bracket is a `(`)."""
        depth = commas = 0
        i = start
        while i < start + limit:
            kind = self.type(i)
            if kind is None:
                return None
            if kind in CLOSERS:
                depth += 1
            elif kind in OPENERS:
                if depth == 0:
                    return i, commas
                depth -= 1
            elif kind == "," and depth == 0:
                commas += 1
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
    # `obj.prop` (one member, loose tokens included): the object and the member's name
    obj: ts.Node | None = None
    prop: str | None = None


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
        if node.type == "member_expression":
            member = node.child_by_field_name("property")
            return Callee(
                sdk.resolve(node),
                node,
                obj=node.child_by_field_name("object"),
                prop=text(member) if member is not None else None,
            )
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
            one = len(parts) == 1
            obj = prev if one else None
            prop = parts[0] if one else None
            if prev.type == "identifier":
                path = resolve_parts(sdk, [text(prev), *parts])
                return Callee(path, None, obj=obj, prop=prop)
            base = sdk.resolve(prev)
            return Callee(".".join([base, *parts]) if base else None, None, obj=obj, prop=prop)
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
    """Which object a `{` opens: the options of a task, a trigger call, a batch call or
    `defineConfig`, or an object nested in them (OPTION_PARENTS)."""

    owner: str  # "task", "trigger", "batchOptions", "config" or a nested owner
    # The task kind ("task", "schemaTask", "schedules.task") for task options; the call kind
    # ("trigger", "triggerAndWait", "triggerAndSubscribe") for trigger options.
    task_kind: str | None
    node: ts.Node | None  # the object node when the tree has one


def object_owner(
    units: Units, j: int, sdk: SdkNames, is_task: TaskTest | None = None, depth: int = 0
) -> ObjectOwner | None:
    """Classify the `{` at unit `j`."""
    if units.type(j) != "{" or depth > _ITEM_DEPTH:
        return None
    brace = units[j]
    obj = brace.parent if brace is not None and brace.parent is not None else None
    node = obj if obj is not None and obj.type == "object" else None
    before = units.type(j + 1)
    if before == ":":
        key = _key_name(units[j + 2])
        if key not in _NESTING_KEYS:  # most objects in user code: no need to look further
            return None
        k = units.opener(j + 3)
        if k is None:
            return None
        parent = object_owner(units, k, sdk, is_task, depth + 1)
        if parent is not None:
            child = OPTION_PARENTS.get((parent.owner, key))
            return ObjectOwner(child, None, node) if child is not None else None
        if key == ITEM_OPTIONS_KEY:
            kind = _batch_item_kind(units, k, sdk, is_task)
            return ObjectOwner("trigger", kind, node) if kind is not None else None
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
    if before not in ("(", ","):
        return None
    found = _argument(units, j + 1)
    if found is None:
        return None
    paren, arg = found
    callee = expression_at(units, _skip_type_args(units, paren + 1), sdk)
    if callee is None:
        return None
    path = callee.path
    if arg == 0:
        kind = TASK_FACTORIES.get(path or "")
        if kind is not None and kind != "toolTask":
            return ObjectOwner("task", kind, node)
        if path == "queue":
            return ObjectOwner("queue", None, node)
        if path == CONFIG_FACTORY:
            return ObjectOwner("config", None, node)
    call = _trigger_call(callee, is_task)
    if call is None:
        return None
    if arg == call.options_arg:
        return ObjectOwner("trigger", call.kind, node)
    if arg == call.batch_options_arg:
        return ObjectOwner("batchOptions", None, node)
    return None


def _argument(units: Units, start: int, limit: int = 2000) -> tuple[int, int] | None:
    """(the index of the `(` around unit `start - 1`, the argument's index) when the nearest
    unmatched opener from `start` on is a `(`: commas at depth 0 count the arguments."""
    found = units.opener_and_commas(start, limit)
    return found if found is not None and units.type(found[0]) == "(" else None


def _trigger_call(callee: Callee, is_task: TaskTest | None) -> TriggerCall | None:
    call = SDK_TRIGGER_CALLS.get(callee.path or "")
    if call is not None:
        return call
    method = TASK_TRIGGER_METHODS.get(callee.prop or "") if callee.path is None else None
    if method is not None and is_task is not None and is_task(callee.obj):
        return method
    return None


def _batch_item_kind(
    units: Units, item: int, sdk: SdkNames, is_task: TaskTest | None
) -> str | None:
    """The trigger kind of batch items when the object at unit `item` is one: it sits in the
    items argument of a batch call, directly (`[{ ... }]`) or built by a callback
    (`items.map((x) => ({ ... }))`)."""
    i = item
    for _ in range(_ITEM_DEPTH):
        k = units.opener(i + 1)
        if k is None:
            return None
        if units.type(k) == "{" and (units.type(k + 1) != "=>" or units.type(i + 1) != "return"):
            return None  # in another object (a payload) or a statement, not an item returned
        if units.type(k) == "(":
            found = _argument(units, i + 1)
            callee = expression_at(units, _skip_type_args(units, k + 1), sdk)
            call = _trigger_call(callee, is_task) if callee is not None else None
            if call is not None and call.items_arg is not None:
                return call.kind if found is not None and found[1] == call.items_arg else None
        i = k
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
    # How to classify the object the key is in, asked only when a value set needs it.
    object_at: Callable[[], ObjectOwner | None] | None = field(default=None, compare=False)

    @cached_property
    def owner(self) -> str | None:
        """The owner of the object the key is in (`trigger`, `config`), if it is one."""
        found = self.object_at() if self.object_at is not None else None
        return found.owner if found is not None else None


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


def string_spot(
    root: ts.Node, source: bytes, offset: int, sdk: SdkNames, is_task: TaskTest | None = None
) -> StringSpot | None:
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
        object_at = None
        if j is not None and units.type(j) == "{":
            brace = j
            object_at = lambda: object_owner(units, brace, sdk, is_task)  # noqa: E731
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
            start,
            end,
            quote,
            key,
            in_cron,
            batch_item=batch_item,
            schedule_task=schedule_task,
            object_at=object_at,
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
    context: str | None = None  # `ctx.run` after `ctx.run.` on the run context


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
    context = context_path(obj.node, model) if obj.node is not None else None
    if context is not None:
        return MemberSpot(word, None, context=context)
    if obj.node is not None and model.is_task_reference(obj.node):
        return MemberSpot(word, None, task_reference=True)
    return None


def key_spot(
    root: ts.Node, source: bytes, offset: int, sdk: SdkNames, is_task: TaskTest | None = None
) -> KeySpot | None:
    word = word_before(source, offset)
    units = Units(root, word.start)
    first = units.type(0)
    if first in (":", ".", "?.", "=", "=>") or first in QUOTES:
        return None
    j = units.opener(0)
    if j is None:
        return None
    owner = object_owner(units, j, sdk, is_task)
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


# --- the run context (`ctx`) ---------------------------------------------------------------

RUN_CONTEXT = "ctx"  # the key of the run context in the second argument of run and the hooks
_FUNCTIONS = frozenset(
    {"arrow_function", "function_expression", "function", "function_declaration"}
)
_CONTEXT_DEPTH = 3  # `ctx.run.id` is as deep as the reference goes


def context_path(node: ts.Node | None, model: FileModel) -> str | None:
    """`ctx.run` for the expression `ctx.run` (or `c.run` after `{ ctx: c }`) when its root
    name is the run context a task's function receives; None otherwise."""
    parts: list[str] = []
    while node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        if prop is None or len(parts) >= _CONTEXT_DEPTH:
            return None
        parts.insert(0, text(prop))
        node = node.child_by_field_name("object")
    if node is None or node.type != "identifier" or not is_run_context(node, model):
        return None
    return ".".join([RUN_CONTEXT, *parts])


def is_run_context(ident: ts.Node, model: FileModel) -> bool:
    """Whether a name is bound by `{ ctx }` (or `{ ctx: name }`) in the parameters of a function
    given to a task (its `run`, hooks, middleware) or to a global `tasks.*` hook."""
    name = text(ident)
    node = ident.parent
    root = ident
    while node is not None:
        if node.type in _FUNCTIONS or node.type == "method_definition":
            params = node.child_by_field_name("parameters")
            bound = _binds_context(params, name) if params is not None else None
            if bound is not None:
                return bound and _is_task_function(node, model)
        root = node
        node = node.parent
    return _loose_run_context(Units(root, ident.start_byte), name, model)


def _loose_run_context(units: Units, name: str, model: FileModel) -> bool:
    """The same question in a tree broken by half-typed code, where the function is loose
    tokens in an ERROR: each enclosing `{` preceded by `=>` and parameters is a function."""
    k = units.opener(0)
    for _ in range(_ITEM_DEPTH * 2):
        if k is None:
            return False
        if units.type(k) != "{":  # the parentheses of an `if`, a call's arguments
            k = units.opener(k + 1)
            continue
        params = units[k + 2] if units.type(k + 1) == "=>" else None
        bound = _binds_context(params, name) if params is not None else None
        if params is not None and params.type == "formal_parameters" and bound is not None:
            if not bound:
                return False
            i = k + 3 + (units.type(k + 3) == "async")
            if units.type(i) != ":":
                return False
            j = units.opener(i + 2)
            owner = object_owner(units, j, model.sdk) if j is not None else None
            return owner is not None and owner.owner == "task"
        k = units.opener(k + 1)
    return False


def _binds_context(params: ts.Node, name: str) -> bool | None:
    """True: the parameters bind `name` to the context; False: to something else; None: not
    bound here."""
    for param in params.named_children:
        pattern = param.child_by_field_name("pattern") or param
        if pattern.type == "identifier":
            if text(pattern) == name:
                return False
            continue
        if pattern.type != "object_pattern":
            continue
        for member in pattern.named_children:
            if member.type == "shorthand_property_identifier_pattern" and text(member) == name:
                return name == RUN_CONTEXT
            if member.type == "pair_pattern":
                value = member.child_by_field_name("value")
                if value is not None and value.type == "identifier" and text(value) == name:
                    return _key_name(member.child_by_field_name("key")) == RUN_CONTEXT
    return None


def _is_task_function(fn: ts.Node, model: FileModel) -> bool:
    holder = fn.parent
    if holder is not None and holder.type == "pair":
        holder = holder.parent
    elif fn.type == "method_definition":
        holder = fn.parent
    elif holder is not None and holder.type == "arguments":
        call = holder.parent
        path = model.sdk.resolve(call.child_by_field_name("function")) if call else None
        return path is not None and path.startswith("tasks.")
    if holder is None or holder.type != "object":
        return False
    args = holder.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return False
    return model.sdk.resolve(call.child_by_field_name("function")) in TASK_FACTORIES
