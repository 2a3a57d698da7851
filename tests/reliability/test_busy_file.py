"""One file that takes long to analyse does not keep other requests waiting (issue 17 B: "one
pathological file blocks the server"). The real server over stdio: while a file of blocks
nested 190 deep (33 KiB, about a second of analysis) is being analysed, a hover on another
document is answered before that file's diagnostics come, and in a fraction of the time they
take; the file's diagnostics still come, and equal the CLI's findings; an edit made during
the analysis drops the stale one (its version is never published)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, PULLING, eventually, publishes, start

pytestmark = pytest.mark.asyncio

HEADER = 'import { task, logger, wait } from "@trigger.dev/sdk";\n'
OPTIONS = {"debounceMs": 0}


def in_task(body: str, task_id: str) -> str:
    return (
        HEADER + f'export const {task_id} = task({{ id: "{task_id}", run: async () => {{\n'
        f"{body}\n}} }});\n"
    )


def busy_text() -> str:
    """1,000 waits inside 190 nested blocks: rules walk up 190 levels from each (about a
    second of analysis; one finding, so that the client's own work stays small: with 1,000
    findings, the client took a minute to read the code actions)."""
    return in_task(
        "if (a) { " * 190 + "await wait.for({ seconds: 1 }); " * 1000 + "}" * 190, "busy"
    )


OTHER = in_task('logger.info("x");', "other")


def project(root: Path) -> dict[str, Path]:
    (root / "package.json").write_text('{"dependencies": {"@trigger.dev/sdk": "4.0.0"}}')
    (root / "trigger.config.ts").write_text(
        'import { defineConfig } from "@trigger.dev/sdk";\n'
        'export default defineConfig({ project: "proj_x", dirs: ["src/trigger"] });\n'
    )
    folder = root / "src" / "trigger"
    folder.mkdir(parents=True)
    files = {"other": folder / "other.ts", "busy": folder / "busy.ts"}
    files["other"].write_text(OTHER)
    files["busy"].write_text(busy_text())
    return files


Row = tuple[str, int, int, str]  # rule, line, column (1-based), message


def cli_rows(root: Path, path: Path) -> set[Row]:
    done = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return {
        (f["rule"], f["line"], f["column"], f["message"])
        for f in json.loads(done.stdout)
        if Path(f["path"]).resolve() == path.resolve()
    }


def rows(diagnostics: list[lsp.Diagnostic]) -> set[Row]:
    return {
        (str(d.code), d.range.start.line + 1, d.range.start.character + 1, d.message)
        for d in diagnostics
    }


def open_doc(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "typescript", 1, text))
    )
    return uri


async def hover_on(client: LanguageClient, uri: str) -> float:
    """Seconds until a hover on the first line of `uri` is answered."""
    started = time.monotonic()
    await asyncio.wait_for(
        client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 10))
        ),
        60,
    )
    return time.monotonic() - started


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_a_request_on_another_document_is_answered_during_a_long_analysis(
    client: LanguageClient, tmp_path: Path
):
    """Before: the hover waited for the whole analysis (1.5 s here, 32 s for 312 KiB of
    nested template literals)."""
    root = tmp_path.resolve()
    files = project(root)
    expected = cli_rows(root, files["busy"])
    assert expected  # must fire: the CLI reports the waits in the nested blocks
    await start(client, root, "neovim-0.10", OPTIONS)  # a client that takes published ones
    other = open_doc(client, files["other"], OTHER)
    await eventually(lambda: publishes(client, other), timeout=60, what="other.ts published")
    await hover_on(client, other)  # loaded and answering

    busy = files["busy"].as_uri()
    opened = time.monotonic()
    open_doc(client, files["busy"], busy_text())
    await asyncio.sleep(0.05)  # (its analysis has begun)
    waited = await hover_on(client, other)
    published_before_hover = bool(publishes(client, busy))
    await eventually(lambda: publishes(client, busy), timeout=120, what="busy.ts published")
    analysis = time.monotonic() - opened

    assert not published_before_hover, "the hover waited for the analysis"
    assert waited < analysis / 3, (waited, analysis)
    # its diagnostics equal the CLI's (published again once the workspace index is complete)
    await eventually(
        lambda: rows(publishes(client, busy)[-1].diagnostics) == expected,
        timeout=60,
        what=f"busy.ts diagnostics equal the CLI's: {len(expected)} findings",
    )


async def test_an_edit_during_the_analysis_drops_the_stale_one(
    client: LanguageClient, tmp_path: Path
):
    """Must not publish version 1 (edited while it was analysed); version 2 comes, with the
    CLI's findings on the edited text."""
    root = tmp_path.resolve()
    files = project(root)
    edited = "// edited\n" + busy_text()
    files["busy"].write_text(edited)
    expected = cli_rows(root, files["busy"])
    await start(client, root, "neovim-0.10", OPTIONS)
    other = open_doc(client, files["other"], OTHER)
    await eventually(lambda: publishes(client, other), timeout=60, what="other.ts published")
    await hover_on(client, other)

    busy = open_doc(client, files["busy"], busy_text())
    await hover_on(client, other)  # (the analysis of version 1 is under way)
    at = lsp.Position(0, 0)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=2, uri=busy),
            [lsp.TextDocumentContentChangePartial(lsp.Range(at, at), "// edited\n")],
        )
    )
    await eventually(
        lambda: any(p.version == 2 for p in publishes(client, busy)),
        timeout=120,
        what="version 2 published",
    )
    assert publishes(client, busy)[0].version == 2  # (version 1 was never published)
    await eventually(
        lambda: rows(publishes(client, busy)[-1].diagnostics) == expected,
        timeout=60,
        what="busy.ts diagnostics equal the CLI's",
    )


