"""Times `trigger-lsp check` as a user runs it: on the examples, a 10,000-line file and a
generated project; reports medians and files per second.

`--before PATH` also times another checkout (its `server` folder on PYTHONPATH) on the same
inputs, interleaved with this one run by run, so that both see the same machine.

    python bench/bench_cli.py [--repeat 5] [--project-files 1000] [--before ../old-checkout]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import ROOT, WORK, generate, generate_project, table

CLI = [sys.executable, "-m", "trigger_lsp", "check", "--format", "json"]


def _check(paths: list[Path], jobs: int | None = None, server: Path = ROOT / "server") -> None:
    cmd = CLI + [str(p) for p in paths] + ([f"--jobs={jobs}"] if jobs else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIGGER_LSP")}
    env["PYTHONPATH"] = str(server)
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env)
    if proc.returncode not in (0, 1):
        sys.exit(f"check failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")


def _medians(run: Callable[[Path], None], servers: list[Path], repeat: int) -> list[float]:
    """Each server's median time for `run`, the servers taking turns."""
    samples: list[list[float]] = [[] for _ in servers]
    for _ in range(repeat):
        for i, server in enumerate(servers):
            start = time.perf_counter()
            run(server)
            samples[i].append(time.perf_counter() - start)
    return [statistics.median(s) for s in samples]


def run(repeat: int, project_files: int, before: Path | None = None) -> str:
    servers = [ROOT / "server"] + ([before / "server"] if before is not None else [])
    labels = [""] + ([f" ({before.name})"] if before is not None else [])
    rows = []

    def add(label: str, files: int, times: list[float], per_s: str = "{:.0f}") -> None:
        for suffix, t in zip(labels, times, strict=True):
            rate = per_s.format(files / t)
            rows.append([label + suffix, str(files), f"{t * 1000:.0f} ms", rate])

    examples = ROOT / "examples"
    n_examples = sum(1 for _ in examples.rglob("*.ts"))
    add("examples/", n_examples, _medians(lambda s: _check([examples], server=s), servers, repeat))

    big = generate(10_000, WORK / "gen" / "tasks-10000.ts")
    times = _medians(lambda s: _check([big], server=s), servers, repeat)
    add("one 10,000-line file", 1, times, "{:.1f}")

    gen = WORK / "gen"
    projects = [
        ("project", generate_project(project_files, 200, gen / f"project-{project_files}")),
        (
            "project, ids shared across files",
            generate_project(
                project_files, 200, gen / f"project-{project_files}-shared", unique_ids=False
            ),
        ),
    ]
    for label, project in projects:
        for jobs in (1, 2):
            times = _medians(
                lambda s, j=jobs, p=project: _check([p], j, s), servers, max(1, repeat // 2)
            )
            add(f"{label}, {project_files} files of 200 lines, --jobs {jobs}", project_files, times)
    return table(["input", "files", "median wall time", "files/s"], rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--project-files", type=int, default=1000)
    ap.add_argument("--before", type=Path, help="another checkout to time in the same run")
    args = ap.parse_args()
    print(run(args.repeat, args.project_files, args.before))


if __name__ == "__main__":
    main()
