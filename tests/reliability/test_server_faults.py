"""The server keeps serving: a failing rule costs only itself and is logged once; a flood of
requests, each cancelled, is answered and the next request works; TCP and WebSocket serve."""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp.raw import frame, read_all, read_message
from lsp.session import open_doc, pull, start

HERE = Path(__file__).parent
TEXT = 'import { task } from "@trigger.dev/sdk";\nexport const a = task({ run: async () => {} });\n'


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, str(HERE / "faulty_server.py")])
)
async def faulty(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_failing_rule_is_logged_once_and_others_still_report(
    faulty: LanguageClient, tmp_path: Path
):
    await start(faulty, tmp_path, "neovim-0.11", {"indexWorkspace": False})
    uri = open_doc(faulty, tmp_path / "src" / "trigger" / "a.ts", TEXT)
    for version in range(2, 5):
        faulty.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                [lsp.TextDocumentContentChangeWholeDocument(text=TEXT + "\n" * version)],
            )
        )
        codes = {str(d.code) for d in await pull(faulty, uri)}
        assert "task-missing-id" in codes and "task-no-logging" not in codes
    logged = [m for m in faulty.log_messages if "task-no-logging" in m.message]
    assert len(logged) == 1 and logged[0].type == lsp.MessageType.Error
    assert "injected failure" in logged[0].message
    hover = await asyncio.wait_for(
        faulty.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 18))
        ),
        10,
    )
    assert hover is not None


def _write_all(stream, frames: list[bytes]) -> None:
    for raw in frames:
        stream.write(raw)
    stream.flush()


def test_a_flood_of_cancelled_requests_then_a_normal_one(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "trigger_lsp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
        out = [
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 0,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            ),
            frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": uri,
                            "languageId": "typescript",
                            "version": 1,
                            "text": TEXT,
                        }
                    },
                }
            ),
        ]
        methods = ["textDocument/hover", "textDocument/completion", "textDocument/codeAction"]
        for i in range(1, 1001):
            method = methods[i % 3]
            params: dict[str, object] = {
                "textDocument": {"uri": uri},
                "position": {"line": 1, "character": 18},
            }
            if method == "textDocument/codeAction":
                params = {
                    "textDocument": {"uri": uri},
                    "range": {
                        "start": {"line": 1, "character": 0},
                        "end": {"line": 1, "character": 5},
                    },
                    "context": {"diagnostics": []},
                }
            out.append(frame({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))
            out.append(frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": i}}))
        out.append(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 5000,
                    "method": "textDocument/hover",
                    "params": {
                        "textDocument": {"uri": uri},
                        "position": {"line": 1, "character": 18},
                    },
                }
            )
        )
        # Write from a thread: the server answers while we are still sending, and both pipes
        # would fill up if one side waited for the other.
        writer = threading.Thread(target=_write_all, args=(proc.stdin, out), daemon=True)
        writer.start()
        messages: queue.Queue[dict[str, object]] = queue.Queue()
        threading.Thread(target=read_all, args=(proc.stdout, messages), daemon=True).start()
        answered: set[int] = set()
        deadline = time.monotonic() + 120
        final = None
        while time.monotonic() < deadline:
            msg = messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if "id" in msg and "method" not in msg:
                answered.add(int(msg["id"]))  # type: ignore[arg-type]
                if msg["id"] == 5000:
                    final = msg
                    break
        assert final is not None and "error" not in final
        assert final["result"] is not None  # the hover on `task` is answered normally
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _initialize_msg() -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": None, "capabilities": {}},
    }


def _serve(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trigger_lsp", "serve", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 30
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_tcp_transport() -> None:
    port = _free_port()
    proc = _serve("--tcp", "--host", "127.0.0.1", "--port", str(port))
    try:
        with _connect(port) as sock:
            sock.sendall(frame(_initialize_msg()))
            reply = read_message(sock.makefile("rb"))
        assert reply["id"] == 1 and "capabilities" in reply["result"]  # type: ignore[operator]
    finally:
        proc.kill()
        proc.wait()


def test_websocket_transport() -> None:
    from websockets.sync.client import connect

    port = _free_port()
    proc = _serve("--ws", "--host", "127.0.0.1", "--port", str(port))
    try:
        _connect(port).close()  # wait until it listens
        with connect(f"ws://127.0.0.1:{port}", open_timeout=30) as ws:
            ws.send(json.dumps(_initialize_msg()))
            reply = json.loads(ws.recv(timeout=30))
        assert reply["id"] == 1 and "capabilities" in reply["result"]
    finally:
        proc.kill()
        proc.wait()
