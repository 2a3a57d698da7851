"""Tests for unchecked-child-result: waiting triggers whose result (and so the child's
failure) is thrown away or never checked."""

from __future__ import annotations

import textwrap
from functools import partial

import pytest

import helpers
from helpers import SDK_IMPORT, lines_of, lint, marked
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.model import FixSafety, Severity
from trigger_lsp.lint.fixes import apply_fixes

RULE = "unchecked-child-result"
CHILD = 'import { child, other } from "./children";\n'
SAFE_ONLY = {FixSafety.SAFE}
ALL_FIXES = {FixSafety.SAFE, FixSafety.UNSAFE}

FIRST = 7  # the line of the body's first statement


in_run = partial(helpers.in_run, imports=SDK_IMPORT + CHILD)  # (this file's imports)


def fixed(code: str, allowed: set[FixSafety] = ALL_FIXES, **kwargs: object) -> str:
    """The code after the rule's fixes of the given safety; it must parse, and neither this
    rule nor result-not-unwrapped may fire on it."""
    findings = lint(code, only=RULE, **kwargs)  # type: ignore[arg-type]
    source = textwrap.dedent(code).lstrip("\n").encode()
    out, count = apply_fixes(source, findings, allowed)
    assert count > 0, findings
    assert not parse(out, "typescript").root_node.has_error, out.decode()
    after = lint(out.decode(), **kwargs)  # type: ignore[arg-type]
    assert [f for f in after if f.rule in (RULE, "result-not-unwrapped")] == [], after
    return out.decode()


# --- must fire -------------------------------------------------------------------------------


