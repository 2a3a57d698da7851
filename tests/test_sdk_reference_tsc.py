"""What references/sdk_options.md and sdk_api.md claim exists in SDK 4.8.3 is checked by the
compiler: every option key (trigger, batch, defineConfig and their nested objects), every value
of the runtime and debounce-mode sets, every member of runs/streams/auth/locals/heartbeats/
timeout/usage, every top-level export and every ctx field becomes a type-level assertion that
`tsc --noEmit` must accept, in the scratch project of tests/tsc/setup.sh. A canary file that
names a key 4.8.3 lacks (`ctx.run.attempt`) must fail, so the check is known to see errors.

Skipped with a message without Node or the scratch folder (as tests/test_snippets_tsc.py).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from test_snippets_tsc import TSCONFIG, run_tsc, tsc_tools
from trigger_lsp.knowledge.loader import REFERENCE_FILES, knowledge

REF = knowledge().reference
SDK_VERSION = "4.8.3"

# The type each owner's keys are keys of, in 4.8.3.
TSO = "NonNullable<Parameters<typeof tasks.triggerAndSubscribe>[2]>"
OWNER_TYPES = {
    "trigger": "TriggerOptions",
    "debounce": 'NonNullable<TriggerOptions["debounce"]>',
    "batchOptions": "NonNullable<Parameters<typeof batch.trigger>[1]>",
    "config": "TriggerConfig",
    "retries": 'NonNullable<TriggerConfig["retries"]>',
    "build": 'NonNullable<TriggerConfig["build"]>',
    "jsx": 'NonNullable<NonNullable<TriggerConfig["build"]>["jsx"]>',
    "telemetry": 'NonNullable<TriggerConfig["telemetry"]>',
    "processKeepAlive": 'Exclude<NonNullable<TriggerConfig["processKeepAlive"]>, boolean>',
}
VALUE_TYPES = {
    "runtime": 'NonNullable<TriggerConfig["runtime"]>',
    "debounceMode": 'NonNullable<NonNullable<TriggerOptions["debounce"]>["mode"]>',
}
CANARY = (
    'import type { Context } from "@trigger.dev/sdk";\n'
    "type Has<T, K extends keyof T> = K;\n"
    'export type Missing = Has<Context["run"], "attempt">;\n'
)


def _union(names: list[str]) -> str:
    return " | ".join(json.dumps(n) for n in sorted(set(names)))


def claims() -> str:
    """A TypeScript module that compiles only if every claim holds."""
    lines = [
        "import type { Context, TriggerConfig, TriggerOptions } from '@trigger.dev/sdk';",
        "type Has<T, K extends keyof T> = K;",
        "type Within<T, V extends T> = V;",
    ]
    names = sorted(
        e.id for e in REF.api.values() if e.owner is None and e.receiver is None and _mine(e)
    )
    lines.insert(0, f"import {{ tasks, batch, {', '.join(names)} }} from '@trigger.dev/sdk';")
    n = 0
    for owner, type_ in OWNER_TYPES.items():
        options = [o for o in REF.options_of(owner) if _mine(o)]
        plain = [o.key for o in options if "triggerAndSubscribe" not in o.applies_to]
        only_subscribe = [o.key for o in options if o.applies_to == ("triggerAndSubscribe",)]
        for keys, target in ((plain, type_), (only_subscribe, TSO)):
            if keys:
                n += 1
                lines.append(f"export type K{n} = Has<{target}, {_union(keys)}>;")
    for set_id, type_ in VALUE_TYPES.items():
        n += 1
        values = [c.value for c in REF.values[set_id].values]
        lines.append(f"export type V{n} = Within<{type_}, {_union(values)}>;")
    owners = {e.owner for e in REF.api.values() if e.owner and e.receiver is None and _mine(e)}
    for owner in sorted(owners):
        n += 1
        members = [e.name for e in REF.members(owner)]
        lines.append(f"export type M{n} = Has<typeof {owner}, {_union(members)}>;")
    contexts = {e.owner for e in REF.api.values() if e.receiver == "ctx" and e.owner}
    for path in sorted(contexts):
        n += 1
        target = "Context" + "".join(f'["{p}"]' for p in path.split(".")[1:])
        fields = [e.name for e in REF.context_members(path)]
        lines.append(f"export type C{n} = Has<NonNullable<{target}>, {_union(fields)}>;")
    return "\n".join(lines) + "\n"


def _mine(entry: object) -> bool:
    return str(getattr(entry, "source", "")).split(":")[0] in REFERENCE_FILES


def test_claims_cover_the_new_references():
    text = claims()
    assert "externalDeploymentId" in text and "triggerSequentially" in text
    assert '"bun-1.4"' in text and "getOIDCToken" in text and "parentTaskRunId" in text
    assert text.count("export type") >= 20


def test_reference_claims_type_check() -> None:
    node, tsc, scratch = tsc_tools(SDK_VERSION)
    project = Path(tempfile.mkdtemp(prefix="reference-", dir=scratch))
    try:
        (project / "claims.ts").write_text(claims())
        (project / "canary.ts").write_text(CANARY)
        (project / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
        errors, output = run_tsc(node, tsc, project)
        assert [e for e in errors if not e.startswith("canary.ts(")] == [], output
        assert len(errors) == 1 and "canary.ts(3," in errors[0], output
    finally:
        shutil.rmtree(project, ignore_errors=True)
