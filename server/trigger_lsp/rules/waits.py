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
    member_property,
    member_value,
    number_value,
    object_members,
    parent_of,
    property_name,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.project.paths import relative_parts
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, rule
from trigger_lsp.rules.common import (
    AND_WAIT_METHODS,
    SDK_WAITS,
    at_module_level,
    declared_value,
    is_input_stream,
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


@rule("parallel-waits", args=("combinator", "wait"))
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
            waits = [
                w
                for w in ctx.model.within("call", source)
                if wait_name(ctx.model, w) and _may_checkpoint(ctx, w)
            ]
            if waits:
                name = wait_name(ctx.model, waits[0])
                fix = _batch_fix(ctx, call, args) if method == "all" and len(args) == 1 else None
                yield Report(fn, args={"combinator": f"Promise.{method}", "wait": name}, fix=fix)
                break


# A `wait.for` of 5,000 ms or less is a plain setTimeout that never reaches the guard against
# parallel waits (sdk 4.8.3 dist/esm/v3/wait.js:256-276, 496-518).
PLAIN_TIMER_MS = 5_000


def _may_checkpoint(ctx: FileContext, call: ts.Node) -> bool:
    """Whether a wait can reach the parallel-wait guard: not a `wait.for` the code shows to be
    a plain timer, and not a retry helper whose pauses the code shows to stay plain timers."""
    name = ctx.model.sdk.resolve(call_function(call))
    if name == "wait.for":
        return not _plain_timer(call)
    if name == "retry.onThrow":
        args = call_arguments(call)
        delay = _retry_max_delay_ms(unwrap(args[1]) if len(args) > 1 else None)
        return delay is not None and delay > PLAIN_TIMER_MS
    if name == "retry.fetch":
        args = call_arguments(call)
        return _fetch_may_checkpoint(unwrap(args[1]) if len(args) > 1 else None)
    return True


def _literal_members(obj: ts.Node | None) -> dict[str, ts.Node] | None:
    """The members of an object literal whose every member has a static key, else None."""
    if obj is None or obj.type != "object":
        return None
    members = object_members(obj)
    return members if len(members) == len(obj.named_children) else None


def _plain_timer(call: ts.Node) -> bool:
    """`wait.for({ seconds: 3 })`: a literal duration of 5 seconds or less, which the SDK
    sleeps in process instead of suspending the run."""
    seconds = _for_seconds(call)
    return seconds is not None and seconds * 1000 <= PLAIN_TIMER_MS


# Between attempts `retry.onThrow` and the backoff of `retry.fetch` wait
# min(maxTimeoutInMs, r * minTimeoutInMs * factor ** (attempt - 1)), r in [1, 2) when randomized,
# with these defaults (core 4.8.3 dist/esm/v3/utils/retries.js:2-8, 25-34): at most 4 s, so by
# default their pauses are plain timers (sdk retry.js:6-10, 57; wait.js:319-337).
_RETRY_DEFAULTS: dict[str, float] = {
    "maxAttempts": 3,
    "factor": 2,
    "minTimeoutInMs": 1_000,
    "maxTimeoutInMs": 60_000,
    "randomize": 1,
}


def _retry_max_delay_ms(options: ts.Node | None) -> float | None:
    """The longest pause between attempts that retry options allow (defaults when absent);
    None when the options are not literal."""
    values = dict(_RETRY_DEFAULTS)
    if options is not None:
        members = _literal_members(options)
        if members is None:
            return None
        for key in _RETRY_DEFAULTS.keys() & members.keys():
            value = unwrap(member_value(members[key]))
            number = (
                {"true": 1.0, "false": 0.0}.get(value.type)
                if value is not None and key == "randomize"
                else number_value(value)
            )
            if number is None:
                return None
            values[key] = number
    retries = values["maxAttempts"] - 1  # pauses happen after attempts 1 .. maxAttempts - 1
    if retries < 1:
        return 0
    factor = values["factor"]
    growth = max(1.0, factor ** (retries - 1)) if factor > 0 else 1.0
    spread = 2 if values["randomize"] else 1
    return min(values["maxTimeoutInMs"], spread * values["minTimeoutInMs"] * growth)


def _fetch_may_checkpoint(init: ts.Node | None) -> bool:
    """Whether the `retry` policy written in `retry.fetch`'s options can pause for more than
    5 s: a `headers` strategy (the pause comes from the response) or long backoff. No policy
    means the defaults (sdk retry.js:118, 153, 173, 359-367); options the code does not show
    are not counted."""
    policy = _literal_members(unwrap(member_value((_literal_members(init) or {}).get("retry"))))
    if not policy:
        return False
    strategies = [unwrap(member_value(policy.get(k))) for k in ("connectionError", "timeout")]
    for entry in (_literal_members(unwrap(member_value(policy.get("byStatus")))) or {}).values():
        value = unwrap(member_value(entry))
        members = _literal_members(value)
        if members is not None and string_value(member_value(members.get("strategy"))) == "headers":
            return True
        strategies.append(value)
    for strategy in strategies:
        if strategy is None:
            continue
        delay = _retry_max_delay_ms(strategy)
        if delay is not None and delay > PLAIN_TIMER_MS:
            return True
    return False


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
    `child.batchTriggerAndWait([...])`, whose `runs` hold the same results in the same order
    as the array Promise.all gave, so the code that follows keeps working. Unsafe: the
    children then run as one batch (at most 1,000 items, 500 before SDK 4.3.1)."""
    batch = _batch_call(ctx, args)
    if batch is None:
        return None
    awaited = call.parent
    while awaited is not None and awaited.type == "parenthesized_expression":
        awaited = awaited.parent
    if awaited is not None and awaited.type == "await_expression":
        return _replace(awaited, f"(await {batch}).runs")
    return _replace(call, f"{batch}.then((batch) => batch.runs)")


def _batch_call(ctx: FileContext, args: list[ts.Node]) -> str | None:
    """The text of the one batchTriggerAndWait call that replaces Promise.all's argument."""
    arg = unwrap(args[0])
    if arg is None:
        return None
    if arg.type == "array":
        waits = [_child_wait(ctx, e) for e in arg.named_children]
        found_all = [w for w in waits if w is not None]
        if not waits or len(found_all) != len(waits) or len({w[0] for w in found_all}) != 1:
            return None
        items = "[" + ", ".join(w[1] for w in found_all) + "]"
        return f"{found_all[0][0]}.batchTriggerAndWait({items})"
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
        return f"{receiver}.batchTriggerAndWait({source}.map({ctx.text(params)} => ({item})))"
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


# The checkpoint of `wait.for`/`wait.until` comes 60 s into the wait (docs: concurrency.mdx,
# "Short time-based waits keep their slot"), so a wait of five minutes or more hands the slot
# back for at least four fifths of its time and is never billed (over 5 s, sdk wait.js).
_LONG_WAIT_SECONDS = 5 * 60
# `wait.for` reads the first of these keys that is present (sdk wait.js calculateDurationInMs).
_WAIT_UNITS = {
    "seconds": 1,
    "minutes": 60,
    "hours": 60 * 60,
    "days": 24 * 60 * 60,
    "weeks": 7 * 24 * 60 * 60,
    "months": 30 * 24 * 60 * 60,
    "years": 365 * 24 * 60 * 60,
}
_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else None,
}
_BOUNDS = frozenset({"<", "<=", ">", ">="})
_SIZES = frozenset({"length", "size"})


