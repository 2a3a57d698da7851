"""The `Invalid` and `Valid` examples of every rule's section in references/validations.md,
checked as the CLI checks a project: an invalid example must fire its rule, a valid one must
not. Each example is a small project written to a temporary folder; the files it does not
give come from the default project below (described in validations.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import comparable
from trigger_lsp.cli.runner import CheckOptions, check_paths
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import EXAMPLE_FILE, Example
from trigger_lsp.lint.engine import analyze
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.lint.statements import StatementCache, analyze_statements
from trigger_lsp.project.context import ProjectResolver

DEFAULT_FILES = {
    "package.json": """{
  "name": "example",
  "private": true,
  "dependencies": { "@trigger.dev/sdk": "4.8.3" },
  "devDependencies": { "trigger.dev": "4.8.3" }
}
""",
    "trigger.config.ts": """import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_example",
  dirs: ["./src/trigger"],
  maxDuration: 300,
});
""",
}

KB = knowledge()
EXAMPLES = [(rule_id, ex) for rule_id, doc in KB.rules.items() for ex in doc.examples]


def write_example(root: Path, example: Example) -> None:
    """The example's files, and the default project's files it does not give."""
    given = {file.path: file.text + "\n" for file in example.files}
    (root / "src" / "trigger").mkdir(parents=True)  # the default config's dirs entry
    for path, text in {**DEFAULT_FILES, **given}.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def fired(root: Path, rule_id: str) -> list[str]:
    """Where the rule fires in the example project (the CLI's check, the rule turned on)."""
    outcomes = check_paths([root], CheckOptions(cli_levels={rule_id: "on"}), jobs=1)
    assert not [o for o in outcomes if o.internal_error or o.errors], [
        (o.path, o.errors) for o in outcomes
    ]
    return [
        f"{o.path.relative_to(root)}:{located.line}: {located.finding.message}"
        for o in outcomes
        for located in o.located
        if located.finding.rule == rule_id
    ]


@pytest.mark.parametrize(
    ("rule_id", "example"),
    EXAMPLES,
    ids=[f"{rule_id}:{ex.heading}" for rule_id, ex in EXAMPLES],
)
def test_rule_example(rule_id: str, example: Example, tmp_path: Path) -> None:
    write_example(tmp_path, example)
    found = fired(tmp_path, rule_id)
    if example.valid:
        assert found == [], f"{rule_id}: the Valid example fires the rule"
    else:
        assert found, f"{rule_id}: the Invalid example does not fire the rule"
    # The editor's statement-wise analysis finds the same in the file under check.
    path = tmp_path / EXAMPLE_FILE
    if path.is_file():
        project = ProjectResolver().context_for(path)
        settings = RuleSettings({rule_id: "on"})
        source = path.read_bytes()
        whole = analyze(source, path, project=project, settings=settings)
        by_statement = analyze_statements(
            StatementCache(), source, path, project=project, settings=settings
        )
        assert comparable(by_statement.findings) == comparable(whole.findings)


def test_every_rule_has_an_invalid_and_a_valid_example() -> None:
    missing = [
        f"{rule_id}: {heading}"
        for rule_id, doc in KB.rules.items()
        for heading in ("Invalid", "Valid")
        if heading not in {ex.heading for ex in doc.examples}
    ]
    assert missing == []


def test_the_explain_view_shows_the_examples_and_hovers_do_not() -> None:
    from trigger_lsp.lsp.explain import rule_markdown

    view = rule_markdown(KB, "sdk-version-mismatch", examples=True)
    assert "**Invalid**" in view and "**Valid**" in view
    assert '`package.json`:\n\n```json\n{\n  "name": "example",' in view
    assert "**Invalid**" not in rule_markdown(KB, "sdk-version-mismatch")


def test_an_example_is_read_as_files() -> None:
    (invalid, valid) = KB.rules["task-not-exported"].examples
    assert not invalid.valid and valid.valid
    assert [f.path for f in invalid.files] == ["package.json", "trigger.config.ts", EXAMPLE_FILE]
    assert [f.language for f in invalid.files] == ["json", "ts", "ts"]
    assert invalid.files[2].text.startswith('import { logger, task } from "@trigger.dev/sdk/v3";')
    assert invalid.files[2].text.endswith("});")
