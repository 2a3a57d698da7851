"""Shapes that several rules recognise: waits, triggers, results bound to variables."""

from __future__ import annotations

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    callee_method,
    callee_object,
    text,
    unwrap,
)

# Methods that suspend the run until a child finishes, whatever object they are called on.
AND_WAIT_METHODS = frozenset({"triggerAndWait", "batchTriggerAndWait", "triggerByTaskAndWait"})
# SDK functions that wait (checkpoint) the run.
SDK_WAITS = frozenset(
    {
        "wait.for",
        "wait.until",
        "wait.forToken",
        "retry.onThrow",
        "tasks.triggerAndWait",
        "tasks.batchTriggerAndWait",
        "batch.triggerAndWait",
        "batch.triggerByTaskAndWait",
    }
)
TRIGGER_METHODS = frozenset({"trigger", "batchTrigger"})
SDK_TRIGGERS = frozenset(
    {"tasks.trigger", "tasks.batchTrigger", "batch.trigger", "batch.triggerByTask"}
)


def wait_name(model: FileModel, call: ts.Node) -> str | None:
    """The name of the wait a call performs (`child.triggerAndWait`, `wait.for`), else None."""
    sdk = model.sdk.resolve(call.child_by_field_name("function"))
    if sdk in SDK_WAITS:
        return sdk
    method = callee_method(call)
    if method in AND_WAIT_METHODS:
        return method
    return None


def trigger_name(model: FileModel, call: ts.Node) -> str | None:
    """The name of a fire-and-forget trigger (`child.trigger`, `tasks.trigger`), else None."""
    sdk = model.sdk.resolve(call.child_by_field_name("function"))
    if sdk in SDK_TRIGGERS:
        return sdk
    method = callee_method(call)
    if method in TRIGGER_METHODS and model.is_task_reference(callee_object(call)):
        return method
    return None


def enclosing_statement_function(node: ts.Node) -> ts.Node | None:
    for anc in _ancestors(node):
        if anc.type in FUNCTION_TYPES or anc.type == "program":
            return anc
    return None


def _ancestors(node: ts.Node):  # noqa: ANN202
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def declared_value(model: FileModel, ident: ts.Node) -> ts.Node | None:
    """For an identifier, the initial value of the nearest earlier `const`/`let` declaration of
    that name in an enclosing scope."""
    name = text(ident)
    best = None
    for decl in model.of("declarator"):
        if decl.start_byte >= ident.start_byte:
            break
        target = decl.child_by_field_name("name")
        if target is None or target.type != "identifier" or text(target) != name:
            continue
        scope = enclosing_statement_function(decl)
        if scope is not None and scope.start_byte <= ident.start_byte <= scope.end_byte:
            best = decl
    return unwrap(best.child_by_field_name("value")) if best is not None else None


def awaited_call(node: ts.Node | None) -> ts.Node | None:
    """`await x(...)` or `x(...)` -> the call node."""
    node = unwrap(node)
    if node is not None and node.type == "await_expression" and node.named_children:
        node = unwrap(node.named_children[0])
    return node if node is not None and node.type == "call_expression" else None


def binding_of(call: ts.Node) -> ts.Node | None:
    """If `const x = await call(...)` (or without await), the identifier `x`."""
    node = call
    while node.parent is not None and node.parent.type in (
        "await_expression",
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
    ):
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            return name
    return None


def references_after(model: FileModel, ident: ts.Node) -> list[ts.Node]:
    """Identifiers with the same name after the binding, within the binding's scope."""
    name = text(ident)
    scope = enclosing_statement_function(ident)
    if scope is None:
        return []
    refs = []
    for member in model.within("member", scope):
        obj = member.child_by_field_name("object")
        if obj is not None and obj.type == "identifier" and text(obj) == name:
            if obj.start_byte > ident.end_byte:
                refs.append(obj)
    return refs
