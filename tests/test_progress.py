"""Progress for long work: `check`'s line on a terminal (cli/progress.py) and the server's
work-done progress for the workspace index (lsp/progress.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from tests.lsp.raw import RawServer, initialize, notification

from trigger_lsp.cli.progress import ProgressLine, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_shows_only_after_a_second_and_is_erased() -> None:
    now = [0.0]
    out = Terminal()
    line = ProgressLine(out, clock=lambda: now[0])
    line("checking", 1, 10)
    assert out.getvalue() == ""  # a quick run says nothing
    now[0] = 1.5
    line("checking", 5, 10)
    assert out.getvalue().endswith("trigger-lsp: checking 5/10")
    now[0] = 1.55
    line("checking", 6, 10)
    assert "6/10" not in out.getvalue()  # redrawn at most every 0.1 s
    line.clear()
    assert out.getvalue().endswith("\r\x1b[K")


def test_no_line_off_a_terminal_or_in_machine_formats() -> None:
    assert progress_for(Terminal(), machine_format=False) is not None
    assert progress_for(Terminal(), machine_format=True) is None
    assert progress_for(io.StringIO(), machine_format=False) is None


def test_redirected_stderr_holds_no_progress(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / "src" / "trigger").mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / "trigger" / f"t{i}.ts").write_text(
            'import { task } from "@trigger.dev/sdk";\n'
            f'export const t{i} = task({{ id: "t{i}", run: async () => {{}} }});\n'
        )
    proc = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "\r" not in proc.stderr and "trigger-lsp: checking" not in proc.stderr


def test_the_server_reports_indexing_with_work_done_progress(tmp_path: Path) -> None:
    (tmp_path / "src" / "trigger").mkdir(parents=True)
    (tmp_path / "src" / "trigger" / "a.ts").write_text(
        'import { task } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", run: async () => {} });\n'
    )
    server = RawServer(tmp_path)
    try:
        caps = {"window": {"workDoneProgress": True}}
        server.send(initialize(rootUri=tmp_path.as_uri(), capabilities=caps))
        server.answer(1)
        server.send(notification("initialized", {}))
        created, kinds = False, []
        while "end" not in kinds:
            message = server.next(60)
            if message.get("method") == "window/workDoneProgress/create":
                created = True
                server.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "method" in message and "id" in message:
                server.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("method") == "$/progress":
                assert created, "progress before window/workDoneProgress/create was answered"
                kinds.append(message["params"]["value"]["kind"])
        assert kinds[0] == "begin" and kinds[-1] == "end"
    finally:
        server.close()


def test_no_progress_for_a_client_without_support(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text("export const x = 1;\n")
    server = RawServer(tmp_path)
    try:
        server.send(initialize(rootUri=tmp_path.as_uri()))
        server.answer(1)
        server.send(notification("initialized", {}))
        server.send(
            {"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": {"query": "x"}}
        )
        server.answer(2)
    finally:
        server.close()
    methods = {m.get("method") for m in server.seen}
    assert "$/progress" not in methods and "window/workDoneProgress/create" not in methods
