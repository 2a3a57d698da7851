#!/usr/bin/env node
// `trigger-lsp ...` from npm: runs this platform's binary with the same arguments, stdin, stdout
// and stderr (so `trigger-lsp serve` speaks LSP over stdio through it), and exits as it does.
'use strict';
const { spawn } = require('child_process');
const { binaryPath } = require('../lib/binary.js');

let exe;
try {
  exe = binaryPath();
} catch (err) {
  process.stderr.write(`trigger-lsp: ${err.message}\n`);
  process.exit(2);
}

const child = spawn(exe, process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  });
}
child.on('error', (err) => {
  process.stderr.write(`trigger-lsp: could not run ${exe}: ${err.message}\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 2);
});
