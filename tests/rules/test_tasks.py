"""Tests for the task-definition rules: ids, logging, error handling, limits, retries, exports,
machines, maxDuration and the deprecated queue concurrencyLimit."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from helpers import ALL_FIXES, SDK_IMPORT, comparable, fixed, lines_of, lint, marked, rules_of
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.model import FixSafety, Severity
from trigger_lsp.lint.fixes import apply_fixes
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.project.index import ProjectIndex, entries_for, fan_outs_for
from trigger_lsp.project.modules import module_facts
from trigger_lsp.project.trigger_config import read_config
from trigger_lsp.project.versions import Version
from trigger_lsp.rules.tasks import nearest_preset

IMPORT = (
    "import { task, schemaTask, schedules, logger, queue, tasks, batch, retry } "
    'from "@trigger.dev/sdk";\n'
)


def src(body: str, imports: str = IMPORT) -> str:
    return imports + textwrap.dedent(body).lstrip("\n")


def one(options: str, imports: str = IMPORT) -> str:
    """A file with one task `a` whose options are `options` plus an empty run."""
    return imports + f'export const a = task({{ id: "a", {options}, run: async () => {{}} }});\n'


# --- task-missing-id ----------------------------------------------------------------------


def test_missing_id_fires_with_a_fix_from_the_variable_name() -> None:
    code = src(
        """
        export const sendWelcomeEmail = task({
          run: async () => {},
        });
        """
    )
    findings = lint(code, only="task-missing-id")
    assert lines_of(findings) == [2]  # (a marker would stand in the fix's text below)
    assert findings[0].severity is Severity.ERROR
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    assert 'id: "send-welcome-email",\n  run' in fixed(code, "task-missing-id")


def test_missing_id_fix_on_a_one_line_options_object() -> None:
    code = src("export const imageResize = schemaTask({ schema, run: async () => {} });\n")
    out = fixed(code, "task-missing-id")
    assert 'schemaTask({ id: "image-resize", schema,' in out


def test_missing_id_without_a_variable_has_no_fix() -> None:
    code = src("task({ run: async () => {} });\n")
    findings = lint(code, only="task-missing-id")
    assert len(findings) == 1 and findings[0].fix is None


def test_missing_id_accepts_a_const_string() -> None:
    code = src(
        """
        const TASK_ID = "send-email";
        export const sendEmail = task({ id: TASK_ID, run: async () => {} });
        """
    )
    assert lint(code, only="task-missing-id") == []


def test_missing_id_computed_id_is_a_warning() -> None:
    code = src("export const t = task({ id: `job-${env}`, run: async () => {} });\n")
    findings = lint(code, only="task-missing-id")
    assert len(findings) == 1
    assert findings[0].severity is Severity.WARNING
    assert "computed" in findings[0].message


def test_missing_id_with_aliased_and_namespace_imports() -> None:
    aliased = (
        'import { task as defineTask } from "@trigger.dev/sdk";\n'
        "export const a = defineTask({ run: async () => {} });\n"
    )
    namespace = (
        'import * as sdk from "@trigger.dev/sdk";\n'
        "export const a = sdk.task({ run: async () => {} });\n"
    )
    assert rules_of(lint(aliased, only="task-missing-id")) == ["task-missing-id"]
    assert rules_of(lint(namespace, only="task-missing-id")) == ["task-missing-id"]


def test_missing_id_ignores_other_libraries() -> None:
    code = 'import { task } from "gulp";\nexport const build = task({ run: async () => {} });\n'
    assert lint(code, only="task-missing-id") == []


# --- duplicate-task-id --------------------------------------------------------------------


def test_duplicate_id_in_one_file_points_at_each_other() -> None:
    code = src(
        """
        export const a = task({ id: "sync", run: async () => {} }); /*>*/
        export const b = task({ id: "sync", run: async () => {} }); /*>*/
        """
    )
    findings = lint(code, only="duplicate-task-id")
    assert lines_of(findings) == marked(code)
    assert findings[0].message.endswith("example.ts:3.")
    assert findings[1].message.endswith("example.ts:2.")
    assert all(len(f.related) == 1 for f in findings)


def test_duplicate_id_through_a_const() -> None:
    code = src(
        """
        const ID = "sync";
        export const a = task({ id: ID, run: async () => {} }); /*>*/
        export const b = schedules.task({ id: "sync", run: async () => {} }); /*>*/
        """
    )
    assert lines_of(lint(code, only="duplicate-task-id")) == marked(code)


def _index_with(path: str, code: str, modules: bool = False) -> ProjectIndex:
    tree = parse(code.encode(), "typescript")
    index = ProjectIndex()
    file = Path("/project") / path
    model = build_model(tree, "typescript")
    facts = module_facts(model, file, default_context(Path("/project"))) if modules else None
    index.update(file, entries_for(model, file, Path("/project")), module=facts)
    return index


def test_duplicate_id_across_files() -> None:
    other = src('export const old = task({ id: "sync", run: async () => {} });\n')
    index = _index_with("src/trigger/other.ts", other)
    code = src('export const fresh = task({ id: "sync", run: async () => {} });\n')
    findings = lint(code, only="duplicate-task-id", index=index)
    assert len(findings) == 1
    assert "src/trigger/other.ts:2" in findings[0].message
    assert findings[0].related[0].path == Path("/project/src/trigger/other.ts")


def test_duplicate_id_same_file_in_the_index_is_not_a_duplicate() -> None:
    code = src('export const fresh = task({ id: "sync", run: async () => {} });\n')
    index = _index_with("src/trigger/example.ts", code)
    assert lint(code, only="duplicate-task-id", index=index) == []


def test_duplicate_id_in_many_files_names_three_and_counts_the_rest() -> None:
    index = ProjectIndex()
    other = src('export const old = task({ id: "sync", run: async () => {} });\n')
    model = build_model(parse(other.encode(), "typescript"), "typescript")
    for n in range(6):
        file = Path(f"/project/src/trigger/t{n}.ts")
        index.update(file, entries_for(model, file, Path("/project")))
    code = src('export const fresh = task({ id: "sync", run: async () => {} });\n')
    [finding] = lint(code, only="duplicate-task-id", index=index)
    assert finding.message.endswith("src/trigger/t2.ts:2 and 3 more.")
    assert "t3.ts" not in finding.message
    assert len(finding.related) == 6  # the editor still lists every other definition


def test_distinct_ids_do_not_fire() -> None:
    other = src('export const old = task({ id: "other", run: async () => {} });\n')
    code = src(
        """
        export const a = task({ id: "a", run: async () => {} });
        export const b = task({ id: "b", run: async () => {} });
        """
    )
    findings = lint(code, only="duplicate-task-id", index=_index_with("x.ts", other))
    assert findings == []


# --- task-no-logging ----------------------------------------------------------------------


def test_no_logging_fires_on_a_silent_run() -> None:
    code = src(
        """
        export const silent = task({ /*>*/
          id: "silent",
          run: async (payload: { id: string }) => {
            await fetch(`https://example.com/${payload.id}`);
          },
        });
        """
    )
    findings = lint(code, only="task-no-logging")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.WARNING
    assert '"silent"' in findings[0].message


def test_no_logging_fires_for_each_silent_task_kind() -> None:
    code = src(
        """
        export const a = schemaTask({ id: "a", schema, run: async () => 1 }); /*>*/
        export const b = schedules.task({ id: "b", cron: "0 * * * *", run: async () => {} }); /*>*/
        """
    )
    assert lines_of(lint(code, only="task-no-logging")) == marked(code)


def test_no_logging_does_not_count_a_silent_helper_outside_the_file() -> None:
    code = src(
        """
        import { sendEmail } from "./email";
        export const a = task({ id: "a", run: async (p) => { await sendEmail(p) } }); /*>*/
        """
    )
    helper = "export async function sendEmail(p: unknown) { await fetch('https://x'); }\n"
    index = _index_with("src/trigger/email.ts", helper, modules=True)
    index.complete = True
    assert lines_of(lint(code, only="task-no-logging", index=index)) == marked(code)


def test_no_logging_is_quiet_when_a_helper_outside_the_file_cannot_be_read() -> None:
    """Without the helper's file in the index, whether the run logs is unknown."""
    code = src(
        """
        import { sendEmail } from "./email";
        export const a = task({ id: "a", run: async (p) => { await sendEmail(p) } });
        """
    )
    assert lint(code, only="task-no-logging") == []
    index = _index_with("src/trigger/email.ts", "export const x = 1;\n", modules=True)
    assert lint(code, only="task-no-logging", index=index) == []  # still being indexed


