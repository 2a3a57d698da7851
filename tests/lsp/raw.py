"""A bare JSON-RPC client over the server's stdin and stdout, for tests that control exactly
which bytes go out when (pytest-lsp's client hides that)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any


def frame(obj: dict[str, Any]) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: Any) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise EOFError
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return dict(json.loads(stream.read(length)))


def read_all(stream: Any, messages: queue.Queue[dict[str, Any]]) -> None:
    try:
        while True:
            messages.put(read_message(stream))
    except (EOFError, ValueError, OSError):
        return


def initialize(msg_id: int = 1, **params: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"processId": None, "rootUri": None, "capabilities": {}}
    return {"jsonrpc": "2.0", "id": msg_id, "method": "initialize", "params": base | params}


def notification(method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


def request(msg_id: int, method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}


def did_open(uri: str, text: str, version: int = 1) -> dict[str, Any]:
    item = {"uri": uri, "languageId": "typescript", "version": version, "text": text}
    return notification("textDocument/didOpen", {"textDocument": item})


class RawServer:
    """`trigger-lsp serve` as a process; what it writes is collected by a thread."""

    def __init__(self, cwd: Path) -> None:
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in `close`)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trigger_lsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(
            target=read_all, args=(self.proc.stdout, self.messages), daemon=True
        ).start()

    def send(self, *messages: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"".join(frame(m) for m in messages))
        self.proc.stdin.flush()

    def next(self, timeout: float = 30) -> dict[str, Any]:
        message = self.messages.get(timeout=timeout)
        self.seen.append(message)
        return message

    def answer(self, msg_id: int, timeout: float = 30) -> dict[str, Any]:
        """The response to request `msg_id` (answering the server's own requests meanwhile)."""
        while True:
            message = self.next(timeout)
            if "method" in message and "id" in message:  # the server asks: answer null
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("id") == msg_id:
                return message

    def publish(self, uri: str, timeout: float = 30) -> dict[str, Any]:
        while True:
            message = self.next(timeout)
            if "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif (
                message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == uri
            ):
                return dict(message["params"])

    def close(self) -> str:
        """Shut down; the server's stderr."""
        try:
            self.send(request(9999, "shutdown", None))
            self.answer(9999)
            self.send(notification("exit", None))
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self.stderr.seek(0)
        err = self.stderr.read().decode(errors="replace")
        self.stderr.close()
        return err
