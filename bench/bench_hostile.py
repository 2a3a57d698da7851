"""Hostile shapes (issue 17 B and F): the cost of files nested deep, of a keystroke at the end
of a very long line, and of many open documents sharing one task id. Each scenario runs in a
process of its own under a memory limit and a time limit, so a slow path shows as "over N s"
instead of holding up the run. Run it on two checkouts to compare (PYTHONPATH=<checkout>/server).
"""

from __future__ import annotations

import argparse
import json
import queue
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from procs import status_kb

HEADER = 'import { task, logger, wait } from "@trigger.dev/sdk";\n'
MEMORY = 4 * 1024**3
LIMIT_S = 120


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def in_task(body: str, task_id: str = "t") -> str:
    return (
        HEADER + f'export const t = task({{ id: "{task_id}", run: async () => {{\n{body}\n}} }});\n'
    )


SHAPES = {
    "nested ifs x300": lambda: in_task(
        "if (a) { await wait.for({ seconds: 1 }); " * 300 + "}" * 300
    ),
    "nested calls x400": lambda: in_task("const v = " + "f(" * 400 + ")" * 400 + ";"),
    "1,000 waits in 190 nested blocks": lambda: in_task(
        "if (a) { " * 190 + "await wait.for({ seconds: 1 }); " * 1000 + "}" * 190
    ),
    "1,000 try/catch in 190 nested blocks": lambda: in_task(
        "if (a) { " * 190
        + 'try { await f(); } catch (e) { logger.error("x"); } ' * 1000
        + "}" * 190
    ),
    "nested template literals x64,000": lambda: in_task(
        "const s = `" + "${`" * 64_000 + "x" + "`}" * 64_000 + "`;"
    ),
    "nested parentheses, 2 MiB": lambda: in_task(
        "const v = " + "(" * 1_000_000 + "1" + ")" * 1_000_000 + ";"
    ),
}

_ENGINE = """
import json, resource, sys, time
from pathlib import Path
from trigger_lsp.lint.engine import analyze
source = Path(sys.argv[1]).read_bytes()
started = time.perf_counter()
result = analyze(source, Path("/bench/src/trigger/deep.ts"))
print(json.dumps([time.perf_counter() - started,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  result.notes]))
"""


def engine_rows(work: Path) -> list[list[str]]:
    rows = []
    for name, make in SHAPES.items():
        path = work / "deep.ts"
        path.write_text(make())
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _ENGINE, str(path)],
                capture_output=True,
                text=True,
                timeout=LIMIT_S,
                preexec_fn=_limits,
            )
            if proc.returncode != 0:
                rows.append(
                    [name, f"{path.stat().st_size // 1024}", "failed", "", proc.stderr[-80:]]
                )
                continue
            seconds, rss, notes = json.loads(proc.stdout)
            rows.append(
                [
                    name,
                    f"{path.stat().st_size // 1024}",
                    f"{seconds * 1000:.0f}",
                    f"{rss:.0f}",
                    "; ".join(notes)[:60],
                ]
            )
        except subprocess.TimeoutExpired:
            rows.append([name, f"{path.stat().st_size // 1024}", f"over {LIMIT_S} s", "", ""])
    return rows


