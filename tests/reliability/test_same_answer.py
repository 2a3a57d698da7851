"""Same input, same answer: how a path is spelled (relative, absolute, through `..`, named twice)
never changes what `check` reports, and `--jobs` never forks more workers than there is work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trigger_lsp.cli import runner

EXAMPLES = Path(__file__).parent.parent.parent / "examples"


def findings(*args: str, cwd: Path) -> list[tuple[str, int, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return sorted(
        (str((cwd / f["path"]).resolve()), f["line"], f["rule"]) for f in json.loads(done.stdout)
    )


def test_a_folder_gives_the_same_findings_however_it_is_named() -> None:
    inner = EXAMPLES / "src" / "trigger"
    relative = findings(cwd=inner)
    assert relative == findings(str(inner), cwd=inner)
    assert relative == findings("src/trigger", cwd=EXAMPLES)
    assert relative == findings("../trigger", cwd=inner)
    # The config above the folder is found: duplicate ids across files are reported.
    assert any(rule == "duplicate-task-id" for _, _, rule in relative)


def test_a_folder_named_twice_is_checked_once() -> None:
    once = findings("src", cwd=EXAMPLES)
    assert findings("src", "src/../src", str(EXAMPLES / "src"), cwd=EXAMPLES) == once
    one = "src/trigger/reminders.ts"
    assert findings(one, f"./{one}", cwd=EXAMPLES) == findings(one, cwd=EXAMPLES)


@pytest.mark.parametrize("asked", [300])
def test_jobs_are_capped(asked: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(40):
        (tmp_path / f"t{n}.ts").write_text('import { task } from "@trigger.dev/sdk";\n')
    workers: list[int] = []
    real = runner.ProcessPoolExecutor

    def recording(max_workers: int, **kwargs: object):  # type: ignore[no-untyped-def]
        workers.append(max_workers)
        return real(max_workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "ProcessPoolExecutor", recording)
    outcomes = runner.check_paths([tmp_path], runner.CheckOptions({}), asked)
    assert len(outcomes) == 40
    assert workers and max(workers) <= 40
