"""Rules: task definitions and their options (ids, logging, limits, retries, exports, machines)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from difflib import SequenceMatcher
from itertools import islice
from pathlib import Path

import tree_sitter as ts

from trigger_lsp.analysis.model import TaskDefinition
from trigger_lsp.analysis.syntax import (
    call_arguments,
    call_function,
    callee_method,
    function_body,
    has_spread,
    member_property,
    member_value,
    number_value,
    object_members,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.project.installed_sdk import option_values
from trigger_lsp.project.modules import (
    HelperGraph,
    helper_graph,
    imported_callables,
    imported_reference,
    is_logging_call,
    logging_closure,
    reachable_calls,
    union_graphs,
)
from trigger_lsp.project.paths import relative_parts, resolved
from trigger_lsp.project.trigger_config import TriggerConfig
from trigger_lsp.rules.base import (
    Edit,
    FileContext,
    Fix,
    Related,
    Report,
    WholeFileContext,
    file_fact,
    rule,
)
from trigger_lsp.rules.common import (
    declared_value,
    enclosing_loop,
    module_of,
    root_identifier,
    trigger_calls,
)
from trigger_lsp.rules.in_run import _is_llm_module as is_llm_module
from trigger_lsp.rules.project import config_of


def _kebab(name: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).replace("_", "-")
    return re.sub(r"-+", "-", words).strip("-").lower()


def _insert_member_fix(ctx: FileContext, task: TaskDefinition, member: str) -> Fix | None:
    """Insert `member` as the first property of the task's options object."""
    options = task.options
    if options is None:
        return None
    first = options.named_children[0] if options.named_children else None
    if first is None:
        return Fix((Edit(options.start_byte + 1, options.end_byte - 1, f" {member} "),))
    if first.start_point[0] == options.start_point[0]:
        return Fix((Edit(first.start_byte, first.start_byte, f"{member}, "),))
    line_start = ctx.source.rfind(b"\n", 0, first.start_byte) + 1
    indent = ctx.source[line_start : first.start_byte].decode("utf-8", "replace")
    return Fix((Edit(line_start, line_start, f"{indent}{member},\n"),))


@rule("task-missing-id", args=("kind",), variants={"non_literal": ("kind",)})
def task_missing_id(ctx: FileContext) -> Iterator[Report]:
    for task in ctx.model.tasks:
        if task.options is None:
            continue
        callee = task.call.child_by_field_name("function") or task.call
        if "id" not in task.members:
            fix = None
            if task.variable:
                new_id = _kebab(task.variable)
                fix = _insert_member_fix(ctx, task, f'id: "{new_id}"')
            yield Report(callee, args={"kind": task.kind}, fix=fix)
        elif task.id is None and not _imported_value(ctx, task.id_value):
            yield Report(task.id_value or callee, "non_literal", {"kind": task.kind})


def _imported_id(ctx: FileContext, node: ts.Node | None) -> str | None:
    """The string an id imported from another module holds (`ID`, `IDS.send`, `ids.ID`), as
    the index reads it from that module; None when unknown."""
    if ctx.index is None or not ctx.index.complete or ctx.path is None:
        return None
    reference = imported_reference(ctx.model, node)
    return ctx.index.constant(ctx.path, *reference) if reference is not None else None


def _imported_value(ctx: FileContext, node: ts.Node | None) -> bool:
    """Whether an id is a name imported from another module (`ID`, `IDS.send`, `ids.SEND`):
    a constant kept there, which this file cannot read (a string, as far as it can tell)."""
    node = unwrap(node)
    if node is not None and node.type == "member_expression":
        node = unwrap(node.child_by_field_name("object"))
    if node is None or node.type not in ("identifier", "shorthand_property_identifier"):
        return False
    imp = ctx.model.import_of(text(node))
    return imp is not None and not imp.is_sdk and not imp.type_only


def _where(path: Path | None, root: Path, line: int) -> str:
    if path is None:
        return f"line {line + 1}"
    parts = relative_parts(path, root)
    shown = "/".join(parts) if parts else path.name
    return f"{shown}:{line + 1}"


SHOWN_OTHERS = 3  # the message names this many other definitions, related info up to:
# (as many as the editor is shown, lsp/wire.py MAX_RELATED: 800 files defining one id made each
# finding carry 799 related locations, built again at each of 800 analyses)
RELATED_KEPT = 20


def _listing(places: list[str], total: int) -> str:
    if total <= SHOWN_OTHERS:
        return ", ".join(places)
    return f"{', '.join(places[:SHOWN_OTHERS])} and {total - SHOWN_OTHERS} more"


