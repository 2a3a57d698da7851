"""textDocument/completion: pattern snippets at statement starts, task option keys, nested
option keys, option values, SDK members and task ids.

Where the cursor is comes from position_context (the syntax tree around it); what to offer and
how to describe it comes from references/ (patterns and the API reference).
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import tree_sitter as ts
from lsprotocol import types as lsp

from trigger_lsp.analysis.imports import SDK_ROOT, SDK_V3
from trigger_lsp.analysis.model import FileModel
from trigger_lsp.knowledge.model import ApiEntry, Knowledge, OptionEntry, Pattern
from trigger_lsp.knowledge.snippets import snippet_to_plain
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.features import completion_policy, docs
from trigger_lsp.lsp.features.markup import CompletionSupport
from trigger_lsp.lsp.features.position_context import (
    TRIGGER_BY_ID,
    KeySpot,
    MemberSpot,
    StatementSpot,
    StringSpot,
    key_spot,
    member_spot,
    statement_spot,
    string_spot,
)
from trigger_lsp.project.context import default_context
from trigger_lsp.project.index import ProjectIndex, TaskEntry
from trigger_lsp.project.installed_sdk import InstalledSdk, option_keys, option_values
from trigger_lsp.project.paths import display_path
from trigger_lsp.project.trigger_config import is_config_path
from trigger_lsp.project.versions import Version
from trigger_lsp.text import Encoding

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

log = logging.getLogger(__name__)

TRIGGER_CHARACTERS = [".", '"', "'", "`"]
FIRST_KEYS = ("id", "run")  # offered first in task options
# What an item completes, in `data["role"]`, so that one filter can tell option keys (which
# TypeScript's own completion offers wherever it runs) from values, members and snippets.
ROLE_KEY, ROLE_VALUE, ROLE_MEMBER, ROLE_SNIPPET = "key", "value", "member", "snippet"


def item_role(item: lsp.CompletionItem) -> str | None:
    """The role of an item this server made (`key`, `value`, `member` or `snippet`)."""
    return item.data.get("role") if isinstance(item.data, dict) else None


@cache
def time_zones() -> tuple[str, ...]:
    """IANA time zone names, read once."""
    return tuple(sorted(zoneinfo.available_timezones()))


@dataclass(frozen=True)
class Request:
    """Everything one completion needs, gathered once."""

    doc: Document
    model: FileModel
    kb: Knowledge
    encoding: Encoding
    support: CompletionSupport
    version: Version | None
    offset: int
    config_file: bool
    index: ProjectIndex
    project_root: Path | None  # None for a document that is not a file
    installed: InstalledSdk | None = None  # the project's installed SDK (installed_sdk.py)

    def range(self, start: int, end: int) -> lsp.Range:
        return self.doc.range(start, end, self.encoding)

    def indent(self) -> str:
        """The leading whitespace of the cursor's line."""
        start = self.doc.source.rfind(b"\n", 0, self.offset) + 1
        line = self.doc.source[start : self.offset]
        return line[: len(line) - len(line.lstrip(b" \t"))].decode("utf-8", "replace")

    def next_char(self, skip_newlines: bool = False) -> str:
        """The first character after the cursor that is not a space (or newline)."""
        blanks = b" \t\r\n" if skip_newlines else b" \t"
        rest = self.doc.source[self.offset :].lstrip(blanks)
        return rest[:1].decode("utf-8", "replace")

    def insert(self, snippet: str) -> tuple[str, lsp.InsertTextFormat]:
        """Snippet text for clients that take snippets, else its plain text."""
        snippet = _indent(snippet, self.indent())
        if self.support.snippets:
            return snippet, lsp.InsertTextFormat.Snippet
        return _plain(snippet), lsp.InsertTextFormat.PlainText

    def keep_indentation(self, item: lsp.CompletionItem) -> None:
        """Multi-line text is indented here already: ask the client not to indent it again."""
        edit = item.text_edit
        if self.support.insert_as_is and isinstance(edit, lsp.TextEdit) and "\n" in edit.new_text:
            item.insert_text_mode = lsp.InsertTextMode.AsIs

    def deprecation(self, item: lsp.CompletionItem) -> None:
        if self.support.deprecated_tag:
            item.tags = [lsp.CompletionItemTag.Deprecated]
        elif self.support.deprecated_field:
            item.deprecated = True


@lru_cache(maxsize=2048)
def _plain(snippet: str) -> str:
    """snippet_to_plain, kept: a statement completion offers every pattern (some 25), and
    turning them all into plain text again took 10 to 20 ms of each request."""
    return snippet_to_plain(snippet)


def _indent(text: str, indent: str) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0], *[indent + line if line else line for line in lines[1:]]])


# --- the request ---------------------------------------------------------------------------


