"""Shapes that several rules recognise: waits, triggers, results bound to variables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tree_sitter as ts

from trigger_lsp.analysis.model import FileView
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    LOOP_TYPES,
    ancestors,
    call_arguments,
    call_function,
    callee_method,
    callee_object,
    descendants,
    function_params,
    is_awaited,
    member_property,
    member_value,
    misparsed_await,
    names_within,
    object_members,
    parent_of,
    text,
    unwrap,
)

# Methods that suspend the run until a child finishes, whatever object they are called on.
AND_WAIT_METHODS = frozenset({"triggerAndWait", "batchTriggerAndWait", "triggerByTaskAndWait"})
# SDK functions that wait (checkpoint) the run. `retry.onThrow` and `retry.fetch` wait with
# `wait.until` between attempts (sdk 4.8.3 dist/esm/v3/retry.js:57, 135-186);
# `webhooks.waiter.wait` suspends until a webhook arrives (webhookWaiters.js:85-99).
SDK_WAITS = frozenset(
    {
        "wait.for",
        "wait.until",
        "wait.forToken",
        "retry.onThrow",
        "retry.fetch",
        "webhooks.waiter.wait",
        "tasks.triggerAndWait",
        "tasks.batchTriggerAndWait",
        "batch.triggerAndWait",
        "batch.triggerByTaskAndWait",
    }
)
# Methods of an input stream (`streams.input({ id })`) that suspend the run: `wait` creates a
# waitpoint, `waitWithIdleTimeout` ends in `wait` (sdk 4.8.3 dist/esm/v3/streams.js:406-438,
# 484-520).
INPUT_STREAM_WAITS = frozenset({"wait", "waitWithIdleTimeout"})
TRIGGER_METHODS = frozenset({"trigger", "batchTrigger"})
SDK_TRIGGERS = frozenset(
    {"tasks.trigger", "tasks.batchTrigger", "batch.trigger", "batch.triggerByTask"}
)


def wait_name(model: FileView, call: ts.Node) -> str | None:
    """The name of the wait a call performs (`child.triggerAndWait`, `wait.for`), else None."""
    sdk = model.sdk.resolve(call_function(call))
    if sdk in SDK_WAITS:
        return sdk
    method = callee_method(call)
    if method in AND_WAIT_METHODS:
        return method
    if method in INPUT_STREAM_WAITS:
        receiver = unwrap(callee_object(call))
        if is_input_stream(model, receiver):
            shown = text(receiver) if receiver and receiver.type == "identifier" else None
            return f"{shown or 'streams.input(...)'}.{method}"
    return None


def is_input_stream(model: FileView, node: ts.Node | None, depth: int = 0) -> bool:
    """Whether an expression is an input stream: a `streams.input(...)` call, or a name
    declared with one (usually a module-level `const approval = streams.input({ id })`)."""
    node = unwrap(node)
    if node is None or depth > 2:
        return False
    if node.type == "call_expression":
        return model.sdk.resolve(call_function(node)) == "streams.input"
    if node.type == "identifier":
        return is_input_stream(model, declared_value(model, node), depth + 1)
    return False


def trigger_name(model: FileView, call: ts.Node) -> str | None:
    """The name of a fire-and-forget trigger (`child.trigger`, `tasks.trigger`), else None."""
    sdk = model.sdk.resolve(call_function(call))
    if sdk in SDK_TRIGGERS:
        return sdk
    method = callee_method(call)
    if method in TRIGGER_METHODS and model.is_task_reference(callee_object(call)):
        return method
    return None


def enclosing_statement_function(node: ts.Node) -> ts.Node | None:
    for anc in ancestors(node):
        if anc.type in FUNCTION_TYPES or anc.type == "program":
            return anc
    return None


def declared_value(model: FileView, ident: ts.Node) -> ts.Node | None:
    """For an identifier, the initial value of the nearest earlier declaration of that name in
    an enclosing scope (through the file's shared Declarations index)."""
    return declarations_of(model).value(ident)


def at_module_level(node: ts.Node) -> bool:
    """Whether code runs when the module is loaded: no enclosing function or class body (a
    class field initializer runs per instance, not at import time)."""
    return not any(a.type in FUNCTION_TYPES or a.type == "class_body" for a in ancestors(node))


# --- Trigger calls: which argument is the payload, the items, the options ------------------

# Methods of a task object. `trigger`/`batchTrigger` are common names, so their receiver must be
# a known task; the `AndWait` names are specific enough to accept any receiver (as wait_name does).
TASK_OBJECT_METHODS = frozenset(
    {"trigger", "batchTrigger", "triggerAndWait", "batchTriggerAndWait"}
)
# SDK functions that trigger: does the first argument name the task id, and is it a batch?
SDK_TRIGGER_SHAPES: dict[str, tuple[bool, bool]] = {
    "tasks.trigger": (True, False),
    "tasks.triggerAndWait": (True, False),
    "tasks.batchTrigger": (True, True),
    "tasks.batchTriggerAndWait": (True, True),
    "batch.trigger": (False, True),
    "batch.triggerAndWait": (False, True),
    "batch.triggerByTask": (False, True),
    "batch.triggerByTaskAndWait": (False, True),
}
TRIGGER_METHOD_NAMES = TASK_OBJECT_METHODS | {n.rpartition(".")[2] for n in SDK_TRIGGER_SHAPES}
ITEM_METHODS = frozenset({"map", "flatMap"})


@dataclass(frozen=True, eq=False)
class TriggerCall:
    """A call that triggers task runs, with its arguments sorted out.

    `payloads` and `run_options` hold one entry per run the call can create: the payload and
    options arguments of a single trigger, or the `payload`/`options` of each batch item that is
    written as an object literal (also inside `items.map((x) => ({ ... }))`). `call_options` is
    the options argument of the call itself: TriggerOptions for a single trigger,
    BatchTriggerOptions (idempotency key, TTL) for a batch.
    """

    call: ts.Node
    name: str  # "trigger", "batchTriggerAndWait", "tasks.trigger", "batch.triggerByTask", ...
    method: str  # the last part of the name
    task_id: ts.Node | None  # the id argument of `tasks.*`
    payloads: tuple[ts.Node, ...]
    run_options: tuple[ts.Node, ...]
    call_options: ts.Node | None
    item_ids: tuple[ts.Node, ...]  # the `id` of each `batch.trigger` item

    @property
    def waits(self) -> bool:
        return self.method.endswith("AndWait")

    @property
    def is_batch(self) -> bool:
        return self.method.startswith("batch") or self.name.startswith("batch.")

    @property
    def callee(self) -> ts.Node:
        return call_function(self.call) or self.call

    @property
    def awaited(self) -> bool:
        return is_awaited(self.call)


def trigger_call(
    model: FileView, call: ts.Node, declarations: Declarations | None = None
) -> TriggerCall | None:
    """Describe `call` if it triggers task runs, else None. Pass `declarations` when describing
    many calls, so that option and item variables are looked up quickly."""
    if callee_method(call) not in TRIGGER_METHOD_NAMES:
        return None  # every trigger, SDK function or task method, is called as `x.method(...)`
    fn = call_function(call)
    target = unwrap(fn)
    if target is None:
        return None
    name = model.sdk.resolve(fn)
    args = call_arguments(call)
    if name in SDK_TRIGGER_SHAPES:
        by_id, batched = SDK_TRIGGER_SHAPES[name]
    else:
        name = member_property(target)
        if name not in TASK_OBJECT_METHODS:
            return None
        receiver = target.child_by_field_name("object")
        if name in TRIGGER_METHODS and not model.is_task_reference(receiver):
            return None
        by_id, batched = False, name.startswith("batch")
    decls = declarations or declarations_of(model)
    task_id = args[0] if by_id and args else None
    rest = args[1:] if by_id else args
    first = rest[0] if rest else None
    options = _options_object(decls, rest[1]) if len(rest) > 1 else None
    payloads: list[ts.Node] = []
    run_options: list[ts.Node] = []
    item_ids: list[ts.Node] = []
    if not batched:
        payloads = [first] if first is not None else []
        run_options = [options] if options is not None else []
    else:
        for item in _batch_items(decls, first):
            members = object_members(item)
            payload = member_value(members.get("payload"))
            if payload is not None:
                payloads.append(payload)
            item_options = _options_object(decls, member_value(members.get("options")))
            if item_options is not None:
                run_options.append(item_options)
            item_id = member_value(members.get("id"))
            if item_id is not None:
                item_ids.append(item_id)
    return TriggerCall(
        call=call,
        name=name,
        method=name.rpartition(".")[2],
        task_id=task_id,
        payloads=tuple(payloads),
        run_options=tuple(run_options),
        call_options=options,
        item_ids=tuple(item_ids),
    )


def trigger_calls(model: FileView, declarations: Declarations | None = None) -> list[TriggerCall]:
    """Every trigger call of the file, in source order."""
    decls = declarations or declarations_of(model)

    def compute() -> list[TriggerCall]:
        found = []
        for call in model.calls_where(callee_method, TRIGGER_METHOD_NAMES):
            described = trigger_call(model, call, decls)
            if described is not None:
                found.append(described)
        return found

    if declarations is not None:
        return compute()
    return model.memo("trigger_calls", compute)


def _options_object(decls: Declarations, node: ts.Node | None) -> ts.Node | None:
    """An options argument as an object literal, looking through one `const opts = {...}`."""
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        node = decls.value(node)
    return node if node is not None and node.type == "object" else None


def _batch_items(decls: Declarations, items: ts.Node | None, depth: int = 0) -> list[ts.Node]:
    """The object literals that describe batch items: array elements, or the object a
    `.map` callback returns."""
    items = unwrap(items)
    if items is None or depth > 2:
        return []
    if items.type == "identifier":
        return _batch_items(decls, decls.value(items), depth + 1)
    if items.type == "array":
        return [e for e in (unwrap(c) for c in items.named_children) if e and e.type == "object"]
    if items.type == "call_expression" and callee_method(items) in ITEM_METHODS:
        args = call_arguments(items)
        fn = unwrap(args[0]) if args else None
        if fn is not None and fn.type in FUNCTION_TYPES:
            returned = returned_object(fn)
            return [returned] if returned is not None else []
    return []


def returned_object(fn: ts.Node) -> ts.Node | None:
    """The object literal a function returns: an arrow's expression body, or the value of the
    only `return` directly in its body."""
    body = fn.child_by_field_name("body")
    value = unwrap(body)
    if value is not None and value.type == "object":
        return value
    if body is None or body.type != "statement_block":
        return None
    returns = [s for s in body.named_children if s.type == "return_statement"]
    if len(returns) != 1 or not returns[0].named_children:
        return None
    value = unwrap(returns[0].named_children[0])
    return value if value is not None and value.type == "object" else None


# --- Bindings and their uses -----------------------------------------------------------------

_WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
    }
)


