"""VS Code without Python: the platform-specific .vsix (`vsce package --target linux-x64`, built
by vscode-client/scripts/package.sh --target) carries the standalone server; installed into
code-server whose PATH holds only Node and sh, it starts that binary and shows the demo's
findings, and no Python process runs in the session. And the universal .vsix, offline (pip can
reach no index), says what it needs instead of pip's error.

Skipped when the artifacts are not built, unless TRIGGER_LSP_REQUIRE_DIST=1 (or the editors are
required, TRIGGER_LSP_REQUIRE_EDITORS=1, for code-server itself)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from editor_harness import REPO
from vscode_harness import NODE24, run_session, step

PLATFORM_VSIX_DIR = REPO / "dist" / "platform"
BASE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"


def platform_vsix() -> Path:
    found = sorted(PLATFORM_VSIX_DIR.glob("trigger-lsp-*-linux-x64.vsix"))
    if not found:
        message = (
            f"no platform .vsix in {PLATFORM_VSIX_DIR} (python packaging/build_binary.py, then "
            "bash vscode-client/scripts/package.sh --target linux-x64)"
        )
        if os.environ.get("TRIGGER_LSP_REQUIRE_DIST") == "1":
            pytest.fail(message + "; TRIGGER_LSP_REQUIRE_DIST=1 requires it")
        pytest.skip(message)
    return found[-1]


def node_only_path(base: Path) -> str:
    """A PATH with Node 24 and sh only: nothing there is or finds a Python."""
    bin_dir = base / "node-only-bin"
    bin_dir.mkdir()
    (bin_dir / "node").symlink_to(NODE24 / "node")
    (bin_dir / "sh").symlink_to("/bin/sh")
    return str(bin_dir)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    package = platform_vsix()
    base = tmp_path_factory.mktemp("vscode-standalone")
    path = node_only_path(base)
    return run_session(
        base,
        "vscode_binary_drive.js",
        user_settings={},
        machine_settings={},
        package=package,
        server_env={"PATH": path},
    )


def test_starts_the_bundled_binary(standalone: dict[str, Any]) -> None:
    status = step(standalone, "status_bar")
    assert "server-bin/trigger-lsp/trigger-lsp" in status, status
    servers = [p for p in standalone["processes"] if "trigger-lsp serve" in p]
    assert len(servers) == 1 and "server-bin/trigger-lsp/trigger-lsp" in servers[0], servers
    pythons = [p for p in standalone["processes"] if "python" in p.split(" ", 2)[1]]
    assert not pythons, f"a Python ran in the session: {pythons}"


def test_shows_the_demo_findings(standalone: dict[str, Any]) -> None:
    assert step(standalone, "squiggles") >= 1
    rows = " | ".join(step(standalone, "problems_panel"))
    assert "parallel-waits" in rows and "trigger-lsp" in rows and "Ln 62" in rows, rows


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not BASE_PYTHON.exists():
        pytest.fail(f"no {BASE_PYTHON} to create the venv with")
    base = tmp_path_factory.mktemp("vscode-offline")
    return run_session(
        base,
        "vscode_offline_drive.js",
        user_settings={},
        machine_settings={"trigger-lsp.server.python": str(BASE_PYTHON)},
        # pip with no index and no configuration (so no local wheel folders): offline
        server_env={"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull},
        timeout=240,
    )


def test_offline_install_says_what_it_needs(offline: dict[str, Any]) -> None:
    detail = step(offline, "offline_message")
    text = detail["text"]
    assert "offline" in text and "PyPI" in text, detail
    assert "trigger-lsp.server.path" in text and "platform" in text, detail
    assert "No matching distribution" not in text, f"pip's own error shown: {text}"
    assert "Open Settings" in detail["buttons"], detail
