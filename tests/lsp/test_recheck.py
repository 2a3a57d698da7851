"""Analysing a document again when what its last analysis read has changed meanwhile (issue
19): the project's index completing while an analysis runs in slices, and findings kept per
statement that the idle check found wrong."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp.session import write
from trigger_lsp.lsp.state import Session

PACKAGE = '{"name": "app", "dependencies": {"@trigger.dev/sdk": "4.8.3"}}\n'
TRIGGERS_UNKNOWN = """import { task, tasks } from "@trigger.dev/sdk";

export const first = task({
  id: "first",
  run: async () => {
    await tasks.trigger("no-such-task", {});
  },
});
"""


def opened(session: Session, root: Path) -> str:
    uri = (root / "src" / "trigger" / "t.ts").as_uri()
    assert session.open_document(uri, "typescript", 1, TRIGGERS_UNKNOWN) is not None
    return uri


def rules_of(result: object) -> list[str]:
    return [f.rule for f in getattr(result, "findings", [])]


def test_an_analysis_under_way_when_the_index_completes_is_not_taken_as_current(
    tmp_path: Path,
) -> None:
    """The first analysis of a big document runs in slices; when the workspace index completes
    meanwhile, the refresh must not be undone by that analysis ending: its result (read with
    the index incomplete, so without unknown-task-id) stands until the document is analysed
    again, which the next request then does."""
    write(tmp_path, {"package.json": PACKAGE})
    session = Session()
    uri = opened(session, tmp_path)
    doc = session.store.get(uri)
    assert doc is not None
    flight = session.begin_analysis(doc)
    assert flight.work.step(60.0)  # (all its slices: it read the index, not yet complete)
    session.index.complete = True  # the workspace index completes before its result is taken
    session.recheck(doc)
    first = session.end_analysis(doc, flight)
    assert "unknown-task-id" not in rules_of(first)
    assert doc.analyzed_version is None  # not current: analysed again when asked
    assert "unknown-task-id" in rules_of(session.analyze(doc))
    assert doc.analyzed_version == doc.version


def test_without_a_change_an_analysis_in_slices_is_current(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": PACKAGE})
    session = Session()
    doc = session.store.get(opened(session, tmp_path))
    assert doc is not None
    flight = session.begin_analysis(doc)
    result = session.end_analysis(doc, flight)
    assert doc.analyzed_version == doc.version
    assert session.analyze(doc) is result


def test_a_mismatch_found_while_idle_has_the_document_analysed_again(tmp_path: Path) -> None:
    """Findings kept per statement from a whole-model run that differ from the statement's
    own (statements.warm_step sets `mismatch`): the server checks the document again, whole."""
    from trigger_lsp.lsp.server import create_server

    write(tmp_path, {"package.json": PACKAGE})
    server = create_server()
    session = server.session

    async def serving() -> None:
        uri = opened(session, tmp_path)
        doc = session.store.get(uri)
        assert doc is not None
        for _ in range(3):  # (its first analysis adds fan-outs to the index: all re-checked)
            session.analyze(doc)
        assert doc.analyzed_version == doc.version
        doc.statements.mismatch = True  # (as warm_step leaves it)
        server._warm(uri)
        assert not doc.statements.mismatch
        assert doc.analyzed_version is None  # the next request analyses it again

    asyncio.run(serving())


def test_a_document_to_check_again_before_the_index_is_complete_is_not_published_in_a_loop(
    tmp_path: Path,
) -> None:
    """For a client that pulls, a document is only indexed until the workspace index is
    complete (its first pull analyses it). Asked to check it again meanwhile (another file's
    ids changed), the idle step publishes it once and waits for the pull or the index, instead
    of publishing it again at every idle millisecond."""
    from trigger_lsp.lsp.server import create_server

    write(tmp_path, {"package.json": PACKAGE})
    server = create_server()
    session = server.session
    session.pull_diagnostics = True  # (the index is not done: session.index_done not set)
    published: list[str] = []
    publish = server.publish

    def counted(uri: str, version: int | None) -> None:
        published.append(uri)
        publish(uri, version)

    server.publish = counted  # type: ignore[method-assign]

    async def serving() -> None:
        uri = opened(session, tmp_path)
        doc = session.store.get(uri)
        assert doc is not None
        server.refresh([doc])
        await asyncio.sleep(0.3)
        assert doc.analyzed_version is None  # (indexed only: the pull analyses it)

    asyncio.run(serving())
    assert 1 <= len(published) <= 2
