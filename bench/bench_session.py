"""A session as an editor plays it (issue 19: after the first second no request over 100 ms):
the server is started, `initialize`d at a workspace, a 10,000-line task file is opened, and a
client asks at once, and then every `--pause-ms` (an editor's requests come as the user moves
and types, not back to back), for completion, hover, code actions, code lenses, references,
definitions and pulled diagnostics, with an edit now and then, for a few seconds.
Reports, per method, the latencies of the requests sent after the first second from the
server's start, and the first request (which may wait for the server's libraries to load).

    python bench/bench_session.py [--seconds 8] [--lines 10000] [--monorepo 20000]

With `--monorepo`, the workspace is the generated monorepo (bench/gen_monorepo.py), indexed in
the background meanwhile, and the open file one of its task files.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from common import WORK, generate, table
from lsp_client import Client

FIRST_SECOND_S = 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=8.0, help="length of the session")
    ap.add_argument("--lines", type=int, default=10_000, help="lines of the open file")
    ap.add_argument("--edit-every", type=int, default=8, help="an edit after this many requests")
    ap.add_argument("--pause-ms", type=float, default=20.0, help="between requests")
    ap.add_argument("--monorepo", type=int, metavar="FILES", help="open a monorepo instead")
    args = ap.parse_args()
    print(run(args.seconds, args.lines, args.edit_every, args.monorepo, args.pause_ms / 1000))


def run(
    seconds: float, lines: int, edit_every: int, monorepo_files: int | None, pause_s: float
) -> str:
    if monorepo_files:
        from bench_monorepo import monorepo

        root = monorepo(monorepo_files)
        path = sorted((root / "apps" / "jobs" / "src" / "trigger").rglob("*.ts"))[0]
    else:
        root = WORK / "server" / f"t{lines}"
        path = generate(lines, root / "tasks.ts")
    text = path.read_text()
    rows = text.split("\n")
    middle = len(rows) // 2
    row = min(
        (i for i, line in enumerate(rows) if "logger." in line), key=lambda i: abs(i - middle)
    )
    col = rows[row].index("logger.")
    uri = path.as_uri()
    doc = {"uri": uri}
    at = {"line": row, "character": col + len("logger.")}
    on = {"line": row, "character": col + 2}
    whole_line = {"start": {"line": row, "character": 0}, "end": {"line": row + 1, "character": 0}}
    requests: list[tuple[str, dict[str, Any]]] = [
        ("textDocument/completion", {"textDocument": doc, "position": at}),
        ("textDocument/hover", {"textDocument": doc, "position": on}),
        (
            "textDocument/codeAction",
            {"textDocument": doc, "range": whole_line, "context": {"diagnostics": []}},
        ),
        ("textDocument/codeLens", {"textDocument": doc}),
        (
            "textDocument/references",
            {"textDocument": doc, "position": on, "context": {"includeDeclaration": True}},
        ),
        ("textDocument/definition", {"textDocument": doc, "position": on}),
        ("textDocument/diagnostic", {"textDocument": doc}),
    ]

    started = time.perf_counter()
    client = Client()
    client.initialize(root.as_uri(), {"debounceMs": 0}, refresh=True, progress=True)
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}},
    )
    samples: list[tuple[str, float, float]] = []  # (method, sent at s, latency ms)
    version, inserted, n = 1, False, 0
    indent = rows[row][: len(rows[row]) - len(rows[row].lstrip())]
    while time.perf_counter() - started < seconds:
        if n:
            time.sleep(pause_s)
        n += 1
        if n % edit_every == 0:  # an edit, then its diagnostics pulled
            version += 1
            line = row + 1
            end = line + 1 if inserted else line
            change = {
                "range": {
                    "start": {"line": line, "character": 0},
                    "end": {"line": end, "character": 0},
                },
                "text": "" if inserted else indent + 'logger.log("x");\n',
            }
            inserted = not inserted
            t0 = time.perf_counter()
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            client.request("textDocument/diagnostic", {"textDocument": doc})
            samples.append(("edit → diagnostics", t0 - started, ms_since(t0)))
            continue
        method, params = requests[n % len(requests)]
        t0 = time.perf_counter()
        client.request(method, params)
        samples.append((method.split("/", 1)[1], t0 - started, ms_since(t0)))
    client.close()
    return report(samples, path, root, len(client.errors))


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def report(samples: list[tuple[str, float, float]], path: Path, root: Path, errors: int) -> str:
    first = samples[0]
    later = [s for s in samples if s[1] >= FIRST_SECOND_S]
    methods = sorted({m for m, _, _ in later})
    out = []
    for method in [*methods, "all"]:
        values = sorted(v for m, _, v in later if method in (m, "all"))
        if not values:
            continue
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        worst = max((s for s in later if method in (s[0], "all")), key=lambda s: s[2])
        out.append(
            [
                method,
                str(len(values)),
                f"{statistics.median(values):.1f}",
                f"{p95:.1f}",
                f"{values[-1]:.1f} (at {worst[1]:.1f} s)",
            ]
        )
    lines = path.read_text().count("\n")
    return (
        f"A session on {path.relative_to(root)} ({lines:,} lines) in {root.name}; errors: "
        f"{errors}. The first request ({first[0]}, sent {first[1] * 1000:.0f} ms after the "
        f"server was started) took {first[2]:.0f} ms. Requests sent after the first second:\n\n"
        + table(["request", "count", "median ms", "p95 ms", "max ms"], out)
    )


if __name__ == "__main__":
    main()
