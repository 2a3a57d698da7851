"""Rule env-unchecked: `process.env.X` read in a task file and used with no check, fallback
or assertion that the value is there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    ancestors,
    call_function,
    contains,
    descendants,
    language,
    member_property,
    member_value,
    object_members,
    parent_of,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.project.trigger_config import config_object
from trigger_lsp.rules.base import FileContext, Report, rule, rule_data
from trigger_lsp.rules.common import (
    enclosing_statement_function,
    identifier_uses,
    prints,
)

# A call whose name says it validates or parses its argument counts as a check.
_VALIDATING_CALL = re.compile(r"parse|assert|require|validate|env|boolean", re.IGNORECASE)
_COMPARISONS = frozenset({"===", "!==", "==", "!=", "<", ">", "<=", ">=", "in", "instanceof"})
_FALLBACKS = frozenset({"??", "||", "&&"})
# Conversions whose result is usually defaulted by the caller: look at how the result is used.
_PASS_THROUGH_CALLS = frozenset({"Number", "String"})
_WRAPPERS = frozenset({"parenthesized_expression", "await_expression"})
_ASSERTIONS = frozenset({"as_expression", "satisfies_expression", "type_assertion"})
# Types that do not claim the value is there: asserting to them is no check.
_OPEN_TYPES = frozenset({"undefined", "null", "any", "unknown", "void"})
_CONFIG_FILE = re.compile(r"^trigger\.config\.[cm]?[jt]s$")
_BUILD_PACKAGE = "@trigger.dev/build"

CHECKED, UNCHECKED = True, False


@cache
def _identifier_query(grammar: str) -> ts.Query:
    return ts.Query(language(grammar), "[(identifier) (shorthand_property_identifier)] @id")


def _is_process_env(node: ts.Node) -> bool:
    obj = node.child_by_field_name("object")
    return (
        obj is not None
        and obj.type == "identifier"
        and text(obj) == "process"
        and member_property(node) == "env"
    )


def _callee_name(call: ts.Node) -> str:
    fn = unwrap(call_function(call) or call.child_by_field_name("constructor"))
    if fn is not None and fn.type == "member_expression":
        return member_property(fn) or ""
    return text(fn) if fn is not None and fn.type == "identifier" else ""


def _use_in_object(node: ts.Node) -> bool | None:
    """The use of a value inside an object literal: checked when the object (through object and
    array literals) is an argument of a validating call such as `createEnv({ runtimeEnv: {...} })`,
    nothing when it is logged, else unchecked."""
    cur = node.parent
    while cur is not None and cur.type in ("object", "pair", "array"):
        cur = cur.parent
    call = cur.parent if cur is not None and cur.type == "arguments" else None
    if call is not None and _VALIDATING_CALL.search(_callee_name(call)):
        return CHECKED
    if call is not None and prints(call):
        return None
    return UNCHECKED


def _asserts_present(assertion: ts.Node) -> bool:
    """`x as string`, `<string>x`, `x satisfies string`: a type that leaves out `undefined`
    says the variable is set, as `x!` does."""
    if assertion.type == "type_assertion":
        asserted = assertion.named_children[0] if assertion.named_children else None
    else:
        asserted = assertion.named_children[-1] if len(assertion.named_children) > 1 else None
    if asserted is None:
        return False  # `x as const`
    return not any(text(n) in _OPEN_TYPES for n in (asserted, *descendants(asserted)))


def _use_of(node: ts.Node) -> bool | ts.Node | None:
    """How an env value is used: CHECKED, UNCHECKED, the identifier it is bound to, or None
    when the use tells nothing (a bare statement, a return, an assignment elsewhere)."""
    cur = node
    while (parent := parent_of(cur)) is not None:
        kind = parent.type
        if kind in _WRAPPERS:
            cur = parent
            continue
        if kind in _ASSERTIONS and parent.child_by_field_name("type") != cur:
            if _asserts_present(parent):
                return CHECKED
            cur = parent
            continue
        if kind == "non_null_expression":
            return CHECKED
        if kind == "binary_expression":
            op = text(parent.child_by_field_name("operator"))
            if op in _FALLBACKS:
                if parent.child_by_field_name("left") == cur:
                    return CHECKED
                cur = parent  # the right side: the combined value flows on
                continue
            return CHECKED if op in _COMPARISONS else UNCHECKED
        if kind == "unary_expression":
            op = text(parent.child_by_field_name("operator"))
            return CHECKED if op in ("!", "typeof") else None
        if kind == "augmented_assignment_expression":
            op = text(parent.child_by_field_name("operator"))
            return CHECKED if op in ("??=", "||=", "&&=") else None
        if kind in ("if_statement", "while_statement", "do_statement", "switch_statement"):
            return CHECKED
        if kind == "ternary_expression":
            if parent.child_by_field_name("condition") == cur:
                return CHECKED
            cur = parent
            continue
        if kind in ("member_expression", "subscript_expression"):
            if parent.child_by_field_name("object") != cur:
                return None
            optional = any(c.type == "optional_chain" for c in parent.children)
            return CHECKED if optional else UNCHECKED
        if kind == "arguments" and parent.parent is not None:
            call = parent.parent
            name = _callee_name(call)
            if _VALIDATING_CALL.search(name):
                return CHECKED
            if name in _PASS_THROUGH_CALLS:
                cur = call
                continue
            return None if prints(call) else UNCHECKED
        is_value = kind == "object" or parent.child_by_field_name("value") == cur
        if kind in ("pair", "object") and is_value:
            return _use_in_object(cur)
        if kind == "template_substitution":
            return UNCHECKED
        if kind == "variable_declarator":
            target = parent.child_by_field_name("name")
            if parent.child_by_field_name("value") == cur and target is not None:
                return target if target.type == "identifier" else None
            return None
        return None
    return None


def _destructured(declarator: ts.Node) -> Iterator[tuple[str, ts.Node]]:
    """`const { A, B: b, C = "d" } = process.env`: (variable name, bound identifier) for each
    property without a default."""
    pattern = declarator.child_by_field_name("name")
    if pattern is None or pattern.type != "object_pattern":
        return
    for prop in pattern.named_children:
        if prop.type == "shorthand_property_identifier_pattern":
            yield text(prop), prop
        elif prop.type == "pair_pattern":
            key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
            if key is not None and value is not None and value.type == "identifier":
                yield text(key), value


def _env_reads(ctx: FileContext) -> Iterator[tuple[str, ts.Node, bool | ts.Node | None]]:
    """Every `process.env` read with a static name: (name, read node, use)."""
    for member in ctx.model.of("member"):
        parent = member.parent
        if parent is None or not _is_process_env(member):
            continue
        on_object = parent.child_by_field_name("object") == member
        if parent.type == "member_expression" and on_object:
            name = member_property(parent)
            if name is not None:
                yield name, parent, _use_of(parent)
        elif parent.type == "subscript_expression" and on_object:
            name = string_value(parent.child_by_field_name("index"))
            if name is not None:
                yield name, parent, _use_of(parent)
        elif parent.type == "variable_declarator" and parent.child_by_field_name("value") == member:
            for name, ident in _destructured(parent):
                yield name, ident, ident


def _binding_uses(
    ctx: FileContext, bindings: list[ts.Node], deploy_time: _DeployTime
) -> dict[int, list[bool | None]]:
    """For each binding identifier (by start byte), the uses of the later references to it in
    its scope. One query over the file finds every reference."""
    names = {text(b) for b in bindings}
    refs: dict[str, list[ts.Node]] = {name: [] for name in names}
    captures = ts.QueryCursor(_identifier_query(ctx.model.grammar)).captures(ctx.tree.root_node)
    for node in captures.get("id", []):
        found = refs.get(text(node))
        if found is not None:
            found.append(node)
    out: dict[int, list[bool | None]] = {}
    for binding in bindings:
        scope = enclosing_statement_function(binding)
        if scope is None:
            continue
        uses: list[bool | None] = []
        for ref in refs[text(binding)]:
            if binding.end_byte < ref.start_byte <= scope.end_byte and ref not in deploy_time:
                use = _use_of(ref)
                uses.append(use if isinstance(use, bool) else None)
        out[binding.start_byte] = uses
    return out


class _DeployTime:
    """Which code of a `trigger.config.*` file only runs while the CLI builds: the `build`
    member of the config (the CLI strips it from the config it bundles for runs), the
    arguments of build extensions imported from `@trigger.dev/build`, and module-level
    variables and functions used only there."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.regions: list[ts.Node] = []
        if ctx.path is None or not _CONFIG_FILE.match(ctx.path.name):
            return
        options, _ = config_object(ctx.tree.root_node, ctx.model.sdk)
        build = member_value(object_members(options).get("build"))
        if build is not None:
            self.regions.append(build)
        for call in ctx.model.of("call"):
            fn = unwrap(call_function(call))
            imp = ctx.model.import_of(text(fn)) if fn is not None else None
            if imp is not None and imp.source.startswith(_BUILD_PACKAGE):
                arguments = call.child_by_field_name("arguments")
                if arguments is not None:
                    self.regions.append(arguments)
        self._decided: dict[int, bool] = {}

    def __contains__(self, node: ts.Node) -> bool:
        return bool(self.regions) and self._only_deploy_time(node, 0)

    def _only_deploy_time(self, node: ts.Node, depth: int) -> bool:
        if any(contains(r, node) for r in self.regions):
            return True
        name = _module_binding(node)
        if name is None or depth > 3:
            return False
        key = name.start_byte
        if key not in self._decided:
            self._decided[key] = False  # a cycle is not deploy-time
            uses = identifier_uses(self.ctx.model, name)
            self._decided[key] = bool(uses) and all(
                self._only_deploy_time(u, depth + 1) for u in uses
            )
        return self._decided[key]


