"""Rules: the project around the code (trigger.config options, task file placement, package
dependencies)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path, PurePath

import tree_sitter as ts

from trigger_lsp.analysis.syntax import member_value, property_name, string_value, unwrap
from trigger_lsp.project.trigger_config import (
    TriggerConfig,
    is_config_path,
    missing_dirs,
    parse_config,
)
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, rule

MAX_DURATION_DEFAULT = "maxDuration: 3600"  # what `trigger init` scaffolds

# Packages with compiled `.node` binaries or files loaded by path at run time, which esbuild
# cannot inline. The fact sheet names sharp, re2, sqlite3, canvas and pino (its transports run
# worker files); the rest are widely used packages that ship `.node` addons. Kept short on
# purpose: a package missing here is a miss, a wrong entry is noise on every config.
NATIVE_PACKAGES = (
    "sharp",
    "re2",
    "sqlite3",
    "better-sqlite3",
    "canvas",
    "@napi-rs/canvas",
    "bcrypt",
    "argon2",
    "@node-rs/argon2",
    "@node-rs/bcrypt",
    "node-pty",
    "cpu-features",
    "duckdb",
    "onnxruntime-node",
    "@tensorflow/tfjs-node",
    "pino",
)


def config_of(ctx: FileContext) -> TriggerConfig | None:
    """The config options when the file being checked is a trigger.config.*, read from the
    file's current tree (which may be an unsaved editor buffer)."""
    if not is_config_path(ctx.path):
        return None
    assert ctx.path is not None
    return parse_config(ctx.path, ctx.source, ctx.tree, ctx.model.sdk)


def _is_test_file(path: PurePath) -> bool:
    parts = path.name.split(".")
    return len(parts) > 2 and parts[-2] in ("test", "spec")


def _line_indent(source: bytes, node: ts.Node) -> str:
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    prefix = source[line_start : node.start_byte]
    return prefix[: len(prefix) - len(prefix.lstrip())].decode("utf-8", "replace")


def _next_token(node: ts.Node) -> ts.Node | None:
    """The next sibling that is not a comment (a `,`, the next member or the closing brace)."""
    sibling = node.next_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.next_sibling
    return sibling


def insert_option(source: bytes, options: ts.Node, member: str, after: str | None) -> Fix:
    """Add `member` to an object literal: after the member named `after` when there is one,
    else before the first member, keeping the object's one-line or one-per-line layout."""
    members = [c for c in options.named_children if c.type != "comment"]
    if not members:
        inner = source[options.start_byte + 1 : options.end_byte - 1]
        if not inner.strip():
            return Fix((Edit(options.start_byte + 1, options.end_byte - 1, f" {member} "),))
        return Fix((Edit(options.start_byte + 1, options.start_byte + 1, f" {member},"),))
    anchor = next((m for m in members if after is not None and property_name(m) == after), None)
    if anchor is None:
        first = members[0]
        if first.start_point[0] == options.start_point[0]:
            return Fix((Edit(first.start_byte, first.start_byte, f"{member}, "),))
        line_start = source.rfind(b"\n", 0, first.start_byte) + 1
        indent = _line_indent(source, first)
        return Fix((Edit(line_start, line_start, f"{indent}{member},\n"),))
    token = _next_token(anchor)
    comma = token if token is not None and token.type == "," else None
    following = _next_token(comma) if comma is not None else token
    if following is None or following.start_point[0] == anchor.end_point[0]:
        if comma is not None:
            return Fix((Edit(comma.end_byte, comma.end_byte, f" {member},"),))
        return Fix((Edit(anchor.end_byte, anchor.end_byte, f", {member}"),))
    edits = [] if comma is not None else [Edit(anchor.end_byte, anchor.end_byte, ",")]
    # On the next line, so a comment after the anchor stays with the anchor.
    line_end = source.find(b"\n", (comma or anchor).end_byte)
    edits.append(Edit(line_end + 1, line_end + 1, f"{_line_indent(source, anchor)}{member},\n"))
    return Fix(tuple(edits))


@rule("config-missing-max-duration", variants={"zero": ()}, any_file=True, whole_file=True)
def config_missing_max_duration(ctx: FileContext) -> Iterator[Report]:
    config = config_of(ctx)
    if config is None or config.call is None or config.options is None:
        return
    if config.has_max_duration and config.max_duration == 0:
        # The CLI tests `!config.maxDuration`, so 0 is refused like a missing value
        # (trigger.dev 4.8.3 dist/esm/config.js:227-228).
        value = unwrap(member_value(config.members.get("maxDuration")))
        if value is not None:
            yield Report(value, "zero")
        return
    if config.has_max_duration or config.has_spread or config.options.has_error:
        return  # (a half-typed object may be about to get the option)
    callee = config.call.child_by_field_name("function") or config.call
    fix = insert_option(ctx.source, config.options, MAX_DURATION_DEFAULT, after="project")
    yield Report(callee, fix=fix)


