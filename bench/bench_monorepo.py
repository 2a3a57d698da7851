"""`trigger-lsp check` at the root of a generated 20,000-file monorepo (bench/gen_monorepo.py),
side by side with `biome lint` on the same tree in the same run (issue 19's targets: under 5 s,
under 200 MB for all processes together, under a third of Biome's wall time).

Each command runs `--repeat` times, interleaved; the medians are reported with the CPU time and
the peak of the summed memory of the process tree (the check's worker processes included).
`--before PATH` also measures another checkout (its `server` folder on PYTHONPATH) in the same
run. Biome is looked for as `--biome` (default: `biome` on PATH, else `node_modules/.bin/biome`
under bench/results/biome); set it up with `npm install @biomejs/biome` in a scratch folder.
Without it, its column says so.

    python bench/bench_monorepo.py [--files 20000] [--repeat 5] [--before ../old-checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from pathlib import Path

from common import ROOT, WORK, table
from gen_monorepo import generate
from procs import Measured, measure


def monorepo(files: int) -> Path:
    out = WORK / "gen" / f"monorepo-{files}"
    marker = out / ".complete"
    if not marker.exists():
        if out.exists():
            shutil.rmtree(out)
        facts = generate(out, files)
        marker.write_text(json.dumps(facts))
    return out


def _biome(given: str | None) -> list[str] | None:
    for candidate in (given, shutil.which("biome"), str(WORK / "biome/node_modules/.bin/biome")):
        if candidate and Path(candidate).exists():
            return [candidate]
    return None


def _check(server: Path | None) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIGGER_LSP")}
    if server is not None:
        env["PYTHONPATH"] = str(server)
    return [sys.executable, "-m", "trigger_lsp", "check", "--format", "json", "."], env


def _row(label: str, runs: list[Measured]) -> list[str]:
    wall = statistics.median(r.wall_s for r in runs)
    cpu = statistics.median(r.cpu_s for r in runs)
    peak = statistics.median(r.peak_mb for r in runs)
    spread = f"{min(r.wall_s for r in runs):.2f}-{max(r.wall_s for r in runs):.2f}"
    return [label, f"{wall:.2f} s", spread, f"{cpu:.2f} s", f"{peak:.0f} MB"]


def run(files: int, repeat: int, before: Path | None = None, biome: str | None = None) -> str:
    tree = monorepo(files)
    facts = json.loads((tree / ".complete").read_text())
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "trigger-lsp check": _check(ROOT / "server"),
    }
    if before is not None:
        commands[f"trigger-lsp check ({before.name})"] = _check(before / "server")
    biome_cmd = _biome(biome)
    if biome_cmd is not None:
        commands["biome lint"] = ([*biome_cmd, "lint", "--max-diagnostics=0", "."], None)
    results: dict[str, list[Measured]] = {name: [] for name in commands}
    load_before = os.getloadavg()[0]
    for _ in range(repeat):
        for name, (cmd, env) in commands.items():
            results[name].append(measure(cmd, tree, env))
    for name, runs in results.items():
        if any(r.returncode not in (0, 1) for r in runs):
            err = runs[-1].stderr.decode(errors="replace")[-500:]
            print(f"{name} failed: {err}", file=sys.stderr)
    rows = [_row(name, runs) for name, runs in results.items()]
    found = json.loads(results["trigger-lsp check"][-1].stdout or b"[]")
    ratio = ""
    if "biome lint" in results:
        ours = statistics.median(r.wall_s for r in results["trigger-lsp check"])
        theirs = statistics.median(r.wall_s for r in results["biome lint"])
        ratio = f" trigger-lsp took {ours / theirs:.2f} of Biome's wall time."
    else:
        ratio = " Biome was not found (see the script's help), so it is not compared."
    load_after = os.getloadavg()[0]
    load = f" Load average (1 min) {load_before:.1f} before the runs, {load_after:.1f} after."
    return (
        f"A generated monorepo of {facts['files']:,} source files ({facts['sdk']} import the SDK,"
        f" {facts['ignored']} more in git-ignored build output), {repeat} runs each, "
        f"interleaved; {len(found)} findings.{ratio}{load}\n\n"
        + table(
            ["command", "median wall", "wall range", "CPU", "peak memory (all processes)"], rows
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    ap.add_argument("--biome", help="the biome executable")
    args = ap.parse_args()
    print(run(args.files, args.repeat, args.before, args.biome))


if __name__ == "__main__":
    main()
