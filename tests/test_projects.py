"""Whole projects under tests/projects, checked by the real CLI: correct code must stay quiet,
and the mistakes planted on purpose must be found exactly.

- v4-app: a correct SDK 4.8.3 project (tasks with logger, config retries, concurrency, a cron
  with a timezone, triggerAndWait + unwrap, batchTriggerAndWait + runs, awaited idempotency
  keys, metadata in run, a typed tasks.trigger from an app route; a schemaTask with a checked
  env var, tags, AbortTaskRunError, a catch that rethrows, wait.for and a wait token with a
  timeout).
- v3-app: a correct SDK 3.3.17 project written the 3.x way (`/v3` imports, exported tasks, v3
  hook signatures, handleError, queue concurrencyLimit, a trigger-time queue object,
  batchTrigger handle runs).
- monorepo: two packages, each its own Trigger.dev project (4.x and 3.x); one id is defined
  twice inside the 4.x package, and one id exists in both packages (not a duplicate).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECTS = Path(__file__).parent / "projects"

EXPECTED: dict[str, list[tuple[str, str, int]]] = {
    "v4-app": [],
    "v3-app": [],
    "monorepo": [
        ("duplicate-task-id", "packages/jobs-v4/src/trigger/digest.ts", 14),
        ("duplicate-task-id", "packages/jobs-v4/src/trigger/users.ts", 4),
    ],
}


def check(project: Path, *args: str) -> list[dict]:
    script = Path(sys.executable).parent / "trigger-lsp"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "trigger_lsp"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIGGER_LSP")}
    result = subprocess.run(
        [*cmd, "check", "--format", "json", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "failed" not in result.stderr, result.stderr  # a rule that raised
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_project_findings_are_exactly_the_planted_ones(name: str) -> None:
    found = check(PROJECTS / name)
    got = sorted((f["rule"], f["path"], f["line"]) for f in found)
    assert got == sorted(EXPECTED[name]), json.dumps(found, indent=2)


def test_the_same_id_in_two_monorepo_projects_is_not_a_duplicate() -> None:
    found = check(PROJECTS / "monorepo")
    assert not [f for f in found if "send-digest" in f["message"]]


def test_each_monorepo_package_can_be_checked_alone() -> None:
    v3 = check(PROJECTS / "monorepo" / "packages" / "jobs-v3")
    assert v3 == []
    v4 = check(PROJECTS / "monorepo" / "packages" / "jobs-v4")
    assert sorted((f["rule"], f["line"]) for f in v4) == [
        ("duplicate-task-id", 4),
        ("duplicate-task-id", 14),
    ]
