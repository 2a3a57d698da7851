"""Navigation over tasks: document and workspace symbols, go to definition, find references."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tree_sitter as ts
from lsprotocol import types as lsp

from trigger_lsp.analysis.model import FileModel, TaskDefinition
from trigger_lsp.analysis.syntax import member_key, text
from trigger_lsp.lsp.convert import location
from trigger_lsp.lsp.documents import Document
from trigger_lsp.lsp.wire import Locator
from trigger_lsp.project.index import ProjectIndex, TaskEntry, TaskObjects, TriggerSite, sites_for
from trigger_lsp.text import Encoding

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session

MAX_WORKSPACE_SYMBOLS = 200
NAME_TYPES = frozenset({"identifier", "property_identifier", "shorthand_property_identifier"})


# --- document symbols --------------------------------------------------------------------------


def _symbol_kind(task: TaskDefinition) -> lsp.SymbolKind:
    return lsp.SymbolKind.Event if task.kind == "schedules.task" else lsp.SymbolKind.Function


def _variable_node(task: TaskDefinition) -> ts.Node | None:
    """The identifier a task is bound to (`export const child = task(...)`)."""
    node = task.call
    while node.parent is not None and node.parent.type != "variable_declarator":
        if node.parent.type not in (
            "parenthesized_expression",
            "as_expression",
            "satisfies_expression",
        ):
            return None
        node = node.parent
    declarator = node.parent
    name = declarator.child_by_field_name("name") if declarator is not None else None
    return name if name is not None and name.type == "identifier" else None


def _selection_node(task: TaskDefinition) -> ts.Node:
    return (
        task.id_value
        or _variable_node(task)
        or task.call.child_by_field_name("function")
        or task.call
    )


def task_symbols(doc: Document, model: FileModel, encoding: Encoding) -> list[lsp.DocumentSymbol]:
    """One symbol per task (id or variable as its name), with its `run` and hooks as children."""
    symbols = []
    for task in model.tasks:
        children = []
        parts = [("run", task.members.get("run"))]
        parts += [(name, task.members.get(name)) for name in task.hook_functions()]
        for name, member in sorted(
            ((n, m) for n, m in parts if m is not None), key=lambda p: p[1].start_byte
        ):
            key = member_key(member)
            children.append(
                lsp.DocumentSymbol(
                    name=name,
                    kind=lsp.SymbolKind.Method,
                    range=doc.range(member.start_byte, member.end_byte, encoding),
                    selection_range=doc.range(key.start_byte, key.end_byte, encoding),
                    detail="run" if name == "run" else "hook",
                )
            )
        selection = _selection_node(task)
        symbols.append(
            lsp.DocumentSymbol(
                name=task.id or task.variable or f"({task.kind})",
                kind=_symbol_kind(task),
                range=doc.range(task.statement.start_byte, task.statement.end_byte, encoding),
                selection_range=doc.range(selection.start_byte, selection.end_byte, encoding),
                detail=task.kind,
                children=children,
            )
        )
    return symbols


# --- workspace symbols -------------------------------------------------------------------------


def _fuzzy_score(query: str, candidates: list[str]) -> int | None:
    """0 for a substring match, 1 for the query's letters in order, None for no match."""
    best = None
    for candidate in candidates:
        hay = candidate.lower()
        if query in hay:
            return 0
        if best is None and _in_order(query, hay):
            best = 1
    return best


def _in_order(query: str, hay: str) -> bool:
    at = 0
    for ch in query:
        at = hay.find(ch, at) + 1
        if not at:
            return False
    return True


def matching_entries(index: ProjectIndex, query: str) -> list[TaskEntry]:
    query = query.strip().lower()
    scored = []
    for entry in index.entries():
        score = _fuzzy_score(query, [entry.id] + ([entry.variable] if entry.variable else []))
        if score is not None:
            scored.append((score, entry.id, str(entry.path), entry))
    scored.sort(key=lambda s: s[:3])
    return [s[3] for s in scored[:MAX_WORKSPACE_SYMBOLS]]


# --- what a position denotes -------------------------------------------------------------------


@dataclass(frozen=True)
class TaskTarget:
    """The task a position names: by id, or as the variable `name` defined in `module`."""

    project: Path | None
    task_id: str | None = None
    module: Path | None = None
    name: str | None = None


