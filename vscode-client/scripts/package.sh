#!/usr/bin/env bash
# Build the extension into a .vsix.
# Usage: vscode-client/scripts/package.sh [OUT_DIR] [--target PLATFORM]   (default OUT_DIR: <repo>/dist)
#   universal (no --target): ships the server as a wheel, installed into a private venv with the
#     user's Python 3.11+ -> OUT_DIR/trigger-lsp-<version>.vsix
#   --target linux-x64 (darwin-arm64, win32-x64, ...): ships the standalone binary built by
#     packaging/build_binary.py on that platform (BINARY_DIR, default <repo>/dist/binary/trigger-lsp),
#     needs no Python -> OUT_DIR/platform/trigger-lsp-<version>-<target>.vsix
#   PYTHON=...  Python used to build the wheel (default: python3)
#   REUSE_NODE_MODULES=1  keep vscode-client/node_modules from an earlier package (no npm ci)
set -euo pipefail
OUT=
TARGET=
while [ $# -gt 0 ]; do
  case "$1" in
    --target) TARGET=$2; shift 2 ;;
    --target=*) TARGET=${1#--target=}; shift ;;
    *) OUT=$1; shift ;;
  esac
done
cd "$(dirname "$0")/.."
REPO=$(cd .. && pwd)
OUT=${OUT:-$REPO/dist}
PYTHON=${PYTHON:-python3}
BINARY_DIR=${BINARY_DIR:-$REPO/dist/binary/trigger-lsp}
mkdir -p "$OUT"

rm -rf server-wheel server-bin
if [ -z "$TARGET" ]; then
  # The server, as the wheel the extension installs into its private venv.
  "$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps "$REPO" -w server-wheel
  ls server-wheel
else
  exe=$BINARY_DIR/trigger-lsp
  case "$TARGET" in win32-*) exe=$exe.exe ;; esac
  if [ ! -x "$exe" ]; then
    echo "no binary at $exe: run python packaging/build_binary.py first (on a $TARGET machine)" >&2
    exit 1
  fi
  mkdir -p server-bin
  cp -a "$BINARY_DIR" server-bin/trigger-lsp
fi

# REUSE_NODE_MODULES=1: a second package in the same checkout (.ci/run) skips the clean install.
if [ "${REUSE_NODE_MODULES:-}" != 1 ] || [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent typecheck
npm run --silent bundle
VERSION=$(node -p 'require("./package.json").version')
# No repository URL yet: keep the README's image link relative (it resolves inside the .vsix).
VSCE=(npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license
  --no-rewrite-relative-links)
if [ -z "$TARGET" ]; then
  "${VSCE[@]}" -o "$OUT/trigger-lsp-$VERSION.vsix"
else
  mkdir -p "$OUT/platform"
  "${VSCE[@]}" --target "$TARGET" -o "$OUT/platform/trigger-lsp-$VERSION-$TARGET.vsix"
  rm -rf server-bin
fi
