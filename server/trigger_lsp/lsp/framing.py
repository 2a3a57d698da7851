"""The client's messages taken out of a byte stream, whatever the stream holds.

The base protocol frames each JSON-RPC message with header lines (`Content-Length: N`, a
blank line) and then N bytes of JSON. A server that trusts every frame stays up but deaf after
one bad one: a length too large waits for bytes that never come, a missing length or a
lower-case header name makes it skip every message after. So here:

- Header names are case-insensitive and header lines may end with LF alone.
- A header block is at most MAX_HEADER bytes: bytes that are not a header are dropped up to
  the next `Content-Length:` (a run of bytes without a line end is never buffered whole).
- A length that is wrong is found out: when the bytes read so far hold one whole JSON value
  followed by the next header (or nothing more), that value is the message; a body that is not
  JSON is answered with a parse error and the reading goes on at the next header; a message
  without a usable length is read as the one JSON value that follows its headers.
- A body is at most MAX_BODY bytes: a bigger one is skipped as it comes (never held whole) and
  the user is told once.
- JSON is decoded with a bound on nesting (a deeply nested message is answered with an error,
  never crashes the reader) and without NaN or Infinity, which are not JSON.

Every `Frame` handed out knows the bytes it was read from, so lsp/early.py can hand the frames
it does not serve to the server unchanged.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

MAX_HEADER = 16 * 1024  # bytes of header lines before the blank line
# A document at the file limit (text.MAX_FILE_BYTES, 8 MiB), with room for JSON escapes. (Not
# imported: the engine loads after the first answer, see lsp/early.py.)
MAX_BODY = 32 * 1024 * 1024
MAX_DEPTH = 128  # objects and arrays nested in a message (LSP's own shapes need about 10)
MAX_TRIES = 8  # looks for the end of a body of a wrong length, per body
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_WHITESPACE = b" \t\r\n"
# Strings (with their escapes) and brackets: enough to find how deep a JSON text nests.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_SALVAGE_LIMIT = 1 << 20  # find the id of a too deeply nested message up to this size


@dataclass
class Frame:
    raw: bytes  # the bytes this frame was read from (b"" for a skipped message)
    message: Any = None  # the decoded JSON value, when there is one
    error: tuple[int, str] | None = None  # the error to answer with, when there is no message
    error_id: Any = None  # the id to answer it with (None: null)
    note: str | None = None  # what was wrong with the framing, for the log
    notice: str | None = None  # what the user is told (once)


class FrameParser:
    """Feed bytes with `feed`; take frames with `next`. Memory stays within MAX_BODY plus
    MAX_HEADER plus the bytes of one read, whatever is fed."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self._in_body = False
        self._length: int | None = None  # the body's declared length (None: no usable one)
        self._length_note: str | None = None
        self._scan_from = 0  # where to look for the next header inside a body
        self._tries = 0
        self._next_try = 0  # the buffered body's length at which to try decoding it again
        self._skip = 0  # bytes of an over-long message still to drop
        self._skipped = 0
        self._dropping = False  # dropping bytes that are no header, up to the next one
        self._header = b""  # the header lines of the body being read

    @property
    def rest(self) -> bytes:
        """The bytes read and not handed out yet (those of a skipped message are gone)."""
        return (self._header if self._in_body else b"") + bytes(self.buf)

    @property
    def between(self) -> bool:
        """No message is partly read: the bytes of the next one have not begun to come."""
        return not (self.buf or self._in_body or self._skip or self._skipped or self._dropping)

    @property
    def busy(self) -> bool:
        """Dropping bytes (an over-long message or no header): nothing to hand out soon."""
        return self._skip > 0 or self._dropping

    def feed(self, data: bytes) -> None:
        if self._skip:
            taken = min(self._skip, len(data))
            self._skip -= taken
            data = data[taken:]
        self.buf += data

    def next(self) -> Frame | None:
        """The next frame read whole, or None until more bytes come."""
        while True:
            if self._skip:
                return None
            if self._skipped:
                size, self._skipped = self._skipped, 0
                return _over_limit(size)
            if not self._in_body:
                found = self._headers()
                if found is not None or not self._in_body:
                    return found
            frame = self._body()
            if frame is not None or self._in_body:
                return frame

    # --- headers -------------------------------------------------------------------------
    def _headers(self) -> Frame | None:
        buf = self.buf
        start = 0
        while start < len(buf) and buf[start] in _WHITESPACE:  # between messages: ignored
            start += 1
        if start == len(buf):
            if start > MAX_HEADER:
                del buf[:start]
            return None
        end = _HEADER_END.search(buf, start, start + MAX_HEADER + 4)
        if end is None:
            if len(buf) - start <= MAX_HEADER:
                return None
            return self._resync(start, "a header line over 16 KiB")
        length_value: bytes | None = None
        for line in bytes(buf[start : end.start()]).split(b"\n"):
            name, colon, value = line.rstrip(b"\r").partition(b":")
            if not colon or not _HEADER_NAME.fullmatch(name.strip()):
                return self._resync(start, "bytes that are not a message header")
            if name.strip().lower() == b"content-length" and length_value is None:
                length_value = value.strip()
        self._dropping = False
        self._in_body = True
        self._scan_from = self._tries = self._next_try = 0
        self._length, self._length_note = None, None
        if length_value is None:
            self._length_note = "a message without a Content-Length header"
        elif not length_value.isdigit():
            shown = length_value[:40].decode("ascii", "replace")
            self._length_note = f"a message with Content-Length {shown!r}, not a length"
        else:
            self._length = int(length_value)
        self._header = bytes(buf[: end.end()])
        del buf[: end.end()]
        return None

    def _resync(self, start: int, what: str) -> Frame | None:
        """Drop bytes up to the next `Content-Length:` header (or all but a tail that may
        start one)."""
        found = _CONTENT_LENGTH.search(self.buf, start + 1)
        if found is not None:
            frame = self._take(found.start())
            frame.note = None if self._dropping else f"dropped {what}"
            self._dropping = False
            return frame
        note = not self._dropping
        self._dropping = True
        keep = len(self.buf) - 20
        dropped = b""
        if keep > 0:  # not kept (bounded memory): handed out as a frame of no message
            dropped = bytes(self.buf[:keep])
            del self.buf[:keep]
        if note:
            return Frame(dropped, note=f"dropping {what}")
        return Frame(dropped) if dropped else None

    def _take(self, n: int) -> Frame:
        raw = bytes(self.buf[:n])
        del self.buf[:n]
        return Frame(raw)

    # --- bodies ----------------------------------------------------------------------------
    def _body(self) -> Frame | None:
        buf, length = self.buf, self._length
        if length is not None and len(buf) >= length:
            return self._whole(length)
        if len(buf) > MAX_BODY:  # a message this big is not kept: drop the rest as it comes
            size = length if length is not None else len(buf)
            self._skip = max(0, size - len(buf))
            self._skipped = size
            self.buf.clear()
            self._in_body = False
            self._dropping = length is None  # without a length: drop up to the next header
            return None
        if length is None:  # the one JSON value after the headers (a message is an object)
            first = bytes(buf[:64]).lstrip(_WHITESPACE)[:1]
            if first and first not in (b"{", b"["):
                return self._end(0, Frame(b""), f"dropped {self._length_note}, with no body")
        # The declared length may be wrong (or missing): is there a whole JSON value already?
        tail = bytes(buf[-64:]).rstrip(_WHITESPACE)
        if tail[-1:] in (b"}", b"]") and len(buf) >= self._next_try:
            self._next_try = len(buf) * 5 // 4 + 1
            frame = decode(bytes(buf))
            if frame.message is not None:
                return self._found(len(buf), frame)
        while self._tries < MAX_TRIES:
            header = _CONTENT_LENGTH.search(buf, max(self._scan_from, 1))
            if header is None:
                self._scan_from = max(0, len(buf) - 20)
                break
            self._tries += 1
            self._scan_from = header.start() + 1
            frame = decode(bytes(buf[: header.start()]))
            if frame.message is not None:
                return self._found(header.start(), frame)
            if length is None:  # not JSON, up to the next header: answered as such
                return self._end(header.start(), frame, self._length_note)
        return None

    def _whole(self, length: int) -> Frame:
        frame = decode(bytes(self.buf[:length]))
        if frame.message is None and frame.error and frame.error[0] == PARSE_ERROR:
            # Not JSON: the length is wrong. Does the body end at a header, or with the bytes?
            found = itertools.islice(_CONTENT_LENGTH.finditer(self.buf, 1), MAX_TRIES)
            ends = [h.start() for h in found]
            for end in [*ends, len(self.buf)] if len(self.buf) > length else ends:
                other = decode(bytes(self.buf[:end]))
                if other.message is not None:
                    return self._found(end, other)
        return self._end(length, frame, self._length_note)

    def _found(self, n: int, frame: Frame) -> Frame:
        said = self._length_note or f"a message whose Content-Length was {self._length}"
        return self._end(n, frame, f"{said}: read the {n} bytes of JSON that came")

    def _end(self, n: int, frame: Frame, note: str | None) -> Frame:
        frame.raw = self._header + bytes(self.buf[:n])
        frame.note = note
        del self.buf[:n]
        self._in_body = False
        return frame