@pytest.mark.parametrize(
    "body",
    [
        'logger.info("start", { id: p.id });',
        'logger.trace("step", async (span) => { await work(); });',
        'console.log("start");',
        "items.forEach((i) => { logger.debug('item', { i }); });",
        "const inner = async () => { console.error('x'); }; await inner();",
    ],
)
def test_no_logging_silent_when_run_logs(body: str) -> None:
    code = src(f'export const a = task({{ id: "a", run: async (p) => {{ {body} }} }});\n')
    assert lint(code, only="task-no-logging") == []


def test_no_logging_counts_aliased_and_namespace_logger() -> None:
    aliased = (
        'import { task, logger as log } from "@trigger.dev/sdk";\n'
        'export const a = task({ id: "a", run: async () => { log.warn("w"); } });\n'
    )
    namespace = (
        'import * as sdk from "@trigger.dev/sdk";\n'
        'export const a = sdk.task({ id: "a", run: async () => { sdk.logger.info("i"); } });\n'
    )
    assert lint(aliased, only="task-no-logging") == []
    assert lint(namespace, only="task-no-logging") == []


def test_no_logging_counts_a_same_file_helper_that_logs() -> None:
    code = src(
        """
        function report(step: string) {
          logger.info("step", { step });
        }
        const track = (s: string) => report(s);
        export const a = task({ id: "a", run: async () => { track("one"); } });
        """
    )
    assert lint(code, only="task-no-logging") == []


def test_no_logging_counts_a_project_logger() -> None:
    code = src(
        """
        import { log } from "../lib/log";
        export const a = task({ id: "a", run: async () => { log.info("x"); } });
        """
    )
    assert lint(code, only="task-no-logging") == []


def test_no_logging_ignores_tasks_without_an_inline_run() -> None:
    code = src('import { run } from "./run";\nexport const a = task({ id: "a", run });\n')
    assert lint(code, only="task-no-logging") == []


# --- task-no-error-handling ---------------------------------------------------------------


def test_no_error_handling_is_off_by_default() -> None:
    code = src('export const a = task({ id: "a", run: async () => { await go(); } });\n')
    assert lint(code, only="task-no-error-handling") == []


