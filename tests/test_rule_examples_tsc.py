"""The Valid examples of validations.md type-check against the published SDK (4.8.3): what a
reader copies from the docs compiles. `tsc --noEmit` (strict) over every Valid example for the
current SDK, each in a folder of its own inside the scratch folder tests/tsc/setup.sh fills.
The project's other modules an example imports (`./emails`) are stubbed: each name it
imports from them is a task of any payload and output. Imports of packages the scratch folder
does not hold (`openai`) cannot be resolved and are left out of the check (TS2307). Skipped
without Node or the scratch folder, as test_snippets_tsc."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from test_rule_examples import DEFAULT_FILES, KB, write_example
from test_snippets import SDK_VERSION
from test_snippets_tsc import run_tsc, tsc_tools
from trigger_lsp.analysis.model import build_model
from trigger_lsp.analysis.syntax import parse

TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022",
        "module": "ESNext",
        "moduleResolution": "Bundler",
        "strict": True,
        "skipLibCheck": True,
        "noEmit": True,
        "types": ["node"],
    },
    "include": ["**/*.ts"],
}
# Must not compile: proves the check sees errors in an example's folder.
CANARY = (
    'import { task } from "@trigger.dev/sdk";\n\n'
    'export const canary = task({ id: "canary", machine: "huge", run: async () => {} });\n'
)


def stub_imported_modules(folder: Path) -> None:
    """For each relative import of the example's files that it does not give, a module that
    exports the imported names as tasks of any payload and output."""
    for file in list(folder.rglob("*.ts")):
        model = build_model(parse(file.read_bytes(), "typescript"), "typescript")
        for imp in model.imports:
            if not imp.source.startswith("./") or (imp.dynamic and not imp.names):
                continue
            target = file.parent / f"{imp.source[2:]}.ts"
            if target.exists() and not target.read_text().startswith("// stub"):
                continue
            old = (
                target.read_text()
                if target.exists()
                else '// stub\nimport type { Task } from "@trigger.dev/sdk";\n'
            )
            names = [*imp.names.values(), *(["default"] if imp.default else [])]
            lines = [
                f"export declare const {name}: Task<string, any, any>;\n"
                for name in names
                if f" {name}:" not in old
            ]
            target.write_text(old + "".join(lines))


def current_sdk_examples() -> list[tuple[str, Path]]:
    """(rule id, folder name) of the Valid examples on the default project's SDK."""
    return [
        (rule_id, Path(rule_id))
        for rule_id, doc in KB.rules.items()
        for ex in doc.examples
        if ex.valid and not any(f.path == "package.json" for f in ex.files)
    ]


def test_valid_examples_type_check() -> None:
    node, tsc, scratch = tsc_tools(SDK_VERSION)
    project = Path(tempfile.mkdtemp(prefix="examples-", dir=scratch))
    try:
        examples = current_sdk_examples()
        assert len(examples) >= 45
        for rule_id, folder in examples:
            (example,) = [e for e in KB.rules[rule_id].examples if e.valid]
            write_example(project / folder, example)
            stub_imported_modules(project / folder)
            (project / folder / "package.json").unlink()  # the scratch folder's applies
        (project / "canary").mkdir()
        (project / "canary" / "canary.ts").write_text(CANARY)
        (project / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
        errors, output = run_tsc(node, tsc, project)
        unresolved = [e for e in errors if ": error TS2307:" in e]
        assert all("'./" not in e and "canary" not in e for e in unresolved), unresolved
        assert [e for e in errors if e not in unresolved and not e.startswith("canary/")] == []
        assert len([e for e in errors if e.startswith("canary/")]) == 1, output
        assert len(DEFAULT_FILES) == 2
    finally:
        shutil.rmtree(project, ignore_errors=True)
