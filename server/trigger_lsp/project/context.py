"""The project a file belongs to: its trigger.config, package.json, SDK version and lint config."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from trigger_lsp.paths import relative_parts, resolved
from trigger_lsp.project.lint_config import (
    LintConfig,
    find_lint_config,
    read_lint_config,
)
from trigger_lsp.project.packages import (
    PackageManifest,
    find_manifest,
    installed_version,
    read_manifest,
)
from trigger_lsp.project.trigger_config import (
    CONFIG_NAMES,
    TriggerConfig,
    find_config,
    read_config,
)
from trigger_lsp.project.versions import CURRENT, Version, lowest_allowed

SDK_PACKAGE = "@trigger.dev/sdk"


@dataclass(frozen=True, eq=False)
class ProjectContext:
    root: Path
    config: TriggerConfig | None
    manifest: PackageManifest | None
    sdk_version: Version
    sdk_version_source: str  # "node_modules", "package.json", "config" or "default"
    lint: LintConfig
    searched: bool = False  # True when built from the disk: a missing config is a fact
    # With no config of its own: whether another package of the same monorepo has one (which
    # may import this package's tasks, so the missing config proves nothing).
    workspace_has_config: bool = False

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
    return ProjectContext(
        root=directory or Path.cwd(),
        config=None,
        manifest=None,
        sdk_version=CURRENT,
        sdk_version_source="default",
        lint=LintConfig(),
    )


def resolve_sdk_version(
    directory: Path, manifest: PackageManifest | None, lint: LintConfig
) -> tuple[Version, str]:
    """Installed SDK first (as Node resolves it from `directory`), then the lowest version the
    manifest's range allows, then the lint config's `sdk-version`, then the current major."""
    installed = installed_version(directory, SDK_PACKAGE)
    version = Version.parse(installed) if installed else None
    if version is not None:
        return version, "node_modules"
    if manifest is not None:
        spec = manifest.deps.get(SDK_PACKAGE)
        version = lowest_allowed(spec) if spec else None
        if version is not None:
            return version, "package.json"
    if lint.sdk_version:
        version = lowest_allowed(lint.sdk_version)
        if version is not None:
            return version, "config"
    return CURRENT, "default"


class ProjectResolver:
    """Finds and caches the project context of each folder.

    A file belongs to the nearest trigger.config.* at or above it (so each package of a
    monorepo is its own project); its project's package.json is the nearest one at or above
    that config. The SDK version comes from the nearest package.json above the file that
    declares the SDK, which in a monorepo may be the package's own or the workspace root's.
    """

    def __init__(self, known_rules: frozenset[str] | None = None) -> None:
        self._by_dir: dict[Path, ProjectContext] = {}
        self._manifests: dict[Path, PackageManifest] = {}
        self._workspace_configs: dict[Path, bool] = {}
        self._known_rules = known_rules

    def clear(self) -> None:
        self._by_dir.clear()
        self._manifests.clear()
        self._workspace_configs.clear()

    def context_for(self, path: Path) -> ProjectContext:
        directory = path.parent
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        context = self._build(directory)
        self._by_dir[directory] = context
        return context

    def manifest(self, path: Path) -> PackageManifest:
        cached = self._manifests.get(path)
        if cached is None:
            cached = self._manifests[path] = read_manifest(path)
        return cached

    def _sdk_manifest(self, directory: Path) -> PackageManifest | None:
        """The nearest package.json at or above `directory` that declares the SDK, else the
        nearest one."""
        nearest = None
        start: Path | None = directory
        while start is not None:
            found = find_manifest(start)
            if found is None:
                break
            manifest = self.manifest(found)
            nearest = nearest or manifest
            if SDK_PACKAGE in manifest.deps:
                return manifest
            start = found.parent.parent if found.parent.parent != found.parent else None
        return nearest

    def _build(self, directory: Path) -> ProjectContext:
        config_path = find_config(directory)
        lint_path = find_lint_config(directory)
        lint = read_lint_config(lint_path, self._known_rules) if lint_path else LintConfig()
        config = read_config(config_path) if config_path else None
        manifest_path = find_manifest(config.directory if config is not None else directory)
        manifest = self.manifest(manifest_path) if manifest_path else None
        version, source = resolve_sdk_version(directory, self._sdk_manifest(directory), lint)
        workspace_config = False
        if config is not None:
            root = config.directory
        elif manifest is not None:
            root = manifest.directory
            workspace = self._workspace_root(manifest.directory)
            workspace_config = workspace is not None and self._has_config_below(workspace)
        else:
            root = directory
        return ProjectContext(root, config, manifest, version, source, lint, True, workspace_config)

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
        cached = self._workspace_configs.get(root)
        if cached is None:
            cached = self._workspace_configs[root] = _config_below(root)
        return cached


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