@rule("duplicate-task-id", args=("id", "other"), whole_file=True, reads_index=True)
def duplicate_task_id(ctx: FileContext) -> Iterator[Report]:
    by_id: dict[str, list[TaskDefinition]] = defaultdict(list)
    for task in ctx.model.tasks:
        task_id = task.id if task.id is not None else _imported_id(ctx, task.id_value)
        if task_id is not None:  # (so it has an id_value: read only for a duplicate)
            by_id[task_id].append(task)
    root = ctx.project.root
    for task_id, group in by_id.items():
        elsewhere = []
        if ctx.index is not None:
            elsewhere = ctx.index.defined_elsewhere(task_id, root, ctx.path)
        if len(group) < 2 and not elsewhere:
            continue
        for task in group:
            assert task.id_value is not None
            same_file = (
                Related(
                    ctx.path or Path("<file>"),
                    other.id_value.start_byte,
                    other.id_value.end_byte,
                    f'"{task_id}" is also defined here',
                )
                for other in group
                if other is not task and other.id_value is not None
            )
            related = list(islice(same_file, RELATED_KEPT))
            related += [
                Related(e.path, e.start_byte, e.end_byte, f'"{task_id}" is also defined here')
                for e in elsewhere[: max(0, RELATED_KEPT - len(related))]
            ]
            others = [
                _where(ctx.path, root, o.id_value.start_point[0])
                for o in group
                if o is not task and o.id_value is not None
            ]
            others += [_where(e.path, root, e.line) for e in elsewhere[: SHOWN_OTHERS + 1]]
            yield Report(
                task.id_value,
                args={"id": task_id, "other": _listing(others, len(group) - 1 + len(elsewhere))},
                related=tuple(related),
            )


def task_label(task: TaskDefinition) -> str:
    return task.id or task.variable or text(task.call.child_by_field_name("function"))


# --- Logging -------------------------------------------------------------------------------


def _is_logging_call(ctx: FileContext, call: ts.Node) -> bool:
    return is_logging_call(ctx.model.sdk, call)


@file_fact("logging-helpers", combine=union_graphs)
def _helper_graph(ctx: FileContext) -> HelperGraph:
    return helper_graph(ctx.model)


def _logging_helpers(ctx: FileContext) -> set[str]:
    """Names of functions in this file that log, directly or through other such functions, so
    that a run calling `report()` which logs is not flagged."""
    return logging_closure(ctx.fact(_helper_graph))


def _callee_at(task: TaskDefinition) -> ts.Node:
    return task.call.child_by_field_name("function") or task.call


def _called_names(calls: list[ts.Node]) -> set[str]:
    """The plain names (`helper`) and namespace members (`lib.helper`) the calls call."""
    names = set()
    for call in calls:
        fn = unwrap(call.child_by_field_name("function"))
        if fn is not None and fn.type == "identifier":
            names.add(text(fn))
        elif fn is not None and fn.type == "member_expression":
            obj = unwrap(fn.child_by_field_name("object"))
            prop = fn.child_by_field_name("property")
            if obj is not None and obj.type == "identifier" and prop is not None:
                names.add(f"{text(obj)}.{text(prop)}")
    return names


def _imported_functions(ctx: FileContext) -> dict[str, tuple[str, str]]:
    """Local names of functions imported from modules that may log -> (specifier, the name
    that module exports); namespace members as `ns.name`."""
    model = ctx.model

    return model.shared(
        "imported-functions", lambda: imported_callables(model)
    )  # of the imports alone


def _imported_target(imported: dict[str, tuple[str, str]], name: str) -> tuple[str, str] | None:
    if name in imported:
        return imported[name]
    head, dot, tail = name.partition(".")
    namespace = imported.get(head + ".") if dot else None
    return (namespace[0], tail) if namespace is not None else None


def _imported_logging(ctx: FileContext, called: set[str]) -> bool | None:
    """Whether a function imported from another file that the run calls (itself or through
    this file's functions) logs: True, False, or None when unknown (a package, a file the
    index does not hold, an index still being built)."""
    imported = _imported_functions(ctx)
    if not imported:
        return False
    targets = sorted(
        {
            target
            for name in reachable_calls(ctx.fact(_helper_graph), called)
            if (target := _imported_target(imported, name)) is not None
        }
    )
    if not targets:
        return False
    if ctx.index is None or not ctx.index.complete or ctx.path is None:
        return None
    unknown = False
    for specifier, name in targets:
        answer = ctx.index.logs(ctx.path, specifier, name)
        if answer:
            return True
        unknown = unknown or answer is None
    return None if unknown else False