def _node_at(tree: ts.Tree, offset: int) -> ts.Node | None:
    """The identifier or string at the offset, also when the cursor sits just after it."""
    for at in (offset, offset - 1):
        if at < 0:
            continue
        node = tree.root_node.named_descendant_for_byte_range(at, at)
        while node is not None and node.type in ("string_fragment", "escape_sequence"):
            node = node.parent
        if node is not None and (node.type in NAME_TYPES or node.type == "string"):
            return node
    return None


def target_at(
    model: FileModel, tree: ts.Tree, offset: int, path: Path | None, project: Path | None
) -> TaskTarget | None:
    node = _node_at(tree, offset)
    if node is None:
        return None
    for task in model.tasks:  # the definition itself: its id string or its variable
        if task.id_value is not None and task.id_value == node and task.id is not None:
            return TaskTarget(project, task.id, path, task.variable)
        variable = _variable_node(task)
        if variable is not None and variable == node:
            return TaskTarget(project, task.id, path, task.variable)
    if node.type == "string":
        if path is None:
            return None
        for site in sites_for(model, path, project or path.parent):
            if site.task_id is not None and site.start_byte == node.start_byte:
                return TaskTarget(project, site.task_id)
        return None
    if path is None:
        return None
    objects = TaskObjects(model, path, project or path.parent)
    parent = node.parent
    if parent is not None and parent.type == "import_specifier":
        return _imported_target(model, objects, parent, project)
    if node.type == "property_identifier" and parent is not None:
        if parent.type == "member_expression" and parent.child_by_field_name("property") == node:
            found = objects.task_object(parent)
            return TaskTarget(project, None, *found) if found is not None else None
        return None
    if node.type == "identifier":
        found = objects.task_object(node)
        return TaskTarget(project, None, *found) if found is not None else None
    return None


def _imported_target(
    model: FileModel, objects: TaskObjects, specifier: ts.Node, project: Path | None
) -> TaskTarget | None:
    """`import { child as kid } from "./child"`: the cursor on `child` or on `kid`."""
    name = specifier.child_by_field_name("name")
    for imp in model.imports:
        if imp.node.start_byte <= specifier.start_byte < imp.node.end_byte:
            if not imp.is_relative or imp.type_only or name is None:
                return None
            module = objects.module(imp)
            return TaskTarget(project, None, module, text(name)) if module is not None else None
    return None


# --- definitions and references ----------------------------------------------------------------


class TaskLookup:
    """Finds the definitions a target names and the trigger sites of a definition."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.index = session.index
        self._ids: dict[tuple[str, Path], list[TaskEntry]] = {}
        self._by_key: tuple[dict[Any, Any], dict[Any, Any]] | None = None  # see `_sites`

    def by_id(self, task_id: str, project: Path | None) -> list[TaskEntry]:
        """Tasks with the id in the same project, else in any project (an app that triggers
        the tasks of a separate package)."""
        key = (task_id, project or Path())
        if key not in self._ids:
            found = self.index.with_id(task_id, project) if project is not None else []
            self._ids[key] = found or self.index.with_id(task_id)
        return self._ids[key]

    def in_module(self, module: Path, name: str) -> list[TaskEntry]:
        entries = self.index.in_file(module)
        if entries is None and module.is_file():  # not indexed (yet): read that one file
            self.session.index_from_disk(module)
            entries = self.index.in_file(module)
        return [e for e in entries or [] if e.variable == name]

    def definitions(self, target: TaskTarget) -> list[TaskEntry]:
        if target.module is not None and target.name is not None:
            found = self.in_module(target.module, target.name)
            if found:
                return found
        if target.task_id is not None:
            return self.by_id(target.task_id, target.project)
        return []

    def names(self, site: TriggerSite, entry: TaskEntry) -> bool:
        if site.task_id is not None:
            return site.task_id == entry.id and entry in self.by_id(site.task_id, site.project)
        return site.targets(entry)

    def sites_of(self, entries: list[TaskEntry]) -> list[TriggerSite]:
        """The sites that name one of the entries, in the index's order."""
        by_id, by_name = self._sites()
        found: dict[int, TriggerSite] = {}
        for e in entries:
            for at, s in (*by_id.get(e.id, ()), *by_name.get((e.variable, e.path), ())):
                if at not in found and self.names(s, e):
                    found[at] = s
        return [found[at] for at in sorted(found)]

    def _sites(self) -> tuple[dict[Any, list[tuple[int, TriggerSite]]], dict[Any, Any]]:
        """The index's sites by the id they name, and by (variable, module) for task objects,
        each with its place in the index's order: read once (a code lens per task of a
        10,000-line file asked each of them about every site: 0.5 s)."""
        if self._by_key is None:
            by_id: dict[Any, list[tuple[int, TriggerSite]]] = {}
            by_name: dict[Any, list[tuple[int, TriggerSite]]] = {}
            for at, s in enumerate(self.index.sites()):
                if s.task_id is not None:
                    by_id.setdefault(s.task_id, []).append((at, s))
                elif s.name is not None:
                    by_name.setdefault((s.name, s.module), []).append((at, s))
            self._by_key = (by_id, by_name)
        return self._by_key


