"""Column conversion between byte offsets (tree-sitter) and UTF-8/UTF-16/UTF-32 code units.

Every conversion between tree-sitter's byte columns and the columns of a client or a report
happens here, so there is one place to get multi-byte text and line endings right.
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["utf-8", "utf-16", "utf-32"]


def _units(ch: str, encoding: Encoding) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    return 1


def byte_col_to_units(line: bytes, byte_col: int, encoding: Encoding) -> int:
    """Convert a byte column within `line` (no line terminator) to code units."""
    if encoding == "utf-8":
        return byte_col
    prefix = line[:byte_col].decode("utf-8", "replace")
    if encoding == "utf-32":
        return len(prefix)
    return len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def units_to_byte_col(line: bytes, units: int, encoding: Encoding) -> int:
    """Convert a column in code units to a byte column, clamped to the line's length."""
    if units <= 0:
        return 0
    if encoding == "utf-8":
        col = min(units, len(line))
        while col < len(line) and (line[col] & 0xC0) == 0x80:  # inside a character: its end
            col += 1
        return col
    text = line.decode("utf-8", "replace")
    count = 0
    for i, ch in enumerate(text):
        if count >= units:
            return len(text[:i].encode("utf-8"))
        count += _units(ch, encoding)
    return len(line) if text.encode("utf-8") == line else len(text.encode("utf-8"))


def line_bytes(source: bytes, row: int, starts: list[int]) -> bytes:
    """The bytes of line `row` without its terminator ("\\n" or "\\r\\n")."""
    if row >= len(starts):
        return b""
    start = starts[row]
    end = starts[row + 1] - 1 if row + 1 < len(starts) else len(source)
    line = source[start:end]
    return line[:-1] if line.endswith(b"\r") else line
