"""Soak test (not in CI): many edits across many open files for several minutes; reports the
server's RSS curve, edit-to-diagnostics latency over time (one row per minute), and any error.

    python bench/soak.py --files 50 --edits 20000 --minutes 10
    python bench/soak.py --monorepo 20000 --files 50 --edits 10000 --minutes 5

With `--monorepo`, the workspace is the generated monorepo (bench/gen_monorepo.py): the edits
start once the server has indexed it (the end of its work-done progress), and the open files
are task files of it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from common import WORK, generate, table
from lsp_client import Client
from procs import status_kb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--edits", type=int, default=20_000)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--lines", type=int, default=300)
    ap.add_argument(
        "--monorepo",
        type=int,
        metavar="FILES",
        help="work in the generated monorepo of this many files, indexed first",
    )
    args = ap.parse_args()

    if args.monorepo:
        from bench_monorepo import monorepo

        root = monorepo(args.monorepo)
        tasks = sorted((root / "apps").glob("*/src/trigger/**/*.ts"))
        paths = [p for p in tasks if "logger." in p.read_text()][: args.files]
    else:
        root = WORK / "soak"
        paths = [
            generate(args.lines, root / "src" / "trigger" / f"t{i:02d}.ts", seed=50 + i)
            for i in range(args.files)
        ]
    client = Client()
    # A client that pulls and can be asked to pull again, as VS Code: the server then publishes
    # nothing (to a client that cannot be asked again it publishes, and 50 documents opened
    # without reading its output would fill the pipe both ways: this client reads only while
    # it waits for an answer).
    client.initialize(root.as_uri(), {"debounceMs": 0}, refresh=True, progress=bool(args.monorepo))
    docs = []
    for path in paths:
        text = path.read_text()
        uri = path.as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}},
        )
        lines = text.split("\n")
        anchor = next(i for i, ln in enumerate(lines) if "logger." in ln)
        indent = lines[anchor][: len(lines[anchor]) - len(lines[anchor].lstrip())]
        docs.append(
            {"uri": uri, "version": 1, "anchor": anchor, "inserted": False, "indent": indent}
        )
    if args.monorepo:  # the edits start once the workspace is indexed
        waited = time.perf_counter()
        while not any(kind == "end" for kind, _ in client.progress):
            if time.perf_counter() - waited > 300:
                raise SystemExit("the monorepo was not indexed within 300 s")
            client.request("textDocument/diagnostic", {"textDocument": {"uri": docs[0]["uri"]}})
            time.sleep(0.1)
        print(
            f"indexed {args.monorepo:,} files in {time.perf_counter() - waited:.1f} s after"
            f" opening {len(docs)} of them; RSS {status_kb(client.proc.pid) / 1024:.0f} MB"
        )
    rng = random.Random(7)
    pace = args.minutes * 60 / args.edits
    start = time.perf_counter()
    samples: list[tuple[float, float, float]] = []  # (elapsed s, latency ms, rss MB)
    for n in range(args.edits):
        doc = rng.choice(docs)
        doc["version"] += 1
        line = doc["anchor"] + 1
        if doc["inserted"]:
            change = {
                "range": {
                    "start": {"line": line, "character": 0},
                    "end": {"line": line + 1, "character": 0},
                },
                "text": "",
            }
        else:
            change = {
                "range": {
                    "start": {"line": line, "character": 0},
                    "end": {"line": line, "character": 0},
                },
                "text": doc["indent"] + 'logger.log("soak");\n',
            }
        doc["inserted"] = not doc["inserted"]
        t0 = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": doc["uri"], "version": doc["version"]},
                "contentChanges": [change],
            },
        )
        client.request("textDocument/diagnostic", {"textDocument": {"uri": doc["uri"]}})
        latency = (time.perf_counter() - t0) * 1000
        if n % 100 == 0:
            now_mb = status_kb(client.proc.pid) / 1024
            samples.append((time.perf_counter() - start, latency, now_mb))
        else:
            samples.append((time.perf_counter() - start, latency, -1))
        delay = start + (n + 1) * pace - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    client.close()
    rows = []
    for minute in range(int(samples[-1][0] // 60) + 1):
        chunk = [x for x in samples if minute * 60 <= x[0] < (minute + 1) * 60]
        if not chunk:
            continue
        lat = sorted(x[1] for x in chunk)
        worst = max(chunk, key=lambda x: x[1])  # (when: the first edits meet the first analyses)
        rss = [x[2] for x in chunk if x[2] >= 0]
        rows.append(
            [
                f"{minute}-{minute + 1} min",
                str(len(chunk)),
                f"{statistics.median(lat):.1f}",
                f"{lat[int(len(lat) * 0.95)]:.1f}",
                f"{lat[-1]:.1f} (at {worst[0]:.1f} s)",
                f"{min(rss):.0f}-{max(rss):.0f}" if rss else "-",
            ]
        )
    print(
        f"{args.edits} edits over {samples[-1][0]:.0f} s across {args.files} files; "
        f"errors: {len(client.errors)}"
    )
    print(table(["window", "edits", "median ms", "p95 ms", "max ms", "RSS MB"], rows))


if __name__ == "__main__":
    main()
