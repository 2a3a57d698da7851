"""Tests for the project rules: trigger.config options, task file placement, native packages
and SDK version mismatches in package.json."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from helpers import SDK_IMPORT, fixed, lines_of, lint, marked
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.knowledge.model import FixSafety, Severity
from trigger_lsp.lint.manifest import check_manifest
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.project.index import ProjectIndex, index_source
from trigger_lsp.project.lint_config import LintConfig
from trigger_lsp.project.packages import parse_manifest
from trigger_lsp.project.trigger_config import parse_config
from trigger_lsp.project.versions import Version
from trigger_lsp.rules import REGISTRY

CONFIG_IMPORT = 'import { defineConfig } from "@trigger.dev/sdk";\n'


def src(body: str, imports: str = CONFIG_IMPORT) -> str:
    return imports + textwrap.dedent(body).lstrip("\n")


def project(
    *,
    config: str | None = None,
    deps: dict[str, str] | None = None,
    sdk: str = "4.8.3",
    searched: bool = True,
    root: Path = Path("/project"),
) -> ProjectContext:
    manifest = None
    if deps is not None:
        data = json.dumps({"name": "app", "dependencies": deps}).encode()
        manifest = parse_manifest(root / "package.json", data)
    parsed = None
    if config is not None:
        raw = config.encode()
        parsed = parse_config(root / "trigger.config.ts", raw, parse(raw, "typescript"))
    version = Version.parse(sdk)
    assert version is not None
    return ProjectContext(root, parsed, manifest, version, "test", LintConfig(), searched)


# --- config-missing-max-duration ------------------------------------------------------------


def test_missing_max_duration_fires_on_the_define_config_callee() -> None:
    code = src(
        """
        export default defineConfig({ /*>*/
          project: "proj_abc",
          dirs: ["./src/trigger"],
        });
        """
    )
    findings = lint(code, only="config-missing-max-duration", path="trigger.config.ts")
    assert lines_of(findings) == marked(code)
    assert findings[0].severity is Severity.ERROR
    assert code.encode()[findings[0].start_byte : findings[0].end_byte] == b"defineConfig"
    assert findings[0].fix is not None and findings[0].fix.safety is FixSafety.UNSAFE


def test_missing_max_duration_fix_goes_after_project() -> None:
    code = src(
        """
        export default defineConfig({
          project: "proj_abc", // from the dashboard
          dirs: ["./src/trigger"],
        });
        """
    )
    out = fixed(code, "config-missing-max-duration", path="trigger.config.ts")
    assert out == src(
        """
        export default defineConfig({
          project: "proj_abc", // from the dashboard
          maxDuration: 3600,
          dirs: ["./src/trigger"],
        });
        """
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('defineConfig({ project: "p" })', 'defineConfig({ project: "p", maxDuration: 3600 })'),
        (
            'defineConfig({ project: "p", dirs: ["x"] })',
            'defineConfig({ project: "p", maxDuration: 3600, dirs: ["x"] })',
        ),
        ('defineConfig({ project: "p", })', 'defineConfig({ project: "p", maxDuration: 3600, })'),
        ("defineConfig({})", "defineConfig({ maxDuration: 3600 })"),
        ('defineConfig({ dirs: ["x"] })', 'defineConfig({ maxDuration: 3600, dirs: ["x"] })'),
        (
            'defineConfig({\n  project: "p"\n})',
            'defineConfig({\n  project: "p",\n  maxDuration: 3600,\n})',
        ),
        (
            'defineConfig({\n    dirs: ["x"],\n})',
            'defineConfig({\n    maxDuration: 3600,\n    dirs: ["x"],\n})',
        ),
        (
            'defineConfig({\n  project: "p" /* ref */,\n  dirs: ["x"],\n})',
            'defineConfig({\n  project: "p" /* ref */,\n  maxDuration: 3600,\n  dirs: ["x"],\n})',
        ),
    ],
)
def test_missing_max_duration_fix_layouts(before: str, after: str) -> None:
    code = CONFIG_IMPORT + f"export default {before};\n"
    out = fixed(code, "config-missing-max-duration", path="trigger.config.ts")
    assert out == CONFIG_IMPORT + f"export default {after};\n"


@pytest.mark.parametrize(
    "code",
    [
        src('export default defineConfig({ project: "p", maxDuration: 3600 });\n'),
        src('export default defineConfig({ project: "p", maxDuration: timeout.None });\n'),
        src(
            "const maxDuration = 300;\n"
            "export default defineConfig({ project: 'p', maxDuration });\n"
        ),
        # The value may come from a shared base config.
        src(
            'import base from "./base";\nexport default defineConfig({ ...base, project: "p" });\n'
        ),
        # Not the SDK's defineConfig.
        'import { defineConfig } from "vitest/config";\n'
        "export default defineConfig({ test: {} });\n",
        # A plain object export: not a defineConfig call.
        'export default { project: "p" };\n',
    ],
)
def test_missing_max_duration_quiet(code: str) -> None:
    assert lint(code, only="config-missing-max-duration", path="trigger.config.ts") == []


def test_zero_max_duration_is_refused_like_a_missing_one() -> None:
    # trigger.dev 4.8.3 dist/esm/config.js:227 tests `!config.maxDuration`.
    code = src('export default defineConfig({ project: "p", maxDuration: 0 });\n')
    findings = lint(code, only="config-missing-max-duration", path="trigger.config.ts")
    assert lines_of(findings) == [2]
    assert findings[0].severity is Severity.ERROR
    assert "`maxDuration: 0` is refused by the CLI" in findings[0].message
    assert code.encode()[findings[0].start_byte : findings[0].end_byte] == b"0"
    assert findings[0].fix is None


@pytest.mark.parametrize("value", ["1", "4", "5", "0.5", "-0 + 1"])
def test_small_but_non_zero_max_duration_passes_the_cli(value: str) -> None:
    code = src(f'export default defineConfig({{ project: "p", maxDuration: {value} }});\n')
    assert lint(code, only="config-missing-max-duration", path="trigger.config.ts") == []


def test_missing_max_duration_only_in_config_files() -> None:
    code = src('export const config = defineConfig({ project: "p" });\n')
    assert lint(code, only="config-missing-max-duration", path="src/trigger/config.ts") == []
    for name in ("trigger.config.mjs", "trigger.config.js", "trigger.config.mts"):
        assert lines_of(lint(code, only="config-missing-max-duration", path=name)) == [2]


def test_missing_max_duration_aliases_and_v3() -> None:
    aliased = 'import { defineConfig as cfg } from "@trigger.dev/sdk/v3";\ncfg({ project: "p" });\n'
    assert lines_of(
        lint(aliased, only="config-missing-max-duration", path="trigger.config.ts")
    ) == [2]
    namespaced = (
        'import * as sdk from "@trigger.dev/sdk";\n'
        'export default sdk.defineConfig({ project: "p" });\n'
    )
    findings = lint(namespaced, only="config-missing-max-duration", path="trigger.config.ts")
    assert lines_of(findings) == [2]
    # 3.x requires it as well.
    assert lines_of(
        lint(aliased, only="config-missing-max-duration", path="trigger.config.ts", sdk="3.3.17")
    ) == [2]


# --- trigger-config-not-found -------------------------------------------------------------------

TASK_FILE = SDK_IMPORT + textwrap.dedent(
    """
    export const a = task({ id: "a", run: async () => { logger.info("a"); } });
    export const b = task({ id: "b", run: async () => { logger.info("b"); } });
    """
).lstrip("\n")


def test_task_file_without_any_config_fires_once_at_the_first_task() -> None:
    ctx = project(deps={"@trigger.dev/sdk": "4.8.3"})
    findings = lint(TASK_FILE, only="trigger-config-not-found", project=ctx)
    assert lines_of(findings) == [2]
    assert findings[0].severity is Severity.WARNING
    assert "no trigger.config" in findings[0].message


def test_no_config_quiet_cases() -> None:
    # A file that defines no task.
    helper = SDK_IMPORT + 'export async function go() { await tasks.trigger("a", {}); }\n'
    ctx = project(deps={"@trigger.dev/sdk": "4.8.3"})
    assert lint(helper, only="trigger-config-not-found", project=ctx) == []
    # No search of the disk (an unsaved buffer, the default context): nothing is known.
    assert lint(TASK_FILE, only="trigger-config-not-found", project=default_context()) == []
    assert lint(TASK_FILE, only="trigger-config-not-found", project=project(searched=False)) == []
    # Not inside any package.
    assert lint(TASK_FILE, only="trigger-config-not-found", project=project()) == []
    # Test files are skipped by the CLI anyway.
    assert lint(TASK_FILE, only="trigger-config-not-found", project=ctx, path="src/a.test.ts") == []


def test_task_file_outside_configured_dirs_is_information() -> None:
    config = src(
        'export default defineConfig({ project: "p", maxDuration: 60, dirs: ["./src/trigger"] });\n'
    )
    ctx = project(config=config, deps={})
    findings = lint(TASK_FILE, only="trigger-config-not-found", project=ctx, path="src/jobs/a.ts")
    assert lines_of(findings) == [2]
    assert findings[0].severity is Severity.INFO
    assert '"./src/trigger"' in findings[0].message
    inside = lint(
        TASK_FILE, only="trigger-config-not-found", project=ctx, path="src/trigger/x/a.ts"
    )
    assert inside == []


def test_outside_dirs_needs_explicit_dirs() -> None:
    config = src('export default defineConfig({ project: "p", maxDuration: 60 });\n')
    ctx = project(config=config, deps={})
    assert lint(TASK_FILE, only="trigger-config-not-found", project=ctx, path="lib/a.ts") == []


def test_missing_dir_in_the_config(tmp_path: Path) -> None:
    (tmp_path / "src/trigger").mkdir(parents=True)
    code = src(
        """
        export default defineConfig({
          project: "p",
          maxDuration: 60,
          dirs: ["./src/trigger", "./src/jobs", "src/**/tasks"], /*>*/
        });
        """
    )
    findings = lint(code, only="trigger-config-not-found", path=str(tmp_path / "trigger.config.ts"))
    assert lines_of(findings) == marked(code)
    assert code.encode()[findings[0].start_byte : findings[0].end_byte] == b'"./src/jobs"'
    assert "./src/jobs" in findings[0].message
    (tmp_path / "src/jobs").mkdir()
    assert (
        lint(code, only="trigger-config-not-found", path=str(tmp_path / "trigger.config.ts")) == []
    )


# --- native-modules-external --------------------------------------------------------------------

NATIVE_CONFIG = src(
    """
    export default defineConfig({
      project: "p",
      maxDuration: 60,
      build: {
        external: ["re2"],
      },
    });
    """
)


def bundle(files: dict[str, str], root: Path = Path("/project")) -> ProjectIndex:
    """A complete project index of these files (path below the root -> source)."""
    index = ProjectIndex()
    for rel, source in files.items():
        path = root / rel
        found = index_source(textwrap.dedent(source).encode(), path, root)
        index.update(path, found.entries, found.sites, found.imports)
    index.complete = True
    return index


# A task file that uses every package the tests list as dependencies.
USES_NATIVE = {
    "src/trigger/media.ts": """
        import sharp from "sharp";
        import RE2 from "re2";
        import Database from "better-sqlite3";
        import { createCanvas } from "@napi-rs/canvas/node";
        import { z } from "zod";
    """
}


def test_native_package_not_external_is_a_hint_on_the_build_key() -> None:
    ctx = project(deps={"sharp": "^0.33.0", "re2": "^1.21.0", "zod": "^3.0.0"})
    findings = lint(
        NATIVE_CONFIG,
        only="native-modules-external",
        path="trigger.config.ts",
        project=ctx,
        index=bundle(USES_NATIVE),
    )
    assert lines_of(findings) == [5]
    assert findings[0].severity is Severity.HINT
    assert "`sharp`" in findings[0].message and "re2" not in findings[0].message
    assert "autoDetectExternal" in findings[0].message


def test_native_packages_without_build_point_at_define_config() -> None:
    code = src('export default defineConfig({ project: "p", maxDuration: 60 });\n')
    ctx = project(deps={"better-sqlite3": "^11.0.0", "@napi-rs/canvas": "^0.1.0"})
    findings = lint(
        code,
        only="native-modules-external",
        path="trigger.config.ts",
        project=ctx,
        index=bundle(USES_NATIVE),
    )
    assert lines_of(findings) == [2]
    assert "`better-sqlite3`" in findings[0].message and "`@napi-rs/canvas`" in findings[0].message


@pytest.mark.parametrize(
    ("config", "deps"),
    [
        (NATIVE_CONFIG, {"re2": "^1.21.0"}),
        (NATIVE_CONFIG, {"zod": "^3.0.0", "openai": "^4.0.0"}),
        # A wildcard external covers the scope.
        (
            src(
                'export default defineConfig({ project: "p", maxDuration: 6,\n'
                '  build: { external: ["@napi-rs/*"] } });\n'
            ),
            {"@napi-rs/canvas": "^0.1.0"},
        ),
        # externals the syntax cannot read: do not guess.
        (
            src(
                'import { ext } from "./ext";\n'
                'export default defineConfig({ project: "p", maxDuration: 6,\n'
                "  build: { external: ext } });\n"
            ),
            {"sharp": "^0.33.0"},
        ),
        (
            src(
                'import { build } from "./b";\n'
                'export default defineConfig({ project: "p", maxDuration: 6, build });\n'
            ),
            {"sharp": "^0.33.0"},
        ),
    ],
)
def test_native_modules_quiet(config: str, deps: dict[str, str]) -> None:
    ctx = project(deps=deps)
    index = bundle(USES_NATIVE)
    found = lint(
        config, only="native-modules-external", path="trigger.config.ts", project=ctx, index=index
    )
    assert found == []


# Which files import a package decides, not package.json alone: esbuild bundles the task files
# of the config's dirs and what they import, nothing else.
NATIVE_NOT_BUNDLED = {
    "no file imports it (Next.js needs sharp for its images)": (
        'export default defineConfig({ project: "p", maxDuration: 60 });\n',
        {"src/trigger/sync.ts": 'import { z } from "zod";\n', "app/page.tsx": "export {};\n"},
    ),
    "only the app outside the trigger folders imports it": (
        'export default defineConfig({ project: "p", maxDuration: 60 });\n',
        {
            "app/api/og/route.ts": 'import sharp from "sharp";\n',
            "src/trigger/sync.ts": 'import { db } from "../db";\n',
            "src/db.ts": 'import { Pool } from "pg";\n',
        },
    ),
    "imported outside the configured dirs": (
        'export default defineConfig({ project: "p", maxDuration: 60, dirs: ["./jobs"] });\n',
        {"src/trigger/old.ts": 'import sharp from "sharp";\n', "jobs/a.ts": "export {};\n"},
    ),
    "a type-only import is erased": (
        'export default defineConfig({ project: "p", maxDuration: 60 });\n',
        {"src/trigger/t.ts": 'import type { Sharp } from "sharp";\n'},
    ),
}


@pytest.mark.parametrize(
    ("config", "files"), NATIVE_NOT_BUNDLED.values(), ids=NATIVE_NOT_BUNDLED.keys()
)
def test_native_modules_quiet_when_the_bundle_does_not_import_it(
    config: str, files: dict[str, str]
) -> None:
    ctx = project(deps={"sharp": "^0.33.0"})
    code = src(config)
    index = bundle(files)
    assert (
        lint(
            code, only="native-modules-external", path="trigger.config.ts", project=ctx, index=index
        )
        == []
    )


NATIVE_BUNDLED = {
    "through a helper the task imports": (
        'export default defineConfig({ project: "p", maxDuration: 60 });\n',
        {
            "src/trigger/resize.ts": 'import { thumbnail } from "../lib/image";\n',
            "src/lib/image.ts": 'import sharp from "sharp";\nexport const thumbnail = sharp;\n',
        },
    ),
    "in a configured dir": (
        'export default defineConfig({ project: "p", maxDuration: 60, dirs: ["./jobs"] });\n',
        {"jobs/thumbs/a.ts": 'import sharp from "sharp";\n'},
    ),
    "required": (
        'export default defineConfig({ project: "p", maxDuration: 60 });\n',
        {"src/trigger/t.js": 'const sharp = require("sharp");\n'},
    ),
    "a subpath import": (
        'export default defineConfig({ project: "p", maxDuration: 60 });\n',
        {"src/trigger/t.ts": 'import { x } from "sharp/lib/constructor";\n'},
    ),
}


@pytest.mark.parametrize(("config", "files"), NATIVE_BUNDLED.values(), ids=NATIVE_BUNDLED.keys())
def test_native_modules_fires_when_the_bundle_imports_it(
    config: str, files: dict[str, str], tmp_path: Path
) -> None:
    # On disk: local imports are resolved to the files they name.
    for rel, source in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source)
    ctx = project(deps={"sharp": "^0.33.0"}, root=tmp_path)
    code = src(config)
    index = bundle(files, root=tmp_path)
    config = str(tmp_path / "trigger.config.ts")
    findings = lint(code, only="native-modules-external", path=config, project=ctx, index=index)
    assert len(findings) == 1 and "`sharp`" in findings[0].message


def test_native_modules_quiet_when_only_another_workspace_package_imports_it() -> None:
    ctx = project(deps={"sharp": "^0.33.0"})
    index = bundle({"src/trigger/t.ts": 'import sharp from "sharp";\n'}, root=Path("/web"))
    found = lint(
        NATIVE_CONFIG,
        only="native-modules-external",
        path="trigger.config.ts",
        project=ctx,
        index=index,
    )
    assert found == []


def test_index_records_the_packages_and_local_modules_a_file_imports() -> None:
    source = b"""
