"""What the references say, as typed records: rule docs, sharp edges and patterns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"

    @property
    def rank(self) -> int:
        return {"error": 4, "warning": 3, "info": 2, "hint": 1}[self.value]


class FixSafety(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass(frozen=True)
class Variant:
    message: str
    severity: Severity | None = None


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

    def variant(self, name: str | None) -> Variant:
        if name is None:
            return Variant(self.message, None)
        return self.variants[name]


@dataclass(frozen=True)
class SharpEdge:
    id: str
    title: str
    severity: str
    summary: str
    rules: tuple[str, ...]
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
    imports: tuple[str, ...]
    body: str
    prose: dict[str, str] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class Knowledge:
    rules: dict[str, RuleDoc]
    sharp_edges: dict[str, SharpEdge]
    patterns: dict[str, Pattern]

    def edges_for(self, rule_id: str) -> list[SharpEdge]:
        doc = self.rules.get(rule_id)
        if doc is None:
            return []
        return [self.sharp_edges[e] for e in doc.sharp_edges if e in self.sharp_edges]
