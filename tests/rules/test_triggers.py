"""Tests for the trigger rules: results, awaiting, loops, ids, queue and tags options."""

from __future__ import annotations

import textwrap
from functools import partial
from pathlib import Path
from typing import Any

import helpers
from helpers import ALL_FIXES, SDK_IMPORT, lines_of, lint, marked
from helpers import fixed as fix_all
from trigger_lsp.project.index import ProjectIndex, TaskEntry

CHILD = 'import { child, other } from "./children";\n'


def fixed(code: str, rule: str, **kwargs: Any) -> str:
    """Every finding of the rule has a fix, and each applies."""
    return fix_all(code, rule, ALL_FIXES, every=True, **kwargs)


in_run = partial(helpers.in_run, imports=SDK_IMPORT + CHILD)  # (this file's imports)


# --- result-not-unwrapped --------------------------------------------------------------------


def test_result_read_as_output_fires_on_each_field():
    code = in_run("""
        const result = await child.triggerAndWait({ id: payload.id });
        const total = result.total; /*>*/
        return { total, items: result.items }; /*>*/
    """)
    findings = lint(code, only="result-not-unwrapped")
    assert lines_of(findings) == marked(code)
    assert "`.total`" in findings[0].message and "child.triggerAndWait" in findings[0].message


def test_result_fix_appends_unwrap():
    code = in_run("""
        const page = await child.triggerAndWait({ url: payload.url });
        return page.html;
    """)
    after = fixed(code, "result-not-unwrapped")
    assert "const page = await child.triggerAndWait({ url: payload.url }).unwrap();" in after


def test_result_direct_read_fires_and_fixes():
    code = in_run("""
        const html = (await child.triggerAndWait({ url: payload.url })).html; /*>*/
        return html;
    """)
    assert lines_of(lint(code, only="result-not-unwrapped")) == marked(code)
    after = fixed(code, "result-not-unwrapped")
    assert "(await child.triggerAndWait({ url: payload.url }).unwrap()).html" in after


def test_result_tasks_trigger_and_wait_and_destructuring():
    code = in_run("""
        const { total } = await tasks.triggerAndWait<typeof child>("child", { n: 1 }); /*>*/
        return total;
    """)
    findings = lint(code, only="result-not-unwrapped")
    assert lines_of(findings) == marked(code)
    assert (
        'const { total } = await tasks.triggerAndWait<typeof child>("child", { n: 1 }).unwrap();'
        in fixed(code, "result-not-unwrapped")
    )


def test_result_fix_not_offered_when_the_wrapper_is_also_used():
    code = in_run("""
        const result = await child.triggerAndWait({ id: 1 });
        logger.info("child done", { ok: result.ok });
        return result.total; /*>*/
    """)
    findings = lint(code, only="result-not-unwrapped")
    assert lines_of(findings) == marked(code)
    assert findings[0].fix is None


def test_result_fix_not_offered_for_let_or_typed_binding():
    code = in_run("""
        let result: any = await child.triggerAndWait({ id: 1 });
        return result.total;
    """)
    findings = lint(code, only="result-not-unwrapped")
    assert len(findings) == 1 and findings[0].fix is None


def test_result_must_not_fire_on_result_fields_and_unwrap():
    code = in_run("""
        const result = await child.triggerAndWait({ id: 1 });
        if (!result.ok) {
          logger.error("failed", { id: result.id, task: result.taskIdentifier, err: result.error });
          throw result.error;
        }
        const unwrapped = await other.triggerAndWait({ id: 2 }).unwrap();
        const { ok, output } = await child.triggerAndWait({ id: 3 });
        return { a: result.output.total, b: unwrapped.total, ok, output };
    """)
    assert lint(code, only="result-not-unwrapped") == []


