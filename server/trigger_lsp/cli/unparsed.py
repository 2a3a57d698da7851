"""The project index of a `check` that left files unparsed (see project/prefilter.py).

A file the prefilter rejected defines no task, triggers none and has nothing to report, but it
can still be a module that checked files import: a constant holding a task id, a helper that
logs, a file that imports a native package or another task file. The index answers about such
a file as if it had been parsed with the others:

- it knows the file (import specifiers resolve to it as they would);
- `complete_imports` parses every such file that the parsed files' imports reach, directly or
  through others, before any question is put (`loaded` and `bundled_packages` walk these links);
- any other question about such a file (`logs`, `constant` through a type-only import, say)
  parses it when first asked.
"""

from __future__ import annotations

from pathlib import Path

from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import grammar_for, parse
from trigger_lsp.engine import MAX_FILE_BYTES, looks_binary
from trigger_lsp.index import ProjectIndex, imports_for
from trigger_lsp.modules import ModuleLinks, ModuleLogging, module_facts, resolve_module
from trigger_lsp.project.context import ProjectResolver
from trigger_lsp.project.reading import FileSkipped, read_regular


class PrefilteredIndex(ProjectIndex):
    def __init__(self, unparsed: set[Path], known_rules: frozenset[str]) -> None:
        super().__init__()
        self._unparsed = set(unparsed)  # rejected files not parsed yet
        self._rejected = frozenset(unparsed)
        self._known_rules = known_rules
        self._resolver: ProjectResolver | None = None

    def __getstate__(self) -> dict[str, object]:
        state = super().__getstate__()
        state["_resolver"] = None  # a worker makes its own
        return state

    def _known(self, path: Path) -> bool:
        return path in self._rejected or super()._known(path)

    def _module(self, path: Path) -> tuple[ModuleLinks | None, ModuleLogging | None]:
        if path in self._unparsed:
            self._parse(path)
        return super()._module(path)

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
        return parsed
