"""SDK version numbers and npm version ranges: the lowest version a range allows, and whether
two ranges can meet.

Every function here takes text straight from a user's package.json, so none of them raises:
anything that is not understood gives None and the caller falls back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"0|[1-9]\d{0,8}|\d{1,9}"
_VERSION = re.compile(
    rf"v?({_NUM})(?:\.({_NUM}|[xX*]))?(?:\.({_NUM}|[xX*]))?"
    r"(?:-([0-9A-Za-z-]{1,64}(?:\.[0-9A-Za-z-]{1,64}){0,16}))?(?:\+[0-9A-Za-z.-]{1,128})?",
    re.ASCII,
)
# Dist-tags that name a major line (`v4-beta`, `v3`); `latest`, `next` and the like carry none.
_TAG_MAJOR = re.compile(r"v(\d{1,3})(?:-[a-z]{1,16})?", re.ASCII)
_COMPARATOR = re.compile(r"(<=|>=|<|>|=|\^|~>|~)?\s*([^\s<>=^~]+)", re.ASCII)
_HYPHEN = re.compile(r"\s*(\S+)\s+-\s+(\S+)\s*", re.ASCII)
MAX_SPEC_LENGTH = 256


@dataclass(frozen=True, order=True)
class Version:
    """A release version; a prerelease (`4.0.0-v4-beta.18`) counts as its release numbers."""

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version | None:
        m = _VERSION.fullmatch(text.strip()) if len(text) <= MAX_SPEC_LENGTH else None
        if m is None:
            return None
        parts = [int(p) if p and p.isdigit() else 0 for p in m.groups()[:3]]
        return cls(*parts)

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        return (self.major, self.minor, self.patch) >= (major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


# The newest release the references were checked against. Never assumed for a project: a
# project whose version no source gives has an unknown version (see project/resolution.py).
CURRENT = Version(4, 8, 3)

# --- semver points and intervals -------------------------------------------------------------
# A point is (major, minor, patch, pre). `pre` is (1,) for a release and (0, *ids) for a
# prerelease, so every prerelease sorts below its release, and (0,) (written `-0` by npm) is
# the lowest version of a release line.
Ident = tuple[int, int] | tuple[int, str]
Point = tuple[int, int, int, tuple[int | Ident, ...]]
RELEASE: tuple[int | Ident, ...] = (1,)
LOWEST_PRE: tuple[int | Ident, ...] = (0,)


@dataclass(frozen=True)
class Interval:
    """A set of versions between two points; None means unbounded on that side."""

    low: Point | None
    low_inclusive: bool
    high: Point | None
    high_inclusive: bool

    def meets(self, other: Interval) -> bool:
        low, low_inc = _max_low(self, other)
        high, high_inc = _min_high(self, other)
        if low is None or high is None:
            return True
        return low < high or (low == high and low_inc and high_inc)


EVERYTHING = Interval(None, True, None, True)
NOTHING = Interval((0, 0, 0, RELEASE), False, (0, 0, 0, RELEASE), False)  # e.g. `>5 <4`


def _max_low(a: Interval, b: Interval) -> tuple[Point | None, bool]:
    if a.low is None:
        return b.low, b.low_inclusive
    if b.low is None or a.low > b.low:
        return a.low, a.low_inclusive
    if b.low > a.low:
        return b.low, b.low_inclusive
    return a.low, a.low_inclusive and b.low_inclusive


def _min_high(a: Interval, b: Interval) -> tuple[Point | None, bool]:
    if a.high is None:
        return b.high, b.high_inclusive
    if b.high is None or a.high < b.high:
        return a.high, a.high_inclusive
    if b.high < a.high:
        return b.high, b.high_inclusive
    return a.high, a.high_inclusive and b.high_inclusive


def _intersect(a: Interval, b: Interval) -> Interval | None:
    if not a.meets(b):
        return None
    low, low_inc = _max_low(a, b)
    high, high_inc = _min_high(a, b)
    return Interval(low, low_inc, high, high_inc)


@dataclass(frozen=True)
class _Partial:
    """A possibly incomplete version: `4`, `4.1`, `4.x`, `4.1.0-beta.2`."""

    major: int
    minor: int | None
    patch: int | None
    pre: tuple[int | Ident, ...]

    @property
    def complete(self) -> bool:
        return self.minor is not None and self.patch is not None

    def floor(self) -> Point:
        return (self.major, self.minor or 0, self.patch or 0, self.pre)

    def next_line(self) -> Point:
        """The first version above every version this partial stands for (`4.1` -> 4.2.0-0)."""
        if self.minor is None:
            return (self.major + 1, 0, 0, LOWEST_PRE)
        if self.patch is None:
            return (self.major, self.minor + 1, 0, LOWEST_PRE)
        return (self.major, self.minor, self.patch + 1, LOWEST_PRE)


def _partial(text: str) -> _Partial | None:
    m = _VERSION.fullmatch(text)
    if m is None:
        return None
    major, minor, patch, pre = m.groups()
    minor_n = int(minor) if minor is not None and minor.isdigit() else None
    patch_n = int(patch) if minor_n is not None and patch is not None and patch.isdigit() else None
    ids: tuple[int | Ident, ...] = RELEASE
    if pre is not None and patch_n is not None:
        ids = (0, *((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")))
    return _Partial(int(major), minor_n, patch_n, ids)


def _comparator(op: str, p: _Partial) -> Interval:
    floor = p.floor()
    if op in ("", "="):
        if p.complete:
            return Interval(floor, True, floor, True)
        return Interval(floor, True, p.next_line(), False)
    if op == "^":
        if p.major > 0 or p.minor is None:
            high = (p.major + 1, 0, 0, LOWEST_PRE)
        elif p.minor > 0 or p.patch is None:
            high = (0, p.minor + 1, 0, LOWEST_PRE)
        else:
            high = (0, 0, (p.patch or 0) + 1, LOWEST_PRE)
        return Interval(floor, True, high, False)
    if op in ("~", "~>"):
        if p.minor is None:
            return Interval(floor, True, (p.major + 1, 0, 0, LOWEST_PRE), False)
        return Interval(floor, True, (p.major, p.minor + 1, 0, LOWEST_PRE), False)
    if op == ">=":
        return Interval(floor, True, None, True)
    if op == ">":
        if p.complete:
            return Interval(floor, False, None, True)
        return Interval(p.next_line(), True, None, True)
    if op == "<":
        return Interval(None, True, floor if p.complete else (*floor[:3], LOWEST_PRE), False)
    # "<="
    if p.complete:
        return Interval(None, True, floor, True)
    return Interval(None, True, p.next_line(), False)


def _is_wildcard(token: str) -> bool:
    return token in ("*", "x", "X", "")


def _comparator_set(text: str) -> Interval | None:
    """One space-separated comparator set (or hyphen range); None when not understood."""
    hyphen = _HYPHEN.fullmatch(text)
    if hyphen is not None:
        start, end = hyphen.group(1), hyphen.group(2)
        low = EVERYTHING if _is_wildcard(start) else None
        high = EVERYTHING if _is_wildcard(end) else None
        if low is None:
            p = _partial(start)
            if p is None:
                return None
            low = _comparator(">=", p)
        if high is None:
            q = _partial(end)
            if q is None:
                return None
            high = _comparator("<=", q)
        return _intersect(low, high) or NOTHING
    result = EVERYTHING
    pos = 0
    for m in _COMPARATOR.finditer(text):
        if text[pos : m.start()].strip():
            return None
        pos = m.end()
        op, token = m.group(1) or "", m.group(2)
        if _is_wildcard(token):
            continue
        p = _partial(token)
        if p is None:
            return None
        meet = _intersect(result, _comparator(op, p))
        if meet is None:
            return NOTHING
        result = meet
    if text[pos:].strip():
        return None
    return result


def _strip_protocol(spec: str) -> str | None:
    """The range inside `workspace:` and `npm:` specs; None for URLs, paths and git specs."""
    spec = spec.strip()
    if spec.startswith("workspace:"):
        spec = spec[len("workspace:") :].strip()
        if spec in ("^", "~"):  # `workspace:^` means "the workspace's version": unknown here
            return None
    if spec.startswith("npm:"):
        name_at_range = spec[len("npm:") :]
        at = name_at_range.rfind("@")
        spec = name_at_range[at + 1 :] if at > 0 else ""
    if ":" in spec or "/" in spec or "#" in spec:
        return None
    return spec


def spec_intervals(spec: str) -> list[Interval] | None:
    """The versions an npm dependency spec allows, as a union of intervals; None when the spec
    names no version (a dist-tag, a URL, a path, `workspace:*` or garbage)."""
    if not isinstance(spec, str) or len(spec) > MAX_SPEC_LENGTH:
        return None
    inner = _strip_protocol(spec)
    if inner is None:
        return None
    if inner == "" and spec.strip().startswith(("workspace:", "npm:")):
        return None
    out = []
    for part in inner.split("||"):
        interval = _comparator_set(part.strip())
        if interval is None:
            return None
        out.append(interval)
    return out


def _release(point: Point) -> Version:
    return Version(point[0], point[1], point[2])


def lowest_allowed(spec: str) -> Version | None:
    """The lowest version an npm range allows, or None when it names no version.

    Handles exact versions, `^`/`~`/`>=`/`>`/`=` ranges, `x` ranges, hyphen ranges, `||`
    unions, prereleases (`4.0.0-v4-beta.18` gives 4.0.0), `v4-beta`-style dist tags (their
    major), `workspace:` and `npm:` aliases. Anything else (a URL, `latest`, `*`, an upper
    bound alone) gives None.
    """
    if not isinstance(spec, str) or len(spec) > MAX_SPEC_LENGTH:
        return None
    tag = _TAG_MAJOR.fullmatch(spec.strip())
    if tag is not None:
        return Version(int(tag.group(1)))
    intervals = spec_intervals(spec)
    if not intervals:
        return None
    lows = []
    for interval in intervals:
        if interval.low is None:
            continue
        if interval.high is not None and not interval.meets(interval):
            continue  # empty
        low = interval.low
        if not interval.low_inclusive and low[3] == RELEASE:
            low = (low[0], low[1], low[2] + 1, RELEASE)
        lows.append(low)
    return _release(min(lows)) if lows else None


def ranges_can_meet(a: str, b: str) -> bool | None:
    """Whether two dependency specs can resolve to one version; None when either spec names no
    version. Prerelease exclusion rules of npm are ignored, so the answer errs towards True."""
    ia, ib = spec_intervals(a), spec_intervals(b)
    if ia is None or ib is None:
        return None
    return any(x.meets(y) for x in ia for y in ib)