def _imported_logging_key(ctx: FileContext) -> Hashable:
    """What task-no-logging reads of the index for this file: kept with its findings."""
    if ctx.index is None or not ctx.index.complete or not _imported_functions(ctx):
        return None
    return ctx.index.modules_generation


@rule("task-no-logging", args=("task",), reads_index=True, index_key=_imported_logging_key)
def task_no_logging(ctx: FileContext) -> Iterator[Report]:
    helpers: set[str] | None = None
    for task in ctx.model.tasks:
        if task.run is None:
            continue
        calls = ctx.model.within("call", task.run)
        if any(_is_logging_call(ctx, c) for c in calls):
            continue
        if helpers is None:
            helpers = _logging_helpers(ctx)
        called = _called_names(calls)
        if helpers & called:
            continue
        if _imported_logging(ctx, called) is not False:  # a helper logs, or it is unknown
            continue
        yield Report(_callee_at(task), args={"task": task_label(task)})


# --- Error handling ------------------------------------------------------------------------

_GLOBAL_ERROR_HOOKS = frozenset({"tasks.catchError", "tasks.handleError"})


@file_fact("global-error-hook", combine=any, tokens=(b"catchError", b"handleError"))
def _global_error_hook(ctx: FileContext) -> bool:
    return any(
        ctx.model.sdk.resolve(c.child_by_field_name("function")) in _GLOBAL_ERROR_HOOKS
        for c in ctx.model.of("call")
    )


@rule("task-no-error-handling", args=("task",))
def task_no_error_handling(ctx: FileContext) -> Iterator[Report]:
    if ctx.fact(_global_error_hook):
        return
    for task in ctx.model.tasks:
        if task.run is None or "catchError" in task.members or "handleError" in task.members:
            continue
        if ctx.model.within("catch", task.run):
            continue
        if any(callee_method(c) == "catch" for c in ctx.model.within("call", task.run)):
            continue
        yield Report(_callee_at(task), args={"task": task_label(task)})


# --- Concurrency ---------------------------------------------------------------------------


def _queue_call_has_limit(ctx: FileContext, value: ts.Node | None) -> bool | None:
    """For a `queue({...})` call: whether it sets concurrencyLimit; None if not such a call."""
    value = unwrap(value)
    if value is None or value.type != "call_expression":
        return None
    if ctx.model.sdk.resolve(value.child_by_field_name("function")) != "queue":
        return None
    args = call_arguments(value)
    options = unwrap(args[0]) if args else None
    if options is None or options.type != "object":
        return True  # built elsewhere: assume it has a limit
    if any(c.type == "spread_element" for c in options.named_children):
        return True
    return "concurrencyLimit" in object_members(options)


def _has_concurrency_limit(ctx: FileContext, task: TaskDefinition) -> bool:
    if "concurrency" in task.members:
        return True
    if "queue" not in task.members:
        return False
    value = unwrap(task.member("queue"))
    if value is None:
        return True
    if value.type == "object":
        members = object_members(value)
        # A named queue may be declared with a limit elsewhere in the project.
        spread = any(c.type == "spread_element" for c in value.named_children)
        return "concurrencyLimit" in members or "name" in members or spread
    if value.type == "call_expression":
        return _queue_call_has_limit(ctx, value) is not False
    if value.type in ("identifier", "shorthand_property_identifier"):
        declared = declared_value(ctx.model, value)
        return _queue_call_has_limit(ctx, declared) is not False
    return True  # a queue name, a member of an imported module...: assume it is limited


def _limit_option(ctx: FileContext) -> str:
    """The option that sets a limit on the project's SDK: `concurrency` on 4.7+, a queue's
    `concurrencyLimit` before; both when the version is not known."""
    total, legacy = "`concurrency: { total: n }`", "`queue: { concurrencyLimit: n }`"
    at_least = ctx.sdk_at_least(4, 7)
    if at_least is None:
        return f"{total} (SDK 4.7+) or {legacy} (older SDKs)"
    return total if at_least else legacy


# Calls a stub may make: logging and waiting do not load anything a limit would protect.
_HARMLESS_ROOTS = frozenset({"logger", "console", "wait", "metadata", "tags"})


