"""Runs every benchmark of the project and writes one Markdown report (bench/results/latest.md).

python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt

import bench_cli
import bench_engine
import bench_index
import bench_monorepo
import bench_server
from common import WORK, machine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller project")
    args = ap.parse_args()
    repeat = 3 if args.quick else 7
    parts = [
        f"# trigger-lsp benchmarks, {dt.date.today().isoformat()}",
        "",
        f"Machine: {machine()}. Medians; the machine is shared, so compare ratios, not "
        "absolute numbers, across runs.",
        "",
        "## Engine (in process)",
        bench_engine.run(repeat),
        "",
        "## CLI (`trigger-lsp check`, wall time including start-up)",
        bench_cli.run(repeat, 200 if args.quick else 1000),
        "",
        "## Language server over stdio (lspbench, debounce 0)",
        bench_server.run(20 if args.quick else 50, 1 if args.quick else 3),
        "",
        "## Background indexing of a project (requests answered meanwhile)",
        bench_index.run(200 if args.quick else 1000),
        "",
        "## A 20,000-file monorepo: `check` next to `biome lint`, and the server's index",
        bench_monorepo.run(20_000, 1 if args.quick else 3),
        "",
        bench_index.run_monorepo(20_000),
    ]
    report = "\n".join(parts) + "\n"
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "latest.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
