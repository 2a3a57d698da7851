"""The project's installed @trigger.dev/sdk read from its declaration files (issue 15 item 5):
`deprecated-api`, machine presets from the installed union, and completion of the keys and
values that version has. The fixture project holds a small fake SDK and core in node_modules,
with deprecations the references do not list (`logger.trace`, `priorityHint`, `turnLimit`,
`labels`, ...) and a machine preset (`huge-8x`) no real version has."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from helpers import lines_of, lint, marked, rules_of
from trigger_lsp.project.context import ProjectContext, ProjectResolver
from trigger_lsp.project.installed_sdk import (
    Declarations,
    declarations,
    deprecation_text,
    find_installed,
    option_keys,
    option_values,
)

SDK_FILES = {
    "package.json": json.dumps(
        {
            "name": "@trigger.dev/sdk",
            "version": "4.9.0",
            "exports": {
                ".": {"import": {"types": "./dist/index.d.ts", "default": "./dist/index.js"}},
                "./ai": {"import": {"types": "./dist/ai.d.ts", "default": "./dist/ai.js"}},
            },
        }
    ),
    "dist/index.d.ts": """
        export * from "./tasks.js";
        export * as queues from "./queues.js";
        export { logger } from "@trigger.dev/core/v3";
        export { defineConfig } from "./config.js";
    """,
    "dist/tasks.d.ts": """
        import type { TaskOptions, TriggerOptions } from "@trigger.dev/core/v3";
        import { onStartAttempt } from "./hooks.js";
        declare function createTask<T extends string>(params: TaskOptions<T>): unknown;
        /** @deprecated Use `schemaTask` instead. */
        declare function createToolTask(params: TaskOptions<string> & { parameters: unknown }): unknown;
        export declare const task: typeof createTask;
        export declare const toolTask: typeof createToolTask;
        export declare const tasks: {
            trigger: (id: string, payload: unknown, options?: TriggerOptions) => Promise<unknown>;
            /** @deprecated Use `tasks.onStartAttempt` instead. */
            onStart: typeof onStartAttempt;
            onStartAttempt: typeof onStartAttempt;
            /**
             * Sends a ping.
             * @deprecated Use `tasks.trigger` with a delay instead;
             *   this goes away in 5.0.
             * @see elsewhere
             */
            ping: () => void;
        };
    """,
    "dist/hooks.d.ts": "export declare function onStartAttempt(fn: () => void): void;\n",
    "dist/queues.d.ts": """
        /** @deprecated */
        export declare function legacyLimit(name: string): void;
        export declare function list(): void;
    """,
    "dist/config.d.ts": """
        import type { TriggerConfig } from "@trigger.dev/core/v3";
        export declare function defineConfig(config: TriggerConfig): TriggerConfig;
    """,
    "dist/ai.d.ts": """
        declare function chatAgent(options: {
            id: string;
            run: () => Promise<unknown>;
            /** @deprecated Use `maxTurns` instead. */
            turnLimit?: number;
            maxTurns?: number;
        }): unknown;
        export declare const chat: { agent: typeof chatAgent };
    """,
}

CORE_FILES = {
    "package.json": json.dumps(
        {
            "name": "@trigger.dev/core",
            "version": "4.9.0",
            "exports": {"./v3": {"import": {"types": "./dist/v3/index.d.ts"}}},
        }
    ),
    "dist/v3/index.d.ts": 'export * from "./types.js";\nexport * from "./logger.js";\n',
    "dist/v3/types.d.ts": """
        import { z } from "zod";
        export declare const MachinePresetName: z.ZodEnum<{
            "small-1x": "small-1x";
            "huge-8x": "huge-8x";
        }>;
        export type MachinePresetName = z.infer<typeof MachinePresetName>;
        type CommonTaskOptions<T extends string> = {
            id: T;
            run: (payload: unknown) => Promise<unknown>;
            machine?: MachinePresetName | {
                preset?: MachinePresetName;
                /** @deprecated use preset instead */
                cpu?: number;
            };
            retry?: { maxAttempts?: number };
            queue?: string | {
                name?: string;
                /** @deprecated Use `concurrency` on the task instead. */
                concurrencyLimit?: number;
            };
            /** @deprecated Use `priority` instead. */
            priorityHint?: number;
            priority?: number;
            /** @deprecated Use catchError instead */
            handleError?: () => void;
        };
        export type TaskOptions<T extends string> = CommonTaskOptions<T>;
        export type TriggerOptions = {
            delay?: string;
            machine?: MachinePresetName;
            /** @deprecated (use tags instead) */
            labels?: string[];
        };
        export type LogLevel = "none" | "error" | "info";
        export type TriggerConfig = {
            project: string;
            logLevel?: LogLevel;
            /** @deprecated Use `dirs` instead */
            triggerDirectories?: string[];
            dirs?: string[];
            build?: {
                /** @deprecated (use minify instead) */
                experimental_minify?: boolean;
                minify?: boolean;
            };
        };
    """,
    "dist/v3/logger.d.ts": """
        export declare const logger: {
            info(message: string): void;
            /** @deprecated Use `logger.debug` instead. */
            trace(message: string): void;
            debug(message: string): void;
        };
    """,
}


def write_project(root: Path, sdk: dict[str, str] | None = SDK_FILES) -> Path:
    files = {
        "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.9.0"}}\n',
        "trigger.config.ts": 'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"], '
        "maxDuration: 300 });\n",
    }
    if sdk is not None:
        files.update({f"node_modules/@trigger.dev/sdk/{k}": v for k, v in sdk.items()})
        files.update({f"node_modules/@trigger.dev/core/{k}": v for k, v in CORE_FILES.items()})
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"))
    return root


@pytest.fixture
def project(tmp_path: Path) -> ProjectContext:
    root = write_project(tmp_path / "with")
    return ProjectResolver().context_for(root / "src/trigger/example.ts")


@pytest.fixture
def bare(tmp_path: Path) -> ProjectContext:
    root = write_project(tmp_path / "without", sdk=None)
    return ProjectResolver().context_for(root / "src/trigger/example.ts")


def run(code: str, project: ProjectContext, rule: str, path: str = "src/trigger/example.ts"):  # type: ignore[no-untyped-def]
    return lint(code, only=rule, project=project, path=path)


USES = """
    import { task, toolTask, tasks, logger, queues } from "@trigger.dev/sdk";
    import { chat } from "@trigger.dev/sdk/ai";
    export const a = task({
      id: "a",
      priorityHint: 2,
      run: async () => {
        logger.trace("x");
        tasks.ping();
        queues.legacyLimit("q");
        await tasks.trigger("a", {}, { labels: ["x"], delay: "1m" });
      },
    });
    export const b = toolTask({ id: "b", parameters: {}, run: async () => { logger.info("b"); } });
    export const c = chat.agent({ id: "c", turnLimit: 3, run: async () => {} });
