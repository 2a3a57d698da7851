"""`trigger-lsp check --fix` on a copy of examples/: the fixable findings go, the code still
parses, and a second run changes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trigger_lsp.analysis.syntax import grammar_for, parse

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def check(cwd: Path, *args: str) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", "--format", "json", *args, "."],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.ts"))}


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fix_examples(tmp_path: Path, unsafe: bool) -> None:
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLES, work)
    before = check(work)
    flags = ("--fix", "--unsafe-fixes") if unsafe else ("--fix",)
    check(work, *flags)
    after = check(work)
    fixed_once = snapshot(work)

    # What was fixable at the chosen safety is gone; nothing new appeared.
    key = lambda f: (f["path"], f["rule"], f["message"])  # noqa: E731
    remaining = {key(f) for f in after}
    assert remaining < {key(f) for f in before}
    assert not [f for f in after if f["fixable"] and unsafe]
    # Safe fixes only: the unsafe fixable findings are still there.
    if not unsafe:
        assert any(f["fixable"] for f in after)

    for name, data in fixed_once.items():
        tree = parse(data, grammar_for(name))
        assert not tree.root_node.has_error, name

    check(work, *flags)
    assert snapshot(work) == fixed_once
