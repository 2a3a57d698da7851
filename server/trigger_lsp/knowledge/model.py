"""What the references say, as typed records: rule docs, sharp edges, patterns and the SDK
reference (API members, task options and value lists)."""

from __future__ import annotations

import string
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from trigger_lsp.project.versions import Version


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"

    @property
    def rank(self) -> int:
        return {"error": 4, "warning": 3, "info": 2, "hint": 1}[self.value]


class FixSafety(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


PACKAGE_NAMES = {"sdk": "@trigger.dev/sdk", "cli": "the trigger.dev CLI"}


@dataclass(frozen=True)
class VersionGate:
    """The versions of one package a rule (or a message variant) applies to: from `since`
    (inclusive) to `until` (exclusive). With the version unknown it does not apply."""

    package: str  # "sdk" or "cli"
    since: Version | None
    until: Version | None
    evidence: str

    def holds(self, version: Version | None) -> bool:
        if version is None:
            return False
        if self.since is not None and version < self.since:
            return False
        return self.until is None or version < self.until

    def describe(self) -> str:
        name = PACKAGE_NAMES.get(self.package, self.package)
        if self.since is not None and self.until is not None:
            return f"{name} {self.since} up to (not including) {self.until}"
        if self.since is not None:
            return f"{name} {self.since} and later"
        return f"{name} before {self.until}"


class MissingArgument(KeyError):
    """A message template names an argument the report did not give."""


def _is_argument(field_name: str) -> bool:
    return field_name.isidentifier()


def template_args(template: str) -> frozenset[str]:
    """The arguments a message template names: its `{name}` placeholders. Braces around
    anything else (`{ id, run }`, code in a message) are text, not arguments."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:  # an unpaired brace: the whole template is text
        return frozenset()
    return frozenset(name for _, name, _, _ in parsed if name is not None and _is_argument(name))


def fill(template: str, args: Mapping[str, object]) -> str:
    """The template with its arguments filled in; MissingArgument when one is not given, so
    that a finding never shows `{task}` to a user."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return template
    out: list[str] = []
    for text, name, spec, conversion in parsed:
        out.append(text)
        if name is None:
            continue
        if not _is_argument(name):  # text that happens to be in braces
            said = f"!{conversion}" if conversion else ""
            out.append("{" + name + said + (f":{spec}" if spec else "") + "}")
            continue
        if name not in args:
            raise MissingArgument(f"the message needs the argument '{name}'")
        value: object = args[name]
        if conversion == "r":
            value = repr(value)
        elif conversion == "s":
            value = str(value)
        elif conversion == "a":
            value = ascii(value)
        out.append(format(value, spec or ""))
    return "".join(out)


@dataclass(frozen=True)
class Messages:
    """What a rule says, declared where it is registered: the arguments its main message
    takes, its named variants with the arguments of each, and the arguments of its fix title.
    The loader checks this against the rule's section of references/validations.md
    (knowledge.loader.contract_errors); a rule that disagrees with it does not run."""

    args: tuple[str, ...] = ()
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fix_args: tuple[str, ...] = ()

    def declares(self, variant: str | None) -> bool:
        return variant is None or variant in self.variants


@dataclass(frozen=True)
class Variant:
    message: str
    severity: Severity | None = None
    applies: VersionGate | None = None


EXAMPLE_FILE = "src/trigger/example.ts"  # the path of an example's block without a title
EXAMPLE_LANGUAGES = ("ts", "tsx", "js", "json", "yaml")


@dataclass(frozen=True)
class ExampleFile:
    path: str  # relative to the example project's root
    language: str
    text: str


@dataclass(frozen=True)
class Example:
    """An `Invalid` or `Valid` example of a rule's section: the files of a small project (a
    fenced block each; a `title="..."` names its path, else it is EXAMPLE_FILE). The rule
    must fire on an invalid example and must not on a valid one (tests/test_rule_examples.py).
    Files the example does not give come from the default project: see validations.md."""

    valid: bool
    files: tuple[ExampleFile, ...]

    @property
    def heading(self) -> str:
        return "Valid" if self.valid else "Invalid"

    def markdown(self) -> str:
        """The example as Markdown: each file a fenced block, named when it is not the file
        under check."""
        parts = []
        for file in self.files:
            if file.path != EXAMPLE_FILE:
                parts.append(f"`{file.path}`:")
            parts.append(f"```{file.language}\n{file.text}\n```")
        return "\n\n".join(parts)


@dataclass(frozen=True)
class RuleDoc:
    id: str
    title: str
    severity: Severity
    enabled: bool
    fix: FixSafety
    sharp_edges: tuple[str, ...]
    message: str
    summary: str
    fix_title: str | None = None
    variants: dict[str, Variant] = field(default_factory=dict)
    prose: dict[str, str] = field(default_factory=dict)
    source: str = ""  # "file:line" of the entry
    # Named lists of facts the detection uses (`data:` in the YAML block), kept in the
    # references with the evidence for them.
    data: dict[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool | None = None  # on in the strict profile; None: as `enabled`
    examples: tuple[Example, ...] = ()  # the `### Invalid` and `### Valid` sections

    def in_profile(self, profile: str) -> bool:
        """Whether the rule is on in a profile (`enabled` is the recommended profile)."""
        if profile == "strict" and self.strict is not None:
            return self.strict
        return self.enabled

    @property
    def profiles(self) -> tuple[str, ...]:
        return tuple(p for p in ("recommended", "strict") if self.in_profile(p))

    applies: VersionGate | None = None  # the rule runs only inside this range
    message_applies: VersionGate | None = None  # the main message's own range, if any

    def variant(self, name: str | None) -> Variant:
        if name is None:
            return Variant(self.message, None, self.message_applies)
        return self.variants[name]

    @property
    def gates(self) -> list[tuple[str | None, VersionGate]]:
        """Every version range of the rule: (None, gate) for the rule, (variant, gate)."""
        out: list[tuple[str | None, VersionGate]] = []
        if self.applies is not None:
            out.append((None, self.applies))
        if self.message_applies is not None:
            out.append(("(main message)", self.message_applies))
        out += [(n, v.applies) for n, v in self.variants.items() if v.applies is not None]
        return out


@dataclass(frozen=True)
class SharpEdge:
    id: str
    title: str
    severity: str
    summary: str
    rules: tuple[str, ...]  # the rules naming it in validations.md (`sharp_edges:`)
    detectable: str
    sources: tuple[str, ...]
    docs: str | None = None
    sdk: str | None = None
    prose: dict[str, str] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class Pattern:
    id: str
    name: str
    prefix: str
    scope: str
    description: str
    imports: tuple[str, ...]  # names from @trigger.dev/sdk
    body: str
    prose: dict[str, str] = field(default_factory=dict)
    source: str = ""
    # Names from other packages, per module (`zod: [z]`), added by the completion too.
    module_imports: tuple[tuple[str, tuple[str, ...]], ...] = ()


# --- SDK reference (the `# API reference` part of patterns.md) --------------------------------

TASK_KINDS = ("task", "schemaTask", "schedules.task")
# The calls whose options object is `trigger` options: a task's own methods, their `tasks.*`
# forms by id, and the per-item `options` of the batch calls.
TRIGGER_KINDS = ("trigger", "triggerAndWait", "triggerAndSubscribe")
# Objects whose keys the reference lists: the options of a task (`task`), of a trigger call
# (`trigger`), of a batch call (`batchOptions`) and of `defineConfig` (`config`), and objects
# nested in them. A nested owner is reached through a key of its parent: OPTION_PARENTS maps
# (parent owner, key) to the owner of the object written as that key's value.
OPTION_ROOTS = ("task", "trigger", "batchOptions", "config")
OPTION_PARENTS: dict[tuple[str, str], str] = {
    ("task", "retry"): "retry",
    ("task", "queue"): "queue",
    ("task", "concurrency"): "concurrency",
    ("task", "cron"): "cron",
    ("trigger", "debounce"): "debounce",
    ("config", "retries"): "retries",
    ("retries", "default"): "retry",
    ("config", "build"): "build",
    ("build", "jsx"): "jsx",
    ("config", "telemetry"): "telemetry",
    ("config", "processKeepAlive"): "processKeepAlive",
}
OPTION_OWNERS = OPTION_ROOTS + tuple(dict.fromkeys(OPTION_PARENTS.values()))
# The kinds `applies_to` may name, per root owner.
APPLIES_TO_KINDS = {"task": TASK_KINDS, "trigger": TRIGGER_KINDS}


def option_root(owner: str) -> str:
    """The root owner an owner's objects sit in (`task` for `retry`, `config` for `jsx`)."""
    seen = {owner}
    while owner not in OPTION_ROOTS:
        parent = next((p for (p, _), child in OPTION_PARENTS.items() if child == owner), None)
        if parent is None or parent in seen:
            return owner
        seen.add(parent)
        owner = parent
    return owner


@dataclass(frozen=True)
class ApiEntry:
    """An SDK export or member (`wait.for`), or a method of task objects (`receiver: task`)."""

    id: str
    signature: str
    description: str
    sharp_edges: tuple[str, ...] = ()
    snippet: str | None = None  # what follows the name when completed, parentheses included
    since: str | None = None
    deprecated: bool = False
    deprecated_since: str | None = None
    receiver: str | None = None
    source: str = ""
    evidence: str | None = None  # the package file and line (or docs page) behind the entry

    @property
    def name(self) -> str:
        return self.id.rsplit(".", 1)[-1]

    @property
    def owner(self) -> str | None:
        """`wait` for `wait.for`; None for top-level exports and task methods."""
        return self.id.rsplit(".", 1)[0] if "." in self.id else None


@dataclass(frozen=True)
class OptionEntry:
    """A key of task options (`task.retry`) or of an object nested in them (`retry.factor`)."""

    id: str
    type: str
    value_snippet: str  # inserted after `key: `
    description: str
    sharp_edges: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()  # task kinds; empty means all
    since: str | None = None
    deprecated: bool = False
    deprecated_since: str | None = None
    source: str = ""
    evidence: str | None = None

    @property
    def owner(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.id.split(".", 1)[1]


@dataclass(frozen=True)
class ValueChoice:
    value: str
    description: str
    since: str | None = None  # the first SDK version that accepts the value
    deprecated: bool = False
    deprecated_since: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class ValueSet:
    """The allowed or suggested values of a string option, each with its meaning."""

    id: str
    description: str
    values: tuple[ValueChoice, ...]
    source: str = ""
    # The option keys (`config.runtime`, `debounce.mode`) whose string values these are; empty
    # for the sets the completion picks by key name (machine, logLevel, cron).
    keys: tuple[str, ...] = ()
    evidence: str | None = None


@dataclass(frozen=True)
class Reference:
    api: dict[str, ApiEntry]
    options: dict[str, OptionEntry]
    values: dict[str, ValueSet]

    def export(self, path: str) -> ApiEntry | None:
        """The entry of an SDK path as resolved through imports (`wait.for`, `task`)."""
        entry = self.api.get(path)
        return entry if entry is not None and entry.receiver is None else None

    def method(self, receiver: str, name: str) -> ApiEntry | None:
        entry = self.api.get(name)
        return entry if entry is not None and entry.receiver == receiver else None

    def members(self, owner: str) -> list[ApiEntry]:
        return [e for e in self.api.values() if e.owner == owner and e.receiver is None]

    def option(self, owner: str, key: str) -> OptionEntry | None:
        return self.options.get(f"{owner}.{key}")

    def options_of(self, owner: str) -> list[OptionEntry]:
        return [o for o in self.options.values() if o.owner == owner]

    def values_for(self, option_id: str) -> ValueSet | None:
        """The value set listed for an option key (`config.runtime`), if any."""
        return next((v for v in self.values.values() if option_id in v.keys), None)

    def context_members(self, path: str) -> list[ApiEntry]:
        """The fields of the run context under `path` (`ctx`, `ctx.run`)."""
        return [e for e in self.api.values() if e.receiver == "ctx" and e.owner == path]


@dataclass(frozen=True)
class Knowledge:
    rules: dict[str, RuleDoc]
    sharp_edges: dict[str, SharpEdge]
    patterns: dict[str, Pattern]
    # The SDK reference is parsed on first use: the CLI never needs it.
    load_reference: Callable[[], Reference] = field(
        default=lambda: Reference({}, {}, {}), repr=False, compare=False
    )
    # The same parse, yielding between sections (see `warm_reference`).
    reference_steps: Callable[[], Generator[None, None, Reference]] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def reference(self) -> Reference:
        return self.load_reference()

    def warm_reference(self) -> Iterator[None]:
        """Parse the reference a section at a time, yielding between sections, and keep it
        as `reference` (the server does this while the editor is idle, so that the first
        completion or hover does not wait for the whole parse). Reading `reference` meanwhile
        parses it at once, as without this."""
        if "reference" in self.__dict__ or self.reference_steps is None:
            return
        steps = self.reference_steps()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                self.__dict__.setdefault("reference", done.value)  # (as cached_property does)
                return
            if "reference" in self.__dict__:
                return  # read meanwhile
            yield

    def edges_for(self, rule_id: str) -> tuple[SharpEdge, ...]:
        return self._edges.get(rule_id, ())

    @cached_property
    def _edges(self) -> dict[str, tuple[SharpEdge, ...]]:
        """Each rule's sharp edges, looked up once (every diagnostic asks for its rule's)."""
        return {
            rule_id: tuple(self.sharp_edges[e] for e in doc.sharp_edges if e in self.sharp_edges)
            for rule_id, doc in self.rules.items()
        }
