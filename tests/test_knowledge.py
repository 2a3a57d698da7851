"""The references loader: the shipped references load and are complete, and every kind of defect
in a copy of them is reported with its file and line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from trigger_lsp.knowledge.loader import (
    KnowledgeError,
    knowledge,
    load_knowledge,
    references_dir,
)
from trigger_lsp.knowledge.model import APPLIES_TO_KINDS
from trigger_lsp.knowledge.snippets import SnippetError, check_snippet, snippet_to_plain
from trigger_lsp.lint.engine import UNUSED_SUPPRESSION
from trigger_lsp.rules import REGISTRY

KB = knowledge()

# Members of the SDK 4.8.3 namespaces (dist/esm/v3/*.d.ts), which the API reference must cover.
SDK_MEMBERS = {
    "logger": ["debug", "log", "info", "warn", "error", "trace", "startSpan"],
    "wait": [
        "for", "until", "createToken", "forToken", "completeToken", "listTokens", "retrieveToken",
    ],
    "metadata": [
        "set", "del", "append", "remove", "increment", "decrement", "flush", "current", "get",
        "save", "replace", "stream", "fetchStream", "parent", "root", "refresh",
    ],
    "tags": ["add"],
    "idempotencyKeys": ["create", "reset"],
    "tasks": [
        "trigger", "batchTrigger", "triggerAndWait", "triggerAndSubscribe", "batchTriggerAndWait",
        "onStart", "onStartAttempt", "onFailure", "onSuccess", "onComplete", "onWait",
        "onResume", "onCancel", "handleError", "catchError", "middleware",
    ],
    "batch": ["trigger", "triggerAndWait", "triggerByTask", "triggerByTaskAndWait", "retrieve"],
    "schedules": [
        "task", "create", "retrieve", "update", "del", "deactivate", "activate", "list",
        "timezones",
    ],
    "retry": ["onThrow", "fetch"],
}  # fmt: skip
TOP_LEVEL = ["task", "schemaTask", "queue", "concurrencyLimit", "AbortTaskRunError", "defineConfig"]
TASK_METHODS = ["trigger", "batchTrigger", "triggerAndWait", "batchTriggerAndWait"]
OPTION_KEYS = {
    "task": [
        "id", "description", "retry", "queue", "concurrency", "machine", "maxDuration", "ttl",
        "middleware", "onStartAttempt", "onStart", "onSuccess", "onFailure", "onComplete",
        "onWait", "onResume", "onCancel", "catchError", "handleError", "init", "cleanup",
        "schema", "cron", "run",
    ],
    "retry": [
        "maxAttempts", "factor", "minTimeoutInMs", "maxTimeoutInMs", "randomize", "outOfMemory",
    ],
    "queue": ["name", "concurrencyLimit"],
    "concurrency": ["total", "perKey"],
    "cron": ["pattern", "timezone", "window", "environments"],
}  # fmt: skip


# --- the shipped references -----------------------------------------------------------------------


def test_every_rule_in_code_has_an_entry_and_every_entry_a_rule():
    in_code = set(REGISTRY) | {UNUSED_SUPPRESSION}
    assert sorted(in_code - set(KB.rules)) == [], "rules without a validations.md entry"
    assert sorted(set(KB.rules) - in_code) == [], "validations.md entries without a rule"


@pytest.mark.parametrize("owner", sorted(SDK_MEMBERS))
def test_api_reference_covers_every_sdk_member(owner: str):
    ref = KB.reference
    assert ref.export(owner) is not None
    assert sorted(e.name for e in ref.members(owner)) == sorted(SDK_MEMBERS[owner])


def test_api_reference_top_level_exports_and_task_methods():
    ref = KB.reference
    for name in TOP_LEVEL:
        assert ref.export(name) is not None, name
    for name in TASK_METHODS:
        assert ref.method("task", name) is not None, name
        assert ref.export(name) is None  # a method is not an SDK export


@pytest.mark.parametrize("owner", sorted(OPTION_KEYS))
def test_option_reference_covers_the_listed_keys(owner: str):
    keys = [o.key for o in KB.reference.options_of(owner)]
    assert set(OPTION_KEYS[owner]) <= set(keys)


def test_option_details():
    ref = KB.reference
    assert ref.options["task.schema"].applies_to == ("schemaTask",)
    assert ref.options["task.cron"].applies_to == ("schedules.task",)
    assert ref.options["task.concurrency"].since == "4.7"
    assert (
        ref.options["task.onStart"].deprecated,
        ref.options["task.onStart"].deprecated_since,
    ) == (
        True,
        "4.1",
    )
    assert ref.options["task.handleError"].deprecated
    assert ref.options["queue.concurrencyLimit"].deprecated_since == "4.7"
    assert not ref.options["task.retry"].deprecated
    for option in ref.options.values():
        # task options name task kinds; trigger options the calls that take them
        assert set(option.applies_to) <= set(APPLIES_TO_KINDS.get(option.owner, ()))
        check_snippet(option.value_snippet)
    assert ref.options["trigger.version"].applies_to == ("trigger",)


def test_value_sets():
    values = KB.reference.values
    assert [c.value for c in values["machine"].values] == [
        "small-1x", "micro", "small-2x", "medium-1x", "medium-2x", "large-1x", "large-2x",
    ]  # fmt: skip
    assert {c.value for c in values["logLevel"].values} == {
        "none", "error", "warn", "info", "debug", "log",
    }  # fmt: skip
    for choice in values["cron"].values:
        assert len(choice.value.split()) == 5, choice.value


def test_every_reference_sharp_edge_resolves():
    ref = KB.reference
    for entry in [*ref.api.values(), *ref.options.values()]:
        for edge in entry.sharp_edges:
            assert edge in KB.sharp_edges, (entry.id, edge)


def test_the_patterns_part_keeps_its_22_patterns():
    assert len(KB.patterns) == 22
    assert all(p.body and p.prefix.startswith("tr-") for p in KB.patterns.values())


# --- defects in a copy of the references ----------------------------------------------------------


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    target = tmp_path / "references"
    shutil.copytree(references_dir(), target)
    return target


def _edit(path: Path, change: Callable[[str], str]) -> str:
    old = path.read_text(encoding="utf-8")
    new = change(old)
    assert new != old, "the defect was not introduced"
    path.write_text(new, encoding="utf-8")
    return new


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the `nth` line that starts with `needle` (a `## ` heading: that is it)."""
    exact = needle.startswith("## ")
    found = [
        i + 1
        for i, line in enumerate(text.splitlines())
        if (line == needle if exact else line.startswith(needle))
    ]
    return found[nth]


