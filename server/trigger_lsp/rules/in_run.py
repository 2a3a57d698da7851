"""Rules: code inside a run (sync I/O, swallowed errors, logger, metadata, LLM calls)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    LOOP_TYPES,
    ancestors,
    call_arguments,
    call_function,
    callee_method,
    contains,
    has_spread,
    member_property,
    parent_of,
    text,
    unwrap,
)
from trigger_lsp.rules.base import FileContext, Report, rule
from trigger_lsp.rules.common import (
    at_module_level,
    module_of,
    prints,
    root_identifier,
    sdk_binds,
    trigger_name,
    wait_name,
)

# ---------------------------------------------------------------------------------------------
# sync-io-in-task

_FS_MODULES = frozenset({"fs", "node:fs"})
_CHILD_PROCESS_MODULES = frozenset({"child_process", "node:child_process"})
_CHILD_PROCESS_SYNC = {
    "execSync": "`exec` wrapped with util.promisify",
    "execFileSync": "`execFile` wrapped with util.promisify",
    "spawnSync": "`spawn`",
}
# A single stat call cannot stall a run, and `existsSync` has no direct async twin.
_HARMLESS_SYNC = frozenset({"existsSync"})


def _sync_alternative(source: str, name: str) -> str | None:
    """How to do `name` from module `source` asynchronously, or None if it is not sync I/O."""
    if source in _FS_MODULES and name.endswith("Sync") and name not in _HARMLESS_SYNC:
        return f'`{name[: -len("Sync")]}` from "fs/promises"'
    if source in _CHILD_PROCESS_MODULES:
        return _CHILD_PROCESS_SYNC.get(name)
    return None


def _sync_io_call(ctx: FileContext, call: ts.Node) -> tuple[str, str] | None:
    """(shown name, async alternative) when the callee is a sync fs/child_process function,
    resolved through the file's imports and requires."""
    fn = unwrap(call_function(call))
    if fn is None:
        return None
    if fn.type == "identifier":
        local = text(fn)
        imp = ctx.model.import_of(local)
        if imp is None or local not in imp.names:
            return None
        alternative = _sync_alternative(imp.source, imp.names[local])
        return (local, alternative) if alternative else None
    if fn.type == "member_expression":
        obj = unwrap(fn.child_by_field_name("object"))
        prop = member_property(fn)
        if obj is None or obj.type != "identifier" or prop is None:
            return None
        imp = ctx.model.import_of(text(obj))
        if imp is None or text(obj) not in (imp.namespace, imp.default):
            return None
        alternative = _sync_alternative(imp.source, prop)
        return (f"{text(obj)}.{prop}", alternative) if alternative else None
    return None


@rule("sync-io-in-task", args=("alternative", "call"))
def sync_io_in_task(ctx: FileContext) -> Iterator[Report]:
    if not any(
        imp.source in _FS_MODULES or imp.source in _CHILD_PROCESS_MODULES
        for imp in ctx.model.imports
    ):
        return
    for call in ctx.model.of("call"):
        found = _sync_io_call(ctx, call)
        if found is None or ctx.model.task_running(call) is None:
            continue
        shown, alternative = found
        yield Report(
            call_function(call) or call,
            args={"call": shown, "alternative": alternative},
        )


# ---------------------------------------------------------------------------------------------
# catch-without-rethrow


def _statements_throw(node: ts.Node) -> bool:
    """Whether `node` contains a `throw` or `return Promise.reject(...)`, not counting nested
    functions (they run later, or never)."""
    if node.type in FUNCTION_TYPES:
        return False
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.type == "throw_statement":
            return True
        callee = call_function(cur) if cur.type == "call_expression" else None
        if callee is not None and text(callee) == "Promise.reject":
            return True
        stack.extend(c for c in cur.named_children if c.type not in FUNCTION_TYPES)
    return False


# Statement lists: a statement in one runs after the statements before it.
_SEQUENCES = frozenset({"statement_block", "program", "switch_case", "switch_default"})
_BREAKABLE = LOOP_TYPES | {"switch_statement"}


def _next_in_sequence(statement: ts.Node) -> ts.Node | None:
    """The statement that runs after `statement` in its statement list; at the end of a
    switch case, the first statement of the cases it falls through into."""
    sibling = statement.next_named_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.next_named_sibling
    if sibling is not None:
        return sibling
    parent = parent_of(statement)
    if parent is not None and parent.type in ("switch_case", "switch_default"):
        case = parent.next_named_sibling
        while case is not None:
            body = [b for b in case.children_by_field_name("body") if b.type != "comment"]
            if body:
                return body[0]
            case = case.next_named_sibling
    return None


