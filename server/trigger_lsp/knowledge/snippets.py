"""LSP snippet text: checking it and turning it into plain text for clients without snippets.

Supported syntax is what the references use: tab stops (`$1`, `${1}`), placeholders
(`${1:default}`, nestable), choices (`${1|a,b|}`) and the escapes `\\$`, `\\}` and `\\\\`.
Variables (`$NAME`) are rejected: in the references an unescaped `$` before a name is always a
mistake (a TypeScript template `${...}` must be written `\\${...\\}`).
"""

from __future__ import annotations


class SnippetError(ValueError):
    """Malformed snippet text; the message says where."""


def snippet_to_plain(snippet: str) -> str:
    """The text a snippet inserts when every placeholder keeps its default, the first choice is
    taken and the tab stops are empty."""
    text, pos = _parse(snippet, 0, nested=False)
    if pos != len(snippet):
        raise SnippetError(f"unexpected '}}' at {pos}")
    return text


def check_snippet(snippet: str) -> None:
    """Raise SnippetError when the snippet is malformed."""
    snippet_to_plain(snippet)


def _parse(s: str, pos: int, *, nested: bool) -> tuple[str, int]:
    """Parse text up to the end (or, when nested, up to an unescaped `}`)."""
    out: list[str] = []
    while pos < len(s):
        ch = s[pos]
        if ch == "\\" and pos + 1 < len(s) and s[pos + 1] in "$}\\":
            out.append(s[pos + 1])
            pos += 2
        elif ch == "}" and nested:
            return "".join(out), pos
        elif ch == "$":
            text, pos = _dollar(s, pos)
            out.append(text)
        else:
            out.append(ch)
            pos += 1
    if nested:
        raise SnippetError("unclosed '${'")
    return "".join(out), pos


def _dollar(s: str, pos: int) -> tuple[str, int]:
    """Parse a construct starting with `$` at `pos`; return its plain text and the end."""
    nxt = s[pos + 1] if pos + 1 < len(s) else ""
    if nxt.isdigit():
        end = pos + 1
        while end < len(s) and s[end].isdigit():
            end += 1
        return "", end
    if nxt != "{":
        if nxt.isalpha() or nxt == "_":
            raise SnippetError(f"unescaped '$' before a name at {pos} (write '\\$')")
        return "$", pos + 1
    start = pos + 2
    end = start
    while end < len(s) and s[end].isdigit():
        end += 1
    if end == start:
        raise SnippetError(f"'${{' at {pos} must be followed by a tab stop number (write '\\$')")
    if end >= len(s):
        raise SnippetError("unclosed '${'")
    sep = s[end]
    if sep == "}":
        return "", end + 1
    if sep == ":":
        text, close = _parse(s, end + 1, nested=True)
        return text, close + 1
    if sep == "|":
        close = s.find("|}", end + 1)
        if close == -1:
            raise SnippetError(f"unclosed choice at {pos}")
        options = s[end + 1 : close].split(",")
        if not options or not options[0]:
            raise SnippetError(f"empty choice at {pos}")
        return options[0], close + 2
    raise SnippetError(f"unexpected {sep!r} after '${{{s[start:end]}' at {end}")
