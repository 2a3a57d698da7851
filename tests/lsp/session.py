"""Helpers for the end-to-end tests: a recording client, a workspace on disk, and positions
computed independently of the server (so a conversion bug cannot hide in both)."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "trigger_lsp", "serve"]
TIMEOUT = 10
SDK = '"@trigger.dev/sdk"'
CLIENTS = {  # the capability sets named in the brief
    "vscode": "visual-studio-code",
    "emacs": "emacs",
    "neovim-0.10": "neovim@v0.10.0",
    "neovim-0.11": "neovim@v0.11.0",
}


def _command_or_action(obj: Any, _: type) -> lsp.Command | lsp.CodeAction:
    """lsprotocol reads any object with a `command` key as a Command, so a CodeAction whose
    `command` is a Command object loses its kind and diagnostics; clients tell them apart
    by whether `command` is a string."""
    kind = lsp.Command if isinstance(obj.get("command"), str) else lsp.CodeAction
    return default_converter().structure(obj, kind)


def recording_client() -> LanguageClient:
    """A pytest-lsp client that also keeps every publishDiagnostics it receives, in order."""
    client = LanguageClient(converter_factory=default_converter)
    client.protocol._converter.register_structure_hook(
        Union[lsp.Command, lsp.CodeAction],  # noqa: UP007 (the hook is keyed by this object)
        _command_or_action,
    )
    publishes: list[lsp.PublishDiagnosticsParams] = []
    client.publishes = publishes  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        publishes.append(params)

    lens_refreshes: list[None] = []
    client.lens_refreshes = lens_refreshes  # type: ignore[attr-defined]

    def lens_refresh(client: LanguageClient, params: None) -> None:
        lens_refreshes.append(params)  # (as VS Code: it asks for the lenses again)

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            lsp.WORKSPACE_CODE_LENS_REFRESH: lens_refresh,
        },
    )
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=recording_client)


def publishes(client: LanguageClient, uri: str | None = None) -> list[lsp.PublishDiagnosticsParams]:
    found: list[lsp.PublishDiagnosticsParams] = client.publishes  # type: ignore[attr-defined]
    return [p for p in found if uri is None or p.uri == uri]


# A client that pulls diagnostics and can be asked to pull again (VS Code's language client
# does both): Neovim 0.11's capabilities with workspace/diagnostic/refresh support.
PULLING = "pulling"


def capabilities(name: str, encodings: Sequence[str] | None = None) -> lsp.ClientCapabilities:
    if name == PULLING:
        caps = client_capabilities(CLIENTS["neovim-0.11"])
        assert caps.workspace is not None
        caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
        return capabilities_with(caps, encodings)
    return capabilities_with(client_capabilities(CLIENTS.get(name, name)), encodings)


def capabilities_with(
    caps: lsp.ClientCapabilities, encodings: Sequence[str] | None
) -> lsp.ClientCapabilities:
    if encodings is not None:
        caps.general = lsp.GeneralClientCapabilities(
            position_encodings=[lsp.PositionEncodingKind(e) for e in encodings]
        )
    return caps


async def start(
    client: LanguageClient,
    root: Path,
    caps: str = "vscode",
    options: Any = None,
    encodings: Sequence[str] | None = None,
) -> lsp.InitializeResult:
    params = lsp.InitializeParams(
        capabilities=capabilities(caps, encodings),
        root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), root.name)],
        initialization_options=options,
    )
    return await asyncio.wait_for(client.initialize_session(params), TIMEOUT)


def write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    written = {}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written[name] = path
    return written


def project(root: Path, files: dict[str, str]) -> dict[str, Path]:
    """A v4 project with a trigger.config.ts, plus the given files."""
    base = {
        "package.json": '{"name": "app", "dependencies": {"@trigger.dev/sdk": "^4.0.0"}}\n',
        "trigger.config.ts": (
            'import { defineConfig } from "@trigger.dev/sdk";\n'
            'export default defineConfig({ project: "proj_x", dirs: ["./src/trigger"], '
            "maxDuration: 300 });\n"
        ),
    }
    return write(root, {**base, **files})


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    if text is None:
        text = path.read_bytes().decode("utf-8")
    language = "typescript" if path.suffix in (".ts", ".mts", ".cts") else "typescriptreact"
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, version, text))
    )
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def edit(client: LanguageClient, uri: str, version: int, rng: lsp.Range, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [lsp.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


async def eventually(check: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
    """Poll until `check()` returns something truthy (and return it), or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.02)


async def until(
    fetch: Callable[[], Any], check: Callable[[Any], bool] = bool, what: str = ""
) -> Any:
    """Repeat a request until its result passes `check` (and return it), or fail."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        result = await asyncio.wait_for(fetch(), TIMEOUT)
        if check(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or fetch}: last {result!r}")
        await asyncio.sleep(0.05)


async def pulled(
    client: LanguageClient, uri: str, check: Callable[[list[lsp.Diagnostic]], bool]
) -> list[lsp.Diagnostic]:
    """Pull `uri`'s diagnostics until they pass `check` (the first answers come before the
    workspace index is complete, and the client is then asked to pull again)."""
    found: list[lsp.Diagnostic] = await until(lambda: pull(client, uri), check, f"pull {uri}")
    return found


async def published(
    client: LanguageClient,
    uri: str,
    check: Callable[[Sequence[lsp.Diagnostic]], bool] = lambda d: True,
    version: int | None = None,
) -> Sequence[lsp.Diagnostic]:
    """Wait for a publish of `uri` (of `version` if given) whose diagnostics pass `check`."""

    def found() -> Sequence[lsp.Diagnostic] | None:
        for p in reversed(publishes(client, uri)):
            if version is not None and p.version != version:
                continue
            return p.diagnostics if check(p.diagnostics) else None
        return None

    result = await eventually(lambda: (found(),) if found() is not None else None, what=uri)
    return result[0]


async def pull(client: LanguageClient, uri: str) -> list[lsp.Diagnostic]:
    report = await asyncio.wait_for(
        client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
        ),
        TIMEOUT,
    )
    return list(report.items)


def codes(diagnostics: Sequence[lsp.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


async def request(coro: Any) -> Any:
    return await asyncio.wait_for(coro, TIMEOUT)


async def raw_request(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request whose params are sent as given, unchecked (pytest-lsp would serialise
    them through the method's types); return the result or raise the error response."""
    msg_id = f"raw-{uuid.uuid4()}"
    future: Future[Any] = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)


