"""Hover text that respects the reader: short by default, the long form on request.

A finding's hover says what was found (the finding's message), why it matters and how to fix
it in a few sentences each, and links to the full explanation (the client's Explain view, and
the Trigger.dev docs page of the sharp edge behind it). It fits in `MAX_LINES` lines of
`WIDTH` columns. An SDK name or option key gets one or two lines TypeScript does not show (what
the call does at run time, the sharp edges it relates to): its signature and type are
TypeScript's to show.

The long form (setting `hover.detail: "full"`) is the whole explanation, as `trigger-lsp
explain` prints it. The words come from references/; this module only chooses and shortens.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import quote

from trigger_lsp.knowledge.model import ApiEntry, Knowledge, OptionEntry
from trigger_lsp.lsp.explain import rule_markdown
from trigger_lsp.lsp.features import docs
from trigger_lsp.project.versions import Version

MAX_LINES = 15  # a finding's hover at most, in lines of WIDTH columns
WIDTH = 80
SYMBOL_LINES = 2  # an SDK name's or option key's hover at most (in source lines)
EXPLAIN_COMMAND = "trigger-lsp.explain"  # the VS Code client's command (the Explain view)
# (why, how to fix) lengths tried in turn until the hover fits
# (0: left out; the last keeps only the message and the link, for several findings at one place)
BUDGETS = ((260, 200), (200, 160), (160, 120), (110, 90), (0, 90), (0, 0))
SYMBOL_CHARS = 140
MAX_EDGES = 2

# Evidence in the prose, "(sdk 4.8.3 `dist/esm/v3/wait.js:256-276`)": for the explanation, not
# for a hover. (Our own reference text, not user code.)
_EVIDENCE = re.compile(r"\s*\([^()]*`[^`]*(?:/|\.js|\.ts)[^`]*`[^()]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\"*])")


def display_lines(markdown: str, width: int = WIDTH) -> int:
    """How many lines the Markdown takes when rendered in a hover `width` columns wide: each
    source line at least one, links as their text, without emphasis and code markers."""
    rendered = _LINK.sub(r"\1", markdown).replace("**", "").replace("`", "")
    return sum(max(1, math.ceil(len(line) / width)) for line in rendered.splitlines())


def _sentences(paragraph: str) -> list[str]:
    """Sentences, not split inside code spans."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        if paragraph[start : match.start()].count("`") % 2:
            continue  # inside a code span
        out.append(paragraph[start : match.start()])
        start = match.end()
    out.append(paragraph[start:])
    return [s.strip() for s in out if s.strip()]


def brief(prose: str | None, limit: int) -> str:
    """The first sentences of the first paragraph of `prose`, unwrapped and without evidence
    citations, up to `limit` characters (the first sentence cut at a word if it is longer)."""
    if not prose:
        return ""
    paragraph = " ".join(prose.strip().split("\n\n", 1)[0].split())
    paragraph = _EVIDENCE.sub("", paragraph)
    taken = ""
    for sentence in _sentences(paragraph):
        candidate = f"{taken} {sentence}".strip()
        if len(candidate) > limit:
            break
        taken = candidate
    if taken:
        return taken
    cut = paragraph[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    if cut.count("`") % 2:  # do not leave a code span open
        cut = cut[: cut.rfind("`")].rstrip()
    return cut + "…"


def explain_link(kb: Knowledge, rule_id: str, markdown: bool) -> str:
    """Where the full explanation is: the Explain view (a command link, for clients that run
    them) and the docs page of the rule's first sharp edge with one."""
    docs_url = next((e.docs for e in kb.edges_for(rule_id) if e.docs), None)
    if not markdown:
        line = f"Full explanation: trigger-lsp explain {rule_id}"
        return line + (f" · {docs_url}" if docs_url else "")
    args = quote(json.dumps([rule_id]))
    line = f"[Explain {rule_id}](command:{EXPLAIN_COMMAND}?{args})"
    return line + (f" · [Trigger.dev docs]({docs_url})" if docs_url else "")


def finding_hover(
    kb: Knowledge,
    rule_id: str,
    message: str,
    note: str | None = None,
    *,
    full: bool = False,
    markdown: bool = True,
    max_lines: int = MAX_LINES,
) -> str:
    """A finding's hover: the short form (at most `max_lines` lines, see display_lines), or
    with `full` the rule's whole explanation under the message."""
    doc = kb.rules[rule_id]
    head = [f"**{rule_id}**: {message}", *([note] if note else [])]
    if full:
        return "\n\n".join(["\n".join(head), rule_markdown(kb, rule_id)])
    link = explain_link(kb, rule_id, markdown)
    text = ""
    for why_chars, fix_chars in BUDGETS:
        parts = ["\n".join(head)]
        why = brief(doc.prose.get("Why") or doc.summary, why_chars) if why_chars else ""
        fix = brief(doc.prose.get("How to fix"), fix_chars) if fix_chars else ""
        if why:
            parts.append(f"*Why:* {why}")
        if fix:
            parts.append(f"*Fix:* {fix}")
        parts.append(link)
        text = "\n\n".join(parts)
        if display_lines(text) <= max_lines:
            break
    return text


def _edges_line(kb: Knowledge, edge_ids: tuple[str, ...]) -> str | None:
    """Every sharp edge of an SDK name: the first MAX_EDGES by their titles, the others by
    their ids (what `hover.detail: full` and sharp_edges.md go on with)."""
    known = [e for e in edge_ids if e in kb.sharp_edges]
    if not known:
        return None
    titles = [kb.sharp_edges[e].title for e in known[:MAX_EDGES]]
    others = ", ".join(f"`{e}`" for e in known[MAX_EDGES:])
    word = "Sharp edge" if len(known) == 1 else "Sharp edges"
    return f"*{word}:* {'; '.join(titles)}" + (f"; also {others}" if others else "")


def _status(entry: ApiEntry | OptionEntry, version: Version | None) -> str | None:
    """What the project's SDK version makes of the entry: new in a version (TypeScript without
    the SDK installed cannot say), or deprecated."""
    if entry.deprecated:
        when = f" since {entry.deprecated_since}" if entry.deprecated_since else ""
        applies = docs.is_deprecated(entry, version)
        return f"*Deprecated{when}*" + ("" if applies else f" (your SDK is {version})")
    if entry.since:
        missing = not docs.is_available(entry, version)
        return f"*Since SDK {entry.since}*" + (f" (your SDK is {version})" if missing else "")
    return None


def _symbol(kb: Knowledge, entry: ApiEntry | OptionEntry, version: Version | None) -> str | None:
    first = brief(entry.description, SYMBOL_CHARS)
    notes = (_status(entry, version), _edges_line(kb, entry.sharp_edges))
    second = " · ".join(p for p in notes if p)
    lines = [line for line in (first, second) if line]
    return "\n\n".join(lines) if lines else None


def symbol_hover(
    kb: Knowledge, entry: ApiEntry | OptionEntry, version: Version | None, *, full: bool = False
) -> str | None:
    """An SDK name or an option key: one or two lines (None when there is nothing TypeScript
    does not show: its signature or type is TypeScript's to show); `full` for the long form."""
    if not full:
        return _symbol(kb, entry, version)
    if isinstance(entry, ApiEntry):
        return docs.api_markdown(kb, entry, version)
    return docs.option_markdown(kb, entry, version)
