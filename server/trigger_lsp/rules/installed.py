"""Rules that read the project's installed @trigger.dev/sdk (project/installed_sdk.py)."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from trigger_lsp.analysis.model import TASK_FACTORIES
from trigger_lsp.analysis.syntax import call_arguments, member_value, object_members, unwrap
from trigger_lsp.project.installed_sdk import Declarations, Deprecation, Shape, declarations
from trigger_lsp.rules.base import FileContext, Report, rule, rule_data

MAX_REPLACEMENT = 240  # characters of the JSDoc's text shown in the message
MAX_NESTING = 4  # object options followed into object options


def _group(path: str) -> str:
    """What the `covered` entries of validations.md call the options of an SDK function."""
    return "task-options" if path in TASK_FACTORIES else path


def _shown(path: str) -> str:
    return path.removeprefix("ai/")


def _replacement(found: Deprecation) -> str:
    words = found.text
    return words if len(words) <= MAX_REPLACEMENT else words[: MAX_REPLACEMENT - 3] + "..."


@rule(
    "deprecated-api",
    args=("replacement", "version", "what", "where"),
    variants={"bare": ("version", "what", "where")},
)
def deprecated_api(ctx: FileContext) -> Iterator[Report]:
    """A call of an SDK member, or an option key in an object literal passed to an SDK
    function, that the installed SDK's declarations mark `@deprecated`. Silent without an
    installed SDK, and for what another rule already reports (the `covered` data list)."""
    sdk = ctx.model.sdk
    if not sdk:
        return
    found = declarations(ctx.project.installed_sdk)
    if found is None:
        return
    covered = rule_data("deprecated-api", "covered")
    version = found.sdk.version
    for call in ctx.model.of("call"):
        callee = call.child_by_field_name("function")
        path = sdk.resolve(callee)
        if path is None or callee is None:
            continue
        deprecation = found.deprecation(path)
        if deprecation is not None and path not in covered:
            yield _report(callee, f"`{_shown(path)}`", version, deprecation)
        for index, argument in enumerate(call_arguments(call)):
            obj = unwrap(argument)
            if obj is None or obj.type != "object":
                continue
            shape = found.parameter_shape(path, index)
            if shape is not None:
                yield from _keys(obj, shape, path, "", covered, version, found, 0)


def _keys(
    obj: ts.Node,
    shape: Shape,
    path: str,
    prefix: str,
    covered: frozenset[str],
    version: str,
    found: Declarations,
    depth: int,
) -> Iterator[Report]:
    group = _group(path)
    for key, node in object_members(obj).items():
        member = shape.members.get(key)
        if member is None:
            continue
        dotted = prefix + key
        if member.deprecated is not None and not covered & {f"{group}:{dotted}", f"*:{dotted}"}:
            at = node.child_by_field_name("key") or node.child_by_field_name("name") or node
            what = f"`{dotted}` in the options of `{_shown(path)}`"
            yield _report(at, what, version, Deprecation(member.deprecated, member.where))
        value = unwrap(member_value(node))
        if value is not None and value.type == "object" and depth < MAX_NESTING:
            nested = member.shape
            if nested is not None:
                yield from _keys(
                    value, nested, path, f"{dotted}.", covered, version, found, depth + 1
                )


def _report(at: ts.Node, what: str, version: str, found: Deprecation) -> Report:
    args = {"what": what, "version": version, "where": found.where}
    if not found.text:
        return Report(at, "bare", args)
    return Report(at, args={**args, "replacement": _replacement(found)})
