"""The session's life: initialize, initialized and the client's settings."""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from trigger_lsp.lint.engine import warm_up
from trigger_lsp.lsp.clients import asks_configuration, pulls
from trigger_lsp.lsp.settings import SECTION
from trigger_lsp.lsp.state import serving

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)


def initialize(session: Session, params: lsp.InitializeParams) -> None:
    session.client_capabilities = params.capabilities
    session.pull_diagnostics = pulls(serving(session).protocol.client_json)
    # Validating settings needs the references; load them after the answer has gone out.
    session._initialization_options = params.initialization_options


async def initialized(session: Session, params: lsp.InitializedParams) -> None:
    server = serving(session)
    session.apply_settings(session._initialization_options)  # loads the references
    warm_up()  # the rule modules and the syntax queries, before the first document
    # What is loaded by now lives as long as the server: keep it out of the collector's
    # full passes, which would otherwise scan it again and again (pauses of tens of ms).
    # Collect first: garbage frozen now would never be freed. (Unless the first answers
    # ran: their session froze what they loaded, and a collection now would keep the first
    # requests waiting some 20 ms.)
    if not server.took_over:
        gc.collect()
    gc.freeze()
    server.warm_up()  # what the first requests would load, between requests
    # Documents opened meanwhile are checked at once with the project files and the
    # settings known so far, never held for the client's settings: when these change the
    # result, the documents are checked again (published again, or pulled again).
    if asks_configuration(server.protocol.client_json):
        before = session.settings
        await pull_configuration(session)
        if session.settings != before:
            session.refresh_others("")
    if session.settings.index_workspace:
        server.start_indexing()
    else:
        session.index.complete = False
        session.index_done.set()  # (not wanted)


async def did_change_configuration(
    session: Session, params: lsp.DidChangeConfigurationParams
) -> None:
    if asks_configuration(serving(session).protocol.client_json):
        await pull_configuration(session)
    elif params.settings is not None:
        session.apply_settings(params.settings)
    session.refresh_others("")


async def pull_configuration(session: Session) -> None:
    values: Any
    try:
        values = await serving(session).configuration(SECTION)
    except Exception as exc:  # a client that fails the request keeps the current settings
        log.warning("workspace/configuration failed: %s", exc)
        return
    if values:
        session.apply_settings(values[0])
