"""VS Code: the packaged .vsix in code-server (the VS Code workbench in a browser), driven in
headless Chromium by playwright-core (vscode_drive.js) on a fresh copy of examples/ with a fresh
profile. Checks what a user sees: the status bar, squiggles, the Problems panel, a hover with the
sharp edge, the explain command, a quick fix, the tr-task snippet and fix-all. The extension is
pointed at the project venv's server with the trigger-lsp.server.path setting.

Screenshots go to artifacts/ (CI artifacts); with TRIGGER_LSP_UPDATE_SCREENSHOT=1 the hover
screenshot also replaces vscode-client/images/screenshot.png (the marketplace README's)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from editor_harness import server_path
from vscode_harness import README_SCREENSHOT, run_session, step


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One code-server + Chromium session running every UI check."""
    base = tmp_path_factory.mktemp("vscode")
    alt = base / "alt-bin" / "trigger-lsp"  # the same server under another path
    alt.parent.mkdir()
    alt.symlink_to(server_path())
    report = run_session(
        base,
        "vscode_drive.js",
        # also proves that settings reach the server: this finding must not show
        user_settings={"trigger-lsp.rules": {"result-not-unwrapped": "off"}},
        machine_settings={"trigger-lsp.server.path": str(server_path())},
        driver_env={"ALT_SERVER": str(alt)},
    )
    shot = Path(report["out"]) / "vscode.png"
    if os.environ.get("TRIGGER_LSP_UPDATE_SCREENSHOT") == "1" and shot.exists():
        shutil.copy(shot, README_SCREENSHOT)
    return report


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
    detail = step(session, "explain_command")
    assert "parallel-waits" in detail["label"], detail
    # one view: the server's one-line summary (raw backticks) is not also shown as a toast
    assert not [t for t in detail["toasts"] if "parallel-waits" in t], detail


def test_quick_fix_changes_the_code(session: dict[str, Any]) -> None:
    detail = step(session, "quick_fix")
    assert "process.env.TRIGGER_SECRET_KEY" in detail["line"], detail
    assert any(o.startswith("Ignore hardcoded-secret-key") for o in detail["offered"]), detail


def test_snippet_completion_inserts_a_task(session: dict[str, Any]) -> None:
    detail = step(session, "snippet")
    assert "= task({" in detail["line"], detail


def test_fix_all_command(session: dict[str, Any]) -> None:
    assert "await sendEmail.trigger(" in step(session, "fix_all_command")


def test_restarts_cleanly_when_the_server_path_changes(session: dict[str, Any]) -> None:
    assert "alt-bin" in step(session, "restart_on_server_path_change")
    servers = [p for p in session["processes"] if "trigger-lsp serve" in p]
    assert len(servers) == 1 and "alt-bin" in servers[0], f"old server left running: {servers}"
