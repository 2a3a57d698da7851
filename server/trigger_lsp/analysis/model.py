"""The model of one source file: SDK imports, task definitions and interesting call sites.

Built from a single tree-sitter query pass, so every rule reads the same pre-collected nodes
instead of walking the tree again. `FileModel` is the whole file (collected at once, or built
from the document's top-level statements); `FileView` is what a rule that is not `whole_file`
sees: some statements of the file and what all of them share (`FileModel` is the view of all).
"""

from __future__ import annotations

import bisect
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any, NamedTuple, TypeVar

import tree_sitter as ts

from trigger_lsp.analysis.imports import Import, SdkNames, read_import, read_require
from trigger_lsp.analysis.pieces import (
    SPARSE_TYPES,
    TASK_NAMES,
    Piece,
    PieceCache,
    TopLevel,
    pieces_of,
    requires_of,
    sparse_of,
    too_deep,
    top_level,
    with_token,
)
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    call_arguments,
    callee_method,
    contains,
    deeper_than,
    enclosing_function,
    language,
    member_value,
    object_members,
    parents_kept,
    string_value,
    text,
    unwrap,
)

T = TypeVar("T")

# SDK path -> task kind: every SDK function that defines a task (registers it under the `id`
# of its options object). `webhook` (SDK webhooks.d.ts) and `chat.agent`/`chat.customAgent`
# (from "@trigger.dev/sdk/ai", ai.d.ts) each call createTask with the options' id.
TASK_FACTORIES = {
    "task": "task",
    "schemaTask": "schemaTask",
    "schedules.task": "schedules.task",
    "toolTask": "toolTask",
    "webhook": "webhook",
    "ai/chat.agent": "chat.agent",
    "ai/chat.customAgent": "chat.customAgent",
}
# The member holding what a run executes, where it is not `run`: a webhook task's `onEvent`
# (webhooks.js wraps it in the task's run).
RUN_MEMBERS = {"webhook": "onEvent"}
# Kinds whose factory sets the retry policy itself: `chat.agent` takes no `retry` option and
# passes `{ maxAttempts: 1 }` (2 with `oomMachine`) to createTask (SDK 4.8.3 ai.js, chatAgent).
SDK_SETS_RETRY = frozenset({"chat.agent"})

HOOK_NAMES = frozenset(
    {
        "onStart",
        "onStartAttempt",
        "onSuccess",
        "onFailure",
        "onComplete",
        "onWait",
        "onResume",
        "onCancel",
        "catchError",
        "handleError",
        "init",
        "cleanup",
        "middleware",
    }
)

# One query collects every node kind that rules look at.
_COLLECT = """
(call_expression) @call
(new_expression) @new
(import_statement) @import
(variable_declarator) @declarator
(catch_clause) @catch
[(for_statement) (for_in_statement) (while_statement) (do_statement)] @loop
(member_expression) @member
(string) @string
(template_string) @template
(comment) @comment
(await_expression) @await
(export_statement) @export
"""


_START = operator.attrgetter("start_byte")
_RUN_START = operator.attrgetter("run_start")


@cache
def _query(grammar: str) -> ts.Query:
    return ts.Query(language(grammar), _COLLECT)


@dataclass(frozen=True)
class TaskSummary:
    """What the text of a task definition decides besides its syntax nodes: kept per statement
    text by a model built from pieces, so an unchanged task is not read again."""

    kind: str
    id: str | None
    variable: str | None
    exported: bool
    run_offset: int | None  # where the run function starts, from the start of the call


class _Parts(NamedTuple):
    options: ts.Node | None
    members: dict[str, ts.Node]
    id_value: ts.Node | None
    run: ts.Node | None
    statement: ts.Node
    variable: str | None
    exported: bool