def _literal_number(node: ts.Node | None) -> float | None:
    """The value of a number literal or of arithmetic on literals (`60 * 60`)."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "binary_expression":
        op = _ARITHMETIC.get(text(node.child_by_field_name("operator")))
        left = _literal_number(node.child_by_field_name("left"))
        right = _literal_number(node.child_by_field_name("right"))
        if op is None or left is None or right is None:
            return None
        return op(left, right)
    return number_value(node)


def _is_date_now(node: ts.Node | None) -> bool:
    node = unwrap(node)
    return (
        node is not None
        and node.type == "call_expression"
        and text(call_function(node)) in ("Date.now", "performance.now")
    )


def _wait_seconds(ctx: FileContext, name: str, call: ts.Node) -> float | None:
    """How long a wait lasts, when the code says: the unit of `wait.for({...})`, or for
    `wait.until` a date `new Date(Date.now() + ms)`. A date from anywhere else is a point in
    time the run is scheduled for: counted as long. None when it cannot be known."""
    if name == "wait.for":
        return _for_seconds(call)
    args = call_arguments(call)
    members = object_members(unwrap(args[0]) if args else None)
    date = unwrap(member_value(members.get("date")))
    if date is not None and date.type == "identifier":
        date = declared_value(ctx.model, date) or date  # `const next = new Date(...)`
    if date is None:
        return None
    if date.type == "new_expression" and text(date.child_by_field_name("constructor")) == "Date":
        date_args = call_arguments(date)
        moment = unwrap(date_args[0]) if len(date_args) == 1 else None
        if moment is not None and moment.type == "binary_expression":
            left, right = moment.child_by_field_name("left"), moment.child_by_field_name("right")
            if text(moment.child_by_field_name("operator")) == "+" and _is_date_now(left):
                ms = _literal_number(right)
                return ms / 1000 if ms is not None else None
        if moment is None and not date_args:
            return 0.0  # `new Date()`: now
    return float("inf")


def _for_seconds(call: ts.Node) -> float | None:
    """The duration of `wait.for({...})` in seconds, when its unit's amount is literal."""
    args = call_arguments(call)
    members = _literal_members(unwrap(args[0]) if len(args) == 1 else None)
    if members is None:
        return None
    for unit, seconds in _WAIT_UNITS.items():
        if unit in members:
            amount = _literal_number(member_value(members[unit]))
            return amount * seconds if amount is not None else None
    return None


