"""Reading package.json files: dependency specs and installed SDK versions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MAX_MANIFEST_BYTES = 2_000_000
DEP_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


@dataclass(frozen=True)
class PackageManifest:
    path: Path
    text: str
    deps: dict[str, str] = field(default_factory=dict)  # name -> spec, first section wins
    error: str | None = None

    @property
    def directory(self) -> Path:
        return self.path.parent


def read_manifest(path: Path) -> PackageManifest:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return PackageManifest(path, "", error="package.json is too large to read")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return PackageManifest(path, "", error=f"cannot read package.json: {exc.strerror}")
    try:
        data = json.loads(text)
    except ValueError as exc:
        return PackageManifest(path, text, error=f"package.json is not valid JSON: {exc}")
    deps: dict[str, str] = {}
    if isinstance(data, dict):
        for section in DEP_SECTIONS:
            table = data.get(section)
            if isinstance(table, dict):
                for name, spec in table.items():
                    if isinstance(spec, str):
                        deps.setdefault(name, spec)
    return PackageManifest(path, text, deps)


def installed_version(start: Path, package: str, stop: Path | None = None) -> str | None:
    """The version of `package` as Node would resolve it from `start` (node_modules upward)."""
    for directory in (start, *start.parents):
        manifest = directory / "node_modules" / package / "package.json"
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8", errors="replace")[:200_000])
            except (OSError, ValueError):
                return None
            version = data.get("version") if isinstance(data, dict) else None
            return version if isinstance(version, str) else None
        if stop is not None and directory == stop:
            break
    return None
