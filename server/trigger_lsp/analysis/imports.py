"""Import declarations of a file, and resolution of names to Trigger.dev SDK exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    call_arguments,
    misparsed_await,
    string_value,
    text,
    unwrap,
)

SDK_ROOT = "@trigger.dev/sdk"
SDK_V3 = "@trigger.dev/sdk/v3"
SDK_MODULES = frozenset({SDK_ROOT, SDK_V3})
# `@trigger.dev/sdk/ai` (the AI chat agent, `ai.tool`): its names resolve under "ai/" (`chat`
# imported from there resolves to "ai/chat"), so none is taken for a root export of that name.
SDK_AI = "@trigger.dev/sdk/ai"
SDK_SUBPATH_PREFIXES = {SDK_AI: "ai/"}


@dataclass(frozen=True, eq=False)
class Import:
    """One `import ... from "source"` (or `require("source")`) with the local names it binds."""

    source: str
    node: ts.Node
    source_node: ts.Node
    names: dict[str, str] = field(default_factory=dict)  # local name -> imported name
    namespace: str | None = None
    default: str | None = None
    type_only: bool = False
    type_names: frozenset[str] = frozenset()  # local names imported with `type`
    dynamic: bool = False

    @property
    def is_sdk(self) -> bool:
        return self.source in SDK_MODULES or self.source in SDK_SUBPATH_PREFIXES

    @property
    def is_relative(self) -> bool:
        """A project-local module: relative, absolute or a path alias rather than a package."""
        return self.source.startswith((".", "/", "@/", "~/", "#", "$"))

    def value_bindings(self) -> Iterator[tuple[str, str]]:
        """(local name, name the module exports) of the values it binds: named imports that
        are not `type`, and the default import as `default`."""
        for local, imported in self.names.items():
            if local not in self.type_names:
                yield local, imported
        if self.default:
            yield self.default, "default"


def read_import(node: ts.Node) -> Import | None:
    source_node = node.child_by_field_name("source")
    source = string_value(source_node)
    if source is None or source_node is None:
        return None
    type_only = any(c.type == "type" for c in node.children)
    names: dict[str, str] = {}
    type_names: set[str] = set()
    namespace = default = None
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    for part in clause.named_children if clause is not None else []:
        if part.type == "identifier":
            default = text(part)
        elif part.type == "namespace_import":
            ident = next((c for c in part.named_children if c.type == "identifier"), None)
            namespace = text(ident) if ident is not None else None
        elif part.type == "named_imports":
            for spec in part.named_children:
                if spec.type != "import_specifier":
                    continue
                imported = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias")
                local = text(alias or imported)
                names[local] = text(imported)
                if any(c.type == "type" for c in spec.children):
                    type_names.add(local)
    return Import(
        source=source,
        node=node,
        source_node=source_node,
        names=names,
        namespace=namespace,
        default=default,
        type_only=type_only,
        type_names=frozenset(type_names),
    )


def read_require(declarator: ts.Node) -> Import | None:
    """`const { task } = require("@trigger.dev/sdk")` and `const sdk = require(...)`."""
    value = unwrap(declarator.child_by_field_name("value"))
    dynamic = False
    if value is not None and value.type == "await_expression":
        value = unwrap(value.named_children[0]) if value.named_children else None
        dynamic = True
    if value is None or value.type != "call_expression":
        return None
    fn = value.child_by_field_name("function")
    if fn is None or (fn.type != "import" and text(fn) != "require"):
        return None
    if fn.type == "import":
        dynamic = True
    args = call_arguments(value)
    source = string_value(args[0]) if args else None
    if source is None:
        return None
    name = declarator.child_by_field_name("name")
    names: dict[str, str] = {}
    namespace = None
    if name is not None and name.type == "identifier":
        namespace = text(name)
    elif name is not None and name.type == "object_pattern":
        for prop in name.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                names[text(prop)] = text(prop)
            elif prop.type == "pair_pattern":
                key = prop.child_by_field_name("key")
                val = prop.child_by_field_name("value")
                if key is not None and val is not None and val.type == "identifier":
                    names[text(val)] = text(key)
    return Import(
        source=source,
        node=declarator,
        source_node=args[0],
        names=names,
        namespace=namespace,
        dynamic=dynamic,
    )


class SdkNames:
    """Resolves local expressions to the SDK export path they denote.

    `import { task as t }` makes `t` resolve to "task"; `import * as sdk` makes `sdk.wait.for`
    resolve to "wait.for". Names that do not come from the SDK resolve to None. Names imported
    from a subpath of `SDK_SUBPATH_PREFIXES` take its prefix (`chat.agent` from
    "@trigger.dev/sdk/ai" resolves to "ai/chat.agent"); a namespace import of such a subpath
    is not resolved.
    """

    def __init__(self, imports: list[Import]) -> None:
        self.names: dict[str, str] = {}
        self.namespaces: set[str] = set()
        self._memo: dict[int, str | None] = {}
        for imp in imports:
            if not imp.is_sdk or imp.dynamic:
                continue
            prefix = SDK_SUBPATH_PREFIXES.get(imp.source, "")
            for local, imported in imp.names.items():
                if local not in imp.type_names and not imp.type_only:
                    self.names[local] = prefix + imported
            if imp.namespace and not prefix:
                self.namespaces.add(imp.namespace)

    def __bool__(self) -> bool:
        return bool(self.names or self.namespaces)

    def local_name(self, export: str) -> str | None:
        for local, imported in self.names.items():
            if imported == export:
                return local
        return None

    def resolve(self, node: ts.Node | None) -> str | None:
        """The SDK path an expression denotes, memoised per node (rules ask repeatedly)."""
        if node is None:
            return None
        key = node.id
        if key in self._memo:
            return self._memo[key]
        value = self._resolve(node)
        self._memo[key] = value
        return value

    # SDK paths are short (`tasks.trigger`, `wait.for`); a longer member chain is not one.
    MAX_DEPTH = 4

    def _resolve(self, node: ts.Node | None) -> str | None:
        """Iterative, so a 10,000-long member chain cannot exhaust the stack."""
        props: list[str] = []
        node = unwrap(misparsed_await(node) or node)
        while node is not None and node.type == "member_expression":
            if len(props) >= self.MAX_DEPTH:
                return None
            props.append(text(node.child_by_field_name("property")))
            node = unwrap(node.child_by_field_name("object"))
        if node is None or node.type != "identifier":
            return None
        name = text(node)
        base = props.pop() if name in self.namespaces and props else self.names.get(name)
        if base is None:
            return None
        return ".".join([base, *reversed(props)])
