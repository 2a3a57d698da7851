"""Which files git ignores: `.gitignore` files (at any depth) and `.git/info/exclude`.

`check` and the server's workspace index leave out what the repository leaves out (build output,
generated code, scratch folders), as Ruff and ripgrep do; `--no-ignore` (or
`respect-gitignore: false` in .trigger-lsp.yaml) turns this off. The rules are git's: the
`.gitignore` of a folder applies to what is below it, a deeper file's patterns win over a
shallower one's, the last matching pattern of a file decides (`!` re-includes), and nothing below
an ignored folder comes back. The `.gitignore` files above the walked folder count up to the
top of the repository (the folder holding `.git`); with no repository above, only those at and
below the walked folder. A global excludes file (core.excludesFile) is not read: it is each
user's, and the same command must give the same answer on every machine.

Patterns are matched by `pathspec` (git's wildmatch rules, pure Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec
from pathspec.util import NORMALIZE_PATH_SEPS, normalize_file

from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.lint_config import CONFIG_NAME
from trigger_lsp.project.reading import FileSkipped, read_regular

MAX_IGNORE_BYTES = 1_000_000  # a larger .gitignore is not one written by hand: not read


@dataclass(frozen=True)
class _Spec:
    """One ignore file's patterns, and one regular expression that matches a path when any of
    them does (None when it cannot be built): most paths match no pattern, and one search says
    so at the cost of one of pathspec's per-pattern searches."""

    spec: GitIgnoreSpec
    any_pattern: re.Pattern[str] | None

    def check(self, path: str) -> bool | None:
        """True: ignored, False: re-included, None: no pattern decides."""
        if _NORMALIZED_SEPARATORS or path.startswith(("/", "./")):
            path = normalize_file(path)  # (else it would give the path back as it is)
        if self.any_pattern is not None and self.any_pattern.search(path) is None:
            return None
        return self.spec.check_file(path).include


_NORMALIZED_SEPARATORS = bool(NORMALIZE_PATH_SEPS)  # (none on POSIX: `/` is the separator)
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")


def _any_pattern(spec: GitIgnoreSpec) -> re.Pattern[str] | None:
    """The union of the spec's patterns (pathspec's regexes, their named groups unnamed);
    None when one is not a plain regex or the union does not compile."""
    parts: list[str] = []
    for pattern in spec.patterns:
        if pattern.include is None:
            continue  # (a comment or a blank line: pathspec skips it too)
        regex = getattr(pattern, "regex", None)
        if not isinstance(regex, re.Pattern) or not isinstance(regex.pattern, str):
            return None
        if "(?P=" in regex.pattern or regex.flags != re.UNICODE:
            return None
        parts.append(f"(?:{_NAMED_GROUP.sub('(?:', regex.pattern)})")
    try:
        return re.compile("|".join(parts)) if parts else None
    except re.error:
        return None


def _spec(path: Path) -> _Spec | None:
    try:
        text = read_regular(path, MAX_IGNORE_BYTES).decode("utf-8", "replace")
    except (FileSkipped, OSError):
        return None
    try:
        spec = GitIgnoreSpec.from_lines(text.splitlines())
    except Exception:  # a pattern pathspec cannot compile: the file is left out, as a whole
        return None
    return _Spec(spec, _any_pattern(spec)) if spec.patterns else None


def repository_top(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds `.git` (a folder, or a worktree's file)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


class GitIgnore:
    """The ignore rules that apply below one walked folder. Call `enter(folder)` for each folder
    as the walk reaches it (its .gitignore is read then), and `keep` to filter its entries."""

    def __init__(self, root: Path) -> None:
        root = Path(root).absolute()
        self._specs: dict[Path, _Spec | None] = {}
        self._exclude: tuple[Path, _Spec] | None = None
        top = repository_top(root)
        if top is not None:
            for folder in (root, *root.parents):  # the .gitignore files above `root`, to `top`
                self.enter(folder)
                if folder == top:
                    break
            info = _spec(top / ".git" / "info" / "exclude") if (top / ".git").is_dir() else None
            if info is not None:
                self._exclude = (top, info)

    def enter(self, folder: Path) -> None:
        if folder not in self._specs:
            self._specs[folder] = _spec(folder / ".gitignore")

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether git ignores `path` (whose folder was entered), its folders being kept."""
        return _decide(self._rules_for(path.parent), path.name + ("/" if is_dir else ""))

    def keep(self, folder: Path, dirnames: list[str], filenames: list[str]) -> None:
        """Remove from the walk's lists (in place) the entries of `folder` that git ignores."""
        self.enter(folder)
        rules = self._rules_for(folder)
        if not rules:
            return
        dirnames[:] = [d for d in dirnames if not _decide(rules, d + "/")]
        filenames[:] = [f for f in filenames if not _decide(rules, f)]

    def _rules_for(self, folder: Path) -> list[tuple[_Spec, str]]:
        """The specs that apply in `folder`, deepest first, each with the folder's path relative
        to the spec's folder (a prefix for the entries' names)."""
        rules: list[tuple[_Spec, str]] = []
        prefix = ""
        here = folder
        while here in self._specs:
            spec = self._specs[here]
            if spec is not None:
                rules.append((spec, prefix))
            if here.parent == here:
                break
            prefix = f"{here.name}/{prefix}"
            here = here.parent
        if self._exclude is not None:
            top, spec = self._exclude
            try:
                rel = folder.relative_to(top).as_posix()
            except ValueError:
                return rules
            rules.append((spec, "" if rel == "." else rel + "/"))
        return rules


def _decide(rules: list[tuple[_Spec, str]], name: str) -> bool:
    for spec, prefix in rules:
        decided = spec.check(prefix + name)
        if decided is not None:
            return decided
    return False


def gitignore_for(root: Path, resolver: ProjectResolver) -> GitIgnore | None:
    """The ignore rules for a walk from `root`; None when the `.trigger-lsp.yaml` governing
    `root` says `respect-gitignore: false`."""
    lint = resolver.context_for(Path(root) / CONFIG_NAME).lint
    return GitIgnore(root) if lint.respect_gitignore else None
