"""What `check` leaves out in a large repository: files git ignores (project/ignore.py), and files
rejected unparsed because no rule can report anything in them (project/prefilter.py), without
ever losing a finding the full check reports."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trigger_lsp.cli.runner import CheckOptions, check_paths
from trigger_lsp.project.prefilter import ANY_FILE_RULES, KEY_KINDS, Prefilter
from trigger_lsp.rules import REGISTRY
from trigger_lsp.rules.imports import _KEY

SDK = 'import { logger, task, tasks, wait } from "@trigger.dev/sdk";\n'
# A task file with findings: no logging (task-no-logging), a wait in a loop, a duplicate id.
TASK = SDK + (
    'export const child = task({ id: "child", maxDuration: 60, retry: { maxAttempts: 2 },\n'
    "  run: async (p: { ids: string[] }) => {\n"
    "    for (const id of p.ids) { await wait.for({ seconds: 1 }); }\n"
    "  } });\n"
)
PACKAGE = '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n'
CONFIG = (
    'import { defineConfig } from "@trigger.dev/sdk";\n'
    'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"], maxDuration: 60,'
    " retries: { default: { maxAttempts: 2 } } });\n"
)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def findings(root: Path, **options: object) -> set[tuple[str, str, int, int, str]]:
    outcomes = check_paths([root], CheckOptions({}, **options))  # type: ignore[arg-type]
    return {
        (
            o.path.relative_to(root).as_posix(),
            loc.finding.rule,
            loc.line,
            loc.column,
            loc.finding.message,
        )
        for o in outcomes
        for loc in o.located
    }


def files_with_findings(root: Path, **options: object) -> set[str]:
    return {path for path, *_ in findings(root, **options)}


# --- .gitignore ----------------------------------------------------------------------------


def _repository(tmp_path: Path) -> Path:
    root = write(
        tmp_path / "repo",
        {
            "package.json": PACKAGE,
            "trigger.config.ts": CONFIG,
            "src/trigger/kept.ts": TASK,
            "out/trigger/compiled.ts": TASK,  # root .gitignore: out/
            "src/trigger/debug.log.ts": TASK,  # root .gitignore: *.log.ts
            "src/trigger/important.log.ts": TASK,  # ... but re-included with !
            "src/trigger/gen/generated.ts": TASK,  # nested .gitignore in src/trigger: gen/
            "scratch/mine.ts": TASK,  # .git/info/exclude
            ".gitignore": "out/\n*.log.ts\n!important.log.ts\n",
            "src/trigger/.gitignore": "gen/\n",
        },
    )
    (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "info" / "exclude").write_text("scratch/\n")
    return root


def test_gitignored_files_are_not_checked(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    checked = files_with_findings(root)
    assert "src/trigger/kept.ts" in checked
    assert "src/trigger/important.log.ts" in checked  # `!` brings it back
    for ignored in (
        "out/trigger/compiled.ts",
        "src/trigger/debug.log.ts",
        "src/trigger/gen/generated.ts",
        "scratch/mine.ts",
    ):
        assert ignored not in checked


def test_no_ignore_checks_them_all(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    checked = files_with_findings(root, respect_gitignore=False)
    assert {
        "src/trigger/kept.ts",
        "out/trigger/compiled.ts",
        "src/trigger/debug.log.ts",
        "src/trigger/gen/generated.ts",
        "scratch/mine.ts",
    } <= checked


def test_the_config_key_turns_it_off(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    (root / ".trigger-lsp.yaml").write_text("respect-gitignore: false\n")
    assert "out/trigger/compiled.ts" in files_with_findings(root)
    (root / ".trigger-lsp.yaml").write_text("respect-gitignore: true\n")
    assert "out/trigger/compiled.ts" not in files_with_findings(root)


def test_gitignore_above_the_checked_folder_counts_up_to_the_repository(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    # Checking a sub-folder: the root .gitignore still applies (`*.log.ts`).
    outcomes = check_paths([root / "src"], CheckOptions({}))
    names = {o.path.name for o in outcomes if o.located}
    assert "kept.ts" in names and "debug.log.ts" not in names and "generated.ts" not in names


def test_without_a_repository_only_gitignores_below_count(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "*\n"})  # above the project, in no repository: not read
    root = write(tmp_path / "p", {"package.json": PACKAGE, "src/trigger/a.ts": TASK})
    assert "src/trigger/a.ts" in files_with_findings(root)


def test_a_file_named_on_the_command_line_is_checked_even_if_ignored(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    outcomes = check_paths([root / "out" / "trigger" / "compiled.ts"], CheckOptions({}))
    assert outcomes and outcomes[0].located


# --- the prefilter -------------------------------------------------------------------------


def test_the_prefilter_knows_every_rule_that_runs_on_any_file() -> None:
    """A new `any_file` rule must say what it needs in project/prefilter.py."""
    assert {r.id for r in REGISTRY.values() if r.any_file} == ANY_FILE_RULES
    # ... and the key prefixes are those hardcoded-secret-key looks for.
    kinds = re.search(r"tr_\(([^)]*)\)_", _KEY.pattern)
    assert kinds is not None and set(kinds.group(1).split("|")) == set(KEY_KINDS)


def test_ordinary_files_are_rejected_and_trigger_files_are_not(tmp_path: Path) -> None:
    root = write(tmp_path, {"package.json": PACKAGE, "trigger.config.ts": CONFIG})
    context_of = __import__("trigger_lsp.project.context", fromlist=["x"]).ProjectResolver()
    prefilter = Prefilter()

    def parsed(rel: str, text: str) -> bool:
        path = write(root, {rel: text}) / rel
        return prefilter.must_parse(path, text.encode(), context_of.context_for(path))

    assert not parsed("src/app/button.tsx", "export const B = () => <DropdownMenuTrigger/>;\n")
    assert not parsed("src/app/util.ts", "export const attr_x = 1;\n")
    assert parsed("src/app/route.ts", SDK)
    assert parsed("src/app/form.ts", "form.trigger();\n")
    assert parsed("src/app/run.ts", "x.batchTriggerAndWait([]);\n")
    assert parsed("src/app/key.ts", 'const k = "tr_dev_abc";\n')
    assert parsed("src/app/job.ts", "client.defineJob({});\n")
    assert parsed("src/trigger/plain.ts", "export const x = 1;\n")  # in the task folder
    assert parsed("src/app/blob.ts", "\x00\x01\x02")  # binary: the check notes it


# Pieces of files: each one matters to some rule or to the index, or to none.
HELPER_PIECES = [
    'export const CHILD_ID = "child";\n',
    'export const IDS = { send: "send-email" };\n',
    'export * from "./ids";\n',
    'export { CHILD_ID as OTHER } from "./ids";\n',
    'import { logger } from "@trigger.dev/sdk";\nexport function log() { logger.info("x"); }\n',
    "export function helper() { return 1; }\n",
    'import sharp from "sharp";\nexport const s = sharp;\n',
    'import { child } from "../trigger/child";\nexport const go = () => child.trigger({});\n',
    'import { child } from "../trigger/child";\n'
    "export async function fan(ids: string[]) { await child.batchTrigger(ids.map(() => ({}))); }\n",
    'import { child } from "../trigger/child";\n'
    "export async function POST() { await child.triggerAndWait({}); }\n",
    'const key = "tr_dev_a1b2c3d4e5f6g7h8i9j0";\n',
    "client.defineJob({ id: 'x', trigger: eventTrigger({ name: 'e' }), run: async () => {} });\n",
    "// trigger-lsp-ignore task-no-logging\nexport const y = 2;\n",
    "export const Menu = () => <DropdownMenuTrigger>More</DropdownMenuTrigger>;\n",
    "export const broken = (;\n",
    'import { x } from "./helper";\nexport const z = x;\n',
]
TASK_PIECES = [
    'import { CHILD_ID } from "../lib/ids";\n'
    'export const fromConst = task({ id: CHILD_ID, run: async () => { logger.info("x"); } });\n',
    'import { IDS } from "../lib/ids";\n'
    "export const fromObject = task({ id: IDS.send, run: async () => {} });\n",
    'import { log } from "../lib/helper";\n'
    'export const logs = task({ id: "logs", run: async () => { log(); } });\n',
    'export const dup = task({ id: "child", run: async () => { logger.info("x"); } });\n',
    'export const caller = task({ id: "caller", run: async () => {\n'
    '  await tasks.trigger("nowhere", {});\n  logger.info("x");\n} });\n',
    'export const plain = task({ id: "plain", run: async () => {} });\n',
]
HELPER_NAMES = ["ids", "helper", "other", "route", "misc"]
ID_PIECES = [*HELPER_PIECES[:4], 'export { CHILD_ID } from "./other";\n']
LOG_PIECES = [
    HELPER_PIECES[4],
    HELPER_PIECES[5],
    'export { log } from "./misc";\n',
    'import { log as inner } from "./other";\nexport function log() { inner(); }\n',
]
CONSTANT_ID = {  # a task's id held by a constant of a file that mentions nothing of Trigger.dev
    "package.json": PACKAGE,
    "trigger.config.ts": CONFIG,
    "src/trigger/child.ts": TASK,
    "src/lib/ids.ts": 'export const CHILD_ID = "child";\n',
    "src/trigger/tasks.ts": SDK + TASK_PIECES[0],
}


@st.composite
def projects(draw: st.DrawFn) -> dict[str, str]:
    files = {
        "package.json": '{"name": "p", "dependencies": {"@trigger.dev/sdk": "4.8.3", "sharp": "1"}}\n',
        "src/trigger/child.ts": TASK,
    }
    if draw(st.booleans()):
        files["trigger.config.ts"] = CONFIG
    # The modules the task pieces import, always there, each with pieces of its kind.
    files["src/lib/ids.ts"] = "".join(draw(st.lists(st.sampled_from(ID_PIECES), max_size=3)))
    files["src/lib/helper.ts"] = "".join(draw(st.lists(st.sampled_from(LOG_PIECES), max_size=2)))
    for name in draw(st.lists(st.sampled_from(HELPER_NAMES), min_size=1, max_size=5, unique=True)):
        pieces = draw(st.lists(st.sampled_from(HELPER_PIECES), min_size=1, max_size=3))
        # The modules the task pieces import sit where they import them from, mostly.
        places = ["src/lib", "src/app/api", "src/trigger"]
        folder = "src/lib" if name in ("ids", "helper") else draw(st.sampled_from(places))
        files[f"{folder}/{name}.ts"] = "".join(pieces)
    tasks = draw(st.lists(st.sampled_from(TASK_PIECES), min_size=0, max_size=3, unique=True))
    if tasks:
        where = draw(st.sampled_from(["src/trigger/tasks.ts", "src/jobs/tasks.ts"]))
        files[where] = SDK + "".join(tasks)
    return files


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(files=CONSTANT_ID)
@given(files=projects())
def test_the_prefilter_never_drops_a_finding(tmp_path_factory, files: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    root = write(tmp_path_factory.mktemp("p"), files)
    full = findings(root, prefilter=False)
    assert findings(root) == full