class TaskDefinition:
    """A task definition: a call of one of `TASK_FACTORIES` (`task()`, `schemaTask()`,
    `webhook()`, `chat.agent()`, ...). Its nodes besides the call (options, members, id, run,
    statement) are read when first asked; `run` is the function a run executes (a webhook
    task's `onEvent`)."""

    __slots__ = ("_parts", "call", "piece", "summary")

    def __init__(
        self,
        call: ts.Node,
        kind: str,
        constants: dict[str, str],
        summary: TaskSummary | None = None,
        piece: Piece | None = None,
    ) -> None:
        self.call = call
        self.piece = piece  # the top-level statement it is in (a model built from pieces)
        self._parts: _Parts | None = None
        if summary is None:
            parts = self._parts = _read_parts(call, kind)
            run_offset = parts.run.start_byte - call.start_byte if parts.run is not None else None
            task_id = _static_string(parts.id_value, constants)
            summary = TaskSummary(kind, task_id, parts.variable, parts.exported, run_offset)
        self.summary = summary

    @property
    def parts(self) -> _Parts:
        if self._parts is None:
            self._parts = _read_parts(self.call, self.summary.kind)
        return self._parts

    @property
    def kind(self) -> str:
        return self.summary.kind

    @property
    def id(self) -> str | None:
        return self.summary.id

    @property
    def variable(self) -> str | None:
        return self.summary.variable

    @property
    def exported(self) -> bool:
        return self.summary.exported

    @property
    def run_start(self) -> int | None:
        offset = self.summary.run_offset
        return self.call.start_byte + offset if offset is not None else None

    @property
    def options(self) -> ts.Node | None:
        return self.parts.options

    @property
    def members(self) -> dict[str, ts.Node]:
        return self.parts.members

    @property
    def id_value(self) -> ts.Node | None:
        return self.parts.id_value

    @property
    def run(self) -> ts.Node | None:
        return self.parts.run

    @property
    def statement(self) -> ts.Node:
        if self._parts is None:  # (without reading the options: a code lens asks every task)
            return _statement_of(self.call)[0]
        return self._parts.statement

    @property
    def has_retry(self) -> bool:
        """Whether the task has a retry policy of its own (its `retry`, or its factory's)."""
        return "retry" in self.members or self.kind in SDK_SETS_RETRY

    def member(self, name: str) -> ts.Node | None:
        """The value node of an option (the function for a method member)."""
        return member_value(self.members.get(name))

    def hook_functions(self) -> dict[str, ts.Node]:
        hooks: dict[str, ts.Node] = {}
        for name in HOOK_NAMES:
            value = unwrap(self.member(name))
            if value is not None and value.type in FUNCTION_TYPES:
                hooks[name] = value
        return hooks


