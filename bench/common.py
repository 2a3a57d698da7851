"""Shared helpers for the benchmarks: generated inputs, timing and Markdown tables."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from gen_tasks import task_file

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRIGGER_LSP_SHARED", ROOT.parent / "shared"))  # peers' tools only
WORK = Path(os.environ.get("TRIGGER_LSP_BENCH_DIR", ROOT / "bench" / "results"))


def generate(lines: int, out: Path, seed: int = 1) -> Path:
    """A Trigger.dev task file of exactly `lines` lines, from bench/gen_tasks.py (cached)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists():
        out.write_text(task_file(lines, seed))
    return out


def generate_project(files: int, lines: int, out: Path, *, unique_ids: bool = True) -> Path:
    """A project of `files` task files under src/trigger, with a package.json and config.

    The generator numbers task ids within a file, so files written with different seeds share
    ids. A real project has unique ids (a deploy refuses duplicates): with `unique_ids`, each
    file's ids get the file's number as a prefix. Without it, most files define ids that other
    files define too, the worst case for `trigger-lsp check` (see cli/speculation.py)."""
    marker = out / ".complete"
    kind = "unique ids\n" if unique_ids else "shared ids\n"
    # A repository of its own: the checkout's .gitignore leaves out bench/results/, and
    # `check` honours the .gitignore files up to the top of the repository it is in.
    (out / ".git").mkdir(parents=True, exist_ok=True)
    if marker.exists() and marker.read_text() == kind:
        return out
    trigger = out / "src" / "trigger"
    trigger.mkdir(parents=True, exist_ok=True)
    (out / "package.json").write_text(
        '{"name": "bench", "dependencies": {"@trigger.dev/sdk": "4.8.3"},'
        ' "devDependencies": {"trigger.dev": "4.8.3"}}\n'
    )
    (out / "trigger.config.ts").write_text(
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_bench", dirs: ["./src/trigger"],'
        " maxDuration: 3600, retries: { default: { maxAttempts: 3 } } });\n"
    )
    for i in range(files):
        file = trigger / f"tasks_{i:04d}.ts"
        file.unlink(missing_ok=True)
        generate(lines, file, seed=1000 + i)
        if unique_ids:
            file.write_text(_prefix_ids(file.read_text(), f"f{i:04d}-"))
    marker.write_text(kind)
    return out


def _prefix_ids(source: str, prefix: str) -> str:
    """Prefix the value of each `id: "..."` option line the generator writes."""
    out = []
    for line in source.splitlines(keepends=True):
        head, sep, rest = line.partition('id: "')
        if sep and not head.strip():
            line = f"{head}{sep}{prefix}{rest}"
        out.append(line)
    return "".join(out)


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)
