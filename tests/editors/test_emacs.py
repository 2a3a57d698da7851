"""Emacs (emacs-nox) + eglot, batch mode, with the shipped editors/emacs/trigger-lsp.el: on a
fresh copy of examples/, eglot_check.el reports diagnostics (flymake), hover, completion and a
quick fix as JSON."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from editor_harness import (
    EDITORS,
    HERE,
    check_completion,
    check_cross_file_diagnostics,
    check_hover,
    check_month_end_diagnostics,
    check_quick_fix,
    fresh_workspace,
    isolated_env,
    load_report,
    missing,
    run_editor,
    server_path,
)

TIMEOUT = 90


def emacs_with_eglot() -> Path:
    emacs = shutil.which("emacs")
    if emacs is None:
        missing("Emacs (apt-get install emacs-nox elpa-eglot)")
    probe = subprocess.run(
        [emacs, "--batch", "--eval", "(progn (package-initialize) (require 'eglot))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        missing(f"eglot for {emacs} (apt-get install elpa-eglot): {probe.stderr.strip()[-300:]}")
    return Path(emacs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    emacs = emacs_with_eglot()
    server_path()
    base = tmp_path_factory.mktemp("emacs")
    ws = fresh_workspace(base)
    out = base / "report.json"
    env = isolated_env(
        base,
        {
            "TRIGGER_LSP_WS": str(ws),
            "TRIGGER_LSP_REPORT": str(out),
            "TRIGGER_LSP_EMACS_DIR": str(EDITORS / "emacs"),
        },
    )
    cmd = [emacs, "--batch", "-l", HERE / "eglot_check.el"]
    run = run_editor(cmd, env=env, cwd=ws, timeout=TIMEOUT, log=base / "emacs.log")
    result = load_report(run, out, "emacs")
    result.update(workspace=str(ws), output=run.output)
    return result


def test_connects_with_project_root(report: dict[str, Any]) -> None:
    assert report.get("error") is None, report.get("error")
    assert report["server_class"] == "trigger-lsp-server"
    # no .git in the copy: trigger-lsp-project-find makes the trigger.config.ts folder the root
    assert Path(report["project_root"]) == Path(report["workspace"])


def test_diagnostics(report: dict[str, Any]) -> None:
    check_month_end_diagnostics(report)


def test_cross_file_diagnostics(report: dict[str, Any]) -> None:
    check_cross_file_diagnostics(report)


def test_hover(report: dict[str, Any]) -> None:
    check_hover(report)


def test_completion(report: dict[str, Any]) -> None:
    check_completion(report)


def test_quick_fix(report: dict[str, Any]) -> None:
    check_quick_fix(report)


def test_package_json_is_sent_to_the_server(report: dict[str, Any]) -> None:
    assert report.get("package_json_managed") is True, report.get("log")


def test_package_json_version_mismatch_is_shown(report: dict[str, Any]) -> None:
    codes = [d.get("code") for d in report.get("package_json_diagnostics") or []]
    assert "sdk-version-mismatch" in codes, report.get("package_json_diagnostics")