def complete(session: Session, uri: str, position: lsp.Position) -> lsp.CompletionList | None:
    found = session.analysed_at(uri, position)
    if found is None:
        return None
    doc, offset, result = found
    assert result.model is not None and result.tree is not None  # checked by analysed_at
    encoding = session.encoding
    config = is_config_path(doc.path)
    project = session.resolver.context_for(doc.path) if doc.path is not None else default_context()
    req = Request(
        doc,
        result.model,
        session.kb,
        encoding,
        CompletionSupport.of(session.client_capabilities),
        project.sdk_version,
        offset,
        config,
        session.index,
        project.root if doc.path is not None else None,
        project.installed_sdk,
    )
    items = _items(req, result.tree.root_node)
    if items is None:
        return None
    # (one filter for every item: what TypeScript completes itself is left to it)
    items = completion_policy.apply(
        items, session.settings.completion_keys, doc.path, result.tree.root_node
    )
    return lsp.CompletionList(is_incomplete=False, items=items)


def _items(req: Request, root: ts.Node) -> list[lsp.CompletionItem] | None:
    """The items of the first context that applies at the cursor."""
    source, offset, model = req.doc.source, req.offset, req.model
    string = string_spot(root, source, offset, model.sdk, model.is_task_reference)
    if string is not None:
        return string_items(req, string)
    member = member_spot(root, source, offset, model)
    if member is not None:
        return member_items(req, member)
    key = key_spot(root, source, offset, model.sdk, model.is_task_reference)
    if key is not None:
        return key_items(req, key)
    statement = statement_spot(root, source, offset)
    return pattern_items(req, statement) if statement is not None else None


# --- members after `wait.` ---------------------------------------------------------------------


def member_items(req: Request, spot: MemberSpot) -> list[lsp.CompletionItem]:
    ref = req.kb.reference
    if spot.task_reference:
        entries = [e for e in ref.api.values() if e.receiver == "task"]
    elif spot.context is not None:  # `ctx.` on the run context
        entries = ref.context_members(spot.context)
    elif spot.path == "":  # `sdk.` of `import * as sdk`
        entries = [e for e in ref.api.values() if e.owner is None and e.receiver is None]
    else:
        entries = ref.members(spot.path or "")
    items = []
    call_follows = req.next_char() in ("(", "<")
    for n, entry in enumerate(e for e in entries if docs.is_available(e, req.version)):
        items.append(_member_item(req, spot, entry, n, call_follows))
    return items


def _member_item(
    req: Request, spot: MemberSpot, entry: ApiEntry, n: int, call_follows: bool
) -> lsp.CompletionItem:
    deprecated = docs.is_deprecated(entry, req.version)
    if entry.snippet and req.support.snippets and not call_follows:
        text, fmt = req.insert(entry.name + entry.snippet)
    else:
        text, fmt = entry.name, lsp.InsertTextFormat.PlainText
    item = lsp.CompletionItem(
        label=entry.name,
        kind=lsp.CompletionItemKind.Method if entry.snippet else lsp.CompletionItemKind.Property,
        detail=entry.signature,
        documentation=req.support.documentation(docs.api_markdown(req.kb, entry, req.version)),
        sort_text=f"{'9' if deprecated else '0'}{n:03d}",
        filter_text=entry.name,
        insert_text_format=fmt,
        text_edit=lsp.TextEdit(req.range(spot.word.start, spot.word.end), text),
        data={"role": ROLE_MEMBER},
    )
    req.keep_indentation(item)
    if deprecated:
        req.deprecation(item)
    return completion_policy.mark_typescript_knows(item)


# --- keys of task options and of retry / queue / concurrency / cron ------------------------------


def key_items(req: Request, spot: KeySpot) -> list[lsp.CompletionItem]:
    owner = spot.owner
    entries = [
        e
        for e in req.kb.reference.options_of(owner.owner)
        if e.key not in spot.present
        and docs.is_available(e, req.version)
        and (not e.applies_to or owner.task_kind in e.applies_to)
    ]
    nested = None if owner.owner == "task" else owner.owner
    installed = option_keys(req.installed, owner.task_kind, nested)  # what that version takes
    entries = [e for e in entries if installed is None or e.key in installed]
    rank = {key: i for i, key in enumerate(FIRST_KEYS)} if owner.owner == "task" else {}
    entries.sort(key=lambda e: (docs.is_deprecated(e, req.version), rank.get(e.key, len(rank))))
    only_key = req.next_char() == ":"  # renaming a key: keep its value
    comma = "" if req.next_char(skip_newlines=True) == "," else ","
    items = []
    for n, entry in enumerate(entries):
        deprecated = docs.is_deprecated(entry, req.version)
        if only_key:
            text, fmt = entry.key, lsp.InsertTextFormat.PlainText
        else:
            text, fmt = req.insert(_key_snippet(entry) + comma)
        item = lsp.CompletionItem(
            label=entry.key,
            kind=lsp.CompletionItemKind.Property,
            detail=entry.type,
            documentation=req.support.documentation(
                docs.option_markdown(req.kb, entry, req.version)
            ),
            sort_text=f"{'9' if deprecated else '0'}{n:03d}",
            filter_text=entry.key,
            insert_text_format=fmt,
            text_edit=lsp.TextEdit(req.range(spot.word.start, spot.word.end), text),
            data={"role": ROLE_KEY},
        )
        req.keep_indentation(item)
        if deprecated:
            req.deprecation(item)
        items.append(completion_policy.mark_typescript_knows(item))
    return items


