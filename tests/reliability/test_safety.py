"""Safety: trigger-lsp never runs or imports the user's code, reads YAML only safely, and writes
nothing into the workspace, whatever the workspace holds.

A workspace is set with traps: a trigger.config.ts and a task file that would create a marker
file if anything ran them, package.json scripts that would too, and a .trigger-lsp.yaml with a
Python object tag that only an unsafe YAML load would act on. The CLI (with and without --fix
off) and the language server (opening, editing, hovering, asking for code actions) then work on
it; afterwards no file in the workspace was created, changed or removed."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from lsp.session import CONFIG, TIMEOUT, edit, open_doc, pull, start

ROOT = Path(__file__).parent.parent.parent
PACKAGE = ROOT / "server" / "trigger_lsp"
MARKER = "pwned-marker"

# Ways Python code could run or import other code, or load YAML unsafely. The references are
# read with the safe loader in its libyaml build (`yaml.load(..., Loader=_safe_loader())`, the
# same semantics as yaml.safe_load); no other yaml.load is allowed.
FORBIDDEN = re.compile(
    r"(?<![\w.])(eval|exec|__import__|compile)\s*\(|importlib\.import_module|runpy\.|subprocess\."
    r"|os\.system|os\.popen|pickle\.loads?|yaml\.(unsafe_load|full_load)\s*\("
    r"|yaml\.load\s*\((?!.*Loader=_safe_loader\(\)\))"
)


def test_the_package_never_runs_code_or_loads_yaml_unsafely() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line.split("#", 1)[0])
    ]
    assert not found, found


def test_the_references_loader_is_the_safe_one() -> None:
    import yaml

    from trigger_lsp.knowledge.loader import _safe_loader

    loader = _safe_loader()
    assert loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None))
    with pytest.raises(yaml.YAMLError):
        yaml.load('x: !!python/object/apply:os.system ["true"]', Loader=loader)


def _trap_workspace(root: Path) -> Path:
    touch = f"require('fs').writeFileSync('{MARKER}', 'ran')"
    (root / "src" / "trigger").mkdir(parents=True)
    (root / "package.json").write_text(
        '{"name": "trap", "dependencies": {"@trigger.dev/sdk": "^4.0.0"},'
        f' "scripts": {{"postinstall": "touch {MARKER}", "prepare": "touch {MARKER}"}}}}'
    )
    (root / "trigger.config.ts").write_text(
        f'import {{ defineConfig }} from "@trigger.dev/sdk";\n{touch};\n'
        'export default defineConfig({ project: "proj_trap", dirs: ["./src/trigger"] });\n'
    )
    (root / ".trigger-lsp.yaml").write_text(
        f'rules: !!python/object/apply:os.system ["touch {MARKER}"]\n'
    )
    (root / "src" / "trigger" / "t.ts").write_text(
        'import { task } from "@trigger.dev/sdk";\n'
        f"{touch};\n"
        'export const t = task({ id: "t", machine: "huge-1x", run: async () => {\n'
        '  await import("./other");\n'
        "  return 1;\n"
        "} });\n"
    )
    (root / "src" / "trigger" / "other.ts").write_text(f"{touch};\nexport const x = 1;\n")
    return root


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_the_cli_and_the_server_leave_a_trap_workspace_untouched(
    client: LanguageClient, tmp_path: Path
) -> None:
    root = _trap_workspace(tmp_path / "ws")
    before = _snapshot(root)

    check = subprocess.run(
        [sys.executable, "-m", "trigger_lsp", "check", str(root)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode in (0, 1), check.stderr
    assert "config" in check.stdout + check.stderr  # the bad .trigger-lsp.yaml is reported

    await start(client, root, "vscode", {"debounceMs": 0})
    path = root / "src" / "trigger" / "t.ts"
    uri = open_doc(client, path)
    found = await pull(client, uri)
    assert any(d.code == "invalid-machine-preset" for d in found)
    at = lsp.Position(2, 0)
    edit(client, uri, 2, lsp.Range(at, at), "// edited\n")
    found = await pull(client, uri)
    where = lsp.Position(3, 30)
    hover = client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), where)
    )
    await asyncio.wait_for(hover, TIMEOUT)
    actions = client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri),
            lsp.Range(where, where),
            lsp.CodeActionContext(diagnostics=found),
        )
    )
    assert isinstance(await asyncio.wait_for(actions, TIMEOUT), (list, tuple))
    errors = [m for m in client.log_messages if m.type == lsp.MessageType.Error]
    assert not errors, errors

    assert not list(root.rglob(MARKER))
    assert _snapshot(root) == before
