"""VS Code in a JavaScript project that is not a Trigger.dev project (no trigger.config.*, no
@trigger.dev/* or trigger.dev dependency): the extension shows no status item and starts no
server until asked (Restart); `trigger-lsp.trace.server` alone puts the protocol trace in the
"trigger-lsp (trace)" output channel (vscode_plain_drive.js)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from editor_harness import server_path
from vscode_harness import run_session, step


def plain_project(ws: Path) -> None:
    for entry in ws.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    manifest = {"name": "plain-api", "private": True, "dependencies": {"express": "^5.1.0"}}
    (ws / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (ws / "index.ts").write_text('export const port = Number(process.env.PORT ?? "3000");\n')


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("vscode-plain")
    return run_session(
        base,
        "vscode_plain_drive.js",
        user_settings={"trigger-lsp.trace.server": "messages"},
        machine_settings={"trigger-lsp.server.path": str(server_path())},
        prepare=plain_project,
    )


def test_no_status_item_outside_trigger_dev_projects(session: dict[str, Any]) -> None:
    assert step(session, "no_status_item") == 0
    servers = [p for p in session["processes"] if "trigger-lsp serve" in p]
    assert len(servers) == 1, servers  # the one started by Restart below, not before


def test_restart_starts_the_server_anyway(session: dict[str, Any]) -> None:
    assert "running" in step(session, "restart_starts_it")


def test_trace_setting_works_on_its_own(session: dict[str, Any]) -> None:
    lines = step(session, "trace_channel")
    assert any("Sending" in line or "Received" in line for line in lines), lines
