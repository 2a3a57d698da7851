"""The project index when files were left unparsed (see project/prefilter.py): `check`'s, and the
server's workspace index.

A file the prefilter rejected defines no task, triggers none and has nothing to report, but it
can still be a module that checked files import: a constant holding a task id, a helper that
logs, a file that imports a native package or another task file. The index answers about such
a file as if it had been parsed with the others:

- it knows the file (import specifiers resolve to it as they would);
- `complete_imports` parses every such file that the parsed files' imports reach, directly or
  through others (`loaded` and `bundled_packages` walk these links, and call it first);
- any other question about such a file (`logs`, `constant` through a type-only import, say)
  parses it when first asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import grammar_for, parse
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.index import ProjectIndex, imports_for
from trigger_lsp.project.modules import ModuleLinks, module_facts, resolve_module
from trigger_lsp.project.reading import FileSkipped, read_regular
from trigger_lsp.text import MAX_FILE_BYTES, looks_binary


class PrefilteredIndex(ProjectIndex):
    def __init__(
        self, unparsed: Iterable[Path] = (), known_rules: frozenset[str] | None = None
    ) -> None:
        super().__init__()
        self._rejected = set(unparsed)  # files known to the index without being parsed
        self._unparsed = set(self._rejected)  # ... and not parsed since
        self._known_rules = known_rules
        self._resolver: ProjectResolver | None = None
        self._closed = False  # whether complete_imports ran since the links last changed

    def _forget_links(self) -> None:
        self._closed = False
        super()._forget_links()

    def reject(self, path: Path) -> None:
        """Know a file the prefilter rejected, unless the index holds it already (an editor's
        open document, say)."""
        with self._lock:
            if path in self._by_file or path in self._rejected:
                return
            self._rejected.add(path)
            self._unparsed.add(path)
            self._forget_links()  # a specifier may name this file now

    def update(self, path: Path, *args: Any, **kwargs: Any) -> bool:
        self._unparsed.discard(path)  # parsed now
        return super().update(path, *args, **kwargs)

    def remove(self, path: Path) -> None:
        self._rejected.discard(path)
        self._unparsed.discard(path)
        super().remove(path)

    def _reached_files(self) -> frozenset[Path]:
        self.complete_imports()
        return super()._reached_files()

    def bundled_packages(
        self, project: Path, dirs: tuple[Path, ...] | None, packages: frozenset[str]
    ) -> frozenset[str]:
        self.complete_imports()
        return super().bundled_packages(project, dirs, packages)

    def __getstate__(self) -> dict[str, object]:
        state = super().__getstate__()
        state["_resolver"] = None  # a worker makes its own
        return state

    def _known(self, path: Path) -> bool:
        return path in self._rejected or super()._known(path)

    def _links_of(self, path: Path) -> ModuleLinks | None:
        if path in self._unparsed:
            self._parse(path)
        return super()._links_of(path)

    def _parse(self, path: Path) -> bool:
        """Index a rejected file as `check` would have (once); whether it was new."""
        if path not in self._unparsed:
            return False
        self._unparsed.discard(path)
        if self._resolver is None:
            self._resolver = ProjectResolver(self._known_rules)
        try:
            source = read_regular(path, MAX_FILE_BYTES)
        except (FileSkipped, OSError):
            self.update(path, [])
            return True
        grammar = grammar_for(path)
        model = None if looks_binary(source) else build_model(parse(source, grammar), grammar)
        if model is None or model.too_deep:
            self.update(path, [])
            return True
        project = self._resolver.context_for(path)
        self.update(
            path,
            [],
            imports=imports_for(model, path, project.root),
            module=module_facts(model, path, project),
        )
        return True

    def complete_imports(self) -> int:
        """Parse the rejected files that indexed files import, until none is left; the count."""
        if self._closed or not self._unparsed:
            return 0
        todo = list(self.files())
        parsed = 0
        while todo:
            path = todo.pop()
            with self._lock:
                links = self._links.get(path)
                imports = self._imports.get(path)
            targets = [self._target(path, s) for s in links.specifiers] if links else []
            if imports is not None:
                targets += [resolve_module(path, s, imports.project) for s in imports.local]
            for target in targets:
                if target is not None and self._parse(target):
                    parsed += 1
                    todo.append(target)
        self._closed = True
        return parsed
