#!/usr/bin/env bash
# The scratch project in which tests/test_snippets_tsc.py type-checks every snippet: the published
# SDK, TypeScript, zod (the schema-task snippet imports it) and Node's types (snippets read
# process.env), installed from npm into a folder git ignores. Safe to run again: it does nothing
# when the pinned versions are already installed.
#
# Usage: bash tests/tsc/setup.sh [FOLDER]   (default: tests/tsc/scratch, or $TRIGGER_LSP_TSC_DIR)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-${TRIGGER_LSP_TSC_DIR:-$here/scratch}}"
packages=("@trigger.dev/sdk@4.8.3" "typescript@5.9.3" "zod@3.25.76" "@types/node@22.20.7")

command -v npm >/dev/null || { echo "npm is not installed; the snippet type-check will be skipped" >&2; exit 1; }
mkdir -p "$dir"
stamp="$dir/.installed"
want="${packages[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/node_modules/.bin/tsc" ]; then
  exit 0
fi
cd "$dir"
[ -f package.json ] || printf '{\n  "name": "trigger-lsp-snippets",\n  "private": true,\n  "type": "module"\n}\n' > package.json
npm install --silent --no-audit --no-fund --save-exact "${packages[@]}"
echo "$want" > "$stamp"
