"""Rules: waits (parallel waits, waits in loops, waits outside a run, wait tokens)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    call_arguments,
    call_function,
    callee_method,
    callee_object,
    function_body,
    member_value,
    object_members,
    parent_of,
    property_name,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.paths import relative_parts
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, rule
from trigger_lsp.rules.common import (
    AND_WAIT_METHODS,
    SDK_WAITS,
    at_module_level,
    declared_value,
    sdk_binds,
    wait_name,
)

PROMISE_COMBINATORS = frozenset({"all", "allSettled", "race", "any"})
ITERATING_METHODS = frozenset({"map", "flatMap", "forEach"})


def _collection_sources(ctx: FileContext, arg: ts.Node | None, depth: int = 0) -> list[ts.Node]:
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
    if not ctx.mentions(b"Promise."):
        return
    for call in ctx.model.calls_where(callee_method, PROMISE_COMBINATORS):
        fn = unwrap(call_function(call))
        if fn is None or fn.type != "member_expression":
            continue
        obj = callee_object(call)
        method = callee_method(call)
        if obj is None or text(obj) != "Promise":
            continue
        args = call_arguments(call)
        if not args:
            continue
        for source in _collection_sources(ctx, args[0]):
            waits = [w for w in ctx.model.within("call", source) if wait_name(ctx.model, w)]
            if waits:
                name = wait_name(ctx.model, waits[0])
                fix = _batch_fix(ctx, call, args) if method == "all" and len(args) == 1 else None
                yield Report(fn, args={"combinator": f"Promise.{method}", "wait": name}, fix=fix)
                break


def _child_wait(ctx: FileContext, node: ts.Node | None) -> tuple[str, str] | None:
    """For `child.triggerAndWait(payload[, options])` on a task reference, the receiver's
    text and the batch item (`{ payload, options }`) that asks for the same run."""
    node = unwrap(node)
    if node is None or node.type != "call_expression" or callee_method(node) != "triggerAndWait":
        return None
    receiver = callee_object(node)
    if not ctx.model.is_task_reference(receiver):
        return None
    if node.child_by_field_name("type_arguments") is not None:
        return None
    call_args = call_arguments(node)
    if not 1 <= len(call_args) <= 2 or any(a.type == "spread_element" for a in call_args):
        return None
    item = f"payload: {ctx.text(call_args[0])}"
    if len(call_args) == 2:
        item += f", options: {ctx.text(call_args[1])}"
    if receiver is None:
        return None
    return ctx.text(receiver), "{ " + item + " }"


def _replace(node: ts.Node, new_text: str) -> Fix:
    return Fix((Edit(node.start_byte, node.end_byte, new_text),))


def _batch_fix(ctx: FileContext, call: ts.Node, args: list[ts.Node]) -> Fix | None:
    """`Promise.all` over `child.triggerAndWait` calls of one child -> one
    `child.batchTriggerAndWait([...])`. Unsafe: the result becomes `{ id, runs }`."""
    arg = unwrap(args[0])
    if arg is None:
        return None
    if arg.type == "array":
        waits = [_child_wait(ctx, e) for e in arg.named_children]
        found_all = [w for w in waits if w is not None]
        if not waits or len(found_all) != len(waits) or len({w[0] for w in found_all}) != 1:
            return None
        batch = "[" + ", ".join(w[1] for w in found_all) + "]"
        return _replace(call, f"{found_all[0][0]}.batchTriggerAndWait({batch})")
    if arg.type == "call_expression" and callee_method(arg) == "map":
        map_args = call_arguments(arg)
        callback = unwrap(map_args[0]) if len(map_args) == 1 else None
        if callback is None or callback.type != "arrow_function":
            return None
        found = _child_wait(ctx, callback.child_by_field_name("body"))
        params = callback.child_by_field_name("parameters") or callback.child_by_field_name(
            "parameter"
        )
        if found is None or params is None:
            return None
        receiver, item = found
        source = ctx.text(callee_object(arg) or arg)
        mapped = f"{source}.map({ctx.text(params)} => ({item}))"
        return _replace(call, f"{receiver}.batchTriggerAndWait({mapped})")
    return None


def _in_loop_body(node: ts.Node, run: ts.Node) -> ts.Node | None:
    """The loop (statement or forEach/map callback) around `node`, inside `run`."""
    child = node
    parent = parent_of(node)
    while parent is not None and parent != run:
        if parent.type in ("for_statement", "for_in_statement", "while_statement", "do_statement"):
            body = parent.child_by_field_name("body")
            if body is not None and child == body:
                return parent
        if parent.type in FUNCTION_TYPES:
            holder = parent_of(parent)
            call = parent_of(holder) if holder is not None else None
            if (
                call is not None
                and call.type == "call_expression"
                and holder is not None
                and holder.type == "arguments"
                and callee_method(call) in ("forEach", "map", "flatMap", "reduce")
            ):
                return call
            return None  # some other function: not known to run per iteration
        child, parent = parent, parent_of(parent)
    return None


@rule("wait-in-loop")
def wait_in_loop(ctx: FileContext) -> Iterator[Report]:
    for call in ctx.model.calls_where(callee_method, ("for", "until")):
        name = ctx.model.sdk.resolve(call_function(call))
        if name not in ("wait.for", "wait.until"):
            continue
        task = ctx.model.task_running(call)
        if task is None or task.run is None:
            continue
        if _in_loop_body(call, function_body(task.run) or task.run) is not None:
            yield Report(call_function(call) or call, args={"wait": name})


# `retry.onThrow` is a wait inside a run, but whether it throws outside one is not confirmed.
# (createToken and completeToken are not waits at all: they are meant for backend code.)
_RUN_ONLY_WAITS = (SDK_WAITS - {"retry.onThrow"}) | AND_WAIT_METHODS
# Every wait is a method call; checking the method name first skips most calls cheaply.
_WAIT_METHODS = frozenset(name.rsplit(".", 1)[-1] for name in _RUN_ONLY_WAITS)
_TEST_FILE = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$")
# Path parts and file names of application code (Next.js, Remix, SvelteKit, Express routes).
_APP_DIRS = frozenset({"api", "pages", "routes"})
_APP_STEMS = frozenset({"route", "middleware", "actions"})


def _run_only_wait(ctx: FileContext, call: ts.Node) -> str | None:
    method = callee_method(call)
    if method not in _WAIT_METHODS:
        return None
    # Resolve through call_function so that `await wait.forToken<T>(t)` is seen too.
    sdk_name = ctx.model.sdk.resolve(call_function(call))
    name = sdk_name if sdk_name in SDK_WAITS else method
    if name not in _RUN_ONLY_WAITS:
        return None
    if name in AND_WAIT_METHODS and not ctx.model.imports_sdk:
        # Outside Trigger.dev files, only a method of an imported task is known to be a wait.
        in_dir = ctx.path is not None and ctx.project.in_trigger_dir(ctx.path)
        if not in_dir and not ctx.model.is_task_reference(callee_object(call)):
            return None
    return name


def _is_test_file(ctx: FileContext) -> bool:
    if ctx.path is None:
        return False
    return bool(_TEST_FILE.search(ctx.path.name)) or "__tests__" in ctx.path.parts


def _looks_like_app_code(ctx: FileContext) -> bool:
    """A `"use server"` module, or a route/API file by the conventions of common frameworks."""
    first = ctx.tree.root_node.named_children[:1]
    if first and first[0].type == "expression_statement":
        directive = first[0].named_children[0] if first[0].named_children else None
        if string_value(directive) == "use server":
            return True
    if ctx.path is None:
        return False
    name = ctx.path.name
    stem = name.split(".", 1)[0]
    if stem in _APP_STEMS or stem.startswith("+") or ".server." in name:
        return True
    # folders above the project say nothing about this file
    parts = relative_parts(ctx.path, ctx.project.root) or ctx.path.parts
    return any(part in _APP_DIRS for part in parts[:-1])


@rule("wait-outside-run", any_file=True)
def wait_outside_run(ctx: FileContext) -> Iterator[Report]:
    model = ctx.model
    if _is_test_file(ctx) or not (
        model.imports_sdk
        or any(imp.is_relative or imp.dynamic for imp in model.imports)
        or (ctx.path is not None and ctx.project.in_trigger_dir(ctx.path))
    ):
        return  # no SDK and no imported task: nothing here can wait
    backend: bool | None = None
    for call in ctx.model.of("call"):
        name = _run_only_wait(ctx, call)
        if name is None:
            continue
        at = call_function(call) or call
        if at_module_level(call):
            yield Report(at, args={"wait": name})
            continue
        if backend is None:
            backend = (
                not ctx.model.whole.tasks
                and ctx.path is not None
                and not ctx.project.in_trigger_dir(ctx.path)
                and _looks_like_app_code(ctx)
            )
        if backend:
            yield Report(at, "backend", {"wait": name})


_NOT_FOR_TOKEN_OPTIONS = ("token", "timeout", "timeoutInSeconds")


def _for_token_fix(ctx: FileContext, options: ts.Node, members: dict[str, ts.Node]) -> Fix | None:
    """`wait.forToken({ token: t, timeout... })` -> `wait.forToken(t)`."""
    if "token" not in members or not set(members) <= set(_NOT_FOR_TOKEN_OPTIONS):
        return None
    if len(options.named_children) != len(members):  # spreads or comments: leave it alone
        return None
    value = member_value(members["token"])
    if value is None:
        return None
    return Fix((Edit(options.start_byte, options.end_byte, ctx.text(value)),))


@rule("wait-token-misuse")
def wait_token_misuse(ctx: FileContext) -> Iterator[Report]:
    if not sdk_binds(ctx.model, "wait"):
        return
    for call in ctx.model.calls_where(callee_method, ("forToken", "createToken")):
        fn = call_function(call)
        name = ctx.model.sdk.resolve(fn)
        if name not in ("wait.forToken", "wait.createToken"):
            continue
        args = call_arguments(call)
        first = unwrap(args[0]) if args else None
        if name == "wait.forToken":
            if first is None or first.type != "object":
                continue
            members = object_members(first)
            bad = sorted(
                (members[k] for k in _NOT_FOR_TOKEN_OPTIONS if k in members),
                key=lambda n: n.start_byte,
            )
            if bad:
                key = property_name(bad[0])
                yield Report(bad[0], args={"key": key}, fix=_for_token_fix(ctx, first, members))
        elif first is None and not args:
            yield Report(fn or call, "no_timeout")
        elif first is not None and first.type == "object":
            spreads = any(c.type == "spread_element" for c in first.named_children)
            if not spreads and "timeout" not in object_members(first):
                yield Report(fn or call, "no_timeout")
