"""Loads and validates references/*.md: Markdown sections, each with one fenced YAML block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from trigger_lsp.knowledge.model import (
    FixSafety,
    Knowledge,
    Pattern,
    RuleDoc,
    Severity,
    SharpEdge,
    Variant,
)

FILES = ("validations.md", "sharp_edges.md", "patterns.md")
_FENCE_OPEN = re.compile(r"^```yaml\s*$")


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


def split_sections(path: Path, text: str) -> Iterator[Section]:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = lines[start + 1 : end]
        heading = lines[start][3:].strip()
        fence = next((i for i, line in enumerate(body) if _FENCE_OPEN.match(line)), None)
        if fence is None:
            raise KnowledgeError(path, start + 1, f"section '{heading}' has no ```yaml block")
        close = next((i for i in range(fence + 1, len(body)) if body[i].strip() == "```"), None)
        if close is None:
            raise KnowledgeError(path, start + fence + 2, "unclosed ```yaml block")
        try:
            data = yaml.safe_load("\n".join(body[fence + 1 : close]))
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

    def str(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(f"'{self.section.heading}': missing required field '{key}'")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"'{self.section.heading}': field '{key}' must be a string")
        return str(value).strip()

    def req(self, key: str) -> str:
        value = self.str(key)
        assert value is not None
        return value

    def list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'{self.section.heading}': field '{key}' must be a list of strings")
        return tuple(value)

    def choice(self, key: str, enum: type, default: Any = None) -> Any:
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
        try:
            variants[str(name)] = Variant(spec["message"].strip(), Severity(sev) if sev else None)
        except ValueError:
            raise f.fail(f"'{ident}': variant '{name}' has an unknown severity {sev!r}") from None
    enabled = section.data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise f.fail(f"'{ident}': 'enabled' must be true or false")
    return RuleDoc(
        id=ident,
        title=f.req("title"),
        severity=f.choice("severity", Severity),
        enabled=enabled,
        fix=f.choice("fix", FixSafety, "none"),
        sharp_edges=f.list("sharp_edges"),
        message=f.req("message"),
        summary=f.req("summary"),
        fix_title=f.str("fix_title", required=False),
        variants=variants,
        prose=section.prose,
        source=f"{path.name}:{section.line}",
    )


def _edge(path: Path, section: Section) -> SharpEdge:
    f = _Fields(path, section)
    ident = _check_id(f)
    severity = f.req("severity")
    if severity not in ("critical", "high", "medium", "low"):
        raise f.fail(f"'{ident}': severity must be critical, high, medium or low")
    for heading in ("Why it happens", "What to do", "Symptoms"):
        if not section.prose.get(heading):
            raise KnowledgeError(path, section.line, f"'{ident}': missing '### {heading}'")
    return SharpEdge(
        id=ident,
        title=f.req("title"),
        severity=severity,
        summary=f.req("summary"),
        rules=f.list("rules"),
        detectable=_detectable(section.data.get("detectable", "no")),
        sources=f.list("sources"),
        docs=f.str("docs", required=False),
        sdk=f.str("sdk", required=False),
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
    return Pattern(
        id=ident,
        name=f.req("name"),
        prefix=f.req("prefix"),
        scope=scope,
        description=f.req("description"),
        imports=f.list("imports"),
        body=body.rstrip("\n"),
        prose=section.prose,
        source=f"{path.name}:{section.line}",
    )


def _load_file(path: Path, make: Any) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(path, 0, f"cannot read: {exc.strerror}") from None
    out: dict[str, Any] = {}
    for section in split_sections(path, text):
        item = make(path, section)
        if item.id in out:
            raise KnowledgeError(path, section.line, f"duplicate id '{item.id}'")
        out[item.id] = item
    return out


def load_knowledge(directory: Path | None = None) -> Knowledge:
    directory = directory or references_dir()
    rules = _load_file(directory / "validations.md", _rule)
    edges = _load_file(directory / "sharp_edges.md", _edge)
    patterns = _load_file(directory / "patterns.md", _pattern)
    _cross_check(directory, rules, edges, patterns)
    return Knowledge(rules=rules, sharp_edges=edges, patterns=patterns)


def _cross_check(
    directory: Path,
    rules: dict[str, RuleDoc],
    edges: dict[str, SharpEdge],
    patterns: dict[str, Pattern],
) -> None:
    for rule in rules.values():
        for edge in rule.sharp_edges:
            if edge not in edges:
                line = int(rule.source.rsplit(":", 1)[1])
                raise KnowledgeError(
                    directory / "validations.md", line, f"'{rule.id}' names unknown sharp edge '{edge}'"
                )
    for edge in edges.values():
        for rule_id in edge.rules:
            if rule_id not in rules:
                line = int(edge.source.rsplit(":", 1)[1])
                raise KnowledgeError(
                    directory / "sharp_edges.md", line, f"'{edge.id}' names unknown rule '{rule_id}'"
                )
    prefixes: dict[str, str] = {}
    for pattern in patterns.values():
        if pattern.prefix in prefixes:
            line = int(pattern.source.rsplit(":", 1)[1])
            raise KnowledgeError(
                directory / "patterns.md", line, f"prefix '{pattern.prefix}' is used twice"
            )
        prefixes[pattern.prefix] = pattern.id


@cache
def knowledge() -> Knowledge:
    """The shipped references, loaded once per process."""
    return load_knowledge()
