"""The server's shortcut for writing diagnostics (their JSON text kept per Diagnostic object)
writes exactly what pygls' own serialisation writes, for pulled reports and pushed
notifications, and other messages go the usual way."""

from __future__ import annotations

import json

from lsprotocol import types as lsp
from pygls.protocol.json_rpc import JsonRPCResponseMessage

from trigger_lsp.lsp.protocol import TriggerProtocol, range_json
from trigger_lsp.lsp.server import create_server


def _diagnostic(n: int) -> lsp.Diagnostic:
    where = lsp.Range(lsp.Position(n, 2), lsp.Position(n, 5))
    other = lsp.Location("file:///w/a.ts", lsp.Range(lsp.Position(0, 0), lsp.Position(0, 1)))
    return lsp.Diagnostic(
        range=where,
        message=f"finding {n} 🚀",
        severity=lsp.DiagnosticSeverity.Warning,
        code="task-no-logging",
        code_description=lsp.CodeDescription(href="https://trigger.dev/docs"),
        source="trigger-lsp",
        related_information=[lsp.DiagnosticRelatedInformation(other, "also here")],
        tags=[lsp.DiagnosticTag.Unnecessary] if n % 2 else None,
        data={"rule": "task-no-logging", "fix": {"title": "t", "edits": [[1, 2, "x"]]}},
    )


class _Sink:
    def __init__(self) -> None:
        self.written = b""

    def write(self, data: bytes) -> None:
        self.written += data


def _sent(protocol: TriggerProtocol, message: object) -> object:
    sink = _Sink()
    protocol.set_writer(sink)  # type: ignore[arg-type]
    protocol._send_data(message)
    header, _, body = sink.written.partition(b"\r\n\r\n")
    assert header.startswith(b"Content-Length: %d\r\n" % len(body))
    return json.loads(body)


def _both(message: object) -> tuple[object, object]:
    protocol = create_server().protocol
    fast = _sent(protocol, message)
    plain = json.dumps(message, default=super(TriggerProtocol, protocol)._serialize_message)
    return fast, json.loads(plain)


def test_pulled_report_serialises_like_pygls() -> None:
    shared = _diagnostic(1)
    report = lsp.RelatedFullDocumentDiagnosticReport(
        items=[shared, _diagnostic(2), shared], result_id="7"
    )
    fast, plain = _both(JsonRPCResponseMessage(id=3, result=report, jsonrpc="2.0"))
    assert fast == plain
    assert len(fast["result"]["items"]) == 3  # type: ignore[index]


def test_pushed_diagnostics_serialise_like_pygls() -> None:
    params = lsp.PublishDiagnosticsParams("file:///w/b.ts", [_diagnostic(3), _diagnostic(4)], 9)
    fast, plain = _both(lsp.PublishDiagnosticsNotification(params=params))
    assert fast == plain


def test_a_diagnostic_object_is_converted_once() -> None:
    protocol = create_server().protocol
    shared = _diagnostic(5)
    first = protocol._diagnostics_json([shared])
    again = protocol._diagnostics_json([shared])
    assert first[0] is again[0]


def test_other_messages_are_written_by_pygls() -> None:
    protocol = create_server().protocol
    empty = lsp.RelatedFullDocumentDiagnosticReport(items=[], result_id="1")
    for message in (
        JsonRPCResponseMessage(id=4, result=empty, jsonrpc="2.0"),
        JsonRPCResponseMessage(id=5, result=lsp.Hover(contents="x"), jsonrpc="2.0"),
    ):
        assert protocol.diagnostics_body(message) is None
        sent = _sent(protocol, message)
        assert sent["id"] == message.id  # type: ignore[index]


def test_the_kept_json_goes_with_its_diagnostic() -> None:
    protocol = create_server().protocol
    shared = _diagnostic(6)
    protocol._diagnostics_json([shared, _diagnostic(7)])  # the second one is freed at once
    assert list(protocol._json_of) == [id(shared)]
    del shared
    assert protocol._json_of == {}


def test_range_json_is_what_json_writes() -> None:
    """The text swapped into a moved diagnostic's kept JSON (issue 19: written without the
    converter) is json.dumps of lsprotocol's unstructured range."""
    protocol = create_server().protocol
    for rng in (
        lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
        lsp.Range(lsp.Position(12, 3), lsp.Position(40_000, 2**31 - 1)),
    ):
        assert range_json(rng) == json.dumps(protocol._converter.unstructure(rng))


def test_a_moved_diagnostic_serialises_like_pygls() -> None:
    """A diagnostic moved to another line (a line added above it) is a copy with every field
    of the original and the new range, and is written as pygls writes it."""
    protocol = create_server().protocol
    original = _diagnostic(8)
    protocol._diagnostics_json([original])  # its JSON kept, as after a first answer
    moved = protocol.moved(original, 11)
    assert moved.range == lsp.Range(lsp.Position(11, 2), lsp.Position(11, 5))
    assert {f: getattr(moved, f) for f in ("message", "code", "data", "tags")} == {
        f: getattr(original, f) for f in ("message", "code", "data", "tags")
    }
    report = lsp.RelatedFullDocumentDiagnosticReport(items=[moved, original], result_id="8")
    fast = _sent(protocol, JsonRPCResponseMessage(id=6, result=report, jsonrpc="2.0"))
    plain = json.dumps(
        JsonRPCResponseMessage(id=6, result=report, jsonrpc="2.0"),
        default=super(TriggerProtocol, protocol)._serialize_message,
    )
    assert fast == json.loads(plain)
