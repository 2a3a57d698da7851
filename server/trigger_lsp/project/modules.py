"""What one source file offers to the others through its imports and exports: which modules it
imports, what it re-exports, which of its exported functions log, and whether the Trigger.dev
CLI loads it. The project index keeps these facts per file (index.py); rules ask about them
only through the index's questions.

The CLI builds its bundle from entry points: every source file under the config's `dirs`
(`<dir>/**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}`) that no `ignorePatterns` glob matches (the
default globs are the `*.test.*` and `*.spec.*` files), plus the config file. It then imports
each entry point; a `task()` call registers its task when its module is evaluated. So a file
outside the dirs runs only when an entry point imports it, directly or through other files
(packages/cli-v3/src/build/entryPoints.ts, indexing/registerResources.ts in
triggerdotdev/trigger.dev).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import tree_sitter as ts

from trigger_lsp.analysis import slices
from trigger_lsp.analysis.imports import SdkNames
from trigger_lsp.analysis.model import FileModel, FileView
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    callee_method,
    callee_object,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.project.context import ProjectContext
from trigger_lsp.project.globs import matches
from trigger_lsp.project.paths import resolved
from trigger_lsp.project.reading import read_regular

# --- logging calls and the helper graph of one file -----------------------------------------

# Method names that a project's own logger (pino, winston, a wrapper around the SDK logger)
# would use; such calls count as logging so that wrappers do not trigger task-no-logging.
LOG_METHODS = frozenset({"trace", "debug", "log", "info", "warn", "error", "fatal"})


def is_logging_call(sdk: SdkNames, call: ts.Node) -> bool:
    fn = call.child_by_field_name("function")
    resolved_name = sdk.resolve(fn)
    if resolved_name is not None and resolved_name.startswith("logger."):
        return True
    obj = unwrap(callee_object(call))
    if obj is None or obj.type != "identifier":
        return False
    name = text(obj)
    if name == "console":
        return True
    return callee_method(call) in LOG_METHODS and "log" in name.lower()


def function_name(fn: ts.Node) -> str | None:
    """The name a function can be called by: `function f()` or `const f = () => ...`."""
    if fn.type in ("function_declaration", "generator_function_declaration"):
        name = fn.child_by_field_name("name")
        return text(name) if name is not None else None
    parent = fn.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression"):
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            return text(name)
    return None


# A file's calls as a logging-helper graph: the names of the functions around logging calls,
# and (callee, caller) for each call of a plain name inside a named function.
HelperGraph = tuple[frozenset[str], frozenset[tuple[str, str]]]


def union_graphs(parts: list[HelperGraph]) -> HelperGraph:
    logging: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for part_logging, part_edges in parts:
        logging |= part_logging
        edges |= part_edges
    return frozenset(logging), frozenset(edges)


def helper_graph(model: FileView) -> HelperGraph:
    logging: set[str] = set()
    edges: set[tuple[str, str]] = set()
    # The named functions around the nodes inside each node seen (by node id): each node's
    # ancestors are walked once, also in deeply nested code.
    inside: dict[int, tuple[str, ...]] = {}

    def around(node: ts.Node) -> tuple[str, ...]:
        chain = []
        current = node.parent
        names: tuple[str, ...] = ()
        while current is not None:
            known = inside.get(current.id)
            if known is not None:
                names = known
                break
            chain.append(current)
            current = current.parent
        for anc in reversed(chain):
            if anc.type in FUNCTION_TYPES:
                name = function_name(anc)
                if name is not None:
                    names = (*names, name)
            inside[anc.id] = names
        return names

    for call in model.of("call"):
        if slices.running is not None:  # (a long analysis yields to requests: slices.py)
            slices.checkpoint()
        if is_logging_call(model.sdk, call):
            logging.update(around(call))
        fn = unwrap(call.child_by_field_name("function"))
        callee = None
        if fn is not None and fn.type == "identifier":
            callee = text(fn)
        elif fn is not None and fn.type == "member_expression":  # `ns.helper()`
            obj = unwrap(fn.child_by_field_name("object"))
            prop = fn.child_by_field_name("property")
            if obj is not None and obj.type == "identifier" and prop is not None:
                callee = f"{text(obj)}.{text(prop)}"
        if callee is not None:
            edges.update((callee, caller) for caller in around(call))
    return frozenset(logging), frozenset(edges)


HELPER_DEPTH = 4  # a few levels of helpers calling helpers is plenty


def logging_closure(graph: HelperGraph) -> set[str]:
    """Names of functions that log, directly or through other functions of the same file."""
    logging, edges = graph
    helpers = set(logging)
    for _ in range(HELPER_DEPTH):
        grown = helpers | {caller for callee, caller in edges if callee in helpers}
        if grown == helpers:
            break
        helpers = grown
    return helpers


def callee_map(graph: HelperGraph) -> dict[str, set[str]]:
    callees: dict[str, set[str]] = {}
    for callee, caller in graph[1]:
        callees.setdefault(caller, set()).add(callee)
    return callees


def reachable_calls(
    graph: HelperGraph, start: Iterable[str], callees: dict[str, set[str]] | None = None
) -> set[str]:
    """The names called from `start` (included) through the file's functions, a few levels."""
    if callees is None:
        callees = callee_map(graph)
    seen = set(start)
    frontier = set(seen)
    for _ in range(HELPER_DEPTH):
        frontier = {c for name in frontier for c in callees.get(name, ())} - seen
        if not frontier:
            break
        seen |= frontier
    return seen


