"""End to end: `trigger-lsp` run as a real subprocess on small projects written to disk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

SDK = 'import { logger, task, tasks } from "@trigger.dev/sdk";\n'

# No logger call (task-no-logging, a warning) and nothing else above info.
WARNING_TASK = SDK + (
    'export const a = task({ id: "a", concurrency: { total: 1 }, retry: { maxAttempts: 2 },\n'
    "  run: async (p: { n: number }) => p.n });\n"
)
# A task with no id: task-missing-id, an error.
ERROR_TASK = SDK + (
    "export const nameless = task({ concurrency: { total: 1 }, retry: { maxAttempts: 2 },\n"
    '  run: async () => { logger.info("x"); } });\n'
)
# Only a hint: an untyped tasks.trigger of a task that exists.
HINT_FILE = 'import { tasks } from "@trigger.dev/sdk";\n' + (
    'export async function go() {\n  await tasks.trigger("a", { n: 1 });\n}\n'
)
# payload-date is off by default.
DATE_PAYLOAD = SDK + (
    'export const b = task({ id: "b", concurrency: { total: 1 }, retry: { maxAttempts: 2 },\n'
    "  run: async () => {\n"
    '    logger.info("b");\n'
    '    await tasks.trigger<typeof b>("b", { at: new Date() });\n'
    "  } });\n"
)
CONFIG = (
    'import { defineConfig } from "@trigger.dev/sdk";\n\n'
    'export default defineConfig({\n  project: "proj_cli",\n  dirs: ["./src/trigger"],\n});\n'
)


def command() -> list[str]:
    script = Path(sys.executable).parent / "trigger-lsp"
    if script.exists():
        return [str(script)]
    found = shutil.which("trigger-lsp")
    return [found] if found else [sys.executable, "-m", "trigger_lsp"]


def run(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIGGER_LSP")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [*command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def findings(cwd: Path, *args: str) -> list[dict]:
    result = run(cwd, "check", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def rules(found: list[dict]) -> set[str]:
    return {f["rule"] for f in found}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "package.json": json.dumps(
                {
                    "name": "cli-test",
                    "dependencies": {"@trigger.dev/sdk": "4.8.3"},
                    "devDependencies": {"trigger.dev": "4.8.3"},
                }
            ),
            "trigger.config.ts": CONFIG,
            "src/trigger/warn.ts": WARNING_TASK,
            "src/trigger/err.ts": ERROR_TASK,
        },
    )


# --- formats ---------------------------------------------------------------------------------


def test_text_format_and_exit_code(project: Path) -> None:
    result = run(project, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("src/trigger/err.ts:2:25  error  task-missing-id  ") for line in lines
    ), result.stdout
    assert any("warning  task-no-logging" in line for line in lines)
    assert any(
        line.startswith("trigger.config.ts:3:16  error  config-missing-max-duration")
        for line in lines
    )
    assert lines[-1].startswith("Found ") and "in 4 files." in lines[-1]
    assert "fixable with --fix" in lines[-1]
    assert "\x1b[" not in result.stdout  # no colour when not a terminal


def test_json_format(project: Path) -> None:
    found = findings(project)
    err = next(f for f in found if f["rule"] == "task-missing-id")
    assert err == {
        "path": "src/trigger/err.ts",
        "line": 2,
        "column": 25,
        "endLine": 2,
        "endColumn": 29,
        "rule": "task-missing-id",
        "severity": "error",
        "message": err["message"],
        "fixable": True,
    }
    assert {f["path"] for f in found} >= {"src/trigger/err.ts", "trigger.config.ts"}


def test_sarif_format(project: Path) -> None:
    result = run(project, "check", "--format", "sarif")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    driver = doc["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert "sdk-version-mismatch" in ids and "config-missing-max-duration" in ids
    results = doc["runs"][0]["results"]
    missing = next(r for r in results if r["ruleId"] == "task-missing-id")
    assert missing["level"] == "error"
    assert ids[missing["ruleIndex"]] == "task-missing-id"
    location = missing["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/trigger/err.ts"
    assert location["region"]["startLine"] == 2


def test_github_format(project: Path) -> None:
    result = run(project, "check", "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("::error file=src/trigger/err.ts,line=2,col=25,")
        and "title=task-missing-id" in line
        for line in lines
    ), result.stdout
    assert any(line.startswith("::warning file=src/trigger/warn.ts,") for line in lines)


# --- rule selection and --fail-on --------------------------------------------------------------


def test_enable_disable_and_all(project: Path) -> None:
    write(project, {"src/trigger/date.ts": DATE_PAYLOAD})
    default = rules(findings(project, "src/trigger/date.ts"))
    assert "payload-date" not in default
    assert "payload-date" in rules(
        findings(project, "--enable", "payload-date", "src/trigger/date.ts")
    )
    everything = rules(findings(project, "--enable", "all", "src/trigger/date.ts"))
    assert {"payload-date", "task-no-error-handling"} <= everything
    some_off = findings(
        project,
        "--enable",
        "all",
        "--disable",
        "payload-date,task-no-error-handling",
        "src/trigger/date.ts",
    )
    assert not {"payload-date", "task-no-error-handling"} & rules(some_off)
    assert "task-missing-id" not in rules(findings(project, "--disable", "task-missing-id"))


def test_fail_on_levels(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/trigger/warn.ts": WARNING_TASK,
            "src/trigger/hint.ts": HINT_FILE,
        },
    )
    only_warning = ["--disable", "untyped-tasks-trigger", "src/trigger/warn.ts"]
    assert run(tmp_path, "check", *only_warning).returncode == 0
    assert run(tmp_path, "check", "--fail-on", "error", *only_warning).returncode == 0
    assert run(tmp_path, "check", "--fail-on", "warning", *only_warning).returncode == 1
    assert run(tmp_path, "check", "--fail-on", "hint", *only_warning).returncode == 1
    hint = ["src/trigger/hint.ts", "src/trigger/warn.ts", "--disable", "task-no-logging"]
    hint += ["--disable", "unknown-task-id"]
    assert run(tmp_path, "check", "--fail-on", "info", *hint).returncode == 0
    assert run(tmp_path, "check", "--fail-on", "hint", *hint).returncode == 1


def test_clean_project_exits_zero(tmp_path: Path) -> None:
    write(tmp_path, {"src/lib/util.ts": "export const add = (a: number, b: number) => a + b;\n"})
    result = run(tmp_path, "check")
    assert result.returncode == 0
    assert result.stdout.strip() == "No problems found in 1 file."


# --- usage errors (exit 2) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "--enable", "no-such-rule"), "unknown rule 'no-such-rule'"),
        (("check", "--disable", "task-missing-id,nope"), "unknown rule 'nope'"),
        (("check", "missing/path.ts"), "no such file or folder"),
        (("check", "--unsafe-fixes"), "--unsafe-fixes goes with --fix"),
        (("check", "--format", "xml"), "invalid choice"),
        (("check", "--fail-on", "fatal"), "invalid choice"),
        (("explain", "no-such-rule"), "unknown rule 'no-such-rule'"),
        ((), "COMMAND"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


# --- rules and explain ---------------------------------------------------------------------


def test_rules_lists_every_rule(tmp_path: Path) -> None:
    result = run(tmp_path, "rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["RULE", "SEVERITY", "DEFAULT", "PROFILES", "FIX"]
    table = {line.split()[0]: line.split()[1:5] for line in lines[1:]}
    assert table["sdk-version-mismatch"] == ["error", "on", "recommended,strict", "none"]
    assert table["native-modules-external"] == ["hint", "on", "recommended,strict", "none"]
    assert table["config-missing-max-duration"] == ["error", "on", "recommended,strict", "unsafe"]
    assert table["payload-date"][1:3] == ["off", "opt-in"]
    assert table["task-no-error-handling"][1:3] == ["off", "strict"]
    assert len(table) >= 45


def test_explain_prints_the_rule_and_its_sharp_edge(tmp_path: Path) -> None:
    result = run(tmp_path, "explain", "sdk-version-mismatch")
    assert result.returncode == 0
    assert result.stdout.startswith("sdk-version-mismatch: ")
    assert "## Why" in result.stdout and "## How to fix" in result.stdout
    assert "# Sharp edge:" in result.stdout
    # The rule's examples, with the files they give.
    assert "## Invalid" in result.stdout and "## Valid" in result.stdout
    assert '```json title="package.json"' in result.stdout
    assert '"trigger.dev": "4.6.0"' in result.stdout


# --- .trigger-lsp.yaml ---------------------------------------------------------------------


def test_config_include_and_exclude(project: Path) -> None:
    write(
        project,
        {
            "src/trigger/legacy/old.ts": ERROR_TASK,
            "scripts/seed.ts": ERROR_TASK,
            ".trigger-lsp.yaml": 'include: ["src/**"]\nexclude: ["src/trigger/legacy"]\n',
        },
    )
    paths = {f["path"] for f in findings(project)}
    assert "src/trigger/err.ts" in paths
    assert "src/trigger/legacy/old.ts" not in paths
    assert "scripts/seed.ts" not in paths
    assert "trigger.config.ts" not in paths
    # A file named on the command line is always checked.
    assert {f["path"] for f in findings(project, "scripts/seed.ts")} == {"scripts/seed.ts"}


def test_config_rule_levels(project: Path) -> None:
    write(
        project, {".trigger-lsp.yaml": "rules:\n  task-missing-id: off\n  task-no-logging: error\n"}
    )
    found = findings(project)
    assert "task-missing-id" not in rules(found)
    assert {f["severity"] for f in found if f["rule"] == "task-no-logging"} == {"error"}
    # The command line wins over the file.
    assert "task-missing-id" in rules(findings(project, "--enable", "task-missing-id"))


@pytest.mark.parametrize(
    "broken",
    ["rules: [oops\n", "rules:\n  not-a-rule: on\n", "rules:\n  task-missing-id: loud\n"],
)
def test_broken_config_gives_one_error_and_defaults(project: Path, broken: str) -> None:
    write(project, {".trigger-lsp.yaml": broken, "src/trigger/more.ts": ERROR_TASK})
    text = run(project, "check")
    assert text.returncode == 1  # the defaults still find task-missing-id
    errors = [line for line in text.stdout.splitlines() if ".trigger-lsp.yaml" in line]
    assert len(errors) == 1, text.stdout
    assert "using the defaults" in errors[0]
    as_json = run(project, "check", "--format", "json")
    assert "task-missing-id" in rules(json.loads(as_json.stdout))
    assert len([line for line in as_json.stderr.splitlines() if ".trigger-lsp.yaml" in line]) == 1


# --- odd files -----------------------------------------------------------------------------


def test_empty_binary_and_half_typed_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/trigger/empty.ts": "",
            "src/trigger/blob.ts": b"\x00\x01\x02\xff\xfe" * 100,
            "src/trigger/half.ts": SDK
            + 'export const a = task({ id: "half", run: async (p) => {\n  logger.info("x", {\n',
        },
    )
    result = run(tmp_path, "check")
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1)
    out = result.stdout
    assert "src/trigger/blob.ts: skipped: binary file" in out
    assert "src/trigger/half.ts: note: the file has syntax errors" in out
    assert "empty.ts" not in out.replace("in 3 files", "")
    assert out.splitlines()[-1].endswith("in 3 files.") or "3 files" in out.splitlines()[-1]
    empty = run(tmp_path, "check", "src/trigger/empty.ts")
    assert (empty.returncode, empty.stdout.strip()) == (0, "No problems found in 1 file.")


def test_non_utf8_source_does_not_crash(tmp_path: Path) -> None:
    write(tmp_path, {"src/trigger/latin1.ts": SDK.encode() + b'const s = "caf\xe9";\n'})
    result = run(tmp_path, "check", "--format", "json")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert json.loads(result.stdout) == []


def test_a_5_mb_file(tmp_path: Path) -> None:
    rows = ["export const CATALOG = [\n"]
    size = len(rows[0])
    i = 0
    while size < 5 * 1024 * 1024:
        row = f'  {{ id: {i}, sku: "sku-{i:07d}", tags: ["a", "b"], price: {i * 1.5} }},\n'
        rows.append(row)
        size += len(row)
        i += 1
    rows.append("];\n")
    write(tmp_path, {"src/catalog.ts": "".join(rows), "src/trigger/warn.ts": WARNING_TASK})
    assert (tmp_path / "src/catalog.ts").stat().st_size >= 5 * 1024 * 1024
    started = time.monotonic()
    result = run(tmp_path, "check", "--format", "json", timeout=240)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert {f["path"] for f in json.loads(result.stdout)} == {"src/trigger/warn.ts"}
    assert elapsed < 120


def test_files_over_the_size_limit_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"src/huge.ts": "// x\n" * (2 * 1024 * 1024)})  # 10 MiB
    result = run(tmp_path, "check")
    assert result.returncode == 0
    assert "src/huge.ts: skipped: 10.0 MiB is over the 8 MiB limit" in result.stdout


# --- package.json and trigger.config discovery -------------------------------------------------

MISMATCH = json.dumps(
    {
        "name": "mismatch",
        "dependencies": {"@trigger.dev/sdk": "3.3.17"},
        "devDependencies": {"trigger.dev": "3.3.12"},
    },
    indent=2,
)


def test_package_json_is_checked_when_walking_and_when_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": MISMATCH,
            "src/trigger/warn.ts": WARNING_TASK,
            "node_modules/dep/package.json": MISMATCH,
            "dist/package.json": MISMATCH,
        },
    )
    found = [f for f in findings(tmp_path) if f["rule"] == "sdk-version-mismatch"]
    assert [(f["path"], f["line"], f["column"]) for f in found] == [("package.json", 7, 5)]
    named = run(tmp_path, "check", "package.json")
    assert named.returncode == 1
    assert named.stdout.splitlines()[0].startswith("package.json:7:5  error  sdk-version-mismatch")
    assert (
        run(tmp_path, "check", "package.json", "--disable", "sdk-version-mismatch").returncode == 0
    )


def test_installed_versions_decide_the_mismatch(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": MISMATCH,
            "node_modules/@trigger.dev/sdk/package.json": '{"version": "3.3.17"}',
            "node_modules/trigger.dev/package.json": '{"version": "3.3.17"}',
        },
    )
    assert findings(tmp_path, "package.json") == []


def test_broken_package_json_is_a_note_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": '{"dependencies": {"@trigger.dev/sdk": '})
    result = run(tmp_path, "check")
    assert result.returncode == 0
    assert "package.json: not checked: package.json is not valid JSON" in result.stdout


def test_fix_adds_max_duration_only_with_unsafe_fixes(project: Path) -> None:
    config = project / "trigger.config.ts"
    run(project, "check", "--fix", "trigger.config.ts")
    assert config.read_text() == CONFIG
    result = run(project, "check", "--fix", "--unsafe-fixes", "trigger.config.ts")
    assert "maxDuration: 3600," in config.read_text()
    assert "config-missing-max-duration" not in result.stdout
    assert "Fixed 1." in result.stdout


def test_monorepo_duplicates_are_per_project(tmp_path: Path) -> None:
    task = SDK + (
        'export const t = task({ id: "shared-id", concurrency: { total: 1 },\n'
        '  run: async () => { logger.info("t"); } });\n'
    )
    config = CONFIG.replace('  dirs: ["./src/trigger"],\n', "  maxDuration: 60,\n")
    write(
        tmp_path,
        {
            "package.json": json.dumps({"name": "root", "workspaces": ["packages/*"]}),
            "packages/a/package.json": json.dumps({"dependencies": {"@trigger.dev/sdk": "4.8.3"}}),
            "packages/a/trigger.config.ts": config,
            "packages/a/src/trigger/one.ts": task,
            "packages/b/package.json": json.dumps({"dependencies": {"@trigger.dev/sdk": "4.8.3"}}),
            "packages/b/trigger.config.ts": config,
            "packages/b/src/trigger/one.ts": task,
        },
    )
    assert "duplicate-task-id" not in rules(findings(tmp_path))
    write(tmp_path, {"packages/b/src/trigger/two.ts": task})
    dupes = [f["path"] for f in findings(tmp_path) if f["rule"] == "duplicate-task-id"]
    assert sorted(dupes) == ["packages/b/src/trigger/one.ts", "packages/b/src/trigger/two.ts"]


def test_task_file_without_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": json.dumps({"dependencies": {"@trigger.dev/sdk": "4.8.3"}}),
            "src/trigger/warn.ts": WARNING_TASK,
        },
    )
    found = [f for f in findings(tmp_path) if f["rule"] == "trigger-config-not-found"]
    assert [(f["path"], f["line"], f["severity"]) for f in found] == [
        ("src/trigger/warn.ts", 2, "warning")
    ]


# --- profiles and the project-level findings of issue 13 --------------------------------------

# A task with neither a limit nor a retry policy, and a file that batch-triggers it through an
# imported task object.
CHILD_TASK = SDK + (
    'export const child = task({ id: "child", run: async (p: { id: string }) => {\n'
    '  logger.info("child", p);\n'
    "  await fetchInvoice(p.id);\n"
    "} });\n"
)
BATCHER = SDK + (
    'import { child } from "./child";\n'
    'export const parent = task({ id: "parent", concurrency: { total: 1 },\n'
    "  retry: { maxAttempts: 2 }, run: async (p: { ids: string[] }) => {\n"
    '    logger.info("fan out");\n'
    "    await child.batchTrigger(p.ids.map((id) => ({ payload: { id } })));\n"
    "  } });\n"
)


def limits(found: list[dict]) -> list[dict]:
    return [f for f in found if f["rule"] == "task-no-concurrency-limit"]


def test_fan_out_across_files_is_reported_on_the_child(project: Path) -> None:
    write(project, {"src/trigger/child.ts": CHILD_TASK})
    assert limits(findings(project)) == []  # triggered nowhere: nothing to protect
    write(project, {"src/trigger/batcher.ts": BATCHER})
    for jobs in ("1", "2"):
        (finding,) = limits(findings(project, "--jobs", jobs))
        assert finding["path"] == "src/trigger/child.ts"
        assert finding["line"] == 2
        assert "triggered in a batch at src/trigger/batcher.ts:6" in finding["message"]
        assert "`concurrency: { total: n }`" in finding["message"]  # SDK 4.8.3


def test_the_retry_omission_is_reported_once_on_the_config(project: Path) -> None:
    write(project, {"src/trigger/child.ts": CHILD_TASK, "src/trigger/batcher.ts": BATCHER})
    found = [f for f in findings(project) if f["rule"] == "task-no-retry-config"]
    assert [(f["path"], f["line"]) for f in found] == [("trigger.config.ts", 3)]
    # child.ts sets no retry; warn.ts and batcher.ts do.
    assert "on 1 task of this project" in found[0]["message"]
    write(project, {"src/trigger/more.ts": CHILD_TASK.replace('"child"', '"other"')})
    found = [f for f in findings(project) if f["rule"] == "task-no-retry-config"]
    assert "on 2 tasks of this project" in found[0]["message"]
    write(
        project,
        {"trigger.config.ts": CONFIG.replace("dirs:", "retries: { default: {} },\n  dirs:")},
    )
    assert [f for f in findings(project) if f["rule"] == "task-no-retry-config"] == []


def test_profile_from_the_command_line_and_the_project_file(project: Path) -> None:
    # warn.ts: a limit and a retry; more.ts: a stub with neither, triggered nowhere.
    stub = (
        SDK + 'export const stub = task({ id: "stub", run: async () => { logger.info("x"); } });\n'
    )
    write(project, {"src/trigger/more.ts": stub})
    assert limits(findings(project)) == []
    assert len(limits(findings(project, "--profile", "strict"))) == 1
    write(project, {".trigger-lsp.yaml": "profile: strict\n"})
    assert len(limits(findings(project))) == 1
    assert "task-no-error-handling" in rules(findings(project))  # on in strict only
    # The command line wins over the file, and an explicit level wins over the profile.
    assert limits(findings(project, "--profile", "recommended")) == []
    assert limits(findings(project, "--disable", "task-no-concurrency-limit")) == []
    write(
        project, {".trigger-lsp.yaml": "profile: strict\nrules:\n  task-no-error-handling: off\n"}
    )
    found = findings(project)
    assert "task-no-error-handling" not in rules(found)
    assert len(limits(found)) == 1


def test_an_unknown_profile_is_a_config_error(project: Path) -> None:
    write(project, {".trigger-lsp.yaml": "profile: pedantic\n"})
    text = run(project, "check")
    errors = [line for line in text.stdout.splitlines() if ".trigger-lsp.yaml" in line]
    assert len(errors) == 1 and "'profile'" in errors[0], text.stdout
    assert run(project, "check", "--profile", "pedantic").returncode == 2
