"""Shared helpers for the tests that drive real editors headless (Neovim, Emacs, VS Code).

Each editor runs in its own process group with HOME and XDG dirs in a temp folder, on a fresh
copy of examples/, under a timeout. Afterwards the group is killed, and so is every process that
carries the run's marker variable in its environment, because some leave the group (Chromium's
crash handler starts its own session; a code-server extension host outlived a group kill once).
A missing editor skips the test, unless TRIGGER_LSP_REQUIRE_EDITORS=1 (set in CI), which turns
the skip into a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EDITORS = REPO / "editors"
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent  # the venv running pytest holds trigger-lsp (and nvim 0.11)
SERVER = VENV_BIN / "trigger-lsp"

# Where the demo's planted mistakes are (1-based lines, as `trigger-lsp check examples` prints).
MONTH_END = "src/trigger/month-end.ts"
MONTH_END_FINDINGS = {62: "parallel-waits", 37: "duplicate-task-id", 67: "result-not-unwrapped"}
CROSS_FILE = frozenset({"duplicate-task-id"})
ROUTE = "src/app/api/invoices/route.ts"
SECRET_LINE = 6
# Text only the parallel-waits sharp edge (references/sharp_edges.md) contains.
PARALLEL_WAITS_EDGE = ("TASK_DID_CONCURRENT_WAIT", "Several waits in flight at once")


def editors_required() -> bool:
    return os.environ.get("TRIGGER_LSP_REQUIRE_EDITORS") == "1"


def missing(what: str) -> None:
    """Skip (or, when editors are required, fail) because `what` is not installed."""
    message = f"{what} is not installed (.ci/install-editors.sh installs it)"
    if editors_required():
        pytest.fail(f"{message}; TRIGGER_LSP_REQUIRE_EDITORS=1 requires it")
    pytest.skip(message)


def server_path() -> Path:
    if not SERVER.exists():
        pytest.fail(f"{SERVER} missing: install the package into the venv running pytest")
    return SERVER


def fresh_workspace(base: Path) -> Path:
    """A throwaway copy of the demo project (editors may save or edit files in it)."""
    ws = base / "ws"
    shutil.copytree(EXAMPLES, ws, ignore=shutil.ignore_patterns("node_modules", ".trigger"))
    return ws


MARKER = "TRIGGER_LSP_EDITOR_TEST"


def isolated_env(base: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with HOME and XDG dirs under `base`, and the venv's bin first on PATH;
    MARKER=<base> lets the cleanup find every process started with it."""
    env = dict(os.environ)
    home = base / "home"
    for sub in ("config", "cache", "data", "state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env[MARKER] = str(base)
    env.pop("NVIM", None)  # not a child of a running Neovim
    env.pop("VIRTUAL_ENV", None)
    env.update(extra or {})
    return env


def marked_processes(marker: str) -> list[int]:
    """Processes (other than this one) whose environment has MARKER=marker (Linux /proc)."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def kill_group(proc: subprocess.Popen[bytes], marker: str | None = None) -> None:
    """Kill the process group `proc` leads, then any process left with the run's marker."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    if marker:
        for pid in marked_processes(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@dataclass
class Run:
    returncode: int | None
    output: str
    seconds: float
    timed_out: bool


def run_editor(
    cmd: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    log: Path,
) -> Run:
    """Run an editor in a new session with stdin closed; kill its group on exit or timeout."""
    start = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(c) for c in cmd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            kill_group(proc, env.get(MARKER))  # also a language server the editor left running
    return Run(
        proc.returncode,
        log.read_text(errors="replace"),
        time.monotonic() - start,
        timed_out,
    )


@contextlib.contextmanager
def background(
    cmd: Sequence[str | Path], *, env: Mapping[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A long-running process (code-server) in its own group, killed when the block ends."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(c) for c in cmd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            kill_group(proc, env.get(MARKER))


def codes_by_line(diagnostics: list[dict[str, Any]]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for d in diagnostics:
        found.setdefault(int(d["line"]), set()).add(str(d["code"]))
    return found


# --- what every editor must show on the demo project ------------------------------------------


def check_month_end_diagnostics(
    report: dict[str, Any], off: frozenset[str] = frozenset(), ignore: frozenset[str] = frozenset()
) -> None:
    """The findings of month-end.ts that need no other file (rules in `off` were turned off)."""
    diagnostics = report.get("diagnostics") or []
    found = codes_by_line(diagnostics)
    for line, code in MONTH_END_FINDINGS.items():
        if code in CROSS_FILE or code in ignore:
            continue
        if code in off:
            assert code not in found.get(line, set()), f"{code} is off in the settings: {found}"
        else:
            assert code in found.get(line, set()), (
                f"{code} expected on line {line} of {MONTH_END}; got {sorted(found.items())}"
            )
    sources = {d.get("source") for d in diagnostics if d.get("code") in MONTH_END_FINDINGS.values()}
    assert sources == {"trigger-lsp"}, sources


def check_cross_file_diagnostics(report: dict[str, Any]) -> None:
    """duplicate-task-id in month-end.ts needs emails.ts, which only the workspace index has."""
    found = codes_by_line(report.get("diagnostics") or [])
    for line, code in MONTH_END_FINDINGS.items():
        if code in CROSS_FILE:
            assert code in found.get(line, set()), (
                f"{code} expected on line {line} of {MONTH_END}; got {sorted(found.items())}"
            )


def check_hover(report: dict[str, Any]) -> None:
    hover = report.get("hover")
    assert hover, "no hover on the parallel-waits finding"
    assert "parallel-waits" in hover or "Waits run in parallel" in hover, f"no rule: {hover}"
    assert any(text in hover for text in PARALLEL_WAITS_EDGE), f"no sharp edge in hover: {hover}"


def check_completion(report: dict[str, Any]) -> None:
    items = report.get("completion") or []
    snippets = [i for i in items if "tr-task" in str(i.get("label"))]
    assert snippets, f"no tr-task item among {[i.get('label') for i in items][:30]}"
    item = snippets[0]
    assert "task({" in str(item.get("text")), item
    if (report.get("client") or {}).get("snippets") is False:
        # a client without snippet support gets the body with the placeholders filled in
        assert item.get("format") in (None, 1), item
        assert "${" not in str(item.get("text")), item
    else:
        assert item.get("format") == 2, f"tr-task is not a snippet: {item}"


def check_quick_fix(report: dict[str, Any]) -> None:
    before, after = report.get("route_before") or "", report.get("route_after") or ""
    assert "tr_dev_" in before, before
    assert "tr_dev_" not in after, f"the fix was not applied: {after!r}"
    assert "process.env.TRIGGER_SECRET_KEY" in after, after
    codes = {d.get("code") for d in report.get("route_diagnostics_after") or []}
    assert "hardcoded-secret-key" not in codes, codes


def load_report(run: Run, path: Path, what: str) -> dict[str, Any]:
    """The JSON an editor script wrote, or a failure that shows the editor's output."""
    if run.timed_out:
        pytest.fail(f"{what} timed out after {run.seconds:.0f}s; output:\n{run.output[-4000:]}")
    if not path.exists():
        pytest.fail(
            f"{what} wrote no report (exit {run.returncode}); output:\n{run.output[-4000:]}"
        )
    report: dict[str, Any] = json.loads(path.read_text())
    report["seconds"] = round(run.seconds, 2)
    if report.get("error"):
        print(f"{what} script error: {report['error']}\n{run.output[-2000:]}")
    print(f"{what}: {run.seconds:.1f}s", *report.get("log", []), sep="\n  ")
    return report
