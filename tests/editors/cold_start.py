"""Cold start in the real editors: the time from the moment the editor spawns the server to the
moment the first trigger-lsp diagnostics reach the editor, with the document already open.

The editor starts the server through a wrapper that writes the wall-clock time and then execs
the real server, so the spawn time is the editor's, not the server's own idea of it.

- Neovim 0.11 (the shipped editors/neovim/init.lua): cold_start.lua opens month-end.ts (which
  spawns the server) and records when vim.diagnostic first holds a trigger-lsp diagnostic, and
  when it holds the cross-file one (duplicate-task-id, which needs the workspace index).
- VS Code (code-server in headless Chromium, TypeScript's server running beside it, its
  validation off so that every squiggle is trigger-lsp's): the driver opens month-end.ts,
  moves to two of its findings (found in the file alone: at the top of the file only the
  cross-file one is in view, which waits for the workspace index), then restarts the server
  twice with the file open, and records when the first squiggle is in the editor each time,
  and when both are, with a MutationObserver, not polling. The first open is reported too
  (then the server was spawned when the workbench loaded).

Used by tests/editors/test_cold_start.py and bench/cold_start.py.
"""

from __future__ import annotations

import json
import os
import stat
import statistics
from pathlib import Path
from typing import Any

from editor_harness import (
    EDITORS,
    HERE,
    VENV_BIN,
    fresh_workspace,
    isolated_env,
    load_report,
    run_editor,
    server_path,
)


def wrapper(base: Path) -> tuple[Path, Path]:
    """A `trigger-lsp` that appends its spawn time to a file, then runs the real server.
    (bash's $EPOCHREALTIME: no process is started to read the clock.)"""
    bin_dir, stamps = base / "wrapper-bin", base / "spawned.txt"
    bin_dir.mkdir()
    script = bin_dir / "trigger-lsp"
    # TRIGGER_LSP_COLD_START_SERVER: another command to measure (the editor's arguments follow)
    command = os.environ.get("TRIGGER_LSP_COLD_START_SERVER", str(server_path()))
    script.write_text(f'#!/bin/bash\necho "$EPOCHREALTIME" >> {stamps}\nexec {command} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, stamps


def spawns(stamps: Path) -> list[float]:
    if not stamps.exists():
        return []
    return [float(line) for line in stamps.read_text().split()]


def ms(later: float | str | None, earlier: float | str | None) -> float | None:
    if later is None or earlier is None:
        return None
    return round((float(later) - float(earlier)) * 1000, 1)


def neovim(base: Path, binary: Path) -> dict[str, Any]:
    script, stamps = wrapper(base)
    ws = fresh_workspace(base)
    out = base / "cold-start.json"
    env = isolated_env(
        base,
        {
            "TRIGGER_LSP_WS": str(ws),
            "TRIGGER_LSP_REPORT": str(out),
            "PATH": f"{script.parent}{os.pathsep}{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        },
    )
    cmd = [
        binary,
        "--headless",
        "-u",
        str(EDITORS / "neovim" / "init.lua"),
        "-i",
        "NONE",
        "-c",
        f"luafile {HERE / 'cold_start.lua'}",
    ]
    run = run_editor(cmd, env=env, cwd=ws, timeout=60, log=base / "nvim.log")
    report = load_report(run, out, "nvim cold start")
    started = spawns(stamps)
    spawn = started[0] if started else None
    return {
        "editor": "Neovim 0.11",
        "spawn_to_first_ms": ms(report.get("first"), spawn),
        "spawn_to_cross_file_ms": ms(report.get("cross_file"), spawn),
        "open_to_spawn_ms": ms(spawn, report.get("open")),
        "pulls": report.get("pulls"),
        "load": load(),
    }


def vscode(base: Path) -> dict[str, Any]:
    from vscode_harness import run_session, step

    script, stamps = wrapper(base)
    report = run_session(
        base,
        "vscode_cold_start.js",
        # TypeScript's language service runs (tsserver loads the project); its validation stays
        # off as in test_vscode.py, so that every squiggle is trigger-lsp's
        user_settings={},
        machine_settings={"trigger-lsp.server.path": str(script)},
    )
    started = spawns(stamps)
    first = step(report, "first_open")
    out: dict[str, Any] = {
        "editor": "VS Code (code-server)",
        "open_to_first_squiggle_ms": ms(first["squiggle"] / 1000, first["opening"] / 1000),
        "workbench_spawn_to_first_squiggle_ms": ms(
            first["squiggle"] / 1000, started[0] if started else None
        ),
        "restarts": [],
        "load": load(),
    }
    for n, spawn in zip((1, 2), started[1:], strict=False):
        result = report["steps"].get(f"restart_{n}")
        if result is None or not result["ok"]:
            continue
        detail = result["detail"]
        out["restarts"].append(
            {
                "spawn_to_first_squiggle_ms": ms(detail["squiggle"] / 1000, spawn),
                "spawn_to_both_squiggles_ms": ms(detail["all"] / 1000, spawn),
                "old_squiggles_cleared": detail["cleared"] is not None,
            }
        )
    valid = [r for r in out["restarts"] if r["old_squiggles_cleared"]]
    first = [r["spawn_to_first_squiggle_ms"] for r in valid]
    out["spawn_to_first_ms"] = statistics.median(first) if first else None
    return out


def load() -> str:
    """The machine's load averages while measuring (the machines are shared)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def write(results: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
