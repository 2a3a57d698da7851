"""What the client renders: Markdown when it says so, else plain text made from the Markdown;
and the completion abilities it declared (snippets, deprecation tags, documentation format)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lsprotocol import types as lsp
from pygls.capabilities import get_capability

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_EMPHASIS = re.compile(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`([^`]*)`")


@lru_cache(maxsize=1024)  # (the same few hundred texts: every completion item's documentation)
def to_plaintext(markdown: str) -> str:
    """Markdown as readable plain text: no fences, emphasis markers, backticks or link syntax."""
    out: list[str] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            continue
        if stripped == "---":
            out.append("")
            continue
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", line)
        line = _CODE.sub(lambda m: m.group(1), line)
        line = _EMPHASIS.sub(lambda m: m.group(2), line)
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def hover_markdown(caps: lsp.ClientCapabilities) -> bool:
    formats = get_capability(caps, "text_document.hover.content_format", None) or []
    return lsp.MarkupKind.Markdown in formats


def markup(markdown: str, use_markdown: bool) -> lsp.MarkupContent:
    if use_markdown:
        return lsp.MarkupContent(lsp.MarkupKind.Markdown, markdown)
    return lsp.MarkupContent(lsp.MarkupKind.PlainText, to_plaintext(markdown))


@dataclass(frozen=True)
class CompletionSupport:
    snippets: bool = False
    markdown: bool = False  # documentation may be Markdown
    deprecated_tag: bool = False
    deprecated_field: bool = False
    insert_as_is: bool = False  # insertTextMode asIs may be set on items

    @classmethod
    def of(cls, caps: lsp.ClientCapabilities) -> CompletionSupport:
        item = "text_document.completion.completion_item"
        tags = get_capability(caps, f"{item}.tag_support", None)
        modes = get_capability(caps, f"{item}.insert_text_mode_support", None)
        formats = get_capability(caps, f"{item}.documentation_format", None) or []
        return cls(
            snippets=bool(get_capability(caps, f"{item}.snippet_support", False)),
            markdown=lsp.MarkupKind.Markdown in formats,
            deprecated_tag=bool(tags and lsp.CompletionItemTag.Deprecated in tags.value_set),
            deprecated_field=bool(get_capability(caps, f"{item}.deprecated_support", False)),
            insert_as_is=bool(modes and lsp.InsertTextMode.AsIs in modes.value_set),
        )

    def documentation(self, markdown: str) -> str | lsp.MarkupContent:
        if self.markdown:
            return lsp.MarkupContent(lsp.MarkupKind.Markdown, markdown)
        return to_plaintext(markdown)