# Modules that never log into a run's log (Node's built-ins): calls into them are known not to.
NODE_BUILTINS = frozenset(
    {
        "assert",
        "buffer",
        "child_process",
        "crypto",
        "dns",
        "events",
        "fs",
        "fs/promises",
        "http",
        "https",
        "net",
        "os",
        "path",
        "querystring",
        "readline",
        "stream",
        "stream/promises",
        "string_decoder",
        "timers",
        "timers/promises",
        "url",
        "util",
        "zlib",
    }
)


def never_logs(specifier: str) -> bool:
    """Imports known not to log: Node's built-ins and Trigger.dev's own packages (whose
    logger is recognised by name)."""
    return (
        specifier.startswith(("node:", "@trigger.dev/"))
        or specifier in NODE_BUILTINS
        or specifier == "trigger.dev"
    )


# --- the facts one file offers ---------------------------------------------------------------

# (exported name, module specifier, name exported there)
Reexport = tuple[str, str, str]


@dataclass(frozen=True)
class ModuleLinks:
    """Cheap facts read from a file's top-level statements: what it imports and re-exports, and
    whether the CLI bundles it as an entry point (None when the project's `dirs` are unknown)."""

    entry: bool | None
    specifiers: tuple[str, ...]  # every module it imports or re-exports as it loads
    reexports: tuple[Reexport, ...]
    stars: tuple[str, ...]  # `export * from "..."`
    project: Path | None = None  # the project root (for `@/` and `~/` without a tsconfig)
    # Exported string constants: `export const ID = "x"` as ("ID", "x"), and the string
    # members of an exported const object as ("IDS.send", "x").
    constants: tuple[tuple[str, str], ...] = ()
    # Tasks of this file whose id is a constant imported from another module, as (specifier,
    # name) for `ProjectIndex.constant`: `id: TASK_IDS.ingest` -> ("@/lib/ids", "TASK_IDS.ingest").
    id_refs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ModuleLogging:
    """Which exported functions of a file log, and which imported functions they call."""

    logging: frozenset[str]  # exported names
    functions: frozenset[str]  # exported names of functions (logging or not)
    calls: tuple[Reexport, ...]  # (exported function, specifier, imported name) it calls


def _top_exports(model: FileModel) -> list[ts.Node]:
    return [n for n in model.of("export") if n.parent is not None and n.parent.type == "program"]


def _top_export_statements(model: FileModel) -> list[tuple[ts.Node, bytes, bool]]:
    """The top-level export statements with their text and whether they parsed without
    errors (a model built from pieces has them at hand: its statements of that type)."""
    if model.pieces is not None:
        return [
            (p.node, p.text, p.clean) for p in model.pieces if p.node.type == "export_statement"
        ]
    return [(n, n.text or b"", not n.has_error) for n in _top_exports(model)]