def outermost(node: ts.Node) -> ts.Node:
    """Climb out of parentheses, casts and non-null assertions around an expression."""
    while (parent := parent_of(node)) is not None and parent.type in _WRAPPERS:
        node = parent
    return node


def awaited_value(call: ts.Node) -> ts.Node | None:
    """For `await call(...)` (in parentheses or casts), the outermost node holding the awaited
    value; None when the call is not awaited directly."""
    node = outermost(call)
    if misparsed_await(call.child_by_field_name("function")) is not None:
        return node  # `await f<T>(x)`: the grammar put the await inside the call
    if node.parent is None or node.parent.type != "await_expression":
        return None
    return outermost(node.parent)


def identifier_uses(model: FileView, ident: ts.Node) -> list[ts.Node]:
    """Every later read of the variable bound by `ident` within its scope: identifiers and
    shorthand properties (`{ key }`). Reads of another variable of the same name are left out:
    one declared in a nested block, loop head or catch clause, or a parameter of a nested
    function."""
    name = text(ident)
    raw = ident.text
    declaration = ident.parent
    # A function declaration binds its name in the scope around it, before it too (hoisting).
    hoisted = (
        declaration is not None
        and declaration.type in ("function_declaration", "generator_function_declaration")
        and declaration.child_by_field_name("name") == ident
    )
    scope = enclosing_statement_function(declaration if hoisted and declaration else ident)
    if scope is None:
        return []
    uses = []
    shadows: list[ts.Node] = []  # regions where the name means another variable
    after = scope.start_byte if hoisted else ident.end_byte
    for node in names_within(scope, model.grammar, after):
        if node == ident or (node.text != raw and text(node) != name):
            continue
        region = _declared_region(node)
        if region is not None:
            shadows.append(region)
        elif not any(_inside(node, r) for r in shadows) and not _shadowed(node, scope, name):
            uses.append(node)
    return uses