def test_no_error_handling_fires_when_enabled() -> None:
    code = src(
        """
        export const a = task({ /*>*/
          id: "a",
          run: async () => {
            await go();
          },
        });
        """
    )
    findings = lint(code, only="task-no-error-handling", enable=("task-no-error-handling",))
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.WARNING


@pytest.mark.parametrize(
    "options",
    [
        "run: async () => { try { await go(); } catch (e) { throw e; } }",
        "run: async () => { await go().catch((e) => { throw e; }); }",
        "catchError: async () => ({ skipRetrying: true }), run: async () => { await go(); }",
        "handleError: async ({ error }) => undefined, run: async () => { await go(); }",
    ],
)
def test_no_error_handling_silent_with_handling(options: str) -> None:
    code = src(f'export const a = task({{ id: "a", {options} }});\n')
    assert lint(code, only="task-no-error-handling", enable=("task-no-error-handling",)) == []


def test_no_error_handling_silent_with_a_global_catch_error() -> None:
    code = src(
        """
        tasks.catchError(async ({ error }) => undefined);
        export const a = task({ id: "a", run: async () => { await go(); } });
        """
    )
    assert lint(code, only="task-no-error-handling", enable=("task-no-error-handling",)) == []


# --- task-no-concurrency-limit ------------------------------------------------------------
# Recommended profile: only fanned-out tasks and tasks calling rate-limited services. Strict
# profile: every task without a limit (the rule's behaviour before issue 13).

ROOT = Path("/project")


def project_index(files: dict[str, str], root: Path = ROOT) -> ProjectIndex:
    """The complete index of a project made of these files (relative path -> code)."""
    index = ProjectIndex()
    for rel, code in files.items():
        path = root / rel
        model = build_model(parse(code.encode(), "typescript"), "typescript")
        index.update(path, entries_for(model, path, root))
        index.update_fan_outs(path, fan_outs_for(model, path, root))
    index.complete = True
    return index


def limit_findings(code: str, **kwargs: Any) -> list[Any]:
    return lint(code, only="task-no-concurrency-limit", **kwargs)


PLAIN = src(
    'export const a = task({ id: "a", run: async (p: { id: string }) => { await save(p); } });\n'
)


def test_no_concurrency_limit_silent_on_a_plain_task_in_recommended() -> None:
    assert limit_findings(PLAIN) == []


def test_no_concurrency_limit_fires_on_a_plain_task_in_strict() -> None:
    code = src(
        """
        export const a = task({ /*>*/
          id: "a",
          run: async () => {},
        });
        """
    )
    findings = limit_findings(code, profile="strict")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.INFO
    assert "concurrency: { total: n }" in findings[0].message


def test_no_concurrency_limit_strict_suggests_the_queue_before_4_7() -> None:
    code = src('export const a = task({ id: "a", run: async () => {} });\n')
    findings = limit_findings(code, sdk="4.6.4", profile="strict")
    assert "queue: { concurrencyLimit: n }" in findings[0].message
    assert "concurrency: { total" not in findings[0].message


def test_no_concurrency_limit_names_both_options_when_the_version_is_unknown() -> None:
    code = src('export const a = task({ id: "a", run: async () => {} });\n')
    (finding,) = limit_findings(code, profile="strict", sdk="unknown")
    assert "`concurrency: { total: n }` (SDK 4.7+)" in finding.message
    assert "`queue: { concurrencyLimit: n }` (older SDKs)" in finding.message


def test_no_concurrency_limit_fires_for_a_local_queue_without_a_limit() -> None:
    code = src(
        """
        const shared = queue({ name: "shared" });
        export const a = task({ id: "a", queue: shared, run: async () => {} }); /*>*/
        """
    )
    assert lines_of(limit_findings(code, profile="strict")) == marked(code)


def test_no_concurrency_limit_fires_for_an_empty_inline_queue() -> None:
    code = src('export const a = task({ id: "a", queue: {}, run: async () => {} });\n')
    assert lines_of(limit_findings(code, profile="strict")) == [2]


@pytest.mark.parametrize(
    "option",
    [
        "concurrency: { total: 5 },",
        'concurrency: "openai",',
        "queue: { concurrencyLimit: 5 },",
        'queue: { name: "emails" },',
        'queue: "emails",',
        "queue: sharedQueue,",
        "queue: limited,",
        'queue: queue({ name: "inline", concurrencyLimit: 1 }),',
        "queue: queues.emails,",
        "...defaults,",
    ],
)
@pytest.mark.parametrize("profile", ["recommended", "strict"])
def test_no_concurrency_limit_silent_with_a_limit(option: str, profile: str) -> None:
    code = src(
        f"""
        import {{ sharedQueue }} from "./queues";
        import OpenAI from "openai";
        const limited = queue({{ name: "limited", concurrencyLimit: 2 }});
        const openai = new OpenAI();
        export const a = task({{ id: "a", {option} run: async () => {{
          await openai.responses.create({{ model: "gpt-4o", input: "hi" }});
        }} }});
        a.batchTrigger([{{ payload: {{}} }}]);
        """
    )
    assert limit_findings(code, profile=profile) == []


def test_no_concurrency_limit_accepts_a_shorthand_queue() -> None:
    code = src(
        """
        const queue = { name: "q", concurrencyLimit: 1 };
        export const a = task({ id: "a", queue, run: async () => {} });
        """,
        imports='import { task } from "@trigger.dev/sdk";\n',
    )
    assert limit_findings(code, profile="strict") == []


