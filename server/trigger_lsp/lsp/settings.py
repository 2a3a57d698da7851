"""Editor settings (initializationOptions and workspace/configuration), typed and validated."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from trigger_lsp.project.lint_config import LEVELS, PROFILES

SECTION = "trigger-lsp"
DEFAULT_DEBOUNCE_MS = 100


@dataclass(frozen=True)
class Features:
    diagnostics: bool = True
    hover: bool = True
    completion: bool = True
    code_actions: bool = True
    code_lens: bool = True
    navigation: bool = True
    # Off by default: TypeScript's outline already lists the file's symbols (issue 16).
    document_symbols: bool = False
    # workspace/diagnostic: the findings of files not open, for clients that pull them
    workspace_diagnostics: bool = True


@dataclass(frozen=True)
class ServerSettings:
    rules: dict[str, str] = field(default_factory=dict)  # rule id (or "all") -> level
    features: Features = Features()
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    index_workspace: bool = True
    profile: str | None = None  # None: recommended, unless the project file chooses
    # "short": a finding's hover fits in about 15 lines, an SDK name's in two; "full": the
    # whole explanation (lsp/features/hover_text.py).
    hover_detail: str = "short"
    # Option keys and SDK members in completion: "auto" leaves them to TypeScript where the
    # project has the SDK's types (lsp/features/completion_policy.py), "always", "never".
    completion_keys: str = "auto"


_FEATURE_KEYS = {
    "diagnostics": "diagnostics",
    "hover": "hover",
    "completion": "completion",
    "codeActions": "code_actions",
    "codeLens": "code_lens",
    "navigation": "navigation",
    "documentSymbols": "document_symbols",
    "workspaceDiagnostics": "workspace_diagnostics",
}
HOVER_DETAILS = ("short", "full")
COMPLETION_KEYS = ("auto", "always", "never")


def parse_settings(
    raw: Any, known_rules: frozenset[str], base: ServerSettings | None = None
) -> tuple[ServerSettings, list[str]]:
    """Parse a settings object; every invalid value is replaced by its default and named in
    the returned problems."""
    settings = base or ServerSettings()
    problems: list[str] = []
    if raw is None:
        return settings, problems
    if isinstance(raw, dict) and SECTION in raw and isinstance(raw[SECTION], dict):
        raw = raw[SECTION]
    if not isinstance(raw, dict):
        return settings, [f"settings must be an object, got {type(raw).__name__}"]

    rules = dict(settings.rules)
    raw_rules = raw.get("rules")
    if raw_rules is not None:
        if not isinstance(raw_rules, dict):
            problems.append("'rules' must map rule ids to off, on, error, warning, info or hint")
        else:
            for rule_id, level in raw_rules.items():
                if rule_id != "all" and rule_id not in known_rules:
                    problems.append(f"unknown rule '{rule_id}' in 'rules'")
                elif not isinstance(level, str) or level not in LEVELS:
                    problems.append(
                        f"rule '{rule_id}': level {level!r} is not one of {sorted(LEVELS)}"
                    )
                else:
                    rules[rule_id] = level

    features = settings.features
    raw_features = raw.get("features")
    if raw_features is not None:
        if not isinstance(raw_features, dict):
            problems.append("'features' must be an object of booleans")
        else:
            changes = {}
            for key, value in raw_features.items():
                attr = _FEATURE_KEYS.get(key)
                if attr is None:
                    problems.append(f"unknown feature '{key}'")
                elif not isinstance(value, bool):
                    problems.append(f"feature '{key}' must be true or false")
                else:
                    changes[attr] = value
            features = replace(features, **changes)

    debounce = settings.debounce_ms
    if "debounceMs" in raw:
        value = raw["debounceMs"]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000:
            debounce = value
        else:
            problems.append("'debounceMs' must be a whole number from 0 to 10000")

    index_workspace = settings.index_workspace
    if "indexWorkspace" in raw:
        if isinstance(raw["indexWorkspace"], bool):
            index_workspace = raw["indexWorkspace"]
        else:
            problems.append("'indexWorkspace' must be true or false")

    profile = settings.profile
    if "profile" in raw:
        if raw["profile"] in PROFILES:
            profile = raw["profile"]
        else:
            problems.append('\'profile\' must be "recommended" or "strict"')

    hover_detail = _choice(raw, "hover", "detail", settings.hover_detail, HOVER_DETAILS, problems)
    completion_keys = _choice(
        raw, "completion", "keys", settings.completion_keys, COMPLETION_KEYS, problems
    )

    known = {"rules", "features", "debounceMs", "indexWorkspace", "trace", "profile", "token"}
    known |= {"hover", "completion"}
    problems += [f"unknown setting '{k}'" for k in raw if k not in known]
    return ServerSettings(
        rules,
        features,
        debounce,
        index_workspace,
        profile,
        hover_detail=hover_detail,
        completion_keys=completion_keys,
    ), problems


def _choice(
    raw: dict[str, Any],
    section: str,
    key: str,
    current: str,
    allowed: tuple[str, ...] | frozenset[str],
    problems: list[str],
) -> str:
    """`section.key`, one of `allowed` (a problem named, and `current` kept, otherwise)."""
    given = raw.get(section)
    if given is None:
        return current
    value = given.get(key, current) if isinstance(given, dict) else None
    if value in allowed:
        return str(value)
    quoted = [f'"{c}"' for c in allowed]
    choices = ", ".join(quoted[:-1]) + " or " + quoted[-1]
    problems.append(f"'{section}.{key}' must be {choices}")
    return current
