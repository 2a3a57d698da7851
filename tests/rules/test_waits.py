"""Tests for the wait rules: parallel-waits, wait-in-loop, wait-outside-run, wait-token-misuse."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from helpers import ALL_FIXES, SDK_IMPORT, lines_of, lint, marked
from helpers import fixed as fix_all
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.model import FixSafety, Severity
from trigger_lsp.project.context import default_context


def sdk_code(code: str) -> str:
    """The SDK import on line 1, then the dedented snippet from line 2."""
    return SDK_IMPORT + textwrap.dedent(code).lstrip("\n")


def fixed(code: str, rule: str, **kwargs: Any) -> str:
    """Every finding of the rule has a fix, and each applies."""
    return fix_all(code, rule, ALL_FIXES, every=True, **kwargs)


# --- parallel-waits --------------------------------------------------------------------------

PARALLEL_FIRES = {
    "all over an array of triggerAndWait": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([child.triggerAndWait({ a: 1 }), other.triggerAndWait({ b: 2 })]);
          },
        });
    """,
    "allSettled over a map callback": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            await Promise.allSettled(payload.ids.map((id) => child.triggerAndWait({ id })));
          },
        });
    """,
    "race between a wait and a child": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.race([wait.for({ seconds: 30 }), child.triggerAndWait({})]);
          },
        });
    """,
    "any over waits": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.any([wait.until({ date: new Date() }), wait.forToken("t")]);
          },
        });
    """,
    "variable holding xs.map(...)": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            const runs = payload.ids.map((id) => tasks.triggerAndWait("child", { id }));
            return await Promise.all(runs);
          },
        });
    """,
    "spread of a map": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            await Promise.all([
              ...payload.ids.map((id) => child.triggerAndWait({ id })),
              wait.for({ seconds: 1 }),
            ]);
          },
        });
    """,
    "async callback with a block body": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            await Promise.all(
              payload.ids.map(async (id) => {
                const result = await child.triggerAndWait({ id });
                return result.ok;
              }),
            );
          },
        });
    """,
    # maxAttempts 5 pauses up to 2 * 1 s * 2 ** 3 = 16 s before the last attempt: past 5 s the
    # pause is a real wait (it was `maxAttempts: 2` next to a 5 s wait, both plain timers).
    "retry.onThrow in parallel": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([
              retry.onThrow(async () => 1, { maxAttempts: 5 }),
              wait.for({ seconds: 30 }),
            ]);
          },
        });
    """,
}


PARALLEL_FIRES.update(
    {
        "retry.fetch in parallel": """
        export const parent = task({
          id: "parent",
          run: async (payload: { urls: string[] }) => {
            await Promise.all(
              payload.urls.map((url) =>
                retry.fetch(url, { retry: { byStatus: { "500-599": { strategy: "backoff", maxAttempts: 6 } } } }),
              ),
            );
          },
        });
    """,
        "retry.fetch waiting for a rate-limit reset": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([
              retry.fetch("https://a.example", { retry: { byStatus: { "429": { strategy: "headers", resetHeader: "x-reset" } } } }),
              child.triggerAndWait({}),
            ]);
          },
        });
    """,
        "retry.onThrow with a long minimum timeout": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([
              retry.onThrow(async () => 1, { maxAttempts: 2, minTimeoutInMs: 10_000, randomize: false }),
              retry.onThrow(async () => 2, { maxAttempts: 2, minTimeoutInMs: 10_000, randomize: false }),
            ]);
          },
        });
    """,
        "webhooks.waiter.wait in parallel": """
        import { webhooks } from "@trigger.dev/sdk";
        export const parent = task({
          id: "parent",
          run: async (payload: { a: string; b: string }) => {
            await Promise.all([webhooks.waiter.wait(payload.a), webhooks.waiter.wait(payload.b)]);
          },
        });
    """,
        "two input stream waits": """
        import { streams } from "@trigger.dev/sdk";
        const approval = streams.input<{ ok: boolean }>({ id: "approval" });
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.race([approval.wait({ timeout: "1h" }), child.triggerAndWait({})]);
          },
        });
    """,
        "an input stream wait on the call itself": """
        import { streams } from "@trigger.dev/sdk";
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([
              streams.input<string>({ id: "a" }).waitWithIdleTimeout({ idleTimeoutInSeconds: 5 }),
              wait.for({ minutes: 1 }),
            ]);
          },
        });
    """,
        "a short wait next to a long one": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([wait.for({ seconds: 2 }), wait.for({ seconds: 6 })]);
          },
        });
    """,
    }
)


