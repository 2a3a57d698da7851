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

from pathlib import Path

from pathspec import GitIgnoreSpec

from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.lint_config import CONFIG_NAME
from trigger_lsp.project.reading import FileSkipped, read_regular

MAX_IGNORE_BYTES = 1_000_000  # a larger .gitignore is not one written by hand: not read


def _spec(path: Path) -> GitIgnoreSpec | None:
    try:
        text = read_regular(path, MAX_IGNORE_BYTES).decode("utf-8", "replace")
    except (FileSkipped, OSError):
        return None
    try:
        spec = GitIgnoreSpec.from_lines(text.splitlines())
    except Exception:  # a pattern pathspec cannot compile: the file is left out, as a whole
        return None
    return spec if spec.patterns else None


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
        self._specs: dict[Path, GitIgnoreSpec | None] = {}
        self._exclude: tuple[Path, GitIgnoreSpec] | None = None
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

    def _rules_for(self, folder: Path) -> list[tuple[GitIgnoreSpec, str]]:
        """The specs that apply in `folder`, deepest first, each with the folder's path relative
        to the spec's folder (a prefix for the entries' names)."""
        rules: list[tuple[GitIgnoreSpec, str]] = []
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


def _decide(rules: list[tuple[GitIgnoreSpec, str]], name: str) -> bool:
    for spec, prefix in rules:
        decided = spec.check_file(prefix + name).include
        if decided is not None:
            return decided
    return False


def gitignore_for(root: Path, resolver: ProjectResolver) -> GitIgnore | None:
    """The ignore rules for a walk from `root`; None when the `.trigger-lsp.yaml` governing
    `root` says `respect-gitignore: false`."""
    lint = resolver.context_for(Path(root) / CONFIG_NAME).lint
    return GitIgnore(root) if lint.respect_gitignore else None
