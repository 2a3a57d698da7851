"""Checking package.json files: the `sdk-version-mismatch` rule.

package.json is not TypeScript, so it does not go through `engine.analyze`; the findings use
the same references, settings and Finding type, so every report format and the editor show
them like any other. JSON has no comments, so these findings cannot be suppressed inline:
the rule is turned off in `.trigger-lsp.yaml` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import Knowledge
from trigger_lsp.lint.engine import FileResult, finding_from_report
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.project.packages import (
    INSTALLED_SECTIONS,
    MAX_MANIFEST_BYTES,
    Dependency,
    PackageManifest,
    installed_version,
    parse_manifest,
)
from trigger_lsp.project.versions import Version, lowest_allowed, ranges_can_meet
from trigger_lsp.rules.base import Report, Span
from trigger_lsp.text import LineIndex, looks_binary

RULE = "sdk-version-mismatch"
CLI_PACKAGE = "trigger.dev"
SCOPE = "@trigger.dev/"
# When every package disagrees with the same number of others, the SDK is taken as right.
PREFERRED = ("@trigger.dev/sdk", CLI_PACKAGE)
FIRST_LOCKSTEP_MAJOR = 3  # 2.x packages (integrations, the old CLI) had their own numbers

Installed = Callable[[str], str | None]


@dataclass(frozen=True)
class Pinned:
    """A Trigger.dev package and the version spec it is compared by."""

    dep: Dependency
    spec: str  # the range from package.json, or the exact version installed
    shown: str  # how a message shows it


def trigger_packages(manifest: PackageManifest, installed: Installed) -> list[Pinned]:
    """The `trigger.dev` CLI and `@trigger.dev/*` packages that decide what gets installed,
    with installed versions in place of ranges where node_modules has them."""
    out: list[Pinned] = []
    seen: set[str] = set()
    for section in INSTALLED_SECTIONS:
        for dep in manifest.entries:
            if dep.section != section or dep.name in seen:
                continue
            if dep.name != CLI_PACKAGE and not dep.name.startswith(SCOPE):
                continue
            seen.add(dep.name)
            if dep.name in manifest.overridden:
                continue  # an override decides the version, not this entry
            version = installed(dep.name)
            if version is not None and Version.parse(version) is not None:
                pinned = Pinned(dep, version, f"{version} installed")
            else:
                pinned = Pinned(dep, dep.spec, dep.spec)
            low = lowest_allowed(pinned.spec)
            if low is None or low.major < FIRST_LOCKSTEP_MAJOR:
                continue
            out.append(pinned)
    return out


def mismatch_reports(manifest: PackageManifest, installed: Installed) -> Iterator[Report]:
    """Reports on each package whose version cannot meet the rest. The reference package is
    the one that disagrees with the fewest others (the SDK, then the CLI, on a tie)."""
    pinned = trigger_packages(manifest, installed)
    if len(pinned) < 2:
        return
    conflicts = {
        p.dep.name: [q for q in pinned if q is not p and ranges_can_meet(p.spec, q.spec) is False]
        for p in pinned
    }
    if not any(conflicts.values()):
        return

    def rank(p: Pinned) -> tuple[int, int]:
        preferred = PREFERRED.index(p.dep.name) if p.dep.name in PREFERRED else len(PREFERRED)
        return len(conflicts[p.dep.name]), preferred

    reference = min(pinned, key=rank)
    for p in pinned:
        if p is reference or reference not in conflicts[p.dep.name]:
            continue
        yield Report(
            Span(p.dep.start_byte, p.dep.end_byte),
            args={
                "package": p.dep.name,
                "spec": p.shown,
                "other": reference.dep.name,
                "other_spec": reference.shown,
            },
        )


def check_manifest(
    source: bytes,
    path: Path,
    *,
    settings: RuleSettings | None = None,
    kb: Knowledge | None = None,
    installed: Installed | None = None,
) -> FileResult:
    """Check one package.json. `installed` looks up a package's installed version (default:
    node_modules at or above the file, as Node resolves it)."""
    if len(source) > MAX_MANIFEST_BYTES:
        return FileResult(path, [], ["skipped: package.json is too large"], skipped=True)
    if looks_binary(source):
        return FileResult(path, [], ["skipped: binary file"], skipped=True)
    kb = kb or knowledge()
    doc = kb.rules.get(RULE)
    settings = settings or RuleSettings()
    if doc is None:
        return FileResult(path, [])
    enabled, forced = settings.severity_of(doc)
    if not enabled:
        return FileResult(path, [])
    manifest = parse_manifest(path, source)
    if manifest.error:
        return FileResult(path, [], [f"not checked: {manifest.error}"])
    directory = path.parent
    lookup = installed or (lambda name: installed_version(directory, name))
    lines = LineIndex(source)
    findings = [
        finding_from_report(RULE, report, kb, forced, lines)
        for report in mismatch_reports(manifest, lookup)
    ]
    return FileResult(path, findings)
