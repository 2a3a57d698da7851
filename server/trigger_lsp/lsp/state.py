"""The session: what the server knows and does without the protocol library (the open
documents, the project index, the settings, the analysis of a document).

The language server (lsp/server.py) holds a Session and is its `client`: the side that talks
to the editor. lsp/early.py answers the first messages with a Session of its own while pygls
and lsprotocol are still loading, then hands the session itself over (the server becomes its
client). Nothing here imports either library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import tree_sitter as ts
from pygls.uris import to_fs_path

from trigger_lsp.analysis.model import FileModel, build_model
from trigger_lsp.analysis.slices import Sliced, checkpoint
from trigger_lsp.analysis.syntax import grammar_for, is_source_path, parse
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import Knowledge
from trigger_lsp.lint.engine import FileResult, Finding
from trigger_lsp.lint.file_check import check_source
from trigger_lsp.lint.settings import RECOMMENDED, RuleSettings
from trigger_lsp.lint.statements import analyze_statements, warm_step
from trigger_lsp.lsp.documents import Document, DocumentStore
from trigger_lsp.lsp.settings import ServerSettings, parse_settings
from trigger_lsp.lsp.wire import Locator
from trigger_lsp.project.context import ProjectContext, ProjectResolver, default_context
from trigger_lsp.project.index import (
    FileImports,
    FileIndex,
    entries_for,
    fan_outs_for,
    imports_for,
    index_model,
    sites_for,
)
from trigger_lsp.project.modules import entry_point, module_facts, module_links, module_logging
from trigger_lsp.project.reading import read_regular
from trigger_lsp.project.unparsed import PrefilteredIndex
from trigger_lsp.text import MAX_FILE_BYTES, Encoding, looks_binary

log = logging.getLogger(__name__)
LAST_READ_KEPT_S = 5.0  # how long the indexer's last parse waits for the file to be opened
RELEASE_DELAY_S = 0.001  # a replaced analysis is freed this long after the new one is made
WARNING = 2  # LSP's MessageType.Warning
LOG_ERROR, LOG_INFO = 1, 3  # LSP's MessageType.Error and .Info
INTERNAL_ERROR = "internal error: "  # the note of an analysis that failed
SETTINGS_PROBLEMS_SHOWN = 5  # problems named in the one message about invalid settings
D = TypeVar("D")  # a diagnostic: lsprotocol's in the server, JSON in the first answers
# What makes a diagnostic of a finding: the server's convert.diagnostic, the first answers'
# wire.diagnostic_json (the one builder, which the former calls).
Make = Callable[[Document, Finding, Knowledge, Encoding, Locator], D]


@dataclass(frozen=True, eq=False)
class LastRead:
    """The indexer's parse of a file from the disk."""

    path: Path
    source: bytes
    grammar: str
    tree: ts.Tree
    model: FileModel


@dataclass(eq=False)
class Analysis:
    """An analysis of one version of a document, run a slice at a time (Session.begin_analysis)."""

    version: int | None
    work: Sliced[FileResult]
    root: Path  # of the document's project
    # The project's index changed after it began (`recheck`): its result is kept, and the
    # document analysed again.
    stale: bool = False


@dataclass(frozen=True)
class Pulled(Generic[D]):
    """The answer to a pull, in either phase's diagnostics."""

    result_id: str | None
    items: list[D] | None  # None: unchanged


class IndexDone:
    """Whether the background index of the workspace is done (or not wanted), and a way to wait
    for it: what the workspace check and the lens refresh await (features/workspace_check.py,
    features/task_lenses.py). `clear` when indexing starts (again): a waiter woken by an earlier
    `set` that finds it cleared waits for the new index."""

    def __init__(self) -> None:
        self._done = False
        self._event: asyncio.Event | None = None  # made on the first wait, in the serving loop

    def is_set(self) -> bool:
        return self._done

    def set(self) -> None:
        self._done = True
        if self._event is not None:
            self._event.set()

    def clear(self) -> None:
        self._done = False
        if self._event is not None and self._event.is_set():
            self._event = asyncio.Event()  # (the woken waiters look again and wait on this one)

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait until the index is done, at most `timeout` seconds; whether it is done."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not self._done:
            if self._event is None:
                self._event = asyncio.Event()
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return False
            try:
                await asyncio.wait_for(self._event.wait(), left)
            except TimeoutError:
                return self._done
        return True


