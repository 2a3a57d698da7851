"""Rejecting, from its bytes and its place, a source file in which no rule can find anything,
before tree-sitter runs.

In a large repository almost every file is ordinary application code: parsing it only to learn
that it is not a Trigger.dev file costs most of a `check`. A file is parsed when one of these
holds, each derived from what a rule or the project index needs (a rule that changes what it
needs must change this list; tests/test_prefilter.py compares the two on generated files, and
fails when a rule that runs on any file is added without being listed in `ANY_FILE_RULES`):

- it is a `package.json` or a `trigger.config.*` (the manifest and config rules);
- it looks binary (the check then says that it skipped it, without parsing it);
- it sits in a task folder (`dirs` of its trigger.config, else a folder named `trigger`): such a
  file is a Trigger.dev file whatever it imports;
- its project's trigger.config has `dirs` that cannot be read (then every file of the project may
  be bundled, and its imports count for native-modules-external);
- its bytes hold one of `TOKENS`:
  - `trigger`: the SDK's import (`@trigger.dev/sdk`, in every Trigger.dev file; the import is
    matched on the string's literal fragments, so the bytes are there), v2-api's `@trigger.dev/`
    packages, the trigger methods of task objects (`trigger`, `triggerAndWait`: the fan-out
    sites of the index, and wait-outside-run's waits, which outside Trigger.dev files are only
    the `...AndWait` methods of imported tasks) and the `trigger-lsp-ignore` comments (an unused
    one is a finding);
  - `batchTrigger`: the other trigger methods (`batchTrigger`, `batchTriggerAndWait`); without
    an SDK import a method is known by its name alone (index.TASK_METHODS);
  - `tr_dev_`, `tr_prod_`, ...: hardcoded-secret-key's key prefixes (it reads the raw bytes of
    string literals);
  - `defineJob`: v2-api's v2 job definitions.

A rejected file gets no note either: "the file has syntax errors" is said only of files in
which something could be found.

A rejected file still matters to the index as a module that checked files import (its exported
constants, whether its helpers log, the packages it imports): `check` parses it when a checked
file's imports reach it (see cli/runner.py), so what a rule asks of the index is answered as if
every file had been parsed.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from trigger_lsp.project.context import ProjectContext
from trigger_lsp.project.packages import MANIFEST_NAME
from trigger_lsp.project.trigger_config import CONFIG_NAMES, TriggerConfig
from trigger_lsp.text import looks_binary

# (the key kinds of rules/imports.py's _KEY)
KEY_KINDS = ("dev", "stg", "prod", "preview", "pat", "oat")
KEY_PREFIXES = tuple(f"tr_{kind}_".encode() for kind in KEY_KINDS)
TOKENS = (b"trigger", b"batchTrigger", *KEY_PREFIXES, b"defineJob")
# The rules that run on files that are not Trigger.dev files (`@rule(..., any_file=True)`), whose
# needs the list above covers: config rules read only trigger.config files.
ANY_FILE_RULES = frozenset(
    {
        "hardcoded-secret-key",  # tr_dev_, ...
        "v2-api",  # @trigger.dev/ (trigger), defineJob
        "wait-outside-run",  # ...AndWait (trigger, batchTrigger), or a Trigger.dev file
        "config-missing-max-duration",  # trigger.config only
        "trigger-config-not-found",  # trigger.config, or a file with tasks (an SDK import)
        "native-modules-external",  # trigger.config only
        "bun-runtime-deprecated",  # trigger.config only
        "task-no-retry-config",  # trigger.config only
    }
)


def mentions_trigger(source: bytes) -> bool:
    """Whether the bytes hold a token some rule or the index looks for."""
    # (each test is one scan in C; the key prefixes all start with `tr_`)
    return (
        b"trigger" in source
        or b"batchTrigger" in source
        or (b"tr_" in source and any(prefix in source for prefix in KEY_PREFIXES))
        or b"defineJob" in source
    )


class Prefilter:
    """`must_parse` for many files, the task-folder test kept per folder."""

    def __init__(self) -> None:
        self._folders: dict[Path, bool] = {}
        self._dir_names: dict[int, tuple[TriggerConfig, frozenset[str]]] = {}

    def must_parse(self, path: Path, source: bytes, project: ProjectContext) -> bool:
        """Whether the file must be parsed and checked; False when no rule can report anything
        in it and it adds nothing to the index but what its importers' check reads on demand."""
        if self.by_bytes(source):
            return True  # (a binary file is not parsed either: check notes that it skipped it)
        return self.by_place(path, project)

    @staticmethod
    def by_bytes(source: bytes) -> bool:
        """Whether the file's bytes alone make it one to parse (see `must_parse`)."""
        return mentions_trigger(source) or looks_binary(source)

    def by_place(self, path: Path, project: ProjectContext, is_link: bool | None = None) -> bool:
        """Whether the file must be parsed whatever it holds (so need not be read first).
        `is_link`: whether the file is a symbolic link, when the caller knows (else asked)."""
        return self.by_place_in(path.parent, path.name, project, is_link)

    def by_place_in(
        self, folder: Path, name: str, project: ProjectContext, is_link: bool | None = None
    ) -> bool:
        """`by_place` for the file `name` of `folder`, without making its path unless needed
        (the answer is the folder's for every file but a few)."""
        if name == MANIFEST_NAME or name in CONFIG_NAMES:
            return True
        config = project.config
        if config is not None and not config.dirs_known:
            return True
        # Within one folder (one project) the answer is the same for every file but a link
        # (resolved elsewhere) or a file that a `dirs` entry names itself.
        if is_link is None:
            is_link = os.path.islink(folder / name)
        if is_link or (config is not None and name in self._names_in_dirs(config)):
            return project.in_trigger_dir(folder / name)
        found = self._folders.get(folder)
        if found is None:
            found = self._folders[folder] = project.in_trigger_dir(folder / name)
        return found

    def _names_in_dirs(self, config: TriggerConfig) -> frozenset[str]:
        """The last names of the config's `dirs` entries (kept per config)."""
        kept = self._dir_names.get(id(config))
        if kept is None or kept[0] is not config:
            kept = self._dir_names[id(config)] = (
                config,
                frozenset(PurePath(d).name for d in config.dirs),
            )
        return kept[1]


def must_parse(path: Path, source: bytes, project: ProjectContext) -> bool:
    """`Prefilter.must_parse` for one file."""
    return Prefilter().must_parse(path, source, project)