import sharp from "sharp";
import type { Canvas } from "canvas";
import { x } from "@napi-rs/canvas/node";
const db = require("better-sqlite3");
export async function later() { const pino = await import("pino"); }
import { helper } from "./helper";
import { a } from "@/lib/a";
import fs from "node:fs";
"""
    path, root = Path("/p/src/trigger/x.ts"), Path("/p")
    imports = index_source(source, path, root).imports
    assert imports is not None and imports.project == root
    assert imports.packages == {"sharp", "@napi-rs/canvas", "better-sqlite3", "pino"}
    assert imports.local == ("./helper", "@/lib/a")
    index = ProjectIndex()
    index.update(path, [], imports=imports)
    index.complete = True
    assert index.bundled_packages(root, None, frozenset({"sharp", "canvas"})) == {"sharp"}
    index.remove(path)
    assert index.bundled_packages(root, None, frozenset({"sharp"})) == frozenset()


def test_native_modules_waits_for_the_index() -> None:
    ctx = project(deps={"sharp": "^0.33.0"})
    index = bundle(USES_NATIVE)
    index.complete = False
    assert (
        lint(
            NATIVE_CONFIG,
            only="native-modules-external",
            path="trigger.config.ts",
            project=ctx,
            index=index,
        )
        == []
    )


def test_native_modules_only_from_dependencies() -> None:
    data = json.dumps({"devDependencies": {"sharp": "^0.33.0"}}).encode()
    manifest = parse_manifest(Path("/project/package.json"), data)
    ctx = ProjectContext(
        Path("/project"), None, manifest, Version(4, 8, 3), "t", LintConfig(), True
    )
    assert (
        lint(NATIVE_CONFIG, only="native-modules-external", path="trigger.config.ts", project=ctx)
        == []
    )


def test_native_modules_needs_a_package_json_and_a_config_file() -> None:
    assert lint(NATIVE_CONFIG, only="native-modules-external", path="trigger.config.ts") == []
    ctx = project(deps={"sharp": "^0.33.0"})
    assert (
        lint(NATIVE_CONFIG, only="native-modules-external", path="src/config.ts", project=ctx) == []
    )


# --- bun-runtime-deprecated --------------------------------------------------------------------

BUN = src('export default defineConfig({ project: "p", maxDuration: 60, runtime: "bun" });\n')


def test_bun_runtime_fires_on_4_8_with_a_fix() -> None:
    findings = lint(BUN, only="bun-runtime-deprecated", path="trigger.config.ts", sdk="4.8.0")
    assert lines_of(findings) == [2]
    assert findings[0].severity is Severity.WARNING
    out = fixed(BUN, "bun-runtime-deprecated", path="trigger.config.ts", sdk="4.8.0")
    assert 'runtime: "bun-1.4"' in out


def test_bun_legacy_runtime_fires_on_4_8_with_a_fix() -> None:
    # "bun-legacy" is the explicit spelling of "bun" and deprecated with it (core 4.8.3
    # dist/esm/v3/build/runtime.js:21-23); an earlier expectation that it is quiet was wrong.
    code = BUN.replace('"bun"', '"bun-legacy"')
    findings = lint(code, only="bun-runtime-deprecated", path="trigger.config.ts", sdk="4.8.3")
    assert lines_of(findings) == [2]
    assert '`runtime: "bun-legacy"`' in findings[0].message
    out = fixed(code, "bun-runtime-deprecated", path="trigger.config.ts", sdk="4.8.3")
    assert 'runtime: "bun-1.4"' in out


def test_bun_runtime_fix_keeps_the_quote_style() -> None:
    code = src("export default defineConfig({ project: 'p', maxDuration: 60, runtime: 'bun' });\n")
    assert "runtime: 'bun-1.4'" in fixed(code, "bun-runtime-deprecated", path="trigger.config.ts")


@pytest.mark.parametrize(
    ("code", "sdk"),
    [
        (BUN, "4.7.9"),
        (BUN, "3.3.17"),
        (BUN.replace('"bun"', '"bun-1.4"'), "4.8.3"),
        (BUN.replace('"bun"', '"node-22"'), "4.8.3"),
        (BUN.replace('"bun"', '"bun-legacy"'), "4.7.9"),
        (BUN.replace('"bun"', '"bun-1.4-legacy"'), "4.8.3"),
    ],
)
def test_bun_runtime_quiet(code: str, sdk: str) -> None:
    assert lint(code, only="bun-runtime-deprecated", path="trigger.config.ts", sdk=sdk) == []


def test_bun_runtime_only_in_the_config_file() -> None:
    code = SDK_IMPORT + 'export const opts = { runtime: "bun" };\n'
    assert lint(code, only="bun-runtime-deprecated") == []


# --- sdk-version-mismatch ------------------------------------------------------------------


def check_json(data: dict, installed: dict[str, str] | None = None, **kw: Any) -> list:
    text = json.dumps(data, indent=2).encode()
    result = check_manifest(
        text, Path("/p/package.json"), installed=lambda name: (installed or {}).get(name), **kw
    )
    return [
        (f.rule, f.start[0] + 1, text[f.start_byte : f.end_byte].decode()) for f in result.findings
    ]


def test_exact_versions_that_differ() -> None:
    found = check_json(
        {
            "dependencies": {"@trigger.dev/sdk": "3.3.17"},
            "devDependencies": {"trigger.dev": "3.3.12"},
        }
    )
    assert found == [("sdk-version-mismatch", 6, '"trigger.dev": "3.3.12"')]


def test_majors_that_differ_and_the_message() -> None:
    text = json.dumps(
        {"dependencies": {"@trigger.dev/sdk": "^4.0.0", "@trigger.dev/build": "^3.3.0"}}
    ).encode()
    result = check_manifest(text, Path("/p/package.json"), installed=lambda _: None)
    assert len(result.findings) == 1
    f = result.findings[0]
    assert f.severity is Severity.ERROR
    assert (
        "`@trigger.dev/build` (^3.3.0)" in f.message and "`@trigger.dev/sdk` (^4.0.0)" in f.message
    )


def test_the_odd_one_out_is_reported_even_when_it_is_the_sdk() -> None:
    found = check_json(
        {
            "dependencies": {"@trigger.dev/sdk": "4.1.0", "@trigger.dev/react-hooks": "4.2.0"},
            "devDependencies": {"trigger.dev": "4.2.0", "@trigger.dev/build": "4.2.0"},
        }
    )
    assert [line for _, line, _ in found] == [3]
    assert found[0][2] == '"@trigger.dev/sdk": "4.1.0"'


def test_installed_versions_win() -> None:
    specs = {
        "dependencies": {"@trigger.dev/sdk": "^4.1.0"},
        "devDependencies": {"trigger.dev": "^4.1.0"},
    }
    assert check_json(specs) == []
    found = check_json(specs, installed={"@trigger.dev/sdk": "4.1.0", "trigger.dev": "4.3.0"})
    assert [line for _, line, _ in found] == [6]
    # Installed versions that agree silence specs that do not.
    clash = {
        "dependencies": {"@trigger.dev/sdk": "4.1.0"},
        "devDependencies": {"trigger.dev": "4.3.0"},
    }
    assert check_json(clash, installed={"@trigger.dev/sdk": "4.3.0", "trigger.dev": "4.3.0"}) == []


@pytest.mark.parametrize(
    "deps",
    [
        {"@trigger.dev/sdk": "4.3.0", "trigger.dev": "^4.1.0"},
        {"@trigger.dev/sdk": "^4.8.3", "trigger.dev": "4.8.3", "@trigger.dev/build": "~4.8.0"},
        {"@trigger.dev/sdk": "4.8.3", "trigger.dev": "latest"},
        {"@trigger.dev/sdk": "workspace:*", "trigger.dev": "4.8.3"},
        {"@trigger.dev/sdk": "4.8.3", "trigger.dev": "file:../cli"},
        {"@trigger.dev/sdk": "4.0.0-v4-beta.18", "trigger.dev": "4.0.0-v4-beta.18"},
        {"@trigger.dev/sdk": "^4.0.0-v4-beta.18", "trigger.dev": "4.0.0-v4-beta.21"},
        # 2.x packages had their own numbers.
        {
            "@trigger.dev/sdk": "^2.3.18",
            "@trigger.dev/nextjs": "^2.2.0",
            "@trigger.dev/slack": "^2.1.0",
        },
        # Not Trigger.dev packages.
        {"@trigger.dev/sdk": "4.8.3", "trigger": "1.0.0", "@trigger.devx/sdk": "3.0.0"},
        {"@trigger.dev/sdk": "4.8.3"},
        {},
    ],
)
def test_versions_that_can_meet_are_fine(deps: dict[str, str]) -> None:
    assert check_json({"dependencies": deps}) == []


def test_peer_ranges_and_overrides_are_not_compared() -> None:
    assert (
        check_json(
            {
                "dependencies": {"@trigger.dev/sdk": "4.8.3"},
                "peerDependencies": {"@trigger.dev/sdk": "^3 || ^4", "trigger.dev": "^3"},
            }
        )
        == []
    )
    assert (
        check_json(
            {
                "dependencies": {"@trigger.dev/sdk": "4.8.3", "trigger.dev": "3.3.17"},
                "overrides": {"trigger.dev": "4.8.3"},
            }
        )
        == []
    )


def test_manifest_check_settings_and_broken_json() -> None:
    text = b'{"dependencies": {"@trigger.dev/sdk": "3.3.17", "trigger.dev": "3.3.12"}}'
    path = Path("/p/package.json")
    off = check_manifest(text, path, settings=RuleSettings({"sdk-version-mismatch": "off"}))
    assert off.findings == []
    as_warning = check_manifest(
        text,
        path,
        settings=RuleSettings({"sdk-version-mismatch": "warning"}),
        installed=lambda _: None,
    )
    assert [f.severity for f in as_warning.findings] == [Severity.WARNING]
    broken = check_manifest(b'{"dependencies": {', path)
    assert broken.findings == [] and broken.notes
    binary = check_manifest(b"\x00\x01\x02", path)
    assert binary.skipped


def test_every_project_rule_is_registered() -> None:
    for rule_id in (
        "config-missing-max-duration",
        "trigger-config-not-found",
        "native-modules-external",
        "bun-runtime-deprecated",
        "sdk-version-mismatch",
    ):
        assert rule_id in REGISTRY
    # The package.json rule has nothing to say about source files.
    assert lint(SDK_IMPORT, only="sdk-version-mismatch") == []


def test_no_config_in_a_monorepo_where_another_package_has_one() -> None:
    ctx = project(deps={"@trigger.dev/sdk": "4.8.3"})
    in_workspace = ProjectContext(
        ctx.root, None, ctx.manifest, ctx.sdk_version, "t", LintConfig(), True, True
    )
    assert lint(TASK_FILE, only="trigger-config-not-found", project=in_workspace) == []


@pytest.mark.parametrize(
    "dirs",
    [
        '["./src/trigger", path.join("src", "jobs")]',
        "TRIGGER_DIRS",
        '["src/**/trigger"]',
        '[...shared, "./src/trigger"]',
    ],
)
def test_outside_dirs_quiet_when_the_dirs_are_not_all_known(dirs: str) -> None:
    config = src(
        f'export default defineConfig({{ project: "p", maxDuration: 60, dirs: {dirs} }});\n'
    )
    ctx = project(config=config, deps={})
    assert lint(TASK_FILE, only="trigger-config-not-found", project=ctx, path="lib/a.ts") == []


def test_missing_max_duration_quiet_while_the_object_is_half_typed() -> None:
    code = src('export default defineConfig({ project: "p", maxDur: });\n')
    assert lint(code, only="config-missing-max-duration", path="trigger.config.ts") == []
