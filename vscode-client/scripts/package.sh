#!/usr/bin/env bash
# Build the extension into a .vsix that ships the server as a wheel.
# Usage: vscode-client/scripts/package.sh [OUT_DIR]     (default: <repo>/dist)
#   PYTHON=...  Python used to build the wheel (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(cd .. && pwd)
OUT=${1:-$REPO/dist}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"

# The server, as the wheel the extension installs into its private venv.
rm -rf server-wheel
"$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps "$REPO" -w server-wheel
ls server-wheel

npm ci --no-audit --no-fund
npm run --silent typecheck
npm run --silent bundle
VERSION=$(node -p 'require("./package.json").version')
# No repository URL yet: keep the README's image link relative (it resolves inside the .vsix).
npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license \
  --no-rewrite-relative-links -o "$OUT/trigger-lsp-$VERSION.vsix"
