"""Loads and validates references/*.md: Markdown sections, each with one fenced YAML block."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from trigger_lsp.knowledge.model import (
    APPLIES_TO_KINDS,
    EXAMPLE_FILE,
    EXAMPLE_LANGUAGES,
    OPTION_OWNERS,
    OPTION_PARENTS,
    PACKAGE_NAMES,
    ApiEntry,
    Example,
    ExampleFile,
    FixSafety,
    Knowledge,
    Messages,
    OptionEntry,
    Pattern,
    Reference,
    RuleDoc,
    Severity,
    SharpEdge,
    ValueChoice,
    ValueSet,
    Variant,
    VersionGate,
    template_args,
)
from trigger_lsp.knowledge.snippets import SnippetError, check_snippet
from trigger_lsp.project.versions import Version

FILES = ("validations.md", "sharp_edges.md", "patterns.md")
# More of the SDK reference, each file made of `kind: api | option | values` sections only:
# trigger, batch and defineConfig options with their value sets, and the APIs a task author
# calls beyond the ones patterns.md describes (runs, streams, auth, the run context, errors).
REFERENCE_FILES = ("sdk_options.md", "sdk_api.md")
_FENCE_OPEN = re.compile(r"^```yaml\s*$")
REFERENCE_PART = "# API reference"  # the part of patterns.md after the patterns


def _safe_loader() -> Any:
    """The safe loader (what yaml.safe_load uses), in its libyaml build when available: same
    semantics (no object construction), about five times faster on the references. PyYAML
    is imported here, on first use, so that the server answers `initialize` without it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeError(Exception):
    """A reference file is malformed; the message names the file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line


@dataclass(frozen=True)
class Section:
    heading: str
    line: int  # 1-based line of the `## ` heading
    data: dict[str, Any]
    data_line: int
    prose: dict[str, str]


def references_dir() -> Path:
    """The references shipped in the wheel, else the repository's `references/`."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "references", here.parent.parent / "references"):
        if (candidate / "validations.md").is_file():
            return candidate
    raise KnowledgeError(here / "references", 0, "the references folder was not found")


