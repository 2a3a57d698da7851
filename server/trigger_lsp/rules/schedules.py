"""Rules: schedules (cron syntax, and the UTC default of string crons)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

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

# --- Cron parsing (plain string operations, no regular expressions) -------------------------

_DIGITS = frozenset("0123456789")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class CronField:
    name: str
    low: int
    high: int
    names: dict[str, int] = field(default_factory=dict)


FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField("day-of-month", 1, 31),
    CronField("month", 1, 12, {m: i for i, m in enumerate(MONTHS, 1)}),
    CronField("day-of-week", 0, 7, {d: i for i, d in enumerate(DAYS)}),
)


@dataclass(frozen=True)
class CronProblem:
    """Why a cron string is invalid; `start`/`end` index the offending field, if one is."""

    variant: str | None
    args: dict[str, str]
    start: int | None = None
    end: int | None = None


def _fields(cron: str) -> list[tuple[int, str]]:
    """Whitespace-separated fields with their start index."""
    out = []
    start = None
    for i, ch in enumerate(cron):
        if ch.isspace():
            if start is not None:
                out.append((start, cron[start:i]))
                start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, cron[start:]))
    return out


def _is_number(value: str) -> bool:
    return bool(value) and all(c in _DIGITS for c in value)


def _value(token: str, spec: CronField) -> tuple[int | None, str | None]:
    """A single number or name -> (value, None), or (None, reason)."""
    if _is_number(token):
        number = int(token)
        if spec.low <= number <= spec.high:
            return number, None
        return None, f"{number} is outside {spec.low}-{spec.high}"
    upper = token.upper()
    if upper in spec.names:
        return spec.names[upper], None
    if not token:
        return None, "a value is missing"
    return None, f'"{token}" is not a valid value'


def _special(item: str, spec: CronField) -> str | None:
    """Forms only the day fields accept: "" when accepted, a reason when malformed, None when
    the item is not one of them."""
    upper = item.upper()
    if item == "?" and spec.name in ("day-of-month", "day-of-week"):
        return ""
    if spec.name == "day-of-month":
        if upper == "L":
            return ""
        # Quartz-style `LW`, `L-3` and `15W`: whether the platform accepts them is unconfirmed,
        # so they are left alone rather than reported.
        if upper == "LW" or upper.startswith("L-") or (upper.endswith("W") and upper != "W"):
            return ""
    if spec.name == "day-of-week":
        if upper == "L":
            return ""
        if upper.endswith("L"):
            _, reason = _value(item[:-1], spec)
            return reason or ""
        if "#" in item:
            day, _, nth = item.partition("#")
            _, reason = _value(day, spec)
            if reason:
                return reason
            if not _is_number(nth) or not 1 <= int(nth) <= 5:
                return f'"#{nth}" must be #1 to #5'
            return ""
    return None


def _item(item: str, spec: CronField) -> str | None:
    """Check one list item (`*`, `5`, `1-5`, `*/15`, `0-30/5`, names); a reason or None."""
    special = _special(item, spec)
    if special is not None:
        return special or None
    base, slash, step = item.partition("/")
    if slash and (not _is_number(step) or int(step) == 0):
        return f'the step "/{step}" must be a whole number of at least 1'
    if base == "*":
        return None
    low, dash, high = base.partition("-")
    first, reason = _value(low, spec)
    if reason:
        return reason
    if dash:
        last, reason = _value(high, spec)
        if reason:
            return reason
        if first is not None and last is not None and first > last:
            return f'the range "{base}" runs backwards'
    return None


def check_cron(cron: str) -> CronProblem | None:
    """Validate a five-field cron expression; None when it is valid."""
    stripped = cron.strip()
    if stripped.startswith("@"):
        return CronProblem("macro", {"cron": stripped})
    fields = _fields(cron)
    if len(fields) == 6:
        return CronProblem("seconds", {"cron": stripped})
    if len(fields) != 5:
        return CronProblem(None, {"cron": stripped, "count": str(len(fields))})
    for (start, value), spec in zip(fields, FIELDS, strict=True):
        for item in value.split(","):
            reason = _item(item, spec)
            if reason is not None:
                if not item:
                    reason = "a list has an empty item"
                args = {"cron": stripped, "field": spec.name, "value": value, "reason": reason}
                return CronProblem("field", args, start, start + len(value))
    if len(cron.split(" ")) > 5:
        # The platform splits on single spaces and rejects more than five parts as a seconds
        # field, so a double, leading or trailing space fails an otherwise valid expression.
        return CronProblem("spacing", {"cron": stripped})
    return None


def _every_few_hours(hour: str) -> bool:
    """`*`, or a step over the whole day (`*/n`, `0-23/n`) that divides 24 hours evenly, so the
    firing repeats around the clock with no seam at midnight."""
    base, slash, step = hour.partition("/")
    if base not in ("*", "0-23"):
        return False
    if not slash:
        return base == "*"
    return _is_number(step) and 0 < int(step) < 24 and 24 % int(step) == 0


def zone_free(cron: str) -> bool:
    """Whether a valid cron fires at the same instants in every timezone, up to the phase of
    its repetition: it runs through every hour (or every n hours, n dividing 24) of every day.
    A restricted day of the month, month or weekday starts at a zone's midnight, and an hour
    names a time of day, so those depend on the zone. (Zones offset by 30 or 45 minutes move
    an hourly cron within the hour; the frequency is still what the pattern asks for.)"""
    if check_cron(cron) is not None:
        return False
    _, hour, day, month, weekday = (value for _, value in _fields(cron))
    return _every_few_hours(hour) and all(f in ("*", "?") for f in (day, month, weekday))


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
