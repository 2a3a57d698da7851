"""Rules: imports and keys (SDK import paths, the v2 API, hard-coded secret keys)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from trigger_lsp.analysis.imports import SDK_ROOT, SDK_V3, Import
from trigger_lsp.analysis.model import FileModel, FileView
from trigger_lsp.analysis.syntax import (
    FUNCTION_TYPES,
    ancestors,
    call_arguments,
    call_function,
    callee_method,
    descendants,
    function_params,
    member_property,
    object_members,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.rules.base import Edit, FileContext, Fix, Report, Span, WholeFileContext, rule
from trigger_lsp.rules.common import outermost

# A Trigger.dev secret key, personal access token (`tr_pat_`) or organization access token
# (`tr_oat_`, trigger.dev 4.8.3 dist/esm/utilities/accessTokens.js:1-2): a known prefix and a
# key body. The pattern is linear (no nested quantifiers) and runs only over string-literal
# contents.
_KEY = re.compile(r"(?<![A-Za-z0-9_])tr_(dev|stg|prod|preview|pat|oat)_([A-Za-z0-9_]{16,512})")
# Access tokens (for the CLI and the management API) by prefix, with their finding variant.
_TOKENS = {"pat": "pat", "oat": "oat"}


def _looks_real(body: str) -> bool:
    return len(set(body.lower())) > 4  # "xxxxxxxxxxxxxxxxxxxx" is a placeholder


@rule(
    "hardcoded-secret-key",
    args=("prefix", "variable"),
    variants={"pat": ("prefix", "variable"), "oat": ("prefix", "variable")},
    fix_args=("variable",),
    any_file=True,
)
def hardcoded_secret_key(ctx: FileContext) -> Iterator[Report]:
    reported: set[int] = set()  # a string inside a template's `${...}` is seen twice
    for node in ctx.model.of("string") + ctx.model.of("template"):
        raw = ctx.source[node.start_byte : node.end_byte]
        if b"tr_" not in raw:
            continue
        content = raw.decode("utf-8", "replace")
        for m in _KEY.finditer(content):
            if not _looks_real(m.group(2)):
                continue
            variant = _TOKENS.get(m.group(1))
            variable = "TRIGGER_SECRET_KEY" if variant is None else "TRIGGER_ACCESS_TOKEN"
            fix = _secret_fix(ctx, node, variable) if string_value(node) == m.group(0) else None
            start = node.start_byte + len(content[: m.start()].encode())
            end = node.start_byte + len(content[: m.end()].encode())
            if start in reported:
                continue
            reported.add(start)
            yield Report(
                Span(start, end),
                variant,
                {"prefix": f"tr_{m.group(1)}_", "variable": variable},
                fix,
            )


def _secret_fix(ctx: FileContext, literal: ts.Node, variable: str) -> Fix:
    """Read the key from the environment instead. When the literal is only the fallback of
    that same variable (`process.env.TRIGGER_SECRET_KEY ?? "tr_dev_..."`), the fallback goes.

    `process.env.X` may be undefined where the literal was a string: in the options of
    `configure` / `auth.withAuth` that is accepted (the SDK then reads the variable itself,
    sdk 4.8.3 dist/esm/v3/auth.d.ts:7), anywhere else the code may need a string, so the
    value stays one (`process.env.X ?? ""`) and the file keeps type-checking."""
    env = f"process.env.{variable}"
    empty = ctx.text(literal)[0] * 2  # "" or '' as the literal was quoted
    fallback = outermost(literal).parent
    if (
        fallback is not None
        and fallback.type == "binary_expression"
        and text(fallback.child_by_field_name("operator")) in ("??", "||")
        and fallback.child_by_field_name("right") is not None
        and unwrap(fallback.child_by_field_name("right")) == literal
    ):
        left = unwrap(fallback.child_by_field_name("left"))
        if left is not None and "".join(ctx.text(left).split()) == env:
            if _in_client_options(fallback):
                return Fix((Edit(fallback.start_byte, fallback.end_byte, ctx.text(left)),))
            return Fix((Edit(literal.start_byte, literal.end_byte, empty),))
    if _in_client_options(literal):
        return Fix((Edit(literal.start_byte, literal.end_byte, env),))
    value = f"{env} ?? {empty}"
    holder = outermost(literal).parent
    if holder is None or holder.type not in _LOOSEST:
        value = f"({value})"
    return Fix((Edit(literal.start_byte, literal.end_byte, value),))


# Places where `a ?? b` needs no parentheses.
_LOOSEST = frozenset(
    {
        *("variable_declarator", "pair", "arguments", "return_statement", "array"),
        *("assignment_expression", "expression_statement", "template_substitution"),
        *("public_field_definition", "parenthesized_expression"),
    }
)


# Calls whose options object may leave the key undefined (the SDK falls back to the variable).
_CLIENT_OPTION_CALLS = frozenset({"configure", "withAuth"})


def _in_client_options(value: ts.Node) -> bool:
    """Whether `value` is a property value in the options object of `configure(...)`,
    `auth.configure(...)` or `auth.withAuth(...)`, alone or as a `??` / `||` operand."""
    pair = outermost(value).parent
    while (
        pair is not None
        and pair.type == "binary_expression"
        and text(pair.child_by_field_name("operator")) in ("??", "||")
    ):
        pair = outermost(pair).parent
    if pair is None or pair.type != "pair":
        return False
    options = pair.parent
    args = outermost(options).parent if options is not None else None
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return False
    function = unwrap(call_function(call))
    name = text(function) if function is not None and function.type == "identifier" else None
    return (name or callee_method(call)) in _CLIENT_OPTION_CALLS


# Task APIs that SDK 3.x exports only from "@trigger.dev/sdk/v3". `retry` is left out: the 3.x
# root (the v2 API) exports a `retry` of its own, so that import compiles.
_V3_ONLY_APIS = frozenset(
    {
        "task",
        "schemaTask",
        "toolTask",
        "schedules",
        "wait",
        "logger",
        "metadata",
        "tasks",
        "batch",
        "idempotencyKeys",
        "queue",
        "runs",
        "tags",
        "usage",
        "envvars",
        "timeout",
        "auth",
        "configure",
        "defineConfig",
        "AbortTaskRunError",
    }
)
# Names that may move to "/v3" with the rest of a 3.x import without breaking it.
_MOVABLE_TO_V3 = _V3_ONLY_APIS | {"retry", "Context"}


def _specifier_fix(source_node: ts.Node, target: str) -> Fix:
    """Rewrite the text between the quotes of a module specifier."""
    return Fix((Edit(source_node.start_byte + 1, source_node.end_byte - 1, target),))


def _exports_from(model: FileView) -> list[ts.Node]:
    """The export statements that may name a module (`export ... from "..."`): in a model
    built from pieces, those of the top-level statements whose text has `from` (the keyword
    before the module; or any statement with a syntax error, where the parser may have made
    up a missing `from`), not each of a 10,000-line file's 300 exports on every keystroke."""
    if not isinstance(model, FileModel) or model.pieces is None or model.gathered:
        return model.of("export")
    has = {id(p) for p in model.pieces_with(b"from") or []}
    return [n for p in model.pieces if not p.clean or id(p) in has for n in p.sparse("export")]