@pytest.mark.parametrize("code", PARALLEL_FIRES.values(), ids=PARALLEL_FIRES.keys())
def test_parallel_waits_fires(code: str) -> None:
    findings = lint(sdk_code(code), only="parallel-waits")
    assert len(findings) == 1
    assert findings[0].severity is Severity.ERROR
    assert "Promise." in findings[0].message


def test_parallel_waits_reports_line_and_names() -> None:
    code = sdk_code(PARALLEL_FIRES["allSettled over a map callback"])
    [finding] = lint(code, only="parallel-waits")
    assert lines_of([finding]) == [5]
    assert "Promise.allSettled" in finding.message
    assert "triggerAndWait" in finding.message


def test_parallel_waits_names_the_new_waits() -> None:
    for key, name in (
        ("retry.fetch in parallel", "retry.fetch"),
        ("webhooks.waiter.wait in parallel", "webhooks.waiter.wait"),
        ("two input stream waits", "approval.wait"),
        ("an input stream wait on the call itself", "streams.input(...).waitWithIdleTimeout"),
        ("a short wait next to a long one", "wait.for"),
    ):
        [finding] = lint(sdk_code(PARALLEL_FIRES[key]), only="parallel-waits")
        assert f"`{name}`" in finding.message, key


def test_parallel_waits_through_namespace_import() -> None:
    code = """
        import * as sdk from "@trigger.dev/sdk";
        export const parent = sdk.task({
          id: "parent",
          run: async () => {
            await Promise.all([sdk.wait.for({ seconds: 30 }), sdk.wait.for({ minutes: 2 })]);
          },
        });
    """
    [finding] = lint(code, only="parallel-waits")
    assert "wait.for" in finding.message


PARALLEL_SILENT = {
    "sequential awaits": """
        export const parent = task({
          id: "parent",
          run: async () => {
            const a = await child.triggerAndWait({ a: 1 });
            const b = await other.triggerAndWait({ b: 2 });
            return [a.ok, b.ok];
          },
        });
    """,
    "Promise.all over plain fetches": """
        export const parent = task({
          id: "parent",
          run: async (payload: { urls: string[] }) => {
            return await Promise.all(payload.urls.map((url) => fetch(url)));
          },
        });
    """,
    "Promise.all over trigger (not AndWait)": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            await Promise.all(payload.ids.map((id) => child.trigger({ id })));
          },
        });
    """,
    "batchTriggerAndWait alone": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            const items = payload.ids.map((id) => ({ payload: { id } }));
            const result = await child.batchTriggerAndWait(items);
            return result.runs.length;
          },
        });
    """,
    "a for loop of awaits": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            for (const id of payload.ids) {
              await child.triggerAndWait({ id });
            }
          },
        });
    """,
    "wait tokens are created in parallel safely": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([
              wait.createToken({ timeout: "1h" }),
              wait.createToken({ timeout: "1h" }),
            ]);
          },
        });
    """,
}


