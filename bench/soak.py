"""Soak test (not in CI): many edits across many open files for several minutes; reports the
server's RSS curve, edit-to-diagnostics latency over time, and any error.

    python bench/soak.py --files 50 --edits 20000 --minutes 10
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from common import WORK, generate, table
from lsp_client import Client


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--edits", type=int, default=20_000)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--lines", type=int, default=300)
    args = ap.parse_args()

    root = WORK / "soak"
    paths = [
        generate(args.lines, root / "src" / "trigger" / f"t{i:02d}.ts", seed=50 + i)
        for i in range(args.files)
    ]
    client = Client()
    client.initialize(root.as_uri(), {"debounceMs": 0})
    docs = []
    for path in paths:
        text = path.read_text()
        uri = path.as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}},
        )
        lines = text.split("\n")
        anchor = next(i for i, ln in enumerate(lines) if "logger.log(" in ln)
        docs.append({"uri": uri, "version": 1, "anchor": anchor, "inserted": False})
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
                "text": '    logger.log("soak");\n',
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
        if n % 200 == 0:
            samples.append((time.perf_counter() - start, latency, rss_mb(client.proc.pid)))
        else:
            samples.append((time.perf_counter() - start, latency, -1))
        delay = start + (n + 1) * pace - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    client.close()
    buckets = 10
    per = len(samples) // buckets
    rows = []
    for b in range(buckets):
        chunk = samples[b * per : (b + 1) * per]
        lat = [s[1] for s in chunk]
        rss = [s[2] for s in chunk if s[2] >= 0]
        rows.append(
            [
                f"{chunk[0][0]:.0f}-{chunk[-1][0]:.0f} s",
                str(len(chunk)),
                f"{statistics.median(lat):.1f}",
                f"{sorted(lat)[int(len(lat) * 0.95)]:.1f}",
                f"{max(rss):.0f}" if rss else "-",
            ]
        )
    print(
        f"{args.edits} edits over {samples[-1][0]:.0f} s across {args.files} files; "
        f"errors: {len(client.errors)}"
    )
    print(table(["window", "edits", "median ms", "p95 ms", "RSS MB"], rows))


if __name__ == "__main__":
    main()