def _over_limit(size: int) -> Frame:
    from trigger_lsp.text import MAX_FILE_BYTES

    mib = f"{size / 2**20:.1f} MiB"
    limit = f"{MAX_BODY // 2**20} MiB"
    return Frame(
        b"",
        note=f"skipped a message of {mib}: over the {limit} limit",
        notice=(
            f"a message of {mib} from the editor was skipped (over the {limit} limit); "
            f"files over {MAX_FILE_BYTES // 2**20} MiB are not checked"
        ),
    )


# --- JSON ------------------------------------------------------------------------------------
def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(body: bytes) -> Frame:
    """The JSON value of a body, or the error to answer it with."""
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        return Frame(body, error=(INVALID_REQUEST, _TOO_DEEP), error_id=_salvaged_id(body))
    except ValueError:  # (UnicodeDecodeError and JSONDecodeError too)
        return Frame(body, error=(PARSE_ERROR, "Parse error: the message is not JSON"))
    if too_deep(value, MAX_DEPTH):
        return Frame(body, error=(INVALID_REQUEST, _TOO_DEEP), error_id=_id(value))
    return Frame(body, message=value)


_TOO_DEEP = f"Invalid Request: the message nests more than {MAX_DEPTH} levels deep"


def too_deep(value: Any, limit: int) -> bool:
    if not isinstance(value, (dict, list)):
        return False
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _salvaged_id(body: bytes) -> Any:
    """The id of a message too deep for the decoder: its deep values replaced by null."""
    if len(body) > _SALVAGE_LIMIT:
        return None
    parts, depth, last, cut = [], 0, 0, False
    for token in _JSON_TOKEN.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth == 3 and not cut:
                parts.append(body[last : token.start()])
                cut = True
        elif char in (b"]", b"}"):
            if depth == 3 and cut:
                parts.append(b"null")
                last, cut = token.end(), False
            depth -= 1
    if cut:
        return None
    parts.append(body[last:])
    try:
        return _id(json.loads(b"".join(parts), parse_constant=_no_constant))
    except (ValueError, RecursionError):
        return None


