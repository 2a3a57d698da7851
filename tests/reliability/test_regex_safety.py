"""Every regular expression that sees user input stays linear on adversarial input.

These are safety bounds, not speed targets: each bound is far above the linear-time cost (a few
milliseconds), so only catastrophic backtracking can exceed it.
"""

from __future__ import annotations

import time
from pathlib import PurePosixPath

import pytest

from trigger_lsp.project import lint_config, versions
from trigger_lsp.rules import env, imports, waits

BOUND_S = 2.0
N = 100_000

ADVERSARIAL = [
    "a" * N,
    "1" * N,
    "1." * (N // 2),
    "-" * N,
    " " * N + "x",
    "1 - " * (N // 4),
    "v" + "9" * N,
    "tr_dev_" + "a" * N,
    "tr_" * (N // 3),
    "_" * N,
    "x" * N + "!",
    "ab" * (N // 2),
    "\t " * (N // 2) + "-",
    "4.0.0-" + "a." * (N // 2),
]


def _bounded(fn) -> None:
    start = time.perf_counter()
    fn()
    assert time.perf_counter() - start < BOUND_S


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_version_patterns(text: str) -> None:
    # The version patterns only ever see one dependency spec, cut at MAX_SPEC_LENGTH, and are
    # applied with fullmatch (finditer for comparators); test them as they are used.
    spec = text[: versions.MAX_SPEC_LENGTH]
    for pattern in (versions._VERSION, versions._TAG_MAJOR, versions._COMPARATOR, versions._HYPHEN):
        _bounded(lambda p=pattern: p.fullmatch(spec))
    _bounded(lambda: list(versions._COMPARATOR.finditer(spec)))
    _bounded(lambda: versions.lowest_allowed(text))
    _bounded(lambda: versions.Version.parse(text))


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_rule_patterns(text: str) -> None:
    for pattern in (imports._KEY, env._VALIDATING_CALL, env._CONFIG_FILE, waits._TEST_FILE):
        _bounded(lambda p=pattern: list(p.finditer(text)))


@pytest.mark.parametrize(
    "glob", ["**/" * 50 + "x", "*" * 200, "?*" * 100, "a/**/b/**/c/**/d/**/e/**/" * 5 + "z"]
)
def test_glob_patterns(glob: str) -> None:
    path = PurePosixPath("/".join(["a"] * 200 + ["b" * 1000]))
    _bounded(lambda: lint_config.glob_match(glob, path))