def _is_type_export(node: ts.Node) -> bool:
    return any(c.type == "type" for c in node.children)


# What one top-level export statement says (None: a type export): the module it re-exports
# from, the names it declares, whether it has an export clause, whether it is `export *`, and
# the clause's (exported name, local or imported name) pairs.
_ExportParts = tuple[str | None, tuple[str, ...], bool, bool, tuple[tuple[str, str], ...]]


def _export_parts(node: ts.Node) -> _ExportParts | None:
    """Read an export statement for `module_links` (a clean statement's reading depends on its
    text alone: the editor keeps it by text, see analysis/pieces.PieceCache)."""
    if _is_type_export(node):
        return None
    source = string_value(node.child_by_field_name("source"))
    declared_names: list[str] = []
    declared = node.child_by_field_name("declaration")
    if declared is not None and declared.type == "lexical_declaration":
        for d in declared.named_children:
            target = d.child_by_field_name("name") if d.type == "variable_declarator" else None
            if target is not None and target.type == "identifier":
                declared_names.append(text(target))
    clause = next((c for c in node.named_children if c.type == "export_clause"), None)
    if clause is None:
        star = source is not None and not any(c.type == "namespace_export" for c in node.children)
        return source, tuple(declared_names), False, star, ()
    specs: list[tuple[str, str]] = []
    for spec in clause.named_children:
        if spec.type != "export_specifier" or _is_type_export(spec):
            continue
        name = spec.child_by_field_name("name")
        alias = spec.child_by_field_name("alias")
        if name is None:
            continue
        specs.append((text(alias or name), text(name)))
    return source, tuple(declared_names), True, False, tuple(specs)


def module_links(model: FileModel, entry: bool | None, project: Path | None = None) -> ModuleLinks:
    specifiers: list[str] = []
    for imp in model.imports:
        # (A dynamic `import()` runs when the code around it does, not when the file loads.)
        if not imp.type_only and not imp.dynamic:
            specifiers.append(imp.source)
    reexports: list[Reexport] = []
    stars: list[str] = []
    locals_: dict[str, str] = {}  # exported name -> local name, for the constants
    bound = {}  # local name -> (specifier, imported name), for `export { imported }`
    for imp in model.imports:
        if imp.type_only or imp.dynamic:
            continue
        for local, imported in imp.value_bindings():
            bound[local] = (imp.source, imported)
    cache = model.piece_cache
    known = cache.exports if cache is not None else {}
    kept: dict[bytes, _ExportParts | None] = {}
    for node, statement, clean in _top_export_statements(model):
        parts = known[statement] if clean and statement in known else _export_parts(node)
        if clean:
            kept[statement] = parts
        if parts is None:  # a type export
            continue
        source, declared, has_clause, star, specs = parts
        if source is not None:
            specifiers.append(source)
        for name in declared:
            locals_[name] = name
        if not has_clause:
            if star and source is not None:
                stars.append(source)
            continue
        for exported, name in specs:
            if source is not None:
                reexports.append((exported, source, name))
            elif name in bound:
                reexports.append((exported, *bound[name]))
            else:
                locals_[exported] = name
    if cache is not None:
        cache.exports = kept  # this version's statements only
    constants = []
    for key, value in model.constants.items():
        local, dot, member = key.partition(".")
        for exported, held in locals_.items():
            if held == local:
                constants.append((f"{exported}{dot}{member}", value))
    id_refs = [imported_reference(model, t.id_value) for t in model.tasks if t.id is None]
    return ModuleLinks(
        entry,
        tuple(dict.fromkeys(specifiers)),
        tuple(reexports),
        tuple(stars),
        project,
        tuple(sorted(constants)),
        tuple(dict.fromkeys(r for r in id_refs if r is not None)),
    )


