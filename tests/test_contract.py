"""The rule contract: what each rule declares it says (`@rule(..., args=, variants=,
fix_args=)`) agrees with references/validations.md, every template formats with its declared
arguments, and a rule that breaks the contract is caught at load time or costs only itself."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import SDK_IMPORT, lint
from trigger_lsp.knowledge.loader import contract_errors, knowledge
from trigger_lsp.knowledge.model import Messages, MissingArgument, Variant, fill, template_args
from trigger_lsp.lint.engine import analyze
from trigger_lsp.project.context import default_context
from trigger_lsp.rules import REGISTRY
from trigger_lsp.rules.base import FileContext, Report, Rule
from trigger_lsp.rules.contract import broken_rules, declared_messages

DECLARED = declared_messages()


def test_every_rule_agrees_with_validations_md() -> None:
    assert contract_errors(knowledge(), DECLARED) == {}
    assert broken_rules(knowledge()) == {}


def test_every_section_of_validations_md_belongs_to_a_rule() -> None:
    assert set(knowledge().rules) == set(DECLARED)


def _templates() -> Iterator[tuple[str, str | None, str, tuple[str, ...]]]:
    kb = knowledge()
    for rule_id, messages in sorted(DECLARED.items()):
        doc = kb.rules[rule_id]
        yield rule_id, None, doc.message, messages.args
        for name, args in messages.variants.items():
            yield rule_id, name, doc.variants[name].message, args
        if doc.fix_title is not None:
            yield rule_id, "(fix title)", doc.fix_title, messages.fix_args


TEMPLATES = list(_templates())


@pytest.mark.parametrize(
    ("rule_id", "variant", "template", "args"),
    TEMPLATES,
    ids=[f"{r}:{v or 'main'}" for r, v, _, _ in TEMPLATES],
)
def test_every_template_formats_with_its_declared_arguments(
    rule_id: str, variant: str | None, template: str, args: tuple[str, ...]
) -> None:
    values = {name: f"<{name}-value>" for name in args}
    text = fill(template, values)
    for value in values.values():
        assert value in text, f"{rule_id} {variant}: {value} not in {text!r}"
    assert not template_args(text) - set(args), text  # no placeholder left for a user to see
    for name in args:  # each declared argument is needed: without it the message fails
        with pytest.raises(MissingArgument):
            fill(template, {k: v for k, v in values.items() if k != name})


def test_fill_keeps_braces_that_are_not_arguments() -> None:
    assert fill("use `{ id, run }` for {task}", {"task": "x"}) == "use `{ id, run }` for x"
    assert template_args("use `{ id, run }` for {task}") == {"task"}


def test_there_are_templates_for_every_rule() -> None:
    assert len({r for r, *_ in TEMPLATES}) == len(knowledge().rules) >= 50


# --- a deliberately broken test rule ----------------------------------------------------------

CODE = (
    SDK_IMPORT
    + """
