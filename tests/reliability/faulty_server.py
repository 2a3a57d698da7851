"""Starts the real server with one rule replaced by a rule that always raises (test only)."""

from collections.abc import Iterator

from trigger_lsp.lsp.server import run
from trigger_lsp.rules import REGISTRY
from trigger_lsp.rules.base import FileContext, Report, Rule


def _boom(ctx: FileContext) -> Iterator[Report]:
    raise RuntimeError("injected failure")
    yield  # a generator, like every rule


REGISTRY["task-no-logging"] = Rule("task-no-logging", _boom)
run()