def _key_snippet(entry: OptionEntry) -> str:
    return f"{entry.key}: {entry.value_snippet}"


# --- values inside strings ------------------------------------------------------------------


def string_items(req: Request, spot: StringSpot) -> list[lsp.CompletionItem] | None:
    key = spot.key
    if key in ("machine", "preset"):
        return _value_items(req, spot, "machine")
    if key == "logLevel" and req.config_file:
        return _value_items(req, spot, "logLevel")
    if key == "cron" or (key == "pattern" and spot.in_cron):
        return _value_items(req, spot, "cron")
    listed = req.kb.reference.values_for(f"{spot.owner}.{key}") if spot.owner and key else None
    if listed is not None:  # runtime, debounce mode, durations: by the key and its object
        return _value_items(req, spot, listed.id)
    if key == "timezone":
        return [
            _string_item(req, spot, name, lsp.CompletionItemKind.Value, None, None, n)
            for n, name in enumerate(time_zones())
        ]
    if spot.call in TRIGGER_BY_ID or (key == "id" and spot.batch_item):
        return _task_id_items(req, spot, kinds=None)
    if key == "task" and spot.schedule_task:
        return _task_id_items(req, spot, kinds=("schedules.task",))
    return None


def _value_items(req: Request, spot: StringSpot, set_id: str) -> list[lsp.CompletionItem] | None:
    values = req.kb.reference.values.get(set_id)
    if values is None:
        return None
    installed = option_values(req.installed, set_id)  # the installed SDK's union, when read
    items = []
    choices = [
        c
        for c in values.values
        if (installed is None and docs.is_available(c, req.version))
        or (installed is not None and c.value in installed)
    ]
    choices.sort(key=lambda c: docs.is_deprecated(c, req.version))  # stable: deprecated last
    for n, choice in enumerate(choices):
        item = _string_item(
            req,
            spot,
            choice.value,
            lsp.CompletionItemKind.EnumMember,
            choice.description,
            docs.value_markdown(values, choice, req.version),
            n,
        )
        if docs.is_deprecated(choice, req.version):
            req.deprecation(item)
        items.append(item)
    known = {choice.value for choice in values.values}
    for value in sorted(installed - known) if installed is not None else ():
        kind = lsp.CompletionItemKind.EnumMember
        items.append(_string_item(req, spot, value, kind, None, None, len(items)))
    if installed is not None:
        # The values were read from a string-literal union in the installed SDK's .d.ts:
        # TypeScript lists the same names there (VS Code showed both lists, issue 16).
        items = [completion_policy.mark_typescript_knows(item) for item in items]
    return items


def _string_item(
    req: Request,
    spot: StringSpot,
    value: str,
    kind: lsp.CompletionItemKind,
    detail: str | None,
    markdown: str | None,
    n: int,
) -> lsp.CompletionItem:
    quote = req.doc.source[spot.quote : spot.quote + 1].decode()
    text = value if _closed_at(req, spot) else value + quote  # close what the user opened
    return lsp.CompletionItem(
        label=value,
        kind=kind,
        detail=detail,
        documentation=req.support.documentation(markdown) if markdown else None,
        sort_text=f"{n:04d}",
        filter_text=value,
        insert_text_format=lsp.InsertTextFormat.PlainText,
        text_edit=lsp.TextEdit(req.range(spot.start, spot.end), text),
        data={"role": ROLE_VALUE},
    )


def _closed_at(req: Request, spot: StringSpot) -> bool:
    """Whether the string has its closing quote right at the end of the content."""
    quote = req.doc.source[spot.quote : spot.quote + 1]
    return req.doc.source[spot.end : spot.end + 1] == quote


