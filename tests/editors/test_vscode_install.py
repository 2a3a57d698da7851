"""VS Code: the extension installs its own server. With no server path, nothing on PATH and a
Python that does not exist, it offers the install and then gives one clear message; once
trigger-lsp.server.python names a Python 3.11+, it creates a venv in its global storage, installs
the wheel shipped inside the .vsix (dependencies from PyPI) with a progress notification, and
the server checks the demo (vscode_install_drive.js)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from vscode_harness import run_session, step

# The Python that made the venv running pytest: 3.11+, with venv and pip (Debian's python3 may
# lack ensurepip, and the extension host's PATH is reset by code-server anyway).
BASE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not BASE_PYTHON.exists():
        pytest.fail(f"no {BASE_PYTHON} to install the server with")
    base = tmp_path_factory.mktemp("vscode-install")
    return run_session(
        base,
        "vscode_install_drive.js",
        user_settings={},
        machine_settings={"trigger-lsp.server.python": str(base / "no-such-python3")},
        driver_env={"GOOD_PYTHON": str(BASE_PYTHON)},
        timeout=330,
    )


def test_offers_to_install_the_server(session: dict[str, Any]) -> None:
    detail = step(session, "offer_not_now")
    assert "Python 3.11+" in detail["text"], detail
    assert "install?" in detail["asking"], f"the status item does not ask: {detail}"
    assert "not installed" in detail["after"], detail


def test_not_now_is_remembered(session: dict[str, Any]) -> None:
    """After "Not Now" and a reload: no offer, the status item says it is not installed, and a
    click on it asks again (the next step answers Install)."""
    detail = step(session, "not_now_remembered")
    assert "not installed" in detail["label"] and detail["offers"] == 0, detail
    assert "Python 3.11+" in step(session, "offer")


def test_missing_python_gives_one_clear_message(session: dict[str, Any]) -> None:
    detail = step(session, "missing_python")
    assert "needs Python 3.11 or newer" in detail["text"], detail
    assert "trigger-lsp.server.python" in detail["text"], detail
    assert "Get Python" in detail["buttons"], detail


def test_installs_from_the_shipped_wheel_with_progress(session: dict[str, Any]) -> None:
    detail = step(session, "install")
    assert "running" in detail["status"], detail
    assert detail["progress"], f"no progress notification seen: {detail}"
    venv = Path(session["workspace"]).parent / "user" / "User" / "globalStorage"
    installed = list(venv.glob("trigger-lsp.trigger-lsp/server-venv/bin/trigger-lsp"))
    assert installed, f"no server in the extension's storage under {venv}"
    assert "globalStorage" in detail["status"], detail  # the status names the managed server


def test_installed_server_checks_the_demo(session: dict[str, Any]) -> None:
    step(session, "diagnostics")