@dataclass
class WorkspaceResults:
    """What the workspace check and the workspace pull keep between requests
    (features/workspace_check.py); diagnostics are the protocol's (lsprotocol)."""

    # The URIs of files not open whose diagnostics "Check workspace" published.
    published: set[str] = field(default_factory=set)
    # A file's diagnostics by URI, with the stamp (size, mtime, settings) they were made for.
    pull_cache: dict[str, tuple[object, list[Any]]] = field(default_factory=dict)
    pull_answered: bool = False  # a workspace/diagnostic was answered (the next one waits)


class Client(Protocol):
    """The side of a session that talks to the editor (the server, or the first answers)."""

    def show_message(self, message: str, kind: int) -> None: ...

    def log_message(self, message: str, kind: int) -> None: ...

    def warm_later(self, uri: str) -> None:
        """Prepare the document's per-statement findings between requests."""

    def refresh_others(self, changed_uri: str) -> None:
        """Task ids changed: re-check the other open documents."""


class _Detached:
    """The client of a session that serves no editor (a test's)."""

    def show_message(self, message: str, kind: int) -> None:
        log.warning("%s", message)

    def log_message(self, message: str, kind: int) -> None:
        log.info("%s", message)

    def warm_later(self, uri: str) -> None:
        pass

    def refresh_others(self, changed_uri: str) -> None:
        pass