async def test_a_pull_for_the_busy_file_waits_but_other_requests_do_not(
    client: LanguageClient, tmp_path: Path
):
    """A client that pulls (VS Code): its pull for the busy file is answered once the
    analysis is done, with the CLI's findings; a hover sent after it is answered first."""
    root = tmp_path.resolve()
    files = project(root)
    expected = cli_rows(root, files["busy"])
    await start(client, root, PULLING, OPTIONS)
    other = open_doc(client, files["other"], OTHER)
    await hover_on(client, other)
    # (once the workspace index is complete, cross-file findings agree with the CLI's)
    await asyncio.sleep(1.0)

    busy = open_doc(client, files["busy"], busy_text())
    pull = asyncio.ensure_future(
        client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(busy))
        )
    )
    await asyncio.sleep(0)  # (the pull goes out first)
    await hover_on(client, other)
    assert not pull.done(), "the hover waited for the busy file's analysis"
    report = await asyncio.wait_for(pull, 120)
    assert rows(list(report.items)) == expected


async def test_requests_on_the_busy_file_wait_for_it_without_blocking_others(
    client: LanguageClient, tmp_path: Path
):
    """An editor asks for a file's lenses, code actions and hovers as soon as it opens it: they
    wait for its analysis (and then answer from it), and a hover on another document sent
    after them is answered first. Before: the first of them ran the whole analysis."""
    root = tmp_path.resolve()
    files = project(root)
    await start(client, root, "neovim-0.10", OPTIONS)
    other = open_doc(client, files["other"], OTHER)
    await eventually(lambda: publishes(client, other), timeout=60, what="other.ts published")
    await hover_on(client, other)

    busy = open_doc(client, files["busy"], busy_text())
    doc = lsp.TextDocumentIdentifier(busy)
    everything = lsp.Range(lsp.Position(0, 0), lsp.Position(3, 0))
    on_busy = [
        asyncio.ensure_future(client.text_document_code_lens_async(lsp.CodeLensParams(doc))),
        asyncio.ensure_future(
            client.text_document_code_action_async(
                lsp.CodeActionParams(doc, everything, lsp.CodeActionContext([]))
            )
        ),
        asyncio.ensure_future(
            client.text_document_hover_async(lsp.HoverParams(doc, lsp.Position(1, 20)))
        ),
    ]
    await asyncio.sleep(0)  # (they go out first)
    await hover_on(client, other)
    assert not any(f.done() for f in on_busy), "the hover on other.ts waited for busy.ts"
    await asyncio.wait([*on_busy], timeout=120)
    assert all(f.done() for f in on_busy), [f.done() for f in on_busy]
    hover = on_busy[2].result()
    assert hover is not None  # (must answer: the hover on the task's name)


async def test_a_large_file_in_the_workspace_is_indexed_between_requests(
    client: LanguageClient, tmp_path: Path
):
    """The background index reads every task file of the workspace: 2 MiB of nested
    parentheses (a parse of about 1.7 s, not opened in the editor) is parsed in slices, and
    hovers asked all along are answered promptly. Before: one waited for the whole parse."""
    root = tmp_path.resolve()
    files = project(root)
    files["busy"].write_text(
        in_task("const v = " + "(" * 1_000_000 + "1" + ")" * 1_000_000 + ";", "big")
    )
    await start(client, root, "neovim-0.10", OPTIONS)
    other = open_doc(client, files["other"], OTHER)
    await eventually(lambda: publishes(client, other), timeout=60, what="other.ts published")
    await hover_on(client, other)  # (the first request waits once for the server to load)
    longest, started = 0.0, time.monotonic()
    while time.monotonic() - started < 6:  # (the index starts at once; the parse takes ~2 s)
        longest = max(longest, await hover_on(client, other))
        await asyncio.sleep(0.02)
    assert longest < 0.6, longest
