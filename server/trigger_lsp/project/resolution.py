"""Which @trigger.dev/sdk and trigger.dev CLI versions a project really uses, and why.

The SDK's version comes from the first of these that gives one:

1. the installed package: `node_modules/@trigger.dev/sdk` found from the file's folder upwards,
   as Node resolves it;
2. the lockfile at or above the package that declares the SDK (the package's own entry in a
   workspace lockfile); a `workspace:`/`link:` answer, or such a range in package.json, is the
   `version` of the workspace package of that name; a pnpm `catalog:` range is looked up in
   pnpm-workspace.yaml;
3. when no package at or above the file declares the SDK: the `trigger.dev` CLI or another
   `@trigger.dev/*` package it declares (all are released with the same version numbers),
   resolved the same way (installed, lockfile, exact pin);
4. the SDK of the other packages of the same workspace (the lowest, when they differ);
5. the lowest version the declared range allows;
6. `sdk-version` in `.trigger-lsp.yaml`.

Otherwise the version is unknown (None): rules that depend on a version boundary stay silent.
The CLI's version: installed, lockfile, the declared range; when none is found the CLI is taken
to be the SDK's version, since `trigger dev` and `trigger deploy` refuse to run when the
project's `@trigger.dev/*` packages differ from the CLI's own version.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trigger_lsp.project.globs import matches
from trigger_lsp.project.lint_config import LintConfig
from trigger_lsp.project.lockfiles import (
    Lockfile,
    LockfileError,
    find_lockfile,
    load_lockfile,
)
from trigger_lsp.project.packages import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    PackageManifest,
    find_manifest,
)
from trigger_lsp.project.reading import read_regular
from trigger_lsp.project.versions import Version, lowest_allowed

SDK_PACKAGE = "@trigger.dev/sdk"
CLI_PACKAGE = "trigger.dev"
LOCAL_PROTOCOLS = ("workspace:", "link:", "file:", "portal:")
MAX_WORKSPACE_PACKAGES = 500
MAX_GLOB_DEPTH = 4
_SKIP_DIRS = frozenset({"node_modules", ".git", "dist", "build", "out", "coverage"})
WORKSPACE_MARKERS = ("pnpm-workspace.yaml",)


@dataclass(frozen=True)
class ResolvedVersion:
    """A version and where it came from, in words for the user; None when unknown."""

    version: Version | None
    source: str

    def describe(self) -> str:
        if self.version is None:
            return f"unknown: {self.source}"
        return f"{self.version} from {self.source}"


def installed(start: Path, package: str) -> tuple[Version, Path] | None:
    """The version of `package` as Node would resolve it from `start`, and its package.json."""
    for directory in (start, *start.parents):
        manifest = directory / "node_modules" / package / MANIFEST_NAME
        if not manifest.is_file():
            continue
        try:
            raw_bytes = read_regular(manifest, MAX_MANIFEST_BYTES)
            data = json.loads(raw_bytes.decode("utf-8", "replace"))
        except (OSError, ValueError, RecursionError):
            return None
        raw = data.get("version") if isinstance(data, dict) else None
        version = Version.parse(raw) if isinstance(raw, str) else None
        return (version, manifest) if version is not None else None
    return None


def shown(path: Path, base: Path) -> str:
    """`path` relative to `base` when below or beside it, POSIX style."""
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive
        return str(path)


class VersionResolver:
    """Resolves versions for the folders of a workspace; reads package.json files through the
    project resolver's cache and lockfiles through the process-wide lockfile cache."""

    def __init__(self, manifest: Callable[[Path], PackageManifest]) -> None:
        self._manifest = manifest
        self._members: dict[Path, list[Path]] = {}
        self._pnpm_workspace: dict[Path, dict[str, Any] | None] = {}
        self._base = Path()

    def clear(self) -> None:
        self._members.clear()
        self._pnpm_workspace.clear()

    # --- the two questions ------------------------------------------------------------------

    def _shown(self, path: Path) -> str:
        return shown(path, self._base)

    def sdk(self, directory: Path, lint: LintConfig, base: Path | None = None) -> ResolvedVersion:
        """The SDK's version for files in `directory`; paths in the source are shown
        relative to `base` (the project's root; `directory` by default)."""
        self._base = base or directory
        notes: list[str] = []
        found = self._installed(directory, SDK_PACKAGE)
        if found is not None:
            return found
        chain = self._chain(directory)
        declaring = _declaring(chain, SDK_PACKAGE)
        ranges: list[tuple[PackageManifest, str, str]] = []  # (manifest, name, spec)
        if declaring is not None:
            result = self._declared(declaring, SDK_PACKAGE, notes)
            if result is not None:
                return result
            ranges.append((declaring, SDK_PACKAGE, declaring.deps[SDK_PACKAGE]))
        else:
            for manifest in chain:
                for name in _sibling_packages(manifest):
                    hit = installed(directory, name)
                    if hit is not None:
                        where = self._shown(hit[1].parent)
                        return ResolvedVersion(hit[0], f"{where} (installed; {_LOCKSTEP})")
                    result = self._declared(manifest, name, notes)
                    if result is not None:
                        return ResolvedVersion(result.version, f"{result.source}; {_LOCKSTEP}")
                    ranges.append((manifest, name, manifest.deps[name]))
            sibling = self._siblings(chain[0] if chain else None, notes)
            if sibling is not None:
                return sibling
        for manifest, name, spec in ranges:
            what = "" if name == SDK_PACKAGE else f" ({name}; {_LOCKSTEP})"
            lowest = self._lowest(manifest, name, spec, what)
            if lowest is not None:
                return lowest
        if lint.sdk_version:
            version = lowest_allowed(lint.sdk_version)
            if version is not None:
                return ResolvedVersion(version, "`sdk-version` in .trigger-lsp.yaml")
        return ResolvedVersion(None, _nothing(chain, notes))

    def cli(self, directory: Path, base: Path | None = None) -> ResolvedVersion:
        self._base = base or directory
        notes: list[str] = []
        found = self._installed(directory, CLI_PACKAGE)
        if found is not None:
            return found
        chain = self._chain(directory)
        declaring = _declaring(chain, CLI_PACKAGE)
        if declaring is None:
            said = "not installed nor declared in package.json" if chain else _nothing(chain, [])
            return ResolvedVersion(None, said)
        result = self._declared(declaring, CLI_PACKAGE, notes) or self._lowest(
            declaring, CLI_PACKAGE, declaring.deps[CLI_PACKAGE]
        )
        return result or ResolvedVersion(None, _nothing(chain, notes))

    def _installed(self, directory: Path, package: str) -> ResolvedVersion | None:
        found = installed(directory, package)
        if found is None:
            return None
        return ResolvedVersion(found[0], f"{self._shown(found[1].parent)} (installed)")

    def _lowest(
        self, manifest: PackageManifest, name: str, spec: str, what: str = ""
    ) -> ResolvedVersion | None:
        """The lowest version a declared range allows (a pnpm catalog's range for `catalog:`)."""
        spec = self._catalog_spec(manifest, name, spec) or spec
        low = lowest_allowed(spec)
        if low is None:
            return None
        where = self._shown(manifest.path)
        return ResolvedVersion(low, f"the lowest version `{spec}` allows in {where}{what}")

    # --- sources ------------------------------------------------------------------------------

    def _chain(self, directory: Path) -> list[PackageManifest]:
        """The package.json files at and above `directory`, nearest first."""
        out = []
        start: Path | None = directory
        while start is not None:
            found = find_manifest(start)
            if found is None:
                break
            out.append(self._manifest(found))
            parent = found.parent.parent
            start = parent if parent != found.parent else None
        return out

    def _declared(
        self, manifest: PackageManifest, name: str, notes: list[str]
    ) -> ResolvedVersion | None:
        """What the lockfile resolved for `name` declared by `manifest`, else what its
        `workspace:`/`catalog:`/exact spec names; a range gives nothing here."""
        spec = manifest.deps.get(name)
        base = manifest.directory
        lock_path = find_lockfile(base)
        if lock_path is not None:
            lock = load_lockfile(lock_path)
            if isinstance(lock, LockfileError):
                notes.append(lock.note)
            else:
                result = self._from_lock(lock, manifest, name, spec)
                if result is not None:
                    return result
        if spec is None:
            return None
        if spec.startswith(LOCAL_PROTOCOLS):
            return self._workspace_package(base, name, f"`{spec}` in {MANIFEST_NAME}")
        catalog = self._catalog_spec(manifest, name, spec)
        if catalog is not None:
            version = Version.parse(catalog) if _exact(catalog) else None
            if version is not None:
                return ResolvedVersion(version, f"the pnpm catalog's pin for `{spec}`")
            return None
        if _exact(spec):
            version = Version.parse(spec)
            if version is not None:
                where = self._shown(manifest.path)
                return ResolvedVersion(version, f"the exact pin in {where}")
        return None

    def _from_lock(
        self, lock: Lockfile, manifest: PackageManifest, name: str, spec: str | None
    ) -> ResolvedVersion | None:
        importer = shown(manifest.directory, lock.directory)
        importer = "" if importer == "." else importer
        if importer.startswith(".."):
            return None
        value = lock.resolved(importer, name, spec)
        if value is None:
            return None
        where = self._shown(lock.path)
        which = f"importer {importer}" if importer else "root package"
        if value.startswith(LOCAL_PROTOCOLS):
            return self._workspace_package(manifest.directory, name, f"{where} ({value})")
        version = Version.parse(value)
        if version is None:
            return None
        return ResolvedVersion(version, f"{where} ({which})")

    def _workspace_package(self, base: Path, name: str, why: str) -> ResolvedVersion | None:
        """The `version` of the workspace package called `name`."""
        root = self.workspace_root(base)
        if root is None:
            return None
        for member in self.members(root):
            manifest = self._manifest(member / MANIFEST_NAME)
            if manifest.name == name and manifest.version:
                version = Version.parse(manifest.version)
                if version is not None:
                    where = self._shown(manifest.path)
                    return ResolvedVersion(version, f"workspace package {where} ({why})")
        return None

    def _siblings(self, own: PackageManifest | None, notes: list[str]) -> ResolvedVersion | None:
        """The lowest SDK version the other packages of the workspace resolve to."""
        if own is None:
            return None
        root = self.workspace_root(own.directory)
        if root is None:
            return None
        found: list[tuple[Version, str]] = []
        for member in self.members(root):
            if member == own.directory:
                continue
            manifest = self._manifest(member / MANIFEST_NAME)
            if SDK_PACKAGE not in manifest.deps:
                continue
            hit = installed(member, SDK_PACKAGE)
            result = (
                ResolvedVersion(hit[0], "installed")
                if hit is not None
                else self._declared(manifest, SDK_PACKAGE, notes)
            )
            if result is not None and result.version is not None:
                found.append((result.version, self._shown(member)))
        if not found:
            return None
        version, where = min(found)
        others = f" (lowest of {len(found)} packages)" if len(found) > 1 else ""
        return ResolvedVersion(version, f"sibling workspace package {where}{others}")

    # --- workspaces --------------------------------------------------------------------------

    def workspace_root(self, package_dir: Path) -> Path | None:
        """The nearest folder at or above `package_dir` that declares workspaces."""
        for directory in (package_dir, *package_dir.parents):
            if any((directory / marker).is_file() for marker in WORKSPACE_MARKERS):
                return directory
            candidate = directory / MANIFEST_NAME
            if candidate.is_file() and self._manifest(candidate).workspace_globs:
                return directory
        return None

    def members(self, root: Path) -> list[Path]:
        """The folders of the workspace's packages (each holding a package.json), bounded."""
        cached = self._members.get(root)
        if cached is not None:
            return cached
        globs = list(self._manifest(root / MANIFEST_NAME).workspace_globs)
        pnpm = self._pnpm(root)
        if pnpm is not None and isinstance(pnpm.get("packages"), list):
            globs += [g for g in pnpm["packages"] if isinstance(g, str)]
        include = [g.strip().removeprefix("./").rstrip("/") for g in globs if not g.startswith("!")]
        exclude = [g[1:].strip().removeprefix("./").rstrip("/") for g in globs if g.startswith("!")]
        out: list[Path] = []
        for folder in _folders(root):
            rel = folder.relative_to(root).as_posix()
            wanted = any(_glob_match(rel, g) for g in include)
            if not wanted or any(_glob_match(rel, g) for g in exclude):
                continue
            if (folder / MANIFEST_NAME).is_file():
                out.append(folder)
                if len(out) >= MAX_WORKSPACE_PACKAGES:
                    break
        self._members[root] = out
        return out

    def _pnpm(self, root: Path) -> dict[str, Any] | None:
        if root in self._pnpm_workspace:
            return self._pnpm_workspace[root]
        data = None
        path = root / "pnpm-workspace.yaml"
        try:
            if path.is_file():
                from trigger_lsp.project.lockfiles import _yaml

                text = read_regular(path, MAX_MANIFEST_BYTES).decode("utf-8", "replace")
                loaded = _yaml(text)
                data = loaded if isinstance(loaded, dict) else None
        except Exception:  # unreadable or invalid YAML: no workspace facts
            data = None
        self._pnpm_workspace[root] = data
        return data

    def _catalog_spec(self, manifest: PackageManifest, name: str, spec: str) -> str | None:
        """The range a pnpm `catalog:` / `catalog:NAME` spec stands for."""
        if not spec.startswith("catalog:"):
            return None
        root = self.workspace_root(manifest.directory)
        pnpm = self._pnpm(root) if root is not None else None
        if pnpm is None:
            return None
        which = spec[len("catalog:") :].strip()
        if which in ("", "default"):
            table = pnpm.get("catalog")
            if not isinstance(table, dict):
                catalogs = pnpm.get("catalogs")
                table = catalogs.get("default") if isinstance(catalogs, dict) else None
        else:
            catalogs = pnpm.get("catalogs")
            table = catalogs.get(which) if isinstance(catalogs, dict) else None
        value = table.get(name) if isinstance(table, dict) else None
        return value if isinstance(value, str) else None