_PATTERN_PARTS = frozenset(
    {
        "object_pattern",
        "array_pattern",
        "pair_pattern",
        "rest_pattern",
        "assignment_pattern",
        "object_assignment_pattern",
        "shorthand_property_identifier_pattern",
    }
)


def _declared_region(node: ts.Node) -> ts.Node | None:
    """When `node` names a variable being declared (`const x`, `const { x }`, `for (const x of
    ...)`, `catch (x)`), the node within which that declaration is visible; else None."""
    child, holder = node, node.parent
    while holder is not None and holder.type in _PATTERN_PARTS:
        if holder.type == "pair_pattern" and holder.child_by_field_name("key") == child:
            return None  # `{ key: other }`: the key names a property, not a variable
        child, holder = holder, holder.parent
    if holder is None:
        return None
    if holder.type == "variable_declarator" and holder.child_by_field_name("name") == child:
        statement = holder.parent
        return statement.parent if statement is not None else None
    if holder.type == "for_in_statement" and holder.child_by_field_name("left") == child:
        return holder
    if holder.type == "catch_clause" and holder.child_by_field_name("parameter") == child:
        return holder
    return None


def _inside(node: ts.Node, region: ts.Node) -> bool:
    return region.start_byte <= node.start_byte and node.end_byte <= region.end_byte