def imported_reference(model: FileView, node: ts.Node | None) -> tuple[str, str] | None:
    """Where a value imported from another module lives (`ID`, `IDS.send`, `ids.ID`): the
    specifier and the name that module exports it under (`IDS.send` for a member of its
    export `IDS`); None when `node` is not such a name."""
    node = unwrap(node)
    if node is None:
        return None
    member = ""
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        member = text(prop) if prop is not None else ""
        node = unwrap(node.child_by_field_name("object"))
    if node is None or node.type not in ("identifier", "shorthand_property_identifier"):
        return None
    local = text(node)
    imp = model.import_of(local)
    if imp is None or imp.is_sdk or imp.type_only or imp.dynamic or local in imp.type_names:
        return None
    if local == imp.namespace:
        name = member  # `ids.ID`: the module's export `ID`
    else:
        exported = "default" if local == imp.default else imp.names.get(local)
        name = f"{exported}.{member}" if exported and member else exported or ""
    if not name or (local == imp.namespace and not member):
        return None
    return imp.source, name


def _exported_functions(model: FileModel) -> dict[str, str]:
    """Exported name -> the local name of the module-level function it is (`export function
    f`, `export const f = () => ...`, `export default function f`, `export { f as g }`)."""
    functions: set[str] = set()  # module-level functions of the file
    for decl in model.module_declarators():
        fn = unwrap(decl.child_by_field_name("value"))
        name = function_name(fn) if fn is not None and fn.type in FUNCTION_TYPES else None
        if name is not None:
            functions.add(name)
    root = _root(model)
    for node in root.named_children if root is not None else []:
        inner = node.child_by_field_name("declaration") if node.type == "export_statement" else node
        if inner is not None and inner.type in _DECLARATIONS:
            local = function_name(inner)
            if local is not None:
                functions.add(local)
    exported: dict[str, str] = {}
    for node in _top_exports(model):
        default = any(c.type == "default" for c in node.children)
        declared = node.child_by_field_name("declaration")
        value = unwrap(node.child_by_field_name("value"))
        if declared is not None and declared.type in _DECLARATIONS:
            local = function_name(declared)
            if local is not None:
                exported["default" if default else local] = local
        elif declared is not None and declared.type == "lexical_declaration":
            for d in declared.named_children:
                target = d.child_by_field_name("name") if d.type == "variable_declarator" else None
                if target is not None and target.type == "identifier":
                    exported[text(target)] = text(target)
        elif default and value is not None and value.type == "identifier":
            exported["default"] = text(value)
        clause = next((c for c in node.named_children if c.type == "export_clause"), None)
        if clause is not None and node.child_by_field_name("source") is None:
            for spec in clause.named_children:
                spec_name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias")
                if spec.type == "export_specifier" and spec_name is not None:
                    exported[text(alias or spec_name)] = text(spec_name)
    return {e: local for e, local in exported.items() if local in functions}


_DECLARATIONS = ("function_declaration", "generator_function_declaration")


def _root(model: FileModel) -> ts.Node | None:
    whole = model.whole
    for kind in ("export", "import", "declarator", "call"):
        nodes = whole.of(kind)
        if nodes:
            node = nodes[0]
            while node.parent is not None:
                node = node.parent
            return node
    return None


def imported_callables(model: FileView) -> dict[str, tuple[str, str]]:
    """Local names of values imported from modules that may log -> (specifier, the name that
    module exports); a namespace import as `ns.` -> (specifier, "")."""
    found: dict[str, tuple[str, str]] = {}
    for imp in model.imports:
        if imp.is_sdk or imp.type_only or never_logs(imp.source):
            continue
        for local, name in imp.value_bindings():
            found[local] = (imp.source, name)
        if imp.namespace:
            found[imp.namespace + "."] = (imp.source, "")
    return found


def module_logging(model: FileModel) -> ModuleLogging:
    exported = _exported_functions(model)
    if not exported:
        return ModuleLogging(frozenset(), frozenset(), ())
    graph = helper_graph(model)
    logs = logging_closure(graph)
    imported = imported_callables(model)  # callable local name -> (specifier, name)
    for callee, _ in graph[1]:
        head, dot, tail = callee.partition(".")
        namespace = imported.get(head + ".") if dot and tail else None
        if namespace is not None:
            imported[callee] = (namespace[0], tail)
    calls: list[Reexport] = []
    callees = callee_map(graph)
    for name, local in exported.items():
        if local in logs:
            continue
        for callee in sorted(reachable_calls(graph, [local], callees)):
            if callee in imported:
                calls.append((name, *imported[callee]))
    return ModuleLogging(
        frozenset(n for n, local in exported.items() if local in logs),
        frozenset(exported),
        tuple(calls),
    )