def _is_stub(ctx: FileContext, run: ts.Node) -> bool:
    """A run that calls nothing but loggers and waits (`async () => {}`, `return payload`,
    `logger.info(...)`): however many copies run at once, they load nothing."""
    for call in ctx.model.within("call", run):
        root = root_identifier(call_function(call))
        if root is None or text(root) not in _HARMLESS_ROOTS:
            return False
    return True


_HTTP_PACKAGES = frozenset({"axios", "got", "ky", "node-fetch", "undici", "ofetch", "superagent"})


def _http_call(ctx: FileContext, call: ts.Node) -> str | None:
    """The HTTP client a call uses: the global `fetch`, or a function or client from an HTTP
    package (`axios.get`, `got(...)`, `const api = axios.create(...); api.get(...)`)."""
    fn = unwrap(call_function(call))
    root = root_identifier(fn)
    if root is None:
        return None
    global_fetch = text(root) == "fetch" and fn == root
    if global_fetch and ctx.model.import_of("fetch") is None:
        return "fetch" if declared_value(ctx.model, root) is None else None
    return module_of(ctx.model, root, _HTTP_PACKAGES.__contains__)


def _rate_limited_call(ctx: FileContext, run: ts.Node) -> tuple[str, dict[str, str]] | None:
    """An LLM client call anywhere in the run, or an HTTP call in a loop of the run: the
    variant and its arguments."""
    body = function_body(run) or run
    # A client comes from an import (directly or through variables): without an import of an
    # LLM SDK or an HTTP package, and without `fetch`, there is nothing to look for.
    llm_imported, http_possible = ctx.model.shared(
        ("rate-limited-imports",), lambda: _imported_services(ctx)
    )
    if not llm_imported and not http_possible:
        return None
    for call in ctx.model.within("call", run):
        root = root_identifier(call_function(call))
        if root is None:
            continue
        llm = llm_source(ctx, root) if llm_imported else None
        if llm is not None:
            return "llm", {"service": f"`{llm}`"}
        http = _http_call(ctx, call) if http_possible else None
        if http is not None and enclosing_loop(call, body) is not None:
            return "http_loop", {"service": f"`{http}`", "line": str(call.start_point[0] + 1)}
    return None


def _imported_services(ctx: FileContext) -> tuple[bool, bool]:
    """Whether the file imports an LLM SDK, and whether it may call an HTTP API (it imports an
    HTTP package or mentions `fetch`)."""
    sources = [i.source for i in ctx.model.imports if not i.type_only]
    llm = any(is_llm_module(s) for s in sources)
    http = ctx.mentions(b"fetch") or any(s in _HTTP_PACKAGES for s in sources)
    return llm, http


def llm_source(ctx: FileContext, ident: ts.Node) -> str | None:
    return module_of(ctx.model, ident, is_llm_module)


Risk = tuple[str, dict[str, str], tuple[Related, ...]]  # variant, its arguments, related


def _risk(ctx: FileContext, task: TaskDefinition) -> Risk | None:
    """Why running many copies of the task at once is a risk: it is fanned out somewhere in
    the project, or (unless it is a schedule, one run per tick) its run calls a rate-limited
    service."""
    if ctx.index is not None:
        fan = ctx.index.fan_out(task.id, task.variable, ctx.path, ctx.project.root)
        parent = {"parent": fan.via or ""} if fan is not None else {}
        if fan is not None and ctx.path is not None and resolved(fan.path) == resolved(ctx.path):
            # In its own file, no position: the index may hold the previous version of it.
            return fan.how, {"where": "in this file", **parent}, ()
        if fan is not None:
            where = f"at {_where(fan.path, ctx.project.root, fan.line)}"
            related = (Related(fan.path, fan.start_byte, fan.end_byte, "fanned out here"),)
            return fan.how, {"where": where, **parent}, related
    if task.kind == "schedules.task" or task.run is None:
        return None
    found = _rate_limited_call(ctx, task.run)
    return (found[0], found[1], ()) if found is not None else None


def _fan_out_key(ctx: FileContext) -> Hashable:
    """What task-no-concurrency-limit reads of the index for this file: which tasks are fanned
    out, and from where (kept with its findings)."""
    if ctx.index is None or not ctx.index.complete:
        return None
    return ctx.index.fan_out_keys(ctx.project.root, ctx.path)


