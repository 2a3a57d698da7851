"""All rules. Importing this package registers every rule family in REGISTRY."""

from trigger_lsp.rules import (  # noqa: F401  (imported for registration)
    hooks,
    idempotency,
    imports,
    in_run,
    payloads,
    project,
    schedules,
    tasks,
    triggers,
    waits,
)
from trigger_lsp.rules.base import REGISTRY, Rule

__all__ = ["REGISTRY", "Rule"]