# --- entry points ------------------------------------------------------------------------------

# The CLI's ignore globs when the config sets none (entryPoints.ts), and those it always adds.
DEFAULT_IGNORE = tuple(
    f"**/*.{kind}.{ext}"
    for kind in ("test", "spec")
    for ext in ("ts", "mts", "cts", "js", "mjs", "cjs")
)
ALWAYS_IGNORED = ("**/node_modules/**", "**/.git/**", "**/.trigger/**", "**/.next/**")


def entry_point(project: ProjectContext, path: Path) -> bool | None:
    """Whether the CLI bundles the file as an entry point; None when the config's `dirs` or
    `ignorePatterns` cannot be read statically (or there is no config)."""
    config = project.config
    if config is None:
        return None
    if resolved(path) == resolved(config.path):
        return True
    if not config.dirs or not config.dirs_known or not config.ignore_known:
        return None
    if not project.in_trigger_dir(path):
        return False
    try:
        relative = resolved(path).relative_to(resolved(config.directory)).as_posix()
    except ValueError:
        return None
    patterns = (*(config.ignore_patterns or DEFAULT_IGNORE), *ALWAYS_IGNORED)
    return not any(matches(p, relative) for p in patterns)


# --- resolving an import specifier among the indexed files -------------------------------------

SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# TypeScript lets `./child.js` name `child.ts`: the import names the emitted file.
EMITTED_TO_SOURCE = {
    ".js": (".ts", ".tsx"),
    ".jsx": (".tsx",),
    ".mjs": (".mts",),
    ".cjs": (".cts",),
}
MAX_TSCONFIG_BYTES = 1_000_000
MAX_EXTENDS = 3


@dataclass(frozen=True)
class PathAliases:
    """`compilerOptions.paths` and `baseUrl` of a tsconfig.json, as absolute folders."""

    paths: tuple[tuple[str, tuple[Path, ...]], ...]  # pattern -> target patterns (with `*`)
    base_url: Path | None

    def candidates(self, specifier: str) -> list[Path]:
        out: list[Path] = []
        best: tuple[int, list[Path]] | None = None
        for pattern, targets in self.paths:
            prefix, star, suffix = pattern.partition("*")
            if not star:
                if specifier == pattern:
                    return list(targets)
                continue
            if specifier.startswith(prefix) and specifier.endswith(suffix):
                if len(specifier) < len(prefix) + len(suffix):
                    continue
                middle = specifier[len(prefix) : len(specifier) - len(suffix)]
                found = [Path(str(t).replace("*", middle, 1)) for t in targets]
                if best is None or len(prefix) > best[0]:  # the longest prefix wins
                    best = (len(prefix), found)
        if best is not None:
            out.extend(best[1])
        if self.base_url is not None and not specifier.startswith("."):
            out.append(self.base_url / specifier)
        return out


def jsonc_loads(raw: str) -> object:
    """JSON with comments and trailing commas, as tsconfig.json allows."""
    n = len(raw)

    def skip(j: int) -> int:  # past white space and comments
        while j < n:
            if raw[j] in " \t\r\n":
                j += 1
            elif raw.startswith("//", j):
                end = raw.find("\n", j)
                j = n if end == -1 else end
            elif raw.startswith("/*", j):
                end = raw.find("*/", j + 2)
                j = n if end == -1 else end + 2
            else:
                break
        return j

    out: list[str] = []
    i = 0
    while i < n:
        c = raw[i]
        if c == '"':
            j = i + 1
            while j < n and raw[j] != '"':
                j += 2 if raw[j] == "\\" else 1
            out.append(raw[i : j + 1])
            i = j + 1
        elif raw.startswith(("//", "/*"), i):
            i = skip(i)
        elif c == ",":
            j = skip(i + 1)
            if j < n and raw[j] in "}]":
                i = j  # a trailing comma
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return json.loads("".join(out))


