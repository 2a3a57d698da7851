"""The user's installed @trigger.dev/sdk, read from its declaration files.

When `node_modules/@trigger.dev/sdk` is installed (found from a file's folder upwards, as Node
resolves it), its `.d.ts` files are the truth for that project: which SDK members and option
keys exist, the string values an option takes (a union of string literals, or a zod enum such
as `MachinePresetName`), and which members and keys carry `@deprecated` with the replacement
the JSDoc names. The files are parsed with tree-sitter (the TypeScript grammar reads `.d.ts`),
never executed, and read only through `reading.read_regular` with a size limit.

Reading is lazy: a declaration file is parsed when a question first needs it (the package's
entry points, then the modules they import or re-export; a re-exporting module is opened only
when its bytes contain the name sought), and every answer is kept. The parsed set is kept per
installed package, keyed by its folder, version and the modification time of its package.json,
so a reinstall is read afresh and each file is parsed once per process. Nothing is read before a
rule or completion asks: a project's first analysis pays for what its file uses (a task's
options: about 0.2 s for 4.8.3), later questions are dictionary lookups, and a question not
asked before (a new SDK member typed) parses the few files it needs. `warm` answers the common
questions ahead, for a caller with idle time.

Anything that cannot be read (missing files, a file over the limit, a shape this reader does not
follow) gives no answer: callers then stay silent or fall back to the references.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import tree_sitter as ts

from trigger_lsp.analysis.syntax import parse, string_value, text
from trigger_lsp.project.reading import read_regular

SDK_PACKAGE = "@trigger.dev/sdk"
MAX_MANIFEST_BYTES = 1_000_000
MAX_DECLARATION_BYTES = 4_000_000  # one .d.ts (the 4.8.3 ai.d.ts, the largest, is ~0.2 MB)
MAX_FILES = 400  # declaration files read per installed package
MAX_DEPTH = 12  # type references followed for one answer
# Entry points: the SDK path prefix a file's names resolve under (see analysis/imports.py),
# and the package export that declares them.
ENTRY_POINTS = {"": ".", "ai/": "./ai"}
# Helpers of TypeScript and zod whose argument is the type itself.
_DECLARATIONS = frozenset(
    {
        "ambient_declaration",
        "function_signature",
        "function_declaration",
        "type_alias_declaration",
        "interface_declaration",
        "class_declaration",
        "abstract_class_declaration",
        "lexical_declaration",
        "variable_declaration",
    }
)
# Types with no keys of their own to offer or check.
_NOT_OBJECTS = frozenset(
    {
        "predefined_type",
        "literal_type",
        "function_type",
        "constructor_type",
        "array_type",
        "tuple_type",
        "template_literal_type",
        "readonly_type",
    }
)
_TRANSPARENT = frozenset({"Prettify", "Partial", "Required", "Readonly", "NonNullable"})


@dataclass(frozen=True)
class InstalledSdk:
    """Where the SDK is installed and what identifies that install."""

    directory: Path  # .../node_modules/@trigger.dev/sdk
    version: str
    mtime_ns: int  # of its package.json


def find_installed(start: Path) -> InstalledSdk | None:
    """The SDK Node resolves from `start` (a folder), or None."""
    for directory in (start, *start.parents):
        package = directory / "node_modules" / SDK_PACKAGE
        manifest = package / "package.json"
        try:
            info = manifest.stat()
        except OSError:
            continue
        data = _manifest(manifest)
        version = data.get("version") if data is not None else None
        if not isinstance(version, str):
            return None
        return InstalledSdk(package, version, info.st_mtime_ns)
    return None


def _manifest(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(read_regular(path, MAX_MANIFEST_BYTES).decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# --- what the declarations say ----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One property of an object type: an option key or an SDK member."""

    name: str
    deprecated: str | None  # the JSDoc's `@deprecated` text ("" when it says nothing more)
    where: str  # "@trigger.dev/core/dist/esm/v3/config.d.ts:71", for the user
    # Read on first use: the strings of its type (see `values`), its object type (`shape`).
    _strings: Callable[[], frozenset[str] | None] | None = field(
        default=None, compare=False, repr=False
    )
    _nested: Callable[[], Shape | None] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def values(self) -> frozenset[str] | None:
        """The strings it takes, when its type is a closed set of them."""
        found = self._strings() if self._strings is not None else None
        return found or None

    @cached_property
    def shape(self) -> Shape | None:
        """The members of its object type, when it has one with members."""
        found = self._nested() if self._nested is not None else None
        return found if found is not None and found.members else None