def test_awaited_statement_in_try_fires_with_a_safe_fix():
    code = in_run("""
        try {
          await child.triggerAndWait({ id: payload.id }); /*>*/
        } catch (error) {
          logger.error("child failed", { error });
          throw error;
        }
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.WARNING
    assert "catch" in findings[0].message and "child.triggerAndWait" in findings[0].message
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.SAFE
    out = fixed(code, SAFE_ONLY)
    assert "await child.triggerAndWait({ id: payload.id }).unwrap();" in out


def test_awaited_statement_in_a_nested_block_of_a_try():
    code = in_run("""
        try {
          if (payload.charge) {
            await child.triggerAndWait({ id: payload.id }); /*>*/
          }
        } catch (error) {
          logger.error("failed", { error });
        }
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.SAFE


def test_awaited_statement_outside_try_has_an_unsafe_fix():
    code = in_run("""
        await child.triggerAndWait({ id: 1 }); /*>*/
        logger.info("done");
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "throws it away" in findings[0].message
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    source = textwrap.dedent(code).lstrip("\n").encode()
    assert apply_fixes(source, findings, SAFE_ONLY)[1] == 0  # not applied by --fix
    assert "await child.triggerAndWait({ id: 1 }).unwrap();" in fixed(code)


def test_try_with_only_finally_or_in_catch_block_is_not_safe():
    code = in_run("""
        try {
          await child.triggerAndWait({ id: 1 }); /*>*/
        } finally {
          logger.info("cleanup");
        }
        try {
          logger.info("x");
        } catch (error) {
          await other.triggerAndWait({ id: 2 }); /*>*/
        }
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert all(f.fix is not None and f.fix.safety is FixSafety.UNSAFE for f in findings)


def test_try_outside_a_nested_function_does_not_count():
    code = in_run("""
        try {
          await Promise.resolve().then(async () => {
            await child.triggerAndWait({ id: 1 }); /*>*/
          });
        } catch (error) {
          throw error;
        }
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE


def test_catch_chained_on_the_call_fires_with_a_safe_fix():
    code = in_run("""
        await child.triggerAndWait({ id: 1 }).catch((error) => logger.error("x", { error })); /*>*/
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "`.catch(...)`" in findings[0].message
    out = fixed(code, SAFE_ONLY)
    assert "await child.triggerAndWait({ id: 1 }).unwrap().catch(" in out


def test_tasks_trigger_and_wait_with_a_type_argument_and_parentheses():
    code = in_run("""
        await tasks.triggerAndWait<typeof child>("child", { id: 1 }); /*>*/
        await (other.triggerAndWait({ id: 2 }) as any); /*>*/
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "tasks.triggerAndWait" in findings[0].message
    out = fixed(code)
    assert 'await tasks.triggerAndWait<typeof child>("child", { id: 1 }).unwrap();' in out
    assert "await (other.triggerAndWait({ id: 2 }).unwrap() as any);" in out


def test_discarded_batch_waits_fire_without_a_fix():
    code = in_run("""
        await child.batchTriggerAndWait([{ payload: { id: 1 } }]); /*>*/
        await tasks.batchTriggerAndWait<typeof child>("child", [{ payload: { id: 2 } }]); /*>*/
        await batch.triggerAndWait<typeof child>([{ id: "child", payload: { id: 3 } }]); /*>*/
        await batch.triggerByTaskAndWait([{ task: child, payload: { id: 4 } }]); /*>*/
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert all("runs" in f.message and f.fix is None for f in findings)


def test_bound_result_never_read_fires():
    code = in_run("""
        const result = await child.triggerAndWait({ id: 1 }); /*>*/
        logger.info("child finished");
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "bound to `result` but never read" in findings[0].message
    assert findings[0].fix is None


def test_result_read_only_for_its_run_id_fires():
    code = in_run("""
        const result = await child.triggerAndWait({ id: 1 }); /*>*/
        logger.info("child finished", { runId: result.id, task: result.taskIdentifier });
        const { id } = await other.triggerAndWait({ id: 2 }); /*>*/
        logger.info("other finished", { id });
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert all("Only the run id" in f.message for f in findings)


def test_batch_runs_never_checked_fire():
    code = in_run("""
        const result = await child.batchTriggerAndWait([{ payload: { id: 1 } }]); /*>*/
        logger.info("batch done", { batch: result.id, count: result.runs.length });
        const { runs } = await other.batchTriggerAndWait([{ payload: { id: 2 } }]); /*>*/
        logger.info("done", { n: runs.length });
        const unused = await batch.triggerByTaskAndWait([{ task: child, payload: { id: 3 } }]); /*>*/
    """)
    findings = lint(code, only=RULE)
    assert lines_of(findings) == marked(code)
    assert "(bound to `result`)" in findings[0].message
    assert "(bound to `{ runs }`)" in findings[1].message


def test_fires_in_helpers_outside_run_and_in_javascript():
    code = (
        SDK_IMPORT
        + CHILD
        + textwrap.dedent("""
        async function chargeAll(ids) {
          for (const id of ids) {
            try {
              await child.triggerAndWait({ id });
            } catch (error) {
              logger.error("charge failed", { id, error });
            }
          }
        }
    """)
    )
    findings = lint(code, only=RULE, path="src/trigger/charge.js")
    assert lines_of(findings) == [7]
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.SAFE


def test_fires_on_sdk_3():
    v3 = 'import { task, logger } from "@trigger.dev/sdk/v3";\n'
    code = in_run("await child.triggerAndWait({ id: 1 });", imports=v3 + CHILD)
    assert lines_of(lint(code, only=RULE, sdk="3.3.17")) == [FIRST]


# --- must not fire ---------------------------------------------------------------------------


def test_silent_when_the_result_is_checked():
    code = in_run("""
        const a = await child.triggerAndWait({ id: 1 });
        if (!a.ok) throw a.error;
        const b = await child.triggerAndWait({ id: 2 });
        if (b.ok) logger.info("b", { out: b.output });
        const { ok, error } = await child.triggerAndWait({ id: 3 });
        if (!ok) throw error;
        const { output } = await child.triggerAndWait({ id: 4 });
        return { a: a.output, output };
    """)
    assert lint(code, only=RULE) == []


def test_silent_when_unwrapped():
    code = in_run("""
        await child.triggerAndWait({ id: 1 }).unwrap();
        const page = await child.triggerAndWait({ id: 2 }).unwrap();
        try {
          await other.triggerAndWait({ id: 3 }).unwrap();
        } catch (error) {
          logger.error("failed", { error });
        }
        return page;
    """)
    assert lint(code, only=RULE) == []


def test_silent_when_returned_passed_or_stored():
    code = in_run("""
        const a = await child.triggerAndWait({ id: 1 });
        handle(a);
        const b = await child.triggerAndWait({ id: 2 });
        const results = [b];
        results.push(await child.triggerAndWait({ id: 3 }));
        const c = await child.triggerAndWait({ id: 4 });
        const summary = { c, d: await other.triggerAndWait({ id: 5 }) };
        const e = await child.triggerAndWait({ id: 6 });
        logger.info("e", { e });
        if (payload.early) return await child.triggerAndWait({ id: 7 });
        return { results, summary };
    """)
    assert lint(code, only=RULE) == []


def test_silent_when_batch_runs_are_looked_at():
    code = in_run("""
        const a = await child.batchTriggerAndWait([{ payload: { id: 1 } }]);
        for (const run of a.runs) {
          if (!run.ok) throw run.error;
        }
        const { runs } = await child.batchTriggerAndWait([{ payload: { id: 2 } }]);
        const failed = runs.filter((run) => !run.ok);
        const { runs: others } = await other.batchTriggerAndWait([{ payload: { id: 3 } }]);
        const outputs = others.map((run) => (run.ok ? run.output : null));
        const d = await batch.triggerAndWait<typeof child>([{ id: "child", payload: {} }]);
        return { failed, outputs, d };
    """)
    assert lint(code, only=RULE) == []


def test_silent_on_then_callbacks_unawaited_calls_and_promise_all():
    code = in_run("""
        await child.triggerAndWait({ id: 1 }).then((result) => logger.info("r", { result }));
        const pending = child.triggerAndWait({ id: 2 });
        const settled = await pending;
        const all = await Promise.all([child.triggerAndWait({ id: 3 }).unwrap()]);
        return { settled, all };
    """)
    assert lint(code, only=RULE) == []


def test_silent_at_module_level():
    """A wait at module level is wait-outside-run's error, not this rule's."""
    code = SDK_IMPORT + CHILD + "await child.triggerAndWait({ id: 1 });\n"
    findings = lint(code)
    assert RULE not in [f.rule for f in findings]
    assert "wait-outside-run" in [f.rule for f in findings]


def test_silent_on_fire_and_forget_triggers():
    code = in_run("""
        await child.trigger({ id: 1 });
        await child.batchTrigger([{ payload: { id: 2 } }]);
        await tasks.trigger<typeof child>("child", { id: 3 });
    """)
    assert lint(code, only=RULE) == []


@pytest.mark.parametrize(
    "body",
    [
        "const r = await child.triggerAndWait({ id: 1 });\nreturn r.total;",
        "const { total } = await child.triggerAndWait({ id: 1 });\nreturn total;",
    ],
)
def test_never_fires_with_result_not_unwrapped(body: str):
    """A result read as if it were the output is result-not-unwrapped's finding, not both."""
    findings = lint(in_run(body))
    rules = [f.rule for f in findings]
    assert "result-not-unwrapped" in rules and RULE not in rules
