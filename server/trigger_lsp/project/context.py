"""The project a file belongs to: its trigger.config, package.json, SDK version and lint config."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from trigger_lsp.analysis.syntax import is_source_path
from trigger_lsp.project.installed_sdk import InstalledSdk, find_installed
from trigger_lsp.project.lint_config import (
    LintConfig,
    find_lint_config,
    read_lint_config,
)
from trigger_lsp.project.packages import (
    PackageManifest,
    find_manifest,
    read_manifest,
)
from trigger_lsp.project.paths import relative_parts, resolved
from trigger_lsp.project.resolution import ResolvedVersion, VersionResolver
from trigger_lsp.project.trigger_config import (
    CONFIG_NAMES,
    TriggerConfig,
    find_config,
    read_config,
)
from trigger_lsp.project.versions import Version

SDK_PACKAGE = "@trigger.dev/sdk"
UNKNOWN = "nothing was searched"
# Why the CLI's version is taken to be the SDK's when nothing names the CLI's own.
CLI_FOLLOWS_SDK = "`trigger dev` and `deploy` require @trigger.dev packages at the CLI's version"


@dataclass(frozen=True, eq=False)
class ProjectContext:
    root: Path
    config: TriggerConfig | None
    manifest: PackageManifest | None
    # None when no source gives a version (see project/resolution.py): not "the latest".
    sdk_version: Version | None
    sdk_version_source: str  # where it came from, in words ("pnpm-lock.yaml (importer ...)")
    lint: LintConfig
    searched: bool = False  # True when built from the disk: a missing config is a fact
    # With no config of its own: whether another package of the same monorepo has one (which
    # may import this package's tasks, so the missing config proves nothing).
    workspace_has_config: bool = False
    # The trigger.dev CLI's own version when something names it; else see `cli`.
    cli_version: Version | None = None
    cli_version_source: str = UNKNOWN
    # The @trigger.dev/sdk Node resolves from the project's files, when installed: its
    # declaration files are read by project/installed_sdk.py.
    installed_sdk: InstalledSdk | None = None

    @property
    def sdk(self) -> ResolvedVersion:
        return ResolvedVersion(self.sdk_version, self.sdk_version_source)

    @property
    def cli(self) -> ResolvedVersion:
        """The CLI's version; when nothing names it, the SDK's (the CLI insists they match)."""
        if self.cli_version is not None or self.sdk_version is None:
            return ResolvedVersion(self.cli_version, self.cli_version_source)
        return ResolvedVersion(self.sdk_version, f"the SDK's version ({CLI_FOLLOWS_SDK})")

    def version_of(self, package: str) -> ResolvedVersion:
        """`package` is "sdk" or "cli"."""
        return self.cli if package == "cli" else self.sdk

    def in_trigger_dir(self, path: Path) -> bool:
        """Whether the file sits in a configured `dirs` entry, or else under a `trigger` folder."""
        if self.config is not None and self.config.dirs:
            base = resolved(self.config.directory)
            here = resolved(path)
            for d in self.config.dirs:
                target = resolved(base / d)
                if here == target or target in here.parents:
                    return True
            return False
        parts = relative_parts(path, self.root) or path.parts
        return "trigger" in parts[:-1]


def default_context(directory: Path | None = None) -> ProjectContext:
    """A context for text with no project (nothing was searched): every version is unknown."""
    return ProjectContext(
        root=directory or Path.cwd(),
        config=None,
        manifest=None,
        sdk_version=None,
        sdk_version_source=UNKNOWN,
        lint=LintConfig(),
        cli_version_source=UNKNOWN,
    )


class ProjectResolver:
    """Finds and caches the project context of each folder.

    A file belongs to the nearest trigger.config.* at or above it (so each package of a
    monorepo is its own project); its project's package.json is the nearest one at or above
    that config. The SDK and CLI versions are resolved from the file's folder as
    project/resolution.py describes (installed package, lockfile, pins, workspace).
    """

    def __init__(self, known_rules: frozenset[str] | None = None) -> None:
        self._by_dir: dict[Path, ProjectContext] = {}
        self._manifests: dict[Path, PackageManifest] = {}
        self._workspace_configs: dict[Path, bool] = {}
        self._known_rules = known_rules
        self.versions = VersionResolver(self.manifest)

    def clear(self) -> None:
        self._by_dir.clear()
        self._manifests.clear()
        self._workspace_configs.clear()
        self.versions.clear()

    def contexts(self) -> list[ProjectContext]:
        """The distinct contexts resolved so far, in the order they were first resolved."""
        return list({id(c): c for c in self._by_dir.values()}.values())

    def context_for(self, path: Path) -> ProjectContext:
        return _memo(self._by_dir, path.parent, self._build)

    def share_plain_folder(self, folder: Path, dirnames: list[str], filenames: list[str]) -> None:
        """Give a folder that holds only source files (no trigger.config) and folders its
        parent's context, when that is resolved already and is a project's (a config or a
        package.json): none of what the searches read (package.json, trigger.config.*,
        .trigger-lsp.yaml, lock and workspace files, node_modules) is in the folder, so each
        search from it finds what the search from its parent found. A walk calls this for each
        folder it enters: resolving the thousands of folders of a monorepo one by one costs
        seconds."""
        parent = self._by_dir.get(folder.parent)
        if parent is None or folder in self._by_dir:
            return
        if parent.config is None and parent.manifest is None:
            return  # its root is its own folder
        if any(d.startswith(".") or d == "node_modules" for d in dirnames):
            return
        for name in filenames:
            if name.startswith(".") or name in CONFIG_NAMES or not is_source_path(name):
                return
        self._by_dir[folder] = parent

    def manifest(self, path: Path) -> PackageManifest:
        return _memo(self._manifests, path, read_manifest)

    def _build(self, directory: Path) -> ProjectContext:
        config_path = find_config(directory)
        lint_path = find_lint_config(directory)
        lint = read_lint_config(lint_path, self._known_rules) if lint_path else LintConfig()
        config = read_config(config_path) if config_path else None
        manifest_path = find_manifest(config.directory if config is not None else directory)
        manifest = self.manifest(manifest_path) if manifest_path else None
        workspace_config = False
        if config is not None:
            root = config.directory
        elif manifest is not None:
            root = manifest.directory
            workspace = self._workspace_root(manifest.directory)
            workspace_config = workspace is not None and self._has_config_below(workspace)
        else:
            root = directory
        sdk = self.versions.sdk(directory, lint, root)
        cli = self.versions.cli(directory, root)
        installed_sdk = find_installed(directory)
        return ProjectContext(
            root,
            config,
            manifest,
            sdk.version,
            sdk.source,
            lint,
            True,
            workspace_config,
            cli.version,
            cli.source,
            installed_sdk,
        )

    def _workspace_root(self, package_dir: Path) -> Path | None:
        """The monorepo root above a package: a package.json with `workspaces`, or a
        pnpm/lerna/nx/turbo workspace file."""
        for directory in package_dir.parents:
            if any((directory / name).is_file() for name in WORKSPACE_FILES):
                return directory
            candidate = directory / "package.json"
            if candidate.is_file() and self.manifest(candidate).workspaces:
                return directory
        return None

    def _has_config_below(self, root: Path) -> bool:
        return _memo(self._workspace_configs, root, _config_below)


WORKSPACE_FILES = ("pnpm-workspace.yaml", "lerna.json", "nx.json", "turbo.json", "rush.json")
_SKIP_DIRS = frozenset({"node_modules", "dist", "build", "out", "coverage"})
MAX_WORKSPACE_DEPTH = 4


def _config_below(root: Path) -> bool:
    """Whether any trigger.config.* exists in the workspace (packages sit a few levels down)."""
    names = set(CONFIG_NAMES)
    base_depth = len(root.parts)
    for dirpath, dirnames, filenames in os.walk(root):
        if names.intersection(filenames):
            return True
        if len(Path(dirpath).parts) - base_depth >= MAX_WORKSPACE_DEPTH:
            dirnames[:] = []
        else:
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
    return False


K = TypeVar("K")
V = TypeVar("V")


def _memo(table: dict[K, V], key: K, build: Callable[[K], V]) -> V:
    """`table[key]`, built once."""
    found = table.get(key)
    if found is None:
        found = table[key] = build(key)
    return found