PARALLEL_SILENT.update(
    {
        # Waits of 5 s or less are in-process timers (sdk 4.8.3 wait.js:256-276).
        "short literal waits are plain timers": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([wait.for({ seconds: 1 }), wait.for({ seconds: 5 })]);
            await Promise.race([wait.for({ seconds: 0.5 }), someWork()]);
          },
        });
    """,
        "a plain fetch beside a short timer": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([fetch("https://example.com"), wait.for({ seconds: 3 })]);
          },
        });
    """,
        "an input stream read without waiting": """
        import { streams } from "@trigger.dev/sdk";
        const approval = streams.input<{ ok: boolean }>({ id: "approval" });
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([approval.once(), approval.once()]);
          },
        });
    """,
        # Default retry options pause at most 4 s between attempts: plain timers.
        "retry.fetch with the default policy": """
        export const parent = task({
          id: "parent",
          run: async (payload: { urls: string[] }) => {
            await Promise.all(payload.urls.map((url) => retry.fetch(url)));
            await Promise.all(payload.urls.map((url) => retry.fetch(url, { method: "POST" })));
            await Promise.all([
              retry.fetch("https://a.example", { retry: { timeout: { maxAttempts: 3 } } }),
              retry.fetch("https://b.example", { retry: {} }),
            ]);
          },
        });
    """,
        "retry.onThrow with short pauses": """
        export const parent = task({
          id: "parent",
          run: async () => {
            await Promise.all([
              retry.onThrow(async () => 1),
              retry.onThrow(async () => 2, { maxAttempts: 2 }),
              retry.onThrow(async () => 3, { maxAttempts: 4, randomize: false }),
            ]);
          },
        });
    """,
        "retry options the code does not show": """
        export const parent = task({
          id: "parent",
          run: async (payload: { opts: { maxAttempts: number } }) => {
            await Promise.all([
              retry.onThrow(async () => 1, payload.opts),
              retry.onThrow(async () => 2, { ...payload.opts }),
              retry.onThrow(async () => 3, { maxAttempts: payload.opts.maxAttempts }),
            ]);
          },
        });
    """,
        "wait() on something that is not an input stream": """
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            const locks = payload.ids.map((id) => makeLock(id));
            await Promise.all(locks.map((lock) => lock.wait()));
          },
        });
    """,
    }
)


@pytest.mark.parametrize("code", PARALLEL_SILENT.values(), ids=PARALLEL_SILENT.keys())
def test_parallel_waits_silent(code: str) -> None:
    assert lint(sdk_code(code), only="parallel-waits") == []


def test_parallel_waits_ignores_a_local_wait_lookalike() -> None:
    code = """
        import { task } from "@trigger.dev/sdk";
        const wait = { for: async (_: unknown) => {} };
        export const t = task({
          id: "t",
          run: async () => {
            await Promise.all([wait.for({ seconds: 1 }), wait.for({ seconds: 2 })]);
          },
        });
    """
    assert lint(code, only="parallel-waits") == []


# --- wait-in-loop ----------------------------------------------------------------------------


def test_wait_in_loop_fires_in_for_of() -> None:
    code = sdk_code("""
        export const poll = task({
          id: "poll",
          run: async (payload: { ids: string[] }) => {
            for (const id of payload.ids) {
              await wait.for({ seconds: 10 }); /*>*/
            }
          },
        });
    """)
    findings = lint(code, only="wait-in-loop")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.WARNING


def test_wait_in_loop_fires_in_while_and_foreach() -> None:
    code = sdk_code("""
        export const poll = task({
          id: "poll",
          run: async (payload: { ids: string[] }) => {
            let done = false;
            while (!done) {
              await wait.until({ date: new Date(Date.now() + 5000) }); /*>*/
              done = true;
            }
            payload.ids.forEach(async () => {
              await wait.for({ seconds: 1 }); /*>*/
            });
          },
        });
    """)
    assert lines_of(lint(code, only="wait-in-loop")) == marked(code)


def test_wait_in_loop_aliased_import() -> None:
    code = """
        import { task as defineTask, wait as w } from "@trigger.dev/sdk";
        export const poll = defineTask({
          id: "poll",
          run: async () => {
            for (let i = 0; i < 3; i++) {
              await w.for({ seconds: 30 }); /*>*/
            }
          },
        });
    """
    assert lines_of(lint(code, only="wait-in-loop")) == marked(code)