def _shadowed(node: ts.Node, scope: ts.Node, name: str) -> bool:
    for anc in ancestors(node):
        if anc == scope:
            return False
        if anc.type in FUNCTION_TYPES:
            for param in function_params(anc):
                if any(text(n) == name for n in descendants(param, _PATTERN_NAMES)):
                    return True
                if param.type == "identifier" and text(param) == name:
                    return True
    return False


_PATTERN_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})


def is_const(declarator: ts.Node) -> bool:
    parent = declarator.parent
    return parent is not None and any(c.type == "const" for c in parent.children)


def is_async(fn: ts.Node | None) -> bool:
    """Whether a function node is declared `async`."""
    return fn is not None and any(c.type == "async" for c in fn.children)


def enclosing_loop(node: ts.Node, stop: ts.Node) -> ts.Node | None:
    """The loop statement whose body holds `node`, or the `forEach`/`map`/`flatMap`/`reduce`
    call whose callback holds it, searching outwards up to `stop`. Any other function in
    between ends the search: it is not known to run once per item."""
    child = node
    parent = parent_of(node)
    while parent is not None and parent != stop:
        if parent.type in LOOP_TYPES and parent.child_by_field_name("body") == child:
            return parent
        if parent.type in FUNCTION_TYPES:
            holder = parent_of(parent)
            call = holder.parent if holder is not None else None
            if (
                holder is not None
                and holder.type == "arguments"
                and call is not None
                and call.type == "call_expression"
                and callee_method(call) in PER_ITEM_METHODS
            ):
                return call
            return None
        child, parent = parent, parent_of(parent)
    return None


PER_ITEM_METHODS = frozenset({"forEach", "map", "flatMap", "reduce"})