CHILD = src(
    """
    export const child = task({
      id: "child",
      run: async (p: { id: string }) => { await save(p.id); },
    });
    """
)


@pytest.mark.parametrize(
    ("caller", "how"),
    [
        ('await tasks.batchTrigger("child", items.map((id) => ({ payload: { id } })));', "batch"),
        ('await tasks.batchTriggerAndWait("child", [{ payload: { id: "1" } }]);', "batch"),
        ('await batch.trigger([{ id: "child", payload: { id: "1" } }]);', "batch"),
        ('for (const id of ids) { await tasks.trigger("child", { id }); }', "loop"),
        ('await Promise.all(ids.map((id) => tasks.trigger("child", { id })));', "loop"),
        ('ids.forEach((id) => { tasks.trigger("child", { id }); });', "loop"),
    ],
)
def test_no_concurrency_limit_fires_on_a_task_fanned_out_in_another_file(
    caller: str, how: str
) -> None:
    other = IMPORT + f"export async function run(ids: string[], items: string[]) {{ {caller} }}\n"
    index = project_index({"src/trigger/child.ts": CHILD, "src/app/fan.ts": other})
    (finding,) = limit_findings(CHILD, path="src/trigger/child.ts", index=index)
    assert finding.start[0] == 1  # the task's line
    place = "src/app/fan.ts:2"
    expected = "in a batch" if how == "batch" else "in a loop"
    assert f"triggered {expected} at {place}" in finding.message
    assert finding.related[0].path == ROOT / "src/app/fan.ts"


def test_no_concurrency_limit_fires_on_a_task_fanned_out_in_its_own_file() -> None:
    code = CHILD + src(
        """
        export const parent = task({
          id: "parent",
          concurrency: { total: 1 },
          run: async (p: { ids: string[] }) => {
            await child.batchTrigger(p.ids.map((id) => ({ payload: { id } })));
          },
        });
        """
    )
    index = project_index({"src/trigger/example.ts": code})
    (finding,) = limit_findings(code, index=index)
    assert lines_of([finding]) == [2]
    assert 'Task "child" is triggered in a batch in this file and' in finding.message
    assert finding.related == ()  # the index may hold the previous version of this file


@pytest.mark.parametrize(
    "caller",
    [
        'await tasks.trigger("child", { id: "1" });',  # once
        'for (const id of ids) { await tasks.triggerAndWait("child", { id }); }',  # one at a time
        'for (const id of ids) { await tasks.trigger("other", { id }); }',  # another task
        'for (const id of ids) { await emitter.trigger("child"); }',  # not a task
    ],
)
def test_no_concurrency_limit_silent_when_the_task_is_not_fanned_out(caller: str) -> None:
    other = IMPORT + f"export async function run(ids: string[]) {{ {caller} }}\n"
    index = project_index({"src/trigger/child.ts": CHILD, "src/app/fan.ts": other})
    assert limit_findings(CHILD, path="src/trigger/child.ts", index=index) == []


def test_no_concurrency_limit_silent_on_a_fanned_out_stub() -> None:
    stub = src(
        """
        export const child = task({ id: "child", run: async (p: { id: string }) => {
          logger.info("got", { id: p.id });
          return { ok: true };
        } });
        """
    )
    other = IMPORT + 'export const go = () => tasks.batchTrigger("child", []);\n'
    index = project_index({"src/trigger/child.ts": stub, "src/app/fan.ts": other})
    assert limit_findings(stub, path="src/trigger/child.ts", index=index) == []
    # Strict reports every task, and says why when there is a reason.
    (finding,) = limit_findings(stub, path="src/trigger/child.ts", index=index, profile="strict")
    assert "triggered in a batch at src/app/fan.ts:2" in finding.message


def test_no_concurrency_limit_strict_gives_the_reason_when_there_is_one() -> None:
    (llm,) = limit_findings(src(LLM), profile="strict")
    assert 'Task "summarize" calls `openai`' in llm.message
    (plain,) = limit_findings(PLAIN, profile="strict")
    assert "a burst of triggers can use every slot" in plain.message


LLM = """
import OpenAI from "openai";
const openai = new OpenAI();
export const summarize = task({
  id: "summarize",
  run: async (p: { text: string }) => {
    const answer = await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
    return answer.choices[0];
  },
});
"""


def test_no_concurrency_limit_fires_on_an_llm_call() -> None:
    (finding,) = limit_findings(src(LLM))
    assert lines_of([finding]) == [4]
    assert 'Task "summarize" calls `openai`' in finding.message


def test_no_concurrency_limit_fires_on_an_ai_sdk_call() -> None:
    code = src(
        """
        import { generateText } from "ai";
        import { anthropic } from "@ai-sdk/anthropic";
        export const write = task({ id: "write", run: async () => {
          return generateText({ model: anthropic("claude-sonnet-4-5"), prompt: "hi" });
        } });
        """
    )
    (finding,) = limit_findings(code)
    assert "calls `ai`" in finding.message


def test_no_concurrency_limit_silent_on_a_type_only_llm_import() -> None:
    code = src(
        """
        import type OpenAI from "openai";
        export const a = task({ id: "a", run: async (p: { client: OpenAI }) => {
          await save(p);
        } });
        """
    )
    assert limit_findings(code) == []


