"""Cold start in the real editors (see cold_start.py): from the editor spawning the server to the
first trigger-lsp diagnostics in the editor, in Neovim 0.11 and in VS Code with TypeScript
checking the file. The measured values are printed and written to artifacts/cold-start.json
(bench/cold_start.py repeats the runs and keeps the medians in bench/results/).

The goal on a 2-core machine is under 1 s. That is a speed target, measured and reported by
bench/cold_start.py, not asserted here: CI machines are shared and a timed assertion would fail
with the load, not with the code. These tests check that the first diagnostics arrive without
an edit, within LIMIT_MS (a bound for a hang, far above any measured value), and record the
time. (On the shared machine where this was written, at load averages of 5 to 9, VS Code took
0.3 to 1.1 s, median 0.56 s, and Neovim 0.3 to 0.7 s: see docs/cold-start-2026-12-06.md.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import cold_start
import pytest
from test_neovim import nvim_011

# (TRIGGER_LSP_COLD_START_LIMIT_MS: another bound, e.g. on a machine shared with other work)
LIMIT_MS = float(os.environ.get("TRIGGER_LSP_COLD_START_LIMIT_MS", "15000"))
OUT = Path(
    os.environ.get(
        "TRIGGER_LSP_COLD_START_JSON", cold_start.HERE.parents[1] / "artifacts" / "cold-start.json"
    )
)
_results: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def written() -> Any:
    yield
    if _results:
        cold_start.write(_results, OUT)


def test_neovim_first_diagnostics(tmp_path: Path) -> None:
    result = cold_start.neovim(tmp_path, nvim_011())
    _results.append(result)
    print(result)
    assert result["spawn_to_first_ms"] is not None, result
    assert result["spawn_to_first_ms"] < LIMIT_MS, result
    # what needs the workspace index follows, without an edit
    assert result["spawn_to_cross_file_ms"] is not None, result


def test_vscode_first_diagnostics(tmp_path: Path) -> None:
    result = cold_start.vscode(tmp_path)
    _results.append(result)
    print(result)
    assert result["open_to_first_squiggle_ms"] is not None, result
    assert result["spawn_to_first_ms"] is not None, result
    assert result["spawn_to_first_ms"] < LIMIT_MS, result
