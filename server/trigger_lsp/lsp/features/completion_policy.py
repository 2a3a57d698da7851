"""Complete what TypeScript cannot (issue 16): one filter every completion item passes through.

Where the project has the SDK's types installed (`node_modules/@trigger.dev/sdk` with its
`.d.ts`, found as Node resolves it from the document) and the file is TypeScript (or
JavaScript that TypeScript checks: `// @ts-check`, or `checkJs` in the nearest tsconfig.json
or jsconfig.json), TypeScript's own completion already lists option keys (`machine?`) and SDK
members (`wait.for`), and the values of a string-literal union the installed SDK declares
(machine presets, log levels, runtimes, read by project/installed_sdk.option_values): items
marked as such here are left out. Snippets, value lists TypeScript cannot know (cron patterns,
time zones, and every value list where the installed union was not read), task ids and keys
TypeScript cannot know (not marked) always stay. The setting `completion.keys` (`auto`,
`always`, `never`) overrides.

A feature that makes a key or member item marks it with `mark_typescript_knows`; `apply` is
called once on the items of every completion request.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tree_sitter as ts

from trigger_lsp.project.packages import json_pairs, parse_json
from trigger_lsp.project.reading import find_upward, read_regular

if TYPE_CHECKING:
    from lsprotocol import types as lsp

SDK_PACKAGE = "@trigger.dev/sdk"
MARK = "trigger-lsp.completes"  # the key in CompletionItem.data
TYPESCRIPT_KNOWS = "typescript-knows"  # its value on option keys and SDK members
TS_SUFFIXES = frozenset({".ts", ".tsx", ".mts", ".cts"})
JS_SUFFIXES = frozenset({".js", ".jsx", ".mjs", ".cjs"})
TS_CHECK = "@ts-check"
TS_NOCHECK = "@ts-nocheck"
CONFIGS = ("tsconfig.json", "jsconfig.json")
CACHE_S = 10.0  # how long a folder's answer is kept (node_modules may be installed meanwhile)
MAX_JSON_BYTES = 1 << 20


def mark_typescript_knows(item: lsp.CompletionItem) -> lsp.CompletionItem:
    """Mark an item TypeScript completes too where it has the SDK's types (an option key or an
    SDK member)."""
    data = item.data if isinstance(item.data, dict) else {}
    item.data = {**data, MARK: TYPESCRIPT_KNOWS}
    return item


def typescript_knows(item: lsp.CompletionItem) -> bool:
    data = item.data
    return isinstance(data, dict) and data.get(MARK) == TYPESCRIPT_KNOWS


@dataclass
class _Cached:
    value: Any
    at: float


_cache: dict[tuple[str, Path], _Cached] = {}


def _cached(kind: str, folder: Path, compute: Any) -> Any:
    now = time.monotonic()
    hit = _cache.get((kind, folder))
    if hit is not None and now - hit.at < CACHE_S:
        return hit.value
    value = compute(folder)
    _cache[(kind, folder)] = _Cached(value, now)
    return value


def _read_json(path: Path) -> Any:
    try:
        return json.loads(read_regular(path, MAX_JSON_BYTES).decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError):
        return None


def _types_entries(value: Any, depth: int = 0) -> list[str]:
    """Every `types` path in package.json's `exports` (conditions nest)."""
    if depth > 8 or not isinstance(value, dict):
        return []
    out = [v for k, v in value.items() if k in ("types", "typings") and isinstance(v, str)]
    for k, v in value.items():
        if k not in ("types", "typings"):
            out += _types_entries(v, depth + 1)
    return out


def _sdk_types_from(folder: Path) -> Path | None:
    for directory in (folder, *folder.parents):
        package = directory / "node_modules" / SDK_PACKAGE
        manifest = _read_json(package / "package.json") if package.is_dir() else None
        if manifest is None:
            continue
        if not isinstance(manifest, dict):
            return None
        declared = [manifest.get("types"), manifest.get("typings")]
        declared += _types_entries(manifest.get("exports"))
        for entry in declared:
            if isinstance(entry, str) and entry.endswith(".d.ts"):
                candidate = (package / entry).resolve()
                if candidate.is_file() and package.resolve() in candidate.parents:
                    return candidate
        return None  # the package Node resolves ships no types
    return None


def sdk_types(path: Path) -> Path | None:
    """The `.d.ts` of the `@trigger.dev/sdk` Node resolves from the file, if it has one."""
    result: Path | None = _cached("types", path.parent, _sdk_types_from)
    return result


def _check_js_from(folder: Path) -> bool:
    config = find_upward(folder, CONFIGS)
    if config is None:
        return False
    try:
        source = read_regular(config, MAX_JSON_BYTES)
    except OSError:
        return False
    root = parse_json(source).root_node  # (tsconfig allows comments and trailing commas)
    top = root.named_children[0] if root.named_children else None
    for key, _, value in json_pairs(top):
        if key == "compilerOptions":
            for option, _, setting in json_pairs(value):
                if option == "checkJs":
                    return setting.type == "true"
    return False


def _leading_comments(root: ts.Node) -> list[str]:
    out = []
    for child in root.children:
        if child.type != "comment":
            break
        out.append((child.text or b"").decode("utf-8", "replace"))
    return out


def typed_file(path: Path, root: ts.Node | None) -> bool:
    """Whether TypeScript type-checks the file: TypeScript, or JavaScript with `// @ts-check`
    before the first statement or `checkJs` in its tsconfig.json / jsconfig.json (and no
    `// @ts-nocheck`)."""
    comments = _leading_comments(root) if root is not None else []
    if any(TS_NOCHECK in c for c in comments):
        return False
    if path.suffix in TS_SUFFIXES:
        return True
    if path.suffix not in JS_SUFFIXES:
        return False
    if any(TS_CHECK in c for c in comments):
        return True
    return bool(_cached("checkjs", path.parent, _check_js_from))


def typescript_completes(path: Path | None, root: ts.Node | None) -> bool:
    """Whether TypeScript completes the SDK's option keys and members in this file."""
    return path is not None and typed_file(path, root) and sdk_types(path) is not None


def apply(
    items: list[lsp.CompletionItem], setting: str, path: Path | None, root: ts.Node | None
) -> list[lsp.CompletionItem]:
    """The items to offer: without those TypeScript completes, where it does (`auto`), always
    (`never`), or never (`always`)."""
    if setting == "always" or not any(typescript_knows(i) for i in items):
        return items
    if setting == "never" or typescript_completes(path, root):
        return [i for i in items if not typescript_knows(i)]
    return items
