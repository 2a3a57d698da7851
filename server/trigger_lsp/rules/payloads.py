"""Rules: what goes into a trigger payload (dates, class instances, large data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from trigger_lsp.analysis.syntax import (
    call_arguments,
    callee_method,
    string_value,
    text,
    unwrap,
)
from trigger_lsp.rules.base import FileContext, Report, rule
from trigger_lsp.rules.common import Declarations, declarations_of, trigger_calls

MAX_HOPS = 2  # how many `const x = ...` declarations to follow from a payload


@dataclass(frozen=True)
class PayloadValue:
    """A value that ends up in a payload, and where to report it: the node itself when it is
    written in the payload, else the variable in the payload that brought it in."""

    node: ts.Node
    anchor: ts.Node


# A value still to visit: the node, the variable that brought it into the payload (None when
# written in the payload itself), and how many declarations were followed to reach it.
Pending = tuple[ts.Node | None, ts.Node | None, int]


def payload_values(ctx: FileContext) -> Iterator[PayloadValue]:
    """Every value inside every trigger payload of the file: the payload, the members of its
    object and array literals, and the values of variables it names (declared in the same
    file, up to MAX_HOPS deep). Functions and calls are values, not descended into."""
    seen: set[tuple[int, int, int]] = set()
    decls = declarations_of(ctx.model)
    for trigger in trigger_calls(ctx.model, decls):
        for payload in trigger.payloads:
            stack: list[Pending] = [(payload, None, 0)]
            while stack:
                raw, anchor, hops = stack.pop()
                node = unwrap(raw)
                if node is None:
                    continue
                at = anchor or node
                key = (node.start_byte, node.end_byte, at.start_byte)
                if key in seen:
                    continue
                seen.add(key)
                yield PayloadValue(node, at)
                stack.extend(_children(decls, node, anchor, hops))


def _children(
    decls: Declarations, node: ts.Node, anchor: ts.Node | None, hops: int
) -> list[Pending]:
    if node.type in ("object", "array"):
        out: list[Pending] = []
        for child in reversed(node.named_children):
            if child.type == "pair":
                out.append((child.child_by_field_name("value"), anchor, hops))
            elif child.type == "spread_element" and child.named_children:
                out.append((child.named_children[0], anchor, hops))
            elif child.type == "shorthand_property_identifier":
                out.extend(_follow(decls, child, anchor, hops))
            elif node.type == "array" and child.type != "comment":
                out.append((child, anchor, hops))
        return out
    if node.type == "ternary_expression":
        return [
            (node.child_by_field_name("consequence"), anchor, hops),
            (node.child_by_field_name("alternative"), anchor, hops),
        ]
    if node.type == "identifier":
        return _follow(decls, node, anchor, hops)
    return []


def _follow(
    decls: Declarations, ident: ts.Node, anchor: ts.Node | None, hops: int
) -> list[Pending]:
    if hops >= MAX_HOPS:
        return []
    value = decls.value(ident)
    return [(value, anchor or ident, hops + 1)] if value is not None else []


def _constructed(node: ts.Node) -> str | None:
    """The class name of `new Name(...)`, else None."""
    if node.type != "new_expression":
        return None
    ctor = node.child_by_field_name("constructor")
    return text(ctor) if ctor is not None and ctor.type == "identifier" else None


@rule("payload-date")
def payload_date(ctx: FileContext) -> Iterator[Report]:
    if ctx.model.import_of("Date") is not None:
        return
    for value in payload_values(ctx):
        if _constructed(value.node) == "Date":
            yield Report(value.anchor)


# Built-ins that superjson restores, or that are not user classes (whether or not they survive
# serialization, the fix is not "send plain data and rebuild your class").
BUILT_IN_CLASSES = frozenset(
    {
        "Date", "Map", "Set", "WeakMap", "WeakSet", "RegExp", "URL", "URLSearchParams", "Error",
        "BigInt", "Buffer", "Array", "Object", "String", "Number", "Boolean", "Symbol", "Promise",
        "Headers", "Request", "Response", "FormData", "Blob", "File", "ArrayBuffer",
        "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray",
        "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array",
        "BigInt64Array", "BigUint64Array", "AbortController", "TextEncoder", "TextDecoder",
        "Proxy", "WeakRef", "Function",
    }
)  # fmt: skip


def _is_user_class(name: str) -> bool:
    return (
        name[:1].isupper()
        and any(c.islower() for c in name)
        and name not in BUILT_IN_CLASSES
        and not name.endswith("Error")
    )


@rule("payload-class-instance", args=("cls",))
def payload_class_instance(ctx: FileContext) -> Iterator[Report]:
    for value in payload_values(ctx):
        name = _constructed(value.node)
        if name is not None and _is_user_class(name):
            yield Report(value.anchor, args={"cls": name})


LARGE_STRING_BYTES = 512 * 1024
LARGE_ARRAY_ITEMS = 1000
FILE_READS = frozenset({"readFileSync", "readFile"})
BUFFER_MAKERS = frozenset({"Buffer.from", "Buffer.concat", "Buffer.alloc"})
BASE64 = frozenset({"base64", "base64url"})


def _blob(node: ts.Node | None, depth: int = 0) -> str | None:
    """What bulky data an expression produces, following method chains, `await`, template
    substitutions, `+` and `?:`; calls that take the data as an argument end the search (their
    result may well be small, such as an upload's URL)."""
    node = unwrap(node)
    if node is None or depth > 8:
        return None
    kind = node.type
    if kind == "await_expression" and node.named_children:
        return _blob(node.named_children[0], depth + 1)
    if kind == "call_expression":
        fn = unwrap(node.child_by_field_name("function"))
        name = text(fn) if fn is not None and fn.type == "identifier" else callee_method(node)
        if name in FILE_READS:
            return f"file contents read with {name}()"
        if fn is not None and text(fn) in BUFFER_MAKERS:
            return f"a Buffer ({text(fn)})"
        args = call_arguments(node)
        if name == "toString" and args and string_value(args[0]) in BASE64:
            return "base64-encoded data"
        if name == "arrayBuffer" and not args:
            return "a binary body (arrayBuffer())"
        if fn is not None and fn.type == "member_expression":
            return _blob(fn.child_by_field_name("object"), depth + 1)
        return None
    if kind == "template_string":
        for part in node.named_children:
            if part.type == "template_substitution" and part.named_children:
                found = _blob(part.named_children[0], depth + 1)
                if found:
                    return found
        return None
    if kind == "binary_expression":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return _blob(left, depth + 1) or _blob(right, depth + 1)
    return None


def _size(node: ts.Node) -> str | None:
    if node.type in ("string", "template_string"):
        size = node.end_byte - node.start_byte
        if size > LARGE_STRING_BYTES:
            return f"a {size // 1024:,} KB string literal"
    if node.type == "array":
        count = sum(1 for c in node.named_children if c.type != "comment")
        if count > LARGE_ARRAY_ITEMS:
            return f"an array literal of {count:,} elements"
    return None


@rule("large-payload", args=("what",))
def large_payload(ctx: FileContext) -> Iterator[Report]:
    for value in payload_values(ctx):
        what = _size(value.node) or _blob(value.node)
        if what is not None:
            yield Report(value.anchor, args={"what": what})
