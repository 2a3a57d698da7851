"""The whole-message stdin reader hands pygls' message loop exactly what pygls' own line-by-line
reader would: the same messages, in the same order, for well-formed and malformed streams."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygls.io_ import StdinAsyncReader, run_async

from trigger_lsp.lsp.stdio import MessageReader


class Collector:
    """Stands in for pygls' protocol: keeps every message the loop hands over."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def structure_message(self, data: Any) -> Any:
        return data

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


def _messages(reader_type: type, data: bytes) -> list[Any]:
    protocol = Collector()
    reader = reader_type(io.BytesIO(data), None)
    errors: list[Exception] = []

    async def main() -> None:
        await run_async(
            stop_event=threading.Event(),
            reader=reader,
            protocol=protocol,  # type: ignore[arg-type]
            error_handler=lambda exc, _kind: errors.append(exc),
        )

    asyncio.run(main())
    return protocol.messages + [f"error: {type(e).__name__}" for e in errors]


def _frame(body: object, extra: bytes = b"") -> bytes:
    raw = json.dumps(body).encode()
    return b"Content-Length: %d\r\n" % len(raw) + extra + b"\r\n" + raw


STREAMS = {
    "two messages": _frame({"id": 1, "method": "a"}) + _frame({"method": "b", "params": [1]}),
    "content type header": _frame({"id": 2}, b"Content-Type: application/json\r\n"),
    "unicode body": _frame({"text": "日本語 🚀"}),
    "no length": b"X-Junk: 1\r\n\r\n" + _frame({"id": 3}),
    "blank line first": b"\r\n" + _frame({"id": 4}),
    "zero length": b"Content-Length: 0\r\n\r\n" + _frame({"id": 5}),
    "cut in the headers": _frame({"id": 6}) + b"Content-Length: 9\r\n",
    "cut in the body": _frame({"id": 7}) + b'Content-Length: 90\r\n\r\n{"id":',
    "bad json": b"Content-Length: 3\r\n\r\n{x}" + _frame({"id": 8}),
    "empty": b"",
}


@pytest.mark.parametrize("name", list(STREAMS))
def test_whole_message_reads_give_what_line_reads_give(name: str) -> None:
    data = STREAMS[name]
    assert _messages(MessageReader, data) == _messages(StdinAsyncReader, data)


PIECES = st.sampled_from(
    [
        _frame({"id": 1}),
        _frame({"method": "m", "params": {"x": "é"}}),
        b"Content-Length: 2\r\n",
        b"\r\n",
        b"{}",
        b"junk\r\n",
        b"Content-Type: x\r\n",
        b"\n",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECES, max_size=8))
def test_any_stream_reads_the_same(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    assert _messages(MessageReader, data) == _messages(StdinAsyncReader, data)