@dataclass(frozen=True)
class Shape:
    """The members of an object type (merged over the object parts of a union)."""

    members: dict[str, Member] = field(default_factory=dict)
    # Whether every part of the type was read: a part this reader does not follow (a type of
    # another package, an index signature, a mapped or conditional type, `Pick`) may allow
    # other keys, so only a complete shape says that a key does not exist.
    complete: bool = True


@dataclass(frozen=True)
class Deprecation:
    text: str  # the JSDoc's text after `@deprecated`
    where: str


class _File:
    __slots__ = (
        *("decls", "exports", "imports", "namespaces", "path", "shown", "source", "stars"),
        "tree",
    )

    def __init__(self, path: Path, source: bytes) -> None:
        self.path, self.source = path, source
        self.shown: str | None = None
        self.tree = parse(source, "typescript")
        self.decls: dict[str, list[ts.Node]] = {}
        self.exports: dict[str, tuple[str | None, str]] = {}  # name -> (module, its name)
        self.imports: dict[str, tuple[str, str]] = {}  # local -> (module, imported name)
        self.namespaces: dict[str, str] = {}  # `export * as ns from "m"`
        self.stars: list[str] = []  # `export * from "m"`
        for stmt in self.tree.root_node.named_children:
            self._read(stmt)

    def _read(self, stmt: ts.Node) -> None:
        kind = stmt.type
        if kind == "import_statement":
            source = string_value(stmt.child_by_field_name("source"))
            clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
            for part in clause.named_children if clause is not None and source else []:
                if part.type != "named_imports":
                    continue
                for spec in part.named_children:
                    name, alias = (
                        spec.child_by_field_name("name"),
                        spec.child_by_field_name("alias"),
                    )
                    if spec.type == "import_specifier" and name is not None and source:
                        self.imports[text(alias or name)] = (source, text(name))
            return
        if kind == "export_statement":
            source = string_value(stmt.child_by_field_name("source"))
            declaration = stmt.child_by_field_name("declaration") or next(
                (c for c in stmt.named_children if c.type in _DECLARATIONS), None
            )
            if declaration is not None:
                for declared in self._declare(declaration):
                    self.exports[declared] = (None, declared)
                return
            for child in stmt.named_children:
                if child.type == "namespace_export" and source:
                    ident = next((c for c in child.named_children if c.type == "identifier"), None)
                    if ident is not None:
                        self.namespaces[text(ident)] = source
                        self.exports[text(ident)] = (source, "*")
                elif child.type == "export_clause":
                    for spec in child.named_children:
                        name = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias")
                        if spec.type == "export_specifier" and name is not None:
                            self.exports[text(alias or name)] = (source, text(name))
            if source and not any(
                c.type in ("namespace_export", "export_clause") for c in stmt.named_children
            ):
                self.stars.append(source)
            return
        self._declare(stmt)

    def _declare(self, node: ts.Node) -> list[str]:
        """Record the declarations of a statement; their names."""
        if node.type == "ambient_declaration":
            inner = next((c for c in node.named_children if c.type != "comment"), None)
            return self._declare(inner) if inner is not None else []
        names: list[str] = []
        if node.type in (
            "function_signature",
            "type_alias_declaration",
            "interface_declaration",
            "class_declaration",
            "abstract_class_declaration",
            "function_declaration",
        ):
            name = node.child_by_field_name("name")
            if name is not None:
                names.append(text(name))
                self.decls.setdefault(text(name), []).append(node)
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                name = (
                    decl.child_by_field_name("name") if decl.type == "variable_declarator" else None
                )
                if name is not None and name.type == "identifier":
                    names.append(text(name))
                    self.decls.setdefault(text(name), []).append(decl)
        return names

    def where(self, node: ts.Node, package: Path) -> str:
        """`@trigger.dev/core/dist/esm/v3/config.d.ts:71`: the file below node_modules."""
        if self.shown is None:
            try:
                self.shown = self.path.relative_to(package.parent.parent).as_posix()
            except ValueError:
                self.shown = self.path.name
        return f"{self.shown}:{node.start_point[0] + 1}"