# --- positions, computed here without the server's code ---------------------------------------


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def position(text: str, offset: int, encoding: str = "utf-16") -> lsp.Position:
    """The LSP position of a character offset into `text`."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return lsp.Position(line, units(text[start:offset], encoding))


def find(
    text: str, needle: str, encoding: str = "utf-16", nth: int = 0, at: int = 0
) -> lsp.Position:
    """The position of the `nth` occurrence of `needle`, plus `at` characters into it."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return position(text, offset + at, encoding)


def span(text: str, needle: str, encoding: str = "utf-16", nth: int = 0) -> lsp.Range:
    start = find(text, needle, encoding, nth)
    return lsp.Range(start, find(text, needle, encoding, nth, len(needle)))


def offset_of(text: str, pos: lsp.Position, encoding: str) -> int:
    lines = text.split("\n")
    base = sum(len(line) + 1 for line in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    count = 0
    for i, ch in enumerate(line):
        if count >= pos.character:
            return base + i
        count += units(ch, encoding)
    return base + len(line)


def apply_edits(text: str, edits: Sequence[lsp.TextEdit], encoding: str = "utf-16") -> str:
    spans = [
        (
            offset_of(text, e.range.start, encoding),
            offset_of(text, e.range.end, encoding),
            e.new_text,
        )
        for e in edits
    ]
    for start, end, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def workspace_edits(edit: lsp.WorkspaceEdit | None, uri: str) -> list[lsp.TextEdit]:
    assert edit is not None
    found: list[lsp.TextEdit] = []
    for change in edit.document_changes or []:
        if isinstance(change, lsp.TextDocumentEdit) and change.text_document.uri == uri:
            found += [e for e in change.edits if isinstance(e, lsp.TextEdit)]
    found += list((edit.changes or {}).get(uri, []))
    return found


@dataclass
class Doc:
    """A document the test keeps in step with what it sends to the server."""

    client: LanguageClient
    uri: str
    text: str
    version: int = 1
    encoding: str = "utf-16"
    history: list[str] = field(default_factory=list)

    def replace(self, text: str) -> None:
        self.version += 1
        self.text = text
        replace_all(self.client, self.uri, text, self.version)

    def apply(self, edits: Sequence[lsp.TextEdit]) -> None:
        self.replace(apply_edits(self.text, edits, self.encoding))


# --- a workspace a module's tests share, and completion at a `|` marker ---------------------------

# The position encoding each capability set negotiates.
ENCODINGS = {
    "neovim": "utf-8",
    "visual-studio-code": "utf-16",
    "neovim@v0.10.0": "utf-16",
    "plaintext": "utf-16",
}
_names = itertools.count()


@dataclass
class Workspace:
    client: LanguageClient
    root: Path
    caps: str

    @property
    def encoding(self) -> str:
        return ENCODINGS[self.caps]

    @property
    def snippets(self) -> bool:
        return self.caps != "neovim@v0.10.0"


def labels(items: Sequence[lsp.CompletionItem] | None) -> list[str]:
    return [i.label for i in items or []]


def cursor(text: str) -> tuple[str, int]:
    """The text without its `|` marker, and the marker's offset."""
    offset = text.index("|")
    return text[:offset] + text[offset + 1 :], offset


def new_file(ws: Workspace, kind: str, name: str | None = None) -> Path:
    """`name` in the workspace, or a new file under src/trigger/."""
    return ws.root / (name or f"src/trigger/{kind}{next(_names)}.ts")


@dataclass
class Completed:
    items: list[lsp.CompletionItem]
    text: str  # the document, without the marker
    pos: lsp.Position
    offset: int  # character offset of the cursor
    ws: Workspace

    def item(self, label: str) -> lsp.CompletionItem:
        found = [i for i in self.items if i.label == label]
        assert found, f"no item {label!r} in {labels(self.items)}"
        return found[0]

    def accept(self, label: str) -> str:
        """The document after accepting the item (main and additional edits)."""
        item = self.item(label)
        assert isinstance(item.text_edit, lsp.TextEdit)
        edits = [item.text_edit, *(item.additional_text_edits or [])]
        return apply_edits(self.text, edits, self.ws.encoding)


async def complete(ws: Workspace, text: str, name: str | None = None) -> Completed:
    """Open `text` (a new file unless `name`) and ask for completion at its `|` marker."""
    source, offset = cursor(text)
    uri = open_doc(ws.client, new_file(ws, "c", name), source)
    pos = position(source, offset, ws.encoding)
    result = await request(
        ws.client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos)
        )
    )
    items = result.items if isinstance(result, lsp.CompletionList) else list(result or [])
    return Completed(items, source, pos, offset, ws)
