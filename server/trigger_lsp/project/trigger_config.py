"""Reading trigger.config.* through the syntax tree: the options the rules care about."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    grammar_for,
    member_value,
    number_value,
    object_members,
    parse,
    string_value,
    text,
    unwrap,
)

CONFIG_NAMES = (
    "trigger.config.ts",
    "trigger.config.mts",
    "trigger.config.cts",
    "trigger.config.js",
    "trigger.config.mjs",
    "trigger.config.cjs",
)
MAX_CONFIG_BYTES = 1_000_000


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

    @property
    def directory(self) -> Path:
        return self.path.parent


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        if stop is not None and directory == stop:
            break
    return None


def _config_object(root: ts.Node) -> tuple[ts.Node | None, ts.Node | None]:
    """Find `defineConfig({...})` anywhere at top level, else an exported object literal."""
    fallback = None
    stack = list(root.named_children)
    while stack:
        node = stack.pop()
        if node.type == "call_expression" and text(node.child_by_field_name("function")).endswith(
            "defineConfig"
        ):
            args = node.child_by_field_name("arguments")
            first = unwrap(args.named_children[0]) if args and args.named_children else None
            if first is not None and first.type == "object":
                return first, node
        if node.type == "object" and fallback is None and node.parent is not None:
            if node.parent.type in ("export_statement", "variable_declarator"):
                fallback = node
        if node.type in (
            "export_statement",
            "lexical_declaration",
            "variable_declaration",
            "variable_declarator",
            "expression_statement",
            "call_expression",
            "arguments",
            "parenthesized_expression",
            "as_expression",
            "satisfies_expression",
        ):
            stack.extend(node.named_children)
    return fallback, None


def read_config(path: Path) -> TriggerConfig:
    try:
        source = path.read_bytes()[:MAX_CONFIG_BYTES]
    except OSError:
        return TriggerConfig(path, b"", None, None, None)
    tree = parse(source, grammar_for(path))
    options, call = _config_object(tree.root_node)
    members = object_members(options)
    dirs_node = unwrap(member_value(members.get("dirs")))
    dirs: list[str] = []
    if dirs_node is not None and dirs_node.type == "array":
        dirs = [v for v in (string_value(e) for e in dirs_node.named_children) if v]
    retries = object_members(member_value(members.get("retries")))
    build = object_members(member_value(members.get("build")))
    external_node = unwrap(member_value(build.get("external")))
    externals: list[str] = []
    if external_node is not None and external_node.type == "array":
        externals = [v for v in (string_value(e) for e in external_node.named_children) if v]
    return TriggerConfig(
        path=path,
        source=source,
        tree=tree,
        options=options,
        call=call,
        dirs=tuple(dirs),
        max_duration=number_value(member_value(members.get("maxDuration"))),
        has_max_duration="maxDuration" in members,
        has_default_retries="default" in retries,
        runtime=string_value(member_value(members.get("runtime"))),
        externals=tuple(externals),
        members=members,
    )
