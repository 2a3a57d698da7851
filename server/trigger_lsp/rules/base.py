"""The rule framework: what a rule is, what it reports, and the registry of all rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel
from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.project.context import ProjectContext

if TYPE_CHECKING:
    from trigger_lsp.index import TaskIds


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of the file with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    safety: FixSafety | None = None  # None: the rule's fix safety from validations.md
    title: str | None = None  # None: the rule's fix_title


@dataclass(frozen=True)
class Span:
    """A byte range that is not a whole node (a part of a string, say)."""

    start_byte: int
    end_byte: int


@dataclass(frozen=True)
class Related:
    path: Path
    start_byte: int
    end_byte: int
    message: str


@dataclass(frozen=True, eq=False)
class Report:
    """What a rule yields: where, which message variant with which arguments, and a fix."""

    at: ts.Node | Span
    variant: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, eq=False)
class FileContext:
    """Everything a rule may read about one file. Rules never read the disk themselves."""

    path: Path | None
    source: bytes
    tree: ts.Tree
    model: FileModel
    project: ProjectContext
    index: TaskIds | None = None

    def text(self, node: ts.Node | Span) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def mentions(self, token: bytes) -> bool:
        """Whether the file's text contains `token`: a cheap early exit, scanned once per file
        (also when the rules run on several views of it)."""
        return self.model.whole.memo(("mentions", token), lambda: token in self.source)

    @property
    def sdk_version(self):
        return self.project.sdk_version


Check = Callable[[FileContext], Iterator[Report]]


@dataclass(frozen=True)
class Rule:
    id: str
    check: Check
    any_file: bool = False  # also runs on files that are not Trigger.dev files
    # Whether a report may depend on the contents of more than one task statement (duplicate
    # ids, the file's first task, data flow across the file). Other rules look for places to
    # report through the model's `of`/`tasks`/`runs` and read file-wide facts through
    # `model.whole`; the editor re-checks only the task statements an edit touched with them.
    whole_file: bool = False


REGISTRY: dict[str, Rule] = {}


def rule(
    rule_id: str, *, any_file: bool = False, whole_file: bool = False
) -> Callable[[Check], Check]:
    """Register a check function under a rule id from RULES.md."""

    def register(check: Check) -> Check:
        if rule_id in REGISTRY:
            raise ValueError(f"rule '{rule_id}' is registered twice")
        REGISTRY[rule_id] = Rule(rule_id, check, any_file, whole_file)
        return check

    return register
