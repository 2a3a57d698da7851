"""The CLI checks each file once against a speculative index (cli/speculation.py): its results
must equal a check of every file against the complete index, also when many answers were wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import comparable
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.cli.runner import CheckOptions, check_paths
from trigger_lsp.cli.speculation import SpeculativeIndex, answers_hold
from trigger_lsp.lint.engine import analyze
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.discovery import discover
from trigger_lsp.project.index import ProjectIndex, entries_for, fan_outs_for, imports_for

SDK = 'import { logger, task, tasks } from "@trigger.dev/sdk";\n'


def _task(var: str, task_id: str, body: str = 'logger.info("x");') -> str:
    return (
        f'export const {var} = task({{ id: "{task_id}", concurrency: {{ total: 1 }},\n'
        f"  retry: {{ maxAttempts: 2 }}, run: async () => {{ {body} }} }});\n"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text(
        '{"name": "p", "dependencies": {"@trigger.dev/sdk": "4.8.3", "sharp": "0.33.0",'
        ' "better-sqlite3": "11.0.0"}}\n'
    )
    (tmp_path / "trigger.config.ts").write_text(
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"],'
        " maxDuration: 60 });\n"
    )
    trigger = tmp_path / "src" / "trigger"
    trigger.mkdir(parents=True)
    # 40 files define "shared" (a duplicate everywhere: 40 checks to redo, enough for the
    # process pool to redo them), and one id of their own.
    for i in range(40):
        (trigger / f"t{i:02d}.ts").write_text(SDK + _task("a", "shared") + _task("b", f"own-{i}"))
    # Triggers one id that exists in another file and one that exists nowhere.
    (trigger / "caller.ts").write_text(
        SDK
        + _task(
            "c",
            "caller",
            'await tasks.trigger("own-3", {}); await tasks.trigger("own-99", {});',
        )
    )
    # A duplicate that a comment suppresses, and a suppression that nothing uses.
    (trigger / "quiet.ts").write_text(
        SDK
        + "// trigger-lsp-ignore duplicate-task-id\n"
        + _task("q", "shared")
        + "// trigger-lsp-ignore unknown-task-id\n"
        + _task("r", "quiet-own")
    )
    # Imports one native dependency (reported on the config); the other is imported by no
    # file (the config's speculative answer says it is: the config is checked again).
    (trigger / "images.ts").write_text(
        'import sharp from "sharp";\n' + SDK + _task("i", "images", "await sharp();")
    )
    # Clean files: every answer holds, nothing to redo.
    for i in range(5):
        (trigger / f"clean{i}.ts").write_text(SDK + _task("d", f"clean-{i}"))
    # A task without limit or retry, fanned out from another file (by id and by its object):
    # task-no-concurrency-limit on it and task-no-retry-config on the config need the index.
    (trigger / "fanned.ts").write_text(
        SDK + 'export const fanned = task({ id: "fanned", run: async () => { await go(); } });\n'
    )
    (trigger / "fanner.ts").write_text(
        SDK
        + 'import { fanned } from "./fanned";\n'
        + _task("f", "fanner", "for (const i of [1, 2]) { await fanned.trigger({ i }); }")
        + _task("g", "batcher", 'await tasks.batchTrigger("fanned", []);')
    )
    return tmp_path


def _two_passes(files: list[Path]) -> dict[Path, list[tuple[object, ...]]]:
    """What checking with the complete index gives: index every file, then check each."""
    resolver = ProjectResolver(frozenset({"all"}))
    index = ProjectIndex()
    sources = {f: f.read_bytes() for f in files}
    for f, source in sources.items():
        model = build_model(parse(source, "typescript"), "typescript")
        root = resolver.context_for(f).root
        index.update(f, entries_for(model, f, root), imports=imports_for(model, f, root))
        index.update_fan_outs(f, fan_outs_for(model, f, root))
    index.complete = True
    out = {}
    for f, source in sources.items():
        project = resolver.context_for(f)
        settings = RuleSettings().layered(project.lint.rules, {})
        result = analyze(source, f, project=project, settings=settings, index=index)
        out[f] = comparable(result.findings)
    return out


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_one_pass_equals_two_passes(project: Path, jobs: int) -> None:
    files = [*sorted((project / "src" / "trigger").glob("*.ts")), project / "trigger.config.ts"]
    expected = _two_passes(files)
    outcomes = check_paths([project], CheckOptions({}), jobs=jobs)
    got = {o.path: comparable([loc.finding for loc in o.located]) for o in outcomes}
    assert set(got) >= set(expected)
    for f in expected:
        assert got[f] == expected[f], f
    # The cases the speculation gets wrong are in there, so the test is not vacuous.
    rules = {loc.finding.rule for o in outcomes for loc in o.located}
    assert {"duplicate-task-id", "unknown-task-id", "unused-suppression"} <= rules
    assert "native-modules-external" in rules
    assert {"task-no-concurrency-limit", "task-no-retry-config"} <= rules
    config = next(o for o in outcomes if o.path.name == "trigger.config.ts")
    found = [loc.finding for loc in config.located]
    (retry,) = [f for f in found if f.rule == "task-no-retry-config"]
    assert "1 task of this project" in retry.message
    fanned = next(o for o in outcomes if o.path.name == "fanned.ts")
    found = [loc.finding for loc in fanned.located]
    (limit,) = [f for f in found if f.rule == "task-no-concurrency-limit"]
    assert "is triggered in a batch at src/trigger/fanner.ts:" in limit.message
    quiet = next(o for o in outcomes if o.path.name == "quiet.ts")
    assert [loc.finding.rule for loc in quiet.located] == ["unused-suppression"]


def test_each_wrong_answer_is_caught() -> None:
    root, here, other = Path("/p"), Path("/p/a.ts"), Path("/p/b.ts")
    source = (SDK + _task("x", "dup")).encode()
    index = ProjectIndex()
    index.update(
        other, entries_for(build_model(parse(source, "typescript"), "typescript"), other, root)
    )
    index.complete = True

    def holds(ask: str, *args: object) -> bool:
        speculative = SpeculativeIndex()
        getattr(speculative, ask)(*args)
        return answers_hold(index, speculative.asked)

    assert not holds("defined_elsewhere", "dup", root, here)  # b.ts defines it
    assert holds("defined_elsewhere", "dup", root, other)  # only the file itself does
    assert holds("defined_elsewhere", "fresh", root, here)
    assert holds("knows", "dup", root)
    assert not holds("knows", "missing", root)
    assert holds("has_ids", root)
    assert not holds("has_ids", Path("/elsewhere"))
    assert not holds("ids", root)  # never answered right: the file is always checked again
    imports = b'import sharp from "sharp";\n'
    index.update(
        Path("/p/src/trigger/img.ts"),
        [],
        imports=imports_for(
            build_model(parse(imports, "typescript"), "typescript"),
            Path("/p/src/trigger/img.ts"),
            root,
        ),
    )
    assert holds("bundled_packages", root, None, frozenset({"sharp"}))
    assert not holds("bundled_packages", root, None, frozenset({"sharp", "canvas"}))
    assert not holds("bundled_packages", root, (Path("/p/jobs"),), frozenset({"sharp"}))


def test_wrong_answers_about_fan_outs_and_retries_are_caught() -> None:
    root, here, other = Path("/p"), Path("/p/a.ts"), Path("/p/b.ts")
    source = (
        SDK
        + 'export const solo = task({ id: "solo", run: async () => {} });\n'
        + 'export const go = () => tasks.batchTrigger("fanned", []);\n'
    ).encode()
    model = build_model(parse(source, "typescript"), "typescript")
    index = ProjectIndex()
    index.update(other, entries_for(model, other, root))
    index.update_fan_outs(other, fan_outs_for(model, other, root))
    index.complete = True

    def holds(ask: str, *args: object) -> bool:
        speculative = SpeculativeIndex()
        getattr(speculative, ask)(*args)
        return answers_hold(index, speculative.asked)

    assert not holds("fan_out", "fanned", None, here, root)  # b.ts batch-triggers it
    assert holds("fan_out", "calm", None, here, root)
    assert holds("fan_out", "fanned", None, here, Path("/elsewhere"))  # another project's id
    assert not holds("tasks_without_retry", root)  # solo has no retry
    assert holds("tasks_without_retry", Path("/elsewhere"))


def test_each_wrong_answer_about_modules_is_caught() -> None:
    """`logs` (task-no-logging) and `loaded` (trigger-config-not-found) answers are checked
    against the complete index like the id questions."""
    from trigger_lsp.project.modules import ModuleLinks, ModuleLogging

    root = Path("/p")
    job, helper, silent, outside = (Path(f"/p/{n}.ts") for n in ("job", "log", "quiet", "old"))
    index = ProjectIndex()
    nothing = ModuleLogging(frozenset(), frozenset(), ())
    index.update(job, [], module=(ModuleLinks(True, ("./log",), (), (), root), nothing))
    logs = ModuleLogging(frozenset({"say"}), frozenset({"say"}), ())
    consts = (("ID", "x"),)
    index.update(helper, [], module=(ModuleLinks(False, (), (), (), root, consts), logs))
    quiet = ModuleLogging(frozenset(), frozenset({"say"}), ())
    index.update(silent, [], module=(ModuleLinks(False, (), (), (), root), quiet))
    index.update(outside, [], module=(ModuleLinks(False, (), (), (), root), nothing))
    index.complete = True

    def holds(ask: str, *args: object) -> bool:
        speculative = SpeculativeIndex()
        getattr(speculative, ask)(*args)
        return answers_hold(index, speculative.asked)

    assert holds("logs", job, "some-package", "say")  # unknown, as speculated
    assert not holds("logs", job, "./log", "say")  # it logs
    assert not holds("logs", job, "./quiet", "say")  # it does not
    assert holds("logs", job, "./quiet", "missing")  # no such function: unknown
    assert holds("constant", job, "./log", "NOPE")  # unknown, as speculated
    assert not holds("constant", job, "./log", "ID")  # "x"
    assert holds("loaded", outside)  # nothing imports it
    assert not holds("loaded", helper)  # the entry point imports it


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_files_checked_while_the_walk_goes_on_come_back_in_its_order(
    project: Path, jobs: int
) -> None:
    """The first check starts in workers while discovery walks, and this process checks the
    chunks no worker took (cli/runner.py's _FirstPass): whoever checked a file, the outcomes
    are in discovery's order, one per file, and the progress counts every file once."""
    for i in range(30):  # files the prefilter rejects, between the checked ones
        (project / "src" / "app" / f"plain{i}.ts").parent.mkdir(parents=True, exist_ok=True)
        (project / "src" / "app" / f"plain{i}.ts").write_text(f"export const v{i} = {i};\n")
    seen: list[tuple[str, int, int | None]] = []
    outcomes = check_paths(
        [project], CheckOptions({}), jobs=jobs, progress=lambda *a: seen.append(a)
    )
    expected = list(discover([project], ProjectResolver()))
    assert [o.path for o in outcomes] == expected
    checking = [done for stage, done, _ in seen if stage == "checking"]
    checked = len(expected) - 30
    assert checking[-1] == checked and sorted(checking) == checking
