"""The server as a protocol peer: settings (initializationOptions, workspace/configuration,
didChangeConfiguration, invalid values) and malformed or unexpected input, down to bytes that
are not JSON-RPC at all."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcMethodNotFound
from pytest_lsp import LanguageClient

from lsp.session import (
    CONFIG,
    PULLING,
    SERVER,
    TIMEOUT,
    Doc,
    capabilities,
    codes,
    open_doc,
    project,
    published,
    publishes,
    raw_request,
    request,
    start,
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


SILENT = """\
import { task } from "@trigger.dev/sdk";

export const quiet = task({
  id: "quiet",
  run: async () => {
    return 1;
  },
});
"""


async def _findings(client: LanguageClient, tmp_path: Path, **start_args: Any) -> Doc:
    """A project with one task file, opened. Document symbols (off by default since issue 16)
    are turned on: `_still_answers` asks for them."""
    files = project(tmp_path, {"src/trigger/quiet.ts": SILENT})
    options = start_args.get("options")
    features = options.get("features", {}) if isinstance(options, dict) else None
    if options is None or isinstance(features, dict):
        options = dict(options or {})
        options["features"] = {"documentSymbols": True, **options.get("features", {})}
        start_args["options"] = options
    await start(client, tmp_path, **start_args)
    return Doc(client, open_doc(client, files["src/trigger/quiet.ts"]), SILENT)


def _no_logging(diagnostics) -> lsp.Diagnostic | None:
    return next((d for d in diagnostics if d.code == "task-no-logging"), None)


async def test_capabilities(client: LanguageClient, tmp_path: Path):
    result = await start(client, tmp_path, PULLING)
    caps = result.capabilities
    assert caps.definition_provider and caps.references_provider
    assert caps.document_symbol_provider and caps.workspace_symbol_provider
    assert caps.code_lens_provider is not None
    assert caps.code_action_provider is not None
    assert caps.execute_command_provider is not None
    assert {
        "trigger-lsp.explainRule",
        "trigger-lsp.fixAll",
        "trigger-lsp.showReferences",
        "trigger-lsp.openLocation",
        "trigger-lsp.checkWorkspace",
    } <= set(caps.execute_command_provider.commands)
    assert caps.diagnostic_provider is not None
    assert caps.diagnostic_provider.inter_file_dependencies is True
    sync = caps.text_document_sync
    assert isinstance(sync, lsp.TextDocumentSyncOptions)
    assert sync.change == lsp.TextDocumentSyncKind.Incremental


# --- settings -----------------------------------------------------------------------------------


async def test_default_settings_report_task_no_logging(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert _no_logging(found) is not None
    assert client.messages == []


async def test_initialization_options_turn_a_rule_off(client: LanguageClient, tmp_path: Path):
    # (The stub task is reported for its missing limit only in the strict profile.)
    options = {"rules": {"task-no-logging": "off"}, "profile": "strict"}
    doc = await _findings(client, tmp_path, options=options)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert _no_logging(found) is None
    assert "task-no-concurrency-limit" in codes(found)


async def test_the_default_profile_is_recommended(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert _no_logging(found) is not None
    assert "task-no-concurrency-limit" not in codes(found)  # a stub, triggered nowhere


async def test_the_project_file_profile_wins_over_the_editor_setting(
    client: LanguageClient, tmp_path: Path
):
    files = project(
        tmp_path,
        {"src/trigger/quiet.ts": SILENT, ".trigger-lsp.yaml": "profile: recommended\n"},
    )
    await start(client, tmp_path, options={"profile": "strict"})
    doc = Doc(client, open_doc(client, files["src/trigger/quiet.ts"]), SILENT)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert _no_logging(found) is not None
    assert "task-no-concurrency-limit" not in codes(found)


async def test_an_explicit_rule_level_wins_over_the_profile(client: LanguageClient, tmp_path: Path):
    files = project(
        tmp_path,
        {"src/trigger/quiet.ts": SILENT, ".trigger-lsp.yaml": "profile: strict\n"},
    )
    options = {"rules": {"task-no-error-handling": "off"}}
    await start(client, tmp_path, options=options)
    doc = Doc(client, open_doc(client, files["src/trigger/quiet.ts"]), SILENT)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert "task-no-concurrency-limit" in codes(found)  # strict, from the project file
    assert "task-no-error-handling" not in codes(found)  # in strict, but turned off


async def test_workspace_configuration_is_pulled_and_re_pulled(
    client: LanguageClient, tmp_path: Path
):
    client.set_configuration(
        {"rules": {"task-no-logging": "off"}, "profile": "strict"}, section="trigger-lsp"
    )
    doc = await _findings(client, tmp_path, caps="vscode")
    # (The first publish may predate the configuration reply; the settings then re-check it.)
    found = await published(client, doc.uri, lambda d: bool(d) and _no_logging(d) is None)
    assert "task-no-concurrency-limit" in codes(found)
    # The user raises the rule to an error: the server re-reads the section on the change.
    client.set_configuration(
        {"rules": {"task-no-logging": "error"}, "profile": "strict"}, section="trigger-lsp"
    )
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    found = await published(client, doc.uri, lambda d: _no_logging(d) is not None)
    assert _no_logging(found).severity == lsp.DiagnosticSeverity.Error  # type: ignore[union-attr]


async def test_did_change_configuration_pushes_settings_to_a_client_without_pull(
    client: LanguageClient, tmp_path: Path
):
    caps = capabilities("vscode")
    assert caps.workspace is not None
    caps.workspace.configuration = False
    files = project(tmp_path, {"src/trigger/quiet.ts": SILENT})
    params = lsp.InitializeParams(capabilities=caps, root_uri=tmp_path.as_uri())
    await request(client.initialize_session(params))
    uri = open_doc(client, files["src/trigger/quiet.ts"])
    assert _no_logging(await published(client, uri, lambda d: bool(d))) is not None
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"trigger-lsp": {"rules": {"all": "off"}}})
    )
    await published(client, uri, lambda d: not d)


@pytest.mark.parametrize(
    ("options", "mentions"),
    [
        ({"debounceMs": "fast"}, "debounceMs"),
        ({"rules": {"no-such-rule": "off"}}, "unknown rule 'no-such-rule'"),
        ({"rules": {"task-no-logging": "loud"}}, "task-no-logging"),
        ({"features": {"hover": "yes"}}, "hover"),
        ({"colour": "blue"}, "unknown setting 'colour'"),
        ({"profile": "pedantic"}, "'profile' must be"),
        ("not an object", "must be an object"),
    ],
)
async def test_a_bad_setting_is_reported_once_and_defaulted(
    client: LanguageClient, tmp_path: Path, options, mentions
):
    client.set_configuration(options, section="trigger-lsp")  # pulled and re-pulled below
    doc = await _findings(client, tmp_path, options=options)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert _no_logging(found) is not None  # the rest of the settings still apply
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    doc.replace(SILENT + "\n")
    await published(client, doc.uri, version=doc.version)
    shown = [m for m in client.messages if mentions in m.message]
    assert len(shown) == 1, client.messages
    assert shown[0].type == lsp.MessageType.Warning
    assert shown[0].message.startswith("trigger-lsp: invalid setting")


async def test_good_settings_next_to_bad_ones_still_apply(client: LanguageClient, tmp_path: Path):
    options = {
        "debounceMs": -5,
        "rules": {"task-no-logging": "off", "bogus": "off"},
        "profile": "strict",  # (so that the stub task still has findings to wait for)
    }
    doc = await _findings(client, tmp_path, options=options)
    found = await published(client, doc.uri, lambda d: bool(d))
    assert _no_logging(found) is None
    assert "task-no-concurrency-limit" in codes(found)
    # One message names both problems (issue 17: 12,000 unknown keys made 12,001 messages).
    assert len(client.messages) == 1
    assert "'debounceMs'" in client.messages[0].message and "bogus" in client.messages[0].message


async def test_flat_document_symbols_without_hierarchy_support(
    client: LanguageClient, tmp_path: Path
):
    caps = capabilities("vscode")
    assert caps.text_document is not None and caps.text_document.document_symbol is not None
    caps.text_document.document_symbol.hierarchical_document_symbol_support = False
    files = project(tmp_path, {"src/trigger/quiet.ts": SILENT})
    on = {"features": {"documentSymbols": True}}
    await request(
        client.initialize_session(
            lsp.InitializeParams(capabilities=caps, initialization_options=on)
        )
    )
    uri = open_doc(client, files["src/trigger/quiet.ts"])
    symbols = await request(
        client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
    )
    assert [(type(s).__name__, s.name, s.container_name) for s in symbols] == [
        ("SymbolInformation", "quiet", None),
        ("SymbolInformation", "run", "quiet"),
    ]


async def test_features_can_be_turned_off(client: LanguageClient, tmp_path: Path):
    options = {"features": {"navigation": False, "codeLens": False, "diagnostics": False}}
    doc = await _findings(client, tmp_path, options=options)
    assert list(await published(client, doc.uri)) == []
    ident = lsp.TextDocumentIdentifier(doc.uri)
    assert not await request(
        client.text_document_document_symbol_async(lsp.DocumentSymbolParams(ident))
    )
    assert not await request(client.text_document_code_lens_async(lsp.CodeLensParams(ident)))
    assert not await request(
        client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="quiet"))
    )


# --- malformed and unexpected requests ----------------------------------------------------------


async def _still_answers(client: LanguageClient, uri: str) -> None:
    symbols = await request(
        client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
        )
    )
    assert [s.name for s in symbols] == ["quiet"]


async def test_wrong_parameter_types_get_an_error(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    for method, params, answer in [
        (lsp.TEXT_DOCUMENT_DEFINITION, {"textDocument": 5, "position": "here"}, "error"),
        (lsp.TEXT_DOCUMENT_CODE_ACTION, {"textDocument": {"uri": doc.uri}}, "error"),
        (lsp.TEXT_DOCUMENT_HOVER, {"textDocument": {"uri": doc.uri}}, "error"),
        (lsp.TEXT_DOCUMENT_REFERENCES, None, "error"),
        (lsp.WORKSPACE_EXECUTE_COMMAND, {"command": "trigger-lsp.explainRule"}, "error"),
        # lsprotocol reads a number or a list where a string is due as its text.
        (lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL, {"textDocument": {"uri": 7}}, "empty"),
        (lsp.WORKSPACE_SYMBOL, {"query": ["a", "list"]}, "empty"),
    ]:
        if answer == "error":
            with pytest.raises(JsonRpcException) as error:
                await raw_request(client, method, params)
            assert error.value.code in (-32602, -32603), (method, error.value)
        else:
            assert not await raw_request(client, method, params), method
        await _still_answers(client, doc.uri)
    # Well-formed raw params are served as usual (the helper is not the cause of the errors).
    result = await raw_request(client, lsp.WORKSPACE_SYMBOL, {"query": "quiet"})
    assert [s["name"] for s in result] == ["quiet"]


async def test_unknown_methods(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    with pytest.raises(JsonRpcMethodNotFound):
        await request(client.protocol.send_request_async("trigger/noSuchMethod", {"a": 1}))
    client.protocol.notify("trigger/noSuchNotification", {"a": 1})
    client.protocol.notify("$/noSuchNotification", None)
    with pytest.raises(JsonRpcException):
        await request(
            client.workspace_execute_command_async(lsp.ExecuteCommandParams("no.such.command"))
        )
    await _still_answers(client, doc.uri)


async def test_requests_for_unknown_and_closed_documents(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    await published(client, doc.uri, lambda d: bool(d))
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(doc.uri))
    )
    for uri in ("file:///nowhere/x.ts", "untitled:Untitled-1", doc.uri):
        ident = lsp.TextDocumentIdentifier(uri)
        at = lsp.Position(2, 5)
        rng = lsp.Range(at, at)
        results = [
            await request(
                client.text_document_document_symbol_async(lsp.DocumentSymbolParams(ident))
            ),
            await request(client.text_document_definition_async(lsp.DefinitionParams(ident, at))),
            await request(
                client.text_document_references_async(
                    lsp.ReferenceParams(lsp.ReferenceContext(True), ident, at)
                )
            ),
            await request(client.text_document_code_lens_async(lsp.CodeLensParams(ident))),
            await request(
                client.text_document_code_action_async(
                    lsp.CodeActionParams(ident, rng, lsp.CodeActionContext(diagnostics=[]))
                )
            ),
            await request(client.text_document_hover_async(lsp.HoverParams(ident, at))),
            await request(client.text_document_completion_async(lsp.CompletionParams(ident, at))),
        ]
        assert all(not r or (hasattr(r, "items") and not r.items) for r in results), (uri, results)
        report = await request(
            client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(ident))
        )
        assert list(report.items) == []
    # Notifications about documents the server does not have are ignored.
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=9, uri="file:///nowhere/x.ts"),
            [lsp.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier("file:///nowhere/x.ts"))
    )
    open_doc(client, Path(doc.uri[len("file://") :]), SILENT)
    await _still_answers(client, doc.uri)


async def test_positions_past_the_end(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    ident = lsp.TextDocumentIdentifier(doc.uri)
    for at in (lsp.Position(2, 900), lsp.Position(900, 0), lsp.Position(900, 900)):
        assert not await request(
            client.text_document_definition_async(lsp.DefinitionParams(ident, at))
        )
        assert not await request(client.text_document_hover_async(lsp.HoverParams(ident, at)))
        actions = await request(
            client.text_document_code_action_async(
                lsp.CodeActionParams(ident, lsp.Range(at, at), lsp.CodeActionContext([]))
            )
        )
        assert all(a.kind == "source.fixAll.trigger-lsp" for a in actions or [])
    await _still_answers(client, doc.uri)


async def test_out_of_order_versions_are_ignored(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path, options={"debounceMs": 0})
    await published(client, doc.uri, version=1)
    logged = SILENT.replace("return 1;", 'console.log("x");\n    return 1;')
    doc.version = 5
    doc.replace(logged)  # version 6
    found = await published(client, doc.uri, version=6)
    assert _no_logging(found) is None
    for stale in (3, 6):  # older, and the same version again
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=stale, uri=doc.uri),
                [lsp.TextDocumentContentChangeWholeDocument(text=SILENT)],
            )
        )
    await asyncio.sleep(0.3)
    assert [p.version for p in publishes(client, doc.uri)][-1] == 6
    report = await request(
        client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(doc.uri))
        )
    )
    assert _no_logging(report.items) is None  # the server kept version 6's text


async def test_cancel_request(client: LanguageClient, tmp_path: Path):
    doc = await _findings(client, tmp_path)
    params = lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(doc.uri))
    pending = client.protocol.send_request_async(
        lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL, params, msg_id="cancel-me"
    )
    client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="cancel-me"))
    client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="never-sent"))
    try:
        result = await asyncio.wait_for(pending, TIMEOUT)
    except JsonRpcException as exc:  # cancelled before it ran (-32800)
        assert exc.code == lsp.LSPErrorCodes.RequestCancelled
    else:
        assert [s.name for s in result] == ["quiet"]  # it had already run
    await _still_answers(client, doc.uri)


async def test_a_document_with_odd_text(client: LanguageClient, tmp_path: Path):
    """Control characters, a NUL byte, a lone surrogate and a lone CR do not crash anything."""
    doc = await _findings(client, tmp_path, options={"debounceMs": 0})
    await published(client, doc.uri, version=1)
    for text in (
        SILENT.replace("return 1;", "return '\x00\x01\x7f';"),
        SILENT.replace("return 1;", "return '\ud83d';"),
        SILENT.replace("\n", "\r"),
        "",
        "}}}{{{ task(",
    ):
        doc.replace(text)
        await published(client, doc.uri, version=doc.version)
    doc.replace(SILENT)
    await published(client, doc.uri, lambda d: _no_logging(d) is not None, doc.version)
    await _still_answers(client, doc.uri)


# --- bytes on the wire --------------------------------------------------------------------------


def _frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def _message(payload: dict[str, Any]) -> bytes:
    return _frame(json.dumps(payload).encode())


def _responses(raw: bytes) -> list[dict[str, Any]]:
    out = []
    while raw:
        header, _, rest = raw.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in header.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        out.append(json.loads(rest[:length]))
        raw = rest[length:]
    return out


def test_malformed_json_rpc_on_stdio_does_not_stop_the_server(tmp_path: Path):
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": None, "capabilities": {}},
    }
    stream = b"".join(
        [
            b"this line is not a header\r\n",
            b"Content-Length: many\r\n\r\n",  # not a number
            _frame(b"{not json!!}"),
            _frame(b"[1, 2, 3]"),  # JSON, not a message
            _frame(b'{"id": 5, "method": "initialize"}'),  # no "jsonrpc"
            _frame(b'{"jsonrpc": "2.0", "id": 6, "method": "initialize", "params": 5}'),
            _frame('{"jsonrpc": "2.0", "method": "x", "params": "\u00e9"}'.encode()),
            _message(init),
            _message(
                {"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": {"query": ""}}
            ),
            _message({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
            _message({"jsonrpc": "2.0", "method": "exit"}),
        ]
    )
    done = subprocess.run(
        SERVER, input=stream, capture_output=True, timeout=60, cwd=tmp_path, check=False
    )
    replies = {r.get("id"): r for r in _responses(done.stdout) if "id" in r}
    assert "capabilities" in replies[1]["result"]
    assert replies[2]["result"] == []
    assert "result" in replies[3] and replies[3]["result"] is None
    assert replies[6]["error"]["code"] == -32602  # invalid params, answered
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_the_server_exits_when_stdin_closes(tmp_path: Path):
    done = subprocess.run(SERVER, input=b"", capture_output=True, timeout=60, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
