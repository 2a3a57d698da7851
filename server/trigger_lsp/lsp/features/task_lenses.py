"""Code lenses that add something (issue 16): what the code below does not show, and a click
that goes there.

- "triggered from N places": the places in the workspace that trigger the task (by id or by
  its task object), once the index is complete; a click shows them (`trigger-lsp.showReferences`
  with the rust-analyzer-style arguments uri, position, locations: a client may handle it
  itself, as VS Code's `editor.action.showReferences`; otherwise the server opens the first
  place with `window/showDocument`). No lens when nothing triggers the task in the workspace
  (an app elsewhere may), or while the index is incomplete.
- "trigger.config.ts: maxDuration 300 s · retry 3 times · machine small-2x": the defaults the task
  takes from the config because it does not set them itself (only values the config writes
  as literals); a click opens the config at the option (`trigger-lsp.openLocation`, served
  with `window/showDocument`).

A task that sets everything itself and that nothing triggers gets no lens.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import tree_sitter as ts
from lsprotocol import types as lsp

from trigger_lsp.analysis.model import TaskDefinition
from trigger_lsp.analysis.syntax import member_value, number_value, object_members, string_value
from trigger_lsp.analysis.syntax import unwrap as unwrap_node
from trigger_lsp.lsp.convert import location
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.features.navigation import TaskLookup, _current_open_documents
from trigger_lsp.lsp.state import serving
from trigger_lsp.lsp.wire import Locator
from trigger_lsp.project.index import TaskEntry
from trigger_lsp.project.trigger_config import TriggerConfig

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)
SHOW_REFERENCES_COMMAND = "trigger-lsp.showReferences"
OPEN_LOCATION_COMMAND = "trigger-lsp.openLocation"
TIMES = "\u00d7"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _option(obj: ts.Node | None, name: str) -> ts.Node | None:
    return unwrap_node(member_value(object_members(obj).get(name)))


def inherited(task: TaskDefinition, config: TriggerConfig) -> list[tuple[str, ts.Node]]:
    """(text, the config option's node) for each default the task takes from the config: its
    `maxDuration`, `retries.default.maxAttempts` and `machine`, where the task does not set
    the option and the config writes a literal value."""
    options = task.options
    spread = options is not None and any(c.type == "spread_element" for c in options.named_children)
    if config.tree is None or config.has_spread or spread or options is None:
        return []  # (an option may come from an object the syntax does not show)
    out: list[tuple[str, ts.Node]] = []
    members = config.members
    if "maxDuration" not in task.members and config.max_duration is not None:
        out.append((f"maxDuration {_number(config.max_duration)} s", members["maxDuration"]))
    if "retry" not in task.members:
        retries = unwrap_node(member_value(members.get("retries")))
        default = _option(retries, "default")
        attempts = number_value(_option(default, "maxAttempts"))
        if attempts is not None and default is not None:
            out.append((f"retry {_number(attempts)}{TIMES}", default))
    if "machine" not in task.members:
        machine = unwrap_node(member_value(members.get("machine")))
        if machine is not None and machine.type == "object":
            machine = _option(machine, "preset")
        preset = string_value(machine)
        if preset is not None and "machine" in members:
            out.append((f"machine {preset}", members["machine"]))
    return out


def _entry_for(
    task: TaskDefinition, entries: dict[tuple[str | None, str | None], TaskEntry]
) -> TaskEntry | None:
    return entries.get((task.id, task.variable))


def _first_entries(entries: list[TaskEntry]) -> dict[tuple[str | None, str | None], TaskEntry]:
    """The first entry of each (id, variable): looked up once per task."""
    out: dict[tuple[str | None, str | None], TaskEntry] = {}
    for entry in entries:
        out.setdefault((entry.id, entry.variable), entry)
    return out


def _anchor(doc: Document, task: TaskDefinition, enc: Any) -> lsp.Range:
    start = task.statement.start_byte
    line_end = doc.source.find(b"\n", start)
    end = min(task.statement.end_byte, line_end if line_end >= 0 else len(doc.source))
    return doc.range(start, end, enc)


def task_lenses(session: Session, doc: Document) -> list[lsp.CodeLens]:
    result = session.analyze(doc)
    if result.model is None or not result.is_trigger_file or doc.path is None:
        return []
    enc = session.encoding
    lenses: list[lsp.CodeLens] = []
    project = session.resolver.context_for(doc.path)
    config = project.config
    lookup = TaskLookup(session)
    locator = Locator(session.store, enc)
    entries: list[TaskEntry] = []
    if session.index.complete:  # (before: "triggered from" counts would be short)
        _current_open_documents(session)
        entries = session.index.in_file(doc.path) or []
    by_name = _first_entries(entries)
    for task in result.model.tasks:
        anchor = _anchor(doc, task, enc)
        entry = _entry_for(task, by_name)
        if entry is not None:
            sites = sorted(lookup.sites_of([entry]), key=lambda s: (str(s.path), s.start_byte))
            if sites:
                places = [location(locator, s.path, s.start_byte, s.end_byte) for s in sites]
                word = "place" if len(places) == 1 else "places"
                at = doc.position(entry.start_byte, enc)
                lenses.append(
                    lsp.CodeLens(
                        range=anchor,
                        command=lsp.Command(
                            title=f"triggered from {len(places)} {word}",
                            command=SHOW_REFERENCES_COMMAND,
                            arguments=[doc.uri, at, places],
                        ),
                    )
                )
        taken = inherited(task, config) if config is not None else []
        if taken and config is not None:
            first = taken[0][1]
            target = location(locator, config.path, first.start_byte, first.end_byte)
            title = f"{config.path.name}: " + " · ".join(text for text, _ in taken)
            lenses.append(
                lsp.CodeLens(
                    range=anchor,
                    command=lsp.Command(
                        title=title, command=OPEN_LOCATION_COMMAND, arguments=[target]
                    ),
                )
            )
    return lenses


def code_lens(session: Session, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    doc = session.document(params.text_document.uri)
    if doc is None or not session.settings.features.code_lens:
        return []
    if not session.index.complete:
        _refresh_when_indexed(session)
    return task_lenses(session, doc)


def _refresh_when_indexed(session: Session) -> None:
    """Lenses asked for before the index was complete lack "triggered from": ask the client
    to ask again once it is (when it can be asked)."""
    ws = session.client_capabilities.workspace
    lens = ws.code_lens if ws is not None else None
    if lens is None or not lens.refresh_support or session.lens_refresh is not None:
        return

    server = serving(session)

    async def refresh() -> None:
        await session.index_done.wait()
        if session.index.complete:
            try:
                await server.workspace_code_lens_refresh_async(None)
            except Exception as exc:  # a client that declared it but does not answer it
                log.info("workspace/codeLens/refresh failed: %s", exc)

    session.lens_refresh = asyncio.ensure_future(refresh())


def _location_arg(session: Any, value: Any) -> lsp.Location | None:
    if isinstance(value, lsp.Location):
        return value
    try:
        found: lsp.Location = serving(session).protocol._converter.structure(value, lsp.Location)
    except Exception:
        return None
    return found


async def _show(session: Any, target: lsp.Location) -> bool:
    window = session.client_capabilities.window
    if window is None or not window.show_document or not window.show_document.support:
        return False
    shown = await serving(session).window_show_document_async(
        lsp.ShowDocumentParams(uri=target.uri, take_focus=True, selection=target.range)
    )
    return bool(shown.success)


async def show_references(session: Any, *args: Any) -> list[Any]:
    """The lens's click, for a client that leaves it to the server: open the first place (the
    client shows the rest of a list where it can). Returns the places."""
    places = args[2] if len(args) > 2 and isinstance(args[2], list) else []
    first = _location_arg(session, places[0]) if places else None
    if first is not None:
        await _show(session, first)
    return places


async def open_location(session: Any, *args: Any) -> bool:
    """Open a location (the config option a task takes its default from)."""
    target = _location_arg(session, args[0]) if args else None
    return await _show(session, target) if target is not None else False
