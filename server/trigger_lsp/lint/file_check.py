"""The one entry that checks a file of any kind, for the CLI and the language server alike.

Task files and `trigger.config.*` go through `engine.analyze` (the language server calls its
statement-wise form, `statements.analyze_statements`, which must equal it); `package.json`
goes through `lint/manifest.check_manifest`. Both faces choose by `is_manifest_path` here, so
`trigger-lsp check` and the editor report the same findings for every file type (issue 16).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from trigger_lsp.knowledge.model import Knowledge
from trigger_lsp.lint.engine import FileResult, analyze
from trigger_lsp.lint.manifest import check_manifest
from trigger_lsp.lint.settings import RuleSettings
from trigger_lsp.project.context import ProjectContext
from trigger_lsp.project.packages import is_manifest_path

if TYPE_CHECKING:
    from trigger_lsp.project.index import TaskIds
    from trigger_lsp.rules import Rule


def check_source(
    source: bytes,
    path: Path | None,
    *,
    project: ProjectContext | None = None,
    settings: RuleSettings | None = None,
    index: TaskIds | None = None,
    kb: Knowledge | None = None,
    rules: list[Rule] | None = None,
    analyze_source: Callable[[], FileResult] | None = None,
) -> FileResult:
    """Check one file's text. `analyze_source` stands in for `engine.analyze` on a source
    file (the server's statement-wise analysis of an open document)."""
    if path is not None and is_manifest_path(path):
        return check_manifest(source, path, settings=settings, kb=kb)
    if analyze_source is not None:
        return analyze_source()
    return analyze(
        source, path, project=project, settings=settings, index=index, kb=kb, rules=rules
    )
