"""The statement-wise analysis the editor uses (trigger_lsp.statements) equals a full analysis:
after every edit of random edit sequences on real task files, with the cache carried from one
version to the next. (tests/helpers.lint also compares the two on every rule fixture.)"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import comparable
from trigger_lsp.engine import analyze
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.project.context import default_context
from trigger_lsp.settings import RuleSettings
from trigger_lsp.statements import StatementCache, analyze_statements, warm_step

ROOT = Path(__file__).parent.parent
SOURCES = sorted(
    p
    for folder in (ROOT / "examples" / "src", ROOT / "tests" / "projects")
    for p in folder.rglob("*.ts")
    if "node_modules" not in p.parts
)
# Fragments that make and break findings: waits, triggers, logging, error handling, options,
# secrets, whole task definitions, and bits of syntax that glue or split statements.
FRAGMENTS = [
    "x",
    "\n",
    ";",
    "}",
    "{",
    "})",
    "});\n",
    " logger.log('hi');",
    " await wait.for({ seconds: 5 });",
    " await Promise.all([child.triggerAndWait({}), other.triggerAndWait({})]);",
    " const r = await child.triggerAndWait({ at: new Date() }); return r;",
    " try { await fetch('x'); } catch (e) { console.log(e); }",
    " tasks.trigger('no-such-task', {});",
    ' machine: "huge-9x",',
    " maxDuration: 1,",
    ' cron: "61 * * * *",',
    ' "tr_prod_abcdefghijklmnop0123"',
    "\nexport const extra = task({ id: 'extra', run: async () => { return 1; } });\n",
    "\nexport const twin = task({ id: 'extra', run: async () => {} });\n",
    "\nconst opts = { machine: 'small-9x' };\n",
    "\nimport { logger } from '@trigger.dev/sdk';\n",
    " // trigger-lsp-ignore task-no-logging\n",
    "é🚀",
]


def _check_sequence(path: Path, edits: list[tuple[float, float, int]]) -> None:
    text = path.read_bytes()
    project = default_context(path.parent)
    rules = RuleSettings({"all": "on"})
    kb = knowledge()
    cache = StatementCache()
    target = Path("/project/src/trigger") / path.name
    for where, span, fragment in edits:
        start = int(where * len(text))
        end = min(len(text), start + int(span * 40))
        text = text[:start] + FRAGMENTS[fragment].encode() + text[end:]
        full = analyze(text, target, project=project, settings=rules, kb=kb)
        by_statement = analyze_statements(
            cache, text, target, project=project, settings=rules, kb=kb
        )
        assert comparable(by_statement.findings) == comparable(full.findings), (
            f"after editing {path.name}:\n{text.decode(errors='replace')}"
        )


EDITS = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.sampled_from([0.0, 0.0, 0.05, 0.5, 1.0]),  # mostly insertions, some replacements
        st.integers(0, len(FRAGMENTS) - 1),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=int(os.environ.get("TRIGGER_LSP_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(SOURCES), EDITS)
def test_statement_wise_equals_full_after_random_edits(path: Path, edits: list) -> None:
    _check_sequence(path, edits)


def test_the_sources_have_tasks() -> None:
    assert len(SOURCES) >= 5


def test_an_edit_inside_one_task_reruns_only_that_task() -> None:
    source = (ROOT / "examples" / "src" / "trigger").glob("*.ts")
    path = max(source, key=lambda p: p.read_bytes().count(b"task("))
    text = path.read_bytes()
    cache = StatementCache()
    target = Path("/project/src/trigger") / path.name
    project = default_context(Path("/project"))
    analyze_statements(cache, text, target, project=project)  # whole, then prepared when idle
    while warm_step(cache, 1.0):
        pass
    kept = dict(cache.by_text)
    assert len(kept) >= 2
    first = min(kept, key=text.index)
    at = text.index(first) + first.index(b"run:")
    edited = text[:at] + b"/* edited */ " + text[at:]
    analyze_statements(cache, edited, target, project=project)
    assert set(kept) - set(cache.by_text) == {first}  # the others were reused...
    assert all(cache.by_text[t] is kept[t] for t in kept if t != first)
    changed = [t for t in cache.by_text if t not in kept]
    assert len(changed) == 1 and b"/* edited */" in changed[0]  # ...and the old text dropped


def test_a_cold_analysis_is_whole_and_idle_steps_prepare_the_statements() -> None:
    path = ROOT / "tests" / "projects" / "v4-app" / "src" / "trigger" / "orders.ts"
    text = path.read_bytes()
    target = Path("/project/src/trigger/orders.ts")
    project = default_context(Path("/project"))
    cache = StatementCache()
    first = analyze_statements(cache, text, target, project=project)
    assert comparable(first.findings) == comparable(analyze(text, target, project=project).findings)
    assert cache.pending is not None and not cache.by_text  # nothing computed per statement yet
    steps = 0
    while warm_step(cache, 0.0):  # one statement per step
        steps += 1
    assert cache.pending is None and cache.by_text and steps >= len(cache.by_text) - 1
    prepared = dict(cache.by_text)
    at = text.rindex(b"run:")
    edited = text[:at] + b"/* x */ " + text[at:]
    again = analyze_statements(cache, edited, target, project=project)
    assert comparable(again.findings) == comparable(
        analyze(edited, target, project=project).findings
    )
    reused = [t for t in prepared if t in cache.by_text and cache.by_text[t] is prepared[t]]
    assert len(reused) == len(prepared) - 1  # only the edited statement was analysed again
