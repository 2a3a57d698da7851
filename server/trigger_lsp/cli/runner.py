"""Finding the files to check and checking them, in parallel when there are many."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from trigger_lsp.cli.speculation import DiskModules, Question, SpeculativeIndex, answers_hold
from trigger_lsp.cli.writing import Written, write_fixed
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.lint.engine import FileResult, Finding, analyze, warm_up
from trigger_lsp.lint.file_check import check_source
from trigger_lsp.lint.fixes import apply_fixes
from trigger_lsp.lint.settings import RECOMMENDED, RuleSettings
from trigger_lsp.lint.suppressions import LINE_DIRECTIVE
from trigger_lsp.project.context import ProjectContext, ProjectResolver
from trigger_lsp.project.discovery import FolderFiles, discover_folders
from trigger_lsp.project.index import (
    FanOut,
    FileImports,
    ModuleFacts,
    ProjectIndex,
    TaskEntry,
    TaskIds,
    entries_for,
    fan_outs_for,
    imports_for,
)
from trigger_lsp.project.modules import module_facts
from trigger_lsp.project.packages import is_manifest_path
from trigger_lsp.project.prefilter import Prefilter
from trigger_lsp.project.reading import FileSkipped, read_regular
from trigger_lsp.project.unparsed import PrefilteredIndex
from trigger_lsp.text import MAX_FILE_BYTES, LineIndex

MAX_JOBS = 64  # worker processes at most, whatever --jobs asks
PARALLEL_THRESHOLD = 32  # below this many files, one process is faster than a pool
SUPPRESSION = LINE_DIRECTIVE.encode()  # (the file directive starts the same way)


@dataclass(frozen=True)
class Located:
    """A finding with 1-based line and code-point columns, ready to print."""

    finding: Finding
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class FileOutcome:
    path: Path
    located: list[Located] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fixed: int = 0
    internal_error: bool = False  # a rule or the engine failed on this file
    write_failed: bool = False  # --fix found fixes but could not write them (file untouched)


# What a file gives the project's index: its task definitions, fan-out sites and imports.
FileIndexed = tuple[list[TaskEntry], list[FanOut], FileImports | None, ModuleFacts | None]
NOTHING_INDEXED: FileIndexed = ([], [], None, None)
# A file's check: its outcome and what it gives the index.
Checked = tuple[
    "FileOutcome", list[TaskEntry], list[FanOut], FileImports | None, ModuleFacts | None
]


@dataclass(frozen=True)
class CheckOptions:
    cli_levels: dict[str, str]
    fix: bool = False
    unsafe_fixes: bool = False
    profile: str | None = None  # --profile; None: the project file's, else recommended
    # The paths named on the command line, resolved: --fix never writes outside them.
    roots: tuple[Path, ...] = ()
    respect_gitignore: bool = True  # False: --no-ignore (see project/ignore.py)
    prefilter: bool = True  # reject files without parsing them (see project/prefilter.py)


def _read(path: Path) -> tuple[bytes | None, str | None]:
    try:
        return read_regular(path, MAX_FILE_BYTES), None
    except FileSkipped as exc:
        if exc.size is not None:
            limit = f"{MAX_FILE_BYTES // 2**20} MiB limit"
            return None, f"skipped: {exc.size / 2**20:.1f} MiB is over the {limit}"
        return None, f"skipped: {exc.strerror}"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror}"


def check_file(
    path: Path,
    resolver: ProjectResolver,
    options: CheckOptions,
    index: TaskIds | None,
) -> Checked:
    """Check one file; also return what it gives the project's index (its task definitions,
    fan-out sites and imports, as the file holds them after any fix). An unexpected failure
    becomes an error on that file (and nothing for the index), not a crash."""
    try:
        return _check_file(path, resolver, options, index)
    except Exception as exc:
        outcome = FileOutcome(path)
        outcome.errors.append(f"internal error: {type(exc).__name__}: {exc}")
        outcome.internal_error = True
        return outcome, *NOTHING_INDEXED


def _check_file(
    path: Path,
    resolver: ProjectResolver,
    options: CheckOptions,
    index: TaskIds | None,
) -> Checked:
    outcome = FileOutcome(path)
    source, problem = _read(path)
    if source is None:
        outcome.notes.append(problem or "cannot read")
        return outcome, *NOTHING_INDEXED
    project = resolver.context_for(path)
    settings = _settings(project, options)
    # (the one entry for every file type, shared with the language server)
    result = check_source(source, path, project=project, settings=settings, index=index)
    if options.fix and result.findings and not is_manifest_path(path):
        source, result = _fix(path, source, result, options, outcome, project, settings, index)
    # The index holds what the file defines as it now is on disk (fixed, when fixes were written).
    entries, fan_outs, imports, module = NOTHING_INDEXED
    if result.model is not None:
        entries = entries_for(result.model, path, project.root)
        fan_outs = fan_outs_for(result.model, path, project.root)
        imports = imports_for(result.model, path, project.root)
        module = module_facts(result.model, path, project)
    outcome.notes.extend(result.notes)
    outcome.errors.extend(f"rule {e.rule} failed: {e.error}" for e in result.rule_errors)
    outcome.internal_error = bool(result.rule_errors)
    lines = LineIndex(source)
    for f in result.findings:
        outcome.located.append(_locate(f, source, lines))
    return outcome, entries, fan_outs, imports, module


def _fix(
    path: Path,
    source: bytes,
    result: FileResult,
    options: CheckOptions,
    outcome: FileOutcome,
    project: ProjectContext,
    settings: RuleSettings,
    index: TaskIds | None,
) -> tuple[bytes, FileResult]:
    """Apply the allowed fixes, settle what they make possible, and write the result back
    (see cli/writing.py). Returns the text the file holds afterwards and its analysis: the
    fixed one when it was written, the original one otherwise."""
    allowed = {FixSafety.SAFE} | ({FixSafety.UNSAFE} if options.unsafe_fixes else set())
    fixed_source, count = apply_fixes(source, result.findings, allowed)
    if not count:
        return source, result
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        outcome.notes.append("fixes not written: the file is not valid UTF-8")
        return source, result
    fixed_result, total, rounds = result, 0, 0
    # Fixes can make other fixes possible (or overlap); settle in a few rounds.
    while count and rounds < 5:
        total += count
        text = fixed_source
        fixed_result = analyze(text, path, project=project, settings=settings, index=index)
        fixed_source, count = apply_fixes(text, fixed_result.findings, allowed)
        rounds += 1
    written = write_fixed(path, source, text, options.roots)
    if written.status is Written.WRITTEN:
        outcome.fixed = total
        return text, fixed_result
    if written.status is Written.FAILED:
        outcome.errors.append(written.message)
        outcome.write_failed = True
    else:
        outcome.notes.append(written.message)
    return source, result


def _settings(project: ProjectContext, options: CheckOptions) -> RuleSettings:
    """Rule levels: the project file's, then the command line's; the profile likewise."""
    profile = options.profile or project.lint.profile or RECOMMENDED
    return RuleSettings(profile=profile).layered(project.lint.rules, options.cli_levels)


def check_again(
    path: Path,
    resolver: ProjectResolver,
    options: CheckOptions,
    index: TaskIds,
    first: FileOutcome,
) -> FileOutcome:
    """Check a file again with the complete index, after its first check got a wrong answer
    from the speculative one. Only the rules that read the index run again, and the other rules'
    findings stand, unless the file has suppression comments (what the rerun rules find could
    change which suppressions are unused), fixes are being written, or the first check failed:
    then the whole check runs again."""
    source, _ = _read(path)
    if (
        source is None
        or options.fix
        or first.internal_error
        or is_manifest_path(path)
        or SUPPRESSION in source
    ):
        return check_file(path, resolver, options, index)[0]
    try:
        project = resolver.context_for(path)
        settings = _settings(project, options)
        from trigger_lsp.rules import REGISTRY

        readers = [r for r in REGISTRY.values() if r.reads_index]
        result = analyze(
            source, path, project=project, settings=settings, index=index, rules=readers
        )
    except Exception:  # the whole check reports what went wrong
        return check_file(path, resolver, options, index)[0]
    ids = {r.id for r in readers}
    lines = LineIndex(source)
    located = [loc for loc in first.located if loc.finding.rule not in ids]
    located += [_locate(f, source, lines) for f in result.findings]
    located.sort(key=lambda loc: (loc.finding.start_byte, loc.finding.rule))  # as analyze does
    outcome = FileOutcome(path, located, list(first.notes), list(first.errors))
    outcome.errors.extend(f"rule {e.rule} failed: {e.error}" for e in result.rule_errors)
    outcome.internal_error = bool(result.rule_errors)
    return outcome


def _locate(f: Finding, source: bytes, lines: LineIndex) -> Located:
    def col(row: int, byte_col: int) -> int:
        return lines.column(source, row, byte_col, "utf-32") + 1

    return Located(f, f.start[0] + 1, col(*f.start), f.end[0] + 1, col(*f.end))


def _known_rules() -> frozenset[str]:
    """Rule ids a .trigger-lsp.yaml may name (`all` included)."""
    return frozenset(knowledge().rules) | {"all"}


# --- process-pool plumbing: each worker keeps its own resolver --------------------------------
_WORKER: dict[str, object] = {}

# A file's first check: its outcome, what it gives the index, the questions it asked the index.
FirstCheck = tuple[
    FileOutcome,
    list[TaskEntry],
    list[FanOut],
    FileImports | None,
    ModuleFacts | None,
    list[Question],
]


def _init_worker(options: CheckOptions, index: ProjectIndex | None) -> None:
    import trigger_lsp.rules  # noqa: F401  (registers rules in the worker)

    # Forked workers inherit the contexts the walk resolved (see check_paths).
    inherited = _WORKER.get("inherited")
    resolver = inherited if isinstance(inherited, ProjectResolver) else None
    _WORKER["resolver"] = resolver = resolver or ProjectResolver(_known_rules())
    _WORKER["options"] = options
    _WORKER["index"] = index
    _WORKER["modules"] = DiskModules(resolver)


def _first_check(
    path: Path, resolver: ProjectResolver, options: CheckOptions, modules: DiskModules
) -> FirstCheck:
    speculative = SpeculativeIndex(modules)
    outcome, entries, fan_outs, imports, module = check_file(path, resolver, options, speculative)
    return outcome, entries, fan_outs, imports, module, speculative.asked


def _first_job(path: Path) -> FirstCheck:
    resolver, options, modules = _WORKER["resolver"], _WORKER["options"], _WORKER["modules"]
    assert isinstance(resolver, ProjectResolver) and isinstance(options, CheckOptions)
    assert isinstance(modules, DiskModules)
    return _first_check(path, resolver, options, modules)


def _again_job(job: tuple[Path, FileOutcome]) -> FileOutcome:
    resolver, options, index = _WORKER["resolver"], _WORKER["options"], _WORKER["index"]
    assert isinstance(resolver, ProjectResolver) and isinstance(options, CheckOptions)
    assert isinstance(index, ProjectIndex)
    return check_again(job[0], resolver, options, index, job[1])


CHUNK = 8  # files per job handed to a worker: small, so that the workers end together


def _first_jobs(paths: list[Path]) -> list[FirstCheck]:
    return [_first_job(path) for path in paths]


def _before_fork() -> None:
    """Keep the garbage collector off what this process holds so far: a forked worker shares
    those pages with it until it writes to them, and a collection in either process writes to
    every object it walks (copying the pages, and walking tens of thousands of objects that
    live as long as the check)."""
    gc.freeze()


T = TypeVar("T")
R = TypeVar("R")


def _shared_out(
    chunks: list[tuple[list[T], Future[list[R]]]],
    here: Callable[[T], R],
    done: Callable[[int], None],
) -> list[R]:
    """The results of jobs handed to worker processes a chunk at a time, in order. This process
    does its share: it takes the chunks no worker has started, from the last, until it meets
    the workers (a job a worker has not started can be cancelled). `done` hears the count of
    items done so far."""
    out: dict[int, list[R]] = {}
    count = 0
    for at in range(len(chunks) - 1, -1, -1):
        items, job = chunks[at]
        if not job.cancel():
            break  # the workers have it, and all the chunks before it
        out[at] = [here(item) for item in items]
        count += len(items)
        done(count)
    for at, (items, job) in enumerate(chunks):
        if at not in out:
            out[at] = job.result()
            count += len(items)
            done(count)
    return [result for at in range(len(chunks)) for result in out[at]]


def _again_jobs(jobs: list[tuple[Path, FileOutcome]]) -> list[FileOutcome]:
    return [_again_job(job) for job in jobs]


class _FirstPass:
    """The first check of the files, started while discovery still walks the tree. With one
    job, or few files, this process checks them after the walk. Otherwise, once
    PARALLEL_THRESHOLD files (and at least `jobs`) have passed the prefilter, `jobs - 1` worker
    processes are forked (fewer, never more than files, when the walk ends first) and fed CHUNK
    files at a time as the walk finds them, while this process walks on (the walk
    and the prefilter take about as long as checking the few files they keep: done one after
    the other, one core would wait for the other); when the walk ends, this process checks the
    chunks no worker has started yet, from the last, until it meets the workers."""

    def __init__(self, resolver: ProjectResolver, options: CheckOptions, jobs: int) -> None:
        self._resolver = resolver
        self._options = options
        self._jobs = jobs
        self._files: list[Path] = []
        self._sent = 0  # files handed to the workers so far
        self._pool: ProcessPoolExecutor | None = None
        self._chunks: list[tuple[list[Path], Future[list[FirstCheck]]]] = []

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def add(self, path: Path) -> None:
        self._files.append(path)
        # (never more workers than files: with many jobs, wait for as many files)
        if self._pool is None and self._jobs > 1 and len(self._files) >= self._enough:
            self._start(self._jobs - 1)
        if self._pool is not None and len(self._files) - self._sent >= CHUNK:
            self._send()

    @property
    def _enough(self) -> int:
        return max(PARALLEL_THRESHOLD, self._jobs)

    def _start(self, workers: int) -> None:
        # Workers are forked from this process where the platform allows: load the rules, the
        # queries and the references once here rather than in every worker. The contexts the
        # walk resolved so far go with them.
        warm_up()
        knowledge()
        _before_fork()
        _WORKER["inherited"] = self._resolver
        self._pool = ProcessPoolExecutor(
            workers, initializer=_init_worker, initargs=(self._options, None)
        )

    def _send(self) -> None:
        assert self._pool is not None
        while self._sent < len(self._files):
            chunk = self._files[self._sent : self._sent + CHUNK]
            self._chunks.append((chunk, self._pool.submit(_first_jobs, chunk)))
            self._sent += len(chunk)

    def finish(self, tell: Callable[[str, int, int | None], None]) -> list[FirstCheck]:
        """Every file's first check, in the order the files were added."""
        total = len(self._files)
        modules = DiskModules(self._resolver)
        if self._pool is None and self._jobs > 1 and total >= PARALLEL_THRESHOLD:
            self._start(min(self._jobs, total) - 1)
        if self._pool is None:
            first: list[FirstCheck] = []
            for path in self._files:
                first.append(_first_check(path, self._resolver, self._options, modules))
                tell("checking", len(first), total)
            return first
        self._send()

        def here(path: Path) -> FirstCheck:
            return _first_check(path, self._resolver, self._options, modules)

        return _shared_out(self._chunks, here, lambda n: tell("checking", n, total))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def check_paths(
    paths: list[Path],
    options: CheckOptions,
    jobs: int | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> list[FileOutcome]:
    """Check every file once against a speculative index (see cli/speculation.py), build the
    project's index from what the files define, then check again the few files for which the
    speculation was wrong."""
    resolver = ProjectResolver(_known_rules())
    tell = progress or (lambda stage, done, total: None)  # (cli/progress.py)
    jobs = min(jobs or os.cpu_count() or 1, MAX_JOBS)
    checking = _FirstPass(resolver, options, jobs)
    try:
        files, rejected, order = _discovered(paths, resolver, options, tell, checking.add)
        first = checking.finish(tell)
    finally:
        checking.close()
    parallel = checking.parallel
    index = PrefilteredIndex(set(rejected), _known_rules())
    for path, (_, entries, fan_outs, imports, module, _) in zip(files, first, strict=True):
        index.update(path, entries, imports=imports, module=module)
        index.update_fan_outs(path, fan_outs)
    index.complete_imports()
    index.complete = True
    outcomes = [outcome for outcome, *_ in first]
    again = [i for i, (*_, asked) in enumerate(first) if not answers_hold(index, asked)]
    work = [(files[i], outcomes[i]) for i in again]
    if parallel and len(again) >= PARALLEL_THRESHOLD:
        _before_fork()
        workers = min(jobs, len(work)) - 1
        pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(options, index))
        try:
            starts = range(0, len(work), CHUNK)
            sent = [
                (work[i : i + CHUNK], pool.submit(_again_jobs, work[i : i + CHUNK])) for i in starts
            ]

            def here(job: tuple[Path, FileOutcome]) -> FileOutcome:
                return check_again(job[0], resolver, options, index, job[1])

            redone = _shared_out(sent, here, lambda n: None)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        redone = [check_again(path, resolver, options, index, was) for path, was in work]
    for i, outcome in zip(again, redone, strict=True):
        outcome.fixed += outcomes[i].fixed  # fixes the first check already wrote
        outcomes[i] = outcome
    if rejected:  # nothing to report in them: back in discovery order, for the report
        outcomes = [outcomes[at] if isinstance(at, int) else FileOutcome(at) for at in order]
    return _config_errors(outcomes, resolver)


