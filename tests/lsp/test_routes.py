"""The route table (lsp/routes.py) is what the server registers and advertises; its wrappers
apply the feature gates and contain failures alike; handlers are plain functions of a session,
called here without a language server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.protocol import default_converter

from lsp.session import CLIENTS, PULLING, capabilities
from trigger_lsp.lsp import clients, routes
from trigger_lsp.lsp.code_actions import code_action
from trigger_lsp.lsp.early import initialize_result
from trigger_lsp.lsp.features.hover import hover
from trigger_lsp.lsp.server import TriggerLanguageServer, create_server
from trigger_lsp.lsp.state import Session

TEXT = (
    'import { task } from "@trigger.dev/sdk";\n\nexport const t = task({ run: async () => {} });\n'
)


def test_the_server_registers_exactly_the_routes() -> None:
    fm = create_server().protocol.fm
    assert set(fm.features) == {r.method for r in routes.ROUTES if not r.command}
    assert set(fm.commands) == {r.method for r in routes.ROUTES if r.command}


def test_the_advertised_capabilities_come_from_the_table() -> None:
    caps = capabilities(PULLING)
    full = routes.capabilities(caps)
    assert full.hover_provider and full.diagnostic_provider is not None
    assert full.execute_command_provider is not None
    assert set(full.execute_command_provider.commands) == {
        r.method for r in routes.ROUTES if r.command
    }
    # a route taken out of the table is no longer advertised
    fewer = tuple(r for r in routes.ROUTES if r.method != lsp.TEXT_DOCUMENT_HOVER)
    assert not routes.capabilities(caps, routes=fewer).hover_provider
    # a route offered to some clients only (pull diagnostics: to those that can be asked to
    # pull again; Neovim 0.11 cannot)
    assert routes.capabilities(capabilities("neovim-0.11")).diagnostic_provider is None


@pytest.mark.parametrize(
    ("caps", "pull"),
    [
        (
            {
                "textDocument": {"diagnostic": {}},
                "workspace": {"diagnostics": {"refreshSupport": True}},
            },
            True,
        ),
        ({"textDocument": {"diagnostic": {}}}, False),  # cannot be asked to pull again
        (
            {
                "textDocument": {"diagnostic": None},
                "workspace": {"diagnostics": {"refreshSupport": True}},
            },
            False,
        ),
        ({"workspace": {"diagnostics": {"refreshSupport": True}}}, False),
        ({"textDocument": []}, False),
        (None, False),
    ],
)
def test_which_clients_pull_is_read_from_their_json_in_both_phases(caps: Any, pull: bool) -> None:
    """One predicate (lsp/clients.py) over the capabilities as sent: the first answers and the
    route table (through what the server kept of `initialize`) decide alike."""
    assert clients.pulls(caps) is pull
    structured = default_converter().structure(caps or {}, lsp.ClientCapabilities)
    advertised = routes.capabilities(structured, client_json=caps).diagnostic_provider
    assert (advertised is not None) is pull
    answered = initialize_result({"capabilities": caps}, "0")["capabilities"]
    assert ("diagnosticProvider" in answered) is pull


@pytest.mark.parametrize("name", [*CLIENTS, PULLING])
def test_the_server_reads_the_clients_capabilities_as_sent(name: str) -> None:
    """The server keeps the JSON of `initialize` (lsp/protocol.py); of the clients the tests
    know, only the one that can be asked to pull again is offered pull diagnostics."""
    caps = default_converter().unstructure(capabilities(name))
    protocol = create_server().protocol
    protocol.structure_message(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": caps}}
    )
    assert protocol.client_json == caps
    assert clients.pulls(protocol.client_json) is (name == PULLING)


def _session(tmp_path: Path) -> tuple[Session, str]:
    session = Session()
    path = tmp_path / "src" / "trigger" / "t.ts"
    uri = path.as_uri()
    session.store.open(uri, "typescript", 1, TEXT, path)
    return session, uri


class _Server:
    def __init__(self, session: Session) -> None:
        self.session = session


def test_a_gated_route_answers_its_empty_result_without_running(tmp_path: Path) -> None:
    session, _ = _session(tmp_path)
    called = []
    route = routes.Route("x/y", lambda s, p: called.append(p) or ["found"], gate=lambda s: False)
    assert routes._feature(route)(_Server(session), "params") is None
    assert called == []


def test_a_failing_handler_is_contained(tmp_path: Path) -> None:
    session, _ = _session(tmp_path)

    def broken(session: Session, params: Any) -> Any:
        raise RuntimeError("a bug")

    async def broken_async(session: Session, params: Any) -> Any:
        raise RuntimeError("a bug")

    assert routes._feature(routes.Route("x/y", broken, off=[]))(_Server(session), None) == []
    run = routes._feature(routes.Route("x/z", broken_async, off=[]))
    assert asyncio.run(run(_Server(session), None)) == []


def test_every_request_route_but_initialize_contains_failures() -> None:
    for route in routes.ROUTES:
        if not route.command and route.method != lsp.INITIALIZE:
            assert route.contain, route.method


def test_handlers_run_on_a_session_without_a_server(tmp_path: Path) -> None:
    session, uri = _session(tmp_path)
    session.apply_settings(None)
    converter = default_converter()
    params = converter.structure(
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 60}},
            "context": {"diagnostics": []},
        },
        lsp.CodeActionParams,
    )
    actions = code_action(session, params)
    assert actions and any("task-missing-id" in a.title for a in actions)
    at = lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(2, 17))
    found = hover(session, at)
    assert found is not None and "task" in str(found.contents)


def test_a_route_is_one_line_of_the_table() -> None:
    """Adding a route is adding a Route: the table alone registers it and advertises it."""
    extra = routes.Route(lsp.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, lambda s, p: [], off=[])
    table = (*routes.ROUTES, extra)
    server = TriggerLanguageServer()
    routes.register(server, table)
    assert lsp.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT in server.protocol.fm.features
    assert routes.capabilities(capabilities(PULLING), routes=table).document_highlight_provider
