"""Bad files never crash the engine or the CLI: binary, invalid UTF-8, huge, deeply nested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trigger_lsp.lint.engine import analyze
from trigger_lsp.text import MAX_FILE_BYTES

HEADER = b'import { task, logger, wait } from "@trigger.dev/sdk";\n'


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trigger_lsp", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


CASES = {
    "binary.ts": os.urandom(64 * 1024),
    "invalid-utf8.ts": HEADER
    + b'const s = "\xff\xfe\xc3\x28";\nexport const t = task({ id: "t", run: async () => { logger.info("\xff"); } });\n',
    "nested-brackets.ts": HEADER + b"const v = " + b"[" * 10_000 + b"]" * 10_000 + b";\n",
    "nested-parens.ts": HEADER + b"const v = " + b"(" * 10_000 + b"1" + b")" * 10_000 + b";\n",
    "nested-calls.ts": HEADER + b"const v = " + b"f(" * 10_000 + b")" * 10_000 + b";\n",
    "member-chain.ts": HEADER
    + b'export const t = task({ id: "t", run: async () => { logger.info("x"); await wait'
    + b".b" * 10_000
    + b"(); } });\n",
    "long-line.ts": HEADER + b'const s = "' + b"a" * (1024 * 1024) + b'";\n',
    "half-typed.ts": HEADER
    + b'export const t = task({ id: "t", run: async (payload) => { await wait.\n',
    "empty.ts": b"",
    "only-bom.ts": b"\xef\xbb\xbf",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_survives(name: str) -> None:
    result = analyze(CASES[name], Path("/project/src/trigger") / name)
    assert not result.rule_errors


def test_binary_is_skipped_with_a_message() -> None:
    result = analyze(CASES["binary.ts"], Path("/p/x.ts"))
    assert result.skipped and result.notes == ["skipped: binary file"]


def test_oversized_file_is_skipped_with_a_message(tmp_path: Path) -> None:
    big = tmp_path / "src" / "trigger" / "big.ts"
    big.parent.mkdir(parents=True)
    line = b"export const x = 1; // " + b"p" * 100 + b"\n"
    with big.open("wb") as f:
        f.write(HEADER)
        for _ in range((20 * 1024 * 1024) // len(line)):
            f.write(line)
    assert big.stat().st_size > MAX_FILE_BYTES
    proc = cli("check", str(big), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "skipped" in proc.stdout and "MiB" in proc.stdout


def test_cli_checks_every_bad_file_and_reports_no_internal_error(tmp_path: Path) -> None:
    trigger = tmp_path / "src" / "trigger"
    trigger.mkdir(parents=True)
    for name, data in CASES.items():
        (trigger / name).write_bytes(data)
    proc = cli("check", "--format", "json", "src", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    findings = json.loads(proc.stdout)
    assert isinstance(findings, list)
    assert "binary.ts: skipped: binary file" in proc.stderr


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    trigger = tmp_path / "src" / "trigger"
    trigger.mkdir(parents=True)
    (trigger / "loop").symlink_to(tmp_path / "src", target_is_directory=True)
    (trigger / "a.ts").write_bytes(
        HEADER + b'export const a = task({ id: "a", run: async () => { logger.info("x"); } });\n'
    )
    proc = cli("check", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    paths = {f["path"] for f in json.loads(proc.stdout)}
    assert all("loop" not in p for p in paths)


def test_config_globs_cannot_reach_outside_the_workspace(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.ts").write_text('const k = "tr_dev_abcdefghijklmnopqrstu";\n')
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    (work / ".trigger-lsp.yaml").write_text('include: ["../outside/**", "/**"]\n')
    (work / "src" / "a.ts").write_text("export const x = 1;\n")
    proc = cli("check", "--format", "json", ".", cwd=work)
    assert proc.returncode in (0, 1), proc.stderr
    assert all("outside" not in f["path"] for f in json.loads(proc.stdout))


def test_files_changing_while_the_cli_reads_them(tmp_path: Path) -> None:
    """Files rewritten, truncated, deleted, recreated and turned binary while `check` runs
    (in parallel workers): every file is either checked or named as unreadable, and nothing
    crashes."""
    import threading

    trigger = tmp_path / "src" / "trigger"
    trigger.mkdir(parents=True)
    files = [trigger / f"t{n:03d}.ts" for n in range(80)]
    for n, path in enumerate(files):
        run = "run: async () => { await wait.for({ seconds: 1 }); }"
        path.write_bytes(HEADER + f'export const t{n} = task({{ id: "t{n}", {run} }});\n'.encode())
    stop = threading.Event()
    variants = [b"", HEADER, HEADER + b"export const half = task({ id: ", os.urandom(4096), None]

    def churn() -> None:
        n = 0
        while not stop.is_set():
            path = files[n % len(files)]
            variant = variants[n % len(variants)]
            try:
                if variant is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_bytes(variant)
            except OSError:
                pass
            n += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        runs = [
            cli("check", "--format", "json", "--jobs", "2", ".", cwd=tmp_path) for _ in range(3)
        ]
    finally:
        stop.set()
        worker.join()
    for run in runs:
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr
        assert "internal error" not in run.stdout + run.stderr
        json.loads(run.stdout)  # a complete report
