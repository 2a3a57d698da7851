"""Lockfiles: which version a package manager resolved for a dependency of one workspace
package. Reads package-lock.json (v1-v3), pnpm-lock.yaml, yarn.lock (v1 and Berry) and bun.lock.

Each file is parsed at most once per process while it is unchanged (the cache key is its path,
modification time and size), and files over MAX_LOCKFILE_BYTES are not read at all. Nothing
here raises on bad input: a file that cannot be read or parsed gives a `LockfileError` with a
note for the user.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trigger_lsp.project.reading import find_upward, read_regular

MAX_LOCKFILE_BYTES = 64 * 1024 * 1024
# Nearest first at each directory: the file the package manager of the project writes.
LOCKFILE_NAMES = (
    "pnpm-lock.yaml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "bun.lock",
)
_CACHE_SIZE = 8


@dataclass(frozen=True)
class LockfileError:
    path: Path
    note: str


@dataclass(eq=False)
class Lockfile:
    """A parsed lockfile. `resolved` answers what one workspace package got for one name."""

    path: Path
    kind: str  # shown to the user: "pnpm-lock.yaml", "yarn.lock (v1)", ...
    data: Any = None
    yarn_entries: LazyEntries | None = None  # descriptor -> entry (yarn.lock)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def resolved(self, importer: str, name: str, spec: str | None) -> str | None:
        """What the lockfile holds for `name` as a dependency of the workspace package at
        `importer` (a POSIX path relative to the lockfile's folder, "" for its root), given
        the package's `spec` for it when known: a version, or a `workspace:`/`link:`/`file:`
        reference the caller resolves. None when the lockfile does not say."""
        try:
            if self.kind in ("package-lock.json", "npm-shrinkwrap.json"):
                return _npm_resolved(self.data, importer, name)
            if self.kind == "pnpm-lock.yaml":
                return _pnpm_resolved(self.data, importer, name)
            if self.kind == "bun.lock":
                return _bun_resolved(self.data, importer, name)
            if self.kind == "yarn.lock (Berry)" and isinstance(self.yarn_entries, LazyEntries):
                return _berry_resolved(self.yarn_entries, importer, name, spec)
            if isinstance(self.yarn_entries, LazyEntries):
                return _yarn_v1_resolved(self.yarn_entries, name, spec)
            return None
        except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError):
            return None  # a lockfile of an unexpected shape says nothing
        except Exception as exc:  # the YAML library's errors, on a block parsed late
            if type(exc).__module__.startswith("yaml"):
                return None
            raise


_cache: OrderedDict[tuple[str, int, int], Lockfile | LockfileError] = OrderedDict()


def find_lockfile(start: Path, stop: Path | None = None) -> Path | None:
    """The nearest lockfile at or above `start` (not past `stop`)."""
    return find_upward(start, LOCKFILE_NAMES, stop)


def load_lockfile(path: Path) -> Lockfile | LockfileError:
    """The parsed lockfile, from the cache while the file is unchanged."""
    try:
        stat = path.stat()
    except OSError as exc:
        return LockfileError(path, f"{path.name}: cannot read ({exc.strerror})")
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    if stat.st_size > MAX_LOCKFILE_BYTES:
        mib = stat.st_size / (1024 * 1024)
        limit = MAX_LOCKFILE_BYTES // (1024 * 1024)
        result: Lockfile | LockfileError = LockfileError(
            path, f"{path.name} skipped: {mib:.0f} MiB is over the {limit} MiB limit"
        )
    else:
        result = _parse(path)
    for old in [k for k in _cache if k[0] == key[0]]:
        del _cache[old]  # an older version of the same file
    _cache[key] = result
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return result


def clear_cache() -> None:
    _cache.clear()


def _parse(path: Path) -> Lockfile | LockfileError:
    try:
        text = read_regular(path, MAX_LOCKFILE_BYTES).decode("utf-8", "replace")
    except OSError as exc:
        return LockfileError(path, f"{path.name}: cannot read ({exc.strerror})")
    try:
        return _parse_text(path, text)
    except (ValueError, RecursionError, MemoryError) as exc:
        return LockfileError(path, f"{path.name} could not be parsed ({type(exc).__name__})")
    except Exception as exc:  # the YAML library's own errors
        if type(exc).__module__.startswith("yaml"):
            return LockfileError(path, f"{path.name} is not valid YAML")
        raise


def _parse_text(path: Path, text: str) -> Lockfile | LockfileError:
    name = path.name
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        data = json.loads(text)
        if not isinstance(data, dict):
            return LockfileError(path, f"{name} is not a JSON object")
        return Lockfile(path, name, data)
    if name == "pnpm-lock.yaml":
        data = _yaml(_pnpm_sections(text))
        if not isinstance(data, dict):
            return LockfileError(path, f"{name} is not a YAML mapping")
        return Lockfile(path, name, data)
    if name == "bun.lock":
        data = json.loads(_without_trailing_commas(text))
        if not isinstance(data, dict):
            return LockfileError(path, f"{name} is not a JSON object")
        return Lockfile(path, name, data)
    # yarn.lock: Berry writes YAML with a `__metadata` entry; yarn 1 its own format.
    if _is_berry(text):
        return Lockfile(path, "yarn.lock (Berry)", None, LazyEntries(text, _yaml))
    return Lockfile(path, "yarn.lock (v1)", None, LazyEntries(text, parse_yarn_v1))


def _yaml(text: str) -> Any:
    """Safe YAML (the loader the references use: no object construction)."""
    import yaml

    from trigger_lsp.knowledge.loader import _safe_loader

    return yaml.load(text, Loader=_safe_loader())


# --- package-lock.json --------------------------------------------------------------------------


def _npm_resolved(data: dict[str, Any], importer: str, name: str) -> str | None:
    packages = data.get("packages")
    if isinstance(packages, dict):
        # Node's lookup: the importer's own node_modules, then each folder above it.
        base: str | None = importer
        while base is not None:
            key = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
            entry = packages.get(key)
            if isinstance(entry, dict):
                if entry.get("link") and isinstance(entry.get("resolved"), str):
                    target = packages.get(entry["resolved"])
                    version = target.get("version") if isinstance(target, dict) else None
                    return version if isinstance(version, str) else f"link:{entry['resolved']}"
                version = entry.get("version")
                return version if isinstance(version, str) else None
            base = base.rpartition("/")[0] if base else None
        return None
    deps = data.get("dependencies")  # lockfileVersion 1: the root's tree only
    entry = deps.get(name) if isinstance(deps, dict) and not importer else None
    version = entry.get("version") if isinstance(entry, dict) else None
    return version if isinstance(version, str) else None


# --- pnpm-lock.yaml ----------------------------------------------------------------------------

_PNPM_KEEP = frozenset(
    {
        "lockfileVersion",
        "importers",
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "specifiers",
    }
)


def _pnpm_sections(text: str) -> str:
    """Only the top-level sections that say what each importer got: the `packages` and
    `snapshots` sections, most of a large lockfile, are never parsed. A block-style YAML
    mapping starts each top-level key at column 0; text of any other shape is kept whole."""
    kept: list[str] = []
    keep = True
    for line in text.splitlines(keepends=True):
        if line[:1] not in ("", " ", "\t", "#", "\n", "\r", "-"):
            key = line.split(":", 1)[0].strip().strip("'\"")
            if ":" not in line or key.startswith(("{", "[")):
                return text  # not a block mapping: let the parser see all of it
            keep = key in _PNPM_KEEP
        if keep:
            kept.append(line)
    return "".join(kept)


_PNPM_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?")


def _pnpm_resolved(data: dict[str, Any], importer: str, name: str) -> str | None:
    importers = data.get("importers")
    if isinstance(importers, dict):
        node = importers.get(importer or ".")
    else:
        node = data if not importer else None  # a lockfile of one project (v5)
    if not isinstance(node, dict):
        return None
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        deps = node.get(section)
        if not isinstance(deps, dict) or name not in deps:
            continue
        value = deps[name]
        if isinstance(value, dict):  # lockfile v6+: {specifier, version}
            value = value.get("version")
        if not isinstance(value, str | int | float):
            return None
        value = str(value)
        if value.startswith(("link:", "workspace:", "file:")):
            return value
        m = _PNPM_VERSION.match(value.lstrip("/").removeprefix(f"{name}@").removeprefix(name + "/"))
        return m.group(0) if m else None
    return None


# --- bun.lock ----------------------------------------------------------------------------------

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _without_trailing_commas(text: str) -> str:
    """bun.lock is JSON with trailing commas: drop each comma that only whitespace separates
    from a closing `}` or `]`. Outside strings such a comma is always a trailing one; inside a
    string the same text would lose its comma, which changes that string's content only (never
    the structure) and no string this module reads (names, versions) contains one."""
    return _TRAILING_COMMA.sub(r"\1", text)


def _bun_resolved(data: dict[str, Any], importer: str, name: str) -> str | None:
    packages = data.get("packages")
    workspaces = data.get("workspaces")
    if not isinstance(packages, dict):
        return None
    keys = [name]
    workspace = workspaces.get(importer) if isinstance(workspaces, dict) else None
    if isinstance(workspace, dict) and isinstance(workspace.get("name"), str):
        keys.insert(0, f"{workspace['name']}/{name}")  # a copy nested under the workspace
    for key in keys:
        entry = packages.get(key)
        if isinstance(entry, list) and entry and isinstance(entry[0], str):
            at = entry[0].rfind("@")
            return entry[0][at + 1 :] if at > 0 else None
    return None


# --- yarn.lock ---------------------------------------------------------------------------------


def _is_berry(text: str) -> bool:
    for line in text.splitlines()[:40]:
        if line.startswith("__metadata:"):
            return True
        if "yarn lockfile v1" in line:
            return False
    return False


_YARN_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s",]+)|(,)')


def _yarn_tokens(text: str) -> list[str]:
    """The words of one yarn v1 line: quoted strings (JSON escapes) or bare words; commas
    separate the descriptors of an entry's key."""
    out = []
    for m in _YARN_TOKEN.finditer(text):
        if m.group(1) is not None:
            word = m.group(1)
            if "\\" in word:
                with contextlib.suppress(ValueError):
                    word = json.loads(f'"{word}"')
            out.append(word)
        elif m.group(2) is not None:
            out.append(m.group(2))
        else:
            out.append(",")
    return out