def test_wait_in_loop_silent_after_loop_and_outside_run() -> None:
    code = sdk_code("""
        async function helper(ids: string[]) {
          for (const id of ids) {
            await wait.for({ seconds: 1 });
          }
        }
        export const poll = task({
          id: "poll",
          run: async (payload: { ids: string[] }) => {
            for (const id of payload.ids) {
              await child.trigger({ id });
            }
            await wait.for({ minutes: 5 });
            await helper(payload.ids);
          },
        });
    """)
    assert lint(code, only="wait-in-loop") == []


def test_wait_in_loop_silent_for_loop_header_and_tokens() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async (payload: { ids: string[] }) => {
            for (const id of payload.ids) {
              const token = await wait.createToken({ timeout: "1h" });
              await wait.forToken(token);
            }
          },
        });
    """)
    assert lint(code, only="wait-in-loop") == []


# A long wait per iteration of a loop with a visible end checkpoints the run each time: the
# shape the docs recommend for scheduled steps and slow polling, not the mistake.
WAIT_LOOP_LONG_SILENT = {
    "until a date from the data, over a collection": """
        for (const reminder of payload.reminders) {
          await wait.until({ date: new Date(reminder.sendAt) });
          await sendReminder(reminder);
        }
    """,
    "a day per iteration, literal bound": """
        for (let day = 0; day < 7; day++) {
          await sendDigest(day);
          await wait.for({ days: 1 });
        }
    """,
    "an hour in seconds, written as arithmetic": """
        for (const step of payload.steps) {
          await runStep(step);
          await wait.for({ seconds: 60 * 60 });
        }
    """,
    "slow polling with a bounded while": """
        let attempt = 0;
        while (attempt < 12) {
          attempt++;
          if (await isReady(payload.id)) break;
          await wait.for({ minutes: 10 });
        }
    """,
    "bounded by a collection's length": """
        for (let i = 0; i < payload.steps.length; i++) {
          await wait.for({ hours: 2, idempotencyKey: `step-${i}` });
        }
    """,
    "keys of an object": """
        for (const region in payload.regions) {
          await wait.for({ weeks: 1 });
        }
    """,
}


@pytest.mark.parametrize("body", WAIT_LOOP_LONG_SILENT.values(), ids=WAIT_LOOP_LONG_SILENT.keys())
def test_wait_in_loop_silent_for_long_waits_in_bounded_loops(body: str) -> None:
    code = sdk_code(
        """
        export const drip = task({
          id: "drip",
          run: async (payload: any) => {
        """
        + textwrap.indent(textwrap.dedent(body), " " * 12)
        + """
          },
        });
        """
    )
    assert lint(code, only="wait-in-loop") == []


WAIT_LOOP_STILL_FIRES = {
    "unbounded while": """
        let done = false;
        while (!done) {
          done = await check(payload.id);
          await wait.for({ hours: 1 });
        }
    """,
    "endless loop": """
        while (true) {
          await wait.until({ date: nextSlot() });
          await tick();
        }
    """,
    "for without a condition": """
        for (;;) {
          await wait.for({ days: 1 });
        }
    """,
    "async iterator": """
        for await (const event of payload.events) {
          await wait.for({ hours: 1 });
        }
    """,
    "a long wait in forEach starts them all at once": """
        payload.ids.forEach(async () => {
          await wait.for({ hours: 1 });
        });
    """,
    "two minutes is not long enough": """
        for (let i = 0; i < 5; i++) {
          await wait.for({ minutes: 2 });
        }
    """,
    "a date a few seconds from now": """
        for (const id of payload.ids) {
          await wait.until({ date: new Date(Date.now() + 10_000) });
        }
    """,
    "a date a few seconds from now, in a variable": """
        for (const id of payload.ids) {
          const soon = new Date(Date.now() + 30 * 1000);
          await wait.until({ date: soon });
        }
    """,
    "duration not known": """
        for (const id of payload.ids) {
          await wait.for({ seconds: payload.delay });
        }
    """,
    "a bound that is not a number": """
        let status = "pending";
        while (status < "done") {
          status = await poll();
          await wait.for({ hours: 1 });
        }
    """,
}


@pytest.mark.parametrize("body", WAIT_LOOP_STILL_FIRES.values(), ids=WAIT_LOOP_STILL_FIRES.keys())
def test_wait_in_loop_fires_for_short_unknown_or_unbounded(body: str) -> None:
    code = sdk_code(
        """
        export const drip = task({
          id: "drip",
          run: async (payload: any) => {
        """
        + textwrap.indent(textwrap.dedent(body), " " * 12)
        + """
          },
        });
        """
    )
    assert len(lint(code, only="wait-in-loop")) == 1


# --- wait-outside-run ------------------------------------------------------------------------


def test_wait_outside_run_module_level_wait() -> None:
    code = sdk_code("""
        await wait.for({ seconds: 5 }); /*>*/

        export const t = task({ id: "t", run: async () => {} });
    """)
    findings = lint(code, only="wait-outside-run")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.ERROR
    assert "`wait.for` at module level" in findings[0].message


def test_wait_outside_run_module_level_trigger_and_wait() -> None:
    code = sdk_code("""
        import { child } from "./child";
        const result = await child.triggerAndWait({ id: 1 }); /*>*/
        const viaTasks = await tasks.triggerAndWait("child", {}); /*>*/
        const batched = await batch.triggerAndWait([{ id: "child", payload: {} }]); /*>*/
    """)
    findings = lint(code, only="wait-outside-run")
    assert lines_of(findings) == marked(code)
    assert "`triggerAndWait`" in findings[0].message
    assert "`tasks.triggerAndWait`" in findings[1].message
    assert "`batch.triggerAndWait`" in findings[2].message


def test_wait_outside_run_backend_route_with_sdk() -> None:
    code = """
        import { tasks } from "@trigger.dev/sdk";
        import type { summarize } from "@/trigger/summarize";

        export async function POST(request: Request) {
          const body = await request.json();
          const result = await tasks.triggerAndWait<typeof summarize>("summarize", body); /*>*/
          return Response.json(result);
        }
    """
    findings = lint(code, only="wait-outside-run", path="app/api/summarize/route.ts")
    assert lines_of(findings) == marked(code)
    assert "defines no task" in findings[0].message


def test_wait_outside_run_backend_route_without_sdk_import() -> None:
    # The file does not import the SDK, so it is not a Trigger.dev file: the rule still runs
    # (any_file) and recognises the method of an imported task.
    code = """
        import { summarize } from "@/trigger/summarize";

        export async function POST(request: Request) {
          const result = await summarize.triggerAndWait(await request.json()); /*>*/
          return Response.json(result);
        }
    """
    findings = lint(code, only="wait-outside-run", path="src/app/api/summarize/route.ts")
    assert lines_of(findings) == marked(code)


def test_wait_outside_run_use_server_action() -> None:
    code = """
        "use server";
        import { wait } from "@trigger.dev/sdk";

        export async function approve() {
          await wait.for({ seconds: 10 }); /*>*/
        }
    """
    assert lines_of(lint(code, only="wait-outside-run", path="src/lib/approve.ts")) == marked(code)


def test_wait_outside_run_silent_in_run_hooks_and_helpers() -> None:
    code = sdk_code("""
        async function pause() {
          await wait.for({ seconds: 30 });
          return child.triggerAndWait({});
        }

        export const t = task({
          id: "t",
          onStartAttempt: async () => {
            await wait.for({ seconds: 1 });
          },
          run: async () => {
            await wait.for({ seconds: 5 });
            await pause();
            return await tasks.triggerAndWait("child", {});
          },
        });
    """)
    assert lint(code, only="wait-outside-run") == []


def test_wait_outside_run_silent_for_helpers_in_a_trigger_dir() -> None:
    code = """
        import { wait } from "@trigger.dev/sdk";
        export async function pause() {
          await wait.for({ seconds: 30 });
        }
    """
    assert lint(code, only="wait-outside-run", path="src/trigger/lib/pause.ts") == []


def test_wait_outside_run_silent_for_helpers_outside_app_code() -> None:
    # A shared helper in src/lib may be called from a run; one file cannot tell.
    code = """
        import { wait } from "@trigger.dev/sdk";
        export async function pause() {
          await wait.for({ seconds: 30 });
        }
    """
    assert lint(code, only="wait-outside-run", path="src/lib/pause.ts") == []


def test_wait_outside_run_silent_for_tokens_in_backend() -> None:
    code = """
        import { wait } from "@trigger.dev/sdk";

        const created = await wait.createToken({ timeout: "1h" });

        export async function POST(request: Request) {
          const token = await wait.createToken({ timeout: "10m" });
          await wait.completeToken(token, { approved: true });
          return Response.json(token);
        }
    """
    assert lint(code, only="wait-outside-run", path="app/api/approve/route.ts") == []


def test_wait_outside_run_silent_for_trigger_and_lookalikes() -> None:
    code = """
        import { tasks } from "@trigger.dev/sdk";
        import { summarize } from "@/trigger/summarize";
        import { queue } from "some-queue-lib";

        const handle = await tasks.trigger("summarize", {});

        export async function POST() {
          await summarize.trigger({});
          await queue.wait.for({ seconds: 1 });
          return Response.json({});
        }
    """
    assert lint(code, only="wait-outside-run", path="app/api/x/route.ts") == []


def test_wait_outside_run_silent_in_non_trigger_file_for_unknown_receivers() -> None:
    code = """
        import { client } from "some-other-lib";
        const r = await client.triggerAndWait({});
    """
    assert lint(code, only="wait-outside-run", path="scripts/run.ts") == []


def test_wait_outside_run_silent_in_test_files() -> None:
    code = """
        import { wait } from "@trigger.dev/sdk";
        await wait.for({ seconds: 1 });
    """
    assert lint(code, only="wait-outside-run", path="app/api/x/route.test.ts") == []


def test_wait_outside_run_retry_on_throw_not_flagged() -> None:
    code = sdk_code("""
        const value = await retry.onThrow(async () => 1, { maxAttempts: 2 });
    """)
    assert lint(code, only="wait-outside-run") == []


def test_wait_outside_run_namespace_import() -> None:
    code = """
        import * as sdk from "@trigger.dev/sdk";
        await sdk.wait.until({ date: new Date() }); /*>*/
    """
    assert lines_of(lint(code, only="wait-outside-run")) == marked(code)


# --- wait-token-misuse -----------------------------------------------------------------------


def test_wait_token_misuse_options_object() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            const token = await wait.createToken({ timeout: "1h" });
            const result = await wait.forToken({ token: token.id, timeoutInSeconds: 600 }); /*>*/
            return result.ok;
          },
        });
    """)
    [finding] = lint(code, only="wait-token-misuse")
    assert lines_of([finding]) == marked(code)
    assert finding.severity is Severity.ERROR
    assert "`token`" in finding.message
    assert finding.fix is not None and finding.fix.safety is FixSafety.UNSAFE
    new = fixed(code, "wait-token-misuse")
    assert "await wait.forToken(token.id);" in new


