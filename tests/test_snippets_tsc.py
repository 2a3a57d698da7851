"""Every snippet of references/patterns.md type-checks against the published SDK: `tsc --noEmit`
(strict, skipLibCheck: the SDK's own declarations need it) over the project that
tests/test_snippets.py lints, in a scratch folder where tests/tsc/setup.sh installed
@trigger.dev/sdk 4.8.3, TypeScript, zod and Node's types from npm.

Without Node or the scratch folder the test is skipped with a message, unless
TRIGGER_LSP_REQUIRE_TSC=1 (set by .ci/run after the set-up), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from test_snippets import SDK_VERSION, write_snippet_project

TSC_DIR = Path(__file__).parent / "tsc"
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022",
        "module": "NodeNext",
        "moduleResolution": "NodeNext",
        "strict": True,
        "skipLibCheck": True,
        "noEmit": True,
        "types": ["node"],
    },
    "include": ["**/*.ts"],
}
# A file that must not compile, checked in the same run: it proves the check sees errors (and
# that two claims of the references hold in 4.8.3: schedules.update takes no deduplicationKey,
# and a trigger's queue option is a name, not an object).
CANARY = (
    'import { schedules, tasks } from "@trigger.dev/sdk";\n\n'
    "export async function canary() {\n"
    '  await schedules.update("sched_1", { task: "t", cron: "0 * * * *", deduplicationKey: "k" });\n'
    '  await tasks.trigger("t", {}, { queue: { name: "q" } });\n'
    "}\n"
)


def scratch_dir() -> Path:
    return Path(os.environ.get("TRIGGER_LSP_TSC_DIR") or TSC_DIR / "scratch")


def unavailable(reason: str) -> None:
    message = f"snippet type-check skipped: {reason} (run `bash tests/tsc/setup.sh`)"
    if os.environ.get("TRIGGER_LSP_REQUIRE_TSC") == "1":
        pytest.fail(f"{message}; TRIGGER_LSP_REQUIRE_TSC=1 requires it")
    pytest.skip(message)


def installed_sdk(scratch: Path) -> str | None:
    manifest = scratch / "node_modules" / "@trigger.dev" / "sdk" / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def tsc_tools(sdk_version: str) -> tuple[str, Path, Path]:
    """(node, tsc, the scratch folder) for a type-check against @trigger.dev/sdk
    `sdk_version`; skips (fails in CI) when one is missing."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed")
    assert node is not None
    scratch = scratch_dir()
    tsc = scratch / "node_modules" / "typescript" / "bin" / "tsc"
    if not tsc.is_file():
        unavailable(f"no TypeScript in {scratch}")
    if installed_sdk(scratch) != sdk_version:
        unavailable(f"{scratch} does not hold @trigger.dev/sdk {sdk_version}")
    return node, tsc, scratch


def run_tsc(node: str, tsc: Path, project: Path) -> tuple[list[str], str]:
    """tsc on the project's tsconfig.json: its error lines, and all it printed."""
    result = subprocess.run(
        [node, str(tsc), "-p", str(project / "tsconfig.json"), "--pretty", "false"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    return [line for line in output.splitlines() if ": error TS" in line], output


def test_every_snippet_type_checks() -> None:
    node, tsc, scratch = tsc_tools(SDK_VERSION)
    # Inside the scratch folder, so that module resolution finds its node_modules.
    project = Path(tempfile.mkdtemp(prefix="snippets-", dir=scratch))
    try:
        write_snippet_project(project)
        (project / "package.json").unlink()  # the scratch folder's own manifest applies
        shutil.copy(TSC_DIR / "context.d.ts", project / "context.d.ts")
        (project / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
        (project / "canary.ts").write_text(CANARY)
        errors, output = run_tsc(node, tsc, project)
        assert [e for e in errors if not e.startswith("canary.ts(")] == [], output
        assert len(errors) == 2, output
        assert "deduplicationKey" in errors[0] and "canary.ts(4," in errors[0], output
        assert "canary.ts(5," in errors[1], output
    finally:
        shutil.rmtree(project, ignore_errors=True)
