"""The model of one source file: SDK imports, task definitions and interesting call sites.

Built from a single tree-sitter query pass, so every rule reads the same pre-collected nodes
instead of walking the tree again.
"""

from __future__ import annotations

import bisect
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import tree_sitter as ts

from trigger_lsp.analysis.imports import Import, SdkNames, read_import, read_require
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    call_arguments,
    callee_method,
    contains,
    language,
    member_value,
    object_members,
    string_value,
    text,
    unwrap,
)

T = TypeVar("T")

TASK_FACTORIES = {
    "task": "task",
    "schemaTask": "schemaTask",
    "schedules.task": "schedules.task",
    "toolTask": "toolTask",
}

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


@cache
def _query(grammar: str) -> ts.Query:
    return ts.Query(language(grammar), _COLLECT)


@dataclass(frozen=True, eq=False)
class TaskDefinition:
    """A `task()`, `schemaTask()`, `schedules.task()` or `toolTask()` definition."""

    kind: str
    call: ts.Node
    options: ts.Node | None
    members: dict[str, ts.Node]
    id: str | None
    id_value: ts.Node | None
    run: ts.Node | None
    variable: str | None
    exported: bool
    statement: ts.Node

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


@dataclass(frozen=True, eq=False)
class FileModel:
    grammar: str
    imports: list[Import]
    sdk: SdkNames
    tasks: list[TaskDefinition]
    nodes: dict[str, list[ts.Node]]
    task_vars: dict[str, TaskDefinition] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # module-level `const X = "..."`
    runs: list[TaskDefinition] = field(default_factory=list)  # tasks with a run, by position
    # Values derived once per file and shared by every rule (see `memo`).
    _memo: dict[object, Any] = field(default_factory=dict)
    # For a view (see `view`): the model of the whole file.
    _whole: FileModel | None = None

    def of(self, kind: str) -> list[ts.Node]:
        return self.nodes.get(kind, [])

    @property
    def whole(self) -> FileModel:
        """The model of the whole file. Rules read file-wide facts (does the file define any
        task, which names are exported, which helpers log) here, and look for the places to
        report through `of`, `tasks` and `runs`, which a view narrows."""
        return self._whole or self

    def view(self, spans: list[tuple[int, int]]) -> FileModel:
        """The same file seen through some byte spans (sorted, disjoint): collected nodes,
        tasks and runs are those inside the spans; imports, SDK names, task variables and
        constants stay those of the whole file. Used to re-check only what an edit touched."""
        whole = self.whole
        nodes: dict[str, list[ts.Node]] = {}
        for kind, found in whole.nodes.items():
            starts = whole._starts(kind)
            kept: list[ts.Node] = []
            for start, end in spans:
                lo = bisect.bisect_left(starts, start)
                hi = bisect.bisect_left(starts, end)
                kept.extend(n for n in found[lo:hi] if n.end_byte <= end)
            nodes[kind] = kept

        task_starts = whole.memo("task_starts", lambda: [t.call.start_byte for t in whole.tasks])
        tasks: list[TaskDefinition] = []
        for start, end in spans:
            lo = bisect.bisect_left(task_starts, start)
            hi = bisect.bisect_left(task_starts, end)
            tasks.extend(t for t in whole.tasks[lo:hi] if t.call.end_byte <= end)
        chosen = {id(t) for t in tasks}
        return FileModel(
            grammar=whole.grammar,
            imports=whole.imports,
            sdk=whole.sdk,
            tasks=tasks,
            nodes=nodes,
            task_vars=whole.task_vars,
            constants=whole.constants,
            runs=[t for t in whole.runs if id(t) in chosen],
            _whole=whole,
        )

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """Compute a per-file value once: several rules need the same derived facts."""
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
        whole = self.whole
        starts = whole.memo(
            "run_starts", lambda: [t.run.start_byte for t in whole.runs if t.run is not None]
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
        whole = self.whole
        found = whole.of(kind)
        starts = whole._starts(kind)
        lo = bisect.bisect_left(starts, node.start_byte)
        hi = bisect.bisect_right(starts, node.end_byte)
        return [n for n in found[lo:hi] if n.end_byte <= node.end_byte]

    def task_containing(self, node: ts.Node) -> TaskDefinition | None:
        for task in self.whole.tasks:
            if contains(task.call, node):
                return task
        return None

    def hook_containing(self, node: ts.Node) -> tuple[TaskDefinition, str] | None:
        """The task and hook name whose hook function contains the node."""
        for task in self.whole.tasks:
            if not contains(task.call, node):
                continue
            hooks = self.whole.memo(("hooks", task.call.id), task.hook_functions)
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


def _task_definition(call: ts.Node, kind: str, constants: dict[str, str]) -> TaskDefinition:
    args = call_arguments(call)
    options = unwrap(args[0]) if args else None
    if options is not None and options.type != "object":
        options = None
    members = object_members(options)
    id_value = member_value(members.get("id")) if "id" in members else None
    if id_value is not None and members["id"].type == "shorthand_property_identifier":
        id_value = members["id"]
    run = unwrap(member_value(members.get("run")))
    if run is not None and run.type not in FUNCTION_TYPES:
        run = None
    statement, variable, exported = _statement_of(call)
    return TaskDefinition(
        kind=kind,
        call=call,
        options=options,
        members=members,
        id=_static_string(id_value, constants),
        id_value=id_value,
        run=run,
        variable=variable,
        exported=exported,
        statement=statement,
    )


def _static_string(node: ts.Node | None, constants: dict[str, str]) -> str | None:
    node = unwrap(node)
    if node is not None and node.type in ("identifier", "shorthand_property_identifier"):
        return constants.get(text(node))
    return string_value(node)


def _module_constants(root: ts.Node) -> dict[str, str]:
    """Module-level `const X = "..."` (exported or not), read from the top-level statements."""
    constants: dict[str, str] = {}
    for stmt in root.named_children:
        if stmt.type == "export_statement":
            stmt = stmt.child_by_field_name("declaration") or stmt
        if stmt.type != "lexical_declaration" or not any(c.type == "const" for c in stmt.children):
            continue
        for decl in stmt.named_children:
            if decl.type != "variable_declarator":
                continue
            name = decl.child_by_field_name("name")
            value = string_value(decl.child_by_field_name("value"))
            if name is not None and name.type == "identifier" and value is not None:
                constants[text(name)] = value
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


def build_model(tree: ts.Tree, grammar: str) -> FileModel:
    captures = ts.QueryCursor(_query(grammar)).captures(tree.root_node)
    nodes: dict[str, list[ts.Node]] = defaultdict(list)
    for name, found in captures.items():
        nodes[name] = sorted(found, key=_START)
    imports: list[Import] = []
    for node in nodes.get("import", []):
        imp = read_import(node)
        if imp is not None:
            imports.append(imp)
    for node in nodes.get("declarator", []):
        imp = read_require(node)
        if imp is not None:
            imports.append(imp)
    sdk = SdkNames(imports)
    constants = _module_constants(tree.root_node)
    tasks: list[TaskDefinition] = []
    if sdk:
        factories = frozenset(
            local.encode() for local, path in sdk.names.items() if path in TASK_FACTORIES
        )
        for call in nodes.get("call", []):
            if not _may_define_task(call, factories):
                continue
            kind = TASK_FACTORIES.get(sdk.resolve(call.child_by_field_name("function")) or "")
            if kind is not None:
                tasks.append(_task_definition(call, kind, constants))
    task_vars = {t.variable: t for t in tasks if t.variable}
    runs = sorted(
        (t for t in tasks if t.run is not None),
        key=lambda t: t.run.start_byte if t.run is not None else 0,
    )
    return FileModel(
        grammar=grammar,
        imports=imports,
        sdk=sdk,
        tasks=tasks,
        nodes=dict(nodes),
        task_vars=task_vars,
        constants=constants,
        runs=runs,
    )


def method_calls(model: FileModel, names: frozenset[str]) -> list[ts.Node]:
    """All calls `x.name(...)` whose method name is in `names`."""
    return [c for c in model.of("call") if callee_method(c) in names]
