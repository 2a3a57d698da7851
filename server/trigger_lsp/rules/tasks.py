"""Rules: task definitions (ids, options, logging, limits, export)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from trigger_lsp.analysis.model import TaskDefinition
from trigger_lsp.analysis.syntax import text
from trigger_lsp.rules.base import Edit, FileContext, Fix, Related, Report, rule


def _kebab(name: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).replace("_", "-")
    return re.sub(r"-+", "-", words).strip("-").lower()


def _insert_member_fix(ctx: FileContext, task: TaskDefinition, member: str) -> Fix | None:
    """Insert `member` as the first property of the task's options object."""
    options = task.options
    if options is None:
        return None
    first = options.named_children[0] if options.named_children else None
    if first is None:
        return Fix((Edit(options.start_byte + 1, options.end_byte - 1, f" {member} "),))
    if first.start_point[0] == options.start_point[0]:
        return Fix((Edit(first.start_byte, first.start_byte, f"{member}, "),))
    line_start = ctx.source.rfind(b"\n", 0, first.start_byte) + 1
    indent = ctx.source[line_start : first.start_byte].decode("utf-8", "replace")
    return Fix((Edit(line_start, line_start, f"{indent}{member},\n"),))


@rule("task-missing-id")
def task_missing_id(ctx: FileContext) -> Iterator[Report]:
    for task in ctx.model.tasks:
        if task.options is None:
            continue
        callee = task.call.child_by_field_name("function") or task.call
        if "id" not in task.members:
            fix = None
            if task.variable:
                new_id = _kebab(task.variable)
                fix = _insert_member_fix(ctx, task, f'id: "{new_id}"')
            yield Report(callee, args={"kind": task.kind}, fix=fix)
        elif task.id is None:
            yield Report(task.id_value or callee, "non_literal", {"kind": task.kind})


def _where(path: Path | None, root: Path, line: int) -> str:
    if path is None:
        return f"line {line + 1}"
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = path.name
    return f"{shown}:{line + 1}"


@rule("duplicate-task-id")
def duplicate_task_id(ctx: FileContext) -> Iterator[Report]:
    by_id: dict[str, list[TaskDefinition]] = defaultdict(list)
    for task in ctx.model.tasks:
        if task.id is not None and task.id_value is not None:
            by_id[task.id].append(task)
    root = ctx.project.root
    here = ctx.path.resolve() if ctx.path is not None else None
    for task_id, group in by_id.items():
        elsewhere = []
        if ctx.index is not None:
            elsewhere = [
                e
                for e in ctx.index.with_id(task_id, root)
                if here is None or e.path.resolve() != here
            ]
        if len(group) < 2 and not elsewhere:
            continue
        for task in group:
            assert task.id_value is not None
            related = [
                Related(
                    ctx.path or Path("<file>"),
                    other.id_value.start_byte,
                    other.id_value.end_byte,
                    f'"{task_id}" is also defined here',
                )
                for other in group
                if other is not task and other.id_value is not None
            ]
            related += [
                Related(e.path, e.start_byte, e.end_byte, f'"{task_id}" is also defined here')
                for e in elsewhere
            ]
            others = [_where(ctx.path, root, o.id_value.start_point[0]) for o in group
                      if o is not task and o.id_value is not None]
            others += [_where(e.path, root, e.line) for e in elsewhere]
            yield Report(
                task.id_value,
                args={"id": task_id, "other": ", ".join(others)},
                related=tuple(related),
            )


def task_label(task: TaskDefinition) -> str:
    return task.id or task.variable or text(task.call.child_by_field_name("function"))