def split_sections(
    path: Path, text: str, first: int = 0, last: int | None = None
) -> Iterator[Section]:
    """The `## ` sections of lines [first, last) of the text (0-based; all by default)."""
    lines = text.splitlines()
    stop = len(lines) if last is None else min(last, len(lines))
    starts = [i for i in range(first, stop) if lines[i].startswith("## ")]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else stop
        body = lines[start + 1 : end]
        heading = lines[start][3:].strip()
        fence = next((i for i, line in enumerate(body) if _FENCE_OPEN.match(line)), None)
        if fence is None:
            raise KnowledgeError(path, start + 1, f"section '{heading}' has no ```yaml block")
        close = next((i for i in range(fence + 1, len(body)) if body[i].strip() == "```"), None)
        if close is None:
            raise KnowledgeError(path, start + fence + 2, "unclosed ```yaml block")
        import yaml

        try:
            data = yaml.load("\n".join(body[fence + 1 : close]), Loader=_safe_loader())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = start + fence + 3 + (mark.line if mark is not None else 0)
            raise KnowledgeError(path, line, f"invalid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise KnowledgeError(path, start + fence + 2, "the YAML block must be a mapping")
        yield Section(heading, start + 1, data, start + fence + 2, _prose(body[close + 1 :]))


def _prose(lines: list[str]) -> dict[str, str]:
    prose: dict[str, str] = {}
    current: str | None = None
    buf: list[str] = []
    for line in lines:
        if line.startswith("### "):
            if current is not None:
                prose[current] = "\n".join(buf).strip()
            current, buf = line[4:].strip(), []
        elif current is not None:
            buf.append(line)
    if current is not None:
        prose[current] = "\n".join(buf).strip()
    return prose


class _Fields:
    """Typed access to one YAML block, raising KnowledgeError with the location."""

    def __init__(self, path: Path, section: Section) -> None:
        self.path, self.section, self.data = path, section, section.data

    def fail(self, message: str) -> KnowledgeError:
        return KnowledgeError(self.path, self.section.data_line, message)

    def string(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(f"'{self.section.heading}': missing required field '{key}'")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"'{self.section.heading}': field '{key}' must be a string")
        return str(value).strip()

    def req(self, key: str) -> str:
        value = self.string(key)
        assert value is not None
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'{self.section.heading}': field '{key}' must be a list of strings")
        return tuple(value)

    def choice(self, key: str, enum: type[Enum], default: Any = None) -> Any:
        raw = self.data.get(key, default)
        if isinstance(raw, bool) and enum is FixSafety:
            raw = "none" if raw is False else raw
        try:
            return enum(raw)
        except ValueError:
            options = ", ".join(m.value for m in enum)
            raise self.fail(
                f"'{self.section.heading}': field '{key}' is {raw!r}; expected one of {options}"
            ) from None


def _check_id(f: _Fields) -> str:
    ident = f.req("id")
    if ident != f.section.heading:
        raise f.fail(f"id '{ident}' does not match its heading '{f.section.heading}'")
    return ident


def _rule(path: Path, section: Section) -> RuleDoc:
    f = _Fields(path, section)
    ident = _check_id(f)
    variants: dict[str, Variant] = {}
    raw_variants = section.data.get("variants") or {}
    if not isinstance(raw_variants, dict):
        raise f.fail(f"'{ident}': 'variants' must be a mapping")
    for name, spec in raw_variants.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("message"), str):
            raise f.fail(f"'{ident}': variant '{name}' needs a 'message'")
        sev = spec.get("severity")
        gate = _gate(f, spec.get("applies"), f"variant '{name}'")
        try:
            variants[str(name)] = Variant(
                spec["message"].strip(), Severity(sev) if sev else None, gate
            )
        except ValueError:
            raise f.fail(f"'{ident}': variant '{name}' has an unknown severity {sev!r}") from None
    enabled = section.data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise f.fail(f"'{ident}': 'enabled' must be true or false")
    strict = section.data.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise f.fail(f"'{ident}': 'strict' must be true or false")
    return RuleDoc(
        id=ident,
        title=f.req("title"),
        severity=f.choice("severity", Severity),
        enabled=enabled,
        fix=f.choice("fix", FixSafety, "none"),
        sharp_edges=f.strings("sharp_edges"),
        message=f.req("message"),
        summary=f.req("summary"),
        fix_title=f.string("fix_title", required=False),
        variants=variants,
        prose=section.prose,
        source=f"{path.name}:{section.line}",
        data=_rule_data(f, ident),
        strict=strict,
        examples=_examples(f, ident),
        applies=_gate(f, section.data.get("applies"), "applies"),
        message_applies=_gate(f, section.data.get("message_applies"), "message_applies"),
    )


_FENCE = re.compile(r"^```(?P<language>\w*)(?P<info>.*)$")
_TITLE = re.compile(r'^\s*title="(?P<path>[^"]+)"\s*$')


def _examples(f: _Fields, ident: str) -> tuple[Example, ...]:
    """The `### Invalid` and `### Valid` sections: each the fenced blocks of one example."""
    out = []
    for heading, valid in (("Invalid", False), ("Valid", True)):
        text = f.section.prose.get(heading)
        if text is not None:
            out.append(Example(valid, _example_files(f, ident, heading, text)))
    return tuple(out)