class FileView:
    """What a rule that is not `whole_file` sees of a file: the task definitions, runs and
    collected nodes of some top-level statements (one task statement, or the skeleton), and
    of the whole file only what every such view shares: its imports, SDK names, module
    constants, task variables and task signatures (`file_tasks`), which the editor's kept
    findings are keyed on (see statements.py). Anything else about the whole file reaches a
    rule through a declared file fact (`rules/base.FileFact`). `FileModel`, the whole file,
    is a view of all of it."""

    grammar: str
    imports: list[Import]
    sdk: SdkNames
    tasks: list[TaskDefinition]
    task_vars: dict[str, TaskDefinition]
    constants: dict[str, str]
    runs: list[TaskDefinition]
    _memo: dict[object, Any]

    def __init__(
        self, file: FileModel, spans: list[tuple[int, int]], tasks: list[TaskDefinition]
    ) -> None:
        self._file_model = file
        self._view_spans = spans
        self.grammar = file.grammar
        self.imports = file.imports
        self.sdk = file.sdk
        self.tasks = tasks
        self.task_vars = file.task_vars
        self.constants = file.constants
        self.runs = sorted((t for t in tasks if t.run_start is not None), key=_RUN_START)
        self._memo = {}

    @property
    def _file(self) -> FileModel:
        """The whole file's model: for the framework (rules/base.py), not for rules."""
        return self._file_model

    @property
    def _spans(self) -> list[tuple[int, int]] | None:
        return self._view_spans

    @property
    def file_tasks(self) -> tuple[TaskSummary, ...]:
        """The signatures (kind, id, variable, export) of every task of the file."""
        file = self._file
        return file.memo("file_tasks", lambda: tuple(t.summary for t in file.tasks))

    def of(self, kind: str) -> list[ts.Node]:
        """The collected nodes of a kind in the view, in source order."""
        gathered = self._memo.get("nodes")
        if gathered is None:
            file, spans = self._file, self._spans
            assert spans is not None
            if file.gathered:  # this kind, from the whole file's lists
                return self.memo(("in", kind), lambda: file._kind_in_spans(kind, spans))
            gathered = self.memo("nodes", self._gather)
        return gathered.get(kind, [])

    def _gather(self) -> dict[str, list[ts.Node]]:
        """The collected nodes of a view's spans (one query per span, kept on the whole model:
        the views of one statement, for the rules, a file fact and the index, share it; `of`
        takes them from the whole model's lists instead when it has them)."""
        whole = self._file
        root = whole._root
        assert root is not None and self._spans is not None
        out: dict[str, list[ts.Node]] = defaultdict(list)
        for start, end in self._spans:
            found = whole.memo(
                ("span nodes", start, end), partial(_collect, root, self.grammar, start, end)
            )
            for kind, nodes in found.items():
                out[kind].extend(nodes)
        return dict(out)

    def shared(self, key: object, compute: Callable[[], T]) -> T:
        """`memo` on the whole file's model, for a value every view of the file shares: it
        may depend only on what every view sees alike (imports, SDK names, constants, task
        variables and signatures, the file's text), never on the view's own statements."""
        return self._file.memo(key, compute)

    def module_declarators(self) -> list[ts.Node]:
        """The variable declarators of the whole file that are in no function."""
        whole = self._file
        if whole._pieces is None:
            return whole.memo(
                "module_declarators",
                lambda: [d for d in whole.of("declarator") if enclosing_function(d) is None],
            )
        pieces = whole._pieces
        return whole.memo(
            "module_declarators", lambda: [d for p in pieces for d in p.module_declarators()]
        )

    def module_declarators_named(self) -> Callable[[str], list[ts.Node]] | None:
        """For a view of a model built from pieces that has not collected the whole file's
        nodes: the declarators outside functions that declare a name (rules/common.
        Declarations), in source order, found by position when first asked for that name
        from the names the pieces keep (not every module declarator on each keystroke);
        None otherwise (the view's `in_scope` then reads them all)."""
        whole = self._file
        if whole.gathered or self is whole or whole._pieces is None:
            return None
        pieces = whole._pieces
        return whole.memo("module_declarators_named", lambda: _NamedDeclarators(pieces).get)

    def own_declarators(self) -> list[ts.Node]:
        """The declarators in the view that are not among the module declarators (those in
        functions of its statements: a module declarator is one in no function, see
        `Piece.module_declarators`), in source order."""
        return [d for d in self.of("declarator") if enclosing_function(d) is not None]

    def in_scope(
        self,
        key: object,
        make: Callable[[list[ts.Node]], T],
        more: Callable[[T, list[ts.Node]], T] | None = None,
    ) -> T:
        """`make` of the declarators a name in the view may refer to, computed once: every
        declarator of the file when the file's nodes are collected (shared by its views),
        else those outside functions and those in the view (rules/common.declarations_of).
        With `more` (`more(made, extra)` equals `make` of the declarators of `made` and
        `extra`), the part outside functions is made once for all views and each view adds
        only its own others: the first edit after a whole analysis runs the rules on every
        statement's view (issue 19)."""
        whole = self._file
        if whole.gathered or self is whole:
            return whole.memo(key, lambda: make(whole.of("declarator")))

        def own() -> T:
            module = self.module_declarators()
            if more is not None:
                shared = whole.memo(("in_scope", key), lambda: make(module))
                outside = whole.memo(
                    "module_declarator_spans", lambda: {(d.start_byte, d.end_byte) for d in module}
                )
                extra = [
                    d for d in self.of("declarator") if (d.start_byte, d.end_byte) not in outside
                ]
                return more(shared, extra)
            merged = {(d.start_byte, d.end_byte): d for d in module}
            merged.update({(d.start_byte, d.end_byte): d for d in self.of("declarator")})
            return make([merged[k] for k in sorted(merged)])

        return self.memo(key, own)

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """Compute a per-model value once: several rules need the same derived facts."""
        try:
            return self._memo[key]  # type: ignore[no-any-return,unused-ignore]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def calls_where(
        self, key: Callable[[ts.Node], str | None], names: Iterable[str]
    ) -> list[ts.Node]:
        """The calls of this model (of a view: in it) for which `key` (a function such as
        `callee_method`) gives one of `names`, in source order. Each call's key is computed
        once per model: many rules look for calls by method name."""
        groups = self.memo(("calls_by", key), lambda: _group(self.of("call"), key))
        calls = self.of("call")
        return [calls[i] for i in sorted({i for name in names for i in groups.get(name, ())})]

    def _starts(self, kind: str) -> list[int]:
        return self.memo(("starts", kind), lambda: [n.start_byte for n in self.of(kind)])

    @property
    def imports_sdk(self) -> bool:
        return any(imp.is_sdk for imp in self.imports)

    def task_running(self, node: ts.Node) -> TaskDefinition | None:
        """The task whose `run` function lexically contains the node."""
        whole = self._file
        starts = whole.memo(
            "run_starts", lambda: [t.run_start for t in whole.runs if t.run_start is not None]
        )
        i = bisect.bisect_right(starts, node.start_byte) - 1
        while i >= 0:
            task = whole.runs[i]
            if task.run is not None and contains(task.run, node):
                return task
            i -= 1
        return None

    def within(self, kind: str, node: ts.Node) -> list[ts.Node]:
        """Collected nodes of `kind` inside `node` (the node itself included), in a view too."""
        model: FileView = self._file
        if not self._file.gathered:
            spans = self._spans or []
            if any(s <= node.start_byte and node.end_byte <= e for s, e in spans):
                model = self  # a view holding the node: its own nodes suffice
            else:
                key = ("within", node.start_byte, node.end_byte)
                inside: dict[str, list[ts.Node]] = self.memo(
                    key, lambda: _collect(node, self.grammar)
                )
                return inside.get(kind, [])
        found = model.of(kind)
        starts = model._starts(kind)
        lo = bisect.bisect_left(starts, node.start_byte)
        hi = bisect.bisect_right(starts, node.end_byte)
        return [n for n in found[lo:hi] if n.end_byte <= node.end_byte]

    def task_containing(self, node: ts.Node) -> TaskDefinition | None:
        for task in self._file.tasks:
            if contains(task.call, node):
                return task
        return None

    def hook_containing(self, node: ts.Node) -> tuple[TaskDefinition, str] | None:
        """The task and hook name whose hook function contains the node."""
        whole = self._file
        for task in whole.tasks:
            if not contains(task.call, node):
                continue
            hooks = whole.memo(("hooks", task.call.id), task.hook_functions)
            for name, fn in hooks.items():
                if contains(fn, node):
                    return task, name
        return None

    def import_of(self, local: str) -> Import | None:
        for imp in self.imports:
            if local in imp.names or local == imp.default or local == imp.namespace:
                return imp
        return None

    def is_task_reference(self, node: ts.Node | None) -> bool:
        """Whether an expression plausibly denotes a task object: a task defined in this file,
        or a name imported (as a value) from a project module."""
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "member_expression":  # `tasks.child` via namespace import of a module
            obj = unwrap(node.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier":
                imp = self.import_of(text(obj))
                return imp is not None and imp.namespace == text(obj) and imp.is_relative
            return False
        if node.type != "identifier":
            return False
        name = text(node)
        if name in self.task_vars:
            return True
        imp = self.import_of(name)
        return (
            imp is not None
            and not imp.is_sdk
            and not imp.type_only
            and name not in imp.type_names
            and (imp.is_relative or imp.dynamic)
        )


@dataclass(frozen=True, eq=False)
class FileModel(FileView):
    """The model of the whole file, collected with one query (`nodes`) or built from the
    document's top-level statements (`pieces`), which collects the nodes when first asked.
    `view` gives what a rule that is not `whole_file` sees of some of its statements."""

    grammar: str
    imports: list[Import]
    sdk: SdkNames
    tasks: list[TaskDefinition]
    # The collected nodes by kind; None for a model built from pieces (see `build_model`),
    # which collects them when first asked.
    nodes: dict[str, list[ts.Node]] | None
    task_vars: dict[str, TaskDefinition] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # module-level `const X = "..."`
    runs: list[TaskDefinition] = field(default_factory=list)  # tasks with a run, by position
    # Values derived once per file and shared by every rule (see `memo`).
    _memo: dict[object, Any] = field(default_factory=dict)
    # For a model built from pieces: the top-level statements, and the tree's root.
    _pieces: list[Piece] | None = None
    _root: ts.Node | None = None
    _cache: PieceCache | None = None
    # The tree nests deeper than syntax.MAX_DEPTH: the model is empty, the file not analysed.
    too_deep: bool = False

    @property
    def _file(self) -> FileModel:
        return self

    @property
    def _spans(self) -> list[tuple[int, int]] | None:
        return None

    @property
    def whole(self) -> FileModel:
        return self

    @property
    def pieces(self) -> list[Piece] | None:
        """The top-level statements, for a model built from pieces."""
        return self._pieces

    @property
    def piece_cache(self) -> PieceCache | None:
        return self._cache

    def pieces_with(self, token: bytes) -> list[Piece] | None:
        """The top-level statements whose text holds `token` (pieces.with_token), for a model
        built from pieces; None for another."""
        pieces, cache = self._pieces, self._cache
        if pieces is None or cache is None:
            return None
        return self.memo(("pieces_with", token), lambda: with_token(pieces, cache, token))

    @property
    def names_key(self) -> object:
        """The SDK names in force, as a key for what is kept per statement text."""
        sdk = self.sdk
        return self.memo(
            "names_key",
            lambda: (self.grammar, frozenset(sdk.names.items()), frozenset(sdk.namespaces)),
        )

    def of(self, kind: str) -> list[ts.Node]:
        if self.nodes is not None:
            return self.nodes.get(kind, [])
        gathered = self._memo.get("nodes")
        if gathered is None:
            if kind in SPARSE_TYPES and self._pieces is not None:
                pieces = self._pieces
                return self.memo(("sparse", kind), lambda: sparse_of(pieces, kind))
            assert self._root is not None
            root = self._root
            gathered = self.memo("nodes", lambda: _collect(root, self.grammar))
        return gathered.get(kind, [])

    def _kind_in_spans(self, kind: str, spans: list[tuple[int, int]]) -> list[ts.Node]:
        found = self.of(kind)
        starts = self._starts(kind)
        kept: list[ts.Node] = []
        for start, end in spans:
            lo = bisect.bisect_left(starts, start)
            hi = bisect.bisect_left(starts, end)
            kept.extend(n for n in found[lo:hi] if n.end_byte <= end)
        return kept

    @property
    def gathered(self) -> bool:
        """Whether the whole file's nodes are collected (reading any kind costs nothing)."""
        return self.nodes is not None or "nodes" in self._memo

    def view(self, spans: list[tuple[int, int]]) -> FileView:
        """The file seen through some byte spans (sorted, disjoint): collected nodes, tasks
        and runs are those inside the spans; imports, SDK names, task variables and
        constants stay those of the whole file. Used to re-check only what an edit touched."""
        task_starts = self.memo("task_starts", lambda: [t.call.start_byte for t in self.tasks])
        tasks: list[TaskDefinition] = []
        for start, end in spans:
            lo = bisect.bisect_left(task_starts, start)
            hi = bisect.bisect_left(task_starts, end)
            tasks.extend(t for t in self.tasks[lo:hi] if t.call.end_byte <= end)
        return FileView(self, spans, tasks)


class _NamedDeclarators:
    """The module declarators of a model built from pieces, by the name they declare: the
    names come from each statement's spots (kept by its text), the nodes are found when a
    name is first asked for."""

    def __init__(self, pieces: list[Piece]) -> None:
        self._where: dict[str, list[tuple[Piece, int]]] = {}
        for piece in pieces:
            for i, name in enumerate(piece.spots.module_names):
                if name is not None:
                    self._where.setdefault(name, []).append((piece, i))
        self._found: dict[str, list[ts.Node]] = {}
        self._of_piece: dict[int, list[ts.Node]] = {}

    def get(self, name: str) -> list[ts.Node]:
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = [
                self._declarators(piece)[i] for piece, i in self._where.get(name, ())
            ]
        return found

    def _declarators(self, piece: Piece) -> list[ts.Node]:
        found = self._of_piece.get(id(piece))
        if found is None:
            found = self._of_piece[id(piece)] = piece.module_declarators()
        return found


def _group(calls: list[ts.Node], key: Callable[[ts.Node], str | None]) -> dict[str, list[int]]:
    """The positions of the calls in `calls` by their key (calls without one left out)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, call in enumerate(calls):
        name = key(call)
        if name is not None:
            groups[name].append(i)
    return groups


def _statement_of(call: ts.Node) -> tuple[ts.Node, str | None, bool]:
    """The statement holding a task call, the variable it is bound to, and whether exported."""
    node = call
    variable = None
    while node.parent is not None and node.parent.type in (
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
    ):
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            variable = text(name)
        decl = parent.parent
        stmt = decl if decl is not None else parent
        exported = stmt.parent is not None and stmt.parent.type == "export_statement"
        return (stmt.parent if exported and stmt.parent is not None else stmt), variable, exported
    if parent is not None and parent.type == "export_statement":
        return parent, None, True
    if parent is not None and parent.type == "expression_statement":
        return parent, None, False
    return node, None, False


def _read_parts(call: ts.Node, kind: str) -> _Parts:
    args = call_arguments(call)
    options = unwrap(args[0]) if args else None
    if options is not None and options.type != "object":
        options = None
    members = object_members(options)
    id_value = member_value(members.get("id")) if "id" in members else None
    if id_value is not None and members["id"].type == "shorthand_property_identifier":
        id_value = members["id"]
    run = unwrap(member_value(members.get(RUN_MEMBERS.get(kind, "run"))))
    if run is not None and run.type not in FUNCTION_TYPES:
        run = None
    statement, variable, exported = _statement_of(call)
    return _Parts(options, members, id_value, run, statement, variable, exported)


def _static_string(node: ts.Node | None, constants: dict[str, str]) -> str | None:
    node = unwrap(node)
    if node is not None and node.type in ("identifier", "shorthand_property_identifier"):
        return constants.get(text(node))
    if node is not None and node.type == "member_expression":  # `IDS.send`
        obj = unwrap(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        if obj is not None and obj.type == "identifier" and prop is not None:
            return constants.get(f"{text(obj)}.{text(prop)}")
        return None
    return string_value(node)


def _module_constants(root: ts.Node) -> dict[str, str]:
    """Module-level `const X = "..."` (exported or not), read from the top-level statements,
    and the string members of a module-level `const X = { a: "..." }` (`as const` or not) as
    `X.a`."""
    constants: dict[str, str] = {}
    for stmt in root.named_children:
        constants.update(_statement_constants(stmt))
    return constants


def _statement_constants(stmt: ts.Node) -> tuple[tuple[str, str], ...]:
    """The constants one top-level statement declares (see `_module_constants`), in order."""
    if stmt.type == "export_statement":
        stmt = stmt.child_by_field_name("declaration") or stmt
    if stmt.type != "lexical_declaration" or not any(c.type == "const" for c in stmt.children):
        return ()
    constants: list[tuple[str, str]] = []
    for decl in stmt.named_children:
        if decl.type != "variable_declarator":
            continue
        name = decl.child_by_field_name("name")
        if name is None or name.type != "identifier":
            continue
        value_node = decl.child_by_field_name("value")
        value = string_value(value_node)
        if value is not None:
            constants.append((text(name), value))
            continue
        obj = unwrap(value_node)
        if obj is not None and obj.type == "object":
            for member, pair in object_members(obj).items():
                found = string_value(member_value(pair)) if pair.type == "pair" else None
                if found is not None:
                    constants.append((f"{text(name)}.{member}", found))
    return tuple(constants)


def _pieces_constants(pieces: list[Piece], cache: PieceCache) -> dict[str, str]:
    """`_module_constants` from the pieces, each clean statement's read kept by its text."""
    constants: dict[str, str] = {}
    kept: dict[bytes, tuple[tuple[str, str], ...]] = {}
    known = cache.constants
    for piece in pieces:
        found = known.get(piece.text) if piece.clean else None
        if found is None:
            found = _statement_constants(piece.node)
        if piece.clean:
            kept[piece.text] = found
        if found:
            constants.update(found)
    cache.constants = kept  # this version's statements only
    return constants


# The last part of every task factory's SDK path (`schedules.task` ends in `task`).
_FACTORY_TAILS = frozenset(name.rpartition(".")[2].encode() for name in TASK_FACTORIES)


def _may_define_task(call: ts.Node, factories: frozenset[bytes]) -> bool:
    """A cheap test that rules out most calls before their callee is resolved: a task factory
    is called by a name imported as one (`factories`, the local names), or as a member named
    like one. Compares the source bytes; a name that is not ASCII is left to `resolve`."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    kind = fn.type
    if kind == "identifier":
        name = fn.text or b""
        return name in factories or not name.isascii()
    if kind == "member_expression":
        prop = fn.child_by_field_name("property")
        name = (prop.text or b"") if prop is not None else b""
        return name in _FACTORY_TAILS or not name.isascii()
    return True  # parenthesised, `await` misparsed, ...: resolve it


def build_model(tree: ts.Tree, grammar: str, cache: PieceCache | None = None) -> FileModel:
    """The model of a tree. With a document's `PieceCache`, the model is built from the
    top-level statements (see analysis/pieces.py) and collects the nodes rules look for only
    when first asked; the result is the same. A tree nested too deep for the rules (see
    `syntax.MAX_DEPTH`; the engine skips such a file) gets an empty model: nothing in it is
    read, so the index and the editor's features do no unbounded work on it either."""
    root = tree.root_node
    top = None
    if cache is not None:  # (only the statements of new text are walked)
        top = top_level(root)
        deep = too_deep(root, top, cache)
    else:
        deep = deeper_than(root)
    if deep:
        return FileModel(grammar, [], SdkNames([]), [], {}, too_deep=True)
    with parents_kept():
        return _build(tree, grammar, cache, top)


def _build(
    tree: ts.Tree, grammar: str, cache: PieceCache | None, top: TopLevel | None = None
) -> FileModel:
    if cache is not None:
        return _build_from_pieces(tree, grammar, cache, top)
    nodes = _collect(tree.root_node, grammar)
    imports = _imports(nodes.get("import", []), nodes.get("declarator", []))
    sdk = SdkNames(imports)
    constants = _module_constants(tree.root_node)
    tasks: list[TaskDefinition] = []
    if sdk:
        factories = _factories(sdk)
        for call in nodes.get("call", []):
            kind = _task_kind(call, sdk, factories)
            if kind is not None:
                tasks.append(TaskDefinition(call, kind, constants))
    return _model(grammar, imports, sdk, tasks, constants, nodes=nodes)


def _build_from_pieces(
    tree: ts.Tree, grammar: str, cache: PieceCache, top: TopLevel | None = None
) -> FileModel:
    root = tree.root_node
    pieces, whole = pieces_of(root, cache, lambda node: _collect(node, grammar), top)
    imports = _imports(sparse_of(pieces, "import"), requires_of(pieces, read_require))
    sdk = SdkNames(imports)
    constants = _pieces_constants(pieces, cache)
    tasks: list[TaskDefinition] = []
    if sdk:
        factories = _factories(sdk)
        names = (  # what decides which calls define tasks, and their ids
            grammar,
            frozenset(sdk.names.items()),
            frozenset(sdk.namespaces),
            frozenset(constants.items()),
        )
        # Kept by statement text, for these names (compared once, not hashed into each key).
        known = cache.tasks if cache.tasks.get(TASK_NAMES) == names else {}
        kept: dict[object, Any] = {TASK_NAMES: names}
        for piece in pieces:
            key = piece.text
            spots = known.get(key) if piece.clean else None
            if spots == ():  # (most statements define no task)
                kept[key] = spots
                continue
            calls = None
            if spots is not None:
                calls = piece.find_all(tuple((a, b) for a, b, _ in spots), "call_expression")
            if spots is not None and calls is not None:
                found = [
                    TaskDefinition(call, summary.kind, constants, summary, piece)
                    for call, (_, _, summary) in zip(calls, spots, strict=True)
                ]
            else:  # a new statement, or not where it was: read it
                found = [
                    TaskDefinition(call, kind, constants, piece=piece)
                    for call in piece.caps().get("call", [])
                    if (kind := _task_kind(call, sdk, factories)) is not None
                ]
                start = piece.start
                spots = tuple(
                    (t.call.start_byte - start, t.call.end_byte - start, t.summary) for t in found
                )
            if piece.clean:
                kept[key] = spots
            tasks.extend(found)
        cache.tasks = kept  # this version's statements only
    model = _model(
        grammar, imports, sdk, tasks, constants, nodes=None, pieces=pieces, root=root, cache=cache
    )
    if whole is not None:  # collected already: the rules' reads cost nothing more
        model.memo("nodes", lambda: whole)
    return model


def _collect(
    node: ts.Node, grammar: str, start: int | None = None, end: int | None = None
) -> dict[str, list[ts.Node]]:
    """The collected nodes inside `node` (or inside bytes start..end of it), by kind, in source
    order: one query."""
    cursor = ts.QueryCursor(_query(grammar))
    if start is not None and end is not None:
        cursor.set_byte_range(start, end)
        return {
            kind: sorted(
                (n for n in found if start <= n.start_byte and n.end_byte <= end), key=_START
            )
            for kind, found in cursor.captures(node).items()
        }
    return {kind: sorted(found, key=_START) for kind, found in cursor.captures(node).items()}


def _imports(statements: list[ts.Node], declarators: list[ts.Node]) -> list[Import]:
    imports: list[Import] = []
    for node in statements:
        imp = read_import(node)
        if imp is not None:
            imports.append(imp)
    for node in declarators:
        imp = read_require(node)
        if imp is not None:
            imports.append(imp)
    return imports


def _factories(sdk: SdkNames) -> frozenset[bytes]:
    return frozenset(local.encode() for local, path in sdk.names.items() if path in TASK_FACTORIES)


def _task_kind(call: ts.Node, sdk: SdkNames, factories: frozenset[bytes]) -> str | None:
    if not _may_define_task(call, factories):
        return None
    return TASK_FACTORIES.get(sdk.resolve(call.child_by_field_name("function")) or "")


def _model(
    grammar: str,
    imports: list[Import],
    sdk: SdkNames,
    tasks: list[TaskDefinition],
    constants: dict[str, str],
    *,
    nodes: dict[str, list[ts.Node]] | None,
    pieces: list[Piece] | None = None,
    root: ts.Node | None = None,
    cache: PieceCache | None = None,
) -> FileModel:
    runs = sorted((t for t in tasks if t.run_start is not None), key=_RUN_START)
    return FileModel(
        grammar=grammar,
        imports=imports,
        sdk=sdk,
        tasks=tasks,
        nodes=nodes,
        task_vars={t.variable: t for t in tasks if t.variable},
        constants=constants,
        runs=runs,
        _pieces=pieces,
        _root=root,
        _cache=cache,
    )


def method_calls(model: FileModel, names: frozenset[str]) -> list[ts.Node]:
    """All calls `x.name(...)` whose method name is in `names`."""
    return [c for c in model.of("call") if callee_method(c) in names]