class Server:
    """`trigger-lsp serve` as a push client with UTF-16 positions; a thread reads its output."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trigger_lsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=_limits,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.published = 0  # textDocument/publishDiagnostics notifications read
        self.arrived: dict[tuple[str, int | None], float] = {}  # (uri, version): first publish
        threading.Thread(target=self._read, daemon=True).start()
        self._id = 0
        caps = {"general": {"positionEncodings": ["utf-16"]}}
        init = {"processId": None, "rootUri": root.as_uri(), "capabilities": caps}
        init["initializationOptions"] = {"debounceMs": 0, "indexWorkspace": False}
        self.request("initialize", init)
        self.notify("initialized", {})

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                length = 0
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                message = json.loads(out.read(length))
                if message.get("method") == "textDocument/publishDiagnostics":
                    self.published += 1
                    params = message["params"]
                    self.arrived[(params["uri"], params.get("version"))] = time.perf_counter()
                self.messages.put(message)
        except (OSError, ValueError):
            return

    def send(self, obj: dict[str, Any]) -> None:
        body = json.dumps(obj).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = LIMIT_S) -> Any:
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            msg = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if "method" in msg and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif msg.get("id") == rid:
                return msg.get("result")

    def quiet(self, seconds: float, limit: float = LIMIT_S) -> float:
        """Wait until the server has sent nothing for `seconds`; the time until its last
        message."""
        started = last = time.monotonic()
        while time.monotonic() - started < limit:
            try:
                msg = self.messages.get(timeout=seconds)
            except queue.Empty:
                return last - started
            last = time.monotonic()
            if "method" in msg and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
        return float("inf")

    def cpu_and_peak(self) -> tuple[float, float]:
        pid = self.proc.pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks / 100, status_kb(pid, "VmHWM") / 1024

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def open_doc(server: Server, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    item = {"uri": uri, "languageId": "typescript", "version": version, "text": text}
    server.notify("textDocument/didOpen", {"textDocument": item})
    return uri


def long_line_row(work: Path, repeat: int) -> list[str]:
    """Keystrokes at the end of a 1,000,000-character line (half of it non-ASCII): the time
    from the change to the answer of a request sent right after it."""
    text = in_task('const s = "' + "é" * 500_000 + "a" * 500_000 + '";')
    server = Server(work)
    try:
        uri = open_doc(server, work / "src" / "trigger" / "long.ts", text)
        hover = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 10}}
        server.request("textDocument/hover", hover)
        server.quiet(0.5)
        column = len(text.splitlines()[2]) - 2
        times = []
        for version in range(2, 2 + repeat):
            at = {"line": 2, "character": column}
            change = {"range": {"start": at, "end": at}, "text": "x"}
            started = time.perf_counter()
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            server.request("textDocument/hover", hover)
            times.append(time.perf_counter() - started)
            column += 1
            server.quiet(0.2)
        return [
            "keystroke at the end of a 1,000,000-character line",
            f"{statistics.median(times) * 1000:.0f} ms (median)",
        ]
    finally:
        server.close()


# Files whose analysis takes long (issue 17 B: "one pathological file blocks the server").
BUSY = {
    "1,000 waits in 190 nested blocks": SHAPES["1,000 waits in 190 nested blocks"],
    "1,000 triggers in 190 nested blocks": lambda: in_task(
        "if (a) { " * 190 + "await other.triggerAndWait({}); " * 1000 + "}" * 190
    ),
    "1,000 try/catch in 190 nested blocks": SHAPES["1,000 try/catch in 190 nested blocks"],
    "nested template literals x64,000": SHAPES["nested template literals x64,000"],
    "nested parentheses, 2 MiB": SHAPES["nested parentheses, 2 MiB"],
}


DURING_S = 0.05  # after opening or editing the file, before the hover is asked


def busy_row(work: Path, name: str, repeat: int) -> list[str]:
    """Open a file that takes long to analyse and, 50 ms later, ask for a hover on another
    (already analysed) document: the hover's latency (from asking), and the time from the
    open until the file's diagnostics are published; then the same after a one-line edit of
    the file. Medians over `repeat` files, each opened afresh."""
    text = BUSY[name]()
    server = Server(work)
    folder = work / "src" / "trigger"
    try:
        other = open_doc(server, folder / "other.ts", in_task('logger.info("x");', "other"))
        hover = {"textDocument": {"uri": other}, "position": {"line": 0, "character": 10}}
        server.request("textDocument/hover", hover)
        server.quiet(0.5)
        opened, published, edited, republished = [], [], [], []
        for i in range(repeat):
            for version in (1, 2):
                started = time.perf_counter()
                if version == 1:
                    uri = open_doc(server, folder / f"busy{i}.ts", text)
                else:
                    at = {"line": 0, "character": 0}
                    change = {"range": {"start": at, "end": at}, "text": "// edited\n"}
                    server.notify(
                        "textDocument/didChange",
                        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
                    )
                time.sleep(DURING_S)  # (the analysis has begun)
                asked = time.perf_counter()
                server.request("textDocument/hover", hover)
                (opened if version == 1 else edited).append(time.perf_counter() - asked)
                deadline = time.monotonic() + LIMIT_S
                while (uri, version) not in server.arrived:  # the busy file's diagnostics
                    if time.monotonic() > deadline:
                        raise queue.Empty
                    time.sleep(0.002)
                done = server.arrived[(uri, version)] - started
                (published if version == 1 else republished).append(done)
            server.quiet(0.3)
        ms = [f"{statistics.median(x) * 1000:.0f}" for x in (opened, published)]
        ms += [f"{statistics.median(x) * 1000:.0f}" for x in (edited, republished)]
        return [name, f"{len(text.encode()) // 1024}", *ms]
    except queue.Empty:
        return [name, f"{len(text.encode()) // 1024}", "no answer", "", "", ""]
    finally:
        server.close()


def shared_id_row(work: Path, count: int) -> list[str]:
    """Open `count` documents that all define the task id "same"; the server's CPU time and
    peak memory until it is quiet again, and the diagnostics published meanwhile."""
    server = Server(work)
    try:
        folder = work / "src" / "trigger"
        before, _ = server.cpu_and_peak()
        published = server.published
        started = time.monotonic()
        for i in range(count):
            open_doc(server, folder / f"same{i}.ts", in_task('logger.info("x");', "same"))
        settled = server.quiet(5.0)  # (the re-check pass waits for quiet)
        wall = time.monotonic() - started
        cpu, peak = server.cpu_and_peak()
        shown = "over the limit" if settled == float("inf") else f"{wall - 5.0:.1f} s wall"
        return [
            f"open {count} documents sharing one task id",
            f"{cpu - before:.1f} s CPU, {shown}, peak {peak:.0f} MB, "
            f"{server.published - published} publishes",
        ]
    finally:
        server.close()


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--documents", type=int, default=800)
    ap.add_argument("--busy", type=int, default=5, help="files opened per busy scenario")
    ap.add_argument("--only-busy", action="store_true", help="only the busy scenarios")
    ap.add_argument("--only", nargs="*", default=[], help="busy scenarios by name")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "4.0.0"}}')
        (work / "src" / "trigger").mkdir(parents=True)
        if not args.only_busy:
            print("#### Deeply nested files (engine, one process each)")
            rows = engine_rows(work)
            print(table(["shape", "KiB", "analysis ms", "peak RSS MB", "notes"], rows))
            print()
            print("#### Language server over stdio (push diagnostics, debounce 0)")
            rows = [long_line_row(work, args.repeat), shared_id_row(work, args.documents)]
            print(table(["scenario", "cost"], rows))
            print()
        print("#### A hover on another document while a file is analysed (medians, ms)")
        header = ["file", "KiB", "hover after open", "its diagnostics", "hover after edit"]
        header.append("its diagnostics after the edit")
        names = [n for n in BUSY if not args.only or n in args.only]
        busy = [busy_row(work, name, args.busy) for name in names]
        print(table(header, busy))


if __name__ == "__main__":
    main()
