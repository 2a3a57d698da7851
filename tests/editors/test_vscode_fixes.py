"""VS Code (code-server in Chromium) as issue 16 describes a TypeScript developer's first hour,
with TypeScript's own language service running on the SDK's types (the workspace's node_modules
are the scratch project's of tests/tsc/setup.sh: @trigger.dev/sdk 4.8.3, typescript, zod):

- the parallel-waits quick fix on the demo (month-end.ts:62) leaves no new problem in the
  Problems panel (the issue saw 4 problems become 8);
- hover on a finding and on an SDK call, completion of task option keys and values, captured as
  screenshots under artifacts/ (vscode-hover-finding.png, vscode-hover-sdk.png,
  vscode-completion-options.png, vscode-completion-values.png, vscode-after-fix.png);
- a package.json whose trigger.dev CLI and SDK versions differ shows sdk-version-mismatch in the
  Problems panel (vscode-package-json.png).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from editor_harness import REPO, server_path
from vscode_harness import run_session, step

# TypeScript's errors count here: they are what a user sees next to ours.
TS_ON = {
    "typescript.validate.enable": True,
    "javascript.validate.enable": True,
    "json.schemaDownload.enable": False,  # offline: its warning would sit beside ours
}


def scratch_dir() -> Path:
    """Where tests/tsc/setup.sh installed the SDK (as tests/test_snippets_tsc.py finds it)."""
    return Path(os.environ.get("TRIGGER_LSP_TSC_DIR") or REPO / "tests" / "tsc" / "scratch")


def with_sdk(ws: Path) -> None:
    """The SDK's types for TypeScript, and a CLI pin that differs from the SDK's."""
    modules = scratch_dir() / "node_modules"
    (ws / "node_modules").symlink_to(modules, target_is_directory=True)
    manifest = ws / "package.json"
    text = manifest.read_text()
    assert '"trigger.dev": "4.8.3"' in text
    manifest.write_text(text.replace('"trigger.dev": "4.8.3"', '"trigger.dev": "4.7.0"'))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not (scratch_dir() / "node_modules" / "@trigger.dev" / "sdk" / "package.json").is_file():
        message = f"no SDK in {scratch_dir()} (run `bash tests/tsc/setup.sh`)"
        if os.environ.get("TRIGGER_LSP_REQUIRE_TSC") == "1":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("vscode-fixes")
    return run_session(
        base,
        "vscode_fix_drive.js",
        user_settings=TS_ON,
        machine_settings={"trigger-lsp.server.path": str(server_path())},
        prepare=with_sdk,
        timeout=300,
    )


def test_typescript_runs_beside_trigger_lsp(session: dict[str, Any]) -> None:
    rows = step(session, "problems_before")
    assert any("trigger-lsp" in r and "parallel-waits" in r for r in rows), rows
    assert any(re.search(r"\bts\(?\d{4}", r) for r in rows), f"no TypeScript problem: {rows}"


def test_parallel_waits_fix_leaves_no_new_problem(session: dict[str, Any]) -> None:
    fix = step(session, "parallel_waits_fix")
    assert "batchTriggerAndWait" in fix["line"] and ".runs" in fix["line"], fix
    result = step(session, "problems_after")
    assert result["added"] == [], f"new problems after the fix: {result}"
    assert any("parallel-waits" in r for r in result["removed"]), result


def ours(hover: dict[str, Any], marker: str) -> str:
    """trigger-lsp's part of a hover (the widget's parts also hold the marker's and
    TypeScript's): the first part with `marker`, as rendered."""
    return next(p for p in hover["parts"] if marker in p and "\n\n" in p)


def test_hover_on_a_finding(session: dict[str, Any]) -> None:
    hover = step(session, "hover_finding")
    assert "parallel-waits" in hover["text"], hover
    part = ours(hover, "Why:")
    # message, why, fix, a link to the Explain view: at most about 15 lines (issue 16)
    assert "Fix:" in part and "Explain parallel-waits" in part, part
    assert len([line for line in part.splitlines() if line.strip()]) <= 15, part
    assert "PromiseConstructor" in hover["text"], "TypeScript's part is missing"
    # VS Code shows the message above the hover; the client drops it from ours (once, not twice)
    assert hover["text"].count("calls in parallel") == 1, hover["text"]


def test_hover_on_an_sdk_call(session: dict[str, Any]) -> None:
    hover = step(session, "hover_sdk")
    assert "triggerAndWait" in hover["text"], hover
    part = ours(hover, "Starts a child run")
    assert len([line for line in part.splitlines() if line.strip()]) <= 2, part
    assert "TaskRunPromise" in hover["text"], "TypeScript's signature is missing"


def test_completion_of_option_keys_and_values(session: dict[str, Any]) -> None:
    keys = step(session, "completion_options")
    assert any(k.startswith("machine") for k in keys), keys
    names = [k.split()[0].rstrip("?") for k in keys]
    assert len(names) == len(set(names)), f"a key listed twice (ours beside TypeScript's): {keys}"
    values = step(session, "completion_values")
    assert any("small-1x" in v for v in values), values
    names = [v.split()[0] for v in values]
    assert len(names) == len(set(names)), f"a value listed twice: {values}"


def test_package_json_version_mismatch_in_problems(session: dict[str, Any]) -> None:
    rows = step(session, "package_json_problem")
    assert any("sdk-version-mismatch" in r for r in rows), rows


def test_log_levels_match_severity(session: dict[str, Any]) -> None:
    """Requests cancelled as the user moves on are not logged as errors. The output channel is a
    log channel: VS Code writes it to a file under the profile's logs folder, read whole here."""
    step(session, "output_channel")  # the session is over (screenshot of the channel)
    user = Path(session["workspace"]).parent / "user"
    logs = [
        p
        for p in user.rglob("*.log")
        if p.name.startswith("trigger-lsp") or "trigger-lsp" in p.parent.name
    ]
    logs = [p for p in logs if "trace" not in p.name]
    assert logs, f"no trigger-lsp log file under {user}"
    lines = [line for p in logs for line in p.read_text(errors="replace").splitlines()]
    assert any("[client]" in line for line in lines), logs
    errors = [line for line in lines if "[error]" in line]
    cancelled = [e for e in errors if re.search(r"cancel|-3280[012]|ContentModified", e, re.I)]
    assert cancelled == [], errors