"""


# --- deprecated-api: must fire -----------------------------------------------------------------


def test_deprecated_members_and_keys_of_the_installed_sdk(project: ProjectContext) -> None:
    findings = run(USES, project, "deprecated-api")
    assert lines_of(findings) == [5, 7, 8, 9, 10, 13, 14]
    by_line = {f.start[0] + 1: f.message for f in findings}
    assert by_line[5] == (
        "`priorityHint` in the options of `task` is deprecated in the installed "
        "@trigger.dev/sdk 4.9.0: Use `priority` instead. "
        "(@trigger.dev/core/dist/v3/types.d.ts:22)"
    )
    assert "`logger.trace` is deprecated" in by_line[7] and "`logger.debug`" in by_line[7]
    # The tag's text up to the next tag, on several lines.
    assert "Use `tasks.trigger` with a delay instead; this goes away in 5.0." in by_line[8]
    assert "@see" not in by_line[8]
    # A bare `@deprecated`: no replacement to quote.
    assert "`queues.legacyLimit`" in by_line[9] and "names no replacement" in by_line[9]
    assert "`labels` in the options of `tasks.trigger`" in by_line[10]
    assert "use tags instead" in by_line[10]
    assert "`toolTask` is deprecated" in by_line[13] and "`schemaTask`" in by_line[13]
    assert "`turnLimit` in the options of `chat.agent`" in by_line[14]
    assert all(f.severity.value == "hint" for f in findings)


def test_nested_config_keys(project: ProjectContext) -> None:
    code = """
        import { defineConfig } from "@trigger.dev/sdk";
        export default defineConfig({
          project: "proj_x",
          triggerDirectories: ["./src/trigger"], /*>*/
          build: { experimental_minify: true, minify: true }, /*>*/
          maxDuration: 300,
        });
    """
    findings = run(code, project, "deprecated-api", path="trigger.config.ts")
    assert lines_of(findings) == marked(code)
    assert "`build.experimental_minify` in the options of `defineConfig`" in findings[1].message
    assert "use minify instead" in findings[1].message


def test_aliases_resolve_to_the_sdk_member(project: ProjectContext) -> None:
    code = """
        import { logger as log } from "@trigger.dev/sdk";
        import * as sdk from "@trigger.dev/sdk";
        log.trace("x"); /*>*/
        sdk.logger.trace("y"); /*>*/
    """
    assert lines_of(run(code, project, "deprecated-api")) == marked(code)


# --- deprecated-api: must not fire -------------------------------------------------------------


def test_silent_without_an_installed_sdk(bare: ProjectContext) -> None:
    assert bare.installed_sdk is None
    assert run(USES, bare, "deprecated-api") == []


def test_silent_on_what_is_not_deprecated_or_not_the_sdk(project: ProjectContext) -> None:
    code = """
        import { task, tasks, logger } from "@trigger.dev/sdk";
        import { toolTask } from "./local";
        const queues = { legacyLimit: (q: string) => q };
        export const a = task({
          id: "a",
          priority: 1,
          run: async () => {
            logger.info("x");
            logger.debug("y");
            queues.legacyLimit("q");
            await tasks.trigger("a", {}, { delay: "1m" });
            const opts = { labels: ["x"] };
            await tasks.trigger("a", {}, opts);
          },
        });
        export const b = toolTask({ id: "b", run: async () => {} });
    """
    assert run(code, project, "deprecated-api") == []


def test_silent_where_another_rule_reports_it(project: ProjectContext) -> None:
    """`tasks.onStart`, `handleError`, `queue.concurrencyLimit` and `machine.cpu` are the
    hand-written rules' (the `covered` list of validations.md)."""
    code = """
        import { task, tasks, logger } from "@trigger.dev/sdk";
        tasks.onStart(() => {});
        export const a = task({
          id: "a",
          handleError: () => {},
          queue: { concurrencyLimit: 1 },
          machine: { cpu: 2 },
          run: async () => { logger.info("x"); },
        });
    """
    findings = lint(code, project=project)
    assert "deprecated-api" not in rules_of(findings)
    assert {"deprecated-hook", "queue-concurrency-deprecated", "invalid-machine-preset"} <= set(
        rules_of(findings)
    )


