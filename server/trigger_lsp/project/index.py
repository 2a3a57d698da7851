"""The project index: every task definition and every trigger site in the workspace, per file."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar, cast

import tree_sitter as ts

from trigger_lsp.analysis.imports import Import
from trigger_lsp.analysis.model import (
    FileModel,
    FileView,
    TaskDefinition,
    TaskSummary,
    build_model,
)
from trigger_lsp.analysis.pieces import Piece
from trigger_lsp.analysis.syntax import (
    call_arguments,
    call_function,
    callee_method,
    grammar_for,
    member_property,
    member_value,
    object_members,
    parse,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.project.modules import (
    ModuleLinks,
    ModuleLogging,
    PathAliases,
    nearest_tsconfig,
    read_aliases,
    resolve_module,
    resolve_specifier,
)
from trigger_lsp.project.paths import relative_parts, resolved
from trigger_lsp.rules.common import enclosing_loop


@dataclass(frozen=True)
class TaskEntry:
    id: str
    path: Path
    project: Path  # the project root the file resolved to
    start_byte: int
    end_byte: int
    line: int  # 0-based row of the id
    kind: str
    variable: str | None
    exported: bool
    has_schema: bool
    queue: str | None
    summary: dict[str, str]  # option name -> source text, for hover and code lens
    # Whether the task sets its own `retry`: None when its options spread another object.
    own_retry: bool | None = None


SUMMARY_KEYS = ("queue", "concurrency", "retry", "machine", "maxDuration", "cron")


def queue_name(task: TaskDefinition) -> str | None:
    value = unwrap(task.member("queue"))
    if value is None:
        return None
    if value.type == "object":
        return string_value(member_value(object_members(value).get("name")))
    return string_value(value) or (text(value) if value.type == "identifier" else None)


# An open document's entries per task statement, for one path and project: statement text ->
# (where the statement stood: offset and line, its entries, its tasks' summaries).
EntryCache = dict[object, tuple[tuple[int, int], list[TaskEntry], tuple[TaskSummary, ...]]]


def entries_for(
    model: FileModel, path: Path, project: Path, cache: EntryCache | None = None
) -> list[TaskEntry]:
    """The index entries of a file's tasks. With a document's `cache` (and a model built from
    pieces), a statement whose text did not change gives the entries it gave, moved to where
    it stands now, without reading its tasks again."""
    if cache is None or model.pieces is None:
        return [_entry(t, path, project) for t in model.tasks if t.id is not None]
    groups: dict[int, tuple[Piece, list[TaskDefinition]]] = {}
    for task in model.tasks:
        if task.piece is not None:
            groups.setdefault(id(task.piece), (task.piece, []))[1].append(task)
    out: list[TaskEntry] = []
    kept: EntryCache = {}
    # The entries name the path and project: kept ones only while these stay the same (one
    # key for the file, not a path in each statement's key: hashing a path costs a microsecond)
    if cache.get(_PLACE) != (path, project):
        cache.clear()
    kept[_PLACE] = (path, project)  # type: ignore[assignment]
    for piece, tasks in groups.values():
        # The key is the statement's text; its tasks' summaries are compared with the kept
        # ones (the same objects when the model kept them: hashing a summary costs more).
        summaries = tuple(t.summary for t in tasks)
        where = (piece.start, piece.node.start_point[0])
        hit = cache.get(piece.text)
        if hit is None or hit[2] != summaries:
            entries = [_entry(t, path, project) for t in tasks if t.id is not None]
        elif hit[0] == where:
            entries = hit[1]
        else:
            moved, lines = where[0] - hit[0][0], where[1] - hit[0][1]
            entries = [_moved(e, moved, lines) for e in hit[1]]
        if piece.clean:
            kept[piece.text] = (where, entries, summaries)
        out.extend(entries)
    cache.clear()
    cache.update(kept)
    return out


_PLACE = ("path and project",)  # the EntryCache key of the (path, project) its entries name


def _moved(e: TaskEntry, by: int, lines: int) -> TaskEntry:
    return _shifted(e, by, lines)


_Shifted = TypeVar("_Shifted", "TaskEntry", "FanOut")


def _shifted(item: _Shifted, by: int, lines: int) -> _Shifted:
    """A copy of a frozen record with `start_byte`, `end_byte` and `line` moved (its fields
    copied as a whole: a frozen dataclass's constructor sets each field through
    object.__setattr__, and a keystroke moves some 200 records in a 10,000-line file)."""
    new = object.__new__(type(item))
    fields = new.__dict__
    fields.update(item.__dict__)
    fields["start_byte"] = item.start_byte + by
    fields["end_byte"] = item.end_byte + by
    fields["line"] = item.line + lines
    return new


def _entry(task: TaskDefinition, path: Path, project: Path) -> TaskEntry:
    assert task.id is not None and task.id_value is not None  # an id has its value node
    summary = {}
    for key in SUMMARY_KEYS:
        value = task.member(key)
        if value is not None:
            raw = " ".join(text(value).split())
            summary[key] = raw if len(raw) <= 120 else raw[:117] + "..."
    return TaskEntry(
        id=task.id,
        path=path,
        project=project,
        start_byte=task.id_value.start_byte,
        end_byte=task.id_value.end_byte,
        line=task.id_value.start_point[0],
        kind=task.kind,
        variable=task.variable,
        exported=task.exported,
        has_schema=task.kind == "schemaTask" or "schema" in task.members,
        queue=queue_name(task),
        summary=summary,
        own_retry=_own_retry(task),
    )


def _own_retry(task: TaskDefinition) -> bool | None:
    if task.has_retry:
        return True
    options = task.options
    if options is None or any(c.type == "spread_element" for c in options.named_children):
        return None
    return False


# --- trigger sites ---------------------------------------------------------------------------

# SDK functions whose first argument is a task id, and those whose items name their task.
ID_TRIGGERS = frozenset(
    {"tasks.trigger", "tasks.triggerAndWait", "tasks.batchTrigger", "tasks.batchTriggerAndWait"}
)
ITEM_TRIGGERS = frozenset(
    {"batch.trigger", "batch.triggerAndWait", "batch.triggerByTask", "batch.triggerByTaskAndWait"}
)
TASK_METHODS = frozenset({"trigger", "triggerAndWait", "batchTrigger", "batchTriggerAndWait"})


@dataclass(frozen=True)
class TriggerSite:
    """A place that triggers a task: a task id string (`tasks.trigger("id")`, a batch item's
    `id`), or the task object a trigger method is called on (`child.triggerAndWait(...)`)."""

    path: Path
    project: Path
    start_byte: int  # of the id string (quotes included) or the task object expression
    end_byte: int
    method: str  # "tasks.trigger", "batch.trigger", "triggerAndWait", ...
    task_id: str | None = None  # for id strings
    module: Path | None = None  # for task objects: the file that defines the task
    name: str | None = None  # and the task's variable name in that file

    def targets(self, entry: TaskEntry) -> bool:
        """Whether the site names the entry's task (an id must also match its project)."""
        if self.task_id is not None:
            return self.task_id == entry.id and self.project == entry.project
        return self.name is not None and self.name == entry.variable and self.module == entry.path