def _project_of(session: Session, doc: Document) -> Path | None:
    return session.resolver.context_for(doc.path).root if doc.path is not None else None


def _target(session: Session, uri: str, pos: lsp.Position) -> TaskTarget | None:
    doc = session.document(uri)
    if doc is None or not session.settings.features.navigation:
        return None
    result = session.analyze(doc)
    if result.model is None or result.tree is None:
        return None
    offset = doc.offset(pos, session.encoding)
    return target_at(result.model, result.tree, offset, doc.path, _project_of(session, doc))


def _current_open_documents(session: Session) -> None:
    """Bring the index up to date with edits not yet analysed, so ranges match the text."""
    for doc in session.store.all():
        if doc.analyzed_version != doc.version or doc.result is None:
            session.analyze(doc)


def definition(session: Session, params: lsp.DefinitionParams) -> list[lsp.Location]:
    target = _target(session, params.text_document.uri, params.position)
    if target is None:
        return []
    locator = Locator(session.store, session.encoding)
    entries = TaskLookup(session).definitions(target)
    return [location(locator, e.path, e.start_byte, e.end_byte) for e in entries]


def references(session: Session, params: lsp.ReferenceParams) -> list[lsp.Location]:
    target = _target(session, params.text_document.uri, params.position)
    if target is None:
        return []
    _current_open_documents(session)
    lookup = TaskLookup(session)
    entries = lookup.definitions(target)
    locator = Locator(session.store, session.encoding)
    found = []
    if params.context.include_declaration:
        found += [(e.path, e.start_byte, e.end_byte) for e in entries]
    found += [(s.path, s.start_byte, s.end_byte) for s in lookup.sites_of(entries)]
    unique = sorted(set(found), key=lambda f: (str(f[0]), f[1]))
    return [location(locator, path, start, end) for path, start, end in unique]


def workspace_symbols(
    session: Session, params: lsp.WorkspaceSymbolParams
) -> list[lsp.SymbolInformation]:
    if not session.settings.features.navigation:
        return []
    locator = Locator(session.store, session.encoding)
    return [
        lsp.SymbolInformation(
            location=location(locator, e.path, e.start_byte, e.end_byte),
            name=e.id,
            kind=lsp.SymbolKind.Event if e.kind == "schedules.task" else lsp.SymbolKind.Function,
            container_name=e.variable or e.path.name,
        )
        for e in matching_entries(session.index, params.query)
    ]


def flat_symbols(uri: str, symbols: list[lsp.DocumentSymbol]) -> list[lsp.SymbolInformation]:
    """The same symbols for a client without hierarchical document symbols."""
    flat = []
    for symbol in symbols:
        flat.append(
            lsp.SymbolInformation(lsp.Location(uri, symbol.range), symbol.name, symbol.kind)
        )
        flat += [
            lsp.SymbolInformation(
                lsp.Location(uri, child.range), child.name, child.kind, container_name=symbol.name
            )
            for child in symbol.children or []
        ]
    return flat


def _hierarchical(session: Session) -> bool:
    text = session.client_capabilities.text_document
    symbols = text.document_symbol if text is not None else None
    return bool(symbols and symbols.hierarchical_document_symbol_support)


def document_symbols(
    session: Session, params: lsp.DocumentSymbolParams
) -> list[lsp.DocumentSymbol] | list[lsp.SymbolInformation]:
    doc = session.document(params.text_document.uri)
    if doc is None or not session.settings.features.navigation:
        return []
    result = session.analyze(doc)
    if result.model is None:
        return []
    symbols = task_symbols(doc, result.model, session.encoding)
    return symbols if _hierarchical(session) else flat_symbols(doc.uri, symbols)
