"""The project's `.trigger-lsp.yaml`: rule profile and severities, include/exclude globs, SDK
version."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from trigger_lsp.paths import relative_parts
from trigger_lsp.project.reading import read_regular

CONFIG_NAME = ".trigger-lsp.yaml"
LEVELS = frozenset({"off", "on", "error", "warning", "info", "hint"})
PROFILES = ("recommended", "strict")
MAX_CONFIG_BYTES = 256_000


@dataclass(frozen=True)
class LintConfig:
    path: Path | None = None
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> level
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sdk_version: str | None = None
    error: str | None = None
    profile: str | None = None  # None: not chosen here

    @property
    def directory(self) -> Path | None:
        return self.path.parent if self.path else None

    def selects(self, path: Path) -> bool:
        """Whether include/exclude globs (relative to the config's folder) keep this file."""
        base = self.directory
        if base is None:
            return True
        parts = relative_parts(path, base)
        if parts is None:
            return True
        rel = PurePosixPath(*parts)
        if self.include and not any(glob_match(g, rel) for g in self.include):
            return False
        return not any(glob_match(g, rel) for g in self.exclude)


MAX_GLOB_SEGMENTS = 64


def _segments(glob: str) -> tuple[str, ...]:
    """Glob segments with runs of `**` folded into one (they mean the same)."""
    out: list[str] = []
    for seg in glob.split("/"):
        if seg in ("", "."):
            continue
        if seg == "**" and out and out[-1] == "**":
            continue
        out.append(seg)
    return tuple(out[:MAX_GLOB_SEGMENTS])


def _match_segments(globs: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Segment-wise glob matching: `**` matches zero or more folders, other segments use
    fnmatch on one folder name. Dynamic programming over (glob, path) positions, so the cost
    is bounded by their product whatever the pattern (no regex backtracking)."""
    n, m = len(globs), len(parts)
    # reach[j]: the first i globs can match the first j path parts.
    reach = [False] * (m + 1)
    reach[0] = True
    for seg in globs:
        nxt = [False] * (m + 1)
        if seg == "**":
            seen = False
            for j in range(m + 1):
                seen = seen or reach[j]
                nxt[j] = seen
        else:
            for j in range(m):
                if reach[j] and (parts[j] == seg or fnmatch.fnmatchcase(parts[j], seg)):
                    nxt[j + 1] = True
        reach = nxt
        if not any(reach):
            return False
    return reach[m] if n or m == 0 else False


def glob_match(glob: str, rel: PurePosixPath) -> bool:
    """Whether a path relative to the config's folder matches a glob; a pattern naming a
    folder (`legacy`, `src/old/`) also selects everything below it."""
    globs = _segments(glob.strip())
    if not globs:
        return False
    parts = tuple(p for p in rel.parts if p not in ("", "."))
    return any(_match_segments(globs, parts[:k]) for k in range(len(parts), 0, -1))


def find_lint_config(start: Path, stop: Path | None = None) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if stop is not None and directory == stop:
            break
    return None


def read_lint_config(path: Path, known_rules: frozenset[str] | None = None) -> LintConfig:
    """Read the config; on any problem return defaults with `error` set to one clear message."""
    import yaml  # not at import time: the server answers `initialize` without it

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
        data = yaml.safe_load(raw)
        if isinstance(data, dict) and isinstance(data.get("sdk-version"), float):
            data["sdk-version"] = _raw_scalar(raw, "sdk-version") or data["sdk-version"]
    except OSError as exc:
        return LintConfig(path, error=f"{path}: cannot read: {exc.strerror}")
    except UnicodeDecodeError:
        return LintConfig(path, error=f"{path}: not UTF-8 text")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        return LintConfig(path, error=f"{path}{where}: invalid YAML: {problem}")
    except RecursionError:
        return LintConfig(path, error=f"{path}: invalid YAML: nested too deeply")
    return parse_lint_config(path, data, known_rules)


def _raw_scalar(raw: str, key: str) -> str | None:
    """The text of a top-level scalar as written: YAML reads `sdk-version: 3.10` as the float
    3.1, which is not the version the user meant."""
    import yaml

    node = yaml.compose(raw)
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
            return str(value_node.value)
    return None


def parse_lint_config(
    path: Path | None, data: object, known_rules: frozenset[str] | None = None
) -> LintConfig:
    where = str(path) if path else "settings"
    if data is None:
        return LintConfig(path)
    if not isinstance(data, dict):
        return LintConfig(path, error=f"{where}: the top level must be a mapping")
    unknown = set(data) - {"profile", "rules", "include", "exclude", "sdk-version"}
    if unknown:
        return LintConfig(path, error=f"{where}: unknown key '{sorted(unknown)[0]}'")
    profile = data.get("profile")
    if profile is not None and profile not in PROFILES:
        return LintConfig(
            path, error=f"{where}: 'profile' is {profile!r}; use recommended or strict"
        )
    rules_raw = data.get("rules") or {}
    if not isinstance(rules_raw, dict):
        return LintConfig(path, error=f"{where}: 'rules' must map rule ids to a level")
    rules: dict[str, str] = {}
    for rule_id, level in rules_raw.items():
        level = {True: "on", False: "off"}.get(level, level) if isinstance(level, bool) else level
        if not isinstance(level, str) or level not in LEVELS:
            return LintConfig(
                path,
                error=f"{where}: rule '{rule_id}' has level {level!r}; "
                "use off, on, error, warning, info or hint",
            )
        if known_rules is not None and rule_id not in known_rules:
            return LintConfig(path, error=f"{where}: unknown rule '{rule_id}'")
        rules[str(rule_id)] = level
    globs: dict[str, tuple[str, ...]] = {}
    for key in ("include", "exclude"):
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
            return LintConfig(path, error=f"{where}: '{key}' must be a list of glob strings")
        globs[key] = tuple(value)
    version = data.get("sdk-version")
    if version is not None and not isinstance(version, str | int | float):
        return LintConfig(path, error=f"{where}: 'sdk-version' must be a version string")
    return LintConfig(
        path,
        rules=rules,
        include=globs["include"],
        exclude=globs["exclude"],
        sdk_version=str(version) if version is not None else None,
        profile=profile,
    )
