"""The route table: every method and command the server answers, with the plain function that
answers it (each takes the session and the params), its feature gate, whether its errors are
contained, and the options it advertises. `register` puts them on the server; `capabilities`
is what the server advertises, made from the same table (and capabilities.json, the copy the
first answers send before pygls loads, is checked against it by tests/lsp/test_routes.py).

To add a feature: write `handler(session, params)` in a module by area, add one Route here.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.protocol import default_converter

from trigger_lsp.lsp import clients, code_actions, commands, diagnostics, lifecycle, sync
from trigger_lsp.lsp.features import completion, hover, navigation, task_lenses, workspace_check
from trigger_lsp.lsp.settings import ServerSettings

if TYPE_CHECKING:
    from trigger_lsp.lsp.server import TriggerLanguageServer

log = logging.getLogger(__name__)
Gate = Callable[[ServerSettings], bool]


@dataclass(frozen=True)
class Route:
    method: str  # the LSP method, or the command's name when `command`
    handler: Callable[..., Any]  # handler(session, params), or handler(session, *arguments)
    options: Any = None  # the options advertised with the method (lsprotocol)
    gate: Gate | None = None  # the setting that turns the feature on
    off: Any = None  # the answer when the feature is off or the handler failed
    contain: bool = True  # failures are logged and answered `off` (commands answer errors)
    command: bool = False
    # Whether a client with these capabilities (their JSON) is offered the method (default:
    # every client)
    offered: Callable[[Any], bool] | None = None


def _on(name: str) -> Gate:
    return lambda settings: bool(getattr(settings.features, name))


DIAGNOSTIC_OPTIONS = lsp.DiagnosticOptions(
    identifier="trigger-lsp", inter_file_dependencies=True, workspace_diagnostics=True
)
COMPLETION_OPTIONS = lsp.CompletionOptions(
    trigger_characters=completion.TRIGGER_CHARACTERS, resolve_provider=False
)
CODE_ACTION_OPTIONS = lsp.CodeActionOptions(
    code_action_kinds=code_actions.KINDS, resolve_provider=False
)
EMPTY_REPORT = lsp.RelatedFullDocumentDiagnosticReport(items=[])

ROUTES: tuple[Route, ...] = (
    # lifecycle (lsp/lifecycle.py)
    Route(lsp.INITIALIZE, lifecycle.initialize, contain=False),
    Route(lsp.INITIALIZED, lifecycle.initialized),
    Route(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION, lifecycle.did_change_configuration),
    # document sync (lsp/sync.py)
    Route(lsp.TEXT_DOCUMENT_DID_OPEN, sync.did_open),
    Route(lsp.TEXT_DOCUMENT_DID_CHANGE, sync.did_change),
    Route(lsp.TEXT_DOCUMENT_DID_CLOSE, sync.did_close),
    Route(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, sync.did_change_watched),
    # diagnostics (lsp/diagnostics.py); published ones go out from the server's schedule
    Route(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        diagnostics.pulled,
        DIAGNOSTIC_OPTIONS,
        off=EMPTY_REPORT,
        offered=clients.pulls,
    ),
    # actions (lsp/code_actions.py)
    Route(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        code_actions.code_action,
        CODE_ACTION_OPTIONS,
        _on("code_actions"),
    ),
    # features (lsp/features/)
    Route(lsp.TEXT_DOCUMENT_HOVER, hover.hover, None, _on("hover")),
    Route(
        lsp.TEXT_DOCUMENT_COMPLETION, completion.completion, COMPLETION_OPTIONS, _on("completion")
    ),
    # Off unless turned on: TypeScript's outline lists the tasks already (issue 16)
    Route(
        lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
        navigation.document_symbols,
        None,
        lambda s: s.features.navigation and s.features.document_symbols,
        [],
    ),
    Route(lsp.WORKSPACE_SYMBOL, navigation.workspace_symbols, None, _on("navigation"), []),
    Route(lsp.TEXT_DOCUMENT_DEFINITION, navigation.definition, None, _on("navigation"), []),
    Route(lsp.TEXT_DOCUMENT_REFERENCES, navigation.references, None, _on("navigation"), []),
    Route(
        lsp.TEXT_DOCUMENT_CODE_LENS,
        task_lenses.code_lens,
        lsp.CodeLensOptions(resolve_provider=False),
        _on("code_lens"),
        [],
    ),
    # the whole workspace (lsp/features/workspace_check.py)
    Route(
        lsp.WORKSPACE_DIAGNOSTIC,
        workspace_check.workspace_diagnostic,
        None,
        None,
        lsp.WorkspaceDiagnosticReport(items=[]),
        offered=clients.pulls,
    ),
    # commands (lsp/commands.py)
    Route(code_actions.EXPLAIN_COMMAND, commands.explain, contain=False, command=True),
    Route("trigger-lsp.fixAll", commands.fix_all, contain=False, command=True),
    Route(
        workspace_check.CHECK_WORKSPACE_COMMAND,
        workspace_check.check_workspace,
        contain=False,
        command=True,
    ),
    Route(
        task_lenses.SHOW_REFERENCES_COMMAND,
        task_lenses.show_references,
        contain=False,
        command=True,
    ),
    Route(
        task_lenses.OPEN_LOCATION_COMMAND, task_lenses.open_location, contain=False, command=True
    ),
)


def register(server: TriggerLanguageServer, routes: Sequence[Route] = ROUTES) -> None:
    """Register every route on the server: the handler gets the server's session."""
    for route in routes:
        if route.command:
            server.command(route.method)(_command(route))
        else:
            server.feature(route.method, route.options)(_feature(route))