def _yaml_line(text: str, heading: str) -> int:
    """1-based line of the ```yaml fence of a section."""
    start = _line_of(text, f"## {heading}")
    lines = text.splitlines()
    return next(i + 1 for i in range(start, len(lines)) if lines[i].startswith("```yaml"))


def _expect(refs: Path, file: str, line: int, message: str, reference: bool = False) -> None:
    with pytest.raises(KnowledgeError) as info:
        kb = load_knowledge(refs)
        if reference:
            _ = kb.reference
    err = info.value
    assert Path(err.path).name == file
    assert err.line == line, str(err)
    assert re.search(message, str(err)), str(err)
    assert str(err).startswith(f"{err.path}:{line}: ")


def test_copy_without_defects_loads(refs: Path):
    kb = load_knowledge(refs)
    assert len(kb.reference.api) == len(KB.reference.api)


def test_duplicate_rule_id(refs: Path):
    path = refs / "validations.md"
    section = re.search(r"## task-missing-id\n.*?(?=\n## )", path.read_text(), re.S)
    assert section is not None
    text = _edit(path, lambda t: t + "\n" + section.group(0) + "\n")
    _expect(refs, "validations.md", _line_of(text, "## task-missing-id", nth=1), "duplicate id")


def test_rule_missing_a_required_field(refs: Path):
    path = refs / "validations.md"
    text = _edit(
        path,
        lambda t: re.sub(
            r"(## task-missing-id\n.*?)\ntitle: [^\n]*", r"\1", t, count=1, flags=re.S
        ),
    )
    _expect(
        refs,
        "validations.md",
        _yaml_line(text, "task-missing-id"),
        "missing required field 'title'",
    )


def test_rule_naming_an_unknown_sharp_edge(refs: Path):
    path = refs / "validations.md"
    text = _edit(
        path,
        lambda t: re.sub(
            r"(## parallel-waits\n.*?sharp_edges: \[)", r"\1no-such-edge, ", t, count=1, flags=re.S
        ),
    )
    _expect(
        refs,
        "validations.md",
        _line_of(text, "## parallel-waits"),
        "unknown sharp edge 'no-such-edge'",
    )


def test_rule_data_must_map_names_to_lists_of_strings(refs: Path):
    path = refs / "validations.md"
    text = _edit(
        path,
        lambda t: t.replace(
            "  injected: [TRIGGER_SECRET_KEY,", "  injected: {TRIGGER_SECRET_KEY: 1,", 1
        ).replace("TRIGGERDOTDEV]", "TRIGGERDOTDEV}", 1),
    )
    _expect(
        refs,
        "validations.md",
        _yaml_line(text, "env-unchecked"),
        "'data' must map names to lists of strings",
    )


