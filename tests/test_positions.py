"""Unit tests of positions.py: byte columns <-> UTF-8/UTF-16/UTF-32 code units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trigger_lsp.text import LineIndex, byte_col_to_units, line_bytes, units_to_byte_col

# a = 1 byte, é = 2 bytes, 日 = 3 bytes, 🚀 = 4 bytes (two UTF-16 units, outside the BMP)
LINE = "aé日🚀b".encode()
# byte column of each character boundary, and the column in each encoding
BOUNDARIES = [
    # bytes, utf-8, utf-16, utf-32
    (0, 0, 0, 0),
    (1, 1, 1, 1),
    (3, 3, 2, 2),
    (6, 6, 3, 3),
    (10, 10, 5, 4),
    (11, 11, 6, 5),
]


@pytest.mark.parametrize(("byte_col", "u8", "u16", "u32"), BOUNDARIES)
def test_byte_col_to_units(byte_col: int, u8: int, u16: int, u32: int):
    assert byte_col_to_units(LINE, byte_col, "utf-8") == u8
    assert byte_col_to_units(LINE, byte_col, "utf-16") == u16
    assert byte_col_to_units(LINE, byte_col, "utf-32") == u32


@pytest.mark.parametrize(("byte_col", "u8", "u16", "u32"), BOUNDARIES)
def test_units_to_byte_col(byte_col: int, u8: int, u16: int, u32: int):
    assert units_to_byte_col(LINE, u8, "utf-8") == byte_col
    assert units_to_byte_col(LINE, u16, "utf-16") == byte_col
    assert units_to_byte_col(LINE, u32, "utf-32") == byte_col


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_columns_past_the_end_clamp_to_the_line(encoding):
    assert units_to_byte_col(LINE, 500, encoding) == len(LINE)  # type: ignore[arg-type]
    assert units_to_byte_col(LINE, -3, encoding) == 0  # type: ignore[arg-type]
    assert units_to_byte_col(b"", 4, encoding) == 0  # type: ignore[arg-type]


def test_a_column_inside_a_character_never_splits_it():
    # UTF-16 column 4 is between the two halves of 🚀: it means the start of the pair, as VS
    # Code's text model validates such a position ("move it to before the pair"), so that the
    # server applies an edit there where the editor does. UTF-8 columns 2, 4, 5 are inside é, 日.
    assert units_to_byte_col(LINE, 4, "utf-16") == 6
    for units, expected in ((2, 3), (4, 6), (5, 6), (7, 10), (9, 10)):
        assert units_to_byte_col(LINE, units, "utf-8") == expected, units


def test_line_bytes_strips_lf_and_crlf():
    source = b"one\r\ntwo\nthree\r\n\r\nlast"
    starts = LineIndex(source).starts
    lines = [line_bytes(source, row, starts) for row in range(len(starts))]
    assert lines == [b"one", b"two", b"three", b"", b"last"]
    assert line_bytes(source, 99, starts) == b""


def test_a_lone_carriage_return_stays_in_the_line():
    # Only "\n" ends a line for LineIndex; a bare "\r" inside a line is text.
    source = b"a\rb\nc"
    starts = LineIndex(source).starts
    assert line_bytes(source, 0, starts) == b"a\rb"


_TEXT = st.text(
    alphabet=st.sampled_from(["a", "Z", " ", "é", "ß", "日", "本", "🚀", "😀", "\t", "\u200d"]),
    max_size=30,
)


@given(_TEXT, st.integers(min_value=0, max_value=40))
def test_round_trip_at_every_character_boundary(text: str, cut: int):
    line = text.encode()
    prefix = text[: min(cut, len(text))]
    byte_col = len(prefix.encode())
    expected = {
        "utf-8": len(prefix.encode()),
        "utf-16": len(prefix.encode("utf-16-le")) // 2,
        "utf-32": len(prefix),
    }
    for encoding, units in expected.items():
        assert byte_col_to_units(line, byte_col, encoding) == units  # type: ignore[arg-type]
        assert units_to_byte_col(line, units, encoding) == byte_col  # type: ignore[arg-type]


@given(_TEXT, st.integers(min_value=0, max_value=200))
def test_any_column_lands_on_a_character_boundary(text: str, units: int):
    line = text.encode()
    for encoding in ("utf-8", "utf-16", "utf-32"):
        col = units_to_byte_col(line, units, encoding)  # type: ignore[arg-type]
        assert 0 <= col <= len(line)
        line[:col].decode()  # never inside a UTF-8 sequence


_TEXT = st.binary(max_size=60).map(lambda b: b.replace(b"\x00", b"\n"))  # many newlines


@given(_TEXT, st.floats(0, 1), st.floats(0, 1), _TEXT)
def test_an_edited_line_index_equals_a_fresh_one(
    text: bytes, a: float, b: float, new: bytes
) -> None:
    start, end = sorted((int(a * len(text)), int(b * len(text))))
    edited = text[:start] + new + text[end:]
    assert LineIndex(text).edited(start, end, new).starts == LineIndex(edited).starts