@rule(
    "task-no-concurrency-limit",
    args=("limit", "task"),
    variants={
        "batch": ("limit", "task", "where"),
        "loop": ("limit", "task", "where"),
        "llm": ("limit", "service", "task"),
        "http_loop": ("limit", "line", "service", "task"),
        "via": ("limit", "parent", "task", "where"),
    },
    reads_index=True,
    index_key=_fan_out_key,
)
def task_no_concurrency_limit(ctx: FileContext) -> Iterator[Report]:
    """In the recommended profile, only a task that is fanned out (triggered in a batch or
    in a loop somewhere in the project) or that calls a rate-limited service, and never a
    stub; in the strict profile, every task without a limit (with the reason when there is
    one)."""
    strict = ctx.profile == "strict"
    for task in ctx.model.tasks:
        if task.options is None or has_spread(task.options):
            continue
        if _has_concurrency_limit(ctx, task):
            continue
        args = {"task": task_label(task), "limit": _limit_option(ctx)}
        at = _callee_at(task)
        stub = task.run is None or _is_stub(ctx, task.run)
        risk = _risk(ctx, task) if strict or not stub else None
        if risk is not None:
            yield Report(at, risk[0], {**args, **risk[1]}, related=risk[2])
        elif strict:
            yield Report(at, None, args)


# --- Retries -------------------------------------------------------------------------------


def _default_retries_missing(config: TriggerConfig) -> bool:
    """Whether the config certainly sets no `retries.default` (an option spread from another
    object, or `retries: shared`, may set it)."""
    if config.has_default_retries or config.options is None or has_spread(config.options):
        return False
    retries = unwrap(member_value(config.members.get("retries")))
    if retries is None:
        return True
    return retries.type == "object" and not has_spread(retries)


@rule(
    "task-no-retry-config",
    args=("tasks", "them"),
    variants={"uncounted": ()},
    any_file=True,
    whole_file=True,
    reads_index=True,
)
def task_no_retry_config(ctx: FileContext) -> Iterator[Report]:
    """Once per project, on the `defineConfig(...)` of a trigger.config that sets no
    `retries.default`, with the number of the project's tasks that set no `retry` either."""
    config = config_of(ctx)
    if config is None or config.call is None or config.options is None:
        return
    if config.options.has_error or not _default_retries_missing(config):
        return
    at = config.call.child_by_field_name("function") or config.call
    index = ctx.index
    if index is None or not index.complete:
        yield Report(at, "uncounted")
        return
    count = index.tasks_without_retry(ctx.project.root)
    if count:
        tasks, them = ("1 task", "it") if count == 1 else (f"{count} tasks", "them")
        yield Report(at, args={"count": count, "tasks": tasks, "them": them})


# --- Exports (SDK 3.x) ---------------------------------------------------------------------


def _exported_names(ctx: WholeFileContext) -> set[str]:
    """Local names exported by `export { a, b as c }` and `export default a`."""
    names: set[str] = set()
    for stmt in ctx.model.of("export"):
        if stmt.child_by_field_name("source") is not None:
            continue  # `export { a } from "./x"` re-exports another module's name
        for child in stmt.named_children:
            if child.type == "export_clause":
                for spec in child.named_children:
                    name = spec.child_by_field_name("name")
                    if spec.type == "export_specifier" and name is not None:
                        names.add(text(name))
        value = unwrap(stmt.child_by_field_name("value"))
        if value is not None and value.type == "identifier":
            names.add(text(value))
    return names


def _uses_commonjs_exports(ctx: WholeFileContext) -> bool:
    for member in ctx.model.of("member"):
        obj = member.child_by_field_name("object")
        if obj is None:
            continue
        name = text(obj)
        if name == "exports" or (name == "module" and member_property(member) == "exports"):
            return True
    return False


@rule("task-not-exported", args=("task",), whole_file=True)
def task_not_exported(ctx: WholeFileContext) -> Iterator[Report]:
    exported = None
    for task in ctx.model.tasks:
        if task.exported:
            continue
        stmt = task.statement
        at_top = stmt.parent is not None and stmt.parent.type == "program"
        if not at_top or stmt.type not in ("lexical_declaration", "expression_statement"):
            continue  # tasks built inside other expressions or functions: cannot tell
        if exported is None:
            if _uses_commonjs_exports(ctx):
                return
            exported = _exported_names(ctx)
        if task.variable is not None and task.variable in exported:
            continue
        fix = None
        if stmt.type == "lexical_declaration" and task.variable is not None:
            fix = Fix((Edit(stmt.start_byte, stmt.start_byte, "export "),))
        yield Report(_callee_at(task), args={"task": task_label(task)}, fix=fix)


# --- Task-level options: machine and maxDuration -------------------------------------------

MACHINE_PRESETS = (
    "micro",
    "small-1x",
    "small-2x",
    "medium-1x",
    "medium-2x",
    "large-1x",
    "large-2x",
)


