"""The language server over stdio, measured by the neutral client `lspbench.py` (in
../shared/tools): startup, first diagnostics, edit to diagnostics (debounce 0), completion,
hover and peak memory on generated 300, 2,000 and 10,000-line files.

`--before PATH` also measures another checkout (its `server` folder on PYTHONPATH, with this
venv's packages) in the same run, the two servers interleaved round by round (lspbench
--compare), as bench_monorepo.py does. Both are compiled to .pyc first, as an install is: with
PYTHONDONTWRITEBYTECODE=1 (some shells) every start would compile every module again.

    python bench/bench_server.py [--rounds 3] [--edits 50] [--before ../old-checkout]"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import ROOT, SHARED, WORK, generate, table

LSPBENCH = SHARED / "tools" / "lspbench.py"
SERVER = f"{sys.executable} -m trigger_lsp serve"


def run(edits: int, rounds: int, before: Path | None = None) -> str:
    if not LSPBENCH.is_file():
        sys.exit(f"lspbench.py was not found at {LSPBENCH} (set TRIGGER_LSP_SHARED)")
    servers = {"trigger-lsp": (SERVER, ROOT / "server")}
    if before is not None:
        servers = {
            "trigger-lsp": (f"env PYTHONPATH={ROOT / 'server'} {SERVER}", ROOT / "server"),
            before.name: (f"env PYTHONPATH={before / 'server'} {SERVER}", before / "server"),
        }
    for _, folder in servers.values():
        compile_all = [sys.executable, "-m", "compileall", "-q", str(folder / "trigger_lsp")]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(compile_all, check=True, capture_output=True, env=env)
    rows = []
    loads: list[str] = []
    for lines in (300, 2000, 10_000):
        folder = WORK / "server" / f"t{lines}"
        path = generate(lines, folder / "tasks.ts")
        out = folder / "result.json"
        named = [a for name, (cmd, _) in servers.items() for a in ("--server", cmd, "--name", name)]
        cmd = [
            sys.executable,
            str(LSPBENCH),
            *(["--compare"] if len(servers) > 1 else []),
            *named,
            "--init-options",
            '{"debounceMs": 0}',
            "--root",
            str(folder),
            "--file",
            str(path),
            "--edits",
            str(edits),
            "--rounds",
            str(rounds),
            "--completion",
            "auto:logger",
            "--hover",
            "auto:logger",
            "--first-settle-ms",
            "1000",
            "--quiet",
            "--json",
            str(out),
        ]
        subprocess.run(cmd, check=True, capture_output=True)
        data = json.loads(out.read_text())
        for server in data["servers"]:
            metrics = _medians(server)
            label = f"{lines:,}" if len(servers) == 1 else f"{lines:,} ({server['name']})"
            rows.append([label] + [metrics.get(k, "n/a") for k in KEYS])
        loads.append(" / ".join(str(data[k].get("loadavg", ["?"])[0]) for k in LOADS))
    note = f"medians of {rounds} rounds{', interleaved' if len(servers) > 1 else ''}"
    return f"{note}; load (1 min) before / after each file: {', '.join(loads)}\n\n" + table(
        ["lines", *HEADERS], rows
    )


KEYS = ("startup", "first_diag", "edit", "completion", "hover", "rss")
HEADERS = (
    "startup ms",
    "first diagnostics ms",
    "edit → diagnostics ms",
    "completion ms",
    "hover ms",
    "peak RSS MB",
)


LOADS = ("machine_before", "machine_after")


def _medians(server: dict[str, Any]) -> dict[str, str]:
    """The medians of lspbench's JSON summary for one server."""
    summary = server["summary"]
    keys = {
        "startup": "startup_ms",
        "first_diag": "first_diag_ms",
        "edit": "edit_ms",
        "completion": "completion_ms",
        "hover": "hover_ms",
        "rss": "peak_rss_mb",
    }
    found = {}
    for key, name in keys.items():
        value = summary.get(name)
        if value:
            found[key] = f"{value['median']:.1f}"
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    args = ap.parse_args()
    print(run(args.edits, args.rounds, args.before))


if __name__ == "__main__":
    main()