def _v3_subpath_sources(ctx: FileContext) -> list[ts.Node]:
    """String nodes naming "@trigger.dev/sdk/v3" in imports, re-exports and requires."""
    found = {imp.source_node.start_byte: imp.source_node for imp in ctx.model.imports}
    for statement in _exports_from(ctx.model):
        source = statement.child_by_field_name("source")  # `export ... from "..."`
        if source is not None:
            found.setdefault(source.start_byte, source)
    return [
        node
        for _, node in sorted(found.items())
        if node.type == "string" and string_value(node) == SDK_V3
    ]


def _root_task_api(ctx: WholeFileContext, imp: Import) -> str | None:
    """The first v3-only task API a 3.x file takes from the SDK root, else None."""
    for imported in imp.names.values():
        if imported in _V3_ONLY_APIS:
            return imported
    if imp.namespace:
        for member in ctx.model.of("member"):
            obj = member.child_by_field_name("object")
            prop = member_property(member)
            if obj is not None and text(obj) == imp.namespace and prop in _V3_ONLY_APIS:
                return prop
    return None


@rule(
    "sdk-v3-import-path", variants={"root_on_v3": ("name",)}, fix_args=("target",), whole_file=True
)
def sdk_v3_import_path(ctx: WholeFileContext) -> Iterator[Report]:
    # Which of the two applies is the variants' `applies:` (4.x: the main message; 3.x:
    # root_on_v3); with the version unknown, neither.
    for source in _v3_subpath_sources(ctx):
        yield Report(source, args={"target": SDK_ROOT}, fix=_specifier_fix(source, SDK_ROOT))
    for imp in ctx.model.imports:
        if imp.source != SDK_ROOT or imp.dynamic or imp.source_node.type != "string":
            continue
        name = _root_task_api(ctx, imp)
        if name is None:
            continue
        movable = not imp.namespace and set(imp.names.values()) <= _MOVABLE_TO_V3
        fix = _specifier_fix(imp.source_node, SDK_V3) if movable else None
        yield Report(imp.source_node, "root_on_v3", {"name": name, "target": SDK_V3}, fix)


