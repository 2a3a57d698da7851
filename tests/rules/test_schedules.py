"""Tests for the schedule rules: cron syntax and the UTC default of string crons."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import fixed, lines_of, lint, marked
from trigger_lsp.knowledge.model import FixSafety, Severity
from trigger_lsp.rules.cron import DAYS, MONTHS, check_cron

IMPORT = 'import { schedules, task } from "@trigger.dev/sdk";\n'


def src(body: str, imports: str = IMPORT) -> str:
    return imports + textwrap.dedent(body).lstrip("\n")


def scheduled(cron: str, imports: str = IMPORT) -> str:
    """A scheduled task whose `cron` option is the given source text."""
    return (
        imports
        + f'export const s = schedules.task({{ id: "s", cron: {cron}, run: async () => {{}} }});\n'
    )


# --- check_cron: valid expressions --------------------------------------------------------


@pytest.mark.parametrize(
    "cron",
    [
        "* * * * *",
        "0 9 * * *",
        "0 */2 * * *",
        "*/15 * * * *",
        "0-30/5 * * * *",
        "5/15 * * * *",
        "0 9 * * 1-5",
        "0 9 * * MON-FRI",
        "0 9 * * mon,wed,fri",
        "0 0 1 JAN *",
        "0 0 1 jan-mar *",
        "0 0 L * *",
        "0 0 * * 5L",
        "0 0 * * 1#2",
        "0 0 ? * MON",
        "0 0 1 * ?",
        "59 23 31 12 7",
        "0 0 1,15 * *",
        "0 0,12 * * 0",
        "00 09 * * *",
        "0\t9\t*\t*\t*",
    ],
)
def test_valid_crons(cron: str) -> None:
    assert check_cron(cron) is None


def _numbers(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(str)


def _field(low: int, high: int, names: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    value = _numbers(low, high) | (st.sampled_from(names) if names else _numbers(low, high))
    ordered_range = st.tuples(st.integers(low, high), st.integers(low, high)).map(
        lambda ab: f"{min(ab)}-{max(ab)}"
    )
    item = st.one_of(
        st.just("*"),
        value,
        ordered_range,
        st.integers(1, high).map(lambda n: f"*/{n}"),
        st.tuples(ordered_range, st.integers(1, high)).map(lambda rn: f"{rn[0]}/{rn[1]}"),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


VALID_CRONS = st.tuples(
    _field(0, 59),
    _field(0, 23),
    _field(1, 31),
    _field(1, 12, MONTHS),
    _field(0, 7, DAYS),
).map(" ".join)


@given(VALID_CRONS)
def test_generated_valid_crons_pass(cron: str) -> None:
    assert check_cron(cron) is None


@given(VALID_CRONS, st.integers(0, 59))
def test_a_seconds_field_is_always_reported(cron: str, second: int) -> None:
    problem = check_cron(f"{second} {cron}")
    assert problem is not None and problem.variant == "seconds"


@given(st.text(alphabet="0123456789*/-,LW#? ABCDEFJMNOSTU@\t", max_size=40))
def test_check_cron_never_crashes(cron: str) -> None:
    check_cron(cron)


# --- check_cron: invalid expressions ------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "variant", "field"),
    [
        ("0 9 * * * *", "seconds", None),
        ("*/5 * * * * *", "seconds", None),
        ("0 9 * *", None, None),
        ("0 0 9 * * * 2025", None, None),
        ("", None, None),
        ("@daily", "macro", None),
        ("@every 5m", "macro", None),
        ("60 * * * *", "field", "minute"),
        ("0 24 * * *", "field", "hour"),
        ("0 0 0 * *", "field", "day-of-month"),
        ("0 0 32 * *", "field", "day-of-month"),
        ("0 0 1 13 *", "field", "month"),
        ("0 0 1 0 *", "field", "month"),
        ("0 0 * * 8", "field", "day-of-week"),
        ("0 0 * * FUN", "field", "day-of-week"),
        ("0 0 * JANUARY *", "field", "month"),
        ("*/0 * * * *", "field", "minute"),
        ("*/x * * * *", "field", "minute"),
        ("0 17-9 * * *", "field", "hour"),
        ("0 0 1,,15 * *", "field", "day-of-month"),
        ("0 0 * * 1#6", "field", "day-of-week"),
        ("0 0 * * 9L", "field", "day-of-week"),
        ("0 L * * *", "field", "hour"),
        ("? * * * *", "field", "minute"),
        ("H * * * *", "field", "minute"),
        ("0 9 * * 1-", "field", "day-of-week"),
        ("0 9  * * *", "spacing", None),
        (" 0 9 * * *", "spacing", None),
    ],
)
def test_invalid_crons(cron: str, variant: str | None, field: str | None) -> None:
    problem = check_cron(cron)
    assert problem is not None
    assert problem.variant == variant
    if field is not None:
        assert problem.args["field"] == field


def test_field_problem_points_at_the_field() -> None:
    problem = check_cron("0 25 * * *")
    assert problem is not None and (problem.start, problem.end) == (2, 4)


# --- invalid-cron (the rule) --------------------------------------------------------------


def test_invalid_cron_reports_the_bad_field_only() -> None:
    code = scheduled('"0 25 * * *" /*>*/')
    findings = lint(code, only="invalid-cron")
    assert lines_of(findings) == marked(code)
    finding = findings[0]
    assert finding.severity is Severity.ERROR
    assert code.encode()[finding.start_byte : finding.end_byte] == b"25"
    assert "hour" in finding.message and "0-23" in finding.message


def test_invalid_cron_seconds_reports_the_literal() -> None:
    code = scheduled("`*/30 * * * * *`")
    findings = lint(code, only="invalid-cron")
    assert len(findings) == 1
    assert "seconds" in findings[0].message
    assert code.encode()[findings[0].start_byte : findings[0].end_byte] == b"`*/30 * * * * *`"


def test_invalid_cron_in_object_form_and_constants() -> None:
    code = src(
        """
        const NIGHTLY = "0 2 * * * *";
        export const a = schedules.task({
          id: "a",
          cron: { pattern: "0 9 * * 8", timezone: "Europe/Paris" }, /*>*/
          run: async () => {},
        });
        export const b = schedules.task({ id: "b", cron: NIGHTLY, run: async () => {} }); /*>*/
        """
    )
    assert lines_of(lint(code, only="invalid-cron")) == marked(code)


def test_invalid_cron_in_imperative_schedules() -> None:
    code = src(
        """
        await schedules.create({ task: "a", cron: "0 0 31 2 * *", deduplicationKey: "k" }); /*>*/
        await schedules.update("sched_1", { task: "a", cron: "0 99 * * *" }); /*>*/
        """
    )
    assert lines_of(lint(code, only="invalid-cron")) == marked(code)


def test_invalid_cron_macro_is_information() -> None:
    findings = lint(scheduled('"@hourly"'), only="invalid-cron")
    assert len(findings) == 1 and findings[0].severity is Severity.INFO


def test_invalid_cron_extra_spaces_is_a_warning() -> None:
    findings = lint(scheduled('"0  9 * * *"'), only="invalid-cron")
    assert len(findings) == 1 and findings[0].severity is Severity.WARNING


def test_invalid_cron_with_aliased_and_namespace_imports() -> None:
    aliased = 'import { schedules as s } from "@trigger.dev/sdk";\n'
    code = (
        aliased + 'export const a = s.task({ id: "a", cron: "61 * * * *", run: async () => {} });\n'
    )
    assert lines_of(lint(code, only="invalid-cron")) == [2]
    namespace = 'import * as sdk from "@trigger.dev/sdk";\n'
    code = (
        namespace
        + 'export const a = sdk.schedules.task({ id: "a", cron: "* * *", run: async () => {} });\n'
    )
    assert lines_of(lint(code, only="invalid-cron")) == [2]


@pytest.mark.parametrize(
    "code",
    [
        scheduled('"0 9 * * 1-5"'),
        scheduled('{ pattern: "0 9 * * *", timezone: "America/New_York" }'),
        scheduled("cronFromConfig"),
        scheduled("`${minute} 9 * * *`"),
        src('export const t = task({ id: "t", cron: "bad cron", run: async () => {} });\n'),
        'import cron from "node-cron";\ncron.schedule("0 0 0 * * *", () => {});\n',
        'import { schedules } from "./my-schedules";\nschedules.create({ cron: "every day" });\n',
    ],
)
def test_invalid_cron_silent(code: str) -> None:
    assert lint(code, only="invalid-cron") == []


# --- schedule-no-timezone -----------------------------------------------------------------


def test_no_timezone_fires_on_a_string_cron_with_a_fix() -> None:
    code = src(
        """
        export const digest = schedules.task({
          id: "digest",
          cron: "0 9 * * *", /*>*/
          run: async () => {},
        });
        """
    )
    findings = lint(code, only="schedule-no-timezone")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.INFO
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    out = fixed(code, "schedule-no-timezone")
    assert 'cron: { pattern: "0 9 * * *", timezone: "UTC" },' in out


def test_no_timezone_fix_for_constants_and_shorthand() -> None:
    code = src(
        """
        const cron = "0 9 * * *";
        const DAILY = '0 0 * * *';
        export const a = schedules.task({ id: "a", cron, run: async () => {} });
        export const b = schedules.task({ id: "b", cron: DAILY, run: async () => {} });
        """
    )
    out = fixed(code, "schedule-no-timezone")
    assert 'id: "a", cron: { pattern: cron, timezone: "UTC" }, run' in out
    assert 'cron: { pattern: DAILY, timezone: "UTC" }' in out


def test_no_timezone_with_an_alias() -> None:
    code = 'import { schedules as sched } from "@trigger.dev/sdk/v3";\n' + (
        'export const a = sched.task({ id: "a", cron: "0 9 * * *", run: async () => {} });\n'
    )
    assert lines_of(lint(code, only="schedule-no-timezone", sdk="3.3.17")) == [2]


# A cron that repeats through every hour of every day names a frequency, not a time of day:
# which zone's midnight the steps start from does not change when it fires.
SUB_DAILY = [
    "*/5 * * * *",
    "* * * * *",
    "0 * * * *",
    "15 */2 * * *",
    "0,30 */6 * * *",
    "0 0-23/4 ? * *",
    "*/10 */1 * * *",
]


@pytest.mark.parametrize("cron", SUB_DAILY)
def test_no_timezone_silent_for_crons_that_run_every_hour_or_every_few_hours(cron: str) -> None:
    assert lint(scheduled(f'"{cron}"'), only="schedule-no-timezone") == []


def test_no_timezone_silent_for_a_sub_daily_constant() -> None:
    code = src(
        """
        const EVERY_FIVE_MINUTES = "*/5 * * * *";
        export const a = schedules.task({ id: "a", cron: EVERY_FIVE_MINUTES, run: async () => {} });
        """
    )
    assert lint(code, only="schedule-no-timezone") == []


# Still tied to a zone: a time of day, a day boundary, or steps that restart at midnight.
ZONED = [
    "0 9 * * *",  # 09:00
    "0 9-17 * * *",  # office hours
    "0 0,12 * * *",  # two named hours
    "*/5 * * * 1",  # Mondays: which day it is depends on the zone
    "0 * 1 * *",  # hourly on the 1st of the month
    "*/15 * * JAN *",  # January begins at a zone's midnight
    "0 */5 * * *",  # 0,5,10,15,20: the four-hour gap falls at midnight
    "0 */24 * * *",  # only hour 0: once a day at midnight
    "0 6/2 * * *",  # a step from 06:00
    "0 * * * MON-FRI",
]


@pytest.mark.parametrize("cron", ZONED)
def test_no_timezone_fires_for_crons_tied_to_a_time_or_a_day(cron: str) -> None:
    assert len(lint(scheduled(f'"{cron}"'), only="schedule-no-timezone")) == 1


@pytest.mark.parametrize(
    "code",
    [
        scheduled('{ pattern: "0 9 * * *", timezone: "Europe/Berlin" }'),
        scheduled('{ pattern: "0 9 * * *" }'),
        scheduled("cronOptions"),
        src('export const a = schedules.task({ id: "a", run: async () => {} });\n'),
        src('await schedules.create({ task: "a", cron: "0 9 * * *", deduplicationKey: "k" });\n'),
        'import { schedules } from "./local";\nschedules.task({ id: "a", cron: "0 9 * * *" });\n',
    ],
)
def test_no_timezone_silent(code: str) -> None:
    assert lint(code, only="schedule-no-timezone") == []
