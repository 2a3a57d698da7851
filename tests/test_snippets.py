"""Every snippet of references/patterns.md, inserted into a real project, passes the project's
own default rules (and, when Node is available, type-checks: tests/tsc/).

A snippet is expanded the way a client inserts it with every placeholder at its default (the
first choice, empty tab stops), under the imports the completion adds (`imports` from the SDK,
`imports_from` from other packages). Statement snippets go into the trigger directory, except
the one meant for backend code; the config snippet is the project's `trigger.config.ts`.
"""

from __future__ import annotations

import json
from pathlib import Path

from trigger_lsp.cli.runner import CheckOptions, check_paths
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import Pattern
from trigger_lsp.knowledge.snippets import snippet_to_plain

SDK_VERSION = "4.8.3"
# Snippets for application code, outside the trigger directory, and where they go.
BACKEND = {"backend-trigger": "src/backend-trigger.ts"}
# What the snippets refer to in the user's project: the task that `tr-backend-trigger`
# triggers by id and imports as a type (the path is the snippet's default).
CONTEXT_FILES = {
    "src/trigger/process-order.ts": (
        'import { task, logger } from "@trigger.dev/sdk";\n\n'
        "export const processOrder = task({\n"
        '  id: "process-order",\n'
        "  retry: { maxAttempts: 3 },\n"
        "  run: async (payload: { orderId: string }) => {\n"
        '    logger.info("Processing order", { orderId: payload.orderId });\n'
        "    return { orderId: payload.orderId };\n"
        "  },\n"
        "});\n"
    ),
}


def snippet_source(pattern: Pattern) -> str:
    """The file a client produces by inserting the snippet into an empty file."""
    lines = []
    if pattern.imports:
        lines.append(f'import {{ {", ".join(pattern.imports)} }} from "@trigger.dev/sdk";')
    for module, names in pattern.module_imports:
        lines.append(f'import {{ {", ".join(names)} }} from "{module}";')
    return "\n".join(lines) + "\n\n" + snippet_to_plain(pattern.body) + "\n"


def snippet_path(pattern: Pattern) -> str:
    if pattern.scope == "config":
        return "trigger.config.ts"
    return BACKEND.get(pattern.id, f"src/trigger/{pattern.id}.ts")


def write_snippet_project(root: Path) -> dict[str, Pattern]:
    """A project holding every snippet (and what they refer to); the pattern of each file."""
    manifest = {
        "name": "snippets",
        "private": True,
        "type": "module",
        "dependencies": {"@trigger.dev/sdk": SDK_VERSION, "zod": "3.25.76"},
    }
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    by_path: dict[str, Pattern] = {}
    for pattern in knowledge().patterns.values():
        rel = snippet_path(pattern)
        assert rel not in by_path, f"two snippets would be written to {rel}"
        by_path[rel] = pattern
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(snippet_source(pattern))
    for rel, text in CONTEXT_FILES.items():
        (root / rel).write_text(text)
    assert "trigger.config.ts" in by_path, "the project needs the config snippet"
    return by_path


def test_every_snippet_is_written_to_the_project(tmp_path: Path) -> None:
    by_path = write_snippet_project(tmp_path)
    assert sorted(p.id for p in by_path.values()) == sorted(knowledge().patterns)
    schema = (tmp_path / "src/trigger/schema-task.ts").read_text()
    assert 'import { z } from "zod";' in schema  # imports_from is applied


def test_every_snippet_passes_the_default_rules(tmp_path: Path) -> None:
    write_snippet_project(tmp_path)
    outcomes = check_paths([tmp_path], CheckOptions(cli_levels={}), jobs=1)
    assert not [o for o in outcomes if o.errors or o.internal_error]
    checked = {o.path.relative_to(tmp_path).as_posix() for o in outcomes}
    assert "src/trigger/schema-task.ts" in checked and "trigger.config.ts" in checked
    findings = [
        f"{o.path.relative_to(tmp_path)}:{loc.line}:{loc.column} {loc.finding.rule}: "
        f"{loc.finding.message}"
        for o in outcomes
        for loc in o.located
    ]
    assert findings == []
