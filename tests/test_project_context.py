"""Project resolution: which config, package.json and SDK version each file belongs to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trigger_lsp.analysis.syntax import parse
from trigger_lsp.project.context import ProjectContext, ProjectResolver, default_context
from trigger_lsp.project.packages import installed_version, parse_manifest, read_manifest
from trigger_lsp.project.trigger_config import missing_dirs, parse_config, read_config
from trigger_lsp.project.versions import Version

CONFIG = """import {{ defineConfig }} from "@trigger.dev/sdk";

export default defineConfig({{
  project: "proj_test",
  maxDuration: 3600,{extra}
}});
"""


def write(root: Path, files: dict[str, str | dict]) -> Path:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(content, indent=2) if isinstance(content, dict) else content
        target.write_text(text, encoding="utf-8")
    return root


def manifest(sdk: str | None = None, cli: str | None = None, **extra: object) -> dict:
    data: dict = {"name": "app", "private": True, **extra}
    if sdk is not None:
        data["dependencies"] = {"@trigger.dev/sdk": sdk}
    if cli is not None:
        data["devDependencies"] = {"trigger.dev": cli}
    return data


TASK = 'import { task } from "@trigger.dev/sdk";\n'


# --- SDK version resolution order ------------------------------------------------------------


def test_installed_version_wins(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": manifest("^4.1.0"),
            "node_modules/@trigger.dev/sdk/package.json": {"name": "x", "version": "4.6.2"},
            ".trigger-lsp.yaml": "sdk-version: 3.3.0\n",
            "src/trigger/a.ts": TASK,
        },
    )
    ctx = ProjectResolver().context_for(tmp_path / "src/trigger/a.ts")
    assert ctx.sdk_version == Version(4, 6, 2)
    assert ctx.sdk_version_source == "node_modules/@trigger.dev/sdk (installed)"


def test_package_json_range_gives_its_lowest_version(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": manifest("^4.3.1"),
            ".trigger-lsp.yaml": "sdk-version: 3.3.0\n",
            "src/trigger/a.ts": TASK,
        },
    )
    ctx = ProjectResolver().context_for(tmp_path / "src/trigger/a.ts")
    assert ctx.sdk_version == Version(4, 3, 1)
    assert ctx.sdk_version_source == "the lowest version `^4.3.1` allows in package.json"


def test_lint_config_version_when_package_json_names_none(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": manifest("latest"),
            ".trigger-lsp.yaml": "sdk-version: 3.3.17\n",
            "src/trigger/a.ts": TASK,
        },
    )
    ctx = ProjectResolver().context_for(tmp_path / "src/trigger/a.ts")
    assert ctx.sdk_version == Version(3, 3, 17)
    assert ctx.sdk_version_source == "`sdk-version` in .trigger-lsp.yaml"


def test_with_no_source_the_version_is_unknown(tmp_path: Path) -> None:
    # Issue 13: assuming the newest SDK (4.8.3, as before) when nothing names a version gave
    # projects on 4.1 and 4.5 deprecations of 4.7/4.8. With no source it is unknown.
    write(tmp_path, {"src/trigger/a.ts": TASK})
    ctx = ProjectResolver().context_for(tmp_path / "src/trigger/a.ts")
    assert ctx.sdk_version is None and ctx.cli.version is None
    assert ctx.sdk.describe() == "unknown: no package.json, node_modules or lockfile"


@pytest.mark.parametrize(
    ("spec", "expected", "source"),
    [
        ("3.3.17", Version(3, 3, 17), "exact pin in package.json"),
        ("~3.3.12", Version(3, 3, 12), "lowest version `~3.3.12` allows"),
        ("4.0.0-v4-beta.18", Version(4), "exact pin"),
        ("v4-beta", Version(4), "lowest version `v4-beta` allows"),
        # No version in these, and nothing else to go on: unknown (it used to be 4.8.3).
        ("latest", None, "unknown"),
        ("workspace:*", None, "unknown"),
        ("file:../sdk", None, "unknown"),
        ("¯\\_(ツ)_/¯", None, "unknown"),
    ],
)
def test_every_spec_shape_resolves_or_is_unknown(
    tmp_path: Path, spec: str, expected: Version | None, source: str
) -> None:
    write(tmp_path, {"package.json": manifest(spec), "src/trigger/a.ts": TASK})
    ctx = ProjectResolver().context_for(tmp_path / "src/trigger/a.ts")
    assert ctx.sdk_version == expected
    assert source in ctx.sdk.describe()


def test_broken_package_json_falls_back(tmp_path: Path) -> None:
    write(
        tmp_path, {"package.json": '{"dependencies": {"@trigger.dev/sdk": ', "x/trigger/a.ts": TASK}
    )
    ctx = ProjectResolver().context_for(tmp_path / "x/trigger/a.ts")
    assert ctx.sdk_version is None
    assert ctx.manifest is not None and ctx.manifest.error


def test_version_from_a_workspace_root_when_the_package_declares_none(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": manifest("3.3.17", workspaces=["packages/*"]),
            "packages/jobs/package.json": {"name": "jobs"},
            "packages/jobs/trigger.config.ts": CONFIG.format(extra=""),
            "packages/jobs/src/trigger/a.ts": TASK,
        },
    )
    ctx = ProjectResolver().context_for(tmp_path / "packages/jobs/src/trigger/a.ts")
    assert ctx.sdk_version == Version(3, 3, 17)
    assert ctx.manifest is not None
    assert ctx.manifest.path == tmp_path / "packages/jobs/package.json"


# --- monorepos ----------------------------------------------------------------------------------


def test_each_package_of_a_monorepo_is_its_own_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": {"name": "root", "workspaces": ["packages/*"]},
            "packages/a/package.json": manifest("4.8.3", "4.8.3"),
            "packages/a/trigger.config.ts": CONFIG.format(extra=""),
            "packages/a/src/trigger/x.ts": TASK,
            "packages/b/package.json": manifest("3.3.17", "3.3.17"),
            "packages/b/trigger.config.ts": CONFIG.format(extra='\n  dirs: ["./jobs"],'),
            "packages/b/jobs/nested/y.ts": TASK,
        },
    )
    resolver = ProjectResolver()
    a = resolver.context_for(tmp_path / "packages/a/src/trigger/x.ts")
    b = resolver.context_for(tmp_path / "packages/b/jobs/nested/y.ts")
    assert a.root == tmp_path / "packages/a"
    assert b.root == tmp_path / "packages/b"
    assert a.config is not None and a.config.path == tmp_path / "packages/a/trigger.config.ts"
    assert b.config is not None and b.config.dirs == ("./jobs",)
    assert a.sdk_version == Version(4, 8, 3)
    assert b.sdk_version == Version(3, 3, 17)
    assert a.in_trigger_dir(tmp_path / "packages/a/src/trigger/x.ts")
    assert b.in_trigger_dir(tmp_path / "packages/b/jobs/nested/y.ts")
    assert not b.in_trigger_dir(tmp_path / "packages/b/src/other.ts")
    assert a.searched and b.searched


def test_installed_sdk_is_resolved_from_the_file_like_node(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "node_modules/@trigger.dev/sdk/package.json": {"version": "3.3.17"},
            "packages/a/package.json": manifest("^4.0.0"),
            "packages/a/node_modules/@trigger.dev/sdk/package.json": {"version": "4.2.0"},
            "packages/a/src/trigger/x.ts": TASK,
            "packages/b/package.json": manifest("^3.3.0"),
            "packages/b/src/trigger/y.ts": TASK,
        },
    )
    resolver = ProjectResolver()
    assert resolver.context_for(tmp_path / "packages/a/src/trigger/x.ts").sdk_version == Version(
        4, 2
    )
    assert resolver.context_for(tmp_path / "packages/b/src/trigger/y.ts").sdk_version == Version(
        3, 3, 17
    )
    assert installed_version(tmp_path / "packages/b", "@trigger.dev/nope") is None


def test_default_context_has_not_searched() -> None:
    ctx = default_context(Path("/nowhere"))
    assert not ctx.searched and ctx.config is None and ctx.sdk_version is None


def test_resolver_caches_and_clears(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": manifest("4.1.0"), "src/a.ts": TASK})
    resolver = ProjectResolver()
    first = resolver.context_for(tmp_path / "src/a.ts")
    assert resolver.context_for(tmp_path / "src/a.ts") is first
    write(tmp_path, {"package.json": manifest("4.5.0")})
    resolver.clear()
    assert resolver.context_for(tmp_path / "src/a.ts").sdk_version == Version(4, 5)


# --- trigger.config reading -------------------------------------------------------------------


def config_of(source: str, name: str = "trigger.config.ts", base: Path = Path("/p")):
    data = source.encode()
    return parse_config(base / name, data, parse(data, "typescript"))


def test_config_options_are_read() -> None:
    config = config_of(
        """
        import { defineConfig } from "@trigger.dev/sdk";
        export default defineConfig({
          project: "proj_x",
          dirs: ["./src/trigger", "./jobs"],
          maxDuration: 300,
          runtime: "bun",
          retries: { enabledInDev: false, default: { maxAttempts: 2 } },
          build: { external: ["sharp", "re2"] },
        });
        """
    )
    assert config.call is not None and config.options is not None
    assert config.dirs == ("./src/trigger", "./jobs")
    assert config.max_duration == 300 and config.has_max_duration
    assert config.runtime == "bun"
    assert config.has_default_retries
    assert config.externals == ("sharp", "re2") and config.externals_known


def test_config_through_aliases_namespaces_and_require() -> None:
    aliased = config_of(
        'import { defineConfig as dc } from "@trigger.dev/sdk/v3";\n'
        'export default dc({ project: "p", maxDuration: 60 });\n'
    )
    assert aliased.call is not None and aliased.max_duration == 60
    namespaced = config_of(
        'import * as trigger from "@trigger.dev/sdk";\n'
        'export default trigger.defineConfig({ project: "p", maxDuration: 61 });\n'
    )
    assert namespaced.max_duration == 61
    required = config_of(
        'const { defineConfig } = require("@trigger.dev/sdk");\n'
        'module.exports = defineConfig({ project: "p", maxDuration: 62 });\n',
        name="trigger.config.cjs",
    )
    assert required.max_duration == 62


def test_config_from_a_variable_and_a_plain_export() -> None:
    via_variable = config_of(
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'const options = { project: "p", maxDuration: 70, dirs: ["./t"] };\n'
        "export default defineConfig(options);\n"
    )
    assert via_variable.call is not None and via_variable.dirs == ("./t",)
    plain = config_of(
        'import type { TriggerConfig } from "@trigger.dev/sdk";\n'
        'export default { project: "p", maxDuration: 80 } satisfies TriggerConfig;\n'
    )
    assert plain.call is None and plain.max_duration == 80


def test_look_alike_define_config_is_not_the_sdk() -> None:
    config = config_of(
        'import { defineConfig } from "vitest/config";\n'
        "export default defineConfig({ test: {} });\n"
    )
    assert config.call is None


def test_opaque_options_are_treated_as_set() -> None:
    spread = config_of(
        'import { defineConfig } from "@trigger.dev/sdk";\nimport base from "./base";\n'
        'export default defineConfig({ ...base, project: "p" });\n'
    )
    assert spread.has_spread and spread.has_default_retries
    shared = config_of(
        'import { defineConfig } from "@trigger.dev/sdk";\nimport { retries, build } from "./x";\n'
        'export default defineConfig({ project: "p", maxDuration: 9, retries, build });\n'
    )
    assert shared.has_default_retries and not shared.externals_known


def test_missing_dirs(tmp_path: Path) -> None:
    write(tmp_path, {"src/trigger/a.ts": TASK})
    (tmp_path / "trigger.config.ts").write_text(
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "p", maxDuration: 9, '
        'dirs: ["./src/trigger", "./src/jobs", "src/**/tasks"] });\n'
    )
    config = read_config(tmp_path / "trigger.config.ts")
    assert [value for value, _ in missing_dirs(config)] == ["./src/jobs"]


def test_unreadable_config_gives_an_empty_config(tmp_path: Path) -> None:
    config = read_config(tmp_path / "trigger.config.ts")
    assert config.options is None and config.dirs == ()


# --- package.json reading ---------------------------------------------------------------------


def test_manifest_entries_have_positions() -> None:
    source = (
        b'{\n  "dependencies": {\n    "@trigger.dev/sdk": "4.8.3"\n  },\n'
        b'  "devDependencies": { "trigger.dev": "^4.8.0", "@trigger.dev/sdk": "4.0.0" }\n}\n'
    )
    m = parse_manifest(Path("package.json"), source)
    assert m.error is None
    sdk = m.entry("@trigger.dev/sdk")
    assert sdk is not None and sdk.section == "dependencies" and sdk.spec == "4.8.3"
    assert source[sdk.start_byte : sdk.end_byte] == b'"@trigger.dev/sdk": "4.8.3"'
    assert m.deps == {"@trigger.dev/sdk": "4.8.3", "trigger.dev": "^4.8.0"}


def test_manifest_overrides_and_escapes() -> None:
    source = json.dumps(
        {
            "dependencies": {"@trigger.dev/sdk": "4.8.3", "\u0061bc": "1.0.0"},
            "overrides": {"trigger.dev": "4.8.3", "foo": {"@trigger.dev/build": "4.8.3"}},
            "pnpm": {"overrides": {"**/@trigger.dev/core@^4": "4.8.3"}},
            "resolutions": {"parent>@trigger.dev/react-hooks": "4.8.3"},
        }
    ).encode()
    m = parse_manifest(Path("package.json"), source)
    assert "abc" in m.deps
    assert {
        "trigger.dev",
        "foo",
        "@trigger.dev/build",
        "@trigger.dev/core",
        "@trigger.dev/react-hooks",
    } <= m.overridden


@pytest.mark.parametrize("text", ['{"dependencies": ', "[1, 2", '{"a": 1,,}', "\x00\x01"])
def test_invalid_manifest_reports_an_error(text: str) -> None:
    assert parse_manifest(Path("package.json"), text.encode()).error is not None


def test_read_manifest_of_a_missing_file(tmp_path: Path) -> None:
    assert read_manifest(tmp_path / "package.json").error is not None


def test_a_monorepo_package_without_config_knows_whether_another_package_has_one(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "package.json": {"name": "root", "workspaces": ["apps/*", "packages/*"]},
            "apps/worker/package.json": manifest("4.8.3"),
            "apps/worker/trigger.config.ts": CONFIG.format(extra=""),
            "packages/shared/package.json": manifest("4.8.3"),
            "packages/shared/src/tasks.ts": TASK,
        },
    )
    shared = ProjectResolver().context_for(tmp_path / "packages/shared/src/tasks.ts")
    assert shared.config is None and shared.workspace_has_config


def test_a_workspace_without_any_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
            "package.json": {"name": "root"},
            "packages/jobs/package.json": manifest("4.8.3"),
            "packages/jobs/src/trigger/a.ts": TASK,
            # A config inside node_modules does not count.
            "node_modules/x/trigger.config.ts": CONFIG.format(extra=""),
        },
    )
    jobs = ProjectResolver().context_for(tmp_path / "packages/jobs/src/trigger/a.ts")
    assert jobs.config is None and not jobs.workspace_has_config


# --- versions from lockfiles and workspaces (issue 13) -------------------------------------------

VERSIONS = Path(__file__).parent / "projects" / "versions"


def test_a_lockfile_is_parsed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from trigger_lsp.project import lockfiles

    lockfiles.clear_cache()
    parsed: list[Path] = []
    real = lockfiles._parse
    monkeypatch.setattr(lockfiles, "_parse", lambda path: parsed.append(path) or real(path))
    root = VERSIONS / "pnpm"
    for _ in range(2):  # two resolvers (as after a clear), four folders in two packages
        resolver = ProjectResolver()
        for folder in ("packages/jobs/src/trigger", "apps/web/src/trigger", "apps/web/src"):
            assert resolver.context_for(root / folder / "x.ts").sdk_version is not None
    assert parsed == [root / "pnpm-lock.yaml"]


def test_the_workspace_root_declaring_the_sdk_is_read_from_its_lockfile_entry(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "package.json": manifest("^4.0.0", workspaces=["packages/*"]),
            "package-lock.json": {
                "lockfileVersion": 3,
                "packages": {
                    "": {"name": "app", "dependencies": {"@trigger.dev/sdk": "^4.0.0"}},
                    "node_modules/@trigger.dev/sdk": {"version": "4.2.0"},
                },
            },
            "packages/jobs/package.json": {"name": "jobs"},
            "packages/jobs/src/trigger/a.ts": TASK,
        },
    )
    ctx = ProjectResolver().context_for(tmp_path / "packages/jobs/src/trigger/a.ts")
    assert ctx.sdk.describe() == "4.2.0 from ../../package-lock.json (root package)"


def test_the_installed_cli_gives_the_cli_version(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": manifest("4.8.3", "^3.3.0"),
            "node_modules/trigger.dev/package.json": {"name": "trigger.dev", "version": "3.3.10"},
            "trigger.config.ts": CONFIG.format(extra=""),
        },
    )
    ctx = ProjectResolver().context_for(tmp_path / "trigger.config.ts")
    assert ctx.cli.describe() == "3.3.10 from node_modules/trigger.dev (installed)"
    assert ctx.sdk.describe() == "4.8.3 from the exact pin in package.json"


def test_a_context_built_without_a_cli_version_follows_the_sdk() -> None:
    ctx = default_context(Path("/p"))
    assert ctx.cli.version is None
    known = ProjectContext(Path("/p"), None, None, Version(4, 1), "test", ctx.lint)
    assert known.cli.version == Version(4, 1) and known.cli.source.startswith("the SDK's")