def test_result_must_not_fire_on_other_variables_of_the_same_name():
    code = in_run("""
        const result = await child.triggerAndWait({ id: 1 });
        if (!result.ok) throw result.error;
        for (const item of payload.items) {
          const result = compute(item);
          logger.info("item", { total: result.total });
        }
        payload.items.forEach((result: any) => logger.info("x", { n: result.count }));
        try {
          await other.trigger({});
        } catch (result) {
          logger.error("failed", { message: result.message });
        }
        for (const result of payload.items) logger.info("r", { v: result.value });
        return result.output;
    """)
    assert lint(code, only="result-not-unwrapped") == []


def test_result_must_not_fire_on_trigger_handles_or_batch_results():
    code = in_run("""
        const handle = await child.trigger({ id: 1 });
        const batchResult = await batch.triggerAndWait([{ id: "child", payload: {} }]);
        return { run: handle.publicAccessToken, runs: batchResult.runs };
    """)
    assert lint(code, only="result-not-unwrapped") == []


def test_result_with_aliased_and_namespace_imports():
    code = """
        import { task as defineTask } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";
        import { child } from "./children";

        export const parent = defineTask({
          id: "parent",
          run: async () => {
            const a = await child.triggerAndWait({});
            const b = await sdk.tasks.triggerAndWait<typeof child>("child", {});
            return [a.value, b.value]; /*>*/ /*>*/
          },
        });
    """
    assert lines_of(lint(code, only="result-not-unwrapped")) == marked(code)


# --- batch-result-not-iterable ---------------------------------------------------------------


def test_batch_result_iterated_fires_and_fixes():
    code = in_run("""
        const results = await child.batchTriggerAndWait(payload.items.map((p) => ({ payload: p })));
        for (const run of results) { /*>*/
          logger.info("run", { run });
        }
        return results.map((run) => run.ok); /*>*/
    """)
    findings = lint(code, only="batch-result-not-iterable")
    assert lines_of(findings) == marked(code)
    assert "iterate `.runs`" in findings[0].message
    assert "call `.map` on `.runs`" in findings[1].message
    after = fixed(code, "batch-result-not-iterable")
    assert "for (const run of results.runs)" in after
    assert "return results.runs.map((run) => run.ok);" in after


def test_batch_result_length_index_spread_destructure():
    code = in_run("""
        const results = await batch.triggerByTaskAndWait([
          { task: child, payload: 1 },
          { task: other, payload: 2 },
        ]);
        logger.info("count", { n: results.length, first: results[0] }); /*>*/ /*>*/
        const all = [...results]; /*>*/
        const [a, b] = results; /*>*/
        return { all, a, b };
    """)
    findings = lint(code, only="batch-result-not-iterable")
    assert lines_of(findings) == marked(code)
    after = fixed(code, "batch-result-not-iterable")
    assert "results.runs.length" in after and "results.runs[0]" in after
    assert "[...results.runs]" in after and "const [a, b] = results.runs;" in after


def test_batch_result_direct_forms_fix_with_parentheses():
    code = in_run("""
        for (const run of await tasks.batchTriggerAndWait<typeof child>("child", [{ payload }])) { /*>*/
          logger.info("run", { run });
        }
        const [first] = await batch.triggerAndWait<typeof child>([{ id: "child", payload: {} }]); /*>*/
        return first;
    """)
    assert lines_of(lint(code, only="batch-result-not-iterable")) == marked(code)
    after = fixed(code, "batch-result-not-iterable")
    assert (
        'for (const run of (await tasks.batchTriggerAndWait<typeof child>("child", [{ payload }]))'
        ".runs)" in after
    )
    assert "const [first] = (await batch.triggerAndWait<typeof child>" in after


def test_batch_result_must_not_fire_on_runs_or_id():
    code = in_run("""
        const results = await child.batchTriggerAndWait([{ payload: {} }]);
        for (const run of results.runs) {
          if (run.ok) logger.info("done", { output: run.output });
        }
        const { runs } = await batch.triggerByTaskAndWait([{ task: child, payload: {} }]);
        const obj = { ...results };
        return { id: results.id, n: results.runs.length, first: runs[0], obj, key: results["id"] };
    """)
    assert lint(code, only="batch-result-not-iterable") == []