def _example_files(f: _Fields, ident: str, heading: str, text: str) -> tuple[ExampleFile, ...]:
    files: list[ExampleFile] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        i += 1
        if opened is None:
            continue
        language, info = opened["language"], opened["info"]
        if language not in EXAMPLE_LANGUAGES:
            said = ", ".join(EXAMPLE_LANGUAGES)
            raise f.fail(f"'{ident}': a {heading} block's language must be one of {said}")
        title = _TITLE.match(info) if info.strip() else None
        if info.strip() and title is None:
            raise f.fail(f"'{ident}': a {heading} block may say only title=\"path\"")
        end = next((j for j in range(i, len(lines)) if lines[j].rstrip() == "```"), None)
        if end is None:
            raise f.fail(f"'{ident}': an unclosed block in {heading}")
        path = title["path"] if title is not None else EXAMPLE_FILE
        if path.startswith("/") or ".." in path.split("/"):
            raise f.fail(f"'{ident}': {heading} file '{path}' must be a relative path")
        if any(file.path == path for file in files):
            raise f.fail(f"'{ident}': {heading} has two blocks for '{path}'")
        files.append(ExampleFile(path, language, "\n".join(lines[i:end])))
        i = end + 1
    if not files:
        raise f.fail(f"'{ident}': '### {heading}' has no fenced code block")
    return tuple(files)


def _rule_data(f: _Fields, ident: str) -> dict[str, tuple[str, ...]]:
    raw = f.data.get("data") or {}
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in raw.values()
    ):
        raise f.fail(f"'{ident}': 'data' must map names to lists of strings")
    return {str(name): tuple(values) for name, values in raw.items()}


_GATE_KEYS = {"package", "since", "until", "evidence"}


def _gate(f: _Fields, raw: object, where: str) -> VersionGate | None:
    """An `applies:` block: `package` (sdk or cli), `since` and/or `until` versions (since
    inclusive, until exclusive) and the `evidence` for the boundary."""
    if raw is None:
        return None
    ident = f.section.heading
    if not isinstance(raw, dict):
        raise f.fail(f"'{ident}': {where} must be a mapping")
    unknown = sorted(set(raw) - _GATE_KEYS)
    if unknown:
        raise f.fail(f"'{ident}': {where} has unknown field(s) {', '.join(unknown)}")
    package = raw.get("package", "sdk")
    if package not in PACKAGE_NAMES:
        raise f.fail(f"'{ident}': {where}: package must be sdk or cli")
    bounds: dict[str, Version | None] = {}
    for key in ("since", "until"):
        value = raw.get(key)
        version = Version.parse(str(value)) if value is not None else None
        if value is not None and (version is None or str(value).count(".") != 2):
            raise f.fail(f"'{ident}': {where}: '{key}' must be a full version such as 4.7.0")
        bounds[key] = version
    evidence = raw.get("evidence")
    if not isinstance(evidence, str) or not evidence.strip():
        raise f.fail(f"'{ident}': {where} needs the 'evidence' for its boundary")
    if bounds["since"] is None and bounds["until"] is None:
        raise f.fail(f"'{ident}': {where} needs 'since' or 'until'")
    return VersionGate(package, bounds["since"], bounds["until"], " ".join(evidence.split()))


def _edge(path: Path, section: Section) -> SharpEdge:
    f = _Fields(path, section)
    ident = _check_id(f)
    severity = f.req("severity")
    if severity not in ("critical", "high", "medium", "low"):
        raise f.fail(f"'{ident}': severity must be critical, high, medium or low")
    for heading in ("Why it happens", "What to do", "Symptoms"):
        if not section.prose.get(heading):
            raise KnowledgeError(path, section.line, f"'{ident}': missing '### {heading}'")
    if "rules" in section.data:
        raise f.fail(
            f"'{ident}': name the rules that catch a sharp edge in their validations.md "
            "sections (`sharp_edges:`), not here: the link is stated once"
        )
    return SharpEdge(
        id=ident,
        title=f.req("title"),
        severity=severity,
        summary=f.req("summary"),
        rules=(),  # filled in from validations.md (_link_edges)
        detectable=_detectable(section.data.get("detectable", "no")),
        sources=f.strings("sources"),
        docs=f.string("docs", required=False),
        sdk=f.string("sdk", required=False),
        prose=section.prose,
        source=f"{path.name}:{section.line}",
    )


def _detectable(value: object) -> str:
    if isinstance(value, bool):  # YAML reads an unquoted yes/no as a boolean
        return "yes" if value else "no"
    return str(value).lower()


