"""Write the server's rule ids into package.json's `trigger-lsp.rules` schema (run after adding a rule).

Usage: python vscode-client/scripts/sync_rules.py [--check]   (with trigger-lsp importable)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from trigger_lsp.knowledge.loader import knowledge

MANIFEST = Path(__file__).resolve().parent.parent / "package.json"
LEVELS = ["off", "on", "error", "warning", "info", "hint"]


def rule_properties() -> dict[str, dict[str, object]]:
    props: dict[str, dict[str, object]] = {
        "all": {"type": "string", "enum": LEVELS, "description": "Level for every rule."}
    }
    for rule_id, doc in sorted(knowledge().rules.items()):
        default = doc.severity.value if doc.enabled else "off"
        props[rule_id] = {
            "type": "string",
            "enum": LEVELS,
            "description": f"{doc.title} (default: {default}).",
        }
    return props


def main() -> int:
    text = MANIFEST.read_text()
    manifest = json.loads(text)
    schema = manifest["contributes"]["configuration"]["properties"]["trigger-lsp.rules"]
    wanted = rule_properties()
    if "--check" in sys.argv:
        if schema.get("properties") != wanted:
            print("package.json rules schema is out of date: run scripts/sync_rules.py")
            return 1
        return 0
    schema["properties"] = wanted
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
