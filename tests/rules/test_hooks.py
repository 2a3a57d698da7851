"""Tests for the lifecycle-hook rules: v3 signatures, deprecated hooks, onComplete's result."""

from __future__ import annotations

import textwrap

import pytest

from helpers import fixed, lines_of, lint, marked
from trigger_lsp.knowledge.model import FixSafety, Severity

IMPORT = 'import { task, schemaTask, tasks, logger } from "@trigger.dev/sdk";\n'
V3_IMPORT = 'import { task, tasks } from "@trigger.dev/sdk/v3";\n'


def src(body: str, imports: str = IMPORT) -> str:
    return imports + textwrap.dedent(body).lstrip("\n")


def hooked(hooks: str, imports: str = IMPORT) -> str:
    """A task with the given hook options (one per line) and a v4 run."""
    lines = "".join(f"  {h},\n" for h in hooks.split("\n") if h.strip())
    return (
        imports
        + 'export const a = task({\n  id: "a",\n'
        + lines
        + "  run: async (payload, { ctx }) => {},\n});\n"
    )


# --- v3-hook-signature --------------------------------------------------------------------


def test_v3_signature_fires_on_two_parameters_with_a_fix() -> None:
    code = hooked("onSuccess: async (payload, { ctx }) => { logger.info(payload.id); } /*>*/")
    findings = lint(code, only="v3-hook-signature")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.ERROR
    assert "`onSuccess` takes 2 parameters" in findings[0].message
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE
    out = fixed(code, "v3-hook-signature")
    assert "onSuccess: async ({ payload, ctx }) => {" in out


def test_v3_signature_fix_keeps_positional_names() -> None:
    code = hooked(
        "onFailure: async (data, err, { ctx, task }) => {}\n"
        "onSuccess: async (p, output) => {}\n"
        "handleError: async (payload, error, params) => {}"
    )
    out = fixed(code, "v3-hook-signature")
    assert "onFailure: async ({ payload: data, error: err, ctx, task }) =>" in out
    assert "onSuccess: async ({ payload: p, output }) =>" in out
    assert "handleError: async ({ payload, error, ...params }) =>" in out


def test_v3_signature_fix_with_a_destructured_payload() -> None:
    code = hooked("onStart: async ({ userId }, { ctx }) => {}")
    assert "onStart: async ({ payload: { userId }, ctx }) =>" in fixed(code, "v3-hook-signature")


def test_v3_signature_typed_parameters_have_no_fix() -> None:
    code = hooked("onStart: async (payload: Payload, { ctx }: { ctx: Context }) => {}")
    findings = lint(code, only="v3-hook-signature")
    assert len(findings) == 1 and findings[0].fix is None


def test_v3_signature_on_methods_functions_and_middleware() -> None:
    code = hooked(
        "async onWait(payload, { wait }) {}\n"
        "onResume: async function (payload, params) {}\n"
        "middleware: async (payload, { ctx, next }) => { await next(); }\n"
        "cleanup: async (payload, { ctx }) => {}"
    )
    assert lines_of(lint(code, only="v3-hook-signature")) == [4, 5, 6, 7]


def test_v3_signature_payload_named_single_parameter() -> None:
    code = hooked("onFailure: async (payload) => { logger.error(payload.id); } /*>*/")
    findings = lint(code, only="v3-hook-signature")
    assert lines_of(findings) == marked(code)
    assert "named `payload`" in findings[0].message
    assert findings[0].fix is None


def test_v3_signature_global_hooks() -> None:
    code = src(
        """
        tasks.onSuccess(async (payload, { ctx }) => {}); /*>*/
        tasks.middleware("db", async (payload, { next }) => { await next(); }); /*>*/
        tasks.onFailure("alert", async (payload) => {}); /*>*/
        """
    )
    assert lines_of(lint(code, only="v3-hook-signature")) == marked(code)


@pytest.mark.parametrize(
    "hook",
    [
        "onSuccess: async ({ payload, output, ctx }) => {}",
        "onFailure: async (params) => { logger.error(params.ctx.run.id); }",
        "onStartAttempt: async ({ ctx }) => {}",
        "catchError: async ({ error, retry }) => undefined",
        "middleware: async ({ next }) => { await next(); }",
        "onComplete: async () => {}",
        "onSuccess: sharedOnSuccess",
        "onCancel: async ({ signal }: { signal: AbortSignal }) => {}",
    ],
)
def test_v3_signature_silent_on_v4_hooks(hook: str) -> None:
    assert lint(hooked(hook), only="v3-hook-signature") == []


