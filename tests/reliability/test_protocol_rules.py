"""The protocol is followed: a framing error never leaves the server alive but deaf, the
lifecycle's rules hold (-32002 before initialize, an error after shutdown, exit 1 without
shutdown), what is not JSON-RPC 2.0 is answered with an error and never echoed as invalid
JSON, data shaped like a request is not answered, `untitled:` documents are served, and
oversized or deeply nested input is refused with one message while the server goes on.

Each case runs against the real server over stdio, where it can: as the very first message
(served by lsp/early.py) and after the hand-over to pygls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reliability.wire import (
    Wire,
    body,
    did_open,
    hover,
    initialize,
    notification,
    request,
)

TASK = 'import { task } from "@trigger.dev/sdk";\nexport const a = task({ run: async () => {} });\n'


def _with_headers(header: bytes) -> Callable[[bytes], bytes]:
    return lambda data: header.replace(b"{n}", b"%d" % len(data)) + data


def _length(delta: int) -> Callable[[bytes], bytes]:
    return lambda data: b"Content-Length: %d\r\n\r\n" % (len(data) + delta) + data


# How a frame is written wrong. In every case the message itself is read too: as the one JSON
# value after its headers, up to the next header.
FRAMINGS: dict[str, Callable[[bytes], bytes]] = {
    "lower-case name": _with_headers(b"content-length: {n}\r\n\r\n"),
    "upper-case name": _with_headers(b"CONTENT-LENGTH: {n}\r\n\r\n"),
    "LF-only lines": _with_headers(b"Content-Length: {n}\n\n"),
    "length too small": _length(-7),
    "length too large": _length(+40),
    "negative length": _with_headers(b"Content-Length: -12\r\n\r\n"),
    "length not a number": _with_headers(b"Content-Length: twelve\r\n\r\n"),
    "no Content-Length": _with_headers(b"Content-Type: application/json\r\n\r\n"),
}


def _started(tmp_path: Path) -> tuple[Wire, str]:
    """A server past the hand-over: initialized, a document open, a request answered."""
    wire = Wire(tmp_path)
    uri = (tmp_path / "src" / "trigger" / "a.ts").as_uri()
    wire.send(initialize(), notification("initialized", {}), did_open(uri, TASK))
    assert "result" in wire.answer(1)
    wire.send(hover(2, uri))
    assert wire.answer(2)["result"] is not None
    return wire, uri


@pytest.mark.parametrize("name", list(FRAMINGS))
def test_a_framing_error_as_the_first_message_leaves_the_server_listening(
    tmp_path: Path, name: str
) -> None:
    wire = Wire(tmp_path)
    try:
        wire.write(FRAMINGS[name](body(initialize(1))))
        wire.send(initialize(2))
        second = wire.answer(2, timeout=20)  # never deaf
        assert "capabilities" in wire.answer(1, timeout=1)["result"]
        assert second["error"]["code"] == -32600  # initialize came twice
    finally:
        wire.close()


@pytest.mark.parametrize("name", list(FRAMINGS))
def test_a_framing_error_after_the_handover_leaves_the_server_listening(
    tmp_path: Path, name: str
) -> None:
    wire, uri = _started(tmp_path)
    try:
        wire.write(FRAMINGS[name](body(hover(10, uri))))
        wire.send(hover(11, uri))
        assert wire.answer(11, timeout=20)["result"] is not None
        assert wire.answer(10, timeout=1)["result"] is not None
    finally:
        wire.close()


def test_endless_bytes_without_a_line_end_are_not_buffered(tmp_path: Path) -> None:
    wire = Wire(tmp_path)
    try:
        junk = b"x" * (1 << 20)
        started = time.monotonic()
        for _ in range(64):  # 64 MiB without a line end, then a real message
            wire.write(junk)
        wire.send(initialize())
        assert "capabilities" in wire.answer(1, timeout=60)["result"]
        assert time.monotonic() - started < 30
        assert wire.peak_rss_mb() < 200
    finally:
        wire.close()


# --- the lifecycle ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["textDocument/hover", "shutdown", "workspace/symbol"])
def test_a_request_before_initialize_gets_server_not_initialized(
    tmp_path: Path, method: str
) -> None:
    wire = Wire(tmp_path)
    try:
        wire.send(request(1, method, {"textDocument": {"uri": "file:///a.ts"}, "query": ""}))
        assert wire.answer(1, timeout=20)["error"]["code"] == -32002
        wire.send(notification("textDocument/didOpen", {}), initialize(2))
        assert "capabilities" in wire.answer(2)["result"]  # and then it starts normally
    finally:
        wire.close()


def test_a_request_after_shutdown_gets_an_error(tmp_path: Path) -> None:
    wire, uri = _started(tmp_path)
    try:
        wire.send(request(3, "shutdown", None))
        assert wire.answer(3)["result"] is None
        wire.send(hover(4, uri))
        assert wire.answer(4, timeout=20)["error"]["code"] == -32600
        wire.send(notification("exit", None))
        assert wire.proc.wait(timeout=20) == 0
    finally:
        wire.close()


@pytest.mark.parametrize("when", ["first answers", "after the handover"])
def test_exit_without_shutdown_exits_1(tmp_path: Path, when: str) -> None:
    if when == "first answers":
        wire = Wire(tmp_path)
        wire.send(initialize(), notification("initialized", {}))
        assert "result" in wire.answer(1)
    else:
        wire, _ = _started(tmp_path)
    try:
        wire.send(notification("exit", None))
        assert wire.proc.wait(timeout=20) == 1
    finally:
        wire.close()


# --- what is not JSON-RPC 2.0 ------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["first", "after"])
def test_a_request_without_jsonrpc_2_gets_invalid_request(tmp_path: Path, phase: str) -> None:
    if phase == "first":
        wire, uri = Wire(tmp_path), "file:///a.ts"
    else:
        wire, uri = _started(tmp_path)
    try:
        for n, version in enumerate([None, "1.0", 2]):
            message = hover(20 + n, uri)
            if version is None:
                del message["jsonrpc"]
            else:
                message["jsonrpc"] = version
            wire.send(message)
            answer = wire.answer(20 + n, timeout=20)
            assert answer["error"]["code"] == -32600 and answer["jsonrpc"] == "2.0"
    finally:
        wire.close()


@pytest.mark.parametrize("phase", ["first", "after"])
@pytest.mark.parametrize(
    ("raw_id", "code"),
    [("1e999", -32600), ("-1e999", -32600), ("NaN", -32700), ("Infinity", -32700), ("1.5", -32600)],
)
def test_odd_ids_are_never_echoed_as_invalid_json(
    tmp_path: Path, phase: str, raw_id: str, code: int
) -> None:
    if phase == "first":
        wire, uri = Wire(tmp_path), "file:///a.ts"
    else:
        wire, uri = _started(tmp_path)
    try:
        data = body(hover(12345, uri)).replace(b"12345", raw_id.encode())
        wire.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        answer = wire.answer(None, timeout=20)  # (Wire.next fails on invalid JSON)
        assert answer["error"]["code"] == code
        wire.send(hover(7, uri))  # and it goes on
        assert "id" in wire.answer(7)
    finally:
        wire.close()


def test_a_request_shaped_object_in_settings_is_not_answered(tmp_path: Path) -> None:
    wire, uri = _started(tmp_path)
    try:
        planted = request(77, "shutdown", None)
        unfit = request(79, "textDocument/hover", {})  # (params that do not fit were answered)
        settings = {"trigger-lsp": {}, "x": planted, "y": [hover(78, uri)], "z": unfit}
        wire.send(notification("workspace/didChangeConfiguration", {"settings": settings}))
        wire.send(hover(8, uri))
        assert wire.answer(8)["result"] is not None  # not shut down by the planted request
        seen = wire.drain(1.0) + wire.seen
        assert not [m for m in seen if isinstance(m, dict) and m.get("id") in (77, 78, 79)]
    finally:
        wire.close()


# --- untitled documents -------------------------------------------------------------------------


def test_untitled_documents_get_hover_completion_and_diagnostics(tmp_path: Path) -> None:
    """(The server serves them as it does files: a guard. What kept them from the server was
    the VS Code client, next test.)"""
    wire = Wire(tmp_path)
    try:
        uri = "untitled:Untitled-1"
        text = TASK.replace("task({ ", "task({\n  ")
        wire.send(initialize(), notification("initialized", {}), did_open(uri, text))
        assert "result" in wire.answer(1)
        wire.send(hover(2, uri))
        assert wire.answer(2)["result"] is not None
        params = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 0}}
        wire.send(request(3, "textDocument/completion", params))
        result = wire.answer(3)["result"]
        assert result and (result["items"] if isinstance(result, dict) else result)
        published = [
            m["params"]
            for m in wire.seen + wire.drain(2.0)
            if isinstance(m, dict) and m.get("method") == "textDocument/publishDiagnostics"
        ]
        codes = {d["code"] for p in published if p["uri"] == uri for d in p["diagnostics"]}
        assert "task-missing-id" in codes
    finally:
        wire.close()


def test_the_vscode_client_sends_untitled_documents_to_the_server() -> None:
    source = (Path(__file__).parents[2] / "vscode-client" / "src" / "extension.ts").read_text()
    selector = source[source.index("documentSelector:") :].split("outputChannel", 1)[0]
    assert "scheme: 'file'" in selector and "scheme: 'untitled'" in selector


# --- oversized and deeply nested input -----------------------------------------------------------


def test_a_deeply_nested_first_message_is_answered_not_a_crash(tmp_path: Path) -> None:
    wire = Wire(tmp_path)
    try:
        data = b"[" * 100_000
        wire.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        assert wire.answer(None, timeout=20)["error"]["code"] in (-32700, -32600)
        wire.send(initialize(2))
        assert "capabilities" in wire.answer(2)["result"]
    finally:
        wire.close()


@pytest.mark.parametrize("phase", ["first", "after"])
def test_deeply_nested_params_get_an_error_with_their_id(tmp_path: Path, phase: str) -> None:
    nested = b'{"a": ' * 5_000 + b"1" + b"}" * 5_000  # (json.dumps itself would fail)
    if phase == "first":
        wire = Wire(tmp_path)
        message = initialize(1, initializationOptions="NESTED")
    else:
        wire, _ = _started(tmp_path)
        message = request(100, "workspace/executeCommand", {"command": "x", "arguments": "NESTED"})
    try:
        data = body(message).replace(b'"NESTED"', nested)
        wire.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        assert wire.answer(message["id"], timeout=20)["error"]["code"] == -32600
        if phase == "first":
            wire.send(initialize(2))
            assert "capabilities" in wire.answer(2)["result"]
        assert wire.proc.poll() is None
    finally:
        wire.close()


@pytest.mark.parametrize("megabytes", [12, 50])
def test_an_oversized_document_is_refused_once_and_the_server_goes_on(
    tmp_path: Path, megabytes: int
) -> None:
    wire, uri = _started(tmp_path)
    try:
        big = (tmp_path / "src" / "trigger" / "big.ts").as_uri()
        text = "// filler line of a generated file\n" * (megabytes * 2**20 // 35)
        started = time.monotonic()
        wire.send(did_open(big, text))
        wire.send(hover(9, uri))
        assert wire.answer(9, timeout=30)["result"] is not None
        assert time.monotonic() - started < 10
        wire.send(hover(10, big, 0, 3))
        assert wire.answer(10)["result"] is None
        seen = wire.seen + wire.drain(1.0)
        shown = [
            m["params"]["message"]
            for m in seen
            if isinstance(m, dict)
            and m.get("method") in ("window/showMessage", "window/logMessage")
        ]
        about = [m for m in shown if "MiB" in m]  # (the project's versions are logged too)
        assert len(about) == 1 and "MiB" in about[0], shown
        published = [
            m["params"]
            for m in seen
            if isinstance(m, dict) and m.get("method") == "textDocument/publishDiagnostics"
        ]
        assert not [p for p in published if p["uri"] == big and p["diagnostics"]]
        assert wire.peak_rss_mb() < 350
    finally:
        wire.close()


def test_many_unknown_settings_are_reported_in_one_message(tmp_path: Path) -> None:
    wire = Wire(tmp_path)
    try:
        options = {f"unknown{n}": n for n in range(12_000)} | {"indexWorkspace": False}
        wire.send(initialize(1, initializationOptions=options), notification("initialized", {}))
        assert "result" in wire.answer(1)
        wire.send(hover(2, "file:///nothing.ts"))
        wire.answer(2)
        shown = [
            m
            for m in wire.seen + wire.drain(1.0)
            if isinstance(m, dict) and m.get("method") == "window/showMessage"
        ]
        assert len(shown) == 1
        assert "unknown setting 'unknown0'" in shown[0]["params"]["message"]
        assert "11995 more" in shown[0]["params"]["message"]
    finally:
        wire.close()


def test_a_document_that_grows_over_the_limit_is_dropped_once(tmp_path: Path) -> None:
    wire, uri = _started(tmp_path)
    try:
        text = "// filler line of a generated file\n" * (9 * 2**20 // 35)
        change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}
        wire.send(notification("textDocument/didChange", change))
        wire.send(hover(12, uri, 0, 3))
        assert wire.answer(12, timeout=30)["result"] is None  # no longer served
        seen = wire.seen + wire.drain(1.0)
        shown = [
            m["params"]["message"]
            for m in seen
            if isinstance(m, dict) and m.get("method") == "window/showMessage"
        ]
        assert len(shown) == 1 and "over the 8 MiB limit" in shown[0]
        cleared = [
            m["params"]
            for m in seen
            if isinstance(m, dict) and m.get("method") == "textDocument/publishDiagnostics"
        ]
        assert cleared and cleared[-1]["uri"] == uri and cleared[-1]["diagnostics"] == []
    finally:
        wire.close()