def _bounded_condition(condition: ts.Node | None) -> bool:
    """A loop condition with a visible end: a comparison with a number (`i < 10`, `n <= 2 *
    3`) or with a collection's size (`i < items.length`), possibly among other `&&` terms."""
    condition = unwrap(condition)
    if condition is not None and condition.type == "expression_statement":
        condition = unwrap(condition.named_children[0]) if condition.named_children else None
    if condition is None or condition.type != "binary_expression":
        return False
    op = text(condition.child_by_field_name("operator"))
    left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
    if op == "&&":
        return _bounded_condition(left) or _bounded_condition(right)
    if op not in _BOUNDS:
        return False
    for side in (unwrap(left), unwrap(right)):
        if _literal_number(side) is not None:
            return True
        if (
            side is not None
            and side.type == "member_expression"
            and member_property(side) in _SIZES
        ):
            return True
    return False


def _bounded(loop: ts.Node) -> bool:
    """Whether a loop visibly ends: `for..of`/`for..in` over a collection (not `for await`,
    whose source may never end), or a `for`/`while`/`do` whose condition has a bound. A
    per-item callback (`forEach`, `map`) starts its waits together: never."""
    if loop.type == "for_in_statement":
        return not any(c.type == "await" for c in loop.children)
    if loop.type in ("for_statement", "while_statement", "do_statement"):
        return _bounded_condition(loop.child_by_field_name("condition"))
    return False


@rule("wait-in-loop", args=("wait",))
def wait_in_loop(ctx: FileContext) -> Iterator[Report]:
    for call in ctx.model.calls_where(callee_method, ("for", "until")):
        name = ctx.model.sdk.resolve(call_function(call))
        if name not in ("wait.for", "wait.until"):
            continue
        task = ctx.model.task_running(call)
        if task is None or task.run is None:
            continue
        loop = _in_loop_body(call, function_body(task.run) or task.run)
        if loop is None:
            continue
        # A long checkpointed wait per iteration of a loop that ends is a scheduled step.
        seconds = _wait_seconds(ctx, name, call)
        if seconds is not None and seconds >= _LONG_WAIT_SECONDS and _bounded(loop):
            continue
        yield Report(call_function(call) or call, args={"wait": name})


# `retry.onThrow` and `retry.fetch` wait only between attempts, so outside a run they work until
# the first retry. (createToken and completeToken are not waits at all: they are meant for
# backend code.)
_RUN_ONLY_WAITS = (SDK_WAITS - {"retry.onThrow", "retry.fetch"}) | AND_WAIT_METHODS
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
    if method == "wait" and is_input_stream(ctx.model, callee_object(call)):
        # `.wait()` throws outside a run (sdk 4.8.3 dist/esm/v3/streams.js:409-411);
        # `waitWithIdleTimeout` may end without waiting (`skipSuspend`), so it is left out.
        return wait_name(ctx.model, call)
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


@rule("wait-outside-run", args=("wait",), variants={"backend": ("wait",)}, any_file=True)
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
                not ctx.model.file_tasks
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


@rule("wait-token-misuse", args=("key",), variants={"no_timeout": ()})
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
