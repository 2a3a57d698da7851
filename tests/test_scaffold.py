"""scripts/new_rule.py, run into a temporary copy of the repository: the rule it starts is
registered (its family discovered), agrees with the rule contract, has its examples and tests,
passes ruff, and its must-fire tests fail until the rule is written."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("new_rule", REPO / "scripts" / "new_rule.py")
assert SPEC is not None and SPEC.loader is not None
new_rule = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(new_rule)

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("server", "references", "scripts"):
        shutil.copytree(REPO / folder, root / folder, ignore=ignore)
    (root / "tests" / "rules").mkdir(parents=True)
    for name in ("helpers.py", "test_contract.py", "test_rule_examples.py"):
        shutil.copy(REPO / "tests" / name, root / "tests" / name)
    shutil.copy(REPO / "tests" / "rules" / "test_payloads.py", root / "tests" / "rules")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    out = subprocess.run(
        [sys.executable, "scripts/new_rule.py", "cache-key-unstable", "--family", "caching"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root / "server")},
    )
    assert out.returncode == 0, out.stderr
    assert "wrote" in out.stdout and "sync_rules.py" in out.stdout
    new_rule.scaffold(root, "payload-too-deep", "payloads", severity="info", whole_file=True)
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "server")}
    return subprocess.run(args, cwd=root, capture_output=True, text=True, env=env, timeout=300)


CHECK = """
import trigger_lsp, sys
from pathlib import Path
assert Path(trigger_lsp.__file__).is_relative_to(Path.cwd()), trigger_lsp.__file__
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.rules import REGISTRY, families
from trigger_lsp.rules.contract import broken_rules
kb = knowledge()
assert broken_rules(kb) == {}, broken_rules(kb)
assert "caching" in families()
for rule_id in ("cache-key-unstable", "payload-too-deep"):
    assert rule_id in REGISTRY and rule_id in kb.rules
    assert [e.heading for e in kb.rules[rule_id].examples] == ["Invalid", "Valid"]
assert REGISTRY["payload-too-deep"].whole_file and kb.rules["payload-too-deep"].severity == "info"
print(len(REGISTRY))
"""


def test_the_new_rules_are_registered_and_keep_the_contract(copy: Path) -> None:
    out = _run(copy, sys.executable, "-c", CHECK)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(__import__("trigger_lsp.rules").rules.REGISTRY) + 2


def test_the_scaffold_passes_ruff(copy: Path) -> None:
    files = ["server/trigger_lsp/rules/caching.py", "server/trigger_lsp/rules/payloads.py"]
    files += ["tests/rules/test_caching.py", "tests/rules/test_payloads.py", "scripts/new_rule.py"]
    out = _run(copy, str(VENV_BIN / "ruff"), "check", *files)
    assert out.returncode == 0, out.stdout
    out = _run(copy, str(VENV_BIN / "ruff"), "format", "--check", *files)
    assert out.returncode == 0, out.stdout


def test_the_tests_it_adds_fail_until_the_rule_is_written(copy: Path) -> None:
    out = _run(
        copy,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "tests/rules/test_caching.py",
        "tests/test_rule_examples.py",
        "tests/test_contract.py",
        "-k",
        "cache_key_unstable or cache-key-unstable or agrees or belongs",
    )
    summary = out.stdout.strip().splitlines()[-1]
    failed = {line.split(" ")[1] for line in out.stdout.splitlines() if line.startswith("FAILED")}
    assert failed == {
        "tests/rules/test_caching.py::test_cache_key_unstable_fires",
        "tests/test_rule_examples.py::test_rule_example[cache-key-unstable:Invalid]",
    }, out.stdout
    assert summary.startswith("2 failed, ") and " error" not in summary, summary


def test_it_refuses_a_rule_that_exists(copy: Path) -> None:
    with pytest.raises(new_rule.ScaffoldError, match="already has a section"):
        new_rule.scaffold(copy, "cache-key-unstable", "caching")
    with pytest.raises(new_rule.ScaffoldError, match="not a kebab-case rule id"):
        new_rule.scaffold(copy, "CacheKey", "caching")
    with pytest.raises(new_rule.ScaffoldError, match="not a rule family"):
        new_rule.scaffold(copy, "cache-key-other", "base")