def test_v3_signature_run_is_not_a_hook() -> None:
    code = src('export const a = task({ id: "a", run: async (payload, { ctx, signal }) => {} });\n')
    assert lint(code, only="v3-hook-signature") == []


def test_v3_signature_silent_on_3x() -> None:
    code = hooked("onSuccess: async (payload, { ctx }) => {}", V3_IMPORT)
    assert lint(code, only="v3-hook-signature", sdk="3.3.17") == []


def test_v3_signature_with_aliased_and_namespace_imports() -> None:
    aliased = (
        'import { task as job, tasks as all } from "@trigger.dev/sdk";\n'
        'export const a = job({ id: "a", onSuccess: async (p, { ctx }) => {}, run });\n'
        "all.onFailure(async (p, { ctx }) => {});\n"
    )
    namespace = (
        'import * as sdk from "@trigger.dev/sdk";\n'
        'export const a = sdk.task({ id: "a", onSuccess: async (p, x) => {}, run });\n'
    )
    assert lines_of(lint(aliased, only="v3-hook-signature")) == [2, 3]
    assert lines_of(lint(namespace, only="v3-hook-signature")) == [2]


def test_v3_signature_ignores_other_libraries() -> None:
    code = (
        'import { task } from "other-queue";\n'
        'import { tasks } from "./registry";\n'
        'export const a = task({ id: "a", onSuccess: async (job, result) => {} });\n'
        "tasks.onSuccess(async (job, result) => {});\n"
    )
    assert lint(code, only="v3-hook-signature") == []


# --- deprecated-hook ----------------------------------------------------------------------


def test_deprecated_handle_error_with_a_safe_rename() -> None:
    code = hooked("handleError: async ({ error }) => ({ skipRetrying: true }) /*>*/")
    findings = lint(code, only="deprecated-hook")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.HINT
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.SAFE
    out = fixed(code, "deprecated-hook", allowed={FixSafety.SAFE})
    assert "  catchError: async ({ error }) =>" in out


def test_deprecated_handle_error_shorthand_and_method() -> None:
    code = src(
        """
        const handleError = async () => undefined;
        export const a = task({ id: "a", handleError, run: async () => {} });
        export const b = task({ id: "b", async handleError() {}, run: async () => {} });
        """
    )
    out = fixed(code, "deprecated-hook")
    assert 'id: "a", catchError: handleError, run' in out
    assert 'id: "b", async catchError() {}, run' in out


def test_deprecated_handle_error_without_fix_when_catch_error_exists() -> None:
    code = hooked("catchError: async () => undefined\nhandleError: async () => undefined")
    findings = lint(code, only="deprecated-hook")
    assert len(findings) == 1 and findings[0].fix is None


def test_deprecated_global_handle_error() -> None:
    code = src("tasks.handleError(async ({ error }) => undefined);\n")
    out = fixed(code, "deprecated-hook")
    assert "tasks.catchError(async" in out


def test_deprecated_init_cleanup_and_on_start() -> None:
    code = hooked(
        "init: async () => ({ db: connect() })\n"
        "cleanup: async () => {}\n"
        "onStart: async ({ ctx }) => {}"
    )
    findings = lint(code, only="deprecated-hook")
    assert lines_of(findings) == [4, 5, 6]
    assert "middleware" in findings[0].message and "locals" in findings[0].message
    assert "middleware" in findings[1].message
    assert "onStartAttempt" in findings[2].message
    assert all(f.fix is None for f in findings)


def test_deprecated_global_on_start() -> None:
    code = src('tasks.onStart("audit", async ({ ctx }) => {});\n')
    findings = lint(code, only="deprecated-hook")
    assert lines_of(findings) == [2] and findings[0].fix is None


def test_deprecated_on_start_only_from_4_1() -> None:
    code = hooked("onStart: async ({ ctx }) => {} /*>*/")
    assert lint(code, only="deprecated-hook", sdk="4.0.5") == []
    assert lines_of(lint(code, only="deprecated-hook", sdk="4.1.0")) == marked(code)