def test_no_concurrency_limit_fires_on_http_calls_in_a_loop() -> None:
    code = src(
        """
        import axios from "axios";
        export const sync = task({ id: "sync", run: async (p: { urls: string[] }) => {
          for (const url of p.urls) {
            await axios.get(url);
          }
          await Promise.all(p.urls.map((u) => fetch(u)));
        } });
        """
    )
    (finding,) = limit_findings(code)
    assert "calls an HTTP API in a loop (`axios`, line 5)" in finding.message


def test_no_concurrency_limit_silent_on_a_single_http_call() -> None:
    code = src(
        """
        export const ping = task({ id: "ping", run: async (p: { url: string }) => {
          const res = await fetch(p.url);
          return res.status;
        } });
        """
    )
    assert limit_findings(code) == []


def test_no_concurrency_limit_silent_on_a_local_function_named_fetch_in_a_loop() -> None:
    code = src(
        """
        const fetch = async (id: string) => db.get(id);
        export const load = task({ id: "load", run: async (p: { ids: string[] }) => {
          for (const id of p.ids) await fetch(id);
        } });
        """
    )
    assert limit_findings(code) == []


def test_no_concurrency_limit_silent_on_a_cron_task_calling_an_llm() -> None:
    cron = LLM.replace("task({", 'schedules.task({ cron: "0 * * * *",')
    assert limit_findings(src(cron)) == []
    assert len(limit_findings(src(cron), profile="strict")) == 1


def test_no_concurrency_limit_fires_on_a_fanned_out_cron_task() -> None:
    code = src(
        """
        export const digest = schedules.task({ id: "digest", cron: "0 * * * *", run: async () => {
          await send();
        } });
        """
    )
    other = IMPORT + 'export const go = () => tasks.batchTrigger("digest", []);\n'
    index = project_index({"src/trigger/example.ts": code, "src/app/fan.ts": other})
    (finding,) = limit_findings(code, index=index)
    assert "triggered in a batch" in finding.message


# --- task-no-retry-config -----------------------------------------------------------------


def _project(tmp_path: Path, config: str) -> ProjectContext:
    path = tmp_path / "trigger.config.ts"
    path.write_text(config)
    base = default_context(tmp_path)
    return ProjectContext(tmp_path, read_config(path), None, Version(4, 8, 3), "test", base.lint)


CONFIG_HEAD = (
    'import { defineConfig } from "@trigger.dev/sdk";\n'
    "export default defineConfig({\n"
    '  project: "proj_x",\n'
    "  maxDuration: 300,\n"
)
CONFIG_NO_DEFAULT = CONFIG_HEAD + "  retries: { enabledInDev: false },\n});\n"
TASKS = src(
    """
    export const a = task({ id: "a", run: async () => {} });
    export const b = task({ id: "b", run: async () => {} });
    export const c = task({ id: "c", retry: { maxAttempts: 5 }, run: async () => {} });
    export const d = task({ id: "d", ...shared, run: async () => {} });
    """
)


def retry_findings(config: str, index: ProjectIndex | None = None) -> list[Any]:
    return lint(config, path="trigger.config.ts", only="task-no-retry-config", index=index)


def test_no_retry_config_fires_once_on_define_config_with_the_count() -> None:
    index = project_index({"src/trigger/tasks.ts": TASKS, "src/trigger/more.ts": PLAIN})
    (finding,) = retry_findings(CONFIG_NO_DEFAULT, index)
    assert lines_of([finding]) == [2]
    assert finding.severity is Severity.INFO
    assert "no `retry` option on 3 tasks of this project" in finding.message
    assert "a failed run of them is not retried at all" in finding.message


def test_no_retry_config_counts_one_task() -> None:
    index = project_index({"src/trigger/more.ts": PLAIN})
    (finding,) = retry_findings(CONFIG_HEAD + "});\n", index)
    assert "on 1 task of this project: a failed run of it is not" in finding.message


def test_no_retry_config_never_fires_on_the_tasks() -> None:
    index = project_index({"src/trigger/example.ts": TASKS})
    assert lint(TASKS, only="task-no-retry-config", index=index) == []


def test_no_retry_config_silent_when_every_task_sets_retry() -> None:
    index = project_index({"src/trigger/x.ts": one("retry: { maxAttempts: 5 }")})
    assert retry_findings(CONFIG_NO_DEFAULT, index) == []


def test_no_retry_config_without_the_index_gives_no_count() -> None:
    (finding,) = retry_findings(CONFIG_NO_DEFAULT)
    assert "tasks of this project" not in finding.message
    assert "not retried at all" in finding.message


def test_no_retry_config_counts_only_the_configs_project() -> None:
    index = project_index({"src/trigger/x.ts": PLAIN}, root=Path("/elsewhere"))
    assert retry_findings(CONFIG_NO_DEFAULT, index) == []


@pytest.mark.parametrize(
    "config",
    [
        CONFIG_HEAD + "  retries: { default: { maxAttempts: 3 } },\n});\n",
        CONFIG_HEAD + "  retries: sharedRetries,\n});\n",
        CONFIG_HEAD + "  ...base,\n});\n",
    ],
)
def test_no_retry_config_silent_when_config_may_set_default(config: str) -> None:
    index = project_index({"src/trigger/x.ts": PLAIN})
    assert retry_findings(config, index) == []


# --- task-not-exported --------------------------------------------------------------------

V3_IMPORT = 'import { task, schedules } from "@trigger.dev/sdk/v3";\n'


