"""Reading package.json files through a JSON syntax tree: dependency specs with their
positions, and the versions installed in node_modules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePath

import tree_sitter as ts
import tree_sitter_json

from trigger_lsp.project.reading import FileSkipped, find_upward, read_regular

MANIFEST_NAME = "package.json"
MAX_MANIFEST_BYTES = 2_000_000
DEP_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
# Sections whose specs decide what gets installed (a peer range says what a library accepts).
INSTALLED_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
OVERRIDE_SECTIONS = ("overrides", "resolutions")


@dataclass(frozen=True)
class Dependency:
    """One `"name": "spec"` entry of a dependency section, with byte offsets of the entry."""

    name: str
    spec: str
    section: str
    start_byte: int  # the key
    end_byte: int  # the end of the value


@dataclass(frozen=True)
class PackageManifest:
    path: Path
    text: str
    deps: dict[str, str] = field(default_factory=dict)  # name -> spec, first section wins
    entries: tuple[Dependency, ...] = ()
    overridden: frozenset[str] = frozenset()  # names pinned by overrides/resolutions
    error: str | None = None
    workspaces: bool = False  # declares npm/yarn/bun workspaces: the root of a monorepo
    name: str | None = None
    version: str | None = None
    workspace_globs: tuple[str, ...] = ()  # the `workspaces` patterns (array or `packages`)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def entry(self, name: str, sections: tuple[str, ...] = DEP_SECTIONS) -> Dependency | None:
        """The entry that decides `name`: the first section in `sections` that lists it."""
        for section in sections:
            for dep in self.entries:
                if dep.name == name and dep.section == section:
                    return dep
        return None

    def section(self, section: str) -> dict[str, str]:
        return {d.name: d.spec for d in self.entries if d.section == section}


@cache
def _parser() -> ts.Parser:
    return ts.Parser(ts.Language(tree_sitter_json.language()))


def parse_json(source: bytes) -> ts.Tree:
    return _parser().parse(source)


def json_string(node: ts.Node | None) -> str | None:
    """The value of a JSON string node, escapes decoded."""
    if node is None or node.type != "string" or node.text is None:
        return None
    try:
        value = json.loads(node.text.decode("utf-8", "replace"))
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def json_pairs(obj: ts.Node | None) -> list[tuple[str, ts.Node, ts.Node]]:
    """(key, key node, value node) for each member of a JSON object node, in source order."""
    if obj is None or obj.type != "object":
        return []
    out = []
    for pair in obj.named_children:
        if pair.type != "pair":
            continue
        key_node = pair.child_by_field_name("key")
        value = pair.child_by_field_name("value")
        key = json_string(key_node)
        if key is not None and key_node is not None and value is not None:
            out.append((key, key_node, value))
    return out


def parse_manifest(path: Path, source: bytes) -> PackageManifest:
    """Read dependency entries from package.json text; a file with syntax errors gives none."""
    text = source.decode("utf-8", "replace")
    tree = parse_json(source)
    root = tree.root_node
    if root.has_error:
        return PackageManifest(path, text, error="package.json is not valid JSON")
    top = next((c for c in root.named_children if c.type != "comment"), None)
    members = {key: value for key, _, value in json_pairs(top)}
    entries: list[Dependency] = []
    for section in DEP_SECTIONS:
        # JSON.parse keeps the last of duplicate keys; so does this dict.
        table = {
            key: (key_node, value) for key, key_node, value in json_pairs(members.get(section))
        }
        for name, (key_node, value) in table.items():
            spec = json_string(value)
            if spec is not None:
                entries.append(Dependency(name, spec, section, key_node.start_byte, value.end_byte))
    overridden: set[str] = set()
    pnpm = {key: value for key, _, value in json_pairs(members.get("pnpm"))}
    for overrides in (*(members.get(s) for s in OVERRIDE_SECTIONS), pnpm.get("overrides")):
        overridden.update(_override_names(overrides))
    deps: dict[str, str] = {}
    for dep in entries:
        deps.setdefault(dep.name, dep.spec)
    return PackageManifest(
        path,
        text,
        deps,
        tuple(entries),
        frozenset(overridden),
        workspaces="workspaces" in members,
        name=json_string(members.get("name")),
        version=json_string(members.get("version")),
        workspace_globs=_workspace_globs(members.get("workspaces")),
    )


def _workspace_globs(node: ts.Node | None) -> tuple[str, ...]:
    """`"workspaces": ["packages/*"]` or `"workspaces": {"packages": [...]}` (yarn 1)."""
    if node is not None and node.type == "object":
        node = {key: value for key, _, value in json_pairs(node)}.get("packages")
    if node is None or node.type != "array":
        return ()
    globs = (json_string(child) for child in node.named_children)
    return tuple(g for g in globs if g)


def _override_names(table: ts.Node | None, depth: int = 0) -> set[str]:
    """Package names an overrides table pins. Keys look like "pkg", "pkg@^4", "parent>pkg" or
    "**/pkg"; npm also nests tables under a parent package."""
    names: set[str] = set()
    if depth > 4:
        return names
    for key, _, value in json_pairs(table):
        name = key.rsplit(">", 1)[-1].removeprefix("**/")
        at = name.find("@", 1)
        names.add(name[:at] if at > 0 else name)
        if value.type == "object":
            names.update(_override_names(value, depth + 1))
    return names


def read_manifest(path: Path) -> PackageManifest:
    try:
        source = read_regular(path, MAX_MANIFEST_BYTES)
    except FileSkipped as exc:
        return PackageManifest(path, "", error=f"package.json not read: {exc.strerror}")
    except OSError as exc:
        return PackageManifest(path, "", error=f"cannot read package.json: {exc.strerror}")
    return parse_manifest(path, source)


def find_manifest(start: Path, stop: Path | None = None) -> Path | None:
    """The nearest package.json at or above `start` (not past `stop`)."""
    return find_upward(start, (MANIFEST_NAME,), stop)


def installed_version(start: Path, package: str, stop: Path | None = None) -> str | None:
    """The version of `package` as Node would resolve it from `start` (node_modules upward)."""
    for directory in (start, *start.parents):
        manifest = directory / "node_modules" / package / MANIFEST_NAME
        if manifest.is_file():
            try:
                raw = read_regular(manifest, MAX_MANIFEST_BYTES)
                data = json.loads(raw.decode("utf-8", "replace"))
            except (OSError, ValueError, RecursionError):  # nested past the stack: not valid
                return None
            version = data.get("version") if isinstance(data, dict) else None
            return version if isinstance(version, str) else None
        if stop is not None and directory == stop:
            break
    return None


def is_manifest_path(path: PurePath | None) -> bool:
    return path is not None and path.name == MANIFEST_NAME