def test_deprecated_handle_error_already_on_4_0() -> None:
    code = hooked("handleError: async () => undefined /*>*/")
    assert lines_of(lint(code, only="deprecated-hook", sdk="4.0.0")) == marked(code)


def test_deprecated_hooks_silent_on_3x() -> None:
    code = hooked(
        "handleError: async (payload, error, { ctx }) => undefined\n"
        "init: async (payload) => ({})\n"
        "onStart: async (payload, { ctx }) => {}",
        V3_IMPORT,
    )
    assert lint(code, only="deprecated-hook", sdk="3.3.17") == []


@pytest.mark.parametrize(
    "hook",
    [
        "catchError: async () => undefined",
        "onStartAttempt: async ({ ctx }) => {}",
        "middleware: async ({ next }) => { await next(); }",
    ],
)
def test_deprecated_silent_on_current_hooks(hook: str) -> None:
    assert lint(hooked(hook), only="deprecated-hook") == []


def test_deprecated_ignores_look_alikes() -> None:
    code = src(
        """
        const server = { onStart: () => {}, handleError: () => {} };
        export const a = task({ id: "a", run: async () => { const x = { init: 1 }; } });
        """
    )
    assert lint(code, only="deprecated-hook") == []


# --- oncomplete-result-output -------------------------------------------------------------


def test_oncomplete_result_output_with_a_safe_fix() -> None:
    code = hooked(
        "onComplete: async ({ result }) => { if (result.ok) await save(result.output); } /*>*/"
    )
    findings = lint(code, only="oncomplete-result-output")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.ERROR
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.SAFE
    out = fixed(code, "oncomplete-result-output", allowed={FixSafety.SAFE})
    assert "await save(result.data);" in out


def test_oncomplete_renamed_result_and_params_object() -> None:
    code = hooked(
        "onComplete: async ({ result: r }) => { log(r?.output); }\n"
        "onSuccess: async ({ output }) => {}"
    )
    assert "log(r?.data)" in fixed(code, "oncomplete-result-output")
    params = src("tasks.onComplete(async (params) => { notify(params.result.output); });\n")
    assert "params.result.data" in fixed(params, "oncomplete-result-output")


def test_oncomplete_destructured_output() -> None:
    code = hooked("onComplete: async ({ output, ctx }) => { await save(output); } /*>*/")
    findings = lint(code, only="oncomplete-result-output")
    assert lines_of(findings) == marked(code)
    assert "receives no `output`" in findings[0].message
    assert findings[0].fix is None


def test_oncomplete_nested_and_body_destructuring() -> None:
    code = src(
        """
        export const a = task({
          id: "a",
          onComplete: async ({ result: { ok, output } }) => {}, /*>*/
          run: async () => {},
        });
        export const b = task({
          id: "b",
          async onComplete({ result }) {
            const { output } = result; /*>*/
          },
          run: async () => {},
        });
        """
    )
    assert lines_of(lint(code, only="oncomplete-result-output")) == marked(code)


def test_oncomplete_params_output() -> None:
    code = src("tasks.onComplete(async (params) => { notify(params.output); });\n")
    findings = lint(code, only="oncomplete-result-output")
    assert len(findings) == 1 and findings[0].fix is None


@pytest.mark.parametrize(
    "hook",
    [
        "onComplete: async ({ result }) => { if (result.ok) save(result.data); }",
        "onComplete: async ({ result, payload }) => { save(payload.output); }",
        "onSuccess: async ({ output }) => { save(output); }",
        "onSuccess: async ({ result }) => { save(result.output); }",
        "onComplete: async ({ result }) => { const r = await other(); save(r.output); }",
    ],
)
def test_oncomplete_silent_on_correct_code(hook: str) -> None:
    assert lint(hooked(hook), only="oncomplete-result-output") == []


def test_oncomplete_silent_outside_hooks() -> None:
    code = src(
        """
        const handlers = { onComplete: async ({ result }) => result.output };
        export const a = task({
          id: "a",
          run: async () => {
            const result = await x();
            return result.output;
          },
        });
        """
    )
    assert lint(code, only="oncomplete-result-output") == []


def test_oncomplete_silent_on_3x() -> None:
    code = hooked("onComplete: async ({ result }) => { save(result.output); }", V3_IMPORT)
    assert lint(code, only="oncomplete-result-output", sdk="3.3.17") == []