@rule(
    "trigger-config-not-found",
    variants={"missing_dir": ("dir",), "outside_dirs": ("config", "dirs")},
    any_file=True,
    whole_file=True,
    reads_index=True,
)
def trigger_config_not_found(ctx: FileContext) -> Iterator[Report]:
    config = config_of(ctx)
    if config is not None:
        for value, node in missing_dirs(config):
            yield Report(node, "missing_dir", {"dir": value})
        return
    if not ctx.model.tasks or ctx.path is None or _is_test_file(ctx.path):
        return
    first = ctx.model.tasks[0]
    at = first.call.child_by_field_name("function") or first.call
    project = ctx.project
    if project.config is None:
        # Only a search of the disk that found a package but no config is evidence; an
        # unsaved buffer or a loose file outside any package says nothing, and a monorepo
        # package may hold tasks that another package's trigger dirs import.
        if project.searched and project.manifest is not None and not project.workspace_has_config:
            yield Report(at)
        return
    own = project.config
    if own.dirs and own.dirs_known and not project.in_trigger_dir(ctx.path):
        # The CLI bundles what its entry points import: a file outside the dirs that one of
        # them imports (a re-export, say) has its tasks registered. Unknown: stay quiet.
        # (On 3.x only the exports of the scanned files were read: placement decides.)
        on_4 = ctx.sdk_at_least(4) is not False  # unknown: the quieter reading
        if on_4 and ctx.index is not None and ctx.index.loaded(ctx.path) is not False:
            return
        dirs = ", ".join(f'"{d}"' for d in own.dirs)
        yield Report(at, "outside_dirs", {"config": own.path.name, "dirs": dirs})


def _is_external(package: str, externals: tuple[str, ...]) -> bool:
    return any(e == package or fnmatch.fnmatchcase(package, e) for e in externals)


def _bundle_dirs(config: TriggerConfig) -> tuple[Path, ...] | None:
    """Where the bundle's task files are: the config's `dirs`; None when it lists none (the CLI
    then looks for folders named `trigger`); the whole config folder when `dirs` is not
    written out as folder names."""
    if not config.dirs and config.dirs_known:
        return None
    if not config.dirs_known:
        return (config.directory,)
    return tuple(config.directory / d for d in config.dirs)


@rule(
    "native-modules-external", args=("packages",), any_file=True, whole_file=True, reads_index=True
)
def native_modules_external(ctx: FileContext) -> Iterator[Report]:
    config = config_of(ctx)
    manifest = ctx.project.manifest
    if config is None or config.call is None or manifest is None or manifest.error:
        return
    if not config.externals_known or (config.has_spread and "build" not in config.members):
        return
    deps = manifest.section("dependencies")
    candidates = [p for p in NATIVE_PACKAGES if p in deps and not _is_external(p, config.externals)]
    # Only packages the bundled code imports reach esbuild: a dependency of an app that shares
    # the package.json (Next.js and its `sharp`) does not. Unknown until the index is complete.
    if not candidates or ctx.index is None or not ctx.index.complete:
        return
    bundled = ctx.index.bundled_packages(
        ctx.project.root, _bundle_dirs(config), frozenset(candidates)
    )
    missing = [p for p in candidates if p in bundled]
    if not missing:
        return
    build = config.members.get("build")
    key = build.child_by_field_name("key") if build is not None and build.type == "pair" else None
    at = key or config.call.child_by_field_name("function") or config.call
    yield Report(at, args={"packages": ", ".join(f"`{p}`" for p in missing)})


@rule("bun-runtime-deprecated", args=("runtime",), any_file=True, whole_file=True)
def bun_runtime_deprecated(ctx: FileContext) -> Iterator[Report]:
    config = config_of(ctx)
    if config is None:
        return
    node = unwrap(member_value(config.members.get("runtime")))
    runtime = string_value(node)
    # "bun-legacy" is the explicit spelling of "bun"; both are deprecated (core 4.8.3
    # dist/esm/v3/build/runtime.js:21-23, trigger.dev 4.8.3 dist/esm/config.js:236-239).
    if node is None or runtime not in _LEGACY_BUN:
        return
    quote = ctx.source[node.start_byte : node.start_byte + 1].decode()
    fix = Fix((Edit(node.start_byte, node.end_byte, f"{quote}bun-1.4{quote}"),))
    yield Report(node, args={"runtime": runtime}, fix=fix)


_LEGACY_BUN = frozenset({"bun", "bun-legacy"})


@rule("sdk-version-mismatch", args=("other", "other_spec", "package", "spec"), whole_file=True)
def sdk_version_mismatch(ctx: FileContext) -> Iterator[Report]:
    """Reported in package.json files by trigger_lsp.lint.manifest; source files have
    nothing to say about it. Registered so the id is known everywhere rules are listed."""
    return iter(())
