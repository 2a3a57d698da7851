"""The SDK reference files beyond patterns.md (references/sdk_options.md, sdk_api.md): they
cover the 4.8.3 keys and members, every entry carries its evidence, and defects in a copy are
reported with their file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from trigger_lsp.knowledge.loader import (
    REFERENCE_FILES,
    KnowledgeError,
    knowledge,
    load_knowledge,
    references_dir,
)
from trigger_lsp.knowledge.model import OPTION_PARENTS, option_root
from trigger_lsp.knowledge.snippets import check_snippet

REF = knowledge().reference

# Keys of the 4.8.3 declarations (core dist/esm/v3/types/tasks.d.ts:530-838 and config.d.ts:29-379).
TRIGGER_OPTIONS = [
    "idempotencyKey", "idempotencyKeyTTL", "maxAttempts", "queue", "concurrency",
    "concurrencyKey", "delay", "ttl", "priority", "tags", "metadata", "maxDuration", "machine",
    "version", "externalDeploymentId", "region", "debounce", "signal", "cancelOnAbort",
]  # fmt: skip
BATCH_OPTIONS = ["idempotencyKey", "idempotencyKeyTTL", "triggerSequentially"]
CONFIG_KEYS = [
    "runtime", "project", "dirs", "ignorePatterns", "instrumentations", "telemetry", "tsconfig",
    "retries", "compatibilityFlags", "machine", "logLevel", "maxDuration", "ttl",
    "enableConsoleLogging", "disableConsoleInterceptor", "build", "deploy",
    "experimental_processKeepAlive", "processKeepAlive", "legacyDevProcessCwdBehaviour",
    "triggerDirectories", "additionalPackages", "additionalFiles", "dependenciesToBundle",
    "tsconfigPath", "extraCACerts", "init", "onSuccess", "onFailure", "onStart", "postInstall",
]  # fmt: skip
CONFIG_DEPRECATED = {
    "instrumentations", "experimental_processKeepAlive", "triggerDirectories",
    "additionalPackages", "additionalFiles", "dependenciesToBundle", "tsconfigPath", "init",
    "onSuccess", "onFailure", "onStart", "postInstall",
}  # fmt: skip
NESTED = {
    "debounce": ["key", "delay", "mode", "maxDelay"],
    "retries": ["enabledInDev", "default"],
    "build": [
        "conditions", "extensions", "external", "experimental_autoDetectExternal",
        "autoDetectExternal", "experimental_keepNames", "keepNames", "experimental_minify",
        "minify", "jsx",
    ],
    "jsx": ["factory", "fragment", "automatic"],
    "telemetry": [
        "instrumentations", "exporters", "spanProcessors", "logExporters", "metricExporters",
        "metricReaders", "resource",
    ],
    "processKeepAlive": ["enabled", "maxExecutionsPerProcess", "devMaxPoolSize"],
}  # fmt: skip
# core 4.8.3 dist/esm/v3/schemas/build.js:9-22
RUNTIMES = [
    "node", "node-22", "node-24", "node-26", "experimental-node-24", "experimental-node-26",
    "bun", "bun-legacy", "bun-1.4",
]  # fmt: skip
# sdk 4.8.3 dist/esm/v3/{runs,streams,auth,heartbeats,usage,timeout}.d.ts, core locals-api.d.ts
MEMBERS = {
    "runs": [
        "replay", "cancel", "retrieve", "list", "reschedule", "bulk", "poll", "subscribeToRun",
        "subscribeToRunsWithTag", "subscribeToBatch", "fetchStream",
    ],
    "runs.bulk": ["cancel", "replay", "retrieve", "abort", "list", "poll"],
    "streams": ["pipe", "read", "append", "writer", "define", "input"],
    "auth": [
        "configure", "createPublicToken", "getOIDCToken", "createTriggerPublicToken",
        "createBatchTriggerPublicToken", "withAuth", "withPublicToken", "withTriggerPublicToken",
        "withBatchTriggerPublicToken",
    ],
    "locals": ["create", "get", "getOrThrow", "set"],
    "heartbeats": ["yield", "getLastHeartbeat"],
    "timeout": ["None", "signal"],
    "usage": ["getCurrent", "measure"],
}  # fmt: skip
TOP_LEVEL = [
    "configure", "waitUntil", "OutOfMemoryError", "CompleteTaskWithOutput",
    "WaitpointTimeoutError", "AbortTaskRunError", "BatchTriggerError", "ApiError",
]  # fmt: skip


def _keys(owner: str) -> set[str]:
    return {o.key for o in REF.options_of(owner)}


def test_trigger_batch_and_config_keys_are_covered():
    assert _keys("trigger") == set(TRIGGER_OPTIONS)
    assert _keys("batchOptions") == set(BATCH_OPTIONS)
    assert _keys("config") == set(CONFIG_KEYS)
    for owner, expected in NESTED.items():
        assert _keys(owner) == set(expected), owner
    deprecated = {o.key for o in REF.options_of("config") if o.deprecated}
    assert deprecated == CONFIG_DEPRECATED
    build = {o.key for o in REF.options_of("build") if o.deprecated}
    assert build == {k for k in NESTED["build"] if k.startswith("experimental_")}


def test_version_boundaries():
    assert REF.options["trigger.debounce"].since == "4.3.1"
    assert REF.options["trigger.externalDeploymentId"].since == "4.5.12"
    assert REF.options["trigger.concurrency"].since == "4.7"
    assert REF.options["trigger.version"].applies_to == ("trigger",)
    assert REF.options["trigger.cancelOnAbort"].applies_to == ("triggerAndSubscribe",)
    runtime = {c.value: c for c in REF.values["runtime"].values}
    assert list(runtime) == [
        "node", "node-22", "node-24", "node-26", "bun-1.4", "bun", "bun-legacy",
        "experimental-node-24", "experimental-node-26",
    ]  # fmt: skip
    assert set(runtime) == set(RUNTIMES)
    assert runtime["bun"].deprecated and runtime["bun"].deprecated_since == "4.8.3"
    assert runtime["bun-1.4"].since == "4.8.3" and not runtime["bun-1.4"].deprecated
    assert runtime["experimental-node-24"].deprecated_since == "4.5.7"
    assert REF.api["auth.getOIDCToken"].since == "4.8.3"
    assert REF.api["streams.pipe"].since == "4.1"


def test_api_members_are_covered():
    for owner, names in MEMBERS.items():
        assert {e.name for e in REF.members(owner)} == set(names), owner
    for name in TOP_LEVEL:
        assert REF.export(name) is not None, name
    run = {e.name for e in REF.context_members("ctx.run")}
    assert {"id", "tags", "isTest", "idempotencyKey", "version", "parentTaskRunId"} <= run
    assert "attempt" not in run  # there is no ctx.run.attempt
    assert {e.name for e in REF.context_members("ctx.attempt")} == {"number", "startedAt"}
    assert REF.export("ctx") is None  # the run context is not an export


def test_every_entry_of_the_new_files_has_evidence_and_a_valid_snippet():
    entries = [*REF.api.values(), *REF.options.values()]
    mine = [e for e in entries if e.source.split(":")[0] in REFERENCE_FILES]
    assert len(mine) > 150
    for entry in mine:
        assert entry.evidence and re.search(r"\d", entry.evidence), entry.id
    for option in REF.options.values():
        if option.source.startswith(REFERENCE_FILES):
            check_snippet(option.value_snippet)
    for values in REF.values.values():
        if values.source.startswith(REFERENCE_FILES):
            assert values.evidence and values.keys, values.id


def test_value_sets_name_existing_keys_and_nested_owners_have_a_parent():
    for values in REF.values.values():
        for key in values.keys:
            assert key in REF.options, (values.id, key)
    assert REF.values_for("debounce.mode") is REF.values["debounceMode"]
    assert REF.values_for("config.runtime") is REF.values["runtime"]
    assert REF.values_for("trigger.queue") is None
    for (parent, key), child in OPTION_PARENTS.items():
        assert f"{parent}.{key}" in REF.options, (parent, key)
        assert REF.options_of(child), child
    assert option_root("jsx") == "config" and option_root("debounce") == "trigger"
    assert option_root("retry") == "task"


# --- defects in a copy -----------------------------------------------------------------------


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    target = tmp_path / "references"
    shutil.copytree(references_dir(), target)
    return target


def _break(refs: Path, name: str, old: str, new: str) -> int:
    """Replace `old` once in a file; the 1-based line of the ```yaml fence before it."""
    path = refs / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    at = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    lines = text[: at + len(old)].splitlines()
    return max(i for i, line in enumerate(lines) if line.startswith("```yaml")) + 1


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("sdk_options.md", "applies_to: [trigger]", "applies_to: [task]", "unknown kind"),
        ("sdk_options.md", "keys: [config.runtime]", "keys: [config.runtimes]", "no option"),
        ("sdk_options.md", '    since: "4.5.7"', "    since: soon", "must be a version"),
        (
            "sdk_options.md",
            "  - value: node-22\n",
            "  - value: node-22\n    color: red\n",
            "unknown",
        ),
        (
            "sdk_api.md",
            "evidence: >-\n  sdk 4.8.3 `dist/esm/v3/runs.d.ts:7`, `:28`.",
            "evidence: ' '",
            "evidence",
        ),
        ("sdk_api.md", "receiver: ctx\n", "receiver: context\n", "receiver must be one of"),
        (
            "sdk_options.md",
            "## jsx.factory\n\n```yaml\nid: jsx.factory",
            "## jsxx.factory\n\n```yaml\nid: jsxx.factory",
            "must be <owner>.<key>",
        ),
    ],
)
def test_defects_name_the_new_file_and_line(
    refs: Path, name: str, old: str, new: str, message: str
):
    line = _break(refs, name, old, new)
    kb = load_knowledge(refs)  # the reference is read lazily
    with pytest.raises(KnowledgeError) as info:
        _ = kb.reference
    err = info.value
    assert Path(err.path).name == name, str(err)
    assert re.search(message, str(err)), str(err)
    if "keys:" not in old:  # a value set's keys are checked after the file: its heading line
        assert err.line == line, str(err)


def test_a_nested_owner_without_its_parent_key_fails(refs: Path):
    path = refs / "sdk_options.md"
    text = path.read_text(encoding="utf-8")
    section = re.search(r"## trigger\.debounce\n.*?(?=\n## )", text, re.S)
    assert section is not None
    path.write_text(text.replace(section.group(0), ""), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"there is no option 'trigger\.debounce'"):
        _ = load_knowledge(refs).reference
