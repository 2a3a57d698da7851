"""textDocument/hover: the rule and sharp edge behind a diagnostic, SDK names resolved through
the file's imports, task option keys, option values and the task behind a triggered id.

Several can apply at once (a diagnostic on `wait.for`); they are shown together, the
diagnostic first. The text comes from references/ through explain.py and docs.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import tree_sitter as ts
from lsprotocol import types as lsp

from trigger_lsp.analysis.imports import SDK_MODULES
from trigger_lsp.analysis.model import FileModel
from trigger_lsp.analysis.syntax import string_value, text
from trigger_lsp.knowledge.model import ApiEntry, Knowledge
from trigger_lsp.lint.engine import Finding
from trigger_lsp.lsp.explain import version_note
from trigger_lsp.lsp.features import docs, hover_text
from trigger_lsp.lsp.features.markup import hover_markdown, markup
from trigger_lsp.lsp.features.position_context import (
    TRIGGER_BY_ID,
    Units,
    context_path,
    object_owner,
    string_spot,
)
from trigger_lsp.project.context import default_context
from trigger_lsp.project.versions import Version

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)
SEPARATOR = "\n\n---\n\n"
SEPARATOR_LINES = 3
KEY_TYPES = frozenset({"property_identifier", "shorthand_property_identifier"})


@dataclass(frozen=True)
class Symbol:
    markdown: str
    start: int
    end: int


def hover_at(session: Session, uri: str, position: lsp.Position) -> lsp.Hover | None:
    found = session.analysed_at(uri, position)
    if found is None:
        return None
    doc, offset, result = found
    assert result.model is not None and result.tree is not None  # checked by analysed_at
    encoding = session.encoding
    kb = session.kb
    parts: list[str] = []
    span: tuple[int, int] | None = None
    seen: set[str] = set()
    project = session.resolver.context_for(doc.path) if doc.path is not None else default_context()
    full = session.settings.hover_detail == "full"
    use_markdown = hover_markdown(session.client_capabilities)
    covering = [f for f in result.findings if _covers(f, offset) and f.rule in kb.rules]
    symbol = symbol_at(
        result.tree.root_node, doc.source, offset, result.model, kb, project.sdk_version, full
    )
    if symbol is None:
        symbol = task_id_at(
            session, result.tree.root_node, doc.source, offset, result.model, project.root
        )
    # The findings at one place share the lines the name's part leaves (hover_text.MAX_LINES).
    rules = max(1, len({f.rule for f in covering}))
    room = hover_text.MAX_LINES - SEPARATOR_LINES * (rules - 1)
    if symbol is not None:
        room -= hover_text.display_lines(symbol.markdown) + SEPARATOR_LINES
    share = max(1, room // rules)
    for finding in covering:
        if finding.rule not in seen:
            seen.add(finding.rule)
            note = version_note(kb.rules[finding.rule], project)
            parts.append(
                hover_text.finding_hover(
                    kb,
                    finding.rule,
                    finding.message,
                    note,
                    full=full,
                    markdown=use_markdown,
                    max_lines=share,
                )
            )
            span = span or (finding.start_byte, finding.end_byte)
    if symbol is not None:
        parts.append(symbol.markdown)
        span = (symbol.start, symbol.end)
    if not parts or span is None:
        return None
    contents = markup(SEPARATOR.join(parts), use_markdown)
    return lsp.Hover(contents=contents, range=doc.range(span[0], span[1], encoding))


def _covers(finding: Finding, offset: int) -> bool:
    if finding.start_byte == finding.end_byte:
        return offset == finding.start_byte
    return finding.start_byte <= offset < finding.end_byte


def _leaf(root: ts.Node, source: bytes, offset: int) -> ts.Node | None:
    if offset >= len(source):
        return None
    node = root.descendant_for_byte_range(offset, offset + 1)
    return node if node is not None and node.child_count == 0 else None


# --- SDK names, option keys and values ----------------------------------------------------------


def symbol_at(
    root: ts.Node,
    source: bytes,
    offset: int,
    model: FileModel,
    kb: Knowledge,
    version: Version | None,
    full: bool = False,
) -> Symbol | None:
    """The SDK name, option key or option value at the offset: a line or two of what
    TypeScript does not show (`full`: the whole reference entry), or None."""
    leaf = _leaf(root, source, offset)
    if leaf is None:
        return None
    parent = leaf.parent
    ref = kb.reference
    if leaf.type == "identifier":
        path = model.sdk.resolve(leaf)
        if path is None and parent is not None and parent.type == "import_specifier":
            path = _imported_name(parent)
        entry = ref.export(path) if path else None
        if entry is None and path is None:
            entry = _context_entry(kb, context_path(leaf, model))
        if entry is not None:
            return _symbol(hover_text.symbol_hover(kb, entry, version, full=full), leaf)
        return None
    if (
        leaf.type == "property_identifier"
        and parent is not None
        and parent.type == "member_expression"
    ):
        if parent.child_by_field_name("property") != leaf:
            return None
        path = model.sdk.resolve(parent)
        entry = ref.export(path) if path else None
        if entry is None and model.is_task_reference(parent.child_by_field_name("object")):
            entry = ref.method("task", text(leaf))
        if entry is None and path is None:
            entry = _context_entry(kb, context_path(parent, model))
        if entry is not None:
            return _symbol(hover_text.symbol_hover(kb, entry, version, full=full), leaf)
        return None
    if leaf.type in KEY_TYPES and parent is not None and _is_key(leaf, parent):
        owner = _key_owner(root, leaf, model)
        option = ref.option(owner, text(leaf)) if owner else None
        if option is not None:
            return _symbol(hover_text.symbol_hover(kb, option, version, full=full), leaf)
        return None
    string = _string_of(leaf)
    if string is not None:
        return _value_symbol(root, source, string, model, kb, version)
    return None


def _context_entry(kb: Knowledge, path: str | None) -> ApiEntry | None:
    """The reference entry of a run context field (`ctx.run.id`)."""
    entry = kb.reference.api.get(path) if path else None
    return entry if entry is not None and entry.receiver == "ctx" else None


def _symbol(markdown: str | None, leaf: ts.Node) -> Symbol | None:
    return Symbol(markdown, leaf.start_byte, leaf.end_byte) if markdown else None


def _imported_name(spec: ts.Node) -> str | None:
    statement = spec.parent.parent.parent if spec.parent and spec.parent.parent else None
    source = statement.child_by_field_name("source") if statement is not None else None
    if string_value(source) not in SDK_MODULES:
        return None
    return text(spec.child_by_field_name("name"))


def _is_key(leaf: ts.Node, parent: ts.Node) -> bool:
    if leaf.type == "shorthand_property_identifier":
        return parent.type == "object"
    if parent.type == "pair":
        return parent.child_by_field_name("key") == leaf
    if parent.type == "method_definition":
        return parent.child_by_field_name("name") == leaf
    return False


def _key_owner(root: ts.Node, key: ts.Node, model: FileModel) -> str | None:
    member = key if key.type == "shorthand_property_identifier" else key.parent
    if member is None:
        return None
    units = Units(root, member.start_byte)
    j = units.opener(0)
    owner = object_owner(units, j, model.sdk, model.is_task_reference) if j is not None else None
    return owner.owner if owner is not None else None


def _string_of(leaf: ts.Node) -> ts.Node | None:
    if leaf.type in ("string", "template_string"):
        return leaf
    parent = leaf.parent
    if parent is not None and parent.type in ("string", "template_string"):
        return parent
    return None


def _value_symbol(
    root: ts.Node,
    source: bytes,
    string: ts.Node,
    model: FileModel,
    kb: Knowledge,
    version: Version | None = None,
) -> Symbol | None:
    value = string_value(string)
    if value is None or string.end_byte - string.start_byte < 2:
        return None
    spot = string_spot(root, source, string.start_byte + 1, model.sdk, model.is_task_reference)
    if spot is None:
        return None
    set_id = None
    if spot.key in ("machine", "preset"):
        set_id = "machine"
    elif spot.key == "cron" or (spot.key == "pattern" and spot.in_cron):
        set_id = "cron"
    elif spot.key == "logLevel":
        set_id = "logLevel"
    elif spot.owner and spot.key:
        listed = kb.reference.values_for(f"{spot.owner}.{spot.key}")
        set_id = listed.id if listed is not None else None
    values = kb.reference.values.get(set_id) if set_id else None
    choice = next((c for c in values.values if c.value == value), None) if values else None
    if values is None or choice is None:
        return None
    markdown = docs.value_markdown(values, choice, version)
    return Symbol(markdown, string.start_byte, string.end_byte)


# --- task ids -------------------------------------------------------------------------------


def task_id_at(
    session: Session,
    root: ts.Node,
    source: bytes,
    offset: int,
    model: FileModel,
    project_root: Path,
) -> Symbol | None:
    leaf = _leaf(root, source, offset)
    string = _string_of(leaf) if leaf is not None else None
    if string is None or string.end_byte - string.start_byte < 2:
        return None
    task_id = string_value(string)
    spot = string_spot(root, source, string.start_byte + 1, model.sdk)
    if task_id is None or spot is None:
        return None
    by_id = spot.call in TRIGGER_BY_ID or (spot.key == "id" and spot.batch_item is not None)
    by_schedule = spot.key == "task" and spot.schedule_task
    if not (by_id or by_schedule):
        return None
    entries = [e for e in session.index.with_id(task_id) if e.project == project_root]
    markdown = docs.task_markdown(entries, task_id, session.index.complete)
    return Symbol(markdown, string.start_byte, string.end_byte)


def hover(session: Session, params: lsp.HoverParams) -> lsp.Hover | None:
    """textDocument/hover (routed in lsp/routes.py)."""
    return hover_at(session, params.text_document.uri, params.position)