_WRAPPERS = frozenset(
    {"ambient_declaration", "export_statement", "lexical_declaration", "variable_declaration"}
)


def _doc_of(node: ts.Node) -> ts.Node | None:
    """The `/** ... */` comment just before a declaration (or before the statement holding it)."""
    current = node
    while current.parent is not None and current.parent.type in _WRAPPERS:
        current = current.parent
    previous = current.prev_sibling
    while previous is not None and previous.type in (";", ","):
        previous = previous.prev_sibling
    if previous is not None and previous.type == "comment":
        return previous if (previous.text or b"").startswith(b"/**") else None
    return None


def deprecation_text(comment: str) -> str | None:
    """The text of the `@deprecated` tag of a JSDoc comment (up to the next tag), or None."""
    at = comment.find("@deprecated")
    if at < 0:
        return None
    rest = comment[at + len("@deprecated") :]
    lines: list[str] = []
    for line in rest.split("\n"):
        line = line.strip().removesuffix("*/").strip().lstrip("*").strip()
        if line.startswith("@") and lines:
            break
        lines.append(line)
    words = " ".join(" ".join(lines).split())
    words = words.strip(",;:- \u2013")
    if words.startswith("(") and words.endswith(")"):
        words = words[1:-1].strip()
    return words


def _deprecated(node: ts.Node) -> str | None:
    doc = _doc_of(node)
    return deprecation_text(text(doc)) if doc is not None else None


