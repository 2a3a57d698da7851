"""The rule contract at start: every registered rule's declared messages (`Messages`, given to
`@rule(...)`) checked against its section of references/validations.md. A rule that
disagrees does not run, and the disagreement is logged once as an error naming the rule; the
other rules and the server carry on."""

from __future__ import annotations

import logging

from trigger_lsp.knowledge.loader import contract_errors
from trigger_lsp.knowledge.model import Knowledge, Messages

log = logging.getLogger(__name__)

# Per loaded Knowledge (kept alive with it): the rules that break the contract, with why.
_CHECKED: dict[int, tuple[Knowledge, dict[str, str]]] = {}


def declared_messages() -> dict[str, Messages]:
    """What every rule, and the engine for its own findings, declares it says."""
    from trigger_lsp.rules import REGISTRY
    from trigger_lsp.rules.base import ENGINE_MESSAGES

    return {rule_id: r.messages for rule_id, r in REGISTRY.items()} | ENGINE_MESSAGES


def broken_rules(kb: Knowledge) -> dict[str, str]:
    """The rules whose declared messages disagree with `kb`, each with the error (checked
    once per Knowledge, and logged then)."""
    checked = _CHECKED.get(id(kb))
    if checked is not None and checked[0] is kb:
        return checked[1]
    declared = declared_messages()
    errors = contract_errors(kb, declared)
    for message in errors.values():
        log.error("%s; the rule is disabled", message)
    unregistered = sorted(set(kb.rules) - set(declared))
    if unregistered:  # a family module that was not found (a build that left it out, say)
        log.error("validations.md has rules no module registers: %s", ", ".join(unregistered))
    _CHECKED[id(kb)] = (kb, errors)
    return errors
