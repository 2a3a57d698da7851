"""Test helpers: run the engine on a snippet as if it were a file in a project; a task whose
run function holds a snippet (`in_run`); expected places marked in the snippet itself
(`marked`) instead of line numbers counted by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import grammar_for, parse
from trigger_lsp.cli.speculation import SpeculativeIndex, answers_hold
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.lint.engine import Finding, analyze
from trigger_lsp.lint.fixes import apply_fixes
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.lint.statements import StatementCache, analyze_statements, warm_step
from trigger_lsp.project.context import ProjectContext, default_context
from trigger_lsp.project.index import ProjectIndex, entries_for, fan_outs_for, imports_for
from trigger_lsp.project.versions import CURRENT, Version
from trigger_lsp.rules import REGISTRY

SDK_IMPORT = 'import { task, schemaTask, schedules, wait, logger, metadata, tasks, batch, idempotencyKeys, queue, retry, tags, AbortTaskRunError } from "@trigger.dev/sdk";\n'

ALL_FIXES = frozenset({FixSafety.SAFE, FixSafety.UNSAFE})
MARK = "/*>*/"  # in a fixture: a finding is expected on this line (once per marker)
RUN = """{imports}
export const parent = task({{
  id: "parent",
{options}  run: async ({params}) => {{
{body}
  }},
}});
"""


def in_run(
    body: str, imports: str = SDK_IMPORT, *, params: str = "payload: any", options: str = ""
) -> str:
    """A file whose task `parent` has `body` (dedented, then indented into place) as its run
    function's body; `options` are lines (with their indentation) before `run:`."""
    inner = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return RUN.format(imports=imports, options=options, params=params, body=inner)


