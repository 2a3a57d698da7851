"""Rules: lifecycle hooks (v3 signatures, deprecated hooks, onComplete's result shape)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from trigger_lsp.analysis.model import HOOK_NAMES, FileView, TaskDefinition
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    call_arguments,
    callee_method,
    function_params,
    member_key,
    member_value,
    object_members,
    text,
    unwrap,
)
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, rule

# Hooks that can also be registered for every task with `tasks.<hook>(fn)` or
# `tasks.<hook>(name, fn)`.
GLOBAL_HOOKS = HOOK_NAMES - {"init", "cleanup"}

# What the positional parameters of a v3 hook held, before the trailing params object.
_V3_POSITIONS = {
    "onSuccess": ("payload", "output"),
    "onFailure": ("payload", "error"),
    "catchError": ("payload", "error"),
    "handleError": ("payload", "error"),
}


@dataclass(frozen=True, eq=False)
class HookSite:
    """One lifecycle hook: a task option (`onSuccess: ...`) or a global `tasks.onSuccess(...)`."""

    name: str
    key: ts.Node  # the option's key, or the `onSuccess` of `tasks.onSuccess`
    fn: ts.Node | None  # the hook function when it is written inline
    member: ts.Node | None  # the options member (pair, method, shorthand); None when global
    task: TaskDefinition | None


def hook_sites(ctx: FileContext) -> list[HookSite]:
    """Every hook of the file's tasks, and every global hook (`tasks.onStart(...)`)."""
    return ctx.model.memo("hook_sites", lambda: list(_hook_sites(ctx.model)))


def _hook_sites(model: FileView) -> Iterator[HookSite]:
    for task in model.tasks:
        for name, member in task.members.items():
            if name not in HOOK_NAMES:
                continue
            value = unwrap(member_value(member))
            fn = value if value is not None and value.type in FUNCTION_TYPES else None
            yield HookSite(name, member_key(member), fn, member, task)
    for call in model.calls_where(callee_method, GLOBAL_HOOKS):
        callee = unwrap(call.child_by_field_name("function"))
        resolved = model.sdk.resolve(callee)
        if callee is None or resolved is None or not resolved.startswith("tasks."):
            continue
        name = resolved.removeprefix("tasks.")
        if name not in GLOBAL_HOOKS or callee.type != "member_expression":
            continue
        args = call_arguments(call)
        last = unwrap(args[-1]) if args else None
        fn = last if last is not None and last.type in FUNCTION_TYPES else None
        key = callee.child_by_field_name("property") or callee
        yield HookSite(name, key, fn, None, None)


def _pattern(param: ts.Node) -> ts.Node | None:
    """The binding pattern of a plain parameter (no type, default or rest), else None."""
    if param.type == "identifier":
        return param
    if param.type != "required_parameter":
        return None
    if param.child_by_field_name("type") is not None or param.child_by_field_name("value"):
        return None
    pattern = param.child_by_field_name("pattern")
    if pattern is None or pattern.type not in ("identifier", "object_pattern", "array_pattern"):
        return None
    return pattern


def _pattern_keys(pattern: ts.Node) -> set[str]:
    keys = set()
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            keys.add(text(child))
        elif child.type == "pair_pattern":
            keys.add(text(child.child_by_field_name("key")))
        elif child.type == "object_assignment_pattern":
            keys.add(text(child.child_by_field_name("left")))
    return keys


def _single_object_fix(ctx: FileContext, name: str, params: list[ts.Node]) -> Fix | None:
    """Rewrite `(payload, { ctx })` as `({ payload, ctx })` when every parameter is plain."""
    positions = _V3_POSITIONS.get(name, ("payload",))
    found = [_pattern(p) for p in params]
    patterns = [p for p in found if p is not None]
    if len(patterns) != len(found):
        return None
    # A trailing object pattern is the v3 params object (`{ ctx }`); so is one parameter more
    # than the hook had positional arguments (`(payload, error, params)`).
    rest = None
    if (len(patterns) >= 2 and patterns[-1].type == "object_pattern") or len(patterns) == len(
        positions
    ) + 1:
        rest = patterns.pop()
    if len(patterns) > len(positions):
        return None
    parts = []
    for key, pattern in zip(positions, patterns, strict=False):
        bound = text(pattern)
        parts.append(key if bound == key else f"{key}: {bound}")
    if rest is not None and rest.type == "identifier":
        parts.append(f"...{text(rest)}")
    elif rest is not None and rest.type == "object_pattern":
        if _pattern_keys(rest) & set(positions):
            return None
        inner = ctx.text(rest)[1:-1].strip().rstrip(",").strip()
        if inner:
            parts.append(inner)
    elif rest is not None:
        return None
    replacement = "{ " + ", ".join(parts) + " }"
    return Fix((Edit(params[0].start_byte, params[-1].end_byte, replacement),))


@rule("v3-hook-signature", args=("count", "hook"), variants={"payload_param": ("hook",)})
def v3_hook_signature(ctx: FileContext) -> Iterator[Report]:
    for site in hook_sites(ctx):
        if site.fn is None:
            continue
        params = function_params(site.fn)
        at = site.fn.child_by_field_name("parameters") or site.fn
        if len(params) >= 2:
            fix = _single_object_fix(ctx, site.name, params)
            yield Report(at, args={"hook": site.name, "count": len(params)}, fix=fix)
        elif len(params) == 1:
            pattern = _pattern(params[0])
            if pattern is not None and pattern.type == "identifier" and text(pattern) == "payload":
                yield Report(pattern, "payload_param", {"hook": site.name})


# --- Deprecated hooks ----------------------------------------------------------------------

