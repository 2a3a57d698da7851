"""Open documents: bytes, an incrementally re-parsed syntax tree, and the last analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tree_sitter as ts

from trigger_lsp.analysis.model import FileModel, build_model
from trigger_lsp.analysis.syntax import grammar_for, parse
from trigger_lsp.lint.engine import FileResult
from trigger_lsp.lint.statements import StatementCache
from trigger_lsp.project.index import EntryCache
from trigger_lsp.text import Encoding, LineIndex

if TYPE_CHECKING:
    from lsprotocol import types as lsp


def _lsp() -> Any:
    """lsprotocol's types, loaded when first needed: they take a third of a second to load,
    and the first answers go out before that (see lsp/early.py)."""
    from lsprotocol import types

    return types


@dataclass
class Document:
    uri: str
    path: Path | None
    language_id: str | None
    version: int | None
    source: bytes
    grammar: str
    lines: LineIndex = field(init=False)
    tree: ts.Tree | None = None
    result: FileResult | None = None  # analysis of `analyzed_version`
    analyzed_version: int | None = None
    result_id: int = 0  # bumps when the findings change, for pull diagnostics
    result_key: int | None = None
    # Findings kept per task statement, so that an edit re-checks only what it touched.
    statements: StatementCache = field(default_factory=StatementCache)
    # lsp.Diagnostic by finding, see lsp/diagnostics.py
    converted: dict[object, Any] = field(default_factory=dict)
    entries: EntryCache = field(default_factory=dict)  # index entries per task statement
    _fresh: bool = False  # `tree` is the parse of the current text
    _model: FileModel | None = None  # the model of that tree, once built

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.source)

    # --- positions -----------------------------------------------------------------------
    def offset(self, pos: lsp.Position, encoding: Encoding) -> int:
        """Byte offset of an LSP position, clamped into the document."""
        return self.lines.offset(self.source, pos.line, pos.character, encoding)

    def point(self, offset: int, encoding: Encoding) -> tuple[int, int]:
        """Line and column (in code units) of a byte offset, clamped into the document."""
        return self.lines.position(self.source, offset, encoding)

    def position(self, offset: int, encoding: Encoding) -> lsp.Position:
        return _lsp().Position(*self.point(offset, encoding))

    def range(self, start: int, end: int, encoding: Encoding) -> lsp.Range:
        return _lsp().Range(self.position(start, encoding), self.position(end, encoding))

    # --- edits ---------------------------------------------------------------------------
    def apply(self, change: lsp.TextDocumentContentChangeEvent, encoding: Encoding) -> None:
        if not isinstance(change, _lsp().TextDocumentContentChangePartial):
            self.source = change.text.encode("utf-8", "surrogatepass")
            self.lines = LineIndex(self.source)
            self.tree = None
            self._fresh, self._model = False, None
            return
        start = self.offset(change.range.start, encoding)
        same = change.range.end == change.range.start  # typing: one conversion
        end = start if same else max(start, self.offset(change.range.end, encoding))
        new = change.text.encode("utf-8", "surrogatepass")
        start_point = self.lines.point(start)
        old_end_point = self.lines.point(end)
        self.source = self.source[:start] + new + self.source[end:]
        self.lines = self.lines.edited(start, end, new)
        new_end = start + len(new)
        self._fresh, self._model = False, None
        if self.tree is not None:
            # Edit a copy (cheap: the copy shares the subtrees until written): the old tree
            # stays valid for whatever still reads the previous version's analysis, such as
            # the idle preparation of its statements' findings (see `statements.warm_step`).
            self.tree = self.tree.copy()
            self.tree.edit(
                start_byte=start,
                old_end_byte=end,
                new_end_byte=new_end,
                start_point=start_point,
                old_end_point=old_end_point,
                new_end_point=self.lines.point(new_end),
            )

    def parsed(self) -> ts.Tree:
        """The syntax tree of the current text, re-using the previous tree after edits."""
        if not self._fresh or self.tree is None:
            self.tree = parse(self.source, self.grammar, self.tree, yielding=True)
            self._fresh, self._model = True, None
        return self.tree

    def adopt(self, tree: ts.Tree, model: FileModel) -> None:
        """Take the tree and model of the current text, made elsewhere (by the indexer)."""
        self.tree, self._fresh, self._model = tree, True, model

    def built_model(self) -> FileModel | None:
        """The model of the current text if one was built (by `model`, or kept)."""
        return self._model if self._fresh else None

    def keep_model(self, model: FileModel) -> None:
        """Keep the model an analysis of the current text built."""
        if self._fresh:
            self._model = model

    def model(self) -> FileModel:
        """The model of the current text: built once per version, for the index and the
        analysis alike (from the statements' pieces, which the next version's model reuses)."""
        tree = self.parsed()
        if self._model is None:
            self._model = build_model(tree, self.grammar, self.statements.pieces)
        return self._model


class DocumentStore:
    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def open(
        self, uri: str, language_id: str | None, version: int | None, text: str, path: Path | None
    ) -> Document:
        doc = Document(
            uri=uri,
            path=path,
            language_id=language_id,
            version=version,
            source=text.encode("utf-8", "surrogatepass"),
            grammar=grammar_for(path, language_id),
        )
        self._docs[uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> Document | None:
        return self._docs.pop(uri, None)

    def all(self) -> list[Document]:
        return list(self._docs.values())