def test_rule_data_lists_load():
    data = KB.rules["env-unchecked"].data
    assert "TRIGGER_SECRET_KEY" in data["injected"]
    assert "TZ" in data["informational"]


def test_sharp_edge_naming_rules_is_refused(refs: Path):
    # The rule <-> sharp edge link is stated once, in the rule's `sharp_edges:` list.
    path = refs / "sharp_edges.md"
    text = _edit(
        path,
        lambda t: t.replace(
            "id: parallel-waits\n", "id: parallel-waits\nrules: [parallel-waits]\n", 1
        ),
    )
    _expect(
        refs,
        "sharp_edges.md",
        _yaml_line(text, "parallel-waits"),
        "'parallel-waits': name the rules that catch a sharp edge in their validations.md",
    )


def test_sharp_edge_rules_come_from_validations_md():
    for edge in KB.sharp_edges.values():
        assert edge.rules == tuple(r.id for r in KB.rules.values() if edge.id in r.sharp_edges)
    assert KB.sharp_edges["parallel-waits"].rules == ("parallel-waits",)
    assert sum(len(e.rules) for e in KB.sharp_edges.values()) == sum(
        len(r.sharp_edges) for r in KB.rules.values()
    )


def test_invalid_yaml_names_the_line_in_the_block(refs: Path):
    path = refs / "patterns.md"
    text = _edit(path, lambda t: t.replace("prefix: tr-queue\n", "prefix: [tr-queue\n", 1))
    _expect(refs, "patterns.md", _line_of(text, "prefix: [tr-queue") + 1, "invalid YAML")


def test_pattern_prefix_used_twice(refs: Path):
    path = refs / "patterns.md"
    text = _edit(path, lambda t: t.replace("prefix: tr-queue\n", "prefix: tr-task\n", 1))
    _expect(
        refs, "patterns.md", _line_of(text, "## shared-queue"), "prefix 'tr-task' is used twice"
    )


def test_pattern_with_a_broken_snippet(refs: Path):
    path = refs / "patterns.md"
    text = _edit(
        path, lambda t: t.replace('id: "${2:process-signup}"', 'id: "${x:process-signup}"', 1)
    )
    _expect(refs, "patterns.md", _yaml_line(text, "basic-task"), "not a valid snippet")


def test_schema_task_pattern_imports_z_from_zod():
    pattern = KB.patterns["schema-task"]
    assert pattern.module_imports == (("zod", ("z",)),)
    assert "z.object(" in pattern.body and "z" not in pattern.imports


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ("imports_from: [zod]", "must map a package to a list of names"),
        ("imports_from: { zod: z }", r"'imports_from.zod' must be a list of names"),
        ("imports_from: { zod: [] }", r"'imports_from.zod' must be a list of names"),
        ("imports_from: { zod: [not-a-name] }", r"'imports_from.zod' must be a list of names"),
        ('imports_from: { "Bad Name": [z] }', "bad package name"),
        ('imports_from: { "@trigger.dev/sdk": [task] }', "list SDK names under 'imports'"),
    ],
)
def test_pattern_with_bad_imports_from(refs: Path, replacement: str, message: str):
    path = refs / "patterns.md"
    text = _edit(path, lambda t: t.replace("imports_from: { zod: [z] }", replacement, 1))
    _expect(refs, "patterns.md", _yaml_line(text, "schema-task"), message)


def test_api_entry_naming_an_unknown_sharp_edge_fails_when_the_reference_is_read(refs: Path):
    path = refs / "patterns.md"
    text = _edit(
        path,
        lambda t: t.replace(
            "sharp_edges: [wait-outside-run, parallel-waits, short-wait-polling]",
            "sharp_edges: [wait-outside-run, no-such-edge]",
            1,
        ),
    )
    kb = load_knowledge(refs)  # the patterns part still loads: the reference is read lazily
    assert len(kb.patterns) == 22
    _expect(
        refs, "patterns.md", _yaml_line(text, "wait.for"), "unknown sharp edge 'no-such-edge'", True
    )


def test_option_naming_an_unknown_sharp_edge(refs: Path):
    path = refs / "patterns.md"
    text = _edit(
        path, lambda t: t.replace("sharp_edges: [machine-preset]", "sharp_edges: [nope]", 1)
    )
    _expect(
        refs, "patterns.md", _yaml_line(text, "task.machine"), "unknown sharp edge 'nope'", True
    )