def test_batch_result_must_not_fire_on_non_waiting_batches():
    code = in_run("""
        const handle = await batch.triggerByTask([{ task: child, payload: {} }]);
        for (const run of handle.runs) logger.info("run", { id: run.id });
        const list = [1, 2, 3];
        for (const n of list) logger.info("n", { n });
    """)
    assert lint(code, only="batch-result-not-iterable") == []


# --- batch-trigger-runs-removed --------------------------------------------------------------


def test_batch_trigger_runs_fires_on_v4():
    code = in_run("""
        const handle = await child.batchTrigger([{ payload: { a: 1 } }]);
        const viaTasks = await tasks.batchTrigger<typeof child>("child", [{ payload: {} }]);
        const { runs } = await batch.trigger<typeof child>([{ id: "child", payload: {} }]); /*>*/
        return [handle.runs.length, viaTasks.runs, runs]; /*>*/ /*>*/
    """)
    findings = lint(code, only="batch-trigger-runs-removed")
    assert lines_of(findings) == marked(code)
    assert "batch.retrieve" in findings[0].message


def test_batch_trigger_runs_silent_on_v3():
    code = in_run(
        """
        const handle = await child.batchTrigger([{ payload: { a: 1 } }]);
        return handle.runs.length;
        """,
        imports='import { task } from "@trigger.dev/sdk/v3";\n' + CHILD,
    )
    assert lint(code, only="batch-trigger-runs-removed", sdk="3.3.17") == []
    assert len(lint(code, only="batch-trigger-runs-removed", sdk="4.0.0")) == 1


def test_batch_trigger_runs_must_not_fire_on_other_results():
    code = in_run("""
        const byTask = await batch.triggerByTask([{ task: child, payload: {} }]);
        const waited = await child.batchTriggerAndWait([{ payload: {} }]);
        const handle = await child.batchTrigger([{ payload: {} }]);
        const details = await batch.retrieve(handle.batchId);
        return [byTask.runs, waited.runs, handle.batchId, handle.runCount, details];
    """)
    assert lint(code, only="batch-trigger-runs-removed") == []


# --- unawaited-trigger -----------------------------------------------------------------------


def test_unawaited_trigger_fires_and_fixes():
    code = in_run("""
        child.trigger({ id: payload.id }); /*>*/
        tasks.trigger<typeof child>("child", {}); /*>*/
        batch.trigger([{ id: "child", payload: {} }]); /*>*/
        child.batchTrigger([{ payload: {} }]).catch((err) => logger.error("failed", { err })); /*>*/
        return { ok: true };
    """)
    findings = lint(code, only="unawaited-trigger")
    assert lines_of(findings) == marked(code)
    assert "`child.trigger` is not awaited" in findings[0].message
    after = fixed(code, "unawaited-trigger")
    assert "    await child.trigger({ id: payload.id });" in after
    assert "    await child.batchTrigger([{ payload: {} }]).catch(" in after


def test_unawaited_trigger_in_sync_callback_has_no_fix():
    code = in_run("""
        payload.items.forEach((item: any) => {
          child.trigger(item); /*>*/
        });
    """)
    findings = lint(code, only="unawaited-trigger")
    assert lines_of(findings) == marked(code)
    assert findings[0].fix is None


def test_unawaited_trigger_must_not_fire_when_handled():
    code = in_run("""
        await child.trigger({ id: 1 });
        const handle = child.trigger({ id: 2 });
        await Promise.all([child.trigger({ id: 3 }), tasks.trigger<typeof other>("other", {})]);
        void child.trigger({ id: 4 });
        await child.trigger({ id: 5 }).catch(() => undefined);
        await handle;
        return child.trigger({ id: 6 });
    """)
    assert lint(code, only="unawaited-trigger") == []


def test_unawaited_trigger_must_not_fire_outside_run_or_on_other_objects():
    code = (
        SDK_IMPORT
        + CHILD
        + textwrap.dedent("""
        import { EventEmitter } from "node:events";

        export async function notify() {
          child.trigger({ id: 1 });
        }

        export const parent = task({
          id: "parent",
          run: async () => {
            const emitter = new EventEmitter() as any;
            emitter.trigger("x");
            await child.trigger({});
          },
        });
        """)
    )
    assert lint(code, only="unawaited-trigger") == []