@pytest.mark.parametrize(
    "broken",
    [
        {**SDK_FILES, "package.json": '{"name": "@trigger.dev/sdk", "version": "4.9.0"}'},
        {k: v for k, v in SDK_FILES.items() if k != "dist/tasks.d.ts"},
        {**SDK_FILES, "dist/tasks.d.ts": "export declare const task: typeof createTask; {{{ ((("},
    ],
    ids=["no-exports", "missing-file", "garbled"],
)
def test_silent_when_the_declarations_cannot_be_read(
    tmp_path: Path, broken: dict[str, str]
) -> None:
    root = write_project(tmp_path, sdk=broken)
    project = ProjectResolver().context_for(root / "src/trigger/example.ts")
    assert project.installed_sdk is not None
    code = """
        import { task, toolTask, tasks } from "@trigger.dev/sdk";
        export const b = toolTask({ id: "b", priorityHint: 1, run: async () => {} });
        tasks.ping();
    """
    assert run(code, project, "deprecated-api") == []


def test_a_declaration_over_the_size_limit_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trigger_lsp.project.installed_sdk as installed

    monkeypatch.setattr(installed, "MAX_DECLARATION_BYTES", 200)
    root = write_project(tmp_path)
    project = ProjectResolver().context_for(root / "src/trigger/example.ts")
    code = 'import { toolTask } from "@trigger.dev/sdk";\ntoolTask({ id: "b", run: async () => {} });\n'
    assert run(code, project, "deprecated-api") == []


# --- values and keys from the installed SDK ----------------------------------------------------


def test_machine_presets_come_from_the_installed_union(
    project: ProjectContext, bare: ProjectContext
) -> None:
    code = """
        import { task, logger } from "@trigger.dev/sdk";
        export const a = task({ id: "a", machine: "huge-8x", run: async () => { logger.info("x"); } });
        export const b = task({ id: "b", machine: "large-2x", run: async () => { logger.info("x"); } });
        export const c = task({ id: "c", machine: "huge-9x", run: async () => { logger.info("x"); } });
    """
    installed = run(code, project, "invalid-machine-preset")
    assert lines_of(installed) == [3, 4]
    assert installed[0].message == (
        '"large-2x" is not a machine preset of the installed @trigger.dev/sdk 4.9.0; '
        "use one of huge-8x, small-1x."
    )
    assert 'Did you mean "huge-8x"?' in installed[1].message
    # Without the installed SDK the references answer: huge-8x is unknown, large-2x fine.
    assert lines_of(run(code, bare, "invalid-machine-preset")) == [2, 4]


