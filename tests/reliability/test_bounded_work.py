"""Work per file is bounded, whatever its shape: deep nesting (blocks, calls, template literals,
negations, JSON), alias bombs in the config and long globs neither crash the CLI nor make the
server keep other requests waiting. Each run is under a memory limit (a failure cannot take the
machine down) and a time limit about ten times what it needs."""

from __future__ import annotations

import json
import queue
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lsp.raw import did_open, initialize, notification, request
from reliability.wire import Wire

HEADER = 'import { task, logger, wait } from "@trigger.dev/sdk";\n'
MEMORY = 2 * 1024**3  # bytes of address space for each process


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def in_task(body: str) -> str:
    return HEADER + 'export const t = task({ id: "t", run: async () => {\n' + body + "\n} });\n"


def nested_ifs(n: int) -> str:
    return in_task("if (a) { await wait.for({ seconds: 1 }); " * n + "}" * n)


def nested_calls(n: int) -> str:
    return in_task("const v = " + "f(" * n + ")" * n + ";")


def nested_templates(n: int) -> str:
    return in_task("const s = `" + "${`" * n + "x" + "`}" * n + "`;")


def negations(n: int) -> str:
    value = "-(" * n + "5" + ")" * n
    return (
        HEADER
        + f'export const t = task({{ id: "t", maxDuration: {value}, run: async () => {{}} }});\n'
    )


def cli(*args: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trigger_lsp", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limits,
    )


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "4.0.0"}}')
    (tmp_path / "trigger.config.ts").write_text(
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_x", dirs: ["src/trigger"] });\n'
    )
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def assert_no_crash(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "failed:" not in proc.stdout + proc.stderr, proc.stdout[-2000:]


# --- the CLI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [nested_ifs(1500), nested_calls(3000), nested_templates(64_000), negations(3000)],
    ids=["ifs-1500", "calls-3000", "templates-64000", "negations-3000"],
)
def test_deep_files_are_checked_in_bounded_time(tmp_path: Path, source: str) -> None:
    """Before: cubic in the depth (minutes for the first two), or a RecursionError."""
    root = project(tmp_path, {"src/trigger/deep.ts": source})
    started = time.monotonic()
    proc = cli("check", ".", cwd=root, timeout=60)
    assert_no_crash(proc)
    assert time.monotonic() - started < 30
    assert "skipped: the syntax nests more than" in proc.stdout


@pytest.mark.parametrize(
    "statement",
    [
        "await wait.for({ seconds: 1 });",
        "await other.triggerAndWait({});",
        'try { await f(); } catch (e) { logger.error("x"); }',
    ],
    ids=["waits", "triggers", "tries"],
)
def test_many_statements_just_under_the_depth_limit_are_checked_in_bounded_time(
    tmp_path: Path, statement: str
) -> None:
    """1,000 statements inside 190 nested blocks (depth ~390, under the limit, 16-52 KiB):
    each walk up from one of them re-walked the tree from the root at every step (7 to 17 s);
    parents are now looked up once per analysis, and later statements read once per block."""
    source = in_task("if (a) { " * 190 + (statement + " ") * 1000 + "}" * 190)
    root = project(tmp_path, {"src/trigger/wide.ts": source})
    started = time.monotonic()
    proc = cli("check", ".", cwd=root, timeout=120)
    assert_no_crash(proc)
    assert "skipped" not in proc.stdout  # analysed
    assert time.monotonic() - started < 6


def test_ordinary_depth_is_still_analysed(tmp_path: Path) -> None:
    """Must not fire: a task nested some 20 blocks deep is analysed as before."""
    root = project(tmp_path, {"src/trigger/ok.ts": nested_ifs(20)})
    proc = cli("check", "--format", "json", ".", cwd=root, timeout=60)
    assert_no_crash(proc)
    assert "skipped" not in proc.stdout
    rules = {f["rule"] for f in json.loads(proc.stdout)}
    assert "task-no-logging" in rules