class Declarations:
    """The parsed declaration files of one installed SDK, read as questions need them."""

    def __init__(self, sdk: InstalledSdk) -> None:
        self.sdk = sdk
        self._files: dict[Path, _File | None] = {}
        self._raw: dict[Path, bytes | None] = {}
        self._packages: dict[str, Path | None] = {SDK_PACKAGE: sdk.directory}
        self._paths: dict[str, list[tuple[_File, ts.Node]] | None] = {}
        self._shapes: dict[tuple[str, int], Shape | None] = {}
        self._found: dict[tuple[Path, str], list[tuple[_File, ts.Node]] | _File | None] = {}
        self._deprecations: dict[str, Deprecation | None] = {}
        self._modules: dict[tuple[Path, str], Path | None] = {}
        self._lock = threading.RLock()
        self.files_read = 0

    # --- files and modules ------------------------------------------------------------------

    def _bytes(self, path: Path) -> bytes | None:
        if path not in self._raw:
            data = None
            if len(self._raw) < MAX_FILES:
                try:
                    data = read_regular(path, MAX_DECLARATION_BYTES)
                except OSError:
                    data = None
            self._raw[path] = data
        return self._raw[path]

    def _file(self, path: Path) -> _File | None:
        if path not in self._files:
            data = self._bytes(path)
            self._files[path] = _File(path, data) if data is not None else None
            self.files_read += data is not None
        return self._files[path]

    def _package_dir(self, name: str) -> Path | None:
        if name not in self._packages:
            found = None
            for directory in (self.sdk.directory, *self.sdk.directory.parents):
                candidate = directory / "node_modules" / name
                if (candidate / "package.json").is_file():
                    found = candidate
                    break
            self._packages[name] = found
        return self._packages[name]

    def _module(self, importer: Path, specifier: str) -> Path | None:
        """The declaration file a module specifier names from `importer`: a relative one
        within the node_modules folder of the SDK, or an @trigger.dev package's entry."""
        key = (importer.parent, specifier)
        if key not in self._modules:
            self._modules[key] = self._find_module(importer, specifier)
        return self._modules[key]

    def _find_module(self, importer: Path, specifier: str) -> Path | None:
        if specifier.startswith("."):
            stem = os.path.normpath(os.path.join(importer.parent, specifier))
            # node_modules as the project names it, or where its link leads (the entry file
            # is a resolved path: a linked node_modules made every relative import "outside")
            folders = (self.sdk.directory.parent.parent, self.sdk.directory.resolve().parent.parent)
            if not any(stem.startswith(str(folder) + os.sep) for folder in folders):
                return None  # outside node_modules
            for suffix in (".js", ".mjs", ".cjs"):
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
                    break
            for candidate in (f"{stem}.d.ts", f"{stem}.d.mts", f"{stem}/index.d.ts"):
                if os.path.isfile(candidate):
                    return Path(candidate)
            return None
        parts = specifier.split("/")
        name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
        subpath = "/".join(parts[2:] if specifier.startswith("@") else parts[1:])
        if not name.startswith("@trigger.dev/"):
            return None  # zod, ai, ...: not read
        return self._entry(name, f"./{subpath}" if subpath else ".")

    def _entry(self, package: str, export: str) -> Path | None:
        directory = self._package_dir(package)
        if directory is None:
            return None
        data = _manifest(directory / "package.json") or {}
        exports = data.get("exports")
        target = exports.get(export) if isinstance(exports, dict) else None
        types = _types_of(target)
        if types is None and export == ".":
            declared = data.get("types")
            types = declared if isinstance(declared, str) else None
        if types is None:
            return None
        path = (directory / types).resolve()
        try:
            path.relative_to(directory.resolve())
        except ValueError:
            return None  # outside the package
        return path if path.is_file() else None

    # --- names --------------------------------------------------------------------------------

    def _exported(
        self, path: Path | None, name: str, depth: int = 0
    ) -> list[tuple[_File, ts.Node]] | _File | None:
        """What module `path` exports as `name`: its declarations (with their file), or the
        file of a namespace export."""
        if path is None or depth > MAX_DEPTH:
            return None
        key = (path, name)
        if key not in self._found:
            self._found[key] = self._find_export(path, name, depth)
        return self._found[key]

    def _find_export(
        self, path: Path, name: str, depth: int
    ) -> list[tuple[_File, ts.Node]] | _File | None:
        raw = self._bytes(path)
        if raw is None or (name.encode() not in raw and b"export *" not in raw):
            return None  # neither declares nor re-exports it: not parsed
        file = self._file(path)
        if file is None:
            return None
        if name in file.exports:
            module, original = file.exports[name]
            if module is None:  # `export { x }` or `export type { X }` of a local or an import
                return self._local(file, original, depth + 1)
            target = self._module(file.path, module)
            if original == "*":
                return self._file(target) if target is not None else None
            return self._exported(target, original, depth + 1)
        if name in file.decls:
            return [(file, d) for d in file.decls[name]]
        for module in file.stars:
            found = self._exported(self._module(file.path, module), name, depth + 1)
            if found:
                return found
        return None

    def _local(self, file: _File, name: str, depth: int) -> list[tuple[_File, ts.Node]] | None:
        """A name as `file` sees it: declared there, or imported."""
        if name in file.decls:
            return [(file, d) for d in file.decls[name]]
        if name in file.imports:
            module, original = file.imports[name]
            found = self._exported(self._module(file.path, module), original, depth + 1)
            return found if isinstance(found, list) else None
        return None

    # --- SDK paths ----------------------------------------------------------------------------

    def _path_nodes(self, path: str) -> list[tuple[_File, ts.Node]] | None:
        """The declarations an SDK path ("metadata.save", "ai/chat.agent") denotes: a
        function's signatures, a variable declarator, or a property or method signature."""
        with self._lock:
            if path not in self._paths:
                self._paths[path] = self._find_path(path)
            return self._paths[path]

    def _find_path(self, path: str) -> list[tuple[_File, ts.Node]] | None:
        prefix = "ai/" if path.startswith("ai/") else ""
        names = path[len(prefix) :].split(".")
        found = self._exported(self._entry(SDK_PACKAGE, ENTRY_POINTS[prefix]), names[0])
        for name in names[1:]:
            if isinstance(found, _File):
                found = self._exported(found.path, name)
                continue
            if not found:
                return None
            shape_members = self._object_members(found, name)
            found = shape_members
        if isinstance(found, _File):
            return None
        return found or None

    def _object_members(
        self, found: list[tuple[_File, ts.Node]], name: str
    ) -> list[tuple[_File, ts.Node]] | None:
        """The member `name` of what a variable's type (or a namespace-like object) declares."""
        for file, node in found:
            type_node = _type_of(node)
            for owner_file, body, omit in self._object_bodies(file, type_node, 0):
                for member in body.named_children if body is not None else []:
                    if _member_name(member) == name and name not in omit:
                        return [(owner_file, member)]
        return None

    def _object_bodies(
        self, file: _File, node: ts.Node | None, depth: int, omit: frozenset[str] = frozenset()
    ) -> Iterator[tuple[_File, ts.Node | None, frozenset[str]]]:
        """The object types (`{ ... }` bodies) a type denotes, with the keys an `Omit` on the
        way leaves out, following names, `typeof`, intersections, unions and the helpers that
        keep a type as it is. A part it cannot follow gives a body of None."""
        if node is None or depth > MAX_DEPTH:
            yield file, None, omit
            return
        kind = node.type
        if kind in ("object_type", "interface_body"):
            if any(c.type == "index_signature" for c in node.named_children):
                yield file, None, omit  # `[key: string]: T`: any key
            yield file, node, omit
        elif kind in ("intersection_type", "union_type", "parenthesized_type", "type_annotation"):
            for child in node.named_children:
                yield from self._object_bodies(file, child, depth + 1, omit)
        elif kind == "type_query":  # typeof x
            target = node.named_children[0] if node.named_children else None
            if target is not None and target.type == "identifier":
                for owner, decl in self._local(file, text(target), depth) or []:
                    yield from self._object_bodies(owner, _type_of(decl), depth + 1, omit)
        elif kind in ("type_identifier", "generic_type"):
            yield from self._named_bodies(file, node, depth, omit)
        elif kind == "interface_declaration":
            body = node.child_by_field_name("body")
            if body is not None:
                yield file, body, omit
            for clause in node.named_children:
                if clause.type == "extends_type_clause":
                    for base in clause.named_children:
                        yield from self._object_bodies(file, base, depth + 1, omit)
        elif kind == "type_alias_declaration":
            value = node.child_by_field_name("value")
            yield from self._object_bodies(file, value, depth + 1, omit)
        elif kind in _NOT_OBJECTS:
            return  # a string, a function, a literal...: no keys
        else:  # a mapped, conditional or indexed type, a class...: not followed
            yield file, None, omit

    def _named_bodies(
        self, file: _File, node: ts.Node, depth: int, omit: frozenset[str]
    ) -> Iterator[tuple[_File, ts.Node | None, frozenset[str]]]:
        name_node = node.child_by_field_name("name") if node.type == "generic_type" else node
        if name_node is None:
            name_node = node.named_children[0] if node.named_children else None
        if name_node is None or name_node.type != "type_identifier":
            return
        name = text(name_node)
        args = _type_arguments(node)
        if name in _TRANSPARENT and args:
            yield from self._object_bodies(file, args[0], depth + 1, omit)
            return
        if name == "Omit" and len(args) == 2:
            keys = self._strings(file, args[1], depth + 1) or frozenset()
            yield from self._object_bodies(file, args[0], depth + 1, omit | keys)
            return
        found = self._local(file, name, depth) if name != "Pick" else None
        if not found:  # `Pick`, a type of another package, an unknown name
            yield file, None, omit
        for owner, decl in found or []:
            yield from self._object_bodies(owner, decl, depth + 1, omit)

    # --- what callers ask ---------------------------------------------------------------------

    def deprecation(self, path: str) -> Deprecation | None:
        """The `@deprecated` text of an SDK path, when every declaration of it carries one
        (each overload of a function, or the member itself, or the function its type is
        `typeof`)."""
        try:
            return self._deprecations[path]
        except KeyError:
            pass
        with self._lock:
            found = self._path_nodes(path)
            texts = [self._node_deprecation(file, node, 0) for file, node in found or []]
            answer = texts[0] if texts and all(t is not None for t in texts) else None
            self._deprecations[path] = answer
            return answer

    def _node_deprecation(self, file: _File, node: ts.Node, depth: int) -> Deprecation | None:
        own = _deprecated(node)
        if own is not None:
            return Deprecation(own, file.where(node, self.sdk.directory))
        type_node = _type_of(node)
        if type_node is not None and type_node.type == "type_annotation":
            type_node = type_node.named_children[0] if type_node.named_children else None
        if type_node is not None and type_node.type == "type_query" and depth < MAX_DEPTH:
            target = type_node.named_children[0] if type_node.named_children else None
            if target is not None and target.type == "identifier":
                decls = self._local(file, text(target), depth) or []
                texts = [self._node_deprecation(f, d, depth + 1) for f, d in decls]
                if texts and all(t is not None for t in texts):
                    return texts[0]
        return None

    def parameter_shape(self, path: str, index: int) -> Shape | None:
        """The members an object literal may have as argument `index` of the SDK function at
        `path` (merged over its overloads); None when unknown."""
        key = (path, index)
        if key in self._shapes:
            return self._shapes[key]
        with self._lock:
            if key not in self._shapes:
                self._shapes[key] = self._parameter_shape(path, index)
            return self._shapes[key]

    def _parameter_shape(self, path: str, index: int) -> Shape | None:
        members: dict[str, Member] = {}
        found = False
        complete = True
        for file, signature in self._signatures(path):
            params = signature.child_by_field_name("parameters")
            items = [
                p
                for p in (params.named_children if params is not None else [])
                if p.type in ("required_parameter", "optional_parameter")
            ]
            if index >= len(items):
                continue
            shape = self._shape(file, items[index].child_by_field_name("type"), 0)
            if shape is not None:
                found = True
                complete = complete and shape.complete
                for name, member in shape.members.items():
                    members.setdefault(name, member)
        return Shape(members, complete) if found else None

    def _signatures(self, path: str) -> list[tuple[_File, ts.Node]]:
        out: list[tuple[_File, ts.Node]] = []
        for file, node in self._path_nodes(path) or []:
            out.extend(self._callables(file, node, 0))
        return out

    def _callables(self, file: _File, node: ts.Node, depth: int) -> list[tuple[_File, ts.Node]]:
        if depth > MAX_DEPTH:
            return []
        if node.type in ("function_signature", "function_declaration", "method_signature"):
            return [(file, node)]
        type_node = _type_of(node)
        if type_node is not None and type_node.type == "type_annotation":
            type_node = type_node.named_children[0] if type_node.named_children else None
        if type_node is not None and type_node.type == "function_type":
            return [(file, type_node)]  # `trigger: (id: string, options?: T) => ...`
        if type_node is not None and type_node.type == "type_query":
            target = type_node.named_children[0] if type_node.named_children else None
            if target is not None and target.type == "identifier":
                out: list[tuple[_File, ts.Node]] = []
                for owner, decl in self._local(file, text(target), depth) or []:
                    out.extend(self._callables(owner, decl, depth + 1))
                return out
        return []

    def _shape(self, file: _File, node: ts.Node | None, depth: int) -> Shape | None:
        """The members of the object type `node` denotes (None when it denotes none)."""
        if node is None or depth > 4:
            return None
        members: dict[str, Member] = {}
        any_body = False
        complete = True
        for owner, body, omit in self._object_bodies(file, node, 0):
            if body is None:
                complete = False
                continue
            any_body = True
            for child in body.named_children:
                name = _member_name(child)
                if name is None or name in members or name in omit:
                    continue
                members[name] = self._member(owner, child, name, depth)
        return Shape(members, complete) if any_body else None

    def _member(self, file: _File, node: ts.Node, name: str, depth: int) -> Member:
        type_node = _type_of(node)
        if type_node is not None and type_node.type == "type_annotation":
            type_node = type_node.named_children[0] if type_node.named_children else None
        where = file.where(node, self.sdk.directory)
        if node.type != "property_signature" or type_node is None:
            return Member(name, _deprecated(node), where)
        found = type_node

        def strings() -> frozenset[str] | None:
            with self._lock:
                return self._strings(file, found, 0)

        def nested() -> Shape | None:
            with self._lock:
                return self._shape(file, found, depth + 1)

        return Member(name, _deprecated(node), where, strings, nested)

    def _strings(self, file: _File, node: ts.Node | None, depth: int) -> frozenset[str] | None:
        """The strings a type allows when it is a closed set of string literals (objects,
        `undefined` and `null` in a union are left aside); None when it allows other
        strings or is not understood."""
        if node is None or depth > MAX_DEPTH:
            return None
        kind = node.type
        if kind == "literal_type":
            inner = node.named_children[0] if node.named_children else None
            value = string_value(inner) if inner is not None and inner.type == "string" else None
            if value is not None:
                return frozenset({value})
            return (
                frozenset() if inner is not None and inner.type in ("undefined", "null") else None
            )
        if kind in ("union_type", "parenthesized_type"):
            out: set[str] = set()
            for child in node.named_children:
                if child.type == "object_type" or text(child) in ("undefined", "null"):
                    continue
                found = self._strings(file, child, depth + 1)
                if found is None:
                    if self._is_object(file, child, depth):
                        continue
                    return None
                out |= found
            return frozenset(out)
        if kind == "type_identifier":
            for owner, decl in self._local(file, text(node), depth) or []:
                if decl.type == "type_alias_declaration":
                    return self._strings(owner, decl.child_by_field_name("value"), depth + 1)
            return None
        if kind == "generic_type":  # z.infer<typeof X>, where X is a z.ZodEnum<{ a: "a" }>
            name = node.named_children[0] if node.named_children else None
            args = _type_arguments(node)
            if name is not None and text(name) in ("z.infer", "z.output", "z.input") and args:
                query = args[0]
                target = query.named_children[0] if query.named_children else None
                if query.type == "type_query" and target is not None:
                    for owner, decl in self._local(file, text(target), depth) or []:
                        found = self._zod_enum(owner, _type_of(decl))
                        if found is not None:
                            return found
        return None

    def _zod_enum(self, file: _File, node: ts.Node | None) -> frozenset[str] | None:
        if node is not None and node.type == "type_annotation" and node.named_children:
            node = node.named_children[0]
        if node is None or node.type != "generic_type":
            return None
        name = node.named_children[0] if node.named_children else None
        args = _type_arguments(node)
        if name is None or text(name) != "z.ZodEnum" or not args or args[0].type != "object_type":
            return None
        names = {_member_name(m) for m in args[0].named_children}
        return frozenset(n for n in names if n is not None)

    def _is_object(self, file: _File, node: ts.Node, depth: int) -> bool:
        bodies = list(self._object_bodies(file, node, depth + 1))
        return bool(bodies) and all(body is not None for _, body, _ in bodies)

    # --- warming ------------------------------------------------------------------------------

    def warm(self, questions: tuple[tuple[str, int], ...] = ()) -> None:
        """Answer (SDK path, argument) questions ahead, with the nested shapes of the answers
        and the deprecation of each path, so no keystroke pays the parse."""
        for path, index in questions:
            self.deprecation(path)
            shape = self.parameter_shape(path, index)
            for member in shape.members.values() if shape is not None else ():
                _ = member.shape


