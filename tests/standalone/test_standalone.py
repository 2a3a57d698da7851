"""The standalone binary and the npm packages, used as a user would on a machine without Python:
the packed tarballs installed into a fresh Node project in a temporary folder (npm --offline:
nothing comes from a registry), with a PATH that holds only node, npm, npx and sh. The binary's
findings must equal the Python install's. Skipped when the artifacts are not built, required in
CI (TRIGGER_LSP_REQUIRE_DIST=1, see standalone_harness.py)."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from standalone_harness import (
    REPO,
    binary,
    fresh_examples,
    has_python,
    no_python_env,
    python_check,
    tarball,
)

from reliability.wire import frame, read_frames

MONTH_END = Path("examples/src/trigger/month-end.ts")
EXPECTED = {  # (file, line) -> rule, from examples/README.md
    ("month-end.ts", 62): "parallel-waits",
    ("month-end.ts", 67): "result-not-unwrapped",
    ("emails.ts", 69): "catch-without-rethrow",
    ("reminders.ts", 44): "invalid-cron",
    ("route.ts", 6): "hardcoded-secret-key",
}


def npm(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["npm", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def nopy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return no_python_env(tmp_path_factory.mktemp("nopy"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, nopy: dict[str, str]) -> Path:
    """A fresh Node project with trigger-lsp installed from the tarballs, and examples/."""
    launcher, platform_pkg = tarball("trigger-lsp"), tarball("trigger-lsp-linux-x64")
    base = tmp_path_factory.mktemp("node-project")
    project = base / "app"
    project.mkdir()
    (project / "package.json").write_text(
        json.dumps(
            {
                "name": "app",
                "private": True,
                "scripts": {"lint:trigger": "trigger-lsp check examples --format json"},
            }
        )
    )
    done = npm(project, nopy, "install", "--offline", "-D", str(platform_pkg), str(launcher))
    assert done.returncode == 0, done.stdout + done.stderr
    fresh_examples(project)
    return project


def test_the_path_has_no_python(nopy: dict[str, str]) -> None:
    assert has_python(nopy) == "", f"a Python is on the test PATH: {has_python(nopy)}"
    done = subprocess.run(["npm", "--version"], env=nopy, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_binary_check_equals_the_python_install(nopy: dict[str, str], tmp_path: Path) -> None:
    exe = binary()
    fresh_examples(tmp_path)
    frozen = subprocess.run(
        [str(exe), "check", "examples"], cwd=tmp_path, env=nopy, capture_output=True, text=True
    )
    reference = python_check(tmp_path, "examples")
    assert frozen.returncode == 1, frozen.stderr
    assert frozen.stdout == reference.stdout
    assert "parallel-waits" in frozen.stdout


def test_binary_runs_worker_processes(nopy: dict[str, str]) -> None:
    """`check --jobs 2` starts worker processes: the frozen program must route them."""
    exe = binary()
    corpus = REPO / "tests" / "corpus"
    frozen = subprocess.run(
        [str(exe), "check", "--jobs", "2", "--format", "json", "tests/corpus"],
        cwd=REPO,
        env=nopy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    reference = python_check(REPO, "--jobs", "2", "--format", "json", "tests/corpus")
    assert corpus.is_dir()
    assert frozen.returncode == reference.returncode, frozen.stderr
    assert json.loads(frozen.stdout) == json.loads(reference.stdout)


def test_binary_explain_reads_the_bundled_references(nopy: dict[str, str]) -> None:
    exe = binary()
    done = subprocess.run(
        [str(exe), "explain", "parallel-waits"], env=nopy, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "parallel-waits" in done.stdout and "triggerAndWait" in done.stdout


def test_npx_check_prints_the_examples_findings(project: Path, nopy: dict[str, str]) -> None:
    done = subprocess.run(
        ["npx", "--no-install", "trigger-lsp", "check", "examples"],
        cwd=project,
        env=nopy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # error-level findings
    lines = done.stdout.splitlines()
    for (file, line), rule in EXPECTED.items():
        assert any(f"{file}:{line}:" in x and f"  {rule}  " in x for x in lines), (
            f"{rule} at {file}:{line} missing:\n{done.stdout}"
        )
    assert done.stdout == python_check(project, "examples").stdout


def test_package_json_script_runs_it(project: Path, nopy: dict[str, str]) -> None:
    done = npm(project, nopy, "run", "--silent", "lint:trigger")
    assert done.returncode == 1, done.stderr
    rules = {f["rule"] for f in json.loads(done.stdout)}
    assert {"parallel-waits", "invalid-cron", "hardcoded-secret-key"} <= rules, rules


def test_launcher_uses_the_platform_package(project: Path, nopy: dict[str, str]) -> None:
    done = subprocess.run(
        ["node", "-p", "require('trigger-lsp').binaryPath()"],
        cwd=project,
        env=nopy,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.is_relative_to(project / "node_modules" / "trigger-lsp-linux-x64"), path


def test_launcher_without_the_platform_package_says_what_to_do(
    tmp_path: Path, nopy: dict[str, str]
) -> None:
    launcher = tarball("trigger-lsp")
    (tmp_path / "package.json").write_text('{"name": "bare", "private": true}')
    # --offline: the platform package (an optional dependency) cannot come from the registry
    done = npm(tmp_path, nopy, "install", "--offline", "-D", str(launcher))
    assert done.returncode == 0, done.stderr
    run = subprocess.run(
        ["npx", "--no-install", "trigger-lsp", "check"],
        cwd=tmp_path,
        env=nopy,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "trigger-lsp-linux-x64" in run.stderr and "not installed" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "    at " not in run.stderr, run.stderr


class Session:
    """A language server over stdio, through the npm launcher."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[Any] = queue.Queue()
        threading.Thread(
            target=read_frames, args=(self.proc.stdout, self.messages), daemon=True
        ).start()

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame({"jsonrpc": "2.0", **message}))
        self.proc.stdin.flush()

    def until(self, want: Any, timeout: float = 60) -> dict[str, Any]:
        """The first message `want` accepts; the server's own requests are answered."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            assert isinstance(message, dict), message
            if "method" in message and "id" in message:
                items = (message.get("params") or {}).get("items")
                result = [None] * len(items) if isinstance(items, list) else None
                self.send({"id": message["id"], "result": result})
            if want(message):
                return message


def test_lsp_session_through_the_launcher(project: Path, nopy: dict[str, str]) -> None:
    exe = project / "node_modules" / ".bin" / "trigger-lsp"
    assert exe.exists()
    root = project / "examples"
    month_end = project / MONTH_END
    session = Session([str(exe), "serve"], project, nopy)
    try:
        session.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": root.as_uri(),
                    "workspaceFolders": [{"uri": root.as_uri(), "name": "examples"}],
                    "capabilities": {},
                },
            }
        )
        init = session.until(lambda m: m.get("id") == 1)
        assert init["result"]["serverInfo"]["name"] == "trigger-lsp", init
        session.send({"method": "initialized", "params": {}})
        session.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": month_end.as_uri(),
                        "languageId": "typescript",
                        "version": 1,
                        "text": month_end.read_text(),
                    }
                },
            }
        )

        def month_end_diagnostics(m: dict[str, Any]) -> bool:
            return (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == month_end.as_uri()
                and any(d.get("code") == "parallel-waits" for d in m["params"]["diagnostics"])
            )

        published = session.until(month_end_diagnostics)
        lines = {d["range"]["start"]["line"] + 1 for d in published["params"]["diagnostics"]}
        assert 62 in lines, lines
        session.send(
            {
                "id": 2,
                "method": "textDocument/hover",
                "params": {
                    "textDocument": {"uri": month_end.as_uri()},
                    "position": {"line": 61, "character": 31},
                },
            }
        )
        hover = session.until(lambda m: m.get("id") == 2)
        assert "TASK_DID_CONCURRENT_WAIT" in json.dumps(hover.get("result")), hover
        session.send({"id": 3, "method": "shutdown", "params": None})
        session.until(lambda m: m.get("id") == 3)
        session.send({"method": "exit", "params": None})
        assert session.proc.wait(timeout=15) == 0
    finally:
        if session.proc.poll() is None:
            session.proc.kill()
            session.proc.wait()
    assert shutil.which("python3", path=nopy["PATH"]) is None