def _pattern(path: Path, section: Section) -> Pattern:
    f = _Fields(path, section)
    ident = _check_id(f)
    scope = f.req("scope")
    if scope not in ("statement", "config"):
        raise f.fail(f"'{ident}': scope must be 'statement' or 'config'")
    body = section.data.get("body")
    if not isinstance(body, str) or not body.strip():
        raise f.fail(f"'{ident}': missing required field 'body'")
    _check_snippet(f, "body", body)
    return Pattern(
        id=ident,
        name=f.req("name"),
        prefix=f.req("prefix"),
        scope=scope,
        description=f.req("description"),
        imports=f.strings("imports"),
        body=body.rstrip("\n"),
        prose=section.prose,
        source=f"{path.name}:{section.line}",
        module_imports=_module_imports(f, ident),
    )


_MODULE_NAME = re.compile(r"^(@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*(/[\w.-]+)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")


def _module_imports(f: _Fields, ident: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`imports_from: { zod: [z] }`: named imports from packages other than the SDK."""
    raw = f.data.get("imports_from") or {}
    if not isinstance(raw, dict):
        raise f.fail(f"'{ident}': 'imports_from' must map a package to a list of names")
    out = []
    for module, names in raw.items():
        if not isinstance(module, str) or not _MODULE_NAME.match(module):
            raise f.fail(f"'{ident}': 'imports_from' has a bad package name {module!r}")
        if module.startswith("@trigger.dev/sdk"):
            raise f.fail(f"'{ident}': list SDK names under 'imports', not 'imports_from'")
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and _IDENTIFIER.match(n) for n in names)
        ):
            raise f.fail(f"'{ident}': 'imports_from.{module}' must be a list of names")
        out.append((module, tuple(names)))
    return tuple(out)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(path, 0, f"cannot read: {exc.strerror}") from None


def _collect(
    path: Path, sections: Iterator[Section], make: Any, out: dict[str, Any] | None = None
) -> dict[str, Any]:
    out = {} if out is None else out
    for section in sections:
        item = make(path, section)
        if item.id in out:
            raise KnowledgeError(path, section.line, f"duplicate id '{item.id}'")
        out[item.id] = item
    return out


def _load_file(path: Path, make: Any) -> dict[str, Any]:
    text = _read(path)
    return _collect(path, split_sections(path, text), make)


def reference_part_line(text: str) -> int | None:
    """The 0-based line of the `# API reference` heading (outside code fences), if any."""
    fenced = False
    for i, line in enumerate(text.splitlines()):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.rstrip() == REFERENCE_PART:
            return i
    return None


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Load and check the references. The SDK reference part of patterns.md is parsed and
    checked when `Knowledge.reference` is first read."""
    directory = directory or references_dir()
    rules = _load_file(directory / "validations.md", _rule)
    edges = _load_file(directory / "sharp_edges.md", _edge)
    patterns_path = directory / "patterns.md"
    patterns_text = _read(patterns_path)
    part = reference_part_line(patterns_text)
    patterns = _collect(
        patterns_path, split_sections(patterns_path, patterns_text, 0, part), _pattern
    )
    _cross_check(directory, rules, edges, patterns)

    def reference_steps() -> Generator[None, None, Reference]:
        parts: list[tuple[Path, str, int]] = []
        if part is not None:
            parts.append((patterns_path, patterns_text, part + 1))
        for name in REFERENCE_FILES:
            path = directory / name
            if path.is_file():
                parts.append((path, _read(path), 0))
        if not parts:
            return Reference({}, {}, {})
        return (yield from reference_parts_steps(parts, edges))

    return Knowledge(
        rules=rules,
        sharp_edges=edges,
        patterns=patterns,
        load_reference=lambda: _drain(reference_steps()),
        reference_steps=reference_steps,
    )


# --- the SDK reference ------------------------------------------------------------------------

_COMMON_KEYS = {"id", "kind", "description", "sharp_edges", "evidence"}
_KEYS = {
    "api": _COMMON_KEYS | {"signature", "snippet", "since", "deprecated", "receiver"},
    "option": _COMMON_KEYS | {"type", "value_snippet", "applies_to", "since", "deprecated"},
    "values": {"id", "kind", "description", "values", "keys", "evidence"},
}
# `task`: methods of task objects; `ctx`: fields of the run context a task's functions receive.
RECEIVERS = ("task", "ctx")
_CHOICE_KEYS = {"value", "description", "since", "deprecated", "evidence"}


def load_reference_part(
    path: Path, text: str, first: int, edges: dict[str, SharpEdge]
) -> Reference:
    """Parse the `kind: api | option | values` sections from line `first` on and check every
    cross-reference."""
    return load_reference_parts([(path, text, first)], edges)


def load_reference_parts(
    parts: list[tuple[Path, str, int]], edges: dict[str, SharpEdge]
) -> Reference:
    """The reference sections of several files (path, text, first line), one id space."""
    return _drain(reference_parts_steps(parts, edges))


def _drain(steps: Generator[None, None, Reference]) -> Reference:
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def reference_parts_steps(
    parts: list[tuple[Path, str, int]], edges: dict[str, SharpEdge]
) -> Generator[None, None, Reference]:
    """As `load_reference_parts`, yielding after each section (a fraction of a millisecond):
    the server parses the reference this way while the editor is idle (lsp/warmup.py)."""
    api: dict[str, ApiEntry] = {}
    options: dict[str, OptionEntry] = {}
    values: dict[str, ValueSet] = {}
    seen: set[str] = set()
    sections = ((path, s) for path, text, first in parts for s in split_sections(path, text, first))
    for path, section in sections:
        yield
        f = _Fields(path, section)
        kind = section.data.get("kind")
        if kind not in _KEYS:
            raise f.fail(f"'{section.heading}': 'kind' must be api, option or values, got {kind!r}")
        unknown = sorted(set(section.data) - _KEYS[kind])
        if unknown:
            raise f.fail(
                f"'{section.heading}': unknown field(s) {', '.join(unknown)} for kind {kind}"
            )
        ident = _check_id(f)
        if ident in seen:
            raise KnowledgeError(path, section.line, f"duplicate id '{ident}'")
        seen.add(ident)
        if kind != "values":
            for edge in f.strings("sharp_edges"):
                if edge not in edges:
                    raise f.fail(f"'{ident}' names unknown sharp edge '{edge}'")
        if kind == "api":
            api[ident] = _api(f, ident)
        elif kind == "option":
            options[ident] = _option(f, ident)
        else:
            values[ident] = _values(f, ident)
    paths = {path.name: path for path, _, _ in parts}
    for option in options.values():
        parents = [f"{p}.{k}" for (p, k), child in OPTION_PARENTS.items() if child == option.owner]
        if parents and not any(p in options for p in parents):
            name, line = option.source.rsplit(":", 1)
            raise KnowledgeError(
                paths[name], int(line), f"'{option.id}': there is no option '{parents[0]}'"
            )
    for value_set in values.values():
        for key in value_set.keys:
            if key not in options:
                name, line = value_set.source.rsplit(":", 1)
                raise KnowledgeError(
                    paths[name], int(line), f"'{value_set.id}': there is no option '{key}'"
                )
    return Reference(api, options, values)


def _check_snippet(f: _Fields, key: str, value: str | None) -> None:
    if value is None:
        return
    try:
        check_snippet(value)
    except SnippetError as exc:
        raise f.fail(
            f"'{f.section.heading}': field '{key}' is not a valid snippet: {exc}"
        ) from None


def _version(f: _Fields, key: str) -> str | None:
    value = f.string(key, required=False)
    if value is not None and Version.parse(value) is None:
        raise f.fail(f"'{f.section.heading}': field '{key}' must be a version such as 4.7")
    return value


def _deprecation(f: _Fields) -> tuple[bool, str | None]:
    raw = f.data.get("deprecated", False)
    if isinstance(raw, bool):
        return raw, None
    return True, _version(f, "deprecated")


def _text(f: _Fields, key: str) -> str | None:
    """A free-text field: surrounding whitespace stripped, inner line breaks kept."""
    value = f.data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise f.fail(f"'{f.section.heading}': field '{key}' must be a string")
    return value.strip("\n")


def _api(f: _Fields, ident: str) -> ApiEntry:
    receiver = f.string("receiver", required=False)
    if receiver is not None and receiver not in RECEIVERS:
        raise f.fail(f"'{ident}': receiver must be one of {', '.join(RECEIVERS)}")
    snippet = _text(f, "snippet")
    _check_snippet(f, "snippet", snippet)
    deprecated, deprecated_since = _deprecation(f)
    return ApiEntry(
        id=ident,
        signature=f.req("signature"),
        description=f.req("description"),
        sharp_edges=f.strings("sharp_edges"),
        snippet=snippet,
        since=_version(f, "since"),
        deprecated=deprecated,
        deprecated_since=deprecated_since,
        receiver=receiver,
        source=f"{f.path.name}:{f.section.line}",
        evidence=_evidence(f),
    )


def _option(f: _Fields, ident: str) -> OptionEntry:
    owner, _, key = ident.partition(".")
    if owner not in OPTION_OWNERS or not key or "." in key:
        owners = ", ".join(OPTION_OWNERS)
        raise f.fail(f"option id '{ident}' must be <owner>.<key> with owner one of {owners}")
    applies_to = f.strings("applies_to")
    kinds = APPLIES_TO_KINDS.get(owner, ())
    for kind in applies_to:
        if kind not in kinds:
            what = "task kind" if owner == "task" else f"kind of {owner} options"
            raise f.fail(f"'{ident}': applies_to names unknown {what} '{kind}'")
    snippet = _text(f, "value_snippet")
    if not snippet:
        raise f.fail(f"'{ident}': missing required field 'value_snippet'")
    _check_snippet(f, "value_snippet", snippet)
    deprecated, deprecated_since = _deprecation(f)
    return OptionEntry(
        id=ident,
        type=f.req("type"),
        value_snippet=snippet,
        description=f.req("description"),
        sharp_edges=f.strings("sharp_edges"),
        applies_to=applies_to,
        since=_version(f, "since"),
        deprecated=deprecated,
        deprecated_since=deprecated_since,
        source=f"{f.path.name}:{f.section.line}",
        evidence=_evidence(f),
    )


def _evidence(f: _Fields) -> str | None:
    value = f.data.get("evidence")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise f.fail(f"'{f.section.heading}': 'evidence' must be a non-empty string")
    return " ".join(value.split())


def _values(f: _Fields, ident: str) -> ValueSet:
    raw = f.data.get("values")
    if not isinstance(raw, list) or not raw:
        raise f.fail(f"'{ident}': 'values' must be a non-empty list")
    choices: list[ValueChoice] = []
    for item in raw:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("value"), str)
            or not isinstance(item.get("description"), str)
        ):
            raise f.fail(f"'{ident}': every value needs a string 'value' and 'description'")
        if any(c.value == item["value"] for c in choices):
            raise f.fail(f"'{ident}': value '{item['value']}' is listed twice")
        choices.append(_choice(f, ident, item))
    return ValueSet(
        ident,
        f.req("description"),
        tuple(choices),
        f"{f.path.name}:{f.section.line}",
        keys=f.strings("keys"),
        evidence=_evidence(f),
    )


