"""The capabilities pygls builds for the server's features, as lsp/early.py answers them.

`python -m trigger_lsp.lsp.capabilities` writes capabilities.json after a feature or its
options changed; tests/lsp/test_early.py fails until it is current.
"""

from __future__ import annotations

import json
from typing import Any

from lsprotocol import types as lsp
from pygls.capabilities import ServerCapabilitiesBuilder

from trigger_lsp.lsp.early import CAPABILITIES
from trigger_lsp.lsp.server import create_server, pulls


def built(client: dict[str, Any], every: bool = False) -> dict[str, Any]:
    """What the server answers to `initialize` for these client capabilities (as pygls'
    lsp_initialize builds it, and TriggerProtocol's; `every`: with the capabilities it
    leaves out for some clients)."""
    server = create_server()
    protocol, fm = server.protocol, server.protocol.fm
    caps = protocol._converter.structure(client, lsp.ClientCapabilities)
    builder = ServerCapabilitiesBuilder(
        caps,
        set({**fm.features, **fm.builtin_features}.keys()),
        fm.feature_options,
        list(fm.commands.keys()),
        server._text_document_sync_kind,
        server._notebook_document_sync,
        ServerCapabilitiesBuilder.choose_position_encoding(caps),
    )
    out = builder.build()
    if not every and not pulls(caps):
        out.diagnostic_provider = None
    return dict(protocol._converter.unstructure(out))


def snapshot() -> dict[str, Any]:
    """The capabilities for a client that declares none, without the position encoding (which
    lsp/early.py chooses per client)."""
    out = built({}, every=True)
    out.pop("positionEncoding", None)
    return out


def write() -> None:
    CAPABILITIES.write_text(json.dumps(snapshot(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
