"""The project's `.trigger-lsp.yaml`: rule profile and severities, include/exclude globs, SDK
version."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from trigger_lsp.project.globs import selects
from trigger_lsp.project.paths import relative_parts
from trigger_lsp.project.reading import find_upward, read_regular

CONFIG_NAME = ".trigger-lsp.yaml"
LEVELS = frozenset({"off", "on", "error", "warning", "info", "hint"})
PROFILES = ("recommended", "strict")
MAX_CONFIG_BYTES = 256_000
# The most YAML nodes a config may stand for once its aliases are expanded: aliases nested in
# lists repeat a value exponentially ("billion laughs"), cheap to load, unbounded to walk or
# print. A real config has a few hundred.
MAX_CONFIG_NODES = 100_000
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 40, 40


def short(value: object) -> str:
    """A value for a message: its repr, cut short whatever its size or nesting."""
    out = _SHORT.repr(value)
    return out if len(out) <= 80 else out[:77] + "..."


@dataclass(frozen=True)
class LintConfig:
    path: Path | None = None
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> level
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sdk_version: str | None = None
    error: str | None = None
    profile: str | None = None  # None: not chosen here
    respect_gitignore: bool = True  # `respect-gitignore`: leave out what git ignores

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


def glob_match(glob: str, rel: PurePosixPath) -> bool:
    """Whether a path relative to the config's folder matches a glob; a pattern naming a
    folder (`legacy`, `src/old/`) also selects everything below it."""
    return selects(glob, rel)


def find_lint_config(start: Path, stop: Path | None = None) -> Path | None:
    return find_upward(start, (CONFIG_NAME,), stop)


def read_lint_config(path: Path, known_rules: frozenset[str] | None = None) -> LintConfig:
    """Read the config; on any problem return defaults with `error` set to one clear message."""
    import yaml  # not at import time: the server answers `initialize` without it

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
        if _expanded_size(yaml.compose(raw)) > MAX_CONFIG_NODES:
            return LintConfig(
                path, error=f"{path}: too large once its aliases are expanded (`*name`)"
            )
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


def _expanded_size(root: object) -> int:
    """How many nodes a composed YAML document stands for with every alias expanded, counted
    without expanding anything (each node's size once, by identity), up to just past
    MAX_CONFIG_NODES; a node that contains itself counts as too large. Iterative: nesting
    depth does not matter."""
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[object, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        if node is None or id(node) in sizes:
            continue
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            sizes[id(node)] = 1
            continue
        if not done:
            if id(node) in active:
                return MAX_CONFIG_NODES + 1  # a recursive alias
            active.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        active.discard(id(node))
        if any(id(c) not in sizes for c in children):
            return MAX_CONFIG_NODES + 1  # a child still open: it contains this node
        sizes[id(node)] = min(MAX_CONFIG_NODES + 1, 1 + sum(sizes[id(c)] for c in children))
    return sizes.get(id(root), 0)


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
    known_keys = {"profile", "rules", "include", "exclude", "sdk-version", "respect-gitignore"}
    unknown = set(data) - known_keys
    if unknown:
        return LintConfig(path, error=f"{where}: unknown key {short(sorted(unknown, key=str)[0])}")
    profile = data.get("profile")
    if profile is not None and profile not in PROFILES:
        return LintConfig(
            path, error=f"{where}: 'profile' is {short(profile)}; use recommended or strict"
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
                error=f"{where}: rule {short(rule_id)} has level {short(level)}; "
                "use off, on, error, warning, info or hint",
            )
        if known_rules is not None and rule_id not in known_rules:
            return LintConfig(path, error=f"{where}: unknown rule {short(rule_id)}")
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
    respect = data.get("respect-gitignore", True)
    if not isinstance(respect, bool):
        return LintConfig(path, error=f"{where}: 'respect-gitignore' must be true or false")
    return LintConfig(
        path,
        rules=rules,
        include=globs["include"],
        exclude=globs["exclude"],
        sdk_version=str(version) if version is not None else None,
        profile=profile,
        respect_gitignore=respect,
    )