def _object_at(args: list[ts.Node], index: int) -> ts.Node | None:
    node = unwrap(args[index]) if len(args) > index else None
    return node if node is not None and node.type == "object" else None


def _config_objects(ctx: FileContext) -> Iterator[ts.Node]:
    for call in ctx.model.of("call"):
        if ctx.model.sdk.resolve(call.child_by_field_name("function")) == "defineConfig":
            found = _object_at(call_arguments(call), 0)
            if found is not None:
                yield found


def _option_objects(ctx: FileContext) -> Iterator[ts.Node]:
    """Every object literal that takes task-level options: task options, trigger options and
    the config passed to defineConfig. Each object once, even when a `const opts = {...}` is
    passed to several triggers."""
    found: list[ts.Node] = [t.options for t in ctx.model.tasks if t.options is not None]
    for trigger in trigger_calls(ctx.model):
        found.extend(trigger.run_options)
    found.extend(_config_objects(ctx))
    seen: set[tuple[int, int]] = set()
    for obj in found:
        if (obj.start_byte, obj.end_byte) not in seen:
            seen.add((obj.start_byte, obj.end_byte))
            yield obj


def _out_of_memory_machine(options: ts.Node) -> ts.Node | None:
    """`retry.outOfMemory.machine` in task options, `retries.default.outOfMemory.machine` in
    the config."""
    members = object_members(options)
    retry = member_value(members.get("retry"))
    if retry is None:
        retry = member_value(object_members(member_value(members.get("retries"))).get("default"))
    oom = member_value(object_members(retry).get("outOfMemory"))
    return member_value(object_members(oom).get("machine"))


def nearest_preset(value: str, presets: Iterable[str] = MACHINE_PRESETS) -> str | None:
    """The one preset closest to `value` (ignoring case), if it is close and no other preset is
    as close."""
    lowered = value.strip().lower()
    scored = sorted(((SequenceMatcher(None, lowered, p).ratio(), p) for p in presets), reverse=True)
    best, preset = scored[0]
    if best < 0.85 or (len(scored) > 1 and scored[1][0] == best):
        return None
    return preset


def _machine_reports(ctx: FileContext, value: ts.Node | None) -> Iterator[Report]:
    value = unwrap(value)
    if value is None:
        return
    if value.type == "object":
        members = object_members(value)
        for field in ("cpu", "memory"):
            member = members.get(field)
            if member is not None:
                key = member.child_by_field_name("key") or member
                yield Report(key, "deprecated_field", {"field": field})
        value = unwrap(member_value(members.get("preset")))
        if value is None:
            return
    preset = string_value(value)
    installed = option_values(ctx.project.installed_sdk, "machine")  # the project's own SDK
    if preset is None or preset in (installed or MACHINE_PRESETS):
        return
    suggestion = nearest_preset(preset, installed or MACHINE_PRESETS)
    fix = None
    hint = ""
    if suggestion is not None:
        quote = ctx.source[value.start_byte : value.start_byte + 1].decode()
        fix = Fix((Edit(value.start_byte, value.end_byte, f"{quote}{suggestion}{quote}"),))
        hint = f' Did you mean "{suggestion}"?'
    args = {"value": preset, "hint": hint, "suggestion": suggestion or ""}
    if installed and ctx.project.installed_sdk is not None:
        version, shown = ctx.project.installed_sdk.version, ", ".join(sorted(installed))
        yield Report(value, "installed", {**args, "version": version, "presets": shown}, fix)
        return
    yield Report(value, args=args, fix=fix)


@rule(
    "invalid-machine-preset",
    args=("hint", "value"),
    variants={"deprecated_field": ("field",), "installed": ("hint", "presets", "value", "version")},
    fix_args=("suggestion",),
)
def invalid_machine_preset(ctx: FileContext) -> Iterator[Report]:
    for options in _option_objects(ctx):
        yield from _machine_reports(ctx, member_value(object_members(options).get("machine")))
        yield from _machine_reports(ctx, _out_of_memory_machine(options))


@rule("max-duration-too-small", args=("value",))
def max_duration_too_small(ctx: FileContext) -> Iterator[Report]:
    configs = {(o.start_byte, o.end_byte) for o in _config_objects(ctx)}
    for options in _option_objects(ctx):
        value = member_value(object_members(options).get("maxDuration"))
        seconds = number_value(value)
        if value is None or seconds is None or seconds >= 5:
            continue
        if seconds == 0 and (options.start_byte, options.end_byte) in configs:
            continue  # the CLI refuses it: config-missing-max-duration reports it
        yield Report(value, args={"value": text(unwrap(value))})


