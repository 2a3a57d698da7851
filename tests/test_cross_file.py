"""Findings that need other files of the project (issue 13, item 5): task-no-logging follows a
run's calls into imported helpers; duplicate-task-id and trigger-config-not-found know which
files the Trigger.dev CLI loads; task-missing-id takes an imported constant for a literal.

Each case is a small project written to disk and checked the way `trigger-lsp check` does
(cli/runner.py: one pass against the speculative index, then the re-checks), and once more
against the complete index (every file indexed first), which must agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import grammar_for, parse
from trigger_lsp.cli.runner import CheckOptions, check_paths
from trigger_lsp.lint.engine import analyze
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.discovery import discover
from trigger_lsp.project.globs import matches as glob_matches
from trigger_lsp.project.index import ProjectIndex, entries_for
from trigger_lsp.project.modules import jsonc_loads, module_facts

SDK = 'import { logger, task } from "@trigger.dev/sdk";\n'
PACKAGE = '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n'


def config(extra: str = "") -> str:
    return (
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"],'
        f" maxDuration: 60{extra} }});\n"
    )


def quiet_task(var: str, task_id: str, body: str = "", head: str = "") -> str:
    """A task whose only possible finding of interest is the one under test."""
    return (
        SDK
        + head
        + f'export const {var} = task({{ id: "{task_id}", concurrency: {{ total: 1 }},\n'
        + f"  retry: {{ maxAttempts: 2 }}, run: async (p: {{ n: number }}) => {{ {body} }} }});\n"
    )


def write(root: Path, files: dict[str, str], with_config: bool = True) -> Path:
    base = {"package.json": PACKAGE}
    if with_config:
        base["trigger.config.ts"] = config()
    for name, text in {**base, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def check(root: Path) -> dict[str, list[tuple[str, int]]]:
    """(rule, line) of each finding per file (relative path), as the CLI reports them; also
    checks that a check against the complete index gives the same."""
    outcomes = check_paths([root], CheckOptions({}), jobs=1)
    got: dict[str, list[tuple[str, int]]] = {}
    for o in outcomes:
        assert not o.errors, o.errors
        got[o.path.relative_to(root).as_posix()] = sorted(
            (loc.finding.rule, loc.line) for loc in o.located
        )
    assert got == _against_complete_index(root)
    return got


def _against_complete_index(root: Path) -> dict[str, list[tuple[str, int]]]:
    resolver = ProjectResolver(frozenset({"all"}))
    files = [f for f in discover([root], resolver) if f.suffix != ".json"]
    index = ProjectIndex()
    for f in files:
        grammar = grammar_for(f)
        model = build_model(parse(f.read_bytes(), grammar), grammar)
        project = resolver.context_for(f)
        index.update(f, entries_for(model, f, project.root), module=module_facts(model, f, project))
    index.complete = True
    out = {}
    for f in files:
        project = resolver.context_for(f)
        settings = RuleSettings().layered(project.lint.rules, {})
        result = analyze(f.read_bytes(), f, project=project, settings=settings, index=index)
        out[f.relative_to(root).as_posix()] = sorted(
            (x.rule, x.start[0] + 1) for x in result.findings
        )
    manifests = [f for f in discover([root], resolver) if f.suffix == ".json"]
    for f in manifests:
        out[f.relative_to(root).as_posix()] = []
    return out


def rules_in(found: dict[str, list[tuple[str, int]]], name: str) -> list[str]:
    return [rule for rule, _ in found[name]]


# --- task-no-logging: helpers imported from other files ---------------------------------------

LOGGING_HELPER = 'import { logger } from "@trigger.dev/sdk";\n' + (
    'export async function notify(n: number) { logger.info("notify", { n }); }\n'
)
SILENT_HELPER = "export async function notify(n: number) { return n * 2; }\n"
RUN_CALLS_NOTIFY = "await notify(p.n);"


@pytest.mark.parametrize(
    ("specifier", "files"),
    [
        ("../lib/notify", {"src/lib/notify.ts": LOGGING_HELPER}),
        # TypeScript's ESM style: the import names the emitted `.js` file.
        ("../lib/notify.js", {"src/lib/notify.ts": LOGGING_HELPER}),
        # a folder's index file
        ("../lib", {"src/lib/index.ts": LOGGING_HELPER}),
        # a re-export, then a star re-export
        (
            "../lib",
            {
                "src/lib/index.ts": 'export { notify } from "./notify";\n',
                "src/lib/notify.ts": LOGGING_HELPER,
            },
        ),
        (
            "../lib",
            {
                "src/lib/index.ts": 'export * from "./notify";\n',
                "src/lib/notify.ts": LOGGING_HELPER,
            },
        ),
        # renamed on the way: `export { report as notify }`
        (
            "../lib",
            {
                "src/lib/index.ts": 'export { report as notify } from "./report";\n',
                "src/lib/report.ts": LOGGING_HELPER.replace("notify(", "report("),
            },
        ),
        # the helper logs through a helper of its own file, with console
        (
            "../lib/notify",
            {
                "src/lib/notify.ts": (
                    "function say(m: string) { console.log(m); }\n"
                    'export const notify = async (n: number) => { say("n=" + n); };\n'
                )
            },
        ),
        # two files deep: the helper calls an imported helper that logs
        (
            "../lib/notify",
            {
                "src/lib/notify.ts": (
                    'import { audit } from "./audit";\n'
                    "export async function notify(n: number) { await audit(n); }\n"
                ),
                "src/lib/audit.ts": LOGGING_HELPER.replace("notify(", "audit("),
            },
        ),
        # `@/` without a tsconfig: the project's src folder
        ("@/lib/notify", {"src/lib/notify.ts": LOGGING_HELPER}),
    ],
)
def test_no_logging_is_quiet_when_an_imported_helper_logs(
    tmp_path: Path, specifier: str, files: dict[str, str]
) -> None:
    head = f'import {{ notify }} from "{specifier}";\n'
    root = write(
        tmp_path, {"src/trigger/job.ts": quiet_task("job", "job", RUN_CALLS_NOTIFY, head), **files}
    )
    found = check(root)
    assert "task-no-logging" not in rules_in(found, "src/trigger/job.ts")


def test_no_logging_fires_when_the_imported_helper_is_indexed_and_silent(tmp_path: Path) -> None:
    head = 'import { notify } from "../lib/notify";\n'
    root = write(
        tmp_path,
        {
            "src/trigger/job.ts": quiet_task("job", "job", RUN_CALLS_NOTIFY, head),
            "src/lib/notify.ts": SILENT_HELPER,
        },
    )
    assert check(root)["src/trigger/job.ts"] == [("task-no-logging", 3)]


def test_no_logging_fires_through_a_reexport_of_a_silent_helper(tmp_path: Path) -> None:
    head = 'import * as lib from "../lib";\n'
    root = write(
        tmp_path,
        {
            "src/trigger/job.ts": quiet_task("job", "job", "await lib.notify(p.n);", head),
            "src/lib/index.ts": 'export * from "./notify";\n',
            "src/lib/notify.ts": SILENT_HELPER,
        },
    )
    assert check(root)["src/trigger/job.ts"] == [("task-no-logging", 3)]


def test_no_logging_counts_node_builtins_as_silent(tmp_path: Path) -> None:
    head = 'import { readFile } from "node:fs/promises";\nimport { notify } from "../lib/notify";\n'
    body = 'await readFile("x"); await notify(p.n);'
    root = write(
        tmp_path,
        {
            "src/trigger/job.ts": quiet_task("job", "job", body, head),
            "src/lib/notify.ts": SILENT_HELPER,
        },
    )
    assert check(root)["src/trigger/job.ts"] == [("task-no-logging", 4)]


def test_no_logging_is_quiet_on_a_namespace_import_whose_member_logs(tmp_path: Path) -> None:
    head = 'import * as lib from "../lib/notify";\n'
    root = write(
        tmp_path,
        {
            "src/trigger/job.ts": quiet_task("job", "job", "await lib.notify(p.n);", head),
            "src/lib/notify.ts": LOGGING_HELPER,
        },
    )
    assert "task-no-logging" not in rules_in(check(root), "src/trigger/job.ts")


def test_no_logging_follows_a_default_export(tmp_path: Path) -> None:
    head = 'import notify from "../lib/notify";\n'
    helper = LOGGING_HELPER.replace("export async function", "export default async function")
    root = write(
        tmp_path,
        {
            "src/trigger/job.ts": quiet_task("job", "job", RUN_CALLS_NOTIFY, head),
            "src/lib/notify.ts": helper,
        },
    )
    assert "task-no-logging" not in rules_in(check(root), "src/trigger/job.ts")


def test_no_logging_follows_a_local_helper_into_an_imported_one(tmp_path: Path) -> None:
    head = (
        'import { notify } from "../lib/notify";\n'
        "async function step(n: number) { await notify(n); }\n"
    )
    root = write(
        tmp_path,
        {
            "src/trigger/job.ts": quiet_task("job", "job", "await step(p.n);", head),
            "src/lib/notify.ts": LOGGING_HELPER,
        },
    )
    assert "task-no-logging" not in rules_in(check(root), "src/trigger/job.ts")


@pytest.mark.parametrize(
    ("head", "files"),
    [
        # a package: the index cannot read it
        ('import { processOrder as notify } from "@acme/orders";\n', {}),
        # a project file the index does not hold (node_modules is never indexed)
        (
            'import { notify } from "../node_modules/helpers/notify";\n',
            {"src/node_modules/helpers/notify.ts": SILENT_HELPER},
        ),
        # a name the indexed file does not export as a function (a class instance, say)
        (
            'import { notify } from "../lib/notify";\n',
            {"src/lib/notify.ts": "export const notify = makeNotifier();\n"},
        ),
    ],
)
def test_no_logging_is_quiet_when_the_helper_is_unknown(
    tmp_path: Path, head: str, files: dict[str, str]
) -> None:
    root = write(
        tmp_path, {"src/trigger/job.ts": quiet_task("job", "job", RUN_CALLS_NOTIFY, head), **files}
    )
    assert "task-no-logging" not in rules_in(check(root), "src/trigger/job.ts")


def test_no_logging_reads_tsconfig_paths(tmp_path: Path) -> None:
    tsconfig = """{
      // comments and trailing commas, as TypeScript allows
      "compilerOptions": {
        "baseUrl": ".",
        "paths": { "#lib/*": ["./packages/lib/*"], /* an alias */ },
      },
    }"""
    root = write(
        tmp_path,
        {
            "tsconfig.json": tsconfig,
            "src/trigger/loud.ts": quiet_task(
                "loud", "loud", RUN_CALLS_NOTIFY, 'import { notify } from "#lib/loud";\n'
            ),
            "src/trigger/silent.ts": quiet_task(
                "silent", "silent", RUN_CALLS_NOTIFY, 'import { notify } from "#lib/silent";\n'
            ),
            "packages/lib/loud.ts": LOGGING_HELPER,
            "packages/lib/silent.ts": SILENT_HELPER,
        },
    )
    found = check(root)
    assert "task-no-logging" not in rules_in(found, "src/trigger/loud.ts")
    assert found["src/trigger/silent.ts"] == [("task-no-logging", 3)]


@pytest.mark.parametrize(
    "tsconfig", ["{ not json", "", '{"compilerOptions": {"paths": 3}}', "[1, 2]", '"x"']
)
def test_a_broken_tsconfig_is_no_alias_and_no_crash(tmp_path: Path, tsconfig: str) -> None:
    head = 'import { notify } from "#lib/notify";\n'
    root = write(
        tmp_path,
        {
            "tsconfig.json": tsconfig,
            "src/trigger/job.ts": quiet_task("job", "job", RUN_CALLS_NOTIFY, head),
            "packages/lib/notify.ts": SILENT_HELPER,
        },
    )
    assert "task-no-logging" not in rules_in(check(root), "src/trigger/job.ts")  # unknown


def test_jsonc_reader() -> None:
    text = '{"a": "//not a comment", /* x */ "b": [1, 2,], // end\n "c": "\\"q,}",}'
    assert jsonc_loads(text) == {"a": "//not a comment", "b": [1, 2], "c": '"q,}'}


# --- duplicate-task-id and trigger-config-not-found: what the CLI loads -------------------------


def test_a_file_outside_the_dirs_that_nothing_imports_collides_with_nothing(
    tmp_path: Path,
) -> None:
    root = write(
        tmp_path,
        {
            "src/trigger/sync.ts": quiet_task("sync", "sync", 'logger.info("x");'),
            "src/legacy/sync.ts": quiet_task("old", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert "duplicate-task-id" not in rules_in(found, "src/trigger/sync.ts")
    # Its own problem is reported: its tasks never reach the platform.
    assert rules_in(found, "src/legacy/sync.ts") == ["trigger-config-not-found"]


def test_a_reexported_file_outside_the_dirs_is_loaded(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "src/trigger/sync.ts": quiet_task("sync", "sync", 'logger.info("x");'),
            "src/trigger/index.ts": 'export * from "../shared/jobs";\n',
            "src/shared/jobs.ts": quiet_task("again", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert rules_in(found, "src/trigger/sync.ts") == ["duplicate-task-id"]
    # Bundled through the re-export: a duplicate, and not a file outside the dirs.
    assert rules_in(found, "src/shared/jobs.ts") == ["duplicate-task-id"]


def test_a_file_imported_through_another_outside_file_is_loaded(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "src/trigger/sync.ts": quiet_task(
                "sync", "sync", 'logger.info("x");', 'import "../shared/setup";\n'
            ),
            "src/shared/setup.ts": 'import { again } from "./jobs";\nexport const all = [again];\n',
            "src/shared/jobs.ts": quiet_task("again", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert rules_in(found, "src/trigger/sync.ts") == ["duplicate-task-id"]
    assert rules_in(found, "src/shared/jobs.ts") == ["duplicate-task-id"]


def test_a_type_only_import_does_not_load_a_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "src/trigger/sync.ts": quiet_task(
                "sync",
                "sync",
                'logger.info("x");',
                'import type { again } from "../shared/jobs";\n',
            ),
            "src/shared/jobs.ts": quiet_task("again", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert "duplicate-task-id" not in rules_in(found, "src/trigger/sync.ts")
    assert rules_in(found, "src/shared/jobs.ts") == ["trigger-config-not-found"]


def test_an_ignored_test_file_in_the_dirs_collides_with_nothing(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "src/trigger/sync.ts": quiet_task("sync", "sync", 'logger.info("x");'),
            "src/trigger/sync.test.ts": quiet_task("fake", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert found["src/trigger/sync.ts"] == []
    assert found["src/trigger/sync.test.ts"] == []


def test_the_configs_ignore_patterns_replace_the_defaults(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "trigger.config.ts": config(', ignorePatterns: ["**/*.draft.ts"]'),
            "src/trigger/sync.ts": quiet_task("sync", "sync", 'logger.info("x");'),
            "src/trigger/sync.draft.ts": quiet_task("draft", "sync", 'logger.info("x");'),
            # no longer ignored: the config's globs replace the CLI's defaults
            "src/trigger/other.test.ts": quiet_task("other", "other", 'logger.info("x");'),
            "src/trigger/other.ts": quiet_task("other2", "other", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert found["src/trigger/sync.ts"] == []
    assert found["src/trigger/sync.draft.ts"] == []
    assert rules_in(found, "src/trigger/other.ts") == ["duplicate-task-id"]
    assert rules_in(found, "src/trigger/other.test.ts") == ["duplicate-task-id"]


def test_two_files_in_the_dirs_still_collide(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "src/trigger/a.ts": quiet_task("a", "sync", 'logger.info("x");'),
            "src/trigger/nested/b.ts": quiet_task("b", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert rules_in(found, "src/trigger/a.ts") == ["duplicate-task-id"]
    assert rules_in(found, "src/trigger/nested/b.ts") == ["duplicate-task-id"]


def test_unreadable_dirs_keep_every_file_in_play(tmp_path: Path) -> None:
    """`dirs` built at run time: which files load is unknown, so duplicates count."""
    root = write(
        tmp_path,
        {
            "trigger.config.ts": config().replace('dirs: ["./src/trigger"]', "dirs: taskDirs"),
            "src/trigger/a.ts": quiet_task("a", "sync", 'logger.info("x");'),
            "src/legacy/b.ts": quiet_task("b", "sync", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert rules_in(found, "src/trigger/a.ts") == ["duplicate-task-id"]
    assert rules_in(found, "src/legacy/b.ts") == ["duplicate-task-id"]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*.test.ts", "src/trigger/a.test.ts", True),
        ("**/*.test.ts", "a.test.ts", True),
        ("**/*.test.ts", "src/trigger/a.ts", False),
        ("src/trigger/drafts/**", "src/trigger/drafts/x/y.ts", True),
        ("**/*.{draft,wip}.ts", "src/trigger/a.wip.ts", True),
        ("**/node_modules/**", "src/trigger/node_modules/x.ts", True),
        ("./src/*.ts", "src/a.ts", True),
        ("./src/*.ts", "src/trigger/a.ts", False),
    ],
)
def test_ignore_globs(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path) is matches


# --- task-missing-id: ids kept as constants elsewhere -----------------------------------------

IDS_MODULE = (
    'export const SEND_ID = "send-email" as const;\n'
    'export const IDS = { send: "send-email", sync: "sync" } as const;\n'
)


@pytest.mark.parametrize(
    ("head", "id_expr"),
    [
        ('import { SEND_ID } from "../ids";\n', "SEND_ID"),
        ('import { IDS } from "../ids";\n', "IDS.send"),
        ('import * as ids from "../ids";\n', "ids.SEND_ID"),
        ('import { SEND_ID as id } from "../ids";\n', "id"),  # the shorthand `{ id }`
        # a package: it cannot be read, so no warning either
        ('import { SEND_ID } from "@acme/ids";\n', "SEND_ID"),
    ],
)
def test_an_imported_constant_id_is_not_computed(tmp_path: Path, head: str, id_expr: str) -> None:
    option = "id" if id_expr == "id" else f"id: {id_expr}"
    task_text = (
        SDK
        + head
        + (
            f"export const send = task({{ {option}, concurrency: {{ total: 1 }},\n"
            '  retry: { maxAttempts: 2 }, run: async () => { logger.info("x"); } });\n'
        )
    )
    root = write(tmp_path, {"src/trigger/send.ts": task_text, "src/ids.ts": IDS_MODULE})
    assert check(root)["src/trigger/send.ts"] == []


def test_a_member_of_a_local_const_object_is_a_literal_id(tmp_path: Path) -> None:
    text = SDK + (
        'const IDS = { send: "send-email", again: "send-email" } as const;\n'
        'export const a = task({ id: IDS.send, run: async () => { logger.info("x"); } });\n'
        'export const b = task({ id: IDS.again, run: async () => { logger.info("x"); } });\n'
    )
    root = write(tmp_path, {"src/trigger/send.ts": text})
    found = check(root)["src/trigger/send.ts"]
    assert "task-missing-id" not in [rule for rule, _ in found]
    # The resolved literal is an id like any other: the two tasks share it.
    assert [x for x in found if x[0] == "duplicate-task-id"] == [
        ("duplicate-task-id", 3),
        ("duplicate-task-id", 4),
    ]


@pytest.mark.parametrize(
    ("head", "id_expr"),
    [
        ('import { makeId } from "../ids";\n', 'makeId("send")'),
        ("declare const stage: string;\n", "`send-${stage}`"),
        ("let current = 'x';\n", "current"),
        ("const IDS = { send: compute() };\n", "IDS.send"),
    ],
)
def test_a_computed_id_still_warns(tmp_path: Path, head: str, id_expr: str) -> None:
    text = (
        SDK
        + head
        + (
            f"export const send = task({{ id: {id_expr}, concurrency: {{ total: 1 }},\n"
            '  retry: { maxAttempts: 2 }, run: async () => { logger.info("x"); } });\n'
        )
    )
    root = write(tmp_path, {"src/trigger/send.ts": text})
    assert rules_in(check(root), "src/trigger/send.ts") == ["task-missing-id"]


# --- the command line, as a user runs it ------------------------------------------------------


def test_trigger_lsp_check_on_a_project(tmp_path: Path) -> None:
    """`trigger-lsp check` as a subprocess, with the parallel workers (over 32 files)."""
    from test_cli import findings

    files = {
        "src/trigger/loud.ts": quiet_task(
            "loud", "loud", RUN_CALLS_NOTIFY, 'import { notify } from "../lib/loud";\n'
        ),
        "src/trigger/quiet.ts": quiet_task(
            "quiet", "quiet", RUN_CALLS_NOTIFY, 'import { notify } from "../lib/quiet";\n'
        ),
        "src/lib/loud.ts": LOGGING_HELPER,
        "src/lib/quiet.ts": SILENT_HELPER,
        "src/trigger/sync.ts": quiet_task("sync", "sync", 'logger.info("x");'),
        "src/legacy/sync.ts": quiet_task("old", "sync", 'logger.info("x");'),
        "src/ids.ts": IDS_MODULE,
        "src/trigger/send.ts": SDK
        + 'import { IDS } from "../ids";\n'
        + "export const send = task({ id: IDS.send, concurrency: { total: 1 },\n"
        + '  retry: { maxAttempts: 2 }, run: async () => { logger.info("x"); } });\n',
    }
    files.update(
        {
            f"src/trigger/filler{i}.ts": quiet_task("f", f"f{i}", 'logger.info("x");')
            for i in range(32)
        }
    )
    root = write(tmp_path, files)
    found: dict[str, list[str]] = {}
    for f in findings(root):
        found.setdefault(Path(f["path"]).as_posix(), []).append(f["rule"])
    assert found.get("src/trigger/quiet.ts") == ["task-no-logging"]
    assert "src/trigger/loud.ts" not in found
    assert "src/trigger/sync.ts" not in found
    assert found.get("src/legacy/sync.ts") == ["trigger-config-not-found"]
    assert "src/trigger/send.ts" not in found


def test_on_sdk_3_an_imported_file_outside_the_dirs_still_needs_the_dirs(tmp_path: Path) -> None:
    """The 3.x indexer read only the exports of the scanned files: placement decides."""
    root = write(
        tmp_path,
        {
            "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "3.3.17"}}\n',
            "src/trigger/setup.ts": 'import "../shared/jobs";\nexport const x = 1;\n',
            "src/shared/jobs.ts": quiet_task("again", "again", 'logger.info("x");'),
        },
    )
    assert "trigger-config-not-found" in rules_in(check(root), "src/shared/jobs.ts")


def test_the_first_pass_reads_imported_helpers_from_the_disk(tmp_path: Path) -> None:
    """The CLI's speculative index answers `logs` from the files on disk, so a project whose
    runs call its own helpers is not checked twice (cli/speculation.py)."""
    from trigger_lsp.cli.runner import _first_check, _known_rules
    from trigger_lsp.cli.speculation import DiskModules, answers_hold

    head = 'import { notify } from "../lib";\nimport { other } from "@acme/x";\n'
    root = write(
        tmp_path,
        {
            "src/trigger/a.ts": quiet_task("a", "a", "await notify(p.n);", head),
            "src/trigger/b.ts": quiet_task("b", "b", "await notify(p.n); other();", head),
            "src/lib/index.ts": 'export * from "./notify";\n',
            "src/lib/notify.ts": SILENT_HELPER,
        },
    )
    resolver = ProjectResolver(_known_rules())
    files = list(discover([root], resolver))
    modules = DiskModules(resolver)
    first = [_first_check(f, resolver, CheckOptions({}), modules) for f in files]
    index = ProjectIndex()
    for f, (_, entries, _, _, module, _) in zip(files, first, strict=True):
        index.update(f, entries, module=module)
    index.complete = True
    asked = [q for *_, questions in first for q in questions]
    assert any(q[0] == "logs" and q[2] is False for q in asked)  # the silent helper, read early
    assert all(answers_hold(index, questions) for *_, questions in first)


def test_the_index_reads_tsconfig_again_when_told(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "tsconfig.json": '{"compilerOptions": {"paths": {"#h/*": ["./one/*"]}}}',
            "src/trigger/job.ts": quiet_task("job", "job", RUN_CALLS_NOTIFY),
            "one/notify.ts": LOGGING_HELPER,
            "two/notify.ts": SILENT_HELPER,
        },
    )
    resolver = ProjectResolver()
    index = ProjectIndex()
    for f in discover([root], resolver):
        if f.suffix == ".ts" and f.name != "trigger.config.ts":
            model = build_model(parse(f.read_bytes(), "typescript"), "typescript")
            index.update(f, [], module=module_facts(model, f, resolver.context_for(f)))
    index.complete = True
    job = root / "src/trigger/job.ts"
    assert index.logs(job, "#h/notify", "notify") is True
    (root / "tsconfig.json").write_text('{"compilerOptions": {"paths": {"#h/*": ["./two/*"]}}}')
    before = index.modules_generation
    index.forget_aliases()
    assert index.modules_generation > before
    assert index.logs(job, "#h/notify", "notify") is False


def _send_task(var: str, head: str, id_expr: str) -> str:
    return (
        SDK
        + head
        + f"export const {var} = task({{ id: {id_expr}, concurrency: {{ total: 1 }},\n"
        + '  retry: { maxAttempts: 2 }, run: async () => { logger.info("x"); } });\n'
    )


@pytest.mark.parametrize(
    ("head", "id_expr", "extra"),
    [
        ('import { SEND_ID } from "../ids";\n', "SEND_ID", {}),
        ('import { IDS } from "../ids";\n', "IDS.send", {}),
        ('import * as ids from "../ids";\n', "ids.SEND_ID", {}),
        (
            'import { MAIL } from "../ids";\n',
            "MAIL.send",
            {"src/ids.ts": IDS_MODULE + "export { IDS as MAIL };\n"},
        ),
        # through a re-export and a star re-export
        (
            'import { SEND_ID } from "../constants";\n',
            "SEND_ID",
            {"src/constants/index.ts": 'export * from "../ids";\n'},
        ),
        (
            'import { ID } from "../constants";\n',
            "ID",
            {"src/constants/index.ts": 'export { SEND_ID as ID } from "../ids";\n'},
        ),
    ],
)
def test_an_imported_id_collides_with_the_same_literal(
    tmp_path: Path, head: str, id_expr: str, extra: dict[str, str]
) -> None:
    root = write(
        tmp_path,
        {
            "src/ids.ts": IDS_MODULE,
            **extra,
            "src/trigger/send.ts": _send_task("send", head, id_expr),
            "src/trigger/mail.ts": quiet_task("mail", "send-email", 'logger.info("x");'),
        },
    )
    found = check(root)
    # Found from the file that imports the id (the other file's entry holds only literals).
    assert rules_in(found, "src/trigger/send.ts") == ["duplicate-task-id"]


@pytest.mark.parametrize(
    ("head", "id_expr"),
    [
        ('import { IDS } from "../ids";\n', "IDS.sync"),  # another id
        ('import { IDS } from "../ids";\n', "IDS.missing"),  # no such member: unknown
        ('import { SEND_ID } from "@acme/ids";\n', "SEND_ID"),  # a package: unknown
    ],
)
def test_an_imported_id_that_differs_or_is_unknown_collides_with_nothing(
    tmp_path: Path, head: str, id_expr: str
) -> None:
    root = write(
        tmp_path,
        {
            "src/ids.ts": IDS_MODULE,
            "src/trigger/send.ts": _send_task("send", head, id_expr),
            "src/trigger/mail.ts": quiet_task("mail", "send-email", 'logger.info("x");'),
        },
    )
    found = check(root)
    assert found["src/trigger/send.ts"] == []
    assert found["src/trigger/mail.ts"] == []


# --- unknown-task-id: ids held by imported constants ------------------------------------------

INGEST_IDS = 'export const TASK_IDS = { ingest: "ingest-document" } as const;\n'
INGEST_TASK = (
    SDK
    + 'import { TASK_IDS } from "../lib/ids";\n'
    + "export const ingest = task({ id: TASK_IDS.ingest, concurrency: { total: 1 },\n"
    + '  retry: { maxAttempts: 2 }, run: async () => { logger.info("x"); } });\n'
)


def route(task_id: str) -> str:
    return (
        'import { tasks } from "@trigger.dev/sdk";\n'
        f'export const go = () => tasks.trigger("{task_id}", {{}});\n'
    )


def test_an_id_held_by_an_imported_constant_is_a_known_id(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "src/lib/ids.ts": INGEST_IDS,
            "src/trigger/ingest.ts": INGEST_TASK,
            "src/app/right.ts": route("ingest-document"),
            "src/app/wrong.ts": route("ingest-documents"),
        },
    )
    found = check(root)
    assert "unknown-task-id" not in rules_in(found, "src/app/right.ts")
    assert "unknown-task-id" in rules_in(found, "src/app/wrong.ts")  # every id is known


def test_an_id_from_a_constant_the_index_cannot_read_leaves_every_id_possible(
    tmp_path: Path,
) -> None:
    task = INGEST_TASK.replace('"../lib/ids"', '"@acme/task-ids"')
    root = write(
        tmp_path,
        {
            "src/trigger/ingest.ts": task,
            "src/trigger/other.ts": quiet_task("other", "other-task"),
            "src/app/any.ts": route("whatever-id"),
        },
    )
    assert "unknown-task-id" not in rules_in(check(root), "src/app/any.ts")
