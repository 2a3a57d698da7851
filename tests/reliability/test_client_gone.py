"""The server does not outlive its editor: when the editor's end of a pipe closes, the server
exits promptly and quietly (one line on stderr), instead of working on and logging a broken
pipe for every message."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "src" / "trigger" / "emails.ts"


def frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def started() -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "trigger_lsp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None
    init = {"processId": None, "rootUri": EXAMPLE.parent.as_uri(), "capabilities": {}}
    item = {"uri": EXAMPLE.as_uri(), "languageId": "typescript", "version": 1}
    item["text"] = EXAMPLE.read_text()
    for message in (
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}},
    ):
        server.stdin.write(frame(message))
    server.stdin.flush()
    return server


@pytest.mark.parametrize("when", ["early", "later"])
def test_the_server_exits_when_the_editor_stops_reading(when: str) -> None:
    server = started()
    assert server.stdin is not None and server.stdout is not None
    if when == "later":
        server.stdout.read(100)  # the initialize answer has come
        time.sleep(1)  # the server has loaded
    server.stdout.close()  # the editor was killed: nobody reads any more
    gone = time.monotonic()
    position = {"line": 3, "character": 3}
    params = {"textDocument": {"uri": EXAMPLE.as_uri()}, "position": position}
    try:
        for n in range(200):
            hover = {"jsonrpc": "2.0", "id": 10 + n, "method": "textDocument/hover"}
            server.stdin.write(frame({**hover, "params": params}))
            server.stdin.flush()
            time.sleep(0.01)
    except BrokenPipeError:
        pass  # the server is gone already
    try:
        server.wait(timeout=10)
    finally:
        server.kill()
    assert time.monotonic() - gone < 10
    assert server.returncode == 1
    assert server.stderr is not None
    err = server.stderr.read()
    assert len(err) < 1024, err[:2000]
    assert b"closed its connection" in err


def test_the_server_exits_at_the_end_of_its_input() -> None:
    server = started()
    assert server.stdin is not None
    time.sleep(0.5)
    server.stdin.close()
    try:
        server.wait(timeout=10)
    finally:
        server.kill()
    assert server.returncode is not None