_DEPRECATED = {"handleError": None, "init": "init", "cleanup": "cleanup", "onStart": "on_start"}


def _rename_fix(site: HookSite) -> Fix | None:
    """handleError -> catchError, unless the task already has a catchError."""
    if site.task is not None and "catchError" in site.task.members:
        return None
    member = site.member
    if member is not None and member.type == "shorthand_property_identifier":
        return Fix((Edit(member.start_byte, member.end_byte, "catchError: handleError"),))
    key = site.key
    if key.type == "string":
        quote = text(key)[0]
        return Fix((Edit(key.start_byte, key.end_byte, f"{quote}catchError{quote}"),))
    return Fix((Edit(key.start_byte, key.end_byte, "catchError"),))


# Hooks of `defineConfig({...})`, all `@deprecated` in the 4.x config type (core/v3/config.d.ts
# from 4.0.0; not in 3.3.17), by message variant.
_CONFIG_HOOKS = {"init": "config_init", "onStart": "config_on_start"}
_CONFIG_GLOBALS = frozenset({"onSuccess", "onFailure"})


def _config_hooks(ctx: FileContext) -> Iterator[tuple[str, ts.Node]]:
    """The deprecated hooks set in `defineConfig({...})`: name and the member's key."""
    if not ctx.mentions(b"defineConfig"):
        return
    for call in ctx.model.of("call"):
        if ctx.model.sdk.resolve(call.child_by_field_name("function")) != "defineConfig":
            continue
        args = call_arguments(call)
        for name, member in object_members(args[0] if args else None).items():
            if name in _CONFIG_HOOKS or name in _CONFIG_GLOBALS:
                yield name, member_key(member)


@rule(
    "deprecated-hook",
    variants={
        "on_start": (),
        "init": (),
        "cleanup": (),
        "config_hook": ("hook",),
        "config_on_start": (),
        "config_on_start_40": (),
        "config_init": (),
    },
)
def deprecated_hook(ctx: FileContext) -> Iterator[Report]:
    for site in hook_sites(ctx):
        if site.name not in _DEPRECATED:
            continue
        fix = _rename_fix(site) if site.name == "handleError" else None
        yield Report(site.key, _DEPRECATED[site.name], {"hook": site.name}, fix=fix)
    for name, key in _config_hooks(ctx):
        if name == "onStart":  # tasks.onStartAttempt exists from 4.1: the first that applies
            yield Report(key, ("config_on_start", "config_on_start_40"), {"hook": name})
        else:
            yield Report(key, _CONFIG_HOOKS.get(name, "config_hook"), {"hook": name})


# --- onComplete: result.data, not output ---------------------------------------------------


def _output_members(pattern: ts.Node) -> list[ts.Node]:
    """Entries of an object pattern that bind `output`."""
    found = []
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            name = text(child)
        elif child.type == "pair_pattern":
            name = text(child.child_by_field_name("key"))
        elif child.type == "object_assignment_pattern":
            name = text(child.child_by_field_name("left"))
        else:
            continue
        if name == "output":
            found.append(child)
    return found


def _result_binding(pattern: ts.Node) -> tuple[str | None, list[ts.Node]]:
    """From the hook's object pattern: the local name of `result`, and any `output` bindings
    (top level, or nested under `result`)."""
    name = None
    outputs = _output_members(pattern)
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern" and text(child) == "result":
            name = "result"
        elif child.type == "pair_pattern" and text(child.child_by_field_name("key")) == "result":
            value = child.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                name = text(value)
            elif value is not None and value.type == "object_pattern":
                outputs += _output_members(value)
    return name, outputs


def _is_name(node: ts.Node | None, name: str) -> bool:
    node = unwrap(node)
    return node is not None and node.type == "identifier" and text(node) == name


def _is_params_result(node: ts.Node | None, params: str) -> bool:
    """`params.result`"""
    node = unwrap(node)
    if node is None or node.type != "member_expression":
        return False
    prop = node.child_by_field_name("property")
    return _is_name(node.child_by_field_name("object"), params) and text(prop) == "result"


@rule("oncomplete-result-output", variants={"destructured": ()})
def oncomplete_result_output(ctx: FileContext) -> Iterator[Report]:
    for site in hook_sites(ctx):
        if site.name != "onComplete" or site.fn is None:
            continue
        params = function_params(site.fn)
        first = params[0] if params else None
        if first is not None and first.type == "required_parameter":
            first = first.child_by_field_name("pattern")
        if first is None:
            continue
        result_name = params_name = None
        if first.type == "object_pattern":
            result_name, outputs = _result_binding(first)
            for node in outputs:
                yield Report(node, "destructured")
        elif first.type == "identifier":
            params_name = text(first)
        for member in ctx.model.within("member", site.fn):
            prop = member.child_by_field_name("property")
            if prop is None or text(prop) != "output":
                continue
            obj = member.child_by_field_name("object")
            if (result_name and _is_name(obj, result_name)) or (
                params_name and _is_params_result(obj, params_name)
            ):
                yield Report(prop, fix=Fix((Edit(prop.start_byte, prop.end_byte, "data"),)))
            elif params_name and _is_name(obj, params_name):
                yield Report(prop, "destructured")
        for decl in ctx.model.within("declarator", site.fn):
            target = decl.child_by_field_name("name")
            value = decl.child_by_field_name("value")
            if target is None or target.type != "object_pattern":
                continue
            if (result_name and _is_name(value, result_name)) or (
                params_name and _is_params_result(value, params_name)
            ):
                for node in _output_members(target):
                    yield Report(node, "destructured")
