"""Whole-workspace results (issue 16): the findings of files that are not open, as ESLint's and
Biome's workspace checks give them.

- `trigger-lsp.checkWorkspace` (workspace/executeCommand) checks every file of the workspace
  that is not open and publishes its diagnostics (an empty list for a file it reported before
  that has none now); it answers with counts.
- `workspace/diagnostic` answers a pull client with the same results, open documents included
  (their current analysis), and "unchanged" for a file whose findings match the result id the
  client sent. A client pulls again as soon as it has the answer, so every request after the
  first answer is held REPULL_WAIT_S first, and a file not changed on disk since its last check
  keeps its findings (so a task id changed elsewhere shows there at its next change, or at
  the next "Check workspace", which always checks every file).

Files are the ones the background index and `trigger-lsp check` walk (lsp/workspace.py, the
CLI's discovery), checked by the same entry as the CLI (file_check.check_source) against the
project index. The work is bounded (MAX_FILES files; the walk's own bounds), lets requests in
between files, and stops when the request is cancelled ($/cancelRequest cancels the handler).
Handlers are plain functions taking (server, params); lsp/server.py registers them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from trigger_lsp.analysis.syntax import grammar_for
from trigger_lsp.lint.engine import FileResult
from trigger_lsp.lint.file_check import check_source
from trigger_lsp.lint.settings import RECOMMENDED, RuleSettings
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.state import serving
from trigger_lsp.lsp.wire import Locator
from trigger_lsp.project.reading import read_regular
from trigger_lsp.text import MAX_FILE_BYTES, looks_binary

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)
INDEX_WAIT_S = 5.0  # how long a workspace check waits for the background index at most
CHECK_WORKSPACE_COMMAND = "trigger-lsp.checkWorkspace"
MAX_FILES = 5_000  # files checked at most per request
# A pull client asks again as soon as it has an answer (VS Code: 2 s later): a request after
# the first answer is held this long first (with `features.workspaceDiagnostics` off, every
# one is, and answered with nothing), and files not changed on disk
# since (same size and modification time, same settings) keep their findings without a check.
REPULL_WAIT_S = 30.0


@dataclass
class Checked:
    uri: str
    path: Path
    diagnostics: list[lsp.Diagnostic]
    version: int | None  # an open document's; None for a file on disk


def _rule_settings(session: Session, path: Path) -> tuple[Any, RuleSettings]:
    project = session.resolver.context_for(path)
    profile = project.lint.profile or session.settings.profile or RECOMMENDED
    return project, RuleSettings(profile=profile).layered(
        session.settings.rules, project.lint.rules
    )


def check_file_on_disk(session: Session, path: Path) -> tuple[FileResult, bytes] | None:
    """The findings of a file that is not open, as `trigger-lsp check` finds them, and the text
    they are in (None when it cannot be read or is skipped)."""
    try:
        source = read_regular(path, MAX_FILE_BYTES)
    except OSError:
        return None
    if looks_binary(source):
        return None
    project, rules = _rule_settings(session, path)
    result = check_source(
        source, path, project=project, settings=rules, index=session.index, kb=session.kb
    )
    return None if result.skipped else (result, source)


def _diagnostics(
    session: Session, path: Path, result: FileResult, source: bytes
) -> list[lsp.Diagnostic]:
    """The diagnostics of a file not open, converted as an open document's are."""
    doc = Document(path.as_uri(), path, None, None, source, grammar_for(path))
    locator = Locator(session.store, session.encoding)
    make = serving(session).protocol.diagnostic  # (wire.diagnostic_json, as every diagnostic)
    return [make(doc, f, session.kb, session.encoding, locator) for f in result.findings]


def _stamp(session: Session, path: Path) -> object | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, id(session.settings), session.index.complete)


