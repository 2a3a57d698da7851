"""Code lenses: one line above each task summarising its id, queue, retries, machine and limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tree_sitter as ts
from lsprotocol import types as lsp

from trigger_lsp.analysis.model import TaskDefinition
from trigger_lsp.analysis.syntax import (
    member_value,
    number_value,
    object_members,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.index import queue_name
from trigger_lsp.lsp.documents import Document
from trigger_lsp.positions import Encoding

if TYPE_CHECKING:
    from trigger_lsp.lsp.state import Session as TriggerLanguageServer

SHOW_TASK_COMMAND = "trigger-lsp.showTask"
SEPARATOR = " · "
TIMES = "\u00d7"  # the multiplication sign, as in "retry 5x" written properly
MAX_PART = 40


def _short(node: ts.Node) -> str:
    raw = " ".join(text(node).split())
    return raw if len(raw) <= MAX_PART else raw[: MAX_PART - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _option(obj: ts.Node | None, name: str) -> ts.Node | None:
    return unwrap(member_value(object_members(obj).get(name)))


def _concurrency(task: TaskDefinition) -> list[str]:
    parts = []
    queue = unwrap(task.member("queue"))
    if queue is not None and queue.type == "object":
        limit = number_value(_option(queue, "concurrencyLimit"))
        if limit is not None:
            parts.append(f"concurrency {_number(limit)}")
    value = unwrap(task.member("concurrency"))
    values = (
        [unwrap(v) for v in value.named_children] if value and value.type == "array" else [value]
    )
    for item in values:
        if item is None or item.type == "comment":
            continue
        if item.type == "object":
            total = number_value(_option(item, "total"))
            per_key = number_value(_option(item, "perKey"))
            if total is not None:
                parts.append(f"concurrency {_number(total)}")
            if per_key is not None:
                parts.append(f"concurrency {_number(per_key)} per key")
        else:
            parts.append(f"concurrency {string_value(item) or _short(item)}")
    return parts


def _retry(task: TaskDefinition) -> str | None:
    attempts = number_value(_option(unwrap(task.member("retry")), "maxAttempts"))
    return f"retry {_number(attempts)}{TIMES}" if attempts is not None else None


def _machine(task: TaskDefinition) -> str | None:
    value = unwrap(task.member("machine"))
    if value is None:
        return None
    if value.type == "object":
        value = _option(value, "preset")
        if value is None:
            return None
    return string_value(value) or _short(value)


def _max_duration(task: TaskDefinition) -> str | None:
    value = unwrap(task.member("maxDuration"))
    if value is None:
        return None
    seconds = number_value(value)
    return f"{_number(seconds)}s" if seconds is not None else f"maxDuration {_short(value)}"


def _cron(task: TaskDefinition) -> str | None:
    value = unwrap(task.member("cron"))
    if value is not None and value.type == "object":
        value = _option(value, "pattern")
    pattern = string_value(value)
    return f"cron {pattern}" if pattern is not None else None


def task_summary(task: TaskDefinition) -> str:
    """E.g. `send-email · queue email · retry 5× · small-1x · 300s`."""  # noqa: RUF002
    parts = [task.id or task.variable or task.kind]
    queue = queue_name(task)
    if queue is not None:
        parts.append(f"queue {queue}")
    parts += _concurrency(task)
    parts += [p for p in (_cron(task), _retry(task), _machine(task), _max_duration(task)) if p]
    return SEPARATOR.join(parts)


def task_lenses(doc: Document, tasks: list[TaskDefinition], enc: Encoding) -> list[lsp.CodeLens]:
    lenses = []
    for task in tasks:
        start = task.statement.start_byte
        line_end = doc.source.find(b"\n", start)
        end = min(task.statement.end_byte, line_end if line_end >= 0 else len(doc.source))
        title = task_summary(task)
        lenses.append(
            lsp.CodeLens(
                range=doc.range(start, end, enc),
                command=lsp.Command(
                    title=title,
                    command=SHOW_TASK_COMMAND,
                    arguments=[doc.uri, task.id or task.variable, title],
                ),
            )
        )
    return lenses


def code_lens(ls: TriggerLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    doc = ls.document(params.text_document.uri)
    if doc is None or not ls.settings.features.code_lens:
        return []
    result = ls.analyze(doc)
    if result.model is None or not result.is_trigger_file:
        return []
    return task_lenses(doc, result.model.tasks, ls.encoding)


def show_task(ls: Any, *args: Any) -> str | None:
    """The lens's command: informational only, it returns the summary it was given. (pygls
    reads a command's annotations at run time, so `ls` cannot name a type-checking import.)"""
    return args[2] if len(args) > 2 and isinstance(args[2], str) else None
