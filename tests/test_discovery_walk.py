"""The fast paths of `check`'s walk over a large repository (issue 19): each must answer exactly
as the plain way it replaces (os.walk and a check per file, pathspec's per-pattern matching, one
byte search per token, reading until the end of the file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec import GitIgnoreSpec

from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.discovery import checkable, dirs_to_walk, discover
from trigger_lsp.project.ignore import _any_pattern, _Spec
from trigger_lsp.project.paths import resolved
from trigger_lsp.project.prefilter import TOKENS, Prefilter, mentions_trigger
from trigger_lsp.project.reading import read_regular

FILES = {
    "package.json": "{}",
    "trigger.config.ts": 'export default { project: "p", dirs: ["./src/jobs"] };\n',
    "src/jobs/a.ts": "export const a = 1;\n",
    "src/jobs/deep/b.tsx": "export const b = 1;\n",
    "src/app/c.ts": "export const c = 1;\n",
    "src/app/types.d.ts": "export type T = 1;\n",
    "src/app/README.md": "# no\n",
    "src/jobs.ts": "export const named = 1;\n",  # named like a `dirs` entry, outside it
    "node_modules/pkg/index.js": "module.exports = 1;\n",
    ".hidden/x.ts": "export const x = 1;\n",
    "dist/out.js": "1;\n",
    "lib/Z.mts": "export const z = 1;\n",
    "lib/y.ts": "export const y = 1;\n",
}


def _tree(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "linked-folder").symlink_to(root / "src", target_is_directory=True)  # not followed
    (root / "lib" / "again.ts").symlink_to(root / "lib" / "y.ts")  # y.ts by another name
    (root / "src" / "app" / "job-link.ts").symlink_to(root / "src" / "jobs" / "a.ts")
    (root / "src" / "app" / "dangling.ts").symlink_to(root / "nowhere.ts")
    return root


def _walked_the_plain_way(root: Path) -> list[Path]:
    """What discovery gave before it read folders with os.scandir (no ignore files here)."""
    seen: set[Path] = set()
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = dirs_to_walk(dirnames)
        for name in sorted(n for n in filenames if checkable(n)):
            file = here / name
            key = resolved(file) if os.path.islink(file) else resolved(here) / name
            if key not in seen:
                seen.add(key)
                out.append(file)
    return out


def test_the_walk_finds_what_os_walk_found_in_the_same_order(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    found = list(discover([root], ProjectResolver()))
    assert found == _walked_the_plain_way(root)
    names = {p.relative_to(root).as_posix() for p in found}
    assert "lib/again.ts" not in names or "lib/y.ts" not in names  # one file, checked once
    assert "src/app/dangling.ts" in names  # (checking it says it cannot be read)
    assert not any(
        n.startswith(("node_modules", ".hidden", "dist", "linked-folder")) for n in names
    )


def test_a_file_named_twice_is_found_once(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    file = root / "src" / "app" / "c.ts"
    assert list(discover([file, root / "src" / "app", file], ProjectResolver())).count(file) == 1


def test_the_place_of_a_file_is_judged_per_folder_as_per_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    resolver = ProjectResolver()
    per_file, per_folder = Prefilter(), Prefilter()
    files = list(discover([root], resolver))
    for path in files:
        project = resolver.context_for(path)
        config = project.config
        alone = (
            path.name in ("package.json", "trigger.config.ts")
            or (config is not None and not config.dirs_known)
            or project.in_trigger_dir(path)
        )
        assert per_file.by_place(path, project) == alone, path
        link = os.path.islink(path)
        assert per_folder.by_place_in(path.parent, path.name, project, link) == alone, path
    placed = {
        p.relative_to(root).as_posix()
        for p in files
        if per_file.by_place(p, resolver.context_for(p))
    }
    # The config and manifest, the task folder's files and the link into it (found first, so
    # src/jobs/a.ts itself is not found again); not the others.
    assert placed == {
        "package.json",
        "trigger.config.ts",
        "src/jobs/deep/b.tsx",
        "src/app/job-link.ts",
    }


# --- the byte search ---------------------------------------------------------------------------

PIECES = [
    *TOKENS,
    b"trig",
    b"Trigger",
    b"tr_",
    b"tr_x_",
    b"_dev_",
    b"define",
    b"Job",
    b"\x00",
    b"x",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=6))
def test_the_byte_search_finds_a_token_exactly_when_one_is_there(pieces: list[bytes]) -> None:
    source = b" ".join(pieces) + b"".join(pieces)
    assert mentions_trigger(source) == any(token in source for token in TOKENS)


# --- .gitignore: one search for "no pattern matches" -------------------------------------------

PATTERN_PARTS = ["a", "b", "lib", "*", "**", "?", "[ab]", "[!a]", ".log", "x.ts", "out", "\\#"]


@st.composite
def _patterns(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        parts = draw(st.lists(st.sampled_from(PATTERN_PARTS), min_size=1, max_size=3))
        line = "/".join(parts)
        line = draw(st.sampled_from(["", "/", "!", "# "])) + line
        line += draw(st.sampled_from(["", "/"]))
        lines.append(line)
    return lines


PATH_PARTS = ["a", "b", "lib", "out", "x.ts", "y.log", "ab", "ba", "#", "c.d"]


@settings(max_examples=200, deadline=None)
@given(
    _patterns(), st.lists(st.lists(st.sampled_from(PATH_PARTS), min_size=1, max_size=4), max_size=8)
)
def test_one_search_decides_as_pathspec_does(lines: list[str], paths: list[list[str]]) -> None:
    spec = GitIgnoreSpec.from_lines(lines)
    fast = _Spec(spec, _any_pattern(spec))
    for parts in paths:
        for path in ("/".join(parts), "/".join(parts) + "/"):
            assert fast.check(path) == spec.check_file(path).include, (lines, path)


def test_the_union_is_built_for_ordinary_ignore_files() -> None:
    spec = GitIgnoreSpec.from_lines(
        ["node_modules/", "/apps/out/", "packages/*/lib/", "*.log", "!a.log"]
    )
    union = _any_pattern(spec)
    assert union is not None
    assert union.search("packages/x/lib/") and not union.search("src/index.ts")


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000, 300_000])
def test_a_file_is_read_whole_whatever_its_size(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    (tmp_path / "f.ts").write_bytes(data)
    assert read_regular(tmp_path / "f.ts", 1 << 20) == data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_file_whose_size_says_zero_is_still_read() -> None:
    assert b"Name:" in read_regular("/proc/self/status", 1 << 20)


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_broken_config_is_reported_on_a_file_named_alone(tmp_path: Path, prefilter: bool) -> None:
    """_config_errors reads the contexts discovery resolved: a named file's too."""
    from trigger_lsp.cli.runner import CheckOptions, check_paths

    (tmp_path / ".trigger-lsp.yaml").write_text("rules: [oops\n")
    (tmp_path / "a.ts").write_text("export const a = 1;\n")
    (outcome,) = check_paths([tmp_path / "a.ts"], CheckOptions({}, prefilter=prefilter))
    assert [e for e in outcome.errors if "using the defaults" in e], outcome.errors
