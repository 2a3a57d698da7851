"""Version parsing and npm range reasoning, on the spec shapes real package.json files use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trigger_lsp.project.versions import (
    CURRENT,
    Version,
    lowest_allowed,
    ranges_can_meet,
    spec_intervals,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("4.8.3", Version(4, 8, 3)),
        ("v4.8.3", Version(4, 8, 3)),
        ("=4.1.0", Version(4, 1, 0)),
        ("^4.1.0", Version(4, 1, 0)),
        ("~3.3.17", Version(3, 3, 17)),
        ("^3", Version(3)),
        ("4", Version(4)),
        ("4.x", Version(4)),
        ("4.1.x", Version(4, 1)),
        ("4.*", Version(4)),
        (">=4.2.0", Version(4, 2)),
        (">= 4.2.0 <5", Version(4, 2)),
        (">4.2.0", Version(4, 2, 1)),
        (">4", Version(5)),
        ("4.0.0 - 4.5.0", Version(4)),
        ("^3.3.0 || ^4.1.0", Version(3, 3)),
        ("^4.1.0 || ^3.3.0", Version(3, 3)),
        ("4.0.0-v4-beta.18", Version(4)),
        ("^4.0.0-beta.1", Version(4)),
        ("4.1.0+build.7", Version(4, 1)),
        ("v4-beta", Version(4)),
        ("v3", Version(3)),
        ("workspace:^4.1.0", Version(4, 1)),
        ("workspace:4.8.3", Version(4, 8, 3)),
        ("npm:@trigger.dev/sdk@4.2.0", Version(4, 2)),
        ("  ^4.3.1  ", Version(4, 3, 1)),
    ],
)
def test_lowest_allowed(spec: str, expected: Version) -> None:
    assert lowest_allowed(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "latest",
        "next",
        "beta",
        "*",
        "",
        "x",
        "workspace:*",
        "workspace:^",
        "workspace:~",
        "file:../sdk",
        "link:../sdk",
        "github:triggerdotdev/trigger.dev#v4.0.0",
        "git+https://github.com/triggerdotdev/trigger.dev.git",
        "https://example.com/sdk-4.1.0.tgz",
        "triggerdotdev/trigger.dev",
        "<5.0.0",
        ">5 <4",
        "npm:some-package",
        "^^4",
        "4.1.0.7",
        "x" * 1000,
    ],
)
def test_specs_without_a_version_give_none(spec: str) -> None:
    assert lowest_allowed(spec) is None


def test_version_parse_and_compare() -> None:
    assert Version.parse("4.8.3") == Version(4, 8, 3)
    assert Version.parse("3.3.17-beta.1") == Version(3, 3, 17)
    assert Version.parse("not a version") is None
    assert Version(4, 7) > Version(4, 6, 9)
    assert Version(4, 7).at_least(4, 7)
    assert not Version(4, 6, 9).at_least(4, 7)
    assert str(Version(4, 1)) == "4.1.0"
    assert CURRENT.major == 4


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("4.3.0", "^4.1.0", True),
        ("4.8.3", "4.8.3", True),
        ("^4.1.0", "~4.3.2", True),
        ("3.3.17", "3.3.12", False),
        ("^3", "^4", False),
        ("^3.3.0", "4.0.0", False),
        ("~4.1.0", "4.2.0", False),
        ("4.x", "4.8.3", True),
        ("4.1", "4.2.0", False),
        (">=4 <4.5", "4.4.9", True),
        (">=4 <4.5", "4.5.0", False),
        ("4.0.0 - 4.2.0", "4.2.0", True),
        ("4.0.0 - 4.2", "4.2.9", True),
        ("4.0.0 - 4.2", "4.3.0", False),
        ("^3 || ^4", "4.1.0", True),
        ("4.0.0-v4-beta.18", "4.0.0-v4-beta.18", True),
        ("4.0.0-v4-beta.18", "4.0.0-v4-beta.20", False),
        ("^4.0.0-v4-beta.18", "4.0.0-v4-beta.20", True),
        ("^4.0.0", "4.0.0-v4-beta.18", False),
        ("^0.2.1", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        ("*", "4.1.0", True),
        ("workspace:*", "4.1.0", True),
    ],
)
def test_ranges_can_meet(a: str, b: str, expected: bool) -> None:
    assert ranges_can_meet(a, b) is expected
    assert ranges_can_meet(b, a) is expected


@pytest.mark.parametrize("other", ["latest", "file:../sdk", "workspace:^", "garbage!!"])
def test_ranges_can_meet_is_undecided_without_versions(other: str) -> None:
    assert ranges_can_meet("4.1.0", other) is None


_spec_chars = st.sampled_from([*"0123456789.xX*^~<>=|- vVab:@/+", "||", " - ", "workspace:"])
_specs = st.one_of(st.text(max_size=40), st.lists(_spec_chars, max_size=20).map("".join))


@settings(max_examples=600, deadline=None)
@given(_specs)
def test_lowest_allowed_never_raises(spec: str) -> None:
    result = lowest_allowed(spec)
    assert result is None or isinstance(result, Version)
    spec_intervals(spec)


@settings(max_examples=300, deadline=None)
@given(_specs, _specs)
def test_ranges_can_meet_never_raises(a: str, b: str) -> None:
    assert ranges_can_meet(a, b) in (True, False, None)


_versions = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)).map(
    lambda t: Version(*t)
)


@settings(max_examples=200, deadline=None)
@given(_versions, st.sampled_from(["", "^", "~", ">=", "="]))
def test_lowest_of_a_simple_range_is_its_version(version: Version, op: str) -> None:
    assert lowest_allowed(f"{op}{version}") == version
    assert ranges_can_meet(f"{op}{version}", str(version)) is True


@settings(max_examples=200, deadline=None)
@given(_versions, _versions)
def test_exact_versions_meet_only_when_equal(a: Version, b: Version) -> None:
    assert ranges_can_meet(str(a), str(b)) is (a == b)