class TaskObjects:
    """Resolves the task objects of one file to (defining file, variable name), caching the
    import lookups."""

    def __init__(self, model: FileView, path: Path, project: Path) -> None:
        self.model, self.path, self.project = model, path, project
        self._modules: dict[str, Path | None] = {}

    def module(self, imp: Import) -> Path | None:
        if imp.source not in self._modules:
            self._modules[imp.source] = resolve_module(self.path, imp.source, self.project)
        return self._modules[imp.source]

    def task_object(self, node: ts.Node | None) -> tuple[Path, str] | None:
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            name = text(node)
            if name in self.model.task_vars:
                return self.path, name
            imp = self.model.import_of(name)
            if imp is None or imp.is_sdk or imp.type_only or name in imp.type_names:
                return None
            exported = imp.names.get(name)
            module = self.module(imp) if exported is not None and imp.is_relative else None
            return (module, exported) if module is not None and exported is not None else None
        if node.type == "member_expression":  # `jobs.child` with `import * as jobs`
            obj = unwrap(node.child_by_field_name("object"))
            prop = member_property(node)
            if obj is None or obj.type != "identifier" or prop is None:
                return None
            imp = self.model.import_of(text(obj))
            if imp is None or imp.namespace != text(obj) or not imp.is_relative:
                return None
            module = self.module(imp)
            return (module, prop) if module is not None else None
        return None


def _batch_items(items: ts.Node | None) -> list[ts.Node]:
    """Object literals of a batch: array elements, or what a `.map(x => ({...}))` returns."""
    items = unwrap(items)
    if items is None:
        return []
    if items.type == "array":
        return [e for e in (unwrap(c) for c in items.named_children) if e and e.type == "object"]
    if items.type == "call_expression" and member_property(
        unwrap(call_function(items)) or items
    ) in ("map", "flatMap"):
        args = call_arguments(items)
        fn = unwrap(args[0]) if args else None
        body = unwrap(fn.child_by_field_name("body")) if fn is not None else None
        return [body] if body is not None and body.type == "object" else []
    return []


def _run_holding(model: FileView, call: ts.Node) -> TaskDefinition | None:
    """The task whose run holds the call (nested functions included)."""
    for task in model.tasks:
        run = task.run
        if run is not None and run.start_byte <= call.start_byte and call.end_byte <= run.end_byte:
            return task
    return None


def _task_keys(task: TaskDefinition, path: Path, project: Path) -> tuple[tuple[object, ...], ...]:
    """The targets (`FanOut.target`) that may name a task: its id within its project, and its
    variable in its file."""
    keys: list[tuple[object, ...]] = []
    if task.id is not None:
        keys.append(("id", task.id, project))
    if task.variable is not None:
        keys.append(("object", resolved(path), task.variable))
    return tuple(keys)


def _routed_to_queues(name: str, args: list[ts.Node]) -> bool:
    """Whether every run the call starts goes to a queue its trigger options name (`options: {
    queue: ... }` on each batch item, or the options of a trigger in a loop): a queue bounds
    how many of them run at once, whatever the task's own options say."""
    if "batch" in name:  # `tasks.batchTrigger(id, items)`, else `(items)`
        at = 1 if name.startswith("tasks.") else 0
        items = _batch_items(args[at] if len(args) > at else None)
        return bool(items) and all(
            _names_queue(member_value(object_members(item).get("options"))) for item in items
        )
    options = args[2] if name == "tasks.trigger" and len(args) > 2 else None
    if name != "tasks.trigger" and len(args) > 1:
        options = args[1]
    return _names_queue(options)


def _names_queue(options: ts.Node | None) -> bool:
    options = unwrap(options)
    return options is not None and options.type == "object" and "queue" in object_members(options)


_Kept = TypeVar("_Kept")  # what a document keeps per statement (sites, fan-outs)
SITES_CACHE = "index:sites"  # the name under which a document's pieces keep its trigger sites


def sites_for(model: FileModel, path: Path, project: Path) -> list[TriggerSite]:
    """Every trigger site of a file, in source order. A model built from pieces (an open
    document) keeps them per statement text, as `fan_outs_for` does: the code lenses and
    references of a big file ask for them after each keystroke."""
    return _kept_per_piece(model, path, project, SITES_CACHE, _sites, _moved_site)