async def checked_files(
    session: Session, include_open: bool, left_out: list[str], cached: bool = False
) -> AsyncIterator[Checked]:
    """Every file of the workspace with its diagnostics, a file at a time, letting requests in
    between (and raising CancelledError there when the request was cancelled)."""
    from trigger_lsp.lsp.workspace import workspace_files, workspace_roots

    server = serving(session)
    await session.index_done.wait(INDEX_WAIT_S)  # the index, which cross-file rules read
    roots = [Path(p) for p in workspace_roots(server)]
    count = 0
    for path in workspace_files(roots, session.resolver, left_out):
        await asyncio.sleep(0)
        if path is None:
            continue
        if count >= MAX_FILES:
            left_out.append(f"the files after the first {MAX_FILES}")
            return
        count += 1
        uri = path.as_uri()
        doc = session.store.get(uri)
        if doc is not None:
            if include_open:
                yield Checked(uri, path, server.diagnostics_for(doc), doc.version)
            continue
        cache = session.workspace.pull_cache if cached else None
        stamp = _stamp(session, path) if cache is not None else None
        if cache is not None and stamp is not None and uri in cache and cache[uri][0] == stamp:
            yield Checked(uri, path, cache[uri][1], None)
            continue
        try:
            found = check_file_on_disk(session, path)
            if found is None:
                continue
            diagnostics = _diagnostics(session, path, *found)
            if cache is not None and stamp is not None:
                cache[uri] = (stamp, diagnostics)
            yield Checked(uri, path, diagnostics, None)
        except Exception as exc:  # one file must not end the check
            session.log_once(f"checking {path} failed: {type(exc).__name__}: {exc}")


async def check_workspace(session: Any, *args: Any) -> dict[str, Any]:
    """The command: publish the diagnostics of every file not open; answer with counts. (pygls
    reads a command's annotations at run time: `session` cannot name a type-checking import.)"""
    if not session.settings.features.diagnostics:
        return {"files": 0, "findings": 0, "filesWithFindings": 0, "leftOut": []}
    published = session.workspace.published
    left_out: list[str] = []
    files = findings = with_findings = 0
    seen: set[str] = set()
    async for checked in checked_files(session, include_open=False, left_out=left_out):
        files += 1
        seen.add(checked.uri)
        if checked.diagnostics:
            with_findings += 1
            findings += len(checked.diagnostics)
        if checked.diagnostics or checked.uri in published:
            serving(session).publish_diagnostics(checked.uri, checked.diagnostics)
        if checked.diagnostics:
            published.add(checked.uri)
        else:
            published.discard(checked.uri)
    for uri in sorted(published - seen):  # gone from the workspace since the last check
        if session.store.get(uri) is None:
            serving(session).publish_diagnostics(uri, [])
        published.discard(uri)
    if left_out:
        log.warning("the workspace check left out %s", "; ".join(left_out))
    return {
        "files": files,
        "findings": findings,
        "filesWithFindings": with_findings,
        "leftOut": left_out,
    }


def _result_id(diagnostics: list[lsp.Diagnostic]) -> str:
    key = repr(
        [(d.code, d.message, d.range.start.line, d.range.start.character) for d in diagnostics]
    )
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


async def workspace_diagnostic(
    session: Session, params: lsp.WorkspaceDiagnosticParams
) -> lsp.WorkspaceDiagnosticReport:
    """workspace/diagnostic: every file's findings, open documents included."""
    previous = {p.uri: p.value for p in params.previous_result_ids or []}
    features = session.settings.features
    answered = session.workspace.pull_answered
    if answered or not (features.diagnostics and features.workspace_diagnostics):
        # Asked again (the ids may also be those of document pulls): not at once, and not at
        # all while turned off (cancelled with the request).
        await asyncio.sleep(REPULL_WAIT_S)
    if not (features.diagnostics and session.settings.features.workspace_diagnostics):
        return lsp.WorkspaceDiagnosticReport(items=[])
    session.workspace.pull_answered = True
    items: list[lsp.WorkspaceDocumentDiagnosticReport] = []
    async for checked in checked_files(session, include_open=True, left_out=[], cached=True):
        result_id = _result_id(checked.diagnostics)
        if previous.get(checked.uri) == result_id:
            items.append(
                lsp.WorkspaceUnchangedDocumentDiagnosticReport(
                    uri=checked.uri, result_id=result_id, version=checked.version
                )
            )
        else:
            items.append(
                lsp.WorkspaceFullDocumentDiagnosticReport(
                    uri=checked.uri,
                    items=checked.diagnostics,
                    version=checked.version,
                    result_id=result_id,
                )
            )
    return lsp.WorkspaceDiagnosticReport(items=items)
