"""The language server over stdio, measured by the neutral client `lspbench.py` (in
../shared/tools): startup, first diagnostics, edit to diagnostics (debounce 0), completion,
hover and peak memory on generated 300, 2,000 and 10,000-line files."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from common import SHARED, WORK, generate, table

LSPBENCH = SHARED / "tools" / "lspbench.py"
SERVER = f"{sys.executable} -m trigger_lsp serve"


def run(edits: int, rounds: int) -> str:
    if not LSPBENCH.is_file():
        sys.exit(f"lspbench.py was not found at {LSPBENCH} (set TRIGGER_LSP_SHARED)")
    rows = []
    for lines in (300, 2000, 10_000):
        folder = WORK / "server" / f"t{lines}"
        path = generate(lines, folder / "tasks.ts")
        out = folder / "result.json"
        cmd = [
            sys.executable,
            str(LSPBENCH),
            "--server",
            SERVER,
            "--name",
            "trigger-lsp",
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
        metrics = _medians(json.loads(out.read_text()))
        rows.append([f"{lines:,}"] + [metrics.get(k, "n/a") for k in KEYS])
    return table(["lines", *HEADERS], rows)


KEYS = ("startup", "first_diag", "edit", "completion", "hover", "rss")
HEADERS = (
    "startup ms",
    "first diagnostics ms",
    "edit → diagnostics ms",
    "completion ms",
    "hover ms",
    "peak RSS MB",
)


def _medians(data: dict[str, Any]) -> dict[str, str]:
    """The medians of lspbench's JSON summary for the one server measured."""
    summary = data["servers"][0]["summary"]
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
    args = ap.parse_args()
    print(run(args.edits, args.rounds))


if __name__ == "__main__":
    main()