export const a = task({ run: async () => {} });
"""
)


def _with(messages: Messages) -> dict[str, Messages]:
    return {**DECLARED, "task-missing-id": messages}


def test_a_wrong_variant_name_is_a_load_time_error_naming_the_rule() -> None:
    errors = contract_errors(
        knowledge(), _with(Messages(args=("kind",), variants={"non_literl": ("kind",)}))
    )
    assert set(errors) == {"task-missing-id"}
    assert (
        "'non_literl' is declared but validations.md has no such variant"
        in errors["task-missing-id"]
    )
    assert "'non_literal' in validations.md is not declared" in errors["task-missing-id"]
    assert "validations.md:" in errors["task-missing-id"]  # where the section is


def test_a_missing_argument_is_a_load_time_error_naming_the_rule() -> None:
    errors = contract_errors(knowledge(), _with(Messages(variants={"non_literal": ("kind",)})))
    assert errors == {
        "task-missing-id": (
            f"rule 'task-missing-id' ({knowledge().rules['task-missing-id'].source}): "
            "the main message uses {kind}, which the rule does not declare"
        )
    }


def test_a_rule_without_a_section_is_an_error() -> None:
    errors = contract_errors(knowledge(), {"no-such-rule": Messages()})
    assert errors == {
        "no-such-rule": "rule 'no-such-rule' (validations.md): it has no section in validations.md"
    }


def test_a_section_that_disagrees_disables_only_that_rule(caplog: pytest.LogCaptureFixture) -> None:
    kb = knowledge()
    doc = kb.rules["task-missing-id"]
    renamed = {"computed": doc.variants["non_literal"]}
    broken_kb = replace(kb, rules={**kb.rules, doc.id: replace(doc, variants=renamed)})
    before = {f.rule for f in analyze(CODE.encode(), Path("/p/src/trigger/a.ts"), kb=kb).findings}
    assert "task-missing-id" in before
    with caplog.at_level(logging.ERROR):
        result = analyze(CODE.encode(), Path("/p/src/trigger/a.ts"), kb=broken_kb)
    after = {f.rule for f in result.findings}
    assert after == before - {"task-missing-id"}  # the others still run
    assert list(broken_rules(broken_kb)) == ["task-missing-id"]
    assert any("task-missing-id" in r.getMessage() for r in caplog.records)


def _rule(rule_id: str, report: Report, messages: Messages) -> Rule:
    def check(ctx: FileContext) -> Iterator[Report]:
        for task in ctx.model.tasks:
            yield replace(report, at=task.call)

    return Rule(rule_id, check, messages=messages)


def _run(*rules: Rule) -> tuple[set[str], dict[str, str]]:
    result = analyze(
        CODE.encode(),
        Path("/p/src/trigger/a.ts"),
        project=default_context(Path("/p")),
        rules=rules,
    )
    return {f.rule for f in result.findings}, {e.rule: e.error for e in result.rule_errors}


def _good() -> Rule:
    return REGISTRY["task-no-logging"]  # fires on CODE: its task logs nothing


def test_a_mistyped_variant_at_run_time_costs_only_that_rule() -> None:
    declared = DECLARED["task-missing-id"]
    assert isinstance(declared, Messages)
    broken = _rule(
        "task-missing-id",
        Report(at=None, variant="non_literl", args={"kind": "task"}),
        declared,  # type: ignore[arg-type]
    )
    found, errors = _run(broken, _good())
    assert found == {"task-no-logging"}
    assert "undeclared message variant 'non_literl'" in errors["task-missing-id"]


def test_a_missing_argument_at_run_time_costs_only_that_rule() -> None:
    broken = _rule(
        "task-missing-id",
        Report(at=None, variant="non_literal", args={}),  # type: ignore[arg-type]
        DECLARED["task-missing-id"],
    )
    found, errors = _run(broken, _good())
    assert found == {"task-no-logging"}  # and no message with `{kind}` in it
    assert "MissingArgument" in errors["task-missing-id"]
    assert "'kind'" in errors["task-missing-id"]


def test_the_shipped_rule_still_fires() -> None:
    found = lint(CODE, only="task-missing-id")
    assert [f.message for f in found] == [
        "This task() has no `id`; every task needs a unique, stable string id."
    ]
    assert isinstance(knowledge().rules["task-missing-id"].variants["non_literal"], Variant)


def test_rule_families_are_discovered() -> None:
    import trigger_lsp.rules as rules_package
    from trigger_lsp.rules import families

    folder = Path(rules_package.__file__).parent
    assert families() == sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    modules = {r.check.__module__.rsplit(".", 1)[1] for r in REGISTRY.values()}
    assert modules <= set(families())
    assert len(modules) >= 10  # every family registers rules


def test_a_section_no_module_registers_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    kb = knowledge()
    doc = kb.rules["task-missing-id"]
    extra = replace(kb, rules={**kb.rules, "no-module-rule": replace(doc, id="no-module-rule")})
    with caplog.at_level(logging.ERROR):
        assert broken_rules(extra) == {}
    assert any(
        "validations.md has rules no module registers: no-module-rule" in r.getMessage()
        for r in caplog.records
    )
