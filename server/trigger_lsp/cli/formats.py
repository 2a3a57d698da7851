"""Report formats for `trigger-lsp check`: text, json, sarif and github."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from trigger_lsp import __version__
from trigger_lsp.cli.runner import FileOutcome, Located
from trigger_lsp.knowledge.model import Knowledge, Severity
from trigger_lsp.project.paths import display_path

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice", "hint": "notice"}
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}


def printable(text: str) -> str:
    """`text` safe to print on a terminal or in a CI log: a file name or a message can hold
    line ends (which would forge report lines), escape sequences, bidirectional controls or
    bytes that are not UTF-8; each such character is shown as a Python-style escape."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    escaped = ch.encode("unicode_escape").decode("ascii")
    return escaped if escaped != ch else f"\\u{code:04x}"


def shown(path: Path) -> str:
    """A path as a terminal line shows it: relative to the current folder, control
    characters escaped."""
    return printable(display_path(path))


def _rows(outcomes: list[FileOutcome]) -> list[tuple[Path, Located]]:
    return [(o.path, loc) for o in outcomes for loc in o.located]


def _json_path(path: Path) -> str:
    """JSON escapes control characters itself; a name that is not UTF-8 has no JSON string, so
    its undecodable bytes are written as escapes."""
    rel = display_path(path)
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return printable(rel)
    return rel


def _uri(path: Path) -> str:
    """A relative URI reference for SARIF: every byte outside the unreserved set is encoded."""
    return quote(os.fsencode(display_path(path)).replace(os.sep.encode(), b"/"), safe="/")


def text_report(outcomes: list[FileOutcome], color: bool = False) -> str:
    lines = []
    for path, loc in _rows(outcomes):
        f = loc.finding
        sev = f.severity.value
        if color:
            sev = (
                {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}.get(sev, "\x1b[2m")
                + sev
                + "\x1b[0m"
            )
        fixable = " [*]" if f.fixable else ""
        where = f"{shown(path)}:{loc.line}:{loc.column}"
        lines.append(f"{where}  {sev}  {f.rule}  {printable(f.message)}{fixable}")
    for o in outcomes:
        for note in o.notes:
            if not note.startswith("the file has syntax errors"):
                lines.append(f"{shown(o.path)}: {printable(note)}")
            else:
                lines.append(f"{shown(o.path)}: note: {printable(note)}")
        for err in o.errors:
            lines.append(f"{shown(o.path)}: error: {printable(err)}")
    lines.append(summary(outcomes))
    return "\n".join(lines)


def summary(outcomes: list[FileOutcome]) -> str:
    counts = Counter(loc.finding.severity.value for o in outcomes for loc in o.located)
    total = sum(counts.values())
    fixable = sum(1 for o in outcomes for loc in o.located if loc.finding.fixable)
    fixed = sum(o.fixed for o in outcomes)
    files = len(outcomes)
    noun = "file" if files == 1 else "files"
    if not total:
        head = f"No problems found in {files} {noun}."
    else:
        parts = [
            f"{counts[s.value]} {s.value}{'s' if counts[s.value] != 1 else ''}"
            for s in Severity
            if counts[s.value]
        ]
        plural = "s" if total != 1 else ""
        head = f"Found {total} problem{plural} ({', '.join(parts)}) in {files} {noun}."
        if fixable:
            head += f" {fixable} fixable with --fix (some only with --unsafe-fixes)."
    if fixed:
        head += f" Fixed {fixed}."
    return head


def json_report(outcomes: list[FileOutcome]) -> str:
    out = []
    for path, loc in _rows(outcomes):
        f = loc.finding
        out.append(
            {
                "path": _json_path(path),
                "line": loc.line,
                "column": loc.column,
                "endLine": loc.end_line,
                "endColumn": loc.end_column,
                "rule": f.rule,
                "severity": f.severity.value,
                "message": f.message,
                "fixable": f.fixable,
            }
        )
    return json.dumps(out, indent=2)


def _escape_github(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_report(outcomes: list[FileOutcome]) -> str:
    lines = []
    for path, loc in _rows(outcomes):
        f = loc.finding
        props = (
            f"file={_escape_github(shown(path), True)},line={loc.line},col={loc.column},"
            f"endLine={loc.end_line},endColumn={loc.end_column},"
            f"title={_escape_github(f.rule, True)}"
        )
        message = _escape_github(printable(f.message))
        lines.append(f"::{GITHUB_LEVEL[f.severity.value]} {props}::{message}")
    lines.append(summary(outcomes))
    return "\n".join(lines)


def sarif_report(outcomes: list[FileOutcome], kb: Knowledge) -> str:
    rule_ids = sorted(kb.rules)
    rules = []
    for rid in rule_ids:
        rule_doc = kb.rules[rid]
        edges = kb.edges_for(rid)
        descriptor: dict[str, object] = {
            "id": rid,
            "name": rid,
            "shortDescription": {"text": rule_doc.title},
            "fullDescription": {"text": rule_doc.summary},
            "defaultConfiguration": {
                "level": SARIF_LEVEL[rule_doc.severity.value],
                "enabled": rule_doc.enabled,
            },
            "help": {"text": rule_doc.prose.get("How to fix", rule_doc.summary)},
            "properties": {"fix": rule_doc.fix.value},
        }
        uri = next((e.docs for e in edges if e.docs), None)
        if uri:
            descriptor["helpUri"] = uri
        rules.append(descriptor)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results = []
    for path, loc in _rows(outcomes):
        f = loc.finding
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule, 0),
                "level": SARIF_LEVEL[f.severity.value],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(path)},
                            "region": {
                                "startLine": loc.line,
                                "startColumn": loc.column,
                                "endLine": loc.end_line,
                                "endColumn": loc.end_column,
                            },
                        }
                    }
                ],
            }
        )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "trigger-lsp",
                        "version": __version__,
                        "informationUri": "https://trigger.dev/docs",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2)