# --- maxDuration written in milliseconds ---------------------------------------------------

# `timeout.None`'s value (sdk/dist/esm/v3/timeout.js): the largest value, meaning no limit.
NO_LIMIT = 2_147_483_647
DAY = 86_400
MINUTE_MS = 60_000
_UNIT_SECONDS = {
    "ms": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "millis": 0.001,
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": DAY,
    "day": DAY,
    "days": DAY,
}
# A number followed by a unit, in a comment's words ("5 minutes", "300000ms", "1.5 h").
_DURATION_WORDS = re.compile(
    r"(\d+(?:[._]\d+)?)\s*(" + "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_MS_WORD = re.compile(r"\b(ms|millis|milliseconds?)\b", re.IGNORECASE)


def _product(node: ts.Node | None) -> tuple[float, ts.Node | None] | None:
    """The value of a number literal or a product of them, and the literal `1000` factor in
    it, if any; None for anything else."""
    node = unwrap(node)
    if node is None:
        return None
    value = number_value(node)
    if value is not None:
        return value, node if value == 1000 and node.type == "number" else None
    if node.type != "binary_expression" or text(node.child_by_field_name("operator")) != "*":
        return None
    left = _product(node.child_by_field_name("left"))
    right = _product(node.child_by_field_name("right"))
    if left is None or right is None:
        return None
    return left[0] * right[0], left[1] or right[1]


def _duration_text(seconds: float) -> str:
    """Seconds in words: "83.3 hours", "3.5 days"."""
    for size, unit in ((DAY, "days"), (3600, "hours"), (60, "minutes")):
        if seconds >= size * 2 or (seconds >= size and seconds % size == 0):
            amount = seconds / size
            shown = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.1f}"
            return f"{shown} {unit}" if shown != "1" else f"1 {unit[:-1]}"
    return f"{seconds:g} seconds"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _nearby_comments(ctx: FileContext, member: ts.Node) -> list[str]:
    """Comments that annotate an object member: inside it, after it on its last line, or on
    their own line just above it."""
    found = []
    for comment in ctx.model.within("comment", member):
        found.append(ctx.text(comment))
    after = member.next_sibling
    while after is not None and after.type == ",":
        after = after.next_sibling
    on_its_line = after is not None and after.start_point[0] == member.end_point[0]
    if after is not None and after.type == "comment" and on_its_line:
        found.append(ctx.text(after))
    before = member.prev_sibling
    if before is not None and before.type == "comment":
        earlier = before.prev_sibling
        own_line = earlier is None or earlier.end_point[0] < before.start_point[0]
        if own_line and before.end_point[0] == member.start_point[0] - 1:
            found.append(ctx.text(before))
    return found


def _comment_verdict(comments: list[str], seconds: float) -> tuple[str, str, float] | None:
    """What the comments next to a literal say about its unit: milliseconds ("comment_ms") or
    a bigger unit written as seconds ("comment_unit"), with the words the comment used and the
    value in seconds they mean; "agrees" when a duration they name is within a tenth of the
    value; None when they say nothing about it."""
    durations: list[tuple[float, float, str]] = []  # (amount, in seconds, unit word)
    for comment in comments:
        for amount, unit in _DURATION_WORDS.findall(comment):
            number = float(amount.replace("_", ""))
            durations.append((number, number * _UNIT_SECONDS[unit.lower()], unit))
    if any(abs(in_seconds - seconds) <= seconds / 10 for _, in_seconds, _ in durations):
        return "agrees", "", seconds  # roughly is enough: "about 33 hours"
    for amount, in_seconds, unit in durations:
        if in_seconds >= 1 and abs(in_seconds * 1000 - seconds) < 1e-3:
            return "comment_ms", f"{_number(amount)} {unit}", in_seconds
    for amount, in_seconds, unit in durations:
        if amount == seconds and in_seconds > seconds:
            return "comment_unit", f"{_number(amount)} {unit}", in_seconds
    if not durations and any(_MS_WORD.search(c) for c in comments) and seconds >= 1000:
        return "comment_ms", "milliseconds", seconds / 1000
    return None


def _ms_import(ctx: FileContext, node: ts.Node) -> bool:
    """Whether `node` calls the default export of the `ms` package (which returns ms)."""
    if node.type != "call_expression":
        return False
    fn = unwrap(node.child_by_field_name("function"))
    if fn is None or fn.type != "identifier":
        return False
    imp = ctx.model.import_of(text(fn))
    return imp is not None and imp.source == "ms" and imp.default == text(fn)


