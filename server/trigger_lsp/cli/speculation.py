"""Checking every file in one pass, before the project's index is complete.

The rules that read the index of the whole project ask: is this id also defined in another file
that the CLI loads (duplicate-task-id)? does some file define the id this call triggers
(unknown-task-id)? is this task triggered in a batch or a loop anywhere
(task-no-concurrency-limit)? how many tasks have no retry policy of their own
(task-no-retry-config, on trigger.config)? does the bundled code import this package
(native-modules-external)? does this imported helper log (task-no-logging)? does the CLI load
this file outside the task folders (trigger-config-not-found)? which string does an imported
constant hold (duplicate-task-id)? Reading
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

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import grammar_for, is_source_path, parse
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.index import (
    FanOut,
    ModuleLinks,
    ProjectIndex,
    TaskEntry,
    TaskIds,
)
from trigger_lsp.project.modules import module_facts
from trigger_lsp.project.reading import read_regular

# Folders the CLI never checks (discovery.SKIP_DIRS), so the complete index never holds them.
UNINDEXED = frozenset({"node_modules", "dist", "build", ".trigger", ".git", ".hg", ".svn"})
MAX_HELPER_BYTES = 2_000_000

# (question, its arguments, the answer given)
Question = tuple[str, tuple[object, ...], object]


class DiskModules(ProjectIndex):
    """Answers `logs` by reading the imported files from the disk when first asked (once per
    file and process): what the complete index will almost always say."""

    def __init__(self, resolver: ProjectResolver) -> None:
        super().__init__()
        self.complete = True
        self._resolver = resolver
        self._failed: set[Path] = set()

    def _known(self, path: Path) -> bool:
        return is_source_path(path) and not UNINDEXED & set(path.parts) and path.is_file()

    def _forget_links(self) -> None:  # files are only added, and `_known` reads the disk
        pass

    def _links_of(self, path: Path) -> ModuleLinks | None:
        if path not in self._links and path not in self._failed:
            try:
                source = read_regular(path, MAX_HELPER_BYTES)
                grammar = grammar_for(path)
                model = build_model(parse(source, grammar), grammar)
                self.update(
                    path, [], module=module_facts(model, path, self._resolver.context_for(path))
                )
            except (OSError, ValueError):
                self._failed.add(path)
        return super()._links_of(path)


class SpeculativeIndex:
    """A `TaskIds` that answers before the index is complete and remembers what it said."""

    complete = True
    modules_generation = 0  # (the editor's cache key; the CLI keeps no findings across runs)

    def __init__(self, modules: DiskModules | None = None) -> None:
        self.asked: list[Question] = []
        self._modules = modules

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
        # Read from the disk when the caller keeps a DiskModules; else guess a package (which
        # the index cannot read either), the most common import.
        answer = self._modules.logs(importer, specifier, name) if self._modules else None
        self.asked.append(("logs", (importer, specifier, name), answer))
        return answer

    def constant(self, importer: Path, specifier: str, name: str) -> str | None:
        answer = self._modules.constant(importer, specifier, name) if self._modules else None
        self.asked.append(("constant", (importer, specifier, name), answer))
        return answer

    def loaded(self, path: Path) -> bool | None:
        # Asked of task files outside the task folders, which nothing imports more often than not.
        self.asked.append(("loaded", (path,), False))
        return False

    def ids(self, project: Path | None = None) -> frozenset[str]:
        # Not reached while `knows` says yes; an answer that must be wrong forces a re-check.
        self.asked.append(("ids", (project,), None))
        return frozenset()

    def bundled_packages(
        self, project: Path, dirs: tuple[Path, ...] | None, packages: frozenset[str]
    ) -> frozenset[str]:
        # Asked by a trigger.config only (one file per project): the packages are imported.
        self.asked.append(("bundled_packages", (project, dirs, packages), packages))
        return packages

    def fan_out(
        self, task_id: str | None, variable: str | None, path: Path | None, project: Path
    ) -> FanOut | None:
        # Most tasks are triggered one at a time; a fanned-out one is checked again.
        self.asked.append(("fan_out", (task_id, variable, path, project), None))
        return None

    def tasks_without_retry(self, project: Path) -> int:
        # Asked once per project (by its trigger.config file), whose count no file can know
        # before the others are read: a count above zero means checking that one file again.
        self.asked.append(("tasks_without_retry", (project,), 0))
        return 0

    def fan_out_keys(self, project: Path, path: Path | None) -> frozenset[tuple[object, ...]]:
        # Asked by the editor's statement-wise analysis only, never by the CLI.
        self.asked.append(("fan_out_keys", (project, path), None))
        return frozenset()


def answers_hold(index: TaskIds, asked: list[Question]) -> bool:
    """Whether the real index gives every answer that was given."""
    return all(getattr(index, name)(*args) == answer for name, args, answer in asked)