# How a run of statements ends: a throw, a return, a jump (break/continue, to its target), or
# the end of the statement list.
Ending = tuple[str, ts.Node | None]


def _ending(first: ts.Node | None, memo: dict[object, object]) -> Ending:
    """How the statements from `first` on (in order, falling through switch cases) end. Kept
    by node id in `memo`: the statements walked share the answer, so many tries in one block
    read each later statement once (not once per try: quadratic)."""
    walked: list[ts.Node] = []
    statement = first
    found: Ending = ("end", None)
    while statement is not None:
        known = memo.get(("seq", statement.id))
        if known is not None:
            found = known  # type: ignore[assignment]
            break
        walked.append(statement)
        if _statements_throw(statement):
            found = ("throw", None)
            break
        if statement.type == "return_statement":
            found = ("return", None)
            break
        if statement.type in ("break_statement", "continue_statement"):
            found = ("jump", _jump_target(statement))
            break
        statement = _next_in_sequence(statement)
    for seen in walked:
        memo[("seq", seen.id)] = found
    return found


def _jump_target(jump: ts.Node) -> ts.Node | None:
    """The statement a `break`/`continue` leaves: the labelled one, else the nearest loop or
    switch (a `continue` goes on with the next iteration, whose code up to the catch is not
    after the catch, and then on after the loop)."""
    label = jump.child_by_field_name("label")
    for anc in ancestors(jump):
        if anc.type in FUNCTION_TYPES:
            return None
        if label is not None:
            if anc.type == "labeled_statement" and text(anc.child_by_field_name("label")) == text(
                label
            ):
                return anc
        elif anc.type in _BREAKABLE and not (
            jump.type == "continue_statement" and anc.type == "switch_statement"
        ):
            return anc
    return None


def _throws_later(try_statement: ts.Node, memo: dict[object, object] | None = None) -> bool:
    """Whether a throw can run after the try statement on the same path through its function:
    the error is recorded in the catch and thrown afterwards (or a manual retry loop gives up
    with a throw). Only statements that follow in order count: not another branch of an
    `if`, another `switch` case the catch's case does not fall into, an enclosing catch (it
    handles other errors), or anything after a `return`. `memo` keeps what walks from a node
    found (see `_ending`), so the work stays linear in the function's size."""
    memo = {} if memo is None else memo
    own_ending = try_statement.child_by_field_name("finalizer")
    if own_ending is not None and _statements_throw(own_ending):
        return True
    walked: list[ts.Node] = []  # the walk from each of these nodes has the same answer
    node = try_statement
    found = False
    while node.type not in FUNCTION_TYPES and (parent := parent_of(node)) is not None:
        known = memo.get(("up", node.id))
        if known is not None:
            found = bool(known)
            break
        walked.append(node)
        if parent.type in _SEQUENCES:
            kind, target = _ending(_next_in_sequence(node), memo)
            if kind in ("throw", "return") or (kind == "jump" and target is None):
                found = kind == "throw"
                break
            if kind == "jump" and target is not None:
                node = target
                continue
            # The end of the list; a switch case's followers include the later cases: go on
            # after the switch.
            in_case = parent.type in ("switch_case", "switch_default")
            outer = parent_of(parent) if in_case else None
            node = outer if outer is not None else parent
            continue
        if parent.type == "try_statement" and node.type != "finally_clause":
            ending = parent.child_by_field_name("finalizer")
            if ending is not None and _statements_throw(ending):
                found = True
                break
        node = parent
    for seen in walked:
        memo[("up", seen.id)] = found
    return found


# Calls that release or remove something the run made for itself: a catch around only these
# guards cleanup, and the task's result does not depend on them. Leading `$` is dropped
# (`prisma.$disconnect()`).
_CLEANUP_METHODS = frozenset(
    {
        "close",
        "destroy",
        "end",
        "disconnect",
        "release",
        "kill",
        "quit",
        "terminate",
        "dispose",
        "abort",
        "unref",
        "unsubscribe",
        "removeAllListeners",
        "rm",
        "rmdir",
        "unlink",
        "rmSync",
        "rmdirSync",
        "unlinkSync",
        "del",
        "rimraf",
    }
)
# Helper names that say they clean up: `cleanup()`, `teardown()`, `removeTempFiles()`.
_CLEANUP_NAME = re.compile(
    r"clean_?up|tear_?down|dispose|(remove|delete|rm|clear|unlink|drop)_?(te?mp|scratch)",
    re.IGNORECASE,
)
_ALL_PROMISES = frozenset({"all", "allSettled"})


