"""A server process spoken to in raw bytes, for the tests of the protocol's rules: what it writes
is read as the protocol says (Content-Length framing) and parsed as strict JSON (NaN or
Infinity in an answer is a failure), under limits on memory and CPU time."""

from __future__ import annotations

import json
import queue
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MEMORY = 3 << 30  # address space: a failure cannot take the machine
CPU_S = 300


def limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_S, CPU_S))


def body(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


def frame(message: dict[str, Any]) -> bytes:
    data = body(message)
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def _strict(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_frames(stream: Any, out: queue.Queue[Any]) -> None:
    """Whatever the server writes, as parsed messages (or ("invalid", bytes))."""
    try:
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            assert length is not None
            data = stream.read(length)
            try:
                out.put(json.loads(data, parse_constant=_strict))
            except ValueError:
                out.put(("invalid", data))
    except (OSError, ValueError, AssertionError):
        return


class Wire:
    def __init__(
        self, cwd: Path, *args: str, preexec_fn: Callable[[], None] | None = limits
    ) -> None:
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in `close`)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trigger_lsp", "serve", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=cwd,
            preexec_fn=preexec_fn,
        )
        self.messages: queue.Queue[Any] = queue.Queue()
        self.seen: list[Any] = []
        threading.Thread(
            target=read_frames, args=(self.proc.stdout, self.messages), daemon=True
        ).start()

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, *messages: dict[str, Any]) -> None:
        self.write(b"".join(frame(m) for m in messages))

    def next(self, timeout: float) -> Any:
        message = self.messages.get(timeout=timeout)
        self.seen.append(message)
        assert not (isinstance(message, tuple) and message[0] == "invalid"), message
        return message

    def answer(self, msg_id: Any, timeout: float = 30) -> dict[str, Any]:
        """The response to `msg_id` (the server's own requests answered with null)."""
        for message in self.seen:  # come already
            if (
                isinstance(message, dict)
                and "method" not in message
                and message.get("id") == msg_id
            ):
                return dict(message)
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.01, deadline - time.monotonic()))
            if "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "method" not in message and message.get("id") == msg_id:
                return dict(message)

    def drain(self, seconds: float) -> list[Any]:
        """Everything written within `seconds`."""
        out = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                out.append(self.next(left))
            except queue.Empty:
                break
        return out

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def close(self) -> str:
        """Stop the process (if still running); its stderr."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr.seek(0)
        err = self.stderr.read().decode(errors="replace")
        self.stderr.close()
        return err


def initialize(msg_id: int = 1, root: Path | None = None, **params: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "processId": None,
        "rootUri": root.as_uri() if root else None,
        "capabilities": {},
        "initializationOptions": {"indexWorkspace": False},
    }
    return {"jsonrpc": "2.0", "id": msg_id, "method": "initialize", "params": base | params}


def request(msg_id: Any, method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}


def notification(method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


def did_open(uri: str, text: str) -> dict[str, Any]:
    item = {"uri": uri, "languageId": "typescript", "version": 1, "text": text}
    return notification("textDocument/didOpen", {"textDocument": item})


def hover(msg_id: Any, uri: str, line: int = 1, character: int = 18) -> dict[str, Any]:
    position = {"line": line, "character": character}
    return request(
        msg_id, "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}
    )
