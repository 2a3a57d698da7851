"""Editor features beyond diagnostics: hover, completion and navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trigger_lsp.lsp.server import TriggerLanguageServer


def register_features(server: TriggerLanguageServer) -> None:
    """Register the feature handlers on the server."""
    from trigger_lsp.lsp.features import completion, hover, navigation, workspace_check

    navigation.register(server)
    hover.register(server)
    completion.register(server)
    workspace_check.register(server)
