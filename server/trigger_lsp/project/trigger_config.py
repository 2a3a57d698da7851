"""Reading trigger.config.* through the syntax tree: the options the rules care about."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePath

import tree_sitter as ts

from trigger_lsp.analysis.imports import Import, SdkNames, read_import, read_require
from trigger_lsp.analysis.syntax import (
    grammar_for,
    member_value,
    number_value,
    object_members,
    parse,
    string_value,
    unwrap,
)
from trigger_lsp.project.reading import find_upward, read_regular

CONFIG_NAMES = (
    "trigger.config.ts",
    "trigger.config.mts",
    "trigger.config.cts",
    "trigger.config.js",
    "trigger.config.mjs",
    "trigger.config.cjs",
)
MAX_CONFIG_BYTES = 1_000_000
_GLOB_CHARS = frozenset("*?[{")
_WRAPPERS = frozenset(
    {
        "export_statement",
        "lexical_declaration",
        "variable_declaration",
        "variable_declarator",
        "expression_statement",
        "assignment_expression",
        "call_expression",
        "arguments",
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
    }
)


@dataclass(frozen=True, eq=False)
class TriggerConfig:
    path: Path
    source: bytes
    tree: ts.Tree | None
    options: ts.Node | None  # the object literal given to defineConfig / exported
    call: ts.Node | None  # the defineConfig(...) call, when there is one
    dirs: tuple[str, ...] = ()
    max_duration: float | None = None
    has_max_duration: bool = False
    has_default_retries: bool = False
    runtime: str | None = None
    externals: tuple[str, ...] = ()
    members: dict[str, ts.Node] = field(default_factory=dict)
    dir_nodes: tuple[ts.Node, ...] = ()  # the string nodes of `dirs`, in order
    has_spread: bool = False  # `...base` in the options: any option may come from elsewhere
    externals_known: bool = True  # False when build.external is not a literal list of strings
    dirs_known: bool = True  # False when `dirs` holds anything but plain folder strings
    # `ignorePatterns` (None: not set, the CLI's defaults apply); known when a literal list.
    ignore_patterns: tuple[str, ...] | None = None
    ignore_known: bool = True

    @property
    def directory(self) -> Path:
        return self.path.parent


def is_config_path(path: PurePath | None) -> bool:
    return path is not None and path.name in CONFIG_NAMES


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    return find_upward(start, CONFIG_NAMES, stop)


def _imports(root: ts.Node) -> list[Import]:
    found = []
    for node in root.named_children:
        if node.type == "import_statement":
            imp = read_import(node)
            if imp is not None:
                found.append(imp)
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                if decl.type == "variable_declarator":
                    imp = read_require(decl)
                    if imp is not None:
                        found.append(imp)
    return found


_HOLDERS = frozenset({"export_statement", "variable_declarator", "assignment_expression"})
_CASTS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression"})


def _holder(node: ts.Node) -> str | None:
    """The type of the node an expression is the value of, looking through casts."""
    parent = node.parent
    while parent is not None and parent.type in _CASTS:
        parent = parent.parent
    return parent.type if parent is not None else None


def config_object(
    root: ts.Node, sdk: SdkNames | None = None
) -> tuple[ts.Node | None, ts.Node | None]:
    """The options object and the SDK `defineConfig(...)` call at module level; without such a
    call, an object literal that is exported (`export default {...} satisfies TriggerConfig`)."""
    sdk = sdk if sdk is not None else SdkNames(_imports(root))
    exported: ts.Node | None = None
    declared: ts.Node | None = None
    stack = list(reversed(root.named_children))
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            if sdk.resolve(node.child_by_field_name("function")) == "defineConfig":
                args = node.child_by_field_name("arguments")
                first = unwrap(args.named_children[0]) if args and args.named_children else None
                if first is not None and first.type == "identifier":
                    first = _module_object(root, first.text or b"")
                return (first if first is not None and first.type == "object" else None), node
        elif node.type == "object":
            holder = _holder(node)
            if holder == "variable_declarator":
                declared = declared or node
            elif holder in _HOLDERS:
                exported = exported or node
        if node.type in _WRAPPERS:
            stack.extend(reversed(node.named_children))
    return exported or declared, None


def _module_object(root: ts.Node, name: bytes) -> ts.Node | None:
    """The object literal a module-level `const name = {...}` holds."""
    for node in root.named_children:
        if node.type == "export_statement":
            node = next((c for c in node.named_children if c.type == "lexical_declaration"), node)
        if node.type != "lexical_declaration":
            continue
        for decl in node.named_children:
            target = (
                decl.child_by_field_name("name") if decl.type == "variable_declarator" else None
            )
            if target is not None and target.text == name:
                value = unwrap(decl.child_by_field_name("value"))
                return value if value is not None and value.type == "object" else None
    return None


def parse_config(
    path: Path, source: bytes, tree: ts.Tree, sdk: SdkNames | None = None
) -> TriggerConfig:
    """The config options from an already parsed tree (the editor's buffer or the file)."""
    options, call = config_object(tree.root_node, sdk)
    members = object_members(options)
    dirs: list[str] = []
    dir_nodes: list[ts.Node] = []
    dirs_node = unwrap(member_value(members.get("dirs")))
    dirs_known = "dirs" not in members or (dirs_node is not None and dirs_node.type == "array")
    if dirs_node is not None and dirs_node.type == "array":
        for element in dirs_node.named_children:
            value = string_value(element)
            if value:
                dirs.append(value)
                dir_nodes.append(element)
                dirs_known = dirs_known and not (_GLOB_CHARS & set(value))
            elif element.type != "comment":
                dirs_known = False
    retries_node = unwrap(member_value(members.get("retries")))
    retries = object_members(retries_node)
    # Options the syntax cannot see (a spread, a shared variable) count as set, so rules that
    # stay quiet when the config sets retries stay quiet here too.
    opaque_retries = retries_node is not None and (
        retries_node.type != "object"
        or any(c.type == "spread_element" for c in retries_node.named_children)
    )
    has_spread = options is not None and any(
        c.type == "spread_element" for c in options.named_children
    )
    build = object_members(member_value(members.get("build")))
    externals: list[str] = []
    known = True
    if "external" in build:
        external_node = unwrap(member_value(build.get("external")))
        if external_node is None or external_node.type != "array":
            known = False
        else:
            for element in external_node.named_children:
                value = string_value(element)
                if value is None:
                    known = known and element.type == "comment"
                else:
                    externals.append(value)
    ignore_patterns, ignore_known = _ignore_patterns(members)
    build_obj = unwrap(member_value(members.get("build")))
    # A build object the syntax cannot see through may list anything as external.
    if "build" in members and (
        build_obj is None
        or build_obj.type != "object"
        or any(c.type == "spread_element" for c in build_obj.named_children)
    ):
        known = False
    return TriggerConfig(
        path=path,
        source=source,
        tree=tree,
        options=options,
        call=call,
        dirs=tuple(dirs),
        max_duration=number_value(member_value(members.get("maxDuration"))),
        has_max_duration="maxDuration" in members,
        has_default_retries="default" in retries or opaque_retries or has_spread,
        runtime=string_value(member_value(members.get("runtime"))),
        externals=tuple(externals),
        members=members,
        dir_nodes=tuple(dir_nodes),
        has_spread=has_spread,
        externals_known=known,
        dirs_known=dirs_known and not has_spread,
        ignore_patterns=ignore_patterns,
        ignore_known=ignore_known and not has_spread,
    )


def _ignore_patterns(members: dict[str, ts.Node]) -> tuple[tuple[str, ...] | None, bool]:
    """The config's `ignorePatterns` globs, and whether they could be read (a literal list)."""
    if "ignorePatterns" not in members:
        return None, True
    node = unwrap(member_value(members.get("ignorePatterns")))
    if node is None or node.type != "array":
        return None, False
    patterns = []
    for element in node.named_children:
        value = string_value(element)
        if value is not None:
            patterns.append(value)
        elif element.type != "comment":
            return None, False
    return tuple(patterns), True


def read_config(path: Path) -> TriggerConfig:
    try:
        source = read_regular(path, MAX_CONFIG_BYTES)
    except OSError:
        return TriggerConfig(path, b"", None, None, None)
    return parse_config(path, source, parse(source, grammar_for(path)))


def missing_dirs(config: TriggerConfig) -> list[tuple[str, ts.Node]]:
    """The `dirs` entries that name no folder on disk (globs are not judged)."""
    out = []
    for value, node in zip(config.dirs, config.dir_nodes, strict=True):
        if _GLOB_CHARS & set(value):
            continue
        if not (config.directory / value).is_dir():
            out.append((value, node))
    return out