def _id(value: Any) -> Any:
    found = value.get("id") if isinstance(value, dict) else None
    return found if valid_id(found) else None


def valid_id(value: Any) -> bool:
    """LSP's request ids: integers and strings."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def envelope_error(message: Any) -> tuple[int, str, Any] | None:
    """What is wrong with a decoded message as JSON-RPC 2.0 (code, text, id to answer with),
    or None. A response from the client with a bad shape is named with code 0 (dropped)."""
    if not isinstance(message, dict):
        return INVALID_REQUEST, "Invalid Request: a message must be a JSON object", None
    msg_id = message.get("id")
    answer_id = msg_id if valid_id(msg_id) else None
    if "method" not in message:
        if "id" in message and ("result" in message or "error" in message):
            if message.get("jsonrpc") != "2.0" or not valid_id(msg_id):
                return 0, "a response without jsonrpc 2.0 or a valid id", None
            return None
        return INVALID_REQUEST, "Invalid Request: no method", answer_id
    if message.get("jsonrpc") != "2.0":
        return INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"', answer_id
    if not isinstance(message["method"], str):
        return INVALID_REQUEST, "Invalid Request: the method must be a string", answer_id
    if "id" in message and not valid_id(msg_id):
        return INVALID_REQUEST, "Invalid Request: an id must be an integer or a string", None
    return None  # (params of the wrong shape: answered with InvalidParams, lsp/protocol.py)


def error_response(code: int, text: str, msg_id: Any) -> bytes:
    body = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": text}}
    return json.dumps(body).encode()