_LOCKSTEP = "@trigger.dev packages share version numbers"


def _sibling_packages(manifest: PackageManifest) -> list[str]:
    """The CLI first, then other @trigger.dev packages the manifest declares."""
    names = [n for n in manifest.deps if n == CLI_PACKAGE or n.startswith("@trigger.dev/")]
    return sorted((n for n in names if n != SDK_PACKAGE), key=lambda n: (n != CLI_PACKAGE, n))


def _exact(spec: str) -> bool:
    """An exact version (`4.5.2`, `=4.5.2`, `v4.5.2`), not a range."""
    text = spec.strip().removeprefix("=").strip()
    core = text.removeprefix("v").split("-", 1)[0].split("+", 1)[0].split(".")
    return Version.parse(text) is not None and len(core) == 3 and all(p.isdigit() for p in core)


def _nothing(chain: list[PackageManifest], notes: list[str]) -> str:
    said = "no node_modules, lockfile or version in package.json"
    if not chain:
        said = "no package.json, node_modules or lockfile"
    return "; ".join([said, *dict.fromkeys(notes)])


def _declaring(chain: list[PackageManifest], package: str) -> PackageManifest | None:
    """The nearest package.json that declares the package."""
    return next((m for m in chain if package in m.deps), None)


def _glob_match(rel: str, pattern: str) -> bool:
    """A workspace glob (`packages/*`, `apps/**`) against a folder path."""
    if pattern.endswith("/**") and rel == pattern.removesuffix("/**"):
        return True  # `apps/**` names the folder too
    return matches(pattern, rel)


def _folders(root: Path) -> Iterator[Path]:
    """Folders below `root`, a few levels deep, skipping dependency and build folders."""
    base = len(root.parts)
    for dirpath, dirnames, _ in os.walk(root):
        depth = len(Path(dirpath).parts) - base
        dirnames[:] = (
            []
            if depth >= MAX_GLOB_DEPTH
            else sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        )
        if depth:
            yield Path(dirpath)