def _is_cleanup_call(node: ts.Node | None) -> bool:
    """`await fs.rm(dir)`, `browser?.close()`, `cleanup()`, or `Promise.all` over such calls
    (an array of them, or a `.map` whose callback makes one)."""
    node = unwrap(node)
    if node is not None and node.type == "await_expression" and node.named_children:
        node = unwrap(node.named_children[-1])
    if node is None or node.type != "call_expression":
        return False
    fn = unwrap(call_function(node))
    if fn is None:
        return False
    if fn.type == "identifier":
        name = text(fn)
    elif fn.type == "member_expression":
        name = member_property(fn) or ""
        obj = unwrap(fn.child_by_field_name("object"))
        if obj is not None and text(obj) == "Promise" and name in _ALL_PROMISES:
            args = call_arguments(node)
            return bool(args) and _all_cleanup(args[0])
    else:
        return False
    name = name.lstrip("$")
    return name in _CLEANUP_METHODS or bool(_CLEANUP_NAME.search(name))


def _all_cleanup(items: ts.Node | None) -> bool:
    """An array of cleanup calls, or `xs.map(cb)` whose callback only cleans up."""
    items = unwrap(items)
    if items is None:
        return False
    if items.type == "array":
        elements = [e for e in items.named_children if e.type != "comment"]
        return bool(elements) and all(_is_cleanup_call(e) for e in elements)
    if items.type == "call_expression" and callee_method(items) in ("map", "flatMap"):
        args = call_arguments(items)
        callback = unwrap(args[0]) if args else None
        if callback is None or callback.type not in FUNCTION_TYPES:
            return False
        body = callback.child_by_field_name("body")
        if body is not None and body.type == "statement_block":
            return _only_cleanup(body)
        return _is_cleanup_call(body)
    return False


def _only_cleanup(block: ts.Node) -> bool:
    """Whether a block does nothing but clean up: at least one cleanup call, and otherwise only
    conditions, loops and blocks around cleanup calls, and logging."""
    cleans = False
    stack = [s for s in block.named_children if s.type != "comment"]
    while stack:
        statement = stack.pop()
        kind = statement.type
        if kind == "expression_statement":
            expression = statement.named_children[0] if statement.named_children else None
            if _is_cleanup_call(expression):
                cleans = True
            elif not prints(unwrap(expression)):
                return False
        elif kind in ("statement_block", "else_clause"):
            stack.extend(s for s in statement.named_children if s.type != "comment")
        elif kind == "if_statement":
            stack.extend(
                part
                for part in (
                    statement.child_by_field_name("consequence"),
                    statement.child_by_field_name("alternative"),
                )
                if part is not None
            )
        elif kind in LOOP_TYPES:
            body = statement.child_by_field_name("body")
            if body is None:
                return False
            stack.append(body)
        elif kind not in ("empty_statement", "comment"):
            return False
    return cleans


def _guards_cleanup(ctx: FileContext, try_statement: ts.Node, run: ts.Node) -> bool:
    """Whether a try only guards cleanup beside the run's real work: it sits in a `finally` (the
    attempt already ends with the first error, if any), or its body only removes or closes
    things while the run awaits other work elsewhere. A run whose whole work is the cleanup (a
    scheduled purge) still loses its failure in the catch."""
    for anc in ancestors(try_statement):
        if anc == run:
            break
        if anc.type == "finally_clause":
            return True
    block = try_statement.child_by_field_name("body")
    if block is None or not _only_cleanup(block):
        return False
    return any(not contains(try_statement, a) for a in ctx.model.within("await", run))


def _does_remote_work(ctx: FileContext, block: ts.Node) -> bool:
    if ctx.model.within("await", block):
        return True
    for call in ctx.model.within("call", block):
        fn = unwrap(call_function(call))
        if fn is not None and fn.type == "identifier" and text(fn) == "fetch":
            return True
        if wait_name(ctx.model, call) or trigger_name(ctx.model, call):
            return True
    return False