def test_not_exported_fires_on_3x_with_a_fix() -> None:
    code = src(
        """
        const hidden = task({ /*>*/
          id: "hidden",
          run: async () => {},
        });
        """,
        imports=V3_IMPORT,
    )
    findings = lint(code, only="task-not-exported", sdk="3.3.17")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.WARNING
    out = fixed(code, "task-not-exported", sdk="3.3.17")
    assert "export const hidden = task({" in out


def test_not_exported_fires_on_a_bare_task_call_without_fix() -> None:
    code = src('schedules.task({ id: "s", cron: "0 * * * *", run: async () => {} });\n', V3_IMPORT)
    findings = lint(code, only="task-not-exported", sdk="3.3.17")
    assert lines_of(findings) == [2] and findings[0].fix is None


@pytest.mark.parametrize(
    "code",
    [
        'export const a = task({ id: "a", run: async () => {} });\n',
        'const a = task({ id: "a", run: async () => {} });\nexport { a };\n',
        'const a = task({ id: "a", run: async () => {} });\nexport { a as renamed };\n',
        'const a = task({ id: "a", run: async () => {} });\nexport default a;\n',
        'export default task({ id: "a", run: async () => {} });\n',
        'const a = task({ id: "a", run: async () => {} });\nmodule.exports = { a };\n',
        'function make() { const a = task({ id: "a", run: async () => {} }); return a; }\n',
    ],
)
def test_not_exported_silent_when_exported_or_unclear(code: str) -> None:
    assert lint(src(code, V3_IMPORT), only="task-not-exported", sdk="3.3.17") == []


def test_not_exported_reexport_of_another_module_does_not_count() -> None:
    code = src(
        'const a = task({ id: "a", run: async () => {} });\nexport { a } from "./other";\n',
        V3_IMPORT,
    )
    assert lines_of(lint(code, only="task-not-exported", sdk="3.3.17")) == [2]


@pytest.mark.parametrize("sdk", ["4.0.0", "4.8.3"])
def test_not_exported_never_on_4x(sdk: str) -> None:
    code = src('const hidden = task({ id: "hidden", run: async () => {} });\n')
    assert lint(code, only="task-not-exported", sdk=sdk) == []


# --- invalid-machine-preset ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("small1x", "small-1x"),
        ("Large-1x", "large-1x"),
        ("medium-1", "medium-1x"),
        ("micr", "micro"),
        ("smal-1x", "small-1x"),
        ("medium-3x", None),  # as close to medium-1x as to medium-2x
        ("large-4x", None),
        ("medium", None),
        ("huge", None),
    ],
)
def test_nearest_preset(value: str, suggestion: str | None) -> None:
    assert nearest_preset(value) == suggestion


def test_machine_preset_fires_with_an_unsafe_fix() -> None:
    code = src(
        """
        export const a = task({
          id: "a",
          machine: "small1x", /*>*/
          run: async () => {},
        });
        """
    )
    findings = lint(code, only="invalid-machine-preset")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.ERROR
    assert 'Did you mean "small-1x"' in findings[0].message
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    assert 'machine: "small-1x",' in fixed(code, "invalid-machine-preset")


def test_machine_preset_without_a_clear_match_has_no_fix() -> None:
    code = src('export const a = task({ id: "a", machine: "large-4x", run: async () => {} });\n')
    findings = lint(code, only="invalid-machine-preset")
    assert len(findings) == 1 and findings[0].fix is None
    assert "Did you mean" not in findings[0].message


def test_machine_preset_object_form_and_deprecated_fields() -> None:
    code = src(
        """
        export const a = task({
          id: "a",
          machine: { preset: "Large-2x", cpu: 2, memory: 4 },
          run: async () => {},
        });
        """
    )
    findings = lint(code, only="invalid-machine-preset")
    by_severity = sorted((f.severity.value, f.message) for f in findings)
    assert [s for s, _ in by_severity] == ["error", "hint", "hint"]
    assert "`cpu`" in by_severity[1][1] and "`memory`" in by_severity[2][1]
    out, count = apply_fixes(code.encode(), findings, ALL_FIXES)
    assert count == 1 and b'preset: "large-2x"' in out
    assert [f.severity.value for f in lint(out.decode(), only="invalid-machine-preset")] == [
        "hint",
        "hint",
    ]


def test_machine_preset_in_trigger_options_and_batch_items() -> None:
    code = src(
        """
        import { child } from "./child";
        export const parent = task({
          id: "parent",
          run: async () => {
            await child.trigger({}, { machine: "large-3x" }); /*>*/
            await child.triggerAndWait({}, { machine: "small-1x" });
            await child.batchTrigger([{ payload: {}, options: { machine: "mega" } }]); /*>*/
            await tasks.trigger<typeof child>("child", {}, { machine: "tiny" }); /*>*/
            await batch.triggerByTask([{ task: child, payload: {}, options: { machine: "xl" } }]); /*>*/
          },
        });
        """
    )
    assert lines_of(lint(code, only="invalid-machine-preset")) == marked(code)


def test_machine_preset_in_shared_trigger_options_is_reported_once() -> None:
    code = src(
        """
        import { child } from "./child";
        const opts = { machine: "large-3x" }; /*>*/
        await child.trigger({ a: 1 }, opts);
        await child.trigger({ a: 2 }, opts);
        """
    )
    assert lines_of(lint(code, only="invalid-machine-preset")) == marked(code)


