// Where the trigger-lsp binary for this platform is: the platform package npm installed beside
// this one (optionalDependencies with os/cpu, as esbuild and Biome do), or TRIGGER_LSP_BINARY.
'use strict';
const fs = require('fs');
const path = require('path');

// process.platform-process.arch -> the package holding that build (kept in step with package.json).
const PLATFORMS = {
  'linux-x64': 'trigger-lsp-linux-x64',
  'linux-arm64': 'trigger-lsp-linux-arm64',
  'darwin-x64': 'trigger-lsp-darwin-x64',
  'darwin-arm64': 'trigger-lsp-darwin-arm64',
  'win32-x64': 'trigger-lsp-win32-x64',
};

const EXE = process.platform === 'win32' ? 'trigger-lsp.exe' : 'trigger-lsp';

/** The path of the trigger-lsp executable, or an Error that says what to do. */
function binaryPath() {
  const override = process.env.TRIGGER_LSP_BINARY;
  if (override) {
    if (!fs.existsSync(override)) {
      throw new Error(`TRIGGER_LSP_BINARY is set to ${override}, which does not exist.`);
    }
    return override;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) {
    throw new Error(
      `trigger-lsp has no prebuilt binary for ${key} (there are: ${Object.keys(PLATFORMS).join(', ')}).\n` +
        'Install the Python package instead ("pipx install trigger-lsp" or "uv tool install trigger-lsp", ' +
        'Python 3.11+), or set TRIGGER_LSP_BINARY to a trigger-lsp executable.',
    );
  }
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(
      `The package ${pkg}, which holds trigger-lsp for ${key}, is not installed.\n` +
        'npm installs it as an optional dependency of trigger-lsp: was the install run with ' +
        '--omit=optional (or --no-optional), or on another platform with the lockfile or ' +
        'node_modules copied here? Run "npm install" again on this machine, or set TRIGGER_LSP_BINARY.',
    );
  }
  const exe = path.join(dir, 'trigger-lsp', EXE);
  if (!fs.existsSync(exe)) {
    throw new Error(`${pkg} is installed but ${exe} is missing: reinstall it.`);
  }
  return exe;
}

module.exports = { binaryPath, PLATFORMS };