class Declarations:
    """The variable declarators of one file by name: declared_value without a scan of every
    declarator per lookup, and aware of parameters that shadow a declaration."""

    def __init__(
        self,
        declarators: list[ts.Node],
        module: Callable[[str], list[ts.Node]] | None = None,
    ) -> None:
        # The declarators, not the model: the model keeps this object (a cycle would hold a
        # whole file's model until the collector's next full pass).
        self.declarators = declarators
        # With `module` (FileView.module_declarators_named), `declarators` are a view's own
        # and `module(name)` gives the others of a name, found when first asked.
        self._module = module
        self._by_name: dict[str, list[ts.Node]] | None = None
        self._merged: dict[str, list[ts.Node]] = {}

    def named(self, name: str) -> list[ts.Node]:
        """The declarators of a name, in source order."""
        own = self.by_name.get(name, [])
        if self._module is None:
            return own
        merged = self._merged.get(name)
        if merged is None:
            module = self._module(name)
            merged = sorted([*module, *own], key=_start) if own else module
            self._merged[name] = merged
        return merged

    @property
    def by_name(self) -> dict[str, list[ts.Node]]:
        if self._by_name is None:  # built on the first lookup: most files never need it
            self._by_name = {}
            for decl in self.declarators:
                target = decl.child_by_field_name("name")
                if target is not None and target.type == "identifier":
                    self._by_name.setdefault(text(target), []).append(decl)
        return self._by_name

    def with_more(self, extra: list[ts.Node]) -> Declarations:
        """These declarators and `extra` (none of them among these), without a scan of these:
        a view's own declarators added to the file's module-level ones."""
        by_name = dict(self.by_name)
        for decl in extra:
            target = decl.child_by_field_name("name")
            if target is not None and target.type == "identifier":
                name = text(target)
                by_name[name] = sorted([*by_name.get(name, ()), decl], key=_start)
        out = Declarations([*self.declarators, *extra], self._module)
        out._by_name = by_name
        return out

    def value(self, ident: ts.Node) -> ts.Node | None:
        """The initial value of the nearest earlier declaration of the identifier's name in an
        enclosing scope; None when there is none, or a parameter in between shadows it."""
        name = text(ident)
        best = scope = None
        for decl in self.named(name):
            if decl.start_byte >= ident.start_byte:
                break
            holder = enclosing_statement_function(decl)
            if holder is not None and holder.start_byte <= ident.start_byte <= holder.end_byte:
                best, scope = decl, holder
        if best is None or scope is None or _shadowed(ident, scope, name):
            return None
        return unwrap(best.child_by_field_name("value"))


def sdk_binds(model: FileView, export: str) -> bool:
    """Whether the file can refer to an SDK export at all (a cheap early exit for rules)."""
    return bool(model.sdk.namespaces) or model.sdk.local_name(export) is not None


def declarations_of(model: FileView) -> Declarations:
    """The file's shared Declarations index (of the whole file, also for a view). A view of
    a model built from pieces that has not collected the whole file's nodes gets its own: the
    declarators outside functions (the only ones in scope elsewhere) and those in the view."""
    module = model.module_declarators_named()
    if module is not None:  # (its own declarators, and the module's found by name)
        return model.memo("declarations", lambda: Declarations(model.own_declarators(), module))
    return model.in_scope("declarations", Declarations, Declarations.with_more)


def _start(node: ts.Node) -> int:
    return node.start_byte


_PRINTERS = frozenset({"console", "logger"})


def prints(call: ts.Node | None) -> bool:
    """`console.log(...)`, `logger.info(...)`: a call that prints (printing a value is not
    relying on it)."""
    if call is None or call.type != "call_expression":
        return False
    fn = unwrap(call_function(call))
    obj = unwrap(fn.child_by_field_name("object")) if fn is not None else None
    return obj is not None and obj.type == "identifier" and text(obj) in _PRINTERS


def root_identifier(node: ts.Node | None) -> ts.Node | None:
    """`a.b.c(...)`, `a().b`, `a[0].b` -> `a`."""
    node = unwrap(node)
    while node is not None:
        if node.type == "identifier":
            return node
        if node.type in ("member_expression", "subscript_expression"):
            node = unwrap(node.child_by_field_name("object"))
        elif node.type == "call_expression":
            node = unwrap(call_function(node))
        elif node.type == "new_expression":
            node = unwrap(node.child_by_field_name("constructor"))
        else:
            return None
    return None


def module_of(
    model: FileView, ident: ts.Node, accept: Callable[[str], bool], depth: int = 0
) -> str | None:
    """The package an identifier comes from when `accept` takes it: imported from it, or a
    variable holding a client built from it (`const openai = new OpenAI()`)."""
    imp = model.import_of(text(ident))
    if imp is not None:
        if imp.type_only or text(ident) in imp.type_names:
            return None
        return imp.source if accept(imp.source) else None
    if depth > 2:
        return None
    value = declared_value(model, ident)
    root = root_identifier(value) if value is not None else None
    return module_of(model, root, accept, depth + 1) if root is not None else None