@pytest.mark.parametrize(
    ("heading", "old", "new", "message"),
    [
        (
            "wait.for",
            'kind: api\nsignature: "wait.for(',
            'kind: api\nsignatur: "wait.for(',
            "unknown field",
        ),
        ("logger.info", "kind: api\n", "kind: function\n", "'kind' must be api, option or values"),
        (
            "tags.add",
            'kind: api\nsignature: "tags.add(tags: string | string[]): Promise<void>"\n',
            "kind: api\n",
            "missing required field 'signature'",
        ),
        (
            "task.retry",
            "kind: option\ntype:",
            "kind: option\napplies_to: [toolTask]\ntype:",
            "unknown task kind 'toolTask'",
        ),
        (
            "task.ttl",
            "value_snippet: '\"${1:1h}\"'",
            "value_snippet: '\"${1:1h\"'",
            "not a valid snippet",
        ),
        (
            "task.ttl",
            "value_snippet: '\"${1:1h}\"'",
            "value_snippet: '\"$ttl\"'",
            "unescaped '\\$'",
        ),
        (
            "concurrencyLimit",
            'since: "4.7"\nsnippet',
            'since: "soon"\nsnippet',
            "must be a version",
        ),
        ("trigger", "receiver: task\n", "receiver: queue\n", "receiver must be one of task"),
        ("machine", "values:\n  - value: small-1x", "values:\n  - value: micro", "listed twice"),
        ("logLevel", "kind: values\n", "kind: values\nsharp_edges: []\n", "unknown field"),
    ],
)
def test_reference_entry_defects(refs: Path, heading: str, old: str, new: str, message: str):
    path = refs / "patterns.md"
    text = _edit(path, lambda t: _replace_in_section(t, heading, old, new))
    _expect(refs, "patterns.md", _yaml_line(text, heading), message, reference=True)


def _replace_in_section(text: str, heading: str, old: str, new: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    end = len(text) if end == -1 else end
    assert old in text[start:end], f"{old!r} is not in section {heading}"
    return text[:start] + text[start:end].replace(old, new, 1) + text[end:]


def test_reference_id_must_match_its_heading(refs: Path):
    path = refs / "patterns.md"
    text = _edit(
        path,
        lambda t: t.replace(
            "## wait.until\n\n```yaml\nid: wait.until\n",
            "## wait.until\n\n```yaml\nid: wait.untl\n",
            1,
        ),
    )
    _expect(refs, "patterns.md", _yaml_line(text, "wait.until"), "does not match its heading", True)


def test_duplicate_reference_id(refs: Path):
    path = refs / "patterns.md"
    section = re.search(r"## tags\.add\n.*?(?=\n## )", path.read_text(), re.S)
    assert section is not None
    text = _edit(path, lambda t: t + "\n" + section.group(0) + "\n")
    _expect(
        refs, "patterns.md", _line_of(text, "## tags.add", nth=1), "duplicate id 'tags.add'", True
    )


def test_nested_option_needs_its_task_option(refs: Path):
    path = refs / "patterns.md"
    text = _edit(
        path,
        lambda t: t.replace(
            "## task.cron\n\n```yaml\nid: task.cron\n",
            "## task.crontab\n\n```yaml\nid: task.crontab\n",
            1,
        ),
    )
    _expect(
        refs,
        "patterns.md",
        _line_of(text, "## cron.pattern"),
        "there is no option 'task.cron'",
        True,
    )


def test_option_id_needs_a_known_owner(refs: Path):
    path = refs / "patterns.md"
    text = _edit(
        path,
        lambda t: t.replace(
            "## retry.factor\n\n```yaml\nid: retry.factor\n",
            "## retrying.factor\n\n```yaml\nid: retrying.factor\n",
            1,
        ),
    )
    _expect(refs, "patterns.md", _yaml_line(text, "retrying.factor"), "must be <owner>.<key>", True)


def test_empty_value_list(refs: Path):
    path = refs / "patterns.md"
    text = path.read_text()
    start = text.index("## logLevel\n")
    end = text.index("```\n", text.index("values:", start))
    _edit(path, lambda t: t[: t.index("values:", start)] + "values: []\n" + t[end:])
    _expect(refs, "patterns.md", _yaml_line(path.read_text(), "logLevel"), "non-empty list", True)


# --- snippets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "plain"),
    [
        ("for(${1:x})", "for(x)"),
        ("${1|a,b|} $0", "a "),
        ("${1:{ id: string \\}}", "{ id: string }"),
        ("`\\${userId\\}` and ${2:`a-\\${b\\}`}", "`${userId}` and `a-${b}`"),
        ("${1:outer ${2:inner}}", "outer inner"),
        ("cost: \\$5 or 5 $", "cost: $5 or 5 $"),
    ],
)
def test_snippet_to_plain(snippet: str, plain: str):
    assert snippet_to_plain(snippet) == plain