def _moved_site(t: TriggerSite, by: int, lines: int) -> TriggerSite:
    return replace(t, start_byte=t.start_byte + by, end_byte=t.end_byte + by)


def _sites(model: FileView, path: Path, project: Path) -> list[TriggerSite]:
    resolver = TaskObjects(model, path, project)
    sites: list[TriggerSite] = []

    def add_id(node: ts.Node | None, method: str) -> None:
        task_id = string_value(node)
        if node is not None and task_id is not None:
            site = TriggerSite(path, project, node.start_byte, node.end_byte, method)
            sites.append(replace(site, task_id=task_id))

    def add_object(node: ts.Node | None, method: str) -> None:
        target = resolver.task_object(node)
        if node is None or target is None:
            return
        node = unwrap(node) or node
        if node.type == "member_expression":  # `jobs.child`: the task is `child`
            node = node.child_by_field_name("property") or node
        site = TriggerSite(path, project, node.start_byte, node.end_byte, method)
        sites.append(replace(site, module=target[0], name=target[1]))

    for call in model.of("call"):
        fn = call_function(call)
        target = unwrap(fn)
        method = member_property(target) if target is not None else None
        if method is None:
            continue
        name = model.sdk.resolve(fn)
        args = call_arguments(call)
        if name in ID_TRIGGERS:
            add_id(args[0] if args else None, name)
        elif name in ITEM_TRIGGERS:
            for item in _batch_items(args[0] if args else None):
                members = object_members(item)
                add_id(member_value(members.get("id")), name)
                add_object(member_value(members.get("task")), name)
        elif name is None and method in TASK_METHODS and target is not None:
            add_object(target.child_by_field_name("object"), method)
    return sites


# --- imports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileImports:
    """The modules a file imports (type-only imports left out: they are erased), for questions
    about what a project's bundle holds. Local specifiers are resolved when asked."""

    project: Path
    packages: frozenset[str]  # package names: `sharp`, `@napi-rs/canvas`
    local: tuple[str, ...]  # `./lib/image`, `@/lib/db`


def package_name(specifier: str) -> str | None:
    """`sharp/lib/x` -> `sharp`, `@napi-rs/canvas/js` -> `@napi-rs/canvas`; None for Node's
    own modules (`node:fs`) and malformed specifiers."""
    if specifier.startswith("node:") or not specifier:
        return None
    parts = specifier.split("/")
    if specifier.startswith("@"):
        return "/".join(parts[:2]) if len(parts) > 1 and parts[1] else None
    return parts[0]


def imports_for(model: FileModel, path: Path, project: Path) -> FileImports:
    packages: set[str] = set()
    local: list[str] = []
    for imp in model.imports:
        if imp.type_only:
            continue
        if imp.is_relative:
            local.append(imp.source)
        else:
            name = package_name(imp.source)
            if name is not None:
                packages.add(name)
    return FileImports(project, frozenset(packages), tuple(dict.fromkeys(local)))


# --- fan-out: places that start many runs of one task at once ---------------------------------


@dataclass(frozen=True)
class FanOut:
    """A place that starts many runs of one task at once: a batch trigger (`x.batchTrigger`,
    `x.batchTriggerAndWait`, `tasks.batchTrigger*`, `batch.trigger*`), or a fire-and-forget
    trigger (`x.trigger`, `tasks.trigger`) in a loop body or a per-item callback (`.map`,
    `.forEach`). A `triggerAndWait` in a loop is left out: each run waits for the last.

    Also kept: a trigger in the run of a task (`how` "child", with that task as `parent`), so
    that a task started by every run of a fanned-out task counts as fanned out too (`fan_out`
    answers with the parent's place, `how` "via")."""

    path: Path
    project: Path
    start_byte: int  # of the called function (`child.batchTrigger`)
    end_byte: int
    line: int  # 0-based
    how: str  # "batch", "loop", "child" (kept), "via" (an answer of `fan_out`)
    task_id: str | None = None  # the task named by its id...
    module: Path | None = None  # ...or by its variable in the file that defines it
    name: str | None = None
    # "child": the task whose run starts it, as the targets that may name it (id, variable)
    parent: tuple[tuple[object, ...], ...] | None = None
    via: str | None = None  # "child" and "via": that task, as its id or variable name

    @property
    def target(self) -> tuple[object, ...]:
        """The task it starts, as a key: the id within its project, or (file, variable)."""
        if self.task_id is not None:
            return ("id", self.task_id, self.project)
        assert self.module is not None
        return ("object", resolved(self.module), self.name)

    @property
    def key(self) -> tuple[object, ...]:
        """What rules may learn from it, without its position (which every edit above it
        moves): the task, how it is fanned out, and from which file."""
        return (*self.target, self.how, self.path, self.parent)


FAN_OUT_METHODS = TASK_METHODS | {n.rpartition(".")[2] for n in ID_TRIGGERS | ITEM_TRIGGERS}
_LOOP_TRIGGERS = frozenset({"trigger", "tasks.trigger"})


def _program(node: ts.Node) -> ts.Node:
    while node.parent is not None:
        node = node.parent
    return node