# --- trigger-in-loop -------------------------------------------------------------------------


def test_trigger_in_loop_fires_in_loops_and_callbacks():
    code = in_run("""
        for (const id of payload.ids) {
          await child.trigger({ id }); /*>*/
        }
        await Promise.all(payload.ids.map(async (id: string) => {
          await tasks.trigger<typeof child>("child", { id }); /*>*/
        }));
        let i = 0;
        while (i++ < 3) {
          const handle = await child.trigger({ i }); /*>*/
        }
    """)
    findings = lint(code, only="trigger-in-loop")
    assert lines_of(findings) == marked(code)
    assert "`child.batchTrigger`" in findings[0].message
    assert "`tasks.batchTrigger`" in findings[1].message


def test_trigger_in_loop_must_not_fire_on_waits_batches_or_outside_loops():
    code = in_run("""
        for (const id of payload.ids) {
          await child.triggerAndWait({ id });
        }
        await child.batchTrigger(payload.ids.map((id: string) => ({ payload: { id } })));
        await child.trigger({ all: payload.ids });
        for (const id of payload.ids) {
          logger.info("id", { id });
        }
    """)
    assert lint(code, only="trigger-in-loop") == []


def test_trigger_in_loop_must_not_fire_outside_run():
    code = (
        SDK_IMPORT
        + CHILD
        + textwrap.dedent("""
        export async function fanOut(ids: string[]) {
          for (const id of ids) {
            await child.trigger({ id });
          }
        }
    """)
    )
    assert lint(code, only="trigger-in-loop") == []


# --- untyped-tasks-trigger -------------------------------------------------------------------


def test_untyped_tasks_trigger_fires_in_typescript():
    code = """
        import { tasks } from "@trigger.dev/sdk";

        export async function POST() {
          await tasks.trigger("send-email", { to: "a@b.c" }); /*>*/
          await tasks.batchTrigger("send-email", [{ payload: {} }]); /*>*/
        }
    """
    findings = lint(code, only="untyped-tasks-trigger", path="src/app/route.ts")
    assert lines_of(findings) == marked(code)
    assert "tasks.trigger<typeof yourTask>" in findings[0].message


def test_untyped_tasks_trigger_with_alias_and_namespace():
    code = """
        import { tasks as t } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";

        export async function run() {
          await t.triggerAndWait("a", {}); /*>*/
          await sdk.tasks.batchTriggerAndWait("b", []); /*>*/
        }
    """
    assert lines_of(lint(code, only="untyped-tasks-trigger")) == marked(code)


def test_untyped_tasks_trigger_must_not_fire_with_generic_or_in_js():
    typed = """
        import { tasks } from "@trigger.dev/sdk";
        import type { sendEmail } from "./trigger/email";

        export async function POST() {
          await tasks.trigger<typeof sendEmail>("send-email", { to: "a@b.c" });
        }
    """
    assert lint(typed, only="untyped-tasks-trigger") == []
    js = """
        import { tasks } from "@trigger.dev/sdk";

        export async function POST() {
          await tasks.trigger("send-email", { to: "a@b.c" });
        }
    """
    for path in ("src/app/route.js", "src/app/route.mjs", "src/app/route.cjs", "src/a.jsx"):
        assert lint(js, only="untyped-tasks-trigger", path=path) == []


def test_untyped_tasks_trigger_must_not_fire_on_other_libraries():
    code = """
        import { tasks } from "./my-queue";

        export async function POST() {
          await tasks.trigger("send-email", {});
        }
    """
    assert lint(code, only="untyped-tasks-trigger") == []


# --- unknown-task-id -------------------------------------------------------------------------


def _index(*ids: str, complete: bool = True) -> ProjectIndex:
    index = ProjectIndex()
    path = Path("/project/src/trigger/others.ts")
    entries = [
        TaskEntry(i, path, Path("/project"), 0, 1, 0, "task", None, True, False, None, {})
        for i in ids
    ]
    index.update(path, entries)
    index.complete = complete
    return index