def _module_binding(node: ts.Node) -> ts.Node | None:
    """The name bound by the module-level declaration that holds `node`: `const name = ...`
    (its value holds it) or `function name() {...}` (its body does); None elsewhere."""
    statement = None
    for anc in ancestors(node):
        if anc.type == "program":
            break
        statement = anc
    if statement is not None and statement.type == "export_statement":
        statement = statement.child_by_field_name("declaration")
    if statement is None:
        return None
    if statement.type in ("function_declaration", "generator_function_declaration"):
        name = statement.child_by_field_name("name")
        body = statement.child_by_field_name("body")
        return name if body is not None and contains(body, node) else None
    if statement.type not in ("lexical_declaration", "variable_declaration"):
        return None
    for declarator in statement.named_children:
        if declarator.type != "variable_declarator":
            continue
        name = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        named = name is not None and name.type == "identifier"
        if named and value is not None and contains(value, node):
            return name
    return None


def _is_config_file(ctx: FileContext) -> bool:
    return ctx.path is not None and bool(_CONFIG_FILE.match(ctx.path.name))


def _is_task_file(ctx: FileContext) -> bool:
    if ctx.model.file_tasks:
        return True
    if ctx.path is None:
        return False
    return bool(_CONFIG_FILE.match(ctx.path.name)) or ctx.project.in_trigger_dir(ctx.path)