def _drop_factor(factor: ts.Node) -> Fix | None:
    """`5 * 60 * 1000` -> `5 * 60`: replace the product holding the `1000` with its other side."""
    product = factor.parent
    if product is None or product.type != "binary_expression":
        return None
    left, right = product.child_by_field_name("left"), product.child_by_field_name("right")
    other = right if left == factor else left
    if other is None:
        return None
    return Fix((Edit(product.start_byte, product.end_byte, text(other)),))


@rule(
    "max-duration-in-milliseconds",
    args=("duration", "meant", "value"),
    variants={
        "constant": ("duration", "meant", "seconds", "value"),
        "ms_call": ("value",),
        "comment_ms": ("duration", "said", "seconds", "value"),
        "comment_unit": ("said", "seconds", "value"),
        "large": ("duration", "meant", "seconds", "value"),
    },
)
def max_duration_in_milliseconds(ctx: FileContext) -> Iterator[Report]:
    for options in _option_objects(ctx):
        member = object_members(options).get("maxDuration")
        value = unwrap(member_value(member))
        if member is None or value is None:
            continue
        if _ms_import(ctx, value):
            yield Report(value, "ms_call", {"value": text(value)})
            continue
        constant = None
        if value.type == "identifier":
            constant, value = value, declared_value(ctx.model, value)
        found = _product(value)
        if found is None or value is None:
            continue
        seconds, factor = found
        if factor is not None and factor == unwrap(value):
            factor = None  # `maxDuration: 1000` alone is a number of seconds, not a product
        if seconds < 5 or seconds == NO_LIMIT:
            continue  # below the minimum: max-duration-too-small's finding
        args = {
            "value": text(constant or value),
            "duration": _duration_text(seconds),
            "meant": _duration_text(seconds / 1000),
            "seconds": _number(seconds / 1000),
        }
        at = constant or value
        if factor is not None:
            fix = _drop_factor(factor) if constant is None and seconds >= 5000 else None
            yield Report(at, "constant" if constant else None, args, fix=fix)
            continue
        if constant is not None:
            continue  # a constant's comment and size are its own business
        verdict = _comment_verdict(_nearby_comments(ctx, member), seconds)
        if verdict is None and seconds > DAY and seconds % MINUTE_MS == 0:
            verdict = ("large", "", seconds / 1000)
        if verdict is None or verdict[0] == "agrees":
            continue
        variant, said, meant = verdict
        args |= {"said": said, "seconds": _number(meant), "meant": _duration_text(meant)}
        fix = Fix((Edit(value.start_byte, value.end_byte, _number(meant)),))
        yield Report(value, variant, args, fix=fix if meant >= 5 else None)


# --- Queue concurrencyLimit (SDK 4.7+) -----------------------------------------------------


def _limit_member(obj: ts.Node | None) -> ts.Node | None:
    member = object_members(obj).get("concurrencyLimit")
    return member if member is not None and member.type == "pair" else None


@rule("queue-concurrency-deprecated", variants={"shared": ()}, fix_args=("limit",))
def queue_concurrency_deprecated(ctx: FileContext) -> Iterator[Report]:
    for task in ctx.model.tasks:
        queue_obj = unwrap(task.member("queue"))
        if queue_obj is None or queue_obj.type != "object":
            continue
        limit = _limit_member(queue_obj)
        if limit is None:
            continue
        value = limit.child_by_field_name("value")
        limit_text = text(value)
        fix = None
        only_limit = list(object_members(queue_obj)) == ["concurrencyLimit"]
        queue_pair = task.members["queue"]
        if (
            only_limit
            and len(queue_obj.named_children) == 1
            and "concurrency" not in task.members
            and queue_pair.type == "pair"
        ):
            new = f"concurrency: {{ total: {limit_text} }}"
            fix = Fix((Edit(queue_pair.start_byte, queue_pair.end_byte, new),))
        key = limit.child_by_field_name("key") or limit
        yield Report(key, args={"limit": limit_text}, fix=fix)
    for call in ctx.model.of("call"):
        if ctx.model.sdk.resolve(call.child_by_field_name("function")) != "queue":
            continue
        limit = _limit_member(_object_at(call_arguments(call), 0))
        if limit is not None:
            key = limit.child_by_field_name("key") or limit
            yield Report(key, "shared", {"limit": text(limit.child_by_field_name("value"))})