# The v2 integration packages (the repository's v2 `integrations/` folder).
_V2_INTEGRATIONS = frozenset(
    {
        "openai",
        "resend",
        "slack",
        "github",
        "stripe",
        "supabase",
        "airtable",
        "linear",
        "plain",
        "replicate",
        "sendgrid",
        "shopify",
        "typeform",
    }
)
_V2_TRIGGERS = frozenset({"eventTrigger", "invokeTrigger", "cronTrigger", "intervalTrigger"})
# Members of the v2 `io` object; socket.io and other `io` objects use none of these.
_V2_IO_MEMBERS = frozenset(
    {
        "runTask",
        "logger",
        "wait",
        "sendEvent",
        "sendEvents",
        "cancelEvent",
        "try",
        "createStatus",
        "backgroundFetch",
        "backgroundPoll",
        "waitForEvent",
        "waitForRequest",
        "waitForWebhook",
        "random",
        "store",
        "registerCron",
        "registerInterval",
        "registerTrigger",
        "integration",
    }
)


def _specifier(imp: Import, imported: str) -> ts.Node | None:
    """The `import_specifier` (or require pattern key) that brings in `imported`."""
    for node in descendants(imp.node):
        if node.type in ("import_specifier", "pair_pattern"):
            name = node.child_by_field_name("name") or node.child_by_field_name("key")
            if name is not None and text(name) == imported:
                return node
        elif node.type == "shorthand_property_identifier_pattern" and text(node) == imported:
            return node
    return None


def _is_v2_integration(source: str) -> bool:
    scope, _, name = source.partition("/")
    return scope == "@trigger.dev" and name.split("/", 1)[0] in _V2_INTEGRATIONS


def _looks_like_job(call: ts.Node) -> bool:
    """`defineJob({ ..., trigger, run })`: the shape of a v2 job definition."""
    args = call_arguments(call)
    members = object_members(args[0]) if args else {}
    return "run" in members and "trigger" in members


def _io_parameter(ident: ts.Node) -> bool:
    """Whether an `io` identifier is a parameter of an enclosing function."""
    for anc in ancestors(ident):
        if anc.type not in FUNCTION_TYPES:
            continue
        if any(text(p.child_by_field_name("pattern") or p) == "io" for p in function_params(anc)):
            return True
    return False


@rule(
    "v2-api",
    variants={"io": ("method",), "integration": ("package",), "trigger": ("name",)},
    any_file=True,
)
def v2_api(ctx: FileContext) -> Iterator[Report]:
    trigger_imports = [imp for imp in ctx.model.imports if imp.source.startswith("@trigger.dev/")]
    for imp in trigger_imports:
        if _is_v2_integration(imp.source):
            yield Report(imp.source_node, "integration", {"package": imp.source})
        elif imp.is_sdk:
            for local, imported in imp.names.items():
                if imported in _V2_TRIGGERS and local not in imp.type_names:
                    at = _specifier(imp, imported) or imp.source_node
                    yield Report(at, "trigger", {"name": imported})
    found = (
        ctx.model.calls_where(callee_method, ("defineJob",)) if ctx.mentions(b"defineJob") else []
    )
    for call in found:
        if trigger_imports or _looks_like_job(call):
            yield Report(call_function(call) or call)
    if not trigger_imports or not ctx.mentions(b"io."):
        return
    for member in ctx.model.of("member"):
        obj = member.child_by_field_name("object")
        prop = member_property(member)
        if obj is None or obj.type != "identifier" or text(obj) != "io":
            continue
        if prop in _V2_IO_MEMBERS and _io_parameter(obj):
            yield Report(member, "io", {"method": prop})