@rule("env-unchecked", args=("name",), whole_file=True)
def env_unchecked(ctx: FileContext) -> Iterator[Report]:
    if not ctx.mentions(b"process.env") or not _is_task_file(ctx):
        return
    # Variables that describe the machine are set or optional everywhere; those Trigger.dev
    # sets in every run are missing where the CLI evaluates the config, in the deploying shell.
    ignored = rule_data("env-unchecked", "informational")
    if not _is_config_file(ctx):
        ignored |= rule_data("env-unchecked", "injected")
    deploy_time = _DeployTime(ctx)
    reads = [r for r in _env_reads(ctx) if r[0] not in ignored and r[1] not in deploy_time]
    bindings = [use for _, _, use in reads if isinstance(use, ts.Node)]
    binding_uses = _binding_uses(ctx, bindings, deploy_time) if bindings else {}
    checked: set[str] = set()
    unchecked: dict[str, ts.Node] = {}
    for name, node, use in reads:
        if isinstance(use, ts.Node):
            uses = binding_uses.get(use.start_byte, [])
            status: bool | None = None
            if CHECKED in uses:
                status = CHECKED
            elif UNCHECKED in uses:
                status = UNCHECKED
        else:
            status = use
        if status is CHECKED:
            checked.add(name)
        elif status is UNCHECKED:
            unchecked.setdefault(name, node)
    # One check anywhere in the file (`if (!process.env.X) throw ...`) covers every read of X.
    for name, node in unchecked.items():
        if name not in checked:
            yield Report(node, args={"name": name})
