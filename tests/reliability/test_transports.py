"""Network transports serve one client: `serve --tcp` and `--ws` (on 127.0.0.1 only) give the
first connection that initializes the whole server for the life of the process; any other
connection made meanwhile is closed at once and never sees the editor's answers; port probes
(connect, close) do not stop the server; when the editor goes, the process ends."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reliability.wire import did_open, frame, hover, initialize, limits, notification

HOST = "127.0.0.1"
TASK = 'import { task } from "@trigger.dev/sdk";\nexport const a = task({ run: async () => {} });\n'
URI = "file:///tmp/trigger-lsp-transport-test/src/trigger/a.ts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _serve(kind: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trigger_lsp",
            "serve",
            kind,
            "--host",
            HOST,
            "--port",
            str(port),
            *list(extra),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=limits,
    )


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 30
    while True:
        try:
            return socket.create_connection((HOST, port), timeout=10)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class TcpClient:
    def __init__(self, port: int) -> None:
        self.sock = _connect(port)
        self.stream = self.sock.makefile("rb")

    def send(self, *messages: dict[str, Any]) -> None:
        self.sock.sendall(b"".join(frame(m) for m in messages))

    def answer(self, msg_id: int) -> dict[str, Any]:
        while True:
            length = 0
            while (line := self.stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert line, "the connection was closed"
            message = json.loads(self.stream.read(length))
            if "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("id") == msg_id:
                return dict(message)

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


def _refused(port: int) -> None:
    """A second connection is closed without a byte, even when it asks something."""
    with _connect(port) as other:
        with contextlib.suppress(OSError):  # (closed already)
            other.sendall(frame(initialize(41)) + frame(hover(42, URI)))
        other.settimeout(10)
        with contextlib.suppress(ConnectionResetError):
            assert other.recv(4096) == b""


def test_tcp_serves_one_client_and_refuses_others() -> None:
    port = _free_port()
    proc = _serve("--tcp", port)
    try:
        editor = TcpClient(port)
        editor.send(initialize(), notification("initialized", {}), did_open(URI, TASK))
        assert "capabilities" in editor.answer(1)["result"]
        for _ in range(3):
            _refused(port)
        editor.send(hover(2, URI))
        assert editor.answer(2)["result"] is not None  # the editor still gets its answers
        editor.close()
        assert proc.wait(timeout=20) == 1  # the editor went without shutdown: the server too
    finally:
        proc.kill()
        proc.wait()


def test_tcp_survives_port_probes() -> None:
    port = _free_port()
    proc = _serve("--tcp", port)
    try:
        for _ in range(50):
            _connect(port).close()
        with _connect(port) as half:  # a probe that sends half a header, then goes
            half.sendall(b"Content-Len")
        assert proc.poll() is None
        editor = TcpClient(port)
        editor.send(initialize())
        assert "capabilities" in editor.answer(1)["result"]
        editor.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        assert editor.answer(2)["result"] is None
        editor.send(notification("exit", None))
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.wait()


def test_websocket_serves_one_client_and_refuses_others() -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    port = _free_port()
    proc = _serve("--ws", port)
    try:
        _connect(port).close()  # listening (a probe, too)
        with connect(f"ws://{HOST}:{port}", open_timeout=30) as editor:
            editor.send(json.dumps(initialize()))
            assert json.loads(editor.recv(timeout=30))["id"] == 1
            editor.send(json.dumps(did_open(URI, TASK)))
            other = connect(f"ws://{HOST}:{port}", open_timeout=30)
            with other, pytest.raises(ConnectionClosed):
                other.send(json.dumps(hover(42, URI)))
                other.recv(timeout=10)
            editor.send(json.dumps(hover(2, URI)))
            while (message := json.loads(editor.recv(timeout=30))).get("id") != 2:
                pass
            assert message["result"] is not None
        assert proc.wait(timeout=20) == 1
    finally:
        proc.kill()
        proc.wait()


def test_with_a_token_file_only_a_client_sending_the_token_is_served(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-token\n")
    token.chmod(0o600)
    port = _free_port()
    proc = _serve("--tcp", port, "--token-file", str(token))
    try:
        for options in (None, {"token": "guess"}, {"token": 1}):
            intruder = TcpClient(port)
            intruder.send(initialize(1, initializationOptions=options))
            assert intruder.answer(1)["error"]["code"] == -32600
            intruder.close()
        editor = TcpClient(port)
        editor.send(initialize(1, initializationOptions={"token": "s3cret-token"}))
        assert "capabilities" in editor.answer(1)["result"]
        editor.send(notification("initialized", {}))
        editor.send(did_open(URI, TASK), hover(2, URI))
        assert editor.answer(2)["result"] is not None
        editor.close()
        assert proc.wait(timeout=20) == 1
    finally:
        proc.kill()
        proc.wait()
