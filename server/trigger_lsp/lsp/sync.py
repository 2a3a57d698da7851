"""Document sync: didOpen, didChange, didClose and watched files."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from trigger_lsp.analysis.syntax import is_source_path
from trigger_lsp.lsp.state import path_of, serving
from trigger_lsp.text import MAX_FILE_BYTES

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)


def did_open(session: Session, params: lsp.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    doc = session.open_document(item.uri, item.language_id, item.version, item.text)
    if doc is not None:  # (the first answers open theirs the same way: lsp/early_state.py)
        serving(session).schedule(doc, delay_ms=0)


def did_change(session: Session, params: lsp.DidChangeTextDocumentParams) -> None:
    doc = session.store.get(params.text_document.uri)
    if doc is None:
        return
    version = params.text_document.version
    if version is not None and doc.version is not None and version <= doc.version:
        log.warning("ignoring out-of-order change %s <= %s", version, doc.version)
        return
    for change in params.content_changes:
        doc.apply(change, session.encoding)
    doc.version = version
    server = serving(session)
    if len(doc.source) > MAX_FILE_BYTES:  # no longer checked (reopen it once smaller)
        session.too_large(doc.uri, doc.source.decode("utf-8", "replace"))
        if not session.pull_diagnostics:
            server.publish_diagnostics(doc.uri, [])
        return
    server.schedule(doc)


def did_close(session: Session, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = session.store.close(uri)
    server = serving(session)
    server.cancel(uri)
    if not session.pull_diagnostics:
        server.publish_diagnostics(uri, [])
    if doc is not None and doc.path is not None:
        if doc.path.is_file():  # the file on disk is what the project sees now
            if session.index_from_disk(doc.path):
                session.refresh_others(doc.uri)
        else:
            session.index.remove(doc.path)
            session.refresh_others(doc.uri)


def did_change_watched(session: Session, params: lsp.DidChangeWatchedFilesParams) -> None:
    session.resolver.clear()  # package.json, trigger.config or .trigger-lsp.yaml may have changed
    session.index.forget_aliases()  # and tsconfig.json
    for change in params.changes:
        path = path_of(change.uri)
        if path is None or session.store.get(change.uri) is not None:
            continue
        if change.type == lsp.FileChangeType.Deleted:
            session.index.remove(path)
        elif is_source_path(path) and path.is_file():
            session.index_from_disk(path)
    session.refresh_others("")