def test_wait_token_misuse_shorthand_token_fix() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            const token = await wait.createToken({ timeout: "1h" });
            await wait.forToken({ token, timeout: "1h" });
          },
        });
    """)
    assert "await wait.forToken(token);" in fixed(code, "wait-token-misuse")


def test_wait_token_misuse_id_with_timeout_has_no_fix() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            await wait.forToken({ id: "waitpoint_123", timeout: "1h" });
          },
        });
    """)
    [finding] = lint(code, only="wait-token-misuse")
    assert "`timeout`" in finding.message
    assert finding.fix is None


def test_wait_token_misuse_silent_for_valid_calls() -> None:
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            const token = await wait.createToken({ timeout: "1h", tags: ["x"] });
            await wait.forToken(token);
            await wait.forToken(token.id);
            await wait.forToken({ id: token.id });
            const opts = { timeout: "1h" };
            await wait.createToken(opts);
            await wait.createToken({ ...opts, tags: "y" });
          },
        });
    """)
    assert lint(code, only="wait-token-misuse") == []


def test_wait_token_misuse_create_without_timeout_is_a_hint() -> None:
    code = sdk_code("""
        export async function createApproval() {
          const a = await wait.createToken(); /*>*/
          const b = await wait.createToken({}); /*>*/
          const c = await wait.createToken({ idempotencyKey: "k" }); /*>*/
          return [a, b, c];
        }
    """)
    findings = lint(code, only="wait-token-misuse", path="app/api/x/route.ts")
    assert lines_of(findings) == marked(code)
    assert {f.severity for f in findings} == {Severity.HINT}
    assert all(f.fix is None for f in findings)


def test_wait_token_misuse_aliased_and_lookalike() -> None:
    code = """
        import { wait as w } from "@trigger.dev/sdk";
        import { wait } from "./local-wait";
        await w.forToken({ token: "t" }); /*>*/
        await wait.forToken({ token: "t" });
        await wait.createToken();
    """
    assert lines_of(lint(code, only="wait-token-misuse")) == marked(code)


def test_wait_token_misuse_with_type_arguments() -> None:
    # `await f<T>(x)` is parsed with the await inside the callee; the rule looks through it.
    code = sdk_code("""
        export const t = task({
          id: "t",
          run: async () => {
            const token = await wait.createToken({ timeout: "1h" });
            const result = await wait.forToken<{ ok: boolean }>({ token });
            return result.ok;
          },
        });
    """)
    assert "await wait.forToken<{ ok: boolean }>(token);" in fixed(code, "wait-token-misuse")


def test_wait_outside_run_judges_folders_inside_the_project_only() -> None:
    # "api" above the project root (a monorepo package called api) does not make it app code.
    code = """
        import { wait } from "@trigger.dev/sdk";
        export async function pause() {
          await wait.for({ seconds: 30 });
        }
    """
    project = default_context(Path("/repo/packages/api"))
    assert (
        lint(
            code,
            only="wait-outside-run",
            path="../repo/packages/api/src/lib/pause.ts",
            project=project,
        )
        == []
    )


def test_wait_outside_run_with_type_arguments() -> None:
    code = """
        import { tasks, wait } from "@trigger.dev/sdk";
        import type { summarize } from "./summarize";
        const approval = await wait.forToken<{ ok: boolean }>("waitpoint_1"); /*>*/
        const result = await tasks.triggerAndWait<typeof summarize>("summarize", {}); /*>*/
    """
    findings = lint(code, only="wait-outside-run")
    assert lines_of(findings) == marked(code)
    assert "`wait.forToken`" in findings[0].message


# --- parallel-waits: the batchTriggerAndWait fix ------------------------------------------

PARALLEL_MAP = """
    import { task, logger } from "@trigger.dev/sdk";
    import { child } from "./child";
    export const parent = task({
      id: "parent",
      run: async (payload: { ids: string[] }) => {
        logger.info("fan out");
        const results = await Promise.all(payload.ids.map((id) => child.triggerAndWait({ id })));
        return results;
      },
    });