def _task_id_items(
    req: Request, spot: StringSpot, kinds: tuple[str, ...] | None
) -> list[lsp.CompletionItem]:
    """Ids of the project's indexed tasks (this file included) and of this file's tasks."""
    by_id: dict[str, list[TaskEntry]] = {}
    for entry in req.index.entries():
        if req.project_root is not None and entry.project != req.project_root:
            continue
        if kinds is None or entry.kind in kinds:
            by_id.setdefault(entry.id, []).append(entry)
    local = {t.id: t for t in req.model.tasks if t.id and (kinds is None or t.kind in kinds)}
    items = []
    for n, task_id in enumerate(sorted(set(by_id) | set(local))):
        found = by_id.get(task_id, [])
        if found:
            first = found[0]
            where = f"{display_path(first.path, first.project)}:{first.line + 1}"
            detail = f"{first.kind} · {where}"
            markdown = docs.task_markdown(found, task_id, True)
        else:
            detail, markdown = local[task_id].kind, None
        items.append(
            _string_item(req, spot, task_id, lsp.CompletionItemKind.Reference, detail, markdown, n)
        )
    return items


# --- pattern snippets at statement starts ------------------------------------------------------


def pattern_items(req: Request, spot: StatementSpot) -> list[lsp.CompletionItem]:
    items = []
    for n, pattern in enumerate(req.kb.patterns.values()):
        if pattern.scope == "config" and not (req.config_file and spot.top_level):
            continue
        if pattern.scope == "statement" and req.config_file:
            continue
        text, fmt = req.insert(pattern.body)
        markdown = pattern.description
        when = pattern.prose.get("When to use")
        if when:
            markdown += "\n\n" + when
        item = lsp.CompletionItem(
            label=pattern.prefix,
            kind=lsp.CompletionItemKind.Snippet,
            detail=pattern.name,
            documentation=req.support.documentation(markdown),
            sort_text=f"{n:03d}",
            filter_text=pattern.prefix,
            insert_text_format=fmt,
            text_edit=lsp.TextEdit(req.range(spot.word.start, spot.word.end), text),
            additional_text_edits=import_edits(req, pattern) or None,
            data={"role": ROLE_SNIPPET},
        )
        req.keep_indentation(item)
        items.append(item)
    return items


def import_edits(req: Request, pattern: Pattern) -> list[lsp.TextEdit]:
    """Edits that add the pattern's SDK names, and its names from other packages
    (`imports_from`), that the file does not import yet."""
    imported: set[str] = set()
    bound: set[str] = set()  # every local name an import binds, from any module
    for imp in req.model.imports:
        bound |= set(imp.names) | {n for n in (imp.namespace, imp.default) if n}
        if imp.is_sdk and not imp.type_only and not imp.dynamic:
            imported |= {name for local, name in imp.names.items() if local not in imp.type_names}
    wanted: list[tuple[tuple[str, ...], list[str]]] = [
        ((SDK_ROOT, SDK_V3), [n for n in pattern.imports if n not in imported])
    ]
    for module, names in pattern.module_imports:
        wanted.append(((module,), [n for n in names if n not in bound]))
    edits: list[lsp.TextEdit] = []
    statements: list[str] = []
    for sources, missing in wanted:
        if not missing:
            continue
        target = _import_to_extend(req.model, sources)
        if target is not None:
            offset = target.end_byte
            text = "".join(f", {n}" for n in missing)
            edits.append(lsp.TextEdit(req.range(offset, offset), text))
        else:
            statements.append(f'import {{ {", ".join(missing)} }} from "{sources[0]}";')
    if statements:
        offset, text = _new_import_at(req.model, req.doc.source, "\n".join(statements))
        edits.append(lsp.TextEdit(req.range(offset, offset), text))
    return edits


def _import_to_extend(model: FileModel, sources: tuple[str, ...]) -> ts.Node | None:
    """The last specifier of the file's `import { ... } from` one of the sources (in order)."""
    for source in sources:
        for imp in model.imports:
            if imp.source != source or imp.type_only or imp.dynamic:
                continue
            if imp.node.type != "import_statement":
                continue
            clause = next((c for c in imp.node.named_children if c.type == "import_clause"), None)
            named = next(
                (c for c in (clause.named_children if clause else []) if c.type == "named_imports"),
                None,
            )
            specs = (
                [c for c in named.named_children if c.type == "import_specifier"] if named else []
            )
            if specs:
                return specs[-1]
    return None


def _new_import_at(model: FileModel, source: bytes, statement: str) -> tuple[int, str]:
    """Where a new import line goes (on the line after the last import, else at the top) and
    its text."""
    imports = [imp.node for imp in model.imports if imp.node.type == "import_statement"]
    if not imports:
        return 0, statement + "\n"
    end = max(n.end_byte for n in imports)
    newline = source.find(b"\n", end)
    if newline == -1:  # the last import ends the file
        return len(source), "\n" + statement
    return newline + 1, statement + "\n"


def completion(session: Session, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    """textDocument/completion (routed in lsp/routes.py)."""
    return complete(session, params.text_document.uri, params.position)
