"""Rules: triggering tasks (awaiting, loops, ids, trigger options) and reading their results."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import PurePath

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    ancestors,
    call_function,
    callee_method,
    callee_object,
    enclosing_function,
    function_body,
    member_property,
    member_value,
    misparsed_await,
    object_members,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, rule
from trigger_lsp.rules.common import (
    SDK_TRIGGERS,
    TASK_OBJECT_METHODS,
    TRIGGER_METHODS,
    TriggerCall,
    at_module_level,
    awaited_value,
    enclosing_loop,
    identifier_uses,
    is_async,
    is_const,
    outermost,
    trigger_calls,
)

# --- Results of waiting triggers -------------------------------------------------------------

# What a TaskRunResult has; `unwrap` belongs to the promise, but calling it is never this bug.
RESULT_FIELDS = frozenset({"ok", "id", "taskIdentifier", "output", "error", "unwrap"})


def _result_uses(ctx: FileContext, call: ts.Node) -> tuple[ts.Node, list[ts.Node]] | None:
    """For an awaited call: the node whose value is the awaited result and the nodes that read
    it (the value itself when used in place, else every later use of the variable it is bound
    to). None when the call is not awaited, or its result goes elsewhere."""
    value = awaited_value(call)
    if value is None or value.parent is None:
        return None
    parent = value.parent
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == value:
        name = parent.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            return value, identifier_uses(ctx.model, name)
    return value, [value]


def _property_read(node: ts.Node) -> ts.Node | None:
    """The member expression `node.prop` when `node` is its object."""
    parent = node.parent
    if parent is None or parent.type != "member_expression":
        return None
    return parent if parent.child_by_field_name("object") == node else None


def _destructured_keys(value: ts.Node) -> list[ts.Node] | None:
    """The keys of `const { a, b: c } = value`; None when the pattern has a rest element or the
    value is not destructured."""
    parent = value.parent
    pattern = parent.child_by_field_name("name") if parent is not None else None
    if parent is None or parent.type != "variable_declarator" or pattern is None:
        return None
    if pattern.type != "object_pattern":
        return None
    keys = []
    for prop in pattern.named_children:
        if prop.type == "shorthand_property_identifier_pattern":
            keys.append(prop)
        elif prop.type in ("pair_pattern", "object_assignment_pattern"):
            key = prop.child_by_field_name("key") or prop.child_by_field_name("left")
            if key is None:
                return None
            keys.append(key)
        elif prop.type != "comment":
            return None
    return keys


@rule("result-not-unwrapped", args=("call", "property"))
def result_not_unwrapped(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        if trigger.method != "triggerAndWait" or trigger.is_batch:
            continue
        found = _result_uses(ctx, trigger.call)
        if found is None:
            continue
        value, uses = found
        bad: list[tuple[ts.Node, str]] = []
        others = 0  # uses that are not a read of an output field
        keys = _destructured_keys(value) or []
        for use in uses:
            if use == value and keys:
                continue  # destructured: the keys are checked below
            read = _property_read(use)
            prop = member_property(read) if read is not None else None
            if read is not None and prop is not None and prop not in RESULT_FIELDS:
                bad.append((read, prop))
            else:
                others += 1
        for key in keys:
            if text(key) not in RESULT_FIELDS:
                bad.append((key, text(key)))
            else:
                others += 1
        if not bad:
            continue
        # `.unwrap()` changes what the variable holds: offer it only when nothing reads the
        # wrapper itself, and no type annotation names the wrapper type.
        declarator = value.parent
        if declarator is not None and declarator.type == "variable_declarator":
            typed = declarator.child_by_field_name("type") is not None
            others += 0 if is_const(declarator) and not typed else 1
        fix = None
        if others == 0:
            fix = Fix((Edit(trigger.call.end_byte, trigger.call.end_byte, ".unwrap()"),))
        for node, prop in bad:
            yield Report(node, args={"property": prop, "call": text(trigger.callee)}, fix=fix)


ARRAY_MEMBERS = {
    "length": "read the length of",
    "map": "call `.map` on",
    "forEach": "call `.forEach` on",
    "filter": "call `.filter` on",
    "reduce": "call `.reduce` on",
    "flatMap": "call `.flatMap` on",
    "some": "call `.some` on",
    "every": "call `.every` on",
    "find": "call `.find` on",
    "findIndex": "call `.findIndex` on",
    "slice": "call `.slice` on",
    "at": "call `.at` on",
    "includes": "call `.includes` on",
    "indexOf": "call `.indexOf` on",
    "join": "call `.join` on",
    "concat": "call `.concat` on",
    "entries": "call `.entries` on",
}
INDEX_TYPES = frozenset({"number", "identifier", "binary_expression", "unary_expression"})


def _array_usage(node: ts.Node) -> str | None:
    """How `node` is used as though it were an array, as words for the message; else None."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object") == node:
        return ARRAY_MEMBERS.get(member_property(parent) or "")
    if parent.type == "subscript_expression" and parent.child_by_field_name("object") == node:
        index = unwrap(parent.child_by_field_name("index"))
        return "index" if index is not None and index.type in INDEX_TYPES else None
    if parent.type == "for_in_statement" and parent.child_by_field_name("right") == node:
        operator = parent.child_by_field_name("operator")
        return "iterate" if operator is not None and operator.type == "of" else None
    if parent.type == "spread_element" and parent.parent is not None:
        return "spread" if parent.parent.type in ("array", "arguments") else None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        name = parent.child_by_field_name("name")
        return "destructure" if name is not None and name.type == "array_pattern" else None
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        return "destructure" if left is not None and left.type == "array_pattern" else None
    return None


