"""SDK version numbers and npm version ranges, reduced to the lowest version a range allows."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"v?(\d{1,6})(?:\.(\d{1,6}|[xX*]))?(?:\.(\d{1,6}|[xX*]))?(?:-([0-9A-Za-z.-]{1,64}))?")
# Dist-tags that name a major line; `latest`, `next` and the like carry no version.
_TAG_MAJOR = re.compile(r"v(\d{1,3})(?:-[a-z]{1,16})?")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version | None:
        m = _VERSION.fullmatch(text.strip())
        if m is None:
            return None
        parts = [int(p) if p and p.isdigit() else 0 for p in m.groups()[:3]]
        return cls(*parts)

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        return (self.major, self.minor, self.patch) >= (major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


CURRENT = Version(4, 8, 3)  # assumed when nothing says otherwise (the current major)


def lowest_allowed(spec: str) -> Version | None:
    """The lowest version an npm range allows, or None when it names no version.

    Handles exact versions, `^`/`~`/`>=`/`=` ranges, `x` ranges, hyphen ranges, `||` unions,
    prereleases (`4.0.0-v4-beta.18`), `v4-beta`-style dist tags, `workspace:` and `npm:`
    aliases. Anything else (a URL, `latest`, `*`) gives None.
    """
    spec = spec.strip()
    if len(spec) > 256:
        return None
    if spec.startswith("workspace:"):
        spec = spec[len("workspace:") :]
    if spec.startswith("npm:"):
        spec = spec.rpartition("@")[2]
    if "||" in spec:
        found = [v for v in (lowest_allowed(part) for part in spec.split("||")) if v is not None]
        return min(found) if found else None
    tag = _TAG_MAJOR.fullmatch(spec)
    if tag is not None:
        return Version(int(tag.group(1)))
    if " - " in spec:
        spec = spec.split(" - ", 1)[0]
    for token in spec.split():
        token = token.lstrip("^~=v")
        if token.startswith(">="):
            token = token[2:].lstrip("=v ")
        elif token.startswith((">", "<")):
            continue  # a strict lower bound or an upper bound; keep looking for `>=`/exact
        version = Version.parse(token)
        if version is not None:
            return version
    return None


def ranges_can_meet(a: str, b: str) -> bool | None:
    """Whether two dependency specs can resolve to the same version.

    Only decides what is certain from the specs: two exact versions that differ, or specs whose
    majors differ under `^`/exact/`~` semantics. Returns None when either spec is not a version.
    """
    lo_a, lo_b = lowest_allowed(a), lowest_allowed(b)
    if lo_a is None or lo_b is None:
        return None
    hi_a, hi_b = _upper(a, lo_a), _upper(b, lo_b)
    return lo_a <= hi_b and lo_b <= hi_a


_MAX = Version(10**9)


def _upper(spec: str, low: Version) -> Version:
    """A conservative upper bound (inclusive) for the common spec shapes."""
    s = spec.strip()
    if s.startswith("workspace:"):
        s = s[len("workspace:") :]
    if "||" in s or " " in s.strip() or s.startswith((">", "<")) or s in ("", "*"):
        return _MAX
    if s.startswith("^"):
        if low.major > 0:
            return Version(low.major, 10**9, 10**9)
        return Version(0, low.minor, 10**9)
    if s.startswith("~"):
        return Version(low.major, low.minor, 10**9)
    m = _VERSION.fullmatch(s.lstrip("=v"))
    if m is None:
        return _MAX
    if m.group(2) is None or not m.group(2).isdigit():
        return Version(low.major, 10**9, 10**9)
    if m.group(3) is None or not m.group(3).isdigit():
        return Version(low.major, low.minor, 10**9)
    return low