def _choice(f: _Fields, ident: str, item: dict[str, Any]) -> ValueChoice:
    """One value: `since` (first version that accepts it), `deprecated` (true or a version)."""
    where = f"'{ident}': value '{item['value']}'"
    unknown = sorted(set(item) - _CHOICE_KEYS)
    if unknown:
        raise f.fail(f"{where} has unknown field(s) {', '.join(unknown)}")
    versions: dict[str, str | None] = {}
    for key in ("since", "deprecated"):
        raw = item.get(key)
        if raw is None or isinstance(raw, bool):
            versions[key] = None
            continue
        if Version.parse(str(raw)) is None:
            raise f.fail(f"{where}: '{key}' must be a version such as 4.7")
        versions[key] = str(raw)
    deprecated = item.get("deprecated", False)
    evidence = item.get("evidence")
    if evidence is not None and (not isinstance(evidence, str) or not evidence.strip()):
        raise f.fail(f"{where}: 'evidence' must be a non-empty string")
    return ValueChoice(
        item["value"],
        item["description"].strip(),
        since=versions["since"],
        deprecated=deprecated is not False and deprecated is not None,
        deprecated_since=versions["deprecated"],
        evidence=" ".join(evidence.split()) if evidence else None,
    )


def _cross_check(
    directory: Path,
    rules: dict[str, RuleDoc],
    edges: dict[str, SharpEdge],
    patterns: dict[str, Pattern],
) -> None:
    for rule in rules.values():
        for edge_id in rule.sharp_edges:
            if edge_id not in edges:
                line = int(rule.source.rsplit(":", 1)[1])
                raise KnowledgeError(
                    directory / "validations.md",
                    line,
                    f"'{rule.id}' names unknown sharp edge '{edge_id}'",
                )
    _link_edges(rules, edges)
    prefixes: dict[str, str] = {}
    for pattern in patterns.values():
        if pattern.prefix in prefixes:
            line = int(pattern.source.rsplit(":", 1)[1])
            raise KnowledgeError(
                directory / "patterns.md", line, f"prefix '{pattern.prefix}' is used twice"
            )
        prefixes[pattern.prefix] = pattern.id


