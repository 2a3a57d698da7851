"""Hover length (issue 16): a finding's hover fits in about 15 lines by default, an SDK name's
or option key's in two lines without the signature TypeScript shows; `hover.detail: "full"`
gives the whole explanation.

Measured for every rule (each message variant) and every API and option entry of the
references through the function the server uses, and end to end on the hover of every finding
the server reports in examples/ and the quality corpus.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, open_doc, published, request, start
from trigger_lsp.knowledge.loader import knowledge
from trigger_lsp.lsp.features.hover_text import (
    MAX_EDGES,
    MAX_LINES,
    display_lines,
    finding_hover,
    symbol_hover,
)

ASYNC = pytest.mark.asyncio(loop_scope="module")

KB = knowledge()
REPO = Path(__file__).resolve().parents[2]
TREES = [REPO / "examples", REPO / "tests" / "corpus"]


def nonblank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- every rule, every entry (the server's own text function) ------------------------------------


@pytest.mark.parametrize("rule_id", sorted(KB.rules))
def test_every_rule_hover_fits(rule_id: str):
    doc = KB.rules[rule_id]
    messages = [doc.message] + [v.message for v in doc.variants.values()]
    for message in messages:
        short = finding_hover(KB, rule_id, message)
        assert display_lines(short) <= MAX_LINES, short
        assert short.startswith(f"**{rule_id}**: {message}")
        assert f"[Explain {rule_id}](command:trigger-lsp.explain?" in short
        assert "### " not in short  # no headings (Neovim shows them raw)
        full = finding_hover(KB, rule_id, message, full=True)
        assert display_lines(full) > display_lines(short)
        assert doc.summary in full


def test_hover_lengths_before_and_after():
    """The numbers of the report: the long form is what every hover showed before."""
    short = [display_lines(finding_hover(KB, r, KB.rules[r].message)) for r in KB.rules]
    full = [display_lines(finding_hover(KB, r, KB.rules[r].message, full=True)) for r in KB.rules]
    assert max(short) <= MAX_LINES
    assert sorted(full)[len(full) // 2] > 3 * sorted(short)[len(short) // 2]


def test_plain_text_link_names_the_cli_command():
    text = finding_hover(KB, "parallel-waits", "m", markdown=False)
    assert "Full explanation: trigger-lsp explain parallel-waits" in text
    assert "command:" not in text


@pytest.mark.parametrize("entry_id", sorted(KB.reference.api))
def test_every_sdk_name_hover_is_two_lines_at_most(entry_id: str):
    entry = KB.reference.api[entry_id]
    text = symbol_hover(KB, entry, None)
    assert text is None or len(nonblank(text)) <= 2
    if text is not None:
        assert entry.signature not in text  # TypeScript shows the signature
        assert all(len(line) <= 200 for line in nonblank(text))
    assert entry.signature in (symbol_hover(KB, entry, None, full=True) or "")


@pytest.mark.parametrize("option_id", sorted(KB.reference.options))
def test_every_option_key_hover_is_two_lines_at_most(option_id: str):
    entry = KB.reference.options[option_id]
    text = symbol_hover(KB, entry, None)
    assert text is None or len(nonblank(text)) <= 2
    assert entry.type in (symbol_hover(KB, entry, None, full=True) or "")


@pytest.mark.parametrize(
    "entry", [*KB.reference.api.values(), *KB.reference.options.values()], ids=lambda e: e.id
)
def test_an_sdk_name_hover_names_every_sharp_edge(entry):
    """The sharp edges line is complete (issue 16): no ellipsis; the first MAX_EDGES edges by
    their titles, every other one by its id (sharp_edges.md's heading, `hover.detail: full`)."""
    text = symbol_hover(KB, entry, None) or ""
    known = [e for e in entry.sharp_edges if e in KB.sharp_edges]
    line = next((x for x in text.splitlines() if "Sharp edge" in x), "")
    assert "\u2026" not in line and "..." not in line
    assert bool(line) == bool(known)
    for n, edge in enumerate(known):
        assert (KB.sharp_edges[edge].title if n < MAX_EDGES else f"`{edge}`") in line
    assert len(line) <= 200


def test_the_sharp_edges_line_of_a_name_with_many():
    entry = KB.reference.api["tasks.triggerAndWait"]
    assert len(entry.sharp_edges) > MAX_EDGES
    line = (symbol_hover(KB, entry, None) or "").splitlines()[-1]
    first, second, *rest = entry.sharp_edges
    titles = f"{KB.sharp_edges[first].title}; {KB.sharp_edges[second].title}"
    assert line == f"*Sharp edges:* {titles}; also " + ", ".join(f"`{e}`" for e in rest)


# --- end to end: the hover of every finding in examples/ and the corpus -------------------------


async def _hover_every_finding(client: LanguageClient) -> dict[str, list[int]]:
    """Open every task file of the trees, hover at the start of each diagnostic; return the
    hover lengths (display lines) by rule."""
    lengths: dict[str, list[int]] = {}
    for tree in TREES:
        for path in sorted(tree.rglob("*.ts")):
            if "node_modules" in path.parts:
                continue
            uri = open_doc(client, path)
            diagnostics = await published(client, uri)
            for diag in diagnostics:
                result = await request(
                    client.text_document_hover_async(
                        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), diag.range.start)
                    )
                )
                if result is None:
                    continue
                assert isinstance(result.contents, lsp.MarkupContent)
                value = result.contents.value
                if f"**{diag.code}**" in value:
                    lengths.setdefault(str(diag.code), []).append(display_lines(value))
    return lengths


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def short_client(lsp_client: LanguageClient):
    await start(lsp_client, REPO / "examples", caps="visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def full_client(lsp_client: LanguageClient):
    await start(
        lsp_client,
        REPO / "examples",
        caps="visual-studio-code",
        options={"hover": {"detail": "full"}},
    )
    yield
    await lsp_client.shutdown_session()


@ASYNC
async def test_every_finding_hover_in_the_examples_fits(short_client: LanguageClient):
    lengths = await asyncio.wait_for(_hover_every_finding(short_client), 120)
    assert len(lengths) >= 20  # rules seen (30 in the CLI's report of these trees)
    # (several findings at one place share the 15 lines, so every hover fits)
    longest = max(n for values in lengths.values() for n in values)
    assert longest <= MAX_LINES, {r: v for r, v in lengths.items() if max(v) > MAX_LINES}


@ASYNC
async def test_full_detail_setting_gives_the_whole_explanation(full_client: LanguageClient):
    path = REPO / "examples" / "src" / "trigger" / "month-end.ts"
    uri = open_doc(full_client, path)
    diagnostics = await published(full_client, uri, lambda d: len(d) > 0)
    diag = diagnostics[0]
    result = await request(
        full_client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), diag.range.start)
        )
    )
    assert result is not None and isinstance(result.contents, lsp.MarkupContent)
    value = result.contents.value
    assert KB.rules[str(diag.code)].summary in value
    assert display_lines(value) > MAX_LINES
