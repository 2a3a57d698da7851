"""What the first answers (lsp/early.py) hand to the server (lsp/server.py) when it takes over."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trigger_lsp.lsp.framing import Frame, FrameParser
    from trigger_lsp.lsp.state import Session


@dataclass
class Handover:
    """What the server needs to go on from where the first answers stopped."""

    frames: list[Frame] = field(default_factory=list)  # not served there (and `initialize`)
    parser: FrameParser | None = None  # what was read after them, and how far
    session: Session | None = None  # the server goes on with it
    initialize_id: Any = None
    initialize_result: dict[str, Any] | None = None
    # Documents whose task ids changed: the others need a new look (refresh_others).
    changed: set[str] = field(default_factory=set)

    @property
    def unread(self) -> bytes:
        """The bytes of the frames left to the server, then those read after them."""
        rest = self.parser.rest if self.parser is not None else b""
        return b"".join(frame.raw for frame in self.frames) + rest