"""


def test_parallel_waits_fix_turns_a_map_into_one_batch_and_keeps_the_array() -> None:
    out = fixed(PARALLEL_MAP, "parallel-waits")
    batch = "child.batchTriggerAndWait(payload.ids.map((id) => ({ payload: { id } })))"
    # The runs of the batch are the array of results that Promise.all gave.
    assert f"const results = (await {batch}).runs;" in out
    assert "Promise.all" not in out
    assert not parse(out.encode(), "typescript").root_node.has_error
    before = {f.rule for f in lint(PARALLEL_MAP)} - {"parallel-waits"}
    assert {f.rule for f in lint(out)} <= before  # no new finding of any rule


def test_parallel_waits_fix_of_a_promise_not_awaited_keeps_a_promise_of_the_array() -> None:
    code = """
        import { task, logger } from "@trigger.dev/sdk";
        import { child } from "./child";
        export const parent = task({
          id: "parent",
          run: async (payload: { ids: string[] }) => {
            logger.info("fan out");
            const pending = Promise.all(payload.ids.map((id) => child.triggerAndWait({ id })));
            const results = await pending;
            return results.map((r) => r.ok);
          },
        });
    """
    out = fixed(code, "parallel-waits")
    batch = "child.batchTriggerAndWait(payload.ids.map((id) => ({ payload: { id } })))"
    assert f"const pending = {batch}.then((batch) => batch.runs);" in out
    before = {f.rule for f in lint(code)} - {"parallel-waits"}
    assert {f.rule for f in lint(out)} <= before


def test_parallel_waits_fix_keeps_options_of_an_array() -> None:
    code = """
        import { task, logger } from "@trigger.dev/sdk";
        import { child } from "./child";
        export const parent = task({
          id: "parent",
          run: async () => {
            logger.info("x");
            await Promise.all([child.triggerAndWait({ n: 1 }), child.triggerAndWait({ n: 2 }, { tags: ["b"] })]);
          },
        });
    """
    out = fixed(code, "parallel-waits")
    assert (
        'child.batchTriggerAndWait([{ payload: { n: 1 } }, { payload: { n: 2 }, options: { tags: ["b"] } }])'
        in out
    )


@pytest.mark.parametrize(
    "expr",
    [
        "[child.triggerAndWait({}), other.triggerAndWait({})]",  # two different children
        "[child.triggerAndWait({}), wait.for({ seconds: 1 })]",  # not only child runs
        "ids.map(async (id) => { await child.triggerAndWait({ id }); })",  # a block body
    ],
)
def test_parallel_waits_offers_no_fix_for_other_shapes(expr: str) -> None:
    code = f"""
        import {{ task, logger, wait }} from "@trigger.dev/sdk";
        import {{ child, other }} from "./child";
        export const parent = task({{
          id: "parent",
          run: async (payload: {{ ids: string[] }}) => {{
            logger.info("x");
            const ids = payload.ids;
            await Promise.all({expr});
          }},
        }});
    """
    found = lint(code, only="parallel-waits")
    assert len(found) == 1 and found[0].fix is None


def test_wait_outside_run_webhook_waiter_and_input_stream() -> None:
    code = """
        import { streams, webhooks } from "@trigger.dev/sdk";
        const approval = streams.input<{ ok: boolean }>({ id: "approval" });
        const hook = await webhooks.waiter.wait("waiter_1"); /*>*/
        const answer = await approval.wait({ timeout: "1h" }); /*>*/
        const direct = await streams.input<string>({ id: "x" }).wait(); /*>*/
    """
    findings = lint(code, only="wait-outside-run")
    assert lines_of(findings) == marked(code)
    assert "`webhooks.waiter.wait` at module level" in findings[0].message
    assert "`approval.wait` at module level" in findings[1].message
    assert "`streams.input(...).wait` at module level" in findings[2].message


def test_wait_outside_run_webhook_waiter_in_a_route() -> None:
    code = """
        import { webhooks } from "@trigger.dev/sdk";

        export async function POST(request: Request) {
          const event = await webhooks.waiter.wait("waiter_1"); /*>*/
          return Response.json(event);
        }
    """
    findings = lint(code, only="wait-outside-run", path="app/api/hook/route.ts")
    assert lines_of(findings) == marked(code)


def test_wait_outside_run_silent_for_retries_and_stream_sends() -> None:
    # retry.fetch and retry.onThrow wait only between attempts; send/once/waitWithIdleTimeout
    # (which may skip the suspension) are not certain to throw outside a run.
    code = """
        import { retry, streams } from "@trigger.dev/sdk";
        const approval = streams.input<{ ok: boolean }>({ id: "approval" });
        const response = await retry.fetch("https://example.com");
        const value = await retry.onThrow(async () => 1, { maxAttempts: 2 });

        export async function POST(request: Request) {
          await approval.send("run_1", { ok: true });
          const lock = { wait: async () => {} };
          await lock.wait();
          return Response.json(await retry.fetch("https://example.com"));
        }
    """
    assert lint(code, only="wait-outside-run", path="app/api/approve/route.ts") == []
