"""Starts the real server with one rule replaced by a rule that always raises (test only)."""

from collections.abc import Iterator
from dataclasses import replace

from trigger_lsp.lsp.server import run
from trigger_lsp.rules import REGISTRY
from trigger_lsp.rules.base import FileContext, Report


def _boom(ctx: FileContext) -> Iterator[Report]:
    raise RuntimeError("injected failure")
    yield  # a generator, like every rule


# The same rule (its declared messages too, which the loader checks) with a failing check.
REGISTRY["task-no-logging"] = replace(REGISTRY["task-no-logging"], check=_boom)
run()
