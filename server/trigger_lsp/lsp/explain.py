"""Markdown explanations of rules and sharp edges, for hover and the explain command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trigger_lsp.knowledge.model import PACKAGE_NAMES, Knowledge, RuleDoc, SharpEdge

if TYPE_CHECKING:
    from trigger_lsp.project.context import ProjectContext


def version_note(doc: RuleDoc, project: ProjectContext) -> str | None:
    """One line for a finding of a version-dependent rule: the version assumed and its source."""
    packages = list(dict.fromkeys(gate.package for _, gate in doc.gates))
    if not packages:
        return None
    said = "; ".join(f"{PACKAGE_NAMES[p]} {project.version_of(p).describe()}" for p in packages)
    return f"*Version assumed: {said}.*"


def version_lines(doc: RuleDoc) -> list[str]:
    """The rule's version ranges in words, each with its evidence (empty when it has none)."""
    out = []
    for name, gate in doc.gates:
        if name is None:
            said = f"Runs only on {gate.describe()} (silent when the project's version is unknown)."
        else:
            who = "The main message" if name == "(main message)" else f"The message `{name}`"
            said = f"{who} is used only on {gate.describe()}."
        out.append(f"{said} Evidence: {gate.evidence}")
    return out


def edge_markdown(edge: SharpEdge) -> str:
    parts = [f"**{edge.title}** ({edge.severity})", "", edge.summary]
    for heading in ("Why it happens", "What to do", "Symptoms"):
        body = edge.prose.get(heading)
        if body:
            parts += ["", f"*{heading}*", "", body]
    if edge.docs:
        parts += ["", f"[Trigger.dev docs]({edge.docs})"]
    return "\n".join(parts)


def rule_markdown(
    kb: Knowledge,
    rule_id: str,
    with_edges: bool = True,
    note: str | None = None,
    examples: bool = False,
) -> str:
    """The rule's explanation; `note` (the version a finding assumed) goes under its title;
    `examples` adds its Invalid and Valid examples (the Explain view, not hovers)."""
    doc = kb.rules[rule_id]
    # No `#` headings: Neovim's hover window shows their markers raw (0.11 conceals `**`, `*`
    # and backticks in hover Markdown, not `###`).
    parts = [
        f"**{rule_id}**: {doc.title}",
        "",
        f"`{doc.severity.value}` · {'on' if doc.enabled else 'off'} by default"
        f" · fix: {doc.fix.value}",
        *(["", note] if note else []),
        "",
        doc.summary,
    ]
    for line in version_lines(doc):
        parts += ["", line]
    for heading in ("Why", "How to fix", "Correction to older advice"):
        body = doc.prose.get(heading)
        if body:
            parts += ["", f"**{heading}**", "", body]
    if examples:
        for example in doc.examples:
            parts += ["", f"**{example.heading}**", "", example.markdown()]
    if with_edges:
        for edge in kb.edges_for(rule_id):
            parts += ["", "---", "", edge_markdown(edge)]
    return "\n".join(parts)
