"""All rules. `REGISTRY` (every rule family registered) is loaded on first access, so that
importing the engine, as the server does before it answers `initialize`, does not load the
rule modules."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trigger_lsp.rules.base import REGISTRY, Rule

__all__ = ["REGISTRY", "Rule"]

FAMILIES = (
    "env",
    "hooks",
    "idempotency",
    "imports",
    "in_run",
    "installed",
    "payloads",
    "project",
    "schedules",
    "tasks",
    "triggers",
    "waits",
)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for family in FAMILIES:  # each registers its rules when first imported
        import_module(f"{__name__}.{family}")
    from trigger_lsp.rules import base

    value = getattr(base, name)
    globals()[name] = value  # later lookups find it without coming here
    return value
