"""What a client's capabilities say, read from their JSON as the client sent it: the first
answers (lsp/early.py) read it from the `initialize` message, the server from the same message
(kept by lsp/protocol.py before pygls structures it), so both phases decide alike. A leaf
module: the first answers import it before anything else is loaded."""

from __future__ import annotations

from typing import Any


def pulls(capabilities: Any) -> bool:
    """Whether the client pulls diagnostics: when it can pull (`"diagnostic": {}` declares it
    too) and can be asked to pull again. A client that cannot be asked again (Neovim 0.11)
    gets them published instead: it would otherwise keep a first answer made before the
    workspace index was complete until the next edit, or the first answer would have to wait
    for the index (seconds)."""
    return isinstance(get(capabilities, "textDocument", "diagnostic"), dict) and bool(
        get(capabilities, "workspace", "diagnostics", "refreshSupport")
    )


def asks_configuration(capabilities: Any) -> bool:
    """Whether the client answers workspace/configuration (then the server asks it for the
    settings, and a change notification carries none it reads)."""
    return bool(get(capabilities, "workspace", "configuration"))


def get(data: Any, *keys: str) -> Any:
    """data[k1][k2]...: None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
