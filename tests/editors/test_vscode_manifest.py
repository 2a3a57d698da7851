"""The VS Code extension's manifest agrees with the server: every rule and feature setting the
server reads is contributed, with the server's defaults (no editor needed)."""

from __future__ import annotations

import json
import subprocess
import sys

from editor_harness import REPO

from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lsp.settings import _FEATURE_KEYS, DEFAULT_DEBOUNCE_MS, Features

CLIENT = REPO / "vscode-client"
MANIFEST = json.loads((CLIENT / "package.json").read_text())
PROPERTIES = MANIFEST["contributes"]["configuration"]["properties"]


def test_rule_settings_match_the_server() -> None:
    check = subprocess.run(
        [sys.executable, CLIENT / "scripts" / "sync_rules.py", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    rules = PROPERTIES["trigger-lsp.rules"]["properties"]
    assert set(rules) == set(knowledge().rules) | {"all"}


def test_feature_settings_match_the_server() -> None:
    contributed = {k.split(".", 2)[2] for k in PROPERTIES if k.startswith("trigger-lsp.features.")}
    assert contributed == set(_FEATURE_KEYS)
    for key, attr in _FEATURE_KEYS.items():
        assert PROPERTIES[f"trigger-lsp.features.{key}"]["default"] == getattr(Features(), attr)
    assert PROPERTIES["trigger-lsp.debounceMs"]["default"] == DEFAULT_DEBOUNCE_MS


def test_activation_and_commands() -> None:
    events = MANIFEST["activationEvents"]
    assert "workspaceContains:**/trigger.config.ts" in events
    assert "workspaceContains:package.json" in events
    commands = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    assert {
        "trigger-lsp.restartServer",
        "trigger-lsp.showOutput",
        "trigger-lsp.explain",
        "trigger-lsp.fixAllInFile",
    } <= commands
    # the server registers trigger-lsp.explainRule itself (languageclient makes it a command)
    assert "trigger-lsp.explainRule" not in commands


def test_lockfile_is_committed_for_npm_ci() -> None:
    lock = json.loads((CLIENT / "package-lock.json").read_text())
    assert lock["name"] == MANIFEST["name"]
    assert lock["packages"][""]["dependencies"] == MANIFEST["dependencies"]
