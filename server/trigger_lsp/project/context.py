"""The project a file belongs to: its trigger.config, package.json, SDK version and lint config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trigger_lsp.project.lint_config import (
    LintConfig,
    find_lint_config,
    read_lint_config,
)
from trigger_lsp.project.packages import PackageManifest, installed_version, read_manifest
from trigger_lsp.project.trigger_config import TriggerConfig, find_config, read_config
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

    def in_trigger_dir(self, path: Path) -> bool:
        """Whether the file sits in a configured `dirs` entry, or else under a `trigger` folder."""
        if self.config is not None and self.config.dirs:
            base = self.config.directory.resolve()
            resolved = path.resolve()
            for d in self.config.dirs:
                target = (base / d).resolve()
                if resolved == target or target in resolved.parents:
                    return True
            return False
        try:
            rel = path.resolve().relative_to(self.root.resolve())
        except ValueError:
            rel = path
        return "trigger" in rel.parts[:-1]


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
    """Installed SDK first, then the lowest version package.json allows, then the lint config's
    `sdk-version`, then the current major."""
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
    """Finds and caches the project context of each folder."""

    def __init__(self, known_rules: frozenset[str] | None = None) -> None:
        self._by_dir: dict[Path, ProjectContext] = {}
        self._known_rules = known_rules

    def clear(self) -> None:
        self._by_dir.clear()

    def context_for(self, path: Path) -> ProjectContext:
        directory = path.parent
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        context = self._build(directory)
        self._by_dir[directory] = context
        return context

    def _build(self, directory: Path) -> ProjectContext:
        config_path = find_config(directory)
        manifest_path = _find_manifest(directory)
        lint_path = find_lint_config(directory)
        lint = read_lint_config(lint_path, self._known_rules) if lint_path else LintConfig()
        manifest = read_manifest(manifest_path) if manifest_path else None
        config = read_config(config_path) if config_path else None
        # The package.json that belongs to the trigger project: the nearest one at or above
        # the config when the config is nearer than the file's own package.json.
        if config is not None and manifest is not None:
            if config.directory in manifest.directory.parents:
                config_manifest = _find_manifest(config.directory)
                manifest = read_manifest(config_manifest) if config_manifest else manifest
        version_dir = manifest.directory if manifest is not None else directory
        version, source = resolve_sdk_version(version_dir, manifest, lint)
        if config is not None:
            root = config.directory
        elif manifest is not None:
            root = manifest.directory
        else:
            root = directory
        return ProjectContext(root, config, manifest, version, source, lint)


def _find_manifest(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / "package.json"
        if candidate.is_file():
            return candidate
    return None
