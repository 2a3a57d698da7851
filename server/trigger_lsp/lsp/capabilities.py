"""The capabilities the route table (lsp/routes.py) advertises, in JSON, as lsp/early.py
answers them before pygls loads.

`python -m trigger_lsp.lsp.capabilities` writes capabilities.json from the route table after a
route or its options changed; tests/lsp/test_routes.py fails until it is current.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from lsprotocol import types as lsp
from pygls.protocol import default_converter

from trigger_lsp.lsp import routes
from trigger_lsp.lsp.early import CAPABILITIES


def built(client: dict[str, Any], every: bool = False) -> dict[str, Any]:
    """What the server answers to `initialize` for these client capabilities (`every`: with
    the routes offered to some clients only)."""
    converter = default_converter()
    caps = converter.structure(client, lsp.ClientCapabilities)
    table = routes.ROUTES
    if every:
        table = tuple(dataclasses.replace(r, offered=None) for r in table)
    return dict(converter.unstructure(routes.capabilities(caps, routes=table)))


def snapshot() -> dict[str, Any]:
    """The capabilities for a client that declares none, with every route, without the
    position encoding (which lsp/early.py chooses per client)."""
    out = built({}, every=True)
    out.pop("positionEncoding", None)
    return out


def write() -> None:
    CAPABILITIES.write_text(json.dumps(snapshot(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