class Session:
    """Documents, index, settings and analysis, and the client capabilities and position
    encoding the editor chose. Messages to the user, idle preparation and re-checking other
    documents go through `client`."""

    def __init__(self, client: Client | None = None) -> None:
        self.client: Client = client or _Detached()
        self.encoding: Encoding = "utf-16"
        self.client_capabilities: Any = None  # lsprotocol's ClientCapabilities, once known
        self.store = DocumentStore()
        self.index = PrefilteredIndex()  # files the workspace walk rejects stay unparsed
        self.resolver = ProjectResolver()
        self.settings = ServerSettings()
        self.pull_diagnostics = False
        self._initialization_options: Any = None
        self._reported: set[str] = set()  # messages already shown once
        self._last_read: LastRead | None = None  # see _keep_read
        self._released: list[FileResult] = []  # replaced analyses, freed after the answer
        self.index_done = IndexDone()  # the background index of the workspace
        self.workspace = WorkspaceResults()
        # The pending ask to refresh code lenses once the index is done (task_lenses.py).
        self.lens_refresh: asyncio.Future[None] | None = None
        # Analyses running in slices between requests, by document (see begin_analysis), and
        # the preparation of kept findings of slow documents, run the same way (warm_slice).
        self.in_flight: dict[str, Analysis] = {}
        self.warming: dict[str, Sliced[bool]] = {}

    @property
    def kb(self) -> Knowledge:
        return knowledge()

    def document(self, uri: str) -> Document | None:
        return self.store.get(uri)

    def show_once(self, message: str, kind: int = WARNING) -> None:
        """Show a message to the user, once for the session."""
        if message not in self._reported:
            self._reported.add(message)
            self.client.show_message(f"trigger-lsp: {message}", kind)

    def log_once(self, message: str, kind: int = LOG_ERROR) -> None:
        """Write a message to the editor's log, once for the session."""
        if message not in self._reported:
            self._reported.add(message)
            log.info("%s", message)
            self.client.log_message(message, kind)

    def warm_later(self, uri: str) -> None:
        self.client.warm_later(uri)

    def refresh_others(self, changed_uri: str) -> None:
        self.client.refresh_others(changed_uri)

    def analysed_at(self, uri: str, position: Any) -> tuple[Document, int, FileResult] | None:
        """For hover and completion: the document, the byte offset of the position (an LSP
        Position) and the analysis, when the position exists and the file is a Trigger.dev
        file (or a config)."""
        from trigger_lsp.project.trigger_config import is_config_path

        doc = self.store.get(uri)
        if doc is None:
            return None
        offset = doc.offset(position, self.encoding)
        if doc.position(offset, self.encoding) != position:
            return None  # past the end of the line or the file
        result = self.analyze(doc)
        if result.skipped or result.tree is None or result.model is None:
            return None
        if not (result.is_trigger_file or is_config_path(doc.path)):
            return None
        return doc, offset, result

    def apply_settings(self, raw: Any) -> None:
        settings, problems = parse_settings(raw, frozenset(self.kb.rules), self.settings)
        self.settings = settings
        if problems:  # one message, however many problems (12,000 unknown keys, say)
            shown = "; ".join(problems[:SETTINGS_PROBLEMS_SHOWN])
            more = len(problems) - SETTINGS_PROBLEMS_SHOWN
            if more > 0:
                shown += f"; and {more} more"
            word = "setting" if len(problems) == 1 else "settings"
            self.show_once(f"invalid {word}: {shown}; using the defaults for them")

    def too_large(self, uri: str, text: str) -> bool:
        """Whether an opened document is over the file size limit: then it is not kept or
        checked (no diagnostics), and the user is told once."""
        size = len(text)
        if size <= MAX_FILE_BYTES // 4:  # (at most 4 bytes a character)
            return False
        size = len(text.encode("utf-8", "surrogatepass"))
        if size <= MAX_FILE_BYTES:
            return False
        self.store.close(uri)
        name = uri.rsplit("/", 1)[-1][:200]
        limit = MAX_FILE_BYTES // 2**20
        mib = f"{size / 2**20:.1f} MiB"
        self.show_once(f"{name} is not checked: {mib} is over the {limit} MiB limit")
        return True

    # --- what both phases do (the server's handlers and the first answers) ------------------
    def open_document(
        self, uri: str, language: str | None, version: int | None, text: str
    ) -> Document | None:
        """textDocument/didOpen: the document kept, with the indexer's parse when it has the
        same text; None when it is too large to keep."""
        if self.too_large(uri, text):
            return None
        doc = self.store.open(uri, language, version, text, path_of(uri))
        self.adopt_last_read(doc)
        return doc

    def settle(self, doc: Document, indexed: bool, publish: Callable[[Document], None]) -> None:
        """After an open or an edit (the server: after the debounce): a client that pulls
        asks for the findings itself, so the document is only analysed, to keep the index
        current (before the workspace index is complete only indexed: the first pull comes
        soon and analyses it once); the findings are published to any other client."""
        if not self.pull_diagnostics:
            publish(doc)
        elif indexed:
            self.analyze(doc)
        else:
            self.index_open(doc)

    def diagnostics(
        self,
        doc: Document,
        make: Make[D],
        moved: Callable[[D, int], D] | None = None,
        start_line: Callable[[D], int] | None = None,
    ) -> list[D]:
        """The document's diagnostics, each made by `make`. With `moved`, a diagnostic is kept
        in the document for the next answer, and a kept one that moved to another line (its
        start line read by `start_line`) is made by `moved(diagnostic, line)`."""
        if not self.settings.features.diagnostics:
            return []
        result = self.analyze(doc)
        enc = self.encoding
        locator = Locator(self.store, enc)
        if moved is None or start_line is None:
            return [make(doc, f, self.kb, enc, locator) for f in result.findings]
        source, starts = doc.source, doc.lines.starts
        kept: dict[object, Any] = {}
        out = []
        for f in result.findings:
            checkpoint()  # (made in slices after an analysis in slices: lsp/server.py)
            # A finding makes the same diagnostic as before when it stands at the same byte
            # columns with the same text before it there (which sets UTF-16 and UTF-32
            # columns): typing on one line keeps the diagnostics of the other lines, and a
            # line added above moves them (a new range, the rest kept). Related locations
            # are part of the diagnostic, in lines: then the finding itself is the key. (A
            # fix is not: a diagnostic carries no data, see wire.docs_link.)
            what = f if f.related else (f.rule, f.severity, f.message)
            key = (
                what,
                f.start[1],
                f.end[1],
                f.end[0] - f.start[0],
                enc,
                source[starts[f.start[0]] : f.start_byte],
                source[starts[f.end[0]] : f.end_byte],
            )
            found = doc.converted.get(key)
            if found is None:
                found = make(doc, f, self.kb, enc, locator)
            elif start_line(found) != f.start[0]:
                found = moved(found, f.start[0])
            if all(r.path == doc.path for r in f.related):  # other files may change meanwhile
                kept[key] = found
            out.append(found)
        doc.converted = kept
        return out

    def pull(self, uri: str, previous: Any, items: Callable[[Document], list[D]]) -> Pulled[D]:
        """textDocument/diagnostic: the result id and the items (None: unchanged since the
        result `previous`); no result id and no items for a document not open."""
        doc = self.store.get(uri)
        if doc is None:
            return Pulled(None, [])
        self.analyze(doc)
        result_id = str(doc.result_id)
        if previous == result_id:
            return Pulled(result_id, None)
        return Pulled(result_id, items(doc))

    # --- analysis --------------------------------------------------------------------------
    def analyze(self, doc: Document) -> FileResult:
        """The analysis of the document's current version (cached per version). An analysis
        of it running in slices (`begin_analysis`) is finished here, or dropped when stale."""
        if doc.result is not None and doc.analyzed_version == doc.version and doc.tree is not None:
            return doc.result
        self.stop_warming(doc.uri)
        flight = self.in_flight.pop(doc.uri, None)
        if flight is not None:
            if flight.version == doc.version:
                return self.end_analysis(doc, flight)
            flight.work.cancel()
        compute, root = self._computation(doc)
        return self._adopt(doc, compute(), doc.version, root)

    def begin_analysis(self, doc: Document) -> Analysis:
        """The analysis of the document's current version as a computation to run a slice at a
        time between requests (analysis/slices.py); `end_analysis` takes its result. Until
        then the document's own requests finish it (`analyze`) and an edit drops it."""
        self.stop_warming(doc.uri)
        old = self.in_flight.pop(doc.uri, None)
        if old is not None:
            old.work.cancel()
        compute, root = self._computation(doc)
        flight = Analysis(doc.version, Sliced(compute), root)
        self.in_flight[doc.uri] = flight
        return flight

    def end_analysis(self, doc: Document, flight: Analysis) -> FileResult:
        """The result of an analysis begun by `begin_analysis`, run to its end if need be."""
        if self.in_flight.get(doc.uri) is flight:
            del self.in_flight[doc.uri]
        result = self._adopt(doc, flight.work.finish(), flight.version, flight.root)
        if flight.stale:  # (its findings and kept per-statement work stand meanwhile)
            doc.analyzed_version = None
            self.warm_later(doc.uri)
        return result

    def recheck(self, doc: Document) -> None:
        """The document is to be analysed again (the project's ids changed): an analysis of it
        under way read the index as it was."""
        doc.analyzed_version = None
        flight = self.in_flight.get(doc.uri)
        if flight is not None:
            flight.stale = True

    def drop_analysis(self, uri: str) -> None:
        """Stop an analysis running in slices (the document changed or closed)."""
        self.stop_warming(uri)
        flight = self.in_flight.pop(uri, None)
        if flight is not None:
            flight.work.cancel()

    def warm_slice(self, doc: Document, budget_s: float) -> bool:
        """Prepare the document's kept findings (statements.warm_step) for about `budget_s`
        in a computation that pauses at its checkpoints; return whether it is done. Any
        analysis of the document stops it first (both change its StatementCache)."""
        work = self.warming.get(doc.uri)
        if work is None:
            cache = doc.statements
            work = self.warming[doc.uri] = Sliced(lambda: warm_step(cache, float("inf")))
        done = work.step(budget_s)
        if done:
            del self.warming[doc.uri]
            try:
                work.finish()
            except Exception:  # (rule failures are contained inside: this would be a bug)
                log.exception("preparing the kept findings of %s failed", doc.uri)
        return done

    def stop_warming(self, uri: str) -> None:
        work = self.warming.pop(uri, None)
        if work is not None:
            work.cancel()

    def _computation(self, doc: Document) -> tuple[Callable[[], FileResult], Path]:
        """What analysing the document's current text takes, as a function to call now or in
        slices (the parse and the rules; it writes nothing to the client), and the root of
        the document's project."""
        project = self.resolver.context_for(doc.path) if doc.path is not None else default_context()
        if project.lint.error:
            self.show_once(f"{project.lint.error}; using the defaults")
        if project.searched:  # once per project (and again when what it says changes)
            self.log_once(project_versions(project), LOG_INFO)
        profile = project.lint.profile or self.settings.profile or RECOMMENDED
        rules = RuleSettings(profile=profile).layered(self.settings.rules, project.lint.rules)
        source, path, index, kb = doc.source, doc.path, self.index, self.kb

        def compute() -> FileResult:
            tree = doc.parsed()
            try:  # (package.json is checked by the same entry as in the CLI: file_check.py)
                return check_source(
                    source,
                    path,
                    settings=rules,
                    kb=kb,
                    analyze_source=lambda: analyze_statements(
                        doc.statements,
                        source,
                        path,
                        project=project,
                        settings=rules,
                        index=index,
                        grammar=doc.grammar,
                        tree=tree,
                        kb=kb,
                        lines=doc.lines,
                        model=doc.built_model(),
                    ),
                )
            except Exception as exc:  # the engine failing on one text must not stop the server
                log.exception("analysis failed on %s", doc.uri)
                note = f"{INTERNAL_ERROR}{type(exc).__name__}: {exc}"
                return FileResult(doc.path, [], [note], tree=tree)

        return compute, project.root

    def _adopt(
        self, doc: Document, result: FileResult, version: int | None, root: Path
    ) -> FileResult:
        """Keep the analysis of `version` of the document: its result id, the index."""
        failed = [n for n in result.notes if n.startswith(INTERNAL_ERROR)]
        if failed:
            self.log_once(f"analysis failed on {doc.uri}: {failed[0][len(INTERNAL_ERROR) :]}")
        for err in result.rule_errors:
            self.log_once(f"rule {err.rule} failed on {doc.uri}: {err.error}")
        if result.skipped:  # not analysed (too large, binary, nested too deep): say so once
            self.show_once(f"{doc.path or doc.uri}: {'; '.join(result.notes)}")
        self._release_later(doc.result)
        doc.result, doc.analyzed_version = result, version
        key = hash(
            tuple(
                (f.rule, f.start_byte, f.end_byte, f.message, f.severity) for f in result.findings
            )
        )
        if key != doc.result_key:  # unchanged findings keep their result id (pull clients)
            doc.result_key = key
            doc.result_id += 1
        if doc.statements.pending is not None:
            self.warm_later(doc.uri)
        if result.model is not None:
            doc.keep_model(result.model)
            self.index_model(doc, result.model, root)
        return result

    def _release_later(self, old: FileResult | None) -> None:
        """Freeing the previous analysis of a big file takes milliseconds (the model of a
        10,000-line file is some 100,000 objects): keep it until just after the answer."""
        if old is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving: freed now
            return
        self._released.append(old)
        if len(self._released) == 1:
            loop.call_later(RELEASE_DELAY_S, self._released.clear)

    # --- the project index -------------------------------------------------------------------
    def index_from_disk(self, path: Path) -> bool:
        """(Re-)index a file that is not open from the disk; return whether what other files'
        findings depend on changed (its ids, its tasks without retry policy, its fan-outs)."""
        found = FileIndex([], [])
        module = None
        if is_source_path(path):
            try:
                source = read_regular(path, MAX_FILE_BYTES)
            except OSError:
                source = b""
            if source and not looks_binary(source):
                grammar = grammar_for(path)
                tree = parse(source, grammar, yielding=True)  # (in slices when large)
                model = build_model(tree, grammar)
                project = self.resolver.context_for(path)
                found = index_model(model, path, project.root)
                module = module_facts(model, path, project)
                self._keep_read(LastRead(path, source, grammar, tree, model))
        # (a file that can no longer be read imports nothing: its old imports go)
        imports = found.imports or FileImports(path.parent, frozenset(), ())
        changed = self.index.update(path, found.entries, found.sites, imports, module)
        return self.index.update_fan_outs(path, found.fan_outs) or changed

    def _keep_read(self, read: LastRead) -> None:
        """Keep the parse of the file indexed last for a few seconds: an editor often opens a
        file just as the indexer has read it, and then needs not parse it again."""
        self._last_read = read
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_later(LAST_READ_KEPT_S, self._drop_read, read)

    def _drop_read(self, read: LastRead) -> None:
        if self._last_read is read:
            self._last_read = None

    def adopt_last_read(self, doc: Document) -> None:
        """Give an opened document the tree and model of the indexer's read of the same text."""
        read, self._last_read = self._last_read, None
        if read is not None and (read.path, read.source, read.grammar) == (
            doc.path,
            doc.source,
            doc.grammar,
        ):
            doc.adopt(read.tree, read.model)

    def index_open(self, doc: Document) -> None:
        """Put an open document's task ids in the index without analysing it."""
        if doc.path is not None and is_source_path(doc.path):
            root = self.resolver.context_for(doc.path).root
            self.index_model(doc, doc.model(), root)

    def index_model(self, doc: Document, model: FileModel, root: Path) -> None:
        """Update the index with the document's tasks (its trigger sites when first asked
        for) and fan-out sites; when its ids changed, re-check the other open documents, and
        when its fan-outs changed, all of them (this one's tasks may be fanned out here)."""
        path = doc.path
        if path is None:
            return
        # The links are cheap (top-level statements); which functions log waits until asked.
        project = self.resolver.context_for(path)
        links = module_links(model, entry_point(project, path), project.root)
        changed = self.index.update(
            path,
            entries_for(model, path, root, doc.entries),
            lambda: sites_for(model, path, root),
            imports_for(model, path, root),
            (links, lambda: module_logging(model)),
        )
        if self.index.update_fan_outs(path, fan_outs_for(model, path, root)):
            self.refresh_others("")
        elif changed:
            self.refresh_others(doc.uri)


def serving(session: Session) -> Any:
    """The server serving the session (lsp/server.py): what handlers ask of the protocol side
    beyond the session's Client (publishing, scheduling, requests to the editor)."""
    return session.client


def path_of(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def project_versions(project: ProjectContext) -> str:
    """The log line saying which versions the rules assume for a project, and why."""
    return (
        f"trigger-lsp: project {project.root}: @trigger.dev/sdk {project.sdk.describe()};"
        f" trigger.dev CLI {project.cli.describe()}"
    )
