"""`check --fix` never loses a byte: a file ends fully fixed or exactly as it was, whatever fails
(a full disk, a save made during the check, a read-only file system, a link out of the checked
folders, a file that is not UTF-8), and a file that could not be written fails the run. Report
lines cannot be forged by file names."""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from trigger_lsp.cli import main as cli_main
from trigger_lsp.cli import runner

# A 4.x project (the pin gives the version) whose v3 import path has a safe fix.
MANIFEST = '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n'
TASK = (
    'import {{ task, logger }} from "@trigger.dev/sdk/v3";\n\n'
    'export const t{n} = task({{ id: "t-{n}", run: async () => {{ logger.info("hi"); }} }});\n'
)
FIXED_IMPORT = b'from "@trigger.dev/sdk";'


def project(root: Path, tasks: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(MANIFEST)
    for rel, text in tasks.items():
        file = root / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
    return root


def big_task_file(kib: int) -> str:
    """A task file of about `kib` KiB whose first line has a safe fix."""
    filler = "".join(f"// line {i}: padding that keeps the file large\n" for i in range(kib * 22))
    return TASK.format(n=0) + filler


def run_cli(*args: str, cwd: Path, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "trigger_lsp", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        preexec_fn=limit,
    )


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.fix")]


def test_a_failed_write_leaves_the_file_whole_and_fails_the_run(tmp_path: Path) -> None:
    text = big_task_file(199)
    root = project(tmp_path / "app", {"src/big.ts": text})
    before = (root / "src/big.ts").read_bytes()
    assert len(before) > 190 * 1024
    # Files may grow to 64 KiB at most, as on a nearly full disk.
    done = run_cli("check", "--fix", ".", cwd=root, fsize=64 * 1024)
    assert (root / "src/big.ts").read_bytes() == before
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot write fixes" in done.stdout
    assert "Fixed" not in done.stdout
    assert leftovers(root) == []


def test_fixes_written_keep_the_file_mode_and_report_the_fixed_text(tmp_path: Path) -> None:
    root = project(tmp_path / "app", {"src/a.ts": TASK.format(n=1)})
    file = root / "src/a.ts"
    file.chmod(0o640)
    done = run_cli("check", "--fix", ".", cwd=root)
    assert FIXED_IMPORT in file.read_bytes()
    assert (file.stat().st_mode & 0o777) == 0o640
    assert "Fixed 1" in done.stdout
    assert "sdk-v3-import-path" not in done.stdout  # the report is of the fixed file
    assert done.returncode == 0, done.stdout + done.stderr
    assert leftovers(root) == []


def test_a_save_made_during_the_check_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "app", {"src/a.ts": TASK.format(n=2)})
    file = root / "src/a.ts"
    original = file.read_bytes()
    saved = b"// the user's edit, saved while the check ran\n"
    analyze = runner.analyze
    calls = []

    def analyze_while_user_saves(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if not calls:
            with open(file, "ab") as f:
                f.write(saved)
        calls.append(1)
        return analyze(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "analyze", analyze_while_user_saves)
    status = cli_main.main(["check", "--fix", "--jobs", "1", str(root)])
    assert file.read_bytes() == original + saved
    assert status == 2
    assert leftovers(root) == []


def test_an_unwritable_file_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "app", {f"src/{n}.ts": TASK.format(n=n) for n in range(3)})
    before = {p: p.read_bytes() for p in root.rglob("*.ts")}

    def read_only(*_: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    from trigger_lsp.cli import writing

    monkeypatch.setattr(writing.os, "replace", read_only)
    status = cli_main.main(["check", "--fix", "--jobs", "1", str(root)])
    out = capsys.readouterr()
    assert status == 2
    assert out.out.count("cannot write fixes: Read-only file system") == 3
    assert "could not be written to 3 files" in out.err
    assert {p: p.read_bytes() for p in root.rglob("*.ts")} == before
    assert leftovers(root) == []


def test_no_write_through_a_link_that_leaves_the_checked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "x.ts"
    outside.parent.mkdir()
    outside.write_text(TASK.format(n=3))
    kept = outside.read_bytes()
    root = project(tmp_path / "work" / "app", {"src/real.ts": TASK.format(n=4)})
    (root / "src/leak.ts").symlink_to(os.path.relpath(outside, root / "src"))
    (root / "src/alias.ts").symlink_to("real.ts")
    done = run_cli("check", "--fix", ".", cwd=root)
    assert outside.read_bytes() == kept
    assert "leak.ts: fixes not written: the file is a link to" in done.stdout
    # A link inside the folder is followed: its target is fixed and the link stays a link.
    assert (root / "src/alias.ts").is_symlink()
    assert FIXED_IMPORT in (root / "src/real.ts").read_bytes()


def test_a_file_that_is_not_utf8_is_not_rewritten(tmp_path: Path) -> None:
    latin1 = TASK.format(n=5).encode() + "// caf\xe9 au lait\n".encode("latin-1")
    root = project(tmp_path / "app", {})
    (root / "src").mkdir()
    (root / "src/latin.ts").write_bytes(latin1)
    done = run_cli("check", "--fix", ".", cwd=root)
    assert (root / "src/latin.ts").read_bytes() == latin1
    assert "fixes not written: the file is not valid UTF-8" in done.stdout


FORGED = "FORGED.ts:1:1  error  forged-rule  this line was not written by trigger-lsp"
SECRET = 'export const key = "tr_prod_abcdefghijklmnopqrstuvwx";\n'


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
def test_file_names_cannot_forge_report_lines(tmp_path: Path, fmt: str) -> None:
    root = project(tmp_path / "app", {})
    names = [f"evil\x1b[2J\n{FORGED}\n.ts", "odd\u202e.ts"]
    for name in names:
        (root / name).write_text(SECRET)
    (root / os.fsdecode(b"bytes\xff.ts")).write_text(SECRET)
    done = run_cli("check", "--format", fmt, ".", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    for stream in (done.stdout, done.stderr):
        assert "\x1b" not in stream
        assert "\u202e" not in stream
        assert not any(line.startswith("FORGED") for line in stream.splitlines())
    if fmt == "json":
        paths = {f["path"] for f in json.loads(done.stdout)}
        assert paths == {*names, "bytes\\xff.ts"}  # JSON escapes the rest itself
    if fmt == "sarif":
        results = json.loads(done.stdout)["runs"][0]["results"]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        assert "bytes%FF.ts" in uris
        assert all(uri.isprintable() and " " not in uri for uri in uris)


def test_a_cut_pipe_keeps_the_exit_status(tmp_path: Path) -> None:
    root = project(tmp_path / "app", {f"src/{n}.ts": SECRET * 400 for n in range(20)})
    script = f"{sys.executable} -m trigger_lsp check . | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(
        ["bash", "-c", script], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1, done.stderr
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_fixes_keep_the_line_ends_of_a_crlf_file(tmp_path: Path) -> None:
    lines = [
        'import { task, logger } from "@trigger.dev/sdk";',
        "",
        "export const sendReport = task({",
        "  run: async () => {",
        '    logger.info("sending");',
        "  },",
        "});",
        "",
    ]
    root = project(tmp_path / "app", {})
    (root / "src").mkdir()
    file = root / "src/report.ts"
    file.write_bytes("\r\n".join(lines).encode())
    done = run_cli("check", "--fix", "--unsafe-fixes", ".", cwd=root)
    fixed = file.read_bytes()
    assert b'id: "send-report"' in fixed, done.stdout
    assert fixed.count(b"\n") == fixed.count(b"\r\n")