def _fan_outs(model: FileView, path: Path, project: Path) -> list[FanOut]:
    resolver = TaskObjects(model, path, project)
    found: list[FanOut] = []
    for call in model.calls_where(callee_method, FAN_OUT_METHODS):
        fn = call_function(call)
        target = unwrap(fn)
        if fn is None or target is None:
            continue
        name = model.sdk.resolve(fn)
        if name is None:
            name = member_property(target)
            if name not in TASK_METHODS:
                continue
        elif name not in ID_TRIGGERS and name not in ITEM_TRIGGERS:
            continue
        parent: TaskDefinition | None = None
        if "batch" in name:  # batchTrigger*, tasks.batchTrigger*, batch.*
            how = "batch"
        elif name in _LOOP_TRIGGERS and enclosing_loop(call, _program(call)) is not None:
            how = "loop"
        else:
            how, parent = "child", _run_holding(model, call)
            if parent is None:
                continue
        args = call_arguments(call)
        if _routed_to_queues(name, args):
            continue  # the runs wait their turn in the queues the trigger names
        site = FanOut(path, project, fn.start_byte, fn.end_byte, fn.start_point[0], how)
        if parent is not None:
            keys = _task_keys(parent, path, project)
            if not keys:
                continue
            site = replace(site, parent=keys, via=parent.id or parent.variable)
        first = args[0] if args else None
        if name in ID_TRIGGERS:
            task_id = string_value(first)
            if task_id is not None:
                found.append(replace(site, task_id=task_id))
        elif name in ITEM_TRIGGERS:
            for item in _batch_items(first):
                members = object_members(item)
                task_id = string_value(member_value(members.get("id")))
                obj = resolver.task_object(member_value(members.get("task")))
                if task_id is not None:
                    found.append(replace(site, task_id=task_id))
                elif obj is not None:
                    found.append(replace(site, module=obj[0], name=obj[1]))
        else:
            obj = resolver.task_object(target.child_by_field_name("object"))
            if obj is not None:
                found.append(replace(site, module=obj[0], name=obj[1]))
    return found


FAN_OUT_CACHE = "index:fan-outs"  # the name under which a document's pieces keep them
_FAN_OUT_TOKEN = b"rigger"  # every trigger method and SDK function has it in its name


def fan_outs_for(model: FileModel, path: Path, project: Path) -> list[FanOut]:
    """The fan-out sites of a file. A model built from pieces (an open document) keeps them
    per statement text, so that a keystroke reads again only the statement it changed."""
    return _kept_per_piece(model, path, project, FAN_OUT_CACHE, _fan_outs, _moved_fan_out)


def _kept_per_piece(
    model: FileModel,
    path: Path,
    project: Path,
    name: str,
    read: Callable[[FileView, Path, Path], list[_Kept]],
    move: Callable[[_Kept, int, int], _Kept],
) -> list[_Kept]:
    """What `read` finds in the file, kept per statement text in the document's piece cache
    under `name` (this version's statements only): a statement not changed is not read
    again, only moved by the bytes and lines it moved. Every kind read has a trigger method
    or SDK function in it, so statements without `_FAN_OUT_TOKEN` are skipped."""
    pieces, cache = model.pieces, model.piece_cache
    if pieces is None or cache is None:
        return read(model, path, project)
    resolution = model.memo("fan-out-names", lambda: _resolution_key(model))
    # What is kept depends on the statement's text and on this context: the context is
    # compared once, not hashed into each statement's key.
    context = (resolution, path, project)
    known = cache.facts.get(name, {})
    if known.get(_CONTEXT) != context:
        known = {}
    kept: dict[object, object] = {_CONTEXT: context}
    out: list[_Kept] = []
    for piece in model.pieces_with(_FAN_OUT_TOKEN) or []:
        key = piece.text
        where = (piece.start, piece.node.start_point[0])
        hit = known.get(key) if piece.clean else None
        if hit is None:
            found = read(model.view([piece.span]), path, project)
        else:
            was, found = cast(tuple[tuple[int, int], list[_Kept]], hit)
            if was != where:
                found = [move(f, where[0] - was[0], where[1] - was[1]) for f in found]
        if piece.clean:
            kept[key] = (where, found)
        out.extend(found)
    cache.facts[name] = kept
    return out


_CONTEXT = ("context",)  # the key under which `_kept_per_piece` keeps its context


def _resolution_key(model: FileModel) -> object:
    """What resolving a task object depends on besides its statement: the SDK names, the
    imports and the file's task variables."""
    imports = tuple(
        (i.source, tuple(sorted(i.names.items())), i.namespace, i.type_only, i.type_names)
        for i in model.imports
    )
    return (model.names_key, imports, frozenset(model.task_vars))


def _moved_fan_out(f: FanOut, by: int, lines: int) -> FanOut:
    return _shifted(f, by, lines)


@dataclass(frozen=True)
class FileIndex:
    """What the index keeps of one file."""

    entries: list[TaskEntry]
    sites: list[TriggerSite]
    imports: FileImports | None = None
    fan_outs: list[FanOut] = field(default_factory=list)


def index_model(model: FileModel, path: Path, project: Path) -> FileIndex:
    return FileIndex(
        entries_for(model, path, project),
        sites_for(model, path, project),
        imports_for(model, path, project),
        fan_outs_for(model, path, project),
    )


def index_source(source: bytes, path: Path, project: Path) -> FileIndex:
    grammar = grammar_for(path)
    return index_model(build_model(parse(source, grammar), grammar), path, project)


class TaskIds(Protocol):
    """What rules may ask of the project's index: nothing else, so that the CLI can check a file
    before the index is complete and verify the answers afterwards (cli/speculation.py)."""

    complete: bool  # False while the workspace is still being indexed

    def defined_elsewhere(
        self, task_id: str, project: Path, path: Path | None
    ) -> list[TaskEntry]: ...

    def knows(self, task_id: str, project: Path) -> bool: ...

    def has_ids(self, project: Path) -> bool: ...

    def ids(self, project: Path | None = None) -> frozenset[str]: ...

    def bundled_packages(
        self, project: Path, dirs: tuple[Path, ...] | None, packages: frozenset[str]
    ) -> frozenset[str]: ...
    def fan_out(
        self, task_id: str | None, variable: str | None, path: Path | None, project: Path
    ) -> FanOut | None: ...

    def tasks_without_retry(self, project: Path) -> int: ...

    # Not a question for rules: what the editor's kept findings depend on (statements.py).
    def fan_out_keys(self, project: Path, path: Path | None) -> frozenset[tuple[object, ...]]: ...

    def logs(self, importer: Path, specifier: str, name: str) -> bool | None: ...

    def loaded(self, path: Path) -> bool | None: ...

    def constant(self, importer: Path, specifier: str, name: str) -> str | None: ...

    # Not a question: changes whenever an answer of `logs` or `loaded` may have changed, so
    # that the editor keeps findings that depend on them only while it stays the same.
    modules_generation: int


