"""Reading stdin: the event loop reading a pipe and a thread reading a file give the same bytes,
and the frames taken out of a stream (lsp/framing.py) do not depend on how the bytes were cut
into reads. (The malformed streams themselves: tests/reliability/test_protocol_rules.py.)"""

from __future__ import annotations

import asyncio
import io
import json
import os
import threading
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trigger_lsp.lsp.framing import FrameParser
from trigger_lsp.lsp.stdio import chunk_reader


def _frame(body: object, extra: bytes = b"") -> bytes:
    raw = json.dumps(body).encode()
    return b"Content-Length: %d\r\n" % len(raw) + extra + b"\r\n" + raw


def _frames(pieces: list[bytes]) -> list[Any]:
    parser = FrameParser()
    out: list[Any] = []
    for piece in pieces:
        parser.feed(piece)
        while (frame := parser.next()) is not None:
            out.append(frame.message if frame.error is None else ("error", frame.error[0]))
    return out


STREAMS = {
    "two messages": _frame({"id": 1, "method": "a"}) + _frame({"method": "b", "params": [1]}),
    "content type header": _frame({"id": 2}, b"Content-Type: application/json\r\n"),
    "unicode body": _frame({"text": "日本語 🚀"}),
    "junk header first": b"X-Junk: 1\r\n\r\n" + _frame({"id": 3}),
    "blank line first": b"\r\n" + _frame({"id": 4}),
    "bad json": b"Content-Length: 3\r\n\r\n{x}" + _frame({"id": 8}),
    "big": _frame({"id": 1, "text": "x" * 300_000}) + _frame({"id": 2}),
}


def test_well_formed_streams_give_their_messages() -> None:
    assert _frames([STREAMS["two messages"]]) == [
        {"id": 1, "method": "a"},
        {"method": "b", "params": [1]},
    ]
    assert _frames([STREAMS["unicode body"]]) == [{"text": "日本語 🚀"}]
    assert _frames([STREAMS["content type header"]]) == [{"id": 2}]
    assert _frames([STREAMS["blank line first"]]) == [{"id": 4}]
    assert _frames([STREAMS["bad json"]]) == [("error", -32700), {"id": 8}]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(STREAMS)), st.lists(st.integers(min_value=0, max_value=400)))
def test_how_the_bytes_are_cut_does_not_matter(name: str, cuts: list[int]) -> None:
    data = STREAMS[name]
    points = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    assert _frames(pieces) == _frames([data])


def _read_all(stream: Any) -> bytes:
    async def main() -> bytes:
        read = await chunk_reader(stream)
        out = b""
        while chunk := await read():
            out += chunk
        return out

    return asyncio.run(main())


def test_a_pipe_and_a_file_give_the_same_bytes(tmp_path: Any) -> None:
    data = STREAMS["big"] + STREAMS["two messages"]
    read_end, write_end = os.pipe()

    def write() -> None:
        with os.fdopen(write_end, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        assert _read_all(stream) == data
    writer.join()
    file = tmp_path / "in"
    file.write_bytes(data)
    with file.open("rb") as stream:
        assert _read_all(stream) == data
    assert _read_all(io.BytesIO(data)) == data