def _link_edges(rules: dict[str, RuleDoc], edges: dict[str, SharpEdge]) -> None:
    """Each sharp edge's `rules`, from the rules that name it (validations.md `sharp_edges:`,
    the one place the link is stated)."""
    for edge_id, edge in edges.items():
        catching = tuple(r.id for r in rules.values() if edge_id in r.sharp_edges)
        edges[edge_id] = replace(edge, rules=catching)


# --- the rule contract ------------------------------------------------------------------------


def contract_errors(kb: Knowledge, declared: Mapping[str, Messages]) -> dict[str, str]:
    """Per rule, how what it declares at registration (its `Messages`) disagrees with its
    section of validations.md: a section missing, a variant one side lacks, a template naming
    an argument the rule does not declare or the reverse. Empty when all agree."""
    errors: dict[str, str] = {}
    for rule_id, messages in declared.items():
        problems = _contract_problems(kb.rules.get(rule_id), messages)
        if problems:
            where = kb.rules[rule_id].source if rule_id in kb.rules else "validations.md"
            errors[rule_id] = f"rule '{rule_id}' ({where}): " + "; ".join(problems)
    return errors


def _contract_problems(doc: RuleDoc | None, messages: Messages) -> list[str]:
    if doc is None:
        return ["it has no section in validations.md"]
    problems = []
    for name in sorted(set(messages.variants) - set(doc.variants)):
        problems.append(f"variant '{name}' is declared but validations.md has no such variant")
    for name in sorted(set(doc.variants) - set(messages.variants)):
        problems.append(f"variant '{name}' in validations.md is not declared by the rule")
    templates: list[tuple[str, str, tuple[str, ...]]] = [
        ("the main message", doc.message, messages.args)
    ]
    templates += [
        (f"variant '{n}'", doc.variants[n].message, args)
        for n, args in messages.variants.items()
        if n in doc.variants
    ]
    if doc.fix_title is not None or messages.fix_args:
        templates.append(("the fix title", doc.fix_title or "", messages.fix_args))
    for what, template, args in templates:
        needed = template_args(template)
        missing = sorted(needed - set(args))
        unused = sorted(set(args) - needed)
        if missing:
            problems.append(f"{what} uses {_names(missing)}, which the rule does not declare")
        if unused:
            problems.append(f"{what} does not use the declared {_names(unused)}")
    return problems


def _names(names: list[str]) -> str:
    return ", ".join("{" + n + "}" for n in names)


@cache
def knowledge() -> Knowledge:
    """The shipped references, loaded once per process."""
    return load_knowledge()