def test_machine_preset_in_retry_out_of_memory() -> None:
    code = src(
        """
        export const a = task({
          id: "a",
          retry: { maxAttempts: 3, outOfMemory: { machine: "large-3x" } }, /*>*/
          run: async () => {},
        });
        """
    )
    assert lines_of(lint(code, only="invalid-machine-preset")) == marked(code)


def test_machine_preset_in_the_config() -> None:
    code = (
        'import { defineConfig } from "@trigger.dev/sdk/v3";\n'
        "export default defineConfig({\n"
        '  project: "proj_x",\n'
        '  machine: "medium",\n'
        "  maxDuration: 60,\n"
        '  retries: { default: { outOfMemory: { machine: "bigger" } } },\n'
        "});\n"
    )
    findings = lint(code, only="invalid-machine-preset", path="trigger.config.ts")
    assert lines_of(findings) == [4, 6]


@pytest.mark.parametrize(
    "code",
    [
        one('machine: "large-2x"'),
        one('machine: { preset: "micro" }'),
        one("machine: preset"),
        one("machine: `${size}-1x`"),
        src('await pusher.trigger("channel", "event", { machine: "n1-standard" });\n'),
        'import { task } from "other-lib";\ntask({ machine: "n1-standard" });\n',
    ],
)
def test_machine_preset_silent(code: str) -> None:
    assert lint(code, only="invalid-machine-preset") == []


# --- max-duration-too-small ---------------------------------------------------------------


def test_max_duration_too_small_in_task_options() -> None:
    code = src(
        """
        export const a = task({
          id: "a",
          maxDuration: 3, /*>*/
          run: async () => {},
        });
        """
    )
    findings = lint(code, only="max-duration-too-small")
    assert lines_of(findings) == marked(code)
    # A warning: the 5-second minimum is documented in the types but nothing in the SDK or the
    # CLI enforces it (it was an error while the references said such values were rejected).
    assert findings[0].severity is Severity.WARNING
    assert "`maxDuration: 3`" in findings[0].message
    assert "documented minimum" in findings[0].message


def test_max_duration_too_small_in_trigger_options_and_config() -> None:
    code = src(
        """
        import { child } from "./child";
        await child.trigger({}, { maxDuration: 0 }); /*>*/
        await tasks.triggerAndWait<typeof child>("child", {}, { maxDuration: 4.5 }); /*>*/
        """
    )
    assert lines_of(lint(code, only="max-duration-too-small")) == marked(code)
    config = (
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "p", maxDuration: 1 });\n'
    )
    assert lines_of(lint(config, only="max-duration-too-small", path="trigger.config.ts")) == [2]


def test_max_duration_zero_in_the_config_is_left_to_config_missing_max_duration() -> None:
    config = (
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "p", maxDuration: 0 });\n'
    )
    assert lint(config, only="max-duration-too-small", path="trigger.config.ts") == []
    # ...but 0 in task options is still below the documented minimum.
    code = one("maxDuration: 0")
    assert len(lint(code, only="max-duration-too-small")) == 1


@pytest.mark.parametrize(
    "value", ["5", "3600", "timeout.None", "60 * 60", "MAX", "process.env.MAX ? 1 : 10"]
)
def test_max_duration_silent(value: str) -> None:
    code = one(f"maxDuration: {value}", IMPORT + 'import { timeout } from "@trigger.dev/sdk";\n')
    assert lint(code, only="max-duration-too-small") == []


def test_max_duration_ignores_other_libraries() -> None:
    code = 'import { task } from "gulp";\ntask({ maxDuration: 1 });\nfoo({ maxDuration: 1 });\n'
    assert lint(code, only="max-duration-too-small") == []


# --- queue-concurrency-deprecated ---------------------------------------------------------


def test_queue_concurrency_deprecated_with_fix() -> None:
    code = src(
        """
        export const a = task({
          id: "a",
          queue: { concurrencyLimit: 5 }, /*>*/
          run: async () => {},
        });
        """
    )
    findings = lint(code, only="queue-concurrency-deprecated", sdk="4.7.0")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.HINT
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    assert "concurrency: { total: 5 }," in fixed(code, "queue-concurrency-deprecated", sdk="4.7.0")


def test_queue_concurrency_deprecated_named_queue_has_no_fix() -> None:
    code = one('queue: { name: "q", concurrencyLimit: 2 }')
    findings = lint(code, only="queue-concurrency-deprecated")
    assert len(findings) == 1 and findings[0].fix is None


def test_queue_concurrency_deprecated_no_fix_when_concurrency_exists() -> None:
    code = one("concurrency: { perKey: 1 }, queue: { concurrencyLimit: 2 }")
    findings = lint(code, only="queue-concurrency-deprecated")
    assert len(findings) == 1 and findings[0].fix is None


def test_queue_concurrency_deprecated_in_shared_queue() -> None:
    code = src('export const shared = queue({ name: "shared", concurrencyLimit: 10 });\n')
    findings = lint(code, only="queue-concurrency-deprecated")
    assert lines_of(findings) == [2]
    assert "concurrencyLimit({ name, total })" in findings[0].message


@pytest.mark.parametrize("sdk", ["4.0.0", "4.6.4", "3.3.17"])
def test_queue_concurrency_silent_before_4_7(sdk: str) -> None:
    code = src(
        """
        export const shared = queue({ name: "shared", concurrencyLimit: 10 });
        export const a = task({ id: "a", queue: { concurrencyLimit: 5 }, run: async () => {} });
        """
    )
    assert lint(code, only="queue-concurrency-deprecated", sdk=sdk) == []


