"""Rules: idempotency keys (created keys misused, raw string keys and their scope)."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    enclosing_function,
    member_property,
    member_value,
    object_members,
    property_name,
    text,
    unwrap,
)
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, rule
from trigger_lsp.rules.common import (
    awaited_value,
    callee_method,
    identifier_uses,
    is_async,
    outermost,
    trigger_calls,
)

KEY_OPTION = "idempotencyKey"
# Properties people expect on a created key; an IdempotencyKey is a plain (branded) string.
IMAGINED_PROPERTIES = frozenset({"isNew", "exists", "isCached", "created"})


def _imagined_read(node: ts.Node) -> ts.Node | None:
    """`node.isNew` (and the like) when `node` is the object of that member expression."""
    parent = node.parent
    if (
        parent is not None
        and parent.type == "member_expression"
        and parent.child_by_field_name("object") == node
        and member_property(parent) in IMAGINED_PROPERTIES
    ):
        return parent
    return None


def _used_as_key(node: ts.Node) -> bool:
    """Whether `node` is the value of an `idempotencyKey` option (`{ idempotencyKey: node }`,
    or the shorthand `{ idempotencyKey }`)."""
    if node.type == "shorthand_property_identifier":
        return text(node) == KEY_OPTION
    node = outermost(node)
    parent = node.parent
    return (
        parent is not None
        and parent.type == "pair"
        and parent.child_by_field_name("value") == node
        and property_name(parent) == KEY_OPTION
    )


def _await_fix(call: ts.Node) -> Fix | None:
    if not is_async(enclosing_function(call)):
        return None
    start = outermost(call).start_byte
    return Fix((Edit(start, start, "await "),))


@rule("idempotency-key-misuse", args=("property",), variants={"unawaited": ()})
def idempotency_key_misuse(ctx: FileContext) -> Iterator[Report]:
    for call in ctx.model.calls_where(callee_method, ("create",)):
        if ctx.model.sdk.resolve(call.child_by_field_name("function")) != "idempotencyKeys.create":
            continue
        awaited = awaited_value(call)
        holder = awaited if awaited is not None else outermost(call)
        parent = holder.parent
        uses = [holder]
        if parent is not None and parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            uses = identifier_uses(ctx.model, name) if name is not None else []
            if name is None or name.type != "identifier":
                uses = []
        for use in uses:
            read = _imagined_read(use)
            if read is not None:
                yield Report(read, args={"property": member_property(read)})
            elif awaited is None and _used_as_key(use):
                yield Report(use if use is not holder else call, "unawaited", fix=_await_fix(call))


def _raw_string(node: ts.Node | None) -> bool:
    """A string literal, a template, or a `+` concatenation with a string in it."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("string", "template_string"):
        return True
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        return _raw_string(node.child_by_field_name("left")) or _raw_string(
            node.child_by_field_name("right")
        )
    return False


@rule("raw-string-idempotency-key", args=("scope",))
def raw_string_idempotency_key(ctx: FileContext) -> Iterator[Report]:
    for trigger in trigger_calls(ctx.model):
        if ctx.model.task_running(trigger.call) is None:
            continue
        objects = list(trigger.run_options)
        if trigger.call_options is not None and trigger.call_options not in objects:
            objects.append(trigger.call_options)
        for options in objects:
            value = member_value(object_members(options).get(KEY_OPTION))
            if _raw_string(value):
                assert value is not None
                yield Report(value, args={"scope": "run"})
