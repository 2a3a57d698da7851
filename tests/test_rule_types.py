"""The view split is enforced by types: a rule that is not `whole_file` gets a FileView,
which has no way to the whole file (mypy, which CI runs, rejects `ctx.model.whole` there), and
only a `whole_file` rule may take a WholeFileContext."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trigger_lsp.analysis.model import FileModel, FileView, build_model
from trigger_lsp.analysis.syntax import parse
from trigger_lsp.rules import REGISTRY

REPO = Path(__file__).resolve().parent.parent

PROBE = """
from collections.abc import Iterator

from trigger_lsp.rules.base import FileContext, Report, WholeFileContext, rule


@rule("probe-scoped")
def scoped(ctx: FileContext) -> Iterator[Report]:
    for task in ctx.model.whole.tasks:
        yield Report(task.call)


@rule("probe-scoped-typed-whole")
def scoped_claims_the_whole_file(ctx: WholeFileContext) -> Iterator[Report]:
    yield from ()


@rule("probe-whole", whole_file=True)
def whole(ctx: WholeFileContext) -> Iterator[Report]:
    for node in ctx.model.of("member"):
        yield Report(node)
    for view_task in ctx.viewed([(0, 10)]).model.tasks:
        yield Report(view_task.call)


@rule("probe-fact")
def through_a_fact(ctx: FileContext) -> Iterator[Report]:
    if ctx.model.file_tasks and ctx.mentions(b"fetch"):
        yield from ()
"""


def test_mypy_holds_scoped_rules_to_their_view(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), str(probe)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"MYPYPATH": str(REPO / "server"), "PATH": ""},
        timeout=300,
    )
    errors = [
        line.split(": error: ", 1)[1] for line in out.stdout.splitlines() if ": error: " in line
    ]
    assert errors == [
        '"FileView" has no attribute "whole"  [attr-defined]',
        'Argument 1 has incompatible type "Callable[[WholeFileContext], Iterator[Report]]"; '
        'expected "Callable[[FileContext], Iterator[Report]]"  [arg-type]',
    ], out.stdout


def test_a_view_is_not_a_file_model() -> None:
    source = b'import { task } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", run: async () => {} });\n'
    model = build_model(parse(source, "typescript"), "typescript")
    view = model.view([(0, 40)])
    assert isinstance(model, FileView) and isinstance(model, FileModel)
    assert type(view) is FileView and not hasattr(view, "whole") and not hasattr(view, "view")
    assert view.tasks == [] and view.file_tasks == (model.tasks[0].summary,)
    assert view.imports is model.imports  # what every view shares


def test_whole_file_rules_are_declared() -> None:
    # the rules annotated with a WholeFileContext are exactly registered whole_file ones
    import inspect

    for rule in REGISTRY.values():
        annotation = inspect.signature(rule.check).parameters["ctx"].annotation
        if "WholeFileContext" in str(annotation):
            assert rule.whole_file, rule.id
