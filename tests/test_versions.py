"""Version parsing and npm range reasoning, on the spec shapes real package.json files use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import lint
from trigger_lsp.cli.runner import CheckOptions, check_paths
from trigger_lsp.lint.engine import Finding
from trigger_lsp.project import lockfiles
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.lockfiles import (
    Lockfile,
    LockfileError,
    load_lockfile,
    parse_yarn_v1,
)
from trigger_lsp.project.versions import (
    CURRENT,
    Version,
    lowest_allowed,
    ranges_can_meet,
    spec_intervals,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("4.8.3", Version(4, 8, 3)),
        ("v4.8.3", Version(4, 8, 3)),
        ("=4.1.0", Version(4, 1, 0)),
        ("^4.1.0", Version(4, 1, 0)),
        ("~3.3.17", Version(3, 3, 17)),
        ("^3", Version(3)),
        ("4", Version(4)),
        ("4.x", Version(4)),
        ("4.1.x", Version(4, 1)),
        ("4.*", Version(4)),
        (">=4.2.0", Version(4, 2)),
        (">= 4.2.0 <5", Version(4, 2)),
        (">4.2.0", Version(4, 2, 1)),
        (">4", Version(5)),
        ("4.0.0 - 4.5.0", Version(4)),
        ("^3.3.0 || ^4.1.0", Version(3, 3)),
        ("^4.1.0 || ^3.3.0", Version(3, 3)),
        ("4.0.0-v4-beta.18", Version(4)),
        ("^4.0.0-beta.1", Version(4)),
        ("4.1.0+build.7", Version(4, 1)),
        ("v4-beta", Version(4)),
        ("v3", Version(3)),
        ("workspace:^4.1.0", Version(4, 1)),
        ("workspace:4.8.3", Version(4, 8, 3)),
        ("npm:@trigger.dev/sdk@4.2.0", Version(4, 2)),
        ("  ^4.3.1  ", Version(4, 3, 1)),
    ],
)
def test_lowest_allowed(spec: str, expected: Version) -> None:
    assert lowest_allowed(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "latest",
        "next",
        "beta",
        "*",
        "",
        "x",
        "workspace:*",
        "workspace:^",
        "workspace:~",
        "file:../sdk",
        "link:../sdk",
        "github:triggerdotdev/trigger.dev#v4.0.0",
        "git+https://github.com/triggerdotdev/trigger.dev.git",
        "https://example.com/sdk-4.1.0.tgz",
        "triggerdotdev/trigger.dev",
        "<5.0.0",
        ">5 <4",
        "npm:some-package",
        "^^4",
        "4.1.0.7",
        "x" * 1000,
    ],
)
def test_specs_without_a_version_give_none(spec: str) -> None:
    assert lowest_allowed(spec) is None


def test_version_parse_and_compare() -> None:
    assert Version.parse("4.8.3") == Version(4, 8, 3)
    assert Version.parse("3.3.17-beta.1") == Version(3, 3, 17)
    assert Version.parse("not a version") is None
    assert Version(4, 7) > Version(4, 6, 9)
    assert Version(4, 7).at_least(4, 7)
    assert not Version(4, 6, 9).at_least(4, 7)
    assert str(Version(4, 1)) == "4.1.0"
    assert CURRENT.major == 4


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("4.3.0", "^4.1.0", True),
        ("4.8.3", "4.8.3", True),
        ("^4.1.0", "~4.3.2", True),
        ("3.3.17", "3.3.12", False),
        ("^3", "^4", False),
        ("^3.3.0", "4.0.0", False),
        ("~4.1.0", "4.2.0", False),
        ("4.x", "4.8.3", True),
        ("4.1", "4.2.0", False),
        (">=4 <4.5", "4.4.9", True),
        (">=4 <4.5", "4.5.0", False),
        ("4.0.0 - 4.2.0", "4.2.0", True),
        ("4.0.0 - 4.2", "4.2.9", True),
        ("4.0.0 - 4.2", "4.3.0", False),
        ("^3 || ^4", "4.1.0", True),
        ("4.0.0-v4-beta.18", "4.0.0-v4-beta.18", True),
        ("4.0.0-v4-beta.18", "4.0.0-v4-beta.20", False),
        ("^4.0.0-v4-beta.18", "4.0.0-v4-beta.20", True),
        ("^4.0.0", "4.0.0-v4-beta.18", False),
        ("^0.2.1", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        ("*", "4.1.0", True),
        ("workspace:*", "4.1.0", True),
    ],
)
def test_ranges_can_meet(a: str, b: str, expected: bool) -> None:
    assert ranges_can_meet(a, b) is expected
    assert ranges_can_meet(b, a) is expected


@pytest.mark.parametrize("other", ["latest", "file:../sdk", "workspace:^", "garbage!!"])
def test_ranges_can_meet_is_undecided_without_versions(other: str) -> None:
    assert ranges_can_meet("4.1.0", other) is None


_spec_chars = st.sampled_from([*"0123456789.xX*^~<>=|- vVab:@/+", "||", " - ", "workspace:"])
_specs = st.one_of(st.text(max_size=40), st.lists(_spec_chars, max_size=20).map("".join))


@settings(max_examples=600, deadline=None)
@given(_specs)
def test_lowest_allowed_never_raises(spec: str) -> None:
    result = lowest_allowed(spec)
    assert result is None or isinstance(result, Version)
    spec_intervals(spec)


@settings(max_examples=300, deadline=None)
@given(_specs, _specs)
def test_ranges_can_meet_never_raises(a: str, b: str) -> None:
    assert ranges_can_meet(a, b) in (True, False, None)


_versions = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)).map(
    lambda t: Version(*t)
)


@settings(max_examples=200, deadline=None)
@given(_versions, st.sampled_from(["", "^", "~", ">=", "="]))
def test_lowest_of_a_simple_range_is_its_version(version: Version, op: str) -> None:
    assert lowest_allowed(f"{op}{version}") == version
    assert ranges_can_meet(f"{op}{version}", str(version)) is True


@settings(max_examples=200, deadline=None)
@given(_versions, _versions)
def test_exact_versions_meet_only_when_equal(a: Version, b: Version) -> None:
    assert ranges_can_meet(str(a), str(b)) is (a == b)


# --- the version a project really uses: lockfiles, workspaces, pins (issue 13) ------------------

FIXTURES = Path(__file__).parent / "projects" / "versions"


def sdk_of(path: Path) -> tuple[Version | None, str]:
    ctx = ProjectResolver().context_for(path)
    return ctx.sdk_version, ctx.sdk_version_source


@pytest.mark.parametrize(
    ("file", "version", "source"),
    [
        (
            "pnpm/packages/jobs/src/trigger/hello.ts",
            Version(4, 5, 2),
            "pnpm-lock.yaml (importer packages/jobs)",
        ),
        (
            "pnpm/apps/web/src/trigger/hello.ts",
            Version(4, 0, 7),
            "pnpm-lock.yaml (importer apps/web)",
        ),
        (
            "npm/packages/jobs/src/trigger/hello.ts",
            Version(4, 4, 1),
            "package-lock.json (importer packages/jobs)",
        ),
        (
            "npm/packages/legacy/src/trigger/hello.ts",
            Version(3, 3, 17),
            "package-lock.json (importer packages/legacy)",
        ),
        ("yarn-v1/src/trigger/hello.ts", Version(4, 6, 3), "yarn.lock (root package)"),
        (
            "yarn-berry/packages/jobs/src/trigger/hello.ts",
            Version(4, 3, 3),
            "yarn.lock (importer packages/jobs)",
        ),
        (
            "bun/packages/jobs/src/trigger/hello.ts",
            Version(4, 6, 4),
            "bun.lock (importer packages/jobs)",
        ),
    ],
)
def test_each_lockfile_gives_the_version_it_resolved(
    file: str, version: Version, source: str
) -> None:
    found, said = sdk_of(FIXTURES / file)
    assert found == version
    assert said.endswith(source), said


def test_workspace_protocol_resolves_through_the_workspace_package() -> None:
    found, said = sdk_of(FIXTURES / "workspace-protocol/packages/jobs/src/trigger/hello.ts")
    assert found == Version(4, 1, 2)
    assert (
        said
        == "workspace package ../../vendor/trigger-sdk/package.json (`workspace:*` in package.json)"
    )


def test_a_package_with_only_the_cli_range_takes_the_sibling_sdk() -> None:
    found, said = sdk_of(FIXTURES / "cli-only/packages/jobs/src/trigger/hello.ts")
    assert found == Version(4, 5, 2)
    assert said == "sibling workspace package ../../apps/web"


def test_a_package_with_only_an_exact_cli_pin_takes_its_version() -> None:
    ctx = ProjectResolver().context_for(FIXTURES / "cli-pin/src/trigger/hello.ts")
    assert ctx.sdk_version == Version(4, 3, 3)
    assert ctx.sdk_version_source.startswith("the exact pin in package.json")
    assert ctx.cli.describe() == "4.3.3 from the exact pin in package.json"


def test_the_cli_version_comes_from_its_own_lockfile_entry() -> None:
    ctx = ProjectResolver().context_for(FIXTURES / "pnpm/packages/jobs/src/trigger/hello.ts")
    assert ctx.cli.describe() == "4.5.2 from ../../pnpm-lock.yaml (importer packages/jobs)"


def test_the_cli_follows_the_sdk_when_nothing_names_its_version() -> None:
    ctx = ProjectResolver().context_for(FIXTURES / "npm/packages/jobs/src/trigger/hello.ts")
    assert ctx.cli_version is None
    assert ctx.cli.version == Version(4, 4, 1)
    assert "the SDK's version" in ctx.cli.source


def test_catalog_specs_are_looked_up_in_pnpm_workspace(tmp_path: Path) -> None:
    (tmp_path / "pnpm-workspace.yaml").write_text(
        "packages:\n  - jobs\ncatalog:\n  '@trigger.dev/sdk': 4.2.0\ncatalogs:\n  old:\n    '@trigger.dev/sdk': ^3.3.0\n"
    )
    (tmp_path / "package.json").write_text('{"name": "root"}')
    for name, spec in (("jobs", "catalog:"), ("old", "catalog:old")):
        (tmp_path / name / "src").mkdir(parents=True)
        (tmp_path / name / "package.json").write_text(
            json.dumps({"name": name, "dependencies": {"@trigger.dev/sdk": spec}})
        )
    assert sdk_of(tmp_path / "jobs/src/a.ts")[0] == Version(4, 2, 0)
    assert sdk_of(tmp_path / "old/src/a.ts")[0] == Version(3, 3, 0)


# Rules whose findings depend on a version boundary (they carry `applies:` in validations.md).
VERSION_RULES = {
    "queue-concurrency-deprecated",
    "deprecated-hook",
    "v3-hook-signature",
    "oncomplete-result-output",
    "metadata-outside-run",
    "raw-string-idempotency-key",
    "trigger-queue-object",
    "batch-trigger-runs-removed",
    "sdk-v3-import-path",
    "bun-runtime-deprecated",
    "config-missing-max-duration",
}


def _check(root: Path, profile: str | None = None) -> list[str]:
    return [f.rule for f in _findings(root, profile)]


def _findings(root: Path, profile: str | None = None) -> list[Finding]:
    outcomes = check_paths([root], CheckOptions({}, profile=profile), jobs=1)
    return [loc.finding for o in outcomes for loc in o.located]


def test_with_no_source_no_version_boundary_rule_fires() -> None:
    found = _check(FIXTURES / "no-version")
    assert VERSION_RULES.isdisjoint(found), found
    # Advice that differs between versions names both forms (the strict profile reports every
    # task without a limit).
    limits = [
        f
        for f in _findings(FIXTURES / "no-version", "strict")
        if f.rule == "task-no-concurrency-limit"
    ]
    assert limits and all("(older SDKs)" in f.message for f in limits)


def test_the_same_project_on_a_known_sdk_gets_those_findings(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "no-version", tmp_path / "p")
    (tmp_path / "p/.trigger-lsp.yaml").write_text("sdk-version: 4.8.3\n")
    assert set(_check(tmp_path / "p")) >= VERSION_RULES


def test_an_old_cli_does_not_require_max_duration(tmp_path: Path) -> None:
    config = 'import { defineConfig } from "@trigger.dev/sdk/v3";\nexport default defineConfig({ project: "p" });\n'
    for cli, fires in (("3.3.10", False), ("3.3.11", True)):
        root = tmp_path / cli
        root.mkdir()
        (root / "trigger.config.ts").write_text(config)
        (root / "package.json").write_text(
            json.dumps(
                {"dependencies": {"@trigger.dev/sdk": cli}, "devDependencies": {"trigger.dev": cli}}
            )
        )
        assert ("config-missing-max-duration" in _check(root)) is fires, cli


# --- lockfile parsing: formats and hostile input ------------------------------------------------


def test_yarn_v1_parser_reads_nested_blocks_and_quoted_keys() -> None:
    data = parse_yarn_v1(
        '# yarn lockfile v1\n\n"a@^1", a@1.2:\n  version "1.2.3"\n  dependencies:\n    "b" "^2"\n\nb@^2:\n  version "2.0.1"\n'
    )
    assert data['"a@^1", a@1.2'] == {"version": "1.2.3", "dependencies": {"b": "^2"}}
    assert data["b@^2"] == {"version": "2.0.1"}


def test_a_lockfile_is_parsed_once_while_unchanged(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "pnpm/pnpm-lock.yaml", tmp_path / "pnpm-lock.yaml")
    first = load_lockfile(tmp_path / "pnpm-lock.yaml")
    assert isinstance(first, Lockfile)
    assert load_lockfile(tmp_path / "pnpm-lock.yaml") is first
    text = (tmp_path / "pnpm-lock.yaml").read_text().replace("4.5.2(typescript", "4.5.3(typescript")
    (tmp_path / "pnpm-lock.yaml").write_text(text + "\n")  # another size: parsed again
    second = load_lockfile(tmp_path / "pnpm-lock.yaml")
    assert second is not first and isinstance(second, Lockfile)
    assert second.resolved("packages/jobs", "@trigger.dev/sdk", None) == "4.5.3"


def test_a_lockfile_over_the_limit_is_skipped_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lockfiles, "MAX_LOCKFILE_BYTES", 1000)
    (tmp_path / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "^4.1.0"}}')
    (tmp_path / "package-lock.json").write_text(" " * 2000 + "{}")
    result = load_lockfile(tmp_path / "package-lock.json")
    assert isinstance(result, LockfileError) and "over the 0 MiB limit" in result.note
    assert sdk_of(tmp_path / "a.ts")[0] == Version(4, 1, 0)  # falls through to the range
    (tmp_path / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "latest"}}')
    found, said = sdk_of(tmp_path / "b/a.ts")
    assert found is None
    assert said == (
        "no node_modules, lockfile or version in package.json; "
        "package-lock.json skipped: 0 MiB is over the 0 MiB limit"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("package-lock.json", "{" * 100_000),
        ("package-lock.json", '{"packages": {"node_modules/@trigger.dev/sdk": {"version": 4}}}'),
        ("package-lock.json", '{"packages": ['),
        ("package-lock.json", "[1, 2]"),
        ("pnpm-lock.yaml", "importers:\n" + "  " * 1 + "[" * 50_000),
        ("pnpm-lock.yaml", "importers: &a [*a]\n"),
        (
            "pnpm-lock.yaml",
            "importers:\n  .:\n    dependencies:\n      '@trigger.dev/sdk': [1, {2: 3}]\n",
        ),
        ("pnpm-lock.yaml", "\x00\x01\x02 binary"),
        ("pnpm-lock.yaml", "importers: !!python/object/apply:os.system ['touch pwned']\n"),
        (
            "yarn.lock",
            '__metadata:\n  version: 8\n"@trigger.dev/sdk@npm:^4.1.0": !!python/name:os.system\n',
        ),
        ("yarn.lock", "# yarn lockfile v1\n" + "".join(" " * i + f"k{i}:\n" for i in range(3000))),
        ("yarn.lock", '"@trigger.dev/sdk@^4":\n  version "not a version"\n'),
        ("yarn.lock", '__metadata:\n  version: 8\n"@trigger.dev/sdk@npm:^4": [\n'),
        ("bun.lock", '{"packages": {"@trigger.dev/sdk": [],},}'),
        ("bun.lock", '{"packages": {"@trigger.dev/sdk": ["@trigger.dev/sdk@4.1.0"' + ",[" * 40_000),
    ],
)
def test_hostile_lockfiles_never_crash(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "^4.1.0"}}')
    (tmp_path / name).write_text(text)
    assert sdk_of(tmp_path / "src/a.ts")[0] == Version(4, 1, 0)  # the range still gives one
    assert not (tmp_path / "pwned").exists()


def test_show_projects_says_each_version_and_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    from trigger_lsp.cli.main import main

    assert (
        main(["check", "--show-projects", str(FIXTURES / "pnpm"), str(FIXTURES / "no-version")])
        == 0
    )
    out = capsys.readouterr().out
    jobs = out[out.index("pnpm/packages/jobs") :]
    assert "  config:    (none found)\n" in jobs
    assert "  SDK:       4.5.2 from ../../pnpm-lock.yaml (importer packages/jobs)\n" in jobs
    assert "  CLI:       4.5.2 from ../../pnpm-lock.yaml (importer packages/jobs)\n" in jobs
    unknown = out[out.index("no-version") :]
    assert "trigger.config.ts\n  task dirs: ./src/trigger\n" in unknown
    assert "  SDK:       unknown: no node_modules, lockfile or version in package.json\n" in unknown
    assert "  CLI:       unknown: no node_modules, lockfile or version in package.json\n" in unknown
    assert main(["check", "--show-projects", "--format", "json", str(FIXTURES / "cli-only")]) == 0
    (project,) = json.loads(capsys.readouterr().out)
    assert project["sdk"] == {
        "version": "4.5.2",
        "source": "sibling workspace package ../../apps/web",
    }
    assert project["config"].endswith("cli-only/packages/jobs/trigger.config.ts")
    assert project["task_dirs"] == ["./src/trigger"]


# --- each version boundary, rule by rule: fires inside, silent outside and when unknown ----------

IMPORT = 'import { task, metadata, logger } from "@trigger.dev/sdk";\n'
CHILD = 'export const child = task({ id: "child", run: async () => {} });\n'


def _in_task(options: str, body: str = "") -> str:
    return (
        IMPORT
        + CHILD
        + f'export const t = task({{\n  id: "t",\n  {options}\n  run: async () => {{\n{body}\n  }},\n}});\n'
    )


BOUNDARIES = [
    # (rule, code, path, fires on, silent on)
    (
        "queue-concurrency-deprecated",
        _in_task("queue: { concurrencyLimit: 5 },"),
        None,
        "4.7.0",
        "4.6.4",
    ),
    ("deprecated-hook", _in_task("onStart: async () => {},"), None, "4.1.0", "4.0.7"),
    (
        "metadata-outside-run",
        _in_task("", '    await metadata.stream("s", source);'),
        None,
        "4.1.0",
        "4.0.7",
    ),
    (
        "raw-string-idempotency-key",
        _in_task("", '    await child.trigger(undefined, { idempotencyKey: "once" });'),
        None,
        "4.3.1",
        "4.3.0",
    ),
    (
        "v3-hook-signature",
        _in_task("onSuccess: async (payload, { ctx }) => {},"),
        None,
        "4.0.0",
        "3.3.17",
    ),
    (
        "trigger-queue-object",
        _in_task("", "    await child.trigger(undefined, { queue: { concurrencyLimit: 1 } });"),
        None,
        "4.0.0",
        "3.3.17",
    ),
    (
        "batch-trigger-runs-removed",
        _in_task(
            "", "    const b = await child.batchTrigger([]);\n    logger.info(String(b.runs));"
        ),
        None,
        "4.0.0",
        "3.3.17",
    ),
    (
        "oncomplete-result-output",
        _in_task("onComplete: async ({ result }) => { logger.info(String(result.output)); },"),
        None,
        "4.0.0",
        "3.3.17",
    ),
    ("sdk-v3-import-path", IMPORT.replace('sdk"', 'sdk/v3"') + CHILD, None, "4.0.0", "3.3.17"),
    ("sdk-v3-import-path", IMPORT + CHILD, None, "3.3.17", "4.0.0"),  # root_on_v3
    (
        "task-not-exported",
        IMPORT.replace('sdk"', 'sdk/v3"') + CHILD.replace("export ", ""),
        None,
        "3.3.17",
        "4.0.0",
    ),
    (
        "v2-api",
        'import { TriggerClient } from "@trigger.dev/sdk";\nconst client = new TriggerClient({ id: "x" });\nclient.defineJob({ id: "j" });\n',
        None,
        "3.0.0",
        "2.3.19",
    ),
    (
        "bun-runtime-deprecated",
        'import { defineConfig } from "@trigger.dev/sdk";\nexport default defineConfig({ project: "p", maxDuration: 60, runtime: "bun" });\n',
        "trigger.config.ts",
        "4.8.0",
        "4.7.7",
    ),
    (
        "config-missing-max-duration",
        'import { defineConfig } from "@trigger.dev/sdk/v3";\nexport default defineConfig({ project: "p" });\n',
        "trigger.config.ts",
        "3.3.11",
        "3.3.10",
    ),
]


@pytest.mark.parametrize(("rule", "code", "path", "inside", "outside"), BOUNDARIES)
def test_a_version_boundary_gates_its_rule(
    rule: str, code: str, path: str | None, inside: str, outside: str
) -> None:
    where = {"path": path} if path else {}
    assert lint(code, only=rule, sdk=inside, **where), f"{rule} must fire on {inside}"
    assert lint(code, only=rule, sdk=outside, **where) == [], f"{rule} must not fire on {outside}"
    assert lint(code, only=rule, sdk="unknown", **where) == [], f"{rule} must not fire (unknown)"


def test_the_concurrency_advice_depends_on_the_version() -> None:
    code = IMPORT + CHILD
    rule = "task-no-concurrency-limit"
    # The strict profile reports every task without a limit, with the version's advice.
    (new,) = lint(code, only=rule, sdk="4.7.0", profile="strict")
    (old,) = lint(code, only=rule, sdk="4.6.4", profile="strict")
    (unknown,) = lint(code, only=rule, sdk="unknown", profile="strict")
    assert "concurrency: { total: n }" in new.message and "queue:" not in new.message
    assert "queue: { concurrencyLimit: n }" in old.message and "total" not in old.message
    assert "concurrency: { total: n }` (SDK 4.7+)" in unknown.message
    assert "queue: { concurrencyLimit: n }` (older SDKs" in unknown.message