def _feature(route: Route) -> Callable[..., Any]:
    handler, gate, off, method = route.handler, route.gate, route.off, route.method

    def failed(params: Any) -> Any:
        if not route.contain:
            raise
        # a bad request or a bug: the empty answer, and the server goes on
        log.exception("%s failed (%s)", method, _where(params))
        return off

    waits = _on_a_document(method)

    if inspect.iscoroutinefunction(handler):

        async def run_async(ls: Any, params: Any) -> Any:
            session = ls.session
            if gate is not None and not gate(session.settings):
                return off
            uri = _uri(params) if waits else None
            if uri is not None and ls.must_wait(uri):
                await ls.analysed(uri)
            try:
                return await handler(session, params)
            except Exception:
                return failed(params)

        return run_async

    if waits:

        def run_after_analysis(ls: Any, params: Any) -> Any:
            """A request on a document whose analysis runs in slices (lsp/server.py) waits
            for it, other requests answered meanwhile; pygls runs this generator, resuming it
            once `analysed` is done."""
            session = ls.session
            if gate is not None and not gate(session.settings):
                return off
            uri = _uri(params)
            if uri is not None and ls.must_wait(uri):
                yield ls.analysed, (uri,), {}
            try:
                return handler(session, params)
            except Exception:
                return failed(params)

        return run_after_analysis

    def run(ls: Any, params: Any) -> Any:
        session = ls.session
        if gate is not None and not gate(session.settings):
            return off
        try:
            return handler(session, params)
        except Exception:
            return failed(params)

    return run


def _command(route: Route) -> Callable[..., Any]:
    handler = route.handler
    if inspect.iscoroutinefunction(handler):

        async def run_async(ls: Any, *args: Any) -> Any:
            return await handler(ls.session, *args)

        return run_async

    def run(ls: Any, *args: Any) -> Any:
        return handler(ls.session, *args)

    return run


def _on_a_document(method: str) -> bool:
    """Whether the method is a request about one text document (its params name it)."""
    types = lsp.METHOD_TO_TYPES.get(method)
    if types is None or types[1] is None:  # not LSP's, or a notification
        return False
    fields = getattr(types[2], "__attrs_attrs__", ())  # (lsprotocol's params are attrs classes)
    return any(f.name == "text_document" for f in fields)


def _uri(params: Any) -> str | None:
    doc = getattr(params, "text_document", None)
    uri = getattr(doc, "uri", None)
    return uri if isinstance(uri, str) else None


def _where(params: Any) -> str:
    doc = getattr(params, "text_document", None)
    return f"{getattr(doc, 'uri', '')} {getattr(params, 'position', '')}".strip()


def capabilities(
    client: lsp.ClientCapabilities,
    sync_kind: lsp.TextDocumentSyncKind = lsp.TextDocumentSyncKind.Incremental,
    routes: Sequence[Route] = ROUTES,
    client_json: Any = None,
) -> lsp.ServerCapabilities:
    """What the server advertises to a client with these capabilities (`client_json`: as the
    client sent them, else made from `client`): the routes offered to it, with their options
    (built as pygls builds them)."""
    if client_json is None and any(r.offered is not None for r in routes):
        client_json = default_converter().unstructure(client)
    offered = [r for r in routes if r.offered is None or r.offered(client_json)]
    features = {r.method for r in offered if not r.command}
    # pygls' own handlers that advertise something (document sync, workspace folders)
    features |= {
        lsp.TEXT_DOCUMENT_DID_OPEN,
        lsp.TEXT_DOCUMENT_DID_CLOSE,
        lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS,
    }
    options = {r.method: r.options for r in offered if not r.command and r.options is not None}
    return ServerCapabilitiesBuilder(
        client,
        features,
        options,
        [r.method for r in offered if r.command],
        sync_kind,
        None,
        ServerCapabilitiesBuilder.choose_position_encoding(client),
    ).build()
