"""The standalone binary (packaging/build_binary.py) against the Python install: the language
server's start-up (start to `initialize` answered), first diagnostics and peak RSS, measured by
the neutral client `lspbench.py` (../shared/tools) with the servers taking turns (abab), and
`trigger-lsp check examples` wall time. Also the npm launcher (`node bin/trigger-lsp.js`, the
command `npx trigger-lsp` ends in) in front of the binary. Medians; issue 18 allows the binary at
most 20 % more than the Python install on start-up and first diagnostics.

    python bench/bench_binary.py [--rounds 9] [--binary dist/binary/trigger-lsp/trigger-lsp]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, SHARED, WORK, generate, table

LSPBENCH = SHARED / "tools" / "lspbench.py"
PYTHON_SERVER = Path(sys.executable).parent / "trigger-lsp"  # what pip/pipx/uv install
BINARY = ROOT / "dist" / "binary" / "trigger-lsp" / "trigger-lsp"
LAUNCHER = ROOT / "packaging" / "npm" / "trigger-lsp" / "bin" / "trigger-lsp.js"
LIMIT = 1.20


def servers(binary: Path) -> list[tuple[str, str]]:
    return [
        ("python", f"{shlex.quote(str(PYTHON_SERVER))} serve"),
        ("binary", f"{shlex.quote(str(binary))} serve"),
        (
            "npm launcher + binary",
            f"env TRIGGER_LSP_BINARY={shlex.quote(str(binary))} node "
            f"{shlex.quote(str(LAUNCHER))} serve",
        ),
    ]


def lsp(binary: Path, rounds: int, lines: int) -> dict[str, dict[str, float]]:
    folder = WORK / "binary" / f"t{lines}"
    path = generate(lines, folder / "tasks.ts")
    out = folder / "result.json"
    cmd = [sys.executable, str(LSPBENCH), "--compare", "--order", "abab", "--rounds", str(rounds)]
    for name, command in servers(binary):
        cmd += ["--server", command, "--name", name]
    cmd += [
        "--init-options",
        '{"debounceMs": 0}',
        "--root",
        str(folder),
        "--file",
        str(path),
        "--edits",
        "5",
        "--repeat",
        "3",
        "--quiet",
        "--json",
        str(out),
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    data = json.loads(out.read_text())
    result: dict[str, dict[str, float]] = {}
    for server in data["servers"]:
        summary = server["summary"]
        result[server["name"]] = {
            key: float(summary[key]["median"])
            for key in ("startup_ms", "first_diag_ms", "peak_rss_mb")
            if summary.get(key)
        }
    return result


def check_times(binary: Path, rounds: int) -> dict[str, float]:
    commands = {"python": [str(PYTHON_SERVER)], "binary": [str(binary)]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, exe in commands.items():  # taking turns, so drift hits both alike
            start = time.perf_counter()
            subprocess.run([*exe, "check", str(ROOT / "examples")], capture_output=True)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--lines", type=int, default=300)
    ap.add_argument("--binary", type=Path, default=BINARY)
    args = ap.parse_args()
    if not LSPBENCH.is_file():
        sys.exit(f"lspbench.py was not found at {LSPBENCH} (set TRIGGER_LSP_SHARED)")
    if not args.binary.exists():
        sys.exit(f"no binary at {args.binary}: run python packaging/build_binary.py")
    os.environ.pop("TRIGGER_LSP_BINARY", None)
    # A pip install compiles the modules to .pyc once; without this the Python install would
    # compile every module at every start (PYTHONDONTWRITEBYTECODE=1 in some shells), which is
    # not what its users see. One untimed run writes the caches.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([str(PYTHON_SERVER), "check", str(ROOT / "examples")], capture_output=True)
    found = lsp(args.binary, args.rounds, args.lines)
    checks = check_times(args.binary, args.rounds)
    rows: list[list[str]] = []
    for name, m in found.items():
        rows.append(
            [
                name,
                f"{m.get('startup_ms', float('nan')):.0f}",
                f"{m.get('first_diag_ms', float('nan')):.0f}",
                f"{m.get('peak_rss_mb', float('nan')):.0f}",
                f"{checks[name]:.0f}" if name in checks else "",
            ]
        )
    print(
        f"medians of {args.rounds} rounds, a {args.lines}-line task file; "
        "startup = start to initialize answered"
    )
    print(
        table(
            ["server", "startup ms", "first diagnostics ms", "peak RSS MB", "check examples ms"],
            rows,
        )
    )
    base, binary = found["python"], found["binary"]
    worse = [
        f"{key}: {binary[key]:.0f} ms vs {base[key]:.0f} ms"
        for key in ("startup_ms", "first_diag_ms")
        if binary[key] > base[key] * LIMIT
    ]
    if worse:
        print("the binary is more than 20 % slower:", "; ".join(worse))
        return 1
    print("the binary is within 20 % of the Python install (or faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