def _types_of(target: object) -> str | None:
    """The `types` of a package.json `exports` target (conditions nested or not)."""
    if isinstance(target, str):
        return target if target.endswith(".d.ts") else None
    if isinstance(target, dict):
        for key in ("types", "import", "require", "default"):
            found = _types_of(target.get(key))
            if found is not None:
                return found
    return None


def _type_of(node: ts.Node | None) -> ts.Node | None:
    if node is None:
        return None
    if node.type in ("variable_declarator", "property_signature", "required_parameter"):
        return node.child_by_field_name("type")
    return node


def _member_name(node: ts.Node) -> str | None:
    if node.type not in ("property_signature", "method_signature"):
        return None
    name = node.child_by_field_name("name")
    if name is None:
        return None
    return string_value(name) if name.type == "string" else text(name)


def _type_arguments(node: ts.Node) -> list[ts.Node]:
    args = node.child_by_field_name("type_arguments")
    if args is None:
        args = next((c for c in node.named_children if c.type == "type_arguments"), None)
    return list(args.named_children) if args is not None else []


# --- the process-wide cache ---------------------------------------------------------------------

_CACHE: dict[tuple[Path, str, int], Declarations] = {}
_CACHE_LOCK = threading.Lock()


def declarations(sdk: InstalledSdk | None) -> Declarations | None:
    """The declarations of an installed SDK, kept per (folder, version, package.json mtime)."""
    if sdk is None:
        return None
    key = (sdk.directory, sdk.version, sdk.mtime_ns)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            for old in [k for k in _CACHE if k[0] == sdk.directory]:
                del _CACHE[old]  # a reinstall: the old files are gone
            found = _CACHE[key] = Declarations(sdk)
        return found


