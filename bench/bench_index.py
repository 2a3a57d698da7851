"""Background indexing (not in CI): the server indexes a generated 1,000-file project after
`initialized` while a client keeps asking for hover and pulled diagnostics on an open file.
Reports how long indexing took and the request latencies during it and after it; no request
should wait more than about 20 ms for the indexer.

    python bench/bench_index.py [--files 1000]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

from common import WORK, generate_project, table
from lsp_client import Client


def summary(samples: list[float]) -> list[str]:
    if not samples:
        return ["0", "-", "-", "-"]
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return [
        str(len(samples)),
        f"{statistics.median(samples):.1f}",
        f"{p95:.1f}",
        f"{max(samples):.1f}",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--after-s", type=float, default=3.0, help="idle measurement after indexing")
    ap.add_argument(
        "--monorepo",
        type=int,
        metavar="FILES",
        help="index the generated monorepo of this many files instead (bench/gen_monorepo.py)",
    )
    args = ap.parse_args()
    if args.monorepo:
        print(run_monorepo(args.monorepo))
    else:
        print(run(args.files, args.after_s))


def run_monorepo(files: int = 20_000, after_s: float = 2.0) -> str:
    """Markdown: the server indexes the generated monorepo in the background while a client
    asks for hover and completion on an open task file: how long indexing took (until the end
    of its work-done progress), the server's peak memory, and the request latencies meanwhile
    (p99 too)."""
    from bench_monorepo import monorepo
    from procs import tree_rss_kb

    tree = monorepo(files)
    path = sorted((tree / "apps" / "jobs" / "src" / "trigger").rglob("*.ts"))[0]
    text = path.read_text()
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if "logger." in line)
    position = {"line": row, "character": lines[row].index("logger.") + 2}
    uri = path.as_uri()
    client = Client()
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(client.proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    client.initialize(tree.as_uri(), {"debounceMs": 0}, refresh=True, progress=True)
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}},
    )
    during: list[float] = []
    after: list[float] = []
    first: float | None = None
    indexed_at: float | None = None
    cpu = 0.0
    deadline = started + 300
    while time.perf_counter() < deadline:
        ended = [t for kind, t in client.progress if kind == "end"]
        if indexed_at is None and ended:
            indexed_at = ended[0]
            cpu = cpu_seconds(client.proc.pid)
        if indexed_at is not None and time.perf_counter() - indexed_at > after_s:
            break
        # Hover and completion: a first pulled diagnostics waits (a bounded time) for the
        # index on purpose, so it is not what this measures.
        for method, params in (
            ("textDocument/hover", {"textDocument": {"uri": uri}, "position": position}),
            ("textDocument/completion", {"textDocument": {"uri": uri}, "position": position}),
        ):
            t0 = time.perf_counter()
            client.request(method, params)
            took_ms = (time.perf_counter() - t0) * 1000
            if first is None:
                first = took_ms  # waits for the server's libraries to load
                continue
            (after if indexed_at is not None else during).append(took_ms)
        time.sleep(0.005)
    done.set()
    client.close()
    took = f"{indexed_at - started:.1f} s" if indexed_at is not None else "not finished"

    def p99(samples: list[float]) -> str:
        ordered = sorted(samples)
        return f"{ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]:.1f}" if ordered else "-"

    rows = [
        ["while indexing", *summary(during), p99(during)],
        ["after indexing", *summary(after), p99(after)],
    ]
    return (
        f"The generated monorepo ({files:,} source files) indexed in the background in {took} "
        f"from `initialize` (errors: {len(client.errors)}; the server's CPU time until then "
        f"{cpu:.1f} s, its start-up included), server peak memory {peak / 1024:.0f} MB"
        "; meanwhile a client asks for hover and completion on an open task file (the first "
        f"request, which waits for the server's libraries, took {first or 0:.0f} ms):\n\n"
        + table(["requests", "count", "median ms", "p95 ms", "max ms", "p99 ms"], rows)
    )


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(files: int, after_s: float = 3.0) -> str:
    """Markdown: how long indexing took, request latencies during and after it, and (from a
    second run with the event loop watched) the longest step the server's loop took while
    indexing: the most a request can have waited for the indexer."""
    project = generate_project(files, 200, WORK / "gen" / f"project-{files}")
    measured = _session(project, files, after_s)
    log = WORK / "loop-watch.log"
    with log.open("wb") as sink:
        watched = Client([sys.executable, str(Path(__file__).with_name("loop_watch.py"))], sink)
        first_answer = _session(project, files, 0.5, watched).first_answer
    steps = _loop_steps(log.read_text(errors="replace"), first_answer)
    rows = [
        ["while indexing", *summary(measured.during)],
        ["after indexing", *summary(measured.after)],
    ]
    longest = f"{max(steps):.1f} ms" if steps else "none over 5 ms"
    return (
        f"{files} files of 200 lines indexed in the background in {measured.took} "
        f"(errors: {measured.errors}); meanwhile a client asks for hover and pulled "
        "diagnostics on an open file:\n\n"
        + table(["requests", "count", "median ms", "p95 ms", "max ms"], rows)
        + "\n\nServer side (a second run, asyncio debug mode): event-loop steps over 5 ms after "
        f"the first answer: {len(steps)}, the longest {longest}. A request waits at most one "
        "such step; the rest of a round trip is the client and the machine."
    )


class Session(NamedTuple):
    took: str  # how long indexing took
    during: list[float]  # request latencies (ms) while indexing
    after: list[float]  # ...and after
    errors: int
    first_answer: float  # time.time() when the first pulled diagnostics came back


def _session(project: Path, files: int, after_s: float, client: Client | None = None) -> Session:
    path = project / "src" / "trigger" / "tasks_0000.ts"
    text = path.read_text()
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if "logger." in line)
    position = {"line": row, "character": lines[row].index("logger.") + 2}
    uri = path.as_uri()

    client = client or Client()
    client.initialize(project.as_uri(), {"debounceMs": 0}, refresh=True)
    started = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}},
    )
    client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    first_answer = time.time()
    # Indexing is done when a task of the last file (the indexer walks files in order) can be
    # found by workspace/symbol.
    last = project / "src" / "trigger" / f"tasks_{files - 1:04d}.ts"
    last_id = last.read_text().split('id: "', 1)[1].split('"', 1)[0]
    during: list[float] = []
    after: list[float] = []
    indexed_at: float | None = None
    polled = 0.0
    deadline = started + 300
    while time.perf_counter() < deadline:
        if indexed_at is None and time.perf_counter() - polled > 0.1:
            polled = time.perf_counter()
            found = client.request("workspace/symbol", {"query": last_id}) or []
            if any(s.get("location", {}).get("uri") == last.as_uri() for s in found):
                indexed_at = time.perf_counter()
        if indexed_at is not None and time.perf_counter() - indexed_at > after_s:
            break
        for method, params in (
            ("textDocument/hover", {"textDocument": {"uri": uri}, "position": position}),
            ("textDocument/diagnostic", {"textDocument": {"uri": uri}}),
        ):
            t0 = time.perf_counter()
            client.request(method, params)
            (after if indexed_at is not None else during).append((time.perf_counter() - t0) * 1000)
        time.sleep(0.005)
    client.close()
    took = f"{indexed_at - started:.1f} s" if indexed_at is not None else "not finished"
    return Session(took, during, after, len(client.errors), first_answer)


_STEP = re.compile(r"^(\d+\.\d+) asyncio: Executing .* took (\d+\.\d+) seconds", re.M)


def _loop_steps(log: str, since: float) -> list[float]:
    """Durations (ms) of the slow event-loop steps that loop_watch.py logged after `since`."""
    return [float(took) * 1000 for at, took in _STEP.findall(log) if float(at) > since]


if __name__ == "__main__":
    main()