@rule("catch-without-rethrow")
def catch_without_rethrow(ctx: FileContext) -> Iterator[Report]:
    later: dict[object, object] = {}  # see _throws_later
    for clause in ctx.model.of("catch"):
        body = clause.child_by_field_name("body")
        if body is None or _statements_throw(body):
            continue
        try_statement = clause.parent
        block = try_statement.child_by_field_name("body") if try_statement is not None else None
        task = ctx.model.task_running(clause) if try_statement is not None else None
        if try_statement is None or block is None or task is None or task.run is None:
            continue
        if not _does_remote_work(ctx, block) or _throws_later(try_statement, later):
            continue
        if _guards_cleanup(ctx, try_statement, task.run):
            continue
        yield Report(clause.children[0])


# ---------------------------------------------------------------------------------------------
# logger-second-arg

_LOG_LEVELS = frozenset({"debug", "log", "info", "warn", "error"})
_NOT_AN_OBJECT = {
    "string": "a string",
    "template_string": "a template string",
    "number": "a number",
    "array": "an array",
    "true": "a boolean",
    "false": "a boolean",
}


@rule("logger-second-arg", args=("kind", "level"))
def logger_second_arg(ctx: FileContext) -> Iterator[Report]:
    if not sdk_binds(ctx.model, "logger"):
        return
    for call in ctx.model.calls_where(callee_method, _LOG_LEVELS):
        name = ctx.model.sdk.resolve(call_function(call)) or ""
        level = name.removeprefix("logger.")
        if level == name or level not in _LOG_LEVELS:
            continue
        args = call_arguments(call)
        second = unwrap(args[1]) if len(args) > 1 else None
        if second is None:
            continue
        kind = _NOT_AN_OBJECT.get(second.type)
        if kind is None and second.type == "unary_expression":
            kind = "a number" if second.named_children[-1].type == "number" else None
        if kind is not None:
            yield Report(args[1], args={"level": level, "kind": kind})


# ---------------------------------------------------------------------------------------------
# metadata-outside-run


@rule("metadata-outside-run", args=("method",), variants={"stream": ()})
def metadata_outside_run(ctx: FileContext) -> Iterator[Report]:
    if not sdk_binds(ctx.model, "metadata") or not ctx.mentions(b"metadata"):
        return
    for call in ctx.model.of("call"):
        fn = call_function(call)
        name = ctx.model.sdk.resolve(fn) or ""
        if not name.startswith("metadata.") or fn is None:
            continue
        if at_module_level(call):
            yield Report(fn, args={"method": name.removeprefix("metadata.")})
        if name == "metadata.stream":  # (SDK 4.1+: the variant's `applies:`)
            yield Report(fn, "stream")


# ---------------------------------------------------------------------------------------------
# ai-sdk-without-retry

_LLM_PACKAGES = frozenset(
    {
        "openai",
        "ai",
        "groq-sdk",
        "cohere-ai",
        "together-ai",
        "langchain",
        "llamaindex",
        "@google/generative-ai",
        "@google/genai",
        "@huggingface/inference",
        "@aws-sdk/client-bedrock-runtime",
    }
)
_LLM_SCOPES = frozenset({"@ai-sdk", "@anthropic-ai", "@mistralai", "@langchain"})


def _is_llm_module(source: str) -> bool:
    if source in _LLM_PACKAGES:
        return True
    head, _, rest = source.partition("/")
    return head in _LLM_SCOPES or (head == "langchain" and bool(rest))


@rule("ai-sdk-without-retry", args=("sdk", "task"))
def ai_sdk_without_retry(ctx: FileContext) -> Iterator[Report]:
    config = ctx.project.config
    if config is not None and config.has_default_retries:
        return
    if not any(_is_llm_module(imp.source) for imp in ctx.model.imports):
        return
    for task in ctx.model.runs:
        if task.run is None or task.has_retry or has_spread(task.options):
            continue
        for call in ctx.model.within("call", task.run):
            root = root_identifier(call_function(call))
            source = module_of(ctx.model, root, _is_llm_module) if root is not None else None
            if source is not None:
                label = task.id or task.variable or task.kind
                yield Report(
                    call_function(call) or call,
                    args={"task": label, "sdk": f"`{source}`"},
                )
                break
