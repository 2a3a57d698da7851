"""Times `trigger-lsp check` as a user runs it: on the examples, a 10,000-line file and a
generated project; reports medians and files per second."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from common import ROOT, WORK, generate, generate_project, median_time, table

CLI = [sys.executable, "-m", "trigger_lsp", "check", "--format", "json"]


def _check(paths: list[Path], jobs: int | None = None) -> None:
    cmd = CLI + [str(p) for p in paths] + ([f"--jobs={jobs}"] if jobs else [])
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        sys.exit(f"check failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")


def run(repeat: int, project_files: int) -> str:
    rows = []
    examples = ROOT / "examples"
    n_examples = sum(1 for _ in examples.rglob("*.ts"))
    t, _ = median_time(lambda: _check([examples]), repeat)
    rows.append(["examples/", str(n_examples), f"{t * 1000:.0f} ms", f"{n_examples / t:.0f}"])

    big = generate(10_000, WORK / "gen" / "tasks-10000.ts")
    t, _ = median_time(lambda: _check([big]), repeat)
    rows.append(["one 10,000-line file", "1", f"{t * 1000:.0f} ms", f"{1 / t:.1f}"])

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
            t, _ = median_time(lambda j=jobs, p=project: _check([p], j), max(1, repeat // 2))
            rows.append(
                [
                    f"{label}, {project_files} files of 200 lines, --jobs {jobs}",
                    str(project_files),
                    f"{t * 1000:.0f} ms",
                    f"{project_files / t:.0f}",
                ]
            )
    return table(["input", "files", "median wall time", "files/s"], rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--project-files", type=int, default=1000)
    args = ap.parse_args()
    print(run(args.repeat, args.project_files))


if __name__ == "__main__":
    main()