def _runs_edits(node: ts.Node) -> tuple[Edit, ...]:
    """Edits that make `node` read `.runs`, adding parentheses around a bare `await`."""
    function = node.child_by_field_name("function")
    bare_await = node.type == "call_expression" and misparsed_await(function) is not None
    if node.type == "await_expression" or bare_await:
        return (
            Edit(node.start_byte, node.start_byte, "("),
            Edit(node.end_byte, node.end_byte, ").runs"),
        )
    return (Edit(node.end_byte, node.end_byte, ".runs"),)


@rule("batch-result-not-iterable", args=("call", "usage"))
def batch_result_not_iterable(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        if not (trigger.waits and trigger.is_batch):
            continue
        found = _result_uses(ctx, trigger.call)
        if found is None:
            continue
        for use in found[1]:
            usage = _array_usage(use)
            if usage is not None:
                args = {"call": text(trigger.callee), "usage": usage}
                yield Report(use, args=args, fix=Fix(_runs_edits(use)))


# Handles that lost `runs` in v4; `batch.triggerByTask` still has them.
RUNLESS_HANDLES = frozenset({"batchTrigger", "tasks.batchTrigger", "batch.trigger"})


@rule("batch-trigger-runs-removed", args=("call",))
def batch_trigger_runs_removed(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        if trigger.name not in RUNLESS_HANDLES:
            continue
        found = _result_uses(ctx, trigger.call)
        if found is None:
            continue
        value, uses = found
        args = {"call": text(trigger.callee)}
        for use in uses:
            read = _property_read(use)
            if read is not None and member_property(read) == "runs":
                yield Report(read, args=args)
        for key in _destructured_keys(value) or []:
            if text(key) == "runs":
                yield Report(key, args=args)


# --- Results of waiting triggers that are never checked ---------------------------------------

# Reads of a single result that look at how the child ended; any other read of a field is
# either an identity (`id`, `taskIdentifier`) or the other rule's business (result-not-unwrapped).
OUTCOME_FIELDS = frozenset({"ok", "error", "output", "unwrap"})
IDENTITY_FIELDS = frozenset({"id", "taskIdentifier"})
# Promise methods that pass a fulfilled result through untouched.
PASS_THROUGH = frozenset({"catch", "finally"})


def _discarded(call: ts.Node) -> tuple[ts.Node, bool] | None:
    """When the awaited call (optionally followed by `.catch(...)`/`.finally(...)`) is all its
    statement does: the awaited expression, and whether a `.catch(...)` follows the call.
    None when the result goes anywhere, or the call is not awaited at all (another bug)."""
    node = outermost(call)
    chained = caught = False
    while True:
        parent = node.parent
        if parent is None or parent.type != "member_expression":
            break
        if parent.child_by_field_name("object") != node:
            break
        method = member_property(parent)
        if method not in PASS_THROUGH:
            break
        outer = parent.parent
        if outer is None or outer.type != "call_expression":
            break
        node, chained, caught = outermost(outer), True, caught or method == "catch"
    if not chained and misparsed_await(call.child_by_field_name("function")) is not None:
        awaited = node  # `await f<T>(x)`: the grammar put the await inside the call
    elif node.parent is not None and node.parent.type == "await_expression":
        awaited = outermost(node.parent)
    else:
        return None
    if awaited.parent is not None and awaited.parent.type == "expression_statement":
        return awaited, caught
    return None


def _inside_try(node: ts.Node) -> bool:
    """Whether `node` is in the block of a `try` that has a `catch`, in the same function: the
    code was written expecting a failure to throw there."""
    child = node
    for anc in ancestors(node):
        if anc.type in FUNCTION_TYPES:
            return False
        body = anc.child_by_field_name("body") if anc.type == "try_statement" else None
        if body == child and anc.child_by_field_name("handler") is not None:
            return True
        child = anc
    return False


def _binding(value: ts.Node) -> ts.Node | None:
    """The name or object pattern a `const/let x = value` binds, else None."""
    parent = value.parent
    if parent is None or parent.type != "variable_declarator":
        return None
    if parent.child_by_field_name("value") != value:
        return None
    name = parent.child_by_field_name("name")
    if name is not None and name.type in ("identifier", "object_pattern"):
        return name
    return None


def _pattern_entries(pattern: ts.Node) -> list[tuple[str, ts.Node | None]] | None:
    """The keys of an object pattern with the identifier each binds (None when it binds a
    nested pattern or has a default); None for a rest element or anything unexpected."""
    entries: list[tuple[str, ts.Node | None]] = []
    for prop in pattern.named_children:
        if prop.type == "shorthand_property_identifier_pattern":
            entries.append((text(prop), prop))
        elif prop.type == "pair_pattern":
            key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
            if key is None:
                return None
            bound = value if value is not None and value.type == "identifier" else None
            entries.append((text(key), bound))
        elif prop.type == "object_assignment_pattern":
            left = prop.child_by_field_name("left")
            if left is None:
                return None
            entries.append((text(left), None))
        elif prop.type != "comment":
            return None
    return entries


def _single_unchecked(ctx: FileContext, binding: ts.Node) -> bool:
    """Whether a bound triggerAndWait result is never checked: every use reads only its `id`
    or `taskIdentifier` (or there is none). Any other use (a check, a return, an argument, a
    read of the output) counts as handled."""
    if binding.type == "object_pattern":
        entries = _pattern_entries(binding)
        return entries is not None and all(key in IDENTITY_FIELDS for key, _ in entries)
    for use in identifier_uses(ctx.model, binding):
        read = _property_read(use)
        if read is None or member_property(read) not in IDENTITY_FIELDS:
            return False
    return True


def _runs_unchecked(ctx: FileContext, runs: ts.Node) -> bool:
    """Whether the `runs` array (a `.runs` read, or a variable bound to it) is only measured."""
    uses = identifier_uses(ctx.model, runs) if runs.type != "member_expression" else [runs]
    for use in uses:
        read = _property_read(use)
        if read is None or member_property(read) != "length":
            return False
    return True


def _batch_unchecked(ctx: FileContext, binding: ts.Node) -> bool:
    """Whether a bound batch wait result never has its runs looked at: every use reads its
    `id`, or `runs` only for its length (or there is none)."""
    if binding.type == "object_pattern":
        entries = _pattern_entries(binding)
        if entries is None:
            return False
        for key, bound in entries:
            if key == "runs" and (bound is None or not _runs_unchecked(ctx, bound)):
                return False
            if key not in ("id", "runs"):
                return False
        return True
    for use in identifier_uses(ctx.model, binding):
        read = _property_read(use)
        prop = member_property(read) if read is not None else None
        if read is None or prop not in ("id", "runs"):
            return False
        if prop == "runs" and not _runs_unchecked(ctx, read):
            return False
    return True


def _shown_binding(binding: ts.Node) -> str:
    """The bound name for a message; a destructuring when its text is long."""
    shown = text(binding)
    return shown if len(shown) <= 40 and "\n" not in shown else "a destructuring"


@rule(
    "unchecked-child-result",
    args=("call",),
    variants={
        "in_try": ("call",),
        "caught": ("call",),
        "unused": ("call", "name"),
        "identity_only": ("call",),
        "batch": ("call",),
        "batch_unchecked": ("call", "name"),
    },
)
def unchecked_child_result(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        # A wait at module level is wait-outside-run's error (and its uses would span statements).
        if not trigger.waits or at_module_level(trigger.call):
            continue
        call = trigger.call
        args = {"call": text(trigger.callee)}
        single = trigger.method == "triggerAndWait" and not trigger.is_batch
        discarded = _discarded(call)
        if discarded is not None:
            statement, caught = discarded
            if not single:
                yield Report(trigger.callee, "batch", args)
                continue
            # `.unwrap()` makes a failed child throw SubtaskUnwrapError. Inside a try with a
            # catch, or before a `.catch(...)`, the code was written for exactly that;
            # elsewhere it turns a run that carried on into a failed attempt (and retries),
            # which the author must choose.
            variant = "caught" if caught else "in_try" if _inside_try(statement) else None
            safety = FixSafety.UNSAFE if variant is None else FixSafety.SAFE
            fix = Fix((Edit(call.end_byte, call.end_byte, ".unwrap()"),), safety)
            yield Report(trigger.callee, variant, args, fix=fix)
            continue
        value = awaited_value(call)
        binding = _binding(value) if value is not None else None
        if binding is None:
            continue
        shown = {**args, "name": _shown_binding(binding)}
        if single and _single_unchecked(ctx, binding):
            used = binding.type == "object_pattern" or identifier_uses(ctx.model, binding)
            yield Report(trigger.callee, "identity_only" if used else "unused", shown)
        elif not single and _batch_unchecked(ctx, binding):
            yield Report(trigger.callee, "batch_unchecked", shown)


# --- How triggers are called -----------------------------------------------------------------

PROMISE_CHAIN = frozenset({"then", "catch", "finally"})


def _bare_statement(call: ts.Node) -> ts.Node | None:
    """The expression that makes up a whole statement, when `call` (or a `.then/.catch/
    .finally` chain on it) is all the statement does; else None."""
    node = outermost(call)
    while True:
        parent = node.parent
        if parent is None or parent.type != "member_expression":
            break
        if member_property(parent) not in PROMISE_CHAIN:
            break
        chained = parent.parent
        if chained is None or chained.type != "call_expression":
            break
        node = outermost(chained)
    if node.parent is not None and node.parent.type == "expression_statement":
        return node
    return None


# What SE-07 calls fire-and-forget triggers (the same set as common.trigger_name).
FIRE_AND_FORGET = TRIGGER_METHODS | SDK_TRIGGERS


@rule("unawaited-trigger", args=("call",))
def unawaited_trigger(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        call = trigger.call
        if trigger.name not in FIRE_AND_FORGET or trigger.awaited:
            continue
        if ctx.model.task_running(call) is None:
            continue
        statement = _bare_statement(call)
        if statement is None:
            continue
        fix = None
        if is_async(enclosing_function(call)):
            fix = Fix((Edit(statement.start_byte, statement.start_byte, "await "),))
        yield Report(trigger.callee, args={"call": text(trigger.callee)}, fix=fix)


@rule("trigger-in-loop", args=("batch", "call"))
def trigger_in_loop(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        if trigger.name not in ("trigger", "tasks.trigger") or not trigger.awaited:
            continue
        task = ctx.model.task_running(trigger.call)
        if task is None or task.run is None:
            continue
        loop = enclosing_loop(trigger.call, function_body(task.run) or task.run)
        if loop is None or _few_items(loop):
            continue
        shown = text(trigger.callee)
        batch = shown[: -len("trigger")] + "batchTrigger" if shown.endswith("trigger") else shown
        yield Report(trigger.callee, args={"call": shown, "batch": batch})


FEW_ITEMS = 5  # a loop over this many literal items makes a handful of requests: no finding


def _few_items(loop: ts.Node) -> bool:
    """Whether the loop visibly runs over a handful of items written in the code: `for (const
    x of ["a", "b"])` or `["a", "b"].forEach(...)` with at most FEW_ITEMS elements and no
    spread."""
    if loop.type == "call_expression":
        items = unwrap(callee_object(loop))
    elif loop.type == "for_in_statement":
        items = unwrap(loop.child_by_field_name("right"))
    else:
        return False
    if items is None or items.type != "array":
        return False
    elements = [e for e in items.named_children if e.type != "comment"]
    return len(elements) <= FEW_ITEMS and all(e.type != "spread_element" for e in elements)


UNTYPED_CALLS = frozenset(
    {"tasks.trigger", "tasks.batchTrigger", "tasks.triggerAndWait", "tasks.batchTriggerAndWait"}
)
JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx"})


@rule("untyped-tasks-trigger", args=("call",))
def untyped_tasks_trigger(ctx: FileContext) -> Iterator[Report]:
    if ctx.path is not None and PurePath(ctx.path).suffix.lower() in JS_SUFFIXES:
        return
    for call in ctx.model.calls_where(callee_method, TASK_OBJECT_METHODS):
        fn = call_function(call)
        if ctx.model.sdk.resolve(fn) not in UNTYPED_CALLS or fn is None:
            continue
        if call.child_by_field_name("type_arguments") is None:
            yield Report(fn, args={"call": text(fn)})


def _literal_ids(trigger: TriggerCall) -> list[ts.Node]:
    ids = [trigger.task_id] if trigger.task_id is not None else []
    if trigger.name in ("batch.trigger", "batch.triggerAndWait"):
        ids += trigger.item_ids
    return [n for n in ids if string_value(n) is not None]


@rule("unknown-task-id", args=("id",), variants={"similar": ("closest", "id")}, reads_index=True)
def unknown_task_id(ctx: FileContext) -> Iterator[Report]:
    # Reads the project's ids: statements.py keeps its findings only while they stay the same.
    if ctx.index is None or not ctx.index.complete:
        return
    root = ctx.project.root
    local = {t.id for t in ctx.model.file_tasks if t.id}
    if not local and not ctx.index.has_ids(root):  # nothing indexed: the tasks live elsewhere
        return
    for trigger in trigger_calls(ctx.model):
        for node in _literal_ids(trigger):
            task_id = string_value(node)
            if task_id is None or task_id in local or ctx.index.knows(task_id, root):
                continue
            known = sorted(ctx.index.ids(root) | local)
            close = difflib.get_close_matches(task_id, known, n=1, cutoff=0.6)
            if close:
                yield Report(node, "similar", {"id": task_id, "closest": close[0]})
            else:
                yield Report(node, args={"id": task_id})


# --- Trigger options -------------------------------------------------------------------------


def _option(options: ts.Node, name: str) -> ts.Node | None:
    return unwrap(member_value(object_members(options).get(name)))


# Values of a queue object's `name` that can stand in for the whole object.
NAME_EXPRESSIONS = frozenset(
    {
        "string",
        "template_string",
        "identifier",
        "member_expression",
        "shorthand_property_identifier",
    }
)


@rule("trigger-queue-object", fix_args=("name",))
def trigger_queue_object(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        for options in trigger.run_options:
            queue = _option(options, "queue")
            if queue is None or queue.type != "object":
                continue
            name = unwrap(member_value(object_members(queue).get("name")))
            if name is None or name.type not in NAME_EXPRESSIONS:
                yield Report(queue)
                continue
            fix = Fix((Edit(queue.start_byte, queue.end_byte, text(name)),))
            yield Report(queue, args={"name": text(name)}, fix=fix)


MAX_TAGS = 10
MAX_TAG_LENGTH = 128


def _tag_reports(value: ts.Node | None) -> Iterator[Report]:
    value = unwrap(value)
    if value is None:
        return
    elements = [value]
    if value.type == "array":
        elements = [unwrap(c) or c for c in value.named_children if c.type != "comment"]
        count = sum(1 for e in elements if e.type != "spread_element")
        if count > MAX_TAGS:
            yield Report(value, args={"count": count})
    for element in elements:
        tag = string_value(element)
        if tag is None:
            continue
        if not tag:
            yield Report(element, "empty")
        elif len(tag) > MAX_TAG_LENGTH:
            yield Report(element, "too_long", {"length": len(tag)})


@rule("too-many-tags", args=("count",), variants={"too_long": ("length",), "empty": ()})
def too_many_tags(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        for options in trigger.run_options:
            yield from _tag_reports(_option(options, "tags"))
    for call in ctx.model.calls_where(callee_method, ("add",)):
        if ctx.model.sdk.resolve(call.child_by_field_name("function")) == "tags.add":
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            yield from _tag_reports(first)


# --- Dynamic imports -------------------------------------------------------------------------


def _dynamic_source(ctx: FileContext, obj: ts.Node, call: ts.Node) -> bool:
    """Whether the receiver of a trigger method was loaded by an `await import()` inside a
    function that also holds the call."""
    if obj.type == "member_expression":
        inner = unwrap(obj.child_by_field_name("object"))
        if inner is not None and inner.type == "await_expression" and inner.named_children:
            loaded = unwrap(inner.named_children[0])
            return loaded is not None and text(loaded.child_by_field_name("function")) == "import"
        if inner is None or inner.type != "identifier":
            return False
        obj = inner
    elif obj.type != "identifier":
        return False
    name = text(obj)
    for imp in ctx.model.imports:
        if not imp.dynamic or (name not in imp.names and name != imp.namespace):
            continue
        scope = enclosing_function(imp.node)
        if imp.node.start_byte > call.start_byte or scope is None:
            continue
        if scope.start_byte <= call.start_byte and call.end_byte <= scope.end_byte:
            return imp.is_relative or callee_method(call) != "trigger"
    return False


@rule("dynamic-import-child", args=("method", "name"))
def dynamic_import_child(ctx: FileContext) -> Iterator[Report]:
    if not any(imp.dynamic for imp in ctx.model.imports) and not ctx.mentions(b"import("):
        return
    for call in ctx.model.calls_where(callee_method, TASK_OBJECT_METHODS):
        method = callee_method(call)
        obj = unwrap(callee_object(call))
        if obj is None:
            continue
        if ctx.model.task_running(call) is None or not _dynamic_source(ctx, obj, call):
            continue
        yield Report(obj, args={"name": text(obj), "method": method})
