"""The rule framework: what a rule is, what it reports, and the registry of all rules."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast, overload

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel, FileView
from trigger_lsp.knowledge.model import FixSafety, Messages
from trigger_lsp.project.context import ProjectContext
from trigger_lsp.project.versions import Version

if TYPE_CHECKING:
    from trigger_lsp.project.index import TaskIds


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
    # A message variant, or candidates in order of preference: the engine takes the first
    # whose `applies:` range holds for the project's version (see references/validations.md).
    variant: str | tuple[str | None, ...] | None = None
    args: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, eq=False)
class FileContext:
    """Everything a rule may read about one file. Rules never read the disk themselves. A rule
    that is not `whole_file` gets its `model` as a FileView (one task statement, or the
    skeleton, in the editor): what it needs of the rest of the file it reads through a
    declared file fact (`fact`). A `whole_file` rule gets a WholeFileContext."""

    path: Path | None
    source: bytes
    tree: ts.Tree
    model: FileView
    project: ProjectContext
    index: TaskIds | None = None
    profile: str = "recommended"  # the rule profile in force (settings.PROFILES)

    def text(self, node: ts.Node | Span) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def mentions(self, token: bytes) -> bool:
        """Whether the file's text contains `token`: a cheap early exit, scanned once per file
        (also when the rules run on several views of it)."""
        return self.model.shared(("mentions", token), lambda: token in self.source)

    @property
    def sdk_version(self) -> Version | None:
        """The project's SDK version; None when unknown (see `sdk_at_least`)."""
        return self.project.sdk_version

    def sdk_at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool | None:
        """Whether the project's SDK is at least this version; None when it is unknown. A
        rule's version boundary belongs in its `applies:` metadata (the engine gates on it);
        use this only where detection itself differs between versions."""
        version = self.project.sdk_version
        return None if version is None else version.at_least(major, minor, patch)

    def cli_at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool | None:
        """The same for the trigger.dev CLI (the SDK's version when nothing names the CLI's)."""
        version = self.project.cli.version
        return None if version is None else version.at_least(major, minor, patch)

    def fact(self, fact: FileFact[T]) -> T:
        """The value of a file fact for the whole file (computed once per model)."""
        return self.model.shared(("fact", fact.name), lambda: _file_fact(self, fact))


@dataclass(frozen=True, eq=False)
class WholeFileContext(FileContext):
    """What a `whole_file` rule reads: the context with the model of the whole file."""

    model: FileModel

    def viewed(self, spans: list[tuple[int, int]]) -> FileContext:
        """The context a rule that is not `whole_file` gets for some statements of the file."""
        view = self.model.view(spans)
        return FileContext(
            self.path, self.source, self.tree, view, self.project, self.index, self.profile
        )


T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class FileFact(Generic[T]):
    """A fact about the whole file that a rule checking one task statement needs (which
    functions log, whether a global error hook is set). It is additive over the top-level
    statements: `combine` of its value on each statement equals its value on the whole file.
    A model built from pieces computes it per statement and keeps the values by statement
    text, so an edit recomputes only the changed statements' part; the findings statements.py
    keeps are valid while every fact's value stays the same."""

    name: str
    of: Callable[[FileContext], T]  # on the whole file or on a view of one statement
    combine: Callable[[list[T]], T]
    # When set, a statement whose text holds none of these contributes nothing.
    tokens: tuple[bytes, ...] = ()


FACTS: dict[str, FileFact[Any]] = {}


def file_fact(
    name: str, combine: Callable[[list[T]], T], tokens: tuple[bytes, ...] = ()
) -> Callable[[Callable[[FileContext], T]], FileFact[T]]:
    def register(of: Callable[[FileContext], T]) -> FileFact[T]:
        fact = FileFact(name, of, combine, tokens)
        FACTS[name] = fact
        return fact

    return register


def _file_fact(ctx: FileContext, fact: FileFact[T]) -> T:
    whole = ctx.model._file  # the framework's way to the whole file, not a rule's
    pieces, cache = whole.pieces, whole.piece_cache
    if pieces is None or cache is None:
        if fact.tokens and not any(ctx.mentions(t) for t in fact.tokens):
            return fact.combine([])
        return fact.of(replace(ctx, model=whole))
    # Values are kept by statement text, for the SDK names in force (compared once: hashing
    # them into each statement's key cost more than the lookup); a statement without the
    # fact's tokens is kept as contributing nothing (_NOTHING), not searched again (nor is
    # the whole text, on each keystroke: a file without them has only such statements).
    names = whole.names_key
    known = cache.facts.get(fact.name, {})
    if known.get(_NAMES) != names:
        known = {}
    found: list[object] = [known.get(p.text) if p.clean else None for p in pieces]
    if fact.tokens:
        found = [
            _NOTHING if value is None and not any(t in p.text for t in fact.tokens) else value
            for p, value in zip(pieces, found, strict=True)
        ]
    missing = sum(1 for value in found if value is None)
    if missing * 2 > len(pieces):
        whole.of("call")  # collect the whole file once: the views below then cost little
    values: list[T] = []
    kept: dict[object, object] = {_NAMES: names}
    for piece, value in zip(pieces, found, strict=True):
        if value is None:
            value = fact.of(replace(ctx, model=whole.view([piece.span])))
        if piece.clean:
            kept[piece.text] = value
        if value is not _NOTHING:
            values.append(value)  # type: ignore[arg-type]
    # The same values as last version (most are the same objects): the same combined value,
    # not combined again (a union of 400 statements' graphs), and the same object, which the
    # kept findings' key then compares at once.
    before = known.get(_COMBINED)
    if before is not None and cast(tuple[list[T], T], before)[0] == values:
        combined = cast(tuple[list[T], T], before)[1]
    else:
        combined = fact.combine(values)
    kept[_COMBINED] = (values, combined)
    cache.facts[fact.name] = kept  # this version's statements only
    return combined