UNKNOWN_IDS = """
    import { tasks, batch } from "@trigger.dev/sdk";

    export async function POST() {
      await tasks.trigger("send-emial", {});
      await tasks.triggerAndWait("nothing-like-it", {});
      await batch.trigger([{ id: "send-email", payload: {} }, { id: "resize-imag", payload: {} }]);
    }
"""


def test_unknown_task_id_fires_with_suggestion():
    findings = lint(UNKNOWN_IDS, only="unknown-task-id", index=_index("send-email", "resize-image"))
    assert lines_of(findings) == [4, 5, 6]
    assert 'did you mean "send-email"' in findings[0].message
    assert "did you mean" not in findings[1].message
    assert 'did you mean "resize-image"' in findings[2].message


def test_unknown_task_id_knows_tasks_of_this_file():
    code = """
        import { task, tasks } from "@trigger.dev/sdk";

        export const local = task({ id: "local-task", run: async () => {} });

        export const parent = task({
          id: "parent",
          run: async () => {
            await tasks.trigger<typeof local>("local-task", {});
            await tasks.trigger<typeof local>("send-email", {});
          },
        });
    """
    assert lint(code, only="unknown-task-id", index=_index("send-email")) == []


def test_unknown_task_id_silent_until_index_is_complete_or_present():
    assert (
        lint(UNKNOWN_IDS, only="unknown-task-id", index=_index("send-email", complete=False)) == []
    )
    assert lint(UNKNOWN_IDS, only="unknown-task-id") == []
    assert lint(UNKNOWN_IDS, only="unknown-task-id", index=_index()) == []


def test_unknown_task_id_ignores_computed_ids():
    code = """
        import { tasks } from "@trigger.dev/sdk";

        export async function POST(kind: string) {
          await tasks.trigger(`send-${kind}`, {});
          await tasks.trigger(kind, {});
        }
    """
    assert lint(code, only="unknown-task-id", index=_index("send-email")) == []


# --- trigger-queue-object --------------------------------------------------------------------


def test_queue_object_fires_and_fix_uses_its_name():
    code = in_run("""
        await child.trigger(payload, { queue: { name: "pdf", concurrencyLimit: 2 } }); /*>*/
        await tasks.triggerAndWait<typeof child>("child", {}, { queue: { concurrencyLimit: 1 } }); /*>*/
        await child.batchTrigger([{ payload, options: { queue: { name: "bulk" } } }]); /*>*/
    """)
    findings = lint(code, only="trigger-queue-object")
    assert lines_of(findings) == marked(code)
    assert findings[0].fix is not None and findings[1].fix is None
    after = fixed(
        in_run('await child.trigger(payload, { queue: { name: "pdf", concurrencyLimit: 2 } });'),
        "trigger-queue-object",
    )
    assert 'await child.trigger(payload, { queue: "pdf" });' in after
    shorthand = in_run("""
        const name = payload.queueName;
        await child.trigger(payload, { queue: { name, concurrencyLimit: 2 } });
    """)
    assert "await child.trigger(payload, { queue: name });" in fixed(
        shorthand, "trigger-queue-object"
    )


def test_queue_object_is_v4_only():
    code = in_run(
        'await child.trigger(payload, { queue: { name: "pdf", concurrencyLimit: 2 } });',
        imports='import { task } from "@trigger.dev/sdk/v3";\n' + CHILD,
    )
    assert lint(code, only="trigger-queue-object", sdk="3.3.17") == []
    assert len(lint(code, only="trigger-queue-object", sdk="4.0.0")) == 1


def test_queue_object_must_not_fire_on_names_or_task_options():
    code = (
        SDK_IMPORT
        + CHILD
        + textwrap.dedent("""
        export const pdfQueue = queue({ name: "pdf", concurrencyLimit: 2 });

        export const worker = task({
          id: "worker",
          queue: { concurrencyLimit: 5 },
          run: async (payload: any) => {
            await child.trigger(payload, { queue: "pdf" });
            await child.trigger(payload, { queue: pdfQueue.name });
          },
        });
    """)
    )
    assert lint(code, only="trigger-queue-object") == []


