"""One engine for every file type (issue 16): `package.json` and `trigger.config.*` findings
come from the same entry (file_check.check_source) in the CLI and the server, so `trigger-lsp
check --format json` and the diagnostics the server publishes for the opened files agree, on
projects of the quality corpus that have findings in those files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, eventually, publishes, start

pytestmark = pytest.mark.asyncio

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
# Projects whose package.json or trigger.config.ts has findings (and task files beside them).
PROJECTS = ["ledgerline", "clipforge", "podcast-studio", "helpdesk"]

Row = tuple[str, str, int, int, str]  # path relative to the project, rule, line, column, message


def cli_rows(root: Path) -> set[Row]:
    done = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return {
        (
            Path(f["path"]).resolve().relative_to(root).as_posix(),
            f["rule"],
            f["line"],
            f["column"],
            f["message"],
        )
        for f in json.loads(done.stdout)
    }


def language(path: Path) -> str:
    if path.suffix == ".json":
        return "json"
    return "typescript" if path.suffix == ".ts" else "typescriptreact"


@pytest_lsp.fixture(config=CONFIG)
async def editor(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


@pytest.mark.parametrize("name", PROJECTS)
async def test_cli_and_server_report_the_same_findings(editor: LanguageClient, name: str):
    root = (CORPUS / name).resolve()
    expected = cli_rows(root)
    # Every package.json and config of the project, and every file the CLI reports on.
    paths = {root / row[0] for row in expected}
    paths |= {p for p in root.rglob("package.json") if "node_modules" not in p.parts}
    paths |= set(root.glob("trigger.config.*"))
    assert any(p.name == "package.json" for p in {root / r[0] for r in expected}) or any(
        "trigger.config" in r[0] for r in expected
    )
    await start(editor, root, "vscode")
    for path in sorted(paths):
        editor.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(path.as_uri(), language(path), 1, path.read_text())
            )
        )

    def server_rows() -> set[Row]:
        rows: set[Row] = set()
        for path in paths:
            found = publishes(editor, path.as_uri())
            if not found:
                return set()  # not all published yet
            for d in found[-1].diagnostics:
                rel = path.relative_to(root).as_posix()
                start_ = d.range.start
                rows.add((rel, str(d.code), start_.line + 1, start_.character + 1, d.message))
        return rows

    # (pushed again once the workspace index is complete: cross-file rules then agree too)
    await eventually(lambda: server_rows() == expected, timeout=20, what=f"{name}: {expected}")
    manifest_rows = {r for r in expected if r[0].endswith("package.json")}
    config_rows = {r for r in expected if "trigger.config" in r[0]}
    assert manifest_rows or config_rows


MISMATCH = (
    '{\n  "name": "app",\n  "dependencies": {\n    "@trigger.dev/sdk": "4.0.0",\n'
    '    "trigger.dev": "3.3.17"\n  }\n}\n'
)


async def test_package_json_in_the_editor(editor: LanguageClient, tmp_path: Path):
    """An opened package.json gets its finding, follows edits, and offers no ignore comment
    (JSON has none), only the explanation."""
    root = tmp_path.resolve()
    manifest = root / "package.json"
    manifest.write_text(MISMATCH)
    await start(editor, root, "vscode")
    uri = manifest.as_uri()
    editor.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "json", 1, MISMATCH))
    )
    report = await editor.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
    )
    assert [str(d.code) for d in report.items] == ["sdk-version-mismatch"]
    diag = report.items[0]
    actions = await editor.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), diag.range, lsp.CodeActionContext([diag])
        )
    )
    assert [a.title for a in actions or []] == ["Explain sdk-version-mismatch"]
    fixed = MISMATCH.replace("3.3.17", "4.0.0")
    editor.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    report = await editor.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
    )
    assert list(report.items) == []
