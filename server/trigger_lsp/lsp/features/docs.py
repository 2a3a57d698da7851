"""Markdown for SDK reference entries and indexed tasks, shared by hover and completion.

The words come from references/ (patterns.md's API reference and sharp_edges.md); this module
only arranges them.
"""

from __future__ import annotations

from trigger_lsp.knowledge.model import ApiEntry, Knowledge, OptionEntry, ValueChoice, ValueSet
from trigger_lsp.project.index import TaskEntry
from trigger_lsp.project.paths import display_path
from trigger_lsp.project.versions import Version

TASK_SUMMARY_KEYS = ("queue", "concurrency", "retry", "machine", "maxDuration", "cron")
# How hover names the object a key belongs to, for the root owners.
OWNER_NAMES = {
    "task": "task option",
    "trigger": "trigger option",
    "batchOptions": "batch option",
    "config": "defineConfig option",
}


def is_deprecated(entry: ApiEntry | OptionEntry | ValueChoice, version: Version | None) -> bool:
    if not entry.deprecated:
        return False
    if entry.deprecated_since is None or version is None:
        return True
    since = Version.parse(entry.deprecated_since)
    return since is None or version >= since


def is_available(entry: ApiEntry | OptionEntry | ValueChoice, version: Version | None) -> bool:
    if entry.since is None or version is None:
        return True
    since = Version.parse(entry.since)
    return since is None or version >= since


def _status(entry: ApiEntry | OptionEntry | ValueChoice, version: Version | None) -> list[str]:
    notes = []
    if entry.deprecated:
        when = f" since {entry.deprecated_since}" if entry.deprecated_since else ""
        applies = is_deprecated(entry, version)
        notes.append(f"*Deprecated{when}*" + ("" if applies else f" (your SDK is {version})"))
    if entry.since:
        notes.append(f"*Since SDK {entry.since}*")
    return [" · ".join(notes)] if notes else []


def edges_markdown(kb: Knowledge, edge_ids: tuple[str, ...]) -> list[str]:
    edges = [kb.sharp_edges[e] for e in edge_ids if e in kb.sharp_edges]
    if not edges:
        return []
    lines = ["", "**Sharp edges**", ""]
    for edge in edges:
        lines.append(f"- **{edge.title}**: {' '.join(edge.summary.split())}")
    return lines


def api_markdown(kb: Knowledge, entry: ApiEntry, version: Version | None = None) -> str:
    return _entry_markdown(kb, ["```typescript", entry.signature, "```"], entry, version)


def option_markdown(kb: Knowledge, entry: OptionEntry, version: Version | None = None) -> str:
    where = OWNER_NAMES.get(entry.owner) or f"`{entry.owner}` option"
    only = f" ({', '.join(entry.applies_to)} only)" if entry.applies_to else ""
    head = [f"**{entry.key}**: `{entry.type}` · {where}{only}"]
    return _entry_markdown(kb, head, entry, version)


def _entry_markdown(
    kb: Knowledge, head: list[str], entry: ApiEntry | OptionEntry, version: Version | None
) -> str:
    """An SDK name's or option's explanation: its head, what it does, where the project's
    version stands, and the sharp edges it relates to."""
    parts = [*head, "", entry.description]
    status = _status(entry, version)
    if status:
        parts += ["", *status]
    parts += edges_markdown(kb, entry.sharp_edges)
    return "\n".join(parts)


def value_markdown(values: ValueSet, choice: ValueChoice, version: Version | None = None) -> str:
    status = _status(choice, version)
    note = f"\n\n{status[0]}" if status else ""
    return f"**`{choice.value}`**: {choice.description}{note}\n\n{values.description}"


def _code(value: str) -> str:
    fence = "``" if "`" in value else "`"
    return f"{fence} {value} {fence}" if fence == "``" else f"`{value}`"


def task_markdown(entries: list[TaskEntry], task_id: str, complete: bool) -> str:
    if not entries:
        known = "" if complete else " (the workspace is still being indexed)"
        return f"**Task `{task_id}`**: no task with this id is known in this project{known}."
    parts: list[str] = []
    for n, entry in enumerate(entries):
        if n:
            parts += ["", "---", ""]
        where = f"{display_path(entry.path, entry.project)}:{entry.line + 1}"
        link = f"[{where}]({entry.path.as_uri()}#L{entry.line + 1})"
        parts += [f"**Task `{entry.id}`** · `{entry.kind}` · {link}"]
        rows = [(k, entry.summary[k]) for k in TASK_SUMMARY_KEYS if k in entry.summary]
        if rows:
            parts.append("")
            parts += [f"- {key}: {_code(value)}" for key, value in rows]
    if len(entries) > 1:
        parts += ["", f"*{len(entries)} tasks share this id.*"]
    return "\n".join(parts)