_NAMES = ("names",)  # the key of the SDK names a fact's kept values are for
_NOTHING = object()  # what a statement without the fact's tokens contributes
_COMBINED = ("combined",)  # the key of the last values and what they combined to


Check = Callable[[FileContext], Iterator[Report]]  # a rule that is not `whole_file`
WholeFileCheck = Callable[[WholeFileContext], Iterator[Report]]


@dataclass(frozen=True)
class Rule:
    id: str
    check: Callable[[Any], Iterator[Report]]  # a Check, or a WholeFileCheck when whole_file
    any_file: bool = False  # also runs on files that are not Trigger.dev files
    # Whether a report may depend on the contents of more than one task statement (duplicate
    # ids, the file's first task, data flow across the file); such a rule gets a
    # WholeFileContext. Other rules get a FileContext whose model is a FileView: they look for
    # places to report through its `of`/`tasks`/`runs` and read anything else of the file
    # through file facts (`ctx.fact`); the editor re-checks only the task statements an edit
    # touched with them. mypy holds a rule to this: a FileView has no way to the whole file.
    whole_file: bool = False
    # Whether it asks the project's index (`FileContext.index`); no other rule may.
    reads_index: bool = False
    # For a rule that reads the index but not the whole file: what its findings on one task
    # statement depend on in the index (statements.py keeps them while this stays the same).
    index_key: Callable[[FileContext], Hashable] | None = None
    messages: Messages = field(default_factory=Messages)


REGISTRY: dict[str, Rule] = {}

# Messages the engine itself reports (no check function of their own).
ENGINE_MESSAGES: dict[str, Messages] = {
    "unused-suppression": Messages(
        args=("rule",),
        variants={"unused": ("rule",), "unknown": ("rule",), "misplaced": ("rule",)},
    ),
}


@overload
def rule(
    rule_id: str,
    *,
    args: tuple[str, ...] = (),
    variants: Mapping[str, tuple[str, ...]] | None = None,
    fix_args: tuple[str, ...] = (),
    any_file: bool = False,
    whole_file: Literal[False] = False,
    reads_index: bool = False,
    index_key: Callable[[FileContext], Hashable] | None = None,
) -> Callable[[Check], Check]: ...


@overload
def rule(
    rule_id: str,
    *,
    args: tuple[str, ...] = (),
    variants: Mapping[str, tuple[str, ...]] | None = None,
    fix_args: tuple[str, ...] = (),
    any_file: bool = False,
    whole_file: Literal[True],
    reads_index: bool = False,
    index_key: Callable[[FileContext], Hashable] | None = None,
) -> Callable[[WholeFileCheck], WholeFileCheck]: ...


def rule(
    rule_id: str,
    *,
    args: tuple[str, ...] = (),
    variants: Mapping[str, tuple[str, ...]] | None = None,
    fix_args: tuple[str, ...] = (),
    any_file: bool = False,
    whole_file: bool = False,
    reads_index: bool = False,
    index_key: Callable[[FileContext], Hashable] | None = None,
) -> Callable[[Any], Any]:
    """Register a check function under a rule id from RULES.md, with the arguments of its
    main message (`args`), its message variants and the arguments of each (`variants`), and
    the arguments of its fix title (`fix_args`): see CONTRIBUTING.md, "Add a rule"."""

    def register(check: Callable[[Any], Iterator[Report]]) -> Callable[[Any], Iterator[Report]]:
        if rule_id in REGISTRY:
            raise ValueError(f"rule '{rule_id}' is registered twice")
        messages = Messages(tuple(args), dict(variants or {}), tuple(fix_args))
        REGISTRY[rule_id] = Rule(
            rule_id, check, any_file, whole_file, reads_index, index_key, messages
        )
        return check

    return register


@cache
def rule_data(rule_id: str, name: str) -> frozenset[str]:
    """A list from the `data` table of a rule's entry in references/validations.md: facts the
    detection needs (which variables the platform sets, say), kept there with their evidence."""
    from trigger_lsp.knowledge.loader import knowledge

    doc = knowledge().rules.get(rule_id)
    if doc is None or name not in doc.data:
        raise KeyError(f"validations.md: rule '{rule_id}' has no data list '{name}'")
    return frozenset(doc.data[name])