# What the index keeps of a file's imports and exports (modules.py): its links, and its logging
# facts (or a function computing them when first asked, which keeps that off each keystroke).
ModuleFacts = tuple[ModuleLinks, ModuleLogging | Callable[[], ModuleLogging]]
_NOT_HERE = object()  # what a file that does not define the followed name answers
FOLLOW_DEPTH = 4  # re-exports and helpers calling helpers across files, this many files deep


class ProjectIndex:
    """Thread-safe map of file -> task entries and trigger sites, with lookups by id within one
    project."""

    def __init__(self) -> None:
        self._by_file: dict[Path, tuple[TaskEntry, ...]] = {}
        self._sites: dict[Path, tuple[TriggerSite, ...]] = {}
        self._pending: dict[Path, Callable[[], list[TriggerSite]]] = {}  # sites not yet computed
        self._fan_outs: dict[Path, tuple[FanOut, ...]] = {}
        self._by_target: dict[tuple[object, ...], FanOut] | None = None  # derived: the first
        self._children: dict[tuple[object, ...], list[FanOut]] = {}  # derived with _by_target
        self._lock = threading.Lock()
        self._by_id: dict[str, list[TaskEntry]] | None = None  # derived, rebuilt after changes
        # ids per project, derived from the `_by_id` map they were computed from
        self._ids: dict[Path | None, frozenset[str]] = {}  # per project, derived like _by_id
        # (id, project) -> the entries `with_id` answers, derived like _by_id (a document
        # re-checked against 800 others sharing its id asks it once per analysis)
        self._with_id: dict[tuple[str, Path | None], list[TaskEntry]] = {}
        # per project: the ids its tasks take from imported constants, and whether one of
        # those constants cannot be read (derived from the links, see _ids_of_refs)
        self._refs: dict[Path | None, tuple[frozenset[str], bool]] = {}
        self._imports: dict[Path, FileImports] = {}  # what each file imports
        self.complete = False  # True once the whole workspace has been indexed
        # Imports and exports per file (see ModuleFacts), and what is derived from them.
        self._links: dict[Path, ModuleLinks] = {}
        self._logging: dict[Path, ModuleLogging | Callable[[], ModuleLogging]] = {}
        self._targets: dict[tuple[Path, str], Path | None] = {}  # resolved specifiers
        self._reached: frozenset[Path] | None = None  # files the entry points import
        self._aliases: dict[Path, PathAliases | None] = {}  # per folder, from tsconfig.json
        self.modules_generation = 0  # see TaskIds

    def update(
        self,
        path: Path,
        entries: list[TaskEntry],
        sites: list[TriggerSite] | Callable[[], list[TriggerSite]] | None = None,
        imports: FileImports | None = None,
        module: ModuleFacts | None = None,
    ) -> bool:
        """Replace a file's entries (and its trigger sites when given: a list, or a function
        computing them when someone first asks, which keeps that work off each keystroke; its
        imports and its module facts when given); return whether the set of ids, of the tasks
        without a retry policy of their own, or the file's imports and exports changed (its
        logging facts too, once someone has asked about them): what other files' findings
        depend on."""
        new = tuple(entries)
        module_changed = False
        if module is not None and callable(module[1]):
            with self._lock:
                read = self._logging.get(path)
            if isinstance(read, ModuleLogging):  # someone asked about the file: tell them
                module = (module[0], module[1]())  # whether its answers changed
                module_changed = module[1] != read
        with self._lock:
            if imports is not None:
                self._imports[path] = imports
            if path not in self._by_file:
                self._forget_links()  # a specifier may name this file now
            old = self._by_file.get(path, ())
            changed = old != new
            # (unchanged: the objects stay those the derived maps hold, see _swap_entries)
            self._by_file[path] = new if changed else old
            same_tasks = not changed or _same_tasks(old, new)
            if changed:
                if same_tasks:  # moved, or options changed: what is derived stays valid
                    self._swap_entries(old, new)
                else:
                    self._invalidate()
            if callable(sites):
                self._pending[path] = sites
            elif sites is not None:
                self._pending.pop(path, None)
                self._sites[path] = tuple(sites)
            if module is not None:
                links, logging = module
                if self._links.get(path) != links:
                    module_changed = True
                    self._links[path] = links
                    self._forget_links()
                elif module_changed:  # its logging facts changed
                    self.modules_generation += 1
                self._logging[path] = logging
        if same_tasks:
            return module_changed
        ids_changed = {e.id for e in old} != {e.id for e in new}
        return ids_changed or _retry_less(old) != _retry_less(new) or module_changed

    def update_fan_outs(self, path: Path, fan_outs: list[FanOut]) -> bool:
        """Replace a file's fan-out sites; return whether what rules can learn from them
        changed (which tasks are fanned out, how and from where; not their lines)."""
        new = tuple(fan_outs)
        with self._lock:
            old = self._fan_outs.get(path, ())
            changed = old != new
            if new:  # (unchanged: the objects stay those the derived maps hold)
                self._fan_outs[path] = new if changed else old
            else:
                self._fan_outs.pop(path, None)
            same = not changed or _same_fan_outs(old, new)
            if changed:
                if same:  # moved only (a keystroke above them): the new ones where they were
                    self._swap_fan_outs(old, new)
                else:
                    self._by_target = None
        return not same and {f.key for f in old} != {f.key for f in new}

    def _swap_fan_outs(self, old: tuple[FanOut, ...], new: tuple[FanOut, ...]) -> None:
        """Put a file's new fan-out places in place of the old ones in what is derived from
        them (`_same_fan_outs`; called with the lock held)."""
        if self._by_target is None:
            return
        swap = {id(o): n for o, n in zip(old, new, strict=True) if o is not n}
        for target, f in self._by_target.items():
            moved = swap.get(id(f))
            if moved is not None:
                self._by_target[target] = moved
        for target, group in self._children.items():
            if any(id(f) in swap for f in group):
                self._children[target] = [swap.get(id(f), f) for f in group]

    def remove(self, path: Path) -> None:
        with self._lock:
            if self._by_file.pop(path, None):
                self._invalidate()
            self._sites.pop(path, None)
            self._pending.pop(path, None)
            self._imports.pop(path, None)
            if self._fan_outs.pop(path, None):
                self._by_target = None
            self._links.pop(path, None)
            self._logging.pop(path, None)
            self._forget_links()

    def _forget_links(self) -> None:
        """Forget what is derived from the files' imports (called with the lock held)."""
        self._targets = {}
        self._reached = None
        self._ids = {}  # ids held by imported constants may resolve differently
        self._refs = {}
        self.modules_generation += 1

    def entries(self) -> list[TaskEntry]:
        with self._lock:
            return [e for group in self._by_file.values() for e in group]

    def in_file(self, path: Path) -> list[TaskEntry] | None:
        """The entries of one file, or None when the file is not indexed."""
        with self._lock:
            found = self._by_file.get(path)
        return list(found) if found is not None else None

    def sites(self) -> list[TriggerSite]:
        with self._lock:
            pending, self._pending = self._pending, {}
        computed = {path: tuple(compute()) for path, compute in pending.items()}
        with self._lock:
            for path, found in computed.items():
                if path in self._by_file and path not in self._pending:
                    self._sites[path] = found
            return [s for group in self._sites.values() for s in group]

    def files(self) -> list[Path]:
        with self._lock:
            return list(self._by_file)

    def __getstate__(self) -> dict[str, object]:  # sent to worker processes by the CLI
        self.sites()  # settle pending sites: functions do not travel
        with self._lock:
            state = dict(self.__dict__)
        del state["_lock"]
        state["_logging"] = {p: self._logging_of(p) for p in self._logging}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _invalidate(self) -> None:
        """Forget what is derived from the entries (called with the lock held)."""
        self._by_id = None
        self._ids = {}
        self._with_id = {}

    def _swap_entries(self, old: tuple[TaskEntry, ...], new: tuple[TaskEntry, ...]) -> None:
        """Put a file's new entries in place of its old ones in what is derived from the
        entries, when they are the same tasks (`_same_tasks`): that then stays valid (called
        with the lock held). Each id's entries keep their order (the file's stand where they
        stood). A keystroke in a file of 237 tasks moves half of them: rebuilding the map made
        every `with_id` of its whole-file check filter its entries again."""
        swap = {id(o): n for o, n in zip(old, new, strict=True) if o is not n}
        ids = {n.id for n in swap.values()}
        if self._by_id is not None:
            for task_id in ids:
                group = self._by_id.get(task_id)
                if group is not None:
                    self._by_id[task_id] = [swap.get(id(e), e) for e in group]
        for key, group in self._with_id.items():
            if key[0] in ids:
                self._with_id[key] = [swap.get(id(e), e) for e in group]

    def _id_map_locked(self) -> dict[str, list[TaskEntry]]:
        if self._by_id is None:
            by_id: dict[str, list[TaskEntry]] = {}
            for group in self._by_file.values():
                for e in group:
                    by_id.setdefault(e.id, []).append(e)
            self._by_id = by_id
        return self._by_id

    def _id_map(self) -> dict[str, list[TaskEntry]]:
        with self._lock:
            return self._id_map_locked()

    def with_id(self, task_id: str, project: Path | None = None) -> list[TaskEntry]:
        with self._lock:
            found = self._with_id.get((task_id, project))
            if found is None:
                found = self._id_map_locked().get(task_id, [])
                found = [e for e in found if project in (None, e.project)]
                self._with_id[(task_id, project)] = found
        return list(found)

    # The questions rules ask (cli/speculation.py answers them before the index is complete).
    def defined_elsewhere(self, task_id: str, project: Path, path: Path | None) -> list[TaskEntry]:
        """The definitions of `task_id` in the project in files other than `path`, leaving out
        files the CLI does not load (see `loaded`); none when it does not load `path`."""
        found = self.with_id(task_id, project)
        if path is not None and found:  # (strings: cheaper to compare than paths, for 800 entries)
            if all(e.path is path for e in found):
                return []  # (the usual answer, for each task of an open file: its own entry)
            here = str(resolved(path))
            found = [e for e in found if e.path is not path and str(resolved(e.path)) != here]
        if not found:
            return found
        if path is not None and not self._counts(path):
            return []  # the CLI never loads this file: its ids collide with nothing
        return [e for e in found if self._counts(e.path)]

    def knows(self, task_id: str, project: Path) -> bool:
        """Whether some task of the project may have this id: it is one of `ids`, or a task's
        id is an imported constant the index cannot read (then any id may be that one)."""
        return task_id in self.ids(project) or self._ids_of_refs(project)[1]

    def has_ids(self, project: Path) -> bool:
        return bool(self.ids(project)) or self._ids_of_refs(project)[1]

    def ids(self, project: Path | None = None) -> frozenset[str]:
        """The ids of the project's tasks: literal ones, and those held by constants imported
        from other files of the project (`id: TASK_IDS.ingest`)."""
        with self._lock:
            cached = self._ids.get(project)
            if cached is not None:
                return cached
            ids = self._ids
            literal = frozenset(
                i
                for i, group in self._id_map_locked().items()
                if project is None or any(e.project == project for e in group)
            )
        found = literal | self._ids_of_refs(project)[0]
        with self._lock:
            if self._ids is ids:  # nothing changed meanwhile
                ids[project] = found
        return found

    def _ids_of_refs(self, project: Path | None) -> tuple[frozenset[str], bool]:
        """The ids that the project's tasks take from imported constants, and whether some such
        constant cannot be read (a package's, a file outside the index)."""
        with self._lock:
            cached = self._refs.get(project)
            if cached is not None:
                return cached
            kept = self._refs
            refs = [
                (path, specifier, name)
                for path, links in self._links.items()
                if project is None or links.project == project
                for specifier, name in links.id_refs
            ]
        values = [self.constant(path, specifier, name) for path, specifier, name in refs]
        found = frozenset(v for v in values if v is not None), None in values
        with self._lock:
            if self._refs is kept:  # nothing changed meanwhile
                kept[project] = found
        return found

    def logs(self, importer: Path, specifier: str, name: str) -> bool | None:
        """Whether the function `name` that `importer` imports from `specifier` logs: itself,
        through functions of its file, or through project functions it imports (a few files
        deep, re-exports followed). None when that is unknown: the specifier names no indexed
        file (a package, a file outside the workspace), or the file exports no function by
        that name (a class, an object, a value)."""
        seen: set[tuple[Path, str]] = set()

        def here(module: Path, links: ModuleLinks, name: str, depth: int) -> object:
            facts = self._logging_of(module)
            if facts is None:
                return None
            if name in facts.logging:
                return True
            if name in facts.functions:  # a function of that file: does a helper it calls log?
                return any(
                    self._follow(module, spec, imported, here, depth + 1, seen)
                    for exported, spec, imported in facts.calls
                    if exported == name
                )
            return _NOT_HERE

        found = self._follow(importer, specifier, name, here, 0, seen)
        return found if isinstance(found, bool) else None

    def constant(self, importer: Path, specifier: str, name: str) -> str | None:
        """The string that `name` (`ID`, or `IDS.send` for a member of an object of strings),
        imported by `importer` from `specifier`, holds; None when unknown or not a string."""

        def here(module: Path, links: ModuleLinks, name: str, depth: int) -> object:
            return next((value for key, value in links.constants if key == name), _NOT_HERE)

        found = self._follow(importer, specifier, name, here, 0, set())
        return found if isinstance(found, str) else None

    def _follow(
        self,
        importer: Path,
        specifier: str,
        name: str,
        here: Callable[[Path, ModuleLinks, str, int], object],
        depth: int,
        seen: set[tuple[Path, str]],
    ) -> object:
        """Follow `name` (or `name.member`) imported from `specifier` to the file that defines
        it, through re-exports and `export *` (a few files deep), and answer there with `here`
        (_NOT_HERE: not defined in that file). None when unknown."""
        module = self._target(importer, specifier)
        if module is None or (module, name) in seen or depth > FOLLOW_DEPTH:
            return None
        seen.add((module, name))
        links = self._links_of(module)
        if links is None:
            return None
        found = here(module, links, name, depth)
        if found is not _NOT_HERE:
            return found
        head, dot, member = name.partition(".")
        for exported, spec, imported in links.reexports:
            if exported == head:
                return self._follow(module, spec, f"{imported}{dot}{member}", here, depth + 1, seen)
        if head != "default":  # `export *` passes on every name but the default
            for spec in links.stars:
                found = self._follow(module, spec, name, here, depth + 1, seen)
                if found is not None:
                    return found
        return None

    def loaded(self, path: Path) -> bool | None:
        """Whether the Trigger.dev CLI loads the file when it builds the project: an entry point
        (under the config's `dirs`, not ignored), or a file an entry point imports, directly or
        through other files. None when unknown: the file is not indexed, its project's `dirs`
        cannot be read, or the index is not complete yet."""
        links = self._links.get(path)
        if links is None or links.entry is None:
            return None
        if links.entry:
            return True
        if not self.complete:
            return None
        return path in self._reached_files()

    def _counts(self, path: Path) -> bool:
        """Whether a file's task ids may collide with others': not when the CLI is known not to
        load it, nor while that is unknown for a file outside the `dirs`."""
        links = self._links.get(path)
        if links is None or links.entry is not False:
            return True
        return self.loaded(path) is True

    def _links_of(self, path: Path) -> ModuleLinks | None:
        """What an import of the file reaches (its exports, re-exports and constants)."""
        return self._links.get(path)

    def _logging_of(self, path: Path) -> ModuleLogging | None:
        with self._lock:
            found = self._logging.get(path)
        if found is None or isinstance(found, ModuleLogging):
            return found
        computed = found()
        with self._lock:
            if self._logging.get(path) is found:
                self._logging[path] = computed
        return computed

    def _known(self, path: Path) -> bool:
        return path in self._by_file

    def _target(self, importer: Path, specifier: str) -> Path | None:
        """The indexed file an import specifier of `importer` names (cached)."""
        key = (importer, specifier)
        targets = self._targets
        if key in targets:
            return targets[key]
        link = self._links.get(importer)
        project = link.project if link is not None else None
        aliases = None if specifier.startswith((".", "/")) else self._aliases_for(importer.parent)
        found = resolve_specifier(importer, specifier, self._known, aliases, project)
        targets[key] = found
        return found

    def forget_aliases(self) -> None:
        """Read tsconfig.json files again when next needed (one may have changed)."""
        with self._lock:
            self._aliases = {}
            self._forget_links()

    def _aliases_for(self, folder: Path) -> PathAliases | None:
        if folder not in self._aliases:
            tsconfig = nearest_tsconfig(folder)
            self._aliases[folder] = read_aliases(tsconfig) if tsconfig is not None else None
        return self._aliases[folder]

    def _reached_files(self) -> frozenset[Path]:
        reached = self._reached
        if reached is not None:
            return reached
        with self._lock:
            links = dict(self._links)
        todo = [p for p, link in links.items() if link.entry]
        seen = set(todo)
        while todo:
            path = todo.pop()
            link = links.get(path)
            for spec in link.specifiers if link is not None else ():
                target = self._target(path, spec)
                if target is not None and target not in seen:
                    seen.add(target)
                    todo.append(target)
        reached = frozenset(seen)
        with self._lock:
            if self._links == links:
                self._reached = reached
        return reached

    def bundled_packages(
        self, project: Path, dirs: tuple[Path, ...] | None, packages: frozenset[str]
    ) -> frozenset[str]:
        """Which of `packages` the project's bundle imports: files of the project inside
        `dirs` (None: under folders named `trigger`, as the CLI finds them when the config
        lists no dirs) and the project files they import, directly or through others."""
        with self._lock:
            files = dict(self._imports)
        wanted = {resolved(d) for d in dirs} if dirs is not None else None

        def in_dirs(path: Path) -> bool:
            if wanted is None:
                parts = relative_parts(path, project) or path.parts
                return "trigger" in parts[:-1]
            here = resolved(path)
            return here in wanted or any(p in wanted for p in here.parents)

        by_place = {resolved(p): p for p, f in files.items() if f.project == project}
        todo = [p for p in by_place.values() if in_dirs(p)]
        seen = set(todo)
        found: set[str] = set()
        while todo and found != packages:
            path = todo.pop()
            record = files[path]
            found |= record.packages & packages
            for specifier in record.local:
                target = resolve_module(path, specifier, project)
                key = by_place.get(resolved(target)) if target is not None else None
                if key is not None and key not in seen:
                    seen.add(key)
                    todo.append(key)
        return frozenset(found)

    def fan_out(
        self, task_id: str | None, variable: str | None, path: Path | None, project: Path
    ) -> FanOut | None:
        """Where the task (known by its id in the project, or by its variable in the file
        `path`) is fanned out; of several such places, the first by file and position."""
        with self._lock:
            if self._by_target is None:
                first: dict[tuple[object, ...], FanOut] = {}
                children: dict[tuple[object, ...], list[FanOut]] = {}
                ordered = sorted(self._fan_outs.items(), key=lambda item: str(item[0]))
                for _, group in ordered:
                    for f in group:
                        if f.how == "child":
                            children.setdefault(f.target, []).append(f)
                        else:
                            first.setdefault(f.target, f)
                self._by_target, self._children = first, children
            by_target, children = self._by_target, self._children
        keys: list[tuple[object, ...]] = []
        if task_id is not None:
            keys.append(("id", task_id, project))
        if variable is not None and path is not None:
            keys.append(("object", resolved(path), variable))
        for key in keys:
            found = by_target.get(key)
            if found is not None:
                return found
        # Started by every run of a task that is fanned out itself (one level).
        for key in keys:
            for edge in children.get(key, ()):
                parents = edge.parent or ()
                if set(parents) & set(keys):
                    continue  # a task that triggers itself
                for parent in parents:
                    found = by_target.get(parent)
                    if found is not None:
                        return replace(found, how="via", via=edge.via)
        return None

    def tasks_without_retry(self, project: Path) -> int:
        """How many tasks of the project have options without a `retry` (and no spread that
        could bring one)."""
        with self._lock:
            groups = list(self._by_file.values())
        return sum(1 for g in groups for e in g if e.project == project and e.own_retry is False)

    def fan_out_keys(self, project: Path, path: Path | None) -> frozenset[tuple[object, ...]]:
        """What findings about fan-outs in the project may say, seen from the file `path`:
        the places in other files (a finding names them), and only which of this file's own
        tasks it fans out (a finding names no place in its own file: the index holds the
        file as it was last analysed, one version behind the text being checked)."""
        with self._lock:
            groups = list(self._fan_outs.items())
        here = resolved(path) if path is not None else None
        keys: set[tuple[object, ...]] = set()
        for where, group in groups:
            own = here is not None and resolved(where) == here
            keys.update(
                f.key if own else (*f.key, f.line, f.start_byte)
                for f in group
                if f.project == project
            )
        return frozenset(keys)