def parse_yarn_v1(text: str) -> dict[str, Any]:
    """The yarn 1 lockfile format: indentation-nested blocks (`key:` opens one) of
    `key value` lines, `#` comments. Returns the nested mapping, top-level keys as written."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for raw in text.splitlines():
        content = raw.strip()
        if not content or content.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        while len(stack) > 1 and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if content.endswith(":"):
            child: dict[str, Any] = {}
            parent[content[:-1].strip()] = child
            stack.append((indent, child))
            continue
        words = _yarn_tokens(content)
        if len(words) >= 2 and "," not in words[:2]:
            parent[words[0]] = words[1]
    return root


def _split_descriptor(descriptor: str) -> tuple[str, str]:
    at = descriptor.find("@", 1)
    return (descriptor[:at], descriptor[at + 1 :]) if at > 0 else (descriptor, "")


def _version_of(entry: dict[str, Any] | None) -> str | None:
    version = entry.get("version") if entry is not None else None
    return str(version) if isinstance(version, str | int | float) else None


def _yarn_v1_resolved(table: LazyEntries, name: str, spec: str | None) -> str | None:
    if spec is not None:
        found = _version_of(table.get(f"{name}@{spec}"))
        if found is not None:
            return found
    # Without the spec (or with one the lockfile does not list): only an unambiguous answer.
    versions = {
        _version_of(table.get(d)) for d in table.descriptors() if _split_descriptor(d)[0] == name
    }
    versions.discard(None)
    return versions.pop() if len(versions) == 1 else None


class LazyEntries(dict[str, dict[str, Any]]):
    """The entries of a yarn lockfile, by descriptor. A lockfile is mostly entries of
    packages nobody asks about, so the text is only cut into its top-level blocks (each
    starts at column 0 with its descriptors, in both formats); a block is parsed (with the
    YAML library for Berry, the yarn 1 parser otherwise) when one of its descriptors is
    first looked up."""

    def __init__(self, text: str, parse: Any) -> None:
        super().__init__()
        self._parse = parse
        self._blocks: dict[str, tuple[int, int]] = {}
        self._text = text
        starts: list[tuple[int, str]] = []
        offset = 0
        for line in text.splitlines(keepends=True):
            if line[:1] not in ("", " ", "\t", "#", "\n", "\r") and line.rstrip().endswith(":"):
                starts.append((offset, line.rstrip()[:-1]))
            offset += len(line)
        for n, (start, key) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
            for word in _yarn_tokens(key):
                if word != ",":
                    self._blocks.setdefault(word, (start, end))

    def __missing__(self, descriptor: str) -> dict[str, Any]:
        span = self._blocks.get(descriptor)
        if span is None:
            raise KeyError(descriptor)
        data = self._parse(self._text[span[0] : span[1]])
        entry = next(iter(data.values()), None) if isinstance(data, dict) and data else None
        if not isinstance(entry, dict):
            raise KeyError(descriptor)
        self[descriptor] = entry
        return entry

    def get(self, descriptor: str, default: Any = None) -> Any:
        try:
            return self[descriptor]
        except KeyError:
            return default

    def descriptors(self) -> list[str]:
        return list(self._blocks)


def _berry_resolved(table: LazyEntries, importer: str, name: str, spec: str | None) -> str | None:
    # The workspace's own entry lists the descriptor each dependency was resolved from.
    where = f"@workspace:{importer or '.'}"
    descriptor = None
    for key in table.descriptors():
        if key.endswith(where):
            deps = table.get(key, {}).get("dependencies")
            value = deps.get(name) if isinstance(deps, dict) else None
            descriptor = value if isinstance(value, str) else None
            break
    if descriptor is None and spec is not None:
        descriptor = spec if ":" in spec else f"npm:{spec}"
    if descriptor is None:
        versions = {
            _version_of(table.get(d))
            for d in table.descriptors()
            if _split_descriptor(d)[0] == name
        }
        versions.discard(None)
        return versions.pop() if len(versions) == 1 else None
    if descriptor.startswith(("workspace:", "link:", "portal:", "file:")):
        return descriptor
    return _version_of(table.get(f"{name}@{descriptor}"))