def installed_declarations(sdk: InstalledSdk | None) -> Declarations | None:
    """The declarations of a project's installed SDK (`ProjectContext.installed_sdk`)."""
    return declarations(sdk)


# --- what the editor and the rules ask ---------------------------------------------------------

# The SDK function whose first argument holds the options of each task kind
# (analysis/model.py TASK_FACTORIES, by kind).
KIND_PATHS = {
    "task": "task",
    "schemaTask": "schemaTask",
    "schedules.task": "schedules.task",
    "toolTask": "toolTask",
    "webhook": "webhook",
    "chat.agent": "ai/chat.agent",
    "chat.customAgent": "ai/chat.customAgent",
}
# A value set of the references (knowledge `values`) -> the option that takes it.
VALUE_SETS = {
    "machine": ("task", ("machine",)),
    "logLevel": ("defineConfig", ("logLevel",)),
    "runtime": ("defineConfig", ("runtime",)),
}
# What the editor reads on every file of a project: read once, before the first keystroke.
WARM = (
    *(("task", 0), ("schemaTask", 0), ("schedules.task", 0), ("defineConfig", 0)),
    *(("tasks.trigger", 2), ("tasks.triggerAndWait", 2), ("configure", 0)),
)


def option_shape(sdk: InstalledSdk | None, path: str, keys: tuple[str, ...] = ()) -> Shape | None:
    """The installed shape of the first argument of SDK function `path`, or of the object
    option at `keys` inside it."""
    found = declarations(sdk)
    shape = found.parameter_shape(path, 0) if found is not None else None
    for key in keys:
        member = shape.members.get(key) if shape is not None else None
        shape = member.shape if member is not None else None
    return shape


def option_keys(
    sdk: InstalledSdk | None, kind: str | None, nested: str | None = None
) -> frozenset[str] | None:
    """The keys the installed SDK takes in a task's options (of `kind`), or in the object
    option `nested` of them; None when no SDK is installed or its type is not wholly read."""
    path = KIND_PATHS.get(kind or "task")
    if path is None:
        return None
    shape = option_shape(sdk, path, (nested,) if nested else ())
    return frozenset(shape.members) if shape is not None and shape.complete else None


def option_values(sdk: InstalledSdk | None, set_id: str) -> frozenset[str] | None:
    """The values the installed SDK allows for a value set of the references ("machine",
    "logLevel", "runtime"); None when unknown."""
    where = VALUE_SETS.get(set_id)
    if where is None:
        return None
    path, keys = where
    shape = option_shape(sdk, path, keys[:-1])
    member = shape.members.get(keys[-1]) if shape is not None else None
    return member.values if member is not None else None


def warm(sdk: InstalledSdk | None) -> None:
    """Read what the editor asks on every file (task and config options, trigger options and
    the deprecations of their functions), so that no keystroke pays the parse."""
    found = declarations(sdk)
    if found is not None:
        found.warm(WARM)
