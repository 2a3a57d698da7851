"""Suppression comments: `// trigger-lsp-ignore id[, id] -- reason` and `-ignore-file`."""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter as ts

LINE_DIRECTIVE = "trigger-lsp-ignore"
FILE_DIRECTIVE = "trigger-lsp-ignore-file"


@dataclass
class Suppression:
    comment: ts.Node
    rule_id: str
    start_byte: int  # of the id inside the comment
    end_byte: int
    file_wide: bool
    target_line: int  # 0-based line it covers (-1 for file-wide)
    misplaced: bool = False
    used: bool = False


@dataclass
class Suppressions:
    items: list[Suppression] = field(default_factory=list)

    def match(self, rule_id: str, line: int) -> bool:
        """Whether a finding of `rule_id` starting on `line` is suppressed; marks it used."""
        hit = False
        for s in self.items:
            if s.rule_id != rule_id or s.misplaced:
                continue
            if s.file_wide or s.target_line == line:
                s.used = True
                hit = True
        return hit


def _directive(comment: ts.Node, source: bytes) -> tuple[str, int, int] | None:
    """Return (directive, ids_start, ids_end) byte offsets for a suppression comment."""
    raw = source[comment.start_byte : comment.end_byte]
    if raw.startswith(b"//"):
        body_start = 2
        body_end = len(raw)
    elif raw.startswith(b"/*"):
        body_start, body_end = 2, len(raw) - 2 if raw.endswith(b"*/") else len(raw)
    else:
        return None
    body = raw[body_start:body_end]
    stripped = body.lstrip()
    offset = body_start + (len(body) - len(stripped))
    for directive in (FILE_DIRECTIVE, LINE_DIRECTIVE):
        d = directive.encode()
        if stripped.startswith(d) and (
            len(stripped) == len(d) or stripped[len(d) : len(d) + 1].isspace()
        ):
            start = comment.start_byte + offset + len(d)
            reason = body.find(b"--", offset - body_start + len(d))
            end = comment.start_byte + (body_start + reason if reason >= 0 else body_end)
            return directive, start, end
    return None


def _ids(source: bytes, start: int, end: int) -> list[tuple[str, int, int]]:
    ids = []
    i = start
    chunk = source[start:end]
    pos = 0
    for part in chunk.replace(b",", b" ").split(b" "):
        if part.strip():
            idx = chunk.find(part, pos)
            ids.append((part.strip().decode("utf-8", "replace"), i + idx, i + idx + len(part)))
            pos = idx + len(part)
    return ids


def collect(comments: list[ts.Node], source: bytes, root: ts.Node) -> Suppressions:
    first_code = next((c.start_byte for c in root.named_children if c.type != "comment"), None)
    result = Suppressions()
    for comment in comments:
        found = _directive(comment, source)
        if found is None:
            continue
        directive, start, end = found
        file_wide = directive == FILE_DIRECTIVE
        misplaced = file_wide and first_code is not None and comment.start_byte > first_code
        # A line directive covers the next line; written after code on a line, it covers its own.
        line = comment.start_point[0]
        line_start = source.rfind(b"\n", 0, comment.start_byte) + 1
        trailing = source[line_start : comment.start_byte].strip() != b""
        target = -1 if file_wide else (line if trailing else comment.end_point[0] + 1)
        for rule_id, s, e in _ids(source, start, end):
            result.items.append(Suppression(comment, rule_id, s, e, file_wide, target, misplaced))
    return result
