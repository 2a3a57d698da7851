"""A minimal stdio JSON-RPC client for driving `trigger-lsp serve` from benchmarks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import IO, Any


class Client:
    def __init__(self, cmd: list[str] | None = None, stderr: IO[bytes] | None = None) -> None:
        self.proc = subprocess.Popen(
            cmd or [sys.executable, "-m", "trigger_lsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr or subprocess.DEVNULL,
        )
        self._id = 0
        self.errors: list[dict[str, Any]] = []  # window/logMessage errors and error responses
        self.server_requests: list[tuple[str, float]] = []  # (method, when it arrived)
        self.progress: list[tuple[str, float]] = []  # ($/progress kind, when it arrived)

    def send(self, obj: dict[str, Any]) -> None:
        body = json.dumps(obj).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            msg = self._read()
            if msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    self.errors.append(msg["error"])
                return msg.get("result")
            if "method" in msg and "id" in msg:  # a request from the server: answer null
                self.server_requests.append((msg["method"], time.perf_counter()))
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif msg.get("method") == "$/progress":
                self.progress.append((msg["params"]["value"].get("kind"), time.perf_counter()))
            elif msg.get("method") == "window/logMessage" and msg["params"].get("type") == 1:
                self.errors.append(msg["params"])

    def initialize(
        self, root_uri: str, options: Any = None, refresh: bool = False, progress: bool = False
    ) -> Any:
        caps: dict[str, Any] = {
            "textDocument": {"diagnostic": {"dynamicRegistration": False}},
            "general": {"positionEncodings": ["utf-16"]},
        }
        if progress:  # work-done progress: the server reports the workspace index with it
            caps["window"] = {"workDoneProgress": True}
        if refresh:  # the server then asks for a refresh when the workspace index is complete
            caps["workspace"] = {"diagnostics": {"refreshSupport": True}}
        result = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root_uri,
                "capabilities": caps,
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})
        return result

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
