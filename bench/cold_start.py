"""Cold start in the real editors: the time from the editor spawning the server to the first
trigger-lsp diagnostics the editor holds (Neovim 0.11) or shows (VS Code in code-server, with
TypeScript's server running), `--runs` times each, through tests/editors/test_cold_start.py
(see tests/editors/cold_start.py for how each is measured).

Writes bench/results/cold-start.json (every run) and bench/results/cold-start.md (medians), and
prints the table. Needs the editors of .ci/install-editors.sh (TRIGGER_LSP_EDITOR_TOOLS and
TRIGGER_LSP_VSIX point elsewhere). TRIGGER_LSP_COLD_START_SERVER measures another command
(for example the server without the first answers).

    python bench/cold_start.py --runs 3 [--editor neovim|vscode]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def one(editor: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cold-start.json"
        env = {**os.environ, "TRIGGER_LSP_COLD_START_JSON": str(out)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:randomly",
                str(REPO / "tests" / "editors" / "test_cold_start.py"),
                "-k",
                editor,
            ],
            env=env,
            cwd=REPO,
            check=False,
        )
        return list(json.loads(out.read_text())) if out.exists() else []


def _values(runs: list[dict[str, Any]], what: str) -> list[float | None]:
    """Every value measured: each VS Code restart (the old server's squiggles gone first),
    each Neovim start."""
    out: list[float | None] = []
    for run in runs:
        if "restarts" in run:
            key = f"spawn_to_{what}_squiggle_ms"
            out += [r.get(key) for r in run["restarts"] if r["old_squiggles_cleared"]]
        else:
            out.append(run.get(f"spawn_to_{what}_ms"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--editor", choices=["neovim", "vscode"], action="append")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    for editor in args.editor or ["neovim", "vscode"]:
        for _ in range(args.runs):
            runs.extend(one(editor))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cold-start.json").write_text(json.dumps(runs, indent=2) + "\n")
    lines = [
        "| editor | runs | spawn -> first diagnostics, median (ms) | all runs (ms)"
        " | spawn -> cross-file finding (Neovim), median (ms) | load |",
        "|---|---|---|---|---|---|",
    ]
    for editor in sorted({r["editor"] for r in runs}):
        mine = [r for r in runs if r["editor"] == editor]
        firsts, crosses = _values(mine, "first"), _values(mine, "cross_file")
        found = [v for v in firsts if v is not None]
        crossed = [v for v in crosses if v is not None]
        median = f"{statistics.median(found):.0f}" if found else "-"
        cross = f"{statistics.median(crossed):.0f}" if crossed else "-"
        loads = ", ".join(r.get("load", "?").split()[0] for r in mine)
        lines.append(f"| {editor} | {len(mine)} | {median} | {firsts} | {cross} | {loads} |")
    table = "\n".join(lines) + "\n"
    (RESULTS / "cold-start.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