def _same_tasks(old: tuple[TaskEntry, ...], new: tuple[TaskEntry, ...]) -> bool:
    """Whether two lists of a file's entries are the same tasks in the same order (each of the
    same id, path and project, and with a retry policy of its own or not alike), whatever
    their places and options: then what other files' findings depend on is the same."""
    return len(old) == len(new) and all(  # (tuples compare equal items by identity first)
        o is n or (o.id, o.own_retry, o.path, o.project) == (n.id, n.own_retry, n.path, n.project)
        for o, n in zip(old, new, strict=True)
    )


def _same_fan_outs(old: tuple[FanOut, ...], new: tuple[FanOut, ...]) -> bool:
    """Whether two lists of a file's fan-out places say the same in the same order, whatever
    their places: then their keys are the same, and so is which is first for each task."""
    return len(old) == len(new) and all(
        o is n or _fan_out_fields(o) == _fan_out_fields(n) for o, n in zip(old, new, strict=True)
    )


def _fan_out_fields(f: FanOut) -> tuple[object, ...]:
    return (f.how, f.task_id, f.module, f.name, f.parent, f.via, f.path, f.project)


def _retry_less(entries: tuple[TaskEntry, ...]) -> frozenset[tuple[str, Path]]:
    return frozenset((e.id, e.project) for e in entries if e.own_retry is False)
