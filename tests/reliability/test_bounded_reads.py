"""Reads are bounded: a FIFO, a link to an endless device or a huge sparse file under a name the
tool reads (a task file, package.json, trigger.config.ts, the installed SDK's package.json) never
blocks the CLI or the server and never fills the memory."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, TIMEOUT, codes, open_doc, pull, start
from trigger_lsp.project.reading import FileSkipped, read_regular

TASK = (
    'import { task, logger } from "@trigger.dev/sdk";\n'
    'export const t = task({ id: "t", machine: "huge", run: async () => { logger.info("x"); } });\n'
)
MEMORY = 1 << 30  # 1 GiB of address space at most for the CLI


def hostile_workspace(root: Path) -> Path:
    """A project whose files include a FIFO, links to /dev/zero and /dev/urandom and sparse
    files of 1 GiB under names that are read."""
    (root / "src" / "trigger").mkdir(parents=True)
    (root / "src" / "trigger" / "good.ts").write_text(TASK)
    os.mkfifo(root / "src" / "trigger" / "fifo.ts")
    (root / "src" / "trigger" / "zero.ts").symlink_to("/dev/zero")
    (root / "src" / "trigger" / "random.ts").symlink_to("/dev/urandom")
    for name in ("trigger.config.ts", "src/trigger/sparse.ts"):
        with open(root / name, "wb") as f:
            f.truncate(1 << 30)
    (root / "package.json").symlink_to("/dev/full")  # reads as endless zeros too
    sdk = root / "node_modules" / "@trigger.dev" / "sdk"
    sdk.mkdir(parents=True)
    with open(sdk / "package.json", "wb") as f:
        f.truncate(1 << 30)
    os.mkfifo(root / ".trigger-lsp.yaml")
    return root


def test_read_regular_refuses_what_is_not_a_bounded_regular_file(tmp_path: Path) -> None:
    root = hostile_workspace(tmp_path / "ws")
    for name in ("fifo.ts", "zero.ts", "random.ts", "sparse.ts"):
        with pytest.raises(FileSkipped):
            read_regular(root / "src" / "trigger" / name, 8 << 20)
    assert read_regular(root / "src" / "trigger" / "good.ts", 8 << 20) == TASK.encode()


def test_the_cli_checks_a_hostile_workspace_quickly_and_in_bounded_memory(tmp_path: Path) -> None:
    root = hostile_workspace(tmp_path / "ws")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY * 2, MEMORY * 2))

    done = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", "--jobs", "1", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the good file's error
    assert "invalid-machine-preset" in done.stdout
    for name in ("fifo.ts", "zero.ts", "random.ts"):
        assert f"src/trigger/{name}: skipped: not a regular file" in done.stdout
    assert "src/trigger/sparse.ts: skipped: 1024.0 MiB is over the 8 MiB limit" in done.stdout


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_the_server_indexes_a_hostile_workspace_and_keeps_answering(
    client: LanguageClient, tmp_path: Path
) -> None:
    root = hostile_workspace(tmp_path / "ws")
    await start(client, root, "vscode", {"debounceMs": 0})
    uri = open_doc(client, root / "src" / "trigger" / "good.ts")
    assert "invalid-machine-preset" in codes(await pull(client, uri))
    symbols = client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="t"))
    assert await asyncio.wait_for(symbols, TIMEOUT) is not None  # answered after indexing
    hover = client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 40))
    )
    await asyncio.wait_for(hover, TIMEOUT)
