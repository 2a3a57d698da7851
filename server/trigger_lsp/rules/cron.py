"""Cron syntax as the Trigger.dev engine accepts it: five fields with ranges, lists, steps,
month and day names and `L`. Plain string operations, no regular expressions; no tree-sitter,
no rules: the schedule rules and completion use it."""

from __future__ import annotations

from dataclasses import dataclass, field

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
