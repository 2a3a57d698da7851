"""Rules: waits (parallel waits, waits in loops, waits outside a run, wait tokens)."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    call_arguments,
    callee_method,
    callee_object,
    function_body,
    text,
    unwrap,
)
from trigger_lsp.rules.base import FileContext, Report, rule
from trigger_lsp.rules.common import declared_value, wait_name

PROMISE_COMBINATORS = frozenset({"all", "allSettled", "race", "any"})
ITERATING_METHODS = frozenset({"map", "flatMap", "forEach"})


def _collection_sources(ctx: FileContext, arg: ts.Node, depth: int = 0) -> list[ts.Node]:
    """Nodes whose calls run concurrently when `arg` is handed to Promise.all."""
    arg = unwrap(arg)
    if arg is None or depth > 3:
        return []
    if arg.type == "array":
        out: list[ts.Node] = []
        for element in arg.named_children:
            if element.type == "spread_element" and element.named_children:
                out += _collection_sources(ctx, element.named_children[0], depth + 1)
            else:
                out.append(element)
        return out
    if arg.type == "call_expression" and callee_method(arg) in ITERATING_METHODS:
        return [a for a in call_arguments(arg) if unwrap(a) is not None]
    if arg.type == "call_expression" and text(arg.child_by_field_name("function")) == "Array.from":
        return call_arguments(arg)[1:2]
    if arg.type == "identifier":
        value = declared_value(ctx.model, arg)
        return _collection_sources(ctx, value, depth + 1) if value is not None else []
    return []


@rule("parallel-waits")
def parallel_waits(ctx: FileContext) -> Iterator[Report]:
    for call in ctx.model.of("call"):
        fn = unwrap(call.child_by_field_name("function"))
        if fn is None or fn.type != "member_expression":
            continue
        obj = callee_object(call)
        method = callee_method(call)
        if obj is None or text(obj) != "Promise" or method not in PROMISE_COMBINATORS:
            continue
        args = call_arguments(call)
        if not args:
            continue
        for source in _collection_sources(ctx, args[0]):
            waits = [w for w in ctx.model.within("call", source) if wait_name(ctx.model, w)]
            if waits:
                name = wait_name(ctx.model, waits[0])
                yield Report(fn, args={"combinator": f"Promise.{method}", "wait": name})
                break


def _in_loop_body(node: ts.Node, run: ts.Node) -> ts.Node | None:
    """The loop (statement or forEach/map callback) around `node`, inside `run`."""
    child = node
    parent = node.parent
    while parent is not None and parent != run:
        if parent.type in ("for_statement", "for_in_statement", "while_statement", "do_statement"):
            body = parent.child_by_field_name("body")
            if body is not None and child == body:
                return parent
        if parent.type in FUNCTION_TYPES:
            call = parent.parent.parent if parent.parent is not None else None
            if (
                call is not None
                and call.type == "call_expression"
                and parent.parent is not None
                and parent.parent.type == "arguments"
                and callee_method(call) in ("forEach", "map", "flatMap", "reduce")
            ):
                return call
            return None  # some other function: not known to run per iteration
        child, parent = parent, parent.parent
    return None


@rule("wait-in-loop")
def wait_in_loop(ctx: FileContext) -> Iterator[Report]:
    for call in ctx.model.of("call"):
        name = ctx.model.sdk.resolve(call.child_by_field_name("function"))
        if name not in ("wait.for", "wait.until"):
            continue
        task = ctx.model.task_running(call)
        if task is None or task.run is None:
            continue
        if _in_loop_body(call, function_body(task.run) or task.run) is not None:
            yield Report(call.child_by_field_name("function") or call, args={"wait": name})
