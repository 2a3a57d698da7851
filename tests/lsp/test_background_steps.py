"""Background work in small steps (issue 19): the workspace walk lets requests in within a big
folder too, without changing which files it gives; the garbage collector's full passes wait
for an idle moment."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest

from trigger_lsp.lsp import collector, workspace
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.unparsed import PrefilteredIndex


def _tree(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n')
    src = root / "src"
    src.mkdir()
    for i in range(40):
        (src / f"util{i:02d}.ts").write_text(f"export const value{i} = {i};\n")
    (src / "job.ts").write_text(
        'import { task } from "@trigger.dev/sdk";\nexport const a = task({ id: "a", run: async () => {} });\n'
    )
    return root


def _walk(root: Path) -> list[Path | None]:
    """The walk's steps (None) and files (those the prefilter rejects go to the index)."""
    index = PrefilteredIndex()
    return list(workspace.workspace_files([root], ProjectResolver(), [], index.reject))


def test_the_walk_steps_within_a_folder_and_gives_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "repo")
    monkeypatch.setattr(workspace, "STEP_S", 1e9)  # steps only between folders
    whole = _walk(root)
    monkeypatch.setattr(workspace, "STEP_S", 0.0)  # a step before every file too
    stepped = _walk(root)
    files = [p for p in whole if p is not None]
    assert files == [p for p in stepped if p is not None]
    assert Path(root / "src" / "job.ts") in files
    # One step per folder (the root and src), and with the time steps one per file too.
    assert sum(p is None for p in whole) == 2
    assert sum(p is None for p in stepped) > 2 + 40


def test_full_passes_wait_for_an_idle_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    last = [0.0]
    idle = collector.IdleCollector(lambda: last[0])
    monkeypatch.setattr(collector, "CHECK_S", 0.001)
    monkeypatch.setattr(collector, "IDLE_S", 0.05)

    async def run() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        idle.start()
        busy_until = loop.time() + 0.1
        while loop.time() < busy_until:  # messages keep coming: no full pass
            last[0] = collector.time.monotonic()
            gc.collect(1)  # (a middle-generation pass: something to collect fully later)
            await asyncio.sleep(0.002)
        during = idle.full_passes
        for _ in range(200):  # then quiet
            if idle.full_passes:
                break
            await asyncio.sleep(0.005)
        return during, idle.full_passes

    try:
        during, after = asyncio.run(run())
        assert gc.get_threshold()[2] == collector.FULL_EVERY
    finally:
        gc.set_threshold(*before)
    assert during == 0
    assert after >= 1
