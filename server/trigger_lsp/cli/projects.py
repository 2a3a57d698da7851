"""`trigger-lsp check --show-projects`: the projects under the given paths, with the SDK and
CLI versions the rules assume and where each came from."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trigger_lsp.cli.formats import shown
from trigger_lsp.project.context import ProjectContext, ProjectResolver
from trigger_lsp.project.discovery import discover
from trigger_lsp.project.packages import is_manifest_path
from trigger_lsp.project.reading import read_regular
from trigger_lsp.text import MAX_FILE_BYTES

SDK_MARK = b"@trigger.dev/"


@dataclass
class ProjectSummary:
    context: ProjectContext
    files: int = 0
    sdk_files: int = 0  # files that name a @trigger.dev package
    other_sdks: set[str] = field(default_factory=set)  # other versions seen in its folders

    def as_dict(self) -> dict[str, object]:
        ctx = self.context
        config = ctx.config
        return {
            "root": shown(ctx.root),
            "config": shown(config.path) if config is not None else None,
            "task_dirs": list(config.dirs) if config is not None and config.dirs else None,
            "sdk": {
                "version": str(ctx.sdk.version) if ctx.sdk.version else None,
                "source": ctx.sdk.source,
            },
            "cli": {
                "version": str(ctx.cli.version) if ctx.cli.version else None,
                "source": ctx.cli.source,
            },
            "files": self.files,
        }


def _mentions_trigger(path: Path) -> bool:
    try:
        return SDK_MARK in read_regular(path, MAX_FILE_BYTES)
    except OSError:
        return False


def summarize(paths: Iterable[Path]) -> list[ProjectSummary]:
    """One summary per project root that has a trigger.config or a file naming a
    @trigger.dev package, in the order first found."""
    resolver = ProjectResolver()
    found: dict[Path, ProjectSummary] = {}
    for file in discover(paths, resolver):
        if is_manifest_path(file):
            continue
        ctx = resolver.context_for(file)
        summary = found.get(ctx.root)
        if summary is None:
            summary = found[ctx.root] = ProjectSummary(ctx)
        summary.files += 1
        if _mentions_trigger(file):
            summary.sdk_files += 1
        if ctx.sdk.describe() != summary.context.sdk.describe():
            summary.other_sdks.add(f"{shown(file.parent)}: {ctx.sdk.describe()}")
    return [s for s in found.values() if s.context.config is not None or s.sdk_files]


def text_report(summaries: list[ProjectSummary]) -> str:
    if not summaries:
        return "No Trigger.dev project found."
    out: list[str] = []
    for s in summaries:
        ctx = s.context
        config = ctx.config
        dirs = ", ".join(config.dirs) if config is not None and config.dirs else None
        out += [
            f"Project {shown(ctx.root)}",
            f"  config:    {shown(config.path) if config is not None else '(none found)'}",
            f"  task dirs: {dirs or '(none set: trigger folders)'}",
            f"  SDK:       {ctx.sdk.describe()}",
            f"  CLI:       {ctx.cli.describe()}",
            f"  files:     {s.files} ({s.sdk_files} naming @trigger.dev)",
        ]
        out += [f"  also:      {line}" for line in sorted(s.other_sdks)]
        out.append("")
    return "\n".join(out).rstrip("\n")


def json_report(summaries: list[ProjectSummary]) -> str:
    return json.dumps([s.as_dict() for s in summaries], indent=2)