@pytest.mark.parametrize(
    "snippet", ["${1:open", "${x}", "$name", "${1:a}}${", "${1|a,b}", "${1|,|}"]
)
def test_broken_snippets(snippet: str):
    with pytest.raises(SnippetError):
        check_snippet(snippet)


# --- profiles ----------------------------------------------------------------------------------


def test_profiles_of_the_rules() -> None:
    from trigger_lsp.knowledge.loader import knowledge
    from trigger_lsp.lint.settings import RuleSettings

    kb = knowledge()
    recommended, strict = RuleSettings(), RuleSettings(profile="strict")
    on = {
        p: {r for r, d in kb.rules.items() if s.severity_of(d)[0]}
        for p, s in (("recommended", recommended), ("strict", strict))
    }
    assert on["recommended"] == {r for r, d in kb.rules.items() if d.enabled}
    assert on["recommended"] < on["strict"]  # strict only adds
    assert on["strict"] - on["recommended"] == {"task-no-error-handling"}
    assert "payload-date" not in on["strict"]  # opt-in in both
    doc = kb.rules["task-no-error-handling"]
    assert doc.profiles == ("strict",) and kb.rules["payload-date"].profiles == ()
    # An explicit level wins over the profile, either way.
    assert RuleSettings({"task-no-error-handling": "off"}, "strict").severity_of(doc)[0] is False
    assert RuleSettings({"payload-date": "on"}).severity_of(kb.rules["payload-date"])[0] is True
    assert RuleSettings({"all": "off"}, "strict").severity_of(doc)[0] is False


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  package: cli\n", "  package: npm\n", "package must be sdk or cli"),
        ("  since: 3.3.11\n", "  since: 3.3\n", "'since' must be a full version"),
        ("  since: 3.3.11\n", "", "needs 'since' or 'until'"),
        ("  evidence: >-\n", "  proof: >-\n", "unknown field"),
    ],
)
def test_version_gate_defects(refs: Path, old: str, new: str, message: str):
    path = refs / "validations.md"
    heading = "config-missing-max-duration"
    text = _edit(path, lambda t: _replace_in_section(t, heading, old, new))
    _expect(refs, "validations.md", _yaml_line(text, heading), message)


def test_every_version_boundary_is_recorded_with_evidence():
    gated = {rid: doc.gates for rid, doc in KB.rules.items() if doc.gates}
    assert set(gated) == {
        "task-not-exported",
        "queue-concurrency-deprecated",
        "v3-hook-signature",
        "deprecated-hook",
        "oncomplete-result-output",
        "batch-trigger-runs-removed",
        "trigger-queue-object",
        "raw-string-idempotency-key",
        "metadata-outside-run",
        "sdk-v3-import-path",
        "v2-api",
        "config-missing-max-duration",
        "bun-runtime-deprecated",
    }
    for gates in gated.values():
        assert all(len(gate.evidence) > 40 for _, gate in gates)
    cli = KB.rules["config-missing-max-duration"].applies
    assert cli is not None and (cli.package, str(cli.since)) == ("cli", "3.3.11")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("### Invalid\n\n```ts\n", "### Invalid\n\n```python\n"), "language must be one of"),
        (
            ("### Invalid\n\n```ts\n", "### Invalid\n\n```ts file=a.ts\n"),
            'may say only title="path"',
        ),
        (
            ("### Invalid\n\n```ts\n", "### Invalid\n\nNone.\n\n### Notes\n\n```ts\n"),
            "has no fenced code block",
        ),
        (
            ("### Invalid\n\n```ts\n", '### Invalid\n\n```ts title="../x.ts"\n'),
            "must be a relative",
        ),
    ],
)
def test_a_broken_rule_example_names_the_rule(refs: Path, change: tuple[str, str], message: str):
    path = refs / "validations.md"
    text = _edit(path, lambda t: t.replace(*change, 1))
    first = text.index(change[1])
    heading = text.rfind("\n## ", 0, first) + 4
    rule_id = text[heading : text.index("\n", heading)]
    _expect(refs, "validations.md", _yaml_line(text, rule_id), f"'{rule_id}': .*{message}")
