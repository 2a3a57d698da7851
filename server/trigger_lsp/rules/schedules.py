"""Rules: schedules (cron syntax, checked by rules/cron.py, and the UTC default of string
crons)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    call_arguments,
    member_value,
    object_members,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, Span, rule
from trigger_lsp.rules.cron import check_cron, zone_free

# --- Finding cron strings in the code --------------------------------------------------------


@dataclass(frozen=True)
class CronSite:
    """A cron expression in the code: its text, the node it comes from, and whether that node
    is the literal itself (so a Span inside it maps to the source)."""

    value: str
    node: ts.Node
    literal: bool


def _cron_site(ctx: FileContext, node: ts.Node | None) -> CronSite | None:
    node = unwrap(node)
    if node is None:
        return None
    value = string_value(node)
    if value is not None:
        return CronSite(value, node, True)
    if node.type in ("identifier", "shorthand_property_identifier"):
        constant = ctx.model.constants.get(text(node))
        if constant is not None:
            return CronSite(constant, node, False)
    return None


def _schedule_crons(ctx: FileContext) -> Iterator[tuple[ts.Node, CronSite | None]]:
    """(the `cron` value, its cron string when known) for every scheduled task."""
    for task in ctx.model.tasks:
        if task.kind != "schedules.task":
            continue
        value = task.member("cron")
        if value is None:
            continue
        obj = unwrap(value)
        if obj is not None and obj.type == "object":
            yield obj, _cron_site(ctx, member_value(object_members(obj).get("pattern")))
        else:
            yield value, _cron_site(ctx, value)


def _imperative_crons(ctx: FileContext) -> Iterator[CronSite]:
    """`schedules.create({ cron })` and `schedules.update(id, { cron })`."""
    for call in ctx.model.of("call"):
        resolved = ctx.model.sdk.resolve(call.child_by_field_name("function"))
        if resolved not in ("schedules.create", "schedules.update"):
            continue
        args = call_arguments(call)
        index = 0 if resolved == "schedules.create" else 1
        options = unwrap(args[index]) if len(args) > index else None
        site = _cron_site(ctx, member_value(object_members(options).get("cron")))
        if site is not None:
            yield site


def _literal_offsets(ctx: FileContext, node: ts.Node, value: str) -> int | None:
    """Byte offset of the literal's content, when its source text equals its value."""
    raw = ctx.source[node.start_byte + 1 : node.end_byte - 1]
    return node.start_byte + 1 if raw == value.encode() else None


@rule(
    "invalid-cron",
    args=("count", "cron"),
    variants={
        "seconds": ("cron",),
        "field": ("cron", "field", "reason", "value"),
        "macro": ("cron",),
        "spacing": ("cron",),
    },
)
def invalid_cron(ctx: FileContext) -> Iterator[Report]:
    sites = [site for _, site in _schedule_crons(ctx) if site is not None]
    sites += list(_imperative_crons(ctx))
    for site in sites:
        problem = check_cron(site.value)
        if problem is None:
            continue
        at: ts.Node | Span = site.node
        base = _literal_offsets(ctx, site.node, site.value) if site.literal else None
        if base is not None and problem.start is not None and problem.end is not None:
            start = base + len(site.value[: problem.start].encode())
            end = base + len(site.value[: problem.end].encode())
            at = Span(start, end)
        yield Report(at, problem.variant, problem.args)


@rule("schedule-no-timezone")
def schedule_no_timezone(ctx: FileContext) -> Iterator[Report]:
    for value, site in _schedule_crons(ctx):
        obj = unwrap(value)
        if site is None or (obj is not None and obj.type == "object"):
            continue
        if zone_free(site.value):
            continue
        pattern = ctx.text(value)
        if value.type == "shorthand_property_identifier":  # `{ cron }`
            replacement = f'cron: {{ pattern: {pattern}, timezone: "UTC" }}'
        else:
            replacement = f'{{ pattern: {pattern}, timezone: "UTC" }}'
        fix = Fix((Edit(value.start_byte, value.end_byte, replacement),))
        yield Report(value, fix=fix)
