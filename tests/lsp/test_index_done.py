"""The one "index done" signal (Session.index_done, lsp/state.py) that the workspace check and
the lens refresh await instead of polling: a waiter goes on as soon as the background index is
done, a bounded wait ends at its bound, and a restarted index is waited for again. The
workspace check answers once the index is done (over stdio: with the findings that need the
complete index), and within its bound when the index is not done.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.in_process import InProcess
from lsp.session import CONFIG, TIMEOUT, project, publishes, request, start
from lsp.test_workspace_check import CLEAN, V3_IMPORT, cli_findings
from trigger_lsp.lsp.features import workspace_check
from trigger_lsp.lsp.state import IndexDone

pytestmark = pytest.mark.asyncio

TURNS = 5  # event-loop turns a woken waiter needs at most (no polling interval)


async def turns(n: int = TURNS) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_a_waiter_goes_on_as_soon_as_the_index_is_done() -> None:
    done = IndexDone()
    waiter = asyncio.ensure_future(done.wait())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    done.set()
    await turns()
    assert waiter.done() and waiter.result() is True


async def test_a_wait_after_the_index_is_done_does_not_wait() -> None:
    done = IndexDone()
    done.set()
    assert done.is_set()
    waiter = asyncio.ensure_future(done.wait(0.0))
    await turns(1)
    assert waiter.done() and waiter.result() is True


async def test_a_bounded_wait_ends_at_its_bound() -> None:
    done = IndexDone()
    started = time.monotonic()
    assert await done.wait(0.2) is False
    assert 0.2 <= time.monotonic() - started < 2.0
    assert not done.is_set()


async def test_a_restarted_index_is_waited_for() -> None:
    done = IndexDone()
    waiter = asyncio.ensure_future(done.wait())
    await turns()
    done.set()
    done.clear()  # indexing started again before the waiter ran
    await turns()
    assert not waiter.done()
    done.set()
    await turns()
    assert waiter.done() and waiter.result() is True


def _files(root: Path) -> None:
    project(root, {"src/trigger/old.ts": V3_IMPORT, "src/trigger/clean.ts": CLEAN})


async def test_the_workspace_check_waits_for_the_index_and_answers_once_it_is_done(
    tmp_path: Path,
) -> None:
    root = tmp_path.resolve()
    _files(root)
    server = InProcess(root).server  # (initialized not sent: no background index)
    session = server.session
    check = asyncio.ensure_future(workspace_check.check_workspace(session))
    await asyncio.sleep(0.3)
    assert not check.done()  # waiting for the index
    session.index_done.set()
    summary = await asyncio.wait_for(check, TIMEOUT)
    assert summary["files"] == 4  # old, clean, package.json, trigger.config.ts
    expected = cli_findings(root)
    assert summary["filesWithFindings"] == len({uri for uri, _, _ in expected}) > 0
    assert summary["findings"] == len(expected)


async def test_the_workspace_check_answers_within_its_bound_without_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workspace_check, "INDEX_WAIT_S", 0.3)
    root = tmp_path.resolve()
    _files(root)
    session = InProcess(root).server.session
    started = time.monotonic()
    summary = await asyncio.wait_for(workspace_check.check_workspace(session), TIMEOUT)
    waited = time.monotonic() - started
    assert not session.index_done.is_set()  # never done: the check went on at the bound
    assert waited >= 0.3
    expected = cli_findings(root)  # (no rule here needs the index)
    assert summary["files"] == 4 and summary["findings"] == len(expected) > 0


# --- over stdio ------------------------------------------------------------------------------

TASK = """\
import {{ task, logger }} from "@trigger.dev/sdk";

export const t{n} = task({{
  id: "{id}",
  retry: {{ maxAttempts: 3 }},
  run: async () => {{
    logger.info("x");
  }},
}});
"""
MANY = 400  # task files: enough that the index is still being built when the check comes


@pytest_lsp.fixture(config=CONFIG)
async def editor(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


def _ended(client: LanguageClient) -> bool:
    reports = [r for values in client.progress_reports.values() for r in values]
    return any(isinstance(r, lsp.WorkDoneProgressEnd) for r in reports)


async def test_a_check_asked_while_indexing_answers_with_the_complete_index(
    editor: LanguageClient, tmp_path: Path
) -> None:
    """duplicate-task-id across two files not open needs the complete index: a check sent
    while the index is being built waits for it, and then finds it."""
    root = tmp_path.resolve()
    files = {f"src/trigger/t{n}.ts": TASK.format(n=n, id=f"task-{n}") for n in range(MANY)}
    files["src/trigger/a.ts"] = TASK.format(n="a", id="same-id")
    files["src/trigger/b.ts"] = TASK.format(n="b", id="same-id")
    written = project(root, files)
    await start(editor, root, "visual-studio-code")  # (reports indexing with $/progress)
    assert not _ended(editor)
    summary = await asyncio.wait_for(
        editor.workspace_execute_command_async(
            lsp.ExecuteCommandParams(workspace_check.CHECK_WORKSPACE_COMMAND)
        ),
        60,
    )
    assert _ended(editor)  # the index was done before the answer
    for name in ("src/trigger/a.ts", "src/trigger/b.ts"):
        found = publishes(editor, written[name].as_uri())
        assert found, name
        assert [str(d.code) for d in found[-1].diagnostics] == ["duplicate-task-id"]
    assert summary["files"] == MANY + 4
    assert summary["filesWithFindings"] == 2


async def test_a_check_without_an_index_answers_at_once(
    editor: LanguageClient, tmp_path: Path
) -> None:
    """With indexing turned off the index is "done" (not wanted): no wait at all."""
    root = tmp_path.resolve()
    _files(root)
    await start(editor, root, "emacs", {"indexWorkspace": False})
    started = time.monotonic()
    summary = await request(
        editor.workspace_execute_command_async(
            lsp.ExecuteCommandParams(workspace_check.CHECK_WORKSPACE_COMMAND)
        )
    )
    assert time.monotonic() - started < workspace_check.INDEX_WAIT_S
    assert summary["files"] == 4 and summary["findings"] == len(cli_findings(root)) > 0