def test_queue_concurrency_silent_for_other_queues() -> None:
    code = (
        'import { queue } from "bullmq-helpers";\n'
        'import { task } from "@trigger.dev/sdk";\n'
        'const q = queue({ name: "x", concurrencyLimit: 2 });\n'
        'export const a = task({ id: "a", concurrency: { total: 5 }, run: async () => {} });\n'
    )
    assert lint(code, only="queue-concurrency-deprecated") == []


def test_sdk_import_helper_still_works() -> None:
    # The shared import line from helpers.py parses and resolves every name used above.
    code = SDK_IMPORT + 'export const a = task({ id: "a", machine: "xx", run: async () => {} });\n'
    assert rules_of(lint(code, only="invalid-machine-preset")) == ["invalid-machine-preset"]


def test_kept_findings_follow_a_fan_out_that_moved_in_another_file() -> None:
    """The editor keeps findings per task statement; a batch call that moved in another file
    (same task, same file, other line) must not leave its old line in the message."""
    from trigger_lsp.lint.engine import analyze
    from trigger_lsp.lint.settings import RuleSettings
    from trigger_lsp.lint.statements import StatementCache, analyze_statements, warm_step

    def caller(blank_lines: int) -> str:
        return (
            IMPORT
            + "\n" * blank_lines
            + 'export const go = () => tasks.batchTrigger("child", []);\n'
        )

    path, ctx = ROOT / "src/trigger/child.ts", default_context(ROOT)
    cache = StatementCache()
    for blanks in (0, 3):
        index = project_index({"src/trigger/child.ts": CHILD, "src/app/fan.ts": caller(blanks)})
        kept = analyze_statements(
            cache, CHILD.encode(), path, project=ctx, settings=RuleSettings(), index=index
        )
        while warm_step(cache, 1.0):  # keep the findings per statement, as the editor does
            pass
        fresh = analyze(CHILD.encode(), path, project=ctx, settings=RuleSettings(), index=index)
        assert comparable(kept.findings) == comparable(fresh.findings)
        (limit,) = [f for f in kept.findings if f.rule == "task-no-concurrency-limit"]
        assert f"at src/app/fan.ts:{2 + blanks}" in limit.message


@pytest.mark.parametrize(
    ("caller", "fires"),
    [
        # Every run goes to a queue its trigger options name: the queue bounds them.
        (
            'await tasks.batchTrigger("child", items.map((id) => ({ payload: { id }, options: { queue: "shop" } })));',
            False,
        ),
        (
            'await tasks.batchTrigger("child", [{ payload: { id: "1" }, options: { queue: { name: "q", concurrencyLimit: 1 } } }]);',
            False,
        ),
        (
            'for (const id of ids) { await tasks.trigger("child", { id }, { queue: "shop" }); }',
            False,
        ),
        # Some item, or the loop's trigger, names no queue: still fanned out.
        (
            'await tasks.batchTrigger("child", [{ payload: { id: "1" }, options: { queue: "q" } }, { payload: { id: "2" } }]);',
            True,
        ),
        ('for (const id of ids) { await tasks.trigger("child", { id }, { tags: ["x"] }); }', True),
    ],
)
def test_no_concurrency_limit_counts_no_fan_out_routed_to_queues(caller: str, fires: bool) -> None:
    other = IMPORT + f"export async function run(ids: string[], items: string[]) {{ {caller} }}\n"
    index = project_index({"src/trigger/child.ts": CHILD, "src/app/fan.ts": other})
    found = limit_findings(CHILD, path="src/trigger/child.ts", index=index)
    assert bool(found) is fires


PARENT = IMPORT + (
    'export const parent = task({ id: "parent", concurrency: { total: 5 }, run: async (p: { id: string }) => {\n'
    '  await tasks.triggerAndWait("child", { id: p.id }).unwrap();\n'
    "} });\n"
)


@pytest.mark.parametrize(
    ("caller", "fires"),
    [
        ('await tasks.batchTrigger("parent", ids.map((id) => ({ payload: { id } })));', True),
        ('for (const id of ids) { await tasks.trigger("parent", { id }); }', True),
        ('await tasks.trigger("parent", { id: ids[0] });', False),  # one run of the parent
    ],
)
def test_no_concurrency_limit_follows_a_fan_out_one_task_down(caller: str, fires: bool) -> None:
    """Every run of a fanned-out task that starts the child starts one child run: the child's
    runs start together too."""
    fan = IMPORT + f"export async function go(ids: string[]) {{ {caller} }}\n"
    index = project_index(
        {"src/trigger/child.ts": CHILD, "src/trigger/parent.ts": PARENT, "src/app/fan.ts": fan}
    )
    found = limit_findings(CHILD, path="src/trigger/child.ts", index=index)
    assert bool(found) is fires
    if fires:
        assert 'is started by every run of "parent", which is fanned out at src/app/fan.ts:2' in (
            found[0].message
        )


def test_no_concurrency_limit_ignores_a_task_that_triggers_itself() -> None:
    code = CHILD.replace("await save(p.id);", 'await child.trigger({ id: "again" });')
    index = project_index({"src/trigger/child.ts": code})
    assert limit_findings(code, path="src/trigger/child.ts", index=index) == []