def test_a_deeply_nested_installed_package_json_does_not_crash(tmp_path: Path) -> None:
    """Before: exit 2, "maximum recursion depth exceeded while decoding a JSON array"."""
    root = project(tmp_path, {"src/trigger/a.ts": nested_ifs(1)})
    sdk = root / "node_modules" / "@trigger.dev" / "sdk"
    sdk.mkdir(parents=True)
    (sdk / "package.json").write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (root / "package.json").write_text(
        '{"dependencies": {"@trigger.dev/sdk": "4.0.0"}, "x": '
        + "[" * 100_000
        + "]" * 100_000
        + "}"
    )
    proc = cli("check", ".", cwd=root, timeout=60)
    assert_no_crash(proc)


def _alias_bomb(levels: int) -> str:
    """The repeated-list form: each list holds ten aliases of the one before."""
    lines = ["rules:", "  task-missing-id: [", "    &a0 [x, x, x, x, x, x, x, x, x, x],"]
    for i in range(1, levels):
        lines.append(f"    &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "],")
    lines.append("  ]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_with_a_short_message(tmp_path: Path) -> None:
    """Before: the message formatted the expanded value (GBs, tens of seconds)."""
    root = project(tmp_path, {"src/trigger/a.ts": nested_ifs(1)})
    (root / ".trigger-lsp.yaml").write_text(_alias_bomb(12))
    proc = cli("check", ".", cwd=root, timeout=30)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "aliases are expanded" in proc.stdout + proc.stderr
    assert len(proc.stdout) + len(proc.stderr) < 20_000


def test_an_invalid_level_is_named_in_a_bounded_message(tmp_path: Path) -> None:
    """A value below the alias limit but large to print is cut short in the message."""
    root = project(tmp_path, {"src/trigger/a.ts": nested_ifs(1)})
    (root / ".trigger-lsp.yaml").write_text(_alias_bomb(4))  # 11,110 nodes: under the limit
    proc = cli("check", ".", cwd=root, timeout=30)
    out = proc.stdout + proc.stderr
    assert "has level" in out and "Traceback" not in out
    assert len(out) < 5_000


def test_an_exclude_glob_of_65_segments_excludes_only_what_it_names(tmp_path: Path) -> None:
    """Before: cut to 64 segments, the glob excluded the folder one level up."""
    deep = "/".join(f"d{i}" for i in range(64))
    source = in_task('logger.info("x");')
    root = project(tmp_path, {f"src/trigger/{deep}/t.ts": source.replace('"t"', '"deep"')})
    (root / ".trigger-lsp.yaml").write_text(f'exclude: ["src/trigger/{deep}/other"]\n')
    # (The strict profile reports every task without a concurrency limit: t.ts has a finding.)
    proc = cli("check", "--profile", "strict", "--format", "json", ".", cwd=root, timeout=60)
    assert_no_crash(proc)
    assert any(f["path"].endswith("/t.ts") for f in json.loads(proc.stdout))


# --- the server -------------------------------------------------------------------------------


def server_at(root: Path) -> Wire:
    """The server over stdio under this file's limits (a failure cannot take the machine)."""
    return Wire(root, preexec_fn=_limits)


def test_a_deep_file_does_not_keep_other_requests_waiting(tmp_path: Path) -> None:
    """Before: after opening 312 KiB of nested template literals, every request waited 32 s,
    and again after each edit."""
    root = project(tmp_path, {})
    trigger = root / "src" / "trigger"
    trigger.mkdir(parents=True)
    normal = trigger / "normal.ts"
    normal_text = in_task('logger.info("x");')
    deep = trigger / "deep.ts"
    deep_text = nested_templates(64_000)
    server = server_at(root)
    try:
        server.send(initialize(rootUri=root.as_uri()), notification("initialized", {}))
        server.answer(1, timeout=60)
        server.send(did_open(normal.as_uri(), normal_text))
        hover = {"textDocument": {"uri": normal.as_uri()}, "position": {"line": 1, "character": 8}}
        server.send(request(2, "textDocument/hover", hover))
        server.answer(2, timeout=60)  # loaded and answering
        server.send(did_open(deep.as_uri(), deep_text))
        started = time.monotonic()
        server.send(request(3, "textDocument/hover", hover))
        assert "result" in server.answer(3, timeout=30)
        after_open = time.monotonic() - started
        change = {
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
        }
        change["text"] = "// edited\n"
        doc = {"uri": deep.as_uri(), "version": 2}
        server.send(
            notification(
                "textDocument/didChange", {"textDocument": doc, "contentChanges": [change]}
            )
        )
        started = time.monotonic()
        server.send(request(4, "textDocument/hover", hover))
        assert "result" in server.answer(4, timeout=30)
        after_edit = time.monotonic() - started
        pulled = {"textDocument": {"uri": deep.as_uri()}}
        server.send(request(5, "textDocument/diagnostic", pulled))
        assert "result" in server.answer(5, timeout=30)
    finally:
        server.close()
    shown = [m["params"]["message"] for m in server.seen if m.get("method") == "window/showMessage"]
    assert any("deep.ts" in m and "nests more than" in m for m in shown), shown
    assert after_open < 5 and after_edit < 5


def test_documents_sharing_a_task_id_are_rechecked_once_per_burst(tmp_path: Path) -> None:
    """Before: each open re-checked every other open document, and each diagnostic carried a
    related location per other definition (800 documents: 43 s of CPU, 307 MB). Now a burst
    of opens re-publishes the others once, and a diagnostic carries at most 20 related
    locations: the messages grow linearly with the number of documents."""
    count = 300
    root = project(tmp_path, {})
    folder = root / "src" / "trigger"
    folder.mkdir(parents=True)
    server = server_at(root)
    try:
        options = {"debounceMs": 0, "indexWorkspace": False}
        server.send(
            initialize(rootUri=root.as_uri(), initializationOptions=options),
            notification("initialized", {}),
        )
        server.answer(1, timeout=60)
        # a request first: the server proper serves what follows (not the first answers)
        server.send(request(2, "workspace/symbol", {"query": "x"}))
        server.answer(2, timeout=60)
        for i in range(count):
            uri = (folder / f"same{i}.ts").as_uri()
            server.send(did_open(uri, in_task('logger.info("x");').replace('"t"', '"same"')))
        publishes, related, last = 0, 0, time.monotonic()
        while time.monotonic() - last < 3:
            assert time.monotonic() - last < 120
            try:
                message = server.messages.get(timeout=3)
            except queue.Empty:
                break
            if message.get("method") == "textDocument/publishDiagnostics":
                publishes += 1
                for d in message["params"]["diagnostics"]:
                    related = max(related, len(d.get("relatedInformation") or []))
            last = time.monotonic()
    finally:
        server.close()
    assert count <= publishes <= 3 * count, (publishes, related)
    assert 0 < related <= 20


def test_a_file_name_that_is_not_utf8_keeps_duplicate_ids_reported(tmp_path: Path) -> None:
    """Before: building the URI of the other definition (for the related location) failed,
    and the open document's duplicate-task-id finding was lost."""
    root = project(tmp_path, {})
    folder = root / "src" / "trigger"
    folder.mkdir(parents=True)
    text = in_task('logger.info("x");').replace('"t"', '"same"')
    odd = bytes(folder) + b"/caf\xe9.ts"  # Latin-1 bytes: not UTF-8
    with open(odd, "w") as f:
        f.write(text)
    opened = folder / "mine.ts"
    opened.write_text(text)
    server = server_at(root)
    try:
        server.send(initialize(rootUri=root.as_uri()), notification("initialized", {}))
        server.answer(1, timeout=60)
        server.send(request(2, "workspace/symbol", {"query": "x"}))  # the server proper
        server.answer(2, timeout=60)
        server.send(did_open(opened.as_uri(), text))
        deadline = time.monotonic() + 60
        codes: set[str] = set()
        while "duplicate-task-id" not in codes and time.monotonic() < deadline:
            try:
                message = server.messages.get(timeout=1)
            except queue.Empty:
                continue
            if "method" in message and "id" in message:
                server.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            params = message.get("params") or {}
            if (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == opened.as_uri()
            ):
                codes = {d["code"] for d in message["params"]["diagnostics"]}
    finally:
        server.close()
    assert "duplicate-task-id" in codes
