"""Which rules run and at what severity: defaults from the references, then overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trigger_lsp.knowledge.model import RuleDoc, Severity

ALL = "all"
RECOMMENDED, STRICT = "recommended", "strict"
PROFILES = (RECOMMENDED, STRICT)


@dataclass(frozen=True)
class RuleSettings:
    """Levels per rule id (`off`, `on` or a severity); later layers override earlier ones.

    The key "all" sets every rule at once and is applied before the per-rule levels of the
    same layer. The profile (`recommended` or `strict`) decides which rules are on when no
    level names them, and how some rules judge (task-no-concurrency-limit); an explicit
    level always wins over it.
    """

    levels: Mapping[str, str] = field(default_factory=dict)
    profile: str = RECOMMENDED

    def layered(self, *others: Mapping[str, str] | None) -> RuleSettings:
        merged: dict[str, str] = dict(self.levels)
        for layer in others:
            if not layer:
                continue
            if ALL in layer:
                merged = {k: v for k, v in merged.items() if k == ALL}
                merged[ALL] = layer[ALL]
            merged.update({k: v for k, v in layer.items() if k != ALL})
        return RuleSettings(merged, self.profile)

    def severity_of(self, doc: RuleDoc) -> tuple[bool, Severity | None]:
        """(enabled, forced severity or None for the rule's own severities)."""
        level = self.levels.get(doc.id, self.levels.get(ALL))
        if level is None:
            return doc.in_profile(self.profile), None
        if level == "off":
            return False, None
        if level == "on":
            return True, None
        return True, Severity(level)