def _discovered(
    paths: list[Path],
    resolver: ProjectResolver,
    options: CheckOptions,
    tell: Callable[[str, int, int | None], None],
    found: Callable[[Path], None] = lambda path: None,
) -> tuple[list[Path], list[Path], list[int | Path]]:
    """The files to check, those the prefilter rejects unparsed (project/prefilter.py), and
    the order discovery gave them in (an index into the first list, or a rejected file). A file
    that cannot be read is checked, which reports why. `found` hears of each file to check as
    soon as it is known."""
    files: list[Path] = []
    rejected: list[Path] = []
    order: list[int | Path] = []
    prefilter = Prefilter() if options.prefilter else None
    # Absolute, so that the search for package.json, trigger.config and .trigger-lsp.yaml goes
    # above the current folder whatever the spelling (`src` and `$PWD/src` give one answer).
    roots = [Path(os.path.abspath(p)) for p in paths]
    for batch in discover_folders(roots, resolver, options.respect_gitignore):
        folder = batch.folder
        # (resolved here for every folder: _config_errors reads the contexts this process knows)
        project = resolver.context_for(folder / batch.names[0])
        kept = _kept(prefilter, batch, project) if prefilter is not None else None
        for at, name in enumerate(batch.names):
            path = folder / name
            if kept is None or kept[at]:
                order.append(len(files))
                files.append(path)
                found(path)
            else:
                order.append(path)
                rejected.append(path)
        tell("looking for files:", len(order), None)
    return files, rejected, order


def _kept(prefilter: Prefilter, batch: FolderFiles, project: ProjectContext) -> list[bool]:
    """For each file of one folder, whether it must be parsed. A task file is not read twice."""
    folder = batch.folder
    base = str(folder)
    kept: list[bool] = []
    for name in batch.names:
        if prefilter.by_place_in(folder, name, project, name in batch.links):
            kept.append(True)
            continue
        try:
            source = read_regular(os.path.join(base, name), MAX_FILE_BYTES)
        except (FileSkipped, OSError):
            kept.append(True)
            continue
        kept.append(prefilter.by_bytes(source))
    return kept


def _config_errors(outcomes: list[FileOutcome], resolver: ProjectResolver) -> list[FileOutcome]:
    """A broken .trigger-lsp.yaml is reported once, on the first file it governs."""
    if not any(context.lint.error for context in resolver.contexts()):
        return outcomes
    reported: set[Path] = set()
    for outcome in outcomes:
        lint = resolver.context_for(outcome.path).lint
        if lint.error and lint.path is not None and lint.path not in reported:
            reported.add(lint.path)
            outcome.errors.insert(0, f"config: {lint.error}; using the defaults")
    return outcomes
