"""The stdin readers (the event loop reading a pipe itself, and the whole-message reader in a
thread) hand pygls' message loop exactly what pygls' own line-by-line reader would: the same
messages, in the same order, for well-formed and malformed streams."""

from __future__ import annotations

import asyncio
import io
import json
import os
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygls.io_ import StdinAsyncReader, run_async

from trigger_lsp.lsp import stdio
from trigger_lsp.lsp.stdio import MessageReader, pipe_reader


class Collector:
    """Stands in for pygls' protocol: keeps every message the loop hands over."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def structure_message(self, data: Any) -> Any:
        return data

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


def _messages(reader_type: type | None, data: bytes) -> list[Any]:
    """What the loop hands over from `data` read by a reader type, or (None) from a real pipe
    read by the event loop."""
    protocol = Collector()
    errors: list[Exception] = []
    stream: Any = io.BytesIO(data)
    if reader_type is None:
        read_end, write_end = os.pipe()
        writer = threading.Thread(target=_write_all, args=(write_end, data))
        writer.start()
        stream = os.fdopen(read_end, "rb", buffering=0)

    async def main() -> None:
        reader = reader_type(stream, None) if reader_type else await pipe_reader(stream)
        assert reader is not None
        await run_async(
            stop_event=threading.Event(),
            reader=reader,
            protocol=protocol,  # type: ignore[arg-type]
            error_handler=lambda exc, _kind: errors.append(exc),
        )

    asyncio.run(main())
    if reader_type is None:
        writer.join()
        stream.close()
    return protocol.messages + [f"error: {type(e).__name__}" for e in errors]


def _write_all(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as out:
        out.write(data)


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
    expected = _messages(StdinAsyncReader, data)
    assert _messages(MessageReader, data) == expected
    assert _messages(None, data) == expected  # the event loop reading a pipe


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
    expected = _messages(StdinAsyncReader, data)
    assert _messages(MessageReader, data) == expected
    assert _messages(None, data) == expected


def test_a_big_message_through_a_pipe() -> None:
    """Bigger than a pipe's buffer: the loop reads it in many parts."""
    data = _frame({"id": 1, "text": "x" * 300_000}) + _frame({"id": 2})
    assert _messages(None, data) == _messages(StdinAsyncReader, data)


def test_an_overlong_header_line_is_dropped_and_reading_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stdio, "MAX_LINE", 64)
    data = b"X-Junk: " + b"j" * 200 + b"\r\n" + _frame({"id": 1}) + _frame({"id": 2})
    assert _messages(None, data) == [{"id": 1}, {"id": 2}]


def test_a_terminal_or_a_file_is_read_in_a_thread(tmp_path: Any) -> None:
    file = tmp_path / "in"
    file.write_bytes(b"")

    async def main() -> object:
        with file.open("rb") as stream:
            return await pipe_reader(stream)

    assert asyncio.run(main()) is None
    assert asyncio.run(_no_descriptor()) is None


async def _no_descriptor() -> object:
    return await pipe_reader(io.BytesIO(b""))  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(STREAMS)), st.integers(min_value=0, max_value=400))
def test_bytes_read_before_come_first(name: str, cut: int) -> None:
    """After the first answers (lsp/early.py) took part of the stream, the thread's reader gives
    the messages of the whole stream: the part taken, then the rest."""
    data = STREAMS[name]
    cut = min(cut, len(data))
    whole = _messages(MessageReader, data)
    assert (
        _messages(lambda s, e: MessageReader(io.BytesIO(data[cut:]), e, data[:cut]), b"") == whole
    )
