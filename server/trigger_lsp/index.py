"""The project index: every task definition in the workspace, kept per file."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from trigger_lsp.analysis.model import FileModel, TaskDefinition
from trigger_lsp.analysis.syntax import member_value, object_members, string_value, text, unwrap


@dataclass(frozen=True)
class TaskEntry:
    id: str
    path: Path
    project: Path  # the project root the file resolved to
    start_byte: int
    end_byte: int
    line: int  # 0-based row of the id
    kind: str
    variable: str | None
    exported: bool
    has_schema: bool
    queue: str | None
    summary: dict[str, str]  # option name -> source text, for hover and code lens


SUMMARY_KEYS = ("queue", "concurrency", "retry", "machine", "maxDuration", "cron")


def queue_name(task: TaskDefinition) -> str | None:
    value = unwrap(task.member("queue"))
    if value is None:
        return None
    if value.type == "object":
        return string_value(member_value(object_members(value).get("name")))
    return string_value(value) or (text(value) if value.type == "identifier" else None)


def entries_for(model: FileModel, path: Path, project: Path) -> list[TaskEntry]:
    entries = []
    for task in model.tasks:
        if task.id is None or task.id_value is None:
            continue
        summary = {}
        for key in SUMMARY_KEYS:
            value = task.member(key)
            if value is not None:
                raw = " ".join(text(value).split())
                summary[key] = raw if len(raw) <= 120 else raw[:117] + "..."
        entries.append(
            TaskEntry(
                id=task.id,
                path=path,
                project=project,
                start_byte=task.id_value.start_byte,
                end_byte=task.id_value.end_byte,
                line=task.id_value.start_point[0],
                kind=task.kind,
                variable=task.variable,
                exported=task.exported,
                has_schema=task.kind == "schemaTask" or "schema" in task.members,
                queue=queue_name(task),
                summary=summary,
            )
        )
    return entries


class ProjectIndex:
    """Thread-safe map of file -> task entries, with lookups by id within one project."""

    def __init__(self) -> None:
        self._by_file: dict[Path, tuple[TaskEntry, ...]] = {}
        self._lock = threading.Lock()
        self.complete = False  # True once the whole workspace has been indexed

    def update(self, path: Path, entries: list[TaskEntry]) -> bool:
        """Replace a file's entries; return whether the set of ids changed."""
        new = tuple(entries)
        with self._lock:
            old = self._by_file.get(path, ())
            self._by_file[path] = new
        return {e.id for e in old} != {e.id for e in new}

    def remove(self, path: Path) -> None:
        with self._lock:
            self._by_file.pop(path, None)

    def entries(self) -> list[TaskEntry]:
        with self._lock:
            return [e for group in self._by_file.values() for e in group]

    def files(self) -> list[Path]:
        with self._lock:
            return list(self._by_file)

    def with_id(self, task_id: str, project: Path | None = None) -> list[TaskEntry]:
        return [
            e for e in self.entries() if e.id == task_id and (project is None or e.project == project)
        ]

    def ids(self, project: Path | None = None) -> set[str]:
        return {e.id for e in self.entries() if project is None or e.project == project}