def _read_tsconfig(path: Path, depth: int = 0) -> tuple[dict[str, object], Path] | None:
    """The compilerOptions of a tsconfig (merged over the configs it extends), with the folder
    its `paths` are relative to."""
    try:
        data = jsonc_loads(read_regular(path, MAX_TSCONFIG_BYTES).decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    options: dict[str, object] = {}
    base = path.parent
    parent = data.get("extends")
    if isinstance(parent, str) and parent.startswith(".") and depth < MAX_EXTENDS:
        target = path.parent / parent
        if target.suffix != ".json":
            target = target.with_name(target.name + ".json")
        inherited = _read_tsconfig(Path(os.path.normpath(target)), depth + 1)
        if inherited is not None:
            options, base = dict(inherited[0]), inherited[1]
    own = data.get("compilerOptions")
    if isinstance(own, dict):
        if "baseUrl" in own or "paths" in own:
            base = path.parent
        options.update(own)
    return options, base


def read_aliases(tsconfig: Path) -> PathAliases | None:
    found = _read_tsconfig(tsconfig)
    if found is None:
        return None
    options, base = found
    base_url = options.get("baseUrl")
    root = Path(os.path.normpath(base / base_url)) if isinstance(base_url, str) else None
    paths = options.get("paths")
    entries: list[tuple[str, tuple[Path, ...]]] = []
    if isinstance(paths, dict):
        for pattern, targets in paths.items():
            if isinstance(pattern, str) and isinstance(targets, list):
                folder = root or base
                targets_found = tuple(
                    Path(os.path.normpath(folder / t)) for t in targets if isinstance(t, str)
                )
                entries.append((pattern, targets_found))
    if not entries and root is None:
        return None
    return PathAliases(tuple(entries), root)


def resolve_module(importer: Path, specifier: str, project: Path | None = None) -> Path | None:
    """The source file on disk a project-local import specifier names, if it exists (as
    `resolve_specifier`, without tsconfig aliases)."""
    return resolve_specifier(importer, specifier, _is_file, None, project)


def _is_file(path: Path) -> bool:
    return path.is_file()


def resolve_specifier(
    importer: Path,
    specifier: str,
    known: Callable[[Path], bool],
    aliases: PathAliases | None = None,
    project: Path | None = None,
) -> Path | None:
    """The indexed file an import specifier names: relative and absolute paths, tsconfig
    `paths` (and `baseUrl`), and `@/`, `~/` against the project's `src` folder and root."""
    if specifier.startswith("."):
        bases = [importer.parent / specifier]
    elif specifier.startswith("/"):
        bases = [Path(specifier)]
    else:
        bases = aliases.candidates(specifier) if aliases is not None else []
        if project is not None and specifier.startswith(("@/", "~/")):
            bases += [project / "src" / specifier[2:], project / specifier[2:]]
    for base in bases:
        found = _probe(Path(os.path.normpath(base)), known)
        if found is not None:
            return found
    return None


def _probe(base: Path, known: Callable[[Path], bool]) -> Path | None:
    suffix = base.suffix.lower()
    candidates = [base.with_suffix(s) for s in EMITTED_TO_SOURCE.get(suffix, ())]
    if suffix in SOURCE_SUFFIXES:
        candidates.append(base)
    candidates += [base.with_name(base.name + s) for s in SOURCE_SUFFIXES]
    candidates += [base / f"index{s}" for s in SOURCE_SUFFIXES]
    return next((c for c in candidates if known(c)), None)


def nearest_tsconfig(directory: Path) -> Path | None:
    for folder in (directory, *directory.parents):
        for name in ("tsconfig.json", "jsconfig.json"):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def module_facts(
    model: FileModel, path: Path, project: ProjectContext
) -> tuple[ModuleLinks, ModuleLogging]:
    """Everything the index keeps of a file's imports and exports."""
    links = module_links(model, entry_point(project, path), project.root)
    return links, module_logging(model)