def test_option_keys_and_values(project: ProjectContext, bare: ProjectContext) -> None:
    sdk = project.installed_sdk
    keys = option_keys(sdk, "task")
    assert keys is not None and "priority" in keys and "ttl" not in keys
    assert option_keys(sdk, None, "queue") == frozenset({"name", "concurrencyLimit"})
    assert option_keys(sdk, "chat.agent") == frozenset({"id", "run", "turnLimit", "maxTurns"})
    assert option_values(sdk, "machine") == frozenset({"small-1x", "huge-8x"})
    assert option_values(sdk, "logLevel") == frozenset({"none", "error", "info"})
    assert option_values(sdk, "runtime") is None  # the fake config has no runtime
    assert option_keys(bare.installed_sdk, "task") is None
    assert option_values(bare.installed_sdk, "machine") is None


def test_a_linked_node_modules_is_read(tmp_path: Path) -> None:
    """node_modules as a link to a folder elsewhere (a shared install, the VS Code test's
    workspace): the relative imports of the SDK's declarations are followed there too."""
    real = write_project(tmp_path / "real")
    linked = write_project(tmp_path / "linked", sdk=None)
    (linked / "node_modules").symlink_to(real / "node_modules", target_is_directory=True)
    sdk = ProjectResolver().context_for(linked / "src/trigger/example.ts").installed_sdk
    assert sdk is not None
    assert option_values(sdk, "machine") == frozenset({"small-1x", "huge-8x"})
    keys = option_keys(sdk, "task")
    assert keys is not None and "priority" in keys and "ttl" not in keys


def test_a_type_not_wholly_read_gives_no_key_list(tmp_path: Path) -> None:
    """Keys of a type this reader does not follow (here an index signature) may exist: no
    list, so completion keeps offering the references' keys."""
    core = CORE_FILES["dist/v3/types.d.ts"].replace(
        "priority?: number;", "priority?: number;\n[extra: string]: unknown;"
    )
    root = write_project(tmp_path)
    (root / "node_modules/@trigger.dev/core/dist/v3/types.d.ts").write_text(textwrap.dedent(core))
    sdk = find_installed(root / "src")
    assert option_keys(sdk, "task") is None


# --- reading and caching -----------------------------------------------------------------------


def test_deprecation_text() -> None:
    assert deprecation_text("/** @deprecated Use `x` instead */") == "Use `x` instead"
    assert deprecation_text("/**\n * @deprecated, please use y\n */") == "please use y"
    assert deprecation_text("/** @deprecated (use z instead) */") == "use z instead"
    assert deprecation_text("/** @deprecated */") == ""
    assert deprecation_text("/** Plain. */") is None


def test_found_as_node_resolves_and_kept_per_install(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    nested = root / "src" / "trigger" / "deep"
    nested.mkdir(parents=True)
    sdk = find_installed(nested)
    assert sdk is not None and sdk.version == "4.9.0"
    assert sdk.directory == root / "node_modules/@trigger.dev/sdk"
    first = declarations(sdk)
    assert isinstance(first, Declarations) and declarations(sdk) is first
    # A reinstall (a new package.json) is read afresh.
    manifest = sdk.directory / "package.json"
    os.utime(manifest, ns=(sdk.mtime_ns + 10**9, sdk.mtime_ns + 10**9))
    again = find_installed(nested)
    assert again is not None and again != sdk and declarations(again) is not first


def test_reads_only_the_files_a_question_needs(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    found = declarations(find_installed(root))
    assert found is not None
    assert found.deprecation("queues.legacyLimit") is not None
    # index.d.ts and queues.d.ts; tasks.d.ts, hooks, config, ai and core are not parsed.
    assert found.files_read == 2


def test_a_relative_module_outside_node_modules_is_not_read(tmp_path: Path) -> None:
    """A declaration file names modules; one that climbs out of node_modules is not followed."""
    outside = tmp_path / "outside.d.ts"
    outside.write_text("/** @deprecated Use y. */\nexport declare function sneaky(): void;\n")
    sdk = {**SDK_FILES, "dist/index.d.ts": 'export * from "../../../../../outside.js";\n'}
    root = write_project(tmp_path / "app", sdk=sdk)
    assert (root / "node_modules/@trigger.dev/sdk/dist/../../../../../outside.d.ts").resolve() == (
        outside
    )
    found = declarations(find_installed(root))
    assert found is not None and found.deprecation("sneaky") is None
