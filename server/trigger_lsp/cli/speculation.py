"""Checking every file in one pass, before the project's index is complete.

Rules that read the index of the whole project ask: is this id also defined in another file
that the CLI loads (duplicate-task-id)? does some file define the id this call triggers
(unknown-task-id)? does this imported helper log (task-no-logging)? does the CLI load this file
outside the task folders (trigger-config-not-found)? Reading
each file twice, once for the index and once to check it, costs a second parse of every file.
Instead the CLI checks each file once against a `SpeculativeIndex`, which answers as the index
almost always will (no other file defines this id; the triggered id exists) and records every
question. Once all files are read, the questions are put to the real index. Rules read the index
only through these questions (`index.TaskIds`), so a file whose answers all hold has exactly the
findings that a check against the real index gives; a file with a wrong answer (a duplicate id,
an unknown id) is checked again.
"""

from __future__ import annotations

from pathlib import Path

from trigger_lsp.index import TaskEntry, TaskIds

# (question, its arguments, the answer given)
Question = tuple[str, tuple[object, ...], object]


class SpeculativeIndex:
    """A `TaskIds` that answers before the index is complete and remembers what it said."""

    complete = True
    modules_generation = 0  # (the editor's cache key; the CLI keeps no findings across runs)

    def __init__(self) -> None:
        self.asked: list[Question] = []

    def defined_elsewhere(self, task_id: str, project: Path, path: Path | None) -> list[TaskEntry]:
        self.asked.append(("defined_elsewhere", (task_id, project, path), []))
        return []

    def knows(self, task_id: str, project: Path) -> bool:
        self.asked.append(("knows", (task_id, project), True))
        return True

    def has_ids(self, project: Path) -> bool:
        self.asked.append(("has_ids", (project,), True))
        return True

    def logs(self, importer: Path, specifier: str, name: str) -> bool | None:
        # Most imported functions a run calls come from packages, which the index cannot read.
        self.asked.append(("logs", (importer, specifier, name), None))
        return None

    def loaded(self, path: Path) -> bool | None:
        # Asked of task files outside the task folders, which nothing imports more often than not.
        self.asked.append(("loaded", (path,), False))
        return False

    def ids(self, project: Path | None = None) -> frozenset[str]:
        # Not reached while `knows` says yes; an answer that must be wrong forces a re-check.
        self.asked.append(("ids", (project,), None))
        return frozenset()


def answers_hold(index: TaskIds, asked: list[Question]) -> bool:
    """Whether the real index gives every answer that was given."""
    return all(getattr(index, name)(*args) == answer for name, args, answer in asked)
