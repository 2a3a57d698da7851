"""Start a new rule: its registration stub, its section of references/validations.md (with
Invalid and Valid placeholders) and its tests. See CONTRIBUTING.md, "Add a rule".

Usage: python scripts/new_rule.py RULE-ID --family FAMILY [--whole-file] [--any-file]
           [--severity warning] [--root REPO]

The new rule is consistent with the rule contract from the start (its declared message
arguments match its message), and the tests it adds fail until the rule is written: the
Invalid example and the must-fire test are placeholders that the stub does not report.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
FAMILY = re.compile(r"^[a-z][a-z0-9_]*$")
SEVERITIES = ("error", "warning", "info", "hint")
NOT_FAMILIES = ("base", "common", "contract")

FAMILY_HEAD = '''"""{title} rules."""

from __future__ import annotations

from collections.abc import Iterator

from trigger_lsp.rules.base import FileContext, Report, rule
'''

STUB = '''

@rule("{rule_id}", args=("task",){flags})
def {function}(ctx: FileContext) -> Iterator[Report]:
    """TODO: what the rule reports, in one sentence (validations.md holds the wording)."""
    for task in ctx.model.tasks:  # TODO: find the places to report
        if False:  # TODO: the condition
            yield Report(task.call, args={{"task": task.id or "?"}})
'''

SECTION = """
## {rule_id}

```yaml
id: {rule_id}
title: "TODO: a title"
severity: {severity}
enabled: true
fix: none
sharp_edges: []
summary: "TODO: one sentence saying what the rule reports."
message: "TODO: what is wrong in task {{task}}, and what to do."
```

### Why

TODO: why this breaks at run time, with the evidence (package file and line, docs page, or
engine source path).

### How to fix

TODO: what to write instead.

### Invalid

```ts
import {{ logger, task }} from "@trigger.dev/sdk";

// TODO: code the rule must report (tests/test_rule_examples.py fails until it does).
export const example = task({{
  id: "example",
  run: async () => {{
    logger.info("TODO");
  }},
}});
```

### Valid

```ts
import {{ logger, task }} from "@trigger.dev/sdk";

// TODO: the same code written correctly; the rule must stay silent on it.
export const example = task({{
  id: "example",
  run: async () => {{
    logger.info("done");
  }},
}});
```
"""

TEST_HEAD = '''"""Tests for the {family} rules."""

from __future__ import annotations

from helpers import SDK_IMPORT, lines_of, lint
'''

TESTS = '''

# --- {rule_id} {rule_line}

{constant}_FIRES = (
    SDK_IMPORT
    + """
// TODO: code {rule_id} must report, on the line the test expects.
export const example = task({{ id: "example", run: async () => {{}} }});
"""
)

{constant}_SILENT = (
    SDK_IMPORT
    + """
// TODO: code that looks alike but is fine.
export const example = task({{ id: "example", run: async () => {{}} }});
"""
)


def test_{function}_fires() -> None:
    findings = lint({constant}_FIRES, only="{rule_id}")
    assert lines_of(findings) == [3]  # TODO: the lines it must report


def test_{function}_silent() -> None:
    assert lint({constant}_SILENT, only="{rule_id}") == []
'''


class ScaffoldError(Exception):
    pass


def scaffold(
    root: Path,
    rule_id: str,
    family: str,
    *,
    whole_file: bool = False,
    any_file: bool = False,
    severity: str = "warning",
) -> list[Path]:
    """Write the new rule's stub, section and tests under the repository `root`; the paths
    written, in that order."""
    if not RULE_ID.match(rule_id):
        raise ScaffoldError(f"'{rule_id}' is not a kebab-case rule id such as task-missing-id")
    if not FAMILY.match(family) or family in NOT_FAMILIES:
        raise ScaffoldError(f"'{family}' is not a rule family name (a module name under rules/)")
    if severity not in SEVERITIES:
        raise ScaffoldError(f"severity must be one of {', '.join(SEVERITIES)}")
    module = root / "server" / "trigger_lsp" / "rules" / f"{family}.py"
    validations = root / "references" / "validations.md"
    tests = root / "tests" / "rules" / f"test_{family}.py"
    if not validations.is_file() or not module.parent.is_dir():
        raise ScaffoldError(f"{root} is not a trigger-lsp repository")
    text = validations.read_text(encoding="utf-8")
    if re.search(rf"^## {re.escape(rule_id)}$", text, flags=re.M):
        raise ScaffoldError(f"validations.md already has a section '{rule_id}'")
    for existing in module.parent.glob("*.py"):
        if f'@rule(\n    "{rule_id}"' in existing.read_text() or f'@rule("{rule_id}"' in (
            existing.read_text()
        ):
            raise ScaffoldError(f"'{rule_id}' is already registered in {existing.name}")
    function = rule_id.replace("-", "_")
    flags = "".join(
        f", {name}=True" for name, on in (("any_file", any_file), ("whole_file", whole_file)) if on
    )
    head = (
        "" if module.exists() else FAMILY_HEAD.format(title=family.replace("_", " ").capitalize())
    )
    _append(module, head, STUB.format(rule_id=rule_id, function=function, flags=flags))
    _append(validations, "", SECTION.format(rule_id=rule_id, severity=severity))
    rule_line = "-" * max(3, 95 - len(f"# --- {rule_id} "))
    constant = function.upper()
    test_head = "" if tests.exists() else TEST_HEAD.format(family=family.replace("_", " "))
    _append(
        tests,
        test_head,
        TESTS.format(rule_id=rule_id, function=function, constant=constant, rule_line=rule_line),
    )
    return [module, validations, tests]


def _append(path: Path, head: str, text: str) -> None:
    if path.exists():
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, "utf-8")
    else:  # after the imports: two blank lines before a function, one before the rest
        gap = "\n\n" if text.lstrip("\n").startswith("@") else "\n"
        path.write_text(head + gap + text.lstrip("\n"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="new_rule.py", description=__doc__.split("\n\n")[0])
    p.add_argument("rule_id", metavar="RULE-ID")
    p.add_argument("--family", required=True, help="the module under rules/ (new or existing)")
    p.add_argument("--whole-file", action="store_true", help="findings span task statements")
    p.add_argument("--any-file", action="store_true", help="also runs on non-Trigger.dev files")
    p.add_argument("--severity", default="warning", choices=SEVERITIES)
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = p.parse_args(argv)
    try:
        written = scaffold(
            args.root,
            args.rule_id,
            args.family,
            whole_file=args.whole_file,
            any_file=args.any_file,
            severity=args.severity,
        )
    except ScaffoldError as exc:
        print(f"new_rule.py: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(
        "next: write the rule and replace every TODO (CONTRIBUTING.md, 'Add a rule'); then run\n"
        "  python vscode-client/scripts/sync_rules.py\n"
        f"  .venv/bin/python -m pytest -q tests/test_contract.py tests/test_rule_examples.py "
        f"tests/rules/test_{args.family}.py"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