def marked(code: str, start: int = 1) -> list[int]:
    """The lines of `code` as `lint` reads it (dedented) that hold the marker `/*>*/`, each once
    per marker on it: the lines findings are expected on, in order. 1-based as `lines_of`
    counts; `start=0` for LSP positions."""
    text = textwrap.dedent(code).lstrip("\n")
    source = text.encode()
    comments: set[int] = set()  # the byte offsets of markers standing as comments
    stack = [parse(source, "typescript").root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment" and node.text == MARK.encode():
            comments.add(node.start_byte)
        stack.extend(node.children)
    at = [i for i in range(len(source)) if source.startswith(MARK.encode(), i)]
    assert set(at) == comments, "a marker that is not a comment of its own (in a string?)"
    return [n for n, line in enumerate(text.splitlines(), start) for _ in range(line.count(MARK))]


def fixed(
    code: str,
    rule: str,
    allowed: frozenset[FixSafety] | set[FixSafety] = ALL_FIXES,
    *,
    every: bool = False,
    **kwargs: Any,
) -> str:
    """`code` (dedented) after the rule's fixes of the `allowed` safeties: at least one applies,
    the result parses and the rule no longer fires on it. `every`: each finding has a fix and
    each fix applies."""
    source = textwrap.dedent(code).lstrip("\n").encode()
    findings = lint(code, only=rule, **kwargs)
    assert findings, f"{rule} did not fire"
    if every:
        assert all(f.fix is not None for f in findings), findings
    out, count = apply_fixes(source, findings, set(allowed))
    assert count >= 1, findings
    if every:
        assert count == len(findings), (count, findings)
    assert not parse(out, "typescript").root_node.has_error, out.decode()
    assert lint(out.decode(), only=rule, **kwargs) == [], out.decode()
    return out.decode()


REPO = Path(__file__).resolve().parent.parent


def repository_sources() -> list[Path]:
    """The TypeScript files of the repository's examples, test projects and quality corpus
    (not their node_modules), sorted."""
    folders = (REPO / "examples" / "src", REPO / "tests" / "projects", REPO / "tests" / "corpus")
    return sorted(
        p for folder in folders for p in folder.rglob("*.ts") if "node_modules" not in p.parts
    )


def lint(
    code: str,
    *,
    path: str = "src/trigger/example.ts",
    enable: tuple[str, ...] = (),
    only: str | None = None,
    sdk: str | None = None,
    project: ProjectContext | None = None,
    index: ProjectIndex | None = None,
    profile: str = "recommended",
) -> list[Finding]:
    """Findings for `code` (dedented). `only` keeps one rule's findings; `enable` turns on
    rules that are off by default; `sdk` sets the project's SDK version ("unknown" for none);
    `profile` the rule profile. Without `project` or `sdk` the project is on the current SDK
    (CURRENT, 4.8.3): the rule fixtures are written for it. A context with no project at all
    has an unknown version."""
    source = textwrap.dedent(code).lstrip("\n").encode()
    ctx = project or default_context(Path("/project"))
    if sdk is None and project is None:
        sdk = str(CURRENT)
    if sdk is not None:
        version = Version.parse(sdk) if sdk != "unknown" else None
        assert version is not None or sdk == "unknown"
        ctx = ProjectContext(ctx.root, ctx.config, ctx.manifest, version, "test", ctx.lint)
    settings = RuleSettings({rule: "on" for rule in enable}, profile)
    file = Path("/project") / path
    guarded = OnlyQuestions(index) if index is not None else None
    result = analyze(source, file, project=ctx, settings=settings, index=guarded, kb=knowledge())
    assert not result.rule_errors, result.rule_errors
    # Only the rules marked `reads_index` may read it (the CLI re-runs only them when the
    # complete index contradicts the speculative one).
    others = [r for r in REGISTRY.values() if not r.reads_index]
    blind = analyze(source, file, project=ctx, settings=settings, index=NoIndex(), rules=others)
    assert not blind.rule_errors, blind.rule_errors
    # The CLI checks each file once against a speculative index and checks it again only when
    # an answer was wrong: when all answers hold, the findings must be the real ones.
    real = index if index is not None else _own_index(source, file, ctx.root)
    speculative = SpeculativeIndex()
    first = analyze(source, file, project=ctx, settings=settings, index=speculative)
    if answers_hold(real, speculative.asked):
        expected = (
            result
            if index is not None
            else analyze(source, file, project=ctx, settings=settings, index=real)
        )
        assert comparable(first.findings) == comparable(expected.findings)
    # The editor's statement-wise analysis must find exactly the same, on every fixture.
    cache = StatementCache()
    by_statement = analyze_statements(
        cache, source, file, project=ctx, settings=settings, index=index
    )
    assert comparable(by_statement.findings) == comparable(result.findings)
    # ... and once each statement's findings are prepared (statement by statement, on views):
    # those attributed from the whole run must equal each statement's own
    while warm_step(cache, float("inf")):
        pass
    assert not cache.mismatch
    by_statement = analyze_statements(
        cache, source, file, project=ctx, settings=settings, index=index
    )
    assert comparable(by_statement.findings) == comparable(result.findings)
    if only is not None:
        return [f for f in result.findings if f.rule == only]
    return result.findings


class NoIndex:
    """An index no rule may read: any use fails the rule (and so the test)."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"a rule not marked reads_index read index.{name}")


class OnlyQuestions:
    """An index that lets rules ask only the `TaskIds` questions (what the CLI's speculative
    first pass records): any other use fails the test."""

    def __init__(self, index: ProjectIndex) -> None:
        self._index = index

    def __getattr__(self, name: str) -> object:
        allowed = {
            *("complete", "defined_elsewhere", "knows", "has_ids", "ids", "bundled_packages"),
            *("fan_out", "tasks_without_retry", "logs", "loaded", "constant"),
        }
        assert name in allowed, f"a rule read index.{name}, which TaskIds does not offer"
        return getattr(self._index, name)


def _own_index(source: bytes, file: Path, root: Path) -> ProjectIndex:
    """The index of a project holding only this file."""
    index = ProjectIndex()
    grammar = grammar_for(file)
    model = build_model(parse(source, grammar), grammar)
    index.update(file, entries_for(model, file, root), imports=imports_for(model, file, root))
    index.update_fan_outs(file, fan_outs_for(model, file, root))
    index.complete = True
    return index


def comparable(findings: list[Finding]) -> list[tuple[object, ...]]:
    """Findings as sortable tuples (the order of findings at one position may differ)."""
    return sorted(
        (
            *(f.start_byte, f.end_byte, f.rule, f.message, f.severity.value, f.start, f.end),
            repr(f.fix),
            repr(f.related),
        )
        for f in findings
    )


def rules_of(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def lines_of(findings: list[Finding]) -> list[int]:
    """1-based lines of the findings."""
    return [f.start[0] + 1 for f in findings]