# --- too-many-tags ---------------------------------------------------------------------------


def test_too_many_tags_counts_and_lengths():
    long_tag = "x" * 129
    code = in_run(f"""
        await child.trigger(1, {{ tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] }});
        await tasks.trigger<typeof child>("child", payload, {{ tags: ["{long_tag}", ""] }});
        await tags.add(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
    """)
    findings = lint(code, only="too-many-tags")
    assert lines_of(findings) == [7, 8, 8, 9]
    assert findings[0].message.startswith("11 tags")
    assert "129 characters" in findings[1].message
    assert "empty tag" in findings[2].message
    assert findings[3].message.startswith("12 tags")


def test_too_many_tags_must_not_fire_within_limits():
    code = in_run(f"""
        await child.trigger({{}}, {{ tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] }});
        await child.trigger(payload, {{ tags: [`user:${{payload.id}}`, ...payload.extraTags] }});
        await tags.add("{"y" * 128}");
        const list = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
    """)
    assert lint(code, only="too-many-tags") == []


# --- dynamic-import-child --------------------------------------------------------------------


def test_dynamic_import_child_fires_in_run():
    code = in_run("""
        const { child: lazyChild } = await import("./children");
        await lazyChild.trigger({ id: 1 }); /*>*/
        const mod = await import("./children");
        await mod.other.triggerAndWait({ id: 2 }); /*>*/
        await (await import("./children")).child.batchTrigger([]); /*>*/
    """)
    findings = lint(code, only="dynamic-import-child")
    assert lines_of(findings) == marked(code)
    assert "`lazyChild`" in findings[0].message and "tasks.trigger" in findings[0].message


def test_dynamic_import_child_must_not_fire_on_static_or_backend_imports():
    code = (
        SDK_IMPORT
        + CHILD
        + textwrap.dedent("""
        export async function POST() {
          const { child: lazy } = await import("./children");
          await lazy.trigger({ id: 1 });
        }

        export const parent = task({
          id: "parent",
          run: async () => {
            await child.trigger({ id: 1 });
            const { Emitter } = await import("some-emitter");
            new Emitter().trigger("event");
            const { helper } = await import("./helpers");
            await helper.run();
          },
        });
    """)
    )
    assert lint(code, only="dynamic-import-child") == []


def test_rules_run_on_javascript_files():
    code = """
        import { task } from "@trigger.dev/sdk";
        import { child } from "./children.js";

        export const parent = task({
          id: "parent",
          run: async (payload) => {
            child.trigger(payload);
            const result = await child.triggerAndWait(payload);
            return result.total;
          },
        });
    """
    findings = lint(code, path="src/trigger/parent.js")
    assert [(f.rule, f.start[0] + 1) for f in findings if f.rule in MINE] == [
        ("unawaited-trigger", 7),
        ("result-not-unwrapped", 9),
    ]


MINE = frozenset({"unawaited-trigger", "result-not-unwrapped", "untyped-tasks-trigger"})


def test_trigger_in_loop_is_silent_over_a_handful_of_literal_items():
    """Three regions written in the code make three requests: nothing a reviewer would batch."""
    code = in_run("""
        for (const region of ["eu", "us", "ap"]) {
          await child.trigger({ region });
        }
        await Promise.all(["en", "fr"].map(async (locale) => {
          await child.trigger({ locale });
        }));
    """)
    assert lint(code, only="trigger-in-loop") == []


def test_trigger_in_loop_still_fires_over_many_or_spread_literal_items():
    code = in_run("""
        for (const n of [1, 2, 3, 4, 5, 6]) {
          await child.trigger({ n }); /*>*/
        }
        for (const id of [...payload.ids, "extra"]) {
          await child.trigger({ id }); /*>*/
        }
    """)
    assert lines_of(lint(code, only="trigger-in-loop")) == marked(code)
