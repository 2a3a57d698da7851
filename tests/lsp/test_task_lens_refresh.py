"""Lenses asked for before the workspace index is complete lack "triggered from N places": the
server asks the client to ask again (workspace/codeLens/refresh) once it is (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, eventually, open_doc, request, start, write
from lsp.test_task_lenses import FILES

pytestmark = pytest.mark.asyncio


@pytest_lsp.fixture(config=CONFIG)
async def fresh(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_lenses_asked_before_the_index_is_complete_are_refreshed(
    fresh: LanguageClient, tmp_path: Path
):
    """The client is asked to ask again once "triggered from" can be counted."""
    root = tmp_path.resolve()
    # (enough files that the index is still being built when the lenses are asked for)
    filler = {f"src/lib/f{n}.ts": f"export const v{n} = {n};\n" for n in range(600)}
    files = write(root, {**FILES, **filler})
    await start(fresh, root, "visual-studio-code")
    uri = open_doc(fresh, files["src/trigger/child.ts"])
    early = await request(
        fresh.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    )
    assert not any("triggered" in (lens.command.title if lens.command else "") for lens in early)
    await eventually(lambda: fresh.lens_refreshes, what="workspace/codeLens/refresh")  # type: ignore[attr-defined]
    later = await request(
        fresh.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    )
    assert "triggered from 2 places" in [lens.command.title for lens in later if lens.command]
