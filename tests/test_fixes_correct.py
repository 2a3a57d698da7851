"""Fixes leave correct code (issue 16): every fix, safe and unsafe, of every finding in the
realistic projects under tests/ (the labelled corpus, the version and layout projects, the demo in
examples/ and the fix fixtures in tests/fixes/) is applied on its own to a copy of its project,
and then

- the file still parses (no more tree-sitter ERROR or MISSING nodes than before);
- the project's check (default profile) raises no finding of any rule that was not there before;
- `tsc --noEmit` (against @trigger.dev/sdk 4.8.3 in the scratch project tests/tsc/setup.sh
  installs) reports no error in the file that it did not report before the fix: a file that
  type-checked still does (many rules find what is also a type error; their fixes remove it).

All fixes at once (`check --fix --unsafe-fixes`) are checked the same way. The fixtures must
hold a fix of every rule whose section in references/validations.md declares one.

The type-check is skipped without Node or the scratch folder, unless TRIGGER_LSP_REQUIRE_TSC=1
(set in CI by .ci/run), which makes that a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import tree_sitter as ts

from test_snippets_tsc import installed_sdk, scratch_dir, unavailable
from trigger_lsp.analysis.syntax import grammar_for, is_source_path, parse
from trigger_lsp.cli.runner import CheckOptions, FileOutcome, check_paths
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.knowledge.model import FixSafety
from trigger_lsp.lint.engine import Finding
from trigger_lsp.lint.fixes import apply_fixes

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# Folders of realistic projects, copied whole (a fix is checked in its own project).
SOURCES = {
    "examples": REPO / "examples",
    "corpus": TESTS / "corpus",
    "projects": TESTS / "projects",
    "fixes": TESTS / "fixes",
}
ALL_SAFETIES = {FixSafety.SAFE, FixSafety.UNSAFE}
SDK_VERSION = "4.8.3"
# trigger init's compiler options (examples/tsconfig.json): the task files are bundled.
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022",
        "lib": ["ES2022"],
        "module": "ESNext",
        "moduleResolution": "Bundler",
        "types": ["node"],
        "strict": True,
        "noEmit": True,
        "esModuleInterop": True,
        "skipLibCheck": True,
        "isolatedModules": True,
        "resolveJsonModule": True,
    },
    "include": ["**/*.ts"],
}

Key = tuple[str, str, str]  # (file, rule, message)


@dataclass(frozen=True)
class Applied:
    """One fix applied on its own: where, and the project folder holding the result."""

    name: str  # a readable label for failure messages
    rule: str
    file: str  # relative to the copy's root
    safety: FixSafety
    title: str


def _check(root: Path, fix: bool = False) -> list[FileOutcome]:
    options = CheckOptions(cli_levels={}, fix=fix, unsafe_fixes=fix, roots=(root,))
    return check_paths([root], options, jobs=1)


def _keys(root: Path, outcomes: list[FileOutcome]) -> Counter[Key]:
    return Counter(
        (str(o.path.relative_to(root)), loc.finding.rule, loc.finding.message)
        for o in outcomes
        for loc in o.located
    )


def _errors(tree: ts.Tree) -> int:
    """ERROR and MISSING nodes in a tree."""
    count = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


def _tree_errors(path: Path, source: bytes) -> int:
    return _errors(parse(source, grammar_for(path.name)))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fixes")
    for name, folder in SOURCES.items():
        # Installed SDKs (node_modules in tests/corpus) are part of how versions resolve.
        shutil.copytree(folder, root / name, symlinks=True)
    return root


@dataclass
class FixRun:
    applied: list[Applied]
    problems: list[str]
    # file label -> (source before, source after) for the type-check
    variants: dict[str, tuple[Path, str, bytes, bytes]]


@pytest.fixture(scope="module")
def fix_run(workspace: Path) -> FixRun:
    """Apply each fix on its own, check the project again, put the file back."""
    applied: list[Applied] = []
    problems: list[str] = []
    variants: dict[str, tuple[Path, str, bytes, bytes]] = {}
    for folder in sorted(p for p in workspace.iterdir() if p.is_dir()):
        outcomes = _check(folder)
        for outcome in outcomes:
            fixable = [loc.finding for loc in outcome.located if loc.finding.fix is not None]
            if not fixable:
                continue
            path = outcome.path
            project = _project_root(path, folder)
            before_keys = _keys(workspace, _check(project))
            original = path.read_bytes()
            errors_before = _tree_errors(path, original)
            for n, finding in enumerate(fixable):
                assert finding.fix is not None
                label = f"{path.relative_to(workspace)}:{finding.start[0] + 1} {finding.rule}"
                out, count = apply_fixes(original, [finding], ALL_SAFETIES)
                if count != 1:
                    problems.append(f"{label}: the fix was not applied")
                    continue
                applied.append(
                    Applied(
                        label,
                        finding.rule,
                        str(path.relative_to(workspace)),
                        finding.fix.safety or FixSafety.SAFE,
                        finding.fix.title or "",
                    )
                )
                problems.extend(_judge(label, path, workspace, project, out, before_keys, finding))
                if _tree_errors(path, out) > errors_before:
                    problems.append(f"{label}: the fixed file has new syntax errors:\n{out!r}")
                variants[f"{label}#{n}"] = (path, str(path.relative_to(workspace)), original, out)
                path.write_bytes(original)
    return FixRun(applied, problems, variants)


def _project_root(path: Path, top: Path) -> Path:
    """The nearest folder above `path` with a package.json (or the copied folder)."""
    for parent in path.parents:
        if (parent / "package.json").is_file():
            return parent
        if parent == top:
            break
    return top


def _judge(
    label: str,
    path: Path,
    workspace: Path,
    project: Path,
    fixed: bytes,
    before: Counter[Key],
    finding: Finding,
) -> list[str]:
    path.write_bytes(fixed)
    after = _keys(workspace, _check(project))
    new = after - before
    problems = []
    if new:
        shown = "\n  ".join(f"{f}: {r}: {m}" for (f, r, m), _ in new.items())
        problems.append(f"{label}: the fix raised new findings:\n  {shown}\n{fixed.decode()}")
    gone = before - after
    if not any(rule == finding.rule for (_, rule, _), _ in gone.items()):
        problems.append(f"{label}: the finding the fix is for is still there")
    return problems


def test_every_fix_parses_and_raises_no_new_finding(fix_run: FixRun) -> None:
    assert fix_run.problems == [], "\n\n".join(fix_run.problems)


def test_the_fixtures_hold_a_fix_of_every_fixable_rule(fix_run: FixRun) -> None:
    fixable = {rule_id for rule_id, r in knowledge().rules.items() if r.fix.value != "none"}
    covered = {a.rule for a in fix_run.applied}
    assert fixable - covered == set(), "add a fixture under tests/fixes/ for these rules"
    # Both safeties are exercised.
    assert {a.safety for a in fix_run.applied} == ALL_SAFETIES


def test_unsafe_fix_titles_say_what_changes(fix_run: FixRun) -> None:
    """An unsafe fix changes what the code does: its title says so, beyond naming the edit."""
    for rule_id, rule in knowledge().rules.items():
        if rule.fix.value != "unsafe":
            continue
        title = rule.fix_title or ""
        assert " (" in title or " so " in title or " and " in title, (rule_id, title)


def test_all_fixes_at_once(workspace: Path, tmp_path: Path) -> None:
    """`check --fix --unsafe-fixes` over every project: no new finding, no new syntax error."""
    copy = tmp_path / "all"
    shutil.copytree(workspace, copy, symlinks=True)
    before = _keys(copy, _check(copy))
    sources = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file() and is_source_path(p)}
    sources = {p: s for p, s in sources.items() if "node_modules" not in p.parts}
    _check(copy, fix=True)
    after = _keys(copy, _check(copy))
    assert after - before == Counter()
    changed = [p for p, s in sources.items() if p.read_bytes() != s]
    assert changed
    for path in changed:
        assert _tree_errors(path, path.read_bytes()) <= _tree_errors(path, sources[path]), path


# --- the type-check ---------------------------------------------------------------------------


def _tsc_errors(project: Path) -> dict[str, list[str]]:
    """tsc's errors by file (relative to `project`)."""
    node = shutil.which("node")
    assert node is not None
    tsc = scratch_dir() / "node_modules" / "typescript" / "bin" / "tsc"
    (project / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
    result = subprocess.run(
        [node, str(tsc), "-p", str(project / "tsconfig.json"), "--pretty", "false"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    errors: dict[str, list[str]] = {}
    for line in (result.stdout + result.stderr).splitlines():
        if ": error TS" in line and "(" in line:
            errors.setdefault(line.split("(", 1)[0], []).append(line)
    return errors


def _message(line: str) -> str:
    """A tsc error without its file and position (lines move when a fix adds some)."""
    return line.split("): ", 1)[-1]


def test_fixes_raise_no_new_type_error(workspace: Path, fix_run: FixRun) -> None:
    if shutil.which("node") is None:
        unavailable("node is not installed")
    scratch = scratch_dir()
    if not (scratch / "node_modules" / "typescript" / "bin" / "tsc").is_file():
        unavailable(f"no TypeScript in {scratch}")
    if installed_sdk(scratch) != SDK_VERSION:
        unavailable(f"{scratch} does not hold @trigger.dev/sdk {SDK_VERSION}")
    # Inside the scratch folder, so that module resolution finds its node_modules. Each variant
    # is its project with the one fixed file; the original projects sit in `before/`.
    project = Path(tempfile.mkdtemp(prefix="fixes-", dir=scratch))
    try:
        sources = [p for p in workspace.rglob("*.ts") if "node_modules" not in p.parts]
        for source in sources:
            target = project / "before" / source.relative_to(workspace)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
        # Only the fixed file changes: a variant holds it and the files it may import (its
        # project's other sources), under its own folder.
        placed: dict[str, str] = {}
        for n, (label, (path, rel, _, fixed)) in enumerate(sorted(fix_run.variants.items())):
            home = _project_root(path, workspace)
            variant = project / f"v{n}"
            for source in sources:
                if home in source.parents:
                    target = variant / source.relative_to(workspace)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(source, target)
            (variant / rel).write_bytes(fixed)
            placed[label] = f"v{n}/{rel}"
        errors = _tsc_errors(project)
        clean = []
        broken = []
        for label, rel in placed.items():
            before = Counter(
                _message(e) for e in errors.get("before/" + fix_run.variants[label][1], [])
            )
            after = Counter(_message(e) for e in errors.get(rel, []))
            if not before:
                clean.append(label)
            new = after - before
            if new:
                broken.append(f"{label}: new type errors:\n  " + "\n  ".join(errors[rel]))
        assert broken == [], "\n".join(broken)
        # The fixtures are written to type-check where the rule's mistake is not itself a type
        # error: those fixes are checked on files that were clean before.
        rules = {label.split(" ")[1].split("#")[0] for label in clean}
        assert {"parallel-waits", "hardcoded-secret-key", "unawaited-trigger"} <= rules, clean
        assert len(placed) >= 30 and len(clean) >= 10, (len(placed), clean)
    finally:
        shutil.rmtree(project, ignore_errors=True)
