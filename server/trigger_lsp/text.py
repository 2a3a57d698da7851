"""Source text: line starts, and conversion between byte offsets (tree-sitter) and the
UTF-8/UTF-16/UTF-32 code units of a client or a report.

Every conversion between tree-sitter's byte columns and the columns of a client or a report
happens here (the server, the CLI and the first-answers path alike), so there is one place to
get multi-byte text and line endings right.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Literal

Encoding = Literal["utf-8", "utf-16", "utf-32"]
MAX_FILE_BYTES = 8 * 1024 * 1024  # larger files are skipped with a message


def looks_binary(source: bytes) -> bool:
    """A NUL byte near the start: not source text."""
    return b"\x00" in source[:8192]


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _decoded(line: bytes) -> str | None:
    """The text of a line, a lone surrogate (which an editor may send) as one code point; None
    for bytes that are not UTF-8 (a file read from disk)."""
    try:
        return line.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _units(ch: str, encoding: Encoding) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8", "surrogatepass"))
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    return 1


def byte_col_to_units(line: bytes, byte_col: int, encoding: Encoding) -> int:
    """Convert a byte column within `line` (no line terminator) to code units. The work is
    done by the codecs, so a position at the end of a long line costs little."""
    if encoding == "utf-8":
        return byte_col
    prefix_bytes = line[:byte_col]
    if prefix_bytes.isascii():
        return len(prefix_bytes)
    prefix = _decoded(prefix_bytes)
    if prefix is None:
        prefix = prefix_bytes.decode("utf-8", "replace")  # a cut character counts as one
    if encoding == "utf-32":
        return len(prefix)
    return _utf16_length(prefix)


def units_to_byte_col(line: bytes, units: int, encoding: Encoding) -> int:
    """Convert a column in code units to a byte column, clamped to the line's length. A
    UTF-16 column between the two halves of a surrogate pair stands for the start of the pair
    (as VS Code validates positions): every such position maps to one place."""
    if units <= 0:
        return 0
    if encoding == "utf-8":
        col = min(units, len(line))
        while col < len(line) and (line[col] & 0xC0) == 0x80:  # inside a character: its end
            col += 1
        return col
    if line.isascii():
        return min(units, len(line))
    text = _decoded(line)
    if text is None:
        return _slow_units_to_byte_col(line, units, encoding)
    chars = units  # code points before the column
    if encoding == "utf-16" and _utf16_length(text) > len(text):  # characters past U+FFFF
        astral = [m.start() for m in _ASTRAL.finditer(text)]
        # The i-th astral character (at code point a) starts at unit a + i.
        starts = [a + i for i, a in enumerate(astral)]
        before = bisect.bisect_left(starts, units)  # astral characters starting before
        chars = units - before
        if before and starts[before - 1] + 1 == units:  # between the halves of a pair
            chars = astral[before - 1]
    return len(text[:chars].encode("utf-8", "surrogatepass"))


def _slow_units_to_byte_col(line: bytes, units: int, encoding: Encoding) -> int:
    """For a line that is not valid UTF-8: character by character."""
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


class LineIndex:
    """Byte offset -> (row, byte column)."""

    def __init__(self, source: bytes) -> None:
        self.starts = [0, *itertools.accumulate(len(line) + 1 for line in source.split(b"\n"))]
        self.starts.pop()  # the end of the last line starts no line

    def point(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        return row, offset - self.starts[row]

    def edited(self, start: int, end: int, new: bytes) -> LineIndex:
        """The index of the text with bytes start..end replaced by `new`, without reading
        the rest of the text again: lines before the edit stay, lines after it shift."""
        first = bisect.bisect_right(self.starts, start)  # lines starting at or before start
        last = bisect.bisect_right(self.starts, end)  # ...and at or before end
        delta = len(new) - (end - start)
        starts = self.starts[:first]
        at = new.find(b"\n")
        while at != -1:
            starts.append(start + at + 1)
            at = new.find(b"\n", at + 1)
        starts.extend([s + delta for s in self.starts[last:]])
        out = LineIndex.__new__(LineIndex)
        out.starts = starts
        return out

    def column(self, source: bytes, row: int, byte_col: int, encoding: Encoding) -> int:
        """The column, in code units, of byte column `byte_col` of line `row` (clamped to the
        line, its terminator excluded)."""
        line = line_bytes(source, row, self.starts)
        return byte_col_to_units(line, min(byte_col, len(line)), encoding)

    def position(self, source: bytes, offset: int, encoding: Encoding) -> tuple[int, int]:
        """Line and column (in code units) of a byte offset, clamped into the text."""
        row, byte_col = self.point(max(0, min(offset, len(source))))
        return row, self.column(source, row, byte_col, encoding)

    def offset(self, source: bytes, row: int, units: int, encoding: Encoding) -> int:
        """Byte offset of a line and a column in code units, clamped into the text."""
        if row < 0:
            return 0
        if row >= len(self.starts):
            return len(source)
        line = line_bytes(source, row, self.starts)
        return self.starts[row] + units_to_byte_col(line, units, encoding)
